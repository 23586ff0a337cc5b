#include "server/audit.h"

#include <fmt/format.h>

#include <chrono>
#include <future>

#include "server/call.h"
#include "server/schema.h"

namespace yanglao::server {

using registry::Row;
using registry::Value;

Result<std::unique_ptr<AuditLog>> AuditLog::Open(std::string_view url) {
  Result<std::unique_ptr<registry::Database>> db = registry::Database::Open(url);
  if (!db.ok()) return db.status();
  std::unique_ptr<registry::Database> checkpoint_db;
  if ((*db)->dialect() == "sqlite") {
    if (Status s = (*db)->Execute("PRAGMA wal_autocheckpoint = 0"); !s.ok()) return s;
    Result<std::unique_ptr<registry::Database>> c = registry::Database::Open(url);
    if (!c.ok()) return c.status();
    checkpoint_db = std::move(*c);
  }
  std::unique_ptr<AuditLog> log(new AuditLog(std::move(*db)));
  if (checkpoint_db) {
    log->checkpointer_ = std::thread([raw = log.get(), c = checkpoint_db.release()] {
      raw->Checkpoints(std::unique_ptr<registry::Database>(c));
    });
  }
  return log;
}

void AuditLog::Checkpoints(std::unique_ptr<registry::Database> db) {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, std::chrono::milliseconds(200), [&] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    (void)db->Execute("PRAGMA wal_checkpoint(PASSIVE)");
    lock.lock();
  }
}

AuditLog::AuditLog(std::unique_ptr<registry::Database> db) : db_(std::move(db)) {
  writer_ = std::thread([this] { Run(); });
}

AuditLog::~AuditLog() { Stop(); }

void AuditLog::Submit(std::vector<AuditRecord> records, Done done) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.emplace_back(std::move(records), std::move(done));
      cv_.notify_one();
      return;
    }
  }
  done(Status("audit.stopped", "服务器正在停止，操作未能留痕"));
}

Status AuditLog::Write(std::vector<AuditRecord> records) {
  std::promise<Status> p;
  std::future<Status> f = p.get_future();
  Submit(std::move(records), [&p](const Status& s) { p.set_value(s); });
  return f.get();
}

void AuditLog::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !writer_.joinable()) return;
    stopping_ = true;
    cv_.notify_one();
    stop_cv_.notify_all();
  }
  if (writer_.joinable()) writer_.join();
  if (checkpointer_.joinable()) checkpointer_.join();
}

std::string CleanAuditText(std::string_view text) {
  std::string out = ToValidUtf8(text);
  if (out.find('\0') == std::string::npos) return out;
  std::string clean;
  clean.reserve(out.size() + 8);
  for (char c : out) {
    if (c == '\0') {
      clean += "\xEF\xBF\xBD";  // U+FFFD: neither database takes NUL in text
    } else {
      clean += c;
    }
  }
  return clean;
}

void AuditLog::Run() {
  for (;;) {
    std::deque<std::pair<std::vector<AuditRecord>, Done>> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty() || !probes_.empty(); });
      if (!probes_.empty()) {
        std::vector<Done> probes;
        probes.swap(probes_);
        writing_ = true;
        lock.unlock();
        Status s = TestWrite();
        for (Done& d : probes) d(s);
        probes.clear();
        lock.lock();
        writing_ = false;
        idle_cv_.notify_all();
      }
      if (queue_.empty()) {
        if (stopping_) return;  // stopping, everything written
        continue;
      }
      batch.swap(queue_);
      writing_ = true;
    }
    // Text is made safe for the database first (valid UTF-8, no NUL: one
    // login with a NUL byte in the name failed whole batches on
    // PostgreSQL, issue #12).
    for (auto& [records, done] : batch) {
      for (AuditRecord& r : records) {
        for (std::string* t : {&r.username, &r.unit_code, &r.ip, &r.action, &r.target, &r.outcome,
                               &r.detail, &r.request_id}) {
          *t = CleanAuditText(*t);
        }
      }
    }
    std::vector<AuditRecord> all;
    for (auto& [records, done] : batch) {
      for (const AuditRecord& r : records) all.push_back(r);
    }
    Status s = Commit(all);
    if (!s.ok() && batch.size() > 1) {
      // One request's records must never fail another's: each on its own.
      for (auto& [records, done] : batch) done(Commit(records));
    } else {
      for (auto& [records, done] : batch) done(s);
    }
    batch.clear();  // the callbacks go before anyone is told the writer is idle
    std::lock_guard lock(mu_);
    writing_ = false;
    idle_cv_.notify_all();
  }
}

Status AuditLog::TestWrite() {
  if (Status s = db_->Begin(); !s.ok())
    return Status("audit.write", "操作日志无法写入：" + s.message());
  Status s = db_->Execute(
      "INSERT INTO server_audit (at, user_id, username, unit_code, ip, action, target, outcome, "
      "detail, request_id) VALUES (?, NULL, '', '', '', 'health.probe', '', 'ok', '{}', '')",
      {UtcNow()});
  (void)db_->Rollback();
  if (!s.ok()) return Status("audit.write", "操作日志无法写入：" + s.message());
  return Status::Ok();
}

Status AuditLog::Probe(std::chrono::milliseconds wait) {
  auto p = std::make_shared<std::promise<Status>>();
  std::future<Status> f = p->get_future();
  {
    std::lock_guard lock(mu_);
    if (stopping_) return Status("audit.stopped", "服务器正在停止，操作日志不再写入");
    probes_.push_back([p](const Status& s) { p->set_value(s); });
    cv_.notify_one();
  }
  if (f.wait_for(wait) != std::future_status::ready) {
    return Status("audit.timeout", "操作日志写入线程无响应");
  }
  return f.get();
}

void AuditLog::Drain() {
  std::unique_lock lock(mu_);
  idle_cv_.wait(lock, [&] { return (queue_.empty() || !writer_.joinable()) && !writing_; });
}

namespace {

// `values` as a PostgreSQL array literal: {"a","b\"c",NULL}.
std::string PgArray(const std::vector<std::optional<std::string>>& values) {
  std::string out = "{";
  for (const std::optional<std::string>& v : values) {
    if (out.size() > 1) out += ',';
    if (!v) {
      out += "NULL";
      continue;
    }
    out += '"';
    for (char c : *v) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace

Status AuditLog::Commit(const std::vector<AuditRecord>& records) {
  if (records.empty()) return Status::Ok();
  if (db_->dialect() == "postgresql") {
    // One statement (atomic by itself) and one round trip whatever the
    // batch: each column as an array, unnested into rows. BEGIN, COPY and
    // COMMIT would take four round trips.
    std::vector<std::vector<std::optional<std::string>>> cols(10);
    for (auto& c : cols) c.reserve(records.size());
    for (const AuditRecord& r : records) {
      cols[0].emplace_back(r.at);
      cols[1].push_back(r.user_id ? std::optional<std::string>(std::to_string(*r.user_id))
                                  : std::nullopt);
      cols[2].emplace_back(r.username);
      cols[3].emplace_back(r.unit_code);
      cols[4].emplace_back(r.ip);
      cols[5].emplace_back(r.action);
      cols[6].emplace_back(r.target);
      cols[7].emplace_back(r.outcome);
      cols[8].emplace_back(r.detail.empty() ? "{}" : r.detail);
      cols[9].emplace_back(r.request_id);
    }
    std::vector<Value> params;
    for (const auto& c : cols) params.emplace_back(PgArray(c));
    Status s = db_->Execute(
        "INSERT INTO server_audit (at, user_id, username, unit_code, ip, action, target, "
        "outcome, detail, request_id) SELECT * FROM unnest(?::text[], ?::bigint[], ?::text[], "
        "?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])",
        params);
    if (!s.ok()) return Status("audit.write", "操作日志写入失败：" + s.message());
    return Status::Ok();
  }
  std::vector<std::vector<Value>> rows;
  rows.reserve(records.size());
  for (const AuditRecord& r : records) {
    rows.push_back({r.at, r.user_id ? Value{*r.user_id} : Value{}, r.username, r.unit_code, r.ip,
                    r.action, r.target, r.outcome, r.detail.empty() ? "{}" : r.detail,
                    r.request_id});
  }
  if (Status s = db_->Begin(); !s.ok())
    return Status("audit.write", "操作日志写入失败：" + s.message());
  Status s = db_->BulkInsert("server_audit",
                             {"at", "user_id", "username", "unit_code", "ip", "action", "target",
                              "outcome", "detail", "request_id"},
                             rows);
  if (s.ok()) s = db_->Commit();
  if (!s.ok()) {
    (void)db_->Rollback();
    return Status("audit.write", "操作日志写入失败：" + s.message());
  }
  return Status::Ok();
}

Result<AuditPage> SearchAudit(registry::Database& db, const AuditQuery& q) {
  std::string where = " WHERE 1 = 1";
  std::vector<Value> params;
  auto add = [&](const char* sql, std::string value) {
    where += sql;
    params.push_back(std::move(value));
  };
  if (!q.username.empty()) add(" AND username = ?", q.username);
  if (!q.action.empty()) {
    if (q.action.ends_with('.')) {
      where += " AND substr(action, 1, ?) = ?";
      params.push_back(static_cast<int64_t>(q.action.size()));
      params.push_back(q.action);
    } else {
      add(" AND action = ?", q.action);
    }
  }
  if (!q.target.empty()) add(" AND target = ?", q.target);
  if (!q.outcome.empty()) add(" AND outcome = ?", q.outcome);
  if (!q.from.empty()) add(" AND at >= ?", q.from);
  if (!q.to.empty()) add(" AND at <= ?", q.to.size() == 10 ? q.to + "T99" : q.to);
  AuditPage page;
  Result<std::vector<Row>> total = db.QueryAll("SELECT COUNT(*) FROM server_audit" + where, params);
  if (!total.ok()) return total.status();
  page.total = (*total)[0].AsInt(0);
  params.push_back(q.limit);
  params.push_back(q.offset);
  Status s = db.Query(
      "SELECT id, at, user_id, username, unit_code, ip, action, target, outcome, detail, "
      "request_id FROM server_audit" +
          where + " ORDER BY id DESC LIMIT ? OFFSET ?",
      params, [&](const Row& r) {
        AuditRecord a;
        a.id = r.AsInt(0);
        a.at = r.AsText(1);
        if (!r.IsNull(2)) a.user_id = r.AsInt(2);
        a.username = r.AsText(3);
        a.unit_code = r.AsText(4);
        a.ip = r.AsText(5);
        a.action = r.AsText(6);
        a.target = r.AsText(7);
        a.outcome = r.AsText(8);
        a.detail = r.AsText(9);
        a.request_id = r.AsText(10);
        page.records.push_back(std::move(a));
        return true;
      });
  if (!s.ok()) return s;
  return page;
}

}  // namespace yanglao::server
