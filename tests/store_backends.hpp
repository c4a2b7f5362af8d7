// The store backends every conformance suite runs on (one definition, used by test_store, test_queries,
// test_state, test_tariff_store, test_analytics and test_reliability):
//   memory_backend        a memory_store
//   sqlite_backend        a sqlite_store on a fresh temporary file, removed in the destructor
//   postgres_backend      a postgres_store on a fresh database of test server 1, dropped in the destructor
//   postgres_fdw_backend  a postgres_store on a fresh database of server 1 whose readings are distributed
//                         (postgres_store::distribute) over fresh databases on servers 2 and 3
//
// The PostgreSQL servers are the tests' own (tests/pg/pg_servers.sh, tests/README.md): under CTest the
// fixture "postgres: start servers" starts them in <build>/tests/pg and passes KVANT_TEST_PG_DIR; a test
// binary run by hand without KVANT_TEST_PG_DIR starts its own once per process (in a temporary directory,
// stopped at exit). When the server binaries are absent the PostgreSQL variants skip, saying so: every
// TEMPLATE_TEST_CASE over backends starts with KVANT_BACKEND_OR_SKIP(TestType).
#pragma once

#include <fcntl.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "kvant/store/memory_store.hpp"
#include "kvant/store/postgres_store.hpp"
#include "kvant/store/sqlite_store.hpp"

#ifndef KVANT_PG_SERVERS_SCRIPT
#error "KVANT_PG_SERVERS_SCRIPT (tests/pg/pg_servers.sh) must be defined by the build"
#endif

namespace kvant::test {

/// The tests' PostgreSQL servers: `absent` holds the reason when there are none, else `conninfo[k-1]` is
/// server k's URI (superuser kvant with its password, database postgres).
struct pg_servers {
    std::string dir;
    std::string absent;
    std::vector<std::string> conninfo;
    std::string bindir;
};

namespace detail {
inline std::string read_line(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::string line;
    std::getline(in, line);
    return line;
}
inline pg_servers read_servers(const std::string& dir) {
    pg_servers out;
    out.dir = dir;
    if (std::filesystem::exists(std::filesystem::path(dir) / "absent")) {
        out.absent = read_line(std::filesystem::path(dir) / "absent");
        if (out.absent.empty()) out.absent = "PostgreSQL server binaries absent";
        return out;
    }
    for (int k = 1;; ++k) {
        const auto p = std::filesystem::path(dir) / ("server" + std::to_string(k) + ".conninfo");
        if (!std::filesystem::exists(p)) break;
        out.conninfo.push_back(read_line(p));
    }
    out.bindir = read_line(std::filesystem::path(dir) / "bindir");
    if (out.conninfo.empty())
        throw std::runtime_error(
            "KVANT_TEST_PG_DIR=" + dir +
            " holds no server*.conninfo and no 'absent': run tests/pg/pg_servers.sh start " + dir +
            " (CTest's fixture 'postgres: start servers' does)");
    return out;
}
/// Stops the servers in `dir` when this process ends, however it ends (a normal exit, a failed REQUIRE,
/// SIGPIPE, SIGKILL, a crash): a guardian process, detached from the terminal's signals, waits for the end of
/// a pipe only this process holds, then runs pg_servers.sh stop (a no-op when the process stopped them
/// itself).
inline void stop_servers_when_process_ends(const std::string& dir) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return;
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        return;
    }
    if (pid == 0) {
        ::setsid();
        ::close(fds[1]);
        const int null = ::open("/dev/null", O_RDWR);
        if (null >= 0)
            for (int fd = 0; fd < 3; ++fd) ::dup2(null, fd);
        char c;
        while (::read(fds[0], &c, 1) != 0) {  // EOF (0) when the test process is gone; -1 with EINTR: again
        }
        ::execl("/bin/bash", "bash", KVANT_PG_SERVERS_SCRIPT, "stop", dir.c_str(),
                static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(
        fds[0]);  // the write end stays open for the life of this process (close-on-exec for its children)
}
inline pid_t& starter_pid() {
    static pid_t pid = 0;
    return pid;
}
inline std::string& own_dir() {
    static std::string dir;
    return dir;
}
inline void stop_own_servers() {
    // only the process that started them (a forked child exiting must not stop its parent's servers)
    if (own_dir().empty() || ::getpid() != starter_pid()) return;
    const std::string cmd = "bash '" KVANT_PG_SERVERS_SCRIPT "' stop '" + own_dir() + "' >/dev/null 2>&1";
    [[maybe_unused]] const int rc = std::system(cmd.c_str());
    own_dir().clear();
}
}  // namespace detail

/// The servers, found once per process: KVANT_TEST_PG_DIR when set, else three servers started here.
inline const pg_servers& test_pg_servers() {
    static const pg_servers servers = [] {
        if (const char* d = std::getenv("KVANT_TEST_PG_DIR"); d != nullptr && *d != '\0')
            return detail::read_servers(d);
        std::mt19937_64 rng{std::random_device{}()};
        const std::string dir =
            (std::filesystem::temp_directory_path() /
             ("kvant-pg-" + std::to_string(::getpid()) + "-" + std::to_string(rng() % 1000000)))
                .string();
        detail::starter_pid() = ::getpid();
        detail::own_dir() = dir;
        std::atexit(detail::stop_own_servers);
        detail::stop_servers_when_process_ends(dir);
        const std::string cmd = "bash '" KVANT_PG_SERVERS_SCRIPT "' start '" + dir + "' 3 >/dev/null";
        if (std::system(cmd.c_str()) != 0)
            throw std::runtime_error("tests/pg/pg_servers.sh start " + dir + " failed");
        return detail::read_servers(dir);
    }();
    return servers;
}

/// Server k's URI (1-based) with the database `db` in place of `postgres`.
inline std::string pg_uri(int k, const std::string& db = "postgres") {
    std::string uri = test_pg_servers().conninfo.at(static_cast<std::size_t>(k - 1));
    const auto slash = uri.rfind('/');
    return uri.substr(0, slash + 1) + db;
}

/// Runs SQL without parameters on a connection string as the superuser (for test set-up and tampering);
/// throws with PostgreSQL's message on failure. Returns the first column of the first row, if any.
inline std::string pg_exec(const std::string& conninfo, const std::string& sql) {
    PGconn* c = PQconnectdb(conninfo.c_str());
    if (PQstatus(c) != CONNECTION_OK) {
        std::string msg = PQerrorMessage(c);
        PQfinish(c);
        throw std::runtime_error("test connection failed: " + msg);
    }
    PGresult* r = PQexec(c, sql.c_str());
    const auto st = PQresultStatus(r);
    std::string out;
    if (st == PGRES_TUPLES_OK && PQntuples(r) > 0 && PQnfields(r) > 0) out = PQgetvalue(r, 0, 0);
    const bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    std::string msg = ok ? "" : PQresultErrorMessage(r);
    PQclear(r);
    PQfinish(c);
    if (!ok) throw std::runtime_error("test SQL failed: " + msg + " in: " + sql);
    return out;
}

/// A fresh database on server k, dropped (WITH FORCE) in the destructor. A database rather than a schema per
/// test: CREATE DATABASE … STRATEGY FILE_COPY takes ~25 ms here against ~1 ms for a schema, but a database
/// isolates what distribute() creates (the postgres_fdw extension, foreign servers, user mappings) and what
/// the store checks (kvant_meta, foreign tables), so every test starts from an empty one.
struct pg_database {
    int server;
    std::string name;
    std::string conninfo;
    explicit pg_database(int k, const std::string& tag = "t") : server(k) {
        static std::atomic<unsigned> counter{0};
        static std::mt19937 rng{std::random_device{}()};
        static std::mutex m;
        unsigned r;
        {
            std::lock_guard<std::mutex> lock(m);
            r = static_cast<unsigned>(rng() % 100000);
        }
        name = "kvt_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
               std::to_string(r);
        pg_exec(pg_uri(k), "CREATE DATABASE " + name + " STRATEGY FILE_COPY");
        conninfo = pg_uri(k, name);
    }
    pg_database(const pg_database&) = delete;
    pg_database& operator=(const pg_database&) = delete;
    ~pg_database() {
        try {
            pg_exec(pg_uri(server), "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (...) {  // a server stopped by the test: its directory goes with it
        }
    }
};

inline std::filesystem::path temp_db_file(const char* tag) {
    static std::mt19937_64 rng{std::random_device{}()};
    return std::filesystem::temp_directory_path() /
           ("kvant-test-" + std::string(tag) + "-" + std::to_string(::getpid()) + "-" +
            std::to_string(rng()) + ".db");
}
inline void remove_db_file(const std::filesystem::path& p) {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"})
        std::filesystem::remove(p.string() + suffix, ec);
}

struct memory_backend {
    static constexpr bool needs_postgres = false;
    static constexpr const char* name = "memory";
    memory_store s;
};
struct sqlite_backend {
    static constexpr bool needs_postgres = false;
    static constexpr const char* name = "SQLite";
    std::filesystem::path file = temp_db_file("store");
    sqlite_store s{file};
    ~sqlite_backend() { remove_db_file(file); }
};
struct postgres_backend {
    static constexpr bool needs_postgres = true;
    static constexpr const char* name = "PostgreSQL";
    pg_database db{1};
    postgres_store s{db.conninfo};
};
struct postgres_fdw_backend {
    static constexpr bool needs_postgres = true;
    static constexpr const char* name = "PostgreSQL over postgres_fdw";
    pg_database db{1};
    pg_database shard2{2, "s"};
    pg_database shard3{3, "s"};
    postgres_store s{db.conninfo};
    postgres_fdw_backend() { s.distribute({shard2.conninfo, shard3.conninfo}); }
};

/// Why backend B cannot run here (empty when it can).
template <class B>
std::string backend_absent() {
    if constexpr (B::needs_postgres) {
        const auto& servers = test_pg_servers();
        if (!servers.absent.empty()) return std::string("SKIPPED on ") + B::name + ": " + servers.absent;
    }
    return {};
}

}  // namespace kvant::test

/// Skips the rest of a test over backend B when B cannot run here, saying why (a WARN, never a silent pass).
#define KVANT_BACKEND_OR_SKIP(B)                                                          \
    do {                                                                                  \
        if (const std::string why_ = ::kvant::test::backend_absent<B>(); !why_.empty()) { \
            WARN(why_);                                                                   \
            return;                                                                       \
        }                                                                                 \
    } while (false)
