#include "entitle/rolls.h"

#include <fmt/format.h>

#include <fstream>
#include <map>
#include <set>

#include "core/csv.h"
#include "core/mask.h"
#include "registry/feed_template.h"
#include "xlsx/xlsx.h"

namespace yanglao::entitle {
namespace fs = std::filesystem;
namespace {

std::string RegionName(const std::string& code) {
  if (code.empty()) return "未知";
  const Region* r = RegionTable::Builtin().Find(code);
  return r == nullptr ? code : r->name;
}

// Plain yuan with two decimals ("1234.50"), as spreadsheets read numbers.
std::string Yuan(int64_t fen) {
  int64_t a = fen < 0 ? -fen : fen;
  return fmt::format("{}{}.{:02}", fen < 0 ? "-" : "", a / 100, a % 100);
}

// A file name without characters that trouble file systems.
std::string SafeName(std::string s) {
  for (char& c : s) {
    if (c == '/' || c == '\\' || c == ':' || c == '*' || c == '?' || c == '"' || c == '<' ||
        c == '>' || c == '|')
      c = '_';
  }
  return s;
}

Status WriteTable(const fs::path& csv, const fs::path& xlsx, const std::string& sheet,
                  const std::vector<std::vector<std::string>>& rows) {
  std::error_code ec;
  fs::create_directories(csv.parent_path(), ec);
  fs::path tmp = csv;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Status("io.write", fmt::format("无法写入 {}", tmp.string()));
    out << "\xEF\xBB\xBF";  // BOM: spreadsheet programs then read the UTF-8 correctly
    for (const auto& row : rows) {
      for (size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << CsvEscape(row[i]);
      out << "\r\n";
    }
    if (!out.flush()) return Status("io.write", fmt::format("写入 {} 失败", tmp.string()));
  }
  fs::rename(tmp, csv, ec);
  if (ec) return Status("io.write", fmt::format("无法写入 {}：{}", csv.string(), ec.message()));
  fs::path xtmp = xlsx;
  xtmp += ".tmp";
  if (Status s = xlsx::WriteWorkbook(xtmp, {xlsx::Sheet{sheet, rows}}); !s.ok()) return s;
  fs::rename(xtmp, xlsx, ec);
  if (ec) return Status("io.write", fmt::format("无法写入 {}：{}", xlsx.string(), ec.message()));
  return Status::Ok();
}

}  // namespace

Result<RollTables> BuildRolls(registry::Registry& registry, RunStore& store, const RunRecord& run,
                              const policy::ServiceList& list,
                              const std::function<bool(const RunLine&)>& keep,
                              std::string_view only_item) {
  std::map<std::string, const policy::Item*> cash;
  LineQuery cash_lines;  // only the lines of the items paid in cash are decoded
  cash_lines.item = std::string(only_item);
  for (const policy::Item& item : list.items) {
    if (item.benefit.type == policy::BenefitType::kCash &&
        (only_item.empty() || item.number == only_item)) {
      cash[item.number] = &item;
    } else {
      cash_lines.withheld_items.push_back(item.number);
    }
  }
  Result<std::vector<RunLine>> all_lines = store.LinesIn(run.id, cash_lines);
  if (!all_lines.ok()) return all_lines.status();
  std::vector<RunLine> lines;
  for (RunLine& l : *all_lines) {
    if (cash.contains(l.item) && (!keep || keep(l))) lines.push_back(std::move(l));
  }
  // Names of the people on the rolls, and of the family carers an item for
  // the carer is paid to, as the registry resolves them for the run's state
  // (its as_of, known_on and feed watermark; names by the precedence table).
  Result<CivilDate> as_of = CivilDate::Parse(run.as_of);
  Result<CivilDate> known_on = CivilDate::Parse(run.known_on);
  if (!as_of.ok()) return as_of.status();
  if (!known_on.ok()) return known_on.status();
  auto chosen = [&](std::string_view fact, const std::set<std::string>& ids) {
    return registry.ChosenValues(fact, ids, *as_of, *known_on, run.feed_watermark);
  };
  std::set<std::string> wanted, cared_for;
  for (const RunLine& l : lines) {
    wanted.insert(l.id_number);
    if (cash[l.item]->benefit.recipient == policy::Recipient::kFamilyCarer)
      cared_for.insert(l.id_number);
  }
  Result<std::map<std::string, std::string>> names = chosen("name", wanted);
  if (!names.ok()) return names.status();
  std::map<std::string, std::string> carer_id, carer_name, carer_relation;
  if (!cared_for.empty()) {
    for (auto [fact, out] :
         {std::pair{"carer_id_number", &carer_id}, std::pair{"carer_name", &carer_name},
          std::pair{"carer_relation", &carer_relation}}) {
      Result<std::map<std::string, std::string>> v = chosen(fact, cared_for);
      if (!v.ok()) return v.status();
      *out = std::move(*v);
    }
  }
  auto value_of = [](const std::map<std::string, std::string>& m, const std::string& id) {
    auto it = m.find(id);
    return it == m.end() ? std::string() : it->second;
  };

  RollTables out;
  std::map<std::pair<std::string, std::string>, std::pair<int64_t, int64_t>> by_county_item;
  for (const auto& [number, item] : cash) {
    RollTable t;
    t.item = number;
    t.name = item->name;
    t.department = item->departments.empty() ? "未注明部门" : item->departments.front();
    // An item for the family carer is paid to the carer on record: the
    // carer is the payee, the older person cared for the reason.
    const bool to_carer = item->benefit.recipient == policy::Recipient::kFamilyCarer;
    t.rows = {{fmt::format("{} {} 第{}项 {} 代发名册（{}{}）", list.title, run.month, number,
                           item->name, policy::CashPeriodSuffix(item->benefit.period),
                           to_carer ? "；发给家庭照护者" : "")}};
    if (to_carer) {
      t.rows.push_back({"序号", "领取人姓名", "领取人公民身份号码", "与老年人关系", "照护的老年人",
                        "县（市、区）", "乡镇（街道）", "村（社区）", "金额（元）"});
    } else {
      t.rows.push_back({"序号", "姓名", "公民身份号码", "县（市、区）", "乡镇（街道）",
                        "村（社区）", "金额（元）"});
    }
    for (const RunLine& l : lines) {
      if (l.item != number) continue;
      ++t.people;
      t.total_fen += l.amount;
      const std::string name = value_of(*names, l.id_number);
      if (to_carer) {
        t.rows.push_back(
            {std::to_string(t.people), value_of(carer_name, l.id_number),
             value_of(carer_id, l.id_number),
             registry::ValueLabel("carer_relation", value_of(carer_relation, l.id_number)),
             fmt::format("{}（{}）", name, MaskIdNumber(l.id_number)), RegionName(l.county),
             RegionName(l.street), RegionName(l.community), Yuan(l.amount)});
      } else {
        t.rows.push_back({std::to_string(t.people), name, l.id_number, RegionName(l.county),
                          RegionName(l.street), RegionName(l.community), Yuan(l.amount)});
      }
      auto& c = by_county_item[{l.county, number}];
      ++c.first;
      c.second += l.amount;
    }
    std::vector<std::string> total(t.rows[1].size());
    total.front() = "合计";
    total[1] = fmt::format("{}人", t.people);
    total.back() = Yuan(t.total_fen);
    t.rows.push_back(std::move(total));
    out.people += t.people;
    out.total_fen += t.total_fen;
    out.rolls.push_back(std::move(t));
  }
  out.summary = {{fmt::format("{} {} 资金汇总（按县级单位、项目）", list.title, run.month)},
                 {"县级单位代码", "县级单位", "项目序号", "服务项目", "牵头部门", "发放周期",
                  "人数", "金额（元）"}};
  int64_t people = 0, total = 0;
  for (const auto& [key, c] : by_county_item) {
    const policy::Item& item = *cash[key.second];
    out.summary.push_back({key.first, RegionName(key.first), key.second, item.name,
                           item.departments.empty() ? "" : item.departments.front(),
                           std::string(policy::CashPeriodSuffix(item.benefit.period)),
                           std::to_string(c.first), Yuan(c.second)});
    people += c.first;
    total += c.second;
  }
  out.summary.push_back({"合计", "", "", "", "", "", std::to_string(people), Yuan(total)});
  return out;
}

Result<RollsOutcome> WriteRolls(registry::Registry& registry, RunStore& store, const RunRecord& run,
                                const policy::ServiceList& list, const fs::path& dir) {
  Result<RollTables> tables = BuildRolls(registry, store, run, list);
  if (!tables.ok()) return tables.status();
  RollsOutcome out;
  for (const RollTable& t : tables->rolls) {
    RollFile f;
    f.item = t.item;
    f.department = t.department;
    f.people = t.people;
    f.total_fen = t.total_fen;
    std::string base = SafeName(fmt::format("{}-{}", t.item, t.name));
    f.csv = dir / SafeName(f.department) / (base + ".csv");
    f.xlsx = dir / SafeName(f.department) / (base + ".xlsx");
    if (Status w = WriteTable(f.csv, f.xlsx, "代发名册", t.rows); !w.ok()) return w;
    out.rolls.push_back(std::move(f));
  }
  out.people = tables->people;
  out.total_fen = tables->total_fen;
  out.summary_csv = dir / "财政汇总.csv";
  out.summary_xlsx = dir / "财政汇总.xlsx";
  if (Status w = WriteTable(out.summary_csv, out.summary_xlsx, "资金汇总", tables->summary);
      !w.ok())
    return w;
  return out;
}

}  // namespace yanglao::entitle
