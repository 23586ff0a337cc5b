#include "oversight/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "core/money.h"
#include "core/region.h"
#include "entitle/run.h"
#include "facility/store.h"
#include "oversight/draw.h"
#include "policy/service_list.h"
#include "registry/registry.h"
#include "registry/stats.h"
#include "xlsx/xlsx.h"

namespace yanglao::oversight {

namespace {

Status PeriodError(std::string_view text) {
  return Status(ErrorCategory::kInvalidInput, "oversight.period",
                "统计期应为年（2026）、季度（2026-Q2）或月份（2026-03）",
                Location{.field = "period", .value = std::string(text)});
}

bool AllDigits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

std::string Percent(int64_t num, int64_t den) {
  if (den <= 0) return "—";
  // one decimal, rounded half up
  const int64_t tenths = (num * 1000 + den / 2) / den;
  return fmt::format("{}.{}%", tenths / 10, tenths % 10);
}

std::string Yuan(int64_t fen) { return Money::Fen(fen).FormatYuan(); }

std::string Cell(const std::optional<int64_t>& v) {
  return v ? std::to_string(*v) : std::string("<阈值");
}

std::string RegionName(std::string_view code) {
  const Region* r = RegionTable::Builtin().Find(code);
  return r ? r->name : std::string(code);
}

// Suppresses one column of counts of people (rows add up to a published total).
std::vector<std::optional<int64_t>> Column(
    const std::vector<std::pair<std::string, int64_t>>& counts, int min_people, int64_t& withheld) {
  std::vector<std::optional<int64_t>> out;
  for (const PublishedCell& c : Suppress(counts, min_people)) {
    if (!c.people) ++withheld;
    out.push_back(c.people);
  }
  return out;
}

}  // namespace

Result<Period> ParsePeriod(std::string_view text) {
  static const char* const kQuarters[] = {"一", "二", "三", "四"};
  Period p;
  if (text.size() == 4 && AllDigits(text)) {
    const int y = std::stoi(std::string(text));
    auto first = Month::FromYm(y, 1);
    auto last = Month::FromYm(y, 12);
    if (!first || !last || y < 1900) return PeriodError(text);
    p.first = *first;
    p.last = *last;
    p.text = std::string(text);
    p.label = fmt::format("{} 年", y);
    p.kind = "年报";
    return p;
  }
  if (text.size() == 7 && AllDigits(text.substr(0, 4)) && text[4] == '-' &&
      (text[5] == 'Q' || text[5] == 'q') && text[6] >= '1' && text[6] <= '4') {
    const int y = std::stoi(std::string(text.substr(0, 4)));
    const int q = text[6] - '0';
    auto first = Month::FromYm(y, q * 3 - 2);
    auto last = Month::FromYm(y, q * 3);
    if (!first || !last || y < 1900) return PeriodError(text);
    p.first = *first;
    p.last = *last;
    p.text = fmt::format("{}-Q{}", y, q);
    p.label = fmt::format("{} 年第{}季度", y, kQuarters[q - 1]);
    p.kind = "季报";
    return p;
  }
  if (text.size() == 7 && AllDigits(text.substr(0, 4)) && text[4] == '-' &&
      AllDigits(text.substr(5))) {
    Result<Month> m = Month::Parse(text);
    if (!m.ok() || m->year() < 1900) return PeriodError(text);
    p.first = p.last = *m;
    p.text = m->ToString();
    p.label = fmt::format("{} 年 {} 月", m->year(), m->month());
    p.kind = "月报";
    return p;
  }
  return PeriodError(text);
}

std::string ReportDigest(const PeriodReport& r) {
  std::string all;
  auto add = [&](std::string_view s) {
    all.append(s);
    all.push_back('\x1f');
  };
  add(r.title);
  add(r.jurisdiction);
  add(r.period.text);
  add(r.as_of);
  add(r.known_on);
  for (const std::string& s : r.runs) add(s);
  for (const Indicator& i : r.indicators) {
    add(i.key);
    add(i.value);
    add(i.basis);
  }
  for (const ReportTable& t : r.tables) {
    add(t.title);
    for (const std::string& h : t.header) add(h);
    for (const auto& row : t.rows)
      for (const std::string& c : row) add(c);
    add(t.note);
  }
  return Sha256Hex(all);
}

Result<PeriodReport> BuildReport(registry::Registry& registry, const ReportOptions& o) {
  const Region* city = RegionTable::Builtin().Find(o.jurisdiction);
  if (city == nullptr || o.jurisdiction.size() != 6) {
    return Status(ErrorCategory::kInvalidInput, "oversight.report", "找不到这个市（区划代码）",
                  Location{.field = "jurisdiction", .value = o.jurisdiction});
  }
  const std::string prefix = city->code;  // natural code ("4213")
  const int min_people = std::max(1, o.publication.min_people);
  PeriodReport r;
  r.city = city->name;
  r.jurisdiction = o.jurisdiction;
  r.period = o.period;
  r.min_people = min_people;
  r.title = fmt::format("{}养老服务统计{}（{}）", city->name, o.period.kind, o.period.label);
  const CivilDate as_of = o.period.end();
  const CivilDate known_on = o.known_on.value_or(as_of);
  r.as_of = as_of.ToString();
  r.known_on = known_on.ToString();

  // --- Older people, from the registry as of the period's end -------------
  Result<registry::RegistryStats> stats = registry::ComputeStats(registry, as_of, known_on);
  if (!stats.ok()) return stats.status();
  const auto& circ = registry::StatsCircumstances();
  auto circ_index = [&](std::string_view fact) {
    for (size_t i = 0; i < circ.size(); ++i)
      if (circ[i].fact == fact) return i;
    return circ.size();
  };
  const size_t tekun = circ_index("tekun"), dibao = circ_index("dibao"),
               alone = circ_index("living_alone");
  std::vector<std::string> counties;  // in the city, by code
  for (const auto& [code, counts] : stats->by_county)
    if (code.starts_with(prefix)) counties.push_back(code);
  auto sum_bands = [](const registry::StatsCounts& c, int from) {
    int64_t n = 0;
    for (int b = from; b < registry::kStatsBands; ++b) n += c.bands[static_cast<size_t>(b)];
    return n;
  };
  int64_t aged60 = 0, aged80 = 0, tekun_all = 0;
  std::vector<std::pair<std::string, int64_t>> c60, c80, ctk, cdb, cal;
  for (const std::string& code : counties) {
    const registry::StatsCounts& c = stats->by_county.at(code);
    const int64_t a60 = sum_bands(c, 2), a80 = sum_bands(c, 5);
    aged60 += a60;
    aged80 += a80;
    auto at = [&](size_t i) { return i < c.circumstances.size() ? c.circumstances[i] : 0; };
    tekun_all += at(tekun);
    c60.emplace_back(code, a60);
    c80.emplace_back(code, a80);
    ctk.emplace_back(code, at(tekun));
    cdb.emplace_back(code, at(dibao));
    cal.emplace_back(code, at(alone));
  }
  {
    ReportTable t{.title = "一、老年人口与特殊困难老年人（按区县）",
                  .header = {"区县", "代码", "60 周岁及以上", "80 周岁及以上", "特困人员",
                             "低保对象", "独居老人"}};
    auto s60 = Column(c60, min_people, r.withheld), s80 = Column(c80, min_people, r.withheld),
         stk = Column(ctk, min_people, r.withheld), sdb = Column(cdb, min_people, r.withheld),
         sal = Column(cal, min_people, r.withheld);
    int64_t tdb = 0, tal = 0;
    for (size_t i = 0; i < counties.size(); ++i) {
      t.rows.push_back({RegionName(counties[i]), counties[i], Cell(s60[i]), Cell(s80[i]),
                        Cell(stk[i]), Cell(sdb[i]), Cell(sal[i])});
      tdb += cdb[i].second;
      tal += cal[i].second;
    }
    auto total = [&](int64_t n) { return n >= min_people ? std::to_string(n) : "<阈值"; };
    t.rows.push_back({"全市合计", o.jurisdiction, total(aged60), total(aged80), total(tekun_all),
                      total(tdb), total(tal)});
    t.note = fmt::format("户籍与居住登记截至 {}（按 {} 前登记的数据）；少于 {} 人的格子不公开。",
                         r.as_of, r.known_on, min_people);
    r.tables.push_back(std::move(t));
  }
  r.feed_watermark = 0;
  if (Result<int64_t> w = registry.LatestFeedId(); w.ok()) r.feed_watermark = *w;

  // --- People served and amounts, from the runs of the period -------------
  entitle::RunStore runs(registry);
  Result<std::vector<entitle::RunRecord>> all_runs = runs.Runs(o.jurisdiction);
  if (!all_runs.ok()) return all_runs.status();
  std::vector<entitle::RunRecord> in_period;
  for (const entitle::RunRecord& run : *all_runs) {
    if (run.month >= o.period.first.ToString() && run.month <= o.period.last.ToString() &&
        run.known_on <= r.known_on)
      in_period.push_back(run);
  }
  std::sort(in_period.begin(), in_period.end(),
            [](const auto& a, const auto& b) { return a.month < b.month; });
  std::map<std::string, int64_t> amount_by_item;                        // every run
  std::map<std::string, std::map<std::string, int64_t>> county_amount;  // item → county → fen
  std::map<std::string, std::map<std::string, int64_t>> county_people;  // last run
  std::map<std::string, int64_t> people_by_item;                        // last run
  int64_t served = 0, paid_fen = 0;
  std::set<std::string> served_ids;
  // Served people under 60 at the period's end: items without an age
  // condition (the pensions of 职工/城乡居民基本养老保险, paid from the
  // retirement age) reach them, so the served count can exceed the 60+ count.
  std::set<std::string> served_under_60;
  for (size_t k = 0; k < in_period.size(); ++k) {
    const entitle::RunRecord& run = in_period[k];
    r.runs.push_back(fmt::format("{} 月第 {} 次运行（清单 {}，截至 {} 登记）", run.month, run.id,
                                 run.list_sha256.substr(0, 12), run.known_on));
    Result<std::vector<entitle::RunLine>> lines = runs.Lines(run.id);
    if (!lines.ok()) return lines.status();
    const bool last = k + 1 == in_period.size();
    for (const entitle::RunLine& l : *lines) {
      amount_by_item[l.item] += l.amount;
      county_amount[l.item][l.county] += l.amount;
      paid_fen += l.amount;
      if (last) {
        ++people_by_item[l.item];
        ++county_people[l.item][l.county];
        served_ids.insert(l.id_number);
        if (l.id_number.size() == 18) {
          Result<CivilDate> birth = CivilDate::ParseCompact(l.id_number.substr(6, 8));
          if (birth.ok() && AgeOn(*birth, as_of) < 60) served_under_60.insert(l.id_number);
        }
      }
    }
  }
  served = static_cast<int64_t>(served_ids.size());
  auto item_name = [&](const std::string& no) {
    if (o.list != nullptr)
      if (const policy::Item* it = o.list->FindItem(no)) return it->name;
    return std::string();
  };
  auto item_order = [](const std::string& a, const std::string& b) {
    auto key = [](const std::string& s) {
      size_t dot = s.find('.');
      int major = AllDigits(s.substr(0, dot)) ? std::stoi(s.substr(0, dot)) : 9999;
      return std::make_pair(major, s);
    };
    return key(a) < key(b);
  };
  std::vector<std::string> items;
  for (const auto& [item, fen] : amount_by_item) items.push_back(item);
  std::sort(items.begin(), items.end(), item_order);
  {
    ReportTable t{.title = "二、基本养老服务对象与资金（按服务项目）",
                  .header = {"序号", "服务项目", "期末服务对象（人）", "期内资金（元）"}};
    std::vector<std::pair<std::string, int64_t>> counts;
    for (const std::string& it : items) counts.emplace_back(it, people_by_item[it]);
    // Items overlap (one person, several items): no total, each cell on its own.
    std::vector<PublishedCell> cells = Suppress(counts, min_people, /*total_published=*/false);
    for (size_t i = 0; i < items.size(); ++i) {
      if (!cells[i].people) ++r.withheld;
      t.rows.push_back({items[i], item_name(items[i]), Cell(cells[i].people),
                        cells[i].people ? Yuan(amount_by_item[items[i]]) : "不公开"});
    }
    t.note = in_period.empty()
                 ? std::string("本期没有已保存的清单运行。")
                 : fmt::format(
                       "服务对象为期末月（{}）运行的人数；资金为期内 {} 次运行名册金额之和。"
                       "服务对象少于 {} 人的项目不公开人数和金额。",
                       in_period.back().month, in_period.size(), min_people);
    r.tables.push_back(std::move(t));
  }
  {
    ReportTable t{.title = "三、资金与服务对象（按项目、区县）",
                  .header = {"序号", "服务项目", "区县", "服务对象（人）", "资金（元）"}};
    for (const std::string& it : items) {
      std::set<std::string> cs;
      for (const auto& [c, f] : county_amount[it]) cs.insert(c);
      for (const auto& [c, n] : county_people[it]) cs.insert(c);
      std::vector<std::pair<std::string, int64_t>> counts;
      for (const std::string& c : cs) counts.emplace_back(c, county_people[it][c]);
      std::vector<PublishedCell> cells = Suppress(counts, min_people, /*total_published=*/true,
                                                  /*zero_is_safe=*/true);
      for (size_t i = 0; i < counts.size(); ++i) {
        if (!cells[i].people) ++r.withheld;
        const std::string& c = counts[i].first;
        t.rows.push_back({it, item_name(it), c.empty() ? "未知" : RegionName(c),
                          Cell(cells[i].people),
                          cells[i].people ? Yuan(county_amount[it][c]) : "不公开"});
      }
    }
    t.note = "区县为服务对象的居住地；一个格子不公开时，另隐去一格，以免由合计推算。";
    r.tables.push_back(std::move(t));
  }

  // --- Facilities ---------------------------------------------------------
  facility::FacilityStore fstore(registry.db());
  Result<std::vector<facility::Facility>> facilities = fstore.Facilities(prefix);
  if (!facilities.ok()) return facilities.status();
  struct FacCounts {
    int64_t institutions = 0, beds = 0, nursing = 0, day_care = 0, canteens = 0, complexes = 0;
  };
  std::map<std::string, FacCounts> fac;
  FacCounts fall;
  for (const facility::Facility& f : *facilities) {
    if (!f.active() || f.community.size() < 6) continue;
    FacCounts& c = fac[f.community.substr(0, 6)];
    for (FacCounts* x : {&c, &fall}) {
      switch (f.kind) {
        case facility::Kind::kInstitution:
          ++x->institutions;
          x->beds += f.beds;
          x->nursing += f.nursing_beds;
          break;
        case facility::Kind::kDayCare:
        case facility::Kind::kMutualAid:
          ++x->day_care;
          break;
        case facility::Kind::kCanteen:
          ++x->canteens;
          break;
        case facility::Kind::kComplex:
          ++x->complexes;
          x->beds += f.beds;
          x->nursing += f.nursing_beds;
          break;
        default:
          break;
      }
    }
  }
  {
    ReportTable t{.title = "四、养老服务设施（按区县）",
                  .header = {"区县", "养老机构", "养老服务综合体", "日间/互助照料", "助餐点",
                             "床位", "护理型床位", "护理型床位占比", "每千名老人床位"}};
    std::map<std::string, int64_t> a60;
    for (const auto& [c, n] : c60) a60[c] = n;
    auto row = [&](const std::string& name, const FacCounts& c, int64_t elders) {
      return std::vector<std::string>{
          name,
          std::to_string(c.institutions),
          std::to_string(c.complexes),
          std::to_string(c.day_care),
          std::to_string(c.canteens),
          std::to_string(c.beds),
          std::to_string(c.nursing),
          Percent(c.nursing, c.beds),
          elders > 0 ? fmt::format("{:.1f}", static_cast<double>(c.beds) * 1000.0 /
                                                 static_cast<double>(elders))
                     : "—"};
    };
    for (const std::string& code : counties)
      t.rows.push_back(row(RegionName(code), fac[code], a60[code]));
    t.rows.push_back(row("全市合计", fall, aged60));
    t.note = "在运营的设施；床位含养老机构与养老服务综合体。";
    r.tables.push_back(std::move(t));
  }

  // --- The indicators -----------------------------------------------------
  auto count_or_withheld = [&](int64_t n) {
    return n >= min_people ? fmt::format("{} 人", n) : std::string("<阈值");
  };
  r.indicators = {
      {"aged_60_plus", "60 周岁及以上老年人口", count_or_withheld(aged60),
       fmt::format("登记在世、居住在本市，截至 {}", r.as_of)},
      {"aged_80_plus", "80 周岁及以上老年人口", count_or_withheld(aged80),
       fmt::format("占 60 周岁及以上 {}", Percent(aged80, aged60))},
      {"tekun", "特困人员", count_or_withheld(tekun_all), "特困供养（分散与集中）"},
      {"served", "期末享受基本养老服务人数", count_or_withheld(served),
       in_period.empty()
           ? "本期无运行"
           : fmt::format("{} 月运行，去重人数；含不满 60 周岁的 {}（清单中不限年龄的项目，"
                         "如养老保险待遇），故可多于 60 周岁及以上人数",
                         in_period.back().month,
                         count_or_withheld(static_cast<int64_t>(served_under_60.size())))},
      {"funds", "期内基本养老服务资金", Yuan(paid_fen),
       fmt::format("期内 {} 次运行名册金额合计", in_period.size())},
      {"nursing_bed_share", "护理型床位占比", Percent(fall.nursing, fall.beds),
       fmt::format("护理型床位 {} / 床位 {}", fall.nursing, fall.beds)},
      {"beds_per_1000", "每千名老年人养老床位",
       aged60 > 0 ? fmt::format("{:.1f} 张", static_cast<double>(fall.beds) * 1000.0 /
                                                 static_cast<double>(aged60))
                  : "—",
       fmt::format("床位 {} / 60 周岁及以上 {} 人 × 1000", fall.beds, aged60)},
      {"institutions", "养老机构", fmt::format("{} 家", fall.institutions), "在运营"},
      {"canteens", "助餐点（幸福食堂）", fmt::format("{} 个", fall.canteens), "在运营"},
  };
  r.digest = ReportDigest(r);
  return r;
}

Status WriteReportXlsx(const PeriodReport& r, const std::filesystem::path& path) {
  std::vector<xlsx::Sheet> sheets;
  xlsx::Sheet head{.name = "主要指标"};
  head.rows.push_back({"指标", "数值", "口径"});
  for (const Indicator& i : r.indicators) head.rows.push_back({i.name, i.value, i.basis});
  head.rows.push_back({});
  head.rows.push_back({"报表", r.title});
  head.rows.push_back({"统计期", r.period.label, r.period.text});
  head.rows.push_back({"数据状态", fmt::format("截至 {}，按 {} 前登记", r.as_of, r.known_on)});
  for (const std::string& run : r.runs) head.rows.push_back({"清单运行", run});
  head.rows.push_back({"公开规则", fmt::format("少于 {} 人的格子不公开（本表隐去 {} 格）",
                                               r.min_people, r.withheld)});
  head.rows.push_back({"校验值", r.digest});
  sheets.push_back(std::move(head));
  static const char* const kNames[] = {"一", "二", "三", "四", "五", "六", "七", "八"};
  for (size_t i = 0; i < r.tables.size(); ++i) {
    const ReportTable& t = r.tables[i];
    xlsx::Sheet s{.name = fmt::format("表{}", i < 8 ? kNames[i] : std::to_string(i + 1).c_str())};
    s.rows.push_back(t.header);
    for (const auto& row : t.rows) s.rows.push_back(row);
    if (!t.note.empty()) {
      s.rows.push_back({});
      s.rows.push_back({t.title});
      s.rows.push_back({t.note});
    }
    sheets.push_back(std::move(s));
  }
  return xlsx::WriteWorkbook(path, sheets);
}

}  // namespace yanglao::oversight
