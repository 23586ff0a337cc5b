// What a route handler gets (Call) and gives back (Reply). Handlers are
// plain functions: they read the call, use the leased registry connection,
// add audit records, and return a Reply or a Status whose code the server
// maps to an HTTP status in one place (HttpStatusFor).
#ifndef YANGLAO_SERVER_CALL_H_
#define YANGLAO_SERVER_CALL_H_

#include <atomic>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "registry/registry.h"
#include "server/access.h"
#include "server/audit.h"

namespace yanglao::server {

namespace http = boost::beast::http;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;
using Params = std::vector<std::pair<std::string, std::string>>;

class App;

struct Reply {
  unsigned status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  Params headers;  // extra headers (Set-Cookie, Content-Disposition ...)

  static Reply Json(const boost::json::value& v, unsigned status = 200);
  // A file download: `name` is the file name offered to the browser.
  static Reply File(std::string bytes, std::string content_type, std::string_view name);
};

struct Call {
  const HttpRequest& request;
  App& app;
  std::string remote;                              // client IP address
  std::string request_id;                          // echoed in X-Request-Id and in error bodies
  Params path;                                     // path parameters ({ref} ...), decoded
  Params query;                                    // query parameters, decoded, in order
  const Principal* user = nullptr;                 // null on public routes
  registry::Registry* registry = nullptr;          // a leased connection
  std::vector<AuditRecord> audit;                  // committed before the reply is sent
  std::string log_user;                            // the signed-in user, for the access log
  const std::atomic<bool>* client_gone = nullptr;  // see App::Handle

  // Has the client closed the connection (so the answer will not be read)?
  bool ClientGone() const { return client_gone != nullptr && client_gone->load(); }

  // A path parameter (always present: the route named it).
  const std::string& Path(std::string_view name) const;
  // The first query parameter `name`, or nullopt.
  std::optional<std::string> Query(std::string_view name) const;
  // The query parameter as an integer in [min, max]; `fallback` when absent.
  // Fails with request.param naming the parameter.
  Result<int64_t> QueryInt(std::string_view name, int64_t fallback, int64_t min, int64_t max) const;
  // The body as a JSON object. Fails with request.media_type (not JSON) or
  // request.json (with line and column).
  Result<boost::json::object> JsonBody() const;
  // Adds an audit record stamped with this call's user, address and time.
  void Audit(std::string action, std::string target, std::string outcome,
             boost::json::object detail = {});
};

// `text` with every byte that is not part of valid UTF-8 replaced by U+FFFD
// (responses and audit records stay valid UTF-8 whatever a client sent).
std::string ToValidUtf8(std::string_view text);

// Parses JSON text; fails with request.json and the line:column where it
// stops (1-based). Nesting deeper than 32 is refused.
Result<boost::json::value> ParseJson(std::string_view text);

// A string member of a JSON object, or nullopt; fails with request.field
// when present but not a string, or when it holds a NUL byte.
Result<std::optional<std::string>> StringField(const boost::json::object& o, std::string_view key);

}  // namespace yanglao::server

#endif  // YANGLAO_SERVER_CALL_H_
