#include "core/file_io.h"

#include <fstream>
#include <sstream>

namespace yanglao {

Result<std::string> ReadFileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status("io.open", "无法打开文件", Location{.file = path.string()});
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace yanglao
