// Who may see what: permissions, data scope and field visibility.
//
// Permissions are keys `module:entity:action` (identical in the back end and
// the web console); a role holds a set of them, or "*" for all. Every role
// also has a data scope (数据范围) that decides which persons its users reach,
// relative to the user's unit (a GB/T 2260 region code, natural length):
//
//   all      全部       every person;
//   subtree  本级及以下  persons whose residence is the unit or below it
//                       (region code prefix);
//   unit     本级       persons whose residence is exactly the unit (for a
//                       community worker: their community);
//   self     仅本人     persons on the user's own caseload (server_caseload).
//
// The scope becomes SQL conditions with bound values (registry::SqlFilter)
// that every person query and every single-record access carries.
//
// Some facts are sensitive by department (FieldGroups()): a group's facts are
// shown to users of the listed departments, or whose role holds
// "person:field:<group>" (or "*"); to everyone else they are left out of the
// record, its history and its conflicts, and the record names the groups
// withheld.
#ifndef YANGLAO_SERVER_ACCESS_H_
#define YANGLAO_SERVER_ACCESS_H_

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/civil_date.h"
#include "core/mask.h"
#include "core/status.h"
#include "registry/registry.h"

namespace yanglao::server {

enum class DataScope { kAll, kSubtree, kUnit, kSelf };

// "all" / "subtree" / "unit" / "self" and back; ParseDataScope fails with
// "role.scope".
std::string_view DataScopeKey(DataScope s);
std::string_view DataScopeName(DataScope s);  // 全部 / 本级及以下 / 本级 / 仅本人
Result<DataScope> ParseDataScope(std::string_view key);

// Every permission key the server checks, with its Chinese label: those the
// modules declare (the module table, server/modules.h), in its order.
struct PermissionInfo {
  std::string_view key;
  std::string_view label;
};
const std::vector<PermissionInfo>& AllPermissions();
bool IsKnownPermission(std::string_view key);

// The departments a user can belong to: the registry's source departments.
bool IsKnownDepartment(std::string_view department);

// An authenticated user as a request sees it.
struct Principal {
  int64_t user_id = 0;
  std::string username;
  std::string display_name;
  std::string unit_code;  // natural-length region code
  std::string department;
  std::string role_key;
  std::string role_name;
  DataScope scope = DataScope::kSelf;
  std::set<std::string> permissions;  // may hold "*"
  std::string csrf;                   // the session's CSRF token
  std::string token_hash;             // the session's key
  std::string expires_at;

  bool Can(std::string_view permission) const;
};

// The conditions that restrict person queries to `user`'s data scope (empty
// for "all"); residence is read on `on`.
std::vector<registry::SqlFilter> PersonScopeFilters(const Principal& user, CivilDate on);

// Is the region `code` within `user`'s scope as a unit (for managing users and
// uploads: at or below the user's unit for subtree, equal for unit)? "self"
// reaches no other unit.
bool UnitWithinScope(const Principal& user, std::string_view code);

// A group of sensitive facts and the departments that see it; the groups
// are those the modules declare (db::FieldGroupInfo), in the table's order.
struct FieldGroup {
  std::string key;    // "income"
  std::string label;  // "收入状况"
  std::vector<std::string> facts;
  std::vector<std::string> departments;
};
const std::vector<FieldGroup>& FieldGroups();
// The group of `fact`, or nullptr when the fact is visible to every reader.
const FieldGroup* GroupOfFact(std::string_view fact);
// May `user` see `fact`?
bool CanSeeFact(const Principal& user, std::string_view fact);
// The groups `user` may not see.
std::vector<const FieldGroup*> HiddenGroups(const Principal& user);

// Masking for lists (MaskIfIdNumber, MaskPhone, MaskIdNumbersIn, DecodeAndMaskIds): core/mask.h.

}  // namespace yanglao::server

#endif  // YANGLAO_SERVER_ACCESS_H_
