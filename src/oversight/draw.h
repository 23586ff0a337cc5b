// 双随机、一公开: a random draw of institutions (at least a city's share per
// county, from policies/oversight/<city>.draw.yaml) and of their inspectors
// (excluding those with a conflict of interest), from a seed published with
// the draw, so that anyone holding the seed and the published lists can
// recompute it. The algorithm (yanglao-draw/1, docs/oversight.md):
//
//   key(kind, parts…) = lowercase hex SHA-256 of the UTF-8 bytes
//       "yanglao-draw/1\n" seed "\n" kind "\n" part1 "\n" part2 …
//   For each county (region codes in byte order): its institutions sorted by
//   (key("institution", id), id); the first ceil(n × share% ) are drawn.
//   For each drawn institution, in that order: the inspectors without a
//   conflict with it, sorted by (key("inspector", institution id, inspector
//   id), inspector id); the first `inspectors_per_institution` are drawn.
//
// The draw file (text, one record a line, fields separated by a tab) holds the
// seed, the parameters, the SHA-256 of each list file as published, and the
// picks; VerifyDraw recomputes it.
#ifndef YANGLAO_OVERSIGHT_DRAW_H_
#define YANGLAO_OVERSIGHT_DRAW_H_

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace yanglao::oversight {

// A city's rule for the draw, quoting its seed.
struct DrawPolicy {
  std::string city, jurisdiction, period, quote, source, file;
  int share_percent = 0;               // of each county's institutions, rounded up
  int inspectors_per_institution = 0;  // drawn for each institution
};
// Parses policies/oversight/<city>.draw.yaml (format yanglao.draw/1). Fails with
// oversight.draw_policy, located.
Result<DrawPolicy> ParseDrawPolicy(std::string_view text, const std::string& name);
Result<DrawPolicy> LoadDrawPolicy(const std::filesystem::path& path);

struct Institution {
  std::string id, name, county;  // county: its 6-digit region code
};
struct Inspector {
  std::string id, name, unit;
};
struct Conflict {
  std::string inspector, institution, reason;
};

// The published lists, each with the SHA-256 (hex) of its file's bytes.
struct DrawLists {
  std::vector<Institution> institutions;
  std::vector<Inspector> inspectors;
  std::vector<Conflict> conflicts;
  std::string institutions_sha256, inspectors_sha256, conflicts_sha256;
};
// Parses the three CSV files (headers 机构编号,机构名称,区县代码 / 检查人员编号,
// 姓名,单位 / 检查人员编号,机构编号,原因). Failures are located (file, line,
// column): csv.*, oversight.list (an empty or duplicate id, a county that is
// not six digits, a conflict naming an unknown inspector or institution).
Result<DrawLists> ParseDrawLists(std::string_view institutions,
                                 const std::string& institutions_name, std::string_view inspectors,
                                 const std::string& inspectors_name, std::string_view conflicts,
                                 const std::string& conflicts_name);

struct DrawParams {
  std::string seed;  // 1..200 bytes of UTF-8 without tab or line break
  int year = 0;
  int share_percent = 0;               // 1..100
  int inspectors_per_institution = 0;  // 1..10
};

struct Pick {
  std::string county, institution;
  std::vector<std::string> inspectors;
  friend bool operator==(const Pick&, const Pick&) = default;
};

struct Draw {
  DrawParams params;
  std::string institutions_sha256, inspectors_sha256, conflicts_sha256;
  std::vector<Pick> picks;  // by county, then in draw order
};

// Lowercase hex SHA-256 of `bytes`.
std::string Sha256Hex(std::string_view bytes);

// Draws. Fails with oversight.draw_params (a bad seed or parameter) or
// oversight.too_few_inspectors (fewer inspectors without a conflict than
// needed for an institution, named in the location).
Result<Draw> ComputeDraw(const DrawParams& params, const DrawLists& lists);

// The draw file's text, and its parser (oversight.draw_file, located by line).
std::string FormatDraw(const Draw& draw);
Result<Draw> ParseDraw(std::string_view text, const std::string& name);

// The verifier's answer: `same` when the lists are those published (their
// digests) and the recomputed draw equals the published one; otherwise the
// first difference, in Chinese.
struct Verdict {
  bool same = false;
  std::string reason;
};
Verdict VerifyDraw(const Draw& published, const DrawLists& lists);
// Whether the draw's parameters meet the policy (share and inspectors at
// least the policy's).
Verdict CheckPolicy(const Draw& draw, const DrawPolicy& policy);

}  // namespace yanglao::oversight

#endif  // YANGLAO_OVERSIGHT_DRAW_H_
