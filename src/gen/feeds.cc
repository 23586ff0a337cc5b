#include "gen/feeds.h"

#include <array>

namespace yanglao::gen {
namespace {

using T = ColumnType;

constexpr std::string_view kTekun[] = {"否", "集中供养", "分散供养"};
constexpr std::string_view kPension[] = {"未参保", "职工基本养老保险", "城乡居民基本养老保险"};
constexpr std::string_view kCategory[] = {"无",   "视力", "听力", "言语",
                                          "肢体", "智力", "精神", "多重"};
constexpr std::string_view kGrade[] = {"无", "一级", "二级", "三级", "四级"};

// The four columns every template has: two first, two last.
constexpr FeedColumn kId{"公民身份号码", T::kIdNumber, true, {}};
constexpr FeedColumn kName{"姓名", T::kName, true, {}};
constexpr FeedColumn kFrom{"起始日期", T::kDate, true, {}};
constexpr FeedColumn kUntil{"终止日期", T::kDate, false, {}};

constexpr FeedColumn Bool(std::string_view name) { return FeedColumn{name, T::kBool, false, {}}; }
constexpr FeedColumn Date(std::string_view name) { return FeedColumn{name, T::kDate, false, {}}; }

constexpr FeedColumn kPublicSecurity[] = {kId,
                                          kName,
                                          {"户籍地", T::kRegion, false, {}},
                                          {"居住地", T::kRegion, false, {}},
                                          Date("死亡日期"),
                                          kFrom,
                                          kUntil};
constexpr FeedColumn kCivilAffairs[] = {kId,
                                        kName,
                                        Bool("低保"),
                                        Bool("低保后仍困难"),
                                        Bool("低收入"),
                                        {"特困", T::kEnum, false, kTekun},
                                        Bool("生活不能自理"),
                                        Bool("独居"),
                                        Bool("空巢"),
                                        Bool("留守"),
                                        Bool("流浪乞讨"),
                                        Bool("入住养老机构"),
                                        Bool("有赡养能力的赡养人"),
                                        Date("死亡日期"),
                                        kFrom,
                                        kUntil};
constexpr FeedColumn kHumanResources[] = {
    kId, kName, {"养老保险", T::kEnum, false, kPension}, Bool("符合领取条件"), kFrom, kUntil};
constexpr FeedColumn kHealth[] = {
    kId, kName, Bool("计划生育特殊家庭"), Bool("失智"), Date("死亡日期"), kFrom, kUntil};
constexpr FeedColumn kMedicalInsurance[] = {kId, kName, Bool("需要长期照护"), kFrom, kUntil};
constexpr FeedColumn kDisabledPersons[] = {kId,
                                           kName,
                                           {"残疾类别", T::kEnum, false, kCategory},
                                           {"残疾等级", T::kEnum, false, kGrade},
                                           Date("残疾证有效期至"),
                                           Bool("需要长期照护"),
                                           kFrom,
                                           kUntil};
constexpr FeedColumn kVeterans[] = {kId,
                                    kName,
                                    Bool("烈士遗属"),
                                    Bool("因公牺牲军人遗属"),
                                    Bool("病故军人遗属"),
                                    Bool("残疾军人"),
                                    Bool("复员军人"),
                                    Bool("退役军人"),
                                    Bool("现役军人家属"),
                                    Bool("享受定期抚恤补助"),
                                    kFrom,
                                    kUntil};

constexpr std::array<FeedTemplate, kDepartmentCount> kTemplates = {{
    {Department::kPublicSecurity, "公安", kPublicSecurity},
    {Department::kCivilAffairs, "民政", kCivilAffairs},
    {Department::kHumanResources, "人社", kHumanResources},
    {Department::kHealth, "卫健", kHealth},
    {Department::kMedicalInsurance, "医保", kMedicalInsurance},
    {Department::kDisabledPersons, "残联", kDisabledPersons},
    {Department::kVeterans, "退役军人", kVeterans},
}};

}  // namespace

std::string FeedTemplate::FileName() const { return std::string(name) + ".csv"; }

std::string FeedTemplate::Header() const {
  std::string out;
  for (const FeedColumn& c : columns) {
    if (!out.empty()) out += ',';
    out += c.name;
  }
  return out;
}

int FeedTemplate::ColumnIndex(std::string_view column) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == column) return static_cast<int>(i);
  }
  return -1;
}

std::span<const FeedTemplate> FeedTemplates() { return kTemplates; }

const FeedTemplate& TemplateOf(Department department) {
  return kTemplates[static_cast<size_t>(department)];
}

}  // namespace yanglao::gen
