#pragma once
// Exact float rounding without libm calls, so that the per-step quantization loops vectorize
// on baseline x86-64 (std::nearbyint and std::floor are calls there). Valid for |x| < 2^22:
// adding and subtracting 1.5 x 2^23 leaves x rounded to an integer in the default rounding
// mode.

namespace trine::train {

// Half to even, as torch::round.
inline float round_even(float x) {
  return (x + 12582912.0f) - 12582912.0f;
}

// floor: round to nearest, then step down if that went above.
inline float floor_small(float x) {
  const float r = round_even(x);
  return r - static_cast<float>(r > x);
}

}  // namespace trine::train
