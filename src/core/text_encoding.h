// Department files arrive in UTF-8 (with or without a byte-order mark) or,
// from Excel's "CSV（逗号分隔）" on Chinese Windows, in GBK. DecodeText
// tells them apart and gives UTF-8, decoding GBK as GB18030 (its superset)
// with glibc's iconv.
#ifndef YANGLAO_CORE_TEXT_ENCODING_H_
#define YANGLAO_CORE_TEXT_ENCODING_H_

#include <string>
#include <string_view>

#include "core/status.h"

namespace yanglao {

struct DecodedText {
  std::string encoding;   // "UTF-8" or "GB18030"
  std::string owned;      // the decoded text when it had to be converted
  std::string_view text;  // UTF-8 without a byte-order mark: `owned`, or a part of the input
};

// `bytes` as UTF-8. Valid UTF-8 is used as is (no copy; `text` points into
// `bytes`, which must outlive the result). Otherwise the bytes are decoded as
// GB18030; if that fails too: encoding.unknown, naming the line (1-based) and
// the first byte that is neither (location: file = `name`, line, value = the
// byte in hex).
Result<DecodedText> DecodeText(std::string_view bytes, const std::string& name);

}  // namespace yanglao

#endif  // YANGLAO_CORE_TEXT_ENCODING_H_
