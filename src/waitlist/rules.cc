#include "waitlist/rules.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "policy/evaluator.h"
#include "policy/rule_checker.h"
#include "policy/rule_parser.h"

namespace yanglao::waitlist {
namespace {

struct Reader {
  std::string name;
  Location At(const YAML::Node& n, std::string field = {}) const {
    Location where{.file = name, .field = std::move(field)};
    if (n.IsDefined()) {
      YAML::Mark m = n.Mark();
      if (m.line >= 0) {
        where.line = m.line + 1;
        where.column = m.column + 1;
      }
    }
    return where;
  }
  Status Error(const YAML::Node& n, std::string message, std::string field = {}) const {
    return Status("waitlist.rules", std::move(message), At(n, std::move(field)));
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
};

}  // namespace

Result<std::unique_ptr<WaitlistRules>> WaitlistRules::Load(const std::filesystem::path& path,
                                                           CivilDate date) {
  Reader r{path.string()};
  YAML::Node root;
  try {
    root = YAML::LoadFile(path.string());
  } catch (const YAML::Exception& e) {
    Location where{.file = r.name};
    if (e.mark.line >= 0) {
      where.line = e.mark.line + 1;
      where.column = e.mark.column + 1;
    }
    return Status("waitlist.rules", fmt::format("无法读取轮候规则文件：{}", e.msg), where);
  }
  if (!root.IsMap()) return r.Error(root, "规则文件应为 YAML 映射");
  std::unique_ptr<WaitlistRules> w(new WaitlistRules());
  w->path_ = r.name;
  Result<std::string> format = r.Text(root, "format", true);
  if (!format.ok()) return format.status();
  if (*format != "yanglao.waitlist/1") {
    return r.Error(root["format"], "format 应为 yanglao.waitlist/1", "format");
  }
  Result<std::string> list = r.Text(root, "list", true);
  if (!list.ok()) return list.status();
  Result<std::string> source = r.Text(root, "source", true);
  if (!source.ok()) return source.status();
  w->source_ = *source;
  policy::LoadedList loaded = policy::LoadServiceList(path.parent_path() / *list);
  if (!loaded.ok()) {
    return Status("waitlist.rules",
                  fmt::format("服务清单有错误：{}", loaded.errors.front().message()),
                  loaded.errors.front().where());
  }
  w->list_ = std::make_unique<policy::ServiceList>(std::move(loaded.list));

  // Each condition becomes an item of the list (numbers "waitlist.N"), so
  // the list's checker types it and the planner compiles it with the
  // list's definitions.
  std::vector<std::pair<std::string, Location>> added;  // item number, where
  auto add = [&](const YAML::Node& n, const std::string& text, const char* field) -> Status {
    Location origin = r.At(n, field);
    Result<policy::ExprPtr> e = policy::ParseRule(text, origin);
    if (!e.ok()) return Status("waitlist.rules", e.status().message(), e.status().where());
    policy::Item item;
    item.number = fmt::format("waitlist.{}", added.size());
    item.name = item.number;
    item.eligibility = std::move(*e);
    item.benefit.type = policy::BenefitType::kPriority;
    item.where = origin;
    w->list_->items.push_back(std::move(item));
    added.emplace_back(w->list_->items.back().number, origin);
    return Status::Ok();
  };
  auto read_rules = [&](const char* key, std::vector<RuleText>& out) -> Status {
    YAML::Node seq = root[key];
    if (!seq.IsSequence() || seq.size() == 0) {
      return r.Error(seq.IsDefined() ? seq : root, fmt::format("{} 应为非空列表", key), key);
    }
    for (const YAML::Node& n : seq) {
      if (!n.IsMap()) return r.Error(n, fmt::format("{} 的每一项应为映射", key), key);
      RuleText t;
      for (auto [field, dest] :
           {std::pair{"name", &t.name}, std::pair{"rule", &t.rule}, std::pair{"basis", &t.basis}}) {
        Result<std::string> v = r.Text(n, field, true);
        if (!v.ok()) return v.status();
        *dest = *v;
      }
      if (n["willing"].IsDefined()) t.willing = n["willing"].as<bool>(false);
      if (Status s = add(n["rule"], t.rule, "rule"); !s.ok()) return s;
      out.push_back(std::move(t));
    }
    return Status::Ok();
  };
  if (Status s = read_rules("classes", w->classes_); !s.ok()) return s;
  if (Status s = read_rules("tie_breakers", w->tie_breakers_); !s.ok()) return s;
  YAML::Node beds = root["beds"];
  if (!beds.IsMap() || beds.size() == 0) return r.Error(root, "beds 应为非空映射", "beds");
  for (auto it = beds.begin(); it != beds.end(); ++it) {
    std::string type = it->first.Scalar();
    if (!it->second.IsScalar()) return r.Error(it->second, "床位类型的条件应为规则", type);
    if (Status s = add(it->second, it->second.Scalar(), "beds"); !s.ok()) return s;
    w->bed_types_.push_back(type);
  }
  YAML::Node order = root["order"];
  if (!order.IsSequence()) return r.Error(root, "缺少字段 order（列表）", "order");
  const policy::FactSchema& schema = policy::FactSchema::Person();
  for (const YAML::Node& n : order) {
    std::string key = n.IsScalar() ? n.Scalar() : "";
    OrderKey k;
    if (key == "tie_breakers") {
      k.kind = OrderKey::Kind::kTieBreakers;
      k.label = "同等条件下优先";
    } else if (key == "waiting") {
      k.kind = OrderKey::Kind::kWaiting;
      k.label = "轮候时间";
    } else {
      size_t space = key.find(' ');
      std::string fact = key.substr(0, space);
      std::string dir = space == std::string::npos ? "asc" : key.substr(space + 1);
      std::optional<size_t> slot = schema.Find(fact);
      if (!slot || schema.at(*slot).type != policy::FactType::kInt ||
          (dir != "asc" && dir != "desc")) {
        return r.Error(n, "order 的每一项应为“整数事实 asc|desc”、tie_breakers 或 waiting",
                       "order");
      }
      k.kind = OrderKey::Kind::kFact;
      k.slot = *slot;
      k.desc = dir == "desc";
      k.label = schema.at(*slot).label;
    }
    w->order_.push_back(std::move(k));
  }
  if (YAML::Node ref = root["refusals"]; ref.IsMap() && ref["max"].IsDefined()) {
    int v = ref["max"].as<int>(-1);
    if (v < 0 || v > 100) return r.Error(ref["max"], "refusals.max 应为 0 到 100 的整数", "max");
    w->max_refusals_ = v;
  }
  if (YAML::Node ref = root["refusals"]; ref.IsMap()) {
    if (YAML::Node wt = ref["waiting"]; wt.IsDefined()) {
      std::string v = wt.IsScalar() ? wt.Scalar() : "";
      if (v != "keep" && v != "restart") {
        return r.Error(wt, "refusals.waiting 应为 keep（保留轮候时间）或 restart（重新计算）",
                       "waiting");
      }
      w->refusal_restart_ = v == "restart";
    }
    Result<std::string> basis = r.Text(ref, "basis", false);
    if (!basis.ok()) return basis.status();
    w->refusal_basis_ = *basis;
  }
  if (YAML::Node targets = root["targets"]; targets.IsDefined()) {
    static const std::map<std::string, std::string> kLabels = {
        {"beds_total", "养老床位总数"},
        {"nursing_bed_share", "护理型床位占比"},
        {"social_bed_share", "社会力量举办或经营的床位占比"},
        {"county_tekun_institution", "县级特困人员供养服务机构（以失能特困人员专业照护为主）"},
        {"tekun_centralised_rate", "有集中供养意愿的特困老年人集中供养率"},
    };
    if (!targets.IsSequence()) return r.Error(targets, "targets 应为列表", "targets");
    for (const YAML::Node& n : targets) {
      if (!n.IsMap()) return r.Error(n, "targets 的每一项应为映射", "targets");
      Target t;
      Result<std::string> key = r.Text(n, "key", true);
      if (!key.ok()) return key.status();
      auto label = kLabels.find(*key);
      if (label == kLabels.end()) {
        return r.Error(n["key"],
                       "targets.key 应为 beds_total、nursing_bed_share、social_bed_share、"
                       "county_tekun_institution 或 tekun_centralised_rate",
                       "key");
      }
      t.key = *key;
      t.label = label->second;
      Result<std::string> quote = r.Text(n, "quote", true);
      if (!quote.ok()) return quote.status();
      t.quote = *quote;
      Result<std::string> note = r.Text(n, "note", false);
      if (!note.ok()) return note.status();
      t.note = *note;
      YAML::Node min = n["min"];
      double v = -1;
      try {
        if (min.IsScalar()) v = min.as<double>();
      } catch (const YAML::Exception&) {
        v = -1;
      }
      bool share = t.key.ends_with("_share") || t.key.ends_with("_rate");
      if (v < 0 || (share && v > 1) || v > 1e7) {
        return r.Error(min.IsDefined() ? min : n,
                       share ? "targets.min 应为 0 到 1 的比例" : "targets.min 应为非负数", "min");
      }
      t.min = v;
      w->targets_.push_back(std::move(t));
    }
  }

  std::vector<Status> errors;
  policy::CheckListRules(*w->list_, schema, errors);
  if (!errors.empty()) {
    return Status("waitlist.rules", errors.front().message(), errors.front().where());
  }
  std::vector<int32_t> nodes;
  for (const auto& [number, where] : added) {
    const policy::Item* item = nullptr;
    for (const policy::Item& i : w->list_->items) {
      if (i.number == number) item = &i;
    }
    Result<policy::CompiledItem> c = policy::CompileItem(*w->list_, *item, date, w->plan_);
    if (!c.ok()) return Status("waitlist.rules", c.status().message(), where);
    nodes.push_back(c->rule);
  }
  size_t at = 0;
  for (size_t i = 0; i < w->classes_.size(); ++i) w->class_nodes_.push_back(nodes[at++]);
  for (size_t i = 0; i < w->tie_breakers_.size(); ++i) w->tie_nodes_.push_back(nodes[at++]);
  for (const std::string& t : w->bed_types_) w->bed_nodes_[t] = nodes[at++];
  return w;
}

bool WaitlistRules::Holds(int32_t node, const policy::PersonFacts& facts) const {
  return policy::EvaluateNode(plan_, node, facts) != 0;
}

size_t WaitlistRules::ClassOf(const policy::PersonFacts& facts, bool willing) const {
  for (size_t i = 0; i < classes_.size(); ++i) {
    if (classes_[i].willing && !willing) continue;
    if (Holds(class_nodes_[i], facts)) return i;
  }
  return classes_.size();
}

size_t WaitlistRules::TieBreakerOf(const policy::PersonFacts& facts) const {
  for (size_t i = 0; i < tie_breakers_.size(); ++i) {
    if (Holds(tie_nodes_[i], facts)) return i;
  }
  return tie_breakers_.size();
}

bool WaitlistRules::MayTake(const std::string& bed_type, const policy::PersonFacts& facts) const {
  auto it = bed_nodes_.find(bed_type);
  return it != bed_nodes_.end() && Holds(it->second, facts);
}

Result<policy::PersonFacts> FactsFromText(std::string_view text) {
  const policy::FactSchema& schema = policy::FactSchema::Person();
  policy::PersonFacts facts(schema.size(), 0);
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find(' ', i);
    if (j == std::string_view::npos) j = text.size();
    std::string_view pair = text.substr(i, j - i);
    i = j + 1;
    if (pair.empty()) continue;
    auto bad = [&](const char* why) {
      return Status("waitlist.fact", fmt::format("事实“{}”{}", pair, why),
                    Location{.field = "facts", .value = std::string(pair)});
    };
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) return bad("应为 名称=值");
    std::optional<size_t> slot = schema.Find(pair.substr(0, eq));
    if (!slot) return bad("不是已知的事实");
    std::string_view v = pair.substr(eq + 1);
    const policy::FactInfo& f = schema.at(*slot);
    int64_t value = 0;
    if (f.type == policy::FactType::kBool) {
      if (v == "true" || v == "1") {
        value = 1;
      } else if (v != "false" && v != "0") {
        return bad("的值应为 true 或 false");
      }
    } else if (f.type == policy::FactType::kEnum) {
      std::optional<int64_t> e = schema.EnumIndex(*slot, v);
      if (!e) return bad("的值不是该事实的取值");
      value = *e;
    } else {
      try {
        size_t used = 0;
        value = std::stoll(std::string(v), &used);
        if (used != v.size() || value < f.min || value > f.max) return bad("的值超出范围");
      } catch (...) {
        return bad("的值应为整数");
      }
    }
    facts[*slot] = value;
  }
  return facts;
}

std::string FactsToText(const policy::PersonFacts& facts) {
  const policy::FactSchema& schema = policy::FactSchema::Person();
  std::string out;
  for (size_t i = 0; i < facts.size() && i < schema.size(); ++i) {
    if (facts[i] == 0) continue;
    const policy::FactInfo& f = schema.at(i);
    std::string v = f.type == policy::FactType::kBool ? "true"
                    : f.type == policy::FactType::kEnum
                        ? f.enum_values[static_cast<size_t>(facts[i])]
                        : std::to_string(facts[i]);
    if (!out.empty()) out += ' ';
    out += f.name + "=" + v;
  }
  return out;
}

}  // namespace yanglao::waitlist
