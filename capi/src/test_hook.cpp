// A test-only hook: throws what the test asks for inside the exception barrier, so that tests/capi can check
// that nothing crosses it. The barrier test compiles it in (tests/capi/CMakeLists.txt); neither installed
// library holds it.
#include <new>
#include <stdexcept>

#include "barrier.hpp"

extern "C" __attribute__((visibility("hidden"))) int capi_test_throw(int what);

int capi_test_throw(int what) {
    return kvant::capi::barrier([what]() -> int {
        switch (what) {
            case 0:
                throw std::bad_alloc();
            case 1:
                throw std::runtime_error("a std::runtime_error from the test hook");
            case 2:
                throw kvant::parse_error(kvant::errc::csv_syntax, "a parse error from the test hook",
                                         kvant::location{"hook.csv", 7, "value", -1});
            case 3:
                throw 42;  // not even a std::exception
            default:
                return KVANT_OK;
        }
    });
}
