#include "mptcpanalyzer/model/sequence_coverage.hpp"

#include <algorithm>

namespace mptcpanalyzer {

std::uint64_t SequenceCoverage::unwrap(std::uint32_t v) {
    if (!started_) {
        started_ = true;
        last_ = (std::uint64_t{1} << 32) + v;  // room below for slightly older segments
        return last_;
    }
    // The candidate with these low 32 bits nearest to the highest number seen so far.
    const std::uint64_t base = last_ & ~std::uint64_t{0xffffffff};
    std::uint64_t best = base + v;
    for (std::uint64_t cand : {base + v - (std::uint64_t{1} << 32), base + v + (std::uint64_t{1} << 32)}) {
        const auto d1 = cand > last_ ? cand - last_ : last_ - cand;
        const auto d0 = best > last_ ? best - last_ : last_ - best;
        if (d1 < d0) best = cand;
    }
    if (best > last_) last_ = best;
    return best;
}

std::uint64_t SequenceCoverage::add(std::uint32_t seq_raw, bool syn, std::uint32_t length,
                                    std::vector<Range>* already_covered) {
    const std::uint64_t s = unwrap(seq_raw + (syn ? 1U : 0U));
    if (length == 0) return 0;
    const std::uint64_t e = s + length;
    payload_ += length;
    lowest_ = any_payload_ ? std::min(lowest_, s) : s;
    highest_ = any_payload_ ? std::max(highest_, e) : e;
    any_payload_ = true;

    // Merge [s, e) with every covered range it overlaps or touches, counting the overlap.
    std::uint64_t seen = 0, ns = s, ne = e;
    auto it = ranges_.upper_bound(s);
    if (it != ranges_.begin()) --it;
    while (it != ranges_.end() && it->first <= e) {
        if (it->second < s) {
            ++it;
            continue;
        }
        const std::uint64_t os = std::max(s, it->first), oe = std::min(e, it->second);
        if (oe > os) {
            seen += oe - os;
            if (already_covered) already_covered->push_back({os - s, oe - s});
        }
        ns = std::min(ns, it->first);
        ne = std::max(ne, it->second);
        it = ranges_.erase(it);
    }
    ranges_.emplace(ns, ne);
    covered_ += length - seen;
    return seen;
}

std::uint64_t bytes_outside(std::uint64_t a, std::uint64_t b, const std::vector<SequenceCoverage::Range>& excluded) {
    std::uint64_t n = b - a;
    for (const auto& r : excluded) {
        const std::uint64_t s = std::max(a, r.start), e = std::min(b, r.end);
        if (e > s) n -= e - s;
    }
    return n;
}

}  // namespace mptcpanalyzer
