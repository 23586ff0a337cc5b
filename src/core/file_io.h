// Reading whole files from outside.
#ifndef YANGLAO_CORE_FILE_IO_H_
#define YANGLAO_CORE_FILE_IO_H_

#include <filesystem>
#include <string>

#include "core/status.h"

namespace yanglao {

// The bytes of the file at `path`. Fails with "io.open" naming the file.
Result<std::string> ReadFileBytes(const std::filesystem::path& path);

}  // namespace yanglao

#endif  // YANGLAO_CORE_FILE_IO_H_
