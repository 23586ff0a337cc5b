#include "gen/person.h"

#include <algorithm>
#include <chrono>
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
constexpr std::string_view kPensionText[] = {"未参保", "职工基本养老保险", "城乡居民基本养老保险"};
constexpr std::string_view kCategoryText[] = {"无",   "视力", "听力", "言语",
                                              "肢体", "智力", "精神", "多重"};
constexpr std::string_view kGradeText[] = {"无", "一级", "二级", "三级", "四级"};
constexpr int kDays10Years = 3652;

int DayOf(CivilDate d) { return d.DaysSinceEpoch(); }
CivilDate DateOf(int day) {
  return CivilDate::FromDays(std::chrono::sys_days(std::chrono::days(day)));
}

// Column indices of the templates (checked against feeds.cc by the tests).
namespace col {
constexpr int kId = 0, kName = 1;
// 公安
constexpr int kHukou = 2, kResidence = 3, kPsDeath = 4, kPsFrom = 5, kPsUntil = 6;
// 民政
[[maybe_unused]] constexpr int kDibao = 2, kDibaoHardship = 3, kLowIncome = 4, kTekun = 5,
                               kCannotSelfCare = 6, kLivingAlone = 7, kEmptyNest = 8,
                               kLeftBehind = 9, kVagrant = 10, kInInstitution = 11,
                               kAbleSupporter = 12, kCaDeath = 13, kCaFrom = 14, kCaUntil = 15;
// 人社
[[maybe_unused]] constexpr int kPension = 2, kPensionEligible = 3, kHrFrom = 4, kHrUntil = 5;
// 卫健
[[maybe_unused]] constexpr int kFamilyPlanning = 2, kDementia = 3, kHeDeath = 4, kHeFrom = 5,
                               kHeUntil = 6;
// 医保
[[maybe_unused]] constexpr int kMiCare = 2, kMiFrom = 3, kMiUntil = 4;
// 残联
[[maybe_unused]] constexpr int kCategory = 2, kGrade = 3, kCertUntil = 4, kDpCare = 5, kDpFrom = 6,
                               kDpUntil = 7;
// 退役军人: eight flags from 2, then 起始日期 and 终止日期
[[maybe_unused]] constexpr int kVeFlags = 2, kVeFrom = 10, kVeUntil = 11;
}  // namespace col

int FromColumn(Department d) { return TemplateOf(d).ColumnIndex("起始日期"); }

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
    n_ = static_cast<int>(TemplateOf(d).columns.size());
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
  std::array<std::string_view, 16> f_{};
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
  BlockWriter(const CityModel& m, BlockOutput& out) : m_(m), cal_(*m.cal), out_(out) {}

  void Generate(int64_t index, size_t cell, int rank) {
    Person& p = p_;
    std::string name = std::move(p.name);  // keep its buffer
    p = Person{};
    p.name = std::move(name);
    p.name.clear();
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

  void Draw(Person& p, Rng& rng, size_t cell, int rank) {
    int day = 0, sex = 0;
    m_.CellOf(cell, p.family, p.county, day, sex);
    p.male = sex == 0;
    p.birth_day = m_.first_birth_day + day;
    p.birth = DateOf(p.birth_day);
    p.age = m_.day_age[static_cast<size_t>(day)];
    const int as_of = m_.as_of_day;

    // Places and the ID's address code.
    std::string_view address;
    const std::vector<std::string_view>* old_codes = nullptr;
    if (p.family == 0) {
      const Unit& hukou = m_.units[m_.UnitInCounty(p.county, rng.Uniform())];
      p.residence = rng.Bernoulli(m_.p_separated) ? &m_.units[m_.UnitAt(rng.Uniform())] : &hukou;
      p.hukou_code = CodeOfLength(hukou, rng);
      const County& county = m_.counties[static_cast<size_t>(p.county)];
      address = county.region->code;
      old_codes = &county.old_codes;
    } else {
      p.residence = &m_.units[m_.UnitInCounty(p.county, rng.Uniform())];
      bool other = rng.Bernoulli(m_.p_other_province);
      const std::vector<ForeignCounty>& list = other ? m_.other_counties : m_.province_counties;
      const ForeignCounty& f = list[rng.Below(list.size())];
      p.hukou_code = !f.streets.empty() && rng.Bernoulli(0.4)
                         ? std::string_view(f.streets[rng.Below(f.streets.size())]->code)
                         : std::string_view(f.region->code);
      address = f.region->code;
      old_codes = &f.old_codes;
    }
    p.residence_code = ResidenceCode(*p.residence, rng);
    p.urban = p.residence->urban;
    if (!old_codes->empty() && rng.Bernoulli(cal_.id_old_address_code_share)) {
      address = (*old_codes)[rng.Below(old_codes->size())];
    }

    // ID number: address, birth date, a sequence code unique in its cell.
    int half = 0;
    if (p.family == 0) {
      auto offset = static_cast<int>(Mix(m_.seed ^ 0x736571ULL, cell) % kLocalSlots);
      half = (offset + rank) % kLocalSlots;
    } else {
      half = kLocalSlots + p.county * m_.other_slots_per_county + rank % m_.other_slots_per_county;
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
    double q = cal_.mortality_per_1000.At(p.age) * cal_.mortality_sex_factor.Of(p.male) / 1000.0;
    p.dead = rng.Bernoulli(std::min(q, 0.9));
    p.death_day = m_.window_first_day +
                  static_cast<int>(rng.Below(static_cast<uint64_t>(as_of - m_.window_first_day)));
    int last = p.dead ? p.death_day : as_of - 1;
    int adult = DayOf(p.birth.AddYears(18));
    p.registered_day = rng.Between(std::max(adult, day_1985_01_01_), std::max(adult, as_of - 400));
    p.registered_day = std::min(p.registered_day, as_of - 400);
    p.registered_day = std::max(p.registered_day, p.birth_day);

    // Social assistance.
    bool old = p.age >= 60;
    double dibao =
        cal_.dibao_60_plus.Of(p.urban) * cal_.dibao_age_factor.At(p.age) / m_.dibao_age_norm;
    p.dibao = rng.Bernoulli(dibao);
    if (!p.dibao) {
      double tekun =
          cal_.tekun_60_plus.Of(p.urban) * cal_.tekun_age_factor.At(p.age) / m_.tekun_age_norm;
      if (rng.Bernoulli(tekun)) {
        p.tekun = rng.Bernoulli(cal_.tekun_centralized_share.Of(p.urban)) ? 1 : 2;
      }
    }
    if (!p.dibao && p.tekun == 0) {
      p.low_income = rng.Bernoulli(cal_.low_income_60_plus.Of(p.urban) * (old ? 1.0 : 0.6));
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

    // A move during the year: a second 公安 row.
    if (!p.dead && rng.Bernoulli(cal_.move_per_year)) {
      p.moved = true;
      p.move_day = rng.Between(m_.window_first_day, as_of - 1);
      size_t u = m_.UnitAt(rng.Uniform());
      if (&m_.units[u] == p.residence) u = (u + 1) % m_.units.size();
      p.new_residence_code = m_.units[u].region->code;
      p.new_hukou_code = p.family == 0 && rng.Bernoulli(0.5) ? p.new_residence_code : p.hukou_code;
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

  void WritePublicSecurity(const Person& p) {
    Row& r = Start(Department::kPublicSecurity, p);
    r.Set(col::kHukou, p.hukou_code);
    r.Set(col::kResidence, p.residence_code);
    r.SetDate(col::kPsFrom, p.registered_day);
    if (p.moved) {
      r.SetDate(col::kPsUntil, p.move_day - 1);
      Emit(p);
      Row& r2 = Start(Department::kPublicSecurity, p);
      r2.Set(col::kHukou, p.new_hukou_code);
      r2.Set(col::kResidence, p.new_residence_code);
      r2.SetDate(col::kPsFrom, p.move_day);
      Emit(p);
      return;
    }
    if (p.dead) r.SetDate(col::kPsUntil, p.death_day);  // 户口注销
    Emit(p);
    if (p.dead) {
      Row& d = Start(Department::kPublicSecurity, p);
      d.SetDate(col::kPsDeath, p.death_day);
      d.SetDate(col::kPsFrom, p.death_day);
      Emit(p);
    }
  }

  void CivilAffairsFields(Row& r, const Person& p, bool dibao) {
    bool old = p.age >= 60;
    r.SetBool(col::kDibao, dibao);
    if (dibao) r.SetBool(col::kDibaoHardship, p.dibao_hardship);
    r.SetBool(col::kLowIncome, p.low_income);
    r.Set(col::kTekun, kTekunText[p.tekun]);
    if (old) {
      r.SetBool(col::kCannotSelfCare, p.cannot_self_care);
      r.SetBool(col::kLivingAlone, p.living_alone);
      r.SetBool(col::kEmptyNest, p.empty_nest);
      r.SetBool(col::kLeftBehind, p.left_behind);
      r.SetBool(col::kInInstitution, p.in_institution);
    }
    if (p.vagrant) r.SetBool(col::kVagrant, true);
    if (p.able_supporter >= 0) r.SetBool(col::kAbleSupporter, p.able_supporter == 1);
  }

  void WriteCivilAffairs(const Person& p, Rng& rng) {
    bool known = p.dibao || p.low_income || p.tekun != 0 || p.cannot_self_care || p.living_alone ||
                 p.empty_nest || p.left_behind || p.in_institution || p.vagrant;
    if (!known) return;
    Row& r = Start(Department::kCivilAffairs, p);
    CivilAffairsFields(r, p, p.dibao);
    r.SetDate(col::kCaFrom, p.civil_from);
    if (p.dibao && p.dead) r.SetDate(col::kCaUntil, p.death_day);
    if (p.dibao_exit) {
      r.SetDate(col::kCaUntil, p.dibao_exit_day);
      Emit(p);
      Row& r2 = Start(Department::kCivilAffairs, p);
      CivilAffairsFields(r2, p, false);
      r2.SetDate(col::kCaFrom, p.dibao_exit_day + 1);
      Emit(p);
    } else {
      Emit(p);
    }
    if (p.dead && rng.Bernoulli(cal_.death_reported_by_civil_affairs)) {
      int day = ReportedDeathDay(p, rng);
      Row& d = Start(Department::kCivilAffairs, p);
      d.SetDate(col::kCaDeath, day);
      d.SetDate(col::kCaFrom, day);
      Emit(p);
    }
  }

  void WriteHumanResources(const Person& p) {
    if (p.pension == 0) return;
    const int as_of = m_.as_of_day;
    int eligible = p.pension_eligible_day;
    auto row = [&](bool is_eligible, int from, int until) {
      Row& r = Start(Department::kHumanResources, p);
      r.Set(col::kPension, kPensionText[p.pension]);
      r.SetBool(col::kPensionEligible, is_eligible);
      r.SetDate(col::kHrFrom, from);
      if (until >= 0) r.SetDate(col::kHrUntil, until);
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
      r.SetBool(col::kFamilyPlanning, p.family_planning);
      r.SetBool(col::kDementia, p.dementia);
      r.SetDate(col::kHeFrom, p.health_from);
      Emit(p);
    }
    if (p.dead && rng.Bernoulli(cal_.death_reported_by_health)) {
      int day = ReportedDeathDay(p, rng);
      Row& d = Start(Department::kHealth, p);
      d.SetDate(col::kHeDeath, day);
      d.SetDate(col::kHeFrom, day);
      Emit(p);
    }
  }

  void WriteMedicalInsurance(const Person& p) {
    if (!p.long_term_care) return;
    Row& r = Start(Department::kMedicalInsurance, p);
    r.SetBool(col::kMiCare, true);
    r.SetDate(col::kMiFrom, p.care_from);
    Emit(p);
  }

  void WriteDisabledPersons(const Person& p) {
    if (p.category == 0) return;
    Row& r = Start(Department::kDisabledPersons, p);
    r.Set(col::kCategory, kCategoryText[p.category]);
    r.Set(col::kGrade, kGradeText[p.grade]);
    r.SetDate(col::kCertUntil, p.cert_until_day);
    r.SetBool(col::kDpCare, p.long_term_care);
    r.SetDate(col::kDpFrom, p.cert_issued_day);
    Emit(p);
  }

  void WriteVeterans(const Person& p) {
    if (!p.any_veteran) return;
    Row& r = Start(Department::kVeterans, p);
    for (int i = 0; i < 8; ++i) r.SetBool(col::kVeFlags + i, p.veteran_flags[i]);
    r.SetDate(col::kVeFrom, p.veteran_from);
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
    DirtyKind kinds[7];
    int n = 0;
    kinds[n++] = DirtyKind::kCheckChar;
    kinds[n++] = DirtyKind::kImpossibleDate;
    kinds[n++] = DirtyKind::kEmptyName;
    kinds[n++] = DirtyKind::kDuplicateRow;
    kinds[n++] = DirtyKind::kOldId15;
    if (r.department() == Department::kPublicSecurity && !r.Get(col::kResidence).empty()) {
      kinds[n++] = DirtyKind::kUnknownRegion;
    }
    int bools[16];
    int n_bools = 0;
    const FeedTemplate& t = TemplateOf(r.department());
    for (int c = 0; c < r.size(); ++c) {
      if (t.columns[static_cast<size_t>(c)].type == ColumnType::kBool && !r.Get(c).empty()) {
        bools[n_bools++] = c;
      }
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
        r.Set(col::kResidence, std::string_view(code, 12));
        Record(r, col::kResidence, kind, r.Get(col::kResidence));
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
    }
    Append(r);
  }

  const CityModel& m_;
  const Calibration& cal_;
  BlockOutput& out_;
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
