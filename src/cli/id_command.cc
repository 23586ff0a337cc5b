// yanglao id check NUMBER...
#include <fmt/format.h>

#include "cli/commands.h"
#include "core/id_number.h"

namespace yanglao::cli {
namespace {

struct IdCheckOptions {
  std::vector<std::string> numbers;
  std::string today;
};

int RunIdCheck(const IdCheckOptions& opts) {
  CivilDate today = CivilDate::Today();
  if (!opts.today.empty()) {
    Result<CivilDate> d = CivilDate::Parse(opts.today);
    if (!d.ok()) {
      fmt::print(stderr, "yanglao: --today {}\n", d.status().ToString());
      return 2;
    }
    today = *d;
  }
  const RegionTable& regions = RegionTable::Builtin();
  int invalid = 0;
  for (const std::string& text : opts.numbers) {
    Result<IdNumber> id = ParseIdNumber(text, regions, today);
    if (!id.ok()) {
      ++invalid;
      fmt::print("{}  无效  {} [{}]\n", text, id.status().message(), id.status().code());
      continue;
    }
    const Region* place = regions.Find(id->address_code);
    const AbolishedRegion* old = regions.FindAbolished(id->address_code);
    std::string where = place != nullptr ? regions.FullName(*place)
                        : old != nullptr ? old->name + "（已撤销）"
                                         : "";
    fmt::print("{}  有效  出生日期 {}  性别 {}  年龄 {}周岁  地址码 {} {}\n", id->value,
               id->birth_date.ToString(), SexName(id->sex), AgeOn(id->birth_date, today),
               id->address_code, where);
    for (const Status& w : id->warnings) {
      fmt::print("  提示：{} [{}]\n", w.message(), w.code());
    }
  }
  return invalid > 0 ? 1 : 0;
}

}  // namespace

void AddIdCommands(CLI::App& app, int& exit_code) {
  CLI::App* id = app.add_subcommand("id", "公民身份号码（GB 11643-1999）");
  id->require_subcommand(1);
  auto opts = std::make_shared<IdCheckOptions>();
  CLI::App* check = id->add_subcommand(
      "check",
      "校验身份号码：每个号码一行，给出有效或无效原因、出生日期、性别；有无效号码时退出码为1");
  check->add_option("numbers", opts->numbers, "18位（或15位旧）身份号码")->required();
  check->add_option("--today", opts->today,
                    "按此日期判断出生日期是否晚于当日（YYYY-MM-DD，默认今天）");
  check->callback([opts, &exit_code] { exit_code = RunIdCheck(*opts); });
}

}  // namespace yanglao::cli
