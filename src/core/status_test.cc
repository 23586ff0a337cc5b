#include "core/status.h"

#include <gtest/gtest.h>

namespace yanglao {
namespace {

TEST(LocationTest, PrintsOnlyWhatIsSet) {
  EXPECT_EQ(Location{}.ToString(), "");
  EXPECT_EQ((Location{.file = "a.yaml", .line = 3, .column = 7}).ToString(), "a.yaml:3:7");
  EXPECT_EQ((Location{.file = "a.yaml", .line = 3}).ToString(), "a.yaml:3");
  EXPECT_EQ((Location{.line = 12, .column = 4}).ToString(), "第12行第4列");
  EXPECT_EQ(
      (Location{.file = "feed.csv", .line = 5, .column = 2, .field = "身份证号", .value = "123"})
          .ToString(),
      "feed.csv:5:2 字段「身份证号」 值「123」");
  EXPECT_EQ((Location{.value = "x"}).ToString(), "值「x」");
}

TEST(StatusTest, OkAndFailure) {
  Status ok;
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.ToString(), "OK");
  Status bad("id.length", "长度错误", Location{.file = "f.csv", .line = 2, .column = 1});
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.code(), "id.length");
  EXPECT_EQ(bad.ToString(), "f.csv:2:1: 长度错误 [id.length]");
  EXPECT_EQ(Status("x.y", "消息").ToString(), "消息 [x.y]");
}

TEST(StatusTest, InFileKeepsAnExistingFile) {
  Status s("x.y", "消息", Location{.line = 4});
  EXPECT_EQ(s.InFile("a.csv").where().file, "a.csv");
  EXPECT_EQ(s.InFile("a.csv").where().line, 4);
  EXPECT_EQ(s.InFile("a.csv").InFile("b.csv").where().file, "a.csv");
  EXPECT_TRUE(Status().InFile("a.csv").ok());
}

TEST(ResultTest, HoldsValueOrStatus) {
  Result<int> v = 42;
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 42);
  EXPECT_TRUE(v.status().ok());
  Result<int> e = Status("a.b", "坏");
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), "a.b");
  EXPECT_EQ(e.value_or(7), 7);
  Result<std::string> s = std::string("abc");
  EXPECT_EQ(s->size(), 3u);
  std::string moved = *std::move(s);
  EXPECT_EQ(moved, "abc");
}

TEST(ErrorCategoryTest, DerivedFromTheCodeUnlessGiven) {
  EXPECT_EQ(Status("id.length", "x").category(), ErrorCategory::kInvalidInput);
  EXPECT_EQ(Status("person.not_found", "x").category(), ErrorCategory::kNotFound);
  EXPECT_EQ(Status("user.exists", "x").category(), ErrorCategory::kConflict);
  EXPECT_EQ(Status("entitle.run_exists", "x").category(), ErrorCategory::kConflict);
  EXPECT_EQ(Status("db.query", "x").category(), ErrorCategory::kInternal);
  EXPECT_EQ(Status("auth.login", "x").category(), ErrorCategory::kUnauthenticated);
  EXPECT_EQ(Status("person.scope", "x").category(), ErrorCategory::kDenied);
  EXPECT_EQ(Status("server.stopping", "x").category(), ErrorCategory::kUnavailable);
  // An explicit category wins over the derived one; At() keeps it.
  Status s(ErrorCategory::kNotFound, "registry.conflict", "x");
  EXPECT_EQ(s.category(), ErrorCategory::kNotFound);
  EXPECT_EQ(s.At(Location{.line = 3}).category(), ErrorCategory::kNotFound);
  EXPECT_NE(s, Status("registry.conflict", "x"));
}

TEST(ErrorCategoryTest, HttpStatusAndExitCodeOfEachCategory) {
  EXPECT_EQ(HttpStatusOf(ErrorCategory::kInvalidInput), 400u);
  EXPECT_EQ(HttpStatusOf(ErrorCategory::kUnauthenticated), 401u);
  EXPECT_EQ(HttpStatusOf(ErrorCategory::kDenied), 403u);
  EXPECT_EQ(HttpStatusOf(ErrorCategory::kNotFound), 404u);
  EXPECT_EQ(HttpStatusOf(ErrorCategory::kConflict), 409u);
  EXPECT_EQ(HttpStatusOf(ErrorCategory::kInternal), 500u);
  EXPECT_EQ(HttpStatusOf(ErrorCategory::kUnavailable), 503u);
  EXPECT_EQ(HttpStatusOf(ErrorCategory::kThrottled), 429u);
  EXPECT_EQ(ExitCodeOf(ErrorCategory::kNotFound), 1);
  EXPECT_EQ(ExitCodeOf(ErrorCategory::kInternal), 1);
  EXPECT_EQ(CategoryName(ErrorCategory::kConflict), "conflict");
}

}  // namespace
}  // namespace yanglao
