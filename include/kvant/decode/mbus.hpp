/// \file
/// Wired M-Bus (EN 13757-2 link layer, EN 13757-3 application layer).
///
/// Frames: single character (0xE5), short (0x10 C A CS 0x16), control and long (0x68 L L 0x68 C A CI …
/// CS 0x16) with their length, start, stop and checksum checked. Application data of a long frame by CI:
/// 0x72 (long header: id, manufacturer, version, medium, access number, status, signature), 0x7A (short
/// header: access number, status, signature), 0x78 (no header), 0x76 (long header, the 0x72 layout under
/// another code), 0x73 (fixed data structure, EN 13757-3 Annex G) and 0x70 (an application error, whose code
/// becomes the frame's status). Records (the variable data structure): every DIF data field (no data,
/// integers of 8..64 bits signed, 32-bit real, BCD of 2..12 digits including negative BCD, variable length,
/// selection for readout, special functions), DIFEs (storage number, tariff, subunit), the primary VIF table
/// and the 0xFB and 0xFD extension tables, plain-text VIFs, VIFEs (combinable and orthogonal), dates and
/// times (types F, G, I, J), manufacturer-specific data (DIF 0x0F/0x1F, kept as bytes) and "more records
/// follow".
///
/// `mbus_identify` and the decoder are what `add_mbus_decoders` registers as "mbus"; `decode_mbus` is the
/// same decoding as a plain function.
#pragma once

#include <cstdint>
#include <span>

#include "kvant/core/export.hpp"
#include "kvant/decode/decoded_frame.hpp"

namespace kvant {
inline namespace v0 {

/// Whether the bytes start like a wired M-Bus frame (0xE5, 0x10 … 0x16 of 5 bytes, or 0x68 L L 0x68).
KVANT_API bool mbus_identify(std::span<const std::uint8_t> bytes) noexcept;

/// Decodes one wired M-Bus frame into `out` (cleared first). Never throws on bytes (only std::bad_alloc).
KVANT_API bool decode_mbus(std::span<const std::uint8_t> bytes, decoded_frame& out);

}  // namespace v0
}  // namespace kvant
