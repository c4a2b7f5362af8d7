// Internal: what the SQLite and PostgreSQL backends share about reading blocks (one series' values of one
// UTC month, encoded by block_codec.hpp): months, how a block is named in messages, the checks a stored block
// must pass to be read, the order a batch is written in, and the merge of a batch's rows into a stored block
// (memory_store's semantics: equal values change nothing, a different one follows on_conflict).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "block_codec.hpp"
#include "kvant/model/reading_table.hpp"
#include "kvant/store/store.hpp"

namespace kvant {
inline namespace v0 {
namespace detail {

/// Months since 1970-01 of the plausible time range (1970..2099).
inline constexpr int block_month_count = (2100 - 1970) * 12;

/// The UTC month (since 1970-01) of a Unix time of the plausible range.
int month_of(std::int64_t t) noexcept;
/// The Unix time a month (since 1970-01) begins.
std::int64_t month_start(std::int64_t month) noexcept;
/// "2020-08"
std::string month_text(std::int64_t month);
/// "active_import", or "code 7 (not a channel)"
std::string channel_text(std::int64_t code);
/// How a block is named in messages: "readings block of meter '9000106' channel active_import month 2020-08".
std::string block_name(std::string_view serial, std::int64_t code, std::int64_t month);

/// Throws errc::storage_corrupt unless a block's times [first, last] lie in its month.
void check_block_month(std::int64_t first, std::int64_t last, std::string_view where, std::int64_t month);
/// Throws errc::storage_corrupt unless a decoded block's first and last time and count are those of its row's
/// columns (which prune range reads and answer reading_count): a block whose bytes or columns were changed
/// behind the store would otherwise give shifted times, or leave values out of a range, without a word.
void check_block_columns(std::int64_t first, std::int64_t last, std::uint64_t count, std::string_view where,
                         std::int64_t stored_first, std::int64_t stored_last, std::int64_t stored_count);
/// Decodes a stored block, checking that its times lie in its month and its sources are known.
void read_block(std::span<const std::uint8_t> bytes, std::string_view where, std::int64_t month,
                decoded_block& out);

/// Reads a stored block of one series into a cursor's chunk: its values with time in [from, to) into
/// `out.time` and `out.value`, and, when `provenance`, their sources and acceptance times (left empty when
/// the block stores none). Checks the block against its month and its row's columns (stored_*). `scratch`
/// is reused between calls. Returns false when no value lies in [from, to) (`out` is then unspecified).
bool block_chunk(std::span<const std::uint8_t> bytes, std::string_view where, std::int64_t month,
                 std::int64_t stored_first, std::int64_t stored_last, std::int64_t stored_count,
                 std::int64_t from, std::int64_t to, bool provenance, decoded_block& scratch,
                 series_chunk& out);

/// The order a batch is written in: its rows by (meter slot, channel slot, time), stably (repeats of one key
/// in batch order). Empty when the batch is grouped already (reading_table::grouped()): row k is then k.
std::vector<std::uint32_t> batch_order(const reading_table& batch);

/// Under on_conflict::fail, the first conflicting row of a batch and the value it conflicts with.
struct conflict_note {
    std::optional<std::size_t> row;
    std::int64_t with = 0;
    void note(std::size_t r, std::int64_t value) {
        if (!row || r < *row) row = r, with = value;
    }
};

/// Merges rows [b, bend) of the batch, in write order (`order` as batch_order gives it, or empty), all of one
/// series and one month, into a stored block `old` (or none) as memory_store does, row by row in batch order:
/// into `merged` (replaced). Counts into `st`, notes conflicts under on_conflict::fail into `conflict`.
/// Returns whether the block changed.
bool merge_block(const reading_table& batch, std::span<const std::uint32_t> order, std::size_t b,
                 std::size_t bend, const decoded_block* old, on_conflict policy, write_stats& st,
                 conflict_note& conflict, decoded_block& merged);

/// What a block becomes after a write of rows [b, bend): spans over the batch's own columns when the rows
/// make a new block by themselves (no stored block, the batch in its own order, times strictly rising:
/// nothing to copy), else over `merged` (merge_block). `changed` says whether there is anything to store.
struct block_values {
    std::span<const std::int64_t> time, value;
    std::span<const std::uint8_t> source;
    std::span<const std::int64_t> accepted;
    bool changed = false;
};
block_values block_after_write(const reading_table& batch, std::span<const std::uint32_t> order,
                               std::size_t b, std::size_t bend, const decoded_block* old, on_conflict policy,
                               write_stats& st, conflict_note& conflict, decoded_block& merged);

}  // namespace detail
}  // namespace v0
}  // namespace kvant
