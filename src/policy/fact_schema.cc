#include "policy/fact_schema.h"

#include <fmt/format.h>

namespace yanglao::policy {
namespace {

FactInfo Bool(std::string name, std::string label, std::string source) {
  return FactInfo{
      std::move(name), FactType::kBool, {}, std::move(label), {}, std::move(source), 0, 1};
}

FactInfo Int(std::string name, std::string label, std::string source, int64_t min, int64_t max) {
  return FactInfo{
      std::move(name), FactType::kInt, {}, std::move(label), {}, std::move(source), min, max};
}

FactInfo Enum(std::string name, std::string label, std::string source,
              std::vector<std::pair<std::string, std::string>> values) {
  FactInfo f{std::move(name), FactType::kEnum, {}, std::move(label), {}, std::move(source), 0, 0};
  for (auto& [v, l] : values) {
    f.enum_values.push_back(v);
    f.value_labels.push_back(l);
  }
  f.max = static_cast<int64_t>(f.enum_values.size()) - 1;
  return f;
}

FactInfo Unknowable(FactInfo f) {
  f.absent_unknown = true;
  return f;
}

std::vector<FactInfo> PersonFactInfos() {
  return {
      Int("age", "年龄（周岁）", "公安", 0, 150),
      Enum("sex", "性别", "公安", {{"male", "男"}, {"female", "女"}}),
      Bool("hukou_local", "本地户籍", "公安"),
      Bool("resident_local", "本地常住", "公安/社区"),
      Enum("area", "城乡", "民政（区划）", {{"urban", "城镇"}, {"rural", "农村"}}),
      Bool("dibao", "低保对象", "民政"),
      Bool("dibao_hardship", "获得低保金后生活仍有困难", "民政"),
      Bool("low_income", "低收入家庭", "民政"),
      Enum("tekun", "特困人员", "民政",
           {{"none", "否"}, {"centralized", "集中供养"}, {"dispersed", "分散供养"}}),
      Bool("family_planning_special", "计划生育特殊家庭", "卫健"),
      Bool("martyr_family", "烈士遗属", "退役军人"),
      Bool("duty_death_family", "因公牺牲军人遗属", "退役军人"),
      Bool("illness_death_family", "病故军人遗属", "退役军人"),
      Bool("disabled_soldier", "残疾军人", "退役军人"),
      Bool("demobilized_soldier", "复员军人", "退役军人"),
      Bool("veteran", "退伍（退役）军人", "退役军人"),
      Bool("active_duty_family", "现役军人家属", "退役军人"),
      Bool("state_pension_benefit", "享受国家定期抚恤补助待遇", "退役军人"),
      Unknowable(Bool("has_able_supporter", "有赡养（扶养）能力的法定赡养人", "民政")),
      Int("disability_grade", "残疾等级", "残联", 0, 4),
      Enum("disability_category", "残疾类别", "残联",
           {{"none", "无"},
            {"visual", "视力"},
            {"hearing", "听力"},
            {"speech", "言语"},
            {"physical", "肢体"},
            {"intellectual", "智力"},
            {"mental", "精神"},
            {"multiple", "多重"}}),
      Bool("disability_cert_valid", "残疾人证在有效期内", "残联"),
      Bool("long_term_care_need", "需要长期照护", "残联/卫健"),
      Bool("capability_assessed", "有有效的能力评估结果", "民政（评估机构）"),
      Int("capability_level", "能力等级（GB/T 42195）", "民政（评估机构）", 0, 4),
      Bool("dementia", "失智", "卫健/评估机构"),
      Bool("cannot_self_care", "经认定生活不能自理", "民政"),
      Bool("living_alone", "独居", "民政（社区）"),
      Bool("empty_nest", "空巢", "民政（社区）"),
      Bool("left_behind", "留守", "民政（社区）"),
      Bool("vagrant", "生活无着的流浪乞讨人员", "民政"),
      Bool("in_institution", "入住养老机构", "民政"),
      Enum("pension_scheme", "基本养老保险", "人社",
           {{"none", "未参保"},
            {"employee", "职工基本养老保险"},
            {"resident", "城乡居民基本养老保险"}}),
      Bool("pension_eligible", "符合养老保险待遇领取条件", "人社"),
      Bool("deceased", "已死亡", "公安/民政/卫健"),
      // A family carer (家庭照护者) on record with 民政 (ID number, name,
      // relation): an item for the family carer is paid to them. No record:
      // unknown, to verify (the older person may well have one).
      Unknowable(Bool("has_family_carer", "有登记的家庭照护者", "民政")),
  };
}

}  // namespace

const FactSchema& FactSchema::Person() {
  static const FactSchema* const schema = [] {
    auto* s = new FactSchema();
    s->facts_ = PersonFactInfos();
    return s;
  }();
  return *schema;
}

std::optional<size_t> FactSchema::Find(std::string_view name) const {
  for (size_t i = 0; i < facts_.size(); ++i) {
    if (facts_[i].name == name) return i;
  }
  return std::nullopt;
}

std::optional<int64_t> FactSchema::EnumIndex(size_t slot, std::string_view value) const {
  const FactInfo& f = facts_[slot];
  for (size_t i = 0; i < f.enum_values.size(); ++i) {
    if (f.enum_values[i] == value) return static_cast<int64_t>(i);
  }
  return std::nullopt;
}

std::string FactSchema::Describe(size_t slot, int64_t value) const {
  const FactInfo& f = facts_[slot];
  if (value == kUnknownFact) return "未知";
  switch (f.type) {
    case FactType::kBool:
      return value != 0 ? "是" : "否";
    case FactType::kInt:
      return std::to_string(value);
    case FactType::kEnum:
      if (value >= 0 && static_cast<size_t>(value) < f.value_labels.size()) {
        return f.value_labels[static_cast<size_t>(value)];
      }
      return fmt::format("?{}", value);
  }
  return "";
}

}  // namespace yanglao::policy
