// The route table: {method, "/api/v1/persons/{ref}"} -> handler, with what
// the route needs (permission, login, body limit, whether it blocks).
// Adding an endpoint is one Add() call (see api.cc).
#ifndef YANGLAO_SERVER_ROUTER_H_
#define YANGLAO_SERVER_ROUTER_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "server/call.h"

namespace yanglao::server {

using Handler = std::function<Result<Reply>(Call&)>;

struct RouteSpec {
  std::string permission;         // required permission; "" = any signed-in user
  bool open = false;              // no sign-in needed (health, login)
  bool blocking = false;          // slow (imports, exports, compliance, password hashing): runs
                                  // on the blocking pool, not on a network thread
  size_t body_limit = 64 * 1024;  // bytes
  bool upload = false;  // parses an uploaded file: runs on the upload pool (a few threads, a
                        // bounded number in flight), never where logins and reads run
};

struct Route {
  http::verb method;
  std::string pattern;                // as registered, for logs
  std::vector<std::string> segments;  // "{name}" segments match any one segment
  RouteSpec spec;
  Handler handler;
};

class Router {
 public:
  void Add(http::verb method, std::string_view pattern, RouteSpec spec, Handler handler);

  struct Match {
    const Route* route = nullptr;  // null: no route
    bool path_known = false;       // the path matches a route of another method (405)
    Params params;
  };
  // The route for `method` and the decoded path `segments`.
  Match Find(http::verb method, const std::vector<std::string>& segments) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// Splits a path "/a/b" into {"a", "b"} (no decoding).
std::vector<std::string> SplitPath(std::string_view path);

}  // namespace yanglao::server

#endif  // YANGLAO_SERVER_ROUTER_H_
