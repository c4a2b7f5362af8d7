// The CSV importer into an sqlite_store on a real database file (WAL, foreign keys, the schema of today):
// each input starts from a copy of a template database that holds the small fixed fleet, opened afresh, so
// that the import runs its own top-level transaction as `kvant import` does. Selector byte and properties as
// in importer.hpp; the dump compares every table before and after through a second connection as well.
#include <unistd.h>

#include <filesystem>

#include "importer.hpp"
#include "kvant/store/sqlite_store.hpp"

namespace fs = std::filesystem;

namespace {

struct files {
    fs::path dir, templ, work;
    files() {
        std::string pattern = (fs::temp_directory_path() / "kvant-fuzz-sqlite-XXXXXX").string();
        if (!mkdtemp(pattern.data())) kvant::fuzz::fail("cannot create a temporary folder");
        dir = pattern;
        templ = dir / "template.db";
        work = dir / "work.db";
        kvant::sqlite_store s(templ, kvant::sqlite_store::mode::create);
        kvant::fuzz::load_fixture(s);
    }
    ~files() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};

void remove_db(const fs::path& p) {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(p.string() + suffix, ec);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static files f;
    remove_db(f.work);
    fs::copy_file(f.templ, f.work, fs::copy_options::overwrite_existing);
    const auto c = kvant::fuzz::decode(data, size);
    std::string last;
    {
        kvant::sqlite_store s(f.work, kvant::sqlite_store::mode::open);
        last = kvant::fuzz::check_import(s, c);
    }
    if (c.table) {
        // A new connection reads what the importing one saw last: nothing is lost or half-written at close,
        // and everything stored reads back (no stored text makes a later read fail).
        std::string reread;
        if (kvant::fuzz::fails_cleanly([&] {
                kvant::sqlite_store again(f.work, kvant::sqlite_store::mode::read_only);
                reread = kvant::fuzz::dump(again);
                // reads repair what an older release stored; what this release stored needs no repair: the
                // whole-database check (kvant validate) finds no error in it
                for (const auto& i : again.check())
                    KVANT_FUZZ_CHECK(i.level != kvant::severity::error,
                                     "check() after an import: " + i.to_string());
            }))
            kvant::fuzz::fail("the database does not read back after the import");
        KVANT_FUZZ_CHECK(reread == last, "another connection reads:\n" + reread + "\nnot\n" + last);
    }
    return 0;
}
