// Synthetic visiting care (`yanglao gen`): visitors, their assignments and a
// year of visit logs with realistic gaps, the visits module's synthetic data,
// kept with the generator.
//
// Who is visited: people aged 60+ living in the city (the feeds' 公安.csv)
// whom 民政.csv records as 独居, 空巢, 留守 or 生活不能自理, or on 低保 or 特困
// — the circumstances of every city's visiting item; the roster itself is
// found by the rules when the logs are loaded. Visitors: one 网格员 per
// community with such people, and a volunteer (志愿者) or a relative or
// neighbour under 结对帮扶 where there are many. Each person is assigned to
// one visitor. Visits: per month, people who cannot look after themselves
// about three times, living alone about twice, others once; a visitor has a
// diligence (most visit 90–98% of their people, a few 60–80%), and now and
// then a month off (leave, a vacancy: about 4% of visitor-months) when none
// of their people is visited — the gaps the monthly rate shows.
//
// Files: 探访人员.csv (编号,姓名,类别,所属单位,电话), 探访分派.csv
// (探访人员编号,公民身份号码) and 探访记录.csv (客户端编号,公民身份号码,
// 探访人员编号,方式,探访日期,发现类别,发现情况). Deterministic for a seed.
#ifndef YANGLAO_GEN_VISITS_SYNTHETIC_H_
#define YANGLAO_GEN_VISITS_SYNTHETIC_H_

#include <cstdint>
#include <filesystem>

#include "core/civil_date.h"
#include "core/status.h"
#include "visits/store.h"

namespace yanglao::gen {

struct VisitsSyntheticOptions {
  std::filesystem::path feeds_dir;  // 公安.csv, 民政.csv
  std::filesystem::path out_dir;
  Month last_month;  // the logs cover the 12 months ending with this one
  uint64_t seed = 7;
};

struct VisitsSyntheticSummary {
  std::filesystem::path visitors_file, assignments_file, visits_file;
  int64_t visitors = 0, people = 0, visits = 0;
  int64_t gap_months = 0;  // visitor-months with no visit at all
};

// Fails with io.open / csv.* (a feed), gen.visits (nobody to visit), gen.io.
Result<VisitsSyntheticSummary> WriteSyntheticVisits(const VisitsSyntheticOptions& options);

struct LoadedVisits {
  int64_t visitors = 0, assignments = 0, visits = 0, already = 0;
};
// Loads the three files of a directory into the store: visitors (PutVisitor),
// assignments, visits (RecordVisit: idempotent by client id, so loading twice
// changes nothing). Visits dated after `recorded_on` are skipped. Fails with
// visits.import (file, row) for a bad row, or the store's errors.
Result<LoadedVisits> LoadSyntheticVisits(visits::VisitsStore& store,
                                         const std::filesystem::path& dir, CivilDate recorded_on);

}  // namespace yanglao::gen

#endif  // YANGLAO_GEN_VISITS_SYNTHETIC_H_
