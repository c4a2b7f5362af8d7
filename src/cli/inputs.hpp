// The kvant tool's computing commands read meters and readings from CSV files (--readings, --meters) or from
// a SQLite database (--db); this is that shared part.
#pragma once

#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <vector>

#include "args.hpp"
#include "kvant/core/thread_pool.hpp"
#include "kvant/kvant.hpp"
#include "kvant/series/meter_series.hpp"
#include "kvant/store/meter_stream.hpp"
#include "progress.hpp"

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

/// The options every computing command takes: --readings/--meters or --db, --busy-timeout, --assume-offset,
/// --resource, --threads, --quiet.
std::vector<option_spec> input_options();
/// Opens the database --db names, waiting --busy-timeout milliseconds for another writer (the one place the
/// tool opens a store).
sqlite_store open_store(const args& a, sqlite_store::mode m);
/// --threads N (0..256, default 0: one per core) and --quiet, declared by every long command.
option_spec threads_spec();
option_spec quiet_spec();
/// Their values.
unsigned threads_option(const args& a);
bool quiet_option(const args& a);

/// The meters a computing command runs over, from CSV files (--readings, --meters) or a database (--db),
/// delivered a group at a time: a database is streamed through the store's cursor (a group's series in
/// memory, never the whole store), and each group is computed over a pool of --threads workers. Results are
/// consumed in meter order on the calling thread, so the output is the same whatever the number of threads.
class meter_inputs {
  public:
    /// `from`/`to`: the time range to read from a database (the period plus the history the command needs);
    /// files are read whole.
    explicit meter_inputs(const args& a, std::int64_t from = std::numeric_limits<std::int64_t>::min(),
                          std::int64_t to = std::numeric_limits<std::int64_t>::max());
    ~meter_inputs();

    const fleet& relations() const noexcept { return relations_; }
    bool from_db() const noexcept { return db_ != nullptr; }

    /// compute(meter) for every meter, spread over the pool; consume(result) in meter order (and `seen`,
    /// when given, with the meter itself).
    template <class R>
    void run(const std::function<R(const meter_input&)>& compute, const std::function<void(R&)>& consume,
             const std::function<void(const meter_input&)>& seen = {}) {
        std::vector<meter_input> group;
        std::vector<std::optional<R>> results;
        while (next_group(group)) {
            results.assign(group.size(), std::nullopt);
            pool_.for_each_index(group.size(), [&](std::size_t i) { results[i] = compute(group[i]); });
            for (std::size_t i = 0; i < group.size(); ++i) {
                consume(*results[i]);
                if (seen) seen(group[i]);
            }
            done_ += group.size();
            progress_.update(done_);
        }
        progress_.finish();
    }

  private:
    bool next_group(std::vector<meter_input>& out);
    bool wanted(const meter* m) const;

    fleet relations_;
    std::vector<meter> csv_meters_;
    std::vector<meter_input> csv_inputs_;  // every meter of a readings file
    std::size_t csv_next_ = 0;
    std::unique_ptr<sqlite_store> db_;
    std::unique_ptr<meter_stream> stream_;
    std::optional<resource> only_;
    thread_pool pool_;
    progress progress_;
    std::size_t done_ = 0;
};

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
