// The readings CSV parser, measured: `parse_bench FILE [RUNS] [file|text]`.
//   file  read_readings_csv: the file streamed through a 1 MiB buffer (what `kvant split --readings` uses)
//   text  the whole file read into memory first, then parse_readings_csv (the in-memory path)
// Each run parses the whole file into a reading_table and keeps it until the run ends; the median and the
// minimum of RUNS runs are printed with rows/s and MB/s, and the table's own bytes a row. Peak memory is a
// process's: run with RUNS=1 under `/usr/bin/time -f %M` (kilobytes) and divide by the rows printed.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "kvant/io/csv.hpp"

using namespace kvant;

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: parse_bench FILE [RUNS] [file|text]\n");
        return 2;
    }
    const std::filesystem::path file = argv[1];
    const int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
    const bool text_mode = argc > 3 && std::strcmp(argv[3], "text") == 0;
    const auto bytes = std::filesystem::file_size(file);
    std::vector<double> secs;
    std::size_t rows = 0, table_bytes = 0;
    std::int64_t check = 0;
    for (int r = 0; r < runs; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        reading_table t;
        if (text_mode) {
            const std::string text = read_file(file);
            t = parse_readings_csv(text, file.string());
        } else {
            t = read_readings_csv(file);
        }
        secs.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        rows = t.size();
        table_bytes = t.size() * (4 + 2 + 8 + 8) + t.sources().size() + t.accepted().size() * 8;
        for (std::size_t i = 0; i < t.size(); i += 4096) check += t.values()[i] ^ t.times()[i];
    }
    std::vector<double> sorted = secs;
    std::sort(sorted.begin(), sorted.end());
    const double median = sorted[sorted.size() / 2];
    std::printf("parse_bench %s: %s, %.1f MB, %zu rows, %d runs\n", text_mode ? "text" : "file",
                file.string().c_str(), static_cast<double>(bytes) / 1e6, rows, runs);
    std::printf(
        "  median %.3f s (min %.3f s): %.2f M rows/s, %.0f MB/s; table %.1f bytes a row (check %lld)\n",
        median, sorted.front(), static_cast<double>(rows) / median / 1e6,
        static_cast<double>(bytes) / median / 1e6,
        rows ? static_cast<double>(table_bytes) / static_cast<double>(rows) : 0.0,
        static_cast<long long>(check));
    return 0;
}
