// postgres_store's readings: the blocks of `readings` (one row per meter, channel and UTC month, the block
// codec's bytes in `data`), the series rows keeping each channel's last value, and the cursor.
//
// A write (store_readings) runs inside the caller's transaction:
//  1. the batch's meter ids, one query;
//  2. the meters' locks (pg_locks.hpp), so that writers of the same meters queue;
//  3. the series rows of those meters and the stored blocks of the batch's month range, in bulk
//     (meter = ANY($1), month BETWEEN …);
//  4. the merge in memory (block_merge.hpp: the same semantics as SQLite and memory_store); nothing is
//     written when a conflict under on_conflict::fail is found;
//  5. the rewritten blocks deleted (one statement whose condition postgres_fdw ships whole to a foreign
//     partition, so that it runs there as one DELETE), all new and rewritten blocks moved
//     with one COPY … FROM STDIN (FORMAT binary) into the partitioned table (PostgreSQL routes each row to
//     its partition, foreign ones included), and the changed series rows upserted in one statement.
//
// The cursor takes meters in serial order (bytewise, as SQLite's BINARY collation and memory_store) in
// batches of 256: one query a batch (meter = ANY($1) and the query's month range, so that only the blocks of
// [from, to) are read), its rows ordered in memory by the meter's place in the batch, channel code, month;
// memory holds one batch's blocks (two when reading shards directly: the next batch is fetched while this
// one is read). When the readings are distributed and options().direct_shard_reads, the cursor (outside a
// transaction; inside one it reads through this server, which sees the transaction's own writes) opens one
// connection to every server holding partitions and asks each, in a thread of its own, for the batch from
// its own partitions; the coordinator's foreign tables are not involved.
#include "kvant/store/postgres_store.hpp"

#include <algorithm>
#include <exception>
#include <future>
#include <limits>
#include <unordered_map>

#include "block_merge.hpp"
#include "kvant/core/text.hpp"
#include "kvant/model/validation.hpp"
#include "pg_locks.hpp"
#include "postgres_impl.hpp"
#include "postgres_layout.hpp"

namespace kvant {
inline namespace v0 {

using detail::pg::params;
using detail::pg::result;

namespace {

/// Meters a cursor query asks for.
constexpr std::size_t cursor_batch = 256;

struct block_key {
    std::int64_t meter = 0, channel = 0;
    std::int64_t month = 0;
    bool operator==(const block_key&) const = default;
};
struct block_key_hash {
    std::size_t operator()(const block_key& k) const noexcept {
        std::uint64_t h = static_cast<std::uint64_t>(k.meter) * 0x9E3779B97F4A7C15ULL;
        h ^= static_cast<std::uint64_t>(k.channel) + 0x7F4A7C159E3779B9ULL + (h << 6) + (h >> 2);
        h ^= static_cast<std::uint64_t>(k.month) + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
        return static_cast<std::size_t>(h);
    }
};

/// A block's key as one decimal number: (meter * 2^32 + channel) * 4096 + month (meter ids are positive,
/// channel codes 32 bits, months below 4096), as the DELETE of store_readings computes it from a row.
std::string block_number(std::int64_t meter, std::int64_t channel, std::int64_t month) {
    // in base 10^9 limbs, low first: meter, times 2^22 twice, plus channel * 4096 + month (below 2^44)
    constexpr std::uint64_t base = 1'000'000'000;
    std::uint64_t limb[4] = {static_cast<std::uint64_t>(meter) % base,
                             static_cast<std::uint64_t>(meter) / base % base,
                             static_cast<std::uint64_t>(meter) / base / base, 0};
    const auto mul_add = [&](std::uint64_t mul, std::uint64_t add) {
        std::uint64_t carry = add;
        for (auto& l : limb) {
            const std::uint64_t v = l * mul + carry;  // l < 10^9, mul <= 2^22, carry < 2^44: no overflow
            l = v % base, carry = v / base;
        }
    };
    mul_add(std::uint64_t{1} << 22, 0);
    mul_add(std::uint64_t{1} << 22, (static_cast<std::uint64_t>(static_cast<std::uint32_t>(channel)) << 12) +
                                        static_cast<std::uint64_t>(month));
    std::string out;
    int top = 3;
    while (top > 0 && limb[top] == 0) --top;
    out = std::to_string(limb[top]);
    for (int i = top - 1; i >= 0; --i) {
        const std::string d = std::to_string(limb[i]);
        out.append(9 - d.size(), '0') += d;
    }
    return out;
}

/// The months [lo, hi] that may hold times in [from, to); false when none may.
bool month_range(std::int64_t from, std::int64_t to, int& lo, int& hi) {
    const std::int64_t f = std::max<std::int64_t>(from, plausible_first_unix);
    // to is excluded; an empty range (to at its least) stays empty, no overflow
    const std::int64_t last = to == std::numeric_limits<std::int64_t>::min()
                                  ? plausible_first_unix - 1
                                  : std::min<std::int64_t>(to - 1, plausible_end_unix - 1);
    if (to <= from || f > last) return false;
    lo = detail::month_of(f), hi = detail::month_of(last);
    return true;
}

/// The channel of a stored code, or storage_corrupt naming the block.
channel stored_channel(std::string_view serial, std::int64_t code, std::int64_t month) {
    const auto ch =
        code >= 0 && code <= 0xffffffff ? channel::from_code(static_cast<std::uint32_t>(code)) : std::nullopt;
    if (!ch)
        throw storage_error(
            errc::storage_corrupt,
            detail::block_name(serial, code, month) +
                ": the series' channel code is not a channel; kvant validate lists every such "
                "block");
    return *ch;
}

/// The block query of one table (or of several joined by UNION ALL): the meters of $1, months $2..$3, times
/// overlapping [$4, $5), channels of $6 when asked.
std::string block_select(const std::vector<std::string>& tables, bool channels) {
    std::string sql;
    for (const auto& t : tables) {
        if (!sql.empty()) sql += " UNION ALL ";
        sql +=
            "SELECT meter,channel,month,data,first_time,last_time,count FROM " + t +
            " WHERE meter=ANY($1::bigint[]) AND month BETWEEN $2 AND $3 AND last_time>=$4 AND first_time<$5";
        if (channels) sql += " AND channel=ANY($6::bigint[])";
    }
    return sql;
}

class pg_cursor final : public reading_cursor {
  public:
    pg_cursor(postgres_store::impl& s, series_query q) : s_(s), q_(std::move(q)) {
        int lo = 0, hi = 0;
        if (!month_range(q_.from, q_.to, lo, hi)) return;
        auto& c = s_.db();
        // the meters, in serial order
        result r = q_.meters.empty()
                       ? c.query(
                             "SELECT id,serial FROM meters m WHERE EXISTS(SELECT 1 FROM series s WHERE "
                             "s.meter=m.id)")
                       : c.query("SELECT id,serial FROM meters WHERE serial=ANY($1::text[])",
                                 params().add_text_array(q_.meters));
        meters_.reserve(static_cast<std::size_t>(r.rows()));
        for (int i = 0; i < r.rows(); ++i) meters_.emplace_back(std::string(r.text(i, 1)), r.integer(i, 0));
        std::sort(meters_.begin(), meters_.end());
        std::vector<std::int64_t> codes;
        for (const auto& ch : q_.channels) codes.push_back(ch.code());
        std::sort(codes.begin(), codes.end());
        codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
        lo_ = lo, hi_ = hi;
        codes_ = codes;
        const bool channels = !codes.empty();
        if (s_.opt.direct_shard_reads && s_.depth == 0) {
            auto links = detail::pg::shard_links(c);
            if (links.size() > 1) {
                for (auto& l : links) {
                    if (l.partitions.empty()) continue;
                    server sv;
                    const std::string where = "PostgreSQL database '" + l.where + "'" +
                                              (l.server.empty() ? "" : " (shard " + l.server + ")");
                    sv.conn = std::make_unique<detail::pg::connection>(
                        l.server.empty() ? s_.conninfo : l.conninfo, where, s_.opt.connect_timeout_s);
                    sv.conn->exec("SET default_transaction_read_only=on");
                    std::vector<std::string> tables;
                    for (int p : l.partitions) tables.push_back("readings_p" + std::to_string(p));
                    sv.sql = block_select(tables, channels);
                    servers_.push_back(std::move(sv));
                }
            }
        }
        sql_ = block_select({"readings"}, channels);
        if (servers_.empty() && s_.depth == 0 && meters_.size() > cursor_batch) {
            // more than one batch: a connection of the cursor's own fetches the next batch while this one is
            // read (the store's connection stays free for the caller)
            server sv;
            sv.conn =
                std::make_unique<detail::pg::connection>(s_.conninfo, s_.where, s_.opt.connect_timeout_s);
            sv.conn->exec("SET default_transaction_read_only=on");
            sv.sql = sql_;
            servers_.push_back(std::move(sv));
        }
        if (!servers_.empty()) fetch_ahead();
    }

    ~pg_cursor() override {
        for (auto& f : pending_)
            if (f.valid()) f.wait();
    }

    bool next(series_chunk& out) override {
        if (failed_) std::rethrow_exception(failed_);  // a shard's read failed: every later call says so
        for (;;) {
            while (at_ < rows_.size()) {
                const auto& rr = rows_[at_++];
                const result& r = results_[rr.res];
                const auto& serial = meters_[batch_first_ + rr.pos].first;
                const std::int64_t month = rr.month;
                const channel ch = stored_channel(serial, rr.channel, month);
                const std::string where = detail::block_name(serial, rr.channel, month);
                if (r.is_null(rr.row, 3) || r.is_null(rr.row, 4) || r.is_null(rr.row, 5) ||
                    r.is_null(rr.row, 6))
                    throw storage_error(errc::storage_corrupt, where + ": a column is NULL");
                if (!detail::block_chunk(r.bytes(rr.row, 3), where, month, r.integer(rr.row, 4),
                                         r.integer(rr.row, 5), r.integer(rr.row, 6), q_.from, q_.to,
                                         q_.provenance, block_, out))
                    continue;
                out.meter = serial;
                out.ch = ch;
                return true;
            }
            if (!load_batch()) return false;
        }
    }

  private:
    struct server {
        std::unique_ptr<detail::pg::connection> conn;
        std::string sql;
    };
    struct row_ref {
        std::uint32_t pos;  // the meter's place in the batch
        std::uint16_t res;  // which result
        int row;
        std::int64_t channel;
        std::int64_t month;
    };

    /// Starts fetching the next batch from every server (direct reads).
    void fetch_ahead() {
        pending_.clear();
        if (fetch_at_ >= meters_.size()) return;
        pending_first_ = fetch_at_;
        const std::size_t n = std::min(cursor_batch, meters_.size() - fetch_at_);
        fetch_at_ += n;
        const params p = full_params(pending_first_, n);
        try {
            for (auto& sv : servers_)
                pending_.push_back(std::async(
                    std::launch::async, [c = sv.conn.get(), sql = sv.sql, p] { return c->query(sql, p); }));
        } catch (...) {  // no thread to be had: the batch would come back short
            if (!failed_) failed_ = std::current_exception();
            throw;
        }
    }

    params full_params(std::size_t first, std::size_t n) const {
        std::vector<std::int64_t> ids;
        ids.reserve(n);
        for (std::size_t i = first; i < first + n; ++i) ids.push_back(meters_[i].second);
        params p;
        p.add_array(ids).add(std::int64_t{lo_}).add(std::int64_t{hi_}).add(q_.from).add(q_.to);
        if (!codes_.empty()) p.add_array(codes_);
        return p;
    }

    /// Fetches the next batch of meters; false when none is left.
    bool load_batch() {
        rows_.clear(), at_ = 0;
        results_.clear();
        if (servers_.empty()) {
            if (fetch_at_ >= meters_.size()) return false;
            batch_first_ = fetch_at_;
            const std::size_t n = std::min(cursor_batch, meters_.size() - fetch_at_);
            fetch_at_ += n;
            try {
                results_.push_back(s_.db().query(sql_, full_params(batch_first_, n)));
            } catch (...) {  // the batch is passed: going on would end the data early without a word
                failed_ = std::current_exception();
                throw;
            }
        } else {
            if (pending_.empty()) return false;
            batch_first_ = pending_first_;
            // every server's answer waited for (their connections are free again), the first failure kept
            auto batch = std::move(pending_);
            pending_.clear();
            for (auto& f : batch) {
                try {
                    results_.push_back(f.get());
                } catch (...) {
                    if (!failed_) failed_ = std::current_exception();
                }
            }
            if (failed_) std::rethrow_exception(failed_);
            fetch_ahead();
        }
        std::unordered_map<std::int64_t, std::uint32_t> pos;
        const std::size_t n = std::min(cursor_batch, meters_.size() - batch_first_);
        for (std::size_t i = 0; i < n; ++i)
            pos.emplace(meters_[batch_first_ + i].second, static_cast<std::uint32_t>(i));
        for (std::size_t k = 0; k < results_.size(); ++k) {
            const result& r = results_[k];
            for (int i = 0; i < r.rows(); ++i) {
                const auto it = pos.find(r.integer(i, 0));
                if (it == pos.end()) continue;  // not asked for (cannot happen: meter = ANY($1))
                rows_.push_back(
                    {it->second, static_cast<std::uint16_t>(k), i, r.integer(i, 1), r.integer(i, 2)});
            }
        }
        std::sort(rows_.begin(), rows_.end(), [](const row_ref& a, const row_ref& b) {
            if (a.pos != b.pos) return a.pos < b.pos;
            if (a.channel != b.channel) return a.channel < b.channel;
            return a.month < b.month;
        });
        return true;
    }

    postgres_store::impl& s_;
    series_query q_;
    std::vector<std::pair<std::string, std::int64_t>> meters_;  // (serial, id), serial order
    int lo_ = 0, hi_ = 0;                                       // the months of [from, to)
    std::vector<std::int64_t> codes_;           // the channels asked for, ascending (all when empty)
    std::string sql_;                           // through this server
    std::vector<server> servers_;               // direct reads: one a server
    std::vector<std::future<result>> pending_;  // direct reads: the next batch
    std::size_t pending_first_ = 0;
    std::exception_ptr failed_;    // the first failed read: every later next() throws it again
    std::size_t fetch_at_ = 0;     // the first meter not yet asked for
    std::size_t batch_first_ = 0;  // the current batch's first meter
    std::vector<result> results_;
    std::vector<row_ref> rows_;
    std::size_t at_ = 0;
    detail::decoded_block block_;
};

}  // namespace

std::unique_ptr<reading_cursor> postgres_store::scan(const series_query& q) const {
    return std::make_unique<pg_cursor>(*impl_, q);
}

std::vector<last_value> postgres_store::last_values(std::string_view meter) const {
    auto r = impl_->db().query(
        "SELECT s.channel,s.last_time,s.last_value FROM series s JOIN meters m ON m.id=s.meter WHERE "
        "m.serial=$1 ORDER BY s.channel",
        params().add(meter));
    std::vector<last_value> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
        const std::int64_t code = r.integer(i, 0);
        const auto ch = code >= 0 && code <= 0xffffffff ? channel::from_code(static_cast<std::uint32_t>(code))
                                                        : std::nullopt;
        if (!ch)
            throw storage_error(errc::storage_corrupt,
                                "stored series of meter " + excerpt(meter) + " channel " +
                                    detail::channel_text(code) +
                                    ": channel, last_time or last_value cannot be read; kvant validate "
                                    "lists every such row");
        out.push_back({*ch, r.integer(i, 1), r.integer(i, 2)});
    }
    return out;
}

std::size_t postgres_store::reading_count(std::string_view meter) const {
    auto& c = impl_->db();
    if (meter.empty())
        return static_cast<std::size_t>(
            c.query("SELECT coalesce(sum(count),0)::bigint FROM readings").integer(0, 0));
    const auto id = impl_->meter_id(meter);
    if (!id) return 0;
    return static_cast<std::size_t>(
        c.query("SELECT coalesce(sum(count),0)::bigint FROM readings WHERE meter=$1", params().add(*id))
            .integer(0, 0));
}

write_stats postgres_store::store_readings(const reading_table& batch, on_conflict policy) {
    const std::size_t n = batch.size();
    if (n == 0) return {};
    auto& c = impl_->db();
    const auto& mi = batch.meter_index();
    const auto& ci = batch.channel_index();
    const auto& times = batch.times();
    const std::vector<std::uint32_t> order = detail::batch_order(batch);
    const auto row = [&](std::size_t k) -> std::size_t { return order.empty() ? k : order[k]; };

    // 1. meter ids
    std::vector<std::int64_t> meter_ids(batch.meters().size(), -1);
    {
        std::unordered_map<std::string_view, std::size_t> slot;
        for (std::size_t m = 0; m < batch.meters().size(); ++m) slot.emplace(batch.meters()[m], m);
        auto r = c.query("SELECT serial,id FROM meters WHERE serial=ANY($1::text[])",
                         params().add_text_array(batch.meters()));
        for (int i = 0; i < r.rows(); ++i)
            if (const auto it = slot.find(r.text(i, 0)); it != slot.end())
                meter_ids[it->second] = r.integer(i, 1);
        for (std::size_t m = 0; m < meter_ids.size(); ++m)
            if (meter_ids[m] < 0)
                throw validation_error(errc::unknown_reference, "unknown meter " + excerpt(batch.meters()[m]),
                                       location{"", 0, "meter", -1});
    }
    std::vector<std::int64_t> ids(meter_ids);
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());

    // 2. the meters' locks
    detail::pg::lock_meters(c, ids);

    // 3. series rows and the stored blocks of the batch's months
    const auto [tmin, tmax] = std::minmax_element(times.begin(), times.end());
    const int lo = detail::month_of(*tmin), hi = detail::month_of(*tmax);
    struct series_row {
        std::int64_t last_time = 0, last_value = 0;
        bool exists = false, dirty = false;
    };
    std::unordered_map<block_key, series_row, block_key_hash> series;  // month 0
    {
        auto r =
            c.query("SELECT meter,channel,last_time,last_value FROM series WHERE meter=ANY($1::bigint[])",
                    params().add_array(ids));
        for (int i = 0; i < r.rows(); ++i)
            series[{r.integer(i, 0), r.integer(i, 1), 0}] = {r.integer(i, 2), r.integer(i, 3), true, false};
    }
    result stored_blocks = c.query(
        "SELECT meter,channel,month,data FROM readings WHERE meter=ANY($1::bigint[]) AND month BETWEEN $2 "
        "AND $3",
        params().add_array(ids).add(std::int64_t{lo}).add(std::int64_t{hi}));
    std::unordered_map<block_key, int, block_key_hash> stored_at;
    for (int i = 0; i < stored_blocks.rows(); ++i)
        stored_at[{stored_blocks.integer(i, 0), stored_blocks.integer(i, 1), stored_blocks.integer(i, 2)}] =
            i;

    // 4. the merge
    write_stats st;
    detail::conflict_note conflict;
    detail::decoded_block stored, merged;
    std::string bytes;
    detail::pg::copy_writer copy;
    copy.header();
    std::size_t blocks_out = 0;
    std::vector<std::string> rewritten;  // block_number() of the stored blocks replaced
    for (std::size_t k = 0; k < n;) {
        const std::size_t first = row(k);
        const auto m = mi[first];
        const auto ch = ci[first];
        std::size_t kend = k + 1;
        while (kend < n && mi[row(kend)] == m && ci[row(kend)] == ch) ++kend;
        const std::int64_t meter = meter_ids[m];
        const std::int64_t code = batch.channels()[ch].code();
        auto& sr = series[{meter, code, 0}];
        for (std::size_t b = k; b < kend;) {
            const int month = detail::month_of(times[row(b)]);
            const std::int64_t month_end = detail::month_start(month + 1);
            std::size_t bend = b + 1;
            while (bend < kend && times[row(bend)] < month_end) ++bend;
            const auto sit = stored_at.find({meter, code, month});
            const bool have_stored = sit != stored_at.end();
            if (have_stored) {
                if (stored_blocks.is_null(sit->second, 3))
                    throw storage_error(
                        errc::storage_corrupt,
                        detail::block_name(batch.meters()[m], code, month) + ": data is NULL");
                detail::read_block(stored_blocks.bytes(sit->second, 3),
                                   detail::block_name(batch.meters()[m], code, month), month, stored);
            }
            const auto after = detail::block_after_write(
                batch, order, b, bend, have_stored ? &stored : nullptr, policy, st, conflict, merged);
            const auto &t = after.time, &v = after.value;
            b = bend;
            if (!after.changed || conflict.row) continue;
            bytes.clear();
            detail::encode_block(t, v, after.source, after.accepted, bytes);
            if (!sr.exists && !sr.dirty) {
                sr.last_time = t.back(), sr.last_value = v.back(), sr.dirty = true;
            } else if (t.back() >= sr.last_time) {
                sr.last_time = t.back(), sr.last_value = v.back(), sr.dirty = true;
            }
            if (have_stored) rewritten.push_back(block_number(meter, code, month));
            ++blocks_out;
            copy.tuple(7);
            copy.int8(meter);
            copy.int8(code);
            copy.int4(month);
            copy.int8(t.front());
            copy.int8(t.back());
            copy.int4(static_cast<std::int32_t>(t.size()));
            copy.bytes(bytes);
        }
        k = kend;
    }
    if (conflict.row)
        throw reading_conflict(*conflict.row, store::conflict_message(batch, *conflict.row, conflict.with));

    // 5. the writes
    if (!rewritten.empty())
        // a block's key as one number, (meter * 2^32 + channel) * 4096 + month, computed by the server from
        // the row's own columns in numeric (built-in immutable functions and operators: postgres_fdw ships
        // the whole condition, and the DELETE runs on the shard as one statement)
        c.query(
            "DELETE FROM readings WHERE meter=ANY($1::bigint[]) AND month BETWEEN $2 AND $3 AND "
            "((meter::numeric*4294967296+channel)*4096+month)=ANY($4::numeric[])",
            params().add_array(ids).add(std::int64_t{lo}).add(std::int64_t{hi}).add_text_array(rewritten));
    if (blocks_out > 0) {
        copy.trailer();
        c.copy_in(
            "COPY readings(meter,channel,month,first_time,last_time,count,data) FROM STDIN (FORMAT binary)",
            copy.out);
    }
    std::vector<std::int64_t> s_meter, s_channel, s_time, s_value;
    for (const auto& [key, sr] : series)
        if (sr.dirty) {
            s_meter.push_back(key.meter), s_channel.push_back(key.channel);
            s_time.push_back(sr.last_time), s_value.push_back(sr.last_value);
        }
    if (!s_meter.empty())
        c.query(
            "INSERT INTO series(meter,channel,last_time,last_value) SELECT * FROM "
            "unnest($1::bigint[],$2::bigint[],$3::bigint[],$4::bigint[]) ON CONFLICT(meter,channel) DO "
            "UPDATE "
            "SET last_time=excluded.last_time,last_value=excluded.last_value",
            params().add_array(s_meter).add_array(s_channel).add_array(s_time).add_array(s_value));
    return st;
}

}  // namespace v0
}  // namespace kvant
