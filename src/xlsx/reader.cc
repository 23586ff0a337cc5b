// The .xlsx reader: libzip for the archive, a tag-level scan plus pugixml for
// the parts (see xml_scan.h for why not one DOM per part).
//
// The parts are found as Office Open XML says: _rels/.rels names the
// workbook, the workbook's relationships name its worksheets, shared strings
// and styles. Conventional paths (xl/workbook.xml, xl/worksheets/sheet1.xml,
// xl/sharedStrings.xml) are the fallback when relationships are missing.
#include <fmt/format.h>
#include <zip.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/utf8.h"
#include "xlsx/xlsx.h"
#include "xlsx/xlsx_internal.h"
#include "xlsx/xml_scan.h"

namespace yanglao::xlsx {
namespace {

using internal::NumberKind;
using internal::ReadLimits;

constexpr char kNotXlsx[] = "不是有效的 XLSX 文件（可能是 .xls 旧格式或文件已损坏）";
constexpr unsigned kParseOptions =
    pugi::parse_default | pugi::parse_ws_pcdata_single | pugi::parse_fragment;
// Elements are parsed in batches of about this much text, and of at most this
// many DOM nodes (pugixml needs some 64 bytes a node).
constexpr size_t kBatchBytes = size_t{1} << 20;
constexpr size_t kBatchNodes = size_t{1} << 18;
// One element (a row, a shared string) may not need more nodes than this.
constexpr size_t kMaxElementNodes = size_t{1} << 20;
// Text between two elements of a batch beyond this starts a new batch, so
// what lies between elements is never parsed in bulk.
constexpr size_t kMaxBatchGap = 4096;

std::string FormatBytes(uint64_t bytes) {
  if (bytes >= (uint64_t{1} << 20) && bytes % (uint64_t{1} << 20) == 0) {
    return fmt::format("{} MiB", bytes >> 20);
  }
  return fmt::format("{} 字节", bytes);
}

std::string ZipErrorText(int code) {
  switch (code) {
    case ZIP_ER_CRC:
      return "校验和不符";
    case ZIP_ER_COMPNOTSUPP:
      return "使用了不支持的压缩方式";
    case ZIP_ER_ENCRNOTSUPP:
    case ZIP_ER_NOPASSWD:
    case ZIP_ER_WRONGPASSWD:
      return "内容已加密";
    case ZIP_ER_ZLIB:
      return "压缩数据损坏";
    case ZIP_ER_INCONS:
      return "压缩包结构前后不一致";
    case ZIP_ER_MEMORY:
      return "内存不足";
    default: {
      zip_error_t error;
      zip_error_init_with_code(&error, code);
      std::string text = zip_error_strerror(&error);
      zip_error_fini(&error);
      return text;
    }
  }
}

std::string PugiErrorText(pugi::xml_parse_status status) {
  switch (status) {
    case pugi::status_out_of_memory:
      return "内存不足";
    case pugi::status_unrecognized_tag:
      return "无法识别的标签";
    case pugi::status_bad_pi:
      return "处理指令格式错误";
    case pugi::status_bad_comment:
      return "注释格式错误";
    case pugi::status_bad_cdata:
      return "CDATA 段格式错误";
    case pugi::status_bad_doctype:
      return "含有 DTD 声明（OOXML 不允许）";
    case pugi::status_bad_pcdata:
      return "文字内容格式错误";
    case pugi::status_bad_start_element:
      return "开始标签格式错误";
    case pugi::status_bad_attribute:
      return "属性格式错误";
    case pugi::status_bad_end_element:
      return "结束标签格式错误";
    case pugi::status_end_element_mismatch:
      return "开始标签与结束标签不匹配";
    default:
      return "格式错误";
  }
}

// The first child element with local name `name`.
pugi::xml_node Child(pugi::xml_node node, std::string_view name) {
  for (pugi::xml_node child : node.children()) {
    if (child.type() == pugi::node_element && internal::LocalName(child.name()) == name) {
      return child;
    }
  }
  return {};
}

// The attribute with local name `name` and a namespace prefix (r:id).
std::string_view PrefixedAttribute(pugi::xml_node node, std::string_view name) {
  for (pugi::xml_attribute attribute : node.attributes()) {
    std::string_view qualified = attribute.name();
    if (qualified.find(':') != std::string_view::npos && internal::LocalName(qualified) == name) {
      return attribute.value();
    }
  }
  return {};
}

// All character data directly inside `node`.
std::string TextOf(pugi::xml_node node) {
  std::string out;
  for (pugi::xml_node child : node.children()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      out += child.value();
    }
  }
  return out;
}

// The text of a shared string <si> or an inline string <is>: plain <t>, or
// rich-text runs <r><t>; phonetic guides (<rPh>) are not part of it.
std::string RichText(pugi::xml_node node) {
  std::string out;
  for (pugi::xml_node child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    std::string_view name = internal::LocalName(child.name());
    if (name == "t") {
      out += TextOf(child);
    } else if (name == "r") {
      for (pugi::xml_node run_part : child.children()) {
        if (run_part.type() == pugi::node_element && internal::LocalName(run_part.name()) == "t") {
          out += TextOf(run_part);
        }
      }
    }
  }
  return internal::DecodeEscapes(out);
}

// A non-negative decimal integer without sign or spaces (up to 18 digits).
std::optional<uint64_t> ParseIndex(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

// `target` of a relationship of `source_part`, as a path inside the archive.
std::string ResolveTarget(std::string_view source_part, std::string_view target) {
  std::string combined;
  if (target.starts_with('/')) {
    combined = target.substr(1);
  } else {
    size_t slash = source_part.rfind('/');
    combined = std::string(slash == std::string_view::npos ? "" : source_part.substr(0, slash + 1));
    combined += target;
  }
  std::vector<std::string_view> segments;
  std::string_view rest = combined;
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    std::string_view segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
      continue;
    }
    segments.push_back(segment);
  }
  std::string out;
  for (std::string_view segment : segments) {
    if (!out.empty()) out += '/';
    out += segment;
  }
  return out;
}

// The relationships part of `part`: "xl/workbook.xml" -> "xl/_rels/workbook.xml.rels".
std::string RelationshipsPart(std::string_view part) {
  size_t slash = part.rfind('/');
  if (slash == std::string_view::npos) return fmt::format("_rels/{}.rels", part);
  return fmt::format("{}/_rels/{}.rels", part.substr(0, slash), part.substr(slash + 1));
}

struct Relationship {
  std::string id;
  std::string type;
  std::string target;  // resolved, inside the archive
  bool external = false;
};

struct ZipCloser {
  void operator()(zip_t* zip) const { zip_discard(zip); }
};
using ZipPtr = std::unique_ptr<zip_t, ZipCloser>;

struct ZipFileCloser {
  void operator()(zip_file_t* file) const { zip_fclose(file); }
};

// Reads one workbook from an open archive.
class WorkbookReader {
 public:
  WorkbookReader(zip_t* zip, std::string file, const ReadLimits& limits)
      : zip_(zip), file_(std::move(file)), limits_(limits) {}

  // Finds the workbook, its worksheets, styles and shared strings.
  Status Open();
  const std::vector<SheetInfo>& sheets() const { return sheet_infos_; }
  // Streams worksheet `index` of sheets(); Open first.
  Status Stream(size_t index, const std::function<bool(const SheetRow&)>& on_row);
  // The first worksheet as a table; Open first.
  Result<Sheet> Read();

 private:
  Status XmlError(const std::string& part, std::string reason,
                  std::optional<uint64_t> offset) const;
  Status TooLarge(std::string message, Location where) const;
  Location CellLocation(int64_t row, int64_t column) const;

  std::optional<zip_uint64_t> Find(const std::string& part) const;
  // The bytes of `part`, at most `limit` of them.
  // (A vector, not a string: its capacity is exactly what is reserved.)
  Result<std::vector<char>> ReadPart(zip_uint64_t index, const std::string& part,
                                     uint64_t limit) const;
  // Reads `part` and calls `on_element` for each element `element` under
  // `parent` (see ScanXml), parsed. A missing part is no element.
  Status ForEachElement(const std::string& part, uint64_t limit, std::string_view parent,
                        std::string_view element,
                        const std::function<Status(pugi::xml_node)>& on_element) const;
  Status ForEachElementIn(const std::string& part, std::string_view xml, std::string_view parent,
                          std::string_view element,
                          const std::function<Status(pugi::xml_node)>& on_element) const;

  Result<std::vector<Relationship>> ReadRelationships(const std::string& part) const;
  Status ReadStyles(const std::string& part);
  Status ReadSharedStrings(const std::string& part);
  Status ReadRow(pugi::xml_node row, SheetRow& out);
  Result<Cell> CellOf(pugi::xml_node cell, int64_t row, int64_t column) const;
  Status Put(Sheet& sheet, int64_t row, int64_t column, std::string text);

  zip_t* zip_;
  std::string file_;
  ReadLimits limits_;

  bool date1904_ = false;
  std::vector<NumberKind> style_kinds_;  // by cellXfs index
  std::string shared_text_;              // the shared strings back to back
  std::vector<uint64_t> shared_ends_;    // where each ends in shared_text_
  std::vector<SheetInfo> sheet_infos_;
  std::vector<std::string> sheet_parts_;  // beside sheet_infos_
  int64_t last_row_ = 0;
  uint64_t cells_ = 0;
  uint64_t text_bytes_ = 0;
};

Status WorkbookReader::XmlError(const std::string& part, std::string reason,
                                std::optional<uint64_t> offset) const {
  std::string message = fmt::format("XLSX 文件中的「{}」不是格式正确的 XML：{}", part, reason);
  if (offset) message += fmt::format("（第 {} 字节处）", *offset + 1);
  message += "。请用 Excel 打开后重新另存为 .xlsx";
  return Status("xlsx.xml", std::move(message), Location{.file = file_, .value = part});
}

Status WorkbookReader::TooLarge(std::string message, Location where) const {
  where.file = file_;
  return Status("xlsx.too_large", std::move(message), std::move(where));
}

Location WorkbookReader::CellLocation(int64_t row, int64_t column) const {
  return Location{.file = file_,
                  .line = static_cast<int>(row),
                  .column = static_cast<int>(column),
                  .value = CellRef(static_cast<int>(row), static_cast<int>(column))};
}

std::optional<zip_uint64_t> WorkbookReader::Find(const std::string& part) const {
  if (part.empty()) return std::nullopt;
  zip_int64_t index = zip_name_locate(zip_, part.c_str(), ZIP_FL_NOCASE);
  if (index < 0) return std::nullopt;
  return static_cast<zip_uint64_t>(index);
}

Result<std::vector<char>> WorkbookReader::ReadPart(zip_uint64_t index, const std::string& part,
                                                   uint64_t limit) const {
  auto too_large = [&] {
    return TooLarge(fmt::format("「{}」解压后超过 {} 的上限（文件过大，或是恶意构造的压缩包）",
                                part, FormatBytes(limit)),
                    Location{.value = part});
  };
  auto corrupt = [&](int code) {
    return Status("xlsx.zip",
                  fmt::format("{}：读取「{}」失败（{}）", kNotXlsx, part, ZipErrorText(code)),
                  Location{.file = file_, .value = part});
  };
  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_stat_index(zip_, index, 0, &stat) != 0) {
    return corrupt(zip_error_code_zip(zip_get_error(zip_)));
  }
  if ((stat.valid & ZIP_STAT_SIZE) != 0 && stat.size > limit) return too_large();

  std::unique_ptr<zip_file_t, ZipFileCloser> file(zip_fopen_index(zip_, index, 0));
  if (file == nullptr) return corrupt(zip_error_code_zip(zip_get_error(zip_)));
  // Read in chunks that start at the declared size (plus one byte, to see the
  // end) and grow, so small parts cost little and lies cost nothing extra.
  constexpr uint64_t kMinChunk = uint64_t{4} << 10;
  constexpr uint64_t kMaxChunk = uint64_t{1} << 20;
  uint64_t chunk = (stat.valid & ZIP_STAT_SIZE) != 0
                       ? std::clamp<uint64_t>(stat.size + 1, kMinChunk, kMaxChunk)
                       : uint64_t{64} << 10;
  // Never more than one byte past the limit. The buffer starts at the declared
  // size (untouched capacity costs no memory) and, if that was a lie, doubles
  // along most / 2^k, so the last copy is from half the limit: a bomb costs
  // the limit, not twice it.
  const uint64_t most = limit + 1;
  std::vector<char> data;
  if ((stat.valid & ZIP_STAT_SIZE) != 0) {
    data.reserve(static_cast<size_t>(std::min<uint64_t>(stat.size + 1, most)));
  }
  while (true) {
    const size_t old_size = data.size();
    const uint64_t want = std::min<uint64_t>(chunk, most - old_size);
    if (old_size + want > data.capacity()) {
      const uint64_t at_least = std::max<uint64_t>(old_size + want, 2 * data.capacity());
      uint64_t capacity = most;
      while (capacity / 2 >= at_least) capacity /= 2;
      data.reserve(static_cast<size_t>(capacity));
    }
    data.resize(old_size + static_cast<size_t>(want));
    zip_int64_t got = zip_fread(file.get(), data.data() + old_size, want);
    if (got < 0) return corrupt(zip_error_code_zip(zip_file_get_error(file.get())));
    data.resize(old_size + static_cast<size_t>(got));
    // The declared size may lie: stop as soon as the real bytes pass the limit.
    if (data.size() > limit) return too_large();
    if (got == 0) break;
    chunk = std::min(chunk * 2, kMaxChunk);
  }
  return data;
}

Status WorkbookReader::ForEachElement(
    const std::string& part, uint64_t limit, std::string_view parent, std::string_view element,
    const std::function<Status(pugi::xml_node)>& on_element) const {
  std::optional<zip_uint64_t> index = Find(part);
  if (!index) return Status::Ok();
  Result<std::vector<char>> xml = ReadPart(*index, part, limit);
  if (!xml.ok()) return xml.status();
  return ForEachElementIn(part, std::string_view(xml->data(), xml->size()), parent, element,
                          on_element);
}

Status WorkbookReader::ForEachElementIn(
    const std::string& part, std::string_view xml, std::string_view parent,
    std::string_view element, const std::function<Status(pugi::xml_node)>& on_element) const {
  Status failure;
  size_t batch_begin = 0;
  size_t batch_end = 0;
  size_t batch_nodes = 0;
  auto flush = [&]() -> bool {
    if (batch_end == batch_begin) return true;
    pugi::xml_document doc;
    pugi::xml_parse_result parsed = doc.load_buffer(
        xml.data() + batch_begin, batch_end - batch_begin, kParseOptions, pugi::encoding_utf8);
    if (!parsed) {
      failure = XmlError(part, PugiErrorText(parsed.status),
                         batch_begin + static_cast<uint64_t>(parsed.offset));
      return false;
    }
    batch_begin = batch_end;
    batch_nodes = 0;
    for (pugi::xml_node node : doc.children()) {
      if (node.type() != pugi::node_element || internal::LocalName(node.name()) != element) {
        continue;
      }
      failure = on_element(node);
      if (!failure.ok()) return false;
    }
    return true;
  };
  std::optional<internal::XmlSyntaxError> syntax =
      internal::ScanXml(xml, parent, element, [&](size_t begin, size_t end, size_t nodes) {
        if (nodes > kMaxElementNodes) {
          failure = TooLarge(fmt::format("「{}」中的一个「{}」元素过大（超过 {} 个节点）", part,
                                         element, kMaxElementNodes),
                             Location{.value = part});
          return false;
        }
        if (batch_end != batch_begin && begin - batch_end > kMaxBatchGap && !flush()) return false;
        if (batch_end == batch_begin) batch_begin = begin;
        batch_end = end;
        batch_nodes += nodes;
        if (batch_end - batch_begin >= kBatchBytes || batch_nodes >= kBatchNodes) return flush();
        return true;
      });
  if (!failure.ok()) return failure;
  if (syntax) return XmlError(part, syntax->reason, syntax->offset);
  if (!flush()) return failure;
  return Status::Ok();
}

Result<std::vector<Relationship>> WorkbookReader::ReadRelationships(const std::string& part) const {
  std::vector<Relationship> relationships;
  Status status = ForEachElement(
      RelationshipsPart(part), limits_.max_other_part_bytes, "Relationships", "Relationship",
      [&](pugi::xml_node node) {
        Relationship r;
        r.id = node.attribute("Id").value();
        r.type = node.attribute("Type").value();
        r.external = std::string_view(node.attribute("TargetMode").value()) == "External";
        r.target = ResolveTarget(part, node.attribute("Target").value());
        // Such a target names no part a message could show; treat it as missing.
        if (!IsValidUtf8(r.target) || r.target.size() > 1024) return Status::Ok();
        relationships.push_back(std::move(r));
        return Status::Ok();
      });
  if (!status.ok()) return status;
  return relationships;
}

Status WorkbookReader::ReadStyles(const std::string& part) {
  std::map<int64_t, NumberKind> custom;
  Status status = ForEachElement(
      part, limits_.max_other_part_bytes, "numFmts", "numFmt", [&](pugi::xml_node node) {
        std::optional<uint64_t> id = ParseIndex(node.attribute("numFmtId").value());
        if (id) {
          custom[static_cast<int64_t>(*id)] =
              internal::FormatCodeKind(node.attribute("formatCode").value());
        }
        return Status::Ok();
      });
  if (!status.ok()) return status;
  return ForEachElement(
      part, limits_.max_other_part_bytes, "cellXfs", "xf", [&](pugi::xml_node node) {
        NumberKind kind = NumberKind::kNumber;
        std::optional<uint64_t> id = ParseIndex(node.attribute("numFmtId").value());
        if (id) {
          auto it = custom.find(static_cast<int64_t>(*id));
          kind = it != custom.end() ? it->second
                 : *id < 1000       ? internal::BuiltInFormatKind(static_cast<int>(*id))
                                    : NumberKind::kNumber;
        }
        style_kinds_.push_back(kind);
        return Status::Ok();
      });
}

Status WorkbookReader::ReadSharedStrings(const std::string& part) {
  return ForEachElement(part, limits_.max_sheet_part_bytes, "sst", "si", [&](pugi::xml_node node) {
    if (shared_ends_.size() >= limits_.max_cells) {
      return TooLarge(fmt::format("「{}」中的共享字符串超过 {} 个", part, limits_.max_cells),
                      Location{.value = part});
    }
    std::string text = RichText(node);
    if (!IsValidUtf8(text)) {
      return XmlError(part,
                      fmt::format("第 {} 个共享字符串不是有效的 UTF-8", shared_ends_.size() + 1),
                      std::nullopt);
    }
    shared_text_ += text;
    shared_ends_.push_back(shared_text_.size());
    return Status::Ok();
  });
}

Result<Cell> WorkbookReader::CellOf(pugi::xml_node cell, int64_t row, int64_t column) const {
  std::string_view type = cell.attribute("t").value();
  pugi::xml_node v = Child(cell, "v");
  std::string raw = v ? TextOf(v) : std::string();
  Cell out;
  out.column = static_cast<int>(column);
  std::string& text = out.text;
  if (raw.empty() && Child(cell, "f") && type != "inlineStr") {
    out.type = CellType::kFormulaNoValue;
    return out;
  }
  if (type == "s") {
    if (raw.empty()) return out;
    std::optional<uint64_t> index = ParseIndex(raw);
    if (!index || *index >= shared_ends_.size()) {
      return Status(
          "xlsx.shared_string",
          fmt::format("单元格 {} 引用的共享字符串「{}」不存在（工作簿共有 {} 个共享字符串）",
                      CellRef(static_cast<int>(row), static_cast<int>(column)),
                      internal::Excerpt(raw), shared_ends_.size()),
          CellLocation(row, column));
    }
    uint64_t begin = *index == 0 ? 0 : shared_ends_[*index - 1];
    text = shared_text_.substr(begin, shared_ends_[*index] - begin);
    return out;
  }
  if (type == "inlineStr") {
    pugi::xml_node is = Child(cell, "is");
    text = is ? RichText(is) : internal::DecodeEscapes(raw);
  } else if (type == "str") {
    text = internal::DecodeEscapes(raw);
  } else if (type == "b") {
    out.type = CellType::kBool;
    text = raw == "1" || raw == "true" ? "TRUE" : raw == "0" || raw == "false" ? "FALSE" : raw;
  } else if (type == "e") {
    out.type = CellType::kError;
    text = raw;
  } else if (type == "d") {
    // An ISO 8601 date (and maybe time): the date part.
    bool is_date = raw.size() >= 10;
    for (size_t k = 0; is_date && k < 10; ++k) {
      is_date = k == 4 || k == 7 ? raw[k] == '-' : raw[k] >= '0' && raw[k] <= '9';
    }
    text = is_date ? raw.substr(0, 10) : raw;
    out.type = CellType::kDate;
  } else if (!raw.empty()) {
    NumberKind kind = NumberKind::kNumber;
    std::optional<uint64_t> style = ParseIndex(cell.attribute("s").value());
    if (style && *style < style_kinds_.size()) kind = style_kinds_[*style];
    std::optional<std::string> shown;
    if (kind == NumberKind::kDate) shown = internal::SerialToDate(raw, date1904_);
    if (kind == NumberKind::kTime) shown = internal::SerialToTime(raw);
    out.type = shown ? CellType::kDate : CellType::kNumber;
    text = shown ? std::move(*shown) : internal::FormatNumber(raw);
    out.raw = std::move(raw);
  }
  if (!IsValidUtf8(text)) {
    return Status("xlsx.xml",
                  fmt::format("单元格 {} 的内容不是有效的 UTF-8",
                              CellRef(static_cast<int>(row), static_cast<int>(column))),
                  CellLocation(row, column));
  }
  return out;
}

Status WorkbookReader::Put(Sheet& sheet, int64_t row, int64_t column, std::string text) {
  const auto r = static_cast<size_t>(row);
  const auto c = static_cast<size_t>(column);
  if (sheet.rows.size() < r) sheet.rows.resize(r);
  std::vector<std::string>& cells = sheet.rows[r - 1];
  if (cells.size() < c) {
    cells_ += c - cells.size();
    if (cells_ > limits_.max_cells) {
      return TooLarge(fmt::format("工作表的单元格超过 {} 个（含空单元格）", limits_.max_cells),
                      CellLocation(row, column));
    }
    cells.resize(c);
  }
  text_bytes_ = text_bytes_ - cells[c - 1].size() + text.size();
  if (text_bytes_ > limits_.max_text_bytes) {
    return TooLarge(fmt::format("工作表的文字超过 {} 的上限", FormatBytes(limits_.max_text_bytes)),
                    CellLocation(row, column));
  }
  cells[c - 1] = std::move(text);
  return Status::Ok();
}

Status WorkbookReader::ReadRow(pugi::xml_node row, SheetRow& out) {
  out.cells.clear();
  std::string_view hidden = row.attribute("hidden").value();
  out.hidden = hidden == "1" || hidden == "true";
  int64_t row_number = last_row_ + 1;
  if (pugi::xml_attribute r = row.attribute("r")) {
    std::optional<uint64_t> parsed = ParseIndex(r.value());
    if (!parsed || *parsed == 0) {
      return Status("xlsx.xml",
                    fmt::format("工作表中的行号「{}」无效", internal::Excerpt(r.value())),
                    Location{.file = file_, .value = internal::Excerpt(r.value())});
    }
    row_number = static_cast<int64_t>(std::min<uint64_t>(*parsed, uint64_t{1} << 40));
  }
  if (row_number > limits_.max_rows) {
    return TooLarge(fmt::format("工作表超过 {} 行", limits_.max_rows),
                    Location{.file = file_, .value = std::to_string(row_number)});
  }
  last_row_ = row_number;
  out.number = static_cast<int>(row_number);
  int64_t column = 0;
  for (pugi::xml_node cell : row.children()) {
    if (cell.type() != pugi::node_element || internal::LocalName(cell.name()) != "c") continue;
    std::string_view ref = cell.attribute("r").value();
    if (ref.empty()) {
      ++column;
    } else {
      column = internal::ColumnOfRef(ref);
      if (column == 0) {
        return Status(
            "xlsx.xml",
            fmt::format("第 {} 行的单元格引用「{}」无效", row_number, internal::Excerpt(ref)),
            Location{.file = file_,
                     .line = static_cast<int>(row_number),
                     .value = internal::Excerpt(ref)});
      }
    }
    if (column > limits_.max_columns) {
      return TooLarge(
          fmt::format("工作表超过 {} 列", limits_.max_columns),
          Location{.file = file_,
                   .line = static_cast<int>(row_number),
                   .value = ref.empty() ? std::to_string(column) : internal::Excerpt(ref)});
    }
    Result<Cell> value = CellOf(cell, row_number, column);
    if (!value.ok()) return value.status();
    if (value->text.empty() && value->type != CellType::kFormulaNoValue) continue;
    // Cells out of order (a later one naming an earlier column) replace.
    if (!out.cells.empty() && out.cells.back().column >= column) {
      auto at = std::lower_bound(out.cells.begin(), out.cells.end(), column,
                                 [](const Cell& c, int64_t col) { return c.column < col; });
      if (at != out.cells.end() && at->column == column) {
        *at = std::move(*value);
      } else {
        out.cells.insert(at, std::move(*value));
      }
      continue;
    }
    out.cells.push_back(std::move(*value));
  }
  return Status::Ok();
}

Status WorkbookReader::Open() {
  // The workbook part.
  std::string workbook_part;
  Result<std::vector<Relationship>> package = ReadRelationships("");
  if (!package.ok()) return package.status();
  for (const Relationship& r : *package) {
    if (!r.external && r.type.ends_with("/officeDocument")) {
      workbook_part = r.target;
      break;
    }
  }
  if (!Find(workbook_part)) workbook_part = "xl/workbook.xml";
  if (!Find(workbook_part)) {
    return Status("xlsx.no_sheet", fmt::format("{}：找不到工作簿（xl/workbook.xml）", kNotXlsx),
                  Location{.file = file_});
  }

  struct SheetEntry {
    std::string name;
    std::string relationship;
    bool hidden = false;
  };
  std::vector<SheetEntry> sheets;
  Status status = ForEachElement(workbook_part, limits_.max_other_part_bytes, "workbook",
                                 "workbookPr", [&](pugi::xml_node node) {
                                   std::string_view v = node.attribute("date1904").value();
                                   date1904_ = v == "1" || v == "true";
                                   return Status::Ok();
                                 });
  if (!status.ok()) return status;
  status = ForEachElement(workbook_part, limits_.max_other_part_bytes, "sheets", "sheet",
                          [&](pugi::xml_node node) {
                            std::string_view state = node.attribute("state").value();
                            sheets.push_back({node.attribute("name").value(),
                                              std::string(PrefixedAttribute(node, "id")),
                                              state == "hidden" || state == "veryHidden"});
                            return Status::Ok();
                          });
  if (!status.ok()) return status;

  Result<std::vector<Relationship>> related = ReadRelationships(workbook_part);
  if (!related.ok()) return related.status();
  auto related_part = [&](std::string_view type_suffix) -> std::string {
    for (const Relationship& r : *related) {
      if (!r.external && r.type.ends_with(type_suffix)) return r.target;
    }
    return {};
  };

  std::unordered_map<std::string_view, const Relationship*> by_id;
  for (const Relationship& r : *related) by_id.emplace(r.id, &r);
  for (const SheetEntry& entry : sheets) {
    auto it = by_id.find(entry.relationship);
    if (it == by_id.end() || it->second->external) continue;
    if (!it->second->type.ends_with("/worksheet")) continue;
    if (!IsValidUtf8(entry.name)) {
      return XmlError(workbook_part, "工作表名称不是有效的 UTF-8", std::nullopt);
    }
    sheet_infos_.push_back({entry.name, entry.hidden});
    sheet_parts_.push_back(it->second->target);
  }
  if (sheet_parts_.empty() && related->empty() && Find("xl/worksheets/sheet1.xml")) {
    std::string name = sheets.empty() ? "Sheet1" : sheets.front().name;
    if (!IsValidUtf8(name)) {
      return XmlError(workbook_part, "工作表名称不是有效的 UTF-8", std::nullopt);
    }
    sheet_infos_.push_back({name, !sheets.empty() && sheets.front().hidden});
    sheet_parts_.push_back("xl/worksheets/sheet1.xml");
  }
  if (sheet_parts_.empty()) {
    return Status("xlsx.no_sheet", "工作簿中没有工作表", Location{.file = file_});
  }
  if (!Find(sheet_parts_[0])) {
    return Status("xlsx.no_sheet",
                  fmt::format("{}：找不到工作表「{}」的内容（{}）", kNotXlsx, sheet_infos_[0].name,
                              sheet_parts_[0]),
                  Location{.file = file_, .value = sheet_parts_[0]});
  }

  std::string styles_part = related_part("/styles");
  status = ReadStyles(styles_part.empty() ? "xl/styles.xml" : styles_part);
  if (!status.ok()) return status;
  std::string shared_part = related_part("/sharedStrings");
  status = ReadSharedStrings(shared_part.empty() ? "xl/sharedStrings.xml" : shared_part);
  if (!status.ok()) return status;

  return Status::Ok();
}

Status WorkbookReader::Stream(size_t index, const std::function<bool(const SheetRow&)>& on_row) {
  const std::string& part = sheet_parts_.at(index);
  if (!Find(part)) {
    return Status(
        "xlsx.no_sheet",
        fmt::format("{}：找不到工作表「{}」的内容（{}）", kNotXlsx, sheet_infos_[index].name, part),
        Location{.file = file_, .value = part});
  }
  last_row_ = 0;
  SheetRow row;
  bool stopped = false;
  Status status = ForEachElement(part, limits_.max_sheet_part_bytes, "sheetData", "row",
                                 [&](pugi::xml_node node) {
                                   if (Status s = ReadRow(node, row); !s.ok()) return s;
                                   if (!row.cells.empty() && !on_row(row)) {
                                     stopped = true;
                                     return Status("xlsx.stopped", "");  // not an error
                                   }
                                   return Status::Ok();
                                 });
  if (stopped) return Status::Ok();
  return status;
}

Result<Sheet> WorkbookReader::Read() {
  Sheet sheet;
  sheet.name = sheet_infos_[0].name;
  Status failure;
  Status status = Stream(0, [&](const SheetRow& row) {
    for (const Cell& cell : row.cells) {
      if (cell.text.empty()) continue;
      failure = Put(sheet, row.number, cell.column, cell.text);
      if (!failure.ok()) return false;
    }
    return true;
  });
  if (!status.ok()) return status;
  if (!failure.ok()) return failure;
  return sheet;
}

Status NotXlsx(const std::string& file) {
  return Status("xlsx.zip", kNotXlsx, Location{.file = file});
}

Result<Sheet> ReadArchive(zip_t* zip, const std::string& file, const ReadLimits& limits) {
  ZipPtr owned(zip);
  if (zip_get_num_entries(zip, 0) <= 0) {
    return Status("xlsx.no_sheet", fmt::format("{}：压缩包是空的", kNotXlsx),
                  Location{.file = file});
  }
  WorkbookReader reader(zip, file, limits);
  if (Status s = reader.Open(); !s.ok()) return s;
  return reader.Read();
}

}  // namespace

namespace {

// The archive in `bytes`, or why not.
Result<ZipPtr> OpenMemory(std::string_view bytes, const std::string& name) {
  if (bytes.empty()) return NotXlsx(name);
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (source == nullptr) {
    zip_error_fini(&error);
    return NotXlsx(name);
  }
  zip_t* zip = zip_open_from_source(source, ZIP_RDONLY, &error);
  zip_error_fini(&error);
  if (zip == nullptr) {
    zip_source_free(source);
    return NotXlsx(name);
  }
  ZipPtr owned(zip);
  if (zip_get_num_entries(zip, 0) <= 0) {
    return Status("xlsx.no_sheet", fmt::format("{}：压缩包是空的", kNotXlsx),
                  Location{.file = name});
  }
  return owned;
}

}  // namespace

namespace internal {

Result<Sheet> ReadFirstSheetFromMemory(std::string_view bytes, const std::string& name_for_errors,
                                       const ReadLimits& limits) {
  Result<ZipPtr> zip = OpenMemory(bytes, name_for_errors);
  if (!zip.ok()) return zip.status();
  return ReadArchive(zip->release(), name_for_errors, limits);
}

}  // namespace internal

Result<std::vector<SheetInfo>> ListSheets(std::string_view bytes,
                                          const std::string& name_for_errors) {
  Result<ZipPtr> zip = OpenMemory(bytes, name_for_errors);
  if (!zip.ok()) return zip.status();
  WorkbookReader reader(zip->get(), name_for_errors, internal::ReadLimits{});
  if (Status s = reader.Open(); !s.ok()) return s;
  return reader.sheets();
}

Status ReadSheetRows(std::string_view bytes, const std::string& name_for_errors, size_t index,
                     const std::function<bool(const SheetRow&)>& on_row) {
  Result<ZipPtr> zip = OpenMemory(bytes, name_for_errors);
  if (!zip.ok()) return zip.status();
  WorkbookReader reader(zip->get(), name_for_errors, internal::ReadLimits{});
  if (Status s = reader.Open(); !s.ok()) return s;
  if (index >= reader.sheets().size()) {
    return Status("xlsx.no_sheet", fmt::format("工作簿中没有第 {} 个工作表", index + 1),
                  Location{.file = name_for_errors});
  }
  return reader.Stream(index, on_row);
}

Result<Sheet> ReadFirstSheet(const std::filesystem::path& path) {
  const std::string file = path.string();
  auto cannot_open = [&](std::string why) {
    return Status("xlsx.open", fmt::format("无法打开文件：{}", why), Location{.file = file});
  };
  std::error_code ec;
  std::filesystem::file_status st = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(st)) return cannot_open("文件不存在或无法访问");
  if (std::filesystem::is_directory(st)) return cannot_open("这是一个目录");
  if (!std::filesystem::is_regular_file(st)) return cannot_open("不是普通文件");
  uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return cannot_open(ec.message());
  if (size == 0) return NotXlsx(file);
  if (std::FILE* probe = std::fopen(file.c_str(), "rb")) {
    std::fclose(probe);
  } else {
    return cannot_open(errno == EACCES || errno == EPERM ? "没有读取权限" : "读取失败");
  }

  int code = 0;
  zip_t* zip = zip_open(file.c_str(), ZIP_RDONLY, &code);
  if (zip == nullptr) {
    if (code == ZIP_ER_OPEN || code == ZIP_ER_READ || code == ZIP_ER_SEEK || code == ZIP_ER_NOENT ||
        code == ZIP_ER_MEMORY) {
      return cannot_open(ZipErrorText(code));
    }
    return NotXlsx(file);
  }
  return ReadArchive(zip, file, internal::ReadLimits{});
}

Result<Sheet> ReadFirstSheetFromMemory(std::string_view bytes, const std::string& name_for_errors) {
  return internal::ReadFirstSheetFromMemory(bytes, name_for_errors, internal::ReadLimits{});
}

}  // namespace yanglao::xlsx
