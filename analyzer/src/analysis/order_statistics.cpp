#include "mptcpanalyzer/analysis/order_statistics.hpp"

#include <algorithm>

namespace mptcpanalyzer {

std::int64_t nearest_rank(const std::vector<std::int64_t>& sorted, int percent) {
    // rank = ceil(percent * n / 100), at least 1.
    const std::size_t n = sorted.size();
    std::size_t rank = (static_cast<std::size_t>(percent) * n + 99) / 100;
    rank = std::clamp<std::size_t>(rank, 1, n);
    return sorted[rank - 1];
}

}  // namespace mptcpanalyzer
