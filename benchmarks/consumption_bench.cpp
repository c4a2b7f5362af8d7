// The kernel of the consumption benchmark: monthly consumption of cumulative readings, each meter in its own
// zone (from the meters CSV; UTC without one, as `kvant consumption` takes it), timed in its parts: reading
// the file, CSV parse, grouping into per-meter series, the consumption and a plain pass over the same arrays.
// Every part runs N times; medians are reported. Diagnostics beside the whole-process figures of
// run_consumption.sh, never the goal.
//
// usage: consumption_bench READINGS.csv [--meters METERS.csv] [--out RESULT.csv] [--runs N]
// prints: rows=… runs=… read_s=… parse_s=… group_s=… compute_s=… memory_pass_s=… (medians)
// RESULT.csv: meter,period,zone,value with zone 'total', as the baselines write it.
#include <cstring>
#include <fstream>
#include <iostream>

#include "bench_common.hpp"

using namespace kvant;
using namespace kvant::bench;

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: consumption_bench READINGS.csv [--meters FILE] [--out FILE] [--runs N]\n";
        return 2;
    }
    std::string meters_file, out_file;
    int runs = 5;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--meters"))
            meters_file = argv[i + 1];
        else if (!std::strcmp(argv[i], "--out"))
            out_file = argv[i + 1];
        else if (!std::strcmp(argv[i], "--runs"))
            runs = std::max(1, std::atoi(argv[i + 1]));
    }
    const auto zones = meters_file.empty() ? std::map<std::string, zone>{} : zones_of(meters_file);
    consumption_options o;
    o.periods = {period_kind::month};

    std::vector<double> read_s, parse_s, group_s, compute_s, memory_s;
    std::shared_ptr<const reading_table> table;
    std::vector<meter_series> all;
    std::vector<meter_consumption> result;
    std::int64_t sink = 0;
    for (int r = 0; r < runs; ++r) {
        auto t0 = clock_type::now();
        const std::string text = read_file(argv[1]);
        read_s.push_back(since(t0));
        t0 = clock_type::now();
        table = std::make_shared<const reading_table>(parse_readings_csv(text, argv[1]));
        parse_s.push_back(since(t0));

        t0 = clock_type::now();
        all = meter_series::from_table(table);
        group_s.push_back(since(t0));

        t0 = clock_type::now();
        result.clear();
        result.reserve(all.size());
        for (const auto& s : all) {
            const auto it = zones.find(s.serial());
            result.push_back(consumption(s, it == zones.end() ? zone::utc() : it->second, {}, o));
        }
        compute_s.push_back(since(t0));

        t0 = clock_type::now();
        sink += memory_pass(all);
        memory_s.push_back(since(t0));
    }
    std::cout << "rows=" << table->size() << " runs=" << runs << " read_s=" << median(read_s)
              << " parse_s=" << median(parse_s) << " group_s=" << median(group_s)
              << " compute_s=" << median(compute_s) << " memory_pass_s=" << median(memory_s) << " (checksum "
              << (sink & 0xff) << ")\n";
    if (!out_file.empty()) {
        std::ofstream out(out_file);
        out << "meter,period,zone,value\n";
        for (const auto& mc : result) {
            const auto* total = mc.find(register_id::total);
            for (std::size_t k = 0; k < mc.periods.size(); ++k)
                out << mc.meter << ',' << month_text(mc.periods[k]) << ",total,"
                    << to_fixed(decimal::from_raw(total->value[k]), 6) << '\n';
        }
    }
    return 0;
}
