// The version functions: the C API carries the library's version (include/kvant/core/version.hpp).
#include "kvant/core/version.hpp"
#include "barrier.hpp"

static_assert(KVANT_C_VERSION_MAJOR == KVANT_VERSION_MAJOR && KVANT_C_VERSION_MINOR == KVANT_VERSION_MINOR &&
                  KVANT_C_VERSION_PATCH == KVANT_VERSION_PATCH,
              "capi/kvant.h's KVANT_C_VERSION_* must equal include/kvant/core/version.hpp's");

using kvant::capi::barrier;

extern "C" {

int kvant_version(void) {
    return barrier([] { return KVANT_VERSION; });
}

const char* kvant_version_string(void) {
    return barrier([]() -> const char* { return kvant::version_string(); }, "");
}

}  // extern "C"
