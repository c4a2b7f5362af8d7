// Internal: the compact block codec of the store (schema 3). One block holds one series' rows of one UTC
// month (the store decides the split): strictly increasing times (Unix seconds), raw decimal values
// (millionths; any int64 but INT64_MIN, the library's missing marker), optional sources (reading_source as
// uint8) and optional acceptance times (INT64_MIN: none for that row). It knows nothing of readings or
// channels: it works on spans.
//
// Layout, version 1. "varint" is unsigned LEB128 (7 bits a byte, low group first, high bit = more; at most
// 10 bytes, the 10th at most 1); "zvarint" is the zig-zag of an int64 ((x << 1) ^ (x >> 63), so 0, -1, 1, -2
// are 0, 1, 2, 3) as a varint. Every difference is taken in uint64 arithmetic (wrapping, mod 2^64) and read
// as int64 where zig-zag is applied, so any pair of int64 round-trips exactly and nothing overflows.
//
//   header
//     byte     flags: bits 0-3 the format version (1); bit 4 = sources present; bit 5 = acceptance times
//              present; bits 6-7 zero
//     varint   n, the row count (>= 1)
//     zvarint  the first time t[0]
//     varint   t[n-1] - t[0] (0 when n = 1)
//     zvarint  the last value v[n-1]
//   times, when n >= 2
//     varint   d[1] = t[1] - t[0] (>= 1)
//     tokens   for the n - 2 delta-of-deltas dd[i] = d[i] - d[i-1], i = 2..n-1, in order: a non-zero
//              varint z is one dd = unzigzag(z); a 0 byte is followed by a varint r >= 1: r zero dd. A
//              regular series is 0, r = n - 2: its times cost the header and 3-5 bytes whatever n is.
//   values, when n >= 2
//     zvarint  the first value v[0]
//     byte     k in 0..18: every delta v[i] - v[i-1] (i = 1..n-1, read as int64) is a multiple of 10^k (the
//              encoder takes the largest such k, 18 when every delta is 0); q[i] = delta / 10^k
//     groups   of 64 q (the last one holds the rest, 1..64), each:
//                byte     w in 0..64, the bit width
//                zvarint  b, the least q of the group
//                bytes    ceil(m * w / 8) for the group's m values u = q - b (uint64), packed LSB first: u[j]
//                         is bits j*w .. j*w+w-1 of the group's bytes read as one little-endian number
//              and v[i] = v[i-1] + (b + u) * 10^k (mod 2^64).
//   sources, when flagged (the encoder flags them only when one is not 0 = automatic)
//     pairs    byte source, varint run r >= 1, covering the n rows in order
//   acceptance times, when flagged (only when one is not INT64_MIN = none)
//     varints  run lengths alternately of rows without and with an acceptance time, starting with "without"
//              (that first run may be 0, every other is >= 1), covering the n rows
//     zvarints one a row with an acceptance time, in row order: accepted - t (the decoded time is never
//              INT64_MIN)
//   nothing after the last section.
//
// Example: times 1000, 1060, 1120 and values 5.000000, 5.500000, 6.000000 (millionths), no sources or
// acceptance times, 19 bytes:
//   01 03 d0 0f 78 80 b6 dc 05 | 3c 00 01 | 80 ad e2 04 05 00 0a
//   header: version 1, n = 3, zz(1000), span 120, zz(6000000); times: d[1] = 60, then one zero dd (00, run
//   1); values: zz(5000000), k = 5, one group: w = 0, b = zz(5) (both deltas are 5 * 10^5), no packed bytes.
// tests/test_block_codec.cpp works out more (sources, acceptance times, packing across bytes).
//
// The decoder never trusts the bytes: every malformed block throws storage_error(errc::storage_corrupt) with
// the caller's `where`, the byte offset and what is wrong; the row count is checked against what the bytes
// could hold before anything is allocated; decoded times are checked strictly increasing without overflow;
// the header's last time and last value must match what the sections decode to.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kvant {
inline namespace v0 {
namespace detail {

inline constexpr std::uint8_t block_format_version = 1;

/// What the header says, without decoding the sections.
struct block_header {
    std::uint64_t count = 0;  ///< rows, >= 1
    std::int64_t first_time = 0;
    std::int64_t last_time = 0;
    std::int64_t last_value = 0;
    bool has_sources = false;
    bool has_accepted = false;
    std::size_t size = 0;  ///< bytes of the header
};

/// A block's columns. `source` is empty when the block stores no sources (all automatic), `accepted` when it
/// stores no acceptance times; otherwise both have `time.size()` rows.
struct decoded_block {
    std::vector<std::int64_t> time;
    std::vector<std::int64_t> value;
    std::vector<std::uint8_t> source;
    std::vector<std::int64_t> accepted;
};

/// Appends the encoding of one block to `out`. `source` and `accepted` are empty or hold one entry a row.
/// Throws std::invalid_argument naming the row when the columns differ in length, are empty, a time is not
/// after the one before it, or a value is INT64_MIN.
void encode_block(std::span<const std::int64_t> time, std::span<const std::int64_t> value,
                  std::span<const std::uint8_t> source, std::span<const std::int64_t> accepted,
                  std::string& out);

/// The header of a block (checked, cheap: a few varints). `where` prefixes error messages ("readings block
/// of meter X channel Y month Z").
block_header read_block_header(std::span<const std::uint8_t> bytes, std::string_view where);

/// Decodes a whole block into `out` (its vectors are replaced).
void decode_block(std::span<const std::uint8_t> bytes, std::string_view where, decoded_block& out);

/// The fast path: decodes times and values into `time` and `value`, each with room for `header.count` rows
/// (header from read_block_header of the same bytes). Sources and acceptance times are checked, not stored.
void decode_times_values(std::span<const std::uint8_t> bytes, std::string_view where,
                         const block_header& header, std::int64_t* time, std::int64_t* value);

/// The fast path appending to caller vectors; returns the rows appended.
std::size_t append_times_values(std::span<const std::uint8_t> bytes, std::string_view where,
                                std::vector<std::int64_t>& time, std::vector<std::int64_t>& value);

}  // namespace detail
}  // namespace v0
}  // namespace kvant
