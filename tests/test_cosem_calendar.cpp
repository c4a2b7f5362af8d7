// The DLMS Activity Calendar (class 20) and Special Days Table (class 11) into a tariff_schedule: the
// DlmsSPODES-project test values (../shared/corpus/dlms/spodes_tests.jsonl), a real СПОДЭС meter's calendar
// (spodes_typ.jsonl) whose split equals the split under the same schedule written by hand, hand-made
// calendars with two seasons and special days, and the errors' element paths.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "kvant/algorithms/tariff.hpp"
#include "kvant/core/error.hpp"
#include "kvant/decode/cosem_calendar.hpp"
#include "support.hpp"

using namespace kvant;
using namespace kvant::test;

namespace {

axdr_value bytes_of(const std::vector<std::uint8_t>& b) {
    axdr_value v;
    v.bytes = b;
    return v;
}

struct corpus_record {
    std::string id, source, hex, file;
    int attribute = 0, class_id = 0;
};

/// The records of a corpus file, or nothing (with a warning) when the corpus is absent.
std::optional<std::vector<corpus_record>> load_corpus(const std::string& name) {
    const std::string path = std::string(KVANT_CORPUS_DIR) + "/dlms/" + name;
    std::ifstream in(path);
    if (!in) return std::nullopt;
    std::vector<corpus_record> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto j = nlohmann::json::parse(line);
        corpus_record r;
        r.id = j.at("id").get<std::string>();
        r.source = j.at("source").get<std::string>();
        r.hex = j.at("input_hex").get<std::string>();
        const auto& c = j.at("context");
        if (c.contains("attribute") && c.at("attribute").is_number())
            r.attribute = c.at("attribute").get<int>();
        if (c.contains("class_id") && c.at("class_id").is_number()) r.class_id = c.at("class_id").get<int>();
        if (c.contains("file") && c.at("file").is_string()) r.file = c.at("file").get<std::string>();
        out.push_back(std::move(r));
    }
    return out;
}

const corpus_record* by_id(const std::vector<corpus_record>& rs, const std::string& id) {
    for (const auto& r : rs)
        if (r.id == id) return &r;
    return nullptr;
}

bool contains(const std::vector<std::string>& problems, const std::string& part) {
    for (const auto& p : problems)
        if (p.find(part) != std::string::npos) return true;
    return false;
}

std::map<std::string, std::string> sum_periods(const zone_consumption& z) {
    std::map<std::string, std::string> out;
    for (std::size_t i = 0; i < z.zones.size(); ++i) {
        std::int64_t s = 0;
        for (auto v : z.value[i]) s += v;
        out[z.zones[i]] = to_string(decimal::from_raw(s));
    }
    return out;
}

std::string what_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const parse_error& e) {
        return e.what();
    }
    return "no error";
}

/// A one-kWh-an-hour profile of meter "m": hourly cumulative readings from `from` for `hours` hours.
meter_series hourly(const char* from, int hours) {
    meter_series s("m");
    const std::int64_t t0 = to_unix(at(from));
    for (int h = 0; h <= hours; ++h) {
        std::array<std::int64_t, register_count> vals;
        vals.fill(decimal::missing_raw);
        vals[0] = std::int64_t{h} * 1'000'000;
        s.push(t0 + std::int64_t{h} * 3600, vals);
    }
    return s;
}

consumption_options by_day() {
    consumption_options o;
    o.periods = {period_kind::day};
    return o;
}

}  // namespace

TEST_CASE("DlmsSPODES-project calendar values: the season's week name 'Defauls' is reported, not guessed") {
    const auto corpus = load_corpus("spodes_tests.jsonl");
    if (!corpus) {
        WARN("corpus absent (" KVANT_CORPUS_DIR "/dlms/spodes_tests.jsonl): skipped");
        return;
    }
    const auto* days = by_id(*corpus, "800c983fbea5");
    const auto* weeks = by_id(*corpus, "81c52a341b25");
    const auto* seasons = by_id(*corpus, "d6b87aaa6461");
    REQUIRE(days != nullptr);
    REQUIRE(weeks != nullptr);
    REQUIRE(seasons != nullptr);
    INFO(days->source << " " << days->id << ", " << weeks->id << ", " << seasons->id);
    CHECK(days->attribute == 5);
    CHECK(weeks->attribute == 4);
    CHECK(seasons->attribute == 3);
    const auto d = hex_bytes(days->hex), w = hex_bytes(weeks->hex), se = hex_bytes(seasons->hex);
    activity_calendar_values v;
    v.day_profile_table = bytes_of(d);
    v.week_profile_table = bytes_of(w);
    v.season_profile = bytes_of(se);
    const auto s = schedule_from_calendar(v);
    REQUIRE(s.versions.size() == 1);
    const auto& ver = s.versions[0];
    // day_id 0: one action at 00:00, script 0.0.10.0.100.255 selector 1 → T1
    REQUIRE(ver.days.size() == 1);
    CHECK(ver.days[0] == day_profile{"0", {{0, "T1"}}});
    // "Default": Monday day 1, the other days day 0
    REQUIRE(ver.weeks.size() == 1);
    CHECK(ver.weeks[0] == week_profile{"Default", {"1", "0", "0", "0", "0", "0", "0"}});
    // season "Default" from 1 January (year, time and deviation not specified), week "Defauls"
    REQUIRE(ver.seasons.size() == 1);
    CHECK(ver.seasons[0] == season{"Default", 1, 1, "Defauls"});
    CHECK(s.zones == std::vector<std::string>{"T1"});
    CHECK(s.register_zones == std::vector<std::string>{"T1"});
    // the tables do not hold together: check() says so, and a calendar cannot be built
    const auto problems = check(s);
    CHECK(contains(problems, "season 'Default' names an unknown week profile 'Defauls'"));
    CHECK(contains(problems, "week profile 'Default' names an unknown day profile '1'"));
    CHECK_THROWS_AS(tariff_calendar(s), config_error);
}

TEST_CASE(
    "a СПОДЭС meter's calendar (KPZ 09064d324d5f3354 1.6.2) splits as the same schedule written by hand") {
    const auto corpus = load_corpus("spodes_typ.jsonl");
    if (!corpus) {
        WARN("corpus absent (" KVANT_CORPUS_DIR "/dlms/spodes_typ.jsonl): skipped");
        return;
    }
    const auto* se = by_id(*corpus, "bb007d920ce2");
    const auto* we = by_id(*corpus, "4706e7f022ca");
    const auto* da = by_id(*corpus, "003d676fb2fe");
    REQUIRE(se != nullptr);
    REQUIRE(we != nullptr);
    REQUIRE(da != nullptr);
    INFO(se->source << " (" << se->file << "): " << se->id << ", " << we->id << ", " << da->id);
    REQUIRE(se->file == da->file);
    REQUIRE(we->file == da->file);
    CHECK(se->class_id == 20);
    CHECK((se->attribute == 3 && we->attribute == 4 && da->attribute == 5));
    const auto sb = hex_bytes(se->hex), wb = hex_bytes(we->hex), db = hex_bytes(da->hex);

    // The same calendar by hand, from the bytes:
    // season_profile 01 02 = array of 2:
    //   02 03 | 09 01 00 | 09 0c ffff 01 01 ff ffffffff 8000 00 | 09 01 00
    //     season "00" (hex: the byte 0x00 is not printable) from 1 January, week "00"
    //   02 03 | 09 01 01 | 09 0c ffff 0c 04 ff ffffffff 8000 00 | 09 01 01
    //     season "01" from 4 December, week "01"
    // week_profile_table 01 02:
    //   02 08 | 09 01 00 | 11 00 ×5 (Monday..Friday day 0) | 11 01 ×2 (Saturday, Sunday day 1)
    //   02 08 | 09 01 01 | 11 02 ×7 (every day day 2)
    // day_profile_table 01 03, each 02 02 | 11 id | 01 03 actions of 02 03 | 09 04 hh mm ff ff |
    //   09 06 00 00 0a 00 64 ff (script 0.0.10.0.100.255) | 12 00 ss (selector ss):
    //   day 0: 00:00 sel 2, 07:00 sel 1, 23:00 sel 2
    //   day 1: 00:00 sel 3, 08:00 sel 4, 21:00 sel 3
    //   day 2: 00:00 sel 1, 06:00 sel 3, 22:00 sel 1
    tariff_schedule hand;
    hand.id = "dlms";
    hand.zones = {"T1", "T2", "T3", "T4"};
    hand.register_zones = {"T1", "T2", "T3", "T4"};
    schedule_version v;
    v.seasons = {{"00", 1, 1, "00"}, {"01", 12, 4, "01"}};
    v.weeks = {{"00", {"0", "0", "0", "0", "0", "1", "1"}}, {"01", {"2", "2", "2", "2", "2", "2", "2"}}};
    v.days = {{"0", {{0, "T2"}, {7 * 60, "T1"}, {23 * 60, "T2"}}},
              {"1", {{0, "T3"}, {8 * 60, "T4"}, {21 * 60, "T3"}}},
              {"2", {{0, "T1"}, {6 * 60, "T3"}, {22 * 60, "T1"}}}};
    hand.versions = {v};

    activity_calendar_values values;
    values.season_profile = bytes_of(sb);
    values.week_profile_table = bytes_of(wb);
    values.day_profile_table = bytes_of(db);
    const auto from_meter = schedule_from_calendar(values);
    CHECK(from_meter == hand);
    CHECK(check(from_meter).empty());

    // One kWh an hour, in UTC: Monday 3 March 2025, Saturday 8 March, Friday 5 December (after the 4
    // December season start).
    const tariff_calendar meter_cal(from_meter), hand_cal(hand);
    struct day_case {
        const char* from;
        std::map<std::string, std::string> expected;
    };
    const day_case cases[] = {
        // weekday, day 0: T2 00–07 and 23–24 (8 h), T1 07–23 (16 h)
        {"2025-03-03T00:00:00Z", {{"T1", "16"}, {"T2", "8"}, {"T3", "0"}, {"T4", "0"}, {"total", "24"}}},
        // Saturday, day 1: T3 00–08 and 21–24 (11 h), T4 08–21 (13 h)
        {"2025-03-08T00:00:00Z", {{"T1", "0"}, {"T2", "0"}, {"T3", "11"}, {"T4", "13"}, {"total", "24"}}},
        // season "01", day 2: T1 00–06 and 22–24 (8 h), T3 06–22 (16 h)
        {"2025-12-05T00:00:00Z", {{"T1", "8"}, {"T2", "0"}, {"T3", "16"}, {"T4", "0"}, {"total", "24"}}},
    };
    for (const auto& c : cases) {
        INFO(c.from);
        const auto s = hourly(c.from, 24);
        const auto by_meter = split_by_schedule(s, zone::utc(), meter_cal, {}, by_day());
        const auto by_hand = split_by_schedule(s, zone::utc(), hand_cal, {}, by_day());
        CHECK(by_meter.value == by_hand.value);
        CHECK(by_meter.zones == by_hand.zones);
        CHECK(sum_periods(by_meter) == c.expected);
    }
    // a week across the season change (1–8 December 2025, Monday to Monday): 3 weekdays of season "00"
    // (1, 2, 3 December: T1 16, T2 8 each) and 4 days of season "01" (T1 8, T3 16 each)
    const auto week = hourly("2025-12-01T00:00:00Z", 7 * 24);
    const auto by_meter = split_by_schedule(week, zone::utc(), meter_cal, {}, by_day());
    const auto by_hand = split_by_schedule(week, zone::utc(), hand_cal, {}, by_day());
    CHECK(by_meter.value == by_hand.value);
    CHECK(sum_periods(by_meter) ==
          std::map<std::string, std::string>{
              {"T1", "80"}, {"T2", "24"}, {"T3", "64"}, {"T4", "0"}, {"total", "168"}});
}

TEST_CASE("every activity calendar of the СПОДЭС captures reads, the complete ones pass check()") {
    const auto corpus = load_corpus("spodes_typ.jsonl");
    if (!corpus) {
        WARN("corpus absent (" KVANT_CORPUS_DIR "/dlms/spodes_typ.jsonl): skipped");
        return;
    }
    std::map<std::string, std::map<int, const corpus_record*>> by_file;
    for (const auto& r : *corpus)
        if (r.class_id == 20) by_file[r.file][r.attribute] = &r;
    std::size_t complete = 0;
    for (const auto& [file, attrs] : by_file) {
        if (!attrs.count(3) || !attrs.count(4) || !attrs.count(5)) continue;
        INFO(attrs.at(3)->source << " " << file);
        const auto sb = hex_bytes(attrs.at(3)->hex), wb = hex_bytes(attrs.at(4)->hex),
                   db = hex_bytes(attrs.at(5)->hex);
        std::vector<std::uint8_t> nb;
        activity_calendar_values v;
        v.season_profile = bytes_of(sb);
        v.week_profile_table = bytes_of(wb);
        v.day_profile_table = bytes_of(db);
        if (attrs.count(2)) {
            nb = hex_bytes(attrs.at(2)->hex);
            v.calendar_name = bytes_of(nb);
        }
        tariff_schedule s;
        REQUIRE_NOTHROW(s = schedule_from_calendar(v));
        INFO("problems: " << check(s).size());
        CHECK(check(s).empty());
        ++complete;
    }
    // the files with attributes 3, 4 and 5: KPZ 09054d324d5f31 1.5.7 and 1.6.2, 09054d324d5f33 1.6.2,
    // 09064d324d5f3153 1.5.7, 09064d324d5f3354 1.6.2
    CHECK(complete == 5);
}

TEST_CASE("a hand-made calendar with two seasons, a passive name and special days") {
    // calendar_name: 09 05 'W' 'i' 'n' 't' 'r' ("Wintr")
    const auto name = hex_bytes("09 05 57 69 6e 74 72");
    // season_profile: array of 2
    //   "S" (09 01 53) from 1 October 00:00 (year 2024 given: ignored), week "W"
    //   "U" (09 01 55) from 1 April, week "V"  — given out of order: sorted by start
    const auto seasons = hex_bytes(
        "01 02"
        " 02 03 09 01 53 09 0c 07 e8 0a 01 ff 00 00 00 00 80 00 00 09 01 57"
        " 02 03 09 01 55 09 0c ff ff 04 01 ff ff ff ff ff 80 00 00 09 01 56");
    // week_profile_table: "W" every day day 1; "V" every day day 2
    const auto weeks = hex_bytes(
        "01 02"
        " 02 08 09 01 57 11 01 11 01 11 01 11 01 11 01 11 01 11 01"
        " 02 08 09 01 56 11 02 11 02 11 02 11 02 11 02 11 02 11 02");
    // day_profile_table: day 1: 00:00 sel 2, 07:00 sel 1; day 2: 00:00 sel 2, 09:30 sel 1 (listed after the
    // 00:00 action: sorted), day 3: 00:00 sel 2 (the holiday), day 9: no actions and named by nothing
    // (dropped)
    const auto days = hex_bytes(
        "01 04"
        " 02 02 11 01 01 02"
        "  02 03 09 04 00 00 ff ff 09 06 00 00 0a 00 64 ff 12 00 02"
        "  02 03 09 04 07 00 ff ff 09 06 00 00 0a 00 64 ff 12 00 01"
        " 02 02 11 02 01 02"
        "  02 03 09 04 09 1e 00 00 09 06 00 00 0a 00 64 ff 12 00 01"
        "  02 03 09 04 00 00 ff ff 09 06 00 00 0a 00 64 ff 12 00 02"
        " 02 02 11 03 01 01"
        "  02 03 09 04 00 00 ff ff 09 06 00 00 0a 00 64 ff 12 00 02"
        " 02 02 11 09 01 00");
    // special days: index 1, 1 January every year (ffff 01 01 ff), day 3; index 2, 9 May 2025 (07e9 05 09
    // 05), day 3
    const auto specials = hex_bytes(
        "01 02"
        " 02 03 12 00 01 09 05 ff ff 01 01 ff 11 03"
        " 02 03 12 00 02 09 05 07 e9 05 09 05 11 03");
    activity_calendar_values v;
    v.calendar_name = bytes_of(name);
    v.season_profile = bytes_of(seasons);
    v.week_profile_table = bytes_of(weeks);
    v.day_profile_table = bytes_of(days);
    v.special_days = bytes_of(specials);
    calendar_options o;
    o.zone_names = {"day", "night"};
    const auto s = schedule_from_calendar(v, o);
    CHECK(s.name == "Wintr");
    CHECK(s.zones == std::vector<std::string>{"day", "night"});
    CHECK(s.register_zones == std::vector<std::string>{"day", "night"});
    REQUIRE(s.versions.size() == 1);
    const auto& ver = s.versions[0];
    CHECK(ver.seasons == std::vector<season>{{"U", 4, 1, "V"}, {"S", 10, 1, "W"}});
    CHECK(ver.days == std::vector<day_profile>{{"1", {{0, "night"}, {420, "day"}}},
                                               {"2", {{0, "night"}, {570, "day"}}},
                                               {"3", {{0, "night"}}}});
    CHECK(ver.special_days == std::vector<special_day>{{std::nullopt, 1, 1, "3"}, {2025, 5, 9, "3"}});
    REQUIRE(check(s).empty());

    // one kWh an hour in UTC over three days
    const tariff_calendar cal(s);
    auto split = [&](const char* from) {
        return sum_periods(split_by_schedule(hourly(from, 24), zone::utc(), cal, {}, by_day()));
    };
    using zones = std::map<std::string, std::string>;
    // 2 January 2025 (winter, day 1): night 0–7, day 7–24
    CHECK(split("2025-01-02T00:00:00Z") == zones{{"day", "17"}, {"night", "7"}, {"total", "24"}});
    // 1 January (special day 3): all night
    CHECK(split("2025-01-01T00:00:00Z") == zones{{"day", "0"}, {"night", "24"}, {"total", "24"}});
    // 8 May 2025 (summer, day 2): night 0–9:30, day 9:30–24
    CHECK(split("2025-05-08T00:00:00Z") == zones{{"day", "14.5"}, {"night", "9.5"}, {"total", "24"}});
    // 9 May 2025 (special day of that year only): all night; 9 May 2026 is an ordinary summer day
    CHECK(split("2025-05-09T00:00:00Z") == zones{{"day", "0"}, {"night", "24"}, {"total", "24"}});
    CHECK(split("2026-05-09T00:00:00Z") == zones{{"day", "14.5"}, {"night", "9.5"}, {"total", "24"}});
}

TEST_CASE("calendar values given as parsed nodes read the same as bytes") {
    const auto weeks = hex_bytes("01 01 02 08 09 01 41 11 00 11 00 11 00 11 00 11 00 11 00 11 00");
    const auto days =
        hex_bytes("01 01 02 02 11 00 01 01 02 03 09 04 00 00 ff ff 09 06 00 00 0a 00 64 ff 12 00 01");
    const auto seasons = hex_bytes("01 01 02 03 09 01 42 09 0c ff ff 01 01 ff ff ff ff ff 80 00 00 09 01 41");
    // the three values one after the other in one buffer, parsed into one node vector
    std::vector<std::uint8_t> buffer;
    buffer.insert(buffer.end(), weeks.begin(), weeks.end());
    buffer.insert(buffer.end(), days.begin(), days.end());
    buffer.insert(buffer.end(), seasons.begin(), seasons.end());
    std::vector<cosem_node> nodes;
    std::uint32_t pos = 0;
    std::uint32_t roots[3];
    for (auto& root : roots) {
        root = static_cast<std::uint32_t>(nodes.size());
        REQUIRE(parse_axdr(buffer, pos, nodes, nullptr));
    }
    activity_calendar_values as_nodes;
    as_nodes.week_profile_table = {buffer, nodes, roots[0]};
    as_nodes.day_profile_table = {buffer, nodes, roots[1]};
    as_nodes.season_profile = {buffer, nodes, roots[2]};
    activity_calendar_values as_bytes;
    as_bytes.week_profile_table = bytes_of(weeks);
    as_bytes.day_profile_table = bytes_of(days);
    as_bytes.season_profile = bytes_of(seasons);
    const auto a = schedule_from_calendar(as_nodes), b = schedule_from_calendar(as_bytes);
    CHECK(a == b);
    CHECK(a.versions[0].seasons == std::vector<season>{{"B", 1, 1, "A"}});
    CHECK(check(a).empty());
}

TEST_CASE("calendar errors name the attribute and the element path") {
    const auto weeks = hex_bytes("01 01 02 08 09 01 41 11 00 11 00 11 00 11 00 11 00 11 00 11 00");
    const auto seasons = hex_bytes("01 01 02 03 09 01 42 09 0c ff ff 01 01 ff ff ff ff ff 80 00 00 09 01 41");
    auto with_days = [&](const std::string& hex) {
        const auto days = hex_bytes(hex);
        activity_calendar_values v;
        v.week_profile_table = bytes_of(weeks);
        v.season_profile = bytes_of(seasons);
        v.day_profile_table = bytes_of(days);
        return what_of([&] { (void)schedule_from_calendar(v); });
    };
    // day 0's third action is an array of 3, not a structure of 3
    CHECK_THAT(
        with_days("01 01 02 02 11 00 01 03"
                  " 02 03 09 04 00 00 ff ff 09 06 00 00 0a 00 64 ff 12 00 01"
                  " 02 03 09 04 01 00 ff ff 09 06 00 00 0a 00 64 ff 12 00 02"
                  " 01 03 09 04 02 00 ff ff 09 06 00 00 0a 00 64 ff 12 00 01"),
        Catch::Contains("[kvant.parse.100]") &&
            Catch::Contains(
                "day_profile_table[0].day_schedule[2]: expected a structure of 3, found an array of 3"));
    // a start time with the hour not specified
    CHECK_THAT(with_days("01 01 02 02 11 00 01 01 02 03 09 04 ff 00 ff ff 09 06 00 00 0a 00 64 ff 12 00 01"),
               Catch::Contains("day_profile_table[0].day_schedule[0].start_time: hour 255"));
    // a selector beyond the eight zones
    CHECK_THAT(
        with_days("01 01 02 02 11 00 01 01 02 03 09 04 00 00 ff ff 09 06 00 00 0a 00 64 ff 12 00 09"),
        Catch::Contains("day_profile_table[0].day_schedule[0].script_selector: script selector 9 names "
                        "no zone (1..8)"));
    // bytes that are not A-XDR (an array of 2 with one element)
    CHECK_THAT(with_days("01 02 02 02 11 00 01 00"),
               Catch::Contains("day_profile_table: not an A-XDR value"));
    // bytes after the value
    CHECK_THAT(with_days("01 00 00"), Catch::Contains("day_profile_table: 1 bytes after the value"));
    // a season starting on the last day of the month (day 0xFE) cannot be a fixed date
    const auto days =
        hex_bytes("01 01 02 02 11 00 01 01 02 03 09 04 00 00 ff ff 09 06 00 00 0a 00 64 ff 12 00 01");
    const auto bad_season =
        hex_bytes("01 01 02 03 09 01 42 09 0c ff ff 02 fe ff ff ff ff ff 80 00 00 09 01 41");
    activity_calendar_values v;
    v.week_profile_table = bytes_of(weeks);
    v.day_profile_table = bytes_of(days);
    v.season_profile = bytes_of(bad_season);
    CHECK_THAT(what_of([&] { (void)schedule_from_calendar(v); }),
               Catch::Contains("season_profile[0].season_start: month 2 day 254"));
    // a missing table
    activity_calendar_values none;
    CHECK_THROWS_AS(schedule_from_calendar(none), parse_error);
}
