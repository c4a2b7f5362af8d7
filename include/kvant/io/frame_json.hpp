/// \file
/// A decoded frame as one line of JSON: what `kvant decode` prints, what the C API's kvant_frame_to_json and
/// Python's `Frame.to_json` return. One function, so that the three agree byte for byte.
///
/// A frame that decoded:
/// `{"ok": true, "protocol", "address", "manufacturer", "id", "version", "medium", "access_number", "status",
///   "records": [{"quantity", "unit", "value", "function", "storage", "tariff", "subunit", "raw"}],
///   "readings": [{"channel", "time", "value"}], "events": [{"time", "code", "kind", "message"}],
///   "skipped": [{"record", "reason"}]}`
/// and one that did not: `{"ok": false, "error": {"status", "offset", "message"}}`. Values are exact decimal
/// text (never a JSON number, which a reader would take as a double); dates are ISO text in the meter's
/// local time as it wrote them. Readings, events and skipped records need a meter (its serial, zone and
/// resource): without a context they are `[]`, and `address` says which meter a host should register.
/// docs/ingest.md has every key.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "kvant/core/export.hpp"
#include "kvant/decode/decoded_frame.hpp"
#include "kvant/decode/frame_mapping.hpp"

namespace kvant {
inline namespace v0 {

struct frame_json_options {
    std::uint64_t line = 0;  ///< when not 0, a leading `"line": N` (the input line of the frame)
    const frame_context* context = nullptr;  ///< the meter: readings, events and skipped records are filled
};

/// The frame's JSON object, on one line, without a trailing newline.
KVANT_API std::string frame_json(const decoded_frame& f, const frame_json_options& options);
inline std::string frame_json(const decoded_frame& f) {
    return frame_json(f, frame_json_options{});
}
/// A record's value as the JSON prints it, which the C API and Python give too: exact decimal text for a
/// number, ISO text for a date or time as the meter wrote it, the text of a text value (valid UTF-8: a byte
/// that is not becomes U+FFFD), hex for bytes;
/// nothing (JSON null) when the record has no value or an invalid one (a BCD digit A..E, the IV bit).
KVANT_API std::optional<std::string> record_value_text(const decoded_frame& f, const frame_record& r);
/// A record's unit as printed: a DLMS unit's name ("Wh", "varh"; its number when the Blue Book's table has
/// no name for it), the unit an IEC readout or a plain-text VIF wrote ("kWh", "%RH", valid UTF-8 as above),
/// or the M-Bus unit's name ("Wh", "m3"); "" for none.
KVANT_API std::string record_unit_text(const decoded_frame& f, const frame_record& r);
/// A COSEM record's OBIS code: all six groups for DLMS ("1-0:1.8.0*255"), the groups an IEC address gave
/// ("1.8.0", "1-0:1.8.0"); nothing when the record has none.
KVANT_API std::optional<std::string> record_obis_text(const frame_record& r);
/// Bytes as upper-case hex digit pairs, no spaces.
KVANT_API std::string hex_text(std::span<const std::uint8_t> bytes);

/// The JSON line of a failure that is not a decoder's (a line that is not hex): `{"ok": false, "line",
/// "error": {"status", "offset", "message"}}`.
KVANT_API std::string frame_error_json(std::uint64_t line, std::string_view status, std::uint64_t offset,
                                       std::string_view message);

}  // namespace v0
}  // namespace kvant
