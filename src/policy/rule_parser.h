// Parsing of rule-language text into a syntax tree.
#ifndef YANGLAO_POLICY_RULE_PARSER_H_
#define YANGLAO_POLICY_RULE_PARSER_H_

#include <string_view>

#include "core/status.h"
#include "policy/rule_ast.h"

namespace yanglao::policy {

// Parses `text`, which starts at `origin` (file, line, column) in its file,
// so that every node and error carries its position in the file. Fails with
// "rule.syntax" (Chinese message naming what was expected), located at the
// offending character. Nesting deeper than 64 levels is rejected
// ("rule.too_deep"), so parsing always terminates on bounded stack.
Result<ExprPtr> ParseRule(std::string_view text, const Location& origin);

}  // namespace yanglao::policy

#endif  // YANGLAO_POLICY_RULE_PARSER_H_
