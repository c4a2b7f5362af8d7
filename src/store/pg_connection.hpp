// Internal: RAII wrappers over libpq. Results are asked for in binary (integers arrive as big-endian
// int2/int4/int8, text and bytea as their bytes), parameters are sent as text except bytea (binary); SQL with
// parameters is prepared once per connection. Errors become storage_error with the server's message, the
// SQLSTATE and the statement at fault, naming the database by its connection string without password.
#pragma once

#include "libpq.hpp"

#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kvant/core/error.hpp"
#include "kvant/core/text.hpp"

namespace kvant {
inline namespace v0 {
namespace detail::pg {

struct conn_closer {
    void operator()(PGconn* c) const noexcept { pq().finish(c); }
};
struct result_clearer {
    void operator()(PGresult* r) const noexcept { pq().clear(r); }
};
using conn_ptr = std::unique_ptr<PGconn, conn_closer>;

/// The error code of a SQLSTATE: serialization failure (40001), deadlock (40P01) and lock not available
/// (55P03, lock_timeout) are errc::storage_busy (retryable, the statement changed nothing); connection
/// failures (08…), a server shutting down or restarting (57P01..57P03) and insufficient resources (53…) are
/// storage_io, and so is a write in a read-only transaction (25006: a store opened read-only, as SQLite's
/// read-only write is); integrity violations (23…) storage_conflict; the rest storage.
inline errc classify(std::string_view state) noexcept {
    if (state == "40001" || state == "40P01" || state == "55P03") return errc::storage_busy;
    if (state == "25006") return errc::storage_io;
    if (state.starts_with("08") || state == "57P01" || state == "57P02" || state == "57P03" ||
        state.starts_with("53"))
        return errc::storage_io;
    if (state.starts_with("23")) return errc::storage_conflict;
    return errc::storage;
}

/// Whether a SQLSTATE is a failure a whole transaction may be run again after.
inline bool retryable(std::string_view state) noexcept {
    return state == "40001" || state == "40P01";
}

/// A query's result, cleared on destruction. Row and column indexes are checked by the caller's loop bounds;
/// every accessor checks the value's size against its type, so a value of an unexpected type is a
/// storage_corrupt naming the column, never a read out of bounds.
class result {
  public:
    result() = default;
    explicit result(PGresult* r) : r_(r) {}
    PGresult* get() const noexcept { return r_.get(); }
    int rows() const noexcept { return pq().ntuples(r_.get()); }
    int columns() const noexcept { return pq().nfields(r_.get()); }
    bool is_null(int row, int col) const noexcept { return pq().getisnull(r_.get(), row, col) != 0; }
    std::string_view column_name(int col) const noexcept { return pq().fname(r_.get(), col); }
    /// The value's bytes (binary format).
    std::span<const std::uint8_t> bytes(int row, int col) const noexcept {
        return {reinterpret_cast<const std::uint8_t*>(pq().getvalue(r_.get(), row, col)),
                static_cast<std::size_t>(pq().getlength(r_.get(), row, col))};
    }
    std::string_view text(int row, int col) const noexcept {
        return {pq().getvalue(r_.get(), row, col),
                static_cast<std::size_t>(pq().getlength(r_.get(), row, col))};
    }
    /// An int2, int4 or int8 value (binary); a bool reads as 0 or 1.
    std::int64_t integer(int row, int col) const {
        const auto b = bytes(row, col);
        if (is_null(row, col) || (b.size() != 8 && b.size() != 4 && b.size() != 2 && b.size() != 1))
            throw storage_error(errc::storage_corrupt, "column " + std::string(column_name(col)) +
                                                           " of row " + std::to_string(row) +
                                                           " is not an integer");
        std::uint64_t v = 0;
        for (auto x : b) v = (v << 8) | x;
        if (b.size() < 8 && (b[0] & 0x80) && b.size() > 1) v |= ~std::uint64_t{0} << (8 * b.size());
        return static_cast<std::int64_t>(v);
    }

  private:
    std::unique_ptr<PGresult, result_clearer> r_;
};

/// Parameters of one statement: text, except bytea sent as binary.
class params {
  public:
    /// Text as PostgreSQL can hold it: a NUL byte (libpq would cut the value there) and an invalid UTF-8 byte
    /// (the server refuses it) become U+FFFD, one per byte, as SQLite's text reads back (core/text.hpp);
    /// every other character, control characters included (tariff keys join their parts with U+001F), is
    /// kept. So a key no stored row can have finds nothing instead of failing or finding the row of its
    /// prefix, and a note is never cut.
    params& add(std::string_view text) {
        push(storable(text), 0);
        return *this;
    }
    static std::string storable(std::string_view text) {
        std::size_t i = 0;
        const auto ok_at =
            [&](std::size_t at) -> std::size_t {  // bytes of a storable character at `at`, or 0
            const auto c = static_cast<unsigned char>(text[at]);
            if (c == 0) return 0;
            return c < 0x80 ? 1 : detail::utf8_length(text, at);
        };
        while (i < text.size()) {
            const std::size_t n = ok_at(i);
            if (n == 0) break;
            i += n;
        }
        if (i == text.size()) return std::string(text);
        std::string out(text.substr(0, i));
        while (i < text.size()) {
            const std::size_t n = ok_at(i);
            if (n == 0) {
                out += "\xEF\xBF\xBD";  // U+FFFD
                ++i;
            } else {
                out.append(text.substr(i, n));
                i += n;
            }
        }
        return out;
    }
    params& add(const char* text) { return add(std::string_view(text)); }
    params& add(std::int64_t v) {
        push(std::to_string(v), 0);
        return *this;
    }
    params& add(int v) { return add(static_cast<std::int64_t>(v)); }
    params& add(std::uint32_t v) { return add(static_cast<std::int64_t>(v)); }
    params& add_null() {
        values_.emplace_back();
        null_.push_back(true);
        formats_.push_back(0);
        return *this;
    }
    /// Text or null (an empty optional reference).
    params& add_or_null(std::string_view text) { return text.empty() ? add_null() : add(text); }
    params& add_bytes(std::span<const std::uint8_t> b) {
        push(std::string(reinterpret_cast<const char*>(b.data()), b.size()), 1);
        return *this;
    }
    params& add_bytes(std::string_view b) {
        push(std::string(b), 1);
        return *this;
    }
    /// A bigint[] in text form ('{1,2,3}').
    params& add_array(std::span<const std::int64_t> v) {
        std::string s = "{";
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (i) s += ',';
            s += std::to_string(v[i]);
        }
        s += '}';
        push(std::move(s), 0);
        return *this;
    }
    /// A bigint[] in text form with NULL elements where a value is absent ('{1,NULL,3}').
    params& add_array(std::span<const std::optional<std::int64_t>> v) {
        std::string s = "{";
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (i) s += ',';
            s += v[i] ? std::to_string(*v[i]) : std::string("NULL");
        }
        s += '}';
        push(std::move(s), 0);
        return *this;
    }
    /// A text[] in text form ('{"a","b"}'), each element quoted (backslash and double quote escaped).
    template <class Strings>
    params& add_text_array(const Strings& v) {
        std::string s = "{";
        bool first = true;
        for (const auto& x : v) {
            if (!first) s += ',';
            first = false;
            s += '"';
            for (char c : storable(std::string_view(x))) {
                if (c == '"' || c == '\\') s += '\\';
                s += c;
            }
            s += '"';
        }
        s += '}';
        push(std::move(s), 0);
        return *this;
    }
    int size() const noexcept { return static_cast<int>(values_.size()); }
    /// Pointers for libpq, valid while this object is unchanged.
    void finish(std::vector<const char*>& v, std::vector<int>& len) const {
        v.clear(), len.clear();
        for (std::size_t i = 0; i < values_.size(); ++i) {
            v.push_back(null_[i] ? nullptr : values_[i].data());
            len.push_back(static_cast<int>(values_[i].size()));
        }
    }
    const int* formats() const noexcept { return formats_.data(); }

  private:
    void push(std::string s, int format) {
        values_.push_back(std::move(s));
        null_.push_back(false);
        formats_.push_back(format);
    }
    std::vector<std::string> values_;
    std::vector<bool> null_;
    std::vector<int> formats_;
};

/// One libpq connection with its prepared statements.
class connection {
  public:
    /// Connects; storage_io naming `where` (the redacted connection string) on failure.
    connection(const std::string& conninfo, std::string where, int connect_timeout_s)
        : where_(std::move(where)) {
        // libpq's message about a string it cannot parse quotes the part at fault, which may be the password
        // (a URI's bad percent-encoding): checked first, and the message left out
        char* err = nullptr;
        PQconninfoOption* parsed = pq().conninfoParse(conninfo.c_str(), &err);
        if (err) pq().freemem(err);
        if (!parsed)
            throw storage_error(errc::storage_io, "cannot connect to " + where_ +
                                                      ": libpq cannot parse the connection string (its "
                                                      "message is left out: it may quote the password)");
        pq().conninfoFree(parsed);
        const std::string full = conninfo;
        const char* keys[] = {"dbname", "connect_timeout", "application_name", nullptr};
        const std::string timeout = std::to_string(connect_timeout_s);
        const char* vals[] = {full.c_str(), timeout.c_str(), "libkvant", nullptr};
        // expand_dbname: the first dbname is the whole connection string or URI, the rest add to it
        c_.reset(pq().connectdbParams(keys, vals, 1));
        if (!c_) throw storage_error(errc::storage_io, "cannot connect to " + where_ + ": out of memory");
        if (pq().status(c_.get()) != CONNECTION_OK)
            throw storage_error(errc::storage_io, "cannot connect to " + where_ + ": " + message());
    }
    PGconn* get() const noexcept { return c_.get(); }
    const std::string& where() const noexcept { return where_; }
    bool ok() const noexcept { return pq().status(c_.get()) == CONNECTION_OK; }
    /// libpq's last message, one line.
    std::string message() const {
        std::string m = pq().errorMessage(c_.get());
        while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
        for (auto& ch : m)
            if (ch == '\n') ch = ' ';
        return m;
    }

    /// Runs SQL without parameters (may hold several statements); throws on failure.
    void exec(const std::string& sql) { check(result(pq().exec(c_.get(), sql.c_str())), sql); }
    /// The same, naming the statement in an error as `shown` (SQL that holds a secret, e.g. a password).
    void exec(const std::string& sql, const std::string& shown) {
        check(result(pq().exec(c_.get(), sql.c_str())), shown);
    }
    /// Runs one statement with parameters, prepared once on this connection; binary results.
    result query(const std::string& sql, const params& p = {}) {
        auto it = prepared_.find(sql);
        if (it == prepared_.end()) {
            const std::string name = "kvant_" + std::to_string(++named_);
            check(result(pq().prepare(c_.get(), name.c_str(), sql.c_str(), 0, nullptr)), sql);
            it = prepared_.emplace(sql, name).first;
        }
        p.finish(values_, lengths_);
        return check(result(pq().execPrepared(c_.get(), it->second.c_str(), p.size(), values_.data(),
                                              lengths_.data(), p.formats(), 1)),
                     sql);
    }
    /// Sends `data` (COPY binary format) to `copy_sql` (`COPY t(cols) FROM STDIN (FORMAT binary)`).
    void copy_in(const std::string& copy_sql, std::string_view data) {
        check(result(pq().exec(c_.get(), copy_sql.c_str())), copy_sql, PGRES_COPY_IN);
        constexpr std::size_t chunk = 1 << 20;
        for (std::size_t at = 0; at < data.size(); at += chunk) {
            const auto n = std::min(chunk, data.size() - at);
            if (pq().putCopyData(c_.get(), data.data() + at, static_cast<int>(n)) != 1) {
                pq().putCopyEnd(c_.get(), "send failed");
                drain();
                throw storage_error(errc::storage_io, "sending COPY data to " + where_ + ": " + message());
            }
        }
        if (pq().putCopyEnd(c_.get(), nullptr) != 1)
            throw storage_error(errc::storage_io, "ending COPY to " + where_ + ": " + message());
        result last;
        while (PGresult* r = pq().getResult(c_.get())) {
            result cur(r);
            if (pq().resultStatus(r) != PGRES_COMMAND_OK) {
                last = std::move(cur);
                continue;
            }
        }
        if (last.get()) check(std::move(last), copy_sql);
    }
    /// Forgets the prepared statements (they are deallocated on the server).
    void forget_prepared() {
        if (ok()) pq().clear(pq().exec(c_.get(), "DEALLOCATE ALL"));
        prepared_.clear();
    }

    /// Throws the storage_error of a failed result, naming what was being done.
    result check(result r, const std::string& sql, ExecStatusType want = PGRES_COMMAND_OK) const {
        const auto st = r.get() ? pq().resultStatus(r.get()) : PGRES_FATAL_ERROR;
        if (st == want || st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK || st == PGRES_COPY_IN) return r;
        fail(r.get(), sql);
    }
    [[noreturn]] void fail(PGresult* r, const std::string& sql) const {
        const char* state = r ? pq().resultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
        const std::string s = state ? state : (ok() ? "" : "08006");
        std::string msg = r ? pq().resultErrorMessage(r) : "";
        if (msg.empty()) msg = message();
        while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
        for (auto& ch : msg)
            if (ch == '\n') ch = ' ';
        std::string shown = sql.size() > 200 ? sql.substr(0, 200) + "…" : sql;
        const errc ec = classify(s);
        std::string text =
            where_ + ": " + msg + (s.empty() ? "" : " (SQLSTATE " + s + ")") + " in '" + shown + "'";
        if (ec == errc::storage_busy) text += " (retryable: nothing was changed; try again)";
        if (s == "25P02")
            text +=
                " (an earlier failure aborted this transaction on the server: roll it back and run it again)";
        throw storage_error(ec, text);
    }

  private:
    void drain() {
        while (PGresult* r = pq().getResult(c_.get())) pq().clear(r);
    }
    conn_ptr c_;
    std::string where_;
    std::map<std::string, std::string, std::less<>> prepared_;
    std::uint64_t named_ = 0;  // statements named so far (names are never reused)
    std::vector<const char*> values_;
    std::vector<int> lengths_;
};

/// Appends big-endian integers and a COPY binary stream's framing (header, tuple, field, trailer).
struct copy_writer {
    std::string out;
    void header() {
        static constexpr char sig[] = "PGCOPY\n\377\r\n";
        out.append(sig, 11);
        be32(0), be32(0);  // flags, header extension length
    }
    void tuple(int fields) { be16(static_cast<std::uint16_t>(fields)); }
    void int8(std::int64_t v) { be32(8), be64(static_cast<std::uint64_t>(v)); }
    void int4(std::int32_t v) { be32(4), be32(static_cast<std::uint32_t>(v)); }
    void bytes(std::string_view b) {
        be32(static_cast<std::uint32_t>(b.size()));
        out.append(b);
    }
    void trailer() { be16(0xFFFF); }
    void be16(std::uint16_t v) {
        out.push_back(static_cast<char>(v >> 8));
        out.push_back(static_cast<char>(v));
    }
    void be32(std::uint32_t v) {
        for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<char>(v >> s));
    }
    void be64(std::uint64_t v) {
        for (int s = 56; s >= 0; s -= 8) out.push_back(static_cast<char>(v >> s));
    }
};

}  // namespace detail::pg
}  // namespace v0
}  // namespace kvant
