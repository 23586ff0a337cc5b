// Masking of personal data for lists, exports, messages and logs: the one
// place that decides what of an ID number or a phone number stays readable.
// Used by the registry, the CLI and the server alike.
#ifndef YANGLAO_CORE_MASK_H_
#define YANGLAO_CORE_MASK_H_

#include <string>
#include <string_view>

#include "core/id_number.h"  // MaskIdNumber: the first 4 and last 4 characters stay

namespace yanglao {

// A phone number for display: a mobile (11 digits) as "138****5678"; a
// landline with an area code as "0722-***4567" (the last 4 of the local
// number stay); anything else with all but its last 4 characters masked,
// masked whole when 4 characters or fewer.
std::string MaskPhone(std::string_view phone);
// `text` masked as MaskIdNumber does when it looks like an ID number (15 or 18
// digits, an X allowed); other text unchanged.
std::string MaskIfIdNumber(std::string_view text);
// `text` with every run of 15 to 18 digits (an X may end it) masked as an ID
// number, for messages and logs that may quote one.
std::string MaskIdNumbersIn(std::string_view text);
// `text` percent-decoded (a URL path or query, "%34%32..." too), then with
// every ID number masked as MaskIdNumbersIn does. Bytes that are not UTF-8
// are left as decoded; callers that need valid UTF-8 convert after.
std::string DecodeAndMaskIds(std::string_view text);

}  // namespace yanglao

#endif  // YANGLAO_CORE_MASK_H_
