/// \file
/// DLMS/COSEM (IEC 62056-5-3 xDLMS, IEC 62056-6-2 A-XDR and interface classes, the Blue Book; the Russian
/// СПОДЭС profile, СТО 34.01-5.1-006).
///
/// Transports: HDLC frames ("hdlc": flags, addresses, HCS and FCS checked, segments reassembled), the TCP
/// wrapper and bare APDUs ("dlms"). APDUs: Get-Request (remembered, so that its answer names the object),
/// Get-Response (normal, with list, with data block), Data-Notification, Event-Notification, exception and
/// confirmed-service errors, and General-Global-Ciphering / General-Ded-Ciphering and the service-specific
/// glo-ciphered APDUs with AES-128-GCM (keys from the caller's key_ring).
///
/// Values become records by the object's class: Register (3) and Extended Register (4) with their
/// scaler_unit applied exactly, Clock (8), Profile Generic (7) buffers through their capture objects (each
/// row a storage number, its clock column its time), the СПОДЭС event journals (0.0.99.98.e.255), and any
/// other attribute as its A-XDR value. docs/dlms.md has the details.
///
/// A `dlms_session` is one meter's conversation: what the frames so far have shown. The decoders read and
/// update the one in `decoder_config::session`; a host may also fill it from what it knows (a scaler_unit
/// read yesterday, a profile's capture objects).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <vector>

#include "kvant/core/export.hpp"
#include "kvant/decode/cosem.hpp"
#include "kvant/decode/decoded_frame.hpp"
#include "kvant/decode/decoder.hpp"

namespace kvant {
inline namespace v0 {

/// A COSEM attribute: an object (interface class and logical name) and one of its attributes.
struct cosem_attribute {
    std::uint16_t class_id = 0;
    logical_name obis;
    std::int8_t attribute = 0;
    friend bool operator==(const cosem_attribute&, const cosem_attribute&) = default;
};

/// One capture object of a Profile Generic (attribute 3): the column's attribute and data index.
struct capture_object {
    cosem_attribute what;
    std::uint16_t data_index = 0;
    friend bool operator==(const capture_object&, const capture_object&) = default;
};

/// A Register's scaler_unit (attribute 3): value = raw × 10^scaler, in `unit` (cosem_unit_name).
struct scaler_unit {
    std::int8_t scaler = 0;
    std::uint8_t unit = 0;
    friend bool operator==(const scaler_unit&, const scaler_unit&) = default;
};

/// What one meter's frames have shown so far. Public members: a host may fill or inspect them.
struct dlms_session {
    // Learnt from values (a scaler_unit, a capture_objects or capture_period attribute), or given.
    std::map<logical_name, scaler_unit> scaler_units;
    std::map<logical_name, std::vector<capture_object>> capture_objects;
    std::map<logical_name, std::uint32_t> capture_periods;  ///< seconds
    // Requests awaiting their answers: invoke id → the attributes asked for (one, or a list).
    std::map<std::uint8_t, std::vector<cosem_attribute>> pending;
    std::set<std::uint8_t> pending_lists;  ///< invoke ids whose request was with-list (the answer is a list)
    // Partial transfers.
    std::vector<std::uint8_t> hdlc_segments;  ///< an HDLC information field not yet complete
    int hdlc_last_ns = -1;                    ///< the N(S) of the I frame segment joined last; -1 none
    std::vector<std::uint8_t> block_data;     ///< Get-Response-With-Datablock raw data so far
    std::uint32_t block_number = 0;           ///< the last block received
    std::uint8_t block_invoke_id = 0;
    /// The server's system title, when an AARE or a ciphered APDU gave it (General-Ded and the
    /// service-specific ciphered APDUs do not carry one).
    std::optional<std::array<std::uint8_t, 8>> server_system_title;
    /// The client's system title, when an AARQ gave it (its calling-AP-title): the IV of the client's
    /// service-specific ciphered requests (glo-get-request, …) starts with it.
    std::optional<std::array<std::uint8_t, 8>> client_system_title;

    /// Forgets partial transfers and pending requests (a new association), keeping what was learnt.
    void restart() noexcept {
        pending.clear();
        pending_lists.clear();
        hdlc_segments.clear();
        hdlc_last_ns = -1;
        block_data.clear();
        block_number = 0;
        block_invoke_id = 0;
    }
};

/// Whether the bytes start like a wrapped or bare APDU ("dlms") or an HDLC frame ("hdlc").
KVANT_API bool dlms_identify(std::span<const std::uint8_t> bytes) noexcept;
KVANT_API bool hdlc_identify(std::span<const std::uint8_t> bytes) noexcept;

/// Decodes one APDU (bare or wrapped) or one HDLC frame into `out` (cleared first), reading and updating
/// `config.session` when given. Never throws on bytes (only std::bad_alloc).
KVANT_API bool decode_dlms(std::span<const std::uint8_t> bytes, decoded_frame& out,
                           const decoder_config& config);
KVANT_API bool decode_hdlc(std::span<const std::uint8_t> bytes, decoded_frame& out,
                           const decoder_config& config);

/// Decodes one attribute's A-XDR value (the bytes a Get-Response carries, or a `.typ` capture holds) into
/// records of `out` (cleared first), as the Get-Response answering a request for `a` would. The session,
/// when given, supplies and learns scaler_units and capture objects.
KVANT_API bool decode_cosem_attribute(std::span<const std::uint8_t> axdr, const cosem_attribute& a,
                                      decoded_frame& out, dlms_session* session = nullptr);

}  // namespace v0
}  // namespace kvant
