// Boundary words (docs/policy-format.md, "Boundary words"): every list's
// rows that bound an age with 超过 / 不满 (未满) / 以下 use the operator the
// reading gives: 超过N周岁 -> age > N, 不满N周岁 -> age < N, N周岁以下 ->
// age <= N, or the overlap with "N周岁以上" resolved and said in the note.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>

#include "policy/rule_ast.h"
#include "policy/service_list.h"

namespace yanglao::policy {
namespace {

namespace fs = std::filesystem;

std::string Rules(const Item& item) {
  std::string out;
  if (item.eligibility) out += ToSource(*item.eligibility) + " ; ";
  if (item.benefit.amount) out += ToSource(*item.benefit.amount) + " ; ";
  if (item.benefit.percent) out += ToSource(*item.benefit.percent);
  return out;
}

TEST(BoundaryWordsTest, EveryListReadsTheBoundaryWordsOneWay) {
  const char* src = std::getenv("YANGLAO_SOURCE_DIR");
  ASSERT_NE(src, nullptr);
  // The words and the number they bound ("80 周岁" may have a space).
  const std::regex over("超过 ?([0-9]+) ?周岁");
  const std::regex under("(?:不满|未满) ?([0-9]+) ?周岁");
  const std::regex below("([0-9]+) ?周岁(?:及)?以下");
  int checked = 0;
  for (const auto& e : fs::directory_iterator(fs::path(src) / "policies")) {
    if (e.path().extension() != ".yaml") continue;
    LoadedList l = LoadServiceList(e.path());
    ASSERT_TRUE(l.ok()) << e.path();
    for (const Item& item : l.list.items) {
      const std::string text = item.target + "\n" + item.content;
      const std::string rules = Rules(item);
      auto expect = [&](const std::regex& words, const char* op, bool overlap_allowed) {
        for (auto it = std::sregex_iterator(text.begin(), text.end(), words);
             it != std::sregex_iterator(); ++it) {
          ++checked;
          std::string n = (*it)[1];
          std::string want = std::string("age ") + op + " " + n;
          bool found = rules.find(want + " ") != std::string::npos ||
                       rules.find(want + ")") != std::string::npos || rules.ends_with(want) ||
                       rules.find(want + " ;") != std::string::npos;
          if (!found && overlap_allowed) {
            // "60周岁以上70周岁以下 … 70周岁以上": both words include 70; the
            // note must say how the overlap was resolved.
            found = item.note.find("重叠") != std::string::npos;
          }
          EXPECT_TRUE(found) << e.path().filename() << " item " << item.number << ": “" << (*it)[0]
                             << "” wants " << want << " in: " << rules;
        }
      };
      expect(over, ">", false);
      expect(under, "<", false);
      expect(below, "<=", true);
    }
  }
  EXPECT_GE(checked, 3);  // Zhuzhou 29, Chibi 18.1, Ezhou 9 at least
}

}  // namespace
}  // namespace yanglao::policy
