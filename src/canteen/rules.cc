#include "canteen/rules.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/file_io.h"
#include "core/money.h"

namespace yanglao::canteen {

namespace {

struct Reader {
  std::string name;
  Status Error(const YAML::Node& n, std::string message, std::string field = {}) const {
    Location where{.file = name, .field = std::move(field)};
    if (n.IsDefined()) {
      YAML::Mark m = n.Mark();
      if (m.line >= 0) {
        where.line = m.line + 1;
        where.column = m.column + 1;
      }
    }
    return Status("canteen.rules", std::move(message), std::move(where));
  }
  Result<std::string> Text(const YAML::Node& parent, const char* key, bool required) const {
    YAML::Node n = parent[key];
    if (!n.IsDefined() || n.IsNull()) {
      if (required) return Error(parent, fmt::format("缺少字段 {}", key), key);
      return std::string();
    }
    if (!n.IsScalar()) return Error(n, fmt::format("字段 {} 应为文字", key), key);
    return n.Scalar();
  }
  Result<int64_t> Int(const YAML::Node& parent, const char* key, int64_t fallback, int64_t min,
                      int64_t max) const {
    YAML::Node n = parent[key];
    if (!n.IsDefined() || n.IsNull()) return fallback;
    int64_t v = 0;
    if (!n.IsScalar() || !YAML::convert<int64_t>::decode(n, v) || v < min || v > max) {
      return Error(n, fmt::format("字段 {} 应为 {} 到 {} 之间的整数", key, min, max), key);
    }
    return v;
  }
};

Result<CanteenRules> Parse(const YAML::Node& root, const Reader& r,
                           const std::filesystem::path& dir) {
  CanteenRules rules;
  rules.path = r.name;
  if (!root.IsMap()) return r.Error(root, "规则文件应为 YAML 映射");
  Result<std::string> format = r.Text(root, "format", true);
  if (!format.ok()) return format.status();
  if (*format != "yanglao.canteen/1") {
    return r.Error(root["format"], "format 应为 yanglao.canteen/1", "format");
  }
  Result<std::string> list = r.Text(root, "list", true);
  if (!list.ok()) return list.status();
  rules.list_file = dir / *list;
  Result<std::string> params = r.Text(root, "params", false);
  if (!params.ok()) return params.status();
  if (!params->empty()) rules.params_file = dir / *params;
  Result<std::string> source = r.Text(root, "source", false);
  if (!source.ok()) return source.status();
  rules.source = *source;

  YAML::Node items = root["items"];
  if (items.IsDefined() && !items.IsNull()) {
    if (!items.IsSequence()) return r.Error(items, "items 应为列表", "items");
    for (const YAML::Node& n : items) {
      if (!n.IsMap()) return r.Error(n, "items 的每一项应为映射", "items");
      MealItem m;
      Result<std::string> number = r.Text(n, "item", true);
      if (!number.ok()) return number.status();
      m.item = *number;
      Result<std::string> demo = r.Text(n, "demo", false);
      if (!demo.ok()) return demo.status();
      m.demo = *demo == "true";
      Result<std::string> subsidy = r.Text(n, "subsidy_per_meal", false);
      if (!subsidy.ok()) return subsidy.status();
      if (!subsidy->empty()) {
        Result<Money> fen = Money::Parse(*subsidy);
        if (!fen.ok() || fen->is_negative()) {
          return r.Error(n["subsidy_per_meal"], "subsidy_per_meal 应为金额，如 5元",
                         "subsidy_per_meal");
        }
        m.subsidy_per_meal = fen->fen();
      }
      Result<int64_t> per_period = r.Int(n, "per_period", 1, 1, 10);
      if (!per_period.ok()) return per_period.status();
      m.per_period = static_cast<int>(*per_period);
      Result<int64_t> per_day = r.Int(n, "per_day", 3, 1, 10);
      if (!per_day.ok()) return per_day.status();
      m.per_day = static_cast<int>(*per_day);
      YAML::Node funding = n["funding"];
      if (!funding.IsSequence() || funding.size() == 0) {
        return r.Error(funding.IsDefined() ? funding : n, "funding 应为资金来源列表", "funding");
      }
      int64_t total = 0;
      for (const YAML::Node& f : funding) {
        if (!f.IsMap()) return r.Error(f, "funding 的每一项应为 {source, share}", "funding");
        Funding fu;
        Result<std::string> s = r.Text(f, "source", true);
        if (!s.ok()) return s.status();
        if (s->empty()) return r.Error(f, "资金来源不能为空", "source");
        fu.source = *s;
        Result<int64_t> share = r.Int(f, "share", -1, 1, 100);
        if (!share.ok()) return share.status();
        if (*share < 0) return r.Error(f, "缺少字段 share", "share");
        fu.share = *share;
        total += fu.share;
        m.funding.push_back(std::move(fu));
      }
      if (total != 100) {
        return r.Error(funding, fmt::format("资金来源的比例合计应为 100（现为 {}）", total),
                       "funding");
      }
      rules.items.push_back(std::move(m));
    }
  }
  YAML::Node cov = root["coverage"];
  if (cov.IsDefined() && !cov.IsNull()) {
    if (!cov.IsMap()) return r.Error(cov, "coverage 应为映射", "coverage");
    CoverageTarget t;
    Result<int64_t> urban = r.Int(cov, "urban_percent", 0, 0, 100);
    if (!urban.ok()) return urban.status();
    Result<int64_t> rural = r.Int(cov, "rural_percent", 0, 0, 100);
    if (!rural.ok()) return rural.status();
    Result<std::string> per_street = r.Text(cov, "per_street", false);
    if (!per_street.ok()) return per_street.status();
    Result<std::string> basis = r.Text(cov, "basis", true);
    if (!basis.ok()) return basis.status();
    Result<std::string> by = r.Text(cov, "by", false);
    if (!by.ok()) return by.status();
    t.urban_percent = static_cast<int>(*urban);
    t.rural_percent = static_cast<int>(*rural);
    t.per_street = *per_street == "true";
    t.basis = *basis;
    t.by = *by;
    rules.coverage = t;
  }
  return rules;
}

}  // namespace

Result<CanteenRules> LoadCanteenRulesFromString(std::string_view text, const std::string& name,
                                                const std::filesystem::path& dir) {
  Reader r{name};
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Status("canteen.rules", fmt::format("YAML 格式错误：{}", e.msg),
                  Location{.file = name, .line = e.mark.line + 1, .column = e.mark.column + 1});
  }
  try {
    return Parse(root, r, dir);
  } catch (const YAML::Exception& e) {
    return Status("canteen.rules", fmt::format("规则文件结构错误：{}", e.msg),
                  Location{.file = name, .line = e.mark.line + 1, .column = e.mark.column + 1});
  }
}

Result<CanteenRules> LoadCanteenRules(const std::filesystem::path& path) {
  Result<std::string> text = ReadFileBytes(path);
  if (!text.ok()) return text.status();
  return LoadCanteenRulesFromString(*text, path.string(), path.parent_path());
}

std::vector<int64_t> SplitByShares(int64_t fen, const std::vector<Funding>& funding) {
  std::vector<int64_t> parts(funding.size(), 0);
  int64_t given = 0;
  for (size_t i = 0; i < funding.size(); ++i) {
    parts[i] = fen * funding[i].share / 100;
    given += parts[i];
  }
  for (size_t i = 0; given < fen && !parts.empty(); i = (i + 1) % parts.size()) {
    ++parts[i];
    ++given;
  }
  return parts;
}

}  // namespace yanglao::canteen
