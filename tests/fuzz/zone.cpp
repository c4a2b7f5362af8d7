// The zone parser (IANA names through date/tz, fixed offsets, minutes). Properties: try_parse and parse
// agree (parse throws a kvant::error exactly when try_parse gives nothing); an accepted zone's canonical name
// parses back to an equal zone; offsets are within ±18 h (the tz database's local mean times included);
// local time round-trips: to_local(to_instant(to_local(t))) == to_local(t) at instants from 1900 to 9999,
// including the edges of the precomputed transition table (1800–2200).
#include "kvant/core/zone.hpp"
#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = kvant::fuzz::text_of(data, size);
    const auto z = kvant::zone::try_parse(text);
    const bool threw = kvant::fuzz::fails_cleanly([&] {
        const auto p = kvant::zone::parse(text);
        KVANT_FUZZ_CHECK(z && p == *z, "parse and try_parse give different zones");
    });
    KVANT_FUZZ_CHECK(threw == !z.has_value(), "parse throws exactly when try_parse refuses");
    if (!z) return 0;

    const std::string name = z->name();
    std::optional<kvant::zone> again;
    KVANT_FUZZ_CHECK(!kvant::fuzz::fails_cleanly([&] { again = kvant::zone::parse(name); }) && *again == *z,
                     "the canonical name does not parse back equal: " + name);
    for (const char* ts : {"1900-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "1970-01-01T00:00:00Z",
                           "2020-03-29T01:30:00Z", "2020-10-25T00:30:00Z", "2011-03-27T00:00:00Z",
                           "2199-12-31T23:59:59Z", "2200-01-01T00:00:00Z", "9999-12-31T23:59:59Z"}) {
        const auto t = kvant::parse_instant(ts);
        kvant::fuzz::fails_cleanly([&] {
            const auto off = z->offset_at(t).count();
            KVANT_FUZZ_CHECK(off >= -18 * 3600 && off <= 18 * 3600, "an offset beyond ±18 h");
            const auto lt = z->to_local(t);
            KVANT_FUZZ_CHECK(lt.time_since_epoch().count() == kvant::to_unix(t) + off,
                             "to_local differs from offset_at");
            const auto back = z->to_instant(lt);
            KVANT_FUZZ_CHECK(z->to_local(back) == lt, "to_instant(to_local(t)) is another local time");
        });
    }
    return 0;
}
