#include "libpq.hpp"

#include <dlfcn.h>

#include <string>

#include "kvant/core/error.hpp"

namespace kvant {
inline namespace v0 {
namespace detail::pg {

namespace {

libpq load() {
    // RTLD_LOCAL: its symbols stay out of the process's namespace (a host linking another libpq keeps its
    // own)
    void* lib = ::dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char* why = ::dlerror();
        throw storage_error(errc::storage_io, std::string("PostgreSQL's client library libpq.so.5 cannot be "
                                                          "loaded (Debian: apt install libpq5): ") +
                                                  (why ? why : "unknown error"));
    }
    libpq f;
    // a library without one of them is let go again: the next call tries anew
#define KVANT_LIBPQ_LOAD(name)                                                                          \
    f.name = reinterpret_cast<decltype(f.name)>(::dlsym(lib, "PQ" #name));                              \
    if (!f.name) {                                                                                      \
        ::dlclose(lib);                                                                                 \
        throw storage_error(errc::storage_io, "PostgreSQL's client library libpq.so.5 lacks PQ" #name); \
    }
    KVANT_LIBPQ_FUNCTIONS(KVANT_LIBPQ_LOAD)
#undef KVANT_LIBPQ_LOAD
    return f;  // the library stays loaded to the end of the process
}

}  // namespace

const libpq& pq() {
    static const libpq f = load();  // a failed load is tried again by the next call
    return f;
}

}  // namespace detail::pg
}  // namespace v0
}  // namespace kvant
