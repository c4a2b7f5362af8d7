/// \file
/// `meter_source`: the meters a report runs over, with what each needs (its series, entity, model, calendar
/// zone, billing day), delivered a group at a time — from a store (streamed through its cursor: a group's
/// series in memory, never the whole store) or from readings already in memory (a `reading_table` read from a
/// CSV file, built from a DataFrame or from caller arrays, shared without a copy). `run_meters` computes each
/// group over a thread pool and hands the results back in meter order on the calling thread, so a report is
/// the same whatever the number of threads.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

#include "kvant/core/export.hpp"
#include "kvant/core/zone.hpp"
#include "kvant/model/enums.hpp"
#include "kvant/model/fleet.hpp"
#include "kvant/model/reading_table.hpp"
#include "kvant/series/meter_series.hpp"
#include "kvant/store/store.hpp"

namespace kvant {
inline namespace v0 {

/// One meter to compute: its series, its entity (when known), model, calendar zone and billing day.
struct meter_input {
    meter_series series;
    const meter* entity = nullptr;
    const meter_model* model = nullptr;
    zone calendar;
    int billing_day = 1;
    int tariff_registers = 1;
};

/// What a source selects.
struct source_options {
    std::int64_t from =
        std::numeric_limits<std::int64_t>::min();  ///< Unix seconds; readings before are not read
    std::int64_t to = std::numeric_limits<std::int64_t>::max();  ///< Unix seconds, exclusive
    std::optional<resource> only;  ///< only meters of this resource (a meter not in the fleet: electricity)
};

class KVANT_API meter_source {
  public:
    virtual ~meter_source();
    /// The relations of the meters (meter → point → account → abonent → organisation); empty for readings
    /// given without them.
    virtual const fleet& relations() const noexcept = 0;
    /// The store the meters come from, or nullptr (stored tariffs, anomalies and normatives come from it).
    virtual const store* db() const noexcept { return nullptr; }
    /// How many meters the source will deliver (for progress).
    virtual std::size_t total() const noexcept = 0;
    /// The next group of at most `max` meters (replacing `out`'s content); false when none is left.
    virtual bool next_group(std::vector<meter_input>& out, std::size_t max) = 0;
};

/// The meters of a store with readings in [o.from, o.to), streamed; the store must outlive the source.
KVANT_API std::unique_ptr<meter_source> store_source(const store& s, const source_options& o = {});
/// Readings in memory (any order; sorted here when they are not) with the meters (and their relations, when
/// a fleet is given) they belong to; a meter missing from `meters` is computed as an electricity meter in
/// UTC. Wide tables (register columns) map their values to each meter's main quantity.
KVANT_API std::unique_ptr<meter_source> table_source(std::shared_ptr<const reading_table> readings,
                                                     fleet relations, const source_options& o = {});

/// How a report runs: worker threads (0: one per core) and a progress callback (meters done, meters in all),
/// called on the calling thread between groups.
struct run_options {
    unsigned threads = 0;
    std::function<void(std::size_t done, std::size_t total)> progress;
};

}  // namespace v0
}  // namespace kvant
