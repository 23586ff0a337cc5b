#include "assess/store.h"

#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <map>
#include <set>

#include "core/fault.h"
#include "core/file_io.h"
#include "core/id_number.h"
#include "core/region.h"
#include "registry/feed_file.h"

namespace yanglao::assess {
namespace {

using db::Database;
using db::Row;
using db::Value;

constexpr std::string_view kColumns =
    "id, id_number, name, assessed_on, reason, assessor, agency, note, answers, coma, dementia, "
    "mental_disorder, risk_events, subtotals, total, preliminary_level, final_level, "
    "adjustments, rules, valid_until, feed_id, row_no, recorded_on";

std::string Digits(const int* values, size_t n) {
  std::string out(n, '0');
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>('0' + values[i]);
  return out;
}

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

CivilDate DateOf(const std::string& text) { return CivilDate::Parse(text).value_or(CivilDate()); }

AssessmentRecord RecordFromRow(const Row& r) {
  AssessmentRecord a;
  a.id = r.AsInt(0);
  a.id_number = r.AsText(1);
  a.name = r.AsText(2);
  a.assessed_on = DateOf(r.AsText(3));
  a.reason = ParseReason(r.AsText(4)).value_or(Reason::kFirst);
  a.assessor = r.AsText(5);
  a.agency = r.AsText(6);
  a.note = r.AsText(7);
  std::string answers = r.AsText(8);
  for (size_t i = 0; i < kItemCount && i < answers.size(); ++i)
    a.answers.items[i] = answers[i] - '0';
  a.answers.coma = r.AsInt(9) != 0;
  a.answers.dementia = r.AsInt(10) != 0;
  a.answers.mental_disorder = r.AsInt(11) != 0;
  std::string risks = r.AsText(12);
  for (size_t i = 0; i < kRiskEventCount && i < risks.size(); ++i) {
    a.answers.risk_events[i] = risks[i] - '0';
  }
  std::vector<std::string> sub = SplitCommas(r.AsText(13));
  for (size_t i = 0; i < kDimensionCount && i < sub.size(); ++i) {
    a.subtotals[i] = std::atoi(sub[i].c_str());
  }
  a.total = static_cast<int>(r.AsInt(14));
  a.preliminary_level = static_cast<int>(r.AsInt(15));
  a.final_level = static_cast<int>(r.AsInt(16));
  a.adjustments = SplitCommas(r.AsText(17));
  a.rules = r.AsText(18);
  a.valid_until = DateOf(r.AsText(19));
  a.feed_id = r.AsInt(20);
  a.row = static_cast<int>(r.AsInt(21));
  a.recorded_on = DateOf(r.AsText(22));
  return a;
}

// What a person's earlier assessments said, for the dementia rule.
struct Prior {
  std::string assessed_on;
  std::string valid_until;
  bool dementia = false;
};

}  // namespace

const std::vector<std::string>& AssessMigrations() {
  static const std::vector<std::string>* const migrations = new std::vector<std::string>{
      // 1: assessments and requests for re-assessment.
      R"(
CREATE TABLE assessment (
  id BIGINT PRIMARY KEY,
  form_key TEXT NOT NULL UNIQUE,
  id_number TEXT NOT NULL,
  name TEXT NOT NULL,
  assessed_on TEXT NOT NULL,
  reason TEXT NOT NULL,
  assessor TEXT NOT NULL,
  agency TEXT NOT NULL,
  note TEXT NOT NULL,
  answers TEXT NOT NULL,
  coma INTEGER NOT NULL,
  dementia INTEGER NOT NULL,
  mental_disorder INTEGER NOT NULL,
  risk_events TEXT NOT NULL,
  subtotals TEXT NOT NULL,
  total INTEGER NOT NULL,
  preliminary_level INTEGER NOT NULL,
  final_level INTEGER NOT NULL,
  adjustments TEXT NOT NULL,
  rules TEXT NOT NULL,
  valid_until TEXT NOT NULL,
  feed_id BIGINT NOT NULL,
  row_no INTEGER NOT NULL,
  recorded_on TEXT NOT NULL);
CREATE INDEX assessment_person ON assessment (id_number, assessed_on);
CREATE TABLE assessment_request (
  id_number TEXT NOT NULL,
  requested_on TEXT NOT NULL,
  note TEXT NOT NULL,
  recorded_on TEXT NOT NULL,
  PRIMARY KEY (id_number, requested_on));
)",
  };
  return *migrations;
}

CivilDate ValidUntil(CivilDate assessed_on, int validity_months) {
  return assessed_on.AddMonths(validity_months).AddDays(-1);
}

std::string FormKey(const FormDocument& form) { return registry::Sha256Hex(FormToJson(form)); }

Result<BatchFile> ReadBatchFile(const std::filesystem::path& path, CivilDate today,
                                size_t max_problems) {
  Result<std::string> bytes = ReadFileBytes(path);
  if (!bytes.ok()) return bytes.status();
  BatchFile batch;
  batch.file_name = path.string();
  batch.sha256 = registry::Sha256Hex(*bytes);
  std::string_view text = *bytes;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  FormParseOptions options{.require_header = true, .today = today};
  int line = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view content = text.substr(start, end - start);
    start = end + 1;
    ++line;
    if (content.ends_with('\r')) content.remove_suffix(1);
    if (content.find_first_not_of(" \t") == std::string_view::npos) continue;
    options.first_line = line;
    Result<FormDocument> form = ParseFormJson(content, batch.file_name, options);
    if (!form.ok()) {
      ++batch.problem_count;
      if (batch.problems.size() < max_problems) batch.problems.push_back(form.status());
      continue;
    }
    batch.forms.push_back(std::move(*form));
    batch.lines.push_back(line);
  }
  return batch;
}

db::ModuleSchema AssessSchema() {
  return {"assess", [](std::string_view) { return AssessMigrations(); }};
}

Result<std::unique_ptr<AssessmentStore>> AssessmentStore::Open(registry::Registry& registry) {
  if (Status s = db::MigrateModule(registry.db(), "assess", AssessMigrations()); !s.ok()) {
    return s;
  }
  return std::make_unique<AssessmentStore>(registry);
}

Result<RecordOutcome> AssessmentStore::Record(const FormDocument& form,
                                              const RecordSettings& settings,
                                              CivilDate recorded_on) {
  const FormHeader& h = form.header;
  if (h.id_number.empty() || !h.assessed_on || !h.reason || h.assessor.empty() ||
      h.agency.empty()) {
    return Status("assess.missing", "记录评估须有公民身份号码、评估日期、原因、评估员和评估机构");
  }
  std::string key = FormKey(form);
  return Store({&form}, {1},
               fmt::format("能力评估 {} {} {}", h.agency, h.assessed_on->ToString(),
                           MaskIdNumber(h.id_number)),
               key, settings, recorded_on);
}

Result<RecordOutcome> AssessmentStore::Import(const BatchFile& batch,
                                              const RecordSettings& settings,
                                              CivilDate recorded_on) {
  if (!batch.problems.empty()) {
    return Status("assess.invalid",
                  fmt::format("批量文件有 {} 处错误，未导入", batch.problem_count),
                  Location{.file = batch.file_name});
  }
  std::vector<const FormDocument*> forms;
  for (const FormDocument& f : batch.forms) forms.push_back(&f);
  return Store(forms, batch.lines, batch.file_name, "batch:" + batch.sha256, settings, recorded_on);
}

Result<RecordOutcome> AssessmentStore::Store(const std::vector<const FormDocument*>& forms,
                                             const std::vector<int>& rows,
                                             const std::string& origin, const std::string& key,
                                             const RecordSettings& settings,
                                             CivilDate recorded_on) {
  if (settings.validity_months < 1 || settings.validity_months > 60) {
    return Status(
        "assess.setting", "评估结果有效期应为 1 到 60 个月",
        Location{.field = "validity_months", .value = std::to_string(settings.validity_months)});
  }
  if (settings.rules.coma_level != 3 && settings.rules.coma_level != 4) {
    return Status(
        "assess.setting", "昏迷者直接评定的等级应为 3（重度失能）或 4（完全失能）",
        Location{.field = "coma_level", .value = std::to_string(settings.rules.coma_level)});
  }
  Database& db = registry_.db();
  RecordOutcome out;
  if (Status s = db.Begin(); !s.ok()) return s;
  auto fail = [&](Status s) -> Result<RecordOutcome> {
    (void)db.Rollback();
    return s;
  };
  if (db.dialect() == "postgresql") {
    if (Status s = db.Execute("LOCK TABLE assessment IN EXCLUSIVE MODE"); !s.ok()) return fail(s);
  }

  // Forms already stored, and what earlier assessments said.
  const bool single = forms.size() == 1;
  std::set<std::string> known_keys;
  std::map<std::string, std::vector<Prior>> priors;
  std::vector<Value> params;
  std::string where;
  if (single) {
    where = " WHERE id_number = ?";
    params.push_back(forms[0]->header.id_number);
  }
  Status s =
      db.Query(fmt::format("SELECT form_key, id_number, assessed_on, valid_until, dementia, "
                           "id FROM assessment{} ORDER BY id_number, assessed_on, id",
                           where),
               params, [&](const Row& r) {
                 known_keys.insert(r.AsText(0));
                 priors[r.AsText(1)].push_back(Prior{r.AsText(2), r.AsText(3), r.AsInt(4) != 0});
                 if (single && out.first_id == 0 && r.AsText(0) == key) {
                   out.first_id = r.AsInt(5);
                 }
                 return true;
               });
  if (!s.ok()) return fail(s);

  // The new forms, by person and date.
  struct New {
    const FormDocument* form;
    int row;
    std::string key;
    Score score;
    CivilDate valid_until;
  };
  std::vector<New> fresh;
  for (size_t i = 0; i < forms.size(); ++i) {
    std::string k = single ? key : FormKey(*forms[i]);
    if (!known_keys.insert(k).second) {
      ++out.assessments_unchanged;
      continue;
    }
    const FormDocument& f = *forms[i];
    fresh.push_back(New{&f, rows[i], std::move(k), ScoreForm(f.answers, settings.rules),
                        ValidUntil(*f.header.assessed_on, settings.validity_months)});
  }
  if (fresh.empty()) {
    (void)db.Rollback();
    out.already_recorded = true;
    return out;
  }
  std::stable_sort(fresh.begin(), fresh.end(), [](const New& a, const New& b) {
    if (a.form->header.id_number != b.form->header.id_number)
      return a.form->header.id_number < b.form->header.id_number;
    return *a.form->header.assessed_on < *b.form->header.assessed_on;
  });

  registry::ParsedFeed feed;
  feed.source = std::string(registry::kAssessmentSource);
  feed.file_name = origin;
  feed.sha256 = key;
  feed.data_rows = static_cast<int>(fresh.size());
  for (const New& n : fresh) {
    const FormHeader& h = n.form->header;
    const std::string from = h.assessed_on->ToString(), to = n.valid_until.ToString();
    auto fact = [&](const char* name, std::string value) {
      feed.facts.push_back(registry::FactRecord{.id_number = h.id_number,
                                                .fact = name,
                                                .value = std::move(value),
                                                .valid_from = from,
                                                .valid_to = to,
                                                .row = n.row});
    };
    fact("capability_assessed", "1");
    fact("capability_level", std::to_string(n.score.final_level));
    // The latest earlier result still valid on this day (the same day
    // counts when recorded before).
    std::vector<Prior>& before = priors[h.id_number];
    const Prior* prior = nullptr;
    for (const Prior& p : before) {
      if (p.assessed_on <= from && p.valid_until >= from) prior = &p;
    }
    if (n.form->answers.dementia) {
      fact("dementia", "1");
    } else if (prior != nullptr && prior->dementia) {
      fact("dementia", "0");
    }
    before.push_back(Prior{from, to, n.form->answers.dementia});
  }

  Result<registry::ImportOutcome> imported = registry_.ImportInTransaction(feed, recorded_on);
  if (!imported.ok()) return fail(imported.status());
  if (imported->already_imported) {
    (void)db.Rollback();
    out.already_recorded = true;
    out.feed_id = imported->feed_id;
    return out;
  }
  out.feed_id = imported->feed_id;
  out.facts_added = imported->facts_added;
  out.persons_added = imported->persons_added;
  out.conflicts_added = imported->conflicts_added;

  Result<std::vector<Row>> next = db.QueryAll("SELECT COALESCE(MAX(id), 0) + 1 FROM assessment");
  if (!next.ok()) return fail(next.status());
  out.first_id = (*next)[0].AsInt(0);
  std::vector<std::vector<Value>> table;
  table.reserve(fresh.size());
  const std::string recorded = recorded_on.ToString();
  const std::string rules = settings.rules.ToString();
  int64_t id = out.first_id;
  for (const New& n : fresh) {
    const FormHeader& h = n.form->header;
    const FormAnswers& a = n.form->answers;
    std::string applied;
    for (const Adjustment& adj : n.score.adjustments) {
      if (adj.applied) applied += (applied.empty() ? "" : ",") + adj.code;
    }
    table.push_back({id++,
                     n.key,
                     h.id_number,
                     h.name,
                     h.assessed_on->ToString(),
                     std::string(ReasonKey(*h.reason)),
                     h.assessor,
                     h.agency,
                     h.note,
                     Digits(a.items.data(), kItemCount),
                     int64_t{a.coma},
                     int64_t{a.dementia},
                     int64_t{a.mental_disorder},
                     Digits(a.risk_events.data(), kRiskEventCount),
                     fmt::format("{}", fmt::join(n.score.subtotals, ",")),
                     int64_t{n.score.total},
                     int64_t{n.score.preliminary_level},
                     int64_t{n.score.final_level},
                     applied,
                     rules,
                     n.valid_until.ToString(),
                     out.feed_id,
                     int64_t{n.row},
                     recorded});
  }
  if (Status b = db.BulkInsert(
          "assessment",
          {"id",          "form_key",          "id_number",       "name",        "assessed_on",
           "reason",      "assessor",          "agency",          "note",        "answers",
           "coma",        "dementia",          "mental_disorder", "risk_events", "subtotals",
           "total",       "preliminary_level", "final_level",     "adjustments", "rules",
           "valid_until", "feed_id",           "row_no",          "recorded_on"},
          table);
      !b.ok()) {
    return fail(b);
  }
  out.assessments_added = static_cast<int64_t>(fresh.size());
  MaybeKill("assess.before_commit");
  if (Status c = db.Commit(); !c.ok()) return fail(c);
  return out;
}

Status AssessmentStore::Request(const AssessmentRequest& request, CivilDate recorded_on) {
  Result<IdNumber> id = ParseIdNumber(request.id_number, RegionTable::Builtin(), recorded_on);
  if (!id.ok()) {
    return Status("assess.id", fmt::format("公民身份号码无效：{}", id.status().message()),
                  Location{.field = "id_number", .value = request.id_number});
  }
  return registry_.db().Execute(
      "INSERT INTO assessment_request (id_number, requested_on, note, recorded_on) "
      "SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM assessment_request WHERE id_number = ? "
      "AND requested_on = ?)",
      {id->value, request.requested_on.ToString(), request.note, recorded_on.ToString(), id->value,
       request.requested_on.ToString()});
}

Result<std::vector<AssessmentRecord>> AssessmentStore::History(std::string_view id_number) {
  std::vector<AssessmentRecord> out;
  Status s = registry_.db().Query(
      fmt::format("SELECT {} FROM assessment WHERE id_number = ? ORDER BY assessed_on, id",
                  kColumns),
      {std::string(id_number)}, [&](const Row& r) {
        out.push_back(RecordFromRow(r));
        return true;
      });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<AssessmentRequest>> AssessmentStore::OpenRequests(CivilDate as_of) {
  std::vector<AssessmentRequest> out;
  const std::string d = as_of.ToString();
  Status s = registry_.db().Query(
      "SELECT r.id_number, r.requested_on, r.note FROM assessment_request r WHERE "
      "r.requested_on <= ? AND NOT EXISTS (SELECT 1 FROM assessment a WHERE a.id_number = "
      "r.id_number AND a.assessed_on >= r.requested_on AND a.assessed_on <= ?) "
      "ORDER BY r.id_number, r.requested_on",
      {d, d}, [&](const Row& r) {
        out.push_back(AssessmentRequest{r.AsText(0), DateOf(r.AsText(1)), r.AsText(2)});
        return true;
      });
  if (!s.ok()) return s;
  return out;
}

Status AssessmentStore::ForEachAssessment(
    CivilDate as_of, CivilDate known_on,
    const std::function<void(const AssessmentRecord&)>& visit) {
  return registry_.db().Query(
      fmt::format("SELECT {} FROM assessment WHERE assessed_on <= ? AND recorded_on <= ? "
                  "ORDER BY id_number, assessed_on, id",
                  kColumns),
      {as_of.ToString(), known_on.ToString()}, [&](const Row& r) {
        visit(RecordFromRow(r));
        return true;
      });
}

Result<std::string> AssessmentStore::Checksum() {
  Result<std::string> base = registry_.Checksum();
  if (!base.ok()) return base.status();
  static const std::pair<const char*, std::string> kTables[] = {
      {"assessment", fmt::format("SELECT form_key, {} FROM assessment ORDER BY id", kColumns)},
      {"assessment_request",
       "SELECT id_number, requested_on, note, recorded_on FROM assessment_request ORDER BY "
       "id_number, requested_on"},
  };
  std::string text, summary;
  for (const auto& [table, sql] : kTables) {
    int64_t rows = 0;
    Status s = registry_.db().Query(sql, {}, [&](const Row& r) {
      ++rows;
      for (size_t i = 0; i < r.values.size(); ++i) text += r.AsText(i) + "\t";
      text += "\n";
      return true;
    });
    if (!s.ok()) return s;
    summary += fmt::format("{} {} ", table, rows);
  }
  return fmt::format("{} | {}{}", *base, summary, registry::Sha256Hex(text));
}

}  // namespace yanglao::assess
