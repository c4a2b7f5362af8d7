// The instant (timestamp), date and UTC-offset parsers. The first byte: below 0x80 no default offset, else a
// default offset of ((byte & 0x7f) - 64) * 15 minutes for texts without one (within ±18 h, as the
// importer's option). The seeds start with a space. Properties: try_parse_instant and parse_instant agree
// (parse_error invalid_timestamp exactly when refused); an accepted instant prints (to_string) as a text that
// parses back to the same instant without a default offset; the same for dates (both spellings) and for
// offsets (within ±18:00).
#include "fuzz.hpp"
#include "kvant/core/time.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    std::optional<int> def;
    if (data[0] >= 0x80) def = ((data[0] & 0x7f) - 64) * 15;
    const std::string_view text = kvant::fuzz::text_of(data + 1, size - 1);

    kvant::instant t{};
    const auto st = kvant::try_parse_instant(text, t, def);
    bool threw = false;
    try {
        KVANT_FUZZ_CHECK(kvant::parse_instant(text, {}, def) == t,
                         "parse_instant and try_parse_instant differ");
    } catch (const kvant::parse_error& e) {
        threw = true;
        KVANT_FUZZ_CHECK(e.code() == kvant::errc::invalid_timestamp, e.what());
    }
    KVANT_FUZZ_CHECK(threw == (st != kvant::time_status::ok), "parse_instant throws exactly when refused");
    if (st == kvant::time_status::ok) {
        const std::string s = kvant::to_string(t);
        kvant::instant back{};
        const auto bst = kvant::try_parse_instant(s, back);
        KVANT_FUZZ_CHECK(bst == kvant::time_status::ok && back == t,
                         "an accepted instant prints as '" + s +
                             "', which does not parse back equal: " + std::string(kvant::describe(bst)));
    }

    kvant::calendar_date d;
    if (kvant::try_parse_date(text, d) == kvant::time_status::ok) {
        KVANT_FUZZ_CHECK(d.ok(), "an accepted date is not a valid civil date");
        kvant::calendar_date back;
        KVANT_FUZZ_CHECK(
            kvant::try_parse_date(kvant::to_string(d), back) == kvant::time_status::ok && back == d,
            "to_string(date) does not parse back equal");
        KVANT_FUZZ_CHECK(
            kvant::try_parse_date(kvant::to_russian_string(d), back) == kvant::time_status::ok && back == d,
            "to_russian_string(date) does not parse back equal");
    } else {
        kvant::fuzz::fails_cleanly([&] { (void)kvant::parse_date(text); });
    }

    int minutes = 0;
    if (kvant::parse_utc_offset(text, minutes))
        KVANT_FUZZ_CHECK(minutes >= -18 * 60 && minutes <= 18 * 60, "an offset beyond ±18:00 was accepted");
    return 0;
}
