/// \file
/// IEC 62056-21 (mode C readouts and programming-mode messages), with the Russian meters' dialects.
///
/// Messages: the request ("/?address!"), the identification ("/EKT5CE301v12": manufacturer, baud rate
/// character, identification), the acknowledgement/option select (ACK V Z Y), ACK and NAK, command messages
/// (SOH C D STX data ETX BCC), data messages (STX data ETX BCC, the readout's "!" end line included) and an
/// unframed data block (the data lines alone, as logs keep them). The block check character is the
/// standard's XOR or Energomera's additive sum (decoder_config::bcc).
///
/// Data lines hold data sets `address(value*unit)`, several a line, values in several brackets (a value and
/// its time stamp), continuation lines, NEVA's comma-separated lists (total, T1..T4), Energomera's
/// `NAME(v1)` repeated a line (total, T1..T5) and `GROUP(a,b,c)`, and error tokens ("(ERROR)"). Each value
/// becomes a record: its address as written (`name_of`), the OBIS code when the address is one, the value as
/// an exact number (or text, or a date and time), the unit from the brackets (`unit_text_of`), and the
/// tariff of a list element. Load profiles (P.01) become records with their interval times.
/// docs/iec62056-21.md has the details.
#pragma once

#include <cstdint>
#include <span>

#include "kvant/core/export.hpp"
#include "kvant/decode/decoded_frame.hpp"
#include "kvant/decode/decoder.hpp"

namespace kvant {
inline namespace v0 {

/// Whether the bytes start like an IEC 62056-21 message ('/', SOH, STX, ACK, NAK, or a data set's address).
KVANT_API bool iec62056_21_identify(std::span<const std::uint8_t> bytes) noexcept;

/// Decodes one message into `out` (cleared first). Never throws on bytes (only std::bad_alloc).
KVANT_API bool decode_iec62056_21(std::span<const std::uint8_t> bytes, decoded_frame& out,
                                  bcc_dialect bcc = bcc_dialect::detect);

}  // namespace v0
}  // namespace kvant
