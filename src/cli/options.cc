#include "cli/options.h"

#include <fmt/format.h>

#include <cstdlib>

namespace yanglao::cli {

void AddDbOption(CLI::App* cmd, std::string& db) {
  cmd->add_option(
      "--db", db,
      "数据库：sqlite:文件路径 或 postgresql://…（默认 $YANGLAO_DB 或 sqlite:yanglao.db）");
}

std::string DbUrl(std::string_view given) {
  if (!given.empty()) return std::string(given);
  const char* env = std::getenv("YANGLAO_DB");
  return env != nullptr ? env : "sqlite:yanglao.db";
}

std::unique_ptr<registry::Registry> OpenRegistry(std::string_view given) {
  Result<std::unique_ptr<registry::Registry>> reg = registry::Registry::Open(DbUrl(given));
  if (!reg.ok()) {
    (void)Fail(reg.status());
    return nullptr;
  }
  return std::move(*reg);
}

CLI::Option* AddFormatOption(CLI::App* cmd, std::string& format,
                             const std::vector<std::string>& values, const std::string& help) {
  return cmd->add_option("--format", format, help)->check(CLI::IsMember(values));
}

int Fail(const Status& status) {
  fmt::print(stderr, "{}\n", status.ToString());
  return ExitCodeOf(status.category());
}

}  // namespace yanglao::cli
