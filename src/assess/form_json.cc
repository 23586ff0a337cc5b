#include "assess/form_json.h"

#include <fmt/format.h>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "core/id_number.h"
#include "core/region.h"
#include "core/utf8.h"

namespace yanglao::assess {
namespace {

namespace bj = boost::json;

constexpr std::string_view kFormat = "yanglao.assessment/1";
constexpr size_t kNoOffset = std::numeric_limits<size_t>::max();

// --- a small JSON tree that remembers where each value was ---------------

struct Member;

struct Node {
  enum class Kind : uint8_t { kNull, kBool, kInt, kUint, kDouble, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool b = false;
  int64_t i = 0;
  std::string text;               // a string's value, or a number as written
  size_t offset = kNoOffset;      // byte offset of the value, when known
  size_t key_offset = kNoOffset;  // of its key (members of objects)
  std::vector<Member> members;    // objects (arrays: empty keys)
};

struct Member {
  std::string key;
  Node value;
};

// A Boost.JSON SAX handler that builds the tree, with byte offsets taken
// from where the parser's views point into the text, and rejects a key
// given twice in one object.
class TreeBuilder {
 public:
  // Bounds that keep hostile input cheap; real forms are far below them.
  static constexpr std::size_t max_object_size = 256;
  static constexpr std::size_t max_array_size = 256;
  static constexpr std::size_t max_key_size = 256;
  static constexpr std::size_t max_string_size = 1 << 16;

  TreeBuilder(const char* begin, size_t size) : begin_(begin), size_(size) {}

  Node root;
  size_t duplicate_offset = kNoOffset;  // set when a key repeats
  std::string duplicate_key;

  bool on_document_begin(bj::error_code&) { return true; }
  bool on_document_end(bj::error_code&) { return true; }
  bool on_array_begin(bj::error_code&) {
    stack_.push_back(&Add(Node::Kind::kArray, kNoOffset));
    return true;
  }
  bool on_array_end(std::size_t, bj::error_code&) {
    stack_.pop_back();
    return true;
  }
  bool on_object_begin(bj::error_code&) {
    stack_.push_back(&Add(Node::Kind::kObject, kNoOffset));
    return true;
  }
  bool on_object_end(std::size_t, bj::error_code&) {
    stack_.pop_back();
    return true;
  }
  bool on_string_part(bj::string_view s, std::size_t, bj::error_code&) {
    Part(s, 1);
    return true;
  }
  bool on_string(bj::string_view s, std::size_t, bj::error_code&) {
    Part(s, 1);
    Node& n = Add(Node::Kind::kString, part_offset_);
    n.text = std::move(part_);
    EndPart();
    return true;
  }
  bool on_key_part(bj::string_view s, std::size_t, bj::error_code&) {
    Part(s, 1);
    return true;
  }
  bool on_key(bj::string_view s, std::size_t, bj::error_code& ec) {
    Part(s, 1);
    key_ = std::move(part_);
    key_offset_ = part_offset_;
    EndPart();
    for (const auto& [k, v] : stack_.back()->members) {
      if (k == key_) {
        duplicate_key = key_;
        duplicate_offset = key_offset_;
        ec = bj::error::syntax;  // stops the parser; reported as assess.duplicate
        return false;
      }
    }
    return true;
  }
  bool on_number_part(bj::string_view s, bj::error_code&) {
    Part(s, 0);
    return true;
  }
  bool on_int64(int64_t v, bj::string_view s, bj::error_code&) {
    Number(Node::Kind::kInt, s).i = v;
    return true;
  }
  bool on_uint64(uint64_t, bj::string_view s, bj::error_code&) {
    Number(Node::Kind::kUint, s);
    return true;
  }
  bool on_double(double, bj::string_view s, bj::error_code&) {
    Number(Node::Kind::kDouble, s);
    return true;
  }
  bool on_bool(bool v, bj::error_code&) {
    Add(Node::Kind::kBool, kNoOffset).b = v;
    return true;
  }
  bool on_null(bj::error_code&) {
    Add(Node::Kind::kNull, kNoOffset);
    return true;
  }
  bool on_comment_part(bj::string_view, bj::error_code&) { return true; }
  bool on_comment(bj::string_view, bj::error_code&) { return true; }

 private:
  // Offset of a view into the text, or kNoOffset when the parser handed us
  // its own buffer (a string with escapes, say). `back` steps over a quote.
  size_t OffsetOf(bj::string_view s, size_t back) const {
    if (s.data() < begin_ || s.data() > begin_ + size_) return kNoOffset;
    size_t at = static_cast<size_t>(s.data() - begin_);
    return at >= back ? at - back : kNoOffset;
  }
  void Part(bj::string_view s, size_t back) {
    if (!in_part_) {
      in_part_ = true;
      part_offset_ = OffsetOf(s, back);
    }
    part_.append(s.data(), s.size());
  }
  void EndPart() {
    in_part_ = false;
    part_.clear();
  }
  Node& Number(Node::Kind kind, bj::string_view s) {
    Part(s, 0);
    Node& n = Add(kind, part_offset_);
    n.text = std::move(part_);
    EndPart();
    return n;
  }
  // A new value in the current container (or the root).
  Node& Add(Node::Kind kind, size_t offset) {
    Node* n = nullptr;
    size_t key_at = offset;
    if (stack_.empty()) {
      n = &root;
    } else {
      Node* parent = stack_.back();
      bool object = parent->kind == Node::Kind::kObject;
      parent->members.push_back(Member{object ? std::move(key_) : std::string(), Node{}});
      if (object) key_at = key_offset_;
      key_.clear();
      n = &parent->members.back().value;
    }
    n->kind = kind;
    n->offset = offset != kNoOffset ? offset : key_at;
    n->key_offset = key_at;
    return *n;
  }

  const char* begin_;
  size_t size_;
  std::vector<Node*> stack_;
  std::string key_, part_;
  size_t key_offset_ = kNoOffset, part_offset_ = kNoOffset;
  bool in_part_ = false;
};

// --- checking the tree ------------------------------------------------------

class FormReader {
 public:
  FormReader(std::string_view text, const std::string& file, const FormParseOptions& options)
      : text_(text), file_(file), options_(options) {}

  Location At(size_t offset, std::string field = "", std::string value = "") const {
    Location where{.file = file_, .field = std::move(field), .value = std::move(value)};
    if (offset == kNoOffset || offset > text_.size()) return where;
    size_t line_start = 0;
    int line = options_.first_line;
    for (size_t i = 0; i < offset; ++i) {
      if (text_[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    std::string_view before = text_.substr(line_start, offset - line_start);
    where.line = line;
    where.column =
        static_cast<int>(IsValidUtf8(before) ? CodePointCount(before) : before.size()) + 1;
    return where;
  }

  static std::string Shown(const Node& n) {
    switch (n.kind) {
      case Node::Kind::kNull:
        return "null";
      case Node::Kind::kBool:
        return n.b ? "true" : "false";
      case Node::Kind::kArray:
        return "[…]";
      case Node::Kind::kObject:
        return "{…}";
      default:
        return n.text;
    }
  }

  Status Error(std::string code, std::string message, const Node& n, std::string field) const {
    return Status(std::move(code), std::move(message), At(n.offset, std::move(field), Shown(n)));
  }

  Status Expect(const Node& n, Node::Kind kind, const std::string& field) const {
    if (n.kind == kind) return Status::Ok();
    const char* want = "";
    switch (kind) {
      case Node::Kind::kObject:
        want = "应为 JSON 对象 {…}";
        break;
      case Node::Kind::kString:
        want = "应为字符串（加引号）";
        break;
      case Node::Kind::kBool:
        want = "应为 true 或 false";
        break;
      default:
        want = "应为整数";
    }
    return Error("assess.type", fmt::format("「{}」{}", field, want), n, field);
  }

  // An integer answer in 0..max.
  // An integer answer in 0..max; `what` names it in messages (called only
  // on failure, so the usual case formats nothing).
  template <typename What>
  Result<int> Points(const Node& n, const std::string& field, const What& what, int max) const {
    if (n.kind == Node::Kind::kInt && n.i >= 0 && n.i <= max) return static_cast<int>(n.i);
    // An integer too large for 64 bits arrives as a double: out of range.
    bool whole = n.text.find_first_of(".eE") == std::string::npos;
    if ((n.kind == Node::Kind::kDouble && !whole) || n.kind == Node::Kind::kString ||
        n.kind == Node::Kind::kBool || n.kind == Node::Kind::kNull ||
        n.kind == Node::Kind::kArray || n.kind == Node::Kind::kObject) {
      return Error("assess.type", fmt::format("{}：应为 0 到 {} 的整数", what(), max), n, field);
    }
    return Error("assess.range", fmt::format("{}：得分应为 0 到 {} 的整数", what(), max), n, field);
  }

  Result<FormDocument> Read(const Node& root) {
    if (Status s = Expect(root, Node::Kind::kObject, "表单"); !s.ok()) return s;
    FormDocument form;
    const Node* items = nullptr;
    const Node* basic = nullptr;
    for (const auto& [key, value] : root.members) {
      if (key == "items") {
        items = &value;
      } else if (key == "basic") {
        basic = &value;
      } else if (key == "format") {
        if (Status s = Expect(value, Node::Kind::kString, key); !s.ok()) return s;
        if (value.text != kFormat) {
          return Error("assess.format", fmt::format("不支持的表单格式（应为 {}）", kFormat), value,
                       key);
        }
      } else if (key == "id_number" || key == "name" || key == "assessed_on" || key == "reason" ||
                 key == "assessor" || key == "agency" || key == "note") {
        if (Status s = Expect(value, Node::Kind::kString, key); !s.ok()) return s;
        if (Status s = Header(key, value, form.header); !s.ok()) return s;
      } else {
        return Status(
            "assess.unknown_field",
            fmt::format("表单中没有「{}」这一项（可有：format、id_number、name、assessed_on、"
                        "reason、assessor、agency、note、items、basic）",
                        key),
            At(value.key_offset, key));
      }
    }
    if (options_.require_header) {
      const std::pair<const char*, bool> required[] = {
          {"id_number", !form.header.id_number.empty()},
          {"assessed_on", form.header.assessed_on.has_value()},
          {"reason", form.header.reason.has_value()},
          {"assessor", !form.header.assessor.empty()},
          {"agency", !form.header.agency.empty()}};
      for (const auto& [field, present] : required) {
        if (!present) {
          return Status("assess.missing",
                        fmt::format("记录评估须填写「{}」（{}）", field, HeaderLabel(field)),
                        At(root.offset, field));
        }
      }
    }
    if (!form.header.id_number.empty() && form.header.assessed_on) {
      int age = AgeOn(birth_, *form.header.assessed_on);
      if (age < 60) {
        return Status("assess.age",
                      fmt::format("评估日 {} 时年龄为 {} 周岁；本规范评估 60 周岁及以上老年人",
                                  form.header.assessed_on->ToString(), age),
                      At(id_offset_, "id_number", form.header.id_number));
      }
    }
    if (items == nullptr) {
      return Status("assess.missing", "缺少 items（26 个评估项目的得分）",
                    At(root.offset, "items"));
    }
    if (Status s = ReadItems(*items, form.answers); !s.ok()) return s;
    if (basic == nullptr) {
      return Status("assess.missing",
                    "缺少 basic（基本信息：昏迷、痴呆、精神障碍、近30天照护风险事件）",
                    At(root.offset, "basic"));
    }
    if (Status s = ReadBasic(*basic, form.answers); !s.ok()) return s;
    if (Status s = CheckAnswers(form.answers); !s.ok()) {
      // Ranges were checked above; what is left is consistency, located at B3.9.
      return s.At(At(b39_offset_, s.where().field, s.where().value));
    }
    return form;
  }

 private:
  static std::string_view HeaderLabel(std::string_view field) {
    if (field == "id_number") return "公民身份号码";
    if (field == "assessed_on") return "评估日期 YYYY-MM-DD";
    if (field == "reason") return "评估原因 first、periodic、change 或 request";
    if (field == "assessor") return "评估员";
    if (field == "agency") return "评估机构";
    return field;
  }

  Status Header(const std::string& key, const Node& value, FormHeader& h) {
    const std::string& v = value.text;
    if (key == "id_number") {
      Result<IdNumber> id = ParseIdNumber(v, RegionTable::Builtin(), options_.today);
      if (!id.ok()) {
        return Error("assess.id", fmt::format("公民身份号码无效：{}", id.status().message()), value,
                     key);
      }
      h.id_number = id->value;
      birth_ = id->birth_date;
      id_offset_ = value.offset;
    } else if (key == "assessed_on") {
      Result<CivilDate> d = CivilDate::Parse(v);
      if (!d.ok()) {
        return Error("assess.date",
                     fmt::format("评估日期无效：{}（应为 YYYY-MM-DD）", d.status().message()),
                     value, key);
      }
      if (*d > options_.today) {
        return Error("assess.date",
                     fmt::format("评估日期晚于今天（{}）", options_.today.ToString()), value, key);
      }
      h.assessed_on = *d;
    } else if (key == "reason") {
      std::optional<Reason> r = ParseReason(v);
      if (!r) {
        return Error("assess.reason",
                     "评估原因应为 first（首次评估）、periodic（常规评估）、change"
                     "（即时评估，状况变化）或 request（申请复评）",
                     value, key);
      }
      h.reason = *r;
    } else {
      if (!IsValidUtf8(v) || CodePointCount(v) > 200) {
        return Error("assess.type", fmt::format("「{}」应为不超过 200 字的文字", key), value, key);
      }
      std::string& target = key == "name"       ? h.name
                            : key == "assessor" ? h.assessor
                            : key == "agency"   ? h.agency
                                                : h.note;
      target = v;
    }
    return Status::Ok();
  }

  Status ReadItems(const Node& items, FormAnswers& answers) {
    if (Status s = Expect(items, Node::Kind::kObject, "items"); !s.ok()) return s;
    std::array<bool, kItemCount> seen{};
    for (const auto& [code, value] : items.members) {
      std::optional<size_t> index = FindItem(code);
      if (!index) {
        return Status("assess.unknown_field",
                      fmt::format("没有编号为「{}」的评估项目（应为 B1.1 至 B4.5，见 GB/T "
                                  "42195-2022 附录 B）",
                                  code),
                      At(value.key_offset, code));
      }
      const Item& item = Items()[*index];
      Result<int> points = Points(
          value, code, [&] { return fmt::format("{} {}", item.code, item.name); }, item.max);
      if (!points.ok()) return points.status();
      answers.items[*index] = *points;
      seen[*index] = true;
      if (item.code == "B3.9") b39_offset_ = value.offset;
    }
    std::string missing;
    size_t first = kItemCount, count = 0;
    for (size_t i = 0; i < kItemCount; ++i) {
      if (seen[i]) continue;
      if (first == kItemCount) first = i;
      ++count;
      missing +=
          fmt::format("{}{} {}", missing.empty() ? "" : "、", Items()[i].code, Items()[i].name);
    }
    if (count > 0) {
      return Status("assess.missing", fmt::format("缺少 {} 个评估项目的得分：{}", count, missing),
                    At(items.key_offset, std::string(Items()[first].code)));
    }
    return Status::Ok();
  }

  Status ReadBasic(const Node& basic, FormAnswers& answers) {
    if (Status s = Expect(basic, Node::Kind::kObject, "basic"); !s.ok()) return s;
    bool coma = false, dementia = false, mental = false, risk = false;
    for (const auto& [key, value] : basic.members) {
      bool* flag = key == "coma"              ? &answers.coma
                   : key == "dementia"        ? &answers.dementia
                   : key == "mental_disorder" ? &answers.mental_disorder
                                              : nullptr;
      if (flag != nullptr) {
        if (Status s = Expect(value, Node::Kind::kBool, key); !s.ok()) return s;
        *flag = value.b;
        (key == "coma" ? coma : key == "dementia" ? dementia : mental) = true;
      } else if (key == "care_risk_30d") {
        if (Status s = ReadRisks(value, answers); !s.ok()) return s;
        risk = true;
      } else {
        return Status("assess.unknown_field",
                      fmt::format("基本信息中没有「{}」这一项（可有：coma、dementia、"
                                  "mental_disorder、care_risk_30d）",
                                  key),
                      At(value.key_offset, key));
      }
    }
    const std::pair<const char*, bool> required[] = {{"coma", coma},
                                                     {"dementia", dementia},
                                                     {"mental_disorder", mental},
                                                     {"care_risk_30d", risk}};
    for (const auto& [field, present] : required) {
      if (!present) {
        return Status("assess.missing",
                      fmt::format("基本信息缺少「{}」（影响等级调整，须明确填写）", field),
                      At(basic.key_offset, field));
      }
    }
    return Status::Ok();
  }

  Status ReadRisks(const Node& risks, FormAnswers& answers) {
    if (Status s = Expect(risks, Node::Kind::kObject, "care_risk_30d"); !s.ok()) return s;
    std::array<bool, kRiskEventCount> seen{};
    for (const auto& [key, value] : risks.members) {
      size_t index = kRiskEventCount;
      for (size_t i = 0; i < kRiskEventCount; ++i) {
        if (RiskEvents()[i].key == key) index = i;
      }
      if (index == kRiskEventCount) {
        return Status("assess.unknown_field",
                      fmt::format("照护风险事件中没有「{}」（可有：fall、choking、suicide、"
                                  "self_harm、wandering）",
                                  key),
                      At(value.key_offset, key));
      }
      Result<int> n = Points(
          value, key,
          [&] {
            return fmt::format("近30天{}次数（3 表示 3 次及以上）", RiskEvents()[index].name);
          },
          kMaxRiskCount);
      if (!n.ok()) return n.status();
      answers.risk_events[index] = *n;
      seen[index] = true;
    }
    for (size_t i = 0; i < kRiskEventCount; ++i) {
      if (!seen[i]) {
        return Status("assess.missing",
                      fmt::format("照护风险事件缺少「{}」（{}，无则填 0）", RiskEvents()[i].key,
                                  RiskEvents()[i].name),
                      At(risks.key_offset, std::string(RiskEvents()[i].key)));
      }
    }
    return Status::Ok();
  }

  std::string_view text_;
  const std::string& file_;
  const FormParseOptions& options_;
  size_t id_offset_ = kNoOffset;
  CivilDate birth_;
  size_t b39_offset_ = kNoOffset;
};

}  // namespace

std::string_view ReasonKey(Reason reason) {
  switch (reason) {
    case Reason::kFirst:
      return "first";
    case Reason::kPeriodic:
      return "periodic";
    case Reason::kChange:
      return "change";
    case Reason::kRequest:
      return "request";
  }
  return "";
}

std::string_view ReasonName(Reason reason) {
  switch (reason) {
    case Reason::kFirst:
      return "首次评估";
    case Reason::kPeriodic:
      return "常规评估";
    case Reason::kChange:
      return "即时评估（状况变化）";
    case Reason::kRequest:
      return "申请复评";
  }
  return "";
}

std::optional<Reason> ParseReason(std::string_view key) {
  for (Reason r : {Reason::kFirst, Reason::kPeriodic, Reason::kChange, Reason::kRequest}) {
    if (ReasonKey(r) == key) return r;
  }
  return std::nullopt;
}

Result<FormDocument> ParseFormJson(std::string_view text, const std::string& file_name,
                                   const FormParseOptions& options) {
  FormReader reader(text, file_name, options);
  bj::parse_options popts;
  popts.max_depth = 8;
  bj::basic_parser<TreeBuilder> parser(popts, text.data(), text.size());
  bj::error_code ec;
  size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (parser.handler().duplicate_offset != kNoOffset) {
    const std::string& key = parser.handler().duplicate_key;
    return Status("assess.duplicate", fmt::format("「{}」重复出现", key),
                  reader.At(parser.handler().duplicate_offset, key));
  }
  if (!ec && used < text.size()) ec = bj::error::extra_data;
  if (ec) {
    std::string what = ec == bj::error::extra_data   ? "JSON 之后还有多余的内容"
                       : ec == bj::error::incomplete ? "JSON 不完整（缺少括号或引号？）"
                       : ec == bj::error::syntax     ? "JSON 语法错误"
                       : ec == bj::error::too_deep   ? "嵌套层数过多"
                                                     : "JSON 格式错误";
    std::string_view at = used < text.size() ? CharacterAt(text, used) : std::string_view();
    return Status("assess.syntax", what,
                  reader.At(std::min(used, text.size()), "",
                            IsValidUtf8(at) ? std::string(at) : std::string()));
  }
  return reader.Read(parser.handler().root);
}

std::string FormToJson(const FormDocument& form) {
  bj::object o;
  o["format"] = kFormat;
  const FormHeader& h = form.header;
  if (!h.id_number.empty()) o["id_number"] = h.id_number;
  if (!h.name.empty()) o["name"] = h.name;
  if (h.assessed_on) o["assessed_on"] = h.assessed_on->ToString();
  if (h.reason) o["reason"] = ReasonKey(*h.reason);
  if (!h.assessor.empty()) o["assessor"] = h.assessor;
  if (!h.agency.empty()) o["agency"] = h.agency;
  if (!h.note.empty()) o["note"] = h.note;
  bj::object items;
  for (size_t i = 0; i < kItemCount; ++i) items[Items()[i].code] = form.answers.items[i];
  o["items"] = std::move(items);
  bj::object risks;
  for (size_t i = 0; i < kRiskEventCount; ++i) {
    risks[RiskEvents()[i].key] = form.answers.risk_events[i];
  }
  bj::object basic;
  basic["coma"] = form.answers.coma;
  basic["dementia"] = form.answers.dementia;
  basic["mental_disorder"] = form.answers.mental_disorder;
  basic["care_risk_30d"] = std::move(risks);
  o["basic"] = std::move(basic);
  return bj::serialize(o);
}

}  // namespace yanglao::assess
