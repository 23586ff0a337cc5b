// yanglao: the command-line entry point. Parses arguments and dispatches to
// the command groups in this folder (CommandGroups, one line per module);
// all domain logic lives in the module libraries under src/.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/version.h"

namespace {

// A parse error in Chinese: CLI11's own messages are English.
std::string ChineseParseError(const CLI::ParseError& e) {
  const std::string what = e.what();
  const std::string name = e.get_name();
  if (name == "RequiredError") {
    if (what.find("subcommand") != std::string::npos) return "缺少子命令";
    const size_t is = what.find(" is required");
    if (is != std::string::npos) return "缺少必需的选项 " + what.substr(0, is);
    return "缺少必需的参数：" + what;
  }
  if (name == "ExtrasError") return "无法识别的参数：" + what.substr(what.find(':') + 1);
  if (name == "ArgumentMismatch") return "选项的参数个数不对：" + what;
  if (name == "ConversionError" || name == "ValidationError") return "选项的值无效：" + what;
  if (name == "ExcludesError" || name == "RequiresError") return "选项不能这样组合：" + what;
  return "参数错误：" + what;
}

}  // namespace

namespace yanglao::cli {

const std::vector<CommandGroup>& CommandGroups() {
  // In the order `yanglao --help` lists them; a module with commands adds
  // its line here.
  static const std::vector<CommandGroup>* const groups = new std::vector<CommandGroup>{
      {"", AddIdCommands},
      {"", AddRegionCommands},
      {"policy", AddPolicyCommands},
      {"registry", AddRegistryCommands},
      {"entitle", AddEntitleCommands},
      {"assess", AddAssessCommands},
      {"facility", AddFacilityCommands},
      {"canteen", AddCanteenCommands},
      {"oversight", AddOversightCommands},
      {"waitlist", AddWaitlistCommands},
      {"visits", AddVisitsCommands},
      {"devices", AddDevicesCommands},
      {"gen", AddGenCommand},
      {"server", AddServeCommand},
      {"server", AddAdminCommands},
      {"", AddDemoCommand},
  };
  return *groups;
}

}  // namespace yanglao::cli

int main(int argc, char** argv) {
  CLI::App app("yanglao 养老：基本养老服务体系平台", "yanglao");
  app.set_version_flag("--version", std::string("yanglao ") + yanglao::kVersion);
  app.require_subcommand(1);
  app.fallthrough(false);

  int exit_code = 0;
  for (const yanglao::cli::CommandGroup& group : yanglao::cli::CommandGroups()) {
    group.add(app, exit_code);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr,
               "yanglao: {}\n运行 yanglao --help 查看命令，yanglao 命令 --help 查看命令的选项\n",
               ChineseParseError(e));
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "yanglao: 内部错误：{}\n", e.what());
    return 3;
  }
  return exit_code;
}
