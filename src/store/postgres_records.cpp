// postgres_store: meter events, anomalies and their history, the entry log, relay changes, communication
// sessions and link summaries; the same semantics, order, messages and change-log records as sqlite_store.
//
// Batch writes (events, relay changes, sessions) take a few round trips whatever the batch's size, not one a
// row: the meters' ids in one query; per-meter-bucket advisory locks (below); the stored rows of every key
// of the batch in one query (the keys bound as arrays and unnested); the conflict policy applied in batch
// order in memory, exactly as SQLite applies it row by row (a key written twice in one batch meets the value
// the earlier rows left); then one INSERT of the new keys and one UPDATE of the replaced ones, both over
// unnested arrays (in chunks of at most `chunk_rows` rows and about `chunk_text_bytes` of text, so that no
// parameter grows past tens of MB).
//
// Locks (pg_locks.hpp): writers of these tables take the locks of the batch's meters before reading the
// stored rows, so that two writers of the same meters queue (the second sees what the first committed)
// instead of one of them failing on a key the other inserted meanwhile. Anomaly writers take one lock for the
// table and lock the stored rows they read (FOR UPDATE), so that detection and resolution never overwrite
// each other. Readers take no lock.
#include <algorithm>
#include <map>
#include <unordered_map>

#include "entity_rows.hpp"
#include "kvant/model/json.hpp"
#include "kvant/store/postgres_store.hpp"
#include "pg_locks.hpp"
#include "postgres_impl.hpp"
#include "records_common.hpp"

namespace kvant {
inline namespace v0 {

namespace {

using detail::pg::params;
using detail::pg::result;
namespace rec = detail::records;
namespace rows = detail::rows;
using detail::rows::quote;

constexpr std::size_t chunk_rows = 50'000;
constexpr std::size_t chunk_text_bytes = 32 << 20;

/// A stored text read back as valid UTF-8 (a database whose encoding is not UTF8 may hold any bytes).
std::string text_of(const result& r, int row, int col) {
    const auto t = r.text(row, col);
    if (first_invalid_byte(t) || t.size() > max_text_bytes) return repair_text(t);
    return std::string(t);
}

/// What a text column holds, for a message (as sqlite_store words it).
std::string describe_text(const result& r, int row, int col) {
    return r.is_null(row, col) ? "NULL" : "text " + quote(r.text(row, col));
}

std::optional<std::int64_t> integer_or_null(const result& r, int row, int col) {
    if (r.is_null(row, col)) return std::nullopt;
    return r.integer(row, col);
}

/// The ids of the meters named by `serial_of(rows[i])`, each asked once; a meter gone meanwhile is an error.
template <class T>
std::unordered_map<std::string, std::int64_t> meter_ids(detail::pg::connection& c, const std::string& where,
                                                        std::span<const T> rows) {
    std::unordered_map<std::string, std::int64_t> ids;
    std::vector<std::string_view> wanted;
    for (const auto& r : rows)
        if (ids.emplace(r.meter, -1).second) wanted.push_back(r.meter);
    for (std::size_t at = 0; at < wanted.size(); at += chunk_rows) {
        const auto part = std::span(wanted).subspan(at, std::min(chunk_rows, wanted.size() - at));
        auto res = c.query("SELECT serial,id FROM meters WHERE serial=ANY($1::text[])",
                           params().add_text_array(part));
        for (int i = 0; i < res.rows(); ++i) ids[std::string(res.text(i, 0))] = res.integer(i, 1);
    }
    for (const auto& [serial, id] : ids)
        if (id < 0) throw storage_error(errc::storage, where + ": unknown meter " + quote(serial));
    return ids;
}

/// The key of a batch row: meter id, Unix seconds, code (0 for relay changes and sessions).
struct row_key {
    std::int64_t meter, ts, code;
    bool operator==(const row_key&) const = default;
};
struct row_key_hash {
    std::size_t operator()(const row_key& k) const noexcept {
        std::uint64_t h = static_cast<std::uint64_t>(k.meter) * 0x9E3779B97F4A7C15ull;
        h ^= static_cast<std::uint64_t>(k.ts) + 0x7F4A7C159E3779B9ull + (h << 6) + (h >> 2);
        h ^= static_cast<std::uint64_t>(k.code) + 0x94D049BB133111EBull + (h << 6) + (h >> 2);
        return static_cast<std::size_t>(h);
    }
};

/// One key of a batch as the conflict policy leaves it: its value now, whether it is to be inserted (new
/// key) or updated (stored key replaced).
template <class T>
struct slot {
    row_key key;
    const T* first = nullptr;  // the batch row that named the key first
    std::optional<T> now;      // the stored value, then the value after each batch row
    bool insert = false, update = false;
};

// ---- the three tables written in batches

struct event_rows {
    using type = meter_event;
    static constexpr bool three_part_key = true;
    static row_key key(const meter_event& e, std::int64_t id) { return {id, to_unix(e.time), e.code}; }
    static constexpr const char* lookup =
        "SELECT e.meter,e.ts,e.code,e.kind,e.journal,e.message FROM unnest($1::bigint[],$2::bigint[],"
        "$3::bigint[]) AS k(meter,ts,code) JOIN meter_events e ON e.meter=k.meter AND e.ts=k.ts AND "
        "e.code=k.code";
    static constexpr const char* insert =
        "INSERT INTO meter_events(meter,ts,code,kind,journal,message) SELECT * FROM unnest($1::bigint[],"
        "$2::bigint[],$3::bigint[],$4::text[],$5::bigint[],$6::text[])";
    static constexpr const char* update =
        "UPDATE meter_events e SET kind=u.kind,journal=u.journal,message=u.message FROM unnest($1::bigint[],"
        "$2::bigint[],$3::bigint[],$4::text[],$5::bigint[],$6::text[]) AS u(meter,ts,code,kind,journal,"
        "message) WHERE e.meter=u.meter AND e.ts=u.ts AND e.code=u.code";
    /// The stored event of a lookup row (columns from 3: kind, journal, message), checked as SQLite checks
    /// it.
    static meter_event read(const result& r, int i, const meter_event& asked) {
        meter_event e;
        e.meter = asked.meter;
        const std::int64_t ts = r.integer(i, 1), code = r.integer(i, 2);
        const auto journal = integer_or_null(r, i, 4);
        for (int c : {0, 1, 3})
            if (auto p = rec::event_value_problem(c, c == 0 ? ts : c == 1 ? code : journal))
                throw rec::corrupt_row("meter_events", "of meter " + quote(asked.meter),
                                       rec::event_columns[static_cast<std::size_t>(c)], *p);
        e.time = from_unix(ts);
        e.code = static_cast<int>(code);
        e.kind = event_kind_text.find(r.text(i, 3)).value_or(event_kind::other);
        if (journal) e.journal = static_cast<int>(*journal);
        e.message = text_of(r, i, 5);
        return e;
    }
    static void bind(params& p, std::span<const slot<meter_event>* const> rows) {
        std::vector<std::int64_t> meter, ts, code;
        std::vector<std::optional<std::int64_t>> journal;
        std::vector<std::string> kind;
        std::vector<std::string_view> kinds, message;
        for (const auto* s : rows) {
            const auto& e = *s->now;
            meter.push_back(s->key.meter), ts.push_back(s->key.ts), code.push_back(s->key.code);
            kinds.push_back(to_string(e.kind));
            journal.push_back(e.journal ? std::optional<std::int64_t>(*e.journal) : std::nullopt);
            message.push_back(e.message);
        }
        p.add_array(meter).add_array(ts).add_array(code).add_text_array(kinds).add_array(journal);
        p.add_text_array(message);
    }
    static std::string conflict(const meter_event& e) { return rec::event_conflict(e); }
    static std::size_t text_bytes(const meter_event& e) { return e.message.size(); }
};

/// Throws storage_corrupt naming table, row and column unless `v` is a time of 1970..2099.
std::int64_t stored_time(std::int64_t v, const char* table, const std::string& row, const char* column) {
    if (auto p = rows::range_problem(v, rows::min_unix, rows::max_unix, rec::unix_meaning))
        throw rec::corrupt_row(table, row, column, *p);
    return v;
}
/// Throws storage_corrupt naming table, row and column unless the column holds a name of `names`.
template <class E, std::size_t N>
E stored_enum(const result& r, int i, int col, const detail::enum_text<E, N>& names, const char* table,
              const std::string& row, const char* column) {
    if (!r.is_null(i, col))
        if (const auto v = names.find(r.text(i, col))) return *v;
    throw rec::corrupt_row(table, row, column,
                           "holds " + describe_text(r, i, col) + ", not a " + std::string(names.type_name));
}
std::string state_row(std::string_view serial, std::int64_t ts) {
    return "of meter " + quote(serial) + " at ts " + std::to_string(ts);
}
/// A relay change from columns (from `first`) ts, position, reason, by, note.
relay_change read_relay(const result& r, int i, std::string serial, int first) {
    const std::string row = state_row(serial, r.integer(i, first));
    relay_change c;
    c.meter = std::move(serial);
    c.time = from_unix(stored_time(r.integer(i, first), "relay_changes", row, "ts"));
    c.position = stored_enum(r, i, first + 1, relay_position_text, "relay_changes", row, "position");
    c.reason = stored_enum(r, i, first + 2, relay_reason_text, "relay_changes", row, "reason");
    c.by = text_of(r, i, first + 3);
    c.note = text_of(r, i, first + 4);
    return c;
}
/// A session from columns (from `first`) start, ends, channel, result, note.
comm_session read_session(const result& r, int i, std::string serial, int first) {
    const std::string row = state_row(serial, r.integer(i, first));
    comm_session c;
    c.meter = std::move(serial);
    c.start = from_unix(stored_time(r.integer(i, first), "comm_sessions", row, "start"));
    c.end = from_unix(stored_time(r.integer(i, first + 1), "comm_sessions", row, "ends"));
    c.channel = stored_enum(r, i, first + 2, link_channel_text, "comm_sessions", row, "channel");
    c.result = stored_enum(r, i, first + 3, session_result_text, "comm_sessions", row, "result");
    c.note = text_of(r, i, first + 4);
    return c;
}

struct relay_rows {
    using type = relay_change;
    static constexpr bool three_part_key = false;
    static row_key key(const relay_change& c, std::int64_t id) { return {id, to_unix(c.time), 0}; }
    static constexpr const char* lookup =
        "SELECT r.meter,r.ts,0::bigint,r.ts,r.position,r.reason,r.by,r.note FROM unnest($1::bigint[],"
        "$2::bigint[]) AS k(meter,ts) JOIN relay_changes r ON r.meter=k.meter AND r.ts=k.ts";
    static constexpr const char* insert =
        "INSERT INTO relay_changes(meter,ts,position,reason,by,note) SELECT * FROM unnest($1::bigint[],"
        "$2::bigint[],$3::text[],$4::text[],$5::text[],$6::text[])";
    static constexpr const char* update =
        "UPDATE relay_changes r SET position=u.position,reason=u.reason,by=u.by,note=u.note FROM "
        "unnest($1::bigint[],$2::bigint[],$3::text[],$4::text[],$5::text[],$6::text[]) AS u(meter,ts,"
        "position,reason,by,note) WHERE r.meter=u.meter AND r.ts=u.ts";
    static relay_change read(const result& r, int i, const relay_change& asked) {
        return read_relay(r, i, asked.meter, 3);
    }
    static void bind(params& p, std::span<const slot<relay_change>* const> rows) {
        std::vector<std::int64_t> meter, ts;
        std::vector<std::string_view> position, reason, by, note;
        for (const auto* s : rows) {
            const auto& c = *s->now;
            meter.push_back(s->key.meter), ts.push_back(s->key.ts);
            position.push_back(to_string(c.position)), reason.push_back(to_string(c.reason));
            by.push_back(c.by), note.push_back(c.note);
        }
        p.add_array(meter).add_array(ts).add_text_array(position).add_text_array(reason);
        p.add_text_array(by).add_text_array(note);
    }
    static std::string conflict(const relay_change& c) { return rec::state_conflict("relay change", c); }
    static std::size_t text_bytes(const relay_change& c) { return c.by.size() + c.note.size(); }
};

struct session_rows {
    using type = comm_session;
    static constexpr bool three_part_key = false;
    static row_key key(const comm_session& c, std::int64_t id) { return {id, to_unix(c.start), 0}; }
    static constexpr const char* lookup =
        "SELECT s.meter,s.start,0::bigint,s.start,s.ends,s.channel,s.result,s.note FROM unnest($1::bigint[],"
        "$2::bigint[]) AS k(meter,start) JOIN comm_sessions s ON s.meter=k.meter AND s.start=k.start";
    static constexpr const char* insert =
        "INSERT INTO comm_sessions(meter,start,ends,channel,result,note) SELECT * FROM unnest($1::bigint[],"
        "$2::bigint[],$3::bigint[],$4::text[],$5::text[],$6::text[])";
    static constexpr const char* update =
        "UPDATE comm_sessions s SET ends=u.ends,channel=u.channel,result=u.result,note=u.note FROM "
        "unnest($1::bigint[],$2::bigint[],$3::bigint[],$4::text[],$5::text[],$6::text[]) AS u(meter,start,"
        "ends,channel,result,note) WHERE s.meter=u.meter AND s.start=u.start";
    static comm_session read(const result& r, int i, const comm_session& asked) {
        return read_session(r, i, asked.meter, 3);
    }
    static void bind(params& p, std::span<const slot<comm_session>* const> rows) {
        std::vector<std::int64_t> meter, start, ends;
        std::vector<std::string_view> channel, res, note;
        for (const auto* s : rows) {
            const auto& c = *s->now;
            meter.push_back(s->key.meter), start.push_back(s->key.ts), ends.push_back(to_unix(c.end));
            channel.push_back(to_string(c.channel)), res.push_back(to_string(c.result));
            note.push_back(c.note);
        }
        p.add_array(meter).add_array(start).add_array(ends).add_text_array(channel).add_text_array(res);
        p.add_text_array(note);
    }
    static std::string conflict(const comm_session& c) { return rec::state_conflict("session", c); }
    static std::size_t text_bytes(const comm_session& c) { return c.note.size(); }
};

/// Writes a batch of keyed rows with the conflict policy (see the top of this file); `ids` receives the
/// meters' ids.
template <class Rows>
write_stats write_keyed(detail::pg::connection& c, const std::string& where,
                        std::span<const typename Rows::type> rows, on_conflict policy,
                        std::unordered_map<std::string, std::int64_t>& ids) {
    using T = typename Rows::type;
    write_stats st;
    if (rows.empty()) return st;
    ids = meter_ids(c, where, rows);
    std::vector<std::int64_t> id_list;
    id_list.reserve(ids.size());
    for (const auto& [serial, id] : ids) id_list.push_back(id);
    detail::pg::lock_meters(c, id_list);
    // the keys, in batch order
    std::vector<slot<T>> slots;
    std::vector<std::size_t> slot_of(rows.size());
    std::unordered_map<row_key, std::size_t, row_key_hash> index;
    index.reserve(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto k = Rows::key(rows[i], ids.at(rows[i].meter));
        const auto [it, fresh] = index.try_emplace(k, slots.size());
        if (fresh) slots.push_back({k, &rows[i], std::nullopt, false, false});
        slot_of[i] = it->second;
    }
    // what is stored under them
    for (std::size_t at = 0; at < slots.size(); at += chunk_rows) {
        const std::size_t n = std::min(chunk_rows, slots.size() - at);
        std::vector<std::int64_t> meter, ts, code;
        for (std::size_t i = at; i < at + n; ++i) {
            meter.push_back(slots[i].key.meter), ts.push_back(slots[i].key.ts);
            code.push_back(slots[i].key.code);
        }
        params p;
        p.add_array(meter).add_array(ts);
        if (Rows::three_part_key) p.add_array(code);
        const auto r = c.query(Rows::lookup, p);
        for (int i = 0; i < r.rows(); ++i) {
            const row_key k{r.integer(i, 0), r.integer(i, 1), r.integer(i, 2)};
            auto& s = slots[index.at(k)];
            s.now = Rows::read(r, i, *s.first);
        }
    }
    // the policy, row by row in batch order
    for (std::size_t i = 0; i < rows.size(); ++i) {
        auto& s = slots[slot_of[i]];
        const T& row = rows[i];
        if (!s.now) {
            s.now = row;
            s.insert = true;
            ++st.inserted;
        } else if (*s.now == row) {
            ++st.unchanged;
        } else if (policy == on_conflict::fail) {
            throw storage_error(errc::storage_conflict, Rows::conflict(row));
        } else if (policy == on_conflict::replace) {
            s.now = row;
            if (!s.insert) s.update = true;
            ++st.replaced;
        } else {
            ++st.kept;
        }
    }
    // the writes
    for (const bool insert : {true, false}) {
        std::vector<const slot<T>*> todo;
        for (const auto& s : slots)
            if (insert ? s.insert : s.update) todo.push_back(&s);
        // chunks of at most chunk_rows rows and about chunk_text_bytes of text
        for (std::size_t at = 0, end = 0; at < todo.size(); at = end) {
            std::size_t text = 0;
            for (end = at; end < todo.size() && end - at < chunk_rows && text < chunk_text_bytes; ++end)
                text += Rows::text_bytes(*todo[end]->now);
            params p;
            Rows::bind(p, std::span<const slot<T>* const>(todo).subspan(at, end - at));
            c.query(insert ? Rows::insert : Rows::update, p);
        }
    }
    return st;
}

/// The bounds of a time range in Unix seconds.
std::int64_t unix_of(instant t) {
    return to_unix(t);
}

}  // namespace

// ---- meter events

write_stats postgres_store::store_events(std::span<const meter_event> events, on_conflict policy) {
    std::unordered_map<std::string, std::int64_t> ids;
    return write_keyed<event_rows>(impl_->db(), impl_->where, events, policy, ids);
}

std::vector<meter_event> postgres_store::events(std::string_view meter, instant from, instant to) const {
    auto& c = impl_->db();
    // ordered as SQLite orders them: serial by bytes (COLLATE "C"), time, code
    const auto r =
        meter.empty()
            ? c.query(
                  "SELECT m.serial,e.ts,e.code,e.kind,e.journal,e.message FROM meter_events e JOIN meters m "
                  "ON m.id=e.meter WHERE e.ts>=$1 AND e.ts<$2 ORDER BY m.serial COLLATE \"C\",e.ts,e.code",
                  params().add(unix_of(from)).add(unix_of(to)))
            : c.query(
                  "SELECT m.serial,e.ts,e.code,e.kind,e.journal,e.message FROM meter_events e JOIN meters m "
                  "ON m.id=e.meter WHERE m.serial=$1 AND e.ts>=$2 AND e.ts<$3 ORDER BY e.ts,e.code",
                  params().add(meter).add(unix_of(from)).add(unix_of(to)));
    std::vector<meter_event> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
        meter_event asked;
        asked.meter = text_of(r, i, 0);
        out.push_back(event_rows::read(r, i, asked));
    }
    return out;
}

// ---- meter state

write_stats postgres_store::store_relay_changes(std::span<const relay_change> changes, on_conflict policy) {
    std::unordered_map<std::string, std::int64_t> ids;
    return write_keyed<relay_rows>(impl_->db(), impl_->where, changes, policy, ids);
}

write_stats postgres_store::store_sessions(std::span<const comm_session> sessions, on_conflict policy) {
    auto& c = impl_->db();
    std::unordered_map<std::string, std::int64_t> ids;
    const auto st = write_keyed<session_rows>(c, impl_->where, sessions, policy, ids);
    // the link summary of each meter written, from its index: the latest start, and the latest start of a
    // session that reached the meter (a replaced session may have changed it either way)
    std::vector<std::int64_t> meters;
    for (const auto& [serial, id] : ids) meters.push_back(id);
    std::sort(meters.begin(), meters.end());
    for (std::size_t at = 0; at < meters.size(); at += chunk_rows)
        c.query(
            "INSERT INTO meter_links(meter,last_start,last_ok_start) SELECT m,"
            "(SELECT max(start) FROM comm_sessions WHERE meter=m),"
            "(SELECT max(start) FROM comm_sessions WHERE meter=m AND result IN ('ok','partial')) "
            "FROM unnest($1::bigint[]) AS u(m) WHERE EXISTS(SELECT 1 FROM comm_sessions WHERE meter=m) "
            "ON CONFLICT(meter) DO UPDATE SET last_start=excluded.last_start,"
            "last_ok_start=excluded.last_ok_start",
            params().add_array(std::span(meters).subspan(at, std::min(chunk_rows, meters.size() - at))));
    return st;
}

std::vector<relay_change> postgres_store::relay_history(std::string_view meter, instant from,
                                                        instant to) const {
    auto& c = impl_->db();
    const auto r =
        meter.empty()
            ? c.query(
                  "SELECT m.serial,r.ts,r.position,r.reason,r.by,r.note FROM relay_changes r JOIN meters m "
                  "ON m.id=r.meter WHERE r.ts>=$1 AND r.ts<$2 ORDER BY m.serial COLLATE \"C\",r.ts",
                  params().add(unix_of(from)).add(unix_of(to)))
            : c.query(
                  "SELECT m.serial,r.ts,r.position,r.reason,r.by,r.note FROM relay_changes r JOIN meters m "
                  "ON m.id=r.meter WHERE m.serial=$1 AND r.ts>=$2 AND r.ts<$3 ORDER BY r.ts",
                  params().add(meter).add(unix_of(from)).add(unix_of(to)));
    std::vector<relay_change> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(read_relay(r, i, text_of(r, i, 0), 1));
    return out;
}

std::vector<relay_change> postgres_store::relay_at(instant at, std::string_view meter) const {
    // each meter's latest change at or before `at`, through the primary key (meter, ts); one statement for
    // every meter and one for a meter (so that the latter's plan is the serial's index, whatever the
    // planner makes of a generic plan)
    static const std::string sql =
        "SELECT m.serial,r.ts,r.position,r.reason,r.by,r.note FROM meters m CROSS JOIN LATERAL (SELECT * "
        "FROM "
        "relay_changes x WHERE x.meter=m.id AND x.ts<=$1 ORDER BY x.ts DESC LIMIT 1) r ";
    auto& c = impl_->db();
    const auto r = meter.empty() ? c.query(sql + "ORDER BY m.serial COLLATE \"C\"", params().add(unix_of(at)))
                                 : c.query(sql + "WHERE m.serial=$2", params().add(unix_of(at)).add(meter));
    std::vector<relay_change> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(read_relay(r, i, text_of(r, i, 0), 1));
    return out;
}

std::vector<comm_session> postgres_store::sessions(std::string_view meter, instant from, instant to) const {
    auto& c = impl_->db();
    const auto r =
        meter.empty()
            ? c.query(
                  "SELECT m.serial,s.start,s.ends,s.channel,s.result,s.note FROM comm_sessions s JOIN "
                  "meters m ON m.id=s.meter WHERE s.start>=$1 AND s.start<$2 ORDER BY m.serial COLLATE "
                  "\"C\",s.start",
                  params().add(unix_of(from)).add(unix_of(to)))
            : c.query(
                  "SELECT m.serial,s.start,s.ends,s.channel,s.result,s.note FROM comm_sessions s JOIN "
                  "meters m ON m.id=s.meter WHERE m.serial=$1 AND s.start>=$2 AND s.start<$3 ORDER BY "
                  "s.start",
                  params().add(meter).add(unix_of(from)).add(unix_of(to)));
    std::vector<comm_session> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(read_session(r, i, text_of(r, i, 0), 1));
    return out;
}

std::vector<link_summary> postgres_store::link_summaries(std::string_view meter) const {
    static const std::string sql =
        "SELECT m.serial,a.start,a.ends,a.channel,a.result,a.note,b.start,b.ends,b.channel,b.result,b.note "
        "FROM meter_links l JOIN meters m ON m.id=l.meter "
        "LEFT JOIN comm_sessions a ON a.meter=l.meter AND a.start=l.last_start "
        "LEFT JOIN comm_sessions b ON b.meter=l.meter AND b.start=l.last_ok_start ";
    auto& c = impl_->db();
    const auto r = meter.empty() ? c.query(sql + "ORDER BY m.serial COLLATE \"C\"")
                                 : c.query(sql + "WHERE m.serial=$1", params().add(meter));
    std::vector<link_summary> out;
    for (int i = 0; i < r.rows(); ++i) {
        link_summary l;
        l.meter = text_of(r, i, 0);
        // a summary row pointing at no session (written behind the store) reads as no session
        if (!r.is_null(i, 1)) l.last = read_session(r, i, l.meter, 1);
        if (!r.is_null(i, 6)) l.last_ok = read_session(r, i, l.meter, 6);
        if (l.last) out.push_back(std::move(l));
    }
    return out;
}

// ---- anomalies

write_stats postgres_store::put_anomalies(std::span<const anomaly> found) {
    transaction tx(*this);
    auto& c = impl_->db();
    write_stats st;
    if (found.empty()) {
        tx.commit();
        return st;
    }
    // one detector at a time (a new key has no row to lock); the stored rows locked against resolution
    c.query("SELECT pg_advisory_xact_lock($1::int4, 0)",
            params().add(static_cast<std::int64_t>(detail::pg::anomalies_class)));
    std::map<std::string, std::optional<anomaly>, std::less<>> cur_of;  // by key: stored, then as written
    std::vector<std::string_view> keys;
    for (const auto& a : found)
        if (cur_of.emplace(a.key, std::nullopt).second) keys.push_back(a.key);
    for (std::size_t at = 0; at < keys.size(); at += chunk_rows) {
        const auto r = c.query(
            "SELECT key,doc FROM anomalies WHERE key=ANY($1::text[]) FOR UPDATE",
            params().add_text_array(std::span(keys).subspan(at, std::min(chunk_rows, keys.size() - at))));
        for (int i = 0; i < r.rows(); ++i) {
            std::string key(r.text(i, 0));
            cur_of[key] = rows::from_doc<anomaly>(r.text(i, 1), key);
        }
    }
    const instant at = now();
    for (const auto& a : found) {
        auto& cur = cur_of.at(a.key);
        const bool known = cur.has_value();
        bool same = false;
        // as a later row of the batch will meet it: read back from its document, as SQLite reads it
        const anomaly row = rec::merge_detected(a, known ? &*cur : nullptr, at, same);
        cur = rows::from_doc<anomaly>(rows::to_doc(row), row.key);
        if (same) {
            ++st.unchanged;
            continue;
        }
        ++(known ? st.replaced : st.inserted);
        note_change(entity_kind::anomaly, cur->key, change_op::detected, 1, organization_of(*cur));
    }
    // every key written as it stands last (its last detection is now even when nothing else changed)
    std::vector<std::string_view> key, meter, type, status;
    std::vector<std::int64_t> begins;
    std::vector<std::string> docs;
    std::vector<std::string_view> doc;
    for (const auto& [k, a] : cur_of) {
        key.push_back(a->key), meter.push_back(a->meter), type.push_back(to_string(a->type));
        status.push_back(to_string(a->status)), begins.push_back(to_unix(a->from));
        docs.push_back(rows::to_doc(*a));
    }
    for (const auto& d : docs) doc.push_back(d);
    for (std::size_t at0 = 0; at0 < key.size(); at0 += chunk_rows) {
        const std::size_t n = std::min(chunk_rows, key.size() - at0);
        const auto part = [&](const auto& v) { return std::span(v).subspan(at0, n); };
        c.query(
            "INSERT INTO anomalies(key,meter,type,status,begins,doc) SELECT * FROM unnest($1::text[],"
            "$2::text[],$3::text[],$4::text[],$5::bigint[],$6::text[]) ON CONFLICT(key) DO UPDATE SET "
            "meter=excluded.meter,type=excluded.type,status=excluded.status,begins=excluded.begins,"
            "doc=excluded.doc",
            params()
                .add_text_array(part(key))
                .add_text_array(part(meter))
                .add_text_array(part(type))
                .add_text_array(part(status))
                .add_array(part(begins))
                .add_text_array(part(doc)));
    }
    tx.commit();
    return st;
}

std::vector<anomaly> postgres_store::anomalies(std::optional<anomaly_status> status) const {
    const auto r = impl_->db().query(
        "SELECT key,doc FROM anomalies WHERE ($1::text='' OR status=$1) ORDER BY meter COLLATE "
        "\"C\",begins,key "
        "COLLATE \"C\"",
        params().add(status ? to_string(*status) : std::string_view{}));
    std::vector<anomaly> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) out.push_back(rows::from_doc<anomaly>(r.text(i, 1), text_of(r, i, 0)));
    return out;
}

namespace {
/// Sets an anomaly's status (resolved with who and when, or open again) and records the action; false when
/// no anomaly has the key.
bool act_on_anomaly(detail::pg::connection& c, std::string_view key, anomaly_action_kind action, instant at,
                    std::string_view by, std::string_view note, anomaly& a) {
    const auto r = c.query("SELECT doc FROM anomalies WHERE key=$1 FOR UPDATE", params().add(key));
    if (r.rows() == 0) return false;
    a = rows::from_doc<anomaly>(r.text(0, 0), std::string(key));
    rec::apply_action(a, action, at, by);
    c.query("UPDATE anomalies SET status=$2, doc=$3 WHERE key=$1",
            params().add(key).add(to_string(a.status)).add(rows::to_doc(a)));
    c.query("INSERT INTO anomaly_history(anomaly,action,at,actor,note) VALUES($1,$2,$3,$4,$5)",
            params().add(key).add(to_string(action)).add(to_unix(at)).add(by).add(note));
    return true;
}
}  // namespace

bool postgres_store::resolve_anomaly(std::string_view key, instant at, std::string_view by,
                                     std::string_view note) {
    transaction tx(*this);
    anomaly a;
    if (!act_on_anomaly(impl_->db(), key, anomaly_action_kind::resolved, at, by, note, a)) return false;
    note_change(entity_kind::anomaly, std::string(key), change_op::resolved, 1, organization_of(a));
    tx.commit();
    return true;
}

bool postgres_store::reopen_anomaly(std::string_view key, instant at, std::string_view by,
                                    std::string_view note) {
    transaction tx(*this);
    anomaly a;
    if (!act_on_anomaly(impl_->db(), key, anomaly_action_kind::reopened, at, by, note, a)) return false;
    note_change(entity_kind::anomaly, std::string(key), change_op::reopened, 1, organization_of(a));
    tx.commit();
    return true;
}

std::vector<anomaly_action> postgres_store::anomaly_history(std::string_view key) const {
    const auto r = impl_->db().query(
        "SELECT seq,anomaly,action,at,actor,note FROM anomaly_history WHERE anomaly=$1 ORDER BY seq",
        params().add(key));
    std::vector<anomaly_action> out;
    for (int i = 0; i < r.rows(); ++i) {
        const auto row = "anomaly_history row " + std::to_string(r.integer(i, 0));
        anomaly_action h;
        h.anomaly = text_of(r, i, 1);
        const auto act = anomaly_action_kind_text.find(r.text(i, 2));
        if (!act)
            throw storage_error(errc::storage_corrupt, "stored " + row + ": column 'action' holds " +
                                                           describe_text(r, i, 2) +
                                                           ", not an anomaly action");
        h.action = *act;
        if (const auto p =
                rows::range_problem(r.integer(i, 3), rows::min_iso_unix, rows::max_iso_unix, "a time"))
            throw storage_error(errc::storage_corrupt, "stored " + row + ": column 'at' " + *p);
        h.at = from_unix(r.integer(i, 3));
        h.by = text_of(r, i, 4);
        h.note = text_of(r, i, 5);
        out.push_back(std::move(h));
    }
    return out;
}

// ---- entry

void postgres_store::store_entry(const entry_record& e) {
    impl_->db().query(
        "INSERT INTO entry_log(meter,ts,entered_at,entered_by,outcome,doc) VALUES($1,$2,$3,$4,$5,$6)",
        params()
            .add(e.entered.meter)
            .add(to_unix(e.entered.time))
            .add(to_unix(e.entered_at))
            .add(e.entered_by)
            .add(to_string(e.outcome))
            .add(rows::to_doc(e)));
}

std::vector<entry_record> postgres_store::entries(std::string_view meter, instant from, instant to) const {
    auto& c = impl_->db();
    const auto r =
        meter.empty()
            ? c.query(
                  "SELECT id,doc FROM entry_log WHERE ts>=$1 AND ts<$2 ORDER BY meter COLLATE \"C\",ts,id",
                  params().add(unix_of(from)).add(unix_of(to)))
            : c.query("SELECT id,doc FROM entry_log WHERE meter=$1 AND ts>=$2 AND ts<$3 ORDER BY ts,id",
                      params().add(meter).add(unix_of(from)).add(unix_of(to)));
    std::vector<entry_record> out;
    for (int i = 0; i < r.rows(); ++i)
        out.push_back(rows::from_doc<entry_record>(r.text(i, 1), std::to_string(r.integer(i, 0))));
    return out;
}

}  // namespace v0
}  // namespace kvant
