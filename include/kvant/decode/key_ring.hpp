/// \file
/// `key_ring`: the caller's AES-128 keys, one a meter, for the decoders of encrypted protocols (wireless
/// M-Bus security modes 5 and 7; DLMS later). Keys are looked up by the meter's identification number as
/// the frame gives it (eight digits for M-Bus, "12345678"); a key given for a full secondary address
/// (`mbus:MAN-ID-VV-MM`, model/device_address.hpp) wins over one for the id alone. The ring is the caller's:
/// the library never reads keys from anywhere else and never logs them.
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

class KVANT_API key_ring {
  public:
    /// Adds or replaces the key of a meter: `meter` is an id ("12345678") or a device address
    /// ("mbus:KAM-12345678-01-07"); `hex` is 32 hex digits (spaces allowed). Bad text is a parse_error naming
    /// the meter and what is wrong (never the key's digits).
    void add(std::string_view meter, std::string_view hex);
    void add(std::string_view meter, const aes_key& key);
    /// Reads `ID=HEX` lines (blank lines and `#` comments allowed); errors name the file's line.
    void add_lines(std::string_view text, std::string_view source_name);
    /// The key for a meter: its full address first, then its id; nullptr when there is none.
    const aes_key* find(std::string_view address, std::string_view id) const noexcept;
    std::size_t size() const noexcept { return keys_.size(); }

  private:
    std::unordered_map<std::string, aes_key> keys_;
};

}  // namespace v0
}  // namespace kvant
