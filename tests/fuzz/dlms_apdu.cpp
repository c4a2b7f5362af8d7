// DLMS APDU decoding (decode_dlms) of any bytes, as a conversation: one session for the input's APDUs, which
// knows the Green Book's client and server system titles, with a key ring holding the Green Book's EK and AK
// for that server. The input is a sequence of chunks, each a selector byte, a length byte and that many
// bytes; the selector's low two bits say how the chunk is sent: 0 as it is, 1 in the TCP wrapper (right
// length), 2 ciphered in a General-Glo-Ciphering APDU (security control 0x30, AES-128-GCM with the Green
// Book keys and a right tag) so that the fuzzer reaches the APDU decoder behind the cipher, 3 the same with
// the tag's last byte flipped (must be key_wrong). Properties (dlms_check.hpp): no exception but
// std::bad_alloc; failures name an offset within the chunk as sent, what was expected and found, and carry no
// records; successes keep their records inside the frame's buffers; a flipped tag is key_wrong; decoding the
// conversation again with a fresh session gives the same results.
#include <openssl/evp.h>

#include <array>
#include <vector>

#include "dlms_check.hpp"
#include "kvant/decode/dlms.hpp"
#include "kvant/decode/key_ring.hpp"

namespace {

using namespace kvant;

constexpr std::array<std::uint8_t, 8> server_title{0x4D, 0x4D, 0x4D, 0x00, 0x00, 0xBC, 0x61, 0x4E};
constexpr std::array<std::uint8_t, 8> client_title{0x4D, 0x4D, 0x4D, 0x00, 0x00, 0x00, 0x00, 0x01};
constexpr std::array<std::uint8_t, 16> ek{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
constexpr std::array<std::uint8_t, 16> ak{0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7,
                                          0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF};

const key_ring& keys() {
    static const key_ring k = [] {
        key_ring r;
        r.add("dlms:4D4D4D0000BC614E", ek);
        r.add("ak:dlms:4D4D4D0000BC614E", ak);
        return r;
    }();
    return k;
}

/// DB 08 title | length | 30 | counter | GCM(plain) | 12-byte tag.
std::vector<std::uint8_t> cipher(const std::vector<std::uint8_t>& plain, std::uint32_t counter) {
    std::array<std::uint8_t, 12> iv{};
    std::copy(server_title.begin(), server_title.end(), iv.begin());
    for (int i = 0; i < 4; ++i)
        iv[8 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(counter >> (24 - 8 * i));
    std::array<std::uint8_t, 17> aad{0x30};
    std::copy(ak.begin(), ak.end(), aad.begin() + 1);
    std::vector<std::uint8_t> ct(plain.size());
    std::array<std::uint8_t, 16> tag{};
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    int n = 0;
    bool ok = ctx && EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), nullptr, nullptr, nullptr) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, nullptr) == 1 &&
              EVP_EncryptInit_ex(ctx, nullptr, nullptr, ek.data(), iv.data()) == 1 &&
              EVP_EncryptUpdate(ctx, nullptr, &n, aad.data(), static_cast<int>(aad.size())) == 1;
    if (ok && !plain.empty())
        ok = EVP_EncryptUpdate(ctx, ct.data(), &n, plain.data(), static_cast<int>(plain.size())) == 1;
    ok = ok && EVP_EncryptFinal_ex(ctx, ct.data(), &n) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag.data()) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok) kvant::fuzz::fail("OpenSSL failed to encrypt");
    const std::size_t content = 1 + 4 + plain.size() + 12;  // at most 272: an A-XDR length of 1 or 3 bytes
    std::vector<std::uint8_t> out{0xDB, 0x08};
    out.insert(out.end(), server_title.begin(), server_title.end());
    if (content < 0x80) {
        out.push_back(static_cast<std::uint8_t>(content));
    } else {
        out.push_back(0x82);
        out.push_back(static_cast<std::uint8_t>(content >> 8));
        out.push_back(static_cast<std::uint8_t>(content & 0xFF));
    }
    out.push_back(0x30);
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(counter >> (24 - 8 * i)));
    out.insert(out.end(), ct.begin(), ct.end());
    out.insert(out.end(), tag.begin(), tag.begin() + 12);
    return out;
}

struct chunk {
    std::vector<std::uint8_t> bytes;
    bool flipped = false;
};

std::vector<chunk> chunks_of(const std::uint8_t* data, std::size_t size) {
    std::vector<chunk> out;
    std::size_t i = 0;
    std::uint32_t counter = 1;
    while (i + 2 <= size) {
        const std::uint8_t sel = data[i];
        const std::size_t n = data[i + 1];
        i += 2;
        const std::size_t take = n < size - i ? n : size - i;
        std::vector<std::uint8_t> plain(data + i, data + i + take);
        i += take;
        chunk c;
        switch (sel & 3) {
            case 0:
                c.bytes = std::move(plain);
                break;
            case 1:
                c.bytes = {0x00,
                           0x01,
                           0x00,
                           0x01,
                           0x00,
                           0x10,
                           static_cast<std::uint8_t>(take >> 8),
                           static_cast<std::uint8_t>(take & 0xFF)};
                c.bytes.insert(c.bytes.end(), plain.begin(), plain.end());
                break;
            default:
                c.bytes = cipher(plain, counter++);
                if ((sel & 3) == 3) {
                    c.bytes.back() ^= 0x01;
                    c.flipped = true;
                }
                break;
        }
        out.push_back(std::move(c));
    }
    return out;
}

struct result {
    bool ok;
    decode_status status;
    std::uint32_t offset;
    std::size_t records;
    bool operator==(const result&) const = default;
};

std::vector<result> run(const std::vector<chunk>& chunks) {
    static decoded_frame frame;  // reused, as a host does
    dlms_session session;
    session.server_system_title = server_title;
    session.client_system_title = client_title;
    decoder_config config;
    config.session = &session;
    config.keys = &keys();
    std::vector<result> out;
    for (const auto& c : chunks) {
        bool ok = false;
        try {
            ok = decode_dlms(c.bytes, frame, config);
        } catch (const std::bad_alloc&) {
            fuzz::fail("std::bad_alloc");
        } catch (...) {
            fuzz::fail("decode_dlms threw on bytes");
        }
        fuzz::check_dlms_frame(frame, ok, c.bytes.size());
        if (c.flipped)
            KVANT_FUZZ_CHECK(frame.error.status == decode_status::key_wrong, "a flipped tag passed");
        out.push_back({ok, frame.error.status, frame.error.offset, frame.records.size()});
        (void)dlms_identify(c.bytes);
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 8192) return 0;
    const auto chunks = chunks_of(data, size);
    const auto first = run(chunks);
    KVANT_FUZZ_CHECK(run(chunks) == first, "decoding the same conversation twice differs");
    return 0;
}
