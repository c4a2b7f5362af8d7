#include "kvant/model/reading_table.hpp"

#include <algorithm>
#include <atomic>
#include <limits>
#include <map>
#include <numeric>
#include <stdexcept>
#include <unordered_set>
#include <utility>

namespace kvant {
inline namespace v0 {
namespace {

// Applies permutation `order` (row k of the result is row order[k]) to a column: gathered into a new array
// (sequential writes, one column at a time, so the extra memory is one column's) rather than by cycles in
// place, whose scattered writes cost several times as much on a shuffled table.
template <class T>
void permute(std::vector<T>& col, const std::vector<std::uint32_t>& order) {
    if (col.empty()) return;
    std::vector<T> out(col.size());
    for (std::size_t k = 0; k < order.size(); ++k) out[k] = col[order[k]];
    col.swap(out);
}

}  // namespace

std::vector<reading> reading_table::to_readings() const {
    std::vector<reading> out;
    std::map<std::pair<std::uint32_t, std::int64_t>, std::size_t> at;
    for (std::size_t i = 0; i < size(); ++i) {
        auto [it, fresh] = at.try_emplace({meter_[i], time_[i]}, out.size());
        if (fresh) {
            reading r;
            r.meter = meters_[meter_[i]];
            r.time = from_unix(time_[i]);
            r.source = source(i);
            if (accepted_at(i) != missing_time) r.accepted = from_unix(accepted_at(i));
            out.push_back(std::move(r));
        }
        out[it->second].set(channels_[channel_[i]], decimal::from_raw(value_[i]));
    }
    return out;
}

void reading_table::map_main(std::span<const resource> resource_of_slot) {
    const channel electricity = channel::main(resource::electricity);
    std::vector<std::uint16_t> remap;  // per (resource, old channel slot); filled lazily
    constexpr std::size_t resources = 6;
    const std::size_t nc = channels_.size();
    remap.assign(resources * nc, 0xffff);
    for (std::size_t i = 0; i < size(); ++i) {
        const resource r =
            meter_[i] < resource_of_slot.size() ? resource_of_slot[meter_[i]] : resource::electricity;
        if (r == resource::electricity) continue;
        auto& to = remap[static_cast<std::size_t>(r) * nc + channel_[i]];
        if (to == 0xffff) {
            const channel c = channels_[channel_[i]];
            to = c.with_tariff(register_id::total) == electricity ? channel_slot(channel::main(r, c.tariff))
                                                                  : channel_[i];
        }
        channel_[i] = to;
    }
    grouped_ = -1;
}

bool reading_table::grouped() const noexcept {
    // const readers may ask at once: the memo is read and written atomically (they all write the same)
    std::atomic_ref<signed char> memo(grouped_);
    signed char g = memo.load(std::memory_order_relaxed);
    if (g < 0) {
        g = check_grouped() ? 1 : 0;
        memo.store(g, std::memory_order_relaxed);
    }
    return g == 1;
}

bool reading_table::check_grouped() const {
    // each (meter, channel) in one run, its times increasing strictly
    std::vector<std::uint8_t> seen_dense;
    std::unordered_set<std::size_t> seen_sparse;
    const bool dense = dense_series_keys();
    if (dense) seen_dense.assign(series_keys(), 0);
    for (std::size_t i = 0; i < size(); ++i) {
        if (i > 0 && meter_[i] == meter_[i - 1] && channel_[i] == channel_[i - 1]) {
            if (time_[i] <= time_[i - 1]) return false;
            continue;
        }
        const std::size_t key = series_key(i);
        if (dense ? std::exchange(seen_dense[key], std::uint8_t{1}) != 0 : !seen_sparse.insert(key).second)
            return false;
    }
    return true;
}

void reading_table::sort() {
    if (grouped()) return;
    if (size() > std::numeric_limits<std::uint32_t>::max())
        throw std::length_error("reading_table::sort: more than 2^32 rows");
    // A counting sort by (meter, channel) — linear, however shuffled the rows — then each series by time with
    // the row as the tie-break, which keeps the sort stable; then the permutation is applied column by
    // column.
    std::vector<std::uint32_t> order(size());
    if (!dense_series_keys()) {  // too many series for a counting array: a comparison sort, as stable
        std::iota(order.begin(), order.end(), std::uint32_t{0});
        std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
            if (meter_[a] != meter_[b]) return meter_[a] < meter_[b];
            if (channel_[a] != channel_[b]) return channel_[a] < channel_[b];
            return time_[a] < time_[b];
        });
        apply_order(order);
        return;
    }
    const std::size_t nc = std::max<std::size_t>(channels_.size(), 1);
    const std::size_t keys = series_keys();
    std::vector<std::uint32_t> start(keys + 1, 0);
    for (std::size_t i = 0; i < size(); ++i) ++start[std::size_t{meter_[i]} * nc + channel_[i] + 1];
    for (std::size_t k = 0; k < keys; ++k) start[k + 1] += start[k];
    {
        std::vector<std::uint32_t> next(start.begin(), start.end() - 1);
        for (std::size_t i = 0; i < size(); ++i)
            order[next[std::size_t{meter_[i]} * nc + channel_[i]]++] = static_cast<std::uint32_t>(i);
    }
    std::vector<std::pair<std::int64_t, std::uint32_t>> by_time;
    for (std::size_t k = 0; k < keys; ++k) {
        const auto b = order.begin() + start[k], e = order.begin() + start[k + 1];
        if (std::is_sorted(b, e, [&](std::uint32_t x, std::uint32_t y) { return time_[x] < time_[y]; }))
            continue;
        by_time.clear();
        for (auto it = b; it != e; ++it) by_time.emplace_back(time_[*it], *it);
        std::sort(by_time.begin(), by_time.end());
        for (std::size_t j = 0; j < by_time.size(); ++j)
            b[static_cast<std::ptrdiff_t>(j)] = by_time[j].second;
    }
    apply_order(order);
}

void reading_table::apply_order(const std::vector<std::uint32_t>& order) {
    permute(meter_, order);
    permute(channel_, order);
    permute(time_, order);
    permute(value_, order);
    permute(source_, order);
    permute(accepted_, order);
    grouped_ = -1;
}

}  // namespace v0
}  // namespace kvant
