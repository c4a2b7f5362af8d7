// AES-128-GCM for the DLMS/COSEM ciphered APDUs, through OpenSSL 3's EVP interface, and the HDLC FCS.
// Nothing here is a cipher of our own: the GCM function only holds the OpenSSL context.
#include <memory>

#include <openssl/evp.h>

#include "dlms_internal.hpp"

namespace kvant {
inline namespace v0 {
namespace detail {

namespace {
struct cipher_ctx_free {
    void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};
}  // namespace

std::uint16_t crc16_x25(std::span<const std::uint8_t> bytes) noexcept {
    // bitwise, reflected: an HDLC frame of a meter is at most a few hundred bytes
    std::uint16_t crc = 0xFFFF;
    for (const std::uint8_t b : bytes) {
        crc = static_cast<std::uint16_t>(crc ^ b);
        for (int i = 0; i < 8; ++i)
            crc = static_cast<std::uint16_t>((crc & 1) ? (crc >> 1) ^ 0x8408 : crc >> 1);
    }
    return static_cast<std::uint16_t>(~crc);
}

gcm_result aes128_gcm_decrypt(const aes_key& key, std::span<const std::uint8_t, 12> iv,
                              std::span<const std::uint8_t> aad, std::span<const std::uint8_t> ct,
                              std::span<const std::uint8_t> tag, std::span<std::uint8_t> out) noexcept {
    if (out.size() < ct.size() || ct.size() > 0x7fffffff || aad.size() > 0x7fffffff || tag.size() > 16)
        return gcm_result::failed;
    std::unique_ptr<EVP_CIPHER_CTX, cipher_ctx_free> ctx(EVP_CIPHER_CTX_new());
    if (!ctx) return gcm_result::failed;
    if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, nullptr, nullptr) != 1)
        return gcm_result::failed;
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, 12, nullptr) != 1) return gcm_result::failed;
    if (EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), iv.data()) != 1)
        return gcm_result::failed;
    int n = 0;
    if (!aad.empty() &&
        EVP_DecryptUpdate(ctx.get(), nullptr, &n, aad.data(), static_cast<int>(aad.size())) != 1)
        return gcm_result::failed;
    if (!ct.empty() &&
        EVP_DecryptUpdate(ctx.get(), out.data(), &n, ct.data(), static_cast<int>(ct.size())) != 1)
        return gcm_result::failed;
    if (tag.empty()) return gcm_result::ok;  // encryption only: nothing to check
    // OpenSSL checks a truncated tag against the leading bytes of the full one (SP 800-38D §5.2.1.2)
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(tag.size()),
                            const_cast<std::uint8_t*>(tag.data())) != 1)
        return gcm_result::failed;
    int tail = 0;
    if (EVP_DecryptFinal_ex(ctx.get(), out.data() + ct.size(), &tail) != 1) return gcm_result::tag_mismatch;
    return gcm_result::ok;
}

}  // namespace detail
}  // namespace v0
}  // namespace kvant
