#include "db/test_database.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include "db/database.h"

namespace yanglao::db {

void TestDatabase::SetUp(std::string_view backend, std::string_view prefix) {
  static std::atomic<int> counter{0};
  std::string name = fmt::format("{}_{}_{}", prefix, getpid(), counter++);
  if (backend == "sqlite") {
    path_ = std::filesystem::temp_directory_path() / (name + ".db");
    url_ = "sqlite:" + path_.string();
    return;
  }
  const char* pg = std::getenv("YANGLAO_TEST_PG_URL");
  if (pg == nullptr) {
    if (std::getenv("YANGLAO_REQUIRE_PG") != nullptr) FAIL() << "YANGLAO_TEST_PG_URL is not set";
    GTEST_SKIP() << "no PostgreSQL server (scripts/test.sh starts one)";
  }
  auto admin = Database::Open(pg);
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  ASSERT_TRUE((*admin)->Execute(fmt::format("CREATE SCHEMA {}", name)).ok());
  schema_ = name;
  url_ = fmt::format("{}?options=-csearch_path%3D{}", pg, name);
}

void TestDatabase::Remove() {
  if (!path_.empty()) {
    for (const char* suffix : {"", "-wal", "-shm"})
      std::filesystem::remove(path_.string() + suffix);
    path_.clear();
  }
  if (!schema_.empty()) {
    if (auto admin = Database::Open(std::getenv("YANGLAO_TEST_PG_URL")); admin.ok())
      (void)(*admin)->Execute(fmt::format("DROP SCHEMA {} CASCADE", schema_));
    schema_.clear();
  }
}

}  // namespace yanglao::db
