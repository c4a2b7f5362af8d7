/// \file
/// Ingesting meter frames: hex frames (one a line, spaces allowed, `#` comments) are decoded, matched to
/// their meters by device address (`meter::address`), mapped to readings and events
/// (decode/frame_mapping.hpp) and stored in one transaction: all of a batch or nothing. A frame that does not
/// decode is a rejected frame (its line and the decoder's error); a frame whose address no meter has is an
/// unmatched frame, reported with its address and kept (its hex and line) for the host to register the meter
/// and ingest it again; neither is dropped silently and neither stops the batch.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kvant/core/export.hpp"
#include "kvant/core/time.hpp"
#include "kvant/decode/decoder.hpp"
#include "kvant/model/device_address.hpp"
#include "kvant/model/meter.hpp"
#include "kvant/store/store.hpp"

namespace kvant {
inline namespace v0 {

/// Reads hex frame lines: each non-blank line without its `#` comment is one frame of hex digit pairs
/// (spaces and tabs allowed between pairs). A line that is not hex is a parse_error naming the line and
/// the byte.
struct hex_frame_line {
    std::uint64_t line = 0;
    std::vector<std::uint8_t> bytes;
};
KVANT_API std::vector<hex_frame_line> read_hex_frames(std::string_view text, std::string_view source_name);

/// The meters of a store by device address, built once and reused for many frames. Two meters may be
/// stored with addresses that one frame matches (the store does not refuse it: docs/ingest.md); such a frame
/// is ambiguous and goes to neither.
class KVANT_API meter_directory {
  public:
    explicit meter_directory(const store& s);
    /// The meter whose address matches the frame's identity (its manufacturer and id; version and medium
    /// given apart), or nullptr when none or more than one does.
    const meter* find(const device_address& frame_identity, std::uint8_t version, std::uint8_t medium) const;
    /// Every meter whose address matches a frame's address (version and medium as the frame's, when it has
    /// them), in serial order.
    std::vector<const meter*> matches(const device_address& frame) const;
    /// The meter of a serial among those with an address or not, or nullptr.
    const meter* find_serial(std::string_view serial) const;
    /// The zone the meter's clock is taken in (fleet::zone_of: its own, else its organisation's, else UTC).
    const zone& zone_of(const meter& m) const;
    std::size_t size() const noexcept { return meters_.size(); }

  private:
    std::vector<meter> meters_;  ///< the meters with an address first (`addresses_` is theirs), then the rest
    std::vector<device_address> addresses_;
    std::vector<zone> zones_;
};

struct ingest_options {
    std::string protocol = "mbus";  ///< a registry name
    /// The decoder's configuration. A DLMS batch is one conversation: without `config.session`, the batch
    /// gets a session of its own (the requests, scaler_units and capture objects of earlier frames name
    /// the later frames' values).
    decoder_config config;
    /// The serial of the meter the frames that carry no address are from (an HDLC session, a readout
    /// without its serial); empty: such frames are unmatched. A serial no meter has is a config_error.
    std::string meter;
    bool round_excess = false;  ///< frame_context::round_excess: store values with excess decimals rounded
    instant received;           ///< when the frames arrived (the tool: --at, else now)
    std::string source_name;    ///< for messages
    on_conflict conflict = on_conflict::fail;  ///< a reading or event stored with another value
};

struct rejected_frame {
    std::uint64_t line = 0;
    frame_error error;
};
struct unmatched_frame {
    std::uint64_t line = 0;
    std::string address;  ///< the frame's device address text, or "" when it has none
    std::string hex;      ///< the frame as read, to ingest again once the meter is registered
    std::string reason;   ///< "no meter has this address", "meters A and B both have this address", …
};
struct ingest_result {
    std::size_t frames = 0, decoded = 0;
    std::size_t readings_written = 0, readings_unchanged = 0;
    std::size_t events_written = 0;
    std::size_t records_skipped = 0;
    std::vector<rejected_frame> rejected;
    std::vector<unmatched_frame> unmatched;
};

/// Decodes, matches and stores the frames in one transaction of `s`. Rejected and unmatched frames are
/// reported, never stored and never an error; a store write that fails (a reading before the meter's
/// installation, a conflicting value) throws naming the frame's line, and nothing of the batch is stored.
KVANT_API ingest_result ingest_frames(store& s, const decoder_registry& registry,
                                      std::span<const hex_frame_line> frames, const ingest_options& options);

}  // namespace v0
}  // namespace kvant
