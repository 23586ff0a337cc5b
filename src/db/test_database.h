// Test support (linked by tests only): a scratch database on either back
// end, for test suites parameterised by "sqlite" and "postgresql".
//
//   sqlite      a fresh file in the temporary directory;
//   postgresql  a fresh schema on the server at YANGLAO_TEST_PG_URL (which
//               scripts/test.sh starts), reached through search_path.
//
// Without YANGLAO_TEST_PG_URL the PostgreSQL case is skipped, or fails when
// YANGLAO_REQUIRE_PG is set (as the test command sets it). The file or
// schema is removed when the object is destroyed.
#ifndef YANGLAO_DB_TEST_DATABASE_H_
#define YANGLAO_DB_TEST_DATABASE_H_

#include <filesystem>
#include <string>
#include <string_view>

namespace yanglao::db {

class TestDatabase {
 public:
  TestDatabase() = default;
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;
  ~TestDatabase() { Remove(); }

  // Call from a fixture's SetUp, then return when the test was skipped or
  // failed: `if (IsSkipped() || HasFatalFailure()) return;`. `prefix` names
  // the file or schema ("yanglao_entitle").
  void SetUp(std::string_view backend, std::string_view prefix);
  // The database URL for Database::Open / Registry::Open.
  const std::string& url() const { return url_; }
  // Removes the file or drops the schema (the caller closes its connections first).
  void Remove();

 private:
  std::string url_, schema_;
  std::filesystem::path path_;
};

}  // namespace yanglao::db

#endif  // YANGLAO_DB_TEST_DATABASE_H_
