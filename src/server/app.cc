#include "server/app.h"

#include <fmt/format.h>
#include <sodium.h>

#include <atomic>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>
#include <fstream>

#include "core/file_io.h"
#include "core/id_number.h"
#include "core/utf8.h"
#include "core/version.h"
#include "server/modules.h"
#include "server/schema.h"
#include "server/web_routes.h"

namespace yanglao::server {

namespace json = boost::json;

// --- Replies, calls, JSON -----------------------------------------------------

std::string ToValidUtf8(std::string_view text) {
  if (IsValidUtf8(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + 8);
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    if (len > 0 && i + len <= text.size() && IsValidUtf8(text.substr(i, len))) {
      out.append(text.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

Reply Reply::Json(const json::value& v, unsigned status) {
  Reply r;
  r.status = status;
  r.body = ToValidUtf8(json::serialize(v));
  return r;
}

Reply Reply::File(std::string bytes, std::string content_type, std::string_view name) {
  Reply r;
  r.body = std::move(bytes);
  r.content_type = std::move(content_type);
  // RFC 6266 / 5987: an ASCII fallback and the UTF-8 name, percent-encoded.
  std::string encoded;
  for (char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '.' || c == '-' || c == '_') {
      encoded += static_cast<char>(c);
    } else {
      encoded += fmt::format("%{:02X}", c);
    }
  }
  r.headers.emplace_back(
      "Content-Disposition",
      fmt::format("attachment; filename=\"download\"; filename*=UTF-8''{}", encoded));
  return r;
}

const std::string& Call::Path(std::string_view name) const {
  for (const auto& [k, v] : path) {
    if (k == name) return v;
  }
  static const std::string kEmpty;
  return kEmpty;
}

std::optional<std::string> Call::Query(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return v;
  }
  return std::nullopt;
}

Result<int64_t> Call::QueryInt(std::string_view name, int64_t fallback, int64_t min,
                               int64_t max) const {
  std::optional<std::string> text = Query(name);
  if (!text) return fallback;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || end != text->data() + text->size() || v < min || v > max) {
    return Status("request.param", fmt::format("参数 {} 应为 {} 到 {} 之间的整数", name, min, max),
                  Location{.field = std::string(name), .value = text->substr(0, 64)});
  }
  return v;
}

Result<json::value> ParseJson(std::string_view text) {
  json::parse_options opts;
  opts.max_depth = 32;
  json::stream_parser p(json::storage_ptr(), opts);
  boost::system::error_code ec;
  size_t used = p.write_some(text.data(), text.size(), ec);
  if (!ec && used < text.size()) ec = json::error::extra_data;
  if (!ec) p.finish(ec);
  if (ec) {
    int line = 1, col = 1;
    for (size_t i = 0; i < used && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
        ++col;
      }
    }
    return Status("request.json", fmt::format("请求内容不是有效的 JSON：{}", ec.message()),
                  Location{.file = "请求内容", .line = line, .column = col});
  }
  return p.release();
}

Result<json::object> Call::JsonBody() const {
  auto type = request[http::field::content_type];
  if (!type.starts_with("application/json")) {
    return Status("request.media_type", "请求内容类型应为 application/json",
                  Location{.field = "Content-Type", .value = std::string(type.substr(0, 64))});
  }
  Result<json::value> v = ParseJson(request.body());
  if (!v.ok()) return v.status();
  if (!v->is_object()) {
    return Status("request.json", "请求内容应为 JSON 对象", Location{.file = "请求内容"});
  }
  return std::move(v->as_object());
}

Result<std::optional<std::string>> StringField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) {
    return Status("request.field", fmt::format("字段 {} 应为字符串", key),
                  Location{.field = std::string(key)});
  }
  if (v->as_string().find('\0') != std::string_view::npos) {
    return Status("request.field", fmt::format("字段 {} 不能含空字符（\\u0000）", key),
                  Location{.field = std::string(key)});
  }
  return std::optional<std::string>(std::string(v->as_string()));
}

namespace {
// Every string in `v` with its ID numbers masked (audit details: the target
// column keeps the number, so that an auditor can search by it; nothing
// else in the record does, issue #12).
void MaskStrings(json::value& v) {
  if (v.is_string()) {
    std::string masked = MaskIdNumbersIn(v.as_string());
    if (masked != v.as_string()) v = json::string(masked);
  } else if (v.is_array()) {
    for (json::value& e : v.as_array()) MaskStrings(e);
  } else if (v.is_object()) {
    for (auto& kv : v.as_object()) MaskStrings(kv.value());
  }
}
}  // namespace

void Call::Audit(std::string action, std::string target, std::string outcome, json::object detail) {
  AuditRecord r;
  r.at = UtcNow();
  if (user != nullptr) {
    r.user_id = user->user_id;
    r.username = user->username;
    r.unit_code = user->unit_code;
  }
  r.ip = remote;
  r.action = std::move(action);
  r.target = ToValidUtf8(target);
  r.outcome = std::move(outcome);
  json::value masked(std::move(detail));
  MaskStrings(masked);
  r.detail = ToValidUtf8(json::serialize(masked));
  r.request_id = request_id;
  audit.push_back(std::move(r));
}

// --- Errors -------------------------------------------------------------------

unsigned HttpStatusFor(std::string_view code) { return HttpStatusOf(CategoryOfCode(code)); }

namespace {

json::object LocationJson(const Location& w) {
  json::object d;
  if (!w.file.empty()) d["file"] = w.file;
  if (w.line) d["line"] = w.line;
  if (w.column) d["column"] = w.column;
  if (!w.field.empty()) d["field"] = w.field;
  if (!w.value.empty()) d["value"] = w.value;
  return d;
}

std::string NewRequestId() {
  static const std::string prefix = [] {
    unsigned char b[4];
    if (sodium_init() < 0) return std::string("0000");
    randombytes_buf(b, sizeof b);
    return fmt::format("{:02x}{:02x}{:02x}{:02x}", b[0], b[1], b[2], b[3]);
  }();
  static std::atomic<uint64_t> counter{0};
  return fmt::format("{}-{:x}", prefix, ++counter);
}

std::string CookieValue(std::string_view header, std::string_view name) {
  size_t i = 0;
  while (i < header.size()) {
    while (i < header.size() && (header[i] == ' ' || header[i] == ';')) ++i;
    size_t end = header.find(';', i);
    if (end == std::string_view::npos) end = header.size();
    std::string_view pair = header.substr(i, end - i);
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name)
      return std::string(pair.substr(eq + 1));
    i = end;
  }
  return "";
}

bool IsMutating(http::verb v) {
  return v == http::verb::post || v == http::verb::put || v == http::verb::patch ||
         v == http::verb::delete_;
}

struct ParsedTarget {
  std::vector<std::string> segments;
  Params query;
};

Result<ParsedTarget> ParseTarget(std::string_view target) {
  if (target.size() > 4096) {
    return Status("request.target", "请求地址过长（超过 4096 字节）");
  }
  auto u = boost::urls::parse_origin_form(target);
  if (!u) {
    return Status("request.target", "请求地址格式错误",
                  Location{.value = std::string(target.substr(0, 200))});
  }
  ParsedTarget out;
  for (auto seg : u->segments()) out.segments.push_back(std::string(seg));
  for (auto p : u->params()) out.query.emplace_back(std::string(p.key), std::string(p.value));
  // A NUL byte (%00) is no text anyone means, and PostgreSQL refuses it:
  // refused here rather than failing a query later.
  auto has_nul = [](const std::string& t) { return t.find('\0') != std::string::npos; };
  bool nul = std::any_of(out.segments.begin(), out.segments.end(), has_nul);
  for (const auto& [k, v] : out.query) nul = nul || has_nul(k) || has_nul(v);
  if (nul) return Status("request.target", "请求地址中不能含空字符（%00）");
  return out;
}

std::string_view ContentTypeOf(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  return "application/octet-stream";
}

}  // namespace

HttpResponse App::ErrorResponse(const Status& s, std::string_view request_id, unsigned version) {
  json::object err;
  err["code"] = s.code();
  err["message"] = s.message();
  err["details"] = LocationJson(s.where());
  json::object body;
  body["error"] = std::move(err);
  body["request_id"] = request_id;
  // The status from the failure's category (which a code may set
  // explicitly, Status(ErrorCategory, ...)), not re-derived from its code.
  HttpResponse res{static_cast<http::status>(HttpStatusOf(s.category())), version};
  res.set(http::field::content_type, "application/json; charset=utf-8");
  res.set(http::field::cache_control, "no-store");
  res.set("X-Content-Type-Options", "nosniff");
  if (!request_id.empty()) res.set("X-Request-Id", request_id);
  res.body() = ToValidUtf8(json::serialize(body));
  res.prepare_payload();
  return res;
}

void App::FailOnAudit(const Status& s, HttpResponse& response) {
  if (s.ok()) return;
  std::string rid(response["X-Request-Id"]);
  bool keep = response.keep_alive();
  response = ErrorResponse(
      Status("audit.write", "操作日志写入失败，为保护个人信息，本次请求的结果不予返回"), rid,
      response.version());
  response.keep_alive(keep);
}

// --- App ----------------------------------------------------------------------

App::App(AppOptions options)
    : options_(std::move(options)),
      sessions_(options_.session_seconds, options_.session_recheck),
      throttle_(options_.login_max_failures, options_.login_window),
      address_throttle_(options_.login_max_failures * 4, options_.login_window),
      id_search_throttle_(std::max(1, options_.id_searches_per_minute), std::chrono::seconds(60)) {}

App::~App() {
  if (audit_) audit_->Stop();
}

LoginThrottle& AddressThrottle(App& app) { return app.address_throttle_; }

Result<std::unique_ptr<App>> App::Open(AppOptions options) {
  if (sodium_init() < 0) return Status("server.crypto", "libsodium 初始化失败");
  std::unique_ptr<App> app(new App(std::move(options)));
  const size_t n = std::max<size_t>(1, app->options_.connections);
  for (size_t i = 0; i < n; ++i) {
    Result<std::unique_ptr<registry::Registry>> reg =
        registry::Registry::Open(app->options_.db_url);
    if (!reg.ok()) return reg.status();
    if (i == 0) {
      // Every module's tables, once, and the built-in roles (the module
      // table, server/modules.h).
      if (Status s = PrepareDatabase((*reg)->db()); !s.ok()) return s;
    }
    app->free_.push_back(reg->get());
    app->pool_.push_back(std::move(*reg));
  }
  // The key of person refs: made once, kept in the database.
  db::Database& db = app->pool_[0]->db();
  for (int attempt = 0; attempt < 2 && app->ref_key_.empty(); ++attempt) {
    Result<std::vector<db::Row>> key =
        db.QueryAll("SELECT value FROM server_secret WHERE name = 'person_ref_key'");
    if (!key.ok()) return key.status();
    if (!key->empty()) {
      std::string b64 = (*key)[0].AsText(0);
      std::string raw(crypto_aead_xchacha20poly1305_ietf_KEYBYTES, '\0');
      size_t len = 0;
      if (sodium_base642bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), b64.data(),
                            b64.size(), nullptr, &len, nullptr,
                            sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
          len != raw.size()) {
        return Status("server.secret", "数据库中的人员编号密钥已损坏");
      }
      app->ref_key_ = raw;
    } else {
      (void)db.Execute("INSERT INTO server_secret (name, value) VALUES ('person_ref_key', ?)",
                       {RandomToken(crypto_aead_xchacha20poly1305_ietf_KEYBYTES)});
    }
  }
  if (app->ref_key_.empty()) return Status("server.secret", "无法建立人员编号密钥");
  // Every read is audited first: on a database that takes no writes the
  // server could answer nothing, so it says so and does not start.
  if (Status s = CheckWritable(db); !s.ok()) return s;

  Result<std::unique_ptr<AuditLog>> audit = AuditLog::Open(app->options_.db_url);
  if (!audit.ok()) return audit.status();
  app->audit_ = std::move(*audit);

  std::error_code ec;
  if (std::filesystem::is_directory(app->options_.policies_dir, ec)) {
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(app->options_.policies_dir, ec)) {
      if (e.path().extension() == ".yaml") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::string name = f.stem().string();
      auto demo = app->options_.policies_dir / "demo" / (name + ".demo.yaml");
      ServedList l = LoadServedList(
          name, f, std::filesystem::exists(demo, ec) ? demo : std::filesystem::path());
      app->lists_.emplace(l.name, std::move(l));
    }
  }
  app->entitle_ =
      std::make_unique<EntitleService>(app->options_.db_url, app->lists_, app->options_.batch_nice);
  for (const ServerModule& m : ServerModules()) {
    if (m.routes != nullptr) m.routes(*app, app->router_);
  }
  return app;
}

CivilDate App::Today() const { return options_.today.value_or(CivilDate::Today()); }

App::Lease::~Lease() {
  if (reg_ == nullptr) return;
  std::lock_guard lock(app_->pool_mu_);
  app_->free_.push_back(reg_);
  app_->pool_cv_.notify_one();
}

App::Lease App::Acquire() {
  std::unique_lock lock(pool_mu_);
  pool_cv_.wait(lock, [&] { return !free_.empty(); });
  registry::Registry* r = free_.back();
  free_.pop_back();
  return Lease(*this, r);
}

std::string App::PersonRef(std::string_view id_number) const {
  std::string buf(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + id_number.size() +
                      crypto_aead_xchacha20poly1305_ietf_ABYTES,
                  '\0');
  auto* out = reinterpret_cast<unsigned char*>(buf.data());
  randombytes_buf(out, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      out + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &len,
      reinterpret_cast<const unsigned char*>(id_number.data()), id_number.size(), nullptr, 0,
      nullptr, out, reinterpret_cast<const unsigned char*>(ref_key_.data()));
  std::string b64(sodium_base64_ENCODED_LEN(buf.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(b64.data(), b64.size(), out, buf.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  b64.resize(std::char_traits<char>::length(b64.c_str()));
  return b64;
}

Result<std::string> App::DecodePersonRef(std::string_view ref) const {
  Status bad("person.ref", "人员编号无效（应为名单中给出的编号，或 18 位公民身份号码）",
             Location{.field = "ref", .value = std::string(ref.substr(0, 100))});
  if (ref.size() > 200) return bad;
  std::string raw(ref.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), ref.data(),
                        ref.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      len < crypto_aead_xchacha20poly1305_ietf_NPUBBYTES +
                crypto_aead_xchacha20poly1305_ietf_ABYTES + 1) {
    return bad;
  }
  const auto* in = reinterpret_cast<const unsigned char*>(raw.data());
  std::string id(len, '\0');
  unsigned long long id_len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(id.data()), &id_len, nullptr,
          in + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
          len - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, nullptr, 0, in,
          reinterpret_cast<const unsigned char*>(ref_key_.data())) != 0) {
    return bad;
  }
  id.resize(static_cast<size_t>(id_len));
  return id;
}

App::RouteInfo App::Lookup(http::verb method, std::string_view target) const {
  RouteInfo info;
  Result<ParsedTarget> t = ParseTarget(target);
  if (!t.ok()) return info;
  Router::Match m = router_.Find(method, t->segments);
  if (m.route != nullptr) {
    info.body_limit = m.route->spec.body_limit;
    info.blocking = m.route->spec.blocking;
    info.upload = m.route->spec.upload;
    info.uses_db = true;  // Dispatch leases a connection
    info.pattern = m.route->pattern;
  }
  return info;
}

Result<Reply> App::Dispatch(Call& call, const Route& route) {
  const RouteSpec& spec = route.spec;
  Lease lease = Acquire();
  call.registry = lease.get();
  std::optional<Principal> principal;
  if (!spec.open) {
    std::string token = CookieValue(call.request[http::field::cookie], "yl_session");
    Result<std::optional<Principal>> p = sessions_.Find(lease->db(), token);
    if (!p.ok()) return p.status();
    if (!p->has_value()) {
      return Status("auth.unauthenticated", "请先登录（会话不存在或已过期）");
    }
    principal = std::move(**p);
    call.user = &*principal;
    call.log_user = principal->username;
    if (IsMutating(call.request.method())) {
      std::string_view sent = call.request["X-CSRF-Token"];
      if (sent.size() != principal->csrf.size() ||
          sodium_memcmp(sent.data(), principal->csrf.data(), sent.size()) != 0) {
        call.Audit("request.csrf", route.pattern, "denied");
        return Status("auth.csrf", "请求缺少有效的 X-CSRF-Token 头（防跨站请求伪造）");
      }
    }
    if (!spec.permission.empty() && !principal->Can(spec.permission)) {
      json::object d;
      d["permission"] = spec.permission;
      d["route"] = route.pattern;
      call.Audit("access.denied", route.pattern, "denied", std::move(d));
      return Status("auth.forbidden", fmt::format("没有权限（需要 {}）", spec.permission),
                    Location{.field = "permission", .value = spec.permission});
    }
  }
  Result<Reply> r = route.handler(call);
  call.user = nullptr;  // `principal` ends here
  return r;
}

Result<Reply> App::ServeStatic(std::string_view path) const {
  if (options_.web_dir.empty()) {
    json::object o;
    o["service"] = "yanglao";
    o["api"] = "/api/v1";
    o["health"] = "/api/v1/health";
    return Reply::Json(o);
  }
  std::filesystem::path rel;
  for (const std::string& seg : SplitPath(path)) {
    if (seg == ".." || seg == "." || seg.find('\\') != std::string::npos ||
        seg.find('\0') != std::string::npos)
      return Status("request.not_found", "没有这个页面");
    rel /= seg;
  }
  std::error_code ec;
  std::filesystem::path file = options_.web_dir / rel;
  if (rel.empty() || !std::filesystem::is_regular_file(file, ec)) {
    file = options_.web_dir / "index.html";  // the console routes in the browser
  }
  Result<std::string> bytes = ReadFileBytes(file);
  if (!bytes.ok()) return Status("request.not_found", "没有这个页面");
  Reply r;
  r.content_type = std::string(ContentTypeOf(file));
  r.body = std::move(*bytes);
  return r;
}

HttpResponse App::Finish(const HttpRequest& request, Reply reply,
                         std::string_view request_id) const {
  HttpResponse res{static_cast<http::status>(reply.status), request.version()};
  res.set(http::field::content_type, reply.content_type);
  res.set(http::field::cache_control, "no-store");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
  res.set("X-Request-Id", request_id);
  for (auto& [k, v] : reply.headers) res.insert(k, v);
  res.body() = std::move(reply.body);
  res.keep_alive(request.keep_alive());
  res.prepare_payload();
  if (request.method() == http::verb::head) res.body().clear();
  return res;
}

std::string App::ClientAddress(const HttpRequest& request, std::string_view remote) const {
  const std::vector<std::string>& trusted = options_.trusted_proxies;
  auto is_trusted = [&](std::string_view a) {
    return std::find(trusted.begin(), trusted.end(), a) != trusted.end();
  };
  if (trusted.empty() || !is_trusted(remote)) return std::string(remote);
  std::string address(remote);
  // Right to left: each hop appends the address it received from.
  std::string all;
  auto [first, last] = request.equal_range("X-Forwarded-For");
  for (auto it = first; it != last; ++it) {
    if (!all.empty()) all += ',';
    all += std::string(it->value());
  }
  size_t end = all.size();
  while (end > 0) {
    size_t comma = all.rfind(',', end - 1);
    size_t begin = comma == std::string::npos ? 0 : comma + 1;
    std::string hop = all.substr(begin, end - begin);
    hop.erase(0, hop.find_first_not_of(" \t"));
    hop.erase(hop.find_last_not_of(" \t") + 1);
    bool plausible =
        !hop.empty() && hop.size() <= 45 && std::all_of(hop.begin(), hop.end(), [](char c) {
          return std::isxdigit(static_cast<unsigned char>(c)) || c == '.' || c == ':';
        });
    if (!plausible) break;  // a forged or garbled entry: stop at the last good hop
    address = hop;
    if (!is_trusted(hop)) break;
    if (comma == std::string::npos) break;
    end = comma;
  }
  return address;
}

App::Outcome App::Handle(const HttpRequest& request, std::string_view socket_remote,
                         const std::atomic<bool>* client_gone) {
  Outcome out;
  std::string rid = NewRequestId();
  const std::string remote = ClientAddress(request, socket_remote);
  Call call{request, *this, remote, rid, {}, {}, nullptr, nullptr, {}, {}, client_gone};
  Result<Reply> reply = Status("server.internal", "服务器内部错误");
  try {
    Result<ParsedTarget> t = ParseTarget(request.target());
    if (!t.ok()) {
      reply = t.status();
    } else {
      call.query = std::move(t->query);
      if (t->segments.empty() || t->segments[0] != "api") {
        if (request.method() == http::verb::get || request.method() == http::verb::head) {
          out.route = "static";
          reply = ServeStatic(request.target().substr(0, request.target().find('?')));
        } else {
          reply = Status("request.method", "不支持此请求方法");
        }
      } else {
        Router::Match m = router_.Find(request.method(), t->segments);
        if (m.route == nullptr) {
          reply = m.path_known ? Status("request.method", "此地址不支持该请求方法")
                               : Status("request.not_found", "没有这个接口");
        } else {
          out.route = m.route->pattern;
          call.path = std::move(m.params);
          reply = Dispatch(call, *m.route);
        }
      }
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "yanglao serve: request {} failed: {}\n", rid, e.what());
    reply = Status("server.internal", "服务器内部错误");
  }
  out.username = call.log_user;
  out.audit = std::move(call.audit);
  if (reply.ok()) {
    out.response = Finish(request, std::move(*reply), rid);
  } else {
    Status s = reply.status();
    if (s.code().starts_with("db.")) {
      fmt::print(stderr, "yanglao serve: request {}: {}\n", rid, s.ToString());
      s = Status(s.code(), "数据库错误，请稍后重试或联系管理员");
    }
    out.response = ErrorResponse(s, rid, request.version());
    out.response.keep_alive(request.keep_alive());
  }
  return out;
}

HttpResponse App::HandleAndAudit(const HttpRequest& request, std::string_view remote) {
  Outcome o = Handle(request, remote);
  if (!o.audit.empty()) FailOnAudit(audit_->Write(std::move(o.audit)), o.response);
  return std::move(o.response);
}

}  // namespace yanglao::server
