// The caller's AES keys. Errors name the meter and what is wrong with the text, never a digit of the key.
#include "kvant/decode/key_ring.hpp"

#include <string>

#include "kvant/core/error.hpp"

namespace kvant {
inline namespace v0 {

namespace {

bool is_hex(char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return c - 'A' + 10;
}
char upper(char c) noexcept {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

/// The meter as the ring keys it: an id of eight hex digits ("12345678", upper case), or a device address
/// "mbus:MAN-ID" / "mbus:MAN-ID-VV-MM" (upper case). Anything else is a parse_error.
std::string normalize_meter(std::string_view meter, const location& where) {
    const std::string_view m = trim(meter);
    auto bad = [&](const std::string& why) -> std::string {
        throw parse_error(errc::invalid_identifier,
                          "key ring: meter '" + std::string(m.substr(0, 40)) + "': " + why, where);
    };
    auto id_ok = [](std::string_view id) {
        if (id.size() != 8) return false;
        for (char c : id)
            if (!is_hex(c)) return false;
        return true;
    };
    std::string out;
    // DLMS: [ek:|ak:|bk:|dk:] then dlms:SYSTEMTITLE or SYSTEMTITLE (16 hex digits)
    std::string_view d = m;
    std::string prefix;
    for (std::string_view k : {"ek:", "ak:", "bk:", "dk:"}) {
        if (d.size() >= 3 && (d[0] | 0x20) == k[0] && (d[1] | 0x20) == k[1] && d[2] == ':') {
            if (k != "ek:") prefix = std::string(k);
            d.remove_prefix(3);
            break;
        }
    }
    const bool prefixed = d.size() != m.size();
    if (d.size() >= 5 && (d.substr(0, 5) == "dlms:" || d.substr(0, 5) == "DLMS:")) d.remove_prefix(5);
    if (d.size() == 16) {
        for (char c : d)
            if (!is_hex(c)) return bad("a DLMS system title is 16 hex digits (dlms:4D4D4D0000BC614E)");
        out = prefix + "dlms:";
        for (char c : d) out.push_back(upper(c));
        return out;
    }
    if (prefixed || d.size() != m.size())
        return bad("expected a DLMS system title of 16 hex digits, as [ek:|ak:|bk:|dk:][dlms:]SYSTEMTITLE");
    if (m.rfind("mbus:", 0) == 0) {
        const std::string_view a = m.substr(5);
        // MAN-IIIIIIII or MAN-IIIIIIII-VV-MM
        if (!(a.size() == 12 || a.size() == 18) || a[3] != '-')
            return bad(
                "expected mbus:MAN-ID or mbus:MAN-ID-VV-MM (ID eight digits, VV and MM two hex digits)");
        for (int i = 0; i < 3; ++i) {
            const char c = upper(a[static_cast<std::size_t>(i)]);
            // as parse_device_address: A..Z, and '@' [ \ ] ^ _ for the codes 0 and 27..31 some meters send
            if (c < '@' || c > '_') return bad("the manufacturer is three letters A..Z (or @ [ \\ ] ^ _)");
        }
        if (!id_ok(a.substr(4, 8))) return bad("the id is eight digits");
        if (a.size() == 18 && (a[12] != '-' || a[15] != '-' || !is_hex(a[13]) || !is_hex(a[14]) ||
                               !is_hex(a[16]) || !is_hex(a[17])))
            return bad("version and medium are two hex digits each (mbus:MAN-ID-VV-MM)");
        out = "mbus:";
        for (char c : a) out.push_back(upper(c));
        return out;
    }
    if (!id_ok(m))
        return bad(
            "expected an id of eight digits, a device address mbus:MAN-ID[-VV-MM] or a DLMS system title "
            "[ek:|ak:|bk:|dk:][dlms:]SYSTEMTITLE");
    for (char c : m) out.push_back(upper(c));
    return out;
}

aes_key parse_key(std::string_view meter, std::string_view hex, const location& where) {
    aes_key key{};
    std::size_t digits = 0;
    for (std::size_t i = 0; i < hex.size(); ++i) {
        const char c = hex[i];
        if (c == ' ' || c == '\t' || c == '\r') continue;
        if (!is_hex(c))
            throw parse_error(errc::invalid_identifier,
                              "key ring: the key of meter '" + std::string(trim(meter).substr(0, 40)) +
                                  "' holds a character that is not a hex digit (position " +
                                  std::to_string(i + 1) + ")",
                              where);
        if (digits < 32)
            key[digits / 2] =
                static_cast<std::uint8_t>(key[digits / 2] | (hex_value(c) << (digits % 2 ? 0 : 4)));
        ++digits;
    }
    if (digits != 32)
        throw parse_error(errc::invalid_identifier,
                          "key ring: the key of meter '" + std::string(trim(meter).substr(0, 40)) + "' has " +
                              std::to_string(digits) + " hex digits, expected 32 (AES-128)",
                          where);
    return key;
}

}  // namespace

void key_ring::add(std::string_view meter, std::string_view hex) {
    const aes_key key = parse_key(meter, hex, {});
    keys_[normalize_meter(meter, {})] = key;
}

void key_ring::add(std::string_view meter, const aes_key& key) {
    keys_[normalize_meter(meter, {})] = key;
}

void key_ring::add_lines(std::string_view text, std::string_view source_name) {
    std::uint64_t line_no = 0;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++line_no;
        if (const auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
        line = trim(line);
        if (line.empty()) continue;
        location where;
        where.file = std::string(source_name);
        where.line = line_no;
        const auto eq = line.find('=');
        if (eq == std::string_view::npos)
            throw parse_error(errc::invalid_identifier, "key ring: expected ID=HEX (32 hex digits)", where);
        const std::string_view meter = line.substr(0, eq);
        const aes_key key = parse_key(meter, line.substr(eq + 1), where);
        keys_[normalize_meter(meter, where)] = key;
    }
}

const aes_key* key_ring::find(std::string_view address, std::string_view id) const noexcept {
    if (keys_.empty()) return nullptr;
    try {
        std::string k;
        if (!address.empty()) {
            k.reserve(address.size());
            for (char c : address) k.push_back(upper(c));
            if (k.rfind("MBUS:", 0) == 0) k.replace(0, 5, "mbus:");
            if (k.rfind("DLMS:", 0) == 0) k.replace(0, 5, "dlms:");
            if (auto it = keys_.find(k); it != keys_.end()) return &it->second;
            // mbus:MAN-ID-VV-MM: a key given for mbus:MAN-ID holds for any version and medium
            if (k.size() == 23) {
                k.resize(17);
                if (auto it = keys_.find(k); it != keys_.end()) return &it->second;
            }
        }
        k.clear();
        for (char c : id) k.push_back(upper(c));
        if (auto it = keys_.find(k); it != keys_.end()) return &it->second;
    } catch (...) {  // std::bad_alloc of a key string: no key rather than an exception from a noexcept find
    }
    return nullptr;
}

const aes_key* key_ring::find_dlms(const std::array<std::uint8_t, 8>& system_title,
                                   dlms_key_kind kind) const noexcept {
    if (keys_.empty()) return nullptr;
    static constexpr char digits[] = "0123456789ABCDEF";
    static constexpr std::string_view prefixes[] = {"", "ak:", "bk:", "dk:"};
    try {
        std::string k(prefixes[static_cast<std::size_t>(kind)]);
        k += "dlms:";
        for (const std::uint8_t b : system_title) {
            k.push_back(digits[b >> 4]);
            k.push_back(digits[b & 15]);
        }
        if (auto it = keys_.find(k); it != keys_.end()) return &it->second;
    } catch (...) {  // std::bad_alloc: no key rather than an exception from a noexcept find
    }
    return nullptr;
}

}  // namespace v0
}  // namespace kvant
