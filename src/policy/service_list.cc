#include "policy/service_list.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "core/file_io.h"
#include "core/money.h"
#include "core/region.h"
#include "policy/fact_schema.h"
#include "policy/rule_checker.h"
#include "policy/rule_parser.h"

namespace yanglao::policy {

std::string_view SectionName(Section s) {
  switch (s) {
    case Section::kNone:
      return "";
    case Section::kUniversal:
      return "普惠";
    case Section::kSafeguard:
      return "保障";
    case Section::kExtension:
      return "拓展";
  }
  return "";
}

std::string_view BenefitTypeName(BenefitType t) {
  switch (t) {
    case BenefitType::kCash:
      return "现金";
    case BenefitType::kDiscount:
      return "优惠";
    case BenefitType::kService:
      return "服务";
    case BenefitType::kInKind:
      return "实物/供养";
    case BenefitType::kPriority:
      return "优先";
    case BenefitType::kFacility:
      return "设施";
  }
  return "";
}

std::string_view RecipientName(Recipient r) {
  switch (r) {
    case Recipient::kOlderPerson:
      return "老年人本人";
    case Recipient::kFamilyCarer:
      return "家庭照护者（家庭成员）";
    case Recipient::kHousehold:
      return "老年人家庭（户）";
    case Recipient::kProvider:
      return "服务机构";
  }
  return "";
}

std::string_view GrantName(Grant g) {
  switch (g) {
    case Grant::kStanding:
      return "按月主动核定";
    case Grant::kEvent:
      return "发生相应情形时";
    case Grant::kApplication:
      return "经申请、个案认定";
  }
  return "";
}

std::string_view CashPeriodSuffix(CashPeriod p) {
  switch (p) {
    case CashPeriod::kMonth:
      return "元/月";
    case CashPeriod::kYear:
      return "元/年";
    case CashPeriod::kOnce:
      return "元";
  }
  return "";
}

std::string FormatCash(const Item& item, int64_t fen) {
  switch (item.benefit.period) {
    case CashPeriod::kMonth:
      return Money::Fen(fen).FormatPer(Period::kMonth);
    case CashPeriod::kYear:
      return Money::Fen(fen).FormatPer(Period::kYear);
    case CashPeriod::kOnce:
      break;
  }
  return Money::Fen(fen).FormatPer(Period::kOnce);
}

std::string ServiceFrequency(const std::string& per, int64_t times) {
  if (per == "on_request") return "按需提供";
  if (per == "once") return times == 1 ? "一次" : fmt::format("共{}次", times);
  return fmt::format("每{}{}次", per == "month" ? "月" : "年", times);
}

const DatedValue* Parameter::At(CivilDate date) const {
  const DatedValue* found = nullptr;
  for (const DatedValue& v : values) {
    if (v.from <= date) found = &v;
  }
  return found;
}

const Item* ServiceList::FindItem(std::string_view number) const {
  for (const Item& i : items) {
    if (i.number == number) return &i;
  }
  return nullptr;
}

const Parameter* ServiceList::FindParameter(std::string_view name) const {
  for (const Parameter& p : parameters) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const Definition* ServiceList::FindDefinition(std::string_view name) const {
  for (const Definition& d : definitions) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

namespace {

// Reads the YAML of a list or parameter file, collecting located errors.
class Reader {
 public:
  Reader(std::string file, std::vector<Status>& errors) : file_(std::move(file)), errors_(errors) {}

  Location At(const YAML::Node& n) const {
    YAML::Mark m = n.Mark();
    if (m.line < 0) return Location{.file = file_};
    return Location{.file = file_, .line = m.line + 1, .column = m.column + 1};
  }

  void Error(const YAML::Node& n, std::string code, std::string message, std::string value = "") {
    Location where = At(n);
    where.value = std::move(value);
    errors_.push_back(Status(std::move(code), std::move(message), std::move(where)));
  }

  // Reports keys of `map` not in `known`.
  void CheckKeys(const YAML::Node& map, std::initializer_list<std::string_view> known,
                 std::string_view what) {
    if (!map.IsMap()) return;
    for (const auto& kv : map) {
      std::string key = kv.first.Scalar();
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        Error(kv.first, "policy.unknown_key", fmt::format("{}中有未知的字段「{}」", what, key),
              key);
      }
    }
  }

  // A scalar string field; "" if absent. Reports a missing required field
  // or a non-scalar value.
  std::string Text(const YAML::Node& map, const char* key, bool required, std::string_view what) {
    YAML::Node n = map[key];
    if (!n || n.IsNull()) {
      if (required) {
        Error(map, "policy.missing_field", fmt::format("{}缺少字段「{}」", what, key));
      }
      return "";
    }
    if (!n.IsScalar()) {
      Error(n, "policy.field_type", fmt::format("{}的字段「{}」应为文字", what, key));
      return "";
    }
    return n.Scalar();
  }

  std::optional<CivilDate> Date(const YAML::Node& map, const char* key, bool required,
                                std::string_view what) {
    std::string s = Text(map, key, required, what);
    if (s.empty()) return std::nullopt;
    Result<CivilDate> d = CivilDate::Parse(s);
    if (!d.ok()) {
      Error(map[key], d.status().code(),
            fmt::format("{}的「{}」：{}", what, key, d.status().message()), s);
      return std::nullopt;
    }
    return *d;
  }

  // Parses the rule in `n` (a scalar) with positions mapped into the file.
  ExprPtr Rule(const YAML::Node& n, std::string_view what) {
    if (!n || n.IsNull()) return nullptr;
    if (!n.IsScalar()) {
      Error(n, "policy.field_type", fmt::format("{}应为一条规则（文字）", what));
      return nullptr;
    }
    Location origin = At(n);
    if (n.Tag() == "!") origin.column += 1;  // quoted scalar: the mark is at the quote
    std::string text = n.Scalar();
    // YAML may parse a bare `true` as a bool scalar; the text is what counts.
    Result<ExprPtr> e = ParseRule(text, origin);
    if (!e.ok()) {
      errors_.push_back(e.status());
      return nullptr;
    }
    return std::move(*e);
  }

  // A value of a parameter: money ("100元") or int.
  std::optional<int64_t> Value(const YAML::Node& n, bool money, std::string_view what) {
    if (!n || !n.IsScalar()) {
      Error(n ? n : YAML::Node(), "policy.field_type", fmt::format("{}应为一个数值", what));
      return std::nullopt;
    }
    std::string s = n.Scalar();
    if (money) {
      if (!s.ends_with("元")) {
        Error(n, "policy.money_unit", fmt::format("{}是金额，应写作如 100元", what), s);
        return std::nullopt;
      }
      Result<Money> m = Money::Parse(s);
      if (!m.ok()) {
        Error(n, m.status().code(), fmt::format("{}：{}", what, m.status().message()), s);
        return std::nullopt;
      }
      return m->fen();
    }
    try {
      size_t used = 0;
      long long v = std::stoll(s, &used);
      if (used == s.size()) return v;
    } catch (const std::exception&) {
    }
    Error(n, "policy.int_format", fmt::format("{}应为整数", what), s);
    return std::nullopt;
  }

  std::vector<DatedValue> Values(const YAML::Node& seq, const Parameter& p, std::string_view what) {
    std::vector<DatedValue> out;
    if (!seq || seq.IsNull()) return out;
    if (!seq.IsSequence()) {
      Error(seq, "policy.field_type", fmt::format("{}的 values 应为列表", what));
      return out;
    }
    for (const YAML::Node& v : seq) {
      if (!v.IsMap()) {
        Error(v, "policy.field_type", fmt::format("{}的每个取值应含 from 和 value", what));
        continue;
      }
      CheckKeys(v, {"from", "value", "brackets", "note"}, what);
      DatedValue dv;
      std::optional<CivilDate> from = Date(v, "from", true, what);
      if (!from) continue;
      dv.from = *from;
      if (p.scale_slot) {
        YAML::Node brackets = v["brackets"];
        if (!brackets || !brackets.IsSequence()) {
          Error(v, "policy.missing_field", fmt::format("{}按档取值，应有 brackets 列表", what));
          continue;
        }
        for (const YAML::Node& b : brackets) {
          CheckKeys(b, {"min", "value"}, what);
          std::optional<int64_t> min = Value(b["min"], false, fmt::format("{}的 min", what));
          std::optional<int64_t> val = Value(b["value"], p.money, fmt::format("{}的 value", what));
          if (min && val) dv.brackets.emplace_back(*min, *val);
        }
        std::sort(dv.brackets.begin(), dv.brackets.end());
      } else {
        std::optional<int64_t> val = Value(v["value"], p.money, what);
        if (!val) continue;
        dv.value = *val;
      }
      out.push_back(std::move(dv));
    }
    std::sort(out.begin(), out.end(),
              [](const DatedValue& a, const DatedValue& b) { return a.from < b.from; });
    for (size_t i = 1; i < out.size(); ++i) {
      if (out[i].from == out[i - 1].from) {
        Error(seq, "policy.duplicate_date",
              fmt::format("{}在 {} 有两个取值", what, out[i].from.ToString()));
      }
    }
    return out;
  }

  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::vector<Status>& errors_;
};

std::optional<YAML::Node> ParseYaml(std::string_view text, const std::string& name,
                                    std::vector<Status>& errors) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    errors.push_back(
        Status("policy.yaml", fmt::format("YAML 格式错误：{}", e.msg),
               Location{.file = name, .line = e.mark.line + 1, .column = e.mark.column + 1}));
    return std::nullopt;
  }
}

ServiceKind KindOf(std::string_view label, bool& ok) {
  ok = true;
  if (label == "物资帮助" || label == "物质帮助") return ServiceKind::kMaterialAid;
  if (label == "照护服务") return ServiceKind::kCare;
  if (label == "关爱服务") return ServiceKind::kCaring;
  if (label == "咨询服务") return ServiceKind::kAdvice;
  ok = false;
  return ServiceKind::kCare;
}

void ReadParameters(Reader& r, const YAML::Node& node, ServiceList& list) {
  if (!node || node.IsNull()) return;
  if (!node.IsMap()) {
    r.Error(node, "policy.field_type", "parameters 应为映射（名称: 定义）");
    return;
  }
  const FactSchema& schema = FactSchema::Person();
  for (const auto& kv : node) {
    Parameter p;
    p.name = kv.first.Scalar();
    p.where = r.At(kv.first);
    const YAML::Node& def = kv.second;
    std::string what = fmt::format("参数「{}」", p.name);
    if (!def.IsMap()) {
      r.Error(def, "policy.field_type", what + "应为映射");
      continue;
    }
    r.CheckKeys(def, {"label", "type", "unit", "source", "scale", "values", "note"}, what);
    p.label = r.Text(def, "label", true, what);
    std::string type = r.Text(def, "type", true, what);
    if (type != "money" && type != "int") {
      r.Error(def, "policy.param_type", what + "的 type 应为 money 或 int", type);
    }
    p.money = type != "int";
    p.unit = r.Text(def, "unit", false, what);
    p.source = r.Text(def, "source", true, what);
    std::string scale = r.Text(def, "scale", false, what);
    if (!scale.empty()) {
      auto slot = schema.Find(scale);
      if (!slot || schema.at(*slot).type != FactType::kInt) {
        r.Error(def["scale"], "policy.param_scale", what + "的 scale 应为整数型事实（如 age）",
                scale);
      } else {
        p.scale_slot = slot;
      }
    }
    if (schema.Find(p.name)) {
      r.Error(kv.first, "policy.name_clash", fmt::format("参数名「{}」与事实重名", p.name), p.name);
    }
    if (list.FindParameter(p.name)) {
      r.Error(kv.first, "policy.duplicate_name", fmt::format("参数「{}」重复定义", p.name), p.name);
    }
    p.values = r.Values(def["values"], p, what);
    list.parameters.push_back(std::move(p));
  }
}

void ReadDefinitions(Reader& r, const YAML::Node& node, ServiceList& list) {
  if (!node || node.IsNull()) return;
  if (!node.IsMap()) {
    r.Error(node, "policy.field_type", "definitions 应为映射（名称: 定义）");
    return;
  }
  for (const auto& kv : node) {
    Definition d;
    d.name = kv.first.Scalar();
    d.where = r.At(kv.first);
    std::string what = fmt::format("定义「{}」", d.name);
    if (!kv.second.IsMap()) {
      r.Error(kv.second, "policy.field_type", what + "应为映射（label, expr）");
      continue;
    }
    r.CheckKeys(kv.second, {"label", "expr", "note"}, what);
    d.label = r.Text(kv.second, "label", true, what);
    d.note = r.Text(kv.second, "note", false, what);
    if (!kv.second["expr"]) r.Error(kv.second, "policy.missing_field", what + "缺少字段「expr」");
    d.expr = r.Rule(kv.second["expr"], what);
    if (FactSchema::Person().Find(d.name) || list.FindParameter(d.name)) {
      r.Error(kv.first, "policy.name_clash", fmt::format("定义名「{}」与事实或参数重名", d.name),
              d.name);
    }
    if (list.FindDefinition(d.name)) {
      r.Error(kv.first, "policy.duplicate_name", fmt::format("定义「{}」重复", d.name), d.name);
    }
    list.definitions.push_back(std::move(d));
  }
}

void ReadBenefit(Reader& r, const YAML::Node& node, Item& item, const std::string& what) {
  if (!node || !node.IsMap()) {
    r.Error(node ? node : YAML::Node(), "policy.missing_field", what + "缺少 benefit（映射）");
    return;
  }
  std::string type = r.Text(node, "type", true, what + "的 benefit");
  Benefit& b = item.benefit;
  std::string bw = what + "的 benefit";
  if (type == "cash") {
    b.type = BenefitType::kCash;
    r.CheckKeys(
        node, {"type", "period", "amount", "note", "recipient", "grant", "condition", "once"}, bw);
    std::string period = r.Text(node, "period", true, bw);
    if (period == "month")
      b.period = CashPeriod::kMonth;
    else if (period == "year")
      b.period = CashPeriod::kYear;
    else if (period == "once")
      b.period = CashPeriod::kOnce;
    else if (!period.empty())
      r.Error(node["period"], "policy.enum", bw + "的 period 应为 month、year 或 once", period);
    if (!node["amount"]) r.Error(node, "policy.missing_field", bw + "缺少 amount");
    b.amount = r.Rule(node["amount"], bw + "的 amount");
  } else if (type == "discount") {
    b.type = BenefitType::kDiscount;
    r.CheckKeys(
        node, {"type", "percent", "on", "also", "note", "recipient", "grant", "condition", "once"},
        bw);
    if (!node["percent"]) r.Error(node, "policy.missing_field", bw + "缺少 percent");
    b.percent = r.Rule(node["percent"], bw + "的 percent");
    b.text = r.Text(node, "on", false, bw);
    if (const YAML::Node also = node["also"]; also) {
      if (!also.IsSequence()) {
        r.Error(also, "policy.field_type", bw + "的 also 应为列表（每项写 percent 与 on）");
      } else {
        for (const YAML::Node& part : also) {
          std::string pw = bw + "的 also";
          if (!part.IsMap()) {
            r.Error(part, "policy.field_type", pw + "的每项应写 percent 与 on");
            continue;
          }
          r.CheckKeys(part, {"percent", "on"}, pw);
          if (!part["percent"]) r.Error(part, "policy.missing_field", pw + "缺少 percent");
          b.also.push_back(DiscountPart{r.Rule(part["percent"], pw + "的 percent"),
                                        r.Text(part, "on", true, pw)});
        }
      }
    }
  } else if (type == "service") {
    b.type = BenefitType::kService;
    r.CheckKeys(
        node,
        {"type", "per", "times", "provider", "note", "recipient", "grant", "condition", "once"},
        bw);
    b.per = r.Text(node, "per", true, bw);
    if (!b.per.empty() && b.per != "year" && b.per != "month" && b.per != "once" &&
        b.per != "on_request") {
      r.Error(node["per"], "policy.enum", bw + "的 per 应为 year、month、once 或 on_request",
              b.per);
    }
    if (node["times"]) b.times = r.Value(node["times"], false, bw + "的 times").value_or(1);
    b.text = r.Text(node, "provider", false, bw);
  } else if (type == "in_kind" || type == "facility") {
    b.type = type == "in_kind" ? BenefitType::kInKind : BenefitType::kFacility;
    r.CheckKeys(node, {"type", "what", "note", "recipient", "grant", "condition", "once"}, bw);
    b.text = r.Text(node, "what", false, bw);
  } else if (type == "priority") {
    b.type = BenefitType::kPriority;
    r.CheckKeys(node, {"type", "for", "note", "recipient", "grant", "condition", "once"}, bw);
    b.text = r.Text(node, "for", false, bw);
  } else if (!type.empty()) {
    r.Error(node["type"], "policy.enum",
            bw + "的 type 应为 cash、discount、service、in_kind、priority 或 facility", type);
  }
  std::string recipient = r.Text(node, "recipient", false, bw);
  if (recipient.empty() || recipient == "older_person")
    b.recipient = Recipient::kOlderPerson;
  else if (recipient == "family_carer")
    b.recipient = Recipient::kFamilyCarer;
  else if (recipient == "household")
    b.recipient = Recipient::kHousehold;
  else if (recipient == "provider")
    b.recipient = Recipient::kProvider;
  else
    r.Error(node["recipient"], "policy.enum",
            bw + "的 recipient 应为 older_person、family_carer、household 或 provider", recipient);
  std::string grant = r.Text(node, "grant", false, bw);
  if (grant.empty() || grant == "standing")
    b.grant = Grant::kStanding;
  else if (grant == "event")
    b.grant = Grant::kEvent;
  else if (grant == "application")
    b.grant = Grant::kApplication;
  else
    r.Error(node["grant"], "policy.enum", bw + "的 grant 应为 standing、event 或 application",
            grant);
  b.condition = r.Text(node, "condition", b.grant != Grant::kStanding, bw);
  std::string once = r.Text(node, "once", false, bw);
  if (!once.empty() && (b.type != BenefitType::kCash || b.period != CashPeriod::kOnce)) {
    r.Error(node["once"], "policy.field_type", bw + "的 once 只用于 period: once 的现金待遇", once);
  } else if (once == "event") {
    b.once_per_event = true;
  } else if (!once.empty() && once != "person") {
    r.Error(node["once"], "policy.enum", bw + "的 once 应为 person 或 event", once);
  }
}

void ReadItems(Reader& r, const YAML::Node& node, ServiceList& list) {
  if (!node || !node.IsSequence()) {
    r.Error(node ? node : YAML::Node(), "policy.missing_field", "缺少 items 列表");
    return;
  }
  std::set<std::string> numbers;
  for (const YAML::Node& n : node) {
    Item item;
    item.where = r.At(n);
    if (!n.IsMap()) {
      r.Error(n, "policy.field_type", "items 的每一项应为映射");
      continue;
    }
    item.number = r.Text(n, "number", true, "服务项目");
    std::string what = fmt::format("第{}项", item.number);
    r.CheckKeys(n,
                {"number", "name", "content", "target", "kind", "departments", "basis", "note",
                 "task", "section", "eligibility", "benefit", "targets"},
                what);
    if (!item.number.empty() && !numbers.insert(item.number).second) {
      r.Error(n["number"], "policy.duplicate_item", fmt::format("序号 {} 重复", item.number),
              item.number);
    }
    item.name = r.Text(n, "name", true, what);
    item.content = r.Text(n, "content", true, what);
    item.target = r.Text(n, "target", true, what);
    item.kind_label = r.Text(n, "kind", true, what);
    bool kind_ok = true;
    item.kind = KindOf(item.kind_label, kind_ok);
    if (!item.kind_label.empty() && !kind_ok) {
      r.Error(n["kind"], "policy.enum",
              what + "的服务类型应为 物资帮助/物质帮助、照护服务、关爱服务 或 咨询服务",
              item.kind_label);
    }
    YAML::Node deps = n["departments"];
    if (!deps || !deps.IsSequence() || deps.size() == 0) {
      r.Error(deps ? deps : n, "policy.missing_field",
              what + "应有 departments 列表（牵头责任部门）");
    } else {
      for (const YAML::Node& d : deps) item.departments.push_back(d.Scalar());
    }
    item.basis = r.Text(n, "basis", false, what);
    item.note = r.Text(n, "note", false, what);
    item.task = r.Text(n, "task", false, what);
    std::string section = r.Text(n, "section", false, what);
    if (section == "universal")
      item.section = Section::kUniversal;
    else if (section == "safeguard")
      item.section = Section::kSafeguard;
    else if (section == "extension")
      item.section = Section::kExtension;
    else if (!section.empty())
      r.Error(n["section"], "policy.enum",
              what + "的 section 应为 universal、safeguard 或 extension", section);
    if (!n["eligibility"]) r.Error(n, "policy.missing_field", what + "缺少 eligibility 规则");
    item.eligibility = r.Rule(n["eligibility"], what + "的 eligibility");
    ReadBenefit(r, n["benefit"], item, what);
    if (YAML::Node targets = n["targets"]; targets && targets.IsSequence()) {
      for (const YAML::Node& t : targets) {
        r.CheckKeys(t, {"what", "value", "unit", "by", "note"}, what + "的 targets");
        item.targets.push_back(
            Target{r.Text(t, "what", true, what), r.Text(t, "value", false, what),
                   r.Text(t, "unit", false, what), r.Text(t, "by", false, what)});
      }
    }
    list.items.push_back(std::move(item));
  }
}

// Assigns sections from the top-level `sections` ranges to items that have
// no explicit section.
void ReadSections(Reader& r, const YAML::Node& node, ServiceList& list) {
  if (!node || node.IsNull()) return;
  if (!node.IsMap()) {
    r.Error(node, "policy.field_type", "sections 应为映射，如 universal: [1, 11]");
    return;
  }
  r.CheckKeys(node, {"universal", "safeguard", "extension"}, "sections");
  const std::pair<const char*, Section> names[] = {{"universal", Section::kUniversal},
                                                   {"safeguard", Section::kSafeguard},
                                                   {"extension", Section::kExtension}};
  for (auto [key, section] : names) {
    YAML::Node range = node[key];
    if (!range) continue;
    if (!range.IsSequence() || range.size() != 2) {
      r.Error(range, "policy.field_type", fmt::format("sections.{} 应为 [起, 止]", key));
      continue;
    }
    std::optional<int64_t> lo = r.Value(range[0], false, "sections"),
                           hi = r.Value(range[1], false, "sections");
    if (!lo || !hi) continue;
    for (Item& item : list.items) {
      try {
        size_t used = 0;
        long long n = std::stoll(item.number, &used);
        if (used == item.number.size() && n >= *lo && n <= *hi && item.section == Section::kNone) {
          item.section = section;
        }
      } catch (const std::exception&) {
      }
    }
  }
}

void ReadGroups(Reader& r, const YAML::Node& node, ServiceList& list) {
  if (!node || node.IsNull()) return;
  for (const auto& kv : node) {
    ExclusiveGroup g;
    g.name = kv.first.Scalar();
    std::string what = fmt::format("互斥组「{}」", g.name);
    r.CheckKeys(kv.second, {"items", "rule", "note"}, what);
    g.rule = r.Text(kv.second, "rule", true, what);
    if (g.rule != "highest")
      r.Error(kv.second, "policy.enum", what + "的 rule 目前只支持 highest（就高不就低）", g.rule);
    g.note = r.Text(kv.second, "note", false, what);
    YAML::Node items = kv.second["items"];
    if (!items || !items.IsSequence() || items.size() < 2) {
      r.Error(kv.second, "policy.field_type", what + "的 items 应列出至少两个序号");
    } else {
      for (const YAML::Node& i : items) {
        g.items.push_back(i.Scalar());
        const Item* item = list.FindItem(i.Scalar());
        if (item == nullptr) {
          r.Error(i, "policy.unknown_item",
                  fmt::format("{}引用了不存在的序号 {}", what, i.Scalar()), i.Scalar());
        } else if (item->benefit.type != BenefitType::kCash) {
          r.Error(i, "policy.group_item",
                  fmt::format("{}中的第{}项不是现金待遇，无法比较高低", what, i.Scalar()),
                  i.Scalar());
        }
      }
    }
    list.exclusive_groups.push_back(std::move(g));
  }
}

}  // namespace

LoadedList LoadServiceListFromString(std::string_view text, const std::string& name) {
  LoadedList out;
  out.list.path = name;
  std::optional<YAML::Node> root = ParseYaml(text, name, out.errors);
  if (!root) return out;
  Reader r(name, out.errors);
  if (!root->IsMap()) {
    r.Error(*root, "policy.field_type", "清单文件的顶层应为映射");
    return out;
  }
  const YAML::Node& doc = *root;
  r.CheckKeys(doc,
              {"format", "jurisdiction", "title", "issuer", "document", "document_title", "issued",
               "effective", "parent", "source", "note", "sections", "section_note", "parameters",
               "definitions", "items", "exclusive_groups"},
              "清单");
  std::string format = r.Text(doc, "format", true, "清单");
  if (!format.empty() && format != "yanglao.list/1") {
    r.Error(doc["format"], "policy.format", "format 应为 yanglao.list/1", format);
  }
  ServiceList& list = out.list;
  list.jurisdiction = r.Text(doc, "jurisdiction", true, "清单");
  if (!list.jurisdiction.empty() && RegionTable::Builtin().Find(list.jurisdiction) == nullptr) {
    r.Error(doc["jurisdiction"], "policy.jurisdiction", "jurisdiction 不是有效的行政区划代码",
            list.jurisdiction);
  }
  list.title = r.Text(doc, "title", true, "清单");
  list.issuer = r.Text(doc, "issuer", true, "清单");
  list.document = r.Text(doc, "document", false, "清单");
  list.document_title = r.Text(doc, "document_title", false, "清单");
  list.issued = r.Date(doc, "issued", true, "清单");
  if (YAML::Node eff = doc["effective"]; eff && eff.IsMap()) {
    r.CheckKeys(eff, {"from", "to"}, "effective");
    list.effective_from = r.Date(eff, "from", true, "effective");
    list.effective_to = r.Date(eff, "to", false, "effective");
  }
  list.parent = r.Text(doc, "parent", false, "清单");
  list.source = r.Text(doc, "source", false, "清单");
  list.note = r.Text(doc, "note", false, "清单");
  list.section_note = r.Text(doc, "section_note", false, "清单");
  ReadParameters(r, doc["parameters"], list);
  ReadDefinitions(r, doc["definitions"], list);
  ReadItems(r, doc["items"], list);
  ReadSections(r, doc["sections"], list);
  ReadGroups(r, doc["exclusive_groups"], list);
  CheckListRules(list, FactSchema::Person(), out.errors);
  std::stable_sort(out.errors.begin(), out.errors.end(), [](const Status& a, const Status& b) {
    return std::pair(a.where().line, a.where().column) <
           std::pair(b.where().line, b.where().column);
  });
  return out;
}

LoadedList LoadServiceList(const std::filesystem::path& path) {
  Result<std::string> text = ReadFileBytes(path);
  if (!text.ok()) {
    LoadedList out;
    out.list.path = path.string();
    out.errors.push_back(text.status());
    return out;
  }
  return LoadServiceListFromString(*text, path.string());
}

void ApplyParameterFile(const std::filesystem::path& path, ServiceList& list,
                        std::vector<Status>& errors) {
  Result<std::string> text = ReadFileBytes(path);
  if (!text.ok()) {
    errors.push_back(text.status());
    return;
  }
  std::optional<YAML::Node> root = ParseYaml(*text, path.string(), errors);
  if (!root) return;
  Reader r(path.string(), errors);
  r.CheckKeys(*root, {"format", "demo", "note", "for", "values"}, "参数文件");
  if (r.Text(*root, "format", true, "参数文件") != "yanglao.params/1") {
    r.Error(*root, "policy.format", "参数文件的 format 应为 yanglao.params/1");
  }
  bool demo = (*root)["demo"] && (*root)["demo"].Scalar() == "true";
  YAML::Node values = (*root)["values"];
  if (!values || !values.IsMap()) {
    r.Error(*root, "policy.missing_field", "参数文件缺少 values 映射");
    return;
  }
  for (const auto& kv : values) {
    std::string name = kv.first.Scalar();
    auto it = std::find_if(list.parameters.begin(), list.parameters.end(),
                           [&](const Parameter& p) { return p.name == name; });
    if (it == list.parameters.end()) {
      r.Error(kv.first, "policy.unknown_parameter", fmt::format("清单中没有参数「{}」", name),
              name);
      continue;
    }
    it->values = r.Values(kv.second, *it, fmt::format("参数「{}」", name));
    it->demo = demo;
  }
}

}  // namespace yanglao::policy
