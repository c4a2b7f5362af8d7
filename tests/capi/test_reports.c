/* Reports from C over a small fleet worked out by hand: three meters of one organisation (zone UTC) read at
 * 00:00, 07:00 and 23:00 every day of March 2024 and at 2024-04-01T00:00Z, so that every interval lies in
 * one zone of the two-zone schedule (night 23:00-07:00, day 07:00-23:00). Each meter draws a fixed power by
 * day and half of it by night:
 *   M1: 1 kWh/h by day, 0.5 by night: a day 16 × 1 = 16 kWh day, 8 × 0.5 = 4 kWh night, 20 in all;
 *       March (31 days) 496 day + 124 night = 620 kWh.
 *   M2: 2 and 1 kWh/h: a day 32 + 8 = 40; March 992 + 248 = 1240 kWh.
 *   M3: 0.1 and 0.05 kWh/h: a day 1.6 + 0.4 = 2; March 49.6 + 12.4 = 62 kWh.
 *   The organisation: 620 + 1240 + 62 = 1922 kWh in March.
 * Cost at day 5.93 and night 3.26 roubles/kWh:
 *   M1 496 × 5.93 = 2941.28, 124 × 3.26 = 404.24;  M2 992 × 5.93 = 5882.56, 248 × 3.26 = 808.48;
 *   M3 49.6 × 5.93 = 294.128 → 294.13, 12.4 × 3.26 = 40.424 → 40.42. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define MARCH_1 INT64_C(1709251200) /* 2024-03-01T00:00:00Z */
#define APRIL_1 INT64_C(1711929600) /* 2024-04-01T00:00:00Z */
#define JUNE_1 INT64_C(1717200000)  /* 2024-06-01T00:00:00Z */
#define HOUR INT64_C(3600)
#define DAY (24 * HOUR)

static const char* const rates_csv = "zone,from,price\nday,2024-01-01,5.93\nnight,2024-01-01,3.26\n";

static kvant_store* fleet(void) {
    /* day power in millionths of a kWh per hour; night is half */
    static const char* const serials[3] = {"M1", "M2", "M3"};
    static const int64_t day_power[3] = {1000000, 2000000, 100000};
    enum { per_meter = 31 * 3 + 1, rows = 3 * per_meter };
    static const char* meters[rows];
    static const char* channels[rows];
    static int64_t times[rows], values[rows];
    kvant_store* s = NULL;
    size_t n = 0, inserted = 0;
    int m, d;
    OK(kvant_store_open_memory(&s));
    OK(kvant_store_put_json(s, "organization", "{\"id\": \"org\", \"name\": \"Org\", \"zone\": \"UTC\"}"));
    OK(kvant_store_put_json(s, "abonent", "{\"id\": \"ab\", \"organization\": \"org\", \"name\": \"Ab\"}"));
    OK(kvant_store_put_json(s, "account", "{\"number\": \"A1\", \"abonent\": \"ab\", \"building\": \"b1\"}"));
    OK(kvant_store_put_json(s, "metering_point", "{\"code\": \"P1\", \"account\": \"A1\"}"));
    OK(kvant_store_put_json(s, "meter_model",
                            "{\"id\": \"mdl\", \"name\": \"Model\", \"resource\": "
                            "\"electricity\", \"verification_interval_years\": 16}"));
    OK(kvant_store_put_json(s, "meter",
                            "[{\"serial\": \"M1\", \"model\": \"mdl\", \"point\": \"P1\", "
                            "\"last_verification\": \"2020-01-15\"},"
                            " {\"serial\": \"M2\", \"model\": \"mdl\", \"point\": \"P1\", "
                            "\"last_verification\": \"2020-01-15\"},"
                            " {\"serial\": \"M3\", \"model\": \"mdl\", \"point\": \"P1\", "
                            "\"last_verification\": \"2020-01-15\"}]"));
    for (m = 0; m < 3; ++m) {
        int64_t reg = INT64_C(1000000000); /* 1000 kWh on 1 March */
        const int64_t night = day_power[m] / 2;
        for (d = 0; d < 31; ++d) {
            const int64_t t0 = MARCH_1 + d * DAY;
            meters[n] = serials[m], channels[n] = "active_import", times[n] = t0, values[n++] = reg;
            reg += 7 * night; /* 00:00-07:00 night */
            meters[n] = serials[m], channels[n] = "active_import", times[n] = t0 + 7 * HOUR,
            values[n++] = reg;
            reg += 16 * day_power[m]; /* 07:00-23:00 day */
            meters[n] = serials[m], channels[n] = "active_import", times[n] = t0 + 23 * HOUR,
            values[n++] = reg;
            reg += night; /* 23:00-24:00 night */
        }
        meters[n] = serials[m], channels[n] = "active_import", times[n] = APRIL_1, values[n++] = reg;
    }
    OK(kvant_store_put_readings(&inserted, s, n, meters, channels, times, values, KVANT_CONFLICT_FAIL));
    CHECK(inserted == rows);
    return s;
}

/* The table as CSV equals `expected`. */
#define CHECK_CSV(table, expected)              \
    do {                                        \
        char* csv_ = NULL;                      \
        OK(kvant_table_to_csv(&csv_, (table))); \
        CHECK_STR(csv_, (expected));            \
        kvant_string_free(csv_);                \
    } while (0)

static int64_t cell(const kvant_table* t, const char* column, size_t row) {
    size_t col = 0;
    int64_t v = -1;
    OK(kvant_table_find_column(&col, t, column));
    OK(kvant_table_get_int64(&v, t, col, row));
    return v;
}

static const char* text(const kvant_table* t, const char* column, size_t row) {
    size_t col = 0;
    const char* v = NULL;
    OK(kvant_table_find_column(&col, t, column));
    OK(kvant_table_get_text(&v, t, col, row));
    return v;
}

static void consumption(kvant_store* s) {
    kvant_table* t = NULL;
    kvant_report_options o;
    size_t col = 99;
    int64_t v = 0;
    const char* str = NULL;

    OK(kvant_report_consumption(&t, s, NULL));
    CHECK_CSV(t,
              "meter,period,register,value,complete\n"
              "M1,2024-03,total,620,1\n"
              "M2,2024-03,total,1240,1\n"
              "M3,2024-03,total,62,1\n");
    /* the typed accessors */
    CHECK(kvant_table_rows(t) == 3);
    CHECK(kvant_table_columns(t) == 5);
    CHECK_STR(kvant_table_column_name(t, 0), "meter");
    CHECK_STR(kvant_table_column_name(t, 3), "value");
    CHECK(kvant_table_column_name(t, 5) == NULL);
    CHECK_ERROR_HAS("column 5 out of range (5 columns)");
    CHECK_EQ_I64(kvant_table_column_type(t, 0), KVANT_COLUMN_TEXT);
    CHECK_EQ_I64(kvant_table_column_type(t, 1), KVANT_COLUMN_LOCAL_PERIOD);
    CHECK_EQ_I64(kvant_table_column_type(t, 3), KVANT_COLUMN_NUMBER);
    CHECK_EQ_I64(kvant_table_column_type(t, 4), KVANT_COLUMN_BOOLEAN);
    CHECK_EQ_I64(kvant_table_column_type(t, 5), KVANT_E_INVALID_ARGUMENT);
    CHECK_EQ_I64(kvant_table_column_scale(t, 3), 6);
    CHECK_EQ_I64(kvant_table_column_scale(t, 1), 0);
    CHECK_EQ_I64(kvant_table_column_scale(t, 9), KVANT_E_INVALID_ARGUMENT);
    OK(kvant_table_find_column(&col, t, "complete"));
    CHECK(col == 4);
    CHECK_STATUS(kvant_table_find_column(&col, t, "amount"), KVANT_E_NOT_FOUND);
    CHECK_ERROR_HAS("no column 'amount'");
    CHECK_EQ_I64(cell(t, "value", 0), INT64_C(620000000)); /* 620 kWh in millionths */
    CHECK_EQ_I64(cell(t, "value", 2), INT64_C(62000000));
    CHECK_EQ_I64(cell(t, "period", 1), MARCH_1); /* a period's start, Unix seconds */
    CHECK_STR(text(t, "period", 1), "2024-03");
    CHECK_EQ_I64(cell(t, "complete", 1), 1);
    CHECK_STR(text(t, "value", 1), "1240");
    CHECK_STR(text(t, "meter", 2), "M3");
    CHECK_EQ_I64(kvant_table_is_null(t, 3, 0), 0);
    CHECK_STATUS(kvant_table_get_int64(&v, t, 0, 0), KVANT_E_INVALID_ARGUMENT); /* meter is text */
    CHECK_ERROR_HAS("column 'meter' is text");
    CHECK_STATUS(kvant_table_get_int64(&v, t, 3, 3), KVANT_E_INVALID_ARGUMENT);
    CHECK_ERROR_HAS("row 3 out of range (3 rows)");
    CHECK_STATUS(kvant_table_get_text(&str, t, 3, 3), KVANT_E_INVALID_ARGUMENT);
    CHECK_STATUS(kvant_table_is_null(t, 3, 3), KVANT_E_INVALID_ARGUMENT);
    {
        char* json = NULL;
        OK(kvant_table_to_json(&json, t));
        CHECK_STR(json,
                  "[{\"meter\":\"M1\",\"period\":\"2024-03\",\"register\":\"total\",\"value\":\"620\","
                  "\"complete\":true},{\"meter\":\"M2\",\"period\":\"2024-03\",\"register\":\"total\","
                  "\"value\":\"1240\",\"complete\":true},{\"meter\":\"M3\",\"period\":\"2024-03\","
                  "\"register\":\"total\",\"value\":\"62\",\"complete\":true}]");
        kvant_string_free(json);
    }
    kvant_table_free(t);

    /* per group: the organisation's 620 + 1240 + 62 */
    OK(kvant_report_options_init(&o, sizeof o));
    o.group = "organization";
    OK(kvant_report_consumption(&t, s, &o));
    CHECK_CSV(t,
              "group,resource,role,period,register,value,complete,meters\n"
              "org,electricity,individual,2024-03,total,1922,1,3\n");
    CHECK_EQ_I64(cell(t, "meters", 0), 3);
    CHECK_EQ_I64(kvant_table_column_type(t, 7), KVANT_COLUMN_INTEGER);
    kvant_table_free(t);

    /* per day: M1 draws 16 + 4 = 20 kWh every day; 31 days × 3 meters */
    OK(kvant_report_options_init(&o, sizeof o));
    o.by = "day";
    o.threads = 1;
    OK(kvant_report_consumption(&t, s, &o));
    CHECK(kvant_table_rows(t) == 93);
    CHECK_STR(text(t, "period", 4), "2024-03-05");
    CHECK_EQ_I64(cell(t, "value", 4), INT64_C(20000000));
    CHECK_EQ_I64(cell(t, "value", 31 + 4), INT64_C(40000000)); /* M2: 32 + 8 */
    CHECK_EQ_I64(cell(t, "value", 62 + 4), INT64_C(2000000));  /* M3: 1.6 + 0.4 */
    {
        /* four threads give the same table */
        char *one = NULL, *four = NULL;
        kvant_table* t4 = NULL;
        o.threads = 4;
        OK(kvant_report_consumption(&t4, s, &o));
        OK(kvant_table_to_csv(&one, t));
        OK(kvant_table_to_csv(&four, t4));
        CHECK(one && four && strcmp(one, four) == 0);
        kvant_string_free(one);
        kvant_string_free(four);
        kvant_table_free(t4);
    }
    kvant_table_free(t);

    /* readings from 16 March: the month is incomplete, 16 days × 20 = 320 kWh for M1 */
    OK(kvant_report_options_init(&o, sizeof o));
    o.from = MARCH_1 + 15 * DAY;
    OK(kvant_report_consumption(&t, s, &o));
    CHECK(kvant_table_rows(t) == 3);
    CHECK_EQ_I64(cell(t, "value", 0), INT64_C(320000000));
    CHECK_EQ_I64(cell(t, "complete", 0), 0);
    kvant_table_free(t);
    o.complete_only = 1;
    OK(kvant_report_consumption(&t, s, &o));
    CHECK(kvant_table_rows(t) == 0);
    kvant_table_free(t);
    /* a caller built against an older, shorter struct: the fields past its size are not read */
    o.complete_only = 0;
    o.size = offsetof(kvant_report_options, from);
    OK(kvant_report_consumption(&t, s, &o));
    CHECK_EQ_I64(cell(t, "value", 0), INT64_C(620000000));
    kvant_table_free(t);

    /* bad options */
    OK(kvant_report_options_init(&o, sizeof o));
    o.by = "fortnight";
    CHECK_STATUS(kvant_report_consumption(&t, s, &o), KVANT_E_PARSE);
    CHECK_ERROR_HAS("fortnight");
    CHECK(t == NULL);
    o.by = NULL;
    o.group = "planet";
    CHECK_STATUS(kvant_report_consumption(&t, s, &o), KVANT_E_PARSE);
    CHECK_ERROR_HAS("planet");
    o.group = NULL;
    o.resource = "plasma";
    CHECK_STATUS(kvant_report_consumption(&t, s, &o), KVANT_E_PARSE);
    CHECK_ERROR_HAS("plasma");
    o.resource = "cold_water"; /* no water meters: no rows */
    OK(kvant_report_consumption(&t, s, &o));
    CHECK(kvant_table_rows(t) == 0);
    kvant_table_free(t);
    o.resource = NULL;
    o.billing_day = 40;
    CHECK_STATUS(kvant_report_consumption(&t, s, &o), KVANT_E_CONFIG);
    CHECK_ERROR_HAS("billing_day 40");
    o.size = 0;
    CHECK_STATUS(kvant_report_consumption(&t, s, &o), KVANT_E_INVALID_ARGUMENT);
    CHECK_ERROR_HAS("kvant_report_options_init");
}

static void split(kvant_store* s) {
    kvant_table* t = NULL;
    OK(kvant_report_split(&t, s, "two-zone", NULL));
    CHECK_CSV(t,
              "meter,period,zone,value,complete\n"
              "M1,2024-03,day,496,1\n"
              "M1,2024-03,night,124,1\n"
              "M1,2024-03,total,620,1\n"
              "M2,2024-03,day,992,1\n"
              "M2,2024-03,night,248,1\n"
              "M2,2024-03,total,1240,1\n"
              "M3,2024-03,day,49.6,1\n"
              "M3,2024-03,night,12.4,1\n"
              "M3,2024-03,total,62,1\n");
    CHECK_EQ_I64(cell(t, "value", 6), INT64_C(49600000));
    CHECK_EQ_I64(cell(t, "value", 7), INT64_C(12400000));
    kvant_table_free(t);
    {
        /* per organisation: the three meters' zones summed, 496 + 992 + 49.6 = 1537.6 day, 124 + 248 + 12.4 =
         * 384.4 night, 1922 in all; and the split source named (the meters have no tariff registers: the
         * schedule either way, "registers" has nothing to split; an unknown source is refused naming it) */
        kvant_report_options o;
        OK(kvant_report_options_init(&o, sizeof o));
        o.group = "organization";
        o.split_source = "schedule";
        OK(kvant_report_split(&t, s, "two-zone", &o));
        CHECK_CSV(t,
                  "group,role,period,zone,value,complete,meters\n"
                  "org,individual,2024-03,day,1537.6,1,3\n"
                  "org,individual,2024-03,night,384.4,1,3\n"
                  "org,individual,2024-03,total,1922,1,3\n");
        kvant_table_free(t);
        o.split_source = "tea leaves";
        CHECK_STATUS(kvant_report_split(&t, s, "two-zone", &o), KVANT_E_PARSE);
        CHECK_ERROR_HAS("tea leaves");
        CHECK(t == NULL);
    }

    /* a schedule given as JSON text, and the same stored and named by its id: one zone, the month's total */
    {
        const char* flat =
            "{\"id\": \"flat\", \"name\": \"Flat\", \"zones\": [\"all\"], \"versions\": "
            "[{\"seasons\": [{\"name\": \"year\", \"start\": \"01-01\", \"week\": \"w\"}], "
            "\"weeks\": [{\"id\": \"w\", \"days\": [\"d\",\"d\",\"d\",\"d\",\"d\",\"d\",\"d\"]}], "
            "\"days\": [{\"id\": \"d\", \"changes\": [{\"at\": \"00:00\", \"zone\": \"all\"}]}]}]}";
        OK(kvant_report_split(&t, s, flat, NULL));
        CHECK_STR(text(t, "zone", 0), "all");
        CHECK_EQ_I64(cell(t, "value", 0), INT64_C(620000000));
        kvant_table_free(t);
        OK(kvant_store_put_json(s, "tariff_schedule", flat));
        OK(kvant_report_split(&t, s, "flat", NULL));
        CHECK_STR(text(t, "zone", 0), "all");
        CHECK_EQ_I64(cell(t, "value", 3), INT64_C(1240000000)); /* M2's row after M1's all and total */
        kvant_table_free(t);
    }
    CHECK_STATUS(kvant_report_split(&t, s, "nope", NULL), KVANT_E_CONFIG);
    CHECK_ERROR_HAS("schedule 'nope' is neither a preset");
    CHECK_STATUS(kvant_report_split(&t, s, " {\"id\": ", NULL), KVANT_E_PARSE);
    CHECK(t == NULL);
}

static void cost(kvant_store* s) {
    kvant_table* t = NULL;
    kvant_report_options o;
    OK(kvant_report_cost(&t, s, "two-zone", rates_csv, NULL));
    CHECK_CSV(t,
              "meter,period,zone,rate_from,quantity,price,amount,complete\n"
              "M1,2024-03,day,2024-01-01,496,5.93,2941.28,1\n"
              "M1,2024-03,night,2024-01-01,124,3.26,404.24,1\n"
              "M2,2024-03,day,2024-01-01,992,5.93,5882.56,1\n"
              "M2,2024-03,night,2024-01-01,248,3.26,808.48,1\n"
              "M3,2024-03,day,2024-01-01,49.6,5.93,294.13,1\n"
              "M3,2024-03,night,2024-01-01,12.4,3.26,40.42,1\n");
    CHECK_EQ_I64(kvant_table_column_type(t, 6), KVANT_COLUMN_CURRENCY);
    CHECK_EQ_I64(kvant_table_column_scale(t, 6), 2);
    CHECK_EQ_I64(cell(t, "amount", 4), 29413); /* kopecks */
    CHECK_EQ_I64(cell(t, "amount", 5), 4042);
    CHECK_EQ_I64(cell(t, "quantity", 4), INT64_C(49600000));
    kvant_table_free(t);

    /* per organisation: 2941.28 + 404.24 + 5882.56 + 808.48 + 294.13 + 40.42 = 10371.11 */
    OK(kvant_report_options_init(&o, sizeof o));
    o.group = "organization";
    OK(kvant_report_cost(&t, s, "two-zone", rates_csv, &o));
    CHECK_CSV(t, "group,role,period,amount,complete,meters\norg,individual,2024-03,10371.11,1,3\n");
    CHECK_EQ_I64(cell(t, "amount", 0), 1037111);
    kvant_table_free(t);

    /* no schedule given and none stored for the meters; a bad rates file names its line */
    CHECK_STATUS(kvant_report_cost(&t, s, NULL, rates_csv, NULL), KVANT_E_CONFIG);
    CHECK_ERROR_HAS("M1");
    CHECK_STATUS(kvant_report_cost(&t, s, "two-zone", "zone,from,price\nday,2024-13-01,5\n", NULL),
                 KVANT_E_PARSE);
    CHECK_ERROR_HAS("rates_csv:2");
    CHECK(t == NULL);
}

static void verification_and_estimate(kvant_store* s) {
    kvant_table* t = NULL;
    /* verified 2020-01-15, every 16 years: next 2036-01-15, valid on 2024-04-01 */
    OK(kvant_report_verification(&t, s, APRIL_1));
    CHECK_CSV(t,
              "meter,model,base,next,expires,state,failed_for_billing,service_life_end\n"
              "M1,mdl,2020-01-15,2036-01-15,2036-01-15,valid,0,\n"
              "M2,mdl,2020-01-15,2036-01-15,2036-01-15,valid,0,\n"
              "M3,mdl,2020-01-15,2036-01-15,2036-01-15,valid,0,\n");
    kvant_table_free(t);
    /* billing periods up to 15 April: March read at both ends (actual, 620/1240/62); April has no reading,
     * no history of six months and no normative, so nothing to bill it by (none, 0) */
    OK(kvant_report_estimate(&t, s, APRIL_1 + 14 * DAY, NULL));
    CHECK_CSV(t,
              "meter,period,basis,value,failed\n"
              "M1,2024-03-01,actual,620,0\n"
              "M1,2024-04-01,none,0,0\n"
              "M2,2024-03-01,actual,1240,0\n"
              "M2,2024-04-01,none,0,0\n"
              "M3,2024-03-01,actual,62,0\n"
              "M3,2024-04-01,none,0,0\n");
    kvant_table_free(t);
    /* a report time past 2099 is refused naming it (it used to run out of memory building periods) */
    CHECK_STATUS(kvant_report_estimate(&t, s, INT64_MAX, NULL), KVANT_E_VALIDATION);
    CHECK_ERROR_HAS("estimate time");
    CHECK(t == NULL);
    CHECK_STATUS(kvant_report_verification(&t, s, -1), KVANT_E_VALIDATION);
    CHECK_ERROR_HAS("verification time");
}

static void anomalies(kvant_store* s) {
    kvant_table* t = NULL;
    size_t found = 0, col = 0;
    int64_t v = 0;
    /* on 1 June every meter has been silent since its last reading on 1 April: 61 days > 10, no link */
    OK(kvant_anomalies_detect(&found, s, JUNE_1));
    CHECK(found == 3);
    CHECK_STATUS(kvant_anomalies_detect(&found, s, INT64_MAX), KVANT_E_VALIDATION);
    CHECK_ERROR_HAS("detection time");
    OK(kvant_anomalies_detect(&found, s, JUNE_1)); /* found again: still three stored */
    CHECK(found == 3);
    OK(kvant_anomalies_list(&t, s, NULL, NULL));
    CHECK(kvant_table_rows(t) == 3);
    CHECK_STR(text(t, "key", 1), "no_link:M2:1711929600");
    CHECK_STR(text(t, "type", 1), "no_link");
    CHECK_STR(text(t, "status", 1), "open");
    CHECK_EQ_I64(cell(t, "from", 1), APRIL_1);
    CHECK_EQ_I64(cell(t, "to", 1), JUNE_1);
    CHECK_STR(text(t, "from", 1), "2024-04-01T00:00:00Z");
    CHECK_EQ_I64(kvant_table_column_type(t, 5), KVANT_COLUMN_TIMESTAMP);
    OK(kvant_table_find_column(&col, t, "resolved_at"));
    CHECK_EQ_I64(kvant_table_is_null(t, col, 1), 1);
    OK(kvant_table_get_int64(&v, t, col, 1));
    CHECK(v == KVANT_NULL_INT64);
    CHECK_STR(text(t, "resolved_at", 1), "");
    kvant_table_free(t);

    OK(kvant_anomaly_resolve(s, "no_link:M2:1711929600", JUNE_1 + HOUR, "operator", "called the owner"));
    CHECK_STATUS(kvant_anomaly_resolve(s, "no_link:M9:0", JUNE_1, "operator", NULL), KVANT_E_NOT_FOUND);
    CHECK_ERROR_HAS("no_link:M9:0");
    OK(kvant_anomalies_list(&t, s, "resolved", NULL));
    CHECK(kvant_table_rows(t) == 1);
    CHECK_STR(text(t, "meter", 0), "M2");
    CHECK_STR(text(t, "resolved_by", 0), "operator");
    CHECK_EQ_I64(cell(t, "resolved_at", 0), JUNE_1 + HOUR);
    kvant_table_free(t);
    OK(kvant_anomalies_list(&t, s, "open", NULL));
    CHECK(kvant_table_rows(t) == 2);
    kvant_table_free(t);
    OK(kvant_anomalies_list(&t, s, NULL, "M3"));
    CHECK(kvant_table_rows(t) == 1);
    CHECK_STR(text(t, "key", 0), "no_link:M3:1711929600");
    kvant_table_free(t);
    CHECK_STATUS(kvant_anomalies_list(&t, s, "closed", NULL), KVANT_E_PARSE);
    CHECK_ERROR_HAS("closed");
}

int main(void) {
    kvant_store* s = fleet();
    consumption(s);
    split(s);
    cost(s);
    verification_and_estimate(s);
    anomalies(s);
    kvant_store_free(s);
    return check_done("test_reports");
}
