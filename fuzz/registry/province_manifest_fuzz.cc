// Fuzz target: a province directory's manifests (registry import-province).
// The input is the province manifest, then optionally a line "%%" and a
// unit's manifest; the fuzzer writes them to DIR/manifest.yaml and to
// DIR/420700/manifest.yaml (a unit directory the seeds name) and reads the
// plan. A plan read must name only files inside DIR with a department; a
// failure must be located and in valid UTF-8.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "core/utf8.h"
#include "registry/province_import.h"

namespace {

namespace fs = std::filesystem;

void Write(const fs::path& file, std::string_view text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace yanglao::registry;
  // The directory, removed when the process ends.
  static const struct Dir {
    fs::path path =
        fs::temp_directory_path() / ("yanglao-province-fuzz-" + std::to_string(getpid()));
    Dir() { fs::create_directories(path / "420700"); }
    ~Dir() {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  } scratch;
  const fs::path& dir = scratch.path;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view province = input, unit;
  if (size_t cut = input.find("\n%%\n"); cut != std::string_view::npos) {
    province = input.substr(0, cut);
    unit = input.substr(cut + 4);
  }
  Write(dir / "manifest.yaml", province);
  Write(dir / "420700" / "manifest.yaml", unit);
  yanglao::Result<ProvincePlan> plan = ReadProvincePlan(dir);
  if (!plan.ok()) {
    const yanglao::Status& s = plan.status();
    if (s.code().empty() || s.message().empty()) __builtin_trap();
    if (!yanglao::IsValidUtf8(s.message())) __builtin_trap();
    return 0;
  }
  for (const auto* files : {&plan->files, &plan->empty_files}) {
    for (const ProvinceFeedFile& f : *files) {
      if (f.source.empty() || f.rows < 0) __builtin_trap();
      const std::string p = f.path.lexically_normal().string();
      if (p.rfind(dir.string() + "/", 0) != 0) __builtin_trap();
    }
  }
  return 0;
}
