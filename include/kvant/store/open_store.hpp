/// \file
/// `open_store`: one way to open a database by the text that names it, for the tool, the C API, Python and
/// programs that take a database from their user. A PostgreSQL connection string or URI
/// (`postgres_store::is_conninfo`: `postgresql://…`, `postgres://…`, `host=… dbname=…`) opens a
/// `postgres_store`; anything else is a SQLite file path and opens a `sqlite_store`.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>

#include "kvant/core/export.hpp"
#include "kvant/store/postgres_store.hpp"
#include "kvant/store/sqlite_store.hpp"
#include "kvant/store/store.hpp"

namespace kvant {
inline namespace v0 {

/// How open_store opens a database, whichever the backend.
enum class open_mode : std::uint8_t {
    create,     ///< create the file or schema when absent
    open,       ///< open an existing database for writing
    read_only,  ///< open an existing database for reading only
};

/// The settings of both backends; each backend uses its own and ignores the other's.
struct store_options {
    /// SQLite: how long a call waits for another connection's write lock (sqlite_store's busy timeout).
    std::chrono::milliseconds busy_timeout = sqlite_store::default_busy_timeout;
    /// PostgreSQL: partitions (on creation), lock timeout, connect timeout, direct shard reads.
    postgres_options postgres{};
};

/// Whether `where` names a PostgreSQL database (postgres_store::is_conninfo) rather than a SQLite file.
KVANT_API bool names_postgres(std::string_view where) noexcept;

/// Opens the database `where` names: a postgres_store for a connection string or URI, a sqlite_store for a
/// file path. Errors are those of the backend's constructor (storage_io, storage_schema, config_error for an
/// option out of range, naming it).
KVANT_API std::unique_ptr<store> open_store(std::string_view where, open_mode m = open_mode::create,
                                            const store_options& o = {});

}  // namespace v0
}  // namespace kvant
