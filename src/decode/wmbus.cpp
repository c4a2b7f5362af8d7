// Wireless M-Bus: EN 13757-4 link layer (formats A and B, or CRCs already stripped), the extended link layer
// (CI 0x8C..0x8F, AES-128-CTR), the authentication and fragmentation layer (CI 0x90), the transport layer
// (CI 0x7A, 0x72, 0x78 and compact frames 0x79), security modes 5 and 7 (OMS Vol. 2), then the records of
// EN 13757-3 (detail::parse_mbus_records). docs/wmbus.md describes every choice made here.
//
// The decoder copies the telegram into `decoded_frame::data` without its CRCs and decrypts it there in place,
// so the records point into plain bytes and an error found in `data` is translated back to the caller's
// input through the CRC blocks (`telegram::to_input`).
#include "kvant/decode/wmbus.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "mbus_records.hpp"
#include "wmbus_internal.hpp"

namespace kvant {
inline namespace v0 {

namespace {

constexpr std::size_t block1_size = 10;      // L C M(2) A(6): format A's first block, format B's block 1
constexpr std::size_t block_a_size = 16;     // format A's later blocks
constexpr std::size_t block_b12_size = 126;  // format B: blocks 1 and 2 share one CRC (at most 126 bytes)

const char hex_digits[] = "0123456789ABCDEF";

std::string hex16(std::uint16_t v) {
    std::string s = "0x";
    for (int sh = 12; sh >= 0; sh -= 4) s.push_back(hex_digits[(v >> sh) & 15]);
    return s;
}
std::string bytes_text(std::span<const std::uint8_t> b) {
    std::string s;
    for (std::size_t i = 0; i < b.size() && i < 16; ++i) {
        if (i) s.push_back(' ');
        s.push_back(hex_digits[b[i] >> 4]);
        s.push_back(hex_digits[b[i] & 15]);
    }
    if (b.size() > 16) s += " …";
    return s;
}
std::string count(std::size_t n, const char* what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

std::uint16_t le16(const std::uint8_t* p) noexcept {
    return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
std::uint16_t be16(const std::uint8_t* p) noexcept {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
std::uint32_t le32(const std::uint8_t* p) noexcept {
    return std::uint32_t(p[0]) | (std::uint32_t(p[1]) << 8) | (std::uint32_t(p[2]) << 16) |
           (std::uint32_t(p[3]) << 24);
}

std::string id_text(std::uint32_t id) {
    std::string s(8, '0');
    for (int i = 0; i < 8; ++i) s[static_cast<std::size_t>(7 - i)] = hex_digits[(id >> (4 * i)) & 15];
    return s;
}

/// Size of a data field by its DIF code (EN 13757-3 Table 4); -1 variable length, -2 special.
int data_size(std::uint8_t dif) noexcept {
    static constexpr int sizes[16] = {0, 1, 2, 3, 4, 4, 6, 8, 0, 1, 2, 3, 4, -1, 6, -2};
    return sizes[dif & 0x0F];
}
/// The data bytes an LVAR byte announces (EN 13757-3 Table 5), or -1 for a reserved code.
/// One wireless telegram being decoded.
struct telegram {
    std::span<const std::uint8_t> in;
    const decoder_config& cfg;
    decoded_frame& out;
    frame_kind kind = frame_kind::wireless_no_crc;
    // data positions from `rebuilt_from` on are a compact frame's rebuilt records: they map to one input byte
    std::size_t rebuilt_from = static_cast<std::size_t>(-1);
    std::uint32_t rebuilt_input = 0;

    std::uint32_t to_input(std::size_t pos) const noexcept {
        if (pos >= rebuilt_from) return rebuilt_input;
        std::size_t r = pos;
        if (kind == frame_kind::wireless_a && pos >= block1_size)
            r = pos + 2 + 2 * ((pos - block1_size) / block_a_size);
        else if (kind == frame_kind::wireless_b && pos >= block_b12_size)
            r = pos + 2;
        return static_cast<std::uint32_t>(r);
    }
    bool fail_input(decode_status st, std::size_t input_offset, std::string expected, std::string found) {
        out.error.status = st;
        out.error.offset = static_cast<std::uint32_t>(input_offset);
        out.error.expected = std::move(expected);
        out.error.found = std::move(found);
        return false;
    }
    bool fail(decode_status st, std::size_t data_pos, std::string expected, std::string found) {
        return fail_input(st, to_input(data_pos), std::move(expected), std::move(found));
    }
    /// Data bytes from `pos` must be at least `n`.
    bool need(std::size_t pos, std::size_t n, const char* what) {
        if (pos + n <= out.data.size()) return true;
        return fail(decode_status::truncated, out.data.size(),
                    count(n, "byte") + " of " + what + " from byte " + std::to_string(to_input(pos)),
                    "the end of the telegram after " +
                        count(out.data.size() - std::min(pos, out.data.size()), "byte"));
    }

    bool link_layer();
    bool decode();
};

bool telegram::link_layer() {
    const std::size_t n = in.size();
    if (n == 0) return fail_input(decode_status::truncated, 0, "an L field", "no bytes");
    const std::size_t l = in[0];
    if (l < 10)
        return fail_input(decode_status::malformed, 0, "an L field of at least 10 (C, M, A and a CI field)",
                          detail::hex_byte(in[0]));
    // format A: the first block (10 bytes) and then blocks of 16, each followed by its CRC; L counts no CRC
    const std::size_t a_blocks = 1 + (l - 9 + block_a_size - 1) / block_a_size;
    const std::size_t size_a = 1 + l + 2 * a_blocks;
    const std::size_t size_plain = l + 1;  // stripped, and format B (whose L counts its CRCs)

    auto block1_ok = [&] { return n >= 12 && detail::crc16_en13757(in.first(10)) == be16(in.data() + 10); };
    auto format_b_ok = [&] {
        if (n != size_plain || n < 12) return false;
        if (n <= block_b12_size + 2) return detail::crc16_en13757(in.first(n - 2)) == be16(in.data() + n - 2);
        if (n < block_b12_size + 2 + 3) return false;
        return detail::crc16_en13757(in.first(block_b12_size)) == be16(in.data() + block_b12_size) &&
               detail::crc16_en13757(in.subspan(block_b12_size + 2, n - block_b12_size - 4)) ==
                   be16(in.data() + n - 2);
    };

    if (cfg.crc == crc_mode::absent) {
        kind = frame_kind::wireless_no_crc;
    } else if (block1_ok()) {
        kind = frame_kind::wireless_a;
    } else if (format_b_ok()) {
        kind = frame_kind::wireless_b;
    } else if (cfg.crc == crc_mode::present) {
        if (n < 12)
            return fail_input(decode_status::truncated, n, "the CRC of the first block at bytes 10 and 11",
                              "the end of the telegram after " + count(n, "byte"));
        return fail_input(decode_status::checksum, 10,
                          "the CRC of block 1 " + hex16(detail::crc16_en13757(in.first(10))) +
                              " (format A), or a format B telegram whose CRCs match",
                          hex16(be16(in.data() + 10)));
    } else {
        kind = frame_kind::wireless_no_crc;
    }

    out.data.clear();
    if (kind == frame_kind::wireless_a) {
        if (n != size_a) {
            const std::string expected =
                std::to_string(size_a) + " bytes, as L = " + detail::hex_byte(in[0]) + " says (" +
                std::to_string(l + 1) + " data bytes and " + count(a_blocks, "CRC") + ", format A)";
            if (n < size_a)
                return fail_input(decode_status::truncated, n, expected,
                                  std::to_string(n) + " bytes (" + std::to_string(size_a - n) + " fewer)");
            return fail_input(decode_status::malformed, size_a, expected,
                              std::to_string(n) + " bytes (" + std::to_string(n - size_a) + " more)");
        }
        out.data.resize(l + 1);
        std::copy_n(in.data(), block1_size, out.data.data());
        std::size_t at = block1_size + 2, put = block1_size;
        while (at < n) {
            const std::size_t len = std::min(block_a_size, n - at - 2);
            const auto block = in.subspan(at, len);
            const std::uint16_t want = detail::crc16_en13757(block);
            const std::uint16_t got = be16(in.data() + at + len);
            if (want != got)
                return fail_input(
                    decode_status::checksum, at + len,
                    "the CRC of block " + std::to_string(2 + (at - 12) / 18) + " " + hex16(want), hex16(got));
            std::copy_n(block.data(), len, out.data.data() + put);
            put += len;
            at += len + 2;
        }
    } else if (kind == frame_kind::wireless_b) {
        // format_b_ok checked the size and the CRCs
        const std::size_t first = std::min(n - 2, block_b12_size);
        const std::size_t rest = n > block_b12_size + 2 ? n - block_b12_size - 4 : 0;
        out.data.resize(first + rest);
        std::copy_n(in.data(), first, out.data.data());
        if (rest) std::copy_n(in.data() + block_b12_size + 2, rest, out.data.data() + first);
    } else {
        if (n != size_plain) {
            std::string expected =
                std::to_string(size_plain) + " bytes, as L = " + detail::hex_byte(in[0]) + " says";
            if (cfg.crc == crc_mode::detect)
                expected += " (CRCs stripped; or " + std::to_string(size_a) +
                            " with format A's CRCs, which do not match)";
            if (n < size_plain)
                return fail_input(
                    decode_status::truncated, n, expected,
                    std::to_string(n) + " bytes (" + std::to_string(size_plain - n) + " fewer)");
            return fail_input(decode_status::malformed, size_plain, expected,
                              std::to_string(n) + " bytes (" + std::to_string(n - size_plain) + " more)");
        }
        out.data.assign(in.begin(), in.end());
    }
    if (out.data.size() < 11)
        return fail(decode_status::truncated, out.data.size(), "a CI field after the link layer address",
                    "the end of the telegram");
    return true;
}

struct afl_fields {
    bool present = false;
    std::uint8_t mcl = 0;
    bool has_ki = false, has_mcr = false, has_ml = false;
    std::array<std::uint8_t, 2> ki{};
    std::array<std::uint8_t, 4> mcr{};
    std::array<std::uint8_t, 2> ml{};
    std::size_t mac_at = 0, mac_size = 0;  // in data
};

/// "mbus:MAN-ID-VV-MM" of the header's identity.
std::string address_text(const std::array<char, 4>& man, std::uint32_t id, std::uint8_t ver,
                         std::uint8_t med) {
    std::string s = "mbus:";
    s += man.data();
    s += "-" + id_text(id) + "-";
    s.push_back(hex_digits[ver >> 4]);
    s.push_back(hex_digits[ver & 15]);
    s.push_back('-');
    s.push_back(hex_digits[med >> 4]);
    s.push_back(hex_digits[med & 15]);
    return s;
}

bool telegram::decode() {
    if (!link_layer()) return false;
    auto& d = out.data;
    auto& h = out.header;
    h.kind = kind;
    h.c_field = d[1];
    // the link layer address: the identity unless a long transport header names another meter
    const std::uint16_t link_man = le16(&d[2]);
    detail::manufacturer_letters(link_man, h.link_manufacturer);
    h.link_id = le32(&d[4]);
    h.link_version = d[8];
    h.link_medium = d[9];
    h.has_link_address = true;
    h.manufacturer = h.link_manufacturer;
    h.manufacturer_code = link_man;
    h.id = h.link_id;
    h.version = h.link_version;
    h.medium = h.link_medium;
    h.has_address = true;

    std::size_t p = block1_size;
    bool seen_ell = false;
    afl_fields afl;
    // address the ELL's CTR IV names: the link layer's, or the ELL's own (CI 0x8E, 0x8F)
    std::array<std::uint8_t, 8> ell_address{};
    std::copy(d.begin() + 2, d.begin() + 10, ell_address.begin());

    for (;;) {
        if (!need(p, 1, "a CI field")) return false;
        const std::uint8_t ci = d[p];
        if (ci == 0x8C || ci == 0x8D || ci == 0x8E || ci == 0x8F) {
            if (seen_ell || afl.present)
                return fail(decode_status::malformed, p,
                            "a transport layer CI field (one ELL, before the AFL)", detail::hex_byte(ci));
            seen_ell = true;
            const bool has_addr = ci == 0x8E || ci == 0x8F;
            const bool has_sn = ci == 0x8D || ci == 0x8F;
            const std::size_t size = 3 + (has_addr ? 8 : 0) + (has_sn ? 6 : 0);
            if (!need(p, size, "the extended link layer")) return false;
            const std::uint8_t cc = d[p + 1];
            h.access_number = d[p + 2];
            if (has_addr)
                std::copy(d.begin() + static_cast<std::ptrdiff_t>(p + 3),
                          d.begin() + static_cast<std::ptrdiff_t>(p + 11), ell_address.begin());
            if (has_sn) {
                const std::size_t sn_at = p + 3 + (has_addr ? 8 : 0);
                const std::size_t crc_at = sn_at + 4;
                const std::uint32_t sn = le32(&d[sn_at]);
                const unsigned enc = sn >> 29;
                const std::size_t payload = crc_at + 2;
                auto crc_matches = [&] {
                    return detail::crc16_en13757(std::span<const std::uint8_t>(d).subspan(payload)) ==
                           le16(&d[crc_at]);
                };
                if (enc == 0) {
                    if (!crc_matches())
                        return fail(
                            decode_status::checksum, crc_at,
                            "the ELL payload CRC " + hex16(detail::crc16_en13757(
                                                         std::span<const std::uint8_t>(d).subspan(payload))),
                            hex16(le16(&d[crc_at])));
                } else if (enc != 1) {
                    return fail(
                        decode_status::unsupported, sn_at,
                        "ELL encryption 0 (none) or 1 (AES-128-CTR) in the session number's bits 29..31",
                        std::to_string(enc));
                } else {
                    const aes_key* key = cfg.keys
                                             ? cfg.keys->find(address_text(h.link_manufacturer, h.link_id,
                                                                           h.link_version, h.link_medium),
                                                              id_text(h.link_id))
                                             : nullptr;
                    bool plain = false;
                    if (key) {
                        // IV: M, A, CC (hop counter bit cleared: a repeater sets it after encryption), SN, FN
                        // 0, BC 0
                        std::array<std::uint8_t, 16> iv{};
                        std::copy(ell_address.begin(), ell_address.end(), iv.begin());
                        iv[8] = static_cast<std::uint8_t>(cc & 0xEF);
                        std::copy(d.begin() + static_cast<std::ptrdiff_t>(sn_at),
                                  d.begin() + static_cast<std::ptrdiff_t>(sn_at + 4), iv.begin() + 9);
                        std::vector<std::uint8_t> clear(d.size() - crc_at);
                        if (!detail::aes128_ctr(*key, iv, std::span<const std::uint8_t>(d).subspan(crc_at),
                                                clear))
                            throw std::bad_alloc();
                        const std::uint16_t crc = le16(clear.data());
                        if (detail::crc16_en13757(std::span<const std::uint8_t>(clear).subspan(2)) == crc) {
                            std::copy(clear.begin(), clear.end(),
                                      d.begin() + static_cast<std::ptrdiff_t>(crc_at));
                            h.encrypted = true;
                        } else if (crc_matches()) {
                            plain = true;  // a receiver decrypted it already
                        } else {
                            return fail(decode_status::key_wrong, crc_at,
                                        "a payload CRC that matches after AES-CTR decryption with the key "
                                        "for meter " +
                                            id_text(h.link_id),
                                        "a mismatch: the key is wrong (or the telegram is corrupt)");
                        }
                    } else if (crc_matches()) {
                        plain = true;
                    } else {
                        return fail(decode_status::key_missing, crc_at,
                                    "a key for meter " + id_text(h.link_id) + " (ELL AES-128-CTR)", "none");
                    }
                    (void)plain;
                }
            }
            p += size;
            continue;
        }
        if (ci == 0x90) {
            if (afl.present)
                return fail(decode_status::malformed, p, "a transport layer CI field (one AFL)",
                            detail::hex_byte(ci));
            afl.present = true;
            if (!need(p, 2, "the AFL length")) return false;
            const std::size_t afll = d[p + 1];
            if (!need(p + 2, afll, "the authentication and fragmentation layer")) return false;
            const std::size_t end = p + 2 + afll;
            std::size_t q = p + 2;
            auto take = [&](std::size_t k, const char* what) {
                if (q + k > end)
                    return fail(decode_status::malformed, q,
                                count(k, "byte") + " of " + what + " within AFL.L", "the end of the AFL");
                return true;
            };
            if (!take(2, "AFL.FCL")) return false;
            const std::uint16_t fcl = le16(&d[q]);
            q += 2;
            if ((fcl & 0x4000) || (fcl & 0xFF) != 0)
                return fail(decode_status::unsupported, p + 2,
                            "an unfragmented message (AFL.FCL MF 0, fragment 0)",
                            hex16(fcl) + " (fragmented messages are not supported)");
            if (fcl & 0x2000) {
                if (!take(1, "AFL.MCL")) return false;
                afl.mcl = d[q++];
            }
            if (fcl & 0x0200) {
                if (!take(2, "AFL.KI")) return false;
                afl.has_ki = true;
                std::copy(d.begin() + static_cast<std::ptrdiff_t>(q),
                          d.begin() + static_cast<std::ptrdiff_t>(q + 2), afl.ki.begin());
                q += 2;
            }
            if (fcl & 0x0800) {
                if (!take(4, "AFL.MCR")) return false;
                afl.has_mcr = true;
                std::copy(d.begin() + static_cast<std::ptrdiff_t>(q),
                          d.begin() + static_cast<std::ptrdiff_t>(q + 4), afl.mcr.begin());
                q += 4;
            }
            if (fcl & 0x0400) {
                static constexpr std::size_t mac_sizes[16] = {0, 0, 0, 0, 4, 8, 12, 16,
                                                              0, 0, 0, 0, 0, 0, 0,  0};
                const std::size_t ms = mac_sizes[afl.mcl & 0x0F];
                if (ms == 0)
                    return fail(decode_status::unsupported, p + 4,
                                "an AES-CMAC authentication type 4..7 in AFL.MCL", detail::hex_byte(afl.mcl));
                if (!take(ms, "AFL.MAC")) return false;
                afl.mac_at = q;
                afl.mac_size = ms;
                q += ms;
            }
            if (fcl & 0x1000) {
                if (!take(2, "AFL.ML")) return false;
                afl.has_ml = true;
                std::copy(d.begin() + static_cast<std::ptrdiff_t>(q),
                          d.begin() + static_cast<std::ptrdiff_t>(q + 2), afl.ml.begin());
                q += 2;
            }
            p = end;
            continue;
        }
        break;
    }

    // transport layer
    const std::size_t tpl = p;
    const std::uint8_t ci = d[p];
    h.ci = ci;
    std::size_t records_from = 0;
    if (ci == 0x78) {
        records_from = p + 1;
    } else if (ci == 0x7A || ci == 0x72) {
        const std::size_t hs = ci == 0x72 ? 12 : 4;
        if (!need(p + 1, hs, ci == 0x72 ? "the long transport header" : "the short transport header"))
            return false;
        std::size_t q = p + 1;
        if (ci == 0x72) {
            h.id = le32(&d[q]);
            h.manufacturer_code = le16(&d[q + 4]);
            detail::manufacturer_letters(h.manufacturer_code, h.manufacturer);
            h.version = d[q + 6];
            h.medium = d[q + 7];
            q += 8;
        }
        h.access_number = d[q];
        h.status = d[q + 1];
        h.configuration = le16(&d[q + 2]);
        q += 4;
        h.security_mode = static_cast<std::uint8_t>((h.configuration >> 8) & 0x1F);
        const std::size_t blocks = (h.configuration >> 4) & 0x0F;
        const std::string meter = id_text(h.id);
        const std::string address = address_text(h.manufacturer, h.id, h.version, h.medium);
        const aes_key* key = cfg.keys ? cfg.keys->find(address, meter) : nullptr;
        if (h.security_mode == 0) {
            records_from = q;
        } else if (h.security_mode == 5 || h.security_mode == 7) {
            std::uint8_t cfe = 0;
            if (h.security_mode == 7) {
                if (!need(q, 1, "the configuration field extension (mode 7)")) return false;
                cfe = d[q++];
            }
            const std::size_t enc_at = q;
            const std::size_t remaining = d.size() - enc_at;
            std::size_t enc_size = blocks * 16;
            if (blocks == 0) {
                // no count: everything that follows, which must then be whole blocks
                enc_size = remaining;
                if (enc_size % 16 != 0 || enc_size == 0)
                    return fail(decode_status::malformed, enc_at,
                                "whole AES blocks (the configuration field counts 0 encrypted blocks)",
                                count(remaining, "byte"));
            }
            if (enc_size > remaining)
                return fail(decode_status::truncated, d.size(),
                            count(enc_size / 16, "encrypted block") + " (" + count(enc_size, "byte") +
                                ") as the configuration field " + hex16(h.configuration) + " says",
                            count(remaining, "byte"));
            const auto enc = std::span<const std::uint8_t>(d).subspan(enc_at, enc_size);
            const bool clear_2f2f = enc[0] == 0x2F && enc[1] == 0x2F;
            std::vector<std::uint8_t> clear(enc_size);
            if (h.security_mode == 5) {
                if (key) {
                    std::array<std::uint8_t, 16> iv{};
                    iv[0] = static_cast<std::uint8_t>(h.manufacturer_code & 0xFF);
                    iv[1] = static_cast<std::uint8_t>(h.manufacturer_code >> 8);
                    for (int i = 0; i < 4; ++i)
                        iv[static_cast<std::size_t>(2 + i)] = static_cast<std::uint8_t>(h.id >> (8 * i));
                    iv[6] = h.version;
                    iv[7] = h.medium;
                    std::fill(iv.begin() + 8, iv.end(), h.access_number);
                    if (!detail::aes128_cbc_decrypt(*key, iv, enc, clear)) throw std::bad_alloc();
                    if (clear[0] == 0x2F && clear[1] == 0x2F) {
                        std::copy(clear.begin(), clear.end(),
                                  d.begin() + static_cast<std::ptrdiff_t>(enc_at));
                        h.encrypted = true;
                    } else if (!clear_2f2f) {
                        return fail(decode_status::key_wrong, enc_at,
                                    "decrypted data starting 2F 2F (AES-128-CBC, mode 5, the key for meter " +
                                        meter + ")",
                                    bytes_text(std::span<const std::uint8_t>(clear).first(2)) +
                                        ": the key is wrong, the telegram is corrupt, or the meter does not "
                                        "send the check "
                                        "bytes OMS requires");
                    }
                } else if (!clear_2f2f) {
                    return fail(decode_status::key_missing, enc_at,
                                "a key for meter " + meter + " (security mode 5)", "none");
                }
            } else {
                if (((cfe >> 4) & 3) != 1)
                    return fail(decode_status::unsupported, q - 1,
                                "key derivation function 1 (KDF-A) in the configuration field extension",
                                detail::hex_byte(cfe));
                if (!afl.present || !afl.has_mcr || afl.mac_size == 0) {
                    if (!clear_2f2f)
                        return fail(decode_status::malformed, tpl,
                                    "an AFL (CI 0x90) with a message counter and a MAC before a mode 7 "
                                    "transport header",
                                    afl.present ? "an AFL without them" : "none");
                } else if (key) {
                    // OMS Vol. 2 §9.5: K = CMAC(master, constant ‖ message counter ‖ meter id ‖ 07…07)
                    std::array<std::uint8_t, 16> kdf{};
                    std::fill(kdf.begin(), kdf.end(), std::uint8_t{0x07});
                    std::copy(afl.mcr.begin(), afl.mcr.end(), kdf.begin() + 1);
                    for (int i = 0; i < 4; ++i)
                        kdf[static_cast<std::size_t>(5 + i)] = static_cast<std::uint8_t>(h.id >> (8 * i));
                    std::array<std::uint8_t, 16> kenc{}, kmac{}, mac{};
                    kdf[0] = 0x00;
                    if (!detail::aes128_cmac(*key, kdf, kenc)) throw std::bad_alloc();
                    kdf[0] = 0x01;
                    if (!detail::aes128_cmac(*key, kdf, kmac)) throw std::bad_alloc();
                    // MAC over AFL.MCL, AFL.KI, AFL.MCR, AFL.ML and everything from the transport CI on
                    std::vector<std::uint8_t> msg;
                    msg.reserve(9 + d.size() - tpl);
                    msg.push_back(afl.mcl);
                    if (afl.has_ki) msg.insert(msg.end(), afl.ki.begin(), afl.ki.end());
                    msg.insert(msg.end(), afl.mcr.begin(), afl.mcr.end());
                    if (afl.has_ml) msg.insert(msg.end(), afl.ml.begin(), afl.ml.end());
                    msg.insert(msg.end(), d.begin() + static_cast<std::ptrdiff_t>(tpl), d.end());
                    if (!detail::aes128_cmac(kmac, msg, mac)) throw std::bad_alloc();
                    const bool mac_ok =
                        std::equal(mac.begin(), mac.begin() + static_cast<std::ptrdiff_t>(afl.mac_size),
                                   d.begin() + static_cast<std::ptrdiff_t>(afl.mac_at));
                    if (!detail::aes128_cbc_decrypt(kenc, std::array<std::uint8_t, 16>{}, enc, clear))
                        throw std::bad_alloc();
                    const bool dec_2f2f = clear[0] == 0x2F && clear[1] == 0x2F;
                    if (mac_ok) {
                        std::copy(clear.begin(), clear.end(),
                                  d.begin() + static_cast<std::ptrdiff_t>(enc_at));
                        h.encrypted = true;
                    } else if (clear_2f2f) {
                        // a receiver decrypted it already (the MAC is over the encrypted bytes)
                    } else if (dec_2f2f) {
                        return fail(
                            decode_status::checksum, afl.mac_at,
                            "the AFL MAC " +
                                bytes_text(std::span<const std::uint8_t>(mac).first(afl.mac_size)) +
                                " (the key for meter " + meter +
                                " decrypts the payload, so the telegram was altered)",
                            bytes_text(std::span<const std::uint8_t>(d).subspan(afl.mac_at, afl.mac_size)));
                    } else {
                        return fail(decode_status::key_wrong, afl.mac_at,
                                    "an AFL MAC that matches the one computed with the key for meter " +
                                        meter + " (mode 7)",
                                    "a mismatch: the key is wrong (or the telegram is corrupt)");
                    }
                } else if (!clear_2f2f) {
                    return fail(decode_status::key_missing, enc_at,
                                "a key for meter " + meter + " (security mode 7)", "none");
                }
            }
            records_from = enc_at;
        } else {
            return fail(decode_status::unsupported, p + (ci == 0x72 ? 11 : 3),
                        "security mode 0, 5 or 7 in the configuration field",
                        "mode " + std::to_string(h.security_mode) + " (" + hex16(h.configuration) + ")");
        }
    } else if (ci == 0x79) {
        // compact frame: format signature, the full frame's CRC, then only the data of the records
        if (!need(p + 1, 4, "the compact frame header (format signature and full-frame CRC)")) return false;
        const std::uint16_t sig = le16(&d[p + 1]);
        const std::uint16_t full_crc = le16(&d[p + 3]);
        const std::vector<std::uint8_t>* format = cfg.formats ? cfg.formats->find(sig) : nullptr;
        if (!format)
            return fail(decode_status::unknown_format, p + 1,
                        "a format signature " + hex16(sig) + " that an earlier full frame showed",
                        cfg.formats ? "a format cache without it" : "no format cache");
        const std::size_t values_at = p + 5;
        std::vector<std::uint8_t> full;
        full.reserve(format->size() + d.size());
        std::size_t f = 0, v = values_at;
        const auto& fm = *format;
        auto short_values = [&](std::size_t k) {
            return fail(decode_status::truncated, d.size(),
                        count(k, "data byte") + " for the record at format byte " + std::to_string(f) +
                            " (signature " + hex16(sig) + ")",
                        count(d.size() - std::min(v, d.size()), "byte"));
        };
        while (f < fm.size()) {
            const std::size_t rec = f;
            const std::uint8_t dif = fm[f++];
            if (dif == 0x2F) {
                full.push_back(dif);
                continue;
            }
            if (dif == 0x0F || dif == 0x1F) {  // manufacturer data: the rest
                full.push_back(dif);
                full.insert(full.end(), d.begin() + static_cast<std::ptrdiff_t>(std::min(v, d.size())),
                            d.end());
                v = d.size();
                break;
            }
            std::uint8_t b = dif;
            while ((b & 0x80) && f < fm.size()) b = fm[f++];  // DIFEs
            std::uint8_t vif = 0;
            if (f < fm.size()) {
                vif = fm[f++];
                // a plain-text unit (VIF 0x7C/0xFC): its length and text follow the VIF, before any VIFE
                if ((vif & 0x7F) == 0x7C && f < fm.size()) f = std::min(fm.size(), f + 1 + fm[f]);
                b = vif;
                while ((b & 0x80) && f < fm.size()) b = fm[f++];  // VIFEs (and 0xFB/0xFD codes)
            }
            full.insert(full.end(), fm.begin() + static_cast<std::ptrdiff_t>(rec),
                        fm.begin() + static_cast<std::ptrdiff_t>(f));
            int size = data_size(dif);
            if (size == -2)
                return fail(decode_status::malformed, p + 1,
                            "a format of records (signature " + hex16(sig) + ")",
                            "special DIF " + detail::hex_byte(dif));
            if (size == -1) {
                if (v >= d.size()) return short_values(1);
                size = detail::lvar_size(d[v]);
                if (size < 0)
                    return fail(decode_status::malformed, v,
                                "an LVAR of 0x00..0xC9, 0xD0..0xD9 or 0xE0..0xF6", detail::hex_byte(d[v]));
                full.push_back(d[v++]);
            }
            if (v + static_cast<std::size_t>(size) > d.size())
                return short_values(static_cast<std::size_t>(size));
            full.insert(full.end(), d.begin() + static_cast<std::ptrdiff_t>(v),
                        d.begin() + static_cast<std::ptrdiff_t>(v + static_cast<std::size_t>(size)));
            v += static_cast<std::size_t>(size);
        }
        if (v < d.size())
            return fail(decode_status::malformed, v,
                        "the end of the compact frame's data (format " + hex16(sig) + ")",
                        count(d.size() - v, "more byte"));
        const std::uint16_t got = detail::crc16_en13757(full);
        if (got != full_crc)
            return fail(decode_status::checksum, p + 3,
                        "a full-frame CRC " + hex16(got) + " of the rebuilt records", hex16(full_crc));
        rebuilt_input = to_input(values_at);
        rebuilt_from = values_at;
        d.resize(values_at);
        d.insert(d.end(), full.begin(), full.end());
        records_from = values_at;
    } else {
        const char* what = "";
        switch (ci) {
            case 0x5A:
            case 0x5B:
            case 0x53:
            case 0x51:
                what = " (a command to a meter)";
                break;
            case 0x70:
                what = " (an application error)";
                break;
            case 0x7B:
            case 0x7C:
            case 0x7D:
            case 0x7E:
            case 0x7F:
                what = " (a reserved or SML transport header)";
                break;
            case 0x8A:
            case 0x8B:
                what = " (a transport layer without application data)";
                break;
            case 0xA0:
            case 0xA1:
            case 0xA2:
            case 0xA3:
            case 0xA4:
            case 0xA5:
            case 0xA6:
            case 0xA7:
            case 0xA8:
            case 0xA9:
            case 0xAA:
            case 0xAB:
            case 0xAC:
            case 0xAD:
            case 0xAE:
            case 0xAF:
                what = " (manufacturer specific)";
                break;
            default:
                break;
        }
        return fail(decode_status::unsupported, p,
                    "a transport layer CI field 0x72, 0x78, 0x79 or 0x7A (or 0x8C..0x8F, 0x90 before it)",
                    detail::hex_byte(ci) + what);
    }

    if (!detail::parse_mbus_records(out, records_from)) {
        out.error.offset = to_input(out.error.offset);
        return false;
    }
    if (cfg.formats && ci != 0x79 && !out.records.empty()) cfg.formats->learn(out);
    return true;
}

struct wmbus_decoder final : decoder {
    explicit wmbus_decoder(const decoder_config& c) : cfg(c) {}
    bool decode(std::span<const std::uint8_t> bytes, decoded_frame& out) override {
        return decode_wmbus(bytes, cfg, out);
    }
    decoder_config cfg;
};

}  // namespace

void wmbus_format_cache::learn(const decoded_frame& full) {
    std::vector<std::uint8_t> format;
    for (const auto& r : full.records) {
        const std::size_t end = std::size_t(r.offset) + r.dib_size + r.vib_size;
        if (end > full.data.size()) return;  // not a frame a decoder made
        format.insert(format.end(), full.data.begin() + r.offset,
                      full.data.begin() + static_cast<std::ptrdiff_t>(end));
    }
    if (format.empty()) return;
    formats_[detail::crc16_en13757(format)] = std::move(format);
}

const std::vector<std::uint8_t>* wmbus_format_cache::find(std::uint16_t signature) const noexcept {
    const auto it = formats_.find(signature);
    return it == formats_.end() ? nullptr : &it->second;
}

bool wmbus_identify(std::span<const std::uint8_t> bytes) noexcept {
    if (bytes.size() < 12) return false;
    const std::size_t l = bytes[0];
    if (l < 10) return false;
    switch (bytes[1]) {  // C fields of EN 13757-4 (SND_NR, SND_IR, ACC_NR, ACC_DMD, RSP_UD, SND_UD, ACK, …)
        case 0x44:
        case 0x46:
        case 0x47:
        case 0x48:
        case 0x08:
        case 0x18:
        case 0x28:
        case 0x38:
        case 0x06:
        case 0x00:
        case 0x40:
        case 0x43:
        case 0x53:
        case 0x73:
        case 0x5A:
        case 0x7A:
        case 0x5B:
        case 0x7B:
            break;
        default:
            return false;
    }
    const std::size_t a_blocks = 1 + (l - 9 + 15) / 16;
    const std::size_t n = bytes.size();
    return n == l + 1 || n == 1 + l + 2 * a_blocks;
}

bool decode_wmbus(std::span<const std::uint8_t> bytes, const decoder_config& config, decoded_frame& out) {
    out.clear();
    out.protocol = "wmbus";
    telegram t{bytes, config, out};
    const bool ok = t.decode();
    if (!ok) {
        out.records.clear();
        out.text.clear();
    }
    return ok;
}

namespace detail {

decoder_descriptor wmbus_descriptor() noexcept {
    decoder_descriptor d;
    d.name = "wmbus";
    d.title = "wireless M-Bus (EN 13757-4, OMS Vol. 2)";
    d.identify = &wmbus_identify;
    d.make = [](const decoder_config& c) -> std::unique_ptr<decoder> {
        return std::make_unique<wmbus_decoder>(c);
    };
    return d;
}

}  // namespace detail

}  // namespace v0
}  // namespace kvant
