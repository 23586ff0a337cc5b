#include "canteen/sell.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/id_number.h"
#include "core/money.h"
#include "core/region.h"

namespace yanglao::canteen {

Result<std::unique_ptr<Counters>> Counters::LoadDirectory(const std::filesystem::path& dir) {
  auto out = std::make_unique<Counters>();
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return out;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.ends_with(".canteen.yaml")) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    Result<std::unique_ptr<Counter>> c = Counter::Load(f);
    if (!c.ok()) return c.status();
    out->Add(std::move(*c));
  }
  return out;
}

Counter* Counters::ForRegion(std::string_view region) const {
  const RegionTable& table = RegionTable::Builtin();
  const Region* r = table.Find(region);
  if (r == nullptr) return nullptr;
  for (const auto& c : counters_) {
    const Region* j = table.Find(c->jurisdiction());
    if (j != nullptr && (r == j || table.IsWithin(*r, *j))) return c.get();
  }
  return nullptr;
}

namespace {

bool ValidClientId(std::string_view id) {
  return id.size() >= 8 && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
         });
}

struct When {
  CivilDate date;
  std::string hhmm;
};

Result<When> ParseSoldAt(std::string_view text) {
  Status bad("canteen.sold_at", "就餐时间应为 YYYY-MM-DDTHH:MM",
             Location{.field = "sold_at", .value = std::string(text.substr(0, 40))});
  if (text.size() < 16 || (text[10] != 'T' && text[10] != ' ') || text[13] != ':') return bad;
  Result<CivilDate> d = CivilDate::Parse(text.substr(0, 10));
  if (!d.ok()) return bad;
  std::string hhmm(text.substr(11, 5));
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (!digit(hhmm[0]) || !digit(hhmm[1]) || !digit(hhmm[3]) || !digit(hhmm[4]) ||
      hhmm.substr(0, 2) > "23" || hhmm.substr(3, 2) > "59")
    return bad;
  return When{*d, hhmm};
}

bool SameSale(const Sale& s, const SaleRequest& r, const When& w) {
  return s.canteen_id == r.canteen_id && s.id_number == r.id_number && s.dish == r.dish &&
         s.sale_date == w.date.ToString() && s.sold_time == w.hhmm;
}

}  // namespace

Result<Decision> Preview(registry::Registry& registry, const Canteen& canteen,
                         const Counters& counters, std::string_view id_number, CivilDate on,
                         int64_t market_fen) {
  Counter* counter = counters.ForRegion(canteen.region);
  if (counter == nullptr) {
    return Status("canteen.city", fmt::format("食堂「{}」所在地没有助餐规则", canteen.name),
                  Location{.field = "region", .value = canteen.region});
  }
  if (id_number.empty()) return Counter::MarketPrice(market_fen);
  Result<std::optional<registry::PersonView>> person = registry.Person(id_number, on, on);
  if (!person.ok()) return person.status();
  if (!person->has_value()) return Counter::MarketPrice(market_fen);
  return counter->Decide(**person, on, market_fen);
}

Result<Sale> Sell(registry::Registry& registry, CanteenStore& store, const Counters& counters,
                  const SaleRequest& request, CivilDate recorded_on) {
  if (!ValidClientId(request.client_id)) {
    return Status("canteen.client_id", "销售编号应为 8 到 64 位字母、数字、- 或 _",
                  Location{.field = "client_id", .value = request.client_id.substr(0, 64)});
  }
  Result<When> when = ParseSoldAt(request.sold_at);
  if (!when.ok()) return when.status();
  Result<std::optional<Sale>> stored = store.FindSale(request.client_id);
  if (!stored.ok()) return stored.status();
  if (stored->has_value()) {
    if (!SameSale(**stored, request, *when)) {
      return Status(ErrorCategory::kConflict, "canteen.client_id_exists",
                    "该销售编号已用于另一笔销售",
                    Location{.field = "client_id", .value = request.client_id});
    }
    return std::move(**stored);
  }
  Result<std::optional<Canteen>> canteen = store.FindCanteen(request.canteen_id);
  if (!canteen.ok()) return canteen.status();
  if (!canteen->has_value()) {
    return Status("canteen.not_found", "没有这个食堂",
                  Location{.field = "canteen_id", .value = std::to_string(request.canteen_id)});
  }
  const Canteen& c = **canteen;
  const Price* price = c.FindPrice(request.dish);
  if (price == nullptr) {
    return Status("canteen.dish", fmt::format("食堂「{}」没有这个菜品或套餐", c.name),
                  Location{.field = "dish", .value = request.dish.substr(0, 64)});
  }
  const CivilDate on = when->date;
  Result<Decision> decision =
      Preview(registry, c, counters, request.id_number, on, price->market_fen);
  if (!decision.ok()) return decision.status();

  Sale sale;
  sale.client_id = request.client_id;
  sale.canteen_id = c.id;
  sale.sale_date = on.ToString();
  sale.sold_time = when->hhmm;
  const MealPeriod* period = c.PeriodAt(when->hhmm);
  sale.period = period ? period->name : "";
  sale.id_number = request.id_number;
  sale.dish = request.dish;
  sale.market_fen = decision->market_fen;
  sale.discount_fen = decision->discount_fen;
  sale.subsidy_fen = decision->subsidy_fen;
  sale.paid_fen = decision->paid_fen;
  sale.collected_fen = request.collected_fen;
  sale.item = decision->item;
  sale.citation = decision->citation;
  sale.percent = decision->percent;
  sale.funds = decision->funds;
  sale.recorded_on = recorded_on.ToString();

  if (period == nullptr) {
    sale.flags.emplace_back(FlagKind::kOutsideHours,
                            fmt::format("{} 不在「{}」的任何供餐时段", when->hhmm, c.name));
  }
  if (decision->deceased) {
    sale.flags.emplace_back(FlagKind::kDeceased,
                            fmt::format("登记显示就餐者在 {} 前已死亡", sale.sale_date));
  }
  if (!request.id_number.empty()) {
    if (decision->benefit() > 0) {
      Result<std::vector<std::pair<std::string, int64_t>>> day =
          store.SalesOfDay(request.id_number, sale.sale_date);
      if (!day.ok()) return day.status();
      int same_period = 0, with_benefit = 0;
      for (const auto& [p, benefit] : *day) {
        if (benefit <= 0) continue;
        ++with_benefit;
        if (!sale.period.empty() && p == sale.period) ++same_period;
      }
      if (same_period >= decision->per_period) {
        sale.flags.emplace_back(
            FlagKind::kDoubleClaim,
            fmt::format("{} {} 已享受过 {} 次", sale.sale_date, sale.period, same_period));
      }
      if (with_benefit >= decision->per_day) {
        sale.flags.emplace_back(FlagKind::kOverLimit,
                                fmt::format("{} 已享受 {} 次，每日至多 {} 次", sale.sale_date,
                                            with_benefit, decision->per_day));
      }
    } else if (!decision->deceased) {
      Result<bool> had =
          store.HadBenefit(request.id_number, on.AddDays(-31).ToString(), sale.sale_date);
      if (!had.ok()) return had.status();
      if (*had) {
        sale.flags.emplace_back(
            FlagKind::kStatusEnded,
            "近 31 天内享受过助餐优惠，今日已不符合条件（" + decision->words + "）");
      }
    }
  }
  if (request.collected_fen && *request.collected_fen != sale.paid_fen) {
    sale.flags.emplace_back(
        FlagKind::kPaidMismatch,
        fmt::format("离线收款 {}，核定应收 {}", Money::Fen(*request.collected_fen).FormatYuan(),
                    Money::Fen(sale.paid_fen).FormatYuan()));
  }
  if (Status s = store.InsertSale(sale); !s.ok()) return s;
  return sale;
}

}  // namespace yanglao::canteen
