// yanglao region show CODE | region find NAME
#include <fmt/format.h>

#include <limits>

#include "cli/commands.h"
#include "core/region.h"

namespace yanglao::cli {
namespace {

std::string CodeAndName(const Region& r) {
  return fmt::format("{}（{}）", r.name, r.DisplayCode());
}

void PrintKindCounts(const std::vector<size_t>& counts, RegionLevel level) {
  size_t total = 0;
  std::string parts;
  for (size_t k = 0; k < counts.size(); ++k) {
    auto kind = static_cast<RegionKind>(k);
    if (LevelOfKind(kind) != level) continue;
    total += counts[k];
    if (level >= RegionLevel::kTownship && counts[k] > 0) {
      parts +=
          fmt::format("{}{} {} 个", parts.empty() ? "" : "，", RegionKindName(kind), counts[k]);
    }
  }
  if (total == 0) return;
  if (parts.empty()) {
    fmt::print("  {} {} 个\n", RegionLevelName(level), total);
  } else {
    fmt::print("  {} {} 个：{}\n", RegionLevelName(level), total, parts);
  }
}

int RunRegionShow(const std::string& code) {
  const RegionTable& regions = RegionTable::Builtin();
  Result<std::string> normal = NormalizeRegionCode(code);
  if (!normal.ok()) {
    fmt::print(stderr, "yanglao: {}\n", normal.status().ToString());
    return 1;
  }
  const Region* r = regions.Find(code);
  if (r == nullptr) {
    if (const AbolishedRegion* old = regions.FindAbolished(code)) {
      fmt::print("{} {}：已撤销（{}），现为 {}\n", old->code, old->name, old->note, old->successor);
      return 0;
    }
    fmt::print(stderr, "yanglao: 未找到区划代码 {} [region.not_found]\n", code);
    return 1;
  }
  fmt::print("{} {}\n", r->DisplayCode(), r->name);
  if (r->level >= RegionLevel::kTownship) {
    fmt::print("级别：{}  类型：{}\n", RegionLevelName(r->level), RegionKindName(r->kind));
  } else {
    fmt::print("级别：{}\n", RegionLevelName(r->level));
  }
  std::vector<const Region*> up = regions.Ancestors(*r);
  if (!up.empty()) {
    std::string chain;
    for (const Region* a : up) chain += (chain.empty() ? "" : " > ") + CodeAndName(*a);
    fmt::print("上级：{}\n", chain);
  }
  fmt::print("全称：{}\n", regions.FullName(*r));
  std::vector<const Region*> children = regions.Children(*r);
  if (children.empty()) {
    fmt::print("下级：无\n");
    return 0;
  }
  fmt::print("下级（含各级）：\n");
  std::vector<size_t> counts = regions.CountDescendantsByKind(*r);
  for (int l = static_cast<int>(r->level) + 1; l <= static_cast<int>(RegionLevel::kVillage); ++l) {
    PrintKindCounts(counts, static_cast<RegionLevel>(l));
  }
  fmt::print("直接下级 {} 个：\n", children.size());
  for (const Region* c : children) {
    fmt::print("  {}  {}  {}\n", c->DisplayCode(), c->name, RegionKindName(c->kind));
  }
  return 0;
}

int RunRegionFind(const std::string& name, size_t limit) {
  const RegionTable& regions = RegionTable::Builtin();
  std::vector<const Region*> found = regions.FindByName(name, std::numeric_limits<size_t>::max());
  if (found.empty()) {
    fmt::print(stderr, "yanglao: 未找到名称含「{}」的区划 [region.not_found]\n", name);
    return 1;
  }
  for (size_t i = 0; i < found.size() && i < limit; ++i) {
    const Region* r = found[i];
    fmt::print("{}  {}  {}  {}\n", r->DisplayCode(), r->name, RegionKindName(r->kind),
               regions.FullName(*r));
  }
  if (found.size() > limit) {
    fmt::print("共 {} 个，仅显示前 {} 个（用 --limit 显示更多）\n", found.size(), limit);
  }
  return 0;
}

}  // namespace

void AddRegionCommands(CLI::App& app, int& exit_code) {
  CLI::App* region = app.add_subcommand("region", "行政区划（GB/T 2260）");
  region->require_subcommand(1);

  auto code = std::make_shared<std::string>();
  CLI::App* show = region->add_subcommand("show", "显示区划：名称、上级、各类下级数量");
  show->add_option("code", *code, "区划代码（2/4/6/9/12位，如 421300）")->required();
  show->callback([code, &exit_code] { exit_code = RunRegionShow(*code); });

  auto name = std::make_shared<std::string>();
  auto limit = std::make_shared<size_t>(50);
  CLI::App* find = region->add_subcommand("find", "按名称查找区划（先精确匹配，后包含匹配）");
  find->add_option("name", *name, "名称或名称的一部分")->required();
  find->add_option("--limit", *limit, "最多显示个数（默认50）");
  find->callback([name, limit, &exit_code] { exit_code = RunRegionFind(*name, *limit); });
}

}  // namespace yanglao::cli
