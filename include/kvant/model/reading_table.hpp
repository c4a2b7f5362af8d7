/// \file
/// `reading_table`: a batch of readings of many meters held column-wise — one contiguous array per column —
/// which is how CSV import produces readings, how the store ingests them, and how a binding hands them out
/// without copying (each column is a plain int64 or uint8 array). Register values are raw decimals
/// (millionths, see decimal.hpp) with `decimal::missing_raw` for an absent value; times are Unix seconds.
/// Meters are dictionary-encoded: `meter_index[i]` indexes `meters`.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kvant/model/reading.hpp"

namespace kvant {
inline namespace v0 {

class reading_table {
  public:
    /// The index of a meter serial in `meters()`, adding it if new.
    std::uint32_t meter_slot(std::string_view serial) {
        if (!meters_.empty() && meters_[last_slot_] == serial)
            return last_slot_;  // rows come grouped by meter
        auto it = slots_.find(std::string(serial));
        if (it == slots_.end()) {
            it = slots_.emplace(std::string(serial), static_cast<std::uint32_t>(meters_.size())).first;
            meters_.emplace_back(serial);
        }
        return last_slot_ = it->second;
    }

    /// Appends one row. `values` are raw decimals with decimal::missing_raw for an absent register.
    void push(std::uint32_t slot, std::int64_t unix_time,
              const std::array<std::int64_t, register_count>& values,
              reading_source source = reading_source::automatic, std::int64_t accepted_unix = missing_time) {
        meter_index_.push_back(slot);
        time_.push_back(unix_time);
        for (std::size_t r = 0; r < register_count; ++r) {
            values_[r].push_back(values[r]);
            present_[r] = present_[r] || values[r] != decimal::missing_raw;
        }
        source_.push_back(static_cast<std::uint8_t>(source));
        accepted_.push_back(accepted_unix);
    }
    void push(const reading& r) {
        std::array<std::int64_t, register_count> v;
        for (std::size_t i = 0; i < register_count; ++i)
            v[i] = r.values[i] ? r.values[i]->raw() : decimal::missing_raw;
        push(meter_slot(r.meter), to_unix(r.time), v, r.source,
             r.accepted ? to_unix(*r.accepted) : missing_time);
    }

    /// Row `i` as a model reading.
    reading row(std::size_t i) const {
        reading r;
        r.meter = meters_[meter_index_[i]];
        r.time = from_unix(time_[i]);
        for (std::size_t k = 0; k < register_count; ++k)
            if (values_[k][i] != decimal::missing_raw) r.values[k] = decimal::from_raw(values_[k][i]);
        r.source = static_cast<reading_source>(source_[i]);
        if (accepted_[i] != missing_time) r.accepted = from_unix(accepted_[i]);
        return r;
    }

    std::size_t size() const noexcept { return time_.size(); }
    bool empty() const noexcept { return time_.empty(); }
    void reserve(std::size_t n) {
        meter_index_.reserve(n);
        time_.reserve(n);
        for (auto& v : values_) v.reserve(n);
        source_.reserve(n);
        accepted_.reserve(n);
    }
    void clear() { *this = reading_table{}; }

    const std::vector<std::string>& meters() const noexcept { return meters_; }
    const std::vector<std::uint32_t>& meter_index() const noexcept { return meter_index_; }
    const std::vector<std::int64_t>& times() const noexcept { return time_; }
    const std::vector<std::int64_t>& values(register_id r) const noexcept {
        return values_[static_cast<std::size_t>(r)];
    }
    const std::vector<std::uint8_t>& sources() const noexcept { return source_; }
    /// Whether any row carries a value of register `r`.
    bool has(register_id r) const noexcept { return present_[static_cast<std::size_t>(r)]; }
    const std::vector<std::int64_t>& accepted() const noexcept { return accepted_; }

    static constexpr std::int64_t missing_time = decimal::missing_raw;

  private:
    std::vector<std::string> meters_;
    std::unordered_map<std::string, std::uint32_t> slots_;
    std::uint32_t last_slot_ = 0;
    std::vector<std::uint32_t> meter_index_;
    std::vector<std::int64_t> time_;
    std::array<std::vector<std::int64_t>, register_count> values_;
    std::array<bool, register_count> present_{};
    std::vector<std::uint8_t> source_;
    std::vector<std::int64_t> accepted_;
};

}  // namespace v0
}  // namespace kvant
