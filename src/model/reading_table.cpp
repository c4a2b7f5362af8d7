#include "kvant/model/reading_table.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <numeric>

namespace kvant {
inline namespace v0 {
namespace {

// Applies permutation `order` (row k of the result is row order[k]) to a column in place, by cycles, with
// one bit a row of scratch.
template <class T>
void permute(std::vector<T>& col, const std::vector<std::uint32_t>& order, std::vector<bool>& done) {
    if (col.empty()) return;
    done.assign(col.size(), false);
    for (std::size_t start = 0; start < col.size(); ++start) {
        if (done[start]) continue;
        T first = col[start];
        std::size_t k = start;
        while (true) {
            done[k] = true;
            const std::size_t from = order[k];
            if (from == start) {
                col[k] = first;
                break;
            }
            col[k] = col[from];
            k = from;
        }
    }
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

bool reading_table::check_grouped() const noexcept {
    // each (meter, channel) in one run, its times increasing strictly
    std::vector<std::uint8_t> seen;
    const std::size_t nc = channels_.size();
    for (std::size_t i = 0; i < size(); ++i) {
        if (i > 0 && meter_[i] == meter_[i - 1] && channel_[i] == channel_[i - 1]) {
            if (time_[i] <= time_[i - 1]) return false;
            continue;
        }
        const std::size_t key = std::size_t{meter_[i]} * nc + channel_[i];
        if (key >= seen.size()) seen.resize(std::max(key + 1, seen.size() * 2), 0);
        if (seen[key]) return false;
        seen[key] = 1;
    }
    return true;
}

void reading_table::sort() {
    if (grouped()) return;
    std::vector<std::uint32_t> order(size());
    std::iota(order.begin(), order.end(), std::uint32_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        if (meter_[a] != meter_[b]) return meter_[a] < meter_[b];
        if (channel_[a] != channel_[b]) return channel_[a] < channel_[b];
        return time_[a] < time_[b];
    });
    std::vector<bool> done;
    permute(meter_, order, done);
    permute(channel_, order, done);
    permute(time_, order, done);
    permute(value_, order, done);
    permute(source_, order, done);
    permute(accepted_, order, done);
    grouped_ = -1;
}

}  // namespace v0
}  // namespace kvant
