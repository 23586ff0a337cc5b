// UTF-8 helpers for text from outside (files, forms, command lines).
#ifndef YANGLAO_CORE_UTF8_H_
#define YANGLAO_CORE_UTF8_H_

#include <cstddef>
#include <string_view>

namespace yanglao {

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or
// code points past U+10FFFF).
bool IsValidUtf8(std::string_view text);

// Number of code points in `text`. Precondition: IsValidUtf8(text);
// otherwise the count is meaningless (but the call is safe).
size_t CodePointCount(std::string_view text);

// The whole (possibly multi-byte) character that starts at byte `offset`,
// judged by its lead byte and cut short at the end of `text`; empty when
// `offset` is past the end. For naming an offending character in messages.
std::string_view CharacterAt(std::string_view text, size_t offset);

}  // namespace yanglao

#endif  // YANGLAO_CORE_UTF8_H_
