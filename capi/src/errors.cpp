// The last-error message, the status of each library error code, and the status names.
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "barrier.hpp"

namespace kvant::capi {

namespace {
// A fixed buffer, so that recording a failure (an out-of-memory one included) never allocates.
thread_local char last_message[2048] = "";
}  // namespace

int status_of(errc c) noexcept {
    switch (c) {
        case errc::overflow:
            return KVANT_E_OVERFLOW;
        case errc::storage_conflict:
            return KVANT_E_CONFLICT;
        case errc::not_found:
            return KVANT_E_NOT_FOUND;
        case errc::storage_busy:
            return KVANT_E_BUSY;
        case errc::storage_corrupt:
            return KVANT_E_CORRUPT;
        default:
            break;
    }
    const int v = static_cast<int>(c);
    if (v >= 100 && v < 200) return KVANT_E_PARSE;
    if (v >= 200 && v < 300) return KVANT_E_VALIDATION;
    if (v >= 300 && v < 400) return KVANT_E_STORAGE;
    if (v >= 400 && v < 500) return KVANT_E_CONFIG;
    if (v >= 500 && v < 600) return KVANT_E_DECODE;
    return KVANT_E_INTERNAL;
}

int record(int status, std::string_view prefix, std::string_view message) noexcept {
    constexpr std::size_t cap = sizeof(last_message) - 1;
    const std::size_t a = std::min(prefix.size(), cap);
    std::memcpy(last_message, prefix.data(), a);
    const std::size_t b = std::min(message.size(), cap - a);
    if (b) std::memcpy(last_message + a, message.data(), b);
    last_message[a + b] = '\0';
    return status;
}

void invalid(const char* function, const char* what) {
    throw failure(KVANT_E_INVALID_ARGUMENT,
                  std::string("[kvant.capi.invalid_argument] ") + function + ": " + what);
}

}  // namespace kvant::capi

namespace {

const char* status_name(int status) noexcept {
    switch (status) {
        case KVANT_OK:
            return "KVANT_OK";
        case KVANT_E_INVALID_ARGUMENT:
            return "KVANT_E_INVALID_ARGUMENT";
        case KVANT_E_NO_MEMORY:
            return "KVANT_E_NO_MEMORY";
        case KVANT_E_INTERNAL:
            return "KVANT_E_INTERNAL";
        case KVANT_E_PARSE:
            return "KVANT_E_PARSE";
        case KVANT_E_VALIDATION:
            return "KVANT_E_VALIDATION";
        case KVANT_E_OVERFLOW:
            return "KVANT_E_OVERFLOW";
        case KVANT_E_STORAGE:
            return "KVANT_E_STORAGE";
        case KVANT_E_BUSY:
            return "KVANT_E_BUSY";
        case KVANT_E_CORRUPT:
            return "KVANT_E_CORRUPT";
        case KVANT_E_CONFLICT:
            return "KVANT_E_CONFLICT";
        case KVANT_E_NOT_FOUND:
            return "KVANT_E_NOT_FOUND";
        case KVANT_E_CONFIG:
            return "KVANT_E_CONFIG";
        case KVANT_E_DECODE:
            return "KVANT_E_DECODE";
        default:
            return "unknown";
    }
}

}  // namespace

using namespace kvant::capi;

extern "C" {

const char* kvant_last_error(void) {
    return barrier([]() -> const char* { return last_message; }, "");
}

const char* kvant_status_name(int status) {
    return barrier([status] { return status_name(status); }, "unknown");
}

void kvant_string_free(char* s) {
    barrier([s] {
        std::free(s);
        return KVANT_OK;
    });
}

}  // extern "C"
