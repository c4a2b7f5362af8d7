/// \file
/// Tariff files: a rates CSV (`zone,from,price`) and a schedule file (a schedule JSON, or an OpenEI URDB rate
/// item whose first-tier rates come along). Both read text in memory and name the file, line and field of
/// anything wrong; the `kvant` tool, the fuzzers and hosts share them.
///
/// Rates: `zone` is a leaf zone, a group or `total`; `from` a date (YYYY-MM-DD); `price` roubles per unit, an
/// exact decimal from 0 to 1,000,000 (a negative or absurd price is an error, not a warning: it would bill).
/// One rule for every input file: a key (here zone and from) twice with the same price is one rate; twice
/// with different prices is an error naming both lines.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kvant/algorithms/cost.hpp"
#include "kvant/core/export.hpp"
#include "kvant/model/tariff_schedule.hpp"
#include "kvant/store/store.hpp"

namespace kvant {
inline namespace v0 {

/// The largest price a rate may have, in roubles per unit.
inline constexpr decimal max_rate_price = decimal::from_integer(1'000'000);

/// Reads a rates CSV. parse_error (syntax, header, value) or validation_error (a conflicting repeat, a price
/// out of range), each naming source, line and field.
KVANT_API std::vector<rate> parse_rates_csv(std::string_view text, const std::string& source);

/// A schedule read from a file, with the rates a URDB item carries.
struct schedule_file {
    tariff_schedule schedule;
    std::vector<rate> rates;          ///< URDB first-tier rates, in force from 1970-01-01; empty for JSON
    bool urdb_tiers_dropped = false;  ///< a URDB period had tiers beyond the first (not imported)
};

/// Reads a schedule JSON (tariff_json.hpp) or an OpenEI URDB item (urdb.hpp), told apart by their keys.
/// parse_error naming the source and the byte offset (JSON syntax) or the key.
KVANT_API schedule_file parse_schedule_file(std::string_view text, const std::string& source);

/// The schedule a caller names, as the `kvant` tool's --schedule, the C API and Python take it: a preset's
/// name (three-zone, two-zone, single), JSON text (starting with `{`: a schedule or a URDB item), the path of
/// a schedule or URDB file, or the id of a schedule stored in `db` (when given). config_error (errc::config)
/// naming the spec when it is none of them; parse errors of the text or file as parse_schedule_file.
KVANT_API schedule_file load_schedule(std::string_view spec, const store* db = nullptr);

}  // namespace v0
}  // namespace kvant
