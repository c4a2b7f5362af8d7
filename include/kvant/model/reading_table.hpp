/// \file
/// `reading_table`: a batch of reading values of many meters and channels, one row a value, held column-wise
/// (one contiguous array per column). It is what files and decoders produce, what the store ingests and
/// what a binding hands out without copying (each column is a plain integer array).
///
/// Rows: meter (an index into `meters()`), channel (an index into `channels()`), time (Unix seconds), value
/// (a raw decimal, millionths, see decimal.hpp), source and acceptance time. Every value is present: a
/// reading that lacks a channel simply has no row for it. The source and acceptance columns are kept only
/// once a row differs from the default (automatic, none): `sources()` and `accepted()` are empty while every
/// row is automatic and has no acceptance time, which is what makes a table of plain meter data ~22 bytes a
/// row.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kvant/core/export.hpp"
#include "kvant/model/reading.hpp"

namespace kvant {
inline namespace v0 {

namespace detail {
class readings_parser;
}

class KVANT_API reading_table {
  public:
    static constexpr std::int64_t missing_time = decimal::missing_raw;

    /// The index of a meter serial in `meters()`, adding it if new.
    std::uint32_t meter_slot(std::string_view serial) {
        if (!meters_.empty() && meters_[last_meter_] == serial) return last_meter_;  // rows come grouped
        auto it = meter_slots_.find(std::string(serial));
        if (it == meter_slots_.end()) {
            it = meter_slots_.emplace(std::string(serial), static_cast<std::uint32_t>(meters_.size())).first;
            meters_.emplace_back(serial);
        }
        return last_meter_ = it->second;
    }
    /// The index of a channel in `channels()`, adding it if new.
    std::uint16_t channel_slot(const channel& c) {
        for (std::size_t i = 0; i < channels_.size(); ++i)
            if (channels_[i] == c) return static_cast<std::uint16_t>(i);
        if (channels_.size() == 0xffff)
            throw validation_error(errc::out_of_range,
                                   "a reading table holds at most 65535 distinct channels");
        channels_.push_back(c);
        return static_cast<std::uint16_t>(channels_.size() - 1);
    }

    /// Appends one row.
    void push(std::uint32_t meter, std::uint16_t channel, std::int64_t unix_time, std::int64_t value,
              reading_source source = reading_source::automatic, std::int64_t accepted_unix = missing_time) {
        grouped_ = -1;
        meter_.push_back(meter);
        channel_.push_back(channel);
        time_.push_back(unix_time);
        value_.push_back(value);
        if (source != reading_source::automatic || !source_.empty()) {
            if (source_.size() < meter_.size() - 1) source_.resize(meter_.size() - 1, 0);
            source_.push_back(static_cast<std::uint8_t>(source));
        }
        if (accepted_unix != missing_time || !accepted_.empty()) {
            if (accepted_.size() < meter_.size() - 1) accepted_.resize(meter_.size() - 1, missing_time);
            accepted_.push_back(accepted_unix);
        }
    }
    /// Appends a row a value of the reading.
    void push(const reading& r) {
        const auto m = meter_slot(r.meter);
        for (const auto& v : r.values)
            push(m, channel_slot(v.ch), to_unix(r.time), v.value.raw(), r.source,
                 r.accepted ? to_unix(*r.accepted) : missing_time);
    }
    /// Appends row `i` of another table.
    void push_row(const reading_table& other, std::size_t i) {
        push(meter_slot(other.meters_[other.meter_[i]]), channel_slot(other.channels_[other.channel_[i]]),
             other.time_[i], other.value_[i], other.source(i), other.accepted_at(i));
    }

    /// The readings of the table: rows of one meter and time make one reading (in order of first row).
    std::vector<reading> to_readings() const;

    std::size_t size() const noexcept { return time_.size(); }
    bool empty() const noexcept { return time_.empty(); }
    void reserve(std::size_t n) {
        meter_.reserve(n);
        channel_.reserve(n);
        time_.reserve(n);
        value_.reserve(n);
    }
    void clear() { *this = reading_table{}; }

    const std::vector<std::string>& meters() const noexcept { return meters_; }
    const std::vector<channel>& channels() const noexcept { return channels_; }
    const std::vector<std::uint32_t>& meter_index() const noexcept { return meter_; }
    const std::vector<std::uint16_t>& channel_index() const noexcept { return channel_; }
    const std::vector<std::int64_t>& times() const noexcept { return time_; }
    const std::vector<std::int64_t>& values() const noexcept { return value_; }
    /// Per-row sources; empty when every row is automatic.
    const std::vector<std::uint8_t>& sources() const noexcept { return source_; }
    /// Per-row acceptance times (missing_time for none); empty when no row has one.
    const std::vector<std::int64_t>& accepted() const noexcept { return accepted_; }

    const std::string& meter_of(std::size_t i) const noexcept { return meters_[meter_[i]]; }
    const channel& channel_of(std::size_t i) const noexcept { return channels_[channel_[i]]; }
    reading_source source(std::size_t i) const noexcept {
        return source_.empty() ? reading_source::automatic : static_cast<reading_source>(source_[i]);
    }
    std::int64_t accepted_at(std::size_t i) const noexcept {
        return accepted_.empty() ? missing_time : accepted_[i];
    }
    /// Whether any row is of channel `c`.
    bool has(const channel& c) const noexcept {
        for (const auto& x : channels_)
            if (x == c) return true;
        return false;
    }

    /// Re-labels the rows of active energy import (cumulative, kWh; any tariff) of meters whose resource is
    /// not electricity as their resource's main quantity (channel::main), tariff kept: what a wide file's
    /// "total, t1..t4" columns mean. `resource_of_slot[k]` is the resource of meter slot k.
    void map_main(std::span<const resource> resource_of_slot);

    /// The series (meter, channel) of row `i` as one number below series_keys().
    std::size_t series_key(std::size_t i) const noexcept {
        return std::size_t{meter_[i]} * std::max<std::size_t>(channels_.size(), 1) + channel_[i];
    }
    /// How many series keys there can be (meters × channels).
    std::size_t series_keys() const noexcept {
        return meters_.size() * std::max<std::size_t>(channels_.size(), 1);
    }
    /// Whether an array indexed by series key is cheap beside the rows (a few per row): passes over the rows
    /// use one then, and a hash map otherwise, so that a file of many meters and many channels costs memory
    /// in proportion to its rows, never meters × channels.
    bool dense_series_keys() const noexcept { return series_keys() <= 4 * size() + 4096; }

    /// Orders the rows by (meter slot, channel slot, time), stably: a counting sort by series, then time
    /// within each; the columns are rearranged one at a time (one column's worth of extra memory while it
    /// runs).
    void sort();
    /// Whether the rows are ordered by (meter slot, channel slot, time) with each (meter, channel) in one
    /// run — what the store and meter_series take without sorting. A pass over the rows, remembered until
    /// they change.
    bool grouped() const noexcept;

  private:
    std::vector<std::string> meters_;
    std::unordered_map<std::string, std::uint32_t> meter_slots_;
    std::uint32_t last_meter_ = 0;
    std::vector<channel> channels_;
    std::vector<std::uint32_t> meter_;
    std::vector<std::uint16_t> channel_;
    std::vector<std::int64_t> time_;
    std::vector<std::int64_t> value_;
    std::vector<std::uint8_t> source_;
    std::vector<std::int64_t> accepted_;
    mutable signed char grouped_ = -1;     // grouped() once known; -1: not yet
    friend class detail::readings_parser;  // knows grouped() from the rows as it pushed them
    bool check_grouped() const;
    void apply_order(const std::vector<std::uint32_t>& order);  // row k becomes row order[k]
};

}  // namespace v0
}  // namespace kvant
