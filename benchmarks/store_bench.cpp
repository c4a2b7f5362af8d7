// The SQLite store (schema 3, compact blocks) on the reference readings:
//
//   /usr/bin/python3 ../shared/bench/gen_readings.py --meters 100 --out /tmp/store_bench/r100.csv
//   build/dev/benchmarks/store_bench /tmp/store_bench/r100.csv [runs=5]
//
// Reads the CSV (meter,timestamp,value) into one reading_table (active energy import), then, each run into a
// new database under its own temporary directory: ingest of the whole batch by put_readings (as read, and
// shuffled), a full scan through the cursor (times and values only, and with provenance), and the file's
// bytes a reading after VACUUM (indexes and every table included), at the page size the store uses and at
// others for comparison. Prints medians of the runs. The scan is compared value by value with the input:
// a difference exits 1.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "kvant/io/csv.hpp"
#include "kvant/store/sqlite_store.hpp"

namespace {

using kvant::bench::clock_type;
using kvant::bench::median;
using kvant::bench::since;
namespace fs = std::filesystem;

void raw_sql(const fs::path& file, const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open(file.string().c_str(), &db);
    char* msg = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
        std::fprintf(stderr, "store_bench: %s: %s\n", sql.c_str(), msg ? msg : "");
        std::exit(1);
    }
    sqlite3_close(db);
}

/// A database with the fleet's entities: one organisation, abonent, account and point, and the meters.
void populate(kvant::store& s, const std::vector<std::string>& serials) {
    using namespace kvant;
    transaction tx(s);
    organization o;
    o.id = "bench";
    o.name = "Bench";
    s.put(o);
    s.put(abonent{"bench-abonent-0001", "bench", abonent_kind::person, "Bench", "", "", std::nullopt});
    account a;
    a.number = "A1";
    a.abonent = "bench-abonent-0001";
    s.put(a);
    s.put(metering_point{"p1", "A1", "P", "", "", ""});
    for (const auto& serial : serials) {
        meter m;
        m.serial = serial;
        m.point = "p1";
        s.put(m);
    }
    tx.commit();
}

}  // namespace

int main(int argc, char** argv) {
    using namespace kvant;
    if (argc < 2) {
        std::fprintf(stderr, "usage: store_bench READINGS.csv [RUNS]\n");
        return 2;
    }
    const int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;

    // the library's readings parser: a wide file's values are active energy import, electricity's main
    // channel
    reading_table batch;
    try {
        batch = read_readings_csv(argv[1]);
    } catch (const error& e) {
        std::fprintf(stderr, "store_bench: %s\n", e.what());
        return 2;
    }
    const std::size_t n = batch.size();
    // the same rows shuffled (a fixed seed): grouping is the store's work then
    reading_table shuffled;
    {
        std::vector<std::size_t> perm(n);
        std::iota(perm.begin(), perm.end(), std::size_t{0});
        std::shuffle(perm.begin(), perm.end(), std::mt19937_64(42));
        shuffled.reserve(n);
        for (const auto i : perm) shuffled.push_row(batch, i);
    }
    std::printf("store_bench: %zu readings of %zu meters from %s, %d runs each (medians)\n", n,
                batch.meters().size(), argv[1], runs);

    char tmpl[] = "/tmp/store_bench.XXXXXX";
    if (!mkdtemp(tmpl)) return 2;
    const fs::path dir = tmpl;
    int failures = 0;
    std::vector<double> ingest, ingest_shuffled, scan_plain, scan_prov, size_vacuum;
    for (int r = 0; r < runs; ++r) {
        for (const bool shuffle : {false, true}) {
            const fs::path file = dir / ("run" + std::to_string(r) + (shuffle ? "s" : "") + ".db");
            {
                sqlite_store s(file);
                populate(s, batch.meters());
                const auto t0 = clock_type::now();
                const auto st = s.put_readings(shuffle ? shuffled : batch);
                const double secs = since(t0);
                if (st.inserted != n) {
                    std::fprintf(stderr, "store_bench: inserted %zu of %zu\n", st.inserted, n);
                    ++failures;
                }
                (shuffle ? ingest_shuffled : ingest).push_back(static_cast<double>(n) / secs / 1e6);
                if (shuffle) continue;
                // scans: times and values; with provenance
                for (const bool prov : {false, true}) {
                    series_query q;
                    q.provenance = prov;
                    series_chunk c;
                    std::size_t k = 0;
                    const auto t1 = clock_type::now();
                    for (auto cur = s.scan(q); cur->next(c);) {
                        // the input is grouped by meter in serial order and time order: compare as we go
                        for (std::size_t i = 0; i < c.size(); ++i, ++k)
                            if (k >= n || c.time[i] != batch.times()[k] || c.value[i] != batch.values()[k] ||
                                c.meter != batch.meter_of(k)) {
                                if (failures++ < 5)
                                    std::fprintf(stderr, "store_bench: scan differs at reading %zu\n", k);
                            }
                    }
                    const double secs2 = since(t1);
                    if (k != n) {
                        std::fprintf(stderr, "store_bench: scan gave %zu of %zu readings\n", k, n);
                        ++failures;
                    }
                    (prov ? scan_prov : scan_plain).push_back(static_cast<double>(n) / secs2 / 1e6);
                }
            }
            if (shuffle) {
                fs::remove(file);
                continue;
            }
            raw_sql(file, "VACUUM");
            size_vacuum.push_back(static_cast<double>(fs::file_size(file)) / static_cast<double>(n));
            if (r + 1 < runs) fs::remove(file);
        }
    }
    // daily appends: the history but the last 7 days, then a day at a time (each merges into the stored
    // block of its month: the daily work of a collection system)
    std::vector<double> append_rate, append_ms;
    {
        std::int64_t last = 0;
        for (const auto t : batch.times()) last = std::max(last, t);
        const std::int64_t cut = last - 7 * 86400;
        reading_table head;
        std::vector<reading_table> days(7);
        for (std::size_t i = 0; i < n; ++i) {
            const auto t = batch.times()[i];
            if (t <= cut)
                head.push_row(batch, i);
            else
                days[static_cast<std::size_t>(std::min<std::int64_t>(6, (t - cut - 1) / 86400))].push_row(
                    batch, i);
        }
        for (int r = 0; r < runs; ++r) {
            const fs::path file = dir / ("append" + std::to_string(r) + ".db");
            {
                sqlite_store s(file);
                populate(s, batch.meters());
                s.put_readings(head);
                std::size_t k = 0;
                const auto t0 = clock_type::now();
                for (const auto& d : days) k += s.put_readings(d).inserted;
                const double secs = since(t0);
                if (k + head.size() != n || s.reading_count() != n) {
                    std::fprintf(stderr, "store_bench: appends stored %zu of %zu\n", k + head.size(), n);
                    ++failures;
                }
                std::size_t day_rows = 0;
                for (const auto& d : days) day_rows += d.size();
                append_rate.push_back(static_cast<double>(day_rows) / secs / 1e6);
                append_ms.push_back(secs * 1000 / 7);
            }
            fs::remove(file);
        }
    }
    std::printf("ingest from a batch into a new file      %7.2f M readings/s (as read, grouped)\n",
                median(ingest));
    std::printf("ingest, the same rows shuffled           %7.2f M readings/s\n", median(ingest_shuffled));
    std::printf("append a day of every meter (7 days)     %7.2f M readings/s, %.1f ms a day\n",
                median(append_rate), median(append_ms));
    std::printf("scan, times and values                   %7.2f M readings/s\n", median(scan_plain));
    std::printf("scan, with provenance                    %7.2f M readings/s\n", median(scan_prov));
    std::printf("file after VACUUM (page size of the store) %5.3f bytes a reading\n", median(size_vacuum));
    // the same data at other page sizes (a copy rebuilt by VACUUM in rollback journal mode)
    const fs::path last = dir / ("run" + std::to_string(runs - 1) + ".db");
    for (const int page : {1024, 2048, 4096, 8192, 16384, 65536}) {
        const fs::path copy = dir / ("page" + std::to_string(page) + ".db");
        fs::copy_file(last, copy, fs::copy_options::overwrite_existing);
        raw_sql(copy, "PRAGMA journal_mode=DELETE; PRAGMA page_size=" + std::to_string(page) + "; VACUUM");
        std::printf("  page size %5d: %5.3f bytes a reading\n", page,
                    static_cast<double>(fs::file_size(copy)) / static_cast<double>(n));
        fs::remove(copy);
    }
    fs::remove_all(dir);
    if (failures) std::printf("store_bench: %d DIFFERENCES\n", failures);
    return failures ? 1 : 0;
}
