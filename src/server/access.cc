#include "server/access.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/id_number.h"
#include "registry/feed_template.h"

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
  static const std::vector<PermissionInfo>* const all = new std::vector<PermissionInfo>{
      {"region:region:read", "查看行政区划"},
      {"policy:list:read", "查看服务清单、比对、合规检查"},
      {"person:person:list", "查询老年人名单"},
      {"person:person:read", "查看老年人详细信息（含完整身份号码，留痕）"},
      {"person:person:export", "导出老年人名单（脱敏，留痕）"},
      {"person:conflict:resolve", "处理数据冲突"},
      {"person:field:income", "查看收入状况（低保、低收入、特困）"},
      {"person:field:disability", "查看残疾信息"},
      {"person:field:health", "查看健康信息（失能、失智、长期照护）"},
      {"registry:import:create", "导入部门数据"},
      {"registry:import:read", "查看导入记录与错误报告"},
      {"entitle:run:read", "查看月度核定、享受名单与增减名单（数据范围内，脱敏）"},
      {"entitle:run:create", "发起月度核定（政策找人、免申即享）"},
      {"entitle:roll:export", "下载代发名册与资金汇总（含完整身份号码，留痕）"},
      {"entitle:advice:read", "养老顾问：查看个人可享待遇与即将发生的变化（留痕）"},
      {"entitle:whatif:run", "政策测算：调整清单参数与规则，测算受益人数与资金变化"},
      {"assess:assessment:read", "查看能力评估记录（留痕）"},
      {"assess:assessment:create", "录入能力评估"},
      {"assess:request:create", "登记复评申请"},
      {"assess:due:list", "查看评估工作清单与覆盖率"},
      {"canteen:canteen:read", "查看食堂、助餐点与助餐覆盖率"},
      {"canteen:canteen:import", "导入食堂、助餐点名单"},
      {"canteen:sale:create", "助餐柜台：识别就餐者、核定优惠或补贴并记账（留痕）"},
      {"canteen:flag:review", "复核助餐异常（重复享受、超次数、已死亡等；脱敏，留痕）"},
      {"canteen:settlement:read", "查看、下载助餐月度结算单与区县汇总"},
      {"canteen:settlement:approve", "审核助餐月度结算单"},
      {"system:user:list", "查看用户"},
      {"system:user:create", "新增用户"},
      {"system:user:update", "修改用户、重置密码、分配服务对象"},
      {"system:role:list", "查看角色"},
      {"system:role:update", "新增、修改角色"},
      {"system:audit:list", "查询操作日志"},
      {"system:audit:export", "导出操作日志"},
  };
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
  static const std::vector<FieldGroup>* const groups = new std::vector<FieldGroup>{
      {"income", "收入状况", {"dibao", "dibao_hardship", "low_income", "tekun"}, {"民政"}},
      {"disability",
       "残疾信息",
       {"disability_category", "disability_grade", "disability_cert_until",
        "disability_cert_valid"},
       {"残联", "民政"}},
      {"health",
       "健康信息",
       {"dementia", "cannot_self_care", "long_term_care_need"},
       {"卫健", "民政", "医保"}},
  };
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
