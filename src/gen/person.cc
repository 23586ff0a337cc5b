#include "gen/person.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "core/id_number.h"
#include "gen/names.h"
#include "gen/rng.h"

namespace yanglao::gen {

std::string_view DirtyKindCode(DirtyKind kind) {
  switch (kind) {
    case DirtyKind::kCheckChar:
      return "check_char";
    case DirtyKind::kImpossibleDate:
      return "impossible_date";
    case DirtyKind::kUnknownRegion:
      return "unknown_region";
    case DirtyKind::kEmptyName:
      return "empty_name";
    case DirtyKind::kYesNoAsHave:
      return "yes_no_as_have";
    case DirtyKind::kDuplicateRow:
      return "duplicate_row";
    case DirtyKind::kOldId15:
      return "old_id15";
    case DirtyKind::kSexMismatch:
      return "sex_mismatch";
  }
  return "unknown";
}

std::string_view DirtyKindText(DirtyKind kind) {
  switch (kind) {
    case DirtyKind::kCheckChar:
      return "身份号码校验码错误";
    case DirtyKind::kImpossibleDate:
      return "日期不存在";
    case DirtyKind::kUnknownRegion:
      return "区划代码不存在";
    case DirtyKind::kEmptyName:
      return "姓名为空";
    case DirtyKind::kYesNoAsHave:
      return "是/否写成了有/无";
    case DirtyKind::kDuplicateRow:
      return "与上一行完全相同的重复行";
    case DirtyKind::kOldId15:
      return "15位旧身份号码（有效，导入时转换为18位）";
    case DirtyKind::kSexMismatch:
      return "性别与身份号码不符";
  }
  return "";
}

void BlockStats::Add(const BlockStats& o) {
  people += o.people;
  deaths += o.deaths;
  aged_60_plus += o.aged_60_plus;
  aged_65_plus += o.aged_65_plus;
  aged_80_plus += o.aged_80_plus;
  aged_100_plus += o.aged_100_plus;
  urban += o.urban;
  dibao += o.dibao;
  tekun += o.tekun;
  disabled += o.disabled;
}

void BlockOutput::Clear() {
  for (std::string& t : text) t.clear();
  rows.fill(0);
  dirty.clear();
  stats = BlockStats{};
}

namespace {

constexpr std::string_view kYes = "是";
constexpr std::string_view kNo = "否";
constexpr std::string_view kTekunText[] = {"否", "集中供养", "分散供养"};
constexpr std::string_view kCarerRelationText[] = {"配偶", "子女", "子女配偶"};
constexpr std::string_view kPensionText[] = {"未参保", "职工基本养老保险", "城乡居民基本养老保险"};
constexpr std::string_view kCategoryText[] = {"无",   "视力", "听力", "言语",
                                              "肢体", "智力", "精神", "多重"};
constexpr std::string_view kGradeText[] = {"无", "一级", "二级", "三级", "四级"};
constexpr int kDays10Years = 3652;

int DayOf(CivilDate d) { return d.DaysSinceEpoch(); }
CivilDate DateOf(int day) {
  return CivilDate::FromDays(std::chrono::sys_days(std::chrono::days(day)));
}

// Column indices of the importer's templates (registry/feed_template.h),
// looked up by header once.
constexpr int kMaxColumns = 24;
namespace col {
constexpr int kId = 0, kName = 1;
}  // namespace col

struct Layout {
  std::array<int, kDepartmentCount> size{}, from{}, until{};
  std::array<std::array<bool, kMaxColumns>, kDepartmentCount> is_bool{};
  // 公安
  int sex = 0, birth = 0, hukou = 0, residence = 0, phone = 0, household = 0, ps_death = 0;
  // 民政
  int dibao = 0, dibao_hardship = 0, low_income = 0, tekun = 0, cannot_self_care = 0,
      living_alone = 0, empty_nest = 0, left_behind = 0, vagrant = 0, in_institution = 0,
      able_supporter = 0, ca_death = 0, ca_phone = 0, carer_id = 0, carer_name = 0,
      carer_relation = 0;
  // 人社
  int pension = 0, pension_eligible = 0;
  // 卫健
  int family_planning = 0, dementia = 0, he_death = 0;
  // 医保
  int mi_care = 0;
  // 残联
  int category = 0, grade = 0, cert_until = 0, dp_care = 0;
  // 退役军人
  std::array<int, 8> ve_flags{};
};

Layout BuildLayout() {
  Layout l;
  for (int d = 0; d < kDepartmentCount; ++d) {
    const registry::FeedTemplate& t = TemplateOf(static_cast<Department>(d));
    auto u = static_cast<size_t>(d);
    l.size[u] = static_cast<int>(t.Header().size());
    if (l.size[u] > kMaxColumns) std::abort();
    l.from[u] = ColumnIndex(t, registry::kFromHeader);
    l.until[u] = ColumnIndex(t, registry::kToHeader);
    for (size_t c = 0; c < t.columns.size(); ++c) {
      l.is_bool[u][c + 2] = t.columns[c].kind == registry::CellKind::kBool;
    }
  }
  auto at = [](Department d, std::string_view header) {
    int i = ColumnIndex(TemplateOf(d), header);
    if (i < 0) std::abort();  // the generator and the templates disagree: a build defect
    return i;
  };
  using D = Department;
  l.sex = at(D::kPublicSecurity, "性别");
  l.birth = at(D::kPublicSecurity, "出生日期");
  l.hukou = at(D::kPublicSecurity, "户籍地");
  l.residence = at(D::kPublicSecurity, "居住地");
  l.phone = at(D::kPublicSecurity, "联系电话");
  l.household = at(D::kPublicSecurity, "户号");
  l.ps_death = at(D::kPublicSecurity, "死亡日期");
  l.dibao = at(D::kCivilAffairs, "低保");
  l.dibao_hardship = at(D::kCivilAffairs, "低保后仍困难");
  l.low_income = at(D::kCivilAffairs, "低收入");
  l.tekun = at(D::kCivilAffairs, "特困");
  l.cannot_self_care = at(D::kCivilAffairs, "生活不能自理");
  l.living_alone = at(D::kCivilAffairs, "独居");
  l.empty_nest = at(D::kCivilAffairs, "空巢");
  l.left_behind = at(D::kCivilAffairs, "留守");
  l.vagrant = at(D::kCivilAffairs, "流浪乞讨");
  l.in_institution = at(D::kCivilAffairs, "入住养老机构");
  l.able_supporter = at(D::kCivilAffairs, "有赡养能力的赡养人");
  l.ca_death = at(D::kCivilAffairs, "死亡日期");
  l.ca_phone = at(D::kCivilAffairs, "联系电话");
  l.carer_id = at(D::kCivilAffairs, "家庭照护者公民身份号码");
  l.carer_name = at(D::kCivilAffairs, "家庭照护者姓名");
  l.carer_relation = at(D::kCivilAffairs, "家庭照护者与老年人关系");
  l.pension = at(D::kHumanResources, "养老保险");
  l.pension_eligible = at(D::kHumanResources, "符合领取条件");
  l.family_planning = at(D::kHealth, "计划生育特殊家庭");
  l.dementia = at(D::kHealth, "失智");
  l.he_death = at(D::kHealth, "死亡日期");
  l.mi_care = at(D::kMedicalInsurance, "需要长期照护");
  l.category = at(D::kDisabledPersons, "残疾类别");
  l.grade = at(D::kDisabledPersons, "残疾等级");
  l.cert_until = at(D::kDisabledPersons, "残疾证有效期至");
  l.dp_care = at(D::kDisabledPersons, "需要长期照护");
  const char* flags[] = {"烈士遗属", "因公牺牲军人遗属", "病故军人遗属", "残疾军人",
                         "复员军人", "退役军人",         "现役军人家属", "享受定期抚恤补助"};
  for (size_t i = 0; i < 8; ++i) l.ve_flags[i] = at(D::kVeterans, flags[i]);
  return l;
}

const Layout& Columns() {
  static const Layout layout = BuildLayout();
  return layout;
}

int FromColumn(Department d) { return Columns().from[static_cast<size_t>(d)]; }

// Telephone area codes of the calibrated cities, and the digits of their
// local numbers (for generated landlines).
struct AreaCode {
  std::string_view city, code;
  int digits;
};
constexpr AreaCode kAreaCodes[] = {{"4207", "0711", 7},
                                   {"4213", "0722", 7},
                                   {"4212", "0715", 7},
                                   {"4302", "0731", 8},
                                   {"3206", "0513", 8}};

// 户号 serials: a bijection of the household key onto [0, kSerialPrime), so
// distinct households never share a number.
constexpr uint64_t kSerialPrime = 9999999967ULL;  // the largest prime below 10^10

// What one person is, as drawn.
struct Person {
  int64_t index = 0;
  int family = 0, county = 0, age = 0;
  bool male = false;
  int birth_day = 0;
  CivilDate birth;
  char id[18] = {};
  std::string name;
  std::string_view hukou_code, residence_code;
  const Unit* residence = nullptr;
  bool urban = false;
  int registered_day = 0;
  bool dead = false;
  int death_day = 0;
  bool moved = false;
  int move_day = 0;
  std::string_view new_hukou_code, new_residence_code;
  std::string household;  // 户号: shared by a couple
  std::string phone;      // 联系电话, or empty
  bool couple = false;

  bool dibao = false, dibao_hardship = false, low_income = false;
  int tekun = 0;  // 0 none, 1 集中供养, 2 分散供养
  bool cannot_self_care = false, living_alone = false, empty_nest = false, left_behind = false,
       vagrant = false, in_institution = false;
  int able_supporter = -1;  // -1 not assessed
  int civil_from = 0;
  bool dibao_exit = false;
  int dibao_exit_day = 0;

  int pension = 0;  // 0 none, 1 职工, 2 城乡居民
  int pension_join_day = 0, pension_eligible_day = 0;

  bool family_planning = false, dementia = false;
  int health_from = 0;
  bool long_term_care = false;
  int care_from = 0;
  int category = 0, grade = 0;  // 0 = none
  int cert_issued_day = 0, cert_until_day = 0;
  bool veteran_flags[8] = {};
  int veteran_from = 0;
  bool any_veteran = false;
};

// A row being built: fields as views into static text, the person, or the
// row's own arena (dates, dirty replacements).
class Row {
 public:
  void Reset(Department d) {
    department_ = d;
    n_ = Columns().size[static_cast<size_t>(d)];
    for (int i = 0; i < n_; ++i) f_[static_cast<size_t>(i)] = {};
    used_ = 0;
  }
  Department department() const { return department_; }
  int size() const { return n_; }
  std::string_view Get(int c) const { return f_[static_cast<size_t>(c)]; }
  void Set(int c, std::string_view v) { f_[static_cast<size_t>(c)] = v; }
  void SetBool(int c, bool v) { Set(c, v ? kYes : kNo); }
  void SetDate(int c, int day) {
    auto ymd = std::chrono::year_month_day(std::chrono::sys_days(std::chrono::days(day)));
    char* p = Alloc(10);
    WriteDate(p, static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
              static_cast<int>(static_cast<unsigned>(ymd.day())));
    Set(c, std::string_view(p, 10));
  }
  // Space for `n` bytes that lives as long as the row.
  char* Alloc(size_t n) {
    char* p = arena_ + used_;
    used_ += n;
    return p;
  }
  static void WriteDate(char* p, int y, int m, int d) {
    p[0] = static_cast<char>('0' + y / 1000);
    p[1] = static_cast<char>('0' + y / 100 % 10);
    p[2] = static_cast<char>('0' + y / 10 % 10);
    p[3] = static_cast<char>('0' + y % 10);
    p[4] = '-';
    p[5] = static_cast<char>('0' + m / 10);
    p[6] = static_cast<char>('0' + m % 10);
    p[7] = '-';
    p[8] = static_cast<char>('0' + d / 10);
    p[9] = static_cast<char>('0' + d % 10);
  }

 private:
  Department department_ = Department::kPublicSecurity;
  int n_ = 0;
  std::array<std::string_view, kMaxColumns> f_{};
  char arena_[512];
  size_t used_ = 0;
};

void AppendField(std::string& out, std::string_view v) {
  bool quote = v.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    out += v;
    return;
  }
  out += '"';
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

class BlockWriter {
 public:
  BlockWriter(const CityModel& m, BlockOutput& out)
      : m_(m), cal_(*m.cal), out_(out), col_(Columns()) {}

  void Generate(int64_t index, size_t cell, int rank) {
    Person& p = p_;
    std::string name = std::move(p.name);  // keep their buffers
    std::string household = std::move(p.household);
    std::string phone = std::move(p.phone);
    p = Person{};
    p.name = std::move(name);
    p.name.clear();
    p.household = std::move(household);
    p.household.clear();
    p.phone = std::move(phone);
    p.phone.clear();
    p.index = index;
    Rng rng(Mix(m_.seed, static_cast<uint64_t>(index)));
    dirty_rng_ = Rng(Mix(m_.seed ^ 0x6469727479ULL, static_cast<uint64_t>(index)));
    Draw(p, rng, cell, rank);
    Count(p);
    WritePublicSecurity(p);
    WriteCivilAffairs(p, rng);
    WriteHumanResources(p);
    WriteHealth(p, rng);
    WriteMedicalInsurance(p);
    WriteDisabledPersons(p);
    WriteVeterans(p);
  }

 private:
  // --- drawing a person ---------------------------------------------------

  std::string_view CodeOfLength(const Unit& u, Rng& rng) const {
    double r = rng.Uniform();
    const auto& len = cal_.hukou_code_length;
    double total = len[0] + len[1] + len[2];
    if (r * total < len[0]) return u.region->code;
    if (r * total < len[0] + len[1]) return u.street->code;
    return m_.counties[static_cast<size_t>(u.county)].region->code;
  }

  std::string_view ResidenceCode(const Unit& u, Rng& rng) const {
    return rng.Bernoulli(cal_.residence_street_only) ? std::string_view(u.street->code)
                                                     : std::string_view(u.region->code);
  }

  uint64_t HouseholdKey(int family, int county, int sex, int32_t position) const {
    return ((static_cast<uint64_t>(position) * 2 + static_cast<uint64_t>(sex)) * 2 +
            static_cast<uint64_t>(family)) *
               m_.counties.size() +
           static_cast<uint64_t>(county);
  }

  // The household of a person: a man and the woman `shift` places after him
  // in the birth-day order of their (family, county) group (a few years
  // younger, as women outnumber men at old ages) form a couple, if their ages
  // are within a plausible gap, with the calibrated chance for his age;
  // everyone else is a household of their own. Both members find the same
  // key, so whatever they share is drawn from it.
  uint64_t Household(Person& p, size_t cell, int rank, int day) const {
    const int sex = p.male ? 0 : 1;
    const int32_t position = m_.group_position[cell] + rank;
    const int32_t shift = m_.GroupSize(p.family, p.county, 1) / 20;
    const int32_t partner = p.male ? position + shift : position - shift;
    size_t partner_cell = 0;
    int partner_rank = 0;
    if (m_.CellAtPosition(p.family, p.county, 1 - sex, partner, partner_cell, partner_rank)) {
      int family = 0, county = 0, partner_day = 0, partner_sex = 0;
      m_.CellOf(partner_cell, family, county, partner_day, partner_sex);
      // Days from the husband's birth to the wife's: she is at most 5 years
      // older or 12 years younger.
      int gap = p.male ? partner_day - day : day - partner_day;
      if (gap < -5 * 365 || gap > 12 * 365) return HouseholdKey(p.family, p.county, sex, position);
      int husband_age = m_.day_age[static_cast<size_t>(p.male ? day : partner_day)];
      uint64_t key = HouseholdKey(p.family, p.county, 0, p.male ? position : partner);
      Rng couple(Mix(m_.seed ^ 0x636F75706C65ULL, key));
      if (couple.Bernoulli(cal_.couple_share_by_age.At(husband_age))) {
        p.couple = true;
        return key;
      }
    }
    return HouseholdKey(p.family, p.county, sex, position);
  }

  void SetHousehold(Person& p, uint64_t key, std::string_view county_code) const {
    __extension__ using Wide = unsigned __int128;
    uint64_t serial = static_cast<uint64_t>(
        (static_cast<Wide>(key % kSerialPrime) * 2654435761ULL + 1013904223ULL) % kSerialPrime);
    char digits[11];
    for (int i = 9; i >= 0; --i) {
      digits[i] = static_cast<char>('0' + serial % 10);
      serial /= 10;
    }
    p.household.assign(county_code.substr(0, 6));
    p.household.append(digits, 10);
  }

  void SetMobile(Person& p, Rng& rng) const {
    static constexpr char kSecond[] = "35789";
    char digits[11];
    digits[0] = '1';
    digits[1] = kSecond[rng.Below(5)];
    for (int i = 2; i < 11; ++i) digits[i] = static_cast<char>('0' + rng.Below(10));
    p.phone.assign(digits, 11);
  }

  void Draw(Person& p, Rng& rng, size_t cell, int rank) {
    int day = 0, sex = 0;
    m_.CellOf(cell, p.family, p.county, day, sex);
    p.male = sex == 0;
    p.birth_day = m_.first_birth_day + day;
    p.birth = DateOf(p.birth_day);
    p.age = m_.day_age[static_cast<size_t>(day)];
    const int as_of = m_.as_of_day;

    // The household, and what its members share: places, 户号, a landline,
    // a move.
    const uint64_t household = Household(p, cell, rank, day);
    Rng hh(Mix(m_.seed ^ 0x686F757365ULL, household));
    std::string_view address;
    const std::vector<std::string_view>* old_codes = nullptr;
    if (p.family == 0) {
      const Unit& hukou = m_.units[m_.UnitInCounty(p.county, hh.Uniform())];
      bool separated = hh.Bernoulli(m_.p_separated);
      const Unit& elsewhere = m_.units[m_.UnitAt(hh.Uniform())];
      p.residence = separated ? &elsewhere : &hukou;
      p.hukou_code = CodeOfLength(hukou, hh);
      const County& county = m_.counties[static_cast<size_t>(p.county)];
      address = county.region->code;
      old_codes = &county.old_codes;
    } else {
      p.residence = &m_.units[m_.UnitInCounty(p.county, hh.Uniform())];
      bool other = hh.Bernoulli(m_.p_other_province);
      const std::vector<ForeignCounty>& list = other ? m_.other_counties : m_.province_counties;
      const ForeignCounty& f = list[hh.Below(list.size())];
      p.hukou_code = !f.streets.empty() && hh.Bernoulli(0.4)
                         ? std::string_view(f.streets[hh.Below(f.streets.size())]->code)
                         : std::string_view(f.region->code);
      address = f.region->code;
      old_codes = &f.old_codes;
    }
    SetHousehold(p, household, address);
    p.residence_code = ResidenceCode(*p.residence, hh);
    p.urban = p.residence->urban;
    const bool household_moves = hh.Bernoulli(cal_.move_per_year);
    const int move_day = hh.Between(m_.window_first_day, as_of - 1);
    size_t move_unit = m_.UnitAt(hh.Uniform());
    const bool move_hukou = hh.Bernoulli(0.5);
    const bool landline = hh.Bernoulli(cal_.landline_share);
    const uint64_t landline_number = hh.Next();
    if (!old_codes->empty() && rng.Bernoulli(cal_.id_old_address_code_share)) {
      address = (*old_codes)[rng.Below(old_codes->size())];
    }

    // ID number: address, birth date, a sequence code unique in its cell.
    int half = 0;
    if (p.family == 0) {
      auto offset = static_cast<int>(Mix(m_.seed ^ 0x736571ULL, cell) %
                                     static_cast<uint64_t>(m_.local_slots));
      half = (offset + rank) % m_.local_slots;
    } else {
      half = m_.local_slots +
             m_.counties[static_cast<size_t>(p.county)].slot_index * m_.other_slots_per_county +
             rank % m_.other_slots_per_county;
    }
    int seq = half * 2 + (p.male ? 1 : 0);
    std::memcpy(p.id, address.data(), 6);
    char date[10];
    Row::WriteDate(date, p.birth.year(), p.birth.month(), p.birth.day());
    std::memcpy(p.id + 6, date, 4);  // YYYY-MM-DD -> YYYYMMDD
    std::memcpy(p.id + 10, date + 5, 2);
    std::memcpy(p.id + 12, date + 8, 2);
    p.id[14] = static_cast<char>('0' + seq / 100);
    p.id[15] = static_cast<char>('0' + seq / 10 % 10);
    p.id[16] = static_cast<char>('0' + seq % 10);
    p.id[17] = IdCheckCharacter(std::string_view(p.id, 17));
    AppendName(rng, p.male, p.birth.year(), p.name);

    // Death during the year before as_of.
    p.dead = rng.Bernoulli(DeathProbability(cal_, p.age, p.male));
    p.death_day = m_.window_first_day +
                  static_cast<int>(rng.Below(static_cast<uint64_t>(as_of - m_.window_first_day)));
    int last = p.dead ? p.death_day : as_of - 1;
    int adult = DayOf(p.birth.AddYears(18));
    p.registered_day = rng.Between(std::max(adult, day_1985_01_01_), std::max(adult, as_of - 400));
    p.registered_day = std::min(p.registered_day, as_of - 400);
    p.registered_day = std::max(p.registered_day, p.birth_day);

    // Social assistance.
    bool old = p.age >= 60;
    // The rates are shares of everyone on as_of: 低保 counts those still on
    // it after the year's exits; 特困 and 低收入 are drawn among the others.
    double dibao = std::min(1.0, cal_.dibao_60_plus.Of(p.urban) * cal_.dibao_age_factor.At(p.age) /
                                     m_.dibao_age_norm / (1 - cal_.dibao_exit_per_year));
    p.dibao = rng.Bernoulli(dibao);
    double tekun =
        cal_.tekun_60_plus.Of(p.urban) * cal_.tekun_age_factor.At(p.age) / m_.tekun_age_norm;
    if (!p.dibao) {
      if (rng.Bernoulli(std::min(1.0, tekun / std::max(1e-9, 1 - dibao)))) {
        p.tekun = rng.Bernoulli(cal_.tekun_centralized_share.Of(p.urban)) ? 1 : 2;
      }
    }
    if (!p.dibao && p.tekun == 0) {
      double low = cal_.low_income_60_plus.Of(p.urban) * (old ? 1.0 : 0.6);
      p.low_income = rng.Bernoulli(std::min(1.0, low / std::max(1e-9, 1 - dibao - tekun)));
    }
    p.dibao_hardship = p.dibao && rng.Bernoulli(cal_.dibao_hardship_share);

    // Disability, dementia, care.
    if (rng.Bernoulli(cal_.disability_cert_by_age.At(p.age))) {
      p.category = 1 + static_cast<int>(rng.Pick(cal_.disability_category));
      p.grade = 1 + static_cast<int>(rng.Pick(
                        cal_.disability_grade_by_category[static_cast<size_t>(p.category - 1)]));
    }
    p.dementia = old && rng.Bernoulli(cal_.dementia_prevalence_by_age.At(p.age) *
                                      cal_.dementia_diagnosed_share);
    p.cannot_self_care =
        old && (rng.Bernoulli(cal_.cannot_self_care_by_age.At(p.age)) ||
                (p.dementia && rng.Bernoulli(0.3)) || (p.grade == 1 && rng.Bernoulli(0.4)));
    p.long_term_care = p.cannot_self_care ||
                       (p.dementia && rng.Bernoulli(cal_.long_term_care_given_dementia)) ||
                       ((p.grade == 1 || p.grade == 2) &&
                        rng.Bernoulli(cal_.long_term_care_given_severe_disability));

    // Living arrangements (民政's survey of older people).
    if (old) {
      double alone = cal_.living_alone_by_age.At(p.age);
      double behind = p.urban ? 0 : cal_.left_behind_rural_60_plus;
      p.living_alone = rng.Bernoulli(alone);
      p.left_behind = rng.Bernoulli(behind);
      double either = alone + behind - alone * behind;
      double rest = (cal_.empty_nest_60_plus.Of(p.urban) - either) / std::max(1e-9, 1 - either);
      p.empty_nest = p.living_alone || p.left_behind || rng.Bernoulli(std::max(0.0, rest));
      p.in_institution = p.tekun == 1 || rng.Bernoulli(cal_.in_institution_by_age.At(p.age));
      p.vagrant = rng.Bernoulli(cal_.vagrant_60_plus);
      if (p.in_institution || p.vagrant) {
        p.living_alone = p.empty_nest = p.left_behind = false;
      }
    }
    if (p.tekun != 0) {
      p.able_supporter = 0;  // 特困: no supporter able to support them, by definition
    } else if (p.dibao || p.low_income) {
      p.able_supporter = rng.Bernoulli(cal_.able_supporter_share) ? 1 : 0;
    }
    int recent = std::max(as_of - 8 * 365, p.registered_day);
    p.civil_from = rng.Between(std::min(recent, last), last);
    if (p.dibao && !p.dead && rng.Bernoulli(cal_.dibao_exit_per_year)) {
      p.dibao_exit = true;
      p.dibao_exit_day = rng.Between(std::max(p.civil_from, m_.window_first_day), as_of - 1);
    }

    // Family planning, veterans.
    p.family_planning =
        p.age <= 79 && rng.Bernoulli(cal_.family_planning_special_50_79.Of(p.urban));
    bool* v = p.veteran_flags;
    if (old) {
      v[0] = rng.Bernoulli(cal_.martyr_family_60_plus);
      v[1] = rng.Bernoulli(cal_.duty_death_family_60_plus);
      v[2] = rng.Bernoulli(cal_.illness_death_family_60_plus);
      v[3] = rng.Bernoulli(cal_.disabled_soldier_60_plus.Of(p.male));
      v[4] = p.age >= 90 && rng.Bernoulli(cal_.demobilized_soldier_90_plus.Of(p.male));
      v[5] = !v[3] && !v[4] && rng.Bernoulli(cal_.veteran_60_plus.Of(p.male));
    }
    v[6] = p.age <= 64 && rng.Bernoulli(cal_.active_duty_family_50_64);
    v[7] = v[0] || v[1] || v[2] || v[3] || v[4] ||
           (v[5] && rng.Bernoulli(cal_.state_pension_benefit_veteran_share));
    p.any_veteran = std::any_of(std::begin(p.veteran_flags), std::end(p.veteran_flags),
                                [](bool b) { return b; });
    p.veteran_from = rng.Between(std::min(day_2019_01_01_, last), last);

    // Pension.
    const auto& scheme = p.urban ? cal_.pension_scheme_urban : cal_.pension_scheme_rural;
    p.pension = static_cast<int>(rng.Pick(scheme));
    if (p.pension != 0) {
      int eligible_age = 60;
      if (p.pension == 1 && !p.male) {
        eligible_age = rng.Bernoulli(cal_.pension_female_employee_age_50) ? 50 : 55;
      }
      p.pension_eligible_day = DayOf(AgeAnniversary(p.birth, eligible_age));
      if (p.pension == 1) {
        int from = std::max(DayOf(p.birth.AddYears(20)), day_1992_01_01_);
        p.pension_join_day = rng.Between(std::min(from, as_of - 400), as_of - 400);
      } else {
        p.pension_join_day = rng.Between(day_2009_10_01_, day_2014_12_31_);
      }
    }

    // Dates of the other departments' records.
    p.health_from = rng.Between(std::min(as_of - kDays10Years, last), last);
    p.care_from = rng.Between(std::min(as_of - 3 * 365, last), last);
    if (p.category != 0) {
      if (rng.Bernoulli(cal_.disability_cert_expired_share)) {
        p.cert_until_day = rng.Between(as_of - 700, as_of - 1);
        p.cert_issued_day = p.cert_until_day - kDays10Years + 1;
      } else {
        p.cert_issued_day = rng.Between(std::min(as_of - kDays10Years + 1, last), last);
        p.cert_until_day = p.cert_issued_day + kDays10Years - 1;
      }
    }

    // A move of the household during the year: a second 公安 row for its
    // living members.
    if (!p.dead && household_moves) {
      p.moved = true;
      p.move_day = move_day;
      if (&m_.units[move_unit] == p.residence) move_unit = (move_unit + 1) % m_.units.size();
      p.new_residence_code = m_.units[move_unit].region->code;
      p.new_hukou_code = p.family == 0 && move_hukou ? p.new_residence_code : p.hukou_code;
    }

    // Phones: one's own mobile, else the household's landline, if any.
    if (rng.Bernoulli(cal_.mobile_phone_by_age.At(p.age))) {
      SetMobile(p, rng);
    } else if (landline) {
      for (const AreaCode& a : kAreaCodes) {
        if (a.city != m_.city->code) continue;
        uint64_t local = landline_number;
        std::string digits(static_cast<size_t>(a.digits), '0');
        for (size_t i = digits.size(); i-- > 0;) {
          digits[i] = static_cast<char>('0' + local % 10);
          local /= 10;
        }
        digits[0] = static_cast<char>('2' + landline_number % 7);  // local numbers start 2-8
        p.phone = fmt::format("{}-{}", a.code, digits);
      }
    }
  }

  void Count(const Person& p) {
    BlockStats& s = out_.stats;
    ++s.people;
    s.deaths += p.dead;
    s.aged_60_plus += p.age >= 60;
    s.aged_65_plus += p.age >= 65;
    s.aged_80_plus += p.age >= 80;
    s.aged_100_plus += p.age >= 100;
    s.urban += p.urban;
    s.dibao += p.dibao;
    s.tekun += p.tekun != 0;
    s.disabled += p.category != 0;
  }

  // --- rows ----------------------------------------------------------------

  Row& Start(Department d, const Person& p) {
    row_.Reset(d);
    row_.Set(col::kId, std::string_view(p.id, 18));
    row_.Set(col::kName, p.name);
    return row_;
  }

  // A death reported by a department other than 公安: sometimes a few days off.
  int ReportedDeathDay(const Person& p, Rng& rng) const {
    if (!rng.Bernoulli(cal_.death_date_conflict)) return p.death_day;
    int k = rng.Between(1, 5);
    int day = rng.Bernoulli(0.5) ? p.death_day + k : p.death_day - k;
    if (day >= m_.as_of_day) day = p.death_day - k;
    return std::max(day, p.birth_day);
  }

  // 公安 rows restate sex and birth date, as 公安 holds them.
  Row& StartPublicSecurity(const Person& p) {
    Row& r = Start(Department::kPublicSecurity, p);
    r.Set(col_.sex, p.male ? "男" : "女");
    r.SetDate(col_.birth, p.birth_day);
    return r;
  }

  void WritePublicSecurity(const Person& p) {
    Row& r = StartPublicSecurity(p);
    r.Set(col_.hukou, p.hukou_code);
    r.Set(col_.phone, p.phone);
    r.Set(col_.household, p.household);
    r.Set(col_.residence, p.residence_code);
    r.SetDate(col_.from[0], p.registered_day);
    if (p.moved) {
      r.SetDate(col_.until[0], p.move_day - 1);
      Emit(p);
      Row& r2 = StartPublicSecurity(p);
      r2.Set(col_.hukou, p.new_hukou_code);
      r2.Set(col_.phone, p.phone);
      r2.Set(col_.household, p.household);
      r2.Set(col_.residence, p.new_residence_code);
      r2.SetDate(col_.from[0], p.move_day);
      Emit(p);
      return;
    }
    if (p.dead) r.SetDate(col_.until[0], p.death_day);  // 户口注销
    Emit(p);
    if (p.dead) {
      Row& d = StartPublicSecurity(p);
      d.SetDate(col_.ps_death, p.death_day);
      d.SetDate(col_.from[0], p.death_day);
      Emit(p);
    }
  }

  void CivilAffairsFields(Row& r, const Person& p, bool dibao) {
    bool old = p.age >= 60;
    r.SetBool(col_.dibao, dibao);
    if (dibao) r.SetBool(col_.dibao_hardship, p.dibao_hardship);
    r.SetBool(col_.low_income, p.low_income);
    r.Set(col_.tekun, kTekunText[p.tekun]);
    if (old) {
      r.SetBool(col_.cannot_self_care, p.cannot_self_care);
      r.SetBool(col_.living_alone, p.living_alone);
      r.SetBool(col_.empty_nest, p.empty_nest);
      r.SetBool(col_.left_behind, p.left_behind);
      r.SetBool(col_.in_institution, p.in_institution);
    }
    if (p.vagrant) r.SetBool(col_.vagrant, true);
    if (p.able_supporter >= 0) r.SetBool(col_.able_supporter, p.able_supporter == 1);
    r.Set(col_.ca_phone, p.phone);
    if (carer_) {
      r.Set(col_.carer_id, std::string_view(carer_id_, 18));
      r.Set(col_.carer_name, carer_name_);
      r.Set(col_.carer_relation, kCarerRelationText[carer_relation_]);
    }
  }

  // The family carer (家庭照护者) 民政 has on record for an older person who
  // needs care and lives at home: a spouse, a child or a child's spouse.
  // Drawn from a stream of its own, so the rest of the city is the same as
  // without carers. The share is not calibrated (no public figure): a demo.
  void DrawCarer(const Person& p) {
    static constexpr double kCarerOnRecordShare = 0.6;
    carer_ = false;
    const bool needs_care = p.cannot_self_care || p.dementia || p.long_term_care;
    if (p.age < 60 || p.dead || p.in_institution || p.tekun == 1 || !needs_care) return;
    Rng rng(Mix(m_.seed ^ 0x6361726572ULL, static_cast<uint64_t>(p.index)));
    if (!rng.Bernoulli(kCarerOnRecordShare)) return;
    carer_ = true;
    double r = rng.Uniform();
    carer_relation_ = r < 0.25 ? 0 : r < 0.85 ? 1 : 2;  // spouse, child, child's spouse
    bool male = carer_relation_ == 0 ? !p.male : rng.Bernoulli(0.5);
    int year = carer_relation_ == 0 ? p.birth.year() + rng.Between(-3, 3)
                                    : p.birth.year() + rng.Between(22, 38);
    std::memcpy(carer_id_, p.id, 6);  // the older person's address code
    char date[10];
    Row::WriteDate(date, year, rng.Between(1, 12), rng.Between(1, 28));
    std::memcpy(carer_id_ + 6, date, 4);
    std::memcpy(carer_id_ + 10, date + 5, 2);
    std::memcpy(carer_id_ + 12, date + 8, 2);
    int seq = static_cast<int>(rng.Below(500)) * 2 + (male ? 1 : 0);
    carer_id_[14] = static_cast<char>('0' + seq / 100);
    carer_id_[15] = static_cast<char>('0' + seq / 10 % 10);
    carer_id_[16] = static_cast<char>('0' + seq % 10);
    carer_id_[17] = IdCheckCharacter(std::string_view(carer_id_, 17));
    carer_name_.clear();
    AppendName(rng, male, year, carer_name_);
  }

  void WriteCivilAffairs(const Person& p, Rng& rng) {
    bool known = p.dibao || p.low_income || p.tekun != 0 || p.cannot_self_care || p.living_alone ||
                 p.empty_nest || p.left_behind || p.in_institution || p.vagrant;
    if (!known) return;
    DrawCarer(p);
    Row& r = Start(Department::kCivilAffairs, p);
    CivilAffairsFields(r, p, p.dibao);
    r.SetDate(col_.from[1], p.civil_from);
    if (p.dibao && p.dead) r.SetDate(col_.until[1], p.death_day);
    if (p.dibao_exit) {
      r.SetDate(col_.until[1], p.dibao_exit_day);
      Emit(p);
      Row& r2 = Start(Department::kCivilAffairs, p);
      CivilAffairsFields(r2, p, false);
      r2.SetDate(col_.from[1], p.dibao_exit_day + 1);
      Emit(p);
    } else {
      Emit(p);
    }
    if (p.dead && rng.Bernoulli(cal_.death_reported_by_civil_affairs)) {
      int day = ReportedDeathDay(p, rng);
      Row& d = Start(Department::kCivilAffairs, p);
      d.SetDate(col_.ca_death, day);
      // One row per person and 起始日期: a death reported on the day the
      // earlier row starts is recorded the day after.
      d.SetDate(col_.from[1], day == p.civil_from ? day + 1 : day);
      Emit(p);
    }
  }

  void WriteHumanResources(const Person& p) {
    if (p.pension == 0) return;
    const int as_of = m_.as_of_day;
    int eligible = p.pension_eligible_day;
    auto row = [&](bool is_eligible, int from, int until) {
      Row& r = Start(Department::kHumanResources, p);
      r.Set(col_.pension, kPensionText[p.pension]);
      r.SetBool(col_.pension_eligible, is_eligible);
      r.SetDate(col_.from[2], from);
      if (until >= 0) r.SetDate(col_.until[2], until);
      Emit(p);
    };
    if (eligible >= (p.dead ? p.death_day + 1 : as_of)) {
      row(false, p.pension_join_day, -1);
    } else if (eligible >= m_.window_first_day && p.pension_join_day < eligible) {
      row(false, p.pension_join_day, eligible - 1);
      row(true, eligible, -1);
    } else {
      row(true, std::max(p.pension_join_day, eligible), -1);
    }
  }

  void WriteHealth(const Person& p, Rng& rng) {
    if (p.family_planning || p.dementia) {
      Row& r = Start(Department::kHealth, p);
      r.SetBool(col_.family_planning, p.family_planning);
      r.SetBool(col_.dementia, p.dementia);
      r.SetDate(col_.from[3], p.health_from);
      Emit(p);
    }
    if (p.dead && rng.Bernoulli(cal_.death_reported_by_health)) {
      int day = ReportedDeathDay(p, rng);
      Row& d = Start(Department::kHealth, p);
      d.SetDate(col_.he_death, day);
      bool wrote_health = p.family_planning || p.dementia;
      d.SetDate(col_.from[3], wrote_health && day == p.health_from ? day + 1 : day);
      Emit(p);
    }
  }

  void WriteMedicalInsurance(const Person& p) {
    if (!p.long_term_care) return;
    Row& r = Start(Department::kMedicalInsurance, p);
    r.SetBool(col_.mi_care, true);
    r.SetDate(col_.from[4], p.care_from);
    Emit(p);
  }

  void WriteDisabledPersons(const Person& p) {
    if (p.category == 0) return;
    Row& r = Start(Department::kDisabledPersons, p);
    r.Set(col_.category, kCategoryText[p.category]);
    r.Set(col_.grade, kGradeText[p.grade]);
    r.SetDate(col_.cert_until, p.cert_until_day);
    r.SetBool(col_.dp_care, p.long_term_care);
    r.SetDate(col_.from[5], p.cert_issued_day);
    Emit(p);
  }

  void WriteVeterans(const Person& p) {
    if (!p.any_veteran) return;
    Row& r = Start(Department::kVeterans, p);
    for (int i = 0; i < 8; ++i)
      r.SetBool(col_.ve_flags[static_cast<size_t>(i)], p.veteran_flags[i]);
    r.SetDate(col_.from[6], p.veteran_from);
    Emit(p);
  }

  // --- output and dirty rows ----------------------------------------------

  void Append(const Row& r) {
    std::string& out = out_.text[static_cast<size_t>(r.department())];
    // Only the name is free text; codes, dates and the fixed labels never
    // need quoting.
    out += r.Get(col::kId);
    out += ',';
    AppendField(out, r.Get(col::kName));
    for (int c = 2; c < r.size(); ++c) {
      out += ',';
      out += r.Get(c);
    }
    out += '\n';
    ++out_.rows[static_cast<size_t>(r.department())];
  }

  void Record(const Row& r, int column, DirtyKind kind, std::string_view value) {
    out_.dirty.push_back(BlockDirty{.department = static_cast<int>(r.department()),
                                    .row = out_.rows[static_cast<size_t>(r.department())],
                                    .column = column,
                                    .kind = kind,
                                    .value = std::string(value)});
  }

  void Emit(const Person& p) {
    Row& r = row_;
    if (!m_.dirty || !dirty_rng_.Bernoulli(cal_.dirty_row_share)) {
      Append(r);
      return;
    }
    // The kinds that fit this row.
    DirtyKind kinds[8];
    int n = 0;
    kinds[n++] = DirtyKind::kCheckChar;
    kinds[n++] = DirtyKind::kImpossibleDate;
    kinds[n++] = DirtyKind::kEmptyName;
    kinds[n++] = DirtyKind::kDuplicateRow;
    kinds[n++] = DirtyKind::kOldId15;
    if (r.department() == Department::kPublicSecurity && !r.Get(col_.residence).empty()) {
      kinds[n++] = DirtyKind::kUnknownRegion;
    }
    if (r.department() == Department::kPublicSecurity && !r.Get(col_.sex).empty()) {
      kinds[n++] = DirtyKind::kSexMismatch;
    }
    int bools[kMaxColumns];
    int n_bools = 0;
    const auto& is_bool = col_.is_bool[static_cast<size_t>(r.department())];
    for (int c = 0; c < r.size(); ++c) {
      if (is_bool[static_cast<size_t>(c)] && !r.Get(c).empty()) bools[n_bools++] = c;
    }
    if (n_bools > 0) kinds[n++] = DirtyKind::kYesNoAsHave;
    DirtyKind kind = kinds[dirty_rng_.Below(static_cast<uint64_t>(n))];

    switch (kind) {
      case DirtyKind::kCheckChar: {
        char* id = r.Alloc(18);
        std::memcpy(id, p.id, 18);
        static constexpr char kChecks[] = "0123456789X";
        char wrong = id[17];
        while (wrong == id[17]) wrong = kChecks[dirty_rng_.Below(11)];
        id[17] = wrong;
        r.Set(col::kId, std::string_view(id, 18));
        Record(r, col::kId, kind, r.Get(col::kId));
        break;
      }
      case DirtyKind::kOldId15: {
        char* id = r.Alloc(15);
        std::memcpy(id, p.id, 6);
        std::memcpy(id + 6, p.id + 8, 6);    // YYMMDD
        std::memcpy(id + 12, p.id + 14, 3);  // sequence code; no check character
        r.Set(col::kId, std::string_view(id, 15));
        Record(r, col::kId, kind, r.Get(col::kId));
        break;
      }
      case DirtyKind::kImpossibleDate: {
        static constexpr int kBad[][2] = {{2, 30}, {2, 31}, {4, 31}, {6, 31}, {9, 31}, {11, 31}};
        int from = FromColumn(r.department());
        int year = std::stoi(std::string(r.Get(from).substr(0, 4)));
        const int* md = kBad[dirty_rng_.Below(std::size(kBad))];
        char* d = r.Alloc(10);
        Row::WriteDate(d, year, md[0], md[1]);
        r.Set(from, std::string_view(d, 10));
        Record(r, from, kind, r.Get(from));
        break;
      }
      case DirtyKind::kEmptyName:
        r.Set(col::kName, "");
        Record(r, col::kName, kind, "");
        break;
      case DirtyKind::kUnknownRegion: {
        // A street code with a village part no street has: "…999".
        const Region* street = p.residence->street;
        char* code = r.Alloc(12);
        std::memcpy(code, street->code.data(), 9);
        std::memcpy(code + 9, "999", 3);
        for (int k = 0; k < 50 && m_.regions->Find(std::string_view(code, 12)) != nullptr; ++k) {
          code[11] = static_cast<char>('0' + (code[11] - '0' + 9) % 10);
        }
        r.Set(col_.residence, std::string_view(code, 12));
        Record(r, col_.residence, kind, r.Get(col_.residence));
        break;
      }
      case DirtyKind::kYesNoAsHave: {
        int c = bools[dirty_rng_.Below(static_cast<uint64_t>(n_bools))];
        r.Set(c, r.Get(c) == kYes ? std::string_view("有") : std::string_view("无"));
        Record(r, c, kind, r.Get(c));
        break;
      }
      case DirtyKind::kDuplicateRow:
        Append(r);
        Record(r, -1, kind, "");
        break;
      case DirtyKind::kSexMismatch:
        r.Set(col_.sex, r.Get(col_.sex) == "男" ? std::string_view("女") : std::string_view("男"));
        Record(r, col_.sex, kind, r.Get(col_.sex));
        break;
    }
    Append(r);
  }

  const CityModel& m_;
  const Calibration& cal_;
  BlockOutput& out_;
  const Layout& col_;  // the template columns
  // Dates of the registry's history: hukou records computerised (1985),
  // employee pension reform (1992), resident pension pilots (2009-10 to the
  // end of 2014), veterans' affairs departments set up (2019).
  const int day_1985_01_01_ = DayOf(*CivilDate::FromYmd(1985, 1, 1));
  const int day_1992_01_01_ = DayOf(*CivilDate::FromYmd(1992, 1, 1));
  const int day_2009_10_01_ = DayOf(*CivilDate::FromYmd(2009, 10, 1));
  const int day_2014_12_31_ = DayOf(*CivilDate::FromYmd(2014, 12, 31));
  const int day_2019_01_01_ = DayOf(*CivilDate::FromYmd(2019, 1, 1));
  Person p_;
  Row row_;
  Rng dirty_rng_{0};
  // The family carer of the person being written (DrawCarer).
  bool carer_ = false;
  char carer_id_[18] = {};
  std::string carer_name_;
  int carer_relation_ = 0;
};

}  // namespace

void GenerateBlock(const CityModel& model, const BlockStart& block, BlockOutput& out) {
  out.Clear();
  BlockWriter writer(model, out);
  size_t cell = block.cell;
  int rank = block.rank;
  for (int64_t i = 0; i < block.count; ++i) {
    while (rank >= model.cell_count[cell]) {
      ++cell;
      rank = 0;
    }
    writer.Generate(block.person + i, cell, rank);
    ++rank;
  }
}

}  // namespace yanglao::gen
