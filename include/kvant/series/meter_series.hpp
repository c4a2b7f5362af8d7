/// \file
/// `meter_series`: the series of one meter, one per channel it reports (active import total and T1..T4,
/// export, reactive, a heat meter's energy, volume and temperatures, …), ordered by channel code. Built from
/// a reading batch, from a store cursor's chunks, or by hand. Algorithms that work on "the meter's energy"
/// take the channel (or its quantity's tariffs) from register_params::main.
#pragma once

#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "kvant/core/export.hpp"
#include "kvant/model/reading_table.hpp"
#include "kvant/series/series.hpp"

namespace kvant {
inline namespace v0 {

class KVANT_API meter_series {
  public:
    meter_series() = default;
    explicit meter_series(std::string serial) : serial_(std::move(serial)) {}

    /// Groups a batch by meter and channel and sorts each by time. Two rows of one meter, channel and time
    /// with equal values count once; with different values they throw validation_error(duplicate) naming
    /// the meter, channel, time and the batch rows. Meters come out in the batch's order of first
    /// appearance. This overload copies.
    static std::vector<meter_series> from_table(const reading_table& batch);
    /// The same, sharing the batch: when its rows are grouped (reading_table::grouped, as files of one
    /// channel and the store give them) the series point into its columns and nothing is copied.
    static std::vector<meter_series> from_table(std::shared_ptr<const reading_table> batch);

    /// Adds a channel's series (replacing one of the same channel). Its meter must be this one's.
    void add(series s);
    /// Appends a value of a channel; its times must increase (validation_error otherwise). For building
    /// series by hand: it copies the channel's arrays when they are shared.
    void push(const channel& c, std::int64_t unix_time, std::int64_t value);
    /// Appends a reading of the tariff registers of `base`'s quantity: values[r] is the value of tariff r
    /// (total, t1, t2, …), decimal::missing_raw where the reading lacks it.
    void push(std::int64_t unix_time, std::span<const std::int64_t> values, const channel& base = {});
    void push(std::int64_t unix_time, std::initializer_list<std::int64_t> values, const channel& base = {}) {
        push(unix_time, std::span<const std::int64_t>(values.begin(), values.size()), base);
    }

    const std::string& serial() const noexcept { return serial_; }
    const std::vector<series>& channels() const noexcept { return channels_; }
    /// The series of a channel, or null.
    const series* find(const channel& c) const noexcept;
    /// The view of a channel (empty when the meter has no values of it).
    series_view view(const channel& c) const noexcept {
        const series* s = find(c);
        return s ? s->view() : series_view{};
    }
    bool has(const channel& c) const noexcept { return find(c) != nullptr && !find(c)->empty(); }
    /// The number of values over all channels.
    std::size_t size() const noexcept;
    bool empty() const noexcept { return size() == 0; }
    /// The earliest and latest time over all channels (0 when empty).
    std::int64_t first_time() const noexcept;
    std::int64_t last_time() const noexcept;

  private:
    std::string serial_;
    std::vector<series> channels_;  // by channel code
};

}  // namespace v0
}  // namespace kvant
