// One transaction, held by an object: begun when made, rolled back when the
// object goes without Commit() (an early return or an exception leaves
// nothing half-written).
//
//   Result<db::Transaction> tx = db::Transaction::Begin(db);
//   if (!tx.ok()) return tx.status();
//   ... writes through `db` ...
//   return tx->Commit();
#ifndef YANGLAO_DB_TRANSACTION_H_
#define YANGLAO_DB_TRANSACTION_H_

#include <functional>

#include "core/status.h"
#include "db/database.h"

namespace yanglao::db {

class Transaction {
 public:
  // Begins a transaction on `db`; fails with the back end's db.* code.
  static Result<Transaction> Begin(Database& db);

  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  // Rolls back unless committed.
  ~Transaction();

  // Commits; when that fails the transaction is rolled back. Either way the
  // object holds no transaction afterwards.
  Status Commit();
  // Rolls back now (the destructor then does nothing).
  void Rollback();
  // True until Commit() or Rollback().
  bool active() const { return db_ != nullptr; }

 private:
  explicit Transaction(Database& db) : db_(&db) {}
  Database* db_;
};

// Runs `body` in one transaction: committed when it returns OK, rolled back
// (and its failure returned) otherwise.
Status InTransaction(Database& db, const std::function<Status()>& body);

}  // namespace yanglao::db

#endif  // YANGLAO_DB_TRANSACTION_H_
