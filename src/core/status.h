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

// The outcome of an operation: OK, or a failure with a code, a message and
// an optional location. Cheap to copy when OK.
class [[nodiscard]] Status {
 public:
  // OK.
  Status() = default;
  Status(std::string code, std::string message, Location where = {})
      : code_(std::move(code)), message_(std::move(message)), where_(std::move(where)) {
    assert(!code_.empty() && "a failure needs a stable code");
  }

  static Status Ok() { return Status(); }

  bool ok() const { return code_.empty(); }
  // Stable code; empty when ok().
  const std::string& code() const { return code_; }
  // Message for people (Chinese); empty when ok().
  const std::string& message() const { return message_; }
  const Location& where() const { return where_; }

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
