#include "gen/generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>

#include "core/region.h"
#include "gen/calibration.h"
#include "gen/city_model.h"
#include "gen/feeds.h"
#include "gen/person.h"

namespace yanglao::gen {
namespace {

constexpr int64_t kBlockSize = 8192;

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f != nullptr) std::fclose(f);
  }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

Status WriteError(const std::filesystem::path& path) {
  return Status("gen.io", fmt::format("无法写入文件：{}", path.string()),
                Location{.file = path.string()});
}

// A YAML double-quoted scalar.
std::string Quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::string Manifest(const GenOptions& options, const CityModel& model, const GenSummary& s) {
  std::string m;
  auto line = [&m](std::string_view text) {
    m += text;
    m += '\n';
  };
  line("# yanglao gen: what was generated (docs/registry-feeds.md).");
  line("format: yanglao.gen-manifest/1");
  line(fmt::format("region: {}", Quoted(s.region_code)));
  line(fmt::format("region_name: {}", s.region_name));
  line(fmt::format("seed: {}", options.seed));
  line(fmt::format("scale: {}", options.scale));
  line(fmt::format("as_of: {}", options.as_of.ToString()));
  line(fmt::format("dirty: {}", options.dirty ? "true" : "false"));
  line(fmt::format("calibration: {}", Quoted(s.calibration_source)));
  line("population:");
  line(fmt::format("  census_population: {:.0f}", model.region_population));
  line(fmt::format("  census_population_estimated: {}",
                   model.region_population_estimated ? "true" : "false"));
  line(fmt::format("  share_50_plus: {:.6f}", model.share_50_plus));
  line(fmt::format("  communities: {}", std::count_if(model.units.begin(), model.units.end(),
                                                      [](const Unit& u) { return u.urban; })));
  line(fmt::format("  villages: {}", std::count_if(model.units.begin(), model.units.end(),
                                                   [](const Unit& u) { return !u.urban; })));
  if (model.township_units) {
    line("  units: 乡级（没有村级区划数据：街道算城镇、镇和乡算农村，居住地为 9 位代码）");
  }
  line(fmt::format("people: {}", s.people));
  line(fmt::format("deaths: {}", s.deaths));
  line("rows:");
  for (const auto& [file, rows] : s.rows_per_file) line(fmt::format("  {}: {}", file, rows));
  line("counts:");
  line(fmt::format("  aged_60_plus: {}", s.aged_60_plus));
  line(fmt::format("  aged_65_plus: {}", s.aged_65_plus));
  line(fmt::format("  aged_80_plus: {}", s.aged_80_plus));
  line(fmt::format("  aged_100_plus: {}", s.aged_100_plus));
  line(fmt::format("  urban: {}", s.urban));
  line(fmt::format("  dibao: {}", s.dibao));
  line(fmt::format("  tekun: {}", s.tekun));
  line(fmt::format("  disabled: {}", s.disabled));
  line(fmt::format("dirty_rows: {}", s.dirty_rows));
  if (s.dirty.empty()) {
    line("dirty_list: []");
  } else {
    line("dirty_list:");
    for (const DirtyRow& d : s.dirty) {
      line(fmt::format("  - {{file: {}, line: {}, column: {}, kind: {}, what: {}, value: {}}}",
                       d.file, d.line, Quoted(d.column), d.kind, Quoted(d.what), Quoted(d.value)));
    }
  }
  return m;
}

}  // namespace

Result<GenSummary> GenerateCity(const GenOptions& options) {
  auto started = std::chrono::steady_clock::now();
  Calibration loaded;
  const Calibration* cal = &BuiltinCalibration();
  if (!options.calibration.empty()) {
    Result<Calibration> c = LoadCalibrationFile(options.calibration);
    if (!c.ok()) return c.status();
    loaded = std::move(*c);
    cal = &loaded;
  }
  const RegionTable& regions = RegionTable::Builtin();
  Result<CityModel> built = BuildCityModel(options, *cal, regions);
  if (!built.ok()) return built.status();
  const CityModel& model = *built;

  if (options.out.empty()) {
    return Status("gen.io", "未指定输出目录（--out）", Location{.field = "--out"});
  }
  std::error_code ec;
  std::filesystem::create_directories(options.out, ec);
  if (ec) {
    return Status("gen.io",
                  fmt::format("无法创建输出目录 {}：{}", options.out.string(), ec.message()),
                  Location{.file = options.out.string()});
  }

  GenSummary summary;
  summary.region_code = model.region->DisplayCode();
  summary.region_name = model.region->name;
  summary.calibration_source = cal->source_name;

  std::array<File, kDepartmentCount> files;
  std::array<std::filesystem::path, kDepartmentCount> paths;
  for (size_t d = 0; d < kDepartmentCount; ++d) {
    const registry::FeedTemplate& t = TemplateOf(static_cast<Department>(d));
    paths[d] = options.out / FileName(t);
    files[d].reset(std::fopen(paths[d].c_str(), "wb"));
    if (!files[d]) return WriteError(paths[d]);
    std::setvbuf(files[d].get(), nullptr, _IOFBF, 1 << 20);
    std::string header = HeaderLine(t) + "\n";
    if (std::fwrite(header.data(), 1, header.size(), files[d].get()) != header.size()) {
      return WriteError(paths[d]);
    }
    summary.bytes_written += static_cast<int64_t>(header.size());
  }

  // Workers generate blocks into a ring of slots; this thread writes them
  // out in order, so the files do not depend on the number of threads.
  std::vector<BlockStart> blocks = PlanBlocks(model, kBlockSize);
  int workers = options.threads > 0
                    ? options.threads
                    : std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, 8);
  const size_t slots = static_cast<size_t>(workers) * 2 + 1;
  std::vector<BlockOutput> outputs(slots);
  std::vector<uint8_t> done(blocks.size(), 0);
  std::mutex mu;
  std::condition_variable cv;
  size_t next_block = 0;
  size_t written = 0;
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      while (true) {
        size_t b = 0;
        {
          std::unique_lock lock(mu);
          cv.wait(lock,
                  [&] { return next_block >= blocks.size() || next_block < written + slots; });
          if (next_block >= blocks.size()) return;
          b = next_block++;
        }
        GenerateBlock(model, blocks[b], outputs[b % slots]);
        {
          std::lock_guard lock(mu);
          done[b] = 1;
        }
        cv.notify_all();
      }
    });
  }

  std::array<int64_t, kDepartmentCount> rows{};
  BlockStats stats;
  Status failure;
  for (size_t b = 0; b < blocks.size() && failure.ok(); ++b) {
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return done[b] != 0; });
    }
    BlockOutput& out = outputs[b % slots];
    for (size_t d = 0; d < kDepartmentCount; ++d) {
      const std::string& text = out.text[d];
      if (std::fwrite(text.data(), 1, text.size(), files[d].get()) != text.size()) {
        failure = WriteError(paths[d]);
        break;
      }
      summary.bytes_written += static_cast<int64_t>(text.size());
    }
    for (const BlockDirty& bd : out.dirty) {
      const registry::FeedTemplate& t = TemplateOf(static_cast<Department>(bd.department));
      summary.dirty.push_back(DirtyRow{
          .file = FileName(t),
          .line = rows[static_cast<size_t>(bd.department)] + bd.row + 2,
          .column = bd.column >= 0 ? t.Header()[static_cast<size_t>(bd.column)] : std::string(),
          .kind = std::string(DirtyKindCode(bd.kind)),
          .what = std::string(DirtyKindText(bd.kind)),
          .value = bd.value});
    }
    for (size_t d = 0; d < kDepartmentCount; ++d) rows[d] += out.rows[d];
    stats.Add(out.stats);
    {
      std::lock_guard lock(mu);
      written = b + 1;
    }
    cv.notify_all();
  }
  if (!failure.ok()) {
    std::lock_guard lock(mu);
    next_block = blocks.size();
  }
  cv.notify_all();
  for (std::thread& t : threads) t.join();
  if (!failure.ok()) return failure;
  for (size_t d = 0; d < kDepartmentCount; ++d) {
    if (std::fflush(files[d].get()) != 0 || std::ferror(files[d].get()) != 0 ||
        std::fclose(files[d].release()) != 0) {
      return WriteError(paths[d]);
    }
  }

  std::stable_sort(summary.dirty.begin(), summary.dirty.end(),
                   [](const DirtyRow& a, const DirtyRow& b) {
                     auto index = [](const std::string& file) {
                       for (int d = 0; d < kDepartmentCount; ++d) {
                         if (FileName(TemplateOf(static_cast<Department>(d))) == file) return d;
                       }
                       return -1;
                     };
                     int fa = index(a.file), fb = index(b.file);
                     return fa != fb ? fa < fb : a.line < b.line;
                   });
  for (size_t d = 0; d < kDepartmentCount; ++d) {
    summary.rows_per_file.emplace_back(FileName(TemplateOf(static_cast<Department>(d))), rows[d]);
  }
  summary.people = stats.people;
  summary.deaths = stats.deaths;
  summary.aged_60_plus = stats.aged_60_plus;
  summary.aged_65_plus = stats.aged_65_plus;
  summary.aged_80_plus = stats.aged_80_plus;
  summary.aged_100_plus = stats.aged_100_plus;
  summary.urban = stats.urban;
  summary.dibao = stats.dibao;
  summary.tekun = stats.tekun;
  summary.disabled = stats.disabled;
  summary.dirty_rows = static_cast<int64_t>(summary.dirty.size());

  std::filesystem::path manifest_path = options.out / "manifest.yaml";
  std::string manifest = Manifest(options, model, summary);
  File manifest_file(std::fopen(manifest_path.c_str(), "wb"));
  if (!manifest_file ||
      std::fwrite(manifest.data(), 1, manifest.size(), manifest_file.get()) != manifest.size() ||
      std::fclose(manifest_file.release()) != 0) {
    return WriteError(manifest_path);
  }
  summary.bytes_written += static_cast<int64_t>(manifest.size());
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

}  // namespace yanglao::gen
