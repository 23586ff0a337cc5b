// yanglao gen: writes department feed files for a synthetic city (src/gen).
#include <fmt/format.h>

#include "cli/commands.h"

namespace yanglao::cli {

void AddGenCommand(CLI::App& app, int& exit_code) {
  CLI::App* gen = app.add_subcommand("gen", "生成合成城市的部门数据文件（开发中）");
  gen->callback([&exit_code] {
    fmt::print(stderr, "yanglao: gen 尚未实现\n");
    exit_code = 1;
  });
}

}  // namespace yanglao::cli
