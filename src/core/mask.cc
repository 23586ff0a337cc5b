#include "core/mask.h"

#include <fmt/format.h>

#include <algorithm>

namespace yanglao {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::string MaskPhone(std::string_view phone) {
  if (phone.size() == 11 && std::all_of(phone.begin(), phone.end(), IsDigit)) {
    return fmt::format("{}****{}", phone.substr(0, 3), phone.substr(7));
  }
  size_t hyphen = phone.find('-');
  if (hyphen != std::string_view::npos && phone.size() - hyphen > 5) {
    std::string_view local = phone.substr(hyphen + 1);
    return fmt::format("{}-{}{}", phone.substr(0, hyphen), std::string(local.size() - 4, '*'),
                       local.substr(local.size() - 4));
  }
  if (phone.size() <= 4) return std::string(phone.size(), '*');
  return fmt::format("{}{}", std::string(phone.size() - 4, '*'), phone.substr(phone.size() - 4));
}

std::string MaskIfIdNumber(std::string_view text) {
  bool id_like = (text.size() == 18 || text.size() == 15) &&
                 std::all_of(text.begin(), text.end(),
                             [](char c) { return IsDigit(c) || c == 'X' || c == 'x'; });
  return id_like ? MaskIdNumber(text) : std::string(text);
}

std::string MaskIdNumbersIn(std::string_view text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = i;
    while (j < text.size() && IsDigit(text[j])) ++j;
    if (j < text.size() && (text[j] == 'X' || text[j] == 'x') && j - i == 17) ++j;
    if (j - i >= 15 && j - i <= 18) {
      out += MaskIdNumber(text.substr(i, j - i));
    } else if (j > i) {
      out += text.substr(i, j - i);
    } else {
      out += text[j++];
    }
    i = j;
  }
  return out;
}

std::string DecodeAndMaskIds(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string decoded;
  decoded.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      decoded += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      decoded += text[i];
    }
  }
  return MaskIdNumbersIn(decoded);
}

}  // namespace yanglao
