// AES-128 (CBC, CTR) and AES-CMAC for the wireless M-Bus security layers, through OpenSSL 3's EVP interfaces.
// Nothing here is a cipher of our own: these functions only hold the OpenSSL contexts.
#include <memory>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "wmbus_internal.hpp"

namespace kvant {
inline namespace v0 {
namespace detail {

namespace {

struct cipher_ctx_free {
    void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};
struct mac_free {
    void operator()(EVP_MAC* m) const noexcept { EVP_MAC_free(m); }
};
struct mac_ctx_free {
    void operator()(EVP_MAC_CTX* c) const noexcept { EVP_MAC_CTX_free(c); }
};

bool run_cipher(const EVP_CIPHER* cipher, bool decrypt, const aes_key& key,
                const std::array<std::uint8_t, 16>& iv, std::span<const std::uint8_t> in,
                std::span<std::uint8_t> out) noexcept {
    if (out.size() < in.size() || in.size() > 0x7fffffff) return false;
    std::unique_ptr<EVP_CIPHER_CTX, cipher_ctx_free> ctx(EVP_CIPHER_CTX_new());
    if (!ctx) return false;
    if (EVP_CipherInit_ex(ctx.get(), cipher, nullptr, key.data(), iv.data(), decrypt ? 0 : 1) != 1)
        return false;
    if (EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1) return false;
    int n = 0;
    if (!in.empty() &&
        EVP_CipherUpdate(ctx.get(), out.data(), &n, in.data(), static_cast<int>(in.size())) != 1)
        return false;
    int tail = 0;
    if (EVP_CipherFinal_ex(ctx.get(), out.data() + n, &tail) != 1) return false;
    return static_cast<std::size_t>(n + tail) == in.size();
}

}  // namespace

std::uint16_t crc16_en13757(std::span<const std::uint8_t> bytes) noexcept {
    // bitwise: the frames are at most 290 bytes, a table would not pay for itself in a decoder this size
    std::uint16_t crc = 0;
    for (const std::uint8_t b : bytes) {
        crc = static_cast<std::uint16_t>(crc ^ (b << 8));
        for (int i = 0; i < 8; ++i)
            crc = static_cast<std::uint16_t>((crc & 0x8000) ? (crc << 1) ^ 0x3D65 : crc << 1);
    }
    return static_cast<std::uint16_t>(~crc);
}

bool aes128_cbc_decrypt(const aes_key& key, const std::array<std::uint8_t, 16>& iv,
                        std::span<const std::uint8_t> in, std::span<std::uint8_t> out) noexcept {
    if (in.size() % 16 != 0) return false;
    return run_cipher(EVP_aes_128_cbc(), true, key, iv, in, out);
}

bool aes128_ctr(const aes_key& key, const std::array<std::uint8_t, 16>& iv, std::span<const std::uint8_t> in,
                std::span<std::uint8_t> out) noexcept {
    return run_cipher(EVP_aes_128_ctr(), false, key, iv, in, out);
}

bool aes128_cmac(const aes_key& key, std::span<const std::uint8_t> msg,
                 std::array<std::uint8_t, 16>& mac) noexcept {
    std::unique_ptr<EVP_MAC, mac_free> alg(EVP_MAC_fetch(nullptr, "CMAC", nullptr));
    if (!alg) return false;
    std::unique_ptr<EVP_MAC_CTX, mac_ctx_free> ctx(EVP_MAC_CTX_new(alg.get()));
    if (!ctx) return false;
    char cipher_name[] = "AES-128-CBC";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, cipher_name, 0),
                                 OSSL_PARAM_construct_end()};
    if (EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1) return false;
    if (!msg.empty() && EVP_MAC_update(ctx.get(), msg.data(), msg.size()) != 1) return false;
    std::size_t n = 0;
    if (EVP_MAC_final(ctx.get(), mac.data(), &n, mac.size()) != 1) return false;
    return n == mac.size();
}

}  // namespace detail
}  // namespace v0
}  // namespace kvant
