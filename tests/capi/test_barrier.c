/* No C++ exception crosses the C API. Two ways in:
 * - capi_test_throw, a test-only hook inside libkvant_c.a (hidden visibility, not named kvant_*: the shared
 *   library does not export it, which the exports test checks), throws std::bad_alloc, a std::runtime_error,
 *   a kvant::parse_error and a non-std exception (an int) inside the barrier;
 * - real requests the library cannot satisfy: a batch of SIZE_MAX readings (more than a vector can hold:
 *   std::length_error) and one of 2^56 (an allocation of 2^58 bytes and more: std::bad_alloc). The second
 *   runs only without AddressSanitizer, whose operator new stops the process rather than throw; the hook's
 *   std::bad_alloc covers that build.
 * Each comes back as a status with a message; the process goes on. Also: the message is per thread. */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "check.h"

int capi_test_throw(int what);

static void* fail_on_another_thread(void* arg) {
    kvant_store* s = NULL;
    (void)arg;
    if (kvant_store_open(&s, NULL, KVANT_OPEN_CREATE) != KVANT_E_INVALID_ARGUMENT) return (void*)1;
    return strstr(kvant_last_error(), "path is NULL") ? NULL : (void*)1;
}

int main(void) {
    kvant_store* s = NULL;
    const char* meters[1] = {"M1"};
    const char* channels[1] = {"active_import"};
    const int64_t times[1] = {0};
    const int64_t values[1] = {0};
    size_t inserted = 5;

    CHECK_STATUS(capi_test_throw(0), KVANT_E_NO_MEMORY);
    CHECK_STR(kvant_last_error(), "[kvant.capi.no_memory] out of memory");
    CHECK_STATUS(capi_test_throw(1), KVANT_E_INTERNAL);
    CHECK_STR(kvant_last_error(), "[kvant.capi.internal] a std::runtime_error from the test hook");
    CHECK_STATUS(capi_test_throw(2), KVANT_E_PARSE);
    CHECK_STR(kvant_last_error(),
              "[kvant.parse.110] hook.csv:7: field 'value': a parse error from the test hook");
    CHECK_STATUS(capi_test_throw(3), KVANT_E_INTERNAL);
    CHECK_STR(kvant_last_error(), "[kvant.capi.internal] an unknown exception");
    OK(capi_test_throw(4)); /* nothing thrown */

    OK(kvant_store_open_memory(&s));
    OK(kvant_store_put_json(s, "meter", "{\"serial\": \"M1\"}"));
    CHECK_STATUS(kvant_store_put_readings(&inserted, s, SIZE_MAX, meters, channels, times, values, 0),
                 KVANT_E_NO_MEMORY);
    CHECK(inserted == 0);
    CHECK_ERROR_HAS("[kvant.capi.no_memory]");
#ifndef KVANT_TEST_SANITIZED
    CHECK_STATUS(kvant_store_put_readings(&inserted, s, (size_t)1 << 56, meters, channels, times, values, 0),
                 KVANT_E_NO_MEMORY);
    CHECK_STR(kvant_last_error(), "[kvant.capi.no_memory] out of memory");
#else
    CHECK(capi_test_throw(0) == KVANT_E_NO_MEMORY); /* the message the thread check below expects */
#endif
    /* the store is unharmed */
    OK(kvant_store_put_readings(&inserted, s, 1, meters, channels, times, values, 0));
    CHECK(inserted == 1);
    kvant_store_free(s);

    /* a failure on another thread leaves this thread's message alone */
    {
        pthread_t th;
        void* result = (void*)1;
        CHECK(pthread_create(&th, NULL, fail_on_another_thread, NULL) == 0);
        CHECK(pthread_join(th, &result) == 0);
        CHECK(result == NULL);
        CHECK_STR(kvant_last_error(), "[kvant.capi.no_memory] out of memory");
    }
    return check_done("test_barrier");
}
