// The decimal parser. Properties: try_parse and parse agree (parse throws parse_error invalid_number exactly
// when try_parse refuses); an accepted text has the value an independent 128-bit reading of the grammar gives
// (docs: [+-]digits[.digits], at most 12 significant integer digits, at most 6 significant fractional ones);
// to_string prints the shortest text, which parses back equal; to_fixed(d, 6) parses back equal.
#include "kvant/core/decimal.hpp"
#include "core/int128.hpp"
#include "fuzz.hpp"

namespace {

using kvant::decimal;
using kvant::decimal_status;

/// The grammar read again, independently: the status and, when ok, the raw value.
decimal_status reference(std::string_view s, kvant::detail::int128& raw) {
    if (s.empty()) return decimal_status::empty;
    std::size_t i = 0;
    bool neg = false;
    if (s[0] == '+' || s[0] == '-') neg = s[i++] == '-';
    const std::size_t int_begin = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    const std::string_view ip = s.substr(int_begin, i - int_begin);
    std::string_view fp;
    bool dot = false;
    if (i < s.size() && s[i] == '.') {
        dot = true;
        const std::size_t b = ++i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
        fp = s.substr(b, i - b);
    }
    (void)dot;
    if (i != s.size() || (ip.empty() && fp.empty())) return decimal_status::syntax;
    const auto nz = ip.find_first_not_of('0');
    if (nz != std::string_view::npos && ip.size() - nz > 12) return decimal_status::overflow;
    if (fp.size() > 6 && fp.substr(6).find_first_not_of('0') != std::string_view::npos)
        return decimal_status::too_precise;
    kvant::detail::int128 v = 0;
    for (char c : ip) v = v * 10 + (c - '0');
    for (std::size_t k = 0; k < 6; ++k) v = v * 10 + (k < fp.size() ? fp[k] - '0' : 0);
    raw = neg ? -v : v;
    return decimal_status::ok;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = kvant::fuzz::text_of(data, size);
    decimal d;
    const auto st = decimal::try_parse(text, d);
    kvant::detail::int128 want = 0;
    const auto ref = reference(text, want);
    KVANT_FUZZ_CHECK((st == decimal_status::ok) == (ref == decimal_status::ok),
                     "try_parse and the reference grammar disagree on acceptance");
    // the reason too, for a text of the grammar (a text that is not may be refused for a reason seen first)
    if (ref != decimal_status::syntax)
        KVANT_FUZZ_CHECK(st == ref, "try_parse and the reference grammar disagree on the reason");
    bool threw = false;
    try {
        const decimal p = decimal::parse(text);
        KVANT_FUZZ_CHECK(p == d, "parse and try_parse give different values");
    } catch (const kvant::parse_error& e) {
        threw = true;
        KVANT_FUZZ_CHECK(e.code() == kvant::errc::invalid_number, e.what());
    }
    KVANT_FUZZ_CHECK(threw == (st != decimal_status::ok), "parse throws exactly when try_parse refuses");
    if (st != decimal_status::ok) return 0;
    KVANT_FUZZ_CHECK(static_cast<kvant::detail::int128>(d.raw()) == want,
                     "the value differs from the reference");

    const std::string s = kvant::to_string(d);
    decimal back;
    KVANT_FUZZ_CHECK(decimal::try_parse(s, back) == decimal_status::ok && back == d,
                     "to_string does not parse back equal: " + s);
    if (s.find('.') != std::string::npos)
        KVANT_FUZZ_CHECK(s.back() != '0', "to_string is not shortest: " + s);
    const std::string f6 = kvant::to_fixed(d, 6);
    KVANT_FUZZ_CHECK(decimal::try_parse(f6, back) == decimal_status::ok && back == d,
                     "to_fixed(d, 6) does not parse back equal: " + f6);
    for (int places = -1; places <= 7; ++places) (void)kvant::to_fixed(d, places);
    return 0;
}
