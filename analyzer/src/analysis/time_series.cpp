#include "mptcpanalyzer/analysis/time_series.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <iterator>
#include <cstdlib>
#include <string>

namespace mptcpanalyzer {
namespace {

std::vector<TimedBytes> sorted_by_time(std::span<const TimedBytes> events) {
    std::vector<TimedBytes> sorted(events.begin(), events.end());
    // Stable: equal times keep capture order (the sums do not depend on it, determinism does).
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const TimedBytes& a, const TimedBytes& b) { return a.time_ns < b.time_ns; });
    return sorted;
}

}  // namespace

std::vector<RatePoint> fixed_window_rate(std::span<const TimedBytes> events, std::int64_t start_ns,
                                         std::int64_t end_ns, std::int64_t window_ns) {
    std::vector<RatePoint> out;
    if (window_ns <= 0 || end_ns < start_ns) return out;
    const std::int64_t count = (end_ns - start_ns) / window_ns + 1;
    std::vector<std::uint64_t> bytes(static_cast<std::size_t>(count), 0);
    for (const auto& e : events) {
        if (e.time_ns < start_ns || e.time_ns > end_ns) continue;
        bytes[static_cast<std::size_t>((e.time_ns - start_ns) / window_ns)] += e.bytes;
    }
    const double seconds = static_cast<double>(window_ns) / 1e9;
    out.reserve(bytes.size());
    for (std::size_t k = 0; k < bytes.size(); ++k) {
        out.push_back({start_ns + static_cast<std::int64_t>(k) * window_ns, static_cast<double>(bytes[k]) / seconds});
    }
    return out;
}

std::vector<RatePoint> sliding_window_rate(std::span<const TimedBytes> events, std::int64_t start_ns,
                                           std::int64_t end_ns, std::int64_t window_ns, std::int64_t step_ns) {
    std::vector<RatePoint> out;
    if (window_ns <= 0 || step_ns <= 0 || step_ns > window_ns || end_ns < start_ns) return out;
    const std::vector<TimedBytes> sorted = sorted_by_time(events);
    const double seconds = static_cast<double>(window_ns) / 1e9;
    std::size_t enter = 0, leave = 0;  // events [leave, enter) are inside the window
    while (enter < sorted.size() && sorted[enter].time_ns < start_ns) ++enter;
    leave = enter;
    std::uint64_t inside = 0;
    for (std::int64_t t = start_ns; t < end_ns + window_ns; t += step_ns) {
        // (t - window, t]: add events up to t (never past `end`), drop those at or before t - window.
        while (enter < sorted.size() && sorted[enter].time_ns <= t && sorted[enter].time_ns <= end_ns) {
            inside += sorted[enter++].bytes;
        }
        while (leave < enter && sorted[leave].time_ns <= t - window_ns) inside -= sorted[leave++].bytes;
        out.push_back({t, static_cast<double>(inside) / seconds});
    }
    return out;
}

std::int64_t auto_window_ns(std::int64_t duration_ns, int target_windows) {
    const double ideal = static_cast<double>(std::max<std::int64_t>(duration_ns, 0)) / std::max(target_windows, 1);
    std::int64_t best = 1'000'000;  // 1 ms: below that, capture timestamps and batching dominate
    for (std::int64_t decade = 1'000'000; decade <= 1'000'000'000'000'000LL / 1000; decade *= 10) {
        for (std::int64_t m : {1, 2, 5}) {
            if (static_cast<double>(decade * m) <= ideal) best = decade * m;
        }
        if (static_cast<double>(decade) > ideal) break;
    }
    return best;
}

std::int64_t sliding_step_ns(std::int64_t window_ns) {
    for (std::int64_t k : {10, 8, 5, 4, 2}) {
        if (window_ns % k == 0) return window_ns / k;
    }
    return window_ns;
}

std::int64_t parse_duration_ns(std::string_view text) {
    std::size_t unit = 0;
    while (unit < text.size() && (std::isdigit(static_cast<unsigned char>(text[unit])) || text[unit] == '.')) ++unit;
    if (unit == 0 || unit == text.size()) return -1;
    const std::string number(text.substr(0, unit));
    const std::string_view suffix = text.substr(unit);
    char* end = nullptr;
    const double value = std::strtod(number.c_str(), &end);
    if (end != number.c_str() + number.size() || !std::isfinite(value)) return -1;
    double scale = 0;
    if (suffix == "ns") scale = 1;
    else if (suffix == "us") scale = 1e3;
    else if (suffix == "ms") scale = 1e6;
    else if (suffix == "s") scale = 1e9;
    else return -1;
    const double ns = std::round(value * scale);
    if (ns < 1 || ns > 1e17) return -1;
    return static_cast<std::int64_t>(ns);
}

std::uint64_t ByteRangeUnion::add(std::uint64_t start, std::uint64_t end) {
    if (end <= start) return 0;
    std::uint64_t fresh = end - start;
    // Merge with every range that overlaps or touches [start, end).
    auto it = ranges_.upper_bound(start);
    if (it != ranges_.begin() && std::prev(it)->second >= start) --it;
    std::uint64_t merged_start = start, merged_end = end;
    while (it != ranges_.end() && it->first <= end) {
        const std::uint64_t overlap_start = std::max(it->first, start), overlap_end = std::min(it->second, end);
        if (overlap_end > overlap_start) fresh -= overlap_end - overlap_start;
        merged_start = std::min(merged_start, it->first);
        merged_end = std::max(merged_end, it->second);
        it = ranges_.erase(it);
    }
    ranges_.emplace(merged_start, merged_end);
    covered_ += fresh;
    return fresh;
}

std::vector<CdfPoint> empirical_cdf(std::vector<double> values) {
    std::vector<CdfPoint> out;
    std::sort(values.begin(), values.end());
    const double n = static_cast<double>(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i + 1 < values.size() && values[i + 1] == values[i]) continue;  // one point per distinct value
        out.push_back({values[i], static_cast<double>(i + 1) / n});
    }
    return out;
}

InterArrivals inter_arrival_times(std::span<const TaggedTime> packets) {
    InterArrivals out;
    std::map<std::uint32_t, std::int64_t> last_on_tag;
    for (std::size_t i = 0; i < packets.size(); ++i) {
        const auto& p = packets[i];
        if (auto it = last_on_tag.find(p.tag); it != last_on_tag.end()) {
            out.per_tag[p.tag].push_back(std::max<std::int64_t>(0, p.time_ns - it->second));
        } else {
            out.per_tag[p.tag];  // a path with one packet has no gap, but it exists
        }
        last_on_tag[p.tag] = p.time_ns;
        if (i > 0 && packets[i - 1].tag != p.tag) {
            out.switches.push_back(std::max<std::int64_t>(0, p.time_ns - packets[i - 1].time_ns));
        }
    }
    return out;
}

}  // namespace mptcpanalyzer
