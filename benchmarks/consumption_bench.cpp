// Monthly consumption from a readings CSV (../shared/bench/gen_readings.py), timed in its parts: parsing the
// CSV, grouping into per-meter series, the consumption itself, and a plain pass over the same arrays (the
// memory-bandwidth bound). Each computing part is repeated and the fastest run reported; the machines are
// shared and noisy, so compare ratios from one run, never absolute times across runs.
//
// usage: consumption_bench READINGS.csv [--zone Europe/Moscow] [--out RESULT.csv] [--repeat N]
// prints: rows=… read_s=… parse_s=… group_s=… compute_s=… memory_pass_s=…
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>

#include "bench_common.hpp"
#include "kvant/algorithms/consumption.hpp"
#include "kvant/io/csv.hpp"

using namespace kvant;
using namespace kvant::bench;

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: consumption_bench READINGS.csv [--zone Z] [--out FILE] [--repeat N]\n";
        return 2;
    }
    std::string zone_name = "Europe/Moscow", out_file;
    int repeat = 5;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--zone"))
            zone_name = argv[i + 1];
        else if (!std::strcmp(argv[i], "--out"))
            out_file = argv[i + 1];
        else if (!std::strcmp(argv[i], "--repeat"))
            repeat = std::atoi(argv[i + 1]);
    }
    const zone z = zone::parse(zone_name);

    auto t0 = clock_type::now();
    const std::string text = read_file(argv[1]);
    const double read_s = since(t0);
    t0 = clock_type::now();
    const auto table = std::make_shared<const reading_table>(parse_readings_csv(text, argv[1]));
    const double parse_s = since(t0);

    double group_s = 1e9, compute_s = 1e9, memory_s = 1e9;
    std::vector<meter_series> all;
    std::vector<meter_consumption> result;
    std::int64_t sink = 0;
    consumption_options o;
    o.periods = {period_kind::month};
    for (int r = 0; r < repeat; ++r) {
        t0 = clock_type::now();
        all = meter_series::from_table(table);
        group_s = std::min(group_s, since(t0));
        t0 = clock_type::now();
        result.clear();
        result.reserve(all.size());
        for (const auto& s : all) result.push_back(consumption(s, z, {}, o));
        compute_s = std::min(compute_s, since(t0));
        t0 = clock_type::now();
        sink += memory_pass(all);
        memory_s = std::min(memory_s, since(t0));
    }
    std::cout << "rows=" << table->size() << " read_s=" << read_s << " parse_s=" << parse_s
              << " group_s=" << group_s << " compute_s=" << compute_s << " memory_pass_s=" << memory_s
              << " (checksum " << (sink & 0xff) << ")\n";
    if (!out_file.empty()) {
        std::ofstream out(out_file);
        out << "meter,month,kwh\n";
        for (const auto& mc : result) {
            const auto* total = mc.find(register_id::total);
            for (std::size_t k = 0; k < mc.periods.size(); ++k)
                out << mc.meter << ',' << static_cast<unsigned>(mc.periods[k].start_date.month()) << ','
                    << to_fixed(decimal::from_raw(total->value[k]), 3) << '\n';
        }
    }
    return 0;
}
