// Test support: an in-process client of App (no sockets) for route tests —
// the source folder, a signed-in session, one request through
// App::HandleAndAudit, a response body as a JSON object.
#ifndef YANGLAO_SERVER_TEST_ROUTE_CLIENT_H_
#define YANGLAO_SERVER_TEST_ROUTE_CLIENT_H_

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "server/app.h"

namespace yanglao::server::testing {

// The repository (YANGLAO_SOURCE_DIR, set by CTest), for policies/ and test data.
inline std::filesystem::path SourceDir() {
  const char* src = std::getenv("YANGLAO_SOURCE_DIR");
  return std::filesystem::path(src ? src : ".");
}

struct Session {
  std::string cookie, csrf;
};

// One request, handled and audited as the server would, from 192.0.2.7.
inline HttpResponse Request(App& app, http::verb method, const std::string& target,
                            const Session* s, const std::string& body = "",
                            const char* type = "application/json") {
  HttpRequest req{method, target, 11};
  req.set(http::field::host, "localhost");
  if (s != nullptr) {
    req.set(http::field::cookie, s->cookie);
    req.set("X-CSRF-Token", s->csrf);
  }
  if (!body.empty()) {
    req.set(http::field::content_type, type);
    req.body() = body;
  }
  req.prepare_payload();
  return app.HandleAndAudit(req, "192.0.2.7");
}

// Signs in; expects 200 and returns the session cookie and CSRF token.
inline Session SignIn(App& app, const std::string& user, const std::string& password) {
  namespace json = boost::json;
  HttpResponse r =
      Request(app, http::verb::post, "/api/v1/auth/login", nullptr,
              json::serialize(json::object{{"username", user}, {"password", password}}));
  EXPECT_EQ(r.result_int(), 200u) << r.body();
  Session s;
  for (const auto& h : r) {
    std::string v(h.value());
    if (h.name() == http::field::set_cookie && v.starts_with("yl_session=")) {
      s.cookie = v.substr(0, v.find(';'));
    }
  }
  boost::system::error_code ec;
  json::value v = json::parse(r.body(), ec);
  if (v.is_object() && v.as_object().contains("csrf_token")) {
    s.csrf = std::string(v.at("csrf_token").as_string());
  }
  return s;
}

// The body as a JSON object ({} when it is not one).
inline boost::json::object ObjectOf(const HttpResponse& r) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(r.body(), ec);
  return v.is_object() ? v.as_object() : boost::json::object{};
}

}  // namespace yanglao::server::testing

#endif  // YANGLAO_SERVER_TEST_ROUTE_CLIENT_H_
