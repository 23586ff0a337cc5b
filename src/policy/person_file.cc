#include "policy/person_file.h"

#include <fmt/format.h>

namespace yanglao::policy {
namespace {

Location At(const YAML::Node& n, const std::string& file, std::string field = "") {
  YAML::Mark m = n.Mark();
  return Location{.file = file,
                  .line = m.line >= 0 ? m.line + 1 : 0,
                  .column = m.line >= 0 ? m.column + 1 : 0,
                  .field = std::move(field),
                  .value = n.IsScalar() ? n.Scalar() : ""};
}

}  // namespace

Result<PersonFacts> ReadPerson(const YAML::Node& node, const std::string& file,
                               std::optional<CivilDate> on) {
  const FactSchema& schema = FactSchema::Person();
  if (!node.IsMap()) return Status("person.type", "人员信息应为映射（事实: 值）", At(node, file));
  PersonFacts facts(schema.size(), 0);
  static const size_t kResident = *schema.Find("resident_local");
  static const size_t kAge = *schema.Find("age");
  static const size_t kLevel = *schema.Find("capability_level");
  static const size_t kAssessed = *schema.Find("capability_assessed");
  facts[kResident] = 1;
  bool has_age = false, has_assessed = false;
  for (const auto& kv : node) {
    std::string name = kv.first.Scalar();
    if (name == "birth_date") {
      Result<CivilDate> birth = CivilDate::Parse(kv.second.IsScalar() ? kv.second.Scalar() : "");
      if (!birth.ok())
        return Status("person.type", "「birth_date」应为日期 YYYY-MM-DD",
                      At(kv.second, file, name));
      if (!on) {
        return Status("person.type", "给出 birth_date 时须有评估日期（--date）",
                      At(kv.second, file, name));
      }
      if (*birth > *on) {
        return Status("person.range", "出生日期晚于评估日期", At(kv.second, file, name));
      }
      facts[kAge] = std::min(AgeOn(*birth, *on), 150);
      has_age = true;
      continue;
    }
    auto slot = schema.Find(name);
    if (!slot)
      return Status("person.unknown_fact", fmt::format("未知的事实「{}」", name),
                    At(kv.first, file, name));
    const FactInfo& f = schema.at(*slot);
    if (!kv.second.IsScalar())
      return Status("person.type", fmt::format("「{}」应为单个值", name),
                    At(kv.second, file, name));
    std::string v = kv.second.Scalar();
    if (*slot == kAssessed) has_assessed = true;
    if (v == "unknown" || v == "未知") {
      if (*slot == kAge)
        return Status("person.type", "年龄不能未知（由出生日期确定）", At(kv.second, file, name));
      facts[*slot] = kUnknownFact;
      continue;
    }
    if (*slot == kLevel) {
      static const char* const kLevels[] = {"能力完好", "轻度失能", "中度失能", "重度失能",
                                            "完全失能"};
      for (int64_t l = 0; l < 5; ++l) {
        if (v != kLevels[l]) continue;
        v = std::to_string(l);  // an agency's finding: assessed
        if (!has_assessed) facts[kAssessed] = 1;
      }
    }
    switch (f.type) {
      case FactType::kBool:
        if (v == "true")
          facts[*slot] = 1;
        else if (v == "false")
          facts[*slot] = 0;
        else
          return Status("person.type", fmt::format("「{}」应为 true 或 false", name),
                        At(kv.second, file, name));
        break;
      case FactType::kInt: {
        int64_t n = 0;
        size_t used = 0;
        try {
          n = std::stoll(v, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used == 0 || used != v.size()) {
          return Status("person.type", fmt::format("「{}」应为整数", name),
                        At(kv.second, file, name));
        }
        if (n < f.min || n > f.max) {
          return Status("person.range", fmt::format("「{}」应在 {} 到 {} 之间", name, f.min, f.max),
                        At(kv.second, file, name));
        }
        facts[*slot] = n;
        if (name == "age") has_age = true;
        break;
      }
      case FactType::kEnum: {
        auto index = schema.EnumIndex(*slot, v);
        if (!index) {
          std::string values;
          for (const std::string& e : f.enum_values) values += (values.empty() ? "" : ", ") + e;
          return Status("person.enum_value",
                        fmt::format("「{}」不是 {} 的取值（可选：{}）", v, name, values),
                        At(kv.second, file, name));
        }
        facts[*slot] = *index;
        break;
      }
    }
  }
  if (!has_age) return Status("person.missing_age", "人员信息缺少 age（周岁）", At(node, file));
  return facts;
}

Result<PersonFacts> ReadPersonFile(const std::filesystem::path& path, std::optional<CivilDate> on) {
  YAML::Node node;
  try {
    node = YAML::LoadFile(path.string());
  } catch (const YAML::BadFile&) {
    return Status("io.open", "无法打开文件", Location{.file = path.string()});
  } catch (const YAML::Exception& e) {
    return Status(
        "person.syntax", fmt::format("JSON/YAML 格式错误：{}", e.msg),
        Location{.file = path.string(), .line = e.mark.line + 1, .column = e.mark.column + 1});
  }
  return ReadPerson(node, path.string(), on);
}

std::string DescribePerson(const PersonFacts& person) {
  const FactSchema& schema = FactSchema::Person();
  std::string out;
  static const size_t kResident = *schema.Find("resident_local");
  for (size_t s = 0; s < schema.size(); ++s) {
    if (s == kResident ? person[s] == 1 : (person[s] == 0 && schema.at(s).name != "age")) continue;
    out += fmt::format("{}{}={}", out.empty() ? "" : "，", schema.at(s).label,
                       schema.Describe(s, person[s]));
  }
  return out;
}

}  // namespace yanglao::policy
