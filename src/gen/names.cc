#include "gen/names.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace yanglao::gen {
namespace {

struct Surname {
  std::string_view text;
  double percent;  // share of the population, roughly (公安部 surname rankings)
};

constexpr Surname kSurnames[] = {
    {"王", 7.1}, {"李", 7.0}, {"张", 6.6},    {"刘", 5.4}, {"陈", 4.6}, {"杨", 3.1}, {"黄", 2.4},
    {"赵", 2.3}, {"吴", 2.0}, {"周", 1.9},    {"徐", 1.5}, {"孙", 1.5}, {"马", 1.4}, {"朱", 1.3},
    {"胡", 1.3}, {"郭", 1.2}, {"何", 1.2},    {"林", 1.1}, {"高", 1.1}, {"罗", 1.1}, {"郑", 1.0},
    {"梁", 0.9}, {"谢", 0.8}, {"宋", 0.8},    {"唐", 0.8}, {"许", 0.7}, {"韩", 0.7}, {"冯", 0.7},
    {"邓", 0.7}, {"曹", 0.7}, {"彭", 0.6},    {"曾", 0.6}, {"肖", 0.6}, {"田", 0.6}, {"董", 0.5},
    {"袁", 0.5}, {"潘", 0.5}, {"于", 0.5},    {"蒋", 0.5}, {"蔡", 0.5}, {"余", 0.5}, {"杜", 0.5},
    {"叶", 0.4}, {"程", 0.4}, {"苏", 0.4},    {"魏", 0.4}, {"吕", 0.4}, {"丁", 0.4}, {"任", 0.4},
    {"沈", 0.4}, {"姚", 0.4}, {"卢", 0.3},    {"姜", 0.3}, {"崔", 0.3}, {"钟", 0.3}, {"谭", 0.3},
    {"陆", 0.3}, {"汪", 0.3}, {"范", 0.3},    {"金", 0.3}, {"石", 0.3}, {"廖", 0.3}, {"贾", 0.3},
    {"夏", 0.3}, {"韦", 0.3}, {"付", 0.2},    {"方", 0.2}, {"白", 0.2}, {"邹", 0.2}, {"孟", 0.2},
    {"熊", 0.2}, {"秦", 0.2}, {"邱", 0.2},    {"江", 0.2}, {"尹", 0.2}, {"薛", 0.2}, {"闫", 0.2},
    {"段", 0.2}, {"雷", 0.2}, {"侯", 0.2},    {"龙", 0.2}, {"史", 0.2}, {"陶", 0.2}, {"黎", 0.2},
    {"贺", 0.2}, {"顾", 0.2}, {"毛", 0.2},    {"郝", 0.2}, {"龚", 0.2}, {"邵", 0.2}, {"万", 0.2},
    {"钱", 0.2}, {"严", 0.2}, {"覃", 0.1},    {"武", 0.1}, {"戴", 0.1}, {"莫", 0.1}, {"孔", 0.1},
    {"向", 0.1}, {"汤", 0.1}, {"欧阳", 0.05},
};

constexpr std::string_view kMaleFirst[] = {
    "建", "国", "德", "志", "永", "明", "金", "学", "海", "春", "文", "光", "玉", "家", "长",
    "庆", "世", "中", "正", "兴", "守", "进", "成", "福", "仁", "良", "宏", "保", "秋", "树"};
constexpr std::string_view kMaleSecond[] = {
    "国", "华", "明", "军", "平", "林", "生", "强", "伟", "祥", "贵", "山", "清", "宝", "荣",
    "忠", "发", "才", "成", "福", "民", "安", "和", "胜", "富", "义", "东", "江", "勇", "新"};
constexpr std::string_view kFemaleFirst[] = {"秀", "桂", "玉", "淑", "凤", "翠", "素",
                                             "美", "金", "月", "春", "丽", "爱", "雪",
                                             "红", "云", "兰", "瑞", "佩", "惠"};
constexpr std::string_view kFemaleSecond[] = {"英", "兰", "珍", "芳", "华", "琴", "梅",
                                              "霞", "红", "莲", "萍", "云", "娟", "荣",
                                              "芬", "香", "凤", "花", "群", "敏"};
// Names given after events of the years around a birth.
struct EraName {
  int from, to;  // birth years
  std::string_view text;
  bool male;
};
constexpr EraName kEraNames[] = {
    {1949, 1951, "建国", true},  {1949, 1952, "国庆", true}, {1950, 1953, "援朝", true},
    {1958, 1960, "跃进", true},  {1964, 1970, "卫东", true}, {1966, 1970, "红兵", true},
    {1949, 1960, "建华", true},  {1949, 1965, "建军", true}, {1966, 1972, "卫红", false},
    {1960, 1975, "红梅", false}, {1949, 1960, "解放", true}, {1963, 1970, "学锋", true},
};

std::array<double, std::size(kSurnames)> SurnameCumulative() {
  std::array<double, std::size(kSurnames)> cum{};
  double total = 0;
  for (size_t i = 0; i < std::size(kSurnames); ++i) cum[i] = total += kSurnames[i].percent;
  for (double& c : cum) c /= total;
  return cum;
}

template <size_t N>
std::string_view Any(Rng& rng, const std::string_view (&pool)[N]) {
  return pool[rng.Below(N)];
}

}  // namespace

void AppendName(Rng& rng, bool male, int birth_year, std::string& out) {
  static const std::array<double, std::size(kSurnames)> cum = SurnameCumulative();
  double u = rng.Uniform();
  size_t i = static_cast<size_t>(std::upper_bound(cum.begin(), cum.end(), u) - cum.begin());
  out += kSurnames[std::min(i, std::size(kSurnames) - 1)].text;

  if (rng.Bernoulli(0.06)) {
    std::string_view era;
    int seen = 0;
    for (const EraName& e : kEraNames) {
      if (e.male == male && birth_year >= e.from && birth_year <= e.to &&
          rng.Below(static_cast<uint64_t>(++seen)) == 0) {
        era = e.text;
      }
    }
    if (!era.empty()) {
      out += era;
      return;
    }
  }
  if (rng.Bernoulli(0.2)) {  // a one-character given name
    out += male ? Any(rng, kMaleSecond) : Any(rng, kFemaleSecond);
    return;
  }
  out += male ? Any(rng, kMaleFirst) : Any(rng, kFemaleFirst);
  out += male ? Any(rng, kMaleSecond) : Any(rng, kFemaleSecond);
}

}  // namespace yanglao::gen
