#include "db/transaction.h"

namespace yanglao::db {

Result<Transaction> Transaction::Begin(Database& db) {
  if (Status s = db.Begin(); !s.ok()) return s;
  return Transaction(db);
}

Transaction::~Transaction() { Rollback(); }

Status Transaction::Commit() {
  if (db_ == nullptr) return Status("db.transaction", "事务已结束，无法提交");
  Database* db = db_;
  db_ = nullptr;
  Status s = db->Commit();
  if (!s.ok()) (void)db->Rollback();
  return s;
}

void Transaction::Rollback() {
  if (db_ == nullptr) return;
  (void)db_->Rollback();
  db_ = nullptr;
}

Status InTransaction(Database& db, const std::function<Status()>& body) {
  Result<Transaction> tx = Transaction::Begin(db);
  if (!tx.ok()) return tx.status();
  if (Status s = body(); !s.ok()) return s;  // ~Transaction rolls back
  return tx->Commit();
}

}  // namespace yanglao::db
