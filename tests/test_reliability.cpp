// Reliability of the stores (issue 14), on SQLite and PostgreSQL: a write killed with SIGKILL leaves all or
// nothing, readers during a write see before or after, two writers queue, a server restarted under a read
// gives a clear error and a reconnect, a corrupt, foreign or newer database gives a clear error naming it,
// and a password never appears in a message.
#include <catch2/catch.hpp>

#include <string>

#include "store_backends.hpp"
#include "support.hpp"

using namespace kvant;
using namespace kvant::test;

namespace {
/// The message of what `f` throws as a kvant::error, with its code; fails the test when it does not throw
/// one.
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
}  // namespace

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
}
