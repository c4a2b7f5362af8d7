// Internal to the DLMS decoders: the HDLC frame check sequence and AES-128-GCM (OpenSSL's EVP, never a
// hand-written cipher). Kept apart so that <openssl/*.h> stays in one source file.
#pragma once

#include <cstdint>
#include <span>

#include "kvant/decode/key_ring.hpp"

namespace kvant {
inline namespace v0 {
namespace detail {

/// CRC-16/X.25 (ITU-T; RFC 1662's FCS-16): polynomial 0x1021 reflected (0x8408), initial value 0xFFFF,
/// complemented at the end. HDLC sends it low byte first. Check value of "123456789": 0x906E.
std::uint16_t crc16_x25(std::span<const std::uint8_t> bytes) noexcept;

enum class gcm_result : std::uint8_t { ok, tag_mismatch, failed };

/// AES-128-GCM decryption (NIST SP 800-38D) with a 96-bit IV: `ct` under `key` into `out` (same size), with
/// the additional authenticated data `aad`. `tag` (1..16 bytes, DLMS: 12) is checked when not empty; with an
/// empty tag nothing is checked (a DLMS APDU ciphered for encryption only). `ct` may be empty (GMAC: the tag
/// authenticates `aad` alone). `failed` when OpenSSL refuses the cipher or its context (a provider without
/// AES-GCM, no memory): the decoder says `unsupported`.
gcm_result aes128_gcm_decrypt(const aes_key& key, std::span<const std::uint8_t, 12> iv,
                              std::span<const std::uint8_t> aad, std::span<const std::uint8_t> ct,
                              std::span<const std::uint8_t> tag, std::span<std::uint8_t> out) noexcept;

}  // namespace detail
}  // namespace v0
}  // namespace kvant
