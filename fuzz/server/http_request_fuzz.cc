// Fuzz target: one HTTP request as bytes on the wire, parsed as the server
// parses it (Beast's parser with the server's header limit) and routed and
// handled by the real application (route table, sign-in, CSRF, permissions,
// handlers, error envelope) over a SQLite registry in a temporary file.
// The first byte picks who is asking: nobody, an administrator or a street
// worker (their session cookie and CSRF token are added to the request).
//
// Invariants: every request gets a response; every error is the JSON
// envelope with a stable code whose HTTP status is HttpStatusFor(code).
#include <unistd.h>

#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "server/app.h"

namespace {

using namespace yanglao;
using namespace yanglao::server;

struct Fixture {
  std::unique_ptr<App> app;
  std::string cookie[3], csrf[3];

  Fixture() {
    std::string path = (std::filesystem::temp_directory_path() /
                        ("yanglao_http_fuzz_" + std::to_string(getpid()) + ".db"))
                           .string();
    std::filesystem::remove(path);
    static std::string remove_at_exit = path;
    std::atexit([] {
      for (const char* suffix : {"", "-wal", "-shm"})
        std::remove((remove_at_exit + suffix).c_str());
    });
    AppOptions o;
    o.db_url = "sqlite:" + path;
    o.policies_dir = "";  // no service lists: keeps each run fast
    o.connections = 1;
    o.password_cost = PasswordCost::Minimal();
    o.today = *CivilDate::FromYmd(2026, 11, 22);
    o.trusted_proxies = {"127.0.0.1"};  // X-Forwarded-For is parsed (App::ClientAddress)
    auto opened = App::Open(o);
    if (!opened.ok()) __builtin_trap();
    app = std::move(*opened);
    const char* users[][3] = {{"admin", "admin", "421300"},
                              {"street", "street_worker", "421303001"}};
    for (int i = 0; i < 2; ++i) {
      {
        App::Lease reg = app->Acquire();
        if (!CreateUser(reg->db(),
                        {users[i][0], "", "fuzz-pass-2026", users[i][2], "民政", users[i][1]},
                        PasswordCost::Minimal())
                 .ok())
          __builtin_trap();
      }
      HttpRequest login{http::verb::post, "/api/v1/auth/login", 11};
      login.set(http::field::content_type, "application/json");
      login.body() =
          std::string("{\"username\":\"") + users[i][0] + "\",\"password\":\"fuzz-pass-2026\"}";
      login.prepare_payload();
      HttpResponse r = app->HandleAndAudit(login, "127.0.0.1");
      if (r.result_int() != 200) __builtin_trap();
      for (const auto& h : r) {
        if (h.name() == http::field::set_cookie && h.value().starts_with("yl_session=")) {
          std::string v(h.value());
          cookie[i + 1] = v.substr(0, v.find(';'));
        }
      }
      csrf[i + 1] = std::string(boost::json::parse(r.body()).at("csrf_token").as_string());
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* f = new Fixture();
  if (size == 0) return 0;
  const int who = data[0] % 3;
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(1 << 20);
  parser.eager(true);
  boost::system::error_code ec;
  const auto* p = data + 1;
  size_t left = size - 1;
  while (left > 0 && !parser.is_done()) {
    size_t used = parser.put(boost::asio::const_buffer(p, left), ec);
    if (ec == http::error::need_more) {
      ec = {};
      if (used == 0) break;
    }
    if (ec) return 0;
    p += used;
    left -= used;
  }
  if (!parser.is_done() && parser.got_some()) parser.put_eof(ec);
  if (ec || !parser.is_done()) return 0;
  HttpRequest req = parser.release();
  if (who > 0) {
    req.set(http::field::cookie, f->cookie[who]);
    req.set("X-CSRF-Token", f->csrf[who]);
  }
  (void)f->app->Lookup(req.method(), req.target());
  HttpResponse res = f->app->HandleAndAudit(req, "127.0.0.1");
  const unsigned status = res.result_int();
  if (status < 200 || status > 599) __builtin_trap();
  if (status >= 400 && req.method() != http::verb::head) {
    boost::json::value body = boost::json::parse(res.body(), ec);
    if (ec || !body.is_object()) __builtin_trap();
    const boost::json::value* err = body.as_object().if_contains("error");
    if (err == nullptr || !err->is_object()) __builtin_trap();
    const boost::json::value* code = err->as_object().if_contains("code");
    if (code == nullptr || !code->is_string() || code->as_string().empty()) __builtin_trap();
    if (HttpStatusFor(code->as_string()) != status) __builtin_trap();
  }
  return 0;
}
