#include "kvant/series/meter_series.hpp"

#include <algorithm>
#include <numeric>

namespace kvant {
inline namespace v0 {

meter_series::columns& meter_series::own() {
    if (!own_ || own_.use_count() > 1 || keeper_ != own_) {
        auto fresh = std::make_shared<columns>();
        fresh->time.assign(time_.begin(), time_.end());
        for (std::size_t r = 0; r < register_count; ++r)
            fresh->values[r].assign(values_[r].begin(), values_[r].end());
        own_ = std::move(fresh);
        keeper_ = own_;
    }
    return *own_;
}

void meter_series::reseat() {
    time_ = own_->time;
    for (std::size_t r = 0; r < register_count; ++r) values_[r] = own_->values[r];
    cache_ = std::make_shared<scan_cache>();
}

std::vector<meter_series> meter_series::from_table(const reading_table& batch) {
    auto out = from_table(std::shared_ptr<const reading_table>(std::shared_ptr<void>{}, &batch));
    for (auto& s : out) {  // the caller keeps `batch`: detach from it
        s.own();
        s.reseat();
    }
    return out;
}

std::vector<meter_series> meter_series::from_table(std::shared_ptr<const reading_table> shared) {
    const reading_table& batch = *shared;
    const auto& slot = batch.meter_index();
    const auto& t = batch.times();
    const std::size_t n = batch.size();
    std::vector<meter_series> out;
    out.reserve(batch.meters().size());
    for (const auto& serial : batch.meters()) out.emplace_back(serial);
    std::array<bool, register_count> present{};
    for (std::size_t r = 0; r < register_count; ++r) present[r] = batch.has(static_cast<register_id>(r));

    // The common case, rows grouped by meter in increasing time: the series are ranges of the columns.
    bool grouped = true;
    std::vector<std::size_t> run_start(out.size(), n), run_end(out.size(), n);
    for (std::size_t i = 0; i < n && grouped; ++i) {
        if (i == 0 || slot[i] != slot[i - 1]) {
            grouped = run_start[slot[i]] == n;  // each meter's rows in one run only
            run_start[slot[i]] = i;
            if (i > 0) run_end[slot[i - 1]] = i;
        } else {
            grouped = t[i] > t[i - 1];
        }
    }
    if (grouped) {
        for (std::size_t k = 0; k < out.size(); ++k) {
            auto& s = out[k];
            const std::size_t b = run_start[k], len = run_end[k] - b;
            s.keeper_ = shared;
            s.time_ = std::span<const std::int64_t>(t).subspan(b, len);
            for (std::size_t r = 0; r < register_count; ++r)
                if (present[r])
                    s.values_[r] = std::span<const std::int64_t>(batch.values(static_cast<register_id>(r)))
                                       .subspan(b, len);
        }
        return out;
    }

    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return slot[a] != slot[b] ? slot[a] < slot[b] : t[a] < t[b];
    });
    std::vector<columns> cols(out.size());
    for (std::size_t k = 0; k < order.size(); ++k) {
        const std::size_t i = order[k];
        auto& c = cols[slot[i]];
        if (!c.time.empty() && c.time.back() == t[i]) {
            const std::size_t prev = order[k - 1];
            bool same = true;
            for (std::size_t r = 0; r < register_count; ++r)
                same = same && batch.values(static_cast<register_id>(r))[i] ==
                                   batch.values(static_cast<register_id>(r))[prev];
            if (same) continue;
            throw validation_error(errc::duplicate,
                                   "meter " + out[slot[i]].serial_ + " has two different readings at " +
                                       to_string(from_unix(t[i])) + " (rows " + std::to_string(prev + 1) +
                                       " and " + std::to_string(i + 1) + ")",
                                   location{"", 0, "timestamp", -1});
        }
        c.time.push_back(t[i]);
        for (std::size_t r = 0; r < register_count; ++r)
            if (present[r]) c.values[r].push_back(batch.values(static_cast<register_id>(r))[i]);
    }
    for (std::size_t k = 0; k < out.size(); ++k) {
        out[k].own_ = std::make_shared<columns>(std::move(cols[k]));
        out[k].keeper_ = out[k].own_;
        out[k].reseat();
    }
    return out;
}

void meter_series::push(std::int64_t unix_time, const std::array<std::int64_t, register_count>& values) {
    if (!time_.empty() && unix_time <= time_.back())
        throw validation_error(errc::validation, "meter " + serial_ + ": reading at " +
                                                     to_string(from_unix(unix_time)) +
                                                     " is not after the previous one");
    columns& c = own();
    for (std::size_t r = 0; r < register_count; ++r) {
        auto& col = c.values[r];
        if (col.empty()) {
            if (values[r] == decimal::missing_raw) continue;  // still absent throughout
            col.assign(c.time.size(), decimal::missing_raw);  // earlier readings lacked it
        }
        col.push_back(values[r]);
    }
    c.time.push_back(unix_time);
    reseat();
}

const meter_series::compacted& meter_series::scan(register_id r) const {
    auto& c = cache_->registers[static_cast<std::size_t>(r)];
    std::call_once(c.once, [&] {
        const auto v = values_[static_cast<std::size_t>(r)];
        c.full = std::none_of(v.begin(), v.end(), [](std::int64_t x) { return x == decimal::missing_raw; });
        if (!c.full)
            for (std::size_t i = 0; i < v.size(); ++i)
                if (v[i] != decimal::missing_raw) {
                    c.time.push_back(time_[i]);
                    c.value.push_back(v[i]);
                }
    });
    return c;
}

bool meter_series::has(register_id r) const {
    if (values_[static_cast<std::size_t>(r)].empty()) return false;
    const auto& c = scan(r);
    return c.full ? !time_.empty() : !c.time.empty();
}

register_series meter_series::view(register_id r) const {
    if (values_[static_cast<std::size_t>(r)].empty()) return {};
    const auto& c = scan(r);
    if (c.full) return {time_, values_[static_cast<std::size_t>(r)]};
    return {c.time, c.value};
}

}  // namespace v0
}  // namespace kvant
