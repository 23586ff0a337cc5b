#include "registry/feed_template.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/civil_date.h"
#include "core/id_number.h"
#include "core/region.h"

namespace yanglao::registry {
namespace {

const std::vector<std::pair<std::string, std::string>> kYesNo = {{"是", "1"}, {"否", "0"}};

FeedColumn BoolColumn(std::string header, std::string fact) {
  return {std::move(header), std::move(fact), CellKind::kBool, kYesNo};
}
FeedColumn DateColumn(std::string header, std::string fact) {
  return {std::move(header), std::move(fact), CellKind::kDate, {}};
}
FeedColumn RegionColumn(std::string header, std::string fact) {
  return {std::move(header), std::move(fact), CellKind::kRegion, {}};
}
FeedColumn EnumColumn(std::string header, std::string fact,
                      std::vector<std::pair<std::string, std::string>> values) {
  return {std::move(header), std::move(fact), CellKind::kEnum, std::move(values)};
}
// A column the header may leave out.
FeedColumn OptionalColumn(std::string header, std::string fact, CellKind kind,
                          std::vector<std::pair<std::string, std::string>> values = {}) {
  return {std::move(header), std::move(fact), kind, std::move(values), true};
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::vector<FeedTemplate> BuildTemplates() {
  return {
      {"公安",
       {OptionalColumn("性别", "sex", CellKind::kSex, {{"男", "male"}, {"女", "female"}}),
        OptionalColumn("出生日期", "birth_date", CellKind::kBirthDate),
        RegionColumn("户籍地", "hukou_region"), RegionColumn("居住地", "residence_region"),
        OptionalColumn("联系电话", "phone", CellKind::kPhone),
        OptionalColumn("户号", "household", CellKind::kHousehold),
        DateColumn("死亡日期", "death_date")}},
      {"民政",
       {BoolColumn("低保", "dibao"), BoolColumn("低保后仍困难", "dibao_hardship"),
        BoolColumn("低收入", "low_income"),
        EnumColumn("特困", "tekun",
                   {{"否", "none"}, {"集中供养", "centralized"}, {"分散供养", "dispersed"}}),
        BoolColumn("生活不能自理", "cannot_self_care"), BoolColumn("独居", "living_alone"),
        BoolColumn("空巢", "empty_nest"), BoolColumn("留守", "left_behind"),
        BoolColumn("流浪乞讨", "vagrant"), BoolColumn("入住养老机构", "in_institution"),
        BoolColumn("有赡养能力的赡养人", "has_able_supporter"),
        DateColumn("死亡日期", "death_date"), OptionalColumn("联系电话", "phone", CellKind::kPhone),
        // The family carer (家庭照护者) 民政 has on record for the older
        // person: whom an item for the family carer is paid to (issue 14).
        OptionalColumn("家庭照护者公民身份号码", "carer_id_number", CellKind::kIdNumber),
        OptionalColumn("家庭照护者姓名", "carer_name", CellKind::kName),
        OptionalColumn("家庭照护者与老年人关系", "carer_relation", CellKind::kEnum,
                       {{"配偶", "spouse"},
                        {"子女", "child"},
                        {"子女配偶", "child_in_law"},
                        {"孙子女", "grandchild"},
                        {"兄弟姐妹", "sibling"},
                        {"其他亲属", "other_relative"}})}},
      {"人社",
       {EnumColumn("养老保险", "pension_scheme",
                   {{"未参保", "none"},
                    {"职工基本养老保险", "employee"},
                    {"城乡居民基本养老保险", "resident"}}),
        BoolColumn("符合领取条件", "pension_eligible")}},
      {"卫健",
       {BoolColumn("计划生育特殊家庭", "family_planning_special"), BoolColumn("失智", "dementia"),
        DateColumn("死亡日期", "death_date")}},
      {"医保", {BoolColumn("需要长期照护", "long_term_care_need")}},
      {"残联",
       {EnumColumn("残疾类别", "disability_category",
                   {{"无", "none"},
                    {"视力", "visual"},
                    {"听力", "hearing"},
                    {"言语", "speech"},
                    {"肢体", "physical"},
                    {"智力", "intellectual"},
                    {"精神", "mental"},
                    {"多重", "multiple"}}),
        EnumColumn("残疾等级", "disability_grade",
                   {{"无", "0"}, {"一级", "1"}, {"二级", "2"}, {"三级", "3"}, {"四级", "4"}}),
        DateColumn("残疾证有效期至", "disability_cert_until"),
        BoolColumn("需要长期照护", "long_term_care_need")}},
      {"退役军人",
       {BoolColumn("烈士遗属", "martyr_family"),
        BoolColumn("因公牺牲军人遗属", "duty_death_family"),
        BoolColumn("病故军人遗属", "illness_death_family"),
        BoolColumn("残疾军人", "disabled_soldier"), BoolColumn("复员军人", "demobilized_soldier"),
        BoolColumn("退役军人", "veteran"), BoolColumn("现役军人家属", "active_duty_family"),
        BoolColumn("享受定期抚恤补助", "state_pension_benefit")}},
  };
}

// Facts no department template has: capability assessments (src/assess)
// state them (source 评估机构), and they are shown with these labels.
const std::vector<FeedColumn>& AssessmentFacts() {
  static const std::vector<FeedColumn>* const facts = new std::vector<FeedColumn>{
      BoolColumn("能力评估有效", "capability_assessed"),
      EnumColumn("能力等级", "capability_level",
                 {{"0 能力完好", "0"},
                  {"1 轻度失能", "1"},
                  {"2 中度失能", "2"},
                  {"3 重度失能", "3"},
                  {"4 完全失能", "4"}}),
  };
  return *facts;
}

// The column that describes `fact`: a template's, or an assessment fact's.
const FeedColumn* ColumnOfFact(std::string_view fact) {
  for (const FeedTemplate& t : FeedTemplates()) {
    for (const FeedColumn& c : t.columns) {
      if (c.fact == fact) return &c;
    }
  }
  for (const FeedColumn& c : AssessmentFacts()) {
    if (c.fact == fact) return &c;
  }
  return nullptr;
}

}  // namespace

std::vector<std::string> FeedTemplate::Header() const {
  std::vector<std::string> h = {std::string(kIdHeader), std::string(kNameHeader)};
  for (const FeedColumn& c : columns) h.push_back(c.header);
  h.emplace_back(kFromHeader);
  h.emplace_back(kToHeader);
  return h;
}

std::vector<std::string> FeedTemplate::RequiredHeader() const {
  std::vector<std::string> h = {std::string(kIdHeader), std::string(kNameHeader)};
  for (const FeedColumn& c : columns) {
    if (!c.optional) h.push_back(c.header);
  }
  h.emplace_back(kFromHeader);
  h.emplace_back(kToHeader);
  return h;
}

const std::vector<FeedTemplate>& FeedTemplates() {
  static const std::vector<FeedTemplate>* const templates =
      new std::vector<FeedTemplate>(BuildTemplates());
  return *templates;
}

const FeedTemplate* FindTemplate(std::string_view source) {
  for (const FeedTemplate& t : FeedTemplates()) {
    if (t.source == source) return &t;
  }
  return nullptr;
}

Result<std::string> CellValue(const FeedColumn& column, std::string_view text) {
  switch (column.kind) {
    case CellKind::kBool:
    case CellKind::kEnum:
    case CellKind::kSex: {
      std::string allowed;
      for (const auto& [label, value] : column.values) {
        if (label == text) return value;
        allowed += (allowed.empty() ? "" : "、") + label;
      }
      return Status("feed.value", fmt::format("应为 {} 之一", allowed));
    }
    case CellKind::kDate:
    case CellKind::kBirthDate: {
      Result<CivilDate> d = CivilDate::Parse(text);
      if (!d.ok()) return Status("feed.date", d.status().message() + "（应为 YYYY-MM-DD）");
      return d->ToString();
    }
    case CellKind::kRegion: {
      const Region* r = RegionTable::Builtin().Find(text);
      if (r == nullptr) return Status("feed.region", "不是有效的行政区划代码");
      if (r->level < RegionLevel::kCounty)
        return Status("feed.region", "区划代码应至少到县级（6位）");
      // 居住地 is where the person lives: a street (9 digits) or a
      // community or village (12), as docs/registry-feeds.md says.
      if (column.fact == "residence_region" && r->level < RegionLevel::kTownship)
        return Status("feed.region", "居住地应为9位（街道、乡镇）或12位（社区、村）区划代码");
      return r->code;
    }
    case CellKind::kPhone:
      return NormalizePhone(text);
    case CellKind::kHousehold:
      return NormalizeHousehold(text);
    case CellKind::kIdNumber: {
      std::string id(text);
      if (!id.empty() && id.back() == 'x') id.back() = 'X';
      bool digits = id.size() == 18;
      for (size_t i = 0; digits && i < 17; ++i) digits = IsDigit(id[i]);
      if (!digits || (!IsDigit(id[17]) && id[17] != 'X'))
        return Status("feed.id_number", "应为18位公民身份号码（末位可为X）");
      if (IdCheckCharacter(std::string_view(id).substr(0, 17)) != id[17])
        return Status("feed.id_number", "公民身份号码校验码不正确");
      return id;
    }
    case CellKind::kName: {
      size_t chars = 0;
      for (char c : text) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
      if (chars > 30) return Status("feed.name", "姓名超过30个字");
      return std::string(text);
    }
  }
  return Status("feed.value", "无法识别的值");
}

Result<std::string> NormalizePhone(std::string_view text) {
  const Status bad("feed.phone",
                   "联系电话应为11位手机号码（1开头，第二位为3-9）或带区号的固定电话（如 "
                   "0722-1234567、010-12345678）");
  std::string digits;
  int hyphens = 0;
  size_t hyphen_at = 0;
  for (char c : text) {
    if (c == ' ') continue;
    if (c == '-') {
      ++hyphens;
      hyphen_at = digits.size();
      continue;
    }
    if (!IsDigit(c) && !(c == '+' && digits.empty() && hyphens == 0)) return bad;
    if (c != '+') digits += c;
  }
  bool plus = text.find('+') != std::string_view::npos;
  if (plus || (digits.size() == 13 && digits.starts_with("86"))) {
    if (!digits.starts_with("86")) return bad;
    digits.erase(0, 2);
  }
  if (digits.size() == 11 && digits[0] == '1' && digits[1] >= '3' && digits[1] <= '9') {
    return digits;  // a mobile, however it was grouped
  }
  if (plus || digits.size() < 10 || digits[0] != '0' || hyphens > 1) return bad;
  // 010 and 020-029 are three-digit area codes; the rest are four digits.
  size_t area = digits[1] == '1' || digits[1] == '2' ? 3 : 4;
  if (hyphens == 1 && hyphen_at != area) return bad;
  std::string_view local = std::string_view(digits).substr(area);
  bool eight = area == 3 ? local.size() == 8 : (local.size() == 7 || local.size() == 8);
  if (!eight || local[0] == '0') return bad;
  return digits.substr(0, area) + "-" + std::string(local);
}

Result<std::string> NormalizeHousehold(std::string_view text) {
  std::string out;
  bool digit = false;
  for (char c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!IsDigit(c) && !(c >= 'A' && c <= 'Z')) {
      return Status("feed.household", "户号只能由数字和英文字母组成（按户口簿“户号”栏填写）");
    }
    digit = digit || IsDigit(c);
    out += c;
  }
  if (out.size() < 6 || out.size() > 20 || !digit) {
    return Status("feed.household", "户号应为6-20位数字或英文字母，且含数字");
  }
  return out;
}

std::string ValueLabel(std::string_view fact, std::string_view value) {
  const FeedColumn* c = ColumnOfFact(fact);
  if (c == nullptr) return std::string(value);
  for (const auto& [label, v] : c->values) {
    if (v == value) return label;
  }
  if (c->kind == CellKind::kRegion) {
    if (const Region* r = RegionTable::Builtin().Find(value)) {
      return fmt::format("{} {}", r->DisplayCode(), RegionTable::Builtin().FullName(*r));
    }
  }
  return std::string(value);
}

std::string FactLabel(std::string_view fact) {
  if (fact == "name") return "姓名";
  if (fact == "name_written") return "姓名（原写法）";
  const FeedColumn* c = ColumnOfFact(fact);
  return c == nullptr ? std::string(fact) : c->header;
}

}  // namespace yanglao::registry
