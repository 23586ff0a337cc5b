// yanglao serve: the platform server (src/server) over a registry database.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/civil_date.h"
#include "server/app.h"
#include "server/http_server.h"

namespace yanglao::cli {
namespace {

struct ServeArgs {
  std::string db;
  std::string address = "127.0.0.1";
  int port = 8080;
  int threads = 2;
  int blocking_threads = 2;
  int db_threads = -1;  // -1: by back end (PostgreSQL kPgDbThreads, SQLite 0)
  std::string policies = "policies";
  std::string web;
  std::string access_log = "-";
  std::string today;
  bool secure_cookies = false;
  std::vector<std::string> trusted_proxies;
  int upload_threads = 1;
  int upload_nice = kBackgroundNice;
};

// Database threads on PostgreSQL: libpq blocks for every round trip, so
// requests that use the database run on threads of their own. Four keep two
// cores busy; more add throughput only with more cores, and on two they
// lengthen the tail (bench/server/person_record.sh: 4 threads 5,150-5,430
// requests/s, p99 5.3-5.6 ms; 8 threads 5,070, p99 7.5 ms).
constexpr int kPgDbThreads = 4;

int RunServe(const ServeArgs& a) {
  server::AppOptions options;
  options.db_url = DbUrl(a.db);
  options.policies_dir = a.policies;
  options.web_dir = a.web;
  const bool pg = !options.db_url.starts_with("sqlite:");
  const int db_threads = a.db_threads >= 0 ? a.db_threads : pg ? kPgDbThreads : 0;
  // One connection per thread that can hold one: the database threads (or,
  // without them, the network threads) and the blocking threads.
  options.connections = static_cast<size_t>((db_threads > 0 ? db_threads : a.threads) +
                                            a.blocking_threads + std::max(1, a.upload_threads));
  options.secure_cookies = a.secure_cookies;
  options.batch_nice = a.upload_nice;
  options.trusted_proxies = a.trusted_proxies;
  if (!a.today.empty()) {
    Result<CivilDate> d = CivilDate::Parse(a.today);
    if (!d.ok()) {
      fmt::print(stderr, "yanglao: --today {}\n", d.status().ToString());
      return 2;
    }
    options.today = *d;
  }
  if (a.port < 0 || a.port > 65535) {
    fmt::print(stderr, "yanglao: --port 应为 0 到 65535\n");
    return 2;
  }
  Result<std::unique_ptr<server::App>> app = server::App::Open(options);
  if (!app.ok()) {
    fmt::print(stderr, "yanglao: {}\n", app.status().ToString());
    return 1;
  }
  std::FILE* log = nullptr;
  if (a.access_log == "-") {
    log = stdout;
  } else if (!a.access_log.empty() && a.access_log != "none") {
    log = std::fopen(a.access_log.c_str(), "a");
    if (log == nullptr) {
      fmt::print(stderr, "yanglao: 无法打开访问日志 {}\n", a.access_log);
      return 1;
    }
  }
  server::HttpOptions http;
  http.address = a.address;
  http.port = static_cast<uint16_t>(a.port);
  http.threads = a.threads;
  http.blocking_threads = a.blocking_threads;
  http.db_threads = db_threads;
  http.upload_threads = std::max(1, a.upload_threads);
  http.upload_nice = a.upload_nice;
  http.access_log = log;
  server::HttpServer srv(**app, http);
  if (Status s = srv.Start(); !s.ok()) {
    fmt::print(stderr, "yanglao: {}\n", s.ToString());
    return 1;
  }
  int64_t persons = 0;
  {
    server::App::Lease lease = (*app)->Acquire();
    persons = lease->PersonCount();
  }
  std::string host = a.address.find(':') != std::string::npos ? "[" + a.address + "]" : a.address;
  fmt::print(stderr,
             "yanglao 服务已启动：http://{}:{}/  （接口 /api/v1，健康检查 /api/v1/health；"
             "登记 {} 人，服务清单 {} 份；Ctrl+C 停止）\n",
             host, srv.port(), persons, (*app)->lists().size());
  std::fflush(stderr);
  srv.Wait();
  (*app)->audit().Stop();
  if (log != nullptr) std::fflush(log);
  if (log != nullptr && log != stdout) std::fclose(log);
  fmt::print(stderr, "yanglao 服务已停止\n");
  return 0;
}

}  // namespace

void AddServeCommand(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand("serve", "启动平台服务（HTTP 接口 /api/v1 与网页端）");
  AddDbOption(cmd, a->db);
  cmd->add_option("--address", a->address, "监听地址（默认 127.0.0.1）");
  cmd->add_option("--port", a->port, "端口（默认 8080；0 为任选空闲端口）");
  cmd->add_option("--threads", a->threads, "网络线程数（默认 2）");
  cmd->add_option("--blocking-threads", a->blocking_threads,
                  "导入、导出等耗时请求的线程数（默认 2）");
  cmd->add_option("--db-threads", a->db_threads,
                  "访问数据库的请求在此数量的线程上执行，网络线程不等待数据库"
                  "（默认：PostgreSQL 4，SQLite 0 即在网络线程上执行）");
  cmd->add_option("--policies", a->policies, "服务清单目录（默认 policies）");
  cmd->add_option("--web", a->web, "网页端构建产物目录（可选）");
  cmd->add_option("--access-log", a->access_log,
                  "访问日志（JSON 行）：- 为标准输出（默认），none 为不记录，或文件路径");
  cmd->add_option("--today", a->today, "以此日期为今天（演示、测试用）");
  cmd->add_flag("--secure-cookies", a->secure_cookies, "Cookie 加 Secure（经 HTTPS 反向代理时）");
  cmd->add_option("--trusted-proxy", a->trusted_proxies,
                  "可信反向代理的地址（可多次给出）：只对来自这些地址的请求采用 X-Forwarded-For "
                  "中的客户端地址");
  cmd->add_option("--upload-threads", a->upload_threads,
                  "解析、导入上传文件的线程数（默认 1；与登录、查询的线程分开）");
  cmd->add_option("--upload-nice", a->upload_nice,
                  "上传导入与核定运行线程的 nice 值（0 到 19，默认 "
                  "10：处理器忙时让登录、查询先行；0 为不降低）")
      ->check(CLI::Range(0, 19));
  cmd->callback([a, &exit_code] { exit_code = RunServe(*a); });
}

}  // namespace yanglao::cli
