// Every error code the server can return answers the HTTP status of its
// category, and docs/api.md's error table says the same.
//
// The codes are collected from the sources the server is built from (every
// module under src/ but the CLI and the generator): each string literal of the
// form "module.reason" passed to Status(...) or to one of the modules' small
// failure helpers (Fail, fail, Error, DateError, DbError, bad).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "core/status.h"
#include "server/app.h"

namespace yanglao::server {
namespace {

namespace fs = std::filesystem;

fs::path SourceDir() {
  const char* src = std::getenv("YANGLAO_SOURCE_DIR");
  return fs::path(src ? src : ".");
}

std::string ReadText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool IsCodeChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

// "module.reason" (lower-case ASCII, one dot), or empty.
std::string CodeOf(std::string_view literal) {
  size_t dot = literal.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == literal.size()) return "";
  for (size_t i = 0; i < literal.size(); ++i) {
    if (i != dot && !IsCodeChar(literal[i])) return "";
  }
  if (literal[0] < 'a' || literal[0] > 'z') return "";
  return std::string(literal);
}

// Code -> one file that constructs it.
std::map<std::string, std::string> CollectCodes() {
  static const std::set<std::string> kCallees = {"Status",    "Fail",    "fail", "Error",
                                                 "DateError", "DbError", "bad"};
  static const std::set<std::string> kSkipped = {"cli", "gen"};
  std::map<std::string, std::string> codes;
  for (const auto& entry : fs::recursive_directory_iterator(SourceDir() / "src")) {
    const fs::path& p = entry.path();
    std::string name = p.filename().string();
    if (p.extension() != ".cc" && p.extension() != ".h") continue;
    if (name.ends_with("_test.cc") || name.starts_with("test_")) continue;
    std::string module = p.parent_path().filename().string();
    if (kSkipped.count(module)) continue;
    std::string text = ReadText(p);
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] != '(') continue;
      size_t b = i;
      while (b > 0 && (std::isalnum(static_cast<unsigned char>(text[b - 1])) || text[b - 1] == '_'))
        --b;
      if (!kCallees.count(text.substr(b, i - b))) continue;
      // The call's first string literal, if it comes before the call's end.
      size_t j = i + 1;
      while (j < text.size() && (text[j] == ' ' || text[j] == '\n')) ++j;
      if (j >= text.size() || text[j] != '"') continue;
      size_t end = text.find('"', j + 1);
      if (end == std::string::npos) continue;
      std::string code = CodeOf(std::string_view(text).substr(j + 1, end - j - 1));
      if (!code.empty()) codes.emplace(code, p.lexically_relative(SourceDir()).string());
    }
  }
  return codes;
}

// The statuses this project promises per category (docs/api.md), written here
// independently of core/status.cc.
unsigned ExpectedStatus(ErrorCategory c) {
  static const std::map<ErrorCategory, unsigned> kStatus = {
      {ErrorCategory::kInvalidInput, 400},     {ErrorCategory::kUnauthenticated, 401},
      {ErrorCategory::kDenied, 403},           {ErrorCategory::kNotFound, 404},
      {ErrorCategory::kMethodNotAllowed, 405}, {ErrorCategory::kTimeout, 408},
      {ErrorCategory::kConflict, 409},         {ErrorCategory::kTooLarge, 413},
      {ErrorCategory::kUnsupportedMedia, 415}, {ErrorCategory::kUnprocessable, 422},
      {ErrorCategory::kThrottled, 429},        {ErrorCategory::kHeadersTooLarge, 431},
      {ErrorCategory::kInternal, 500},         {ErrorCategory::kUnavailable, 503},
  };
  return kStatus.at(c);
}

TEST(ErrorStatusTest, EveryCodeAnswersTheStatusOfItsCategory) {
  std::map<std::string, std::string> codes = CollectCodes();
  // The scan finds the codes (it cannot pass by finding nothing).
  ASSERT_GT(codes.size(), 100u);
  for (const char* known : {"entitle.run_exists", "user.exists", "person.not_found", "person.scope",
                            "auth.unauthenticated", "request.json", "feed.invalid", "db.migrate"}) {
    EXPECT_TRUE(codes.count(known)) << known << " not found in the sources";
  }
  for (const auto& [code, file] : codes) {
    ErrorCategory c = CategoryOfCode(code);
    EXPECT_EQ(HttpStatusFor(code), ExpectedStatus(c))
        << code << " (" << file << ") category " << CategoryName(c);
    // The envelope the server sends carries that status.
    HttpResponse res = App::ErrorResponse(Status(code, "消息"), "rid-1", 11);
    EXPECT_EQ(res.result_int(), ExpectedStatus(c)) << code;
  }
}

TEST(ErrorStatusTest, CategoriesOfCodesThatAreNotInvalidInput) {
  EXPECT_EQ(HttpStatusFor("entitle.run_exists"), 409u);  // was 400 before categories
  EXPECT_EQ(HttpStatusFor("user.exists"), 409u);
  EXPECT_EQ(HttpStatusFor("auth.unauthenticated"), 401u);
  EXPECT_EQ(HttpStatusFor("auth.login"), 401u);
  EXPECT_EQ(HttpStatusFor("auth.forbidden"), 403u);
  EXPECT_EQ(HttpStatusFor("person.scope"), 403u);
  EXPECT_EQ(HttpStatusFor("import.department"), 403u);
  EXPECT_EQ(HttpStatusFor("run.not_found"), 404u);
  EXPECT_EQ(HttpStatusFor("request.method"), 405u);
  EXPECT_EQ(HttpStatusFor("request.too_large"), 413u);
  EXPECT_EQ(HttpStatusFor("feed.invalid"), 422u);
  EXPECT_EQ(HttpStatusFor("auth.throttled"), 429u);
  EXPECT_EQ(HttpStatusFor("db.query"), 500u);
  EXPECT_EQ(HttpStatusFor("auth.hash"), 500u);
  EXPECT_EQ(HttpStatusFor("server.stopping"), 503u);
  EXPECT_EQ(HttpStatusFor("server.busy"), 503u);  // was 500 (server.* is internal by rule)
  EXPECT_EQ(HttpStatusFor("person.ref"), 400u);
}

// docs/api.md's error table: each row's status, for every code it names
// (`a.b`) and every code of the sources a pattern of it covers (`*.not_found`,
// `db.*`); and every code of the sources that is not 400 is named or covered
// by the row of its status.
TEST(ErrorStatusTest, DocsTableFollowsFromTheCategories) {
  std::string doc = ReadText(SourceDir() / "docs" / "api.md");
  std::map<std::string, std::string> codes = CollectCodes();
  std::regex row(R"(\n *\| *([a-z_ ]+) *\| *(\d{3}) *\|([^\n]*))");
  std::regex tick("`([a-z0-9_.*]+)`");
  std::map<std::string, unsigned> covered;  // code of the sources -> status of the row naming it
  size_t rows = 0;
  for (std::sregex_iterator it(doc.begin(), doc.end(), row), e; it != e; ++it) {
    ++rows;
    unsigned status = static_cast<unsigned>(std::stoul((*it)[2].str()));
    std::string cells = (*it)[3].str();
    for (std::sregex_iterator t(cells.begin(), cells.end(), tick); t != e; ++t) {
      std::string name = (*t)[1].str();
      if (name.find('.') == std::string::npos) continue;
      if (name.find('*') == std::string::npos) {
        EXPECT_EQ(HttpStatusFor(name), status) << "docs/api.md names " << name;
        covered[name] = status;
        continue;
      }
      std::string prefix = name.substr(0, name.find('*'));
      std::string suffix = name.substr(name.find('*') + 1);
      for (const auto& [code, file] : codes) {
        if (code.size() < prefix.size() + suffix.size() || !code.starts_with(prefix) ||
            !code.ends_with(suffix) || covered.count(code))
          continue;
        if (HttpStatusFor(code) == status) covered[code] = status;
      }
    }
  }
  EXPECT_GE(rows, 10u) << "the error table of docs/api.md was not found";
  for (const auto& [code, file] : codes) {
    unsigned status = HttpStatusFor(code);
    if (status == 400) continue;
    EXPECT_TRUE(covered.count(code))
        << code << " (" << status << ", " << file << ") is not in docs/api.md's error table";
  }
}

}  // namespace
}  // namespace yanglao::server
