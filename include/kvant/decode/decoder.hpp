/// \file
/// The decode layer's registry: each protocol decoder is a `decoder_descriptor` (its name, what it reads, a
/// cheap `identify` over the first bytes) plus a factory that makes a `decoder` for a configuration (the
/// caller's keys, the compact-frame cache). A `decoder_registry` is an ordinary object the host fills
/// explicitly (`add_mbus_decoders`, `builtin_decoders`): there are no static initialisers and no global
/// state, so two hosts in one process can hold different registries.
///
/// A decoder never throws on bytes and never reads outside them: `decode` returns false and fills
/// `decoded_frame::error` (the byte offset, what was expected, what was found). The only exception it lets
/// through is std::bad_alloc. A decoder instance keeps no state between frames except what its
/// configuration points to (the format cache), so one instance may decode a stream of frames; it is not
/// safe to share one instance between threads (make one a thread).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kvant/core/export.hpp"
#include "kvant/decode/decoded_frame.hpp"

namespace kvant {
inline namespace v0 {

class key_ring;
class wmbus_format_cache;
struct dlms_session;

/// Whether a wireless telegram still carries its link layer CRCs (EN 13757-4 format A or B) or the receiver
/// removed them (most USB receivers do). `detect` checks the CRCs and takes the telegram as stripped when
/// they do not match.
enum class crc_mode : std::uint8_t { detect, present, absent };
inline constexpr detail::enum_text<crc_mode, 3> crc_mode_text{
    "crc mode",
    {{{crc_mode::detect, "detect"}, {crc_mode::present, "present"}, {crc_mode::absent, "absent"}}}};
KVANT_ENUM_TEXT(crc_mode, crc_mode_text)

/// The block check character of an IEC 62056-21 message: the standard's XOR of the bytes after SOH/STX up
/// to ETX, or Energomera's (CE102, CE301, CE303) sum of those bytes mod 128. `detect` accepts either and
/// says which matched (`frame_header::bcc_additive`); a device known to use one is best given it, so that a
/// corrupted block cannot pass by matching the other.
enum class bcc_dialect : std::uint8_t { detect, standard, energomera };
inline constexpr detail::enum_text<bcc_dialect, 3> bcc_dialect_text{
    "bcc dialect",
    {{{bcc_dialect::detect, "detect"},
      {bcc_dialect::standard, "standard"},
      {bcc_dialect::energomera, "energomera"}}}};
KVANT_ENUM_TEXT(bcc_dialect, bcc_dialect_text)

/// What a decoder is made with. The pointers are the caller's and must outlive the decoder.
struct decoder_config {
    const key_ring* keys = nullptr;         ///< AES keys per meter (wireless M-Bus modes 5 and 7; DLMS GCM)
    wmbus_format_cache* formats = nullptr;  ///< compact frames' formats, learnt from full frames
    crc_mode crc = crc_mode::detect;        ///< wireless: are the link layer CRCs still in the telegram?
    bcc_dialect bcc = bcc_dialect::detect;  ///< IEC 62056-21 block check character
    /// DLMS: what one meter's session has shown so far (the requests awaiting answers, scaler_units, capture
    /// objects, partial segments and blocks). Without one, each frame stands alone: a Get-Response names no
    /// object and a register value has no scaler.
    dlms_session* session = nullptr;
};

class KVANT_API decoder {
  public:
    virtual ~decoder() = default;
    /// Decodes one frame into `out` (cleared first). True when the frame decoded; else `out.error` says why.
    virtual bool decode(std::span<const std::uint8_t> bytes, decoded_frame& out) = 0;
};

struct decoder_descriptor {
    std::string_view name;   ///< "mbus", "wmbus": what `--protocol` takes
    std::string_view title;  ///< "wired M-Bus (EN 13757-2/-3)"
    /// Could these bytes be a frame of this protocol? Looks at a few bytes (start bytes, lengths, the C and
    /// CI fields), never checks a checksum and never reads past `bytes`. A yes is a hint, not a promise.
    bool (*identify)(std::span<const std::uint8_t> bytes) noexcept = nullptr;
    std::unique_ptr<decoder> (*make)(const decoder_config& config) = nullptr;
};

class KVANT_API decoder_registry {
  public:
    /// Adds a decoder; a name already there is a config_error naming it.
    void add(const decoder_descriptor& d);
    /// The descriptor of a name, or nullptr.
    const decoder_descriptor* find(std::string_view name) const noexcept;
    /// A decoder of a name; an unknown name is a config_error that lists the known ones.
    std::unique_ptr<decoder> make(std::string_view name, const decoder_config& config = {}) const;
    /// The descriptors whose `identify` accepts the bytes, in the order they were added.
    std::vector<const decoder_descriptor*> identify(std::span<const std::uint8_t> bytes) const;
    const std::vector<decoder_descriptor>& descriptors() const noexcept { return list_; }

  private:
    std::vector<decoder_descriptor> list_;
};

/// Adds the wired ("mbus") and wireless ("wmbus") M-Bus decoders.
KVANT_API void add_mbus_decoders(decoder_registry& r);
/// Adds the IEC 62056-21 decoder ("iec62056-21").
KVANT_API void add_iec62056_21_decoders(decoder_registry& r);
/// Adds the DLMS/COSEM decoders: "dlms" (a bare APDU, or one in the TCP wrapper) and "hdlc".
KVANT_API void add_dlms_decoders(decoder_registry& r);
/// A registry holding every decoder of this build.
KVANT_API decoder_registry builtin_decoders();

}  // namespace v0
}  // namespace kvant
