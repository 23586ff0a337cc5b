#include "core/status.h"

#include <fmt/format.h>

namespace yanglao {

std::string Location::ToString() const {
  std::string out = file;
  if (line > 0) {
    out += fmt::format("{}{}", out.empty() ? "第" : ":", line);
    if (file.empty()) out += "行";
    if (column > 0)
      out += file.empty() ? fmt::format("第{}列", column) : fmt::format(":{}", column);
  } else if (column > 0) {
    out += fmt::format("{}第{}列", out.empty() ? "" : " ", column);
  }
  if (!field.empty()) out += fmt::format("{}字段「{}」", out.empty() ? "" : " ", field);
  if (!value.empty()) out += fmt::format("{}值「{}」", out.empty() ? "" : " ", value);
  return out;
}

Status Status::InFile(std::string_view file) const {
  if (ok() || !where_.file.empty()) return *this;
  Status s = *this;
  s.where_.file = std::string(file);
  return s;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string where = where_.ToString();
  if (where.empty()) return fmt::format("{} [{}]", message_, code_);
  return fmt::format("{}: {} [{}]", where, message_, code_);
}

}  // namespace yanglao
