// Reliability of the stores (issue 14), on SQLite and PostgreSQL:
// - a write killed with SIGKILL at random points leaves all or nothing (and PostgreSQL servers killed with
// the
//   writer restart cleanly, by crash recovery);
// - readers during a write see the state before or after it, never a half; two writers of the same meters
// queue,
//   never fail; a server restarted under a long read gives a clear storage_io error and the next call
//   reconnects;
// - a corrupt, foreign or newer-version database gives a clear error naming it, never a crash;
// - a password given in the connection string never appears in a message.
// The tests that kill or restart a PostgreSQL server start one of their own (tests/pg/pg_servers.sh), never
// the shared test servers other tests use at the same time.
#include <sqlite3.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <functional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "store_backends.hpp"
#include "support.hpp"

using namespace kvant;
using namespace kvant::test;

namespace {

const channel A = channel::main(resource::electricity);

/// The message and code of what `f` throws as a kvant::error; fails the test when it throws none.
template <class F>
std::pair<errc, std::string> failure_of(F&& f) {
    try {
        f();
    } catch (const error& e) {
        return {e.code(), e.what()};
    }
    FAIL("no kvant::error thrown");
    return {};
}

std::string sh_quote(const std::string& s) {
    return "'" + s + "'";
}

/// A PostgreSQL server of this test's own (it is killed and restarted: never one other tests use).
struct own_pg_server {
    std::string dir;
    std::string uri;  // superuser kvant, database postgres
    std::string absent;
    own_pg_server() {
        static std::mt19937_64 rng{std::random_device{}()};
        dir = (std::filesystem::temp_directory_path() /
               ("kvant-pg-own-" + std::to_string(::getpid()) + "-" + std::to_string(rng() % 1000000)))
                  .string();
        test::detail::stop_servers_when_process_ends(dir);
        const std::string cmd = "bash '" KVANT_PG_SERVERS_SCRIPT "' start " + sh_quote(dir) + " 1 >/dev/null";
        if (std::system(cmd.c_str()) != 0) throw std::runtime_error("pg_servers.sh start " + dir + " failed");
        if (std::filesystem::exists(dir + "/absent")) {
            absent = test::detail::read_line(dir + "/absent");
            return;
        }
        uri = test::detail::read_line(dir + "/server1.conninfo");
    }
    own_pg_server(const own_pg_server&) = delete;
    own_pg_server& operator=(const own_pg_server&) = delete;
    ~own_pg_server() {
        const std::string cmd =
            "bash '" KVANT_PG_SERVERS_SCRIPT "' stop " + sh_quote(dir) + " >/dev/null 2>&1";
        [[maybe_unused]] const int rc = std::system(cmd.c_str());
    }
    std::string database(const std::string& name) const { return uri.substr(0, uri.rfind('/') + 1) + name; }
    /// SIGKILL to the postmaster (when still alive), then pg_ctl start (crash recovery).
    void crash_and_start() const {
        const std::string cmd = "bash '" KVANT_PG_SERVERS_SCRIPT "' kill " + sh_quote(dir) + " 1";
        REQUIRE(std::system(cmd.c_str()) == 0);
    }
    void restart(const char* mode = "fast") const {
        const std::string cmd =
            "bash '" KVANT_PG_SERVERS_SCRIPT "' restart " + sh_quote(dir) + " 1 " + mode + " >/dev/null";
        REQUIRE(std::system(cmd.c_str()) == 0);
    }
    std::string log() const {
        std::ifstream in(dir + "/server1.log");
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
};

#define KVANT_OWN_PG_OR_SKIP(server)                            \
    do {                                                        \
        if (!(server).absent.empty()) {                         \
            WARN("SKIPPED on PostgreSQL: " << (server).absent); \
            return;                                             \
        }                                                       \
    } while (false)

using opener = std::function<std::unique_ptr<store>()>;

std::string serial(int m) {
    return "k" + std::to_string(100 + m);
}
void put_meters(store& s, int count) {
    for (int m = 0; m < count; ++m) {
        meter x;
        x.serial = serial(m);
        s.put(x);
    }
}

// ---- the kill test's batches: batch i holds one value of each of `kill_meters` meters at time t0 + 900 i,
// of value 10 i + m (units), and comes with a meter model "batch-i" put in the same transaction.
constexpr int kill_meters = 8;
constexpr std::int64_t t0 = 1'735'689'600;  // 2025-01-01T00:00:00Z

reading_table kill_batch(int i) {
    reading_table t;
    for (int m = 0; m < kill_meters; ++m) {
        reading r;
        r.meter = serial(m);
        r.time = from_unix(t0 + 900 * std::int64_t{i});
        r.set(A, decimal::from_raw((10 * std::int64_t{i} + m) * 1'000'000));
        t.push(r);
    }
    return t;
}

/// The child: opens the store, says so on `ready`, then writes batches first, first+1, … until killed. Never
/// returns (and never runs the parent's exit handlers: _exit).
[[noreturn]] void write_until_killed(const opener& open, int first, int ready) {
    try {
        auto s = open();
        const char c = 'r';
        if (::write(ready, &c, 1) != 1) ::_exit(4);
        for (int i = first; i < first + 1'000'000; ++i) {
            transaction t(*s);
            meter_model mm;
            mm.id = "batch-" + std::to_string(i);
            mm.name = "batch";
            s->put(mm);
            s->put_readings(kill_batch(i));
            t.commit();
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "kill test writer failed: %s\n", e.what());
        std::fflush(stderr);
        ::_exit(3);
    }
    ::_exit(0);
}

/// All or nothing: the batches present are 0..k-1 (models and readings alike), each complete. Returns k.
/// `full`: also reads every value back and compares it with its batch.
int check_all_or_nothing(store& s, bool full) {
    std::set<int> models;
    for (const auto& mm : s.all<meter_model>()) {
        REQUIRE(mm.id.rfind("batch-", 0) == 0);
        models.insert(std::stoi(mm.id.substr(6)));
    }
    const int k = static_cast<int>(models.size());
    if (k > 0) {
        REQUIRE(*models.begin() == 0);
        REQUIRE(*models.rbegin() == k - 1);
    }
    REQUIRE(s.reading_count() == static_cast<std::size_t>(k) * kill_meters);
    if (full) {
        series_query q;
        q.provenance = false;
        auto c = s.scan(q);
        series_chunk chunk;
        std::vector<int> seen(kill_meters, 0);
        while (c->next(chunk)) {
            REQUIRE(chunk.ch == A);
            const int m = std::stoi(chunk.meter.substr(1)) - 100;
            REQUIRE((m >= 0 && m < kill_meters));
            for (std::size_t j = 0; j < chunk.size(); ++j) {
                const int i = seen[static_cast<std::size_t>(m)]++;
                REQUIRE(chunk.time[j] == t0 + 900 * std::int64_t{i});
                REQUIRE(chunk.value[j] == (10 * std::int64_t{i} + m) * 1'000'000);
            }
        }
        for (int m = 0; m < kill_meters; ++m) REQUIRE(seen[static_cast<std::size_t>(m)] == k);
    }
    return k;
}

/// Forks a writer and kills it with SIGKILL after a random delay; with `server`, kills that server's
/// postmaster with SIGKILL at the same moment (just before the writer) and starts it again after (crash
/// recovery).
void kill_once(const opener& open, int first, std::mt19937& rng, int max_delay_ms,
               const struct own_pg_server* server = nullptr);

std::string sqlite_integrity(const std::filesystem::path& file) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(file.string().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    std::string out;
    sqlite3_exec(
        db, "PRAGMA integrity_check",
        [](void* p, int, char** v, char**) {
            *static_cast<std::string*>(p) += v[0] ? v[0] : "";
            return 0;
        },
        &out, nullptr);
    sqlite3_close(db);
    return out;
}

// ---- readers and writers: batch j of `rw_meters` meters x `rw_values` half-hourly values, at day j.
constexpr int rw_meters = 50;
constexpr int rw_values = 48;
constexpr std::size_t rw_batch = std::size_t{rw_meters} * rw_values;

reading_table rw_batch_of(int j, int parity = 0, bool reverse = false) {
    reading_table t;
    for (int mm = 0; mm < rw_meters; ++mm) {
        const int m = reverse ? rw_meters - 1 - mm : mm;
        for (int v = 0; v < rw_values; ++v) {
            reading r;
            r.meter = serial(m);
            r.time = from_unix(t0 + 86'400 * std::int64_t{j} + 1800 * std::int64_t{v} + parity);
            r.set(A, decimal::from_raw((std::int64_t{j} * 100 + v) * 1'000'000 + m));
            t.push(r);
        }
    }
    return t;
}

/// A writer putting `batches` big batches (each one call: atomic) while a reader counts, by reading_count()
/// and by a cursor over everything: every count must be a whole number of batches.
void readers_see_before_or_after(const opener& open_writer, const opener& open_reader, int batches) {
    {
        auto s = open_writer();
        put_meters(*s, rw_meters);
    }
    std::atomic<bool> done{false}, reader_ready{false};
    std::string writer_error;
    std::thread writer([&] {
        try {
            auto s = open_writer();
            while (!reader_ready) std::this_thread::yield();  // the reader reads from before the first write
            for (int j = 0; j < batches; ++j) s->put_readings(rw_batch_of(j));
        } catch (const std::exception& e) {
            writer_error = e.what();
        }
        done = true;
    });
    std::vector<std::size_t> counts, scanned;
    std::string reader_error;
    try {
        auto s = open_reader();
        counts.push_back(s->reading_count());
        reader_ready = true;
        while (!done) {
            counts.push_back(s->reading_count());
            series_query q;
            q.provenance = false;
            auto c = s->scan(q);
            series_chunk chunk;
            std::size_t n = 0;
            while (c->next(chunk)) n += chunk.size();
            scanned.push_back(n);
        }
    } catch (const std::exception& e) {
        reader_error = e.what();
        reader_ready = true;
    }
    writer.join();
    CHECK(writer_error.empty());
    CHECK(reader_error.empty());
    INFO(counts.size() << " counts, " << scanned.size() << " scans during the writes");
    REQUIRE(!counts.empty());
    for (const auto n : counts) CHECK(n % rw_batch == 0);
    for (const auto n : scanned) CHECK(n % rw_batch == 0);
    auto s = open_reader();
    CHECK(s->reading_count() == rw_batch * static_cast<std::size_t>(batches));
}

/// Two writers on two connections, the same meters (in opposite orders) and the same blocks (one writes the
/// even seconds, the other the odd): both finish, every value is there.
void two_writers_queue(const opener& open, int batches) {
    {
        auto s = open();
        put_meters(*s, rw_meters);
    }
    std::string errors[2];
    std::thread w[2];
    for (int k = 0; k < 2; ++k)
        w[k] = std::thread([&, k] {
            try {
                auto s = open();
                for (int j = 0; j < batches; ++j) s->put_readings(rw_batch_of(j, k, k == 1));
            } catch (const std::exception& e) {
                errors[k] = e.what();
            }
        });
    for (auto& t : w) t.join();
    CHECK(errors[0].empty());
    CHECK(errors[1].empty());
    auto s = open();
    CHECK(s->reading_count() == 2 * rw_batch * static_cast<std::size_t>(batches));
    CHECK(s->reading_count(serial(7)) == 2 * std::size_t{rw_values} * static_cast<std::size_t>(batches));
}

void kill_once(const opener& open, int first, std::mt19937& rng, int max_delay_ms,
               const own_pg_server* server) {
    std::fflush(nullptr);
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(ready[0]);
        write_until_killed(open, first, ready[1]);
    }
    ::close(ready[1]);
    // the kill lands while the writer writes, not while it connects: wait until it has opened the store
    char c = 0;
    const auto got = ::read(ready[0], &c, 1);
    ::close(ready[0]);
    REQUIRE(got == 1);
    std::uniform_int_distribution<int> delay(0, max_delay_ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay(rng)));
    ::kill(pid, SIGKILL);
    if (server != nullptr) {
        // right after the writer (before it, the writer could see the server go and fail on its own): its
        // server process is still in the middle of the write it was sent
        const pid_t postmaster = std::stoi(test::detail::read_line(server->dir + "/server1/postmaster.pid"));
        REQUIRE(postmaster > 0);
        REQUIRE(::kill(postmaster, SIGKILL) == 0);
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    // the writer must have died of the kill, not of an error of its own
    INFO("writer status " << status);
    REQUIRE(WIFSIGNALED(status));
    REQUIRE(WTERMSIG(status) == SIGKILL);
    if (server != nullptr) server->crash_and_start();
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
TEST_CASE("a write killed with SIGKILL at random points leaves all or nothing (SQLite and PostgreSQL)",
          "[reliability][kill]") {
    std::mt19937 rng{20'260'114};
    int kills = 0, server_kills = 0;

    // SQLite: a fresh file; the writer opens it for writing, the parent checks it read-only between kills
    const auto file = temp_db_file("kill");
    {
        sqlite_store s(file);
        put_meters(s, kill_meters);
    }
    const opener sqlite_open = [&] { return std::make_unique<sqlite_store>(file, sqlite_store::mode::open); };
    int k = 0;
    for (int round = 0; round < 150; ++round) {
        kill_once(sqlite_open, k, rng, 20);
        ++kills;
        REQUIRE(sqlite_integrity(file) == "ok");
        sqlite_store s(file, sqlite_store::mode::open);  // open for writing: recovers a hot journal if any
        const int now = check_all_or_nothing(s, round % 25 == 24);
        REQUIRE(now >= k);  // committed batches stay
        k = now;
    }
    {
        sqlite_store s(file, sqlite_store::mode::read_only);
        check_all_or_nothing(s, true);
    }
    CHECK(k > 0);  // some batches were written between the kills
    const int sqlite_batches = k;
    remove_db_file(file);
    std::printf("kill test: SQLite: %d kills, %d batches committed\n", kills, sqlite_batches);

    // PostgreSQL: a server of the test's own; every tenth kill also kills the server (its postmaster), which
    // then starts again by crash recovery
    own_pg_server server;
    int pg_batches = 0;
    if (server.absent.empty()) {
        pg_exec(server.uri, "CREATE DATABASE kill_test");
        const std::string db = server.database("kill_test");
        {
            postgres_store s(db);
            put_meters(s, kill_meters);
        }
        const opener pg_open = [&] {
            return std::make_unique<postgres_store>(db, postgres_store::mode::open);
        };
        k = 0;
        for (int round = 0; round < 100; ++round) {
            const bool crash = round % 10 == 9;
            kill_once(pg_open, k, rng, 30, crash ? &server : nullptr);
            ++kills;
            server_kills += crash;
            postgres_store s(db, postgres_store::mode::open);
            const int now = check_all_or_nothing(s, round % 25 == 24);
            REQUIRE(now >= k);
            k = now;
        }
        // a clean stop and start after all that: the same content
        server.restart();
        {
            postgres_store s(db, postgres_store::mode::read_only);
            check_all_or_nothing(s, true);
        }
        CHECK(k > 0);
        pg_batches = k;
        // every server kill was a crash recovered on start
        const std::string log = server.log();
        std::size_t recoveries = 0;
        for (auto p = log.find("database system was interrupted"); p != std::string::npos;
             p = log.find("database system was interrupted", p + 1))
            ++recoveries;
        for (auto p = log.find("was not properly shut down"); p != std::string::npos;
             p = log.find("was not properly shut down", p + 1))
            ++recoveries;
        CHECK(recoveries >= static_cast<std::size_t>(server_kills));
    } else {
        WARN("SKIPPED the PostgreSQL half: " << server.absent);
    }
    std::printf(
        "kill test: %d kills (%d of them also of the PostgreSQL server); %d SQLite batches, %d PostgreSQL "
        "batches committed\n",
        kills, server_kills, sqlite_batches, pg_batches);
    CHECK(kills >= (server.absent.empty() ? 200 : 150));
}

TEMPLATE_TEST_CASE("readers during a write see the state before or after it, never a half", "[reliability]",
                   sqlite_backend, postgres_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    if constexpr (std::is_same_v<TestType, sqlite_backend>) {
        const auto file = b.file;
        readers_see_before_or_after(
            [file] { return std::make_unique<sqlite_store>(file, sqlite_store::mode::open); },
            [file] { return std::make_unique<sqlite_store>(file, sqlite_store::mode::read_only); }, 30);
    } else {
        const auto db = b.db.conninfo;
        readers_see_before_or_after(
            [db] { return std::make_unique<postgres_store>(db, postgres_store::mode::open); },
            [db] { return std::make_unique<postgres_store>(db, postgres_store::mode::read_only); }, 30);
    }
}

TEMPLATE_TEST_CASE("two writers of the same meters queue: both succeed under the default settings",
                   "[reliability]", sqlite_backend, postgres_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    if constexpr (std::is_same_v<TestType, sqlite_backend>) {
        const auto file = b.file;
        two_writers_queue([file] { return std::make_unique<sqlite_store>(file, sqlite_store::mode::open); },
                          20);
    } else {
        const auto db = b.db.conninfo;
        two_writers_queue([db] { return std::make_unique<postgres_store>(db, postgres_store::mode::open); },
                          20);
    }
}

TEST_CASE("a PostgreSQL server restarted under a long read: a clear storage_io error, then a reconnect",
          "[reliability][postgres]") {
    own_pg_server server;
    KVANT_OWN_PG_OR_SKIP(server);
    pg_exec(server.uri, "CREATE DATABASE restart_test");
    const std::string db = server.database("restart_test");
    const std::string password = db.substr(db.find(':', 14) + 1, db.find('@') - db.find(':', 14) - 1);
    postgres_store s(db);
    put_meters(s, rw_meters);
    for (int j = 0; j < 40; ++j) s.put_readings(rw_batch_of(j));  // 40 days of 50 meters: 100 blocks
    const std::size_t total = rw_batch * 40;
    REQUIRE(s.reading_count() == total);

    series_query q;
    q.provenance = false;
    auto c = s.scan(q);
    series_chunk chunk;
    REQUIRE(c->next(chunk));  // the read has begun
    server.restart("fast");   // terminates every session
    std::vector<std::pair<errc, std::string>> failures;
    try {
        while (c->next(chunk)) {
        }
    } catch (const error& e) {
        failures.emplace_back(e.code(), e.what());
    }
    c.reset();
    // the next calls: the first may still find the connection lost; then the store reconnects
    std::optional<std::size_t> count;
    for (int attempt = 0; attempt < 2 && !count; ++attempt) {
        try {
            count = s.reading_count();
        } catch (const error& e) {
            failures.emplace_back(e.code(), e.what());
        }
    }
    REQUIRE(!failures.empty());  // the restart ended the session: some call must have said so
    for (const auto& [code, what] : failures) {
        INFO(what);
        CHECK(code == errc::storage_io);
        CHECK(what.find("restart_test") != std::string::npos);  // names the database
        CHECK(what.find(password) == std::string::npos);
    }
    REQUIRE(count.has_value());
    CHECK(*count == total);
    CHECK(s.reading_count(serial(3)) == std::size_t{rw_values} * 40);
}

// ---------------------------------------------------------------------------------------------------------------
TEST_CASE("SQLite: a corrupt, foreign or newer database is a clear error naming the file", "[reliability]") {
    const auto file = temp_db_file("hostile");
    SECTION("random bytes") {
        std::mt19937 rng{7};
        std::ofstream out(file, std::ios::binary);
        for (int i = 0; i < 8192; ++i) out.put(static_cast<char>(rng() & 0xFF));
    }
    SECTION("a foreign SQLite database") {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(file.string().c_str(), &db) == SQLITE_OK);
        REQUIRE(sqlite3_exec(db, "CREATE TABLE meters(x); INSERT INTO meters VALUES(1)", nullptr, nullptr,
                             nullptr) == SQLITE_OK);
        sqlite3_close(db);
    }
    SECTION("a newer kvant database (user_version 99)") {
        { sqlite_store s(file); }
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(file.string().c_str(), &db) == SQLITE_OK);
        REQUIRE(sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(db);
    }
    for (const auto m :
         {sqlite_store::mode::create, sqlite_store::mode::open, sqlite_store::mode::read_only}) {
        const auto [code, what] = failure_of([&] { sqlite_store s(file, m); });
        INFO(what);
        CHECK((code == errc::storage_schema || code == errc::storage_io || code == errc::storage_corrupt));
        CHECK(what.find(file.filename().string()) != std::string::npos);
    }
    remove_db_file(file);
}

TEST_CASE("PostgreSQL: a foreign or newer database is a clear error naming it", "[reliability][postgres]") {
    KVANT_BACKEND_OR_SKIP(postgres_backend);
    pg_database d(1, "hostile");
    SECTION("a meters table of someone else's") {
        pg_exec(d.conninfo,
                "CREATE TABLE meters(serial text, owner text); INSERT INTO meters VALUES('1','x')");
        for (const auto m : {postgres_store::mode::create, postgres_store::mode::open}) {
            const auto [code, what] = failure_of([&] { postgres_store s(d.conninfo, m); });
            INFO(what);
            CHECK(code == errc::storage_schema);
            CHECK(what.find(d.name) != std::string::npos);
        }
        // and it is left as it was
        CHECK(pg_exec(d.conninfo, "SELECT count(*) FROM pg_tables WHERE schemaname='public'") == "1");
        CHECK(pg_exec(d.conninfo, "SELECT owner FROM meters") == "x");
    }
    SECTION("kvant_meta of a newer schema") {
        { postgres_store s(d.conninfo); }
        pg_exec(d.conninfo, "UPDATE kvant_meta SET value='99' WHERE key='schema_version'");
        const auto [code, what] =
            failure_of([&] { postgres_store s(d.conninfo, postgres_store::mode::open); });
        INFO(what);
        CHECK(code == errc::storage_schema);
        CHECK(what.find(d.name) != std::string::npos);
        CHECK(what.find("schema version 99") != std::string::npos);
    }
    SECTION("kvant_meta of another application") {
        pg_exec(d.conninfo,
                "CREATE TABLE kvant_meta(key text PRIMARY KEY, value text NOT NULL);"
                "INSERT INTO kvant_meta VALUES('application','someone-else'),('schema_version','1')");
        const auto [code, what] = failure_of([&] { postgres_store s(d.conninfo); });
        INFO(what);
        CHECK(code == errc::storage_schema);
        CHECK(what.find(d.name) != std::string::npos);
        CHECK(what.find("someone-else") != std::string::npos);
    }
    SECTION("a database that holds no kvant schema, opened for reading") {
        const auto [code, what] =
            failure_of([&] { postgres_store s(d.conninfo, postgres_store::mode::read_only); });
        CHECK(code == errc::storage_schema);
        CHECK(what.find(d.name) != std::string::npos);
    }
}

TEMPLATE_TEST_CASE("PostgreSQL: a corrupt block is storage_corrupt naming meter, channel and month",
                   "[reliability][postgres]", postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    put_meters(b.s, kill_meters);
    b.s.put_readings(kill_batch(0));  // 2025-01-01T00:00Z, meters k100..k107
    // the block of k101 in January 2025 made garbage, through the coordinator (a foreign partition too)
    pg_exec(b.db.conninfo,
            "UPDATE readings SET data='\\x0102deadbeef'::bytea WHERE meter=(SELECT id FROM meters "
            "WHERE serial='k101')");
    const auto [code, what] =
        failure_of([&] { b.s.readings("k101", from_unix(0), from_unix(4'000'000'000)); });
    INFO(what);
    CHECK(code == errc::storage_corrupt);
    CHECK(what.find("k101") != std::string::npos);
    CHECK(what.find("active_import") != std::string::npos);
    CHECK(what.find("2025-01") != std::string::npos);
    // the other meters read on
    CHECK(b.s.readings("k100", from_unix(0), from_unix(4'000'000'000)).size() == 1);
}

TEST_CASE("a password in the connection string never appears in a message", "[reliability][postgres]") {
    KVANT_BACKEND_OR_SKIP(postgres_backend);
    const std::string uri = pg_uri(1);
    const std::string password = uri.substr(uri.find(':', 14) + 1, uri.find('@') - uri.find(':', 14) - 1);
    REQUIRE(password.size() == 32);
    SECTION("a database that does not exist") {
        const auto [code, what] = failure_of([&] { postgres_store s(pg_uri(1, "kvant_no_such_database")); });
        CHECK(code == errc::storage_io);
        CHECK(what.find("kvant_no_such_database") != std::string::npos);
        CHECK(what.find(password) == std::string::npos);
    }
    SECTION("a wrong password") {
        std::string wrong = uri;
        wrong.replace(wrong.find(password), password.size(), "not-the-password-0123456789");
        const auto [code, what] = failure_of([&] { postgres_store s(wrong); });
        CHECK(code == errc::storage_io);
        CHECK(what.find("password authentication failed") != std::string::npos);
        CHECK(what.find("not-the-password-0123456789") == std::string::npos);
        CHECK(what.find(password) == std::string::npos);
    }
    SECTION("a key=value connection string") {
        const std::string port = uri.substr(uri.rfind(':') + 1, uri.rfind('/') - uri.rfind(':') - 1);
        const std::string kv = "host=127.0.0.1 port=" + port + " user=kvant password=" + password +
                               " dbname=kvant_no_such_database";
        const auto [code, what] = failure_of([&] { postgres_store s(kv); });
        CHECK(code == errc::storage_io);
        CHECK(what.find("kvant_no_such_database") != std::string::npos);
        CHECK(what.find(password) == std::string::npos);
    }
}
