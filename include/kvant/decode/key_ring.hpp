/// \file
/// `key_ring`: the caller's AES-128 keys, one a meter, for the decoders of encrypted protocols (wireless
/// M-Bus security modes 5 and 7; DLMS/COSEM AES-GCM). Keys are looked up by the meter's identification number
/// as the frame gives it (eight digits for M-Bus, "12345678"); a key given for a full secondary address
/// (`mbus:MAN-ID-VV-MM`, model/device_address.hpp) wins over one for the id alone. The ring is the caller's:
/// the library never reads keys from anywhere else and never logs them.
///
/// A DLMS/COSEM meter is named by its system title: 16 hex digits ("4D4D4D0000BC614E") or the device address
/// `dlms:4D4D4D0000BC614E`, both the same meter. It has up to four keys (IEC 62056-5-3 §5.3.3, the Green
/// Book): the global unicast encryption key (EK, the block cipher key; given like any key, or with the prefix
/// `ek:`), the authentication key (`ak:`), the global broadcast encryption key (`bk:`) and a dedicated key
/// (`dk:`, General-Ded-Ciphering and the ded- APDUs). The prefix goes before the meter, in `add` and in a
/// line of `add_lines`: `ak:dlms:4D4D4D0000BC614E=D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF`.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "kvant/core/export.hpp"

namespace kvant {
inline namespace v0 {

using aes_key = std::array<std::uint8_t, 16>;

/// Which of a DLMS meter's keys (the prefix of its name in a key ring: none or `ek:`, `ak:`, `bk:`, `dk:`).
enum class dlms_key_kind : std::uint8_t { encryption, authentication, broadcast, dedicated };

class KVANT_API key_ring {
  public:
    /// Adds or replaces the key of a meter: `meter` is an id ("12345678"), a device address
    /// ("mbus:KAM-12345678-01-07"), a DLMS system title ("4D4D4D0000BC614E" or "dlms:4D4D4D0000BC614E"),
    /// the latter optionally after a key kind prefix (`ek:`, `ak:`, `bk:`, `dk:`); `hex` is 32 hex digits
    /// (spaces allowed). Bad text is a parse_error naming the meter and what is wrong (never the key's
    /// digits).
    void add(std::string_view meter, std::string_view hex);
    void add(std::string_view meter, const aes_key& key);
    /// Reads `ID=HEX` lines (blank lines and `#` comments allowed); errors name the file's line.
    void add_lines(std::string_view text, std::string_view source_name);
    /// The key for a meter: its full address first, then its id; nullptr when there is none.
    const aes_key* find(std::string_view address, std::string_view id) const noexcept;
    /// A DLMS meter's key of a kind, by its system title; nullptr when there is none.
    const aes_key* find_dlms(const std::array<std::uint8_t, 8>& system_title,
                             dlms_key_kind kind) const noexcept;
    std::size_t size() const noexcept { return keys_.size(); }

  private:
    std::unordered_map<std::string, aes_key> keys_;
};

}  // namespace v0
}  // namespace kvant
