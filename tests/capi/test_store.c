/* Stores from C: open (SQLite in each mode, in memory), put entities from JSON, import CSV files in one
 * transaction, put readings in bulk and read them back; and each error path (bad paths, bad JSON, unknown
 * entity kind, unknown meter, bad channel, bad CSV naming its line, conflicts). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define WORK KVANT_TEST_WORK_DIR "/"

static void write_file(const char* path, const char* text) {
    FILE* f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
    fputs(text, f);
    fclose(f);
}

/* 2024-03-01T00:00:00Z */
#define MARCH_1 INT64_C(1709251200)
#define HOUR INT64_C(3600)

static const char* const entities_org = "{\"id\": \"org\", \"name\": \"Org\", \"zone\": \"UTC\"}";
static const char* const entities_meters = "[{\"serial\": \"M1\"}, {\"serial\": \"M2\"}]";

/* A meter can be written to: one reading of it is accepted (and then removed by nothing: callers use fresh
 * stores). */
static int meter_known(kvant_store* s, const char* serial) {
    const char* meters[1];
    const char* channels[1] = {"active_import"};
    const int64_t times[1] = {MARCH_1};
    const int64_t values[1] = {1000000};
    meters[0] = serial;
    return kvant_store_put_readings(NULL, s, 1, meters, channels, times, values, KVANT_CONFLICT_KEEP) ==
           KVANT_OK;
}

static void json_entities(void) {
    kvant_store* s = NULL;
    OK(kvant_store_open_memory(&s));
    OK(kvant_store_put_json(s, "organization", entities_org));
    OK(kvant_store_put_json(s, "meter", entities_meters));
    CHECK(meter_known(s, "M1"));
    CHECK(meter_known(s, "M2"));
    /* the same entity again: an upsert, no error */
    OK(kvant_store_put_json(s, "meter", "{\"serial\": \"M1\"}"));
    OK(kvant_store_put_json(s, "tariff_schedule",
                            "{\"id\": \"flat\", \"name\": \"Flat\", \"zones\": [\"all\"], "
                            "\"versions\": [{\"seasons\": [{\"name\": \"year\", \"start\": "
                            "\"01-01\", \"week\": \"w\"}], \"weeks\": [{\"id\": \"w\", "
                            "\"days\": [\"d\",\"d\",\"d\",\"d\",\"d\",\"d\",\"d\"]}], "
                            "\"days\": [{\"id\": \"d\", \"changes\": [{\"at\": \"00:00\", "
                            "\"zone\": \"all\"}]}]}]}"));
    /* a rate of the stored schedule for meter M1, from JSON too (the kinds Python's Store.put takes) */
    OK(kvant_store_put_json(s, "tariff_rate",
                            "{\"schedule\": \"flat\", \"scope\": \"meter\", \"target\": \"M1\", "
                            "\"zone\": \"all\", \"from\": \"2024-01-01\", \"price\": \"5.53\"}"));
    /* a rate of a schedule the store does not hold is refused naming it */
    CHECK_STATUS(
        kvant_store_put_json(s, "tariff_rate",
                             "{\"schedule\": \"nowhere\", \"scope\": \"meter\", \"target\": "
                             "\"M1\", \"zone\": \"all\", \"from\": \"2024-01-01\", \"price\": \"1\"}"),
        KVANT_E_VALIDATION);
    CHECK_ERROR_HAS("nowhere");

    /* bad JSON: parse error naming the byte */
    CHECK_STATUS(kvant_store_put_json(s, "meter", "{\"serial\": "), KVANT_E_PARSE);
    CHECK_ERROR_HAS("[kvant.parse.120]");
    CHECK_ERROR_HAS("kvant_store_put_json");
    CHECK_ERROR_HAS("byte");
    /* a known key of the wrong type */
    CHECK_STATUS(kvant_store_put_json(s, "meter", "{\"serial\": \"M5\", \"transformer_ratio\": \"many\"}"),
                 KVANT_E_PARSE);
    CHECK_ERROR_HAS("transformer_ratio");
    /* an unknown entity kind names the kinds allowed */
    CHECK_STATUS(kvant_store_put_json(s, "gizmo", "{}"), KVANT_E_CONFIG);
    CHECK_ERROR_HAS("gizmo");
    CHECK_STATUS(kvant_store_put_json(s, "anomaly", "{}"), KVANT_E_CONFIG);
    CHECK_ERROR_HAS("cannot be put from JSON");
    /* an unknown reference; an array is all or nothing: M3 before the bad M4 is not stored either */
    CHECK_STATUS(kvant_store_put_json(s, "meter",
                                      "[{\"serial\": \"M3\"}, {\"serial\": \"M4\", \"point\": \"nowhere\"}]"),
                 KVANT_E_VALIDATION);
    CHECK_ERROR_HAS("nowhere");
    CHECK(!meter_known(s, "M3"));
    CHECK_STATUS(kvant_last_error()[0] != '\0' ? KVANT_OK : KVANT_E_INTERNAL, KVANT_OK);
    kvant_store_free(s);
}

static void readings_round_trip(void) {
    /* three meters, two channels, given out of order; read back ordered by meter, channel, time */
    const char* meters[6] = {"M2", "M1", "M1", "M2", "M1", "M2"};
    const char* channels[6] = {"active_import", "active_import", "active_import.t1",
                               "active_import", "active_import", "1.8.1"};
    const int64_t times[6] = {MARCH_1 + HOUR, MARCH_1 + HOUR, MARCH_1, MARCH_1, MARCH_1, MARCH_1};
    const int64_t values[6] = {2500000, 1250000, 750000, 2000000, 1000000, INT64_C(123456789012)};
    /* what comes back: M1 active_import at 0h (1.0) and 1h (1.25), M1 .t1 (0.75), M2 active_import at 0h
     * (2.0) and 1h (2.5), M2 .t1 (123456.789012; "1.8.1" is the OBIS code of active_import.t1) */
    const char* want_meter[6] = {"M1", "M1", "M1", "M2", "M2", "M2"};
    const char* want_channel[6] = {"active_import", "active_import", "active_import.t1",
                                   "active_import", "active_import", "active_import.t1"};
    const int64_t want_time[6] = {MARCH_1, MARCH_1 + HOUR, MARCH_1, MARCH_1, MARCH_1 + HOUR, MARCH_1};
    const int64_t want_value[6] = {1000000, 1250000, 750000, 2000000, 2500000, INT64_C(123456789012)};
    kvant_store* s = NULL;
    kvant_readings* r = NULL;
    size_t inserted = 99, i;
    const char* m2[1] = {"M2"};

    OK(kvant_store_open_memory(&s));
    OK(kvant_store_put_json(s, "meter", entities_meters));
    OK(kvant_store_put_readings(&inserted, s, 6, meters, channels, times, values, KVANT_CONFLICT_FAIL));
    CHECK(inserted == 6);
    OK(kvant_store_read_readings(&r, s, NULL, 0, INT64_MIN, INT64_MAX));
    CHECK(kvant_readings_count(r) == 6);
    for (i = 0; i < 6 && i < kvant_readings_count(r); ++i) {
        CHECK_STR(kvant_readings_meter(r, i), want_meter[i]);
        CHECK_STR(kvant_readings_channel(r, i), want_channel[i]);
        CHECK_EQ_I64(kvant_readings_times(r)[i], want_time[i]);
        CHECK_EQ_I64(kvant_readings_values(r)[i], want_value[i]);
    }
    CHECK(kvant_readings_meter(r, 6) == NULL);
    CHECK_ERROR_HAS("index 6 out of range (6 values)");
    CHECK(kvant_readings_channel(r, 6) == NULL);
    kvant_readings_free(r);

    /* one meter, a time range [0h, 1h): M2's two values at 0h */
    OK(kvant_store_read_readings(&r, s, m2, 1, MARCH_1, MARCH_1 + HOUR));
    CHECK(kvant_readings_count(r) == 2);
    if (kvant_readings_count(r) == 2) {
        CHECK_EQ_I64(kvant_readings_values(r)[0], 2000000);
        CHECK_EQ_I64(kvant_readings_values(r)[1], INT64_C(123456789012));
    }
    kvant_readings_free(r);
    /* an unknown meter reads nothing */
    {
        const char* nobody[1] = {"nobody"};
        OK(kvant_store_read_readings(&r, s, nobody, 1, INT64_MIN, INT64_MAX));
        CHECK(kvant_readings_count(r) == 0);
        CHECK(kvant_readings_times(r) == NULL && kvant_readings_values(r) == NULL);
        kvant_readings_free(r);
    }

    /* the same batch again changes nothing */
    OK(kvant_store_put_readings(&inserted, s, 6, meters, channels, times, values, KVANT_CONFLICT_FAIL));
    CHECK(inserted == 0);
    /* a different value for a stored key: fail (nothing written), keep, replace */
    {
        const char* m[2] = {"M1", "M1"};
        const char* c[2] = {"active_import", "active_import"};
        const int64_t t[2] = {MARCH_1 + 2 * HOUR, MARCH_1}; /* a new key, then a conflicting one */
        const int64_t v[2] = {1500000, 1111111};
        CHECK_STATUS(kvant_store_put_readings(&inserted, s, 2, m, c, t, v, KVANT_CONFLICT_FAIL),
                     KVANT_E_CONFLICT);
        CHECK(inserted == 0);
        CHECK_ERROR_HAS("M1");
        OK(kvant_store_read_readings(&r, s, m, 1, INT64_MIN, INT64_MAX));
        CHECK(kvant_readings_count(r) == 3); /* the new key of the failed batch was not written */
        kvant_readings_free(r);
        OK(kvant_store_put_readings(&inserted, s, 2, m, c, t, v, KVANT_CONFLICT_KEEP));
        CHECK(inserted == 1);
        OK(kvant_store_put_readings(&inserted, s, 2, m, c, t, v, KVANT_CONFLICT_REPLACE));
        CHECK(inserted == 0);
        OK(kvant_store_read_readings(&r, s, m, 1, MARCH_1, MARCH_1 + 1));
        CHECK(kvant_readings_count(r) == 2);
        if (kvant_readings_count(r) == 2) CHECK_EQ_I64(kvant_readings_values(r)[0], 1111111); /* replaced */
        kvant_readings_free(r);
    }
    /* an unknown meter, a bad channel: nothing written, the message names them */
    {
        const char* m[2] = {"M1", "M9"};
        const char* c[2] = {"active_import", "active_import"};
        const char* bad_c[2] = {"active_import", "no_such_channel"};
        const int64_t t[2] = {MARCH_1 + 5 * HOUR, MARCH_1 + 5 * HOUR};
        const int64_t v[2] = {1, 2};
        CHECK_STATUS(kvant_store_put_readings(NULL, s, 2, m, c, t, v, KVANT_CONFLICT_FAIL),
                     KVANT_E_VALIDATION);
        CHECK_ERROR_HAS("M9");
        m[1] = "M2";
        CHECK_STATUS(kvant_store_put_readings(NULL, s, 2, m, bad_c, t, v, KVANT_CONFLICT_FAIL),
                     KVANT_E_PARSE);
        CHECK_ERROR_HAS("channels[1]");
        CHECK_ERROR_HAS("no_such_channel");
        OK(kvant_store_read_readings(&r, s, m, 1, MARCH_1 + 5 * HOUR, MARCH_1 + 6 * HOUR));
        CHECK(kvant_readings_count(r) == 0);
        kvant_readings_free(r);
    }
    kvant_store_free(s);
}

static void sqlite_modes(void) {
    const char* path = WORK "store.db";
    const char* m[1] = {"M1"};
    const char* c[1] = {"active_import"};
    const int64_t t[1] = {MARCH_1};
    const int64_t v[1] = {INT64_C(48929350000)}; /* 48929.35 */
    kvant_store* s = NULL;
    kvant_readings* r = NULL;

    remove(path);
    /* read-write and read-only need the file */
    CHECK_STATUS(kvant_store_open(&s, path, KVANT_OPEN_READ_WRITE), KVANT_E_STORAGE);
    CHECK_ERROR_HAS("store.db does not exist");
    CHECK(s == NULL);
    CHECK_STATUS(kvant_store_open(&s, path, KVANT_OPEN_READ_ONLY), KVANT_E_STORAGE);
    CHECK_ERROR_HAS("store.db does not exist");
    /* a directory that does not exist */
    CHECK_STATUS(kvant_store_open(&s, WORK "no/such/dir/x.db", KVANT_OPEN_CREATE), KVANT_E_STORAGE);
    CHECK_ERROR_HAS("no/such/dir");
    CHECK(s == NULL);
    /* an empty path: SQLite would open a temporary database, which no caller means */
    CHECK_STATUS(kvant_store_open(&s, "", KVANT_OPEN_CREATE), KVANT_E_CONFIG);
    CHECK_ERROR_HAS("database path is empty");
    CHECK(s == NULL);

    OK(kvant_store_open(&s, path, KVANT_OPEN_CREATE));
    OK(kvant_store_put_json(s, "meter", "{\"serial\": \"M1\"}"));
    OK(kvant_store_put_readings(NULL, s, 1, m, c, t, v, KVANT_CONFLICT_FAIL));
    kvant_store_free(s);

    OK(kvant_store_open(&s, path, KVANT_OPEN_READ_ONLY));
    OK(kvant_store_read_readings(&r, s, NULL, 0, INT64_MIN, INT64_MAX));
    CHECK(kvant_readings_count(r) == 1);
    if (kvant_readings_count(r) == 1) CHECK_EQ_I64(kvant_readings_values(r)[0], INT64_C(48929350000));
    kvant_readings_free(r);
    /* a read-only store refuses writes */
    CHECK_STATUS(kvant_store_put_json(s, "meter", "{\"serial\": \"M2\"}"), KVANT_E_STORAGE);
    kvant_store_free(s);

    OK(kvant_store_open(&s, path, KVANT_OPEN_READ_WRITE));
    OK(kvant_store_put_json(s, "meter", "{\"serial\": \"M2\"}"));
    kvant_store_free(s);
    remove(path);
}

static void csv_import(void) {
    const char* kinds[2] = {"readings", "meters"}; /* any order: meters are imported first */
    const char* paths[2] = {WORK "readings.csv", WORK "meters.csv"};
    kvant_store* s = NULL;
    kvant_readings* r = NULL;
    size_t rows = 0;

    write_file(WORK "meters.csv", "serial\nM1\nM2\n");
    write_file(WORK "readings.csv",
               "meter,timestamp,channel,value\n"
               "M1,2024-03-01T00:00:00Z,active_import,100.5\n"
               "M2,2024-03-01T03:00:00+03:00,active_import,7\n");
    write_file(WORK "bad_readings.csv",
               "meter,timestamp,channel,value\n"
               "M3,2024-03-01T00:00:00Z,active_import,1\n"
               "M3,2024-03-01T01:00:00Z,active_import,12,5\n");
    write_file(WORK "more_meters.csv", "serial\nM3\n");

    OK(kvant_store_open_memory(&s));
    OK(kvant_store_import_csv(&rows, s, kinds, paths, 2));
    CHECK(rows == 4); /* two meters, two values */
    OK(kvant_store_read_readings(&r, s, NULL, 0, INT64_MIN, INT64_MAX));
    CHECK(kvant_readings_count(r) == 2);
    if (kvant_readings_count(r) == 2) {
        CHECK_STR(kvant_readings_meter(r, 0), "M1");
        CHECK_EQ_I64(kvant_readings_values(r)[0], 100500000);
        CHECK_STR(kvant_readings_meter(r, 1), "M2");
        CHECK_EQ_I64(kvant_readings_times(r)[1], MARCH_1); /* 03:00+03:00 is midnight UTC */
        CHECK_EQ_I64(kvant_readings_values(r)[1], 7000000);
    }
    kvant_readings_free(r);

    /* a bad line: the message names file, line; nothing of the import is written (M3 stays unknown) */
    {
        const char* k[2] = {"meters", "readings"};
        const char* p[2] = {WORK "more_meters.csv", WORK "bad_readings.csv"};
        CHECK_STATUS(kvant_store_import_csv(&rows, s, k, p, 2), KVANT_E_PARSE);
        CHECK(rows == 0);
        CHECK_ERROR_HAS("bad_readings.csv:3");
        CHECK(!meter_known(s, "M3"));
    }
    /* an unknown table kind; a file that does not exist */
    {
        const char* k[1] = {"widgets"};
        const char* p[1] = {WORK "meters.csv"};
        CHECK_STATUS(kvant_store_import_csv(NULL, s, k, p, 1), KVANT_E_PARSE);
        CHECK_ERROR_HAS("widgets");
        CHECK_ERROR_HAS("kinds[0]");
        k[0] = "meters";
        p[0] = WORK "absent.csv";
        CHECK_STATUS(kvant_store_import_csv(NULL, s, k, p, 1), KVANT_E_STORAGE);
        CHECK_ERROR_HAS("absent.csv");
    }
    kvant_store_free(s);
}

int main(void) {
    json_entities();
    readings_round_trip();
    sqlite_modes();
    csv_import();
    return check_done("test_store");
}
