// Tariff schedule JSON (model/tariff_json.hpp) and its compilation (tariff_calendar). Properties: from_json
// throws only kvant::error (never a nlohmann exception); an accepted schedule writes (to_json) a JSON that
// reads back to a schedule writing the same JSON; a schedule that compiles answers zone_at and switches with
// leaf zones, the first switch at the start of the range and times increasing.
#include "fuzz.hpp"
#include "kvant/algorithms/tariff.hpp"
#include "kvant/model/tariff_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto j = nlohmann::json::parse(kvant::fuzz::text_of(data, size), nullptr, false);
    if (j.is_discarded()) return 0;  // not JSON: the callers report nlohmann's parse error themselves
    kvant::tariff_schedule s;
    if (kvant::fuzz::fails_cleanly([&] { kvant::from_json(j, s); })) return 0;

    nlohmann::json j1;
    kvant::to_json(j1, s);
    kvant::tariff_schedule s2;
    if (kvant::fuzz::fails_cleanly([&] { kvant::from_json(j1, s2); }))
        kvant::fuzz::fail("a schedule's own JSON does not read back", j1.dump());
    nlohmann::json j2;
    kvant::to_json(j2, s2);
    KVANT_FUZZ_CHECK(j1 == j2, "schedule JSON does not round-trip:\n" + j1.dump() + "\n" + j2.dump());

    std::optional<kvant::tariff_calendar> cal;
    if (kvant::fuzz::fails_cleanly([&] { cal.emplace(s); })) return 0;
    const auto leaves = cal->leaf_count();
    KVANT_FUZZ_CHECK(leaves <= cal->zones().size(), "more leaf zones than zones");
    for (const char* zs : {"UTC", "Europe/Moscow", "+14:00"}) {
        const auto mz = kvant::zone::parse(zs);
        const auto from = kvant::parse_instant("2020-03-27T00:00:00Z");
        const auto to = kvant::parse_instant("2020-04-03T00:00:00Z");
        kvant::fuzz::fails_cleanly([&] {
            KVANT_FUZZ_CHECK(cal->zone_at(from, mz) < leaves, "zone_at gives no leaf zone");
            const auto sw = cal->switches(from, to, mz);
            KVANT_FUZZ_CHECK(!sw.empty() && sw.front().time == kvant::to_unix(from),
                             "no switch at the start");
            for (std::size_t i = 0; i < sw.size(); ++i) {
                KVANT_FUZZ_CHECK(sw[i].zone < leaves, "a switch to no leaf zone");
                KVANT_FUZZ_CHECK(sw[i].time < kvant::to_unix(to), "a switch after the range");
                if (i) KVANT_FUZZ_CHECK(sw[i].time > sw[i - 1].time, "switch times do not increase");
            }
        });
    }
    return 0;
}
