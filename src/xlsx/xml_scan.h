// A tag-level scanner for large XML parts (worksheets, shared strings): it
// checks the document's structure and hands out the byte ranges of the
// elements of interest, which are then parsed a batch at a time with pugixml,
// so a part of hundreds of megabytes is never held as one DOM.
#ifndef YANGLAO_XLSX_XML_SCAN_H_
#define YANGLAO_XLSX_XML_SCAN_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace yanglao::xlsx::internal {

// Why and where (byte offset) a document is not well-formed.
struct XmlSyntaxError {
  size_t offset = 0;
  std::string reason;  // Chinese
};

// The name after any namespace prefix: "x:row" -> "row".
std::string_view LocalName(std::string_view qualified_name);

// Scans `xml` and calls `on_element(begin, end, nodes)` with the byte range
// of each element whose local name is `element` and whose parent's local name
// is `parent`, in document order (the ranges do not overlap), and an upper
// bound of the number of nodes and attributes a DOM parser makes of it, for
// the caller to bound memory. Scanning stops when `on_element` returns false
// (the result is then nullopt).
//
// Checks what a tag-level scanner can: tags are closed and nested properly,
// there is exactly one root element and no text outside it, comments, CDATA
// sections and processing instructions end, nesting is at most 256 deep.
// Attribute syntax and entities inside the reported ranges are left to the
// parser that reads them; DTDs are refused (OOXML forbids them).
// A UTF-8 byte-order mark is skipped; UTF-16 is refused.
std::optional<XmlSyntaxError> ScanXml(
    std::string_view xml, std::string_view parent, std::string_view element,
    const std::function<bool(size_t, size_t, size_t)>& on_element);

}  // namespace yanglao::xlsx::internal

#endif  // YANGLAO_XLSX_XML_SCAN_H_
