// The CSV importer of every table (and the store-less readings and meters parsers) into a memory_store that
// holds a small fixed fleet. See importer.hpp for the selector byte and the properties. The fleet is imported
// once; each input runs inside an outer transaction that is rolled back after it (memory_store snapshots per
// transaction level, so the import's own rollback on failure is the same mechanism as at the top level; the
// sqlite_import target runs every import at the top level of a fresh database).
#include "importer.hpp"
#include "kvant/store/memory_store.hpp"

namespace {
struct fixture_store {
    kvant::memory_store s;
    std::string dump;
    fixture_store() {
        kvant::fuzz::load_fixture(s);
        dump = kvant::fuzz::dump(s);
    }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static fixture_store f;
    {
        kvant::transaction outer(f.s);  // rolled back at the end of the scope
        kvant::fuzz::check_import(f.s, kvant::fuzz::decode(data, size), &f.dump);
    }
    // the outer rollback restores the fleet, so that every input starts from the same store
    KVANT_FUZZ_CHECK(f.s.reading_count() == 6 && f.s.all<kvant::meter>().size() == 3,
                     "rolling back the outer transaction did not restore the fixed fleet");
    return 0;
}
