// The kvant tool's computing commands read meters and readings from CSV files (--readings, --meters) or from
// a database (--db: a SQLite file or a PostgreSQL connection string); this is that shared part.
#pragma once

#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <vector>

#include "args.hpp"
#include "kvant/kvant.hpp"
#include "kvant/reports/meter_source.hpp"
#include "progress.hpp"

namespace kvant::cli {

/// The options every computing command takes: --readings/--meters or --db, --busy-timeout, --shard-reads,
/// --assume-offset, --resource, --threads, --quiet.
std::vector<option_spec> input_options();
/// --db: a SQLite file or a PostgreSQL database (postgresql://… or 'host=… dbname=…'); `what` starts the
/// help.
option_spec db_spec(std::string what = "the database");
/// --shard-reads direct|coordinator: how a PostgreSQL database whose readings are distributed is read
/// (postgres_options::direct_shard_reads).
option_spec shard_reads_spec();
/// --partitions N (1..1024): the PostgreSQL readings partitions of a database created by the command.
option_spec partitions_spec();
/// Opens the database --db names (the one place the tool opens a store): a PostgreSQL database for a
/// connection string or URI, a SQLite file otherwise. --busy-timeout is SQLite's busy timeout and
/// PostgreSQL's lock_timeout; --shard-reads and --partitions apply where the command declares them.
std::unique_ptr<store> open_db(const args& a, open_mode m);
/// The database --db names, as messages name it (a PostgreSQL password left out).
std::string db_name(const args& a);
/// Whether --db names a PostgreSQL database.
bool db_is_postgres(const args& a);
/// A usage error for a command (or part of one, `what`) that only works on a SQLite file, when --db names a
/// PostgreSQL database.
void require_sqlite(const args& a, std::string_view what);
/// --threads N (0..256, default 0: one per core) and --quiet, declared by every long command.
option_spec threads_spec();
option_spec quiet_spec();
/// Their values.
unsigned threads_option(const args& a);
bool quiet_option(const args& a);

/// The meters a computing command runs over, as a library meter_source (reports/meter_source.hpp): from CSV
/// files (--readings, --meters, --assume-offset) read whole into one table, or from a database (--db)
/// streamed through the store's cursor; --resource selects. `run()` gives --threads and the progress line.
class meter_inputs {
  public:
    /// `from`/`to`: the time range to read from a database (the period plus the history the command needs);
    /// files are read whole.
    explicit meter_inputs(const args& a, std::int64_t from = std::numeric_limits<std::int64_t>::min(),
                          std::int64_t to = std::numeric_limits<std::int64_t>::max());
    ~meter_inputs();

    meter_source& source() noexcept { return *source_; }
    const fleet& relations() const noexcept { return source_->relations(); }
    bool from_db() const noexcept { return db_ != nullptr; }
    /// --threads, and the progress of the meters on stderr.
    run_options run();

  private:
    std::unique_ptr<store> db_;
    std::unique_ptr<meter_source> source_;
    unsigned threads_ = 0;
    progress progress_;
};

/// Where the output goes: --out FILE or stdout.
/// Writes `path` whole or not at all: `write` fills a temporary file beside it, renamed over `path` when it
/// succeeded; on any failure the temporary file is removed and `path` keeps what it had. A symbolic link is
/// followed (the file it names is replaced, the link stays). A `path` that exists and is not a regular file
/// (/dev/null, /dev/stdout, a FIFO) is written directly: renaming over it would replace the device or pipe
/// with a file (as root, `--out /dev/null` made /dev/null a regular file).
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
