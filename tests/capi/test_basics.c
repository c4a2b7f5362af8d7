/* The C API's version, status codes, last-error message, and every function given NULL handles and pointers:
 * each refuses with KVANT_E_INVALID_ARGUMENT naming the function and argument, and every _free takes NULL. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

static void version(void) {
    char header[32];
    /* the header's macros equal what the linked library says */
    CHECK(kvant_version() == KVANT_C_VERSION);
    CHECK_EQ_I64(kvant_version(),
                 KVANT_C_VERSION_MAJOR * 10000 + KVANT_C_VERSION_MINOR * 100 + KVANT_C_VERSION_PATCH);
    snprintf(header, sizeof header, "%d.%d.%d", KVANT_C_VERSION_MAJOR, KVANT_C_VERSION_MINOR,
             KVANT_C_VERSION_PATCH);
    CHECK_STR(kvant_version_string(), header);
}

static void status_codes(void) {
    /* the released values: they never change */
    CHECK_EQ_I64(KVANT_OK, 0);
    CHECK_EQ_I64(KVANT_E_INVALID_ARGUMENT, -1);
    CHECK_EQ_I64(KVANT_E_NO_MEMORY, -2);
    CHECK_EQ_I64(KVANT_E_INTERNAL, -3);
    CHECK_EQ_I64(KVANT_E_PARSE, -10);
    CHECK_EQ_I64(KVANT_E_VALIDATION, -11);
    CHECK_EQ_I64(KVANT_E_OVERFLOW, -12);
    CHECK_EQ_I64(KVANT_E_STORAGE, -20);
    CHECK_EQ_I64(KVANT_E_BUSY, -21);
    CHECK_EQ_I64(KVANT_E_CORRUPT, -22);
    CHECK_EQ_I64(KVANT_E_CONFLICT, -23);
    CHECK_EQ_I64(KVANT_E_NOT_FOUND, -24);
    CHECK_EQ_I64(KVANT_E_CONFIG, -30);
    CHECK_EQ_I64(KVANT_E_DECODE, -40);
    CHECK_STR(kvant_status_name(KVANT_OK), "KVANT_OK");
    CHECK_STR(kvant_status_name(KVANT_E_PARSE), "KVANT_E_PARSE");
    CHECK_STR(kvant_status_name(KVANT_E_NOT_FOUND), "KVANT_E_NOT_FOUND");
    CHECK_STR(kvant_status_name(KVANT_E_DECODE), "KVANT_E_DECODE");
    CHECK_STR(kvant_status_name(-999), "unknown");
    CHECK_STR(kvant_status_name(5), "unknown");
}

static void frees_take_null(void) {
    kvant_store_free(NULL);
    kvant_readings_free(NULL);
    kvant_table_free(NULL);
    kvant_string_free(NULL);
}

static void null_arguments(void) {
    kvant_store* s = NULL;
    kvant_store* bad = NULL;
    kvant_readings* r = (kvant_readings*)&r; /* set to NULL by a failing call */
    kvant_table* t = (kvant_table*)&t;
    kvant_report_options o;
    const char* kinds[1] = {"meters"};
    const char* paths[1] = {"meters.csv"};
    const char* meters[1] = {"M1"};
    const char* channels[1] = {"active_import"};
    const int64_t times[1] = {0};
    const int64_t values[1] = {0};
    const char* text = "x";
    char* str = (char*)&str;
    size_t n = 7;
    int64_t v = 7;

    OK(kvant_store_open_memory(&s));

    CHECK_STATUS(kvant_store_open(NULL, "x.db", KVANT_OPEN_CREATE), KVANT_E_INVALID_ARGUMENT);
    CHECK_ERROR_HAS("kvant_store_open: out is NULL");
    bad = s; /* a failing open sets *out to NULL */
    CHECK_STATUS(kvant_store_open(&bad, NULL, KVANT_OPEN_CREATE), KVANT_E_INVALID_ARGUMENT);
    CHECK_ERROR_HAS("path is NULL");
    CHECK(bad == NULL);
    CHECK_STATUS(kvant_store_open(&bad, "x.db", 9), KVANT_E_INVALID_ARGUMENT);
    CHECK_ERROR_HAS("mode 9");
    CHECK_STATUS(kvant_store_open_memory(NULL), KVANT_E_INVALID_ARGUMENT);

    CHECK_STATUS(kvant_store_import_csv(&n, NULL, kinds, paths, 1), KVANT_E_INVALID_ARGUMENT);
    CHECK_ERROR_HAS("kvant_store_import_csv: store is NULL");
    CHECK(n == 0);
    CHECK_STATUS(kvant_store_import_csv(NULL, s, NULL, paths, 1), KVANT_E_INVALID_ARGUMENT);
    CHECK_ERROR_HAS("kinds is NULL");
    CHECK_STATUS(kvant_store_import_csv(NULL, s, kinds, NULL, 1), KVANT_E_INVALID_ARGUMENT);
    CHECK_ERROR_HAS("paths is NULL");
    {
        const char* null_kind[1] = {NULL};
        CHECK_STATUS(kvant_store_import_csv(NULL, s, null_kind, paths, 1), KVANT_E_INVALID_ARGUMENT);
        CHECK_ERROR_HAS("kinds[0] is NULL");
    }
    OK(kvant_store_import_csv(&n, s, NULL, NULL, 0)); /* nothing to import */
    CHECK(n == 0);

    CHECK_STATUS(kvant_store_put_json(NULL, "meter", "{}"), KVANT_E_INVALID_ARGUMENT);
    CHECK_STATUS(kvant_store_put_json(s, NULL, "{}"), KVANT_E_INVALID_ARGUMENT);
    CHECK_ERROR_HAS("kind is NULL");
    CHECK_STATUS(kvant_store_put_json(s, "meter", NULL), KVANT_E_INVALID_ARGUMENT);
    CHECK_ERROR_HAS("json is NULL");

    CHECK_STATUS(kvant_store_put_readings(&n, NULL, 1, meters, channels, times, values, KVANT_CONFLICT_FAIL),
                 KVANT_E_INVALID_ARGUMENT);
    CHECK_STATUS(kvant_store_put_readings(NULL, s, 1, NULL, channels, times, values, KVANT_CONFLICT_FAIL),
                 KVANT_E_INVALID_ARGUMENT);
    CHECK_ERROR_HAS("meters is NULL");
    CHECK_STATUS(kvant_store_put_readings(NULL, s, 1, meters, NULL, times, values, KVANT_CONFLICT_FAIL),
                 KVANT_E_INVALID_ARGUMENT);
    CHECK_ERROR_HAS("channels is NULL");
    CHECK_STATUS(kvant_store_put_readings(NULL, s, 1, meters, channels, NULL, values, KVANT_CONFLICT_FAIL),
                 KVANT_E_INVALID_ARGUMENT);
    CHECK_ERROR_HAS("times is NULL");
    CHECK_STATUS(kvant_store_put_readings(NULL, s, 1, meters, channels, times, NULL, KVANT_CONFLICT_FAIL),
                 KVANT_E_INVALID_ARGUMENT);
    CHECK_ERROR_HAS("values is NULL");
    {
        const char* null_meter[1] = {NULL};
        CHECK_STATUS(kvant_store_put_readings(NULL, s, 1, null_meter, channels, times, values, 0),
                     KVANT_E_INVALID_ARGUMENT);
        CHECK_ERROR_HAS("meters[0] is NULL");
    }
    CHECK_STATUS(kvant_store_put_readings(NULL, s, 1, meters, channels, times, values, 3),
                 KVANT_E_INVALID_ARGUMENT);
    CHECK_ERROR_HAS("on_conflict 3");
    OK(kvant_store_put_readings(&n, s, 0, NULL, NULL, NULL, NULL, KVANT_CONFLICT_FAIL)); /* nothing */
    CHECK(n == 0);

    CHECK_STATUS(kvant_store_read_readings(NULL, s, NULL, 0, INT64_MIN, INT64_MAX), KVANT_E_INVALID_ARGUMENT);
    CHECK_STATUS(kvant_store_read_readings(&r, NULL, NULL, 0, INT64_MIN, INT64_MAX),
                 KVANT_E_INVALID_ARGUMENT);
    CHECK(r == NULL);
    CHECK_STATUS(kvant_store_read_readings(&r, s, NULL, 1, INT64_MIN, INT64_MAX), KVANT_E_INVALID_ARGUMENT);
    CHECK_ERROR_HAS("meters is NULL");

    CHECK(kvant_readings_count(NULL) == 0);
    CHECK_ERROR_HAS("kvant_readings_count: readings is NULL");
    CHECK(kvant_readings_times(NULL) == NULL);
    CHECK(kvant_readings_values(NULL) == NULL);
    CHECK(kvant_readings_meter(NULL, 0) == NULL);
    CHECK(kvant_readings_channel(NULL, 0) == NULL);
    CHECK_ERROR_HAS("kvant_readings_channel: readings is NULL");

    CHECK_STATUS(kvant_report_options_init(NULL, sizeof o), KVANT_E_INVALID_ARGUMENT);
    CHECK_STATUS(kvant_report_options_init(&o, 0), KVANT_E_INVALID_ARGUMENT);
    CHECK_ERROR_HAS("size 0 does not reach the size field");
    {
        /* a host built against an older header whose struct ends before `from`: only its bytes are written */
        union {
            kvant_report_options o;
            unsigned char bytes[sizeof(kvant_report_options) + 16];
        } old;
        memset(&old, 0xAB, sizeof old);
        OK(kvant_report_options_init(&old.o, offsetof(kvant_report_options, from)));
        CHECK(old.o.size == offsetof(kvant_report_options, from));
        CHECK(old.o.by == NULL && old.o.group == NULL && old.o.threads == 0);
        CHECK(old.bytes[offsetof(kvant_report_options, from)] == 0xAB);
        CHECK(old.bytes[sizeof(kvant_report_options) - 1] == 0xAB);
        /* a newer host (a longer struct): the library writes and claims only what it knows */
        memset(&old, 0xAB, sizeof old);
        OK(kvant_report_options_init(&old.o, sizeof old));
        CHECK(old.o.size == sizeof(kvant_report_options));
        CHECK(old.bytes[sizeof(kvant_report_options)] == 0xAB);
    }
    OK(kvant_report_options_init(&o, sizeof o));
    CHECK(o.size == sizeof o);
    CHECK(o.by == NULL && o.group == NULL && o.billing_day == 0 && o.complete_only == 0 && o.threads == 0);
    CHECK(o.from == INT64_MIN && o.to == INT64_MAX);
    /* threads as the tool's --threads, 0..256: 100000 would start 100000 threads and exhaust the machine */
    o.threads = 257;
    CHECK_STATUS(kvant_report_consumption(&t, s, &o), KVANT_E_CONFIG);
    CHECK(t == NULL);
    CHECK_ERROR_HAS("kvant_report_consumption: threads 257 is not 0..256");
    o.threads = 256;
    OK(kvant_report_consumption(&t, s, &o));
    kvant_table_free(t);
    t = NULL;
    o.threads = 0;

    CHECK_STATUS(kvant_report_consumption(NULL, s, NULL), KVANT_E_INVALID_ARGUMENT);
    CHECK_STATUS(kvant_report_consumption(&t, NULL, NULL), KVANT_E_INVALID_ARGUMENT);
    CHECK(t == NULL);
    CHECK_ERROR_HAS("kvant_report_consumption: store is NULL");
    CHECK_STATUS(kvant_report_split(NULL, s, "two-zone", NULL), KVANT_E_INVALID_ARGUMENT);
    CHECK_STATUS(kvant_report_split(&t, NULL, "two-zone", NULL), KVANT_E_INVALID_ARGUMENT);
    CHECK_STATUS(kvant_report_split(&t, s, NULL, NULL), KVANT_E_INVALID_ARGUMENT);
    CHECK_ERROR_HAS("schedule is NULL");
    CHECK_STATUS(kvant_report_cost(NULL, s, NULL, NULL, NULL), KVANT_E_INVALID_ARGUMENT);
    CHECK_STATUS(kvant_report_cost(&t, NULL, NULL, NULL, NULL), KVANT_E_INVALID_ARGUMENT);
    CHECK_STATUS(kvant_report_verification(NULL, s, 0), KVANT_E_INVALID_ARGUMENT);
    CHECK_STATUS(kvant_report_verification(&t, NULL, 0), KVANT_E_INVALID_ARGUMENT);
    CHECK_STATUS(kvant_report_estimate(NULL, s, 0, NULL), KVANT_E_INVALID_ARGUMENT);
    CHECK_STATUS(kvant_report_estimate(&t, NULL, 0, NULL), KVANT_E_INVALID_ARGUMENT);
    CHECK_STATUS(kvant_anomalies_detect(&n, NULL, 0), KVANT_E_INVALID_ARGUMENT);
    CHECK_STATUS(kvant_anomalies_list(NULL, s, NULL, NULL), KVANT_E_INVALID_ARGUMENT);
    CHECK_STATUS(kvant_anomalies_list(&t, NULL, NULL, NULL), KVANT_E_INVALID_ARGUMENT);
    CHECK_STATUS(kvant_anomaly_resolve(NULL, "k", 0, "me", NULL), KVANT_E_INVALID_ARGUMENT);
    CHECK_STATUS(kvant_anomaly_resolve(s, NULL, 0, "me", NULL), KVANT_E_INVALID_ARGUMENT);
    CHECK_ERROR_HAS("key is NULL");
    CHECK_STATUS(kvant_anomaly_resolve(s, "k", 0, NULL, NULL), KVANT_E_INVALID_ARGUMENT);
    CHECK_ERROR_HAS("by is NULL");

    CHECK(kvant_table_rows(NULL) == 0);
    CHECK(kvant_table_columns(NULL) == 0);
    CHECK(kvant_table_column_name(NULL, 0) == NULL);
    CHECK_STATUS(kvant_table_column_type(NULL, 0), KVANT_E_INVALID_ARGUMENT);
    CHECK_STATUS(kvant_table_column_scale(NULL, 0), KVANT_E_INVALID_ARGUMENT);
    CHECK_STATUS(kvant_table_find_column(&n, NULL, "meter"), KVANT_E_INVALID_ARGUMENT);
    CHECK_STATUS(kvant_table_find_column(NULL, NULL, "meter"), KVANT_E_INVALID_ARGUMENT);
    CHECK_STATUS(kvant_table_get_int64(&v, NULL, 0, 0), KVANT_E_INVALID_ARGUMENT);
    CHECK(v == 0);
    CHECK_STATUS(kvant_table_get_int64(NULL, NULL, 0, 0), KVANT_E_INVALID_ARGUMENT);
    CHECK_STATUS(kvant_table_get_text(&text, NULL, 0, 0), KVANT_E_INVALID_ARGUMENT);
    CHECK(text == NULL);
    CHECK_STATUS(kvant_table_get_text(NULL, NULL, 0, 0), KVANT_E_INVALID_ARGUMENT);
    CHECK_STATUS(kvant_table_is_null(NULL, 0, 0), KVANT_E_INVALID_ARGUMENT);
    CHECK_STATUS(kvant_table_to_csv(&str, NULL), KVANT_E_INVALID_ARGUMENT);
    CHECK(str == NULL);
    CHECK_STATUS(kvant_table_to_csv(NULL, NULL), KVANT_E_INVALID_ARGUMENT);
    str = (char*)&str;
    CHECK_STATUS(kvant_table_to_json(&str, NULL), KVANT_E_INVALID_ARGUMENT);
    CHECK(str == NULL);
    CHECK_STATUS(kvant_table_to_json(NULL, NULL), KVANT_E_INVALID_ARGUMENT);
    CHECK_ERROR_HAS("kvant_table_to_json: out is NULL");

    kvant_store_free(s);
}

int main(void) {
    CHECK_STR(kvant_last_error(), ""); /* nothing has failed on this thread yet */
    version();
    status_codes();
    frees_take_null();
    null_arguments();
    return check_done("test_basics");
}
