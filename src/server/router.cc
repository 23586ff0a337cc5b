#include "server/router.h"

namespace yanglao::server {

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

void Router::Add(http::verb method, std::string_view pattern, RouteSpec spec, Handler handler) {
  routes_.push_back(
      Route{method, std::string(pattern), SplitPath(pattern), std::move(spec), std::move(handler)});
}

Router::Match Router::Find(http::verb method, const std::vector<std::string>& segments) const {
  Match m;
  for (const Route& r : routes_) {
    if (r.segments.size() != segments.size()) continue;
    Params params;
    bool ok = true;
    for (size_t i = 0; ok && i < segments.size(); ++i) {
      const std::string& p = r.segments[i];
      if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
        if (segments[i].empty()) ok = false;
        params.emplace_back(p.substr(1, p.size() - 2), segments[i]);
      } else {
        ok = p == segments[i];
      }
    }
    if (!ok) continue;
    if (r.method != method) {
      m.path_known = true;
      continue;
    }
    m.route = &r;
    m.params = std::move(params);
    return m;
  }
  return m;
}

}  // namespace yanglao::server
