// Routes of the citizen page (养老顾问): an older person or their family
// asks what the person is entitled to, without an account. They give the ID
// number; a one-time code goes to the mobile number on record; the code
// opens the advice once.
//
// Nothing here tells whether a number is registered: the code request
// answers the same way whether or not a code was sent, and a wrong code,
// an unknown challenge and a number without a phone fail alike. Requests
// for codes are limited per ID number and per address, guesses per
// challenge.
#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>

#include "core/id_number.h"
#include "core/money.h"
#include "core/region.h"
#include "entitle/advisor.h"
#include "registry/feed_template.h"
#include "server/api_util.h"
#include "server/app.h"
#include "server/web_routes.h"

namespace yanglao::server {

namespace json = boost::json;
using http::verb;

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kCodesPerNumber = 3;    // per window
constexpr int kCodesPerAddress = 20;  // per window
constexpr std::chrono::seconds kWindow{15 * 60};
constexpr std::chrono::minutes kCodeLife{30};
constexpr int kGuessesPerCode = 5;
constexpr size_t kMaxChallenges = 100000;
std::atomic<size_t> challenge_limit{kMaxChallenges};

// The demo sender: the message goes to the server log.
class LogSmsSender : public SmsSender {
 public:
  Status Send(std::string_view phone, std::string_view text) override {
    fmt::print(stderr, "【短信（演示，未真正发送）】发往 {}：{}\n", registry::MaskPhone(phone),
               text);
    std::fflush(stderr);
    return Status::Ok();
  }
};

std::mutex sender_mu;
std::shared_ptr<SmsSender>& SenderSlot() {
  static std::shared_ptr<SmsSender> sender = std::make_shared<LogSmsSender>();
  return sender;
}
std::shared_ptr<SmsSender> Sender() {
  std::lock_guard lock(sender_mu);
  return SenderSlot();
}

struct Challenge {
  std::string id_number;
  std::string code;  // empty: nothing was sent, no code matches
  Clock::time_point expires;
  int guesses = 0;
};

// Challenges and throttles of one server.
struct CitizenState {
  std::mutex mu;
  std::map<std::string, Challenge> challenges;  // by challenge token
  LoginThrottle per_number{kCodesPerNumber, kWindow};
  LoginThrottle per_address{kCodesPerAddress, kWindow};

  void DropExpired(Clock::time_point now) {
    std::erase_if(challenges, [&](const auto& kv) { return kv.second.expires <= now; });
  }
};

std::string SixDigits() { return fmt::format("{:06d}", randombytes_uniform(1000000)); }

bool IsMobile(std::string_view phone) {
  return phone.size() == 11 && phone[0] == '1' &&
         std::all_of(phone.begin(), phone.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Result<std::string> IdField(Call& call, const json::object& body) {
  Result<std::optional<std::string>> text = StringField(body, "id_number");
  if (!text.ok()) return text.status();
  if (!text->has_value() || (*text)->empty()) {
    return Status("request.field", "请填写身份证号码", Location{.field = "id_number"});
  }
  Result<IdNumber> id = ParseIdNumber(**text, RegionTable::Builtin(), call.app.Today());
  if (!id.ok()) {
    return Status(id.status().code(), id.status().message(),
                  Location{.field = "id_number", .value = MaskIdNumber(**text)});
  }
  return id->value;
}

Result<Reply> RequestCode(CitizenState& state, Call& call) {
  Result<json::object> body = call.JsonBody();
  if (!body.ok()) return body.status();
  Result<std::string> id = IdField(call, *body);
  if (!id.ok()) return id.status();
  const std::string number_key = "n:" + *id, address_key = "a:" + call.remote;
  int64_t locked =
      std::max(state.per_number.LockedFor(number_key), state.per_address.LockedFor(address_key));
  if (locked > 0) {
    call.Audit("citizen.code", *id, "denied", {{"reason", "throttled"}});
    return Status("auth.throttled",
                  fmt::format("获取验证码太频繁了，请 {} 分钟后再试", (locked + 59) / 60),
                  Location{.field = "retry_after_seconds", .value = std::to_string(locked)});
  }
  state.per_number.Failed(number_key);
  state.per_address.Failed(address_key);

  Result<std::optional<registry::PersonView>> person =
      call.registry->Person(*id, call.app.Today(), call.app.Today());
  if (!person.ok()) return person.status();
  std::string phone;
  if (person->has_value() && !(*person)->deceased_on(call.app.Today())) {
    auto it = (*person)->facts.find("phone");
    if (it != (*person)->facts.end() && IsMobile(it->second.value)) phone = it->second.value;
  }
  Challenge c;
  c.id_number = *id;
  c.expires = Clock::now() + kCodeLife;
  if (!phone.empty()) c.code = SixDigits();
  std::string token = RandomToken(16);
  {
    std::lock_guard lock(state.mu);
    state.DropExpired(Clock::now());
    if (state.challenges.size() >= challenge_limit.load()) {
      // Unavailable (503), not our failure: the client may try again later.
      return Status("server.busy", "服务繁忙，请稍后再试");
    }
    state.challenges[token] = c;
  }
  if (!c.code.empty()) {
    Status sent = Sender()->Send(
        phone, fmt::format("【养老顾问】您的验证码是 {}，{} 分钟内有效。身份证号码 {}。"
                           "如非本人或家人操作，请忽略。",
                           c.code, kCodeLife.count(), MaskIdNumber(*id)));
    if (!sent.ok()) fmt::print(stderr, "yanglao serve: 短信发送失败：{}\n", sent.ToString());
  }
  call.Audit("citizen.code", *id, "ok", {{"sent", !c.code.empty()}});
  json::object o;
  o["challenge"] = token;
  o["code_length"] = 6;
  o["message"] =
      "如果这个身份证号码在本市登记了手机号码，验证码已经用短信发到这个手机上。"
      "请查看短信，输入6位验证码。";
  return Reply::Json(o);
}

// "湖北省 随州市 曾都区 西城街道 …" -> the offices to contact, nearest first.
json::array Contacts(std::string_view residence) {
  json::array out;
  const RegionTable& regions = RegionTable::Builtin();
  const Region* r = regions.Find(residence);
  std::vector<const Region*> chain;
  for (; r != nullptr;
       r = r->parent < 0 ? nullptr : &regions.all()[static_cast<size_t>(r->parent)]) {
    chain.push_back(r);
  }
  for (const Region* x : chain) {
    std::string who;
    if (x->code.size() == 12) {
      who = x->name + "（社区居民委员会或村民委员会）";
    } else if (x->code.size() == 9) {
      who = x->name + " 便民服务中心（民政）";
    } else if (x->code.size() == 6) {
      who = x->name + " 民政局";
    } else {
      continue;
    }
    out.push_back(json::string(who));
  }
  out.push_back(json::string("政务服务便民热线 12345"));
  return out;
}

// The served list whose jurisdiction is nearest above `region`.
const ServedList* ListFor(const App& app, std::string_view region) {
  const ServedList* best = nullptr;
  size_t best_len = 0;
  for (const auto& [name, l] : app.lists()) {
    if (!l.version.loaded.ok()) continue;
    const Region* j = RegionTable::Builtin().Find(l.list().jurisdiction);
    const std::string& code = j != nullptr ? j->code : l.list().jurisdiction;
    if (region.starts_with(code) && code.size() > best_len) {
      best = &l;
      best_len = code.size();
    }
  }
  return best;
}

Result<Reply> CitizenAdvice(CitizenState& state, Call& call) {
  Result<json::object> body = call.JsonBody();
  if (!body.ok()) return body.status();
  Result<std::optional<std::string>> token = StringField(*body, "challenge");
  Result<std::optional<std::string>> code = StringField(*body, "code");
  if (!token.ok()) return token.status();
  if (!code.ok()) return code.status();
  const Status wrong("citizen.code", "验证码不对或已经失效，请核对短信，或重新获取验证码",
                     Location{.field = "code"});
  if (!token->has_value() || !code->has_value()) return wrong;
  std::string id;
  {
    std::lock_guard lock(state.mu);
    state.DropExpired(Clock::now());
    auto it = state.challenges.find(**token);
    if (it == state.challenges.end()) return wrong;
    Challenge& c = it->second;
    const bool match = !c.code.empty() && (*code)->size() == c.code.size() &&
                       sodium_memcmp((*code)->data(), c.code.data(), c.code.size()) == 0;
    if (!match) {
      if (++c.guesses >= kGuessesPerCode) state.challenges.erase(it);
      call.Audit("citizen.advice", c.id_number, "failed", {{"reason", "code"}});
      return wrong;
    }
    id = c.id_number;
    state.challenges.erase(it);  // one time
  }
  const CivilDate today = call.app.Today();
  Result<std::optional<registry::PersonView>> person = call.registry->Person(id, today, today);
  if (!person.ok()) return person.status();
  if (!person->has_value()) return wrong;
  std::string residence;
  if (auto it = (*person)->facts.find("residence_region"); it != (*person)->facts.end()) {
    residence = it->second.value;
  }
  const ServedList* list = ListFor(call.app, residence.empty() ? id.substr(0, 6) : residence);
  if (list == nullptr) {
    return Status("list.not_found", "您所在的地区还没有接入养老顾问，请拨打 12345 咨询");
  }
  const Month month = Month::Of(today);
  Result<entitle::Advice> advice = entitle::Advise(*call.registry, list->list(), id, month, today);
  if (!advice.ok()) return advice.status();
  const policy::ServiceList& sl = list->list();
  json::object o;
  o["name"] = advice->name;
  o["id_number"] = MaskIdNumber(id);
  o["list_title"] = sl.title;
  o["month"] = month.ToString();
  o["residence"] = RegionJson(residence);
  json::array entitled, others;
  int64_t monthly = 0;
  for (size_t i = 0; i < advice->items.size() && i < sl.items.size(); ++i) {
    const policy::Item& item = sl.items[i];
    const policy::ItemOutcome& out = advice->items[i];
    json::object it;
    it["item"] = item.number;
    it["name"] = item.name;
    it["content"] = item.content;
    it["benefit"] = policy::BenefitTypeName(item.benefit.type);
    json::array departments;
    for (const std::string& d : item.departments) departments.emplace_back(d);
    it["departments"] = std::move(departments);
    json::array why;
    for (const std::string& w : out.why) why.emplace_back(w);
    it["why"] = std::move(why);
    if (!out.entitled) {
      it["excluded"] = out.excluded;
      others.push_back(std::move(it));
      continue;
    }
    if (item.benefit.type == policy::BenefitType::kCash) {
      it["amount"] = policy::FormatCash(item, out.amount);
      if (item.benefit.period == policy::CashPeriod::kMonth) monthly += out.amount;
    } else if (item.benefit.type == policy::BenefitType::kDiscount) {
      it["amount"] = fmt::format("优惠 {}%", out.percent);
    } else if (item.benefit.type == policy::BenefitType::kService) {
      it["amount"] = policy::ServiceFrequency(item.benefit.per, item.benefit.times);
    }
    entitled.push_back(std::move(it));
  }
  o["entitled"] = std::move(entitled);
  o["not_entitled_count"] = others.size();
  o["monthly_cash_yuan"] = Money::Fen(monthly).FormatYuan();
  json::array upcoming;
  for (const entitle::Upcoming& u : advice->upcoming) {
    upcoming.push_back({{"date", u.event_date.ToString()}, {"text", u.text}});
  }
  o["upcoming"] = std::move(upcoming);
  o["contacts"] = Contacts(residence);
  call.Audit("citizen.advice", id, "ok", {{"list", list->name}, {"month", month.ToString()}});
  return Reply::Json(o);
}

}  // namespace

void SetSmsSender(std::shared_ptr<SmsSender> sender) {
  std::lock_guard lock(sender_mu);
  SenderSlot() = sender != nullptr ? std::move(sender) : std::make_shared<LogSmsSender>();
}

void SetCitizenChallengeLimit(size_t limit) {
  challenge_limit.store(limit == 0 ? kMaxChallenges : limit);
}

void AddCitizenRoutes(App& app, Router& router) {
  (void)app;
  auto state = std::make_shared<CitizenState>();
  router.Add(verb::post, "/api/v1/citizen/code", {.open = true, .blocking = true},
             [state](Call& call) { return RequestCode(*state, call); });
  router.Add(verb::post, "/api/v1/citizen/advice", {.open = true, .blocking = true},
             [state](Call& call) { return CitizenAdvice(*state, call); });
}

}  // namespace yanglao::server
