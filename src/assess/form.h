// The form of GB/T 42195-2022 《老年人能力评估规范》: the 26 items of its
// four dimensions (Annex B), their points, and the five capability levels
// (Annex C). The facts were copied from the project's reference notes on the
// standard (public transcriptions of Annexes B and C; docs/assessment.md
// says which); where transcriptions disagree the rule is a setting (see
// scoring.h).
//
// The tables are static and immutable; safe to use from many threads.
#ifndef YANGLAO_ASSESS_FORM_H_
#define YANGLAO_ASSESS_FORM_H_

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace yanglao::assess {

inline constexpr size_t kItemCount = 26;
inline constexpr size_t kDimensionCount = 4;
inline constexpr int kMaxTotal = 90;
inline constexpr int kLevelCount = 5;  // 0 能力完好 .. 4 能力完全丧失

// One of the four dimensions (B.1 .. B.4).
struct Dimension {
  std::string_view clause;  // "B.1"
  std::string_view name;    // "自理能力"
  int max = 0;              // 32, 15, 28, 15
};

// One item of Annex B.
struct Item {
  std::string_view code;  // "B1.1": the item's number in Annex B, the key in form files
  size_t dimension = 0;   // index into Dimensions()
  std::string_view name;  // "进食"
  int max = 0;            // points of the best answer (1 to 4); answers are 0..max
  // The anchor text of each answer, by points; empty where the reference
  // gives none. Items marked "A" in the standard use the answer scale A.
  std::array<std::string_view, 5> anchors{};
};

// The four dimensions in Annex B order.
const std::array<Dimension, kDimensionCount>& Dimensions();
// The 26 items in Annex B order (B1.1 .. B4.5).
const std::array<Item, kItemCount>& Items();
// The index of the item numbered `code` ("B2.4"), or nullopt.
std::optional<size_t> FindItem(std::string_view code);

// A capability level (Annex C): 0 能力完好 .. 4 能力完全丧失.
struct Level {
  int level = 0;
  std::string_view name;        // "能力中度受损"
  std::string_view short_name;  // "中度失能"
  int min_total = 0;            // the total score band of the preliminary level
  int max_total = 0;
};
const std::array<Level, kLevelCount>& Levels();
// The preliminary level of a total score 0..90 (Annex C: 90 -> 0, 66-89 -> 1,
// 46-65 -> 2, 30-45 -> 3, 0-29 -> 4).
int LevelOfTotal(int total);
// "2 能力中度受损（中度失能）"; "?" for a level outside 0..4.
std::string_view LevelName(int level);
std::string LevelLabel(int level);

}  // namespace yanglao::assess

#endif  // YANGLAO_ASSESS_FORM_H_
