#include "canteen/store.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "core/region.h"
#include "db/transaction.h"

namespace yanglao::canteen {

namespace {

std::vector<std::string> Migrations(std::string_view dialect) {
  const std::string id = dialect == "postgresql"
                             ? "id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
                             : "id INTEGER PRIMARY KEY AUTOINCREMENT";
  return {
      // 1: canteens, periods, prices, sales with their funding parts, flags,
      // statements.
      fmt::format(R"(
CREATE TABLE canteen_canteen (
  {id},
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  region TEXT NOT NULL,
  communities TEXT NOT NULL,
  operator_name TEXT NOT NULL,
  hours TEXT NOT NULL,
  content TEXT NOT NULL);
CREATE TABLE canteen_period (
  canteen_id BIGINT NOT NULL REFERENCES canteen_canteen (id),
  name TEXT NOT NULL,
  start_time TEXT NOT NULL,
  end_time TEXT NOT NULL,
  PRIMARY KEY (canteen_id, name));
CREATE TABLE canteen_price (
  canteen_id BIGINT NOT NULL REFERENCES canteen_canteen (id),
  dish TEXT NOT NULL,
  market_fen BIGINT NOT NULL,
  PRIMARY KEY (canteen_id, dish));
CREATE TABLE canteen_sale (
  {id},
  client_id TEXT NOT NULL UNIQUE,
  canteen_id BIGINT NOT NULL,
  month TEXT NOT NULL,
  sale_date TEXT NOT NULL,
  sold_time TEXT NOT NULL,
  period TEXT NOT NULL,
  id_number TEXT NOT NULL,
  dish TEXT NOT NULL,
  market_fen BIGINT NOT NULL,
  discount_fen BIGINT NOT NULL,
  subsidy_fen BIGINT NOT NULL,
  paid_fen BIGINT NOT NULL,
  collected_fen BIGINT,
  item TEXT NOT NULL,
  citation TEXT NOT NULL,
  percent BIGINT NOT NULL,
  recorded_on TEXT NOT NULL,
  CHECK (market_fen = discount_fen + subsidy_fen + paid_fen));
CREATE INDEX canteen_sale_person ON canteen_sale (id_number, sale_date);
CREATE INDEX canteen_sale_month ON canteen_sale (month, canteen_id);
CREATE TABLE canteen_sale_fund (
  sale_id BIGINT NOT NULL,
  canteen_id BIGINT NOT NULL,
  month TEXT NOT NULL,
  source TEXT NOT NULL,
  fen BIGINT NOT NULL,
  PRIMARY KEY (sale_id, source));
CREATE INDEX canteen_sale_fund_month ON canteen_sale_fund (month, canteen_id);
CREATE TABLE canteen_flag (
  {id},
  sale_id BIGINT NOT NULL,
  canteen_id BIGINT NOT NULL,
  month TEXT NOT NULL,
  kind TEXT NOT NULL,
  detail TEXT NOT NULL,
  status TEXT NOT NULL,
  reviewed_by TEXT NOT NULL,
  reviewed_on TEXT NOT NULL);
CREATE INDEX canteen_flag_month ON canteen_flag (month, canteen_id, status);
CREATE INDEX canteen_flag_sale ON canteen_flag (sale_id);
CREATE TABLE canteen_statement (
  month TEXT NOT NULL,
  canteen_id BIGINT NOT NULL,
  status TEXT NOT NULL,
  approved_by TEXT NOT NULL,
  approved_on TEXT NOT NULL,
  summary TEXT NOT NULL,
  PRIMARY KEY (month, canteen_id));
)",
                  fmt::arg("id", id)),
  };
}

std::string Join(const std::vector<std::string>& v, char sep) {
  std::string out;
  for (const std::string& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

std::vector<std::string> Split(std::string_view text, char sep) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= text.size()) {
    size_t j = text.find(sep, i);
    if (j == std::string_view::npos) j = text.size();
    if (j > i) out.emplace_back(text.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// The canonical content of a canteen (to tell an unchanged one).
std::string ContentOf(const Canteen& c) {
  std::string s = fmt::format("{}|{}|{}|{}|{}|{}|{}", c.code, c.name, c.kind, c.region,
                              Join(c.communities, ' '), c.operator_name, c.hours);
  for (const MealPeriod& p : c.periods) s += fmt::format("|P{}={}-{}", p.name, p.start, p.end);
  for (const Price& p : c.prices) s += fmt::format("|D{}={}", p.dish, p.market_fen);
  return s;
}

std::string CountyOf(std::string_view region) {
  return std::string(region.substr(0, std::min<size_t>(6, region.size())));
}

}  // namespace

db::ModuleSchema CanteenSchema() { return {"canteen", Migrations}; }

bool IsCanteenKind(std::string_view kind) {
  return kind == "幸福食堂" || kind == "助餐点" || kind == "机构食堂";
}

const Price* Canteen::FindPrice(std::string_view dish) const {
  for (const Price& p : prices) {
    if (p.dish == dish) return &p;
  }
  return nullptr;
}

const MealPeriod* Canteen::PeriodAt(std::string_view hhmm) const {
  for (const MealPeriod& p : periods) {
    if (p.start <= hhmm && hhmm <= p.end) return &p;
  }
  return nullptr;
}

std::string_view FlagKey(FlagKind k) {
  switch (k) {
    case FlagKind::kDoubleClaim:
      return "double_claim";
    case FlagKind::kOverLimit:
      return "over_limit";
    case FlagKind::kDeceased:
      return "deceased";
    case FlagKind::kStatusEnded:
      return "status_ended";
    case FlagKind::kOutsideHours:
      return "outside_hours";
    case FlagKind::kPaidMismatch:
      return "paid_mismatch";
  }
  return "";
}

std::string_view FlagName(FlagKind k) {
  switch (k) {
    case FlagKind::kDoubleClaim:
      return "同一餐次重复享受";
    case FlagKind::kOverLimit:
      return "超过每日享受次数";
    case FlagKind::kDeceased:
      return "就餐者已死亡";
    case FlagKind::kStatusEnded:
      return "已不符合享受条件";
    case FlagKind::kOutsideHours:
      return "非供餐时段";
    case FlagKind::kPaidMismatch:
      return "收款与核定不符";
  }
  return "";
}

std::optional<FlagKind> FlagOfKey(std::string_view key) {
  for (FlagKind k : {FlagKind::kDoubleClaim, FlagKind::kOverLimit, FlagKind::kDeceased,
                     FlagKind::kStatusEnded, FlagKind::kOutsideHours, FlagKind::kPaidMismatch}) {
    if (FlagKey(k) == key) return k;
  }
  return std::nullopt;
}

Result<ImportOutcome> CanteenStore::PutCanteens(const std::vector<Canteen>& canteens) {
  ImportOutcome out;
  Status s = db::InTransaction(db_, [&]() -> Status {
    for (const Canteen& c : canteens) {
      std::string content = ContentOf(c);
      Result<std::vector<db::Row>> old =
          db_.QueryAll("SELECT id, content FROM canteen_canteen WHERE code = ?", {c.code});
      if (!old.ok()) return old.status();
      int64_t id = 0;
      if (!old->empty()) {
        id = (*old)[0].AsInt(0);
        if ((*old)[0].AsText(1) == content) {
          ++out.unchanged;
          continue;
        }
        ++out.updated;
        if (Status u = db_.Execute(
                "UPDATE canteen_canteen SET name = ?, kind = ?, region = ?, communities = ?, "
                "operator_name = ?, hours = ?, content = ? WHERE id = ?",
                {c.name, c.kind, c.region, Join(c.communities, ' '), c.operator_name, c.hours,
                 content, id});
            !u.ok())
          return u;
        if (Status d = db_.Execute("DELETE FROM canteen_period WHERE canteen_id = ?", {id});
            !d.ok())
          return d;
        if (Status d = db_.Execute("DELETE FROM canteen_price WHERE canteen_id = ?", {id}); !d.ok())
          return d;
      } else {
        ++out.added;
        Result<std::vector<db::Row>> ins = db_.QueryAll(
            "INSERT INTO canteen_canteen (code, name, kind, region, communities, operator_name, "
            "hours, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            {c.code, c.name, c.kind, c.region, Join(c.communities, ' '), c.operator_name, c.hours,
             content});
        if (!ins.ok()) return ins.status();
        id = (*ins)[0].AsInt(0);
      }
      for (const MealPeriod& p : c.periods) {
        if (Status e =
                db_.Execute("INSERT INTO canteen_period (canteen_id, name, start_time, end_time) "
                            "VALUES (?, ?, ?, ?)",
                            {id, p.name, p.start, p.end});
            !e.ok())
          return e;
      }
      for (const Price& p : c.prices) {
        if (Status e = db_.Execute(
                "INSERT INTO canteen_price (canteen_id, dish, market_fen) VALUES (?, ?, ?)",
                {id, p.dish, p.market_fen});
            !e.ok())
          return e;
      }
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<Canteen>> CanteenStore::ReadCanteens(std::string_view where,
                                                        const std::vector<db::Value>& params) {
  Result<std::vector<db::Row>> rows = db_.QueryAll(
      fmt::format("SELECT id, code, name, kind, region, communities, operator_name, hours "
                  "FROM canteen_canteen WHERE {} ORDER BY code",
                  where),
      params);
  if (!rows.ok()) return rows.status();
  std::vector<Canteen> out;
  std::map<int64_t, size_t> index;
  for (const db::Row& r : *rows) {
    Canteen c;
    c.id = r.AsInt(0);
    c.code = r.AsText(1);
    c.name = r.AsText(2);
    c.kind = r.AsText(3);
    c.region = r.AsText(4);
    c.communities = Split(r.AsText(5), ' ');
    c.operator_name = r.AsText(6);
    c.hours = r.AsText(7);
    index[c.id] = out.size();
    out.push_back(std::move(c));
  }
  if (out.empty()) return out;
  std::string in = fmt::format("canteen_id IN (SELECT id FROM canteen_canteen WHERE {})", where);
  Result<std::vector<db::Row>> periods =
      db_.QueryAll("SELECT canteen_id, name, start_time, end_time FROM canteen_period WHERE " + in +
                       " ORDER BY canteen_id, start_time",
                   params);
  if (!periods.ok()) return periods.status();
  for (const db::Row& r : *periods) {
    auto it = index.find(r.AsInt(0));
    if (it != index.end())
      out[it->second].periods.push_back({r.AsText(1), r.AsText(2), r.AsText(3)});
  }
  Result<std::vector<db::Row>> prices =
      db_.QueryAll("SELECT canteen_id, dish, market_fen FROM canteen_price WHERE " + in +
                       " ORDER BY canteen_id, dish",
                   params);
  if (!prices.ok()) return prices.status();
  for (const db::Row& r : *prices) {
    auto it = index.find(r.AsInt(0));
    if (it != index.end()) out[it->second].prices.push_back({r.AsText(1), r.AsInt(2)});
  }
  return out;
}

Result<std::optional<Canteen>> CanteenStore::FindCanteen(int64_t id) {
  Result<std::vector<Canteen>> c = ReadCanteens("id = ?", {id});
  if (!c.ok()) return c.status();
  if (c->empty()) return std::optional<Canteen>();
  return std::optional<Canteen>(std::move(c->front()));
}

Result<std::optional<Canteen>> CanteenStore::FindCanteenByCode(std::string_view code) {
  Result<std::vector<Canteen>> c = ReadCanteens("code = ?", {std::string(code)});
  if (!c.ok()) return c.status();
  if (c->empty()) return std::optional<Canteen>();
  return std::optional<Canteen>(std::move(c->front()));
}

Result<std::vector<Canteen>> CanteenStore::Canteens(std::string_view region_prefix) {
  return ReadCanteens("region LIKE ?", {std::string(region_prefix) + "%"});
}

namespace {
constexpr std::string_view kSaleColumns =
    "id, client_id, canteen_id, sale_date, sold_time, period, id_number, dish, market_fen, "
    "discount_fen, subsidy_fen, paid_fen, collected_fen, item, citation, percent, recorded_on";

Sale SaleOfRow(const db::Row& r) {
  Sale s;
  s.id = r.AsInt(0);
  s.client_id = r.AsText(1);
  s.canteen_id = r.AsInt(2);
  s.sale_date = r.AsText(3);
  s.sold_time = r.AsText(4);
  s.period = r.AsText(5);
  s.id_number = r.AsText(6);
  s.dish = r.AsText(7);
  s.market_fen = r.AsInt(8);
  s.discount_fen = r.AsInt(9);
  s.subsidy_fen = r.AsInt(10);
  s.paid_fen = r.AsInt(11);
  if (!r.IsNull(12)) s.collected_fen = r.AsInt(12);
  s.item = r.AsText(13);
  s.citation = r.AsText(14);
  s.percent = r.AsInt(15);
  s.recorded_on = r.AsText(16);
  return s;
}
}  // namespace

Result<std::optional<Sale>> CanteenStore::FindSale(std::string_view client_id) {
  Result<std::vector<db::Row>> rows =
      db_.QueryAll(fmt::format("SELECT {} FROM canteen_sale WHERE client_id = ?", kSaleColumns),
                   {std::string(client_id)});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<Sale>();
  Sale s = SaleOfRow(rows->front());
  Result<std::vector<db::Row>> funds = db_.QueryAll(
      "SELECT source, fen FROM canteen_sale_fund WHERE sale_id = ? ORDER BY source", {s.id});
  if (!funds.ok()) return funds.status();
  for (const db::Row& r : *funds) s.funds.push_back({r.AsText(0), r.AsInt(1)});
  Result<std::vector<db::Row>> flags =
      db_.QueryAll("SELECT kind, detail FROM canteen_flag WHERE sale_id = ? ORDER BY id", {s.id});
  if (!flags.ok()) return flags.status();
  for (const db::Row& r : *flags) {
    if (std::optional<FlagKind> k = FlagOfKey(r.AsText(0))) s.flags.emplace_back(*k, r.AsText(1));
  }
  s.already_recorded = true;
  return std::optional<Sale>(std::move(s));
}

Result<std::vector<std::pair<std::string, int64_t>>> CanteenStore::SalesOfDay(
    std::string_view id_number, std::string_view date) {
  std::vector<std::pair<std::string, int64_t>> out;
  Status s = db_.Query(
      "SELECT period, discount_fen + subsidy_fen FROM canteen_sale WHERE id_number = ? AND "
      "sale_date = ?",
      {std::string(id_number), std::string(date)}, [&](const db::Row& r) {
        out.emplace_back(r.AsText(0), r.AsInt(1));
        return true;
      });
  if (!s.ok()) return s;
  return out;
}

Result<bool> CanteenStore::HadBenefit(std::string_view id_number, std::string_view from,
                                      std::string_view before) {
  Result<std::vector<db::Row>> rows = db_.QueryAll(
      "SELECT 1 FROM canteen_sale WHERE id_number = ? AND sale_date >= ? AND sale_date < ? AND "
      "discount_fen + subsidy_fen > 0 LIMIT 1",
      {std::string(id_number), std::string(from), std::string(before)});
  if (!rows.ok()) return rows.status();
  return !rows->empty();
}

namespace {
Status WriteParts(db::Database& db, const Sale& sale) {
  std::string month = sale.sale_date.substr(0, 7);
  for (const FundPart& f : sale.funds) {
    if (f.fen == 0) continue;
    if (Status s = db.Execute(
            "INSERT INTO canteen_sale_fund (sale_id, canteen_id, month, source, fen) VALUES (?, "
            "?, ?, ?, ?)",
            {sale.id, sale.canteen_id, month, f.source, f.fen});
        !s.ok())
      return s;
  }
  for (const auto& [kind, detail] : sale.flags) {
    if (Status s = db.Execute(
            "INSERT INTO canteen_flag (sale_id, canteen_id, month, kind, detail, status, "
            "reviewed_by, reviewed_on) VALUES (?, ?, ?, ?, ?, 'open', '', '')",
            {sale.id, sale.canteen_id, month, std::string(FlagKey(kind)), detail});
        !s.ok())
      return s;
  }
  return Status::Ok();
}

std::vector<db::Value> SaleValues(const Sale& s) {
  return {s.client_id,
          s.canteen_id,
          s.sale_date.substr(0, 7),
          s.sale_date,
          s.sold_time,
          s.period,
          s.id_number,
          s.dish,
          s.market_fen,
          s.discount_fen,
          s.subsidy_fen,
          s.paid_fen,
          s.collected_fen ? db::Value(*s.collected_fen) : db::Value(),
          s.item,
          s.citation,
          s.percent,
          s.recorded_on};
}
}  // namespace

Status CanteenStore::InsertSale(Sale& sale) {
  Result<db::Transaction> tx = db::Transaction::Begin(db_);
  if (!tx.ok()) return tx.status();
  Result<std::vector<db::Row>> ins = db_.QueryAll(
      "INSERT INTO canteen_sale (client_id, canteen_id, month, sale_date, sold_time, period, "
      "id_number, dish, market_fen, discount_fen, subsidy_fen, paid_fen, collected_fen, item, "
      "citation, percent, recorded_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (client_id) DO NOTHING RETURNING id",
      SaleValues(sale));
  if (!ins.ok()) return ins.status();
  if (ins->empty()) {  // recorded meanwhile by another connection
    tx->Rollback();
    Result<std::optional<Sale>> stored = FindSale(sale.client_id);
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) return Status("canteen.sale", "销售记录写入失败");
    sale = std::move(**stored);
    return Status::Ok();
  }
  sale.id = (*ins)[0].AsInt(0);
  if (Status s = WriteParts(db_, sale); !s.ok()) return s;
  return tx->Commit();
}

Status CanteenStore::BulkInsertSales(std::vector<Sale>& sales) {
  return db::InTransaction(db_, [&]() -> Status {
    Result<std::vector<db::Row>> max =
        db_.QueryAll("SELECT COALESCE(MAX(id), 0) FROM canteen_sale");
    if (!max.ok()) return max.status();
    int64_t next = (*max)[0].AsInt(0) + 1;
    std::vector<std::vector<db::Value>> rows, funds, flags;
    const std::vector<std::string> columns = {
        "client_id",     "canteen_id", "month",      "sale_date",    "sold_time",   "period",
        "id_number",     "dish",       "market_fen", "discount_fen", "subsidy_fen", "paid_fen",
        "collected_fen", "item",       "citation",   "percent",      "recorded_on"};
    for (Sale& s : sales) {
      s.id = next++;
      std::vector<db::Value> v = SaleValues(s);
      v.insert(v.begin(), s.id);
      rows.push_back(std::move(v));
      std::string month = s.sale_date.substr(0, 7);
      for (const FundPart& f : s.funds) {
        if (f.fen != 0) funds.push_back({s.id, s.canteen_id, month, f.source, f.fen});
      }
      for (const auto& [kind, detail] : s.flags) {
        flags.push_back({s.id, s.canteen_id, month, std::string(FlagKey(kind)), detail,
                         std::string("open"), std::string(), std::string()});
      }
      if (rows.size() >= 50000) {
        std::vector<std::string> cols = columns;
        cols.insert(cols.begin(), "id");
        if (Status st = db_.BulkInsert("canteen_sale", cols, rows); !st.ok()) return st;
        rows.clear();
        if (Status st = db_.BulkInsert("canteen_sale_fund",
                                       {"sale_id", "canteen_id", "month", "source", "fen"}, funds);
            !st.ok())
          return st;
        funds.clear();
      }
    }
    std::vector<std::string> cols = columns;
    cols.insert(cols.begin(), "id");
    if (!rows.empty()) {
      if (Status st = db_.BulkInsert("canteen_sale", cols, rows); !st.ok()) return st;
    }
    if (!funds.empty()) {
      if (Status st = db_.BulkInsert("canteen_sale_fund",
                                     {"sale_id", "canteen_id", "month", "source", "fen"}, funds);
          !st.ok())
        return st;
    }
    if (!flags.empty()) {
      if (Status st = db_.BulkInsert("canteen_flag",
                                     {"sale_id", "canteen_id", "month", "kind", "detail", "status",
                                      "reviewed_by", "reviewed_on"},
                                     flags);
          !st.ok())
        return st;
    }
    if (db_.dialect() == "postgresql") {
      // Explicit ids: move the identity past them.
      if (Status st =
              db_.Execute("SELECT setval(pg_get_serial_sequence('canteen_sale', 'id'), (SELECT "
                          "COALESCE(MAX(id), 1) FROM canteen_sale))");
          !st.ok())
        return st;
    }
    return Status::Ok();
  });
}

Result<std::vector<Sale>> CanteenStore::Sales(int64_t canteen_id, std::string_view month,
                                              int64_t limit, int64_t offset) {
  Result<std::vector<db::Row>> rows = db_.QueryAll(
      fmt::format("SELECT {} FROM canteen_sale WHERE month = ? AND canteen_id = ? ORDER BY "
                  "sale_date DESC, sold_time DESC, id DESC LIMIT ? OFFSET ?",
                  kSaleColumns),
      {std::string(month), canteen_id, limit, offset});
  if (!rows.ok()) return rows.status();
  std::vector<Sale> out;
  for (const db::Row& r : *rows) out.push_back(SaleOfRow(r));
  return out;
}

Result<std::vector<Flag>> CanteenStore::Flags(std::string_view month, std::string_view status,
                                              int64_t canteen_id, int64_t limit) {
  std::string sql =
      "SELECT f.id, f.sale_id, f.canteen_id, f.kind, f.detail, f.status, f.reviewed_by, "
      "f.reviewed_on, s.id_number, s.sale_date, s.period, c.name, s.discount_fen + s.subsidy_fen "
      "FROM canteen_flag f JOIN canteen_sale s ON s.id = f.sale_id JOIN canteen_canteen c ON "
      "c.id = f.canteen_id WHERE 1 = 1";
  std::vector<db::Value> params;
  if (!month.empty()) {
    sql += " AND f.month = ?";
    params.emplace_back(std::string(month));
  }
  if (!status.empty()) {
    sql += " AND f.status = ?";
    params.emplace_back(std::string(status));
  }
  if (canteen_id != 0) {
    sql += " AND f.canteen_id = ?";
    params.emplace_back(canteen_id);
  }
  sql += " ORDER BY f.id LIMIT ?";
  params.emplace_back(limit);
  Result<std::vector<db::Row>> rows = db_.QueryAll(sql, params);
  if (!rows.ok()) return rows.status();
  std::vector<Flag> out;
  for (const db::Row& r : *rows) {
    Flag f;
    f.id = r.AsInt(0);
    f.sale_id = r.AsInt(1);
    f.canteen_id = r.AsInt(2);
    f.kind = r.AsText(3);
    f.detail = r.AsText(4);
    f.status = r.AsText(5);
    f.reviewed_by = r.AsText(6);
    f.reviewed_on = r.AsText(7);
    f.id_number = r.AsText(8);
    f.sale_date = r.AsText(9);
    f.period = r.AsText(10);
    f.canteen_name = r.AsText(11);
    f.benefit_fen = r.AsInt(12);
    out.push_back(std::move(f));
  }
  return out;
}

Result<std::optional<Flag>> CanteenStore::FindFlag(int64_t flag_id) {
  Result<std::vector<db::Row>> rows =
      db_.QueryAll("SELECT month, canteen_id FROM canteen_flag WHERE id = ?", {flag_id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<Flag>();
  Result<std::vector<Flag>> flags = Flags((*rows)[0].AsText(0), "", (*rows)[0].AsInt(1), 1000000);
  if (!flags.ok()) return flags.status();
  for (Flag& f : *flags) {
    if (f.id == flag_id) return std::optional<Flag>(std::move(f));
  }
  return std::optional<Flag>();
}

Status CanteenStore::ReviewFlag(int64_t flag_id, bool upheld, std::string_view by, CivilDate on) {
  return db::InTransaction(db_, [&]() -> Status {
    Result<std::vector<db::Row>> rows =
        db_.QueryAll("SELECT status FROM canteen_flag WHERE id = ?", {flag_id});
    if (!rows.ok()) return rows.status();
    if (rows->empty()) {
      return Status("canteen.flag_not_found", "没有这条待复核记录",
                    Location{.field = "flag", .value = std::to_string(flag_id)});
    }
    if ((*rows)[0].AsText(0) != "open") {
      return Status(ErrorCategory::kConflict, "canteen.flag_reviewed", "这条记录已复核过",
                    Location{.field = "flag", .value = std::to_string(flag_id)});
    }
    return db_.Execute(
        "UPDATE canteen_flag SET status = ?, reviewed_by = ?, reviewed_on = ? WHERE id = ?",
        {std::string(upheld ? "upheld" : "dismissed"), std::string(by), on.ToString(), flag_id});
  });
}

Result<Settlement> CanteenStore::Settle(std::string_view month, std::string_view region_prefix) {
  Settlement out;
  out.month = std::string(month);
  Result<std::vector<Canteen>> canteens = Canteens(region_prefix);
  if (!canteens.ok()) return canteens.status();
  std::map<int64_t, size_t> index;
  for (const Canteen& c : *canteens) {
    index[c.id] = out.canteens.size();
    CanteenMonth m;
    m.canteen_id = c.id;
    m.canteen_code = c.code;
    m.canteen_name = c.name;
    m.county = CountyOf(c.region);
    out.canteens.push_back(std::move(m));
  }
  const std::vector<db::Value> p = {std::string(month)};
  Status s = db_.Scan(
      "SELECT canteen_id, COUNT(*), SUM(market_fen), SUM(discount_fen), SUM(subsidy_fen), "
      "SUM(paid_fen), SUM(CASE WHEN discount_fen + subsidy_fen > 0 THEN 1 ELSE 0 END) FROM "
      "canteen_sale WHERE month = ? GROUP BY canteen_id",
      p, [&](const db::RowView& r) {
        auto it = index.find(r.Int(0));
        if (it == index.end()) return true;
        CanteenMonth& m = out.canteens[it->second];
        m.sales = r.Int(1);
        m.market_fen = r.Int(2);
        m.discount_fen = r.Int(3);
        m.subsidy_fen = r.Int(4);
        m.paid_fen = r.Int(5);
        m.meals_with_benefit = r.Int(6);
        return true;
      });
  if (!s.ok()) return s;
  s = db_.Scan(
      "SELECT canteen_id, COUNT(*) FROM canteen_flag WHERE month = ? AND status = 'open' GROUP "
      "BY canteen_id",
      p, [&](const db::RowView& r) {
        auto it = index.find(r.Int(0));
        if (it != index.end()) out.canteens[it->second].open_flags = r.Int(1);
        return true;
      });
  if (!s.ok()) return s;
  std::map<std::pair<int64_t, std::string>, StatementLine> lines;
  s = db_.Scan(
      "SELECT canteen_id, source, COUNT(*), SUM(fen) FROM canteen_sale_fund WHERE month = ? "
      "GROUP BY canteen_id, source",
      p, [&](const db::RowView& r) {
        auto it = index.find(r.Int(0));
        if (it == index.end()) return true;
        StatementLine& l = lines[{r.Int(0), std::string(r.Text(1))}];
        l.canteen_id = r.Int(0);
        l.source = std::string(r.Text(1));
        l.meals = r.Int(2);
        l.benefit_fen = r.Int(3);
        return true;
      });
  if (!s.ok()) return s;
  s = db_.Scan(
      "SELECT f.canteen_id, f.source, SUM(f.fen) FROM canteen_sale_fund f WHERE f.month = ? AND "
      "f.sale_id IN (SELECT g.sale_id FROM canteen_flag g WHERE g.month = ? AND g.status = "
      "'upheld') GROUP BY f.canteen_id, f.source",
      {std::string(month), std::string(month)}, [&](const db::RowView& r) {
        auto it = lines.find({r.Int(0), std::string(r.Text(1))});
        if (it != lines.end()) it->second.disallowed_fen = r.Int(2);
        return true;
      });
  if (!s.ok()) return s;
  std::map<int64_t, std::pair<std::string, std::string>> approvals;  // canteen -> (by, on)
  s = db_.Query(
      "SELECT canteen_id, approved_by, approved_on FROM canteen_statement WHERE month = ? "
      "AND status = 'approved'",
      p, [&](const db::Row& r) {
        approvals[r.AsInt(0)] = {r.AsText(1), r.AsText(2)};
        return true;
      });
  if (!s.ok()) return s;
  // Reconcile: per canteen, the sources' parts are the sales' benefits, and
  // every sale's market price is its benefit plus what the diner paid.
  std::map<int64_t, int64_t> parts;
  for (auto& [key, l] : lines) parts[key.first] += l.benefit_fen;
  for (const CanteenMonth& m : out.canteens) {
    int64_t benefit = m.discount_fen + m.subsidy_fen;
    if (parts[m.canteen_id] != benefit || m.market_fen != benefit + m.paid_fen) {
      return Status(ErrorCategory::kInternal, "canteen.reconcile",
                    fmt::format("{} {} 的结算不平：资金来源合计 {} 分，销售优惠与补贴合计 {} 分",
                                m.canteen_name, month, parts[m.canteen_id], benefit),
                    Location{.field = "canteen", .value = m.canteen_code});
    }
  }
  for (auto& [key, l] : lines) {
    const CanteenMonth& m = out.canteens[index[key.first]];
    l.canteen_code = m.canteen_code;
    l.canteen_name = m.canteen_name;
    l.county = m.county;
    l.claimed_fen = l.benefit_fen - l.disallowed_fen;
    l.open_flags = m.open_flags;
    auto a = approvals.find(key.first);
    l.status = a == approvals.end() ? "draft" : "approved";
    if (a != approvals.end()) {
      l.approved_by = a->second.first;
      l.approved_on = a->second.second;
    }
    out.lines.push_back(l);
  }
  std::sort(out.lines.begin(), out.lines.end(), [](const StatementLine& a, const StatementLine& b) {
    return std::tie(a.canteen_code, a.source) < std::tie(b.canteen_code, b.source);
  });
  std::map<std::pair<std::string, std::string>, Settlement::CountyLine> counties;
  for (const StatementLine& l : out.lines) {
    Settlement::CountyLine& c = counties[{l.county, l.source}];
    c.county = l.county;
    c.source = l.source;
    ++c.canteens;
    c.meals += l.meals;
    c.benefit_fen += l.benefit_fen;
    c.disallowed_fen += l.disallowed_fen;
    c.claimed_fen += l.claimed_fen;
  }
  for (auto& [key, c] : counties) {
    const Region* r = RegionTable::Builtin().Find(c.county);
    c.county_name = r ? r->name : "";
    out.counties.push_back(c);
  }
  return out;
}

Status CanteenStore::Approve(std::string_view month, int64_t canteen_id, std::string_view by,
                             CivilDate on) {
  return db::InTransaction(db_, [&]() -> Status {
    Result<std::vector<db::Row>> rows = db_.QueryAll(
        "SELECT (SELECT COUNT(*) FROM canteen_sale WHERE month = ? AND canteen_id = ?), (SELECT "
        "COUNT(*) FROM canteen_flag WHERE month = ? AND canteen_id = ? AND status = 'open')",
        {std::string(month), canteen_id, std::string(month), canteen_id});
    if (!rows.ok()) return rows.status();
    if ((*rows)[0].AsInt(0) == 0) {
      return Status("canteen.no_sales",
                    fmt::format("该食堂 {} 没有销售记录，无可审核的结算单", month),
                    Location{.field = "month", .value = std::string(month)});
    }
    if (int64_t open = (*rows)[0].AsInt(1); open > 0) {
      return Status(ErrorCategory::kConflict, "canteen.open_flags",
                    fmt::format("还有 {} 条异常待复核，复核完毕后才能审核结算单", open),
                    Location{.field = "month", .value = std::string(month)});
    }
    Result<std::vector<db::Row>> old =
        db_.QueryAll("SELECT status FROM canteen_statement WHERE month = ? AND canteen_id = ?",
                     {std::string(month), canteen_id});
    if (!old.ok()) return old.status();
    if (!old->empty()) {
      return Status(ErrorCategory::kConflict, "canteen.approved", "该结算单已审核",
                    Location{.field = "month", .value = std::string(month)});
    }
    return db_.Execute(
        "INSERT INTO canteen_statement (month, canteen_id, status, approved_by, approved_on, "
        "summary) VALUES (?, ?, 'approved', ?, ?, '')",
        {std::string(month), canteen_id, std::string(by), on.ToString()});
  });
}

}  // namespace yanglao::canteen
