// The CSV importer of every table (and the store-less readings and meters parsers) into a memory_store that
// holds a small fixed fleet. See importer.hpp for the selector byte and the properties.
#include "importer.hpp"
#include "kvant/store/memory_store.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    kvant::memory_store s;
    kvant::fuzz::load_fixture(s);
    kvant::fuzz::check_import(s, kvant::fuzz::decode(data, size));
    return 0;
}
