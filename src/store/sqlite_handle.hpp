// Internal: RAII wrappers over the SQLite C API. Handles are owned by unique_ptr with deleters; errors become
// storage_error with SQLite's message and the statement at fault.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <limits>
#include "kvant/core/error.hpp"

#include "kvant/core/text.hpp"

namespace kvant {
inline namespace v0 {
namespace detail::sqlite {

struct db_closer {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct stmt_finalizer {
    void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using db_ptr = std::unique_ptr<sqlite3, db_closer>;

/// The error code of a SQLite result code: busy and locked are errc::storage_busy (retryable: another
/// connection holds the lock), I/O, full disk, read-only and cannot-open are storage_io, the rest storage.
inline errc classify(int code) noexcept {
    switch (code & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return errc::storage_busy;
        case SQLITE_CANTOPEN:
        case SQLITE_IOERR:
        case SQLITE_FULL:
        case SQLITE_READONLY:
            return errc::storage_io;
        default:
            return errc::storage;
    }
}

/// Throws the storage_error for result `code` while `doing`. A busy failure says who holds the lock and how
/// long this connection waited (`busy_ms`, the busy timeout).
[[noreturn]] inline void fail_with(int code, const std::string& doing, const std::string& sqlite_message,
                                   int busy_ms) {
    const errc ec = classify(code);
    if (ec == errc::storage_busy) {
        const std::string who = (code & 0xff) == SQLITE_LOCKED
                                    ? "a table is locked by another statement or connection"
                                    : "another connection holds the write lock";
        throw storage_error(ec, doing + ": " + sqlite_message + ": " + who +
                                    "; gave up after the busy timeout of " + std::to_string(busy_ms) +
                                    " ms (retryable: try again later, or give a longer busy timeout)");
    }
    throw storage_error(ec, doing + ": " + sqlite_message);
}

[[noreturn]] inline void fail(sqlite3* db, const std::string& doing, int busy_ms) {
    fail_with(sqlite3_extended_errcode(db), doing, sqlite3_errmsg(db), busy_ms);
}

inline void exec(sqlite3* db, const char* sql, int busy_ms) {
    char* msg = nullptr;
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &msg);
    if (rc != SQLITE_OK) {
        std::string m = msg ? msg : sqlite3_errstr(rc);
        sqlite3_free(msg);
        fail_with(sqlite3_extended_errcode(db), std::string("SQL '") + sql + "'", m, busy_ms);
    }
}

/// A prepared statement, reset after each use.
class statement {
  public:
    statement(sqlite3* db, std::string_view sql, int busy_ms) : db_(db), busy_ms_(busy_ms) {
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &s,
                               nullptr) != SQLITE_OK)
            fail(db, "preparing '" + std::string(sql) + "'", busy_ms);
        s_.reset(s);
    }
    sqlite3_stmt* get() const noexcept { return s_.get(); }

    statement& bind(int i, std::int64_t v) {
        check(sqlite3_bind_int64(s_.get(), i, v));
        return *this;
    }
    statement& bind(int i, std::string_view v) {
        // an empty view may have a null data(), which SQLite would bind as NULL rather than ''
        check(sqlite3_bind_text(s_.get(), i, v.empty() ? "" : v.data(), static_cast<int>(v.size()),
                                SQLITE_TRANSIENT));
        return *this;
    }
    statement& bind_null(int i) {
        check(sqlite3_bind_null(s_.get(), i));
        return *this;
    }
    /// Binds text, or NULL when empty.
    statement& bind_text_or_null(int i, std::string_view v) { return v.empty() ? bind_null(i) : bind(i, v); }
    /// Binds an integer, or NULL when it equals `missing`.
    statement& bind_or_null(int i, std::int64_t v, std::int64_t missing) {
        return v == missing ? bind_null(i) : bind(i, v);
    }

    /// Steps once: true when a row is ready, false when done.
    bool step() {
        const int rc = sqlite3_step(s_.get());
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        const std::string sql = sqlite3_sql(s_.get());
        sqlite3_reset(s_.get());
        fail(db_, "running '" + sql + "'", busy_ms_);
    }
    /// Steps to completion, then resets.
    void run() {
        while (step()) {
        }
        reset();
    }
    void reset() noexcept {
        sqlite3_reset(s_.get());
        sqlite3_clear_bindings(s_.get());
    }

    std::int64_t integer(int col) const noexcept { return sqlite3_column_int64(s_.get(), col); }
    bool is_null(int col) const noexcept { return sqlite3_column_type(s_.get(), col) == SQLITE_NULL; }
    std::int64_t integer_or(int col, std::int64_t missing) const noexcept {
        return is_null(col) ? missing : integer(col);
    }
    /// A text column as valid text (core/text.hpp, repair_text): invalid bytes come out as U+FFFD, so that
    /// nothing an older release stored makes a read fail. Never cut: a column may hold a whole document.
    std::string text(int col) const {
        return repair_text(bytes(col), std::numeric_limits<std::size_t>::max());
    }
    /// A text column's bytes as stored (for the checks that report them).
    std::string_view bytes(int col) const noexcept {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_.get(), col));
        return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(s_.get(), col)))
                 : std::string_view();
    }
    /// A blob column's bytes (empty for NULL or an empty blob).
    std::span<const std::uint8_t> blob(int col) const noexcept {
        const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(s_.get(), col));
        return p ? std::span<const std::uint8_t>(
                       p, static_cast<std::size_t>(sqlite3_column_bytes(s_.get(), col)))
                 : std::span<const std::uint8_t>();
    }
    statement& bind_blob(int i, std::string_view v) {
        check(sqlite3_bind_blob(s_.get(), i, v.empty() ? "" : v.data(), static_cast<int>(v.size()),
                                SQLITE_STATIC));
        return *this;
    }
    /// The storage class of a column: SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB or SQLITE_NULL.
    int type(int col) const noexcept { return sqlite3_column_type(s_.get(), col); }

  private:
    void check(int rc) {
        if (rc != SQLITE_OK) fail(db_, "binding a parameter", busy_ms_);
    }
    sqlite3* db_;
    int busy_ms_;
    std::unique_ptr<sqlite3_stmt, stmt_finalizer> s_;
};

/// Resets a statement when a scope ends, whatever happened in it.
class reset_guard {
  public:
    explicit reset_guard(statement& s) noexcept : s_(s) {}
    reset_guard(const reset_guard&) = delete;
    reset_guard& operator=(const reset_guard&) = delete;
    ~reset_guard() { s_.reset(); }

  private:
    statement& s_;
};

}  // namespace detail::sqlite
}  // namespace v0
}  // namespace kvant
