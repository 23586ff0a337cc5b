#include "policy/rule_parser.h"

#include <gtest/gtest.h>

namespace yanglao::policy {
namespace {

Location Origin() { return Location{.file = "l.yaml", .line = 10, .column = 18}; }

std::string RoundTrip(std::string_view text) {
  Result<ExprPtr> e = ParseRule(text, Origin());
  if (!e.ok()) return "ERROR " + e.status().ToString();
  return ToSource(**e);
}

TEST(RuleParserTest, PrecedenceAndPrinting) {
  EXPECT_EQ(RoundTrip("hukou_local && age >= 80"), "hukou_local && age >= 80");
  EXPECT_EQ(RoundTrip("a || b && c"), "a || b && c");
  EXPECT_EQ(RoundTrip("(a || b) && c"), "(a || b) && c");
  EXPECT_EQ(RoundTrip("!(a && b)"), "!(a && b)");
  EXPECT_EQ(RoundTrip("1 + 2 * 3"), "1 + 2 * 3");
  EXPECT_EQ(RoundTrip("(1 + 2) * 3"), "(1 + 2) * 3");
  EXPECT_EQ(RoundTrip("10 - (4 - 3)"), "10 - (4 - 3)");
  EXPECT_EQ(RoundTrip("age >= 80 ? 40 : age >= 70 ? 30 : 20"),
            "age >= 80 ? 40 : age >= 70 ? 30 : 20");
  EXPECT_EQ(RoundTrip("disability_grade in [1, 2]"), "disability_grade in [1, 2]");
  EXPECT_EQ(RoundTrip("tekun == \"dispersed\""), "tekun == \"dispersed\"");
  EXPECT_EQ(RoundTrip("max(100元, dibao_standard * 20 / 100)"),
            "max(100元, dibao_standard * 20 / 100)");
  EXPECT_EQ(RoundTrip("12.5元 + ¥3"), "12.50元 + 3元");
  EXPECT_EQ(RoundTrip("old_age_allowance(age)"), "old_age_allowance(age)");
  EXPECT_EQ(RoundTrip("true && !false"), "true && !false");
}

TEST(RuleParserTest, LiteralValues) {
  Result<ExprPtr> e = ParseRule("100元", Origin());
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->kind, ExprKind::kMoney);
  EXPECT_EQ((*e)->value, 10000);
  e = ParseRule("0.05元", Origin());
  EXPECT_EQ((*e)->value, 5);
  e = ParseRule("80", Origin());
  EXPECT_EQ((*e)->kind, ExprKind::kInt);
  EXPECT_EQ((*e)->value, 80);
}

TEST(RuleParserTest, NodesCarryFilePositions) {
  Result<ExprPtr> e = ParseRule("hukou_local && age >= 80", Origin());
  ASSERT_TRUE(e.ok());
  const Expr& cmp = *(*e)->args[1];
  EXPECT_EQ(cmp.kind, ExprKind::kGe);
  EXPECT_EQ(cmp.line, 10);
  EXPECT_EQ(cmp.column, 18 + 19);  // the ">=" at offset 19
  EXPECT_EQ(cmp.args[0]->column, 18 + 15);
}

struct BadRule {
  const char* text;
  int column;  // 1-based within the text
  const char* message;
};

TEST(RuleParserTest, SyntaxErrorsAreLocated) {
  const BadRule cases[] = {
      {"age >= ", 8, "表达式不完整"},
      {"age >= 80 &&", 13, "表达式不完整"},
      {"age = 80", 5, "比较相等应写作 =="},
      {"age >= 80 & dibao", 11, "“并且”应写作 &&"},
      {"(age >= 80", 11, "缺少右括号“)”"},
      {"age >= 80)", 10, "表达式后有多余内容"},
      {"60 <= age < 65", 11, "比较不能连写（如 60 <= age < 65），请用 && 连接两个比较"},
      {"tekun == \"dispersed", 10, "字符串缺少结尾的引号"},
      {"age in 1", 5, "in 后应为列表，如 [1, 2]"},
      {"年龄 >= 80", 1, "无法识别的字符"},
      {"age >= 80.5", 8, "整数不能有小数；金额请加“元”，如 12.5元"},
      {"1.234元", 5, "金额最多两位小数（精确到分）"},
      {"min(1, 2", 9, "应为“,”或“）”"},
      {"age >= , 3", 8, "此处应为数值、名称、字符串或“(”"},
  };
  for (const BadRule& c : cases) {
    Result<ExprPtr> e = ParseRule(c.text, Origin());
    ASSERT_FALSE(e.ok()) << c.text;
    EXPECT_EQ(e.status().code(), "rule.syntax") << c.text;
    EXPECT_EQ(e.status().message(), c.message) << c.text;
    EXPECT_EQ(e.status().where().file, "l.yaml");
    EXPECT_EQ(e.status().where().line, 10);
    EXPECT_EQ(e.status().where().column, 18 + c.column - 1) << c.text;
  }
}

TEST(RuleParserTest, MultiLineRulesReportTheRightLine) {
  Result<ExprPtr> e = ParseRule("dibao\n  && age >=", Origin());
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().where().line, 11);
  EXPECT_EQ(e.status().where().column, 12);
}

TEST(RuleParserTest, DeepNestingIsRejectedNotOverflowed) {
  std::string deep(100, '(');
  deep += "1";
  deep += std::string(100, ')');
  Result<ExprPtr> e = ParseRule(deep, Origin());
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), "rule.too_deep");
  std::string nots(5000, '!');
  EXPECT_EQ(ParseRule(nots + "true", Origin()).status().code(), "rule.too_deep");
  std::string ok(60, '(');
  EXPECT_TRUE(ParseRule(ok + "1" + std::string(60, ')'), Origin()).ok());
}

TEST(RuleParserTest, InvalidUtf8) {
  EXPECT_EQ(ParseRule("age \xB1", Origin()).status().code(), "rule.syntax");
}

}  // namespace
}  // namespace yanglao::policy
