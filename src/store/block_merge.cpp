#include "block_merge.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <utility>

#include "kvant/core/text.hpp"
#include "kvant/model/channel.hpp"
#include "kvant/model/enums.hpp"

namespace kvant {
inline namespace v0 {
namespace detail {

namespace {
/// Reading sources: 0..3.
constexpr std::int64_t max_source = static_cast<std::int64_t>(reading_source_text.names.size()) - 1;

/// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}
}  // namespace

int month_of(std::int64_t t) noexcept {
    std::int64_t z = (t >= 0 ? t / 86400 : (t - 86399) / 86400) + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
    return static_cast<int>((y - 1970) * 12 + static_cast<std::int64_t>(m) - 1);
}

std::int64_t month_start(std::int64_t month) noexcept {
    return days_from_civil(1970 + month / 12, static_cast<unsigned>(month % 12) + 1, 1) * 86400;
}

std::string month_text(std::int64_t month) {
    if (month < 0 || month >= block_month_count)
        return std::to_string(month) + " (not a month of 1970..2099)";
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d", static_cast<int>(1970 + month / 12),
                  static_cast<int>(month % 12) + 1);
    return buf;
}

std::string channel_text(std::int64_t code) {
    const auto c =
        code >= 0 && code <= 0xffffffff ? channel::from_code(static_cast<std::uint32_t>(code)) : std::nullopt;
    return c ? to_string(*c) : "code " + std::to_string(code) + " (not a channel)";
}

std::string block_name(std::string_view serial, std::int64_t code, std::int64_t month) {
    return "readings block of meter " + excerpt(serial) + " channel " + channel_text(code) + " month " +
           month_text(month);
}

void check_block_month(std::int64_t first, std::int64_t last, std::string_view where, std::int64_t month) {
    if (month < 0 || month >= block_month_count || first < month_start(month) ||
        last >= month_start(month + 1))
        throw storage_error(errc::storage_corrupt, std::string(where) + ": times " + std::to_string(first) +
                                                       ".." + std::to_string(last) +
                                                       " are not of the block's month" +
                                                       "; kvant validate lists every such block");
}

void check_block_columns(std::int64_t first, std::int64_t last, std::uint64_t count, std::string_view where,
                         std::int64_t stored_first, std::int64_t stored_last, std::int64_t stored_count) {
    if (first != stored_first || last != stored_last || stored_count < 0 ||
        count != static_cast<std::uint64_t>(stored_count))
        throw storage_error(errc::storage_corrupt,
                            std::string(where) + ": the block holds " + std::to_string(count) +
                                " values at " + std::to_string(first) + ".." + std::to_string(last) +
                                " but its row says " + std::to_string(stored_count) + " at " +
                                std::to_string(stored_first) + ".." + std::to_string(stored_last) +
                                "; kvant validate lists every such block");
}

void read_block(std::span<const std::uint8_t> bytes, std::string_view where, std::int64_t month,
                decoded_block& out) {
    decode_block(bytes, where, out);
    check_block_month(out.time.front(), out.time.back(), where, month);
    for (std::size_t i = 0; i < out.source.size(); ++i)
        if (out.source[i] > max_source)
            throw storage_error(errc::storage_corrupt, std::string(where) + ": row " + std::to_string(i) +
                                                           " has source " + std::to_string(out.source[i]) +
                                                           ", outside 0.." + std::to_string(max_source) +
                                                           "; kvant validate lists every such block");
}

bool block_chunk(std::span<const std::uint8_t> bytes, std::string_view where, std::int64_t month,
                 std::int64_t stored_first, std::int64_t stored_last, std::int64_t stored_count,
                 std::int64_t from, std::int64_t to, bool provenance, decoded_block& block,
                 series_chunk& out) {
    out.source.clear(), out.accepted.clear();
    if (provenance) {
        read_block(bytes, where, month, block);
        check_block_columns(block.time.front(), block.time.back(), block.time.size(), where, stored_first,
                            stored_last, stored_count);
    } else {
        const auto h = read_block_header(bytes, where);
        check_block_month(h.first_time, h.last_time, where, month);
        check_block_columns(h.first_time, h.last_time, h.count, where, stored_first, stored_last,
                            stored_count);
        block.time.resize(h.count);
        block.value.resize(h.count);
        block.source.clear(), block.accepted.clear();
        decode_times_values(bytes, where, h, block.time.data(), block.value.data());
    }
    const std::size_t n = block.time.size();
    const auto a = static_cast<std::size_t>(std::lower_bound(block.time.begin(), block.time.end(), from) -
                                            block.time.begin());
    const auto b = static_cast<std::size_t>(std::lower_bound(block.time.begin(), block.time.end(), to) -
                                            block.time.begin());
    if (a >= b) return false;
    const auto at = [](std::size_t i) { return static_cast<std::ptrdiff_t>(i); };
    if (provenance && !(block.source.empty() && block.accepted.empty())) {
        block.source.resize(n, 0);
        block.accepted.resize(n, reading_table::missing_time);
        out.source.assign(block.source.begin() + at(a), block.source.begin() + at(b));
        out.accepted.assign(block.accepted.begin() + at(a), block.accepted.begin() + at(b));
    }
    if (a == 0 && b == n) {
        out.time.swap(block.time);
        out.value.swap(block.value);
    } else {
        out.time.assign(block.time.begin() + at(a), block.time.begin() + at(b));
        out.value.assign(block.value.begin() + at(a), block.value.begin() + at(b));
    }
    return true;
}

std::vector<std::uint32_t> batch_order(const reading_table& batch) {
    const std::size_t n = batch.size();
    const auto& mi = batch.meter_index();
    const auto& ci = batch.channel_index();
    const auto& times = batch.times();
    std::vector<std::uint32_t> order;
    if (batch.grouped()) return order;
    if (n > std::numeric_limits<std::uint32_t>::max())
        throw storage_error(errc::storage, "a batch of more than 4294967295 values");
    order.resize(n);
    const std::size_t nc = batch.channels().size();
    const std::size_t groups = batch.meters().size() * nc;
    if (groups <= 4 * n + 1024) {
        // a counting sort by (meter, channel), stable, then each group by time where it is not
        std::vector<std::uint32_t> start(groups + 1, 0);
        for (std::size_t i = 0; i < n; ++i) ++start[mi[i] * nc + ci[i] + 1];
        for (std::size_t g = 0; g < groups; ++g) start[g + 1] += start[g];
        std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
        for (std::size_t i = 0; i < n; ++i) order[fill[mi[i] * nc + ci[i]]++] = static_cast<std::uint32_t>(i);
        std::vector<std::pair<std::int64_t, std::uint32_t>> keyed;  // (time, row): sorts stably
        for (std::size_t g = 0; g < groups; ++g) {
            const auto b = order.begin() + start[g], e = order.begin() + start[g + 1];
            if (std::is_sorted(b, e, [&](std::uint32_t x, std::uint32_t y) { return times[x] < times[y]; }))
                continue;
            keyed.clear();
            for (auto it = b; it != e; ++it) keyed.emplace_back(times[*it], *it);
            std::sort(keyed.begin(), keyed.end());
            for (std::size_t i = 0; i < keyed.size(); ++i)
                b[static_cast<std::ptrdiff_t>(i)] = keyed[i].second;
        }
    } else {
        for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<std::uint32_t>(i);
        std::stable_sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
            if (mi[x] != mi[y]) return mi[x] < mi[y];
            if (ci[x] != ci[y]) return ci[x] < ci[y];
            return times[x] < times[y];
        });
    }
    return order;
}

bool merge_block(const reading_table& batch, std::span<const std::uint32_t> order, std::size_t b,
                 std::size_t bend, const decoded_block* old, on_conflict policy, write_stats& st,
                 conflict_note& conflict, decoded_block& merged) {
    const auto row = [&](std::size_t k) -> std::size_t { return order.empty() ? k : order[k]; };
    const auto& times = batch.times();
    const auto& values = batch.values();
    merged.time.clear(), merged.value.clear(), merged.source.clear(), merged.accepted.clear();
    const std::size_t no = old ? old->time.size() : 0;
    bool provenance = !batch.sources().empty() || !batch.accepted().empty() ||
                      (old && (!old->source.empty() || !old->accepted.empty()));
    const auto push = [&](std::int64_t t, std::int64_t v, std::uint8_t s, std::int64_t a) {
        merged.time.push_back(t);
        merged.value.push_back(v);
        if (provenance) merged.source.push_back(s), merged.accepted.push_back(a);
    };
    const auto old_source = [&](std::size_t i) -> std::uint8_t {
        return old->source.empty() ? 0 : old->source[i];
    };
    const auto old_accepted = [&](std::size_t i) {
        return old->accepted.empty() ? reading_table::missing_time : old->accepted[i];
    };
    bool changed = false;
    std::size_t i = 0, j = b;
    while (i < no || j < bend) {
        if (j == bend || (i < no && old->time[i] < times[row(j)])) {
            push(old->time[i], old->value[i], old_source(i), old_accepted(i));
            ++i;
            continue;
        }
        const std::int64_t t = times[row(j)];
        bool have = false, was_stored = false;
        std::int64_t cur = 0, stored_value = 0, first_value = 0;
        std::uint8_t cur_s = 0;
        std::int64_t cur_a = reading_table::missing_time;
        if (i < no && old->time[i] == t) {
            have = was_stored = true;
            cur = stored_value = old->value[i];
            cur_s = old_source(i), cur_a = old_accepted(i);
            ++i;
        }
        for (bool first = true; j < bend && times[row(j)] == t; ++j, first = false) {
            const std::size_t r = row(j);
            const std::int64_t v = values[r];
            if (first) first_value = v;
            if (policy == on_conflict::fail) {
                if (was_stored ? v != stored_value : !first && v != first_value)
                    conflict.note(r, was_stored ? stored_value : first_value);
            }
            if (!have) {
                have = true, cur = v, cur_s = static_cast<std::uint8_t>(batch.source(r));
                cur_a = batch.accepted_at(r);
                ++st.inserted, changed = true;
            } else if (cur == v) {
                ++st.unchanged;
            } else if (policy == on_conflict::replace) {
                cur = v, cur_s = static_cast<std::uint8_t>(batch.source(r)), cur_a = batch.accepted_at(r);
                ++st.replaced, changed = true;
            } else {
                ++st.kept;
            }
        }
        push(t, cur, cur_s, cur_a);
    }
    return changed;
}

block_values block_after_write(const reading_table& batch, std::span<const std::uint32_t> order,
                               std::size_t b, std::size_t bend, const decoded_block* old, on_conflict policy,
                               write_stats& st, conflict_note& conflict, decoded_block& merged) {
    const auto& times = batch.times();
    const auto row = [&](std::size_t k) -> std::size_t { return order.empty() ? k : order[k]; };
    bool strictly = true;
    for (std::size_t j = b + 1; j < bend && strictly; ++j) strictly = times[row(j)] > times[row(j - 1)];
    block_values out;
    if (!old && strictly && order.empty()) {
        // a new block from consecutive rows: encoded straight from the batch's columns
        const auto& values = batch.values();
        out.time = {times.data() + b, bend - b};
        out.value = {values.data() + b, bend - b};
        if (!batch.sources().empty()) out.source = {batch.sources().data() + b, bend - b};
        if (!batch.accepted().empty()) out.accepted = {batch.accepted().data() + b, bend - b};
        st.inserted += bend - b;
        out.changed = true;
        return out;
    }
    out.changed = merge_block(batch, order, b, bend, old, policy, st, conflict, merged);
    out.time = merged.time, out.value = merged.value, out.source = merged.source,
    out.accepted = merged.accepted;
    return out;
}

}  // namespace detail
}  // namespace v0
}  // namespace kvant
