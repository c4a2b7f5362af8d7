// The kvant tool's computing commands read meters and readings from CSV files (--readings, --meters) or from
// a SQLite database (--db); this is that shared part.
#pragma once

#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <vector>

#include "args.hpp"
#include "kvant/kvant.hpp"
#include "kvant/series/meter_series.hpp"

namespace kvant::cli {

/// One meter to compute: its series, its entity (when known), model, calendar zone and billing day.
struct meter_input {
    meter_series series;
    const meter* entity = nullptr;
    const meter_model* model = nullptr;
    zone calendar;
    int billing_day = 1;
    int tariff_registers = 1;
};

struct inputs {
    fleet relations;  // from the database; empty for CSV files
    std::vector<meter> csv_meters;
    std::vector<meter_input> meters;
    bool from_db = false;
};

/// The options every computing command takes (see add_input_options).
std::vector<option_spec> input_options();
/// Opens the database --db names, waiting --busy-timeout milliseconds for another writer (the one place the
/// tool opens a store).
sqlite_store open_store(const args& a, sqlite_store::mode m);
/// Reads what the options name. Usage errors for a missing or doubled source.
inputs load_inputs(const args& a);

/// Where the output goes: --out FILE or stdout.
/// Writes `path` whole or not at all: `write` fills a temporary file beside it, renamed over `path` when it
/// succeeded; on any failure the temporary file is removed and `path` keeps what it had.
void write_file_whole(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write);

/// A command's report: built in memory and written out whole by finish(), to stdout or to --out through a
/// temporary file renamed over it. A command that fails before finish() writes nothing: no header-only or
/// partial table, and an existing --out file keeps its content.
class output {
  public:
    explicit output(const args& a);
    std::ostream& stream() noexcept { return buffer_; }
    void finish();  // writes the report; storage_error when writing failed

  private:
    std::ostringstream buffer_;
    std::optional<std::string> file_;
};

}  // namespace kvant::cli
