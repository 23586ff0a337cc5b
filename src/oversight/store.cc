#include "oversight/store.h"

#include <fmt/format.h>

#include <map>

#include "db/transaction.h"

namespace yanglao::oversight {
namespace {

std::vector<std::string> Migrations(std::string_view dialect) {
  const std::string id = dialect == "postgresql"
                             ? "id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
                             : "id INTEGER PRIMARY KEY AUTOINCREMENT";
  return {
      // 1: tasks of the breakdown tables, progress reports.
      fmt::format(R"(
CREATE TABLE oversight_task (
  {id},
  jurisdiction TEXT NOT NULL,
  year BIGINT NOT NULL,
  no BIGINT NOT NULL,
  area TEXT NOT NULL,
  work TEXT NOT NULL,
  requirement TEXT NOT NULL,
  deadline_text TEXT NOT NULL,
  deadline TEXT NOT NULL,
  units TEXT NOT NULL,
  UNIQUE (jurisdiction, year, no));
CREATE TABLE oversight_progress (
  {id},
  task_id BIGINT NOT NULL REFERENCES oversight_task (id),
  client_id TEXT NOT NULL UNIQUE,
  reported_on TEXT NOT NULL,
  unit TEXT NOT NULL,
  status TEXT NOT NULL,
  note TEXT NOT NULL,
  evidence_name TEXT NOT NULL,
  evidence_sha256 TEXT NOT NULL);
CREATE INDEX oversight_progress_task ON oversight_progress (task_id, reported_on);
)",
                  fmt::arg("id", id)),
      // 2: inspections by checklist area with findings and their rectification,
      // complaints, institution grades (credit.h).
      fmt::format(R"(
CREATE TABLE oversight_inspection (
  {id},
  client_id TEXT NOT NULL UNIQUE,
  institution TEXT NOT NULL,
  inspected_on TEXT NOT NULL,
  kind TEXT NOT NULL,
  areas TEXT NOT NULL);
CREATE INDEX oversight_inspection_inst ON oversight_inspection (institution, inspected_on);
CREATE TABLE oversight_finding (
  {id},
  inspection_id BIGINT NOT NULL REFERENCES oversight_inspection (id),
  area TEXT NOT NULL,
  severity TEXT NOT NULL,
  text TEXT NOT NULL,
  deadline TEXT NOT NULL,
  rectified_on TEXT NOT NULL);
CREATE INDEX oversight_finding_insp ON oversight_finding (inspection_id);
CREATE TABLE oversight_complaint (
  {id},
  client_id TEXT NOT NULL UNIQUE,
  institution TEXT NOT NULL,
  received_on TEXT NOT NULL,
  substantiated BIGINT NOT NULL);
CREATE TABLE oversight_grade (
  institution TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  ownership TEXT NOT NULL,
  basic_services BIGINT NOT NULL,
  grade BIGINT NOT NULL,
  evidence TEXT NOT NULL,
  graded_on TEXT NOT NULL);
)",
                  fmt::arg("id", id)),
  };
}

bool ValidStatus(std::string_view s) { return s == "on_track" || s == "at_risk" || s == "done"; }

}  // namespace

db::ModuleSchema OversightSchema() { return {"oversight", Migrations}; }

std::string_view TaskStateLabel(TaskState s) {
  switch (s) {
    case TaskState::kNoReport:
      return "未报告";
    case TaskState::kOnTrack:
      return "按计划推进";
    case TaskState::kAtRisk:
      return "有风险";
    case TaskState::kDone:
      return "已完成";
    case TaskState::kOverdue:
      return "已逾期";
  }
  return "";
}

TaskState StateOn(const StoredTask& task, const std::optional<ProgressReport>& latest,
                  CivilDate day) {
  if (latest && latest->status == "done") return TaskState::kDone;
  if (day > task.deadline) return TaskState::kOverdue;
  if (!latest) return TaskState::kNoReport;
  return latest->status == "at_risk" ? TaskState::kAtRisk : TaskState::kOnTrack;
}

Result<PlanImport> OversightStore::PutPlan(const TaskPlan& plan) {
  PlanImport out;
  Status s = db::InTransaction(db_, [&]() -> Status {
    for (const TaskTable& t : plan.tables) {
      for (const Task& task : t.tasks) {
        const std::vector<db::Value> content = {task.area,
                                                task.work,
                                                task.requirement,
                                                task.deadline_text,
                                                task.deadline.ToString(),
                                                task.units_text};
        Result<std::vector<db::Row>> old = db_.QueryAll(
            "SELECT id, area, work, requirement, deadline_text, deadline, units FROM "
            "oversight_task WHERE jurisdiction = ? AND year = ? AND no = ?",
            {plan.jurisdiction, int64_t{t.year}, int64_t{task.no}});
        if (!old.ok()) return old.status();
        if (old->empty()) {
          std::vector<db::Value> v = {plan.jurisdiction, int64_t{t.year}, int64_t{task.no}};
          v.insert(v.end(), content.begin(), content.end());
          if (Status e = db_.Execute(
                  "INSERT INTO oversight_task (jurisdiction, year, no, area, work, requirement, "
                  "deadline_text, deadline, units) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  v);
              !e.ok()) {
            return e;
          }
          ++out.added;
          continue;
        }
        const db::Row& r = (*old)[0];
        bool same = true;
        for (size_t i = 0; i < content.size(); ++i) {
          if (r.AsText(i + 1) != std::get<std::string>(content[i])) same = false;
        }
        if (same) {
          ++out.unchanged;
          continue;
        }
        std::vector<db::Value> v = content;
        v.emplace_back(r.AsInt(0));
        if (Status e = db_.Execute(
                "UPDATE oversight_task SET area = ?, work = ?, requirement = ?, deadline_text = ?, "
                "deadline = ?, units = ? WHERE id = ?",
                v);
            !e.ok()) {
          return e;
        }
        ++out.updated;
      }
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<StoredTask>> OversightStore::Tasks(std::string_view jurisdiction, int year) {
  std::string sql =
      "SELECT id, jurisdiction, year, no, area, work, requirement, deadline_text, deadline, units "
      "FROM oversight_task WHERE jurisdiction = ?";
  std::vector<db::Value> params = {std::string(jurisdiction)};
  if (year != 0) {
    sql += " AND year = ?";
    params.emplace_back(int64_t{year});
  }
  sql += " ORDER BY year, no";
  Result<std::vector<db::Row>> rows = db_.QueryAll(sql, params);
  if (!rows.ok()) return rows.status();
  std::vector<StoredTask> out;
  for (const db::Row& r : *rows) {
    StoredTask t{.id = r.AsInt(0),
                 .jurisdiction = r.AsText(1),
                 .year = static_cast<int>(r.AsInt(2)),
                 .no = static_cast<int>(r.AsInt(3)),
                 .area = r.AsText(4),
                 .work = r.AsText(5),
                 .requirement = r.AsText(6),
                 .deadline_text = r.AsText(7),
                 .units = r.AsText(9)};
    Result<CivilDate> d = CivilDate::Parse(r.AsText(8));
    if (!d.ok()) return d.status();
    t.deadline = *d;
    out.push_back(std::move(t));
  }
  return out;
}

Result<int64_t> OversightStore::AddProgress(const ProgressReport& p) {
  auto bad = [](std::string field, std::string value, std::string message) {
    return Status("oversight.progress", std::move(message),
                  Location{.field = std::move(field), .value = std::move(value)});
  };
  if (p.client_id.empty() || p.client_id.size() > 100) {
    return bad("client_id", p.client_id, "报告编号不能为空，且不超过 100 字节");
  }
  if (!ValidStatus(p.status)) {
    return bad("status", p.status,
               "进展应为 on_track（按计划推进）、at_risk（有风险）或 done（已完成）");
  }
  if (p.unit.empty()) return bad("unit", "", "报告单位不能为空");
  if (!p.evidence_sha256.empty() &&
      (p.evidence_sha256.size() != 64 ||
       p.evidence_sha256.find_first_not_of("0123456789abcdef") != std::string::npos)) {
    return bad("evidence_sha256", p.evidence_sha256, "佐证材料的 SHA-256 应为 64 位小写十六进制");
  }
  int64_t id = 0;
  Status s = db::InTransaction(db_, [&]() -> Status {
    Result<std::vector<db::Row>> seen =
        db_.QueryAll("SELECT id FROM oversight_progress WHERE client_id = ?", {p.client_id});
    if (!seen.ok()) return seen.status();
    if (!seen->empty()) {
      id = (*seen)[0].AsInt(0);
      return Status::Ok();
    }
    Result<std::vector<db::Row>> task =
        db_.QueryAll("SELECT id FROM oversight_task WHERE id = ?", {p.task_id});
    if (!task.ok()) return task.status();
    if (task->empty()) {
      return Status(ErrorCategory::kNotFound, "oversight.not_found", "没有这项任务",
                    Location{.field = "task_id", .value = std::to_string(p.task_id)});
    }
    Result<std::vector<db::Row>> ins = db_.QueryAll(
        "INSERT INTO oversight_progress (task_id, client_id, reported_on, unit, status, note, "
        "evidence_name, evidence_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        {p.task_id, p.client_id, p.reported_on.ToString(), p.unit, p.status, p.note,
         p.evidence_name, p.evidence_sha256});
    if (!ins.ok()) return ins.status();
    id = (*ins)[0].AsInt(0);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return id;
}

Result<std::vector<ProgressReport>> OversightStore::Progress(int64_t task_id) {
  Result<std::vector<db::Row>> rows = db_.QueryAll(
      "SELECT id, task_id, client_id, reported_on, unit, status, note, evidence_name, "
      "evidence_sha256 FROM oversight_progress WHERE task_id = ? ORDER BY reported_on, id",
      {task_id});
  if (!rows.ok()) return rows.status();
  std::vector<ProgressReport> out;
  for (const db::Row& r : *rows) {
    Result<CivilDate> d = CivilDate::Parse(r.AsText(3));
    if (!d.ok()) return d.status();
    out.push_back({.id = r.AsInt(0),
                   .task_id = r.AsInt(1),
                   .client_id = r.AsText(2),
                   .reported_on = *d,
                   .unit = r.AsText(4),
                   .status = r.AsText(5),
                   .note = r.AsText(6),
                   .evidence_name = r.AsText(7),
                   .evidence_sha256 = r.AsText(8)});
  }
  return out;
}

namespace {

std::string JoinAreas(const std::vector<std::string>& areas) {
  std::string out;
  for (const std::string& a : areas) {
    if (!out.empty()) out += "、";
    out += a;
  }
  return out;
}

}  // namespace

Result<int64_t> OversightStore::AddInspection(const CreditPolicy& policy, const Inspection& in,
                                              std::string_view client_id) {
  if (client_id.empty() || client_id.size() > 100) {
    return Status(ErrorCategory::kInvalidInput, "oversight.inspection",
                  "记录编号不能为空，且不超过 100 字节",
                  Location{.field = "client_id", .value = std::string(client_id.substr(0, 100))});
  }
  if (Status c = CheckInspection(policy, in); !c.ok()) return c;
  int64_t id = 0;
  Status s = db::InTransaction(db_, [&]() -> Status {
    Result<std::vector<db::Row>> seen = db_.QueryAll(
        "SELECT id FROM oversight_inspection WHERE client_id = ?", {std::string(client_id)});
    if (!seen.ok()) return seen.status();
    if (!seen->empty()) {
      id = (*seen)[0].AsInt(0);
      return Status::Ok();
    }
    Result<std::vector<db::Row>> ins = db_.QueryAll(
        "INSERT INTO oversight_inspection (client_id, institution, inspected_on, kind, areas) "
        "VALUES (?, ?, ?, ?, ?) RETURNING id",
        {std::string(client_id), in.institution, in.on.ToString(), in.kind, JoinAreas(in.areas)});
    if (!ins.ok()) return ins.status();
    id = (*ins)[0].AsInt(0);
    for (const Finding& f : in.findings) {
      if (Status e = db_.Execute(
              "INSERT INTO oversight_finding (inspection_id, area, severity, text, deadline, "
              "rectified_on) VALUES (?, ?, ?, ?, ?, ?)",
              {id, f.area, f.severity, f.text, f.deadline.ToString(),
               f.rectified_on ? f.rectified_on->ToString() : std::string()});
          !e.ok())
        return e;
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return id;
}

Status OversightStore::Rectified(int64_t finding_id, CivilDate on) {
  Result<std::vector<db::Row>> rows = db_.QueryAll(
      "SELECT i.inspected_on FROM oversight_finding f JOIN oversight_inspection i ON "
      "i.id = f.inspection_id WHERE f.id = ?",
      {finding_id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) {
    return Status(ErrorCategory::kNotFound, "oversight.not_found", "没有这个检查问题",
                  Location{.field = "finding_id", .value = std::to_string(finding_id)});
  }
  if (on.ToString() < (*rows)[0].AsText(0)) {
    return Status(ErrorCategory::kInvalidInput, "oversight.inspection", "整改日期不能早于检查日期",
                  Location{.field = "rectified_on", .value = on.ToString()});
  }
  return db_.Execute("UPDATE oversight_finding SET rectified_on = ? WHERE id = ?",
                     {on.ToString(), finding_id});
}

Result<std::vector<StoredInspection>> OversightStore::Inspections(std::string_view institution) {
  std::string sql = "SELECT id, institution, inspected_on, kind, areas FROM oversight_inspection";
  std::vector<db::Value> params;
  if (!institution.empty()) {
    sql += " WHERE institution = ?";
    params.emplace_back(std::string(institution));
  }
  sql += " ORDER BY inspected_on, id";
  Result<std::vector<db::Row>> rows = db_.QueryAll(sql, params);
  if (!rows.ok()) return rows.status();
  std::vector<StoredInspection> out;
  std::map<int64_t, size_t> index;
  for (const db::Row& r : *rows) {
    StoredInspection si;
    si.id = r.AsInt(0);
    si.inspection.institution = r.AsText(1);
    Result<CivilDate> d = CivilDate::Parse(r.AsText(2));
    if (!d.ok()) return d.status();
    si.inspection.on = *d;
    si.inspection.kind = r.AsText(3);
    si.inspection.areas = SplitUnits(r.AsText(4));
    index[si.id] = out.size();
    out.push_back(std::move(si));
  }
  Result<std::vector<db::Row>> frows = db_.QueryAll(
      "SELECT id, inspection_id, area, severity, text, deadline, rectified_on FROM "
      "oversight_finding ORDER BY inspection_id, id",
      {});
  if (!frows.ok()) return frows.status();
  for (const db::Row& r : *frows) {
    auto it = index.find(r.AsInt(1));
    if (it == index.end()) continue;
    Finding f{.area = r.AsText(2), .severity = r.AsText(3), .text = r.AsText(4)};
    Result<CivilDate> d = CivilDate::Parse(r.AsText(5));
    if (!d.ok()) return d.status();
    f.deadline = *d;
    if (!r.AsText(6).empty()) {
      Result<CivilDate> rd = CivilDate::Parse(r.AsText(6));
      if (!rd.ok()) return rd.status();
      f.rectified_on = *rd;
    }
    out[it->second].finding_ids.push_back(r.AsInt(0));
    out[it->second].inspection.findings.push_back(std::move(f));
  }
  return out;
}

Result<int64_t> OversightStore::AddComplaint(const Complaint& c, std::string_view client_id) {
  if (client_id.empty() || client_id.size() > 100 || c.institution.empty()) {
    return Status(ErrorCategory::kInvalidInput, "oversight.complaint", "记录编号和机构编号不能为空",
                  Location{.field = c.institution.empty() ? "institution" : "client_id"});
  }
  int64_t id = 0;
  Status s = db::InTransaction(db_, [&]() -> Status {
    Result<std::vector<db::Row>> seen = db_.QueryAll(
        "SELECT id FROM oversight_complaint WHERE client_id = ?", {std::string(client_id)});
    if (!seen.ok()) return seen.status();
    if (!seen->empty()) {
      id = (*seen)[0].AsInt(0);
      return Status::Ok();
    }
    Result<std::vector<db::Row>> ins = db_.QueryAll(
        "INSERT INTO oversight_complaint (client_id, institution, received_on, substantiated) "
        "VALUES (?, ?, ?, ?) RETURNING id",
        {std::string(client_id), c.institution, c.on.ToString(), int64_t{c.substantiated ? 1 : 0}});
    if (!ins.ok()) return ins.status();
    id = (*ins)[0].AsInt(0);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return id;
}

Result<std::vector<Complaint>> OversightStore::Complaints() {
  Result<std::vector<db::Row>> rows = db_.QueryAll(
      "SELECT institution, received_on, substantiated FROM oversight_complaint ORDER BY "
      "received_on, id",
      {});
  if (!rows.ok()) return rows.status();
  std::vector<Complaint> out;
  for (const db::Row& r : *rows) {
    Result<CivilDate> d = CivilDate::Parse(r.AsText(1));
    if (!d.ok()) return d.status();
    out.push_back({r.AsText(0), *d, r.AsInt(2) != 0});
  }
  return out;
}

Status OversightStore::PutGrade(const Grade& g) {
  if (g.institution.empty() || g.grade < 0 || g.grade > 5 || (g.grade > 0 && g.evidence.empty())) {
    return Status(ErrorCategory::kInvalidInput, "oversight.grade",
                  "等级应为 1 至 5 级（0 为未评定），评定等级须附评定文件",
                  Location{.field = g.institution.empty() ? "institution" : "grade",
                           .value = std::to_string(g.grade)});
  }
  return db::InTransaction(db_, [&]() -> Status {
    if (Status e =
            db_.Execute("DELETE FROM oversight_grade WHERE institution = ?", {g.institution});
        !e.ok())
      return e;
    return db_.Execute(
        "INSERT INTO oversight_grade (institution, name, ownership, basic_services, grade, "
        "evidence, graded_on) VALUES (?, ?, ?, ?, ?, ?, ?)",
        {g.institution, g.name, g.ownership, int64_t{g.basic_services ? 1 : 0}, int64_t{g.grade},
         g.evidence, g.graded_on});
  });
}

Result<std::vector<Grade>> OversightStore::Grades() {
  Result<std::vector<db::Row>> rows = db_.QueryAll(
      "SELECT institution, name, ownership, basic_services, grade, evidence, graded_on FROM "
      "oversight_grade ORDER BY institution",
      {});
  if (!rows.ok()) return rows.status();
  std::vector<Grade> out;
  for (const db::Row& r : *rows) {
    out.push_back({r.AsText(0), r.AsText(1), r.AsText(2), r.AsInt(3) != 0,
                   static_cast<int>(r.AsInt(4)), r.AsText(5), r.AsText(6)});
  }
  return out;
}

}  // namespace yanglao::oversight
