// A basic service list (基本养老服务清单) loaded from its YAML file
// (docs/policy-format.md): the published table verbatim, and for each item
// the checked eligibility rule and benefit.
#ifndef YANGLAO_POLICY_SERVICE_LIST_H_
#define YANGLAO_POLICY_SERVICE_LIST_H_

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/civil_date.h"
#include "core/status.h"
#include "policy/rule_ast.h"

namespace yanglao::policy {

enum class ServiceKind { kMaterialAid, kCare, kCaring, kAdvice };
enum class Section { kNone, kUniversal, kSafeguard, kExtension };
enum class BenefitType { kCash, kDiscount, kService, kInKind, kPriority, kFacility };
enum class CashPeriod { kMonth, kYear, kOnce };
// Who receives a benefit (docs/policy-format.md, "Periods, recipients and
// grants").
enum class Recipient { kOlderPerson, kFamilyCarer, kHousehold, kProvider };
// How it is granted: a standing entitlement found by the monthly run, or
// only on an event (a training, a disaster) or an application decided case
// by case; the latter are shown as "available if <condition>" and are on no
// roll.
enum class Grant { kStanding, kEvent, kApplication };
std::string_view RecipientName(Recipient r);  // "老年人本人" ...
std::string_view GrantName(Grant g);          // "按月主动核定" ...

struct Item;

std::string_view SectionName(Section s);          // "普惠" ...
std::string_view BenefitTypeName(BenefitType t);  // "现金" ...
std::string_view CashPeriodSuffix(CashPeriod p);  // "元/月" ...
// A cash item's amount with its period: "100元/月", "1,200元/年", "500元".
std::string FormatCash(const Item& item, int64_t fen);
// A service's frequency in Chinese: "每年1次", "按需".
std::string ServiceFrequency(const std::string& per, int64_t times);

// One dated value of a parameter: valid from `from` until the next entry.
struct DatedValue {
  CivilDate from;
  int64_t value = 0;                                  // without a scale
  std::vector<std::pair<int64_t, int64_t>> brackets;  // with a scale: {min, value}, by min
};

struct Parameter {
  std::string name;
  std::string label;
  bool money = true;  // money (fen) or int
  std::string unit;
  std::string source;
  std::optional<size_t> scale_slot;  // the int fact a scaled parameter depends on
  std::vector<DatedValue> values;    // sorted by `from`
  bool demo = false;                 // values came from a demo file
  Location where;

  // The entry in force on `date`, or nullptr if none.
  const DatedValue* At(CivilDate date) const;
};

struct Definition {
  std::string name;
  std::string label;
  std::string note;
  ExprPtr expr;
  Location where;
};

struct Target {
  std::string what;
  std::string value;  // as written ("100", "580")
  std::string unit;
  std::string by;  // date as written, may be empty
};

// One more discount of a discount item, on other places than the item's
// own (`also`): Ezhou 9 gives parks free from 60 and scenic spots half price
// from 60 to 64 in one row.
struct DiscountPart {
  ExprPtr percent;  // int 1..100
  std::string on;
};

struct Benefit {
  BenefitType type = BenefitType::kService;
  CashPeriod period = CashPeriod::kMonth;  // kCash
  ExprPtr amount;                          // kCash: money
  ExprPtr percent;                         // kDiscount: int 1..100
  std::string per;                         // kService: year | month | once | on_request
  int64_t times = 1;                       // kService
  std::string text;                        // on / what / for / provider
  std::vector<DiscountPart> also;          // kDiscount: more discounts, each on its places
  Recipient recipient = Recipient::kOlderPerson;
  Grant grant = Grant::kStanding;
  std::string condition;        // kEvent / kApplication: "available if …", verbatim-ish
  bool once_per_event = false;  // kCash kOnce: once per event (else once per person)
  bool standing() const { return grant == Grant::kStanding; }
};

struct Item {
  std::string number;  // 序号 as printed ("3", "8.1")
  std::string name;
  std::string content;
  std::string target;
  std::string kind_label;  // 服务类型 as printed
  ServiceKind kind = ServiceKind::kCare;
  Section section = Section::kNone;
  std::vector<std::string> departments;
  std::string basis;
  std::string note;
  std::string task;  // task category (Chibi)
  ExprPtr eligibility;
  Benefit benefit;
  std::vector<Target> targets;
  Location where;
};

struct ExclusiveGroup {
  std::string name;
  std::vector<std::string> items;  // item numbers
  std::string rule;                // "highest"
  std::string note;
};

struct ServiceList {
  std::string path;
  std::string jurisdiction;
  std::string title;
  std::string issuer;
  std::string document;
  std::string document_title;
  std::optional<CivilDate> issued;
  std::optional<CivilDate> effective_from, effective_to;
  std::string parent;  // path as written, relative to this file; empty if none
  std::string source;
  std::string note;
  std::string section_note;
  std::vector<Parameter> parameters;
  std::vector<Definition> definitions;
  std::vector<Item> items;
  std::vector<ExclusiveGroup> exclusive_groups;

  const Item* FindItem(std::string_view number) const;
  const Parameter* FindParameter(std::string_view name) const;
  const Definition* FindDefinition(std::string_view name) const;
};

// A list file read and checked: the list (as complete as the file allowed)
// and every error found, each located (file:line:col). ok() when none.
struct LoadedList {
  ServiceList list;
  std::vector<Status> errors;
  bool ok() const { return errors.empty(); }
};

// Reads, validates and type-checks a list file. Errors include bad YAML,
// missing or ill-typed fields, unknown facts/parameters/definitions, type
// errors in rules, unknown enum values, duplicate item numbers, definition
// cycles, and exclusive groups naming unknown items.
LoadedList LoadServiceList(const std::filesystem::path& path);
// The same from text; `name` is used as the file in locations.
LoadedList LoadServiceListFromString(std::string_view text, const std::string& name);

// Applies a parameter file (format yanglao.params/1, usually a demo file) to
// `list`: its values replace the parameters' values and mark them demo when
// the file says `demo: true`. Errors are appended to `errors`.
void ApplyParameterFile(const std::filesystem::path& path, ServiceList& list,
                        std::vector<Status>& errors);

}  // namespace yanglao::policy

#endif  // YANGLAO_POLICY_SERVICE_LIST_H_
