/// \file
/// `meter_source`: the meters a report runs over, with what each needs (its series, entity, model, calendar
/// zone, billing day), delivered a group at a time — from a store (streamed through its cursor: a group's
/// series in memory, never the whole store) or from readings already in memory (a `reading_table` read from a
/// CSV file, built from a DataFrame or from caller arrays, shared without a copy). `run_meters` computes each
/// group over a thread pool and hands the results back in meter order on the calling thread, so a report is
/// the same whatever the number of threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <type_traits>
#include <vector>

#include "kvant/core/export.hpp"
#include "kvant/core/thread_pool.hpp"
#include "kvant/core/zone.hpp"
#include "kvant/io/csv.hpp"
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
    /// store_source: the readings read, [from, to) in Unix seconds (the period plus the history a report
    /// needs); a table_source delivers its table whole.
    std::int64_t from = std::numeric_limits<std::int64_t>::min();
    std::int64_t to = std::numeric_limits<std::int64_t>::max();
    std::optional<resource> only;  ///< only meters of this resource (a meter not in the fleet: electricity)
    /// table_source: the table came from wide register columns ("total, t1..t4", or one value column), whose
    /// values are each meter's main quantity (reading_table::map_main); the store's readings are channels.
    bool wide = false;
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
/// The same, taking the table over: sorted or mapped in place, never copied (the tool's files).
KVANT_API std::unique_ptr<meter_source> table_source(reading_table&& readings, fleet relations,
                                                     const source_options& o = {});

/// Readings from a CSV file (long or wide, read streaming into one table, then taken over by a table_source)
/// with the meters of a meters CSV, when given (their zone, register digits, transformer ratio, tariff
/// registers; no relations): what `kvant consumption --readings FILE --meters FILE` computes over.
/// `io.default_offset_minutes` ← --assume-offset; `io.progress` is called as the readings are read; `o.wide`
/// is set from the file's layout. Errors name the file, line and field.
KVANT_API std::unique_ptr<meter_source> csv_source(const std::filesystem::path& readings,
                                                   const std::optional<std::filesystem::path>& meters = {},
                                                   const import_options& io = {}, source_options o = {});

/// How a report runs: worker threads (0: one per core) and a progress callback (meters done, meters in all),
/// called on the calling thread after each group and once more, with done == total, when the run is over.
struct run_options {
    unsigned threads = 0;
    std::function<void(std::size_t done, std::size_t total)> progress;
};

/// The size of the groups `run_meters` asks a source for with a pool of `threads` threads: enough meters to
/// keep every thread busy, few enough that a group's series stay a small part of memory.
constexpr std::size_t group_size_for(unsigned threads) noexcept {
    return std::size_t{64} * (threads == 0 ? 1 : threads);
}

/// Runs `compute(const meter_input&) -> R` for every meter of `src`, a group at a time over a pool of
/// `run.threads` threads, and `consume(R&)` (or `consume(R&, const meter_input&)`) for each result in meter
/// order on the calling thread: what is consumed does not depend on the number of threads. `compute` must be
/// safe to call from several threads at once; an exception it throws is rethrown here (the lowest meter's).
template <class Compute, class Consume>
void run_meters(meter_source& src, const run_options& run, Compute&& compute, Consume&& consume) {
    using R = std::decay_t<std::invoke_result_t<Compute&, const meter_input&>>;
    thread_pool pool(run.threads);
    const std::size_t max = group_size_for(pool.size());
    std::vector<meter_input> group;
    std::vector<std::optional<R>> results;
    std::size_t done = 0;
    while (src.next_group(group, max)) {
        results.assign(group.size(), std::nullopt);
        pool.for_each_index(group.size(), [&](std::size_t i) { results[i].emplace(compute(group[i])); });
        for (std::size_t i = 0; i < group.size(); ++i) {
            if constexpr (std::is_invocable_v<Consume&, R&, const meter_input&>)
                consume(*results[i], group[i]);
            else
                consume(*results[i]);
        }
        done += group.size();
        if (run.progress) run.progress(done, src.total());
    }
    if (run.progress) run.progress(src.total(), src.total());
}

}  // namespace v0
}  // namespace kvant
