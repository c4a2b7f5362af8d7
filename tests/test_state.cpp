// Meter state and communication (docs/state.md): relay changes and sessions in the store (both backends),
// the state of the bot's current readings and the map legend, and the «не на связи» rule over sessions.
// Times are the seeds': the bot's table of 21.08.2020 09:05 and the anomaly list of 06.07.2020 08:15
// (Europe/Moscow, UTC+3).
#include <sqlite3.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <random>

#include "kvant/algorithms/anomalies.hpp"
#include "kvant/algorithms/meter_state.hpp"
#include "kvant/io/csv.hpp"
#include "kvant/model/json.hpp"
#include "kvant/model/validation.hpp"
#include "kvant/store/memory_store.hpp"
#include "kvant/store/scoped_store.hpp"
#include "kvant/store/sqlite_store.hpp"
#include "store_backends.hpp"
#include "support.hpp"

using namespace kvant;
using namespace kvant::test;

namespace {

std::filesystem::path temp_db(const char* tag) {
    static std::mt19937_64 rng{std::random_device{}()};
    return std::filesystem::temp_directory_path() /
           ("kvant-test-" + std::string(tag) + "-" + std::to_string(rng()) + ".db");
}
void remove_db(const std::filesystem::path& p) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(p.string() + suffix);
}

/// Meters 15002, 98970001 and 98980020 (the cabinet's table, 001 §3.3.3), without points.
void populate(store& s) {
    for (const char* serial : {"15002", "98970001", "98980020"}) {
        meter m;
        m.serial = serial;
        s.put(m);
    }
}

relay_change relay(const char* meter, const char* time, relay_position p,
                   relay_reason why = relay_reason::command, const char* by = "", const char* note = "") {
    return {meter, at(time), p, why, by, note};
}
comm_session session(const char* meter, const char* start, const char* end,
                     session_result r = session_result::ok, link_channel ch = link_channel::gsm) {
    return {meter, at(start), at(end), ch, r, ""};
}

const instant ever_from = from_unix(0);
const instant ever_to = from_unix(4'000'000'000);

}  // namespace

// ---- model

TEST_CASE("relay changes and sessions are validated", "[state][model]") {
    CHECK(validate(relay("15002", "2020-08-10T10:00:00Z", relay_position::off)).empty());
    auto no_meter = validate(relay("", "2020-08-10T10:00:00Z", relay_position::off));
    REQUIRE(no_meter.size() == 1);
    CHECK(no_meter[0].field == "meter");
    CHECK(has_errors(validate(relay("15002", "2100-01-01T00:00:00Z", relay_position::off))));

    CHECK(validate(session("15002", "2020-08-21T06:00:00Z", "2020-08-21T06:00:40Z")).empty());
    const auto backwards = validate(session("15002", "2020-08-21T06:00:40Z", "2020-08-21T06:00:00Z"));
    REQUIRE(backwards.size() == 1);
    CHECK(backwards[0].level == severity::error);
    CHECK(backwards[0].field == "end");
    CHECK(backwards[0].message ==
          "the session ends at 2020-08-21T06:00:00Z, before its start 2020-08-21T06:00:40Z");
    // 25 hours: kept, with a warning
    const auto long_one = validate(session("15002", "2020-08-20T06:00:00Z", "2020-08-21T07:00:00Z"));
    REQUIRE(long_one.size() == 1);
    CHECK(long_one[0].level == severity::warning);
    CHECK(long_one[0].message ==
          "the session lasts 90000 s, more than a day (a session the collector did not close?)");
}

TEST_CASE("the state enums read back their names", "[state][model]") {
    CHECK(parse_enum<relay_position>("off") == relay_position::off);
    CHECK(parse_enum<relay_reason>("limiter") == relay_reason::limiter);
    CHECK(parse_enum<link_channel>("nb_iot") == link_channel::nb_iot);
    CHECK(parse_enum<session_result>("no_answer") == session_result::no_answer);
    CHECK(parse_enum<meter_status>("not_under_control") == meter_status::not_under_control);
    CHECK(to_string(meter_status::within_2w) == "2w");
    CHECK(parse_enum<contact_source>("session") == contact_source::session);
    CHECK(enum_values<meter_status>().size() == meter_status_count);
    CHECK_THROWS_WITH(parse_enum<relay_position>("open"),
                      Catch::Contains("unknown relay position 'open' (expected one of: on, off)"));
    CHECK_FALSE(try_parse_enum<session_result>("fine"));
}

// ---- store, both backends

TEMPLATE_TEST_CASE("relay changes are keyed by meter and time, with the events' conflict policy",
                   "[state][store]", memory_backend, sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    const std::vector<relay_change> history{
        relay("98970001", "2020-08-10T10:00:00Z", relay_position::off, relay_reason::command, "оператор",
              "долг"),
        relay("98970001", "2020-08-15T07:30:00Z", relay_position::on, relay_reason::command, "оператор"),
        relay("15002", "2020-08-18T12:00:00Z", relay_position::off, relay_reason::limiter),
    };
    auto st = b.s.put_relay_changes(history);
    CHECK(st.inserted == 3);
    st = b.s.put_relay_changes(history);
    CHECK(st.unchanged == 3);
    CHECK(st.inserted == 0);

    CHECK(b.s.relay_history("98970001", ever_from, ever_to) ==
          std::vector<relay_change>{history[0], history[1]});
    // [from, to): the change at 07:30 on 15.08 is the end, excluded
    CHECK(b.s.relay_history("", at("2020-08-10T10:00:00Z"), at("2020-08-15T07:30:00Z")) ==
          std::vector<relay_change>{history[0]});
    CHECK(b.s.relay_history("", ever_from, ever_to).size() == 3);  // ordered by meter: 15002 first
    CHECK(b.s.relay_history("", ever_from, ever_to).front().meter == "15002");

    // the change in force: before any, none (on); between, the off; after, the on
    CHECK(b.s.relay_at(at("2020-08-01T00:00:00Z")).empty());
    CHECK(b.s.relay_at(at("2020-08-12T00:00:00Z")) == std::vector<relay_change>{history[0]});
    CHECK(b.s.relay_at(at("2020-08-10T10:00:00Z"), "98970001") == std::vector<relay_change>{history[0]});
    CHECK(b.s.relay_at(at("2020-08-21T06:05:00Z")) == std::vector<relay_change>{history[2], history[1]});
    CHECK(b.s.relay_at(at("2020-08-21T06:05:00Z"), "98980020").empty());

    // another value for a stored key: fail names it, keep keeps, replace replaces
    auto other = history[2];
    other.reason = relay_reason::event;
    CHECK_THROWS_WITH(b.s.put_relay_changes(std::span(&other, 1)),
                      "[kvant.storage.302] relay change of meter 15002 at 2020-08-18T12:00:00Z is stored "
                      "already with other values");
    CHECK(b.s.put_relay_changes(std::span(&other, 1), on_conflict::keep).kept == 1);
    CHECK(b.s.relay_at(at("2020-08-19T00:00:00Z"), "15002").front().reason == relay_reason::limiter);
    CHECK(b.s.put_relay_changes(std::span(&other, 1), on_conflict::replace).replaced == 1);
    CHECK(b.s.relay_at(at("2020-08-19T00:00:00Z"), "15002").front().reason == relay_reason::event);
}

TEMPLATE_TEST_CASE("a bad row or an unknown meter refuses the whole batch", "[state][store]", memory_backend,
                   sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    const std::vector<relay_change> unknown{
        relay("15002", "2020-08-18T12:00:00Z", relay_position::off),
        relay("99999999", "2020-08-18T12:00:00Z", relay_position::off),
    };
    CHECK_THROWS_WITH(b.s.put_relay_changes(unknown),
                      "[kvant.validation.201] field 'meter': relay change 2: unknown meter '99999999'");
    CHECK(b.s.relay_history("", ever_from, ever_to).empty());

    const std::vector<comm_session> backwards{
        session("15002", "2020-08-21T06:00:00Z", "2020-08-21T06:00:30Z"),
        session("15002", "2020-08-21T06:30:30Z", "2020-08-21T06:30:00Z"),
    };
    CHECK_THROWS_WITH(
        b.s.put_sessions(backwards),
        Catch::StartsWith(
            "[kvant.validation.200] field 'end': session 2 (15002 at 2020-08-21T06:30:30Z): the "
            "session ends at 2020-08-21T06:30:00Z"));
    CHECK(b.s.sessions("", ever_from, ever_to).empty());
    CHECK(b.s.link_summaries().empty());

    // a conflict inside a transaction rolls back what the batch wrote before it
    const std::vector<comm_session> twice{
        session("98970001", "2020-08-21T06:00:00Z", "2020-08-21T06:00:30Z"),
        session("98970001", "2020-08-21T06:00:00Z", "2020-08-21T06:00:30Z", session_result::error),
    };
    CHECK_THROWS_AS(b.s.put_sessions(twice), storage_error);
    CHECK(b.s.sessions("98970001", ever_from, ever_to).empty());
    CHECK(b.s.link_summaries("98970001").empty());
}

TEMPLATE_TEST_CASE("each meter's last session and last successful one are kept on write", "[state][store]",
                   memory_backend, sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    const std::vector<comm_session> day{
        session("98980020", "2020-08-19T06:05:00Z", "2020-08-19T06:05:40Z"),
        session("98980020", "2020-08-20T06:00:00Z", "2020-08-20T06:01:00Z", session_result::partial),
        session("98980020", "2020-08-21T06:00:00Z", "2020-08-21T06:02:00Z", session_result::no_answer),
        session("15002", "2020-08-21T06:00:00Z", "2020-08-21T06:00:20Z", session_result::timeout),
    };
    CHECK(b.s.put_sessions(day).inserted == 4);
    CHECK(b.s.sessions("98980020", at("2020-08-20T00:00:00Z"), ever_to) ==
          std::vector<comm_session>{day[1], day[2]});
    const auto all = b.s.link_summaries();
    REQUIRE(all.size() == 2);
    CHECK(all[0] == link_summary{"15002", day[3], std::nullopt});
    CHECK(all[1] == link_summary{"98980020", day[2], day[1]});
    CHECK(b.s.link_summaries("98970001").empty());

    // the partial session of 20.08 turns out to have failed: the last successful one is 19.08's again
    auto failed = day[1];
    failed.result = session_result::error;
    CHECK(b.s.put_sessions(std::span(&failed, 1), on_conflict::replace).replaced == 1);
    CHECK(b.s.link_summaries("98980020") == std::vector<link_summary>{{"98980020", day[2], day[0]}});
    // an older session written later changes neither
    const auto old = session("98980020", "2020-08-01T00:00:00Z", "2020-08-01T00:01:00Z");
    b.s.put_sessions(std::span(&old, 1));
    CHECK(b.s.link_summaries("98980020") == std::vector<link_summary>{{"98980020", day[2], day[0]}});
}

// ---- SQLite: migration and rows written behind the store

TEST_CASE("a schema 3 database is migrated to 4 on a writing open, refused read-only", "[state][sqlite]") {
    const auto file = temp_db("state-v3");
    {
        sqlite_store s(file);
        populate(s);
    }
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(file.string().c_str(), &db) == SQLITE_OK);
        // what schema 3 was: no schema 4 table (those of the other parts of schema 4 too)
        REQUIRE(sqlite3_exec(db, (std::string(test::drop_schema_v4_tables) + "PRAGMA user_version=3").c_str(),
                             nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(db);
    }
    CHECK_THROWS_WITH(sqlite_store(file, sqlite_store::mode::read_only),
                      Catch::Contains("has schema version 3") && Catch::Contains("kvant migrate --db FILE"));
    {
        sqlite_store s(file, sqlite_store::mode::open);
        const auto r = relay("15002", "2020-08-18T12:00:00Z", relay_position::off);
        CHECK(s.put_relay_changes(std::span(&r, 1)).inserted == 1);
        CHECK(s.find<meter>("98980020"));
        CHECK(s.check().empty());
    }
    sqlite_store ro(file, sqlite_store::mode::read_only);
    CHECK(ro.relay_at(at("2020-08-21T00:00:00Z")).size() == 1);
    remove_db(file);
}

TEST_CASE("a relay or session row changed behind the store fails its read naming it", "[state][sqlite]") {
    const auto file = temp_db("state-corrupt");
    {
        sqlite_store s(file);
        populate(s);
        const auto r = relay("15002", "2020-08-18T12:00:00Z", relay_position::off);
        s.put_relay_changes(std::span(&r, 1));
        const auto c = session("15002", "2020-08-21T06:00:00Z", "2020-08-21T06:00:20Z");
        s.put_sessions(std::span(&c, 1));
    }
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(file.string().c_str(), &db) == SQLITE_OK);
        REQUIRE(sqlite3_exec(
                    db, "UPDATE relay_changes SET position='sideways'; UPDATE comm_sessions SET ends='soon'",
                    nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(db);
    }
    sqlite_store s(file, sqlite_store::mode::read_only);
    CHECK_THROWS_WITH(
        s.relay_at(at("2020-08-21T00:00:00Z")),
        "[kvant.storage.306] stored relay_changes row of meter '15002' at ts 1597752000: column "
        "'position' holds text 'sideways', not a relay position; kvant validate lists every such "
        "row");
    // kvant validate (sqlite_store::check) lists both rows
    const auto found = s.check();
    REQUIRE(found.size() == 2);
    CHECK(found[0].to_string() ==
          "error: table relay_changes, meter '15002' at ts 1597752000, column position: holds text "
          "'sideways', not a "
          "relay position");
    CHECK(found[1].table == "comm_sessions");
    CHECK(found[1].column == "ends");
    CHECK_THROWS_WITH(s.link_summaries(), Catch::Contains("stored comm_sessions row of meter '15002' at ts "
                                                          "1597989600: column 'ends' holds text 'soon'"));
    remove_db(file);
}

// ---- the state of a meter (000 §3.2.3, 001 §3.3.2.3)

TEST_CASE("the state: disconnected first, then not on control, then the link bucket", "[state][algorithms]") {
    const zone msk = zone::parse("Europe/Moscow");
    const instant now = at("2020-08-21T06:05:00Z");  // 21.08.2020 09:05 МСК
    meter m;
    m.serial = "98970001";
    const auto off = relay("98970001", "2020-08-10T10:00:00Z", relay_position::off, relay_reason::command,
                           "оператор", "долг");
    const auto on = relay("98970001", "2020-08-15T07:30:00Z", relay_position::on);
    const link_summary fresh{"98970001", session("98970001", "2020-08-21T06:00:00Z", "2020-08-21T06:00:30Z"),
                             session("98970001", "2020-08-21T06:00:00Z", "2020-08-21T06:00:30Z")};

    // relay off: Отключен even though the meter answered five minutes ago
    auto s = state_of({&m, msk, &off, &fresh, std::nullopt}, now);
    CHECK(s.status == meter_status::disconnected);
    CHECK(label_ru(s.status) == "Отключен");
    CHECK(s.link == link_bucket::within_30min);
    CHECK(s.relay == relay_position::off);
    CHECK(s.relay_since == off);
    CHECK(s.last == contact{at("2020-08-21T06:00:00Z"), contact_source::session});

    // relay on again: the link bucket, 5 minutes → До 30 минут
    s = state_of({&m, msk, &on, &fresh, std::nullopt}, now);
    CHECK(s.status == meter_status::within_30min);
    CHECK(label_ru(s.status) == "До 30 минут");

    // a change stamped after now is not in force yet
    const auto later = relay("98970001", "2020-08-21T07:00:00Z", relay_position::off);
    CHECK(state_of({&m, msk, &later, &fresh, std::nullopt}, now).status == meter_status::within_30min);

    // not on control: shown as such, never as no link
    meter quiet = m;
    quiet.under_control = false;
    s = state_of({&quiet, msk, nullptr, nullptr, std::nullopt}, now);
    CHECK(s.status == meter_status::not_under_control);
    CHECK(s.link == link_bucket::no_link);
    CHECK(label_ru(s.status) == "Не на контроле");
    // …unless its relay is off
    CHECK(state_of({&quiet, msk, &off, nullptr, std::nullopt}, now).status == meter_status::disconnected);

    // removed on 01.08.2020: Отключен
    meter gone = m;
    gone.removed = parse_date("2020-08-01");
    CHECK(state_of({&gone, msk, nullptr, &fresh, std::nullopt}, now).status == meter_status::disconnected);

    // sessions: the last successful one counts, exactly 48 h old → До 2 суток; the failed one of today not
    const link_summary failing{
        "98980020",
        session("98980020", "2020-08-21T06:00:00Z", "2020-08-21T06:02:00Z", session_result::no_answer),
        session("98980020", "2020-08-19T06:05:00Z", "2020-08-19T06:05:40Z")};
    s = state_of({&m, msk, nullptr, &failing, at("2020-08-21T06:04:00Z")}, now);
    CHECK(s.status == meter_status::within_2d);
    CHECK(label_ru(s.status) == "До 2 суток");
    CHECK(s.last.source == contact_source::session);

    // no sessions: the last reading, 2 h 05 min old → До 1 суток
    s = state_of({&m, msk, nullptr, nullptr, at("2020-08-21T04:00:00Z")}, now);
    CHECK(s.status == meter_status::within_1d);
    CHECK(s.last == contact{at("2020-08-21T04:00:00Z"), contact_source::reading});

    // sessions, none successful: the last reading still says when the meter was last heard
    const link_summary never{
        "15002", session("15002", "2020-08-21T06:00:00Z", "2020-08-21T06:00:20Z", session_result::timeout),
        std::nullopt};
    // 13 days 5 minutes → До 2 недель; 14 days 5 minutes → Не на связи
    CHECK(last_contact(&never, at("2020-08-08T06:00:00Z")) ==
          contact{at("2020-08-08T06:00:00Z"), contact_source::reading});
    CHECK(state_of({&m, msk, nullptr, &never, at("2020-08-08T06:00:00Z")}, now).status ==
          meter_status::within_2w);
    CHECK(state_of({&m, msk, nullptr, &never, at("2020-08-07T06:00:00Z")}, now).status ==
          meter_status::no_link);
    // nothing at all: Не на связи
    s = state_of({&m, msk, nullptr, &never, std::nullopt}, now);
    CHECK(s.status == meter_status::no_link);
    CHECK(label_ru(s.status) == "Не на связи");
}

TEST_CASE("«не на связи» uses the last successful session when the host has sessions", "[state][anomalies]") {
    // 001 §3.4.4: «06.07.2020 08:15 11002756 … Прибор учета не на связи более 10 дн. Последний сеанс связи
    // был 26.06.2020 11:58»
    meter m;
    m.serial = "11002756";
    m.measures = resource::electricity;
    const fleet f = one_point_fleet({m}, zone::parse("Europe/Moscow"));
    const meter& fm = *f.find_meter("11002756");
    const instant now = at("2020-07-06T05:15:00Z");  // 06.07.2020 08:15 МСК
    // readings came on (entered by hand) until 05.07; the collector last reached the meter on 26.06 11:58
    const auto series =
        totals("11002756", {{"2020-06-20T00:00:00Z", "100"}, {"2020-07-05T00:00:00Z", "120"}});
    const link_summary link{
        "11002756",
        session("11002756", "2020-07-06T05:00:00Z", "2020-07-06T05:01:00Z", session_result::no_answer),
        session("11002756", "2020-06-26T08:58:00Z", "2020-06-26T08:58:40Z")};
    auto no_link = [&](const link_summary* l) {
        std::vector<anomaly> out;
        for (auto& a : meter_anomalies(f, {&fm, &series, {}, l}, now))
            if (a.type == anomaly_type::no_link) out.push_back(a);
        return out;
    };
    const auto found = no_link(&link);
    REQUIRE(found.size() == 1);
    CHECK(found[0].render(language::ru) ==
          "Прибор учета не на связи более 10 дн. Последний сеанс связи был 26.06.2020 11:58");
    CHECK(found[0].from == at("2020-06-26T08:58:00Z"));
    // without sessions the reading of 05.07 is the last contact: one day, nothing to report
    CHECK(no_link(nullptr).empty());
    // a meter not on control is not reported
    meter quiet = m;
    quiet.under_control = false;
    const fleet fq = one_point_fleet({quiet}, zone::parse("Europe/Moscow"));
    const auto quiet_found = meter_anomalies(fq, {fq.find_meter("11002756"), &series, {}, &link}, now);
    CHECK(std::none_of(quiet_found.begin(), quiet_found.end(),
                       [](const anomaly& a) { return a.type == anomaly_type::no_link; }));
}

// ---- CSV and JSON

TEMPLATE_TEST_CASE("relay changes and sessions import from CSV and export back", "[state][io]",
                   memory_backend, sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    const auto rep = import_csv(b.s, table_kind::relay_changes,
                                "meter,timestamp,position,reason,by,note\n"
                                "98970001,2020-08-10T13:00:00+03:00,off,command,оператор,долг\n"
                                "98970001,2020-08-15T10:30:00+03:00,on,,,\n",
                                "relay.csv");
    CHECK(rep.rows == 2);
    CHECK(rep.stats.inserted == 2);
    CHECK(b.s.relay_history("98970001", ever_from, ever_to) ==
          std::vector<relay_change>{
              relay("98970001", "2020-08-10T10:00:00Z", relay_position::off, relay_reason::command,
                    "оператор", "долг"),
              relay("98970001", "2020-08-15T07:30:00Z", relay_position::on, relay_reason::unknown)});
    std::ostringstream out;
    export_csv(b.s, table_kind::relay_changes, out);
    CHECK(out.str() ==
          "meter,timestamp,position,reason,by,note\n"
          "98970001,2020-08-10T10:00:00Z,off,command,оператор,долг\n"
          "98970001,2020-08-15T07:30:00Z,on,unknown,,\n");

    // sessions: times without an offset follow the import's default (+03:00 here)
    import_options o;
    o.default_offset_minutes = 180;
    import_csv(b.s, table_kind::sessions,
               "meter,start,end,channel,result,note\n"
               "98980020,2020-08-21T09:00:00,2020-08-21T09:02:00,nb_iot,no_answer,нет ответа\n"
               "98980020,2020-08-19T09:05:00,2020-08-19T09:05:40,nb_iot,ok,\n",
               "sessions.csv", o);
    CHECK(b.s.link_summaries("98980020") ==
          std::vector<link_summary>{
              {"98980020",
               comm_session{"98980020", at("2020-08-21T06:00:00Z"), at("2020-08-21T06:02:00Z"),
                            link_channel::nb_iot, session_result::no_answer, "нет ответа"},
               comm_session{"98980020", at("2020-08-19T06:05:00Z"), at("2020-08-19T06:05:40Z"),
                            link_channel::nb_iot, session_result::ok, ""}}});
    std::ostringstream sessions_out;
    export_csv(b.s, table_kind::sessions, sessions_out);
    CHECK(sessions_out.str() ==
          "meter,start,end,channel,result,note\n"
          "98980020,2020-08-19T06:05:00Z,2020-08-19T06:05:40Z,nb_iot,ok,\n"
          "98980020,2020-08-21T06:00:00Z,2020-08-21T06:02:00Z,nb_iot,no_answer,нет ответа\n");
}

TEMPLATE_TEST_CASE("a failed import of relay changes or sessions changes nothing", "[state][io]",
                   memory_backend, sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    // line 3: an unknown position
    CHECK_THROWS_WITH(import_csv(b.s, table_kind::relay_changes,
                                 "meter,timestamp,position\n15002,2020-08-10T10:00:00Z,off\n"
                                 "15002,2020-08-11T10:00:00Z,open\n",
                                 "relay.csv"),
                      Catch::Contains("relay.csv:3: field 'position'") &&
                          Catch::Contains("unknown relay position 'open' (expected one of: on, off)"));
    // line 2: a session without its result (required)
    CHECK_THROWS_WITH(import_csv(b.s, table_kind::sessions,
                                 "meter,start,end,result\n15002,2020-08-10T10:00:00Z,2020-08-10T10:01:00Z,\n",
                                 "sessions.csv"),
                      Catch::Contains("sessions.csv:2: field 'result'"));
    // the same key twice with different content, naming both lines
    CHECK_THROWS_WITH(
        import_csv(b.s, table_kind::sessions,
                   "meter,start,end,result\n15002,2020-08-10T10:00:00Z,2020-08-10T10:01:00Z,ok\n"
                   "15002,2020-08-10T10:00:00Z,2020-08-10T10:02:00Z,ok\n",
                   "sessions.csv"),
        Catch::Contains("sessions.csv:3: field 'end'") &&
            Catch::Contains("is given twice with different values (first at sessions.csv:2)"));
    // a stored key with other values: refused under the default policy, naming the line
    import_csv(b.s, table_kind::relay_changes, "meter,timestamp,position\n15002,2020-08-10T10:00:00Z,off\n",
               "a.csv");
    CHECK_THROWS_WITH(import_csv(b.s, table_kind::relay_changes,
                                 "meter,timestamp,position\n98970001,2020-08-10T10:00:00Z,off\n"
                                 "15002,2020-08-10T10:00:00Z,on\n",
                                 "b.csv"),
                      Catch::Contains("b.csv:3") && Catch::Contains("is stored already with other values"));
    CHECK(b.s.relay_history("", ever_from, ever_to) ==
          std::vector<relay_change>{
              relay("15002", "2020-08-10T10:00:00Z", relay_position::off, relay_reason::unknown)});
    CHECK(b.s.sessions("", ever_from, ever_to).empty());
}

TEST_CASE("relay changes and sessions read back from JSON", "[state][io]") {
    const auto r = relay("98970001", "2020-08-10T10:00:00Z", relay_position::off, relay_reason::command,
                         "оператор", "долг");
    const nlohmann::json j = r;
    CHECK(
        j.dump() ==
        R"({"by":"оператор","meter":"98970001","note":"долг","position":"off","reason":"command","time":"2020-08-10T10:00:00Z"})");
    CHECK(j.get<relay_change>() == r);
    const auto c = session("98980020", "2020-08-21T06:00:00Z", "2020-08-21T06:02:00Z",
                           session_result::no_answer, link_channel::lorawan);
    const nlohmann::json k = c;
    CHECK(
        k.dump() ==
        R"({"channel":"lorawan","end":"2020-08-21T06:02:00Z","meter":"98980020","result":"no_answer","start":"2020-08-21T06:00:00Z"})");
    CHECK(k.get<comm_session>() == c);
    CHECK_THROWS_WITH(
        nlohmann::json::parse(R"({"meter":"1","start":"2020-08-21T06:00:00Z","end":"2020-08-21T06:00:00Z"})")
            .get<comm_session>(),
        Catch::Contains("result") && Catch::Contains("required value is missing"));
}

// ---- the tenant scope (store/scoped_store.hpp): an organisation sees its meters' state only

TEMPLATE_TEST_CASE("a scoped store shows and takes only its organisation's relay changes and sessions",
                   "[state][store]", memory_backend, sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    for (const char* org : {"dnt", "tsn"}) {
        organization o;
        o.id = org;
        o.name = org;
        b.s.put(o);
        b.s.put(abonent{std::string("ab-") + org, org, abonent_kind::person, "X", "", "", std::nullopt});
        account a;
        a.number = std::string("A-") + org;
        a.abonent = std::string("ab-") + org;
        b.s.put(a);
        b.s.put(metering_point{std::string("tp-") + org, a.number, "", "", "", ""});
        meter m;
        m.serial = org == std::string("dnt") ? "98970004" : "55478";
        m.point = std::string("tp-") + org;
        b.s.put(m);
    }
    const std::vector<relay_change> offs{relay("55478", "2020-08-10T10:00:00Z", relay_position::off),
                                         relay("98970004", "2020-08-10T10:00:00Z", relay_position::off)};
    b.s.put_relay_changes(offs);
    const std::vector<comm_session> ss{session("55478", "2017-10-08T13:25:00Z", "2017-10-08T13:26:00Z"),
                                       session("98970004", "2020-08-21T06:00:00Z", "2020-08-21T06:00:35Z")};
    b.s.put_sessions(ss);

    scoped_store dnt(b.s, "dnt");
    CHECK(dnt.relay_at(at("2020-08-21T00:00:00Z")) == std::vector<relay_change>{offs[1]});
    CHECK(dnt.relay_at(at("2020-08-21T00:00:00Z"), "55478").empty());
    CHECK(dnt.relay_history("", ever_from, ever_to) == std::vector<relay_change>{offs[1]});
    CHECK(dnt.sessions("55478", ever_from, ever_to).empty());
    CHECK(dnt.link_summaries().size() == 1);
    CHECK(dnt.link_summaries().front().meter == "98970004");
    // writing another organisation's meter through the scope is refused as an unknown meter
    const auto foreign = relay("55478", "2020-08-20T10:00:00Z", relay_position::on);
    CHECK_THROWS_WITH(dnt.put_relay_changes(std::span(&foreign, 1)),
                      Catch::Contains("relay change 1: unknown meter '55478'"));
    CHECK(b.s.relay_history("55478", ever_from, ever_to).size() == 1);
}

TEMPLATE_TEST_CASE("a meter with relay changes or sessions is history: erase refuses it", "[state][store]",
                   memory_backend, sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    const auto off = relay("15002", "2020-08-10T10:00:00Z", relay_position::off);
    b.s.put_relay_changes(std::span(&off, 1));
    const auto c = session("98970001", "2020-08-21T06:00:00Z", "2020-08-21T06:00:35Z");
    b.s.put_sessions(std::span(&c, 1));
    CHECK_THROWS_WITH(b.s.erase(entity_kind::meter, "15002"), Catch::Contains("1 relay change"));
    CHECK_THROWS_WITH(b.s.erase(entity_kind::meter, "98970001"), Catch::Contains("1 session"));
    CHECK(b.s.relay_history("15002", ever_from, ever_to).size() == 1);
    // a meter without any history is erased
    CHECK(b.s.erase(entity_kind::meter, "98980020").size() == 1);
    CHECK_FALSE(b.s.template find<meter>("98980020"));
}

// ---- batches: the conflict policy row by row in batch order, and the link summaries of a batch

TEMPLATE_TEST_CASE("relay changes and sessions: a key written twice in one batch meets the batch's own row",
                   "[state][store][batch]", memory_backend, sqlite_backend, postgres_backend,
                   postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    const auto off = relay("15002", "2020-08-10T10:00:00Z", relay_position::off, relay_reason::command, "оп",
                           "\"долг\", {1}");
    auto on = off;
    on.position = relay_position::on;
    const std::vector<relay_change> changes{off, off, on};
    CHECK_THROWS_WITH(b.s.put_relay_changes(changes),
                      "[kvant.storage.302] relay change of meter 15002 at 2020-08-10T10:00:00Z is stored "
                      "already with other values");
    CHECK(b.s.relay_history("", ever_from, ever_to).empty());
    auto st = b.s.put_relay_changes(changes, on_conflict::replace);
    CHECK((st.inserted == 1 && st.unchanged == 1 && st.replaced == 1 && st.kept == 0));
    CHECK(b.s.relay_history("", ever_from, ever_to) == std::vector<relay_change>{on});

    // sessions: a batch that first fails, then replaces its own earlier row; the summary follows the last
    const auto ok = session("98970001", "2020-08-21T06:00:00Z", "2020-08-21T06:00:35Z");
    auto timed_out = ok;
    timed_out.result = session_result::timeout;
    const auto later =
        session("98970001", "2020-08-21T07:00:00Z", "2020-08-21T07:00:20Z", session_result::no_answer);
    const std::vector<comm_session> sessions{ok, later, timed_out};
    st = b.s.put_sessions(sessions, on_conflict::keep);
    CHECK((st.inserted == 2 && st.unchanged == 0 && st.replaced == 0 && st.kept == 1));
    auto links = b.s.link_summaries("98970001");
    REQUIRE(links.size() == 1);
    CHECK(links[0].last == later);
    CHECK(links[0].last_ok == ok);
    // replacing the one successful session by its failure leaves no successful one
    st = b.s.put_sessions(std::span(&timed_out, 1), on_conflict::replace);
    CHECK(st.replaced == 1);
    links = b.s.link_summaries();
    REQUIRE(links.size() == 1);
    CHECK(links[0].last == later);
    CHECK_FALSE(links[0].last_ok);
    CHECK(b.s.sessions("", ever_from, ever_to) == std::vector<comm_session>{timed_out, later});
}
