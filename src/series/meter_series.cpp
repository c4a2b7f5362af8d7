#include "kvant/series/meter_series.hpp"

#include <algorithm>
#include <limits>
#include <numeric>

namespace kvant {
inline namespace v0 {
namespace {

struct arrays {
    std::vector<std::int64_t> time, value;
};

std::string duplicate_text(const std::string& meter, const channel& c, std::int64_t t, std::size_t row_a,
                           std::size_t row_b) {
    return "meter " + meter + " has two different values of " + to_string(c) + " at " +
           to_string(from_unix(t)) + " (rows " + std::to_string(row_a + 1) + " and " +
           std::to_string(row_b + 1) + ")";
}

}  // namespace

std::vector<meter_series> meter_series::from_table(const reading_table& batch) {
    auto out = from_table(std::shared_ptr<const reading_table>(std::shared_ptr<void>{}, &batch));
    for (auto& m : out)  // the caller keeps `batch`: detach from it
        for (auto& s : m.channels_)
            s = series(s.meter(), s.ch(), {s.times().begin(), s.times().end()},
                       {s.values().begin(), s.values().end()});
    return out;
}

std::vector<meter_series> meter_series::from_table(std::shared_ptr<const reading_table> shared) {
    const reading_table& batch = *shared;
    const auto& slot = batch.meter_index();
    const auto& chan = batch.channel_index();
    const auto& t = batch.times();
    const auto& v = batch.values();
    const std::size_t n = batch.size();
    std::vector<meter_series> out;
    out.reserve(batch.meters().size());
    for (const auto& serial : batch.meters()) out.emplace_back(serial);

    if (batch.grouped()) {  // the series are ranges of the columns
        for (std::size_t b = 0; b < n;) {
            std::size_t e = b + 1;
            while (e < n && slot[e] == slot[b] && chan[e] == chan[b]) ++e;
            auto& m = out[slot[b]];
            m.channels_.push_back(series::over_unchecked(
                m.serial_, batch.channels()[chan[b]], std::span<const std::int64_t>(t).subspan(b, e - b),
                std::span<const std::int64_t>(v).subspan(b, e - b), shared));
            b = e;
        }
    } else {
        if (n > std::numeric_limits<std::uint32_t>::max())
            throw std::length_error("meter_series::from_table: more than 2^32 rows");
        std::vector<std::uint32_t> order(n);
        std::iota(order.begin(), order.end(), std::uint32_t{0});
        std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
            if (slot[a] != slot[b]) return slot[a] < slot[b];
            if (chan[a] != chan[b]) return chan[a] < chan[b];
            return t[a] < t[b];
        });
        for (std::size_t b = 0; b < n;) {
            const std::uint32_t first = order[b];
            auto cols = std::make_shared<arrays>();
            std::size_t e = b;
            for (; e < n && slot[order[e]] == slot[first] && chan[order[e]] == chan[first]; ++e) {
                const std::size_t i = order[e];
                if (!cols->time.empty() && cols->time.back() == t[i]) {
                    const std::size_t prev = order[e - 1];
                    if (v[i] == v[prev]) continue;
                    throw validation_error(
                        errc::duplicate,
                        duplicate_text(batch.meters()[slot[i]], batch.channels()[chan[i]], t[i], prev, i),
                        location{"", 0, "timestamp", -1});
                }
                cols->time.push_back(t[i]);
                cols->value.push_back(v[i]);
            }
            auto& m = out[slot[first]];
            const std::span<const std::int64_t> ts = cols->time, vs = cols->value;
            m.channels_.push_back(
                series::over_unchecked(m.serial_, batch.channels()[chan[first]], ts, vs, std::move(cols)));
            b = e;
        }
    }
    for (auto& m : out)
        std::sort(m.channels_.begin(), m.channels_.end(),
                  [](const series& a, const series& b) { return a.ch() < b.ch(); });
    return out;
}

void meter_series::add(series s) {
    if (s.meter() != serial_)
        throw validation_error(errc::validation,
                               "series of meter " + s.meter() + " added to meter " + serial_ + "'s series");
    auto it = std::lower_bound(channels_.begin(), channels_.end(), s.ch(),
                               [](const series& a, const channel& c) { return a.ch() < c; });
    if (it != channels_.end() && it->ch() == s.ch())
        *it = std::move(s);
    else
        channels_.insert(it, std::move(s));
}

void meter_series::push(const channel& c, std::int64_t unix_time, std::int64_t value) {
    if (value == decimal::missing_raw)
        throw validation_error(errc::validation, "meter " + serial_ + ", channel " + to_string(c) +
                                                     ": the missing marker as a value");
    auto it = std::lower_bound(channels_.begin(), channels_.end(), c,
                               [](const series& a, const channel& x) { return a.ch() < x; });
    if (it == channels_.end() || it->ch() != c) {
        channels_.insert(it, series(serial_, c, {unix_time}, {value}));
        return;
    }
    series& s = *it;
    if (!s.empty() && unix_time <= s.times().back())
        throw validation_error(errc::validation, "meter " + serial_ + ", channel " + to_string(c) +
                                                     ": value at " + to_string(from_unix(unix_time)) +
                                                     " is not after the previous one");
    if (!s.own_ || s.own_.use_count() > 1) {  // shared: copy first
        s.own_ = std::make_shared<series::arrays>(
            series::arrays{{s.times().begin(), s.times().end()}, {s.values().begin(), s.values().end()}});
        s.keeper_.reset();
    }
    s.own_->time.push_back(unix_time);
    s.own_->value.push_back(value);
    s.view_ = {s.own_->time, s.own_->value};
}

void meter_series::push(std::int64_t unix_time, std::span<const std::int64_t> values, const channel& base) {
    for (std::size_t r = 0; r < values.size() && r < register_count; ++r)
        if (values[r] != decimal::missing_raw)
            push(base.with_tariff(static_cast<register_id>(r)), unix_time, values[r]);
}

const series* meter_series::find(const channel& c) const noexcept {
    auto it = std::lower_bound(channels_.begin(), channels_.end(), c,
                               [](const series& a, const channel& x) { return a.ch() < x; });
    return it != channels_.end() && it->ch() == c ? &*it : nullptr;
}

std::size_t meter_series::size() const noexcept {
    std::size_t n = 0;
    for (const auto& s : channels_) n += s.size();
    return n;
}

std::int64_t meter_series::first_time() const noexcept {
    std::int64_t t = std::numeric_limits<std::int64_t>::max();
    for (const auto& s : channels_)
        if (!s.empty()) t = std::min(t, s.times().front());
    return t == std::numeric_limits<std::int64_t>::max() ? 0 : t;
}

std::int64_t meter_series::last_time() const noexcept {
    std::int64_t t = std::numeric_limits<std::int64_t>::min();
    for (const auto& s : channels_)
        if (!s.empty()) t = std::max(t, s.times().back());
    return t == std::numeric_limits<std::int64_t>::min() ? 0 : t;
}

}  // namespace v0
}  // namespace kvant
