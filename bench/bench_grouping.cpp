// Column combining's grouping time on layers of VGG's shapes (issue 27): 3x3 convolutions of
// 64, 256 and 512 input channels (576, 2304 and 4608 columns) with as many filters, pruned to
// a sparsity at random; the authors' merge and trine's first-fit, alpha 8, gamma 0.5.
// Usage: bench_grouping [sparsity]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "sim/net/weights.hpp"

using namespace trine;

int main(int argc, char** argv) {
  const double sparsity = argc > 1 ? std::atof(argv[1]) : 0.8;
  std::printf("%8s %8s %10s %12s %8s %12s %8s\n", "rows", "columns", "nonzero", "merge s", "groups",
              "first-fit s", "groups");
  for (const int64_t channels : {64, 256, 512}) {
    const int64_t rows = channels, cols = channels * 9;
    std::mt19937 rng(7);
    std::bernoulli_distribution keep(1 - sparsity);
    std::vector<uint8_t> nz(static_cast<size_t>(rows * cols));
    int64_t nonzero = 0;
    for (auto& v : nz) nonzero += v = keep(rng);
    for (const net::ColumnGrouping g :
         {net::ColumnGrouping::Merge, net::ColumnGrouping::FirstFit}) {
      const auto start = std::chrono::steady_clock::now();
      const auto groups = net::combine_columns(g, nz, rows, cols, 8, 0.5);
      const double s =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (g == net::ColumnGrouping::Merge)
        std::printf("%8lld %8lld %10lld %12.3f %8zu", static_cast<long long>(rows),
                    static_cast<long long>(cols), static_cast<long long>(nonzero), s,
                    groups.size());
      else
        std::printf(" %12.3f %8zu\n", s, groups.size());
    }
  }
  return 0;
}
