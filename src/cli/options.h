// The options every command group shares, defined once: where the database
// is (--db), the output format (--format), and how a failure becomes the
// process's exit code. Command files call these instead of declaring their
// own.
#ifndef YANGLAO_CLI_OPTIONS_H_
#define YANGLAO_CLI_OPTIONS_H_

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "registry/registry.h"

namespace yanglao::cli {

// Adds --db to `cmd`, stored in `db` (empty when not given).
void AddDbOption(CLI::App* cmd, std::string& db);
// The database URL: `given` (the --db value) when not empty, else $YANGLAO_DB,
// else "sqlite:yanglao.db".
std::string DbUrl(std::string_view given);
// Opens the registry at DbUrl(given), or prints why not (to stderr) and
// returns nullptr.
std::unique_ptr<registry::Registry> OpenRegistry(std::string_view given);

// Adds --format to `cmd`, stored in `format` (which holds the default), with
// the values allowed; anything else is a usage error (exit code 2).
CLI::Option* AddFormatOption(CLI::App* cmd, std::string& format,
                             const std::vector<std::string>& values, const std::string& help);

// Prints a failure (Status::ToString) to stderr and returns the exit code of
// its category (ExitCodeOf).
int Fail(const Status& status);

}  // namespace yanglao::cli

#endif  // YANGLAO_CLI_OPTIONS_H_
