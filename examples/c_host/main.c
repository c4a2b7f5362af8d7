/* c_host: what a gateway vendor's C program does with libkvant.
 *
 *   c_host DATABASE [NOW]
 *
 * Opens (creates) the database, registers the gateway's two meters (as JSON), pushes the hourly readings of
 * this month up to NOW (Unix seconds; default: the clock) in one batch, then asks for this month's
 * consumption per tariff zone (the two-zone schedule: night 23:00-07:00, day 07:00-23:00, Moscow time) and
 * prints it as a table. Build: cc main.c $(pkg-config --cflags --libs kvant_c). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <kvant.h>

#define HOUR INT64_C(3600)
#define MOSCOW (3 * HOUR) /* UTC+3, no summer time */
#define METERS 2

static const char* const serials[METERS] = {"GW-001", "GW-002"};
static const int64_t power[METERS] = {500000, 1200000}; /* millionths of a kWh per hour: 0.5 and 1.2 kWh/h */

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d) {
    const int64_t yy = y - (m <= 2);
    const int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    const int64_t yoe = yy - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The start of the Moscow month of `now`, in Unix seconds; its "YYYY-MM" in `label`. */
static int64_t month_start(int64_t now, char label[32]) {
    const time_t local = (time_t)(now + MOSCOW);
    const struct tm* t = gmtime(&local);
    snprintf(label, 32, "%04d-%02d", t->tm_year + 1900, t->tm_mon + 1);
    return days_from_civil(t->tm_year + 1900, t->tm_mon + 1, 1) * 86400 - MOSCOW;
}

static int fail(const char* what, int status) {
    fprintf(stderr, "c_host: %s failed: %s (%d)\n%s\n", what, kvant_status_name(status), status,
            kvant_last_error());
    return 1;
}

int main(int argc, char** argv) {
    kvant_store* db = NULL;
    kvant_table* split = NULL;
    kvant_report_options options;
    const char** meters = NULL;
    const char** channels = NULL;
    int64_t *times = NULL, *values = NULL;
    size_t count = 0, inserted = 0, row, zone_col, value_col, meter_col, complete_col;
    int64_t now, start, t;
    char month[32];
    int m, status;

    if (argc < 2) {
        fprintf(stderr, "usage: c_host DATABASE [NOW]\n");
        return 2;
    }
    if (kvant_version() != KVANT_C_VERSION) {
        fprintf(stderr, "c_host: built for kvant %d, running with %s\n", KVANT_C_VERSION,
                kvant_version_string());
        return 1;
    }
    now = argc > 2 ? strtoll(argv[2], NULL, 10) : (int64_t)time(NULL);
    start = month_start(now, month);

    if ((status = kvant_store_open(&db, argv[1], KVANT_OPEN_CREATE)) != KVANT_OK) return fail("open", status);
    /* the gateway's meters and what they belong to (upserts: running again changes nothing) */
    status = kvant_store_put_json(
        db, "organization", "{\"id\": \"gw\", \"name\": \"Gateway site\", \"zone\": \"Europe/Moscow\"}");
    if (!status)
        status = kvant_store_put_json(db, "abonent",
                                      "{\"id\": \"gw-ab\", \"organization\": \"gw\", "
                                      "\"name\": \"Site owner\"}");
    if (!status)
        status = kvant_store_put_json(db, "account", "{\"number\": \"GW-A1\", \"abonent\": \"gw-ab\"}");
    if (!status)
        status = kvant_store_put_json(db, "metering_point", "{\"code\": \"GW-P1\", \"account\": \"GW-A1\"}");
    if (!status)
        status = kvant_store_put_json(db, "meter",
                                      "[{\"serial\": \"GW-001\", \"point\": \"GW-P1\"},"
                                      " {\"serial\": \"GW-002\", \"point\": \"GW-P1\"}]");
    if (status) return fail("put meters", status);

    /* one batch: every hour of this month up to now, the register of each meter going up by its power */
    count = (size_t)(METERS * ((now - start) / HOUR + 1));
    meters = malloc(count * sizeof *meters);
    channels = malloc(count * sizeof *channels);
    times = malloc(count * sizeof *times);
    values = malloc(count * sizeof *values);
    if (!meters || !channels || !times || !values) return fail("malloc", KVANT_E_NO_MEMORY);
    count = 0;
    for (m = 0; m < METERS; ++m)
        for (t = start; t <= now; t += HOUR) {
            meters[count] = serials[m];
            channels[count] = "active_import";
            times[count] = t;
            values[count] = INT64_C(1000000000) + (t - start) / HOUR * power[m]; /* from 1000 kWh */
            ++count;
        }
    status =
        kvant_store_put_readings(&inserted, db, count, meters, channels, times, values, KVANT_CONFLICT_FAIL);
    free(meters);
    free((void*)channels);
    free(times);
    free(values);
    if (status) return fail("put readings", status);
    printf("kvant %s: pushed %zu readings (%zu new)\n", kvant_version_string(), count, inserted);

    /* this month's consumption per tariff zone */
    kvant_report_options_init(&options, sizeof options);
    options.from = start;
    if ((status = kvant_report_split(&split, db, "two-zone", &options)) != KVANT_OK)
        return fail("split", status);
    if (kvant_table_find_column(&meter_col, split, "meter") ||
        kvant_table_find_column(&zone_col, split, "zone") ||
        kvant_table_find_column(&value_col, split, "value") ||
        kvant_table_find_column(&complete_col, split, "complete"))
        return fail("columns", KVANT_E_INTERNAL);
    printf("consumption %s per tariff zone, kWh:\n", month);
    printf("%-8s %-6s %12s %s\n", "meter", "zone", "kWh", "complete");
    for (row = 0; row < kvant_table_rows(split); ++row) {
        const char *meter = NULL, *zone = NULL;
        int64_t value = 0, complete = 0;
        kvant_table_get_text(&meter, split, meter_col, row);
        kvant_table_get_text(&zone, split, zone_col, row);
        kvant_table_get_int64(&value, split, value_col, row); /* millionths of a kWh: exact */
        kvant_table_get_int64(&complete, split, complete_col, row);
        printf("%-8s %-6s %5" PRId64 ".%06" PRId64 " %s\n", meter, zone, value / 1000000, value % 1000000,
               complete ? "yes" : "no");
    }
    kvant_table_free(split);
    kvant_store_free(db);
    return 0;
}
