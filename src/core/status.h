// Status and Result<T>: how every operation that user input can make fail
// reports that failure.
//
// A failure carries
//   - a stable code for programs ("id.check_char", "csv.unterminated_quote"),
//     never changed once released; callers branch on it;
//   - a message for people, in Simplified Chinese;
//   - where it happened, when that applies: file:line:col for text, or the
//     row, column (field) and value for tables.
//
//   - a category (ErrorCategory below): what kind of failure it is, from
//     which the HTTP status and the CLI exit code follow (HttpStatusOf,
//     ExitCodeOf: the one place that maps them).
//
// Exceptions are reserved for errors that end a request (see STYLE.md);
// assertions never fire on user input.
#ifndef YANGLAO_CORE_STATUS_H_
#define YANGLAO_CORE_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace yanglao {

// Where a problem is. Every part is optional; ToString() prints what is set.
struct Location {
  std::string file;   // path or logical source ("streets.csv", "命令行参数")
  int line = 0;       // 1-based line (a table's row is its line); 0 = not applicable
  int column = 0;     // 1-based column (characters for text, fields for tables)
  std::string field;  // field or column name
  std::string value;  // the offending value as given

  bool empty() const {
    return file.empty() && line == 0 && column == 0 && field.empty() && value.empty();
  }
  // "streets.csv:12:3 字段「name」值「x」"; parts that are not set are left out.
  std::string ToString() const;
  friend bool operator==(const Location&, const Location&) = default;
};

// What kind of failure a Status is. The first seven are the categories of
// every module; the rest refine invalid input for the HTTP transport, whose
// protocol gives them statuses of their own.
enum class ErrorCategory {
  kInvalidInput,     // the caller's input is wrong: 400; CLI 1
  kNotFound,         // what was named does not exist: 404; CLI 1
  kConflict,         // already exists / conflicts with what is stored: 409; CLI 1
  kDenied,           // signed in, but not allowed (permission, data scope): 403; CLI 1
  kUnauthenticated,  // not signed in, or wrong credentials: 401; CLI 1
  kUnavailable,      // try again later (stopping, overloaded): 503; CLI 1
  kInternal,         // our fault or the environment's (database, disk): 500; CLI 1
  // Transport refinements of invalid input (HTTP only).
  kMethodNotAllowed,  // 405
  kTimeout,           // 408: the request was not sent in time
  kTooLarge,          // 413: the body is over the route's limit
  kUnsupportedMedia,  // 415
  kUnprocessable,     // 422: well-formed content with rejected rows (a feed)
  kThrottled,         // 429
  kHeadersTooLarge,   // 431
};

// The category of a code whose construction names none: the codes listed in
// status.cc's table, then by rule (".not_found" -> kNotFound, ".exists" or
// "_exists" -> kConflict, "db." / "audit." / "server." -> kInternal), else
// kInvalidInput. New codes whose category the rule gets wrong pass their
// category explicitly instead of growing the table.
ErrorCategory CategoryOfCode(std::string_view code);
// The HTTP status of a category: the one mapping the server uses.
unsigned HttpStatusOf(ErrorCategory category);
// The process exit code of the CLI for a failure of `category` (0 is
// success, 2 a usage error found by the argument parser, 3 an exception).
// Every category reports 1 today; the mapping is here so that it stays one.
int ExitCodeOf(ErrorCategory category);
// "invalid_input", "not_found" ... (for docs, logs and tests).
std::string_view CategoryName(ErrorCategory category);

// The outcome of an operation: OK, or a failure with a code, a message and
// an optional location. Cheap to copy when OK.
class [[nodiscard]] Status {
 public:
  // OK.
  Status() = default;
  // A failure whose category follows from its code (CategoryOfCode).
  Status(std::string code, std::string message, Location where = {})
      : code_(std::move(code)), message_(std::move(message)), where_(std::move(where)) {
    assert(!code_.empty() && "a failure needs a stable code");
    category_ = CategoryOfCode(code_);
  }
  // A failure of an explicit category.
  Status(ErrorCategory category, std::string code, std::string message, Location where = {})
      : code_(std::move(code)),
        message_(std::move(message)),
        where_(std::move(where)),
        category_(category) {
    assert(!code_.empty() && "a failure needs a stable code");
  }

  static Status Ok() { return Status(); }

  bool ok() const { return code_.empty(); }
  // Stable code; empty when ok().
  const std::string& code() const { return code_; }
  // Message for people (Chinese); empty when ok().
  const std::string& message() const { return message_; }
  const Location& where() const { return where_; }
  // The kind of failure; kInvalidInput when ok() (never read then).
  ErrorCategory category() const { return category_; }

  // Returns a copy with the location replaced by `where`.
  Status At(Location where) const& {
    Status s = *this;
    s.where_ = std::move(where);
    return s;
  }
  Status At(Location where) && {
    where_ = std::move(where);
    return std::move(*this);
  }
  // Returns a copy whose location's file is `file`, unless one is already set.
  Status InFile(std::string_view file) const;

  // "位置: 消息 [code]", or "OK".
  std::string ToString() const;

  friend bool operator==(const Status&, const Status&) = default;

 private:
  std::string code_;
  std::string message_;
  Location where_;
  ErrorCategory category_ = ErrorCategory::kInvalidInput;
};

// A value of type T, or the Status of why there is none.
//
//   Result<IdNumber> r = ParseIdNumber(text, regions, today);
//   if (!r.ok()) return r.status();
//   use(*r);
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "Result needs a value or a failure");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  // The failure, or an OK status when a value is present. The reference lives
  // as long as this Result.
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }

  // Precondition: ok().
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  T value_or(T fallback) const& { return ok() ? std::get<T>(v_) : std::move(fallback); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace yanglao

#endif  // YANGLAO_CORE_STATUS_H_
