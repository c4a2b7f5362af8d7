/* demo_reports DEMO_DIR DATABASE OUT_DIR: imports every file of the demo data through the C API into a new
 * SQLite database in one call, then writes the reports the C API gives over it as CSV files in OUT_DIR, one
 * per report; demo_equals_cli.cmake runs the `kvant` tool over the same database and compares them byte for
 * byte (the C API and the tool share the reports layer: they must agree). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvant.h"

#define SEPT_1_2020 INT64_C(1598918400) /* 2020-09-01T00:00:00Z */

static const char* const files[][2] = {{"organizations", "organizations.csv"},
                                       {"abonents", "abonents.csv"},
                                       {"accounts", "accounts.csv"},
                                       {"metering_points", "metering_points.csv"},
                                       {"meter_models", "meter_models.csv"},
                                       {"meters", "meters.csv"},
                                       {"readings", "readings.csv"},
                                       {"events", "events.csv"},
                                       {"relay_changes", "relay_changes.csv"},
                                       {"sessions", "sessions.csv"},
                                       {"tariff_schedules", "tariff_schedules.json"},
                                       {"tariff_assignments", "tariff_assignments.csv"},
                                       {"tariff_rates", "tariff_rates.csv"},
                                       {"normatives", "normatives.csv"}};
enum { file_count = sizeof files / sizeof files[0] };

static int fail(const char* what, int status) {
    fprintf(stderr, "demo_reports: %s: %s: %s\n", what, kvant_status_name(status), kvant_last_error());
    return 1;
}

/* Writes the table (and frees it) as OUT_DIR/name.csv. */
static int write_table(const char* out_dir, const char* name, kvant_table* t) {
    char path[4096];
    char* csv = NULL;
    FILE* f;
    int status = kvant_table_to_csv(&csv, t);
    kvant_table_free(t);
    if (status) return fail(name, status);
    snprintf(path, sizeof path, "%s/%s.csv", out_dir, name);
    f = fopen(path, "wb");
    if (!f) {
        kvant_string_free(csv);
        fprintf(stderr, "demo_reports: cannot write %s\n", path);
        return 1;
    }
    fputs(csv, f);
    fclose(f);
    kvant_string_free(csv);
    return 0;
}

int main(int argc, char** argv) {
    char paths[file_count][4096];
    const char* kinds[file_count];
    const char* path_ptrs[file_count];
    kvant_store* db = NULL;
    kvant_table* t = NULL;
    kvant_report_options o;
    size_t rows = 0;
    int i, status, failed = 0;
    if (argc != 4) {
        fprintf(stderr, "usage: demo_reports DEMO_DIR DATABASE OUT_DIR\n");
        return 2;
    }
    for (i = 0; i < file_count; ++i) {
        snprintf(paths[i], sizeof paths[i], "%s/%s", argv[1], files[i][1]);
        kinds[i] = files[i][0];
        path_ptrs[i] = paths[i];
    }
    remove(argv[2]);
    if ((status = kvant_store_open(&db, argv[2], KVANT_OPEN_CREATE))) return fail("open", status);
    if ((status = kvant_store_import_csv(&rows, db, kinds, path_ptrs, file_count)))
        return fail("import", status);
    printf("imported %zu rows\n", rows);

    kvant_report_options_init(&o, sizeof o);
    if ((status = kvant_report_consumption(&t, db, &o))) return fail("consumption", status);
    failed |= write_table(argv[3], "consumption", t);
    o.by = "day";
    o.group = "building";
    if ((status = kvant_report_consumption(&t, db, &o))) return fail("consumption_day_building", status);
    failed |= write_table(argv[3], "consumption_day_building", t);
    kvant_report_options_init(&o, sizeof o);
    o.resource = "electricity"; /* splits and costs are of electricity meters */
    if ((status = kvant_report_split(&t, db, "three-zone", &o))) return fail("split", status);
    failed |= write_table(argv[3], "split", t);
    if ((status = kvant_report_cost(&t, db, NULL, NULL, &o))) return fail("cost", status);
    failed |= write_table(argv[3], "cost", t);
    o.group = "abonent";
    if ((status = kvant_report_cost(&t, db, NULL, NULL, &o))) return fail("cost_abonent", status);
    failed |= write_table(argv[3], "cost_abonent", t);
    if ((status = kvant_report_verification(&t, db, SEPT_1_2020))) return fail("verification", status);
    failed |= write_table(argv[3], "verification", t);
    if ((status = kvant_report_estimate(&t, db, SEPT_1_2020, NULL))) return fail("estimate", status);
    failed |= write_table(argv[3], "estimate", t);
    kvant_store_free(db);
    return failed;
}
