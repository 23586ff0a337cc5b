// yanglao: the command-line entry point. Parses arguments and dispatches to
// the command groups in this folder; all domain logic lives in the module
// libraries under src/.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <exception>

#include "cli/commands.h"
#include "core/version.h"

int main(int argc, char** argv) {
  CLI::App app("yanglao 养老：基本养老服务体系平台", "yanglao");
  app.set_version_flag("--version", std::string("yanglao ") + yanglao::kVersion);
  app.require_subcommand(1);
  app.fallthrough(false);

  int exit_code = 0;
  yanglao::cli::AddIdCommands(app, exit_code);
  yanglao::cli::AddRegionCommands(app, exit_code);
  yanglao::cli::AddPolicyCommands(app, exit_code);
  yanglao::cli::AddRegistryCommands(app, exit_code);
  yanglao::cli::AddEntitleCommands(app, exit_code);
  yanglao::cli::AddAssessCommands(app, exit_code);
  yanglao::cli::AddGenCommand(app, exit_code);
  yanglao::cli::AddServeCommand(app, exit_code);
  yanglao::cli::AddAdminCommands(app, exit_code);
  yanglao::cli::AddDemoCommand(app, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "yanglao: 内部错误：{}\n", e.what());
    return 3;
  }
  return exit_code;
}
