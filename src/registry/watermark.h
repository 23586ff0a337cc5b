// A text that changes whenever what Registry::ForEachPerson or
// ForEachPersonCoded would deliver may have changed: every feed (id,
// checksum, facts added, recorded on) and the precedence table. For caches
// of whole-city reads (assess::DueWatermark). Kept out of registry.h so
// that its users alone depend on it.
#ifndef YANGLAO_REGISTRY_WATERMARK_H_
#define YANGLAO_REGISTRY_WATERMARK_H_

#include <string>

#include "core/status.h"
#include "registry/registry.h"

namespace yanglao::registry {

Result<std::string> ContentWatermark(Registry& registry);

}  // namespace yanglao::registry

#endif  // YANGLAO_REGISTRY_WATERMARK_H_
