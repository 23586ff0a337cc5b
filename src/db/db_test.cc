// The database layer on both back ends: the RAII transaction, filters and
// pages with bound parameters, and the modules' migrations at start-up.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "db/database.h"
#include "db/migrate.h"
#include "db/query.h"
#include "db/test_database.h"
#include "db/transaction.h"

namespace yanglao::db {
namespace {

class DbTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    test_db_.SetUp(GetParam(), "yanglao_db");
    if (IsSkipped() || HasFatalFailure()) return;
    Result<std::unique_ptr<Database>> d = Database::Open(test_db_.url());
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    db_ = std::move(*d);
    ASSERT_TRUE(db_->Execute("CREATE TABLE t (k TEXT PRIMARY KEY, region TEXT, n INTEGER)").ok());
  }
  void TearDown() override {
    db_.reset();
    test_db_.Remove();
  }

  int64_t Count(const std::string& where = "", const std::vector<Value>& params = {}) {
    Result<std::vector<Row>> r = db_->QueryAll("SELECT COUNT(*) FROM t" + where, params);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? (*r)[0].AsInt(0) : -1;
  }
  Status Insert(const std::string& k, const std::string& region, int64_t n) {
    return db_->Execute("INSERT INTO t (k, region, n) VALUES (?, ?, ?)", {k, region, n});
  }

  TestDatabase test_db_;
  std::unique_ptr<Database> db_;
};

TEST_P(DbTest, TransactionRollsBackUnlessCommitted) {
  {
    Result<Transaction> tx = Transaction::Begin(*db_);
    ASSERT_TRUE(tx.ok()) << tx.status().ToString();
    ASSERT_TRUE(Insert("a", "421303", 1).ok());
    EXPECT_TRUE(tx->active());
  }  // gone without Commit
  EXPECT_EQ(Count(), 0);
  {
    Result<Transaction> tx = Transaction::Begin(*db_);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(Insert("a", "421303", 1).ok());
    ASSERT_TRUE(tx->Commit().ok());
    EXPECT_FALSE(tx->active());
    EXPECT_EQ(tx->Commit().code(), "db.transaction");  // once only
  }
  EXPECT_EQ(Count(), 1);
}

TEST_P(DbTest, InTransactionKeepsNothingOfAFailure) {
  Status s = InTransaction(*db_, [&] {
    if (Status i = Insert("b", "421303", 2); !i.ok()) return i;
    return Insert("b", "421303", 3);  // the same key again: fails
  });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.category(), ErrorCategory::kInternal) << s.ToString();
  EXPECT_EQ(Count(), 0);
  EXPECT_TRUE(InTransaction(*db_, [&] { return Insert("b", "421303", 2); }).ok());
  EXPECT_EQ(Count(), 1);
}

TEST_P(DbTest, FiltersAndPagesBindTheirValues) {
  ASSERT_TRUE(InTransaction(*db_, [&] {
                Status s;
                const char* regions[] = {"421303001001", "421303001002", "421321101201",
                                         "421381001001", "4213' OR '1'='1"};
                for (int i = 0; s.ok() && i < 5; ++i) {
                  s = Insert("k" + std::to_string(i), regions[i], i);
                }
                return s;
              }).ok());
  std::string where;
  std::vector<Value> params;
  AddConditions({RegionCodeFilter("region", "421303", false)}, where, params);
  EXPECT_EQ(where, " WHERE (region >= ? AND region < ?)");
  EXPECT_EQ(Count(where, params), 2);
  AddConditions({{"n >= ?", {int64_t{1}}}}, where, params);
  EXPECT_EQ(Count(where, params), 1);
  // Input is a value, never SQL.
  where.clear();
  params.clear();
  AddConditions({RegionCodeFilter("region", "4213' OR '1'='1", true)}, where, params);
  EXPECT_EQ(Count(where, params), 1);
  EXPECT_EQ(DigitPrefixEnd("4219"), "422");
  EXPECT_EQ(DigitPrefixEnd("99"), "");

  // Pages of 2 over the 5 rows, in key order.
  std::vector<std::string> seen;
  for (int64_t number = 1; number <= 3; ++number) {
    std::vector<Value> p;
    std::string sql = "SELECT k FROM t ORDER BY k" + Page{.number = number, .size = 2}.Bind(p);
    Result<std::vector<Row>> rows = db_->QueryAll(sql, p);
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    EXPECT_EQ(rows->size(), number < 3 ? 2u : 1u);
    for (const Row& r : *rows) seen.push_back(r.AsText(0));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"k0", "k1", "k2", "k3", "k4"}));
  EXPECT_EQ((Page{.number = 0, .size = 0}.offset()), 0);
}

TEST_P(DbTest, MigrateAllRunsEveryModuleOnceInOrder) {
  int calls = 0;
  std::vector<ModuleSchema> modules = {
      {"alpha",
       [&](std::string_view) {
         ++calls;
         return std::vector<std::string>{"CREATE TABLE alpha_a (x INTEGER)"};
       }},
      {"beta",
       [](std::string_view) {
         // Refers to the module before it.
         return std::vector<std::string>{"CREATE TABLE beta_b (x INTEGER)",
                                         "INSERT INTO beta_b (x) SELECT COUNT(*) FROM alpha_a"};
       }},
  };
  ASSERT_TRUE(MigrateAll(*db_, modules).ok());
  ASSERT_TRUE(MigrateAll(*db_, modules).ok());  // nothing left to do
  EXPECT_EQ(calls, 2);                          // asked for its list each time ...
  Result<std::vector<Row>> b = db_->QueryAll("SELECT COUNT(*) FROM beta_b");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)[0].AsInt(0), 1);  // ... but applied once
  Result<std::vector<Row>> v = db_->QueryAll(
      "SELECT module, MAX(version) FROM module_schema GROUP BY module ORDER BY module");
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->size(), 2u);
  EXPECT_EQ((*v)[1].AsText(0), "beta");
  EXPECT_EQ((*v)[1].AsInt(1), 2);

  // A failing module stops the run, naming it; the modules before it stay.
  modules.push_back({"gamma", [](std::string_view) {
                       return std::vector<std::string>{"CREATE TABLE alpha_a (x INTEGER)"};
                     }});
  Status s = MigrateAll(*db_, modules);
  EXPECT_EQ(s.code(), "db.migrate");
  EXPECT_NE(s.message().find("gamma"), std::string::npos) << s.ToString();
}

INSTANTIATE_TEST_SUITE_P(Backends, DbTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace yanglao::db
