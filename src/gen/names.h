// Synthetic Chinese names for the generator (internal to src/gen): common
// surnames by their frequency and given names typical of people born in the
// 1910s to the 1970s.
#ifndef YANGLAO_GEN_NAMES_H_
#define YANGLAO_GEN_NAMES_H_

#include <string>

#include "gen/rng.h"

namespace yanglao::gen {

// Appends a full name (surname then given name, 2-4 characters) to `out`.
// `birth_year` selects era names (建国, 跃进 ...) for those born around them.
void AppendName(Rng& rng, bool male, int birth_year, std::string& out);

}  // namespace yanglao::gen

#endif  // YANGLAO_GEN_NAMES_H_
