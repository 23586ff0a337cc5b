#include "assess/form.h"

#include <fmt/format.h>

namespace yanglao::assess {
namespace {

// Answer scale "A" of Annex B, for the items the standard marks A.
constexpr std::array<std::string_view, 5> kScaleA = {
    "完全依赖且不能配合", "主要依靠他人协助、能配合", "需协助但以自身为主", "他人指导或提示下完成",
    "独立完成"};

constexpr Item A(std::string_view code, size_t dimension, std::string_view name) {
  return Item{code, dimension, name, 4, kScaleA};
}

}  // namespace

const std::array<Dimension, kDimensionCount>& Dimensions() {
  static constexpr std::array<Dimension, kDimensionCount> kDimensions = {{
      {"B.1", "自理能力", 32},
      {"B.2", "基础运动能力", 15},
      {"B.3", "精神状态", 28},
      {"B.4", "感知觉与社会参与", 15},
  }};
  return kDimensions;
}

// GB/T 42195-2022 Annex B, tables B.1 to B.4 (anchors as far as the
// reference notes give them: anchors[points]).
const std::array<Item, kItemCount>& Items() {
  static constexpr std::array<Item, kItemCount> kItems = {{
      // B.1 自理能力
      {"B1.1", 0, "进食", 4, {"完全依赖、吞咽困难或留置营养管", "", "", "", "独立进食、无呛咳"}},
      A("B1.2", 0, "修饰"),
      A("B1.3", 0, "洗澡"),
      A("B1.4", 0, "穿/脱上衣"),
      A("B1.5", 0, "穿/脱裤子和鞋袜"),
      {"B1.6", 0, "小便控制", 4, {"失禁或留置导尿管", "", "", "", "正常"}},
      {"B1.7", 0, "大便控制", 4, {"严重便秘或完全失禁", "", "", "", "正常"}},
      A("B1.8", 0, "如厕"),
      // B.2 基础运动能力
      A("B2.1", 1, "床上体位转移"),
      A("B2.2", 1, "床椅转移"),
      {"B2.3", 1, "平地行走", 4, {"完全不能步行", "", "", "", "独立行走约50 m"}},
      {"B2.4", 1, "上下楼梯", 3, {"主要或完全依赖他人", "", "", "独立上下10-15级台阶", ""}},
      // B.3 精神状态
      {"B3.1", 2, "时间定向", 4, {"无时间观念", "", "", "", "年、月清楚"}},
      {"B3.2", 2, "空间定向", 4, {"无空间观念", "", "", "", "能单独外出"}},
      {"B3.3", 2, "人物定向", 4, {"谁都不认识", "", "", "", "认识同住者并知道关系"}},
      {"B3.4", 2, "记忆", 4, {"记忆完全紊乱", "", "", "", "回忆完整"}},
      {"B3.5", 2, "理解能力", 4, {"完全不能理解", "", "", "", "理解正常"}},
      {"B3.6", 2, "表达能力", 4, {"完全不能表达", "", "", "", "表达正常"}},
      {"B3.7", 2, "攻击行为", 1, {"近一个月内出现过", "未出现", "", "", ""}},
      {"B3.8", 2, "抑郁症状", 1, {"近一个月内出现过负性情绪", "未出现", "", "", ""}},
      {"B3.9", 2, "意识水平", 2, {"昏睡或昏迷", "嗜睡或意识模糊", "清醒", "", ""}},
      // B.4 感知觉与社会参与
      {"B4.1", 3, "视力", 2, {"只能看到光、颜色、形状或失明", "受限", "正常", "", ""}},
      {"B4.2", 3, "听力", 2, {"大声才部分听见或失聪", "受限", "正常", "", ""}},
      A("B4.3", 3, "执行日常事务"),
      {"B4.4",
       3,
       "使用交通工具外出",
       3,
       {"只能在协助下乘车或不能出门", "", "", "自己骑车或乘公交", ""}},
      {"B4.5", 3, "社会交往能力", 4, {"不能与人交往", "", "", "", "待人接物恰当"}},
  }};
  return kItems;
}

std::optional<size_t> FindItem(std::string_view code) {
  const auto& items = Items();
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].code == code) return i;
  }
  return std::nullopt;
}

// GB/T 42195-2022 Annex C: the total score to the preliminary level.
const std::array<Level, kLevelCount>& Levels() {
  static constexpr std::array<Level, kLevelCount> kLevels = {{
      {0, "能力完好", "能力完好", 90, 90},
      {1, "能力轻度受损", "轻度失能", 66, 89},
      {2, "能力中度受损", "中度失能", 46, 65},
      {3, "能力重度受损", "重度失能", 30, 45},
      {4, "能力完全丧失", "完全失能", 0, 29},
  }};
  return kLevels;
}

int LevelOfTotal(int total) {
  for (const Level& l : Levels()) {
    if (total >= l.min_total && total <= l.max_total) return l.level;
  }
  return total > kMaxTotal ? 0 : 4;
}

std::string_view LevelName(int level) {
  if (level < 0 || level >= kLevelCount) return "?";
  return Levels()[static_cast<size_t>(level)].name;
}

std::string LevelLabel(int level) {
  if (level < 0 || level >= kLevelCount) return fmt::format("{} ?", level);
  const Level& l = Levels()[static_cast<size_t>(level)];
  if (l.level == 0) return fmt::format("{} {}", l.level, l.name);
  return fmt::format("{} {}（{}）", l.level, l.name, l.short_name);
}

}  // namespace yanglao::assess
