// A whole province's department feeds into one registry, in one process.
//
// The directory is laid out as `yanglao gen --region 420000` writes it (and
// as a province's cities would send theirs): DIR/manifest.yaml (format
// yanglao.gen-province/1) lists the prefecture-level units and their
// subdirectories; each unit's manifest.yaml (yanglao.gen-manifest/1) lists
// its feed files (<department>.csv) with their data rows. ReadProvincePlan
// reads both into the list of files to import: units in the province
// manifest's order, each unit's files in its manifest's order, departments
// with no rows left out (they send no file).
//
// ImportProvince imports the files one after another into one open
// registry, each exactly as `registry import` imports a file
// (Registry::ImportBytes): one transaction per file, all of it or nothing,
// and a file already imported (same source and SHA-256) is recognised and
// not read again. So a rerun imports nothing new, a kill -9 leaves every
// file before it committed and the one in progress absent, and a rerun
// after either goes on where the last one stopped. The first file that
// fails stops the import (the files before it stay committed).
#ifndef YANGLAO_REGISTRY_PROVINCE_IMPORT_H_
#define YANGLAO_REGISTRY_PROVINCE_IMPORT_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/civil_date.h"
#include "core/status.h"
#include "registry/registry.h"

namespace yanglao::registry {

// One feed file of a unit.
struct ProvinceFeedFile {
  std::string unit_code;  // "420700"
  std::string unit_name;  // "鄂州市"
  std::filesystem::path path;
  std::string source;  // the department: "公安" ...
  int64_t rows = 0;    // data rows, as the unit's manifest says
};

struct ProvincePlan {
  std::string region_code;  // "420000"
  std::string region_name;  // "湖北省"
  size_t units = 0;
  std::vector<ProvinceFeedFile> files;        // in import order
  std::vector<ProvinceFeedFile> empty_files;  // departments with no rows: not imported
};

// Reads DIR/manifest.yaml and every unit's manifest. Fails with
// province.manifest (format, a missing or malformed entry, a unit manifest
// of another region, an unknown department), located by file, line and
// field, or io.open.
Result<ProvincePlan> ReadProvincePlan(const std::filesystem::path& dir);

// What happened to one file.
struct ProvinceFeedResult {
  const ProvinceFeedFile* file = nullptr;
  size_t index = 0;  // in plan.files
  ImportOutcome outcome;
  ParsedFeed parsed;  // the summary: data rows, warnings, and the row problems of a failed file
  double seconds = 0;
};

struct ProvinceImportSummary {
  Status status;  // Ok, or why the file `failed` was not imported
  size_t imported = 0;
  size_t already_imported = 0;
  int64_t rows = 0;  // data rows of the files imported now
  int64_t persons_added = 0;
  int64_t facts_added = 0;
  int64_t facts_unchanged = 0;
  int64_t conflicts_added = 0;
  double seconds = 0;
  // When status is not Ok: the file that failed (index, problems); the files
  // before it are committed, it and those after it are not.
  bool has_failed = false;
  ProvinceFeedResult failed;
};

// Imports plan.files in order (see the top of this file). `today` bounds
// the feeds' dates as in ReadFeedBytes; `recorded_on` is the recorded-time
// date of every record. `after_each` is called after each file, imported,
// already imported or failed.
ProvinceImportSummary ImportProvince(
    Registry& registry, const ProvincePlan& plan, CivilDate today, CivilDate recorded_on,
    const std::function<void(const ProvinceFeedResult&)>& after_each = {});

}  // namespace yanglao::registry

#endif  // YANGLAO_REGISTRY_PROVINCE_IMPORT_H_
