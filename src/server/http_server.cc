#include "server/http_server.h"

#include <fmt/format.h>
#include <malloc.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <cmath>
#include <limits>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "core/thread_priority.h"
#include "server/schema.h"

namespace yanglao::server {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using boost::system::error_code;

namespace {

struct Conn {
  explicit Conn(tcp::socket s) : stream(std::move(s)) {}
  beast::tcp_stream stream;
  // Touched on the connection's strand only:
  bool busy = false;       // a request is being handled
  bool timed_out = false;  // the current read's deadline passed
};

// A deadline for one read that cancels it (unlike the stream's own timeout,
// which closes the socket), so the client can still be told 408.
class ReadDeadline {
 public:
  ReadDeadline(const std::shared_ptr<Conn>& c, std::chrono::milliseconds after)
      : timer_(c->stream.get_executor()) {
    c->timed_out = false;
    c->stream.expires_never();
    timer_.expires_after(after);
    // A weak reference: a pending timer must not keep the connection (and
    // its strand) alive past the io_context.
    timer_.async_wait([weak = std::weak_ptr<Conn>(c)](const error_code& e) {
      std::shared_ptr<Conn> conn = weak.lock();
      if (e || !conn) return;
      conn->timed_out = true;
      error_code ignored;
      conn->stream.socket().cancel(ignored);
    });
  }
  ~ReadDeadline() { timer_.cancel(); }

 private:
  net::steady_timer timer_;
};

// Submits audit records and resumes the caller once they are committed.
template <typename Token>
auto AsyncAudit(AuditLog& log, std::vector<AuditRecord>& records, Token&& token) {
  return net::async_initiate<Token, void(Status)>(
      [&log](auto handler, std::vector<AuditRecord> recs) {
        auto ex = net::get_associated_executor(handler);
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        log.Submit(std::move(recs),
                   [h, ex](const Status& s) { net::post(ex, [h, s]() mutable { (*h)(s); }); });
      },
      token, std::move(records));
}

// Runs app.Handle on `pool`, submits the audit records from there and
// resumes the caller (on its own executor) once they are committed, a failed
// commit having turned the response into a 500. One thread hop fewer than
// coming back from the pool first and then submitting.
template <typename Executor, typename Token>
auto AsyncHandle(App& app, Executor pool, const HttpRequest& req, const std::string& remote,
                 const std::atomic<bool>* gone, Token&& token) {
  return net::async_initiate<Token, void(App::Outcome)>(
      [&app, pool, &req, &remote, gone](auto handler) {
        auto ex = net::get_associated_executor(handler);
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        net::post(pool, [&app, &req, &remote, gone, h, ex] {
          auto out = std::make_shared<App::Outcome>(app.Handle(req, remote, gone));
          auto resume = [h, ex, out](const Status& s) {
            App::FailOnAudit(s, out->response);
            net::post(ex, [h, out]() mutable { (*h)(std::move(*out)); });
          };
          if (out->audit.empty()) return resume(Status::Ok());
          std::vector<AuditRecord> records = std::move(out->audit);
          out->audit.clear();
          app.audit().Submit(std::move(records), resume);
        });
      },
      token);
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(App& app, HttpOptions o)
      : app_(app),
        o_(std::move(o)),
        ioc_(std::max(1, o_.threads)),
        blocking_(static_cast<size_t>(std::max(1, o_.blocking_threads))),
        db_(o_.db_threads > 0
                ? std::make_unique<net::thread_pool>(static_cast<size_t>(o_.db_threads))
                : nullptr),
        uploads_work_(net::make_work_guard(uploads_)),
        acceptor_(ioc_),
        signals_(ioc_),
        work_(net::make_work_guard(ioc_)) {}

  ~Impl() {
    Stop();
    Wait();
    // The audit writer may still hold callbacks with executors of ioc_.
    app_.audit().Drain();
  }

  Status Start() {
    error_code ec;
    auto address = net::ip::make_address(o_.address, ec);
    if (ec) return Status("server.listen", fmt::format("监听地址无效：{}", o_.address));
    tcp::endpoint ep(address, o_.port);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return Status("server.listen",
                    fmt::format("无法在 {}:{} 上监听：{}", o_.address, o_.port, ec.message()));
    }
    port_ = acceptor_.local_endpoint().port();
    if (o_.handle_signals) {
      signals_.add(SIGINT);
      signals_.add(SIGTERM);
      signals_.async_wait([this](const error_code& e, int) {
        if (!e) BeginStop();
      });
    }
    net::co_spawn(ioc_, Accept(), net::detached);
    for (int i = 0; i < std::max(1, o_.upload_threads); ++i) {
      upload_threads_.emplace_back([this] {
        // Named for ps/top and tests. Lowers this thread's CPU priority only
        // (on Linux the nice value is per thread); failing to is harmless.
        pthread_setname_np(pthread_self(), "yl-upload");
        (void)LowerThreadPriority(o_.upload_nice);
        uploads_.run();
      });
    }
    for (int i = 0; i < std::max(1, o_.threads); ++i) threads_.emplace_back([this] { ioc_.run(); });
    return Status::Ok();
  }

  uint16_t port() const { return port_; }

  void Stop() {
    if (!threads_.empty()) net::post(ioc_, [this] { BeginStop(); });
  }

  void Wait() {
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
    threads_.clear();
    blocking_.join();
    // Uploads queued or running finish (their connections are gone by now,
    // so they stop before importing), then the upload threads return.
    uploads_work_.reset();
    for (std::thread& t : upload_threads_) {
      if (t.joinable()) t.join();
    }
    upload_threads_.clear();
    if (db_) db_->join();
    // Let connections cut off at the end of the grace period finish their
    // coroutines here, so none outlives the io_context.
    ioc_.restart();
    ioc_.run_for(std::chrono::seconds(2));
  }

 private:
  net::awaitable<void> Accept() {
    for (;;) {
      error_code ec;
      auto strand = net::make_strand(ioc_);
      auto accept = acceptor_.async_accept(strand, net::redirect_error(net::use_awaitable, ec));
      tcp::socket socket = co_await std::move(accept);
      if (stopping_) co_return;
      if (ec) {
        if (ec == net::error::operation_aborted) co_return;
        // Out of descriptors or similar: pause briefly instead of spinning.
        net::steady_timer t(ioc_, std::chrono::milliseconds(50));
        auto wait = t.async_wait(net::redirect_error(net::use_awaitable, ec));
        co_await std::move(wait);
        continue;
      }
      auto conn = std::make_shared<Conn>(std::move(socket));
      {
        std::lock_guard lock(mu_);
        if (conns_.size() >= o_.max_connections) {
          conn->stream.socket().close(ec);
          continue;
        }
        conns_.insert(conn);
      }
      net::co_spawn(conn->stream.get_executor(), Session(conn), [this, conn](std::exception_ptr) {
        std::lock_guard lock(mu_);
        conns_.erase(conn);
      });
    }
  }

  // Sends a transport-level error. (Callers pass named objects only: g++ 12
  // mishandles temporaries with destructors inside co_await expressions.)
  net::awaitable<void> SendError(Conn& c, Status s, std::string remote,
                                 std::chrono::steady_clock::time_point start) {
    HttpResponse res = App::ErrorResponse(s, "");
    res.keep_alive(false);
    error_code ec;
    c.stream.expires_after(std::chrono::seconds(5));
    co_await http::async_write(c.stream, res, net::redirect_error(net::use_awaitable, ec));
    Log(remote, "-", "", "", res, start, "");
  }

  // The error for a failed read of the header (nullopt: close quietly).
  static std::optional<Status> HeaderError(const error_code& ec, bool partial) {
    if (ec == beast::error::timeout) {
      if (partial) return Status("request.timeout", "请求头未能在规定时间内发送完毕");
      return std::nullopt;
    }
    if (ec == http::error::header_limit) return Status("request.header_too_large", "请求头过大");
    if (ec == http::error::end_of_stream || ec == net::error::eof ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == net::error::bad_descriptor) {
      return std::nullopt;
    }
    return Status("request.malformed", fmt::format("请求格式错误：{}", ec.message()));
  }

  static std::optional<Status> BodyError(const error_code& ec, size_t limit) {
    if (ec == http::error::body_limit) {
      return Status("request.too_large", fmt::format("请求内容过大（上限 {} 字节）", limit));
    }
    if (ec == beast::error::timeout) {
      return Status("request.timeout", "请求内容未能在规定时间内发送完毕");
    }
    if (ec == net::error::eof || ec == http::error::end_of_stream ||
        ec == net::error::connection_reset || ec == net::error::operation_aborted) {
      return std::nullopt;
    }
    return Status("request.malformed", fmt::format("请求格式错误：{}", ec.message()));
  }

  net::awaitable<void> Session(std::shared_ptr<Conn> c) {
    error_code ec;
    std::string remote = c->stream.socket().remote_endpoint(ec).address().to_string();
    beast::flat_buffer buffer;
    std::optional<Status> error;  // a transport error to answer before closing
    auto start = std::chrono::steady_clock::now();
    while (!stopping_) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(o_.header_limit));
      // No body limit while reading the header: the route's limit is set
      // once the route is known (a larger declared length is refused below).
      parser.body_limit(std::numeric_limits<std::uint64_t>::max());
      {
        ReadDeadline deadline(c, o_.header_timeout);
        auto read_header = http::async_read_header(c->stream, buffer, parser,
                                                   net::redirect_error(net::use_awaitable, ec));
        co_await std::move(read_header);
      }
      start = std::chrono::steady_clock::now();
      if (ec) {
        error = HeaderError(c->timed_out ? beast::error::timeout : ec, buffer.size() > 0);
        break;
      }
      c->busy = true;
      const auto& head = parser.get();
      App::RouteInfo info = app_.Lookup(head.method(), head.target());
      if (parser.content_length() && *parser.content_length() > info.body_limit) {
        error = Status("request.too_large",
                       fmt::format("请求内容过大（上限 {} 字节）", info.body_limit));
        break;
      }
      // An upload holds a slot from before its body is read until answered.
      std::optional<UploadSlot> slot;
      if (info.upload &&
          head[http::field::cookie].find("yl_session=") == beast::string_view::npos) {
        // Without a session the upload would be refused anyway: not worth a
        // slot, nor reading up to 256 MiB of body first.
        error = Status("auth.unauthenticated", "请先登录（会话不存在或已过期）");
        break;
      }
      if (info.upload) {
        slot.emplace(uploads_in_flight_);
        if (slot->count > o_.max_uploads) {
          error = Status("auth.throttled",
                         fmt::format("同时进行的上传已达上限（{} 个），请稍后再试", o_.max_uploads),
                         Location{.field = "retry_after_seconds", .value = "5"});
          break;
        }
      }
      if (beast::iequals(head[http::field::expect], "100-continue")) {
        http::response<http::empty_body> cont{http::status::continue_, head.version()};
        auto write_continue =
            http::async_write(c->stream, cont, net::redirect_error(net::use_awaitable, ec));
        co_await std::move(write_continue);
        if (ec) break;
      }
      parser.body_limit(info.body_limit);
      {
        ReadDeadline deadline(c, o_.body_timeout);
        auto read_body = http::async_read(c->stream, buffer, parser,
                                          net::redirect_error(net::use_awaitable, ec));
        co_await std::move(read_body);
      }
      if (ec) {
        error = BodyError(c->timed_out ? beast::error::timeout : ec, info.body_limit);
        break;
      }
      HttpRequest req = parser.release();
      App::Outcome out;
      if (info.upload || info.blocking || (info.uses_db && db_)) {
        // Handled and its audit records committed on the pool. Meanwhile the
        // connection is watched: if the client closes it, the handler is told.
        auto gone = std::make_shared<std::atomic<bool>>(false);
        if (info.upload || info.blocking) WatchForClose(c, gone);
        net::any_io_executor pool = info.upload     ? net::any_io_executor(uploads_.get_executor())
                                    : info.blocking ? net::any_io_executor(blocking_.get_executor())
                                                    : net::any_io_executor(db_->get_executor());
        auto run = AsyncHandle(app_, pool, req, remote, gone.get(), net::use_awaitable);
        out = co_await std::move(run);
        if (info.upload || info.blocking) {
          error_code ignored;
          c->stream.socket().cancel(ignored);  // the watch
        }
      } else {
        out = app_.Handle(req, remote);
      }
      if (!out.audit.empty()) {
        auto commit = AsyncAudit(app_.audit(), out.audit, net::use_awaitable);
        Status s = co_await std::move(commit);
        App::FailOnAudit(s, out.response);
      }
      if (stopping_) out.response.keep_alive(false);
      c->stream.expires_after(o_.write_timeout);
      auto write =
          http::async_write(c->stream, out.response, net::redirect_error(net::use_awaitable, ec));
      co_await std::move(write);
      Log(app_.ClientAddress(req, remote), std::string(req.method_string()),
          std::string(req.target()), out.route, out.response, start, out.username);
      c->busy = false;
      if (ec || !out.response.keep_alive()) break;
    }
    if (error) {
      auto send = SendError(*c, *error, remote, start);
      co_await std::move(send);
    }
    c->stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (error && error->code() != "request.timeout") {
      // Read and discard what the client still sends (bounded), so closing
      // does not reset the connection before it has read the error.
      c->stream.expires_after(std::chrono::seconds(1));
      std::array<char, 8192> scratch;
      size_t total = 0;
      while (total < (1u << 20)) {
        auto read = c->stream.async_read_some(net::buffer(scratch),
                                              net::redirect_error(net::use_awaitable, ec));
        size_t n = co_await std::move(read);
        if (ec) break;
        total += n;
      }
    }
    c->stream.socket().close(ec);
  }

  // Counts uploads in flight for as long as it lives.
  struct UploadSlot {
    explicit UploadSlot(std::atomic<int>& n) : n_(n), count(++n) {}
    ~UploadSlot() { --n_; }
    UploadSlot(const UploadSlot&) = delete;
    UploadSlot& operator=(const UploadSlot&) = delete;
    std::atomic<int>& n_;
    int count;  // including this one
  };

  // Sets `gone` once the peer closes the connection (or resets it) while a
  // request is being handled. Pipelined bytes leave it unset.
  static void WatchForClose(const std::shared_ptr<Conn>& c,
                            const std::shared_ptr<std::atomic<bool>>& gone) {
    c->stream.socket().async_wait(
        tcp::socket::wait_read, [weak = std::weak_ptr<Conn>(c), gone](const error_code& e) {
          std::shared_ptr<Conn> conn = weak.lock();
          if (e || !conn) return;
          char b;
          ssize_t n = ::recv(conn->stream.socket().native_handle(), &b, 1, MSG_PEEK | MSG_DONTWAIT);
          if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) gone->store(true);
        });
  }

  void Log(const std::string& remote, std::string_view method, std::string_view target,
           std::string_view route, const HttpResponse& res,
           std::chrono::steady_clock::time_point start, std::string_view user) {
    if (o_.access_log == nullptr) return;
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    boost::json::object o;
    o["ts"] = UtcNow();
    o["rid"] = std::string(res["X-Request-Id"]);
    o["ip"] = remote;
    o["method"] = method;
    // Decoded before masking: "%34%32..." is an ID number too (issue #12).
    o["path"] =
        ToValidUtf8(DecodeAndMaskIds(target.substr(0, std::min(target.find('?'), size_t{512}))));
    o["route"] = route;
    o["status"] = res.result_int();
    o["bytes"] = res.body().size();
    o["us"] = us;  // from the end of the request headers to the response written
    o["user"] = user;
    std::string line = boost::json::serialize(o);
    line += '\n';
    std::lock_guard lock(log_mu_);
    std::fwrite(line.data(), 1, line.size(), o_.access_log);
    std::fflush(o_.access_log);
  }

  void BeginStop() {
    if (stopping_.exchange(true)) return;
    error_code ec;
    acceptor_.close(ec);
    signals_.cancel(ec);
    CloseIdle(false);
    net::co_spawn(ioc_, Drain(), net::detached);
  }

  void CloseIdle(bool all) {
    std::lock_guard lock(mu_);
    for (const auto& conn : conns_) {
      net::post(conn->stream.get_executor(), [conn, all] {
        if (!conn->busy || all) {
          error_code e;
          conn->stream.socket().shutdown(tcp::socket::shutdown_both, e);
          conn->stream.socket().close(e);
        }
      });
    }
  }

  net::awaitable<void> Drain() {
    auto deadline = std::chrono::steady_clock::now() + o_.shutdown_grace;
    net::steady_timer t(ioc_);
    for (;;) {
      {
        std::lock_guard lock(mu_);
        if (conns_.empty()) break;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        CloseIdle(true);
        t.expires_after(std::chrono::milliseconds(100));
        error_code ec;
        auto wait = t.async_wait(net::redirect_error(net::use_awaitable, ec));
        co_await std::move(wait);
        break;
      }
      CloseIdle(false);  // connections that finished a request since
      t.expires_after(std::chrono::milliseconds(20));
      error_code ec;
      auto wait = t.async_wait(net::redirect_error(net::use_awaitable, ec));
      co_await std::move(wait);
    }
    work_.reset();
    ioc_.stop();
  }

  App& app_;
  HttpOptions o_;
  net::io_context ioc_;
  net::thread_pool blocking_;
  std::unique_ptr<net::thread_pool> db_;  // null: database routes on the network threads
  // Uploads: an io_context run by threads of its own (not a thread_pool) so
  // that each can lower its priority before it takes work.
  net::io_context uploads_{std::max(1, o_.upload_threads)};
  net::executor_work_guard<net::io_context::executor_type> uploads_work_;
  std::vector<std::thread> upload_threads_;
  std::atomic<int> uploads_in_flight_{0};
  tcp::acceptor acceptor_;
  net::signal_set signals_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint16_t> port_{0};
  std::mutex mu_;
  std::set<std::shared_ptr<Conn>> conns_;
  std::mutex log_mu_;
};

HttpServer::HttpServer(App& app, HttpOptions options)
    : impl_(std::make_unique<Impl>(app, std::move(options))) {}
HttpServer::~HttpServer() = default;
namespace {

// A serving process keeps the memory it freed: the aggregates read from the
// live state (a what-if evaluates a list over the city: some tens of MB of
// rolls per request) would otherwise take fresh pages from the kernel for
// each request and give them back after, and the page faults cost more than
// the evaluation (at scale 1: a what-if ~0.5 s with them, ~0.1 s without,
// bench/live/routes.sh). Blocks up to 32 MB come from the heap instead of
// their own mapping, and the heap is not trimmed below 1 GB of free space.
void KeepFreedMemoryForServing() {
  static std::once_flag once;
  std::call_once(once, [] {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    mallopt(M_TOP_PAD, 64 << 20);
  });
}

}  // namespace

Status HttpServer::Start() {
  KeepFreedMemoryForServing();
  return impl_->Start();
}
uint16_t HttpServer::port() const { return impl_->port(); }
void HttpServer::Stop() { impl_->Stop(); }
void HttpServer::Wait() { impl_->Wait(); }

}  // namespace yanglao::server
