#include "kvant/series/meter_series.hpp"

#include <algorithm>
#include <numeric>

namespace kvant {
inline namespace v0 {

std::vector<meter_series> meter_series::from_table(const reading_table& batch) {
    const auto& slot = batch.meter_index();
    const auto& t = batch.times();
    std::vector<std::size_t> order(batch.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return slot[a] != slot[b] ? slot[a] < slot[b] : t[a] < t[b];
    });
    std::vector<meter_series> out;
    out.reserve(batch.meters().size());
    for (const auto& serial : batch.meters()) out.emplace_back(serial);
    for (std::size_t k = 0; k < order.size(); ++k) {
        const std::size_t i = order[k];
        auto& s = out[slot[i]];
        if (!s.time_.empty() && s.time_.back() == t[i]) {
            const std::size_t prev = order[k - 1];
            bool same = true;
            for (std::size_t r = 0; r < register_count; ++r)
                same = same && batch.values(static_cast<register_id>(r))[i] ==
                                   batch.values(static_cast<register_id>(r))[prev];
            if (same) continue;
            throw validation_error(errc::duplicate,
                                   "meter " + s.serial_ + " has two different readings at " + to_string(from_unix(t[i])) +
                                       " (rows " + std::to_string(prev + 1) + " and " + std::to_string(i + 1) + ")",
                                   location{"", 0, "timestamp", -1});
        }
        s.time_.push_back(t[i]);
        for (std::size_t r = 0; r < register_count; ++r)
            s.values_[r].push_back(batch.values(static_cast<register_id>(r))[i]);
    }
    return out;
}

void meter_series::push(std::int64_t unix_time, const std::array<std::int64_t, register_count>& values) {
    if (!time_.empty() && unix_time <= time_.back())
        throw validation_error(errc::validation, "meter " + serial_ + ": reading at " + to_string(from_unix(unix_time)) +
                                                     " is not after the previous one");
    time_.push_back(unix_time);
    for (std::size_t r = 0; r < register_count; ++r) values_[r].push_back(values[r]);
    for (auto& c : compacted_) c = {};
}

bool meter_series::has(register_id r) const noexcept {
    const auto& v = values_[static_cast<std::size_t>(r)];
    return std::any_of(v.begin(), v.end(), [](std::int64_t x) { return x != decimal::missing_raw; });
}

register_series meter_series::view(register_id r) const {
    const auto& v = values_[static_cast<std::size_t>(r)];
    if (std::none_of(v.begin(), v.end(), [](std::int64_t x) { return x == decimal::missing_raw; }))
        return {time_, v};
    auto& c = compacted_[static_cast<std::size_t>(r)];
    if (!c.built) {
        for (std::size_t i = 0; i < v.size(); ++i)
            if (v[i] != decimal::missing_raw) {
                c.time.push_back(time_[i]);
                c.value.push_back(v[i]);
            }
        c.built = true;
    }
    return {c.time, c.value};
}

}  // namespace v0
}  // namespace kvant
