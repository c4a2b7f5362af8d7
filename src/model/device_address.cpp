#include "kvant/model/device_address.hpp"

#include <cctype>

#include "kvant/core/error.hpp"
#include "kvant/core/text.hpp"

namespace kvant {
inline namespace v0 {
namespace {

constexpr char hex_digits[] = "0123456789ABCDEF";

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

[[noreturn]] void bad(std::string_view text, const std::string& why) {
    throw parse_error(errc::invalid_identifier,
                      "device address " + excerpt(text) + ": " + why +
                          " (expected mbus:MAN-ID[-VV-MM] such as mbus:ACW-11490378-0E-16, iec:SERIAL or "
                          "dlms:SYSTEMTITLE)");
}

void put_hex_byte(std::string& out, std::uint8_t b) {
    out += hex_digits[b >> 4];
    out += hex_digits[b & 0x0f];
}

}  // namespace

std::string device_address::to_string() const {
    if (scheme == address_scheme::iec) return "iec:" + id;
    if (scheme == address_scheme::dlms) return "dlms:" + id;
    std::string out = "mbus:" + manufacturer + "-" + id;
    if (version && medium) {
        out += '-';
        put_hex_byte(out, *version);
        out += '-';
        put_hex_byte(out, *medium);
    }
    return out;
}

device_address parse_device_address(std::string_view text) {
    if (text.starts_with("iec:")) {
        const std::string_view serial = text.substr(4);
        if (serial.empty() || serial.size() > 32)
            bad(text, "the serial must be 1..32 characters, found " + std::to_string(serial.size()));
        for (char c : serial)
            if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'))
                bad(text,
                    "the serial may hold A..Z a..z 0..9 . _ - only, found " + excerpt(std::string(1, c)));
        device_address a;
        a.scheme = address_scheme::iec;
        a.id = std::string(serial);
        return a;
    }
    if (text.starts_with("dlms:")) {
        const std::string_view title = text.substr(5);
        if (title.size() != 16)
            bad(text, "the system title must be 16 hex digits, found " + std::to_string(title.size()));
        device_address a;
        a.scheme = address_scheme::dlms;
        for (char c : title) {
            if (hex_value(c) < 0) bad(text, "the system title must be hex digits, found " + excerpt(title));
            a.id += hex_digits[hex_value(c)];
        }
        return a;
    }
    constexpr std::string_view prefix = "mbus:";
    if (!text.starts_with(prefix)) bad(text, "the protocol prefix (mbus:, iec: or dlms:) is missing");
    std::string_view rest = text.substr(prefix.size());
    device_address a;
    // MAN: three capital letters (EN 62056-21 manufacturer code, A..Z each)
    if (rest.size() < 3) bad(text, "the manufacturer needs three letters");
    // Each letter is 5 bits of the frame's code, 1..26 being A..Z; 0 and 27..31 ('@', '[', '\\', ']', '^',
    // '_') are what a frame with such a code shows, and are accepted so that every frame's address can be
    // registered (docs/ingest.md).
    for (std::size_t i = 0; i < 3; ++i)
        if (rest[i] < '@' || rest[i] > '_')
            bad(text,
                "the manufacturer must be three capital letters A..Z, found " + excerpt(rest.substr(0, 3)));
    a.manufacturer = std::string(rest.substr(0, 3));
    rest.remove_prefix(3);
    if (rest.empty() || rest.front() != '-') bad(text, "a '-' must follow the manufacturer");
    rest.remove_prefix(1);
    // ID: eight digits, or hex digits for an id that is not BCD (written in capitals)
    const std::size_t id_end = std::min(rest.find('-'), rest.size());
    const std::string_view id = rest.substr(0, id_end);
    if (id.size() != 8) bad(text, "the id must be eight digits, found " + std::to_string(id.size()));
    for (char c : id)
        if (hex_value(c) < 0) bad(text, "the id must be digits 0-9 (or hex A-F), found " + excerpt(id));
    a.id.reserve(8);
    for (char c : id) a.id += hex_digits[hex_value(c)];
    rest.remove_prefix(id_end);
    if (rest.empty()) return a;
    // -VV-MM: version and medium, two hex digits each, both or neither
    auto byte_at = [&](std::string_view what) -> std::uint8_t {
        if (rest.size() < 3 || rest.front() != '-' || hex_value(rest[1]) < 0 || hex_value(rest[2]) < 0 ||
            (rest.size() > 3 && rest[3] != '-'))
            bad(text, "the " + std::string(what) + " must be two hex digits after a '-'");
        const auto v = static_cast<std::uint8_t>(hex_value(rest[1]) * 16 + hex_value(rest[2]));
        rest.remove_prefix(3);
        return v;
    };
    a.version = byte_at("version");
    if (rest.empty()) bad(text, "a version needs a medium too (-VV-MM)");
    a.medium = byte_at("medium");
    if (!rest.empty()) bad(text, "unexpected text after the medium: " + excerpt(rest));
    return a;
}

}  // namespace v0
}  // namespace kvant
