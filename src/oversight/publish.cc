#include "oversight/publish.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/file_io.h"

namespace yanglao::oversight {

Result<PublicationPolicy> ParsePublicationPolicy(std::string_view text, const std::string& name) {
  auto bad = [&](const YAML::Mark& m, std::string field, std::string message) {
    Location loc{.file = name, .field = std::move(field)};
    if (m.line >= 0) {
      loc.line = m.line + 1;
      loc.column = m.column + 1;
    }
    return Status("oversight.publication_policy", std::move(message), std::move(loc));
  };
  try {
    YAML::Node root = YAML::Load(std::string(text));
    if (!root.IsMap()) return bad(root.Mark(), "", "公开规则文件应为 YAML 映射");
    const YAML::Node format = root["format"];
    if (!format || !format.IsScalar() || format.Scalar() != "yanglao.publication/1") {
      return bad(format ? format.Mark() : root.Mark(), "format", "格式应为 yanglao.publication/1");
    }
    PublicationPolicy p;
    p.file = name;
    const YAML::Node min = root["min_people"];
    bool ok = false;
    if (min && min.IsScalar()) {
      try {
        p.min_people = min.as<int>();
        ok = p.min_people >= 1 && p.min_people <= 1000;
      } catch (const YAML::Exception&) {
      }
    }
    if (!ok)
      return bad(min ? min.Mark() : root.Mark(), "min_people",
                 "「min_people」应为 1 到 1000 之间的整数");
    const YAML::Node basis = root["basis"];
    if (!basis || !basis.IsScalar() || basis.Scalar().empty()) {
      return bad(basis ? basis.Mark() : root.Mark(), "basis", "缺少「basis」（依据）");
    }
    p.basis = basis.Scalar();
    return p;
  } catch (const YAML::Exception& e) {
    return Status("oversight.publication_policy",
                  fmt::format("公开规则文件不是有效的 YAML：{}", e.msg),
                  Location{.file = name, .line = e.mark.line + 1, .column = e.mark.column + 1});
  }
}

Result<PublicationPolicy> LoadPublicationPolicy(const std::filesystem::path& path) {
  Result<std::string> bytes = ReadFileBytes(path);
  if (!bytes.ok()) return bytes.status();
  return ParsePublicationPolicy(*bytes, path.string());
}

std::vector<PublishedCell> Suppress(const std::vector<std::pair<std::string, int64_t>>& counts,
                                    int min_people, bool total_published, bool zero_is_safe) {
  std::vector<PublishedCell> out;
  int64_t total = 0;
  for (const auto& [label, n] : counts) total += n;
  const bool all = total_published && total < min_people && total > 0;
  size_t withheld = 0;
  for (const auto& [label, n] : counts) {
    const bool small = n < min_people && !(n == 0 && zero_is_safe);
    if (small || all) {
      out.push_back({label, std::nullopt, false});
      ++withheld;
    } else {
      out.push_back({label, n, false});
    }
  }
  if (total_published && withheld == 1) {
    // The smallest other published cell (a non-zero one: a zero reveals nothing).
    std::optional<size_t> pick;
    for (size_t i = 0; i < out.size(); ++i) {
      if (!out[i].people || *out[i].people == 0) continue;
      if (!pick || *out[i].people < *out[*pick].people) pick = i;
    }
    if (pick) {
      out[*pick].people.reset();
      out[*pick].complementary = true;
    }
  }
  return out;
}

}  // namespace yanglao::oversight
