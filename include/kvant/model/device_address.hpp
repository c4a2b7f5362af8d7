/// \file
/// A meter's protocol identity: how the frames a meter sends name it, so that a decoded frame finds its
/// meter. For M-Bus (wired and wireless alike) it is the secondary address of EN 13757-3: the manufacturer's
/// three letters, the eight-digit identification number, and optionally the version and the medium (device
/// type) bytes. Its text is `mbus:MAN-ID[-VV-MM]` with VV and MM two hex digits each: `mbus:ACW-11490378`,
/// `mbus:KAM-12345678-01-07`. An address without version and medium matches a frame of any version and
/// medium (a firmware update changes the version; the meter stays the same). Stored on the meter
/// (`meter::address`).
///
/// Electricity meters name themselves otherwise: `iec:SERIAL` is an IEC 62056-21 meter's serial number as its
/// readout gives it (the request's device address, or the value of C.1.0 / 0.0.0 / 96.1.0 in the readout),
/// 1..32 characters of A..Z a..z 0..9 . _ -; `dlms:TITLE` is a DLMS/COSEM meter's system title, 16 hex digits
/// (its first three bytes are the manufacturer's FLAG id), as ciphered APDUs and the AARE carry it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kvant/core/export.hpp"

namespace kvant {
inline namespace v0 {

/// Which protocol's identity an address is.
enum class address_scheme : std::uint8_t { mbus, iec, dlms };

struct device_address {
    address_scheme scheme = address_scheme::mbus;
    std::string
        manufacturer;  ///< three capital letters A..Z ('@', '[', '\\', ']', '^', '_' for codes 0, 27..31)
    /// mbus: eight characters, digits, or hex digits when the meter's id is not BCD; iec: the serial; dlms:
    /// the system title's 16 hex digits (capitals). `manufacturer` is empty for iec and dlms.
    std::string id;
    std::optional<std::uint8_t> version;
    std::optional<std::uint8_t> medium;  ///< both or neither

    /// `mbus:ACW-11490378`, `mbus:ACW-11490378-0E-16`, `iec:009218054`, `dlms:4D4D4D0000BC614E`.
    KVANT_API std::string to_string() const;
    /// Whether a frame's identity is this address (version and medium compared only when the address has
    /// them).
    bool matches(std::string_view man, std::string_view frame_id, std::uint8_t ver,
                 std::uint8_t med) const noexcept {
        return man == manufacturer && frame_id == id && (!version || (*version == ver && *medium == med));
    }
    /// Whether a frame's address (frame_address) is this one: the same scheme and identity, the version and
    /// medium compared only when this address has them.
    bool matches(const device_address& frame) const noexcept {
        return scheme == frame.scheme &&
               matches(frame.manufacturer, frame.id, frame.version.value_or(0), frame.medium.value_or(0)) &&
               (frame.version || !version);
    }
    friend bool operator==(const device_address&, const device_address&) = default;
};

/// Reads the text form; anything else is a parse_error (errc::invalid_identifier) saying what is wrong.
KVANT_API device_address parse_device_address(std::string_view text);

}  // namespace v0
}  // namespace kvant
