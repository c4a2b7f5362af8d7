/// \file
/// From a decoded frame to the model: its records become values of channels (a `reading_table`: meter,
/// channel, instant, value in the channel's unit) and its status bits and error flags become meter events.
/// The conversions (Wh → kWh, J → GJ, litres → m³, …) and the events' codes are in docs/channels.md and
/// docs/decode.md.
///
/// Time: the meter writes local time. A record of storage number 0 takes the frame's own date and time
/// (the storage-0 time point record) when it has a valid one, else `received`; a record of a historic
/// storage number takes the date (and time) record of its own storage number (a date alone is 00:00 local),
/// and is left out (counted in `skipped`) when the frame gives it none. Local times become UTC through the
/// meter's zone.
///
/// IEC 62056-21 and DLMS/COSEM frames ("iec62056-21", "dlms", "hdlc") map their records through OBIS (or
/// Energomera's names, or the context's overrides) to channels, and the СПОДЭС event-code objects
/// 0.0.96.11.e.255 to meter events of journal e (docs/channels.md, docs/dlms.md).
///
/// Pure: no I/O, no store; the io layer (io/frame_ingest.hpp) finds the meter and stores the result.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "kvant/core/export.hpp"
#include "kvant/core/time.hpp"
#include "kvant/core/zone.hpp"
#include "kvant/decode/decoded_frame.hpp"
#include "kvant/model/channel.hpp"
#include "kvant/model/device_address.hpp"
#include "kvant/model/enums.hpp"
#include "kvant/model/meter_event.hpp"
#include "kvant/model/reading_table.hpp"

namespace kvant {
inline namespace v0 {

/// The identity a decoded frame gives (nothing when its header has no address: a wired short header).
KVANT_API std::optional<device_address> frame_address(const decoded_frame& f);

/// Who the frame is from, in the caller's model.
struct frame_context {
    std::string_view meter;  ///< the meter's serial
    resource measures =
        resource::electricity;  ///< energy records are active import for electricity, else heat
    zone time_zone;             ///< the meter's local time
    instant received;           ///< when the frame arrived
    /// Per-device names (IEC 62056-21 and DLMS records): a record's name as written (an IEC address,
    /// "1.8.0", "ECMPE") or its OBIS code ("1-0:1.8.0*255", or the short "1.8.0") → the channel its values
    /// go to, in that channel's unit. Wins over the built-in OBIS and Energomera tables (docs/channels.md,
    /// "IEC 62056-21 and DLMS records").
    std::map<std::string, channel, std::less<>> channel_overrides;
    /// IEC 62056-21 and DLMS values with more decimals than millionths of the channel's unit (Energomera
    /// CE301 writes seven: "16907.9477764" kWh): false (the default) skips them, saying so; true stores them
    /// rounded half to even to millionths.
    bool round_excess = false;
};

/// A record the mapping left out, and why ("no channel for operating time in days", "historic value without
/// a date", "value not exact in millionths of GJ").
struct skipped_record {
    std::uint32_t record = 0;  ///< index into decoded_frame::records
    std::string reason;
};

struct frame_values {
    std::size_t readings = 0;  ///< rows added to the table
    std::size_t events = 0;    ///< events added
    std::vector<skipped_record> skipped;
};

/// The kind an event of СПОДЭС journal `journal` (0.0.99.98.e.255, its codes in 0.0.96.11.e.255) has before
/// the event catalogue (io/event_catalogue.hpp) refines it: 0 voltage and 1 current → power, 2 commutation
/// → relay, 4 external impact → tamper, 5 communication, 6 access, 7 self-diagnostics → fault; 3
/// programming, 8 reactive power and any other → other.
KVANT_API event_kind journal_event_kind(int journal) noexcept;

/// Adds the frame's values to `readings` and its events to `events`. The frame must have decoded (ok()).
KVANT_API frame_values map_frame(const decoded_frame& f, const frame_context& c, reading_table& readings,
                                 std::vector<meter_event>& events);

}  // namespace v0
}  // namespace kvant
