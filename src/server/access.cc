#include "server/access.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/id_number.h"
#include "registry/feed_template.h"
#include "server/modules.h"

namespace yanglao::server {

std::string_view DataScopeKey(DataScope s) {
  switch (s) {
    case DataScope::kAll:
      return "all";
    case DataScope::kSubtree:
      return "subtree";
    case DataScope::kUnit:
      return "unit";
    case DataScope::kSelf:
      return "self";
  }
  return "self";
}

std::string_view DataScopeName(DataScope s) {
  switch (s) {
    case DataScope::kAll:
      return "全部";
    case DataScope::kSubtree:
      return "本级及以下";
    case DataScope::kUnit:
      return "本级";
    case DataScope::kSelf:
      return "仅本人";
  }
  return "仅本人";
}

Result<DataScope> ParseDataScope(std::string_view key) {
  for (DataScope s : {DataScope::kAll, DataScope::kSubtree, DataScope::kUnit, DataScope::kSelf}) {
    if (key == DataScopeKey(s)) return s;
  }
  return Status("role.scope",
                "数据范围应为 all（全部）、subtree（本级及以下）、unit（本级）或 self（仅本人）",
                Location{.field = "data_scope", .value = std::string(key)});
}

const std::vector<PermissionInfo>& AllPermissions() {
  static const std::vector<PermissionInfo>* const all = [] {
    auto* out = new std::vector<PermissionInfo>;
    for (const db::ModuleInfo* m : ModuleInfos()) {
      for (const db::PermissionInfo& p : m->permissions) out->push_back({p.key, p.label});
    }
    return out;
  }();
  return *all;
}

bool IsKnownPermission(std::string_view key) {
  if (key == "*") return true;
  const auto& all = AllPermissions();
  return std::any_of(all.begin(), all.end(), [&](const PermissionInfo& p) { return p.key == key; });
}

bool IsKnownDepartment(std::string_view department) {
  return registry::FindTemplate(department) != nullptr;
}

bool Principal::Can(std::string_view permission) const {
  return permissions.count("*") > 0 || permissions.count(std::string(permission)) > 0;
}

std::vector<registry::SqlFilter> PersonScopeFilters(const Principal& user, CivilDate on) {
  switch (user.scope) {
    case DataScope::kAll:
      return {};
    case DataScope::kSubtree:
      return {registry::ResidenceFilter(user.unit_code, false, on)};
    case DataScope::kUnit:
      return {registry::ResidenceFilter(user.unit_code, true, on)};
    case DataScope::kSelf:
      return {{"p.id_number IN (SELECT c.id_number FROM server_caseload c WHERE c.user_id = ?)",
               {user.user_id}}};
  }
  return {{"1 = 0", {}}};
}

bool UnitWithinScope(const Principal& user, std::string_view code) {
  switch (user.scope) {
    case DataScope::kAll:
      return true;
    case DataScope::kSubtree:
      return code.starts_with(user.unit_code);
    case DataScope::kUnit:
      return code == user.unit_code;
    case DataScope::kSelf:
      return false;
  }
  return false;
}

const std::vector<FieldGroup>& FieldGroups() {
  static const std::vector<FieldGroup>* const groups = [] {
    auto* out = new std::vector<FieldGroup>;
    for (const db::ModuleInfo* m : ModuleInfos()) {
      for (const db::FieldGroupInfo& g : m->field_groups) {
        out->push_back({std::string(g.key), std::string(g.label),
                        std::vector<std::string>(g.facts.begin(), g.facts.end()),
                        std::vector<std::string>(g.departments.begin(), g.departments.end())});
      }
    }
    return out;
  }();
  return *groups;
}

const FieldGroup* GroupOfFact(std::string_view fact) {
  for (const FieldGroup& g : FieldGroups()) {
    if (std::find(g.facts.begin(), g.facts.end(), fact) != g.facts.end()) return &g;
  }
  return nullptr;
}

namespace {
bool CanSeeGroup(const Principal& user, const FieldGroup& g) {
  if (user.Can(fmt::format("person:field:{}", g.key))) return true;
  return std::find(g.departments.begin(), g.departments.end(), user.department) !=
         g.departments.end();
}
}  // namespace

bool CanSeeFact(const Principal& user, std::string_view fact) {
  const FieldGroup* g = GroupOfFact(fact);
  return g == nullptr || CanSeeGroup(user, *g);
}

std::vector<const FieldGroup*> HiddenGroups(const Principal& user) {
  std::vector<const FieldGroup*> out;
  for (const FieldGroup& g : FieldGroups()) {
    if (!CanSeeGroup(user, g)) out.push_back(&g);
  }
  return out;
}

}  // namespace yanglao::server
