/* No C++ exception crosses the C API. Two ways in:
 * - capi_test_throw, a test-only hook compiled into this test (capi/src/test_hook.cpp; in neither installed
 *   library), throws std::bad_alloc, a std::runtime_error,
 *   a kvant::parse_error and a non-std exception (an int) inside the barrier;
 * - real requests the library cannot satisfy: a batch of SIZE_MAX readings (more than a vector can hold:
 *   std::length_error) and one of 2^56 (an allocation of 2^58 bytes and more: std::bad_alloc). The second
 *   runs only without AddressSanitizer, whose operator new stops the process rather than throw; the hook's
 *   std::bad_alloc covers that build.
 * Each comes back as a status with a message; the process goes on. Also: the message is per thread, and
 * threads may read one table at once. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

int capi_test_throw(int what);

static void* fail_on_another_thread(void* arg) {
    kvant_store* s = NULL;
    (void)arg;
    if (kvant_store_open(&s, NULL, KVANT_OPEN_CREATE) != KVANT_E_INVALID_ARGUMENT) return (void*)1;
    return strstr(kvant_last_error(), "path is NULL") ? NULL : (void*)1;
}

/* Four threads read the text of one number column of one table at once (the table makes it on first ask). */
static kvant_table* shared_table;
static void* read_texts(void* arg) {
    size_t row;
    (void)arg;
    for (row = 0; row < kvant_table_rows(shared_table); ++row) {
        const char* text = NULL;
        char want[32];
        if (kvant_table_get_text(&text, shared_table, 3, row) != KVANT_OK) return (void*)1;
        /* meter i (0-based) read 0 and then 10 * (i + 1) kWh: its consumption is 10 * (i + 1) */
        snprintf(want, sizeof want, "%d", (int)(10 * (row + 1)));
        if (strcmp(text, want) != 0) return (void*)1;
    }
    return NULL;
}

static void tables_read_from_threads(void) {
    enum { meters = 50 };
    static char serial[meters][8];
    const char* m[2 * meters];
    const char* c[2 * meters];
    int64_t t[2 * meters], v[2 * meters];
    kvant_store* s = NULL;
    pthread_t th[4];
    int i;
    char json[64];
    OK(kvant_store_open_memory(&s));
    for (i = 0; i < meters; ++i) {
        snprintf(serial[i], sizeof serial[i], "S%02d", i);
        snprintf(json, sizeof json, "{\"serial\": \"%.7s\"}", serial[i]);
        OK(kvant_store_put_json(s, "meter", json));
        m[2 * i] = m[2 * i + 1] = serial[i];
        c[2 * i] = c[2 * i + 1] = "active_import";
        t[2 * i] = INT64_C(1709251200);     /* 2024-03-01T00:00Z */
        t[2 * i + 1] = INT64_C(1711929600); /* 2024-04-01T00:00Z */
        v[2 * i] = 0;
        v[2 * i + 1] = INT64_C(10000000) * (i + 1);
    }
    OK(kvant_store_put_readings(NULL, s, 2 * meters, m, c, t, v, KVANT_CONFLICT_FAIL));
    OK(kvant_report_consumption(&shared_table, s, NULL));
    CHECK(kvant_table_rows(shared_table) == meters);
    for (i = 0; i < 4; ++i) CHECK(pthread_create(&th[i], NULL, read_texts, NULL) == 0);
    for (i = 0; i < 4; ++i) {
        void* result = (void*)1;
        CHECK(pthread_join(th[i], &result) == 0);
        CHECK(result == NULL);
    }
    kvant_table_free(shared_table);
    kvant_store_free(s);
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
    tables_read_from_threads();
    return check_done("test_barrier");
}
