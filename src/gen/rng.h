// Deterministic random numbers for the generator (internal to src/gen).
//
// Every person draws from their own generator, seeded from the run's seed and
// the person's index, so a person's data does not depend on which thread or
// block produced it, and blocks can be generated in any order.
#ifndef YANGLAO_GEN_RNG_H_
#define YANGLAO_GEN_RNG_H_

#include <cstdint>
#include <span>

namespace yanglao::gen {

// SplitMix64: a good 64-bit mixing function (Steele, Lea, Flood 2014).
inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// A well-mixed 64-bit value from two inputs (seed and index, say).
inline uint64_t Mix(uint64_t a, uint64_t b) {
  uint64_t s = a ^ (b * 0xD1B54A32D192ED03ULL);
  SplitMix64(s);
  return SplitMix64(s);
}

// xoshiro256** (Blackman, Vigna): fast, small state, passes BigCrush. Not
// for cryptography. Not thread-safe; one per person or per thread.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& s : s_) s = SplitMix64(seed);
  }

  uint64_t Next() {
    uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // True with probability p.
  bool Bernoulli(double p) { return Uniform() < p; }
  // Uniform integer in [0, n); n > 0.
  uint64_t Below(uint64_t n) {
    // Lemire's multiply-shift: the high half of a 64x64-bit product.
    __extension__ using Wide = unsigned __int128;
    return static_cast<uint64_t>((static_cast<Wide>(Next()) * n) >> 64);
  }
  // Uniform integer in [lo, hi]; lo <= hi.
  int Between(int lo, int hi) {
    return lo + static_cast<int>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }
  // Index i with probability weights[i] / sum(weights); weights not all zero.
  size_t Pick(std::span<const double> weights) {
    double total = 0;
    for (double w : weights) total += w;
    double u = Uniform() * total;
    for (size_t i = 0; i + 1 < weights.size(); ++i) {
      if (u < weights[i]) return i;
      u -= weights[i];
    }
    return weights.size() - 1;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace yanglao::gen

#endif  // YANGLAO_GEN_RNG_H_
