// yanglao gen: writes department feed files for a synthetic city (src/gen).
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "cli/commands.h"
#include "core/civil_date.h"
#include "gen/assess_synthetic.h"
#include "gen/canteen_synthetic.h"
#include "gen/facility_synthetic.h"
#include "gen/generator.h"
#include "gen/province.h"
#include "gen/visits_synthetic.h"
#include "gen/waitlist_synthetic.h"

namespace yanglao::cli {
namespace {

struct GenArgs {
  std::string region;
  uint64_t seed = 7;
  double scale = 1.0;
  bool dirty = false;
  std::string as_of = "2026-01-01";
  std::string out;
  std::string calibration;
  int threads = 0;
  bool no_assessments = false;
};

// Columns a terminal gives `text`: two for each CJK character (3-byte
// UTF-8 sequences here), one for ASCII.
size_t DisplayWidth(std::string_view text) {
  size_t width = 0;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      ++width;
    } else if (c >= 0xE0) {
      width += 2;
    }
  }
  return width;
}

int WriteWaitlist(const std::string& out, const std::string& region, uint64_t seed,
                  CivilDate as_of) {
  // Institutions, beds and a waiting list (src/waitlist; docs/waitlist.md).
  if (Result<gen::WaitlistSyntheticSummary> w = gen::WriteSyntheticWaitlist(
          {.feeds_dir = out, .out_dir = out, .region = region, .as_of = as_of, .seed = seed});
      w.ok()) {
    fmt::print("  入住轮候/ {} 家养老机构，{} 张可分配床位，{} 份入住申请\n", w->institutions,
               w->beds, w->applicants);
  } else {
    fmt::print(stderr, "yanglao: 未生成入住轮候数据：{}\n", w.status().ToString());
  }
  return 0;
}

// The modules' synthetic data for the feeds in `out` (a city, or one city
// of a province: there a city without village-level data gets no
// facilities, canteens or visits, with a notice).
int WriteModuleData(const GenArgs& args, const std::string& out, const std::string& region,
                    uint64_t seed, CivilDate as_of, bool province) {
  if (!args.no_assessments) {
    // Assessment histories for the generated people (src/assess).
    Result<gen::SyntheticSummary> a =
        gen::WriteSyntheticAssessments({.feeds_dir = out, .seed = seed, .as_of = as_of});
    if (!a.ok()) {
      fmt::print(stderr, "yanglao: {}\n", a.status().ToString());
      return 1;
    }
    std::string name = a->file.filename().string();
    fmt::print("  {}{}{:>12} 行（{} 人的能力评估；在世 80 周岁及以上 {} 人中 {} 人评估有效）\n",
               name, std::string(16 - std::min<size_t>(16, DisplayWidth(name)), ' '),
               a->assessments, a->people_assessed, a->living_80_plus, a->valid_80_plus);
  }
  if (Result<gen::FacilitySyntheticSummary> f = gen::WriteSyntheticFacilities(
          {.region = region, .seed = seed, .out = out, .scale = args.scale});
      f.ok()) {  // facilities, estates, community coordinates (src/facility)
    fmt::print("  设施/（合成坐标）{} 处养老服务设施，{} 个住宅小区，{} 个社区（村）坐标\n",
               f->facilities, f->estates, f->points);
  } else if (province) {
    // A city of a province without village-level data: no community
    // coordinates, so no facilities, canteens or visits.
    fmt::print("  （没有村级区划数据：未生成设施、助餐、探访数据）\n");
    return WriteWaitlist(out, region, seed, as_of);
  } else {
    fmt::print(stderr, "yanglao: {}\n", f.status().ToString());
    return 1;
  }
  // Canteens and a month of counter sales (src/canteen; docs/canteen.md).
  Result<gen::CanteenSyntheticSummary> c = gen::WriteSyntheticCanteens(
      {.feeds_dir = out, .out_dir = out, .month = Month::Of(as_of), .seed = seed});
  if (c.ok()) {
    fmt::print("  食堂.csv {} 个食堂；助餐销售.csv {} 笔（{} 位就餐者，{} 笔同餐次重复享受）\n",
               c->canteens, c->sales, c->diners, c->planted.size());
  } else {
    fmt::print(stderr, "yanglao: 未生成助餐数据：{}\n", c.status().ToString());
  }
  // Visitors and a year of visit logs (src/visits; docs/visits.md).
  if (Result<gen::VisitsSyntheticSummary> v = gen::WriteSyntheticVisits(
          {.feeds_dir = out, .out_dir = out, .last_month = Month::Of(as_of), .seed = seed});
      v.ok()) {
    fmt::print(
        "  探访记录.csv {} 次探访（{} 名探访人员，{} 位老年人，12 个月，{} "
        "个探访人员月份无探访）\n",
        v->visits, v->visitors, v->people, v->gap_months);
  } else {
    fmt::print(stderr, "yanglao: 未生成探访数据：{}\n", v.status().ToString());
  }
  return WriteWaitlist(out, region, seed, as_of);
}

// A whole province: one subdirectory per city (gen/province.h).
int RunGenProvince(const GenArgs& args, const gen::GenOptions& options) {
  int module_rc = 0;
  Result<gen::ProvinceSummary> result = gen::GenerateProvince(
      options, [&](const gen::ProvinceMember& m, const gen::GenSummary& s) -> Status {
        fmt::print("{}（{}）：{} 人（50岁及以上），60岁及以上 {}，种子 {} → {}/\n", s.region_name,
                   m.code, s.people, s.aged_60_plus, m.seed, m.dir);
        std::string dir = (std::filesystem::path(args.out) / m.dir).string();
        module_rc = WriteModuleData(args, dir, m.code, m.seed, options.as_of, true);
        if (module_rc != 0)
          return Status("gen.io", "未能写入模块的合成数据", Location{.file = dir});
        return Status();
      });
  if (!result.ok()) {
    if (module_rc != 0) return module_rc;
    fmt::print(stderr, "yanglao: {}\n", result.status().ToString());
    const std::string& code = result.status().code();
    bool usage = code == "gen.scale" || code == "gen.region" || code == "region.code_format";
    return usage ? 2 : 1;
  }
  const gen::ProvinceSummary& p = *result;
  fmt::print(
      "已生成 {}（{}）全省 {} 个市（州、省直辖县级单位）的合成数据：{} 人（50岁及以上），"
      "种子 {}，规模 {}，基准日 {}\n",
      p.region_name, p.region_code, p.members.size(), p.people, args.seed, args.scale, args.as_of);
  fmt::print("  manifest.yaml（各市的目录与人数）\n");
  fmt::print("共写入部门数据 {:.1f} MB，用时 {:.2f} 秒\n",
             static_cast<double>(p.bytes_written) / 1e6, p.seconds);
  return 0;
}

int RunGen(const GenArgs& args) {
  Result<CivilDate> as_of = CivilDate::Parse(args.as_of);
  if (!as_of.ok()) {
    fmt::print(stderr, "yanglao: --as-of {}\n", as_of.status().ToString());
    return 2;
  }
  gen::GenOptions options{.region = args.region,
                          .seed = args.seed,
                          .scale = args.scale,
                          .dirty = args.dirty,
                          .as_of = *as_of,
                          .out = args.out,
                          .calibration = args.calibration,
                          .threads = args.threads};
  if (gen::IsProvinceCode(args.region)) return RunGenProvince(args, options);
  Result<gen::GenSummary> result = gen::GenerateCity(options);
  if (!result.ok()) {
    fmt::print(stderr, "yanglao: {}\n", result.status().ToString());
    // A code that is not a city or county, or a scale out of range, is a
    // usage error; the rest (no village data, files) are failures.
    const std::string& code = result.status().code();
    bool usage = code == "gen.scale" || code == "gen.region" || code == "region.code_format";
    return usage ? 2 : 1;
  }
  const gen::GenSummary& s = *result;
  fmt::print("已生成 {}（{}）的合成数据：{} 人（50岁及以上），种子 {}，规模 {}，基准日 {}\n",
             s.region_name, s.region_code, s.people, args.seed, args.scale, args.as_of);
  auto percent = [&](int64_t n) {
    return s.people > 0 ? 100.0 * static_cast<double>(n) / static_cast<double>(s.people) : 0.0;
  };
  fmt::print("  60岁及以上 {}（{:.1f}%），80岁及以上 {}（{:.1f}%），城镇 {}（{:.1f}%）\n",
             s.aged_60_plus, percent(s.aged_60_plus), s.aged_80_plus, percent(s.aged_80_plus),
             s.urban, percent(s.urban));
  fmt::print("  低保 {}，特困 {}，持残疾人证 {}，一年内死亡 {}\n", s.dibao, s.tekun, s.disabled,
             s.deaths);
  fmt::print("文件（{}）：\n", args.out);
  for (const auto& [file, rows] : s.rows_per_file) {
    fmt::print("  {}{}{:>12} 行\n", file, std::string(16 - DisplayWidth(file), ' '), rows);
  }
  if (int rc = WriteModuleData(args, args.out, args.region, args.seed, *as_of, false); rc != 0) {
    return rc;
  }
  fmt::print("  manifest.yaml\n");
  if (args.dirty) fmt::print("脏数据行：{}（见 manifest.yaml 的 dirty_list）\n", s.dirty_rows);
  fmt::print("共写入 {:.1f} MB，用时 {:.2f} 秒（{:.0f} 人/秒）\n",
             static_cast<double>(s.bytes_written) / 1e6, s.seconds,
             s.seconds > 0 ? static_cast<double>(s.people) / s.seconds : 0.0);
  return 0;
}

}  // namespace

void AddGenCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<GenArgs>();
  CLI::App* gen = app.add_subcommand(
      "gen", "生成合成城市的部门数据文件（公安、民政、人社、卫健、医保、残联、退役军人）");
  gen->add_option("--region", args->region,
                  "地级市、县级或省级区划代码（如 421300、421281；省级如 420000 "
                  "生成全省各市，每市一个子目录）")
      ->required();
  gen->add_option("--seed", args->seed, "随机种子（相同参数生成完全相同的文件）")->required();
  gen->add_option("--scale", args->scale, "人口规模系数，1 = 普查人口（默认 1）");
  gen->add_flag("--dirty", args->dirty, "写入约 0.5% 的脏数据行（在 manifest.yaml 中列出）");
  gen->add_option("--as-of", args->as_of, "基准日 YYYY-MM-DD（默认 2026-01-01）");
  gen->add_option("--out", args->out, "输出目录")->required();
  gen->add_option("--calibration", args->calibration, "校准文件（默认用内置的）");
  gen->add_option("--threads", args->threads, "工作线程数（默认按核数；不影响输出）");
  gen->add_flag("--no-assessments", args->no_assessments,
                "不写 能力评估.jsonl（合成的老年人能力评估历史，见 docs/assessment.md）");
  gen->callback([args, &exit_code] { exit_code = RunGen(*args); });
}

}  // namespace yanglao::cli
