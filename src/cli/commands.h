// Registration of the CLI's command groups. Each Add* function adds its
// subcommands to `app`; a command's callback stores its process exit code in
// `exit_code` (0 success, 1 a reported failure such as an invalid number;
// usage errors are handled by main with exit code 2).
#ifndef YANGLAO_CLI_COMMANDS_H_
#define YANGLAO_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <string_view>
#include <vector>

namespace yanglao::cli {

// A command group: the module it belongs to ("" for the program's own
// tools: id, region, demo) and the function that adds its commands.
struct CommandGroup {
  std::string_view module;
  void (*add)(CLI::App& app, int& exit_code);
};
// Every command group, in the order `yanglao --help` lists them (main.cc).
const std::vector<CommandGroup>& CommandGroups();

void AddIdCommands(CLI::App& app, int& exit_code);
void AddRegionCommands(CLI::App& app, int& exit_code);
void AddDemoCommand(CLI::App& app, int& exit_code);
void AddGenCommand(CLI::App& app, int& exit_code);
void AddRegistryCommands(CLI::App& app, int& exit_code);
void AddAssessCommands(CLI::App& app, int& exit_code);
void AddFacilityCommands(CLI::App& app, int& exit_code);
void AddCanteenCommands(CLI::App& app, int& exit_code);
void AddOversightCommands(CLI::App& app, int& exit_code);
void AddWaitlistCommands(CLI::App& app, int& exit_code);
void AddVisitsCommands(CLI::App& app, int& exit_code);
void AddDevicesCommands(CLI::App& app, int& exit_code);
void AddPolicyCommands(CLI::App& app, int& exit_code);
void AddEntitleCommands(CLI::App& app, int& exit_code);
// serve (serve_command.cc) and admin (admin_command.cc): the platform server.
void AddServeCommand(CLI::App& app, int& exit_code);
void AddAdminCommands(CLI::App& app, int& exit_code);
// diff and compliance, under `policy` (policy_compare_command.cc).
void AddPolicyCompareCommands(CLI::App& policy, int& exit_code);

}  // namespace yanglao::cli

#endif  // YANGLAO_CLI_COMMANDS_H_
