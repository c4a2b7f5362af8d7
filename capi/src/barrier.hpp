// The one exception barrier every extern "C" body of the C API runs through, and the thread-local last-error
// message it sets. Nothing the library throws (kvant::error, std::bad_alloc, anything else) crosses it.
#pragma once

#include <cstddef>
#include <exception>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

#include "kvant.h"
#include "kvant/core/error.hpp"

namespace kvant::capi {

/// A failure the C API itself finds (a NULL argument, an index out of range), thrown inside a body and
/// turned into its status by the barrier.
class failure : public std::exception {
  public:
    failure(int status, std::string message) : status_(status), message_(std::move(message)) {}
    int status() const noexcept { return status_; }
    const char* what() const noexcept override { return message_.c_str(); }

  private:
    int status_;
    std::string message_;
};

/// The C status of a library error code.
int status_of(errc c) noexcept;

/// Records the message of a failure (`prefix` then `message`) for kvant_last_error() on this thread,
/// truncated to its buffer (it never allocates), and returns `status`.
int record(int status, std::string_view prefix, std::string_view message = {}) noexcept;

/// KVANT_E_INVALID_ARGUMENT naming the function and the argument.
[[noreturn]] void invalid(const char* function, const char* what);

/// Throws invalid() when `p` is NULL.
template <class T>
T* need(T* p, const char* function, const char* name) {
    if (!p) invalid(function, (std::string(name) + " is NULL").c_str());
    return p;
}

/// Runs `body` and returns what it returns; when it throws, records the message and returns the status of
/// what it threw (a function returning int status) or `failed` (one returning a count or a pointer). One
/// template for every extern "C" body.
template <class F, class R = std::invoke_result_t<F>>
R barrier(F&& body, R failed = R{}) noexcept {
    int status = KVANT_E_INTERNAL;
    try {
        return body();
    } catch (const failure& e) {
        status = record(e.status(), e.what());
    } catch (const error& e) {
        status = record(status_of(e.code()), e.what());
    } catch (const std::bad_alloc&) {
        status = record(KVANT_E_NO_MEMORY, "[kvant.capi.no_memory] out of memory");
    } catch (const std::length_error&) {
        // a size no allocation can satisfy (a vector asked for more than max_size)
        status = record(KVANT_E_NO_MEMORY, "[kvant.capi.no_memory] out of memory: a size too large");
    } catch (const std::exception& e) {
        status = record(KVANT_E_INTERNAL, "[kvant.capi.internal] ", e.what());
    } catch (...) {
        status = record(KVANT_E_INTERNAL, "[kvant.capi.internal] an unknown exception");
    }
    if constexpr (std::is_same_v<R, int>)
        return status;
    else
        return failed;
}

}  // namespace kvant::capi
