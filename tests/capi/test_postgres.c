/* kvant_store_open with a PostgreSQL connection string: the demo's CSV files imported into a fresh PostgreSQL
 * database give the same readings and the same monthly three-zone split as into a SQLite file, and a wrong
 * password (to a database that does not exist) fails naming the database without the password. Runs against
 * server 1 of the test servers (KVANT_TEST_PG_DIR/server1.conninfo, tests/pg/pg_servers.sh); without them it
 * says so and is skipped (exit 77, CTest's SKIP_RETURN_CODE). */
#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#define DEMO KVANT_DEMO_DATA_DIR "/"
#define WORK KVANT_TEST_WORK_DIR "/"

static int skip(const char* why) {
    printf("skipped: %s\n", why);
    return 77;
}

/* `conninfo` with its dbname (and password, when `password` is not NULL) replaced, as key='value' pairs. */
static void with_db(char* out, size_t size, const char* conninfo, const char* dbname, const char* password) {
    char* err = NULL;
    PQconninfoOption* opts = PQconninfoParse(conninfo, &err);
    size_t n = 0;
    out[0] = '\0';
    if (!opts) {
        fprintf(stderr, "cannot parse the test server's connection string: %s\n", err ? err : "");
        exit(2);
    }
    for (PQconninfoOption* o = opts; o->keyword; ++o) {
        const char* v = o->val;
        if (!strcmp(o->keyword, "dbname")) v = dbname;
        if (!strcmp(o->keyword, "password") && password) v = password;
        if (!v) continue;
        n += (size_t)snprintf(out + n, n < size ? size - n : 0, "%s%s='%s'", n ? " " : "", o->keyword, v);
    }
    PQconninfoFree(opts);
    if (n >= size) {
        fprintf(stderr, "connection string too long\n");
        exit(2);
    }
}

static int admin(const char* conninfo, const char* sql) {
    PGconn* c = PQconnectdb(conninfo);
    int ok = PQstatus(c) == CONNECTION_OK;
    if (ok) {
        PGresult* r = PQexec(c, sql);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok) fprintf(stderr, "%s: %s", sql, PQerrorMessage(c));
        PQclear(r);
    } else {
        fprintf(stderr, "cannot connect to the test server: %s", PQerrorMessage(c));
    }
    PQfinish(c);
    return ok;
}

static char* split_json(kvant_store* s) {
    kvant_table* t = NULL;
    char* json = NULL;
    OK(kvant_report_split(&t, s, "three-zone", NULL));
    if (t) OK(kvant_table_to_json(&json, t));
    CHECK(t && kvant_table_rows(t) > 0);
    kvant_table_free(t);
    return json;
}

int main(void) {
    const char* dir = getenv("KVANT_TEST_PG_DIR");
    char path[4096], server[4096], db[4096], dbname[64], sql[128];
    if (!dir || !*dir) return skip("KVANT_TEST_PG_DIR is not set (no PostgreSQL test servers)");
    snprintf(path, sizeof path, "%s/absent", dir);
    if (access(path, F_OK) == 0)
        return skip("the PostgreSQL server binaries are absent (see KVANT_TEST_PG_DIR/absent)");
    snprintf(path, sizeof path, "%s/server1.conninfo", dir);
    FILE* f = fopen(path, "r");
    if (!f) return skip("no KVANT_TEST_PG_DIR/server1.conninfo (the test servers are not running)");
    if (!fgets(server, sizeof server, f)) server[0] = '\0';
    fclose(f);
    server[strcspn(server, "\r\n")] = '\0';

    snprintf(dbname, sizeof dbname, "capi_pg_%ld", (long)getpid());
    with_db(db, sizeof db, server, "postgres", NULL);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", dbname);
    if (!admin(db, sql)) return 1;
    with_db(db, sizeof db, server, dbname, NULL);

    const char* kinds[] = {"organizations", "abonents", "accounts", "metering_points",
                           "meter_models",  "meters",   "readings"};
    const char* paths[] = {DEMO "organizations.csv",   DEMO "abonents.csv",     DEMO "accounts.csv",
                           DEMO "metering_points.csv", DEMO "meter_models.csv", DEMO "meters.csv",
                           DEMO "readings.csv"};
    kvant_store *pg = NULL, *file = NULL;
    size_t pg_rows = 0, file_rows = 0;
    remove(WORK "pg_twin.db");
    OK(kvant_store_open(&pg, db, KVANT_OPEN_CREATE));
    OK(kvant_store_open(&file, WORK "pg_twin.db", KVANT_OPEN_CREATE));
    if (pg && file) {
        OK(kvant_store_import_csv(&pg_rows, pg, kinds, paths, 7));
        OK(kvant_store_import_csv(&file_rows, file, kinds, paths, 7));
        CHECK(pg_rows > 0);
        CHECK_EQ_I64((int64_t)pg_rows, (int64_t)file_rows);
        kvant_readings *a = NULL, *b = NULL;
        OK(kvant_store_read_readings(&a, pg, NULL, 0, INT64_MIN, INT64_MAX));
        OK(kvant_store_read_readings(&b, file, NULL, 0, INT64_MIN, INT64_MAX));
        CHECK(kvant_readings_count(a) > 0);
        CHECK_EQ_I64((int64_t)kvant_readings_count(a), (int64_t)kvant_readings_count(b));
        if (kvant_readings_count(a) == kvant_readings_count(b) && kvant_readings_count(a) > 0) {
            const size_t n = kvant_readings_count(a);
            CHECK(!memcmp(kvant_readings_times(a), kvant_readings_times(b), n * sizeof(int64_t)));
            CHECK(!memcmp(kvant_readings_values(a), kvant_readings_values(b), n * sizeof(int64_t)));
        }
        kvant_readings_free(a);
        kvant_readings_free(b);
        char* x = split_json(pg);
        char* y = split_json(file);
        CHECK(x && y && !strcmp(x, y));
        kvant_string_free(x);
        kvant_string_free(y);
    }
    kvant_store_free(pg);
    kvant_store_free(file);
    /* read-only: the schema is there; a wrong password names the database, never the password */
    pg = NULL;
    OK(kvant_store_open(&pg, db, KVANT_OPEN_READ_ONLY));
    kvant_store_free(pg);
    /* (a database that does not exist: refused whether the server checks passwords or trusts) */
    snprintf(sql, sizeof sql, "no_%s", dbname);
    with_db(path, sizeof path, server, sql, "Wr0ngSecretXyz");
    pg = NULL;
    CHECK(kvant_store_open(&pg, path, KVANT_OPEN_READ_ONLY) != KVANT_OK);
    CHECK(pg == NULL);
    CHECK_ERROR_HAS(sql);
    CHECK(strstr(kvant_last_error(), "Wr0ngSecretXyz") == NULL);

    with_db(db, sizeof db, server, "postgres", NULL);
    snprintf(sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", dbname);
    CHECK(admin(db, sql));
    return check_done("capi: postgres");
}
