/// \file
/// Wireless M-Bus (EN 13757-4 link layer, EN 13757-3/-7 and OMS Vol. 2 transport and security).
///
/// Telegrams: link layer frame formats A and B with their CRCs checked and stripped, or telegrams whose
/// CRCs the receiver already removed (`crc_mode`); the extended link layer (CI 0x8C, 0x8D; 0x8D with
/// AES-128-CTR); transport layer short (CI 0x7A) and long (0x72) headers and no header (0x78); security mode
/// 5 (AES-128-CBC, IV from the header, the 2F2F check) and mode 7 (keys derived by the OMS KDF with AES-CMAC,
/// the authentication and fragmentation layer's MAC checked); payloads a receiver decrypted already while
/// the header still says encrypted (they start with 2F2F); compact frames (CI 0x79), whose records' format
/// an earlier full frame of the same meter showed (`wmbus_format_cache`). The records are read as wired
/// M-Bus's (mbus.hpp). AES and CMAC are OpenSSL's.
///
/// A wrong or missing key is `decode_status::key_wrong` / `key_missing`, never `malformed`.
#pragma once

#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "kvant/core/export.hpp"
#include "kvant/decode/decoded_frame.hpp"
#include "kvant/decode/decoder.hpp"
#include "kvant/decode/key_ring.hpp"

namespace kvant {
inline namespace v0 {

/// The record layouts (DIF/VIF sequences) seen in full frames, by format signature, so that a compact frame
/// (which sends only the signature and the data) can be read. The caller owns it and may keep it across
/// calls and decoders; it holds no key material. Not thread-safe.
class KVANT_API wmbus_format_cache {
  public:
    /// Remembers the DIB/VIB sequence of a decoded full frame under its format signature.
    void learn(const decoded_frame& full);
    /// The DIB/VIB bytes of a signature, or nullptr.
    const std::vector<std::uint8_t>* find(std::uint16_t signature) const noexcept;
    std::size_t size() const noexcept { return formats_.size(); }

  private:
    std::unordered_map<std::uint16_t, std::vector<std::uint8_t>> formats_;
};

/// Whether the bytes start like a wireless M-Bus telegram (a length byte that fits, a known C field).
KVANT_API bool wmbus_identify(std::span<const std::uint8_t> bytes) noexcept;

/// Decodes one wireless M-Bus telegram into `out` (cleared first). Never throws on bytes.
KVANT_API bool decode_wmbus(std::span<const std::uint8_t> bytes, const decoder_config& config,
                            decoded_frame& out);

}  // namespace v0
}  // namespace kvant
