/// \file
/// CSV import into a store and export from it. docs/csv.md describes every format; in short, each file has a
/// header row naming its columns (any order; unknown names are refused, so a typo cannot drop a column), and
/// the columns are the entity's JSON keys (model/json.hpp). The required columns, then the others:
///
/// - organizations: id, name; kind, inn, kpp, ogrn, legal_address, actual_address, zone, billing_start_day
/// - abonents: id, organization, name; kind, phone, email
/// - accounts: number, abonent; address, building, building_type, apartment, area, contract_start,
///   contract_end
/// - metering_points: code, account; name, place, place_type
/// - meter_models: id, name; execution, manufacturer, registry_number, resource, verification_interval_years,
///   service_life_years, accuracy_class, phases, connection_type, nominal_voltage, nominal_current,
///   max_current, meter_constant, register_digits, tariff_registers
/// - meters: serial; model, point, role, resource, zone, transformer_ratio, register_digits,
///   tariff_registers, manufactured, installed, removed, last_verification, latitude, longitude
/// - readings, long: meter, timestamp, channel, value; source, accepted (any channel, by name or OBIS code:
///   docs/channels.md)
/// - readings, wide: meter, timestamp, and value or total; t1, t2, t3, t4, source, accepted (the registers of
///   each meter's resource's main quantity)
/// - events: meter, timestamp, code; kind, journal, message
/// - relay_changes: meter, timestamp, position; reason, by, note (docs/state.md)
/// - sessions: meter, start, end, result; channel, note (docs/state.md)
/// - tariff_schedules: not CSV but JSON (model/tariff_json.hpp): one schedule object or an array of them
/// - tariff_assignments: scope, target, resource, from, schedule
/// - tariff_rates: schedule, scope, target, zone, from, price; supplier (the `kvant cost --rates` file of
///   zone,from,price still reads there; stored rates need the schedule and scope columns)
/// - normatives: organization, resource, from, value, basis; amenities
///
/// Empty cells are absent values. A meter's resource defaults to its model's. Timestamps are ISO 8601 with
/// `Z` or an offset (or, with `import_options::default_offset_minutes`, without one).
///
/// Phases: every file is parsed and checked first (text, values, plausibility ranges, repeated keys,
/// references to the store and to the same import); only then is the write transaction begun. Repeated keys:
/// the same key twice in one import with the same content is written once (counted unchanged), with different
/// content it is validation_error(errc::duplicate) naming both lines.
///
/// Atomicity: an import runs in one transaction. The first bad line — malformed CSV, a bad value, an unknown
/// reference, an error-level validation issue, a conflicting reading — throws an error naming the file, line
/// and field, and the store is left exactly as before. Warning-level issues do not stop an import; they come
/// back in the report with their file and line.
#pragma once

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kvant/core/export.hpp"
#include "kvant/store/store.hpp"

namespace kvant {
inline namespace v0 {

/// The kinds of CSV file, in the order their references require (an import of several files uses it).
enum class table_kind : std::uint8_t {
    organizations,
    abonents,
    accounts,
    metering_points,
    meter_models,
    meters,
    readings,
    events,
    // ---- meter state
    relay_changes,
    sessions,
    // ---- tariffs (after every entity they refer to; written after the entities, before readings)
    tariff_schedules,
    tariff_assignments,
    tariff_rates,
    normatives
};
inline constexpr detail::enum_text<table_kind, 14> table_kind_text{
    "table",
    {{{table_kind::organizations, "organizations"},
      {table_kind::abonents, "abonents"},
      {table_kind::accounts, "accounts"},
      {table_kind::metering_points, "metering_points"},
      {table_kind::meter_models, "meter_models"},
      {table_kind::meters, "meters"},
      {table_kind::readings, "readings"},
      {table_kind::events, "events"},
      {table_kind::relay_changes, "relay_changes"},
      {table_kind::sessions, "sessions"},
      {table_kind::tariff_schedules, "tariff_schedules"},
      {table_kind::tariff_assignments, "tariff_assignments"},
      {table_kind::tariff_rates, "tariff_rates"},
      {table_kind::normatives, "normatives"}}}};
KVANT_ENUM_TEXT(table_kind, table_kind_text)

/// How far a long read or import is: rows parsed so far, bytes of the file consumed, the file's size (0 when
/// unknown: a pipe).
struct import_progress {
    std::uint64_t rows = 0;
    std::uint64_t bytes_done = 0;
    std::uint64_t bytes_total = 0;
    /// An import of a large readings file reads it twice: checking it (false), then writing it (true).
    bool writing = false;
};
using progress_callback = std::function<void(const import_progress&)>;

struct import_options {
    on_conflict conflict = on_conflict::fail;   ///< for readings and events stored already with other values
    std::optional<int> default_offset_minutes;  ///< UTC offset for timestamps written without one
    char delimiter = ',';
    std::size_t max_warnings = 1000;  ///< warnings kept in the report (all are counted)
    /// The rules real data is known to break (model/validation.hpp): lenient reports them as warnings and
    /// imports the rows; strict refuses the import. The store written to applies its own policy too.
    validation_policy policy = validation_policy::lenient;
    /// Called as a readings file is read (after each buffer) and once at its end; for a terminal display.
    progress_callback progress;
    /// The buffer a readings file is read through (it grows only for one record longer than it).
    std::size_t read_buffer_bytes = std::size_t{256} << 10;
    /// The values an import of a readings file holds at a time. A file of more values whose series run
    /// forward in time is checked whole first, then read again and written in batches inside the import's one
    /// transaction (a failure still changes nothing); a file whose series go back in time across batches is
    /// held whole (~22 bytes a value) so that the repeat rule sees every row.
    std::size_t import_batch_rows = std::size_t{1} << 20;
};

/// A warning-level issue found during an import, with where it was.
struct import_warning {
    location where;
    issue what;
    std::string to_string() const { return where.to_string() + ": " + what.to_string(); }
};

struct KVANT_API import_report {
    std::size_t rows = 0;  ///< data rows read; for readings, values (a wide row of three registers is three)
    write_stats stats;     ///< what the store did with them (entities count as inserted or replaced)
    std::size_t warning_count = 0;
    std::vector<import_warning> warnings;  ///< the first import_options::max_warnings of them
    import_report& operator+=(const import_report& o);
};

/// Imports one CSV text of the given kind. `source` names it in messages.
KVANT_API import_report import_csv(store& s, table_kind kind, std::string_view text,
                                   const std::string& source, const import_options& options = {});
/// Imports one file (its name is the source in messages).
KVANT_API import_report import_csv_file(store& s, table_kind kind, const std::filesystem::path& file,
                                        const import_options& options = {});
/// Imports several files in one transaction, in reference order whatever the order given.
KVANT_API import_report import_csv_files(store& s,
                                         std::vector<std::pair<table_kind, std::filesystem::path>> files,
                                         const import_options& options = {});

/// Imports several files (as import_csv_files) into a SQLite database that does not exist yet, so that a
/// failed import leaves no file behind, without a dry run that would hold everything in memory: the import
/// goes into a new database `<file>.kvant-new-<pid>` in the same directory, which is put in place under
/// `file`'s name only once the import committed (a hard link, so a file that appeared at `file` meanwhile is
/// never replaced: storage_error(storage_io) then). On any failure the temporary database is removed.
/// storage_error(storage_io) when `file` exists already (import into it with import_csv_files).
KVANT_API import_report import_csv_files_into_new_database(
    const std::filesystem::path& file, std::vector<std::pair<table_kind, std::filesystem::path>> files,
    const import_options& options = {});

/// Parses a readings CSV into a column-wise table without a store (for computations straight from files).
/// `lines`, when given, receives the line of each row. A long file (`meter,timestamp,channel,value`) gives
/// rows of the channels it names. A wide file (value or total, t1..t4 columns) gives rows of active energy
/// import's tariffs and sets `*wide` (false for a long file): the caller, who knows each meter's resource,
/// maps them onto the resource's main quantity with reading_table::map_main. The checks and errors are an
/// import's (file, line, field), the repeat rule included.
KVANT_API reading_table parse_readings_csv(std::string_view text, const std::string& source,
                                           const import_options& options = {},
                                           std::vector<std::uint64_t>* lines = nullptr, bool* wide = nullptr);
/// The same for a file, read streaming through a bounded buffer (options.read_buffer_bytes), never whole:
/// the memory it takes is the table's (~22 bytes a row while no row has a source or acceptance time) and
/// the buffer. Rows of one record are pushed with no allocation per cell; the columns are sized once from
/// the file's size. options.progress, when set, is called after each buffer. storage_error(storage_io)
/// when the file cannot be read.
KVANT_API reading_table read_readings_csv(const std::filesystem::path& file,
                                          const import_options& options = {}, bool* wide = nullptr);

/// Parses a meters CSV without a store (for computations straight from files): the same columns as the meters
/// table, every one optional but `serial` (e.g. just `serial,zone,register_digits,transformer_ratio`). A
/// model named there is kept as a key, not checked. Errors name the line and field, as an import does.
KVANT_API std::vector<meter> parse_meters_csv(std::string_view text, const std::string& source,
                                              const import_options& options = {});

/// The layout of a readings file (docs/csv.md).
/// - long_format: `meter,timestamp,channel,value,source,accepted`, one row a value, any channel (named as in
///   docs/channels.md). What export writes unless told otherwise: it holds everything a store can.
/// - wide_format: `meter,timestamp,total,t1,t2,t3,t4,source,accepted`, one row a reading time of a meter,
///   the registers of the meter's resource's main quantity (channel::main: active import for electricity,
///   heat energy for heat, volume for water and gas). An import maps such a file back onto the same channels.
enum class csv_layout : std::uint8_t { long_format, wide_format };
inline constexpr detail::enum_text<csv_layout, 2> csv_layout_text{
    "layout", {{{csv_layout::long_format, "long"}, {csv_layout::wide_format, "wide"}}}};
KVANT_ENUM_TEXT(csv_layout, csv_layout_text)

struct export_options {
    csv_layout layout = csv_layout::long_format;  ///< of readings; other tables have one layout
};

/// Writes one table of the store as CSV with every column of its kind, in the order of the table above.
/// Readings are read through the store's cursor (store::scan), one series chunk at a time, never the whole
/// store: long, they are ordered by meter, channel and time; wide, by meter and time (one meter's main
/// quantity is held at a time to join its registers). Values are written exactly (shortest decimal text).
/// A wide export of a meter with a channel the wide layout cannot hold (anything but total..t4 of its main
/// quantity), or with registers of one time that differ in source or acceptance time, fails with
/// storage_error(storage_schema) naming the meter and the channel or time, rather than dropping data.
/// Never drops a row: stored text is written as reads give it back (repaired, see store.hpp); what it cannot
/// write at all (a value with no column, readings of no meter, text a store handed out unrepaired) is
/// storage_error(storage_schema) naming the table, the row and the field.
KVANT_API void export_csv(const store& s, table_kind kind, std::ostream& out,
                          const export_options& options = {});

/// Reads a whole file; storage_error(storage_io) naming it when it cannot be read.
KVANT_API std::string read_file(const std::filesystem::path& file);

/// Writes one CSV field as RFC 4180 wants it: quoted when it holds a comma, a quote or a line break (quotes
/// doubled). Every CSV the library and the tool write goes through it.
KVANT_API void write_csv_field(std::ostream& out, std::string_view v);

}  // namespace v0
}  // namespace kvant
