#pragma once
// Nearest-rank percentiles, shared by every report of delay distributions (owd, reordering):
// the p-th percentile of n sorted values is the value of rank ceil(p / 100 * n) (1-based), so it
// is always one of the measured values and exact in integers.

#include <cstdint>
#include <vector>

namespace mptcpanalyzer {

// The nearest-rank percentile of sorted, non-empty `values` (0 < percent <= 100).
std::int64_t nearest_rank(const std::vector<std::int64_t>& sorted, int percent);

}  // namespace mptcpanalyzer
