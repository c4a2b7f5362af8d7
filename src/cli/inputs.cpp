#include "inputs.hpp"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>

namespace kvant::cli {

std::vector<option_spec> input_options() {
    return {opt::path("readings", "FILE",
                      "readings CSV: long (meter,timestamp,channel,value) or wide (meter,timestamp,value or "
                      "meter,timestamp,total,t1..t4)"),
            opt::path(
                "meters", "FILE",
                "meters CSV with at least serial; zone, register_digits, transformer_ratio, tariff_registers "
                "used"),
            db_spec("a database instead of CSV files"),
            opt::busy_timeout(),
            shard_reads_spec(),
            opt::offset("assume-offset", "UTC offset for timestamps written without one"),
            opt::choice("resource", "NAME", resource_text, "only meters of this resource"),
            threads_spec(),
            quiet_spec()};
}

option_spec threads_spec() {
    return opt::integer("threads", "N", 0, 256,
                        "worker threads (default 0: one per core); the results do not depend on it")
        .defaults_to("0");
}

option_spec quiet_spec() {
    return opt::flag("quiet", "no progress line on stderr (shown only when stderr is a terminal)");
}

option_spec db_spec(std::string what) {
    return opt::path(
        "db", "DB",
        std::move(what) + ": a SQLite file, or a PostgreSQL database as postgresql://… or 'host=… dbname=…'");
}

option_spec shard_reads_spec() {
    return opt::one_of("shard-reads", "HOW", {"direct", "coordinator"},
                       "PostgreSQL with distributed readings: read each server's partitions directly and in "
                       "parallel, or everything through the coordinator")
        .defaults_to("direct");
}

option_spec partitions_spec() {
    return opt::integer(
        "partitions", "N", 1, 1024,
        "PostgreSQL: hash partitions of the readings table, when the schema is created (default "
        "16)");
}

std::string db_name(const args& a) {
    const std::string where = a.require("db");
    return names_postgres(where) ? postgres_store::redact(where) : where;
}

bool db_is_postgres(const args& a) {
    const auto db = a.get("db");
    return db && names_postgres(*db);
}

std::unique_ptr<store> open_db(const args& a, open_mode m) {
    const std::string where = a.require("db");
    store_options o;
    if (a.declares("busy-timeout")) {
        o.busy_timeout = std::chrono::milliseconds(a.integer("busy-timeout").value());
        o.postgres.lock_timeout = o.busy_timeout;
    }
    if (a.declares("shard-reads")) o.postgres.direct_shard_reads = a.get("shard-reads").value() == "direct";
    if (a.declares("partitions"))
        if (const auto n = a.integer("partitions")) {
            if (!names_postgres(where))
                throw config_error(errc::usage, "--partitions applies to a PostgreSQL database only");
            o.postgres.partitions = static_cast<int>(*n);  // 1..1024: checked when parsed
        }
    return kvant::open_store(where, m, o);
}

void require_sqlite(const args& a, std::string_view what) {
    if (db_is_postgres(a))
        throw config_error(
            errc::usage, std::string(what) +
                             " works on a SQLite file only; --db names a PostgreSQL database (" + db_name(a) +
                             ")");
}

unsigned threads_option(const args& a) {
    const auto n = a.integer("threads");  // 0..256: checked when parsed
    return n ? static_cast<unsigned>(*n) : 0u;
}

bool quiet_option(const args& a) {
    return a.flag("quiet");
}

meter_inputs::meter_inputs(const args& a, std::int64_t from, std::int64_t to)
    : threads_(threads_option(a)), progress_("meters", 0, quiet_option(a)) {
    // a command over a database only (anomalies detect) declares neither --readings nor --resource
    const auto readings_file = a.declares("readings") ? a.get("readings") : std::nullopt;
    const auto db_file = a.get("db");
    if (readings_file.has_value() == db_file.has_value())
        throw config_error(errc::usage, "give either --readings FILE or --db FILE (see --help)");
    source_options so;
    so.from = from;
    so.to = to;
    if (a.declares("resource") && a.get("resource")) so.only = choice(a, "resource", resource_text);
    if (readings_file) {
        import_options io;
        if (a.declares("assume-offset"))
            if (auto minutes = a.offset_minutes("assume-offset")) io.default_offset_minutes = *minutes;
        progress reading("rows", 0, quiet_option(a));
        io.progress = [&](const import_progress& p) { reading.update(static_cast<std::size_t>(p.rows)); };
        const auto meters_file = a.get("meters");
        source_ = csv_source(*readings_file,
                             meters_file ? std::optional<std::filesystem::path>(*meters_file) : std::nullopt,
                             io, so);
        reading.finish();
        return;
    }
    db_ = open_db(a, open_mode::read_only);
    source_ = store_source(*db_, so);
}

meter_inputs::~meter_inputs() = default;

run_options meter_inputs::run() {
    run_options r;
    r.threads = threads_;
    r.progress = [this](std::size_t done, std::size_t total) {
        progress_.set_total(total);
        progress_.update(done);
        if (done >= total) progress_.finish();
    };
    return r;
}

output::output(const args& a) {
    if (auto o = a.get("out"); o && *o != "-") file_ = *o;
}

void output::finish() {
    const std::string text = std::move(buffer_).str();
    if (!file_) {
        std::cout.write(text.data(), static_cast<std::streamsize>(text.size()));
        std::cout.flush();
        if (!std::cout) throw storage_error(errc::storage_io, "error while writing the output");
        return;
    }
    write_file_whole(
        *file_, [&](std::ostream& f) { f.write(text.data(), static_cast<std::streamsize>(text.size())); });
}

void write_file_whole(const std::filesystem::path& given, const std::function<void(std::ostream&)>& write) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const auto st = fs::status(given, ec);  // through a symbolic link
    if (!ec && fs::exists(st) && !fs::is_regular_file(st)) {
        std::ofstream f(given, std::ios::binary);
        if (!f) throw storage_error(errc::storage_io, "cannot write " + excerpt(given.string()));
        write(f);
        f.flush();
        if (!f) throw storage_error(errc::storage_io, "error while writing " + excerpt(given.string()));
        return;
    }
    fs::path path = given;
    if (fs::is_symlink(fs::symlink_status(given, ec))) {
        const auto target = fs::weakly_canonical(given, ec);
        if (!ec) path = target;
    }
    auto tmp = path;
    tmp += ".partial";
    auto drop = [&] {
        std::error_code ignored;
        std::filesystem::remove(tmp, ignored);
    };
    {
        std::ofstream f(tmp, std::ios::binary);
        if (!f) throw storage_error(errc::storage_io, "cannot write " + excerpt(tmp.string()));
        try {
            write(f);
        } catch (...) {
            f.close();
            drop();
            throw;
        }
        f.flush();
        if (!f) {
            f.close();
            drop();
            throw storage_error(errc::storage_io, "error while writing " + excerpt(tmp.string()));
        }
    }
    std::filesystem::rename(tmp, path);
}

}  // namespace kvant::cli
