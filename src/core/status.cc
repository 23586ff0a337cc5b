#include "core/status.h"

#include <fmt/format.h>

namespace yanglao {

namespace {

// Codes whose category the rule in CategoryOfCode does not give. This table
// exists for the construction sites written before categories; a new code
// passes its category to Status instead.
struct CodeCategory {
  std::string_view code;
  ErrorCategory category;
};
constexpr CodeCategory kCodeCategories[] = {
    {"auth.unauthenticated", ErrorCategory::kUnauthenticated},
    {"auth.login", ErrorCategory::kUnauthenticated},
    {"auth.forbidden", ErrorCategory::kDenied},
    {"auth.csrf", ErrorCategory::kDenied},
    {"auth.scope", ErrorCategory::kDenied},
    {"person.scope", ErrorCategory::kDenied},
    {"import.department", ErrorCategory::kDenied},
    {"auth.throttled", ErrorCategory::kThrottled},
    {"auth.hash", ErrorCategory::kInternal},
    {"io.write", ErrorCategory::kInternal},
    {"request.method", ErrorCategory::kMethodNotAllowed},
    {"request.timeout", ErrorCategory::kTimeout},
    {"request.too_large", ErrorCategory::kTooLarge},
    {"request.media_type", ErrorCategory::kUnsupportedMedia},
    {"request.header_too_large", ErrorCategory::kHeadersTooLarge},
    {"feed.invalid", ErrorCategory::kUnprocessable},
    {"server.stopping", ErrorCategory::kUnavailable},
    {"server.busy", ErrorCategory::kUnavailable},
};

}  // namespace

ErrorCategory CategoryOfCode(std::string_view code) {
  for (const CodeCategory& c : kCodeCategories) {
    if (c.code == code) return c.category;
  }
  if (code.ends_with(".not_found")) return ErrorCategory::kNotFound;
  if (code.ends_with(".exists") || code.ends_with("_exists")) return ErrorCategory::kConflict;
  if (code.starts_with("db.") || code.starts_with("audit.") || code.starts_with("server.")) {
    return ErrorCategory::kInternal;
  }
  return ErrorCategory::kInvalidInput;
}

unsigned HttpStatusOf(ErrorCategory category) {
  switch (category) {
    case ErrorCategory::kInvalidInput:
      return 400;
    case ErrorCategory::kNotFound:
      return 404;
    case ErrorCategory::kConflict:
      return 409;
    case ErrorCategory::kDenied:
      return 403;
    case ErrorCategory::kUnauthenticated:
      return 401;
    case ErrorCategory::kUnavailable:
      return 503;
    case ErrorCategory::kInternal:
      return 500;
    case ErrorCategory::kMethodNotAllowed:
      return 405;
    case ErrorCategory::kTimeout:
      return 408;
    case ErrorCategory::kTooLarge:
      return 413;
    case ErrorCategory::kUnsupportedMedia:
      return 415;
    case ErrorCategory::kUnprocessable:
      return 422;
    case ErrorCategory::kThrottled:
      return 429;
    case ErrorCategory::kHeadersTooLarge:
      return 431;
  }
  return 500;
}

int ExitCodeOf(ErrorCategory category) {
  (void)category;  // every failure category exits 1 (the CLI's documented contract)
  return 1;
}

std::string_view CategoryName(ErrorCategory category) {
  switch (category) {
    case ErrorCategory::kInvalidInput:
      return "invalid_input";
    case ErrorCategory::kNotFound:
      return "not_found";
    case ErrorCategory::kConflict:
      return "conflict";
    case ErrorCategory::kDenied:
      return "denied";
    case ErrorCategory::kUnauthenticated:
      return "unauthenticated";
    case ErrorCategory::kUnavailable:
      return "unavailable";
    case ErrorCategory::kInternal:
      return "internal";
    case ErrorCategory::kMethodNotAllowed:
      return "method_not_allowed";
    case ErrorCategory::kTimeout:
      return "timeout";
    case ErrorCategory::kTooLarge:
      return "too_large";
    case ErrorCategory::kUnsupportedMedia:
      return "unsupported_media";
    case ErrorCategory::kUnprocessable:
      return "unprocessable";
    case ErrorCategory::kThrottled:
      return "throttled";
    case ErrorCategory::kHeadersTooLarge:
      return "headers_too_large";
  }
  return "internal";
}

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
