// The audit trail (个人信息保护法): every read of a person's record, every
// denied access, every export and every change is recorded with who, when,
// what and from where. Records are written by one writer thread on its own
// connection, many requests to a transaction (group commit); a request that
// reads personal data answers only after its records are committed, so no
// look at a record goes unrecorded.
#ifndef YANGLAO_SERVER_AUDIT_H_
#define YANGLAO_SERVER_AUDIT_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "registry/database.h"

namespace yanglao::server {

struct AuditRecord {
  int64_t id = 0;  // set when read back
  std::string at;  // UTC, "YYYY-MM-DDTHH:MM:SS.mmmZ"
  std::optional<int64_t> user_id;
  std::string username;  // "" before login
  std::string unit_code;
  std::string ip;
  std::string action;   // "person.read", "person.export", "user.create", "auth.login" ...
  std::string target;   // what was acted on: an ID number, a user name, a file ...
  std::string outcome;  // "ok", "denied", "failed"
  std::string detail;   // JSON object text
  std::string request_id;
};

class AuditLog {
 public:
  // Opens the writer's own connection to `url` (see Database::Open); the
  // server tables must exist. On SQLite a second connection checkpoints the
  // write-ahead log every 200 ms, so that commits never wait for one.
  static Result<std::unique_ptr<AuditLog>> Open(std::string_view url);
  ~AuditLog();

  using Done = std::function<void(const Status&)>;
  // Queues `records`; `done` runs on the writer thread once they are
  // committed (OK) or could not be (the failure). Records submitted after
  // Stop() fail with "audit.stopped".
  void Submit(std::vector<AuditRecord> records, Done done);
  // Submits and waits.
  Status Write(std::vector<AuditRecord> records);
  // Writes everything queued, then stops the writer. Idempotent.
  void Stop();
  // Checks, on the writer's own connection and thread, that a record could be
  // written now (an insert, rolled back). Fails with audit.write, or
  // audit.stopped, or audit.timeout when the writer does not answer within
  // `wait`.
  Status Probe(std::chrono::milliseconds wait = std::chrono::milliseconds(3000));
  // Blocks until everything submitted so far is written and the writer no
  // longer holds any of the callbacks (which may hold executors of a server
  // about to be destroyed).
  void Drain();

 private:
  explicit AuditLog(std::unique_ptr<registry::Database> db);
  void Run();
  Status Commit(const std::vector<AuditRecord>& records);
  Status TestWrite();

  void Checkpoints(std::unique_ptr<registry::Database> db);

  std::unique_ptr<registry::Database> db_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable stop_cv_;
  std::deque<std::pair<std::vector<AuditRecord>, Done>> queue_;
  std::vector<Done> probes_;  // Probe() calls waiting for the writer
  bool writing_ = false;      // the writer holds a batch (and its callbacks)
  std::condition_variable idle_cv_;
  bool stopping_ = false;
  std::thread writer_;
  std::thread checkpointer_;  // SQLite only
};

// `text` as the audit stores it: valid UTF-8 (stray bytes become U+FFFD)
// and without NUL bytes (U+FFFD too).
std::string CleanAuditText(std::string_view text);

struct AuditQuery {
  std::string username;  // exact
  std::string action;    // exact, or a prefix ending in '.' ("person.")
  std::string target;    // exact
  std::string outcome;   // exact
  std::string from, to;  // "YYYY-MM-DD" or full timestamps; to is inclusive of its day
  int64_t offset = 0;
  int64_t limit = 50;
};

struct AuditPage {
  int64_t total = 0;
  std::vector<AuditRecord> records;  // newest first
};

Result<AuditPage> SearchAudit(registry::Database& db, const AuditQuery& query);

}  // namespace yanglao::server

#endif  // YANGLAO_SERVER_AUDIT_H_
