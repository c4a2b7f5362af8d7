// OpenEI URDB rate JSON (io/urdb.hpp): a schedule and the rates per zone. Properties: import_urdb throws only
// kvant::error; what it accepts compiles into a tariff_calendar (the importer makes consistent schedules) and
// every rate names one of its zones.
#include "fuzz.hpp"
#include "kvant/algorithms/tariff.hpp"
#include "kvant/io/urdb.hpp"
#include "kvant/model/tariff_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::optional<kvant::urdb_import> imp;
    if (kvant::fuzz::fails_cleanly([&] { imp = kvant::import_urdb(kvant::fuzz::text_of(data, size)); }))
        return 0;
    std::optional<kvant::tariff_calendar> cal;
    if (kvant::fuzz::fails_cleanly([&] { cal.emplace(imp->schedule); })) {
        nlohmann::json j;
        kvant::to_json(j, imp->schedule);
        kvant::fuzz::fail("an imported URDB schedule does not compile", j.dump());
    }
    for (const auto& [zone, price] : imp->rates)
        KVANT_FUZZ_CHECK(cal->index_of(zone) >= 0, "a URDB rate names no zone of its schedule: " + zone);
    return 0;
}
