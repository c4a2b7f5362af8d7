// Meter frames into the model (docs/ingest.md): device addresses, the mapping of decoded records to channels
// and of status bits and error flags to events (frames filled by hand, each standing for the frame its
// comment names), the frame JSON, hex frame lines, and ingest into a memory and a SQLite store (wired M-Bus
// frames written out byte by byte).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "kvant/decode/decoder.hpp"
#include "kvant/decode/frame_mapping.hpp"
#include "kvant/decode/mbus.hpp"
#include "kvant/io/frame_ingest.hpp"
#include "kvant/io/frame_json.hpp"
#include "kvant/model/validation.hpp"
#include "kvant/store/memory_store.hpp"
#include "kvant/store/sqlite_store.hpp"
#include "support.hpp"

using namespace kvant;
using namespace kvant::test;

namespace {

// ---- hand-filled frames

/// A record of a number: value = (negative ? -1 : 1) × magnitude × 10^exponent in `u`, as the decoder leaves
/// it after the VIF's scale.
frame_record number(record_quantity q, record_unit u, std::uint64_t magnitude, int exponent,
                    bool negative = false) {
    frame_record r;
    r.quantity = q;
    r.unit = u;
    r.kind = value_kind::number;
    r.number = {magnitude, static_cast<std::int16_t>(exponent), negative};
    return r;
}
frame_record with(frame_record r, std::uint64_t storage, std::uint32_t tariff = 0,
                  record_function fn = record_function::instantaneous) {
    r.storage = storage;
    r.tariff = tariff;
    r.function = fn;
    return r;
}
/// A date (type G, VIF 0x6C) or date and time (type F, VIF 0x6D) record of a storage number.
frame_record date_record(std::uint64_t storage, int y, int mo, int d, int h = -1, int mi = 0) {
    frame_record r;
    r.quantity = record_quantity::time_point;
    r.kind = h < 0 ? value_kind::date : value_kind::date_time;
    r.vif = h < 0 ? 0x6C : 0x6D;
    r.storage = storage;
    r.when.year = static_cast<std::int16_t>(y);
    r.when.month = static_cast<std::uint8_t>(mo);
    r.when.day = static_cast<std::uint8_t>(d);
    r.when.has_date = true;
    if (h >= 0) {
        r.when.hour = static_cast<std::uint8_t>(h);
        r.when.minute = static_cast<std::uint8_t>(mi);
        r.when.has_time = true;
    }
    return r;
}

/// A wired M-Bus RSP_UD with the long header of meter ACW 11490378, version 0x0E, medium 0x07 (water), and
/// these records.
decoded_frame frame_of(std::vector<frame_record> records, std::uint8_t status = 0) {
    decoded_frame f;
    f.protocol = "mbus";
    f.header.has_address = true;
    f.header.manufacturer = {'A', 'C', 'W', '\0'};
    f.header.id = 0x11490378;
    f.header.version = 0x0E;
    f.header.medium = 0x07;
    f.header.access_number = 0x2A;
    f.header.status = status;
    f.records = std::move(records);
    return f;
}

struct mapped {
    reading_table t;
    std::vector<meter_event> events;
    frame_values v;
};
frame_context context(resource r = resource::cold_water, zone z = zone::utc(),
                      const char* received = "2024-02-01T00:00:00Z") {
    frame_context c;
    c.meter = "W1";
    c.measures = r;
    c.time_zone = z;
    c.received = at(received);
    return c;
}
mapped map(const decoded_frame& f, const frame_context& c) {
    mapped m;
    m.v = map_frame(f, c, m.t, m.events);
    return m;
}
/// The one row of a mapping: channel name, time and value text.
std::string row(const mapped& m, std::size_t i = 0) {
    REQUIRE(i < m.t.size());
    return to_string(m.t.channel_of(i)) + " " + to_string(from_unix(m.t.times()[i])) + " " +
           to_string(decimal::from_raw(m.t.values()[i]));
}
/// Maps one record of a frame without dates; the one row, or "skipped: why".
std::string one(frame_record r, resource res = resource::cold_water) {
    const auto m = map(frame_of({std::move(r)}), context(res));
    if (m.t.size() == 1 && m.v.skipped.empty()) return row(m);
    if (m.t.empty() && m.v.skipped.size() == 1) return "skipped: " + m.v.skipped[0].reason;
    FAIL("expected one row or one skipped record, got " << m.t.size() << " rows and " << m.v.skipped.size()
                                                        << " skipped");
    return {};
}

constexpr const char* received = "2024-02-01T00:00:00Z";

std::filesystem::path temp_db() {
    static std::mt19937_64 rng{std::random_device{}()};
    return std::filesystem::temp_directory_path() / ("kvant-test-ingest-" + std::to_string(rng()) + ".db");
}
void remove_db(const std::filesystem::path& p) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(p.string() + suffix);
}

}  // namespace

// ---- device addresses

TEST_CASE("a device address reads and prints as mbus:MAN-ID[-VV-MM]") {
    const auto a = parse_device_address("mbus:ACW-11490378");
    CHECK(a.manufacturer == "ACW");
    CHECK(a.id == "11490378");
    CHECK_FALSE(a.version);
    CHECK_FALSE(a.medium);
    CHECK(a.to_string() == "mbus:ACW-11490378");
    const auto b = parse_device_address("mbus:KAM-12345678-1b-07");
    CHECK(*b.version == 0x1B);
    CHECK(*b.medium == 0x07);
    CHECK(b.to_string() == "mbus:KAM-12345678-1B-07");  // hex digits print in capitals
    // an id that is not BCD is written in hex digits, read in either case, kept in capitals
    CHECK(parse_device_address("mbus:ACW-0a0B0c0D").id == "0A0B0C0D");
    // manufacturer code 0x0000 shows as "@@@" (each 5-bit letter 0): a frame's address is always registrable
    CHECK(parse_device_address("mbus:@@@-050002E5-12-02").manufacturer == "@@@");

    for (const char* bad :
         {"ACW-11490378", "mbus:acw-11490378", "mbus:AC-11490378", "mbus:ACW11490378", "mbus:ACW-1149037",
          "mbus:ACW-114903789", "mbus:ACW-1149037G", "mbus:ACW-11490378-0E", "mbus:ACW-11490378-0E-",
          "mbus:ACW-11490378-0E-07-", "mbus:ACW-11490378-E-07", "mbus:ACW-11490378-0E-07x", ""}) {
        INFO(bad);
        CHECK_THROWS_AS(parse_device_address(bad), parse_error);
    }
    CHECK_THROWS_WITH(parse_device_address("mbus:acw-11490378"), Catch::Contains("three capital letters"));
    CHECK_THROWS_WITH(parse_device_address("mbus:ACW-11490378-0E"), Catch::Contains("medium"));
}

TEST_CASE("electricity meters' addresses: iec:SERIAL and dlms:SYSTEMTITLE") {
    const auto i = parse_device_address("iec:009218054");
    CHECK(i.scheme == address_scheme::iec);
    CHECK(i.id == "009218054");  // a serial is text: its leading zeros stay
    CHECK(i.manufacturer.empty());
    CHECK(i.to_string() == "iec:009218054");
    const auto d = parse_device_address("dlms:4d4d4d0000bc614e");
    CHECK(d.scheme == address_scheme::dlms);
    CHECK(d.id == "4D4D4D0000BC614E");  // hex in capitals, as frame_address writes a system title
    CHECK(d.to_string() == "dlms:4D4D4D0000BC614E");
    for (const char* bad :
         {"iec:", "iec:12 34", "iec:123456789012345678901234567890123", "dlms:4D4D4D0000BC614",
          "dlms:4D4D4D0000BC614E00", "dlms:4D4D4D0000BC614G", "dlm:4D4D4D0000BC614E"}) {
        INFO(bad);
        CHECK_THROWS_AS(parse_device_address(bad), parse_error);
    }
    // the same identity text under two schemes is two meters
    device_address m = d;
    m.scheme = address_scheme::iec;
    CHECK_FALSE(d.matches(m));
    CHECK(d.matches(parse_device_address("dlms:4D4D4D0000BC614E")));
}

TEST_CASE("a DLMS frame names its meter by the system title only when the meter sent it") {
    decoded_frame f;
    f.protocol = "dlms";
    f.header.has_system_title = true;
    f.header.system_title = {0x4D, 0x4D, 0x4D, 0x00, 0x00, 0xBC, 0x61, 0x4E};
    for (const int server : {0x61, 0xC4, 0x0F, 0xC2}) {  // AARE, get-response, notifications
        f.header.apdu_tag = static_cast<std::uint8_t>(server);
        const auto a = frame_address(f);
        REQUIRE(a);
        CHECK(a->to_string() == "dlms:4D4D4D0000BC614E");
    }
    for (const int client : {0x60, 0xC0, 0xC1, 0xC3}) {  // AARQ, get/set/action-request: the client's
        f.header.apdu_tag = static_cast<std::uint8_t>(client);
        CHECK_FALSE(frame_address(f));
    }
    f.header.apdu_tag = 0xC4;
    f.header.has_system_title = false;  // a plain response names no meter
    CHECK_FALSE(frame_address(f));
}

TEST_CASE("an address without version and medium matches every version and medium of its meter") {
    const auto loose = parse_device_address("mbus:ACW-11490378");
    const auto tight = parse_device_address("mbus:ACW-11490378-0E-07");
    CHECK(loose.matches("ACW", "11490378", 0x0E, 0x07));
    CHECK(loose.matches("ACW", "11490378", 0x0F, 0x06));  // a firmware update changed the version
    CHECK(tight.matches("ACW", "11490378", 0x0E, 0x07));
    CHECK_FALSE(tight.matches("ACW", "11490378", 0x0F, 0x07));
    CHECK_FALSE(tight.matches("ACW", "11490378", 0x0E, 0x06));
    CHECK_FALSE(loose.matches("ACX", "11490378", 0x0E, 0x07));
    CHECK_FALSE(loose.matches("ACW", "11490379", 0x0E, 0x07));
}

TEST_CASE("a meter's address is validated: a bad one is an error naming the meter and the field") {
    meter m;
    m.serial = "W1";
    m.address = "mbus:ACW-1149";
    const auto found = validate(m);
    REQUIRE(has_errors(found));
    bool named = false;
    for (const auto& i : found)
        named = named || (i.level == severity::error && i.key == "W1" && i.field == "address" &&
                          i.message.find("eight digits") != std::string::npos);
    CHECK(named);
    m.address = "mbus:ACW-11490378-0E-07";
    CHECK_FALSE(has_errors(validate(m)));
    memory_store s;
    put_one_point(s, {"E1"});
    m.point = "tp";
    m.address = "mbus:ACW-114903780";
    CHECK_THROWS_AS(s.put(m), validation_error);
}

TEST_CASE("frame_address is the frame's identity with its version and medium") {
    const auto a = frame_address(frame_of({}));
    REQUIRE(a);
    CHECK(a->to_string() == "mbus:ACW-11490378-0E-07");
    decoded_frame short_header = frame_of({});
    short_header.header.has_address = false;  // CI 0x7A: no secondary address in the frame
    CHECK_FALSE(frame_address(short_header));
}

// ---- mapping: conversions

TEST_CASE("energy records: Wh to kWh, J to GJ, calories to Gcal, electricity meters get active import") {
    // VIF 0x04: 10^1 Wh, raw 123456 → 1234560 Wh = 1234.56 kWh
    CHECK(one(number(record_quantity::energy, record_unit::wh, 123456, 1), resource::electricity) ==
          "active_import 2024-02-01T00:00:00Z 1234.56");
    // the same record of a heat meter: heat energy in kWh
    CHECK(one(number(record_quantity::energy, record_unit::wh, 123456, 1), resource::heat) ==
          "heat_energy@kWh 2024-02-01T00:00:00Z 1234.56");
    // VIF 0xFB 0x01: 10^(1-1) MWh, raw 15 → the decoder gives 15 × 10^6 Wh → 15000 kWh
    CHECK(one(number(record_quantity::energy, record_unit::wh, 15, 6), resource::heat) ==
          "heat_energy@kWh 2024-02-01T00:00:00Z 15000");
    // VIF 0x0E: 10^6 J, raw 5678 → 5.678 GJ
    CHECK(one(number(record_quantity::energy, record_unit::j, 5678, 6), resource::heat) ==
          "heat_energy@GJ 2024-02-01T00:00:00Z 5.678");
    // 0xFB 0x09 (10^(1-1) GJ... as J): 3 × 10^9 J = 3 GJ
    CHECK(one(number(record_quantity::energy, record_unit::j, 3, 9), resource::heat) ==
          "heat_energy@GJ 2024-02-01T00:00:00Z 3");
    // calories (the 0xFB MCal codes): 3 × 10^8 cal = 0.3 Gcal, heat energy's own unit
    CHECK(one(number(record_quantity::energy, record_unit::cal, 3, 8), resource::heat) ==
          "heat_energy 2024-02-01T00:00:00Z 0.3");
    // J on an electricity meter: kWh would be J / 3 600 000, which is not exact in general: not converted
    CHECK_THAT(one(number(record_quantity::energy, record_unit::j, 36, 5), resource::electricity),
               Catch::StartsWith("skipped: energy in J on an electricity meter"));
    // reactive energy, VIF 0xFD 0x... varh: 7 × 10^3 varh = 7 kvarh
    CHECK(one(number(record_quantity::reactive_energy, record_unit::varh, 7, 3), resource::electricity) ==
          "reactive_import 2024-02-01T00:00:00Z 7");
}

TEST_CASE("volume, mass, temperatures and flow map to their channels' units, exactly") {
    // VIF 0x13 (10^-3 m3), raw 12345 → 12.345 m3
    CHECK(one(number(record_quantity::volume, record_unit::m3, 12345, -3)) ==
          "volume 2024-02-01T00:00:00Z 12.345");
    // VIF 0x1D (10^2 kg... the decoder's kg), 5000 kg = 5 t
    CHECK(one(number(record_quantity::mass, record_unit::kg, 50, 2)) == "mass 2024-02-01T00:00:00Z 5");
    // VIF 0x5A (10^-1 C), raw 705 → 70.5 C
    CHECK(one(number(record_quantity::flow_temperature, record_unit::celsius, 705, -1)) ==
          "flow_temperature 2024-02-01T00:00:00Z 70.5");
    CHECK(one(number(record_quantity::return_temperature, record_unit::celsius, 412, -1)) ==
          "return_temperature 2024-02-01T00:00:00Z 41.2");
    // VIF 0x66 (10^-1 C) outdoor, a signed −125 → −12.5 C
    CHECK(one(number(record_quantity::external_temperature, record_unit::celsius, 125, -1, true)) ==
          "external_temperature 2024-02-01T00:00:00Z -12.5");
    // VIF 0x61 (10^-2 K), raw 2930 → 29.3 K
    CHECK(one(number(record_quantity::temperature_difference, record_unit::kelvin, 2930, -2)) ==
          "temperature_difference 2024-02-01T00:00:00Z 29.3");
    // volume flow: m3/h as it is; m3/min × 60; m3/s × 3600
    CHECK(one(number(record_quantity::volume_flow, record_unit::m3_per_h, 1234, -3)) ==
          "volume_flow 2024-02-01T00:00:00Z 1.234");
    CHECK(one(number(record_quantity::volume_flow, record_unit::m3_per_min, 15, -1)) ==
          "volume_flow 2024-02-01T00:00:00Z 90");
    CHECK(one(number(record_quantity::volume_flow, record_unit::m3_per_s, 1, -3)) ==
          "volume_flow 2024-02-01T00:00:00Z 3.6");
    // 10^-7 m3 per minute × 60 = 0.000006 m3/h: exact although the record is not in millionths
    CHECK(one(number(record_quantity::volume_flow, record_unit::m3_per_min, 1, -7)) ==
          "volume_flow 2024-02-01T00:00:00Z 0.000006");
}

TEST_CASE("power: electricity meters' active power, other meters' power, the maximum where it is allowed") {
    // VIF 0x2B (W), raw 2500 → 2.5 kW
    const auto w = number(record_quantity::power, record_unit::w, 2500, 0);
    CHECK(one(w, resource::heat) == "power 2024-02-01T00:00:00Z 2.5");
    CHECK(one(w, resource::electricity) == "active_import.instant 2024-02-01T00:00:00Z 2.5");
    // DIF function bits 01: maximum
    CHECK(one(with(w, 0, 0, record_function::maximum), resource::electricity) ==
          "active_import.max 2024-02-01T00:00:00Z 2.5");
    CHECK(one(with(w, 0, 0, record_function::maximum), resource::heat) ==
          "power.max 2024-02-01T00:00:00Z 2.5");
    // a maximum of a cumulative register is no channel; minimum and error values are never readings
    CHECK_THAT(
        one(with(number(record_quantity::volume, record_unit::m3, 1, 0), 0, 0, record_function::maximum)),
        Catch::Contains("maximum of a cumulative register"));
    CHECK_THAT(one(with(w, 0, 0, record_function::minimum), resource::heat),
               Catch::Contains("function minimum"));
    CHECK_THAT(one(with(w, 0, 0, record_function::error), resource::heat), Catch::Contains("function error"));
    // J/h: kW would be / 3 600 000
    CHECK_THAT(one(number(record_quantity::power, record_unit::j_per_h, 36, 5), resource::heat),
               Catch::Contains("kW would need 1/3.6"));
}

TEST_CASE("operating time: hours, days × 24, seconds and minutes only when exact in millionths of an hour") {
    CHECK(one(number(record_quantity::operating_time, record_unit::h, 1234, 0)) ==
          "operating_time 2024-02-01T00:00:00Z 1234");
    CHECK(one(number(record_quantity::operating_time, record_unit::d, 10, 0)) ==
          "operating_time 2024-02-01T00:00:00Z 240");
    CHECK(one(number(record_quantity::on_time, record_unit::s, 7200, 0)) ==
          "operating_time 2024-02-01T00:00:00Z 2");
    // 9 s = 0.0025 h exactly
    CHECK(one(number(record_quantity::operating_time, record_unit::s, 9, 0)) ==
          "operating_time 2024-02-01T00:00:00Z 0.0025");
    CHECK(one(number(record_quantity::operating_time, record_unit::min, 90, 0)) ==
          "operating_time 2024-02-01T00:00:00Z 1.5");
    // 1 s = 0.000277… h and 1 min = 0.01666… h: not exact in millionths, never rounded
    CHECK_THAT(one(number(record_quantity::operating_time, record_unit::s, 1, 0)),
               Catch::Contains("not exact in millionths of h"));
    CHECK_THAT(one(number(record_quantity::operating_time, record_unit::min, 1, 0)),
               Catch::Contains("not exact in millionths of h"));
}

TEST_CASE("a value not exact in millionths or outside the plausible range is skipped with the reason") {
    // 10^-7 m3
    CHECK(one(number(record_quantity::volume, record_unit::m3, 1, -7)) ==
          "skipped: value 0.0000001 m3 is not exact in millionths of m3");
    // a negative cumulative register
    CHECK(one(number(record_quantity::volume, record_unit::m3, 5, 0, true)) ==
          "skipped: value -5 m3 is outside 0..999999999999.999999");
    // more than twelve integer digits: 10^13 m3
    CHECK_THAT(one(number(record_quantity::volume, record_unit::m3, 1, 13)),
               Catch::StartsWith("skipped: value"));
    // a quantity without a channel, and data that is not a number
    CHECK_THAT(one(number(record_quantity::fabrication_number, record_unit::none, 12345678, 0)),
               Catch::Contains("fabrication_number"));
    CHECK_THAT(one(number(record_quantity::voltage, record_unit::v, 230, 0), resource::electricity),
               Catch::Contains("which phase"));
    frame_record manufacturer;
    manufacturer.quantity = record_quantity::manufacturer_specific;
    manufacturer.kind = value_kind::bytes;
    CHECK_THAT(one(manufacturer), Catch::Contains("manufacturer-specific"));
}

TEST_CASE("tariffs from the DIFE: 1..8 are T1..T8, others are skipped, subunits are skipped") {
    const auto v = number(record_quantity::volume, record_unit::m3, 7, 0);
    CHECK(one(with(v, 0, 2)) == "volume.t2 2024-02-01T00:00:00Z 7");
    CHECK(one(with(v, 0, 8)) == "volume.t8 2024-02-01T00:00:00Z 7");
    CHECK_THAT(one(with(v, 0, 9)), Catch::Contains("tariff 9"));
    auto sub = v;
    sub.subunit = 1;
    CHECK_THAT(one(sub), Catch::Contains("subunit 1"));
    // two records of one channel and time in one frame: the first is kept, the second said
    const auto m = map(frame_of({v, number(record_quantity::volume, record_unit::m3, 8, 0)}), context());
    REQUIRE(m.t.size() == 1);
    CHECK(row(m) == "volume 2024-02-01T00:00:00Z 7");
    REQUIRE(m.v.skipped.size() == 1);
    CHECK(m.v.skipped[0].record == 1);
    CHECK_THAT(m.v.skipped[0].reason, Catch::Contains("earlier record"));
}

// ---- mapping: times

TEST_CASE("storage 0 takes the frame's own time, historic storage numbers their own dates, in the zone") {
    const zone moscow = zone::parse("Europe/Moscow");
    // the frame of tests below (wired M-Bus, ACW 11490378): volume now, the time point 2024-01-31 12:30
    // (type F), a storage 1 date 2023-12-01 (type G) and the storage 1 volume; storage 2 without a date
    const auto f = frame_of({number(record_quantity::volume, record_unit::m3, 12345, -3),
                             date_record(0, 2024, 1, 31, 12, 30), date_record(1, 2023, 12, 1),
                             with(number(record_quantity::volume, record_unit::m3, 10000, -3), 1),
                             with(number(record_quantity::volume, record_unit::m3, 9000, -3), 2)});
    const auto m = map(f, context(resource::cold_water, moscow));
    REQUIRE(m.t.size() == 2);
    CHECK(row(m, 0) == "volume 2024-01-31T09:30:00Z 12.345");  // 12:30 MSK = 09:30 UTC
    CHECK(row(m, 1) == "volume 2023-11-30T21:00:00Z 10");      // 2023-12-01 00:00 MSK
    REQUIRE(m.v.skipped.size() == 1);
    CHECK(m.v.skipped[0].record == 4);
    CHECK(m.v.skipped[0].reason == "historic value (storage 2) without a valid date");

    // without a time point (or with one the meter marks invalid): the time the frame was received
    auto invalid = f;
    invalid.records[1].when.invalid = true;
    const auto n = map(invalid, context(resource::cold_water, moscow));
    CHECK(row(n, 0) == "volume 2024-02-01T00:00:00Z 12.345");
    // an impossible date (31 February) is no time either
    auto impossible = f;
    impossible.records[1].when.month = 2;
    CHECK(row(map(impossible, context(resource::cold_water, moscow)), 0) ==
          "volume 2024-02-01T00:00:00Z 12.345");
}

TEST_CASE("a local time repeated or skipped by DST resolves as the library's calendar does") {
    const zone berlin = zone::parse("Europe/Berlin");
    // 2021-10-31 02:30 happens twice in Berlin (CEST, then CET): the first, 00:30 UTC
    const auto repeated = frame_of(
        {number(record_quantity::volume, record_unit::m3, 1, 0), date_record(0, 2021, 10, 31, 2, 30)});
    CHECK(row(map(repeated, context(resource::cold_water, berlin)), 0) == "volume 2021-10-31T00:30:00Z 1");
    // 2021-03-28 02:30 does not exist (clocks go 02:00 → 03:00 CEST): the end of the gap, 01:00 UTC
    const auto skipped = frame_of(
        {number(record_quantity::volume, record_unit::m3, 1, 0), date_record(0, 2021, 3, 28, 2, 30)});
    CHECK(row(map(skipped, context(resource::cold_water, berlin)), 0) == "volume 2021-03-28T01:00:00Z 1");
}

// ---- mapping: events

TEST_CASE("status bits and error flags become events, one a set bit") {
    // status 0x00: nothing
    CHECK(map(frame_of({}, 0x00), context()).events.empty());
    // status 0x04: power low (EN 13757-3 bit 2)
    {
        const auto m = map(frame_of({}, 0x04), context());
        REQUIRE(m.events.size() == 1);
        CHECK(m.events[0].meter == "W1");
        CHECK(m.events[0].time == at(received));
        CHECK(m.events[0].code == 1004);
        CHECK(m.events[0].kind == event_kind::power);
        CHECK(m.events[0].message == "Низкий заряд батареи (питания) / Power low");
        CHECK(m.v.events == 1);
    }
    // status 0x13: bits 0-1 = 11 (abnormal condition), bit 4 (temporary error)
    {
        const auto m = map(frame_of({}, 0x13), context());
        REQUIRE(m.events.size() == 2);
        CHECK(m.events[0].code == 1003);
        CHECK(m.events[0].kind == event_kind::fault);
        CHECK(m.events[1].code == 1016);
        CHECK(m.events[1].kind == event_kind::fault);
    }
    // status 0x29: bits 0-1 = 01 (busy), bit 3 (permanent error), bit 5 (manufacturer)
    {
        const auto m = map(frame_of({}, 0x29), context());
        REQUIRE(m.events.size() == 3);
        CHECK(m.events[0].code == 1001);
        CHECK(m.events[0].kind == event_kind::other);
        CHECK(m.events[1].code == 1008);
        CHECK(m.events[2].code == 1032);
    }
    // an error-flags record (VIF 0xFD 0x17), binary 0b101, at the frame's time point: bits 0 and 2
    {
        auto flags = number(record_quantity::error_flags, record_unit::none, 5, 0);
        const auto m = map(frame_of({flags, date_record(0, 2024, 1, 31, 12, 30)}), context());
        REQUIRE(m.events.size() == 2);
        CHECK(m.events[0].code == 1200);
        CHECK(m.events[1].code == 1202);
        CHECK(m.events[1].kind == event_kind::fault);
        CHECK(m.events[1].time == at("2024-01-31T12:30:00Z"));
        CHECK(m.events[1].message == "Флаг ошибки 2 / Error flag 2");
        CHECK(m.t.empty());
        CHECK(m.v.skipped.empty());
    }
}

// ---- frame JSON

TEST_CASE("frame_json: the header, the records with exact values and raw bytes, readings with a meter") {
    // The records of the frame 0C 13 45 23 01 00 | 04 6D 1E 0C 1F 31: volume 12.345 m3 (BCD, VIF 0x13) and
    // the time point 2024-01-31 12:30 (type F); `data` holds their bytes.
    auto f = frame_of(
        {number(record_quantity::volume, record_unit::m3, 12345, -3), date_record(0, 2024, 1, 31, 12, 30)});
    f.data = {0x0C, 0x13, 0x45, 0x23, 0x01, 0x00, 0x04, 0x6D, 0x1E, 0x0C, 0x1F, 0x31};
    f.records[0].offset = 0;
    f.records[0].dib_size = 1;
    f.records[0].vib_size = 1;
    f.records[0].data_size = 4;
    f.records[1].offset = 6;
    f.records[1].dib_size = 1;
    f.records[1].vib_size = 1;
    f.records[1].data_size = 4;
    const auto j = nlohmann::json::parse(frame_json(f));
    CHECK(j["ok"] == true);
    CHECK(j["protocol"] == "mbus");
    CHECK(j["address"] == "mbus:ACW-11490378-0E-07");
    CHECK(j["manufacturer"] == "ACW");
    CHECK(j["id"] == "11490378");
    CHECK(j["version"] == 14);
    CHECK(j["access_number"] == 42);
    CHECK(j["status"] == 0);
    REQUIRE(j["records"].size() == 2);
    CHECK(j["records"][0]["quantity"] == "volume");
    CHECK(j["records"][0]["unit"] == "m3");
    CHECK(j["records"][0]["value"] == "12.345");
    CHECK(j["records"][0]["function"] == "instantaneous");
    CHECK(j["records"][0]["storage"] == 0);
    CHECK(j["records"][0]["tariff"] == 0);
    CHECK(j["records"][0]["subunit"] == 0);
    CHECK(j["records"][0]["raw"] == "0C1345230100");
    CHECK(j["records"][1]["value"] == "2024-01-31T12:30");
    CHECK(j["records"][1]["raw"] == "046D1E0C1F31");
    CHECK(j["readings"].empty());  // no meter context
    CHECK(j["events"].empty());
    CHECK(j.dump().find('\n') == std::string::npos);

    const auto c = context(resource::cold_water, zone::parse("Europe/Moscow"));
    frame_json_options o;
    o.line = 7;
    o.context = &c;
    const auto k = nlohmann::json::parse(frame_json(f, o));
    CHECK(k["line"] == 7);
    REQUIRE(k["readings"].size() == 1);
    CHECK(k["readings"][0]["channel"] == "volume");
    CHECK(k["readings"][0]["time"] == "2024-01-31T09:30:00Z");
    CHECK(k["readings"][0]["value"] == "12.345");

    decoded_frame bad;
    bad.error = {decode_status::checksum, 41, "a checksum of 0x98", "0x99"};
    const auto e = nlohmann::json::parse(frame_json(bad));
    CHECK(e["ok"] == false);
    CHECK(e["error"]["status"] == "checksum");
    CHECK(e["error"]["offset"] == 41);
    CHECK(e["error"]["message"] == bad.error.message());
}

TEST_CASE("a meter's text that is not UTF-8 prints with U+FFFD, the same in JSON and the shared accessors") {
    // 68 08 08 68 | 08 01 78 (C, A, CI: no header) | 0D 13 02 FF 41 (LVAR text of 2 bytes, sent last
    // character first: "A", 0xFF) | checksum | 16
    std::vector<std::uint8_t> body{0x08, 0x01, 0x78, 0x0D, 0x13, 0x02, 0xFF, 0x41};
    std::vector<std::uint8_t> frame{0x68, 0x08, 0x08, 0x68};
    std::uint8_t sum = 0;
    for (auto b : body) frame.push_back(b), sum = std::uint8_t(sum + b);
    frame.push_back(sum);
    frame.push_back(0x16);
    decoded_frame f;
    REQUIRE(decode_mbus(frame, f));
    REQUIRE(f.records.size() == 1);
    CHECK(record_value_text(f, f.records[0]) == std::string("A\xEF\xBF\xBD"));
    const auto j = nlohmann::json::parse(frame_json(f));
    CHECK(j["records"][0]["value"] == "A\xEF\xBF\xBD");
}

// ---- hex lines

TEST_CASE("hex frame lines: spaces between pairs, # comments, blank lines, errors name line and byte") {
    const auto frames =
        read_hex_frames("# frames\n\n10 5B FE 59 16\n  105bfe5916  # again\n\t# only a comment\n", "in.hex");
    REQUIRE(frames.size() == 2);
    CHECK(frames[0].line == 3);
    CHECK(frames[0].bytes == std::vector<std::uint8_t>{0x10, 0x5B, 0xFE, 0x59, 0x16});
    CHECK(frames[1].line == 4);
    CHECK(frames[1].bytes == frames[0].bytes);
    CHECK_THROWS_WITH(read_hex_frames("10 5B\n10 5X 16\n", "in.hex"),
                      Catch::Contains("in.hex:2: byte 5") && Catch::Contains("'X'"));
    CHECK_THROWS_WITH(read_hex_frames("10 5B 1\n", "in.hex"),
                      Catch::Contains("in.hex:1: byte 7") && Catch::Contains("lone hex digit"));
    CHECK_THROWS_WITH(read_hex_frames("1 05B\n", "in.hex"),
                      Catch::Contains("in.hex:1: byte 1: a lone hex digit"));
}

// ---- ingest

namespace {

// Wired M-Bus long frames (EN 13757-2 §5: 68 L L 68 C A CI … CS 16), RSP_UD (C 0x08) from primary address 1,
// CI 0x72 (long header: id 78 03 49 11 = 11490378 BCD, LSB first; manufacturer 77 04 = 0x0477 = "ACW";
// version 0x0E; medium 0x07 water; access number; status; signature 00 00).
//
// Frame A: access 0x2A, status 0, records
//   0C 13 45 23 01 00  DIF 0C (8-digit BCD), VIF 13 (10^-3 m3): 00012345 → 12.345 m3
//   04 6D 1E 0C 1F 31  DIF 04 (32 bit), VIF 6D (type F): min 0x1E = 30, hour 0x0C = 12, day 0x1F = 31,
//                      year bits (0 from byte 2, 3 from byte 3's high nibble) = 0b0011000 = 24, month 1:
//                      2024-01-31 12:30
//   42 6C E1 2C        DIF 42 (storage 1, 16 bit), VIF 6C (type G): day 0xE1 & 0x1F = 1, month 0x2C & 0x0F =
//                      12, year (0xE1 >> 5) | (0x2C & 0xF0) >> 1 = 7 | 16 = 23: 2023-12-01
//   4C 13 00 00 01 00  DIF 4C (storage 1, BCD 8), VIF 13: 00010000 → 10.000 m3
//   L = 0x25 (37 bytes from C to the last record byte), CS = 0x98 (their sum mod 256)
constexpr const char* frame_a =
    "68 25 25 68 08 01 72 78 03 49 11 77 04 0E 07 2A 00 00 00 0C 13 45 23 01 00 04 6D 1E 0C 1F 31 42 6C E1 "
    "2C "
    "4C 13 00 00 01 00 98 16";
// Frame B: access 0x2B, status 0x04 (power low), one record 0C 13 46 23 01 00: 12.346 m3, no time point.
constexpr const char* frame_b =
    "68 15 15 68 08 01 72 78 03 49 11 77 04 0E 07 2B 04 00 00 0C 13 46 23 01 00 98 16";
// Frame C: meter ACW 12345678 (78 56 34 12), access 1, the volume record of A: no meter has its address.
constexpr const char* frame_c =
    "68 15 15 68 08 01 72 78 56 34 12 77 04 0E 07 01 00 00 00 0C 13 45 23 01 00 A8 16";
// Frame D: frame B with its checksum byte 0x98 changed to 0x99.
constexpr const char* frame_d =
    "68 15 15 68 08 01 72 78 03 49 11 77 04 0E 07 2B 04 00 00 0C 13 46 23 01 00 99 16";

void put_water_meter(store& s, const char* address = "mbus:ACW-11490378") {
    put_one_point(s, {"E1"});               // an electricity meter without an address beside it
    meter m = s.find<meter>("E1").value();  // on point "tp"
    m.serial = "W1";
    m.measures = resource::cold_water;
    m.time_zone = zone::parse("Europe/Moscow");
    m.address = address;
    s.put(m);
}

ingest_options options() {
    ingest_options o;
    o.protocol = "mbus";
    o.received = at(received);
    o.source_name = "frames.hex";
    return o;
}

std::string text_of(std::initializer_list<const char*> lines) {
    std::string t;
    for (const char* l : lines) t += std::string(l) + "\n";
    return t;
}

template <class Store>
void ingest_checks(Store& s) {
    put_water_meter(s);
    const auto frames = read_hex_frames(text_of({frame_a, frame_b, frame_c, frame_d}), "frames.hex");
    const auto r = ingest_frames(s, builtin_decoders(), frames, options());
    CHECK(r.frames == 4);
    CHECK(r.decoded == 3);
    CHECK(r.readings_written == 3);  // A: now and storage 1; B: now (received)
    CHECK(r.readings_unchanged == 0);
    CHECK(r.events_written == 1);  // B's power low
    REQUIRE(r.rejected.size() == 1);
    CHECK(r.rejected[0].line == 4);
    CHECK(r.rejected[0].error.status == decode_status::checksum);
    REQUIRE(r.unmatched.size() == 1);
    CHECK(r.unmatched[0].line == 3);
    CHECK(r.unmatched[0].address == "mbus:ACW-12345678-0E-07");
    CHECK(r.unmatched[0].hex == "681515680801727856341277040E07010000000C1345230100A816");
    CHECK(r.unmatched[0].reason == "no meter has this address");

    const auto stored = s.readings("W1", at("2000-01-01T00:00:00Z"), at("2030-01-01T00:00:00Z"));
    REQUIRE(stored.size() == 3);
    std::set<std::string> rows;
    for (std::size_t i = 0; i < stored.size(); ++i)
        rows.insert(to_string(from_unix(stored.times()[i])) + " " +
                    to_string(decimal::from_raw(stored.values()[i])));
    CHECK(rows == std::set<std::string>{"2023-11-30T21:00:00Z 10", "2024-01-31T09:30:00Z 12.345",
                                        "2024-02-01T00:00:00Z 12.346"});
    const auto ev = s.events("W1", at("2000-01-01T00:00:00Z"), at("2030-01-01T00:00:00Z"));
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].code == 1004);
    CHECK(ev[0].time == at(received));

    // the same frames again: nothing new
    const auto again = ingest_frames(s, builtin_decoders(), frames, options());
    CHECK(again.readings_written == 0);
    CHECK(again.readings_unchanged == 3);
    CHECK(again.events_written == 0);
}

}  // namespace

TEST_CASE("ingest into a memory store: counts, rejected and unmatched frames with their lines") {
    memory_store s;
    ingest_checks(s);
}

TEST_CASE("ingest into a SQLite store: the same") {
    const auto file = temp_db();
    {
        sqlite_store s(file);
        ingest_checks(s);
    }
    remove_db(file);
}

namespace {

template <class Store>
void ambiguity_and_atomicity(Store& s) {
    put_water_meter(s);
    meter twin = s.template find<meter>("W1").value();
    twin.serial = "W2";
    twin.address = "mbus:ACW-11490378-0E-07";  // matches the frames of W1 too
    s.put(twin);
    const auto frames = read_hex_frames(text_of({frame_a}), "frames.hex");
    const auto r = ingest_frames(s, builtin_decoders(), frames, options());
    REQUIRE(r.unmatched.size() == 1);
    CHECK(r.unmatched[0].reason == "ambiguous: meters W1, W2 all match this address");
    CHECK(s.reading_count() == 0);

    // atomicity: W2 gets another address; an event stored before with B's key (meter, time, code) and another
    // message makes the events' write fail after the readings were written: nothing of the batch stays
    twin.address = "mbus:ACW-99999999";
    s.put(twin);
    meter_event clash;
    clash.meter = "W1";
    clash.time = at(received);
    clash.code = 1004;
    clash.message = "something else";
    s.put_events(std::span<const meter_event>(&clash, 1));
    const auto both = read_hex_frames(text_of({frame_a, frame_b}), "frames.hex");
    CHECK_THROWS_WITH(ingest_frames(s, builtin_decoders(), both, options()), Catch::Contains("frames.hex:2"));
    CHECK(s.reading_count() == 0);
    const auto ev = s.events("W1", at("2000-01-01T00:00:00Z"), at("2030-01-01T00:00:00Z"));
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].message == "something else");
    // with the clash resolved the same batch goes in whole
    auto o = options();
    o.conflict = on_conflict::keep;
    const auto ok = ingest_frames(s, builtin_decoders(), both, o);
    CHECK(ok.readings_written == 3);
    CHECK(s.reading_count() == 3);
}

}  // namespace

TEST_CASE("an ambiguous address goes to neither meter, a failing store write leaves nothing (memory)") {
    memory_store s;
    ambiguity_and_atomicity(s);
}

TEST_CASE("an ambiguous address goes to neither meter, a failing store write leaves nothing (SQLite)") {
    const auto file = temp_db();
    {
        sqlite_store s(file);
        ambiguity_and_atomicity(s);
    }
    remove_db(file);
}
