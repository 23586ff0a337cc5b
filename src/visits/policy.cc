#include "visits/policy.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <set>

#include "core/file_io.h"

namespace yanglao::visits {

namespace {

struct Reader {
  std::string name;
  Status Error(const YAML::Node& n, std::string message, std::string field = {},
               std::string value = {}) const {
    Location where{.file = name, .field = std::move(field), .value = std::move(value)};
    if (n.IsDefined()) {
      YAML::Mark m = n.Mark();
      if (m.line >= 0) {
        where.line = m.line + 1;
        where.column = m.column + 1;
      }
    }
    return Status("visits.policy", std::move(message), std::move(where));
  }
  Result<std::string> Text(const YAML::Node& parent, const char* key, bool required) const {
    YAML::Node n = parent[key];
    if (!n.IsDefined() || n.IsNull()) {
      if (required) return Error(parent, fmt::format("缺少字段 {}", key), key);
      return std::string();
    }
    if (!n.IsScalar()) return Error(n, fmt::format("字段 {} 应为文字", key), key);
    return n.as<std::string>();
  }
  Result<int> Int(const YAML::Node& parent, const char* key, int lo, int hi,
                  std::optional<int> fallback) const {
    YAML::Node n = parent[key];
    if (!n.IsDefined() || n.IsNull()) {
      if (fallback) return *fallback;
      return Error(parent, fmt::format("缺少字段 {}", key), key);
    }
    int v = 0;
    if (!n.IsScalar() || !YAML::convert<int>::decode(n, v)) {
      return Error(n, fmt::format("字段 {} 应为整数", key), key, n.IsScalar() ? n.Scalar() : "");
    }
    if (v < lo || v > hi) {
      return Error(n, fmt::format("字段 {} 应在 {}—{} 之间", key, lo, hi), key, n.Scalar());
    }
    return v;
  }
  Result<bool> Bool(const YAML::Node& parent, const char* key) const {
    YAML::Node n = parent[key];
    if (!n.IsDefined())
      return Error(parent, fmt::format("缺少字段 {}（本地设置为 true，文件所定为 false）", key),
                   key);
    bool v = false;
    if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) {
      return Error(n, fmt::format("字段 {} 应为 true 或 false", key), key);
    }
    return v;
  }
};

Result<Tier> ParseTier(const YAML::Node& n, const Reader& r, bool is_default) {
  if (!n.IsMap()) return r.Error(n, "档次应为映射", "tiers");
  Tier t;
  Result<std::string> id = r.Text(n, "id", true);
  if (!id.ok()) return id.status();
  t.id = *id;
  Result<std::string> label = r.Text(n, "label", true);
  if (!label.ok()) return label.status();
  t.label = *label;
  Result<int> every = r.Int(n, "every_days", 1, 92, std::nullopt);
  if (!every.ok()) return every.status();
  t.every_days = *every;
  Result<bool> local = r.Bool(n, "local");
  if (!local.ok()) return local.status();
  t.local = *local;
  Result<std::string> quote = r.Text(n, "quote", true);
  if (!quote.ok()) return quote.status();
  t.quote = *quote;
  Result<std::string> note = r.Text(n, "note", false);
  if (!note.ok()) return note.status();
  t.note = *note;
  if (is_default) {
    if (n["rule"].IsDefined()) return r.Error(n["rule"], "默认档次不应有规则", "rule");
  } else {
    YAML::Node rule = n["rule"];
    Result<std::string> text = r.Text(n, "rule", true);
    if (!text.ok()) return text.status();
    t.rule = *text;
    YAML::Mark m = rule.Mark();
    t.rule_line = m.line + 1;
    t.rule_column = m.column + 1;
  }
  return t;
}

Result<VisitPolicy> Parse(const YAML::Node& root, const Reader& r,
                          const std::filesystem::path& dir) {
  if (!root.IsMap()) return r.Error(root, "探访政策文件应为映射");
  VisitPolicy p;
  p.path = r.name;
  Result<std::string> format = r.Text(root, "format", true);
  if (!format.ok()) return format.status();
  if (*format != "yanglao.visits/1") {
    return r.Error(root["format"], "不支持的格式（应为 yanglao.visits/1）", "format", *format);
  }
  Result<int> version = r.Int(root, "version", 1, 1000000, std::nullopt);
  if (!version.ok()) return version.status();
  p.version = *version;
  Result<std::string> list = r.Text(root, "list", true);
  if (!list.ok()) return list.status();
  p.list_file = (dir / *list).lexically_normal();
  Result<std::string> item = r.Text(root, "item", true);
  if (!item.ok()) return item.status();
  p.item = *item;
  Result<std::string> source = r.Text(root, "source", true);
  if (!source.ok()) return source.status();
  p.source = *source;
  YAML::Node tiers = root["tiers"];
  if (tiers.IsDefined() && !tiers.IsSequence()) return r.Error(tiers, "tiers 应为列表", "tiers");
  std::set<std::string> ids;
  for (const YAML::Node& n : tiers) {
    Result<Tier> t = ParseTier(n, r, false);
    if (!t.ok()) return t.status();
    if (!ids.insert(t->id).second) return r.Error(n, "档次 id 重复", "id", t->id);
    p.tiers.push_back(std::move(*t));
  }
  if (!root["default"].IsDefined()) return r.Error(root, "缺少字段 default（默认档次）", "default");
  Result<Tier> def = ParseTier(root["default"], r, true);
  if (!def.ok()) return def.status();
  if (!ids.insert(def->id).second) return r.Error(root["default"], "档次 id 重复", "id", def->id);
  p.default_tier = std::move(*def);
  YAML::Node events = root["events"];
  for (const YAML::Node& n : events) {
    Event e;
    Result<std::string> id = r.Text(n, "id", true);
    if (!id.ok()) return id.status();
    e.id = *id;
    Result<std::string> label = r.Text(n, "label", true);
    if (!label.ok()) return label.status();
    e.label = *label;
    Result<int> within = r.Int(n, "within_days", 0, 92, std::nullopt);
    if (!within.ok()) return within.status();
    e.within_days = *within;
    Result<bool> local = r.Bool(n, "local");
    if (!local.ok()) return local.status();
    e.local = *local;
    p.events.push_back(std::move(e));
  }
  Result<int> ahead = r.Int(root, "due_ahead_days", 0, 30, 3);
  if (!ahead.ok()) return ahead.status();
  p.due_ahead_days = *ahead;
  Result<int> escalate = r.Int(root, "escalate_after_days", 0, 92, 7);
  if (!escalate.ok()) return escalate.status();
  p.escalate_after_days = *escalate;
  for (const YAML::Node& n : root["targets"]) {
    RateTarget t;
    Result<int> year = r.Int(n, "year", 2000, 2100, std::nullopt);
    if (!year.ok()) return year.status();
    t.year = *year;
    Result<int> percent = r.Int(n, "percent", 0, 100, std::nullopt);
    if (!percent.ok()) return percent.status();
    t.percent = *percent;
    Result<std::string> quote = r.Text(n, "quote", true);
    if (!quote.ok()) return quote.status();
    t.quote = *quote;
    p.targets.push_back(std::move(t));
  }
  return p;
}

}  // namespace

std::optional<RateTarget> VisitPolicy::TargetFor(int year) const {
  std::optional<RateTarget> last;
  for (const RateTarget& t : targets) {
    if (t.year == year) return t;
    if (!last || t.year > last->year) last = t;
  }
  // After the last year a seed states, its target stays (a rate reached "by
  // 2025" is not dropped in 2026); before the first, none.
  if (last && year > last->year) return last;
  return std::nullopt;
}

std::vector<const Tier*> VisitPolicy::AllTiers() const {
  std::vector<const Tier*> out;
  for (const Tier& t : tiers) out.push_back(&t);
  out.push_back(&default_tier);
  return out;
}

const Tier* VisitPolicy::FindTier(std::string_view id) const {
  for (const Tier* t : AllTiers()) {
    if (t->id == id) return t;
  }
  return nullptr;
}

Result<VisitPolicy> ParseVisitPolicy(std::string_view text, const std::string& name,
                                     const std::filesystem::path& dir) {
  Reader r{name};
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Status("visits.policy", fmt::format("YAML 格式错误：{}", e.msg),
                  Location{.file = name, .line = e.mark.line + 1, .column = e.mark.column + 1});
  }
  try {
    return Parse(root, r, dir);
  } catch (const YAML::Exception& e) {
    return Status("visits.policy", fmt::format("探访政策文件结构错误：{}", e.msg),
                  Location{.file = name, .line = e.mark.line + 1, .column = e.mark.column + 1});
  }
}

Result<VisitPolicy> LoadVisitPolicy(const std::filesystem::path& path) {
  Result<std::string> text = ReadFileBytes(path);
  if (!text.ok()) return text.status();
  return ParseVisitPolicy(*text, path.string(), path.parent_path());
}

}  // namespace yanglao::visits
