/// \file
/// The library version: the one place it is written. CMake reads the three numeric macros.
#pragma once

#define KVANT_VERSION_MAJOR 0
#define KVANT_VERSION_MINOR 1
#define KVANT_VERSION_PATCH 0

/// The version as one integer: major * 10000 + minor * 100 + patch.
#define KVANT_VERSION (KVANT_VERSION_MAJOR * 10000 + KVANT_VERSION_MINOR * 100 + KVANT_VERSION_PATCH)

#define KVANT_DETAIL_STR2(x) #x
#define KVANT_DETAIL_STR(x) KVANT_DETAIL_STR2(x)

namespace kvant {
inline namespace v0 {
/// The version as text, e.g. "0.1.0".
constexpr const char* version_string() noexcept {
    return KVANT_DETAIL_STR(KVANT_VERSION_MAJOR) "." KVANT_DETAIL_STR(
        KVANT_VERSION_MINOR) "." KVANT_DETAIL_STR(KVANT_VERSION_PATCH);
}
}  // namespace v0
}  // namespace kvant
