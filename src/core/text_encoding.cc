#include "core/text_encoding.h"

#include <fmt/format.h>
#include <iconv.h>

#include <algorithm>
#include <cerrno>

#include "core/utf8.h"

namespace yanglao {
namespace {

// Byte offset of the first byte that is not valid UTF-8 (bytes.size() if all are).
size_t FirstInvalidUtf8(std::string_view bytes) {
  // Validate line by line so the answer is found without a second decoder.
  size_t pos = 0;
  while (pos < bytes.size()) {
    size_t end = bytes.find('\n', pos);
    end = end == std::string_view::npos ? bytes.size() : end + 1;
    if (!IsValidUtf8(bytes.substr(pos, end - pos))) return pos;
    pos = end;
  }
  return bytes.size();
}

// Offset of the first invalid byte in the line starting at `line_start`.
size_t FirstBadByte(std::string_view bytes, size_t line_start) {
  size_t p = line_start;
  while (p < bytes.size()) {
    std::string_view ch = CharacterAt(bytes, p);
    if (!IsValidUtf8(ch)) return p;
    p += ch.size();
  }
  return line_start;
}

Status Neither(std::string_view bytes, size_t offset, const std::string& name) {
  const int line =
      1 + static_cast<int>(
              std::count(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
  const auto byte = static_cast<unsigned char>(bytes[offset]);
  return Status("encoding.unknown",
                fmt::format("文件既不是 UTF-8 也不是 GBK/GB18030 编码：第{}行有无法识别的字节 "
                            "0x{:02X}。请在 Excel 中另存为“CSV UTF-8（逗号分隔）”",
                            line, byte),
                Location{.file = name, .line = line, .value = fmt::format("0x{:02X}", byte)});
}

}  // namespace

Result<DecodedText> DecodeText(std::string_view bytes, const std::string& name) {
  DecodedText out;
  std::string_view body = bytes;
  if (body.starts_with("\xEF\xBB\xBF")) body.remove_prefix(3);
  size_t bad_line_start = FirstInvalidUtf8(body);
  if (bad_line_start == body.size()) {
    out.encoding = "UTF-8";
    out.text = body;
    return out;
  }
  iconv_t cd = iconv_open("UTF-8", "GB18030");
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    return Status("encoding.unsupported", "系统缺少 GB18030 编码转换（glibc iconv）",
                  Location{.file = name});
  }
  out.owned.resize(bytes.size() * 3 / 2 + 16);
  char* in = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  char* dst = out.owned.data();
  size_t dst_left = out.owned.size();
  while (in_left > 0) {
    size_t r = iconv(cd, &in, &in_left, &dst, &dst_left);
    if (r != static_cast<size_t>(-1)) break;
    if (errno == E2BIG) {
      size_t used = out.owned.size() - dst_left;
      out.owned.resize(out.owned.size() * 2);
      dst = out.owned.data() + used;
      dst_left = out.owned.size() - used;
      continue;
    }
    // EILSEQ or EINVAL (cut short at the end): neither UTF-8 nor GB18030.
    // The encoding that reads further is the file's: name its first bad byte.
    iconv_close(cd);
    const size_t gb_offset = bytes.size() - in_left;
    const size_t utf8_offset =
        FirstBadByte(bytes, bad_line_start + static_cast<size_t>(body.data() - bytes.data()));
    return Neither(bytes, std::max(gb_offset, utf8_offset), name);
  }
  iconv_close(cd);
  out.owned.resize(out.owned.size() - dst_left);
  out.encoding = "GB18030";
  out.text = out.owned;
  if (out.text.starts_with("\xEF\xBB\xBF")) out.text.remove_prefix(3);
  return out;
}

}  // namespace yanglao
