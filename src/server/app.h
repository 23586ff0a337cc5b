// The platform server's application: the route table over the module
// libraries, with sign-in, CSRF, permissions, data scope, audit and one
// error envelope. It knows nothing of sockets: HttpServer (http_server.h)
// feeds it requests, and tests and the fuzz target can call it directly.
//
// Errors are one JSON envelope:
//   {"error": {"code": "person.scope", "message": "...", "details": {...}},
//    "request_id": "..."}
// with the HTTP status of the Status's category (HttpStatusOf).
#ifndef YANGLAO_SERVER_APP_H_
#define YANGLAO_SERVER_APP_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/civil_date.h"
#include "core/status.h"
#include "core/thread_priority.h"
#include "policy/service_list.h"
#include "registry/registry.h"
#include "server/audit.h"
#include "server/auth.h"
#include "server/call.h"
#include "server/entitle_service.h"
#include "server/router.h"

namespace yanglao::server {

struct AppOptions {
  std::string db_url = "sqlite:yanglao.db";
  std::filesystem::path policies_dir = "policies";  // service lists (*.yaml, demo/ values)
  std::filesystem::path web_dir;                    // built web console; empty = none
  size_t connections = 4;                           // registry connections in the pool
  PasswordCost password_cost = PasswordCost::Interactive();
  int64_t session_seconds = 8 * 3600;
  // How long a session found in the database is trusted from memory before
  // it is read again (so that ending it in another process, such as
  // `yanglao admin set-password`, takes effect within this time; in this
  // process it takes effect at once). Zero: read it on every request.
  std::chrono::milliseconds session_recheck{1000};
  // Failed sign-ins: `login_max_failures` for one user name from one address
  // within the window lock that name for that address only (nobody can lock
  // an account out for everyone); 4x that from one address lock the address.
  // Failed password changes: the same limit per user.
  int login_max_failures = 5;
  std::chrono::seconds login_window{15 * 60};
  // Addresses of reverse proxies whose X-Forwarded-For is believed: for a
  // request from one of them, the client is the nearest address in that
  // header that is not itself a trusted proxy. From anyone else the header is
  // ignored (it is the client's to forge).
  std::vector<std::string> trusted_proxies;
  // Person searches by ID number prefix (which could recover a number digit
  // by digit): at least `id_prefix_min` digits, and at most
  // `id_searches_per_minute` such searches per user per minute.
  size_t id_prefix_min = 6;
  int id_searches_per_minute = 30;
  std::optional<CivilDate> today;  // fixed "today" (tests, demos); default the clock
  bool secure_cookies = false;     // add Secure to cookies (behind HTTPS)
  // The CPU nice value of batch work: the entitlement run jobs' thread and
  // their evaluation (0..19; 0: as the requests), so that a request arriving
  // while a run goes on gets a core first. Uploads: HttpOptions::upload_nice.
  int batch_nice = kBackgroundNice;
};

// Maps an error code to its HTTP status through its category
// (core/status.h: CategoryOfCode, HttpStatusOf; docs/api.md lists them).
unsigned HttpStatusFor(std::string_view code);

class App {
 public:
  // Opens the registry at options.db_url, brings every module's tables up
  // to date and reconciles the built-in roles (PrepareDatabase, modules.h),
  // opens the pool, the audit writer, loads the service lists, and adds the
  // routes of every module of the table (ServerModules()).
  static Result<std::unique_ptr<App>> Open(AppOptions options);
  ~App();

  struct RouteInfo {
    size_t body_limit = 64 * 1024;
    bool blocking = false;
    bool uses_db = false;  // handling it leases a registry connection (every matched route)
    bool upload = false;   // RouteSpec::upload
    std::string pattern;   // the route's pattern, or "" when none matches
  };
  // What the transport needs to know from the request line alone.
  RouteInfo Lookup(http::verb method, std::string_view target) const;

  struct Outcome {
    HttpResponse response;
    std::vector<AuditRecord> audit;  // to commit before sending the response
    std::string route;               // matched pattern, for the access log
    std::string username;
  };
  // Handles one request. Never throws. `client_gone`, when given, turns true
  // once the client has closed its connection (long handlers stop early).
  Outcome Handle(const HttpRequest& request, std::string_view remote,
                 const std::atomic<bool>* client_gone = nullptr);
  // The client's address: `remote` (the peer of the socket), or, when that
  // is a trusted proxy (AppOptions::trusted_proxies), the nearest untrusted
  // address of X-Forwarded-For.
  std::string ClientAddress(const HttpRequest& request, std::string_view remote) const;
  // Handle, then commit the audit records and wait; a failed commit turns the
  // response into a 500. For tests and the fuzz target.
  HttpResponse HandleAndAudit(const HttpRequest& request, std::string_view remote);
  // Replaces `response` by the audit-failure error when `s` failed.
  static void FailOnAudit(const Status& s, HttpResponse& response);

  // The error envelope as a response; its HTTP status is
  // HttpStatusOf(s.category()).
  static HttpResponse ErrorResponse(const Status& s, std::string_view request_id,
                                    unsigned version = 11);

  AuditLog& audit() { return *audit_; }
  SessionStore& sessions() { return sessions_; }
  LoginThrottle& throttle() { return throttle_; }
  // Person searches by ID number prefix, per user (AppOptions::id_searches_per_minute).
  LoginThrottle& id_search_throttle() { return id_search_throttle_; }
  const AppOptions& options() const { return options_; }
  CivilDate Today() const;
  // Service lists by name (file stem: "suizhou").
  const std::map<std::string, ServedList>& lists() const { return lists_; }
  EntitleService& entitle() { return *entitle_; }

  // Opaque, authenticated handles for persons in lists (no ID number in
  // URLs of list links). Decode fails with person.ref.
  std::string PersonRef(std::string_view id_number) const;
  Result<std::string> DecodePersonRef(std::string_view ref) const;

  // A leased registry connection, returned to the pool on destruction.
  class Lease {
   public:
    Lease(App& app, registry::Registry* reg) : app_(&app), reg_(reg) {}
    Lease(Lease&& o) noexcept : app_(o.app_), reg_(o.reg_) { o.reg_ = nullptr; }
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    registry::Registry& operator*() const { return *reg_; }
    registry::Registry* operator->() const { return reg_; }
    registry::Registry* get() const { return reg_; }

   private:
    App* app_;
    registry::Registry* reg_;
  };
  Lease Acquire();

  const Router& router() const { return router_; }

 private:
  explicit App(AppOptions options);
  Result<Reply> Dispatch(Call& call, const Route& route);
  Result<Reply> ServeStatic(std::string_view path) const;
  HttpResponse Finish(const HttpRequest& request, Reply reply, std::string_view request_id) const;

  AppOptions options_;
  Router router_;
  std::vector<std::unique_ptr<registry::Registry>> pool_;
  std::vector<registry::Registry*> free_;
  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::unique_ptr<AuditLog> audit_;
  SessionStore sessions_;
  LoginThrottle throttle_;
  LoginThrottle address_throttle_;
  LoginThrottle id_search_throttle_;
  std::map<std::string, ServedList> lists_;
  std::unique_ptr<EntitleService> entitle_;  // after lists_: uses them
  std::string ref_key_;                      // XChaCha20-Poly1305 key for person refs

  friend void AddAuthRoutes(App& app, Router& router);
  friend LoginThrottle& AddressThrottle(App& app);
};

// Route groups (api_*.cc), added by the module table (modules.cc).
void AddAuthRoutes(App& app, Router& router);      // health, login, logout, me, password
void AddAdminRoutes(App& app, Router& router);     // users, roles, caseloads, audit
void AddRegistryRoutes(App& app, Router& router);  // persons, conflicts, imports
void AddPolicyRoutes(App& app, Router& router);    // regions, service lists
void AddEntitleRoutes(App& app, Router& router);   // runs, rolls, advisor, what-if
void AddAssessRoutes(App& app, Router& router);    // assessments, requests, work lists
void AddFacilityRoutes(App& app, Router& router);  // facility map, coverage, estates, sites
void AddCanteenRoutes(App& app, Router& router);   // canteens, counter, settlement (api_canteen.cc)
void AddOversightRoutes(App& app,
                        Router& router);  // task tables and their state (api_oversight.cc)
void AddWaitlistRoutes(App& app,
                       Router& router);  // admission waitlist, public queue (api_waitlist.cc)
void AddVisitsRoutes(App& app,
                     Router& router);  // visiting care: rates, due list, visit log (api_visits.cc)
void AddDevicesRoutes(App& app, Router& router);  // alarms, live board (api_devices.cc)
LoginThrottle& AddressThrottle(App& app);

}  // namespace yanglao::server

#endif  // YANGLAO_SERVER_APP_H_
