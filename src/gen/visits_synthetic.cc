#include "gen/visits_synthetic.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <vector>

#include "core/csv.h"
#include "core/file_io.h"
#include "gen/csv_io.h"
#include "gen/rng.h"

namespace yanglao::gen {

namespace fs = std::filesystem;

namespace {

using Fields = CsvFields;

std::string Get(const Fields& m, const char* key) {
  auto it = m.find(key);
  return it == m.end() ? std::string() : it->second;
}

struct Elder {
  std::string id, residence;
  bool alone = false, empty_nest = false, left_behind = false, dependent = false, poor = false;
  bool Visited() const { return alone || empty_nest || left_behind || dependent || poor; }
  int PerMonth() const { return dependent ? 3 : alone ? 2 : 1; }
};

struct SynthVisitor {
  std::string code, name, kind, unit, phone;
  double diligence = 0.95;
  std::vector<size_t> people;
};

const char* const kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴"};
const char* const kGiven[] = {"敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰"};

struct Note {
  const char* category;
  const char* text;
};
const Note kNotes[] = {
    {"health", "血压偏高，已提醒按时服药"},
    {"health", "腿脚不便，行走需扶"},
    {"safety", "燃气灶未关，已协助检查"},
    {"safety", "浴室地滑，建议安装扶手"},
    {"living", "家中整洁，饮食正常"},
    {"living", "冬季取暖不足"},
    {"mood", "情绪平稳"},
    {"mood", "子女久未回家，情绪低落"},
    {"needs", "希望有人代购生活用品"},
    {"needs", "需要助餐服务"},
};

}  // namespace

Result<VisitsSyntheticSummary> WriteSyntheticVisits(const VisitsSyntheticOptions& o) {
  VisitsSyntheticSummary out;
  Rng rng(Mix(o.seed, 0x7151751));
  const Month first_month = o.last_month.AddMonths(-11);
  const CivilDate start = first_month.FirstDay();
  Result<std::map<std::string, FeedElder>> read = ReadFeedElders(o.feeds_dir, start);
  if (!read.ok()) return read.status();
  std::map<std::string, Elder> people;
  for (const auto& [id, f] : *read) {
    if (f.residence.size() != 12) continue;  // visited in their community
    people[id] = Elder{.id = f.id,
                       .residence = f.residence,
                       .alone = f.alone,
                       .empty_nest = f.empty_nest,
                       .left_behind = f.left_behind,
                       .dependent = f.dependent,
                       .poor = f.dibao || f.tekun};
  }
  std::vector<Elder> elders;
  for (auto& [id, e] : people) {
    if (e.Visited()) elders.push_back(std::move(e));
  }
  if (elders.empty()) {
    return Status("gen.visits", "合成数据中没有需要探访的老年人",
                  Location{.file = o.feeds_dir.string()});
  }
  // Visitors per community: a 网格员, and one more for every 25 people.
  std::map<std::string, std::vector<size_t>> by_community;
  for (size_t i = 0; i < elders.size(); ++i) by_community[elders[i].residence].push_back(i);
  std::vector<SynthVisitor> visitors;
  for (const auto& [community, members] : by_community) {
    size_t n = 1 + members.size() / 25;
    size_t base = visitors.size();
    for (size_t k = 0; k < n; ++k) {
      SynthVisitor v;
      v.code = fmt::format("V{}-{:02}", community, k + 1);
      v.name =
          std::string(kSurnames[rng.Below(10)]) + kGiven[rng.Below(10)] + kGiven[rng.Below(10)];
      v.kind = k == 0 ? "网格员" : rng.Bernoulli(0.5) ? "志愿者" : "结对亲属邻里";
      v.unit = community;
      v.phone = fmt::format("139{:08}", rng.Below(100000000));
      // Most visitors are diligent; about one in eight is not.
      v.diligence = rng.Bernoulli(0.125) ? 0.6 + 0.2 * rng.Uniform() : 0.9 + 0.08 * rng.Uniform();
      visitors.push_back(std::move(v));
    }
    for (size_t j = 0; j < members.size(); ++j) visitors[base + j % n].people.push_back(members[j]);
  }
  std::string vfile = "编号,姓名,类别,所属单位,电话\n";
  std::string afile = "探访人员编号,公民身份号码\n";
  std::string log = "客户端编号,公民身份号码,探访人员编号,方式,探访日期,发现类别,发现情况\n";
  int64_t seq = 0;
  for (const SynthVisitor& v : visitors) {
    vfile += fmt::format("{},{},{},{},{}\n", v.code, v.name, v.kind, v.unit, v.phone);
    for (size_t p : v.people) afile += fmt::format("{},{}\n", v.code, elders[p].id);
    for (int m = 0; m < 12; ++m) {
      Month month = first_month.AddMonths(m);
      if (rng.Bernoulli(0.04)) {  // a month off: leave, a vacancy
        ++out.gap_months;
        continue;
      }
      const int days = month.LastDay().day();
      for (size_t p : v.people) {
        const Elder& e = elders[p];
        if (!rng.Bernoulli(v.diligence)) continue;
        const int times = e.PerMonth();
        for (int t = 0; t < times; ++t) {
          // Spread over the month: the t-th visit in the t-th part of it.
          int lo = 1 + t * days / times, hi = (t + 1) * days / times;
          CivilDate on = *CivilDate::FromYmd(month.year(), month.month(), rng.Between(lo, hi));
          const char* kind = v.kind == "网格员"   ? (rng.Bernoulli(0.7) ? "上门" : "电话")
                             : v.kind == "志愿者" ? "邻里"
                                                  : "结对";
          std::string category, text;
          if (rng.Bernoulli(0.3)) {
            const Note& n = kNotes[rng.Below(std::size(kNotes))];
            category = n.category;
            text = n.text;
          }
          log += fmt::format("gen-{:08},{},{},{},{},{},{}\n", ++seq, e.id, v.code, kind,
                             on.ToString(), category, text);
        }
      }
    }
  }
  std::error_code ec;
  fs::create_directories(o.out_dir, ec);
  out.visitors_file = o.out_dir / "探访人员.csv";
  out.assignments_file = o.out_dir / "探访分派.csv";
  out.visits_file = o.out_dir / "探访记录.csv";
  if (Status w = WriteTextFile(out.visitors_file, vfile); !w.ok()) return w;
  if (Status w = WriteTextFile(out.assignments_file, afile); !w.ok()) return w;
  if (Status w = WriteTextFile(out.visits_file, log); !w.ok()) return w;
  out.visitors = static_cast<int64_t>(visitors.size());
  out.people = static_cast<int64_t>(elders.size());
  out.visits = seq;
  return out;
}

Result<LoadedVisits> LoadSyntheticVisits(visits::VisitsStore& store, const fs::path& dir,
                                         CivilDate recorded_on) {
  LoadedVisits out;
  auto bad = [](const fs::path& file, int line, Status s) {
    Location where = s.where();
    where.file = file.filename().string();
    where.line = line;
    return Status("visits.import", s.message(), where);
  };
  std::map<std::string, int64_t> ids;  // visitor code -> id
  fs::path file = dir / "探访人员.csv";
  Status s = ReadCsvRows(file, [&](const Fields& m, int line) -> Status {
    visits::Visitor v{.code = Get(m, "编号"),
                      .name = Get(m, "姓名"),
                      .kind = Get(m, "类别"),
                      .unit = Get(m, "所属单位"),
                      .phone = Get(m, "电话")};
    Result<int64_t> id = store.PutVisitor(v);
    if (!id.ok()) return bad(file, line, id.status());
    ids[v.code] = *id;
    ++out.visitors;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  auto visitor_of = [&](const Fields& m) -> std::optional<int64_t> {
    auto it = ids.find(Get(m, "探访人员编号"));
    if (it == ids.end()) return std::nullopt;
    return it->second;
  };
  file = dir / "探访分派.csv";
  s = ReadCsvRows(file, [&](const Fields& m, int line) -> Status {
    std::optional<int64_t> v = visitor_of(m);
    if (!v) {
      return Status("visits.import", "探访人员编号不在探访人员.csv中",
                    Location{.file = file.filename().string(),
                             .line = line,
                             .field = "探访人员编号",
                             .value = Get(m, "探访人员编号")});
    }
    if (Status a = store.Assign(*v, Get(m, "公民身份号码"), recorded_on.ToString()); !a.ok()) {
      return bad(file, line, a);
    }
    ++out.assignments;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  file = dir / "探访记录.csv";
  s = ReadCsvRows(file, [&](const Fields& m, int line) -> Status {
    std::optional<int64_t> v = visitor_of(m);
    if (!v) {
      return Status("visits.import", "探访人员编号不在探访人员.csv中",
                    Location{.file = file.filename().string(),
                             .line = line,
                             .field = "探访人员编号",
                             .value = Get(m, "探访人员编号")});
    }
    visits::VisitRequest r{.client_id = Get(m, "客户端编号"),
                           .id_number = Get(m, "公民身份号码"),
                           .visitor_id = *v,
                           .kind = Get(m, "方式"),
                           .visited_on = Get(m, "探访日期"),
                           .recorded_by = "gen"};
    if (r.visited_on > recorded_on.ToString()) return Status::Ok();
    if (!Get(m, "发现类别").empty()) r.findings.push_back({Get(m, "发现类别"), Get(m, "发现情况")});
    Result<visits::Visit> visit = store.RecordVisit(r, recorded_on);
    if (!visit.ok()) return bad(file, line, visit.status());
    ++(visit->already_recorded ? out.already : out.visits);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace yanglao::gen
