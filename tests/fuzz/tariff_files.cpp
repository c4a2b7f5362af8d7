// Tariff files (io/tariff_files.hpp): the rates CSV and the schedule file (schedule JSON or OpenEI URDB).
// The first byte picks the parser. Properties: only kvant::error escapes; accepted rates have prices in
// 0..max_rate_price, no (zone, from) twice, and written back as CSV read back equal; an accepted schedule
// file compiles or fails cleanly, and its URDB rates name zones of the schedule.
#include "kvant/io/tariff_files.hpp"
#include "fuzz.hpp"
#include "kvant/algorithms/tariff.hpp"

#include <set>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const bool rates_csv = data[0] % 2 == 0;
    const auto text = kvant::fuzz::text_of(data + 1, size - 1);
    if (rates_csv) {
        std::vector<kvant::rate> rates;
        if (kvant::fuzz::fails_cleanly([&] { rates = kvant::parse_rates_csv(text, "rates.csv"); })) return 0;
        std::set<std::pair<std::string, kvant::calendar_date>> keys;
        std::string back = "zone,from,price\n";
        for (const auto& r : rates) {
            KVANT_FUZZ_CHECK(r.price >= kvant::decimal{} && r.price <= kvant::max_rate_price,
                             "a price out of range was accepted: " + kvant::to_string(r.price));
            KVANT_FUZZ_CHECK(keys.emplace(r.zone, r.from).second, "a (zone, from) key twice: " + r.zone);
            KVANT_FUZZ_CHECK(!r.zone.empty(), "an empty zone was accepted");
            // quote the zone as RFC 4180 does, so that any accepted zone text writes back
            std::string z = "\"";
            for (char c : r.zone) z += c == '"' ? std::string("\"\"") : std::string(1, c);
            back += z + "\"," + kvant::to_string(r.from) + "," + kvant::to_string(r.price) + "\n";
        }
        std::vector<kvant::rate> again;
        if (kvant::fuzz::fails_cleanly([&] { again = kvant::parse_rates_csv(back, "back.csv"); }))
            kvant::fuzz::fail("accepted rates do not read back", back);
        KVANT_FUZZ_CHECK(again.size() == rates.size(), "rates read back to another count");
        for (std::size_t i = 0; i < rates.size(); ++i)
            KVANT_FUZZ_CHECK(again[i].zone == rates[i].zone && again[i].from == rates[i].from &&
                                 again[i].price == rates[i].price,
                             "a rate reads back different: " + rates[i].zone);
        return 0;
    }
    kvant::schedule_file file;
    if (kvant::fuzz::fails_cleanly([&] { file = kvant::parse_schedule_file(text, "schedule.json"); }))
        return 0;
    std::optional<kvant::tariff_calendar> cal;
    if (kvant::fuzz::fails_cleanly([&] { cal.emplace(file.schedule); })) return 0;
    const std::set<std::string> zones(file.schedule.zones.begin(), file.schedule.zones.end());
    for (const auto& r : file.rates)
        KVANT_FUZZ_CHECK(zones.count(r.zone), "a URDB rate names no zone: " + r.zone);
    return 0;
}
