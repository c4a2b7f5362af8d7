// Internal to the wireless M-Bus decoder: the EN 13757-4 CRC, and the AES primitives (OpenSSL's EVP, never a
// hand-written cipher) the security layers use. Kept apart so that <openssl/*.h> stays in one source file.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "kvant/decode/decoder.hpp"
#include "kvant/decode/key_ring.hpp"

namespace kvant {
inline namespace v0 {
namespace detail {

/// CRC-16/EN-13757: polynomial 0x3D65, initial value 0, not reflected, complemented at the end (EN 13757-4
/// link layer blocks, the ELL payload CRC, the compact frame's format signature). Check value of
/// "123456789": 0xC2B7.
std::uint16_t crc16_en13757(std::span<const std::uint8_t> bytes) noexcept;

/// AES-128-CBC decryption without padding, `in.size()` a multiple of 16, into `out` (same size; may alias
/// `in`). False only when OpenSSL fails (out of memory).
bool aes128_cbc_decrypt(const aes_key& key, const std::array<std::uint8_t, 16>& iv,
                        std::span<const std::uint8_t> in, std::span<std::uint8_t> out) noexcept;
/// AES-128-CTR (encryption and decryption are the same), any length; the counter is the whole IV block,
/// incremented as a big-endian 128-bit number (EN 13757-4's block counter is the IV's last byte).
bool aes128_ctr(const aes_key& key, const std::array<std::uint8_t, 16>& iv, std::span<const std::uint8_t> in,
                std::span<std::uint8_t> out) noexcept;
/// AES-CMAC (NIST SP 800-38B) of `msg` under `key`, the full 16 bytes.
bool aes128_cmac(const aes_key& key, std::span<const std::uint8_t> msg,
                 std::array<std::uint8_t, 16>& mac) noexcept;

/// The registry's entry for "wmbus" (`add_mbus_decoders` adds it).
decoder_descriptor wmbus_descriptor() noexcept;

}  // namespace detail
}  // namespace v0
}  // namespace kvant
