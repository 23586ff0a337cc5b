#include "xlsx/xml_scan.h"

#include <vector>

#include "xlsx/xlsx_internal.h"

namespace yanglao::xlsx::internal {
namespace {

constexpr size_t kMaxDepth = 256;

bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool IsNameEnd(char c) { return IsXmlSpace(c) || c == '>' || c == '/' || c == '<'; }

bool OnlySpace(std::string_view text) {
  for (char c : text) {
    if (!IsXmlSpace(c)) return false;
  }
  return true;
}

}  // namespace

std::string_view LocalName(std::string_view qualified_name) {
  size_t colon = qualified_name.find(':');
  return colon == std::string_view::npos ? qualified_name : qualified_name.substr(colon + 1);
}

std::optional<XmlSyntaxError> ScanXml(
    std::string_view xml, std::string_view parent, std::string_view element,
    const std::function<bool(size_t, size_t, size_t)>& on_element) {
  auto error = [](size_t offset, std::string reason) {
    return XmlSyntaxError{.offset = offset, .reason = std::move(reason)};
  };
  const size_t n = xml.size();
  size_t i = 0;
  if (xml.starts_with("\xEF\xBB\xBF")) i = 3;
  if (xml.starts_with("\xFF\xFE") || xml.starts_with("\xFE\xFF")) {
    return error(0, "使用了 UTF-16 编码（只支持 UTF-8）");
  }

  std::vector<std::string_view> open;  // qualified names of the open elements
  bool root_seen = false;
  size_t capture_begin = std::string_view::npos;
  size_t capture_depth = 0;
  size_t capture_nodes = 0;  // nodes of the element being captured, counted generously

  while (i < n) {
    size_t lt = xml.find('<', i);
    if (open.empty() && !OnlySpace(xml.substr(i, (lt == std::string_view::npos ? n : lt) - i))) {
      return error(i, "根元素之外有文字");
    }
    if (lt == std::string_view::npos) break;
    i = lt;
    std::string_view rest = xml.substr(i);
    if (rest.starts_with("<?")) {
      size_t end = xml.find("?>", i + 2);
      if (end == std::string_view::npos) return error(i, "处理指令没有结束");
      i = end + 2;
      capture_nodes += 2;
      continue;
    }
    if (rest.starts_with("<!--")) {
      size_t end = xml.find("-->", i + 4);
      if (end == std::string_view::npos) return error(i, "注释没有结束");
      i = end + 3;
      capture_nodes += 2;
      continue;
    }
    if (rest.starts_with("<![CDATA[")) {
      if (open.empty()) return error(i, "根元素之外有 CDATA");
      size_t end = xml.find("]]>", i + 9);
      if (end == std::string_view::npos) return error(i, "CDATA 段没有结束");
      i = end + 3;
      capture_nodes += 2;
      continue;
    }
    if (rest.starts_with("<!")) return error(i, "含有 DTD 声明（OOXML 不允许）");

    const size_t tag_begin = i;
    const bool closing = rest.starts_with("</");
    size_t name_begin = i + (closing ? 2 : 1);
    size_t name_end = name_begin;
    while (name_end < n && !IsNameEnd(xml[name_end])) ++name_end;
    std::string_view name = xml.substr(name_begin, name_end - name_begin);
    if (name.empty()) return error(i, "标签没有名称");

    if (closing) {
      size_t j = name_end;
      while (j < n && IsXmlSpace(xml[j])) ++j;
      if (j == n || xml[j] != '>') return error(i, "结束标签格式错误");
      if (open.empty() || open.back() != name) {
        return error(i, "结束标签「" + Excerpt(name) + "」与开始标签不匹配");
      }
      open.pop_back();
      i = j + 1;
      if (capture_begin != std::string_view::npos && open.size() == capture_depth) {
        size_t begin = capture_begin;
        capture_begin = std::string_view::npos;
        if (!on_element(begin, i, capture_nodes)) return std::nullopt;
      }
      continue;
    }

    // A start tag: find its end, stepping over quoted attribute values.
    size_t j = name_end;
    bool self_closing = false;
    size_t nodes = 2;  // the element and a text node after it
    while (true) {
      if (j >= n) return error(tag_begin, "标签没有结束");
      char c = xml[j];
      if (c == '>') break;
      if (c == '/' && j + 1 < n && xml[j + 1] == '>') {
        self_closing = true;
        ++j;
        break;
      }
      if (c == '"' || c == '\'') {
        size_t close = xml.find(c, j + 1);
        if (close == std::string_view::npos) return error(tag_begin, "属性值的引号没有闭合");
        j = close + 1;
        ++nodes;  // an attribute
        continue;
      }
      if (c == '<') return error(tag_begin, "标签格式错误");
      ++j;
    }
    i = j + 1;
    if (open.empty() && root_seen) return error(tag_begin, "有多个根元素");
    root_seen = true;
    const bool wanted = capture_begin == std::string_view::npos && !open.empty() &&
                        LocalName(name) == element && LocalName(open.back()) == parent;
    if (wanted) capture_nodes = 0;
    capture_nodes += nodes;
    if (self_closing) {
      if (wanted && !on_element(tag_begin, i, capture_nodes)) return std::nullopt;
      continue;
    }
    if (open.size() >= kMaxDepth) return error(tag_begin, "元素嵌套过深");
    open.push_back(name);
    if (wanted) {
      capture_begin = tag_begin;
      capture_depth = open.size() - 1;
    }
  }
  if (!open.empty()) return error(n, "文档不完整：元素「" + Excerpt(open.back()) + "」没有结束");
  if (!root_seen) return error(n, "没有根元素");
  return std::nullopt;
}

}  // namespace yanglao::xlsx::internal
