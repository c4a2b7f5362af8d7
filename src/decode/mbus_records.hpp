// The M-Bus application layer shared by the wired and the wireless decoders (EN 13757-3): the variable data
// structure's records, and the transport layer headers both carry. Internal to the decode layer.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "kvant/decode/decoded_frame.hpp"

namespace kvant {
inline namespace v0 {
namespace detail {

/// Parses the records of the variable data structure in `out.data` from byte `from` to the end: appends to
/// `out.records` (and text to `out.text`), skips idle fillers (DIF 0x2F), keeps manufacturer-specific data
/// (DIF 0x0F, 0x1F: the rest of the data, as bytes; 0x1F also sets `header.more_records_follow`). On bytes it
/// cannot read it fills `out.error` with an offset into `out.data` (the caller translates it to the input),
/// empties `out.records` (a failed frame carries none) and returns false. A truncated record's error is at
/// the record's first byte (its DIF); an 11th DIFE or VIFE at that byte. The VIF tables are in mbus_vif.hpp.
/// `msb_first`: wired CI 0x76 (mode 2 of EN 1434-3, which EN 13757-3:2013 no longer defines): every
/// multi-byte number, BCD, real and date is sent most significant byte first.
bool parse_mbus_records(decoded_frame& out, std::size_t from, bool msb_first = false);

/// The three letters of a 2-byte manufacturer code (EN 13757-3: 5 bits a letter, `code + 64`), NUL-ended.
/// Codes 0 and 27..31 show as '@' and '[', '\\', ']', '^', '_': every code has a text (docs/ingest.md).
void manufacturer_letters(std::uint16_t code, std::array<char, 4>& out) noexcept;

/// Fills `out.error` (status, offset, what was expected, what was found) and returns false.
bool fail(decoded_frame& out, decode_status st, std::size_t offset, std::string expected, std::string found);

/// "0x1F": a byte as error messages show it.
std::string hex_byte(std::uint8_t b);

/// The number of data bytes an LVAR byte announces (EN 13757-3 Table 5), or -1 for a reserved LVAR.
int lvar_size(std::uint8_t lvar) noexcept;

/// Reads the transport layer long header (id 4, manufacturer 2, version 1, medium 1, access number 1,
/// status 1, configuration 2: 12 bytes) at `out.data[at]` into `out.header`. False (with `out.error`) when
/// fewer than 12 bytes remain. Sets `has_address`, the manufacturer's letters, and (as `parse_short_header`)
/// `configuration` and `security_mode` = configuration bits 8..12 (the wired decoder resets the latter: wired
/// meters fill the field freely, docs/decode.md).
bool parse_long_header(decoded_frame& out, std::size_t at, bool msb_first = false);
/// Reads the short header (access number 1, status 1, configuration 2: 4 bytes).
bool parse_short_header(decoded_frame& out, std::size_t at);

}  // namespace detail
}  // namespace v0
}  // namespace kvant
