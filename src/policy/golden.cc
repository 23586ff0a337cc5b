#include "policy/golden.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>

#include "core/money.h"
#include "policy/entitlement.h"
#include "policy/person_file.h"
#include "policy/service_list.h"

namespace yanglao::policy {
namespace {

struct Expected {
  std::optional<int64_t> amount;  // fen
  std::optional<int64_t> percent;
};

std::string Show(const Item& item, int64_t amount, int64_t percent) {
  if (item.benefit.type == BenefitType::kCash) {
    return fmt::format(
        "{}{}", Money::Fen(amount).FormatYuan(),
        item.benefit.period == CashPeriod::kOnce
            ? ""
            : "/" + std::string(item.benefit.period == CashPeriod::kMonth ? "月" : "年"));
  }
  if (item.benefit.type == BenefitType::kDiscount) return fmt::format("优惠{}%", percent);
  return "享受";
}

}  // namespace

Result<GoldenReport> RunGoldenFile(const std::filesystem::path& path) {
  YAML::Node doc;
  try {
    doc = YAML::LoadFile(path.string());
  } catch (const YAML::Exception& e) {
    return Status(
        "golden.yaml", fmt::format("YAML 格式错误：{}", e.msg),
        Location{.file = path.string(), .line = e.mark.line + 1, .column = e.mark.column + 1});
  }
  std::filesystem::path dir = path.parent_path();
  if (!doc["list"] || !doc["date"] || !doc["cases"]) {
    return Status("golden.missing_field", "用例文件应有 list、date 和 cases",
                  Location{.file = path.string()});
  }
  LoadedList loaded = LoadServiceList(dir / doc["list"].Scalar());
  if (doc["params"]) ApplyParameterFile(dir / doc["params"].Scalar(), loaded.list, loaded.errors);
  if (!loaded.ok()) return loaded.errors.front();
  Result<CivilDate> date = CivilDate::Parse(doc["date"].Scalar());
  if (!date.ok()) return date.status().InFile(path.string());
  Result<CompiledList> compiled = CompileList(loaded.list, *date);
  if (!compiled.ok()) return compiled.status();

  GoldenReport report;
  std::vector<PersonFacts> people;
  std::vector<std::string> names;
  std::vector<std::map<std::string, Expected>> expected;
  // Per case: item -> the unknown facts it is to be verified on (待核实).
  std::vector<std::map<std::string, std::vector<std::string>>> to_verify;
  // An item number a case names must be the list's.
  auto known_item = [&](const YAML::Node& key, const std::string& name) -> Status {
    if (loaded.list.FindItem(key.Scalar()) != nullptr) return Status::Ok();
    YAML::Mark m = key.Mark();
    return Status("golden.unknown_item",
                  fmt::format("用例「{}」引用了不存在的序号 {}", name, key.Scalar()),
                  Location{.file = path.string(), .line = m.line + 1, .column = m.column + 1});
  };
  for (const YAML::Node& c : doc["cases"]) {
    std::string name = c["name"] ? c["name"].Scalar() : fmt::format("第{}例", people.size() + 1);
    Result<PersonFacts> person = ReadPerson(c["person"], path.string(), *date);
    if (!person.ok()) return person.status();
    std::map<std::string, Expected> want;
    if (YAML::Node ent = c["entitled"]; ent && ent.IsMap()) {
      for (const auto& kv : ent) {
        std::string number = kv.first.Scalar();
        if (Status s = known_item(kv.first, name); !s.ok()) return s;
        Expected e;
        if (kv.second.IsMap() && kv.second["amount"]) {
          Result<Money> m = Money::Parse(kv.second["amount"].Scalar());
          if (!m.ok()) return m.status().InFile(path.string());
          e.amount = m->fen();
        }
        if (kv.second.IsMap() && kv.second["percent"])
          e.percent = kv.second["percent"].as<int64_t>();
        want[number] = e;
      }
    }
    std::map<std::string, std::vector<std::string>> verify;
    if (YAML::Node v = c["verify"]; v && v.IsMap()) {
      for (const auto& kv : v) {
        std::string number = kv.first.Scalar();
        if (Status s = known_item(kv.first, name); !s.ok()) return s;
        std::vector<std::string>& facts = verify[number];
        if (kv.second.IsSequence()) {
          for (const YAML::Node& f : kv.second) facts.push_back(f.Scalar());
        }
        std::sort(facts.begin(), facts.end());
      }
    }
    to_verify.push_back(std::move(verify));
    people.push_back(*person);
    names.push_back(name);
    expected.push_back(std::move(want));
  }
  report.cases = static_cast<int>(people.size());

  // One person at a time.
  for (size_t p = 0; p < people.size(); ++p) {
    std::vector<ItemOutcome> got = EntitlePerson(*compiled, people[p], /*explain=*/true);
    for (size_t i = 0; i < compiled->items.size(); ++i) {
      const Item& item = *compiled->items[i].item;
      auto want = expected[p].find(item.number);
      bool want_entitled = want != expected[p].end();
      std::string why;
      for (const std::string& w : got[i].why) why += (why.empty() ? "" : "；") + w;
      auto verify = to_verify[p].find(item.number);
      bool want_verify = verify != to_verify[p].end();
      if (got[i].verify != want_verify) {
        report.failures.push_back(fmt::format(
            "用例「{}」第{}项「{}」：应{}待核实，实际{}待核实（{}）", names[p], item.number,
            item.name, want_verify ? "" : "不", got[i].verify ? "" : "不", why));
      } else if (want_verify) {
        std::vector<std::string> facts;
        for (size_t slot : got[i].unknown_facts)
          facts.push_back(FactSchema::Person().at(slot).name);
        std::sort(facts.begin(), facts.end());
        if (!verify->second.empty() && facts != verify->second) {
          report.failures.push_back(fmt::format(
              "用例「{}」第{}项「{}」：待核实的事实应为 {}，实际为 {}", names[p], item.number,
              item.name, fmt::join(verify->second, "、"), fmt::join(facts, "、")));
        }
      }
      if (got[i].entitled != want_entitled) {
        report.failures.push_back(
            fmt::format("用例「{}」第{}项「{}」：应{}享受，实际{}享受（{}）", names[p], item.number,
                        item.name, want_entitled ? "" : "不", got[i].entitled ? "" : "不", why));
        continue;
      }
      if (!want_entitled) continue;
      if (want->second.amount && *want->second.amount != got[i].amount) {
        report.failures.push_back(fmt::format(
            "用例「{}」第{}项「{}」：金额应为 {}，实际为 {}", names[p], item.number, item.name,
            Money::Fen(*want->second.amount).FormatYuan(), Money::Fen(got[i].amount).FormatYuan()));
      }
      if (item.benefit.type == BenefitType::kCash && !want->second.amount) {
        report.failures.push_back(
            fmt::format("用例「{}」第{}项「{}」是现金待遇，用例应写明 amount（实际 {}）", names[p],
                        item.number, item.name, Show(item, got[i].amount, got[i].percent)));
      }
      if (want->second.percent && *want->second.percent != got[i].percent) {
        report.failures.push_back(fmt::format("用例「{}」第{}项「{}」：优惠应为 {}%，实际为 {}%",
                                              names[p], item.number, item.name,
                                              *want->second.percent, got[i].percent));
      }
      if (item.benefit.type == BenefitType::kDiscount && !want->second.percent) {
        report.failures.push_back(
            fmt::format("用例「{}」第{}项「{}」是优惠待遇，用例应写明 percent（实际 {}%）",
                        names[p], item.number, item.name, got[i].percent));
      }
    }
  }

  // The whole population at once must agree with the cases.
  Population pop = Population::FromPeople(people);
  std::vector<ItemRoll> rolls = EntitlePopulation(*compiled, pop);
  for (size_t i = 0; i < compiled->items.size(); ++i) {
    const Item& item = *compiled->items[i].item;
    const ItemRoll& roll = rolls[i];
    for (size_t p = 0; p < people.size(); ++p) {
      auto it = std::lower_bound(roll.rows.begin(), roll.rows.end(), static_cast<uint32_t>(p));
      bool in = it != roll.rows.end() && *it == p;
      bool in_verify =
          std::binary_search(roll.verify.begin(), roll.verify.end(), static_cast<uint32_t>(p));
      if (in_verify != to_verify[p].contains(item.number)) {
        report.failures.push_back(fmt::format(
            "整体计算：用例「{}」第{}项「{}」：应{}待核实，实际{}待核实", names[p], item.number,
            item.name, to_verify[p].contains(item.number) ? "" : "不", in_verify ? "" : "不"));
      }
      auto want = expected[p].find(item.number);
      bool want_entitled = want != expected[p].end();
      if (in != want_entitled) {
        report.failures.push_back(
            fmt::format("整体计算：用例「{}」第{}项「{}」：应{}享受，实际{}享受", names[p],
                        item.number, item.name, want_entitled ? "" : "不", in ? "" : "不"));
        continue;
      }
      size_t k = static_cast<size_t>(it - roll.rows.begin());
      if (in && want->second.amount && !roll.amounts.empty() &&
          roll.amounts[k] != *want->second.amount) {
        report.failures.push_back(fmt::format("整体计算：用例「{}」第{}项金额应为 {}，实际为 {}",
                                              names[p], item.number,
                                              Money::Fen(*want->second.amount).FormatYuan(),
                                              Money::Fen(roll.amounts[k]).FormatYuan()));
      }
      if (in && want->second.percent && !roll.percents.empty() &&
          roll.percents[k] != *want->second.percent) {
        report.failures.push_back(fmt::format("整体计算：用例「{}」第{}项优惠应为 {}%，实际为 {}%",
                                              names[p], item.number, *want->second.percent,
                                              roll.percents[k]));
      }
    }
  }
  return report;
}

}  // namespace yanglao::policy
