// The HTTP transport: Boost.Beast over Asio with C++20 coroutines. One
// coroutine per connection (HTTP/1.1 keep-alive), on a pool of network
// threads; slow routes run on a separate blocking pool so they never hold a
// network thread. With db_threads > 0 (PostgreSQL, whose client library
// blocks on every round trip) the other routes that use the database run on
// a pool of that many threads, so network threads never wait for the
// database; otherwise (SQLite: queries are in-process work) they run on the
// network thread. Every read has a deadline and every body a size limit:
//
//   request line + headers  header_limit bytes, within header_timeout
//                           (also the keep-alive idle time);
//   body                    the route's body_limit (App::Lookup), within
//                           body_timeout; a declared Content-Length above the
//                           limit is refused before any of it is read;
//   response                written within write_timeout.
//
// A request that breaks a limit gets the error envelope (400 malformed, 408,
// 413, 431) and the connection is closed; the server keeps serving everyone
// else. Audit records of a request are committed before its response is
// written. SIGINT/SIGTERM (or Stop()) stop accepting, let requests in flight
// finish (up to shutdown_grace), close idle connections, and return from
// Wait(). Each response is one JSON line in the access log.
#ifndef YANGLAO_SERVER_HTTP_SERVER_H_
#define YANGLAO_SERVER_HTTP_SERVER_H_

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "core/status.h"
#include "core/thread_priority.h"
#include "server/app.h"

namespace yanglao::server {

struct HttpOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port (see HttpServer::port)
  int threads = 2;
  int blocking_threads = 2;
  int db_threads = 0;  // > 0: database routes run on this many threads (see above)
  // Uploads (RouteSpec::upload) are parsed and imported on a pool of their
  // own, so that however slow a file is to parse, sign-ins and reads (on the
  // network, database and blocking threads) are not held behind it. At most
  // max_uploads are in flight (reading, queued or running); more are refused
  // at once (429 auth.throttled) before their body is read, and so is one
  // without a session cookie (401). A client that
  // goes away is noticed (Call::ClientGone) and its upload is not imported.
  int upload_threads = 1;
  int max_uploads = 4;
  // The upload threads run at this nice value (Linux: per thread, 0..19;
  // 0 leaves them as the others), so that when the cores are busy a parse
  // yields to sign-ins and reads instead of sharing the core equally with
  // them (bench/server/upload_login.sh measures it).
  int upload_nice = kBackgroundNice;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{60'000};
  std::chrono::milliseconds write_timeout{60'000};
  std::chrono::milliseconds shutdown_grace{10'000};
  size_t header_limit = 16 * 1024;
  size_t max_connections = 4096;
  std::FILE* access_log = stdout;  // nullptr: no access log
  bool handle_signals = true;      // stop on SIGINT / SIGTERM
};

class HttpServer {
 public:
  HttpServer(App& app, HttpOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the threads. Fails with server.listen.
  Status Start();
  // The port listened on (after Start).
  uint16_t port() const;
  // Begins a graceful stop; thread-safe, returns at once.
  void Stop();
  // Blocks until the server has stopped.
  void Wait();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace yanglao::server

#endif  // YANGLAO_SERVER_HTTP_SERVER_H_
