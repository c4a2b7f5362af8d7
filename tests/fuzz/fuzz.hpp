// Shared by the fuzz targets: the property check that aborts, the exception rule, a small fixed fleet and a
// dump of a store for before/after comparison. Every target defines LLVMFuzzerTestOneInput; the same source
// builds into a libFuzzer binary (scripts/fuzz.sh) and into a replay executable run by CTest
// (replay_main.cpp).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <limits>
#include <new>
#include <sstream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "kvant/core/error.hpp"
#include "kvant/io/csv.hpp"
#include "kvant/model/json.hpp"
#include "kvant/model/tariff_json.hpp"
#include "kvant/store/store.hpp"

namespace kvant::fuzz {

/// A property failure: say which, then trap so that libFuzzer (or the replay driver under a debugger) keeps
/// the input. Not an assert: it must fire in Release builds too.
[[noreturn]] inline void fail(const char* what, std::string_view detail = {}) {
    std::fprintf(stderr, "kvant fuzz property failed: %s\n", what);
    if (!detail.empty()) {
        const std::size_t n = detail.size() < 2000 ? detail.size() : 2000;
        std::fprintf(stderr, "  %.*s\n", static_cast<int>(n), detail.data());
    }
    std::fflush(stderr);
    __builtin_trap();
}

#define KVANT_FUZZ_CHECK(cond, detail)                     \
    do {                                                   \
        if (!(cond)) ::kvant::fuzz::fail(#cond, (detail)); \
    } while (0)

/// Runs `body`; a kvant::error is an answer (returned as true: "it failed cleanly"), any other exception is a
/// finding. The library promises that every exception it throws is a kvant::error with a code.
template <class F>
bool fails_cleanly(F&& body) {
    try {
        body();
        return false;
    } catch (const kvant::error& e) {
        if (std::getenv("KVANT_FUZZ_VERBOSE")) std::fprintf(stderr, "  refused: %s\n", e.what());
        const int code = static_cast<int>(e.code());
        KVANT_FUZZ_CHECK(code >= 100 && code < 600, e.what());
        const std::string_view w = e.what();
        KVANT_FUZZ_CHECK(w.rfind("[kvant.", 0) == 0, w);
        return true;
    } catch (const std::bad_alloc&) {
        fail("std::bad_alloc: an input made the library allocate without bound");
    } catch (const std::exception& e) {
        fail("an exception that is not a kvant::error escaped the library", e.what());
    } catch (...) {
        fail("a non-std exception escaped the library");
    }
}

/// The text after the selector byte(s), as the library sees it.
inline std::string_view text_of(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

/// A small fixed fleet from data/demo: one organisation, two abonents, two accounts and points, three models,
/// three meters (one with a transformer ratio of 20), a few readings and one event; two relay changes, two
/// sessions (one failed), a two-zone schedule assigned to the organisation and to a meter, three rates and
/// two normatives. The importer targets import into a store that holds it, so that references resolve and
/// conflicts can happen.
struct fixture_table {
    table_kind kind;
    const char* csv;
};
inline constexpr fixture_table fixture[] = {
    {table_kind::organizations,
     "id,name,kind,inn,kpp,ogrn,legal_address,actual_address,zone,billing_start_day\n"
     "dnt-demo,\"ДНТ Демо \"\"Квант-Энерго\"\"\",dnt,6164000120,616401001,1206100001238,"
     "\"Ростовская обл, Лучевая ул, д. 99\",,Europe/Moscow,1\n"},
    {table_kind::abonents,
     "id,organization,kind,name,phone,email\n"
     "ab-dnt,dnt-demo,legal,\"ДНТ Демо \"\"Квант-Энерго\"\"\",+7 800 250-79-14,\n"
     "ab-01,dnt-demo,person,Антонова Анна Сергеевна,+7 918 555-10-30,\n"},
    {table_kind::accounts,
     "number,abonent,address,building,building_type,apartment,area,contract_start,contract_end\n"
     "A1780001067,ab-dnt,\"Ростов-на-Дону г, Лучевая ул, д. 99\",dnt-demo,non_residential,,,2018-07-01,\n"
     "A15900009460,ab-01,\"Ростов-на-Дону г, Песчаная ул, д. "
     "4\",dnt-demo,private_house,,124.9,2018-07-01,\n"},
    {table_kind::metering_points,
     "code,account,name,place,place_type\n"
     "tp-dnt,A1780001067,Ввод ДНТ,Щитовая,Общедомовое\n"
     "tp-A15900009460,A15900009460,Основной,Дом,В доме\n"},
    {table_kind::meter_models,
     "id,name,execution,manufacturer,registry_number,resource,verification_interval_years,service_life_years,"
     "accuracy_class,phases,connection_type,nominal_voltage,nominal_current,max_current,meter_constant,"
     "register_digits,tariff_registers\n"
     "neva-mt114-2t,NEVA MT 114,AR2S RF6PC 5(80),ООО "
     "Тайпит-ИП,51066-12,electricity,16,30,1,1,direct,230,5,80,"
     "1600,6,2\n"
     "neva-mt314,NEVA MT 314,1.0 AR RF6BSRP29,ООО "
     "Тайпит-ИП,51067-12,electricity,16,30,1,3,direct,230,5,100,800,"
     "6,1\n"
     "mercury-234,Меркурий 234,ARTM-03 PB.G,ООО НПК "
     "Инкотекс,48266-11,electricity,16,30,0.5S/1,3,semi_indirect,"
     "230,5,10,5000,6,1\n"},
    {table_kind::meters,
     "serial,model,point,role,resource,zone,transformer_ratio,register_digits,tariff_registers,manufactured,"
     "installed,removed,last_verification,latitude,longitude\n"
     "98970000,neva-mt314,tp-dnt,building,electricity,,1,,,2018-06-01,2018-07-11,,2018-07-11,47.273555,"
     "39.701992\n"
     "98970099,mercury-234,tp-dnt,building,electricity,,20,,,2018-05-15,2018-07-11,,2018-07-11,47.278714,"
     "39.701532\n"
     "9000129,neva-mt114-2t,tp-A15900009460,individual,electricity,,1,,,2018-03-01,2018-03-01,,2018-03-01,"
     "47.278215,39.707533\n"},
    {table_kind::readings,
     "meter,timestamp,total,t1,t2,t3,t4,source,accepted\n"
     "98970000,2020-05-01T09:05:00+03:00,69480.00,,,,,automatic,\n"
     "98970000,2020-05-02T09:05:00+03:00,69679.59,,,,,automatic,\n"
     "9000129,2020-05-01T09:05:00+03:00,3557.45,2490.21,1067.24,,,automatic,\n"
     "98970099,2020-05-01T00:00:00Z,1200.5,,,,,manual,2020-05-02T10:00:00Z\n"},
    {table_kind::events,
     "meter,timestamp,code,kind,journal,message\n"
     "98970000,2020-07-14T02:17:00+03:00,1,tamper,4,Магнитное поле - начало / Magnetic field - the "
     "beginning\n"},
    {table_kind::relay_changes,
     "meter,timestamp,position,reason,by,note\n"
     "98970000,2020-08-10T13:00:00+03:00,off,command,оператор,долг\n"
     "98970000,2020-08-12T09:00:00+03:00,on,command,оператор,оплачено\n"},
    {table_kind::sessions,
     "meter,start,end,channel,result,note\n"
     "98970000,2020-08-21T09:00:00+03:00,2020-08-21T09:00:35+03:00,gsm,ok,\n"
     "9000129,2020-08-21T08:10:00+03:00,2020-08-21T08:10:20+03:00,lorawan,timeout,\n"},
    {table_kind::tariff_schedules,
     R"([{"id": "two-zone", "zones": ["day", "night"], "time_basis": "Europe/Moscow",
          "versions": [{"effective": "2020-01-01",
           "seasons": [{"name": "year", "start": "01-01", "week": "w"}],
           "weeks": [{"id": "w", "days": ["wd", "wd", "wd", "wd", "wd", "wd", "wd"]}],
           "days": [{"id": "wd", "changes": [{"at": "00:00", "zone": "night"}, {"at": "07:00", "zone": "day"},
                                             {"at": "23:00", "zone": "night"}]}]}]}])"},
    {table_kind::tariff_assignments,
     "scope,target,resource,from,schedule\n"
     "organization,dnt-demo,electricity,2020-01-01,two-zone\n"
     "meter,9000129,electricity,2020-06-01,two-zone\n"},
    {table_kind::tariff_rates,
     "schedule,scope,target,zone,from,price,supplier\n"
     "two-zone,organization,dnt-demo,day,2020-01-01,5.66,АО Энергосбыт\n"
     "two-zone,organization,dnt-demo,night,2020-01-01,3.12,АО Энергосбыт\n"
     "two-zone,building,dnt-demo,total,2020-07-01,4.000001,\n"},
    {table_kind::normatives,
     "organization,resource,amenities,from,value,basis\n"
     "dnt-demo,electricity,,2020-01-01,70,per_person\n"
     "dnt-demo,electricity,Газовая плита,2020-07-01,110.5,per_account\n"},
};

/// Puts the fixed fleet into a store (in one transaction). Any failure here is a bug of the harness or of the
/// library, so it traps.
inline void load_fixture(store& s) {
    try {
        transaction tx(s);
        for (const auto& t : fixture) import_csv(s, t.kind, t.csv, "fixture");
        tx.commit();
    } catch (const std::exception& e) {
        fail("the fixed fleet does not import", e.what());
    }
}

/// Everything a store holds, as text: every entity of every type (its JSON), every reading of every meter,
/// the reading count, every event and anomaly. Two equal dumps mean two equal stores. A store holding text
/// that is not valid UTF-8 is a property failure.
inline std::string dump(const store& s) {
    using nlohmann::json;
    json j = json::object();
    j["organizations"] = s.all<organization>();
    j["abonents"] = s.all<abonent>();
    j["accounts"] = s.all<account>();
    j["metering_points"] = s.all<metering_point>();
    j["meter_models"] = s.all<meter_model>();
    const auto meters = s.all<meter>();
    j["meters"] = meters;
    constexpr std::int64_t far = std::int64_t{1} << 40;  // about 35,000 years either side of 1970
    json readings = json::array();
    for (const auto& m : meters) {
        const auto t = s.readings(m.serial, from_unix(-far), from_unix(far));
        for (const auto& r : t.to_readings()) readings.push_back(r);
    }
    j["readings"] = readings;
    j["reading_count"] = s.reading_count();
    j["events"] = s.events({}, from_unix(-far), from_unix(far));
    j["anomalies"] = s.anomalies();
    // meter state (issue 10): relay changes, sessions and the link summaries kept on write
    j["relay_changes"] = s.relay_history({}, from_unix(-far), from_unix(far));
    j["sessions"] = s.sessions({}, from_unix(-far), from_unix(far));
    json links = json::array();
    for (const auto& l : s.link_summaries()) {
        json x = {{"meter", l.meter}, {"last", nullptr}, {"last_ok", nullptr}};
        if (l.last) x["last"] = *l.last;
        if (l.last_ok) x["last_ok"] = *l.last_ok;
        links.push_back(std::move(x));
    }
    j["links"] = links;
    // stored tariffs (issue 10)
    j["tariff_schedules"] = s.all<tariff_schedule>();
    j["tariff_assignments"] = s.all<tariff_assignment>();
    j["tariff_rates"] = s.all<tariff_rate>();
    j["normatives"] = s.all<normative>();
    // Every text the store holds is valid UTF-8 (text is checked at the boundary, issue 8): the strict dump
    // throws type_error 316 otherwise.
    try {
        return j.dump();
    } catch (const json::type_error& e) {
        fail("the store holds text that is not valid UTF-8", e.what());
    }
}

}  // namespace kvant::fuzz
