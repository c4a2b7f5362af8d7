// The reference workload of ../shared/bench: monthly three-zone split (ФСТ 1473-э) in Moscow time of
// half-hourly cumulative readings, timed in its parts: CSV parse, grouping into series, the split (switch
// instants computed once for the zone and shared by all meters), and a plain pass over the same arrays.
// Fastest of N runs.
//
// usage: split_bench READINGS.csv [--out RESULT.csv] [--repeat N]
// prints: rows=… read_s=… parse_s=… group_s=… split_s=… memory_pass_s=…
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>

#include "bench_common.hpp"
#include "kvant/algorithms/tariff.hpp"
#include "kvant/io/csv.hpp"

using namespace kvant;
using namespace kvant::bench;

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: split_bench READINGS.csv [--out FILE] [--repeat N]\n";
        return 2;
    }
    std::string out_file;
    int repeat = 5;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--out"))
            out_file = argv[i + 1];
        else if (!std::strcmp(argv[i], "--repeat"))
            repeat = std::atoi(argv[i + 1]);
    }
    const zone msk = zone::parse("Europe/Moscow");
    const tariff_calendar three(three_zone_schedule());

    auto t0 = clock_type::now();
    const std::string text = read_file(argv[1]);
    const double read_s = since(t0);
    t0 = clock_type::now();
    const auto table = std::make_shared<const reading_table>(parse_readings_csv(text, argv[1]));
    const double parse_s = since(t0);

    consumption_options o;
    o.periods = {period_kind::month};
    double group_s = 1e9, split_s = 1e9, memory_s = 1e9;
    std::vector<meter_series> all;
    std::vector<zone_consumption> result;
    std::int64_t sink = 0;
    for (int r = 0; r < repeat; ++r) {
        t0 = clock_type::now();
        all = meter_series::from_table(table);
        group_s = std::min(group_s, since(t0));
        t0 = clock_type::now();
        result.clear();
        std::vector<zone_switch> sw;  // one zone, one range: computed once, shared
        for (const auto& s : all) {
            if (sw.empty()) {
                const auto p = periods_of(s, msk, o);
                sw = three.switches(p.front().begin, p.back().end, msk);
            }
            result.push_back(split_by_schedule(s, msk, three, {}, o, sw));
        }
        split_s = std::min(split_s, since(t0));
        t0 = clock_type::now();
        sink += memory_pass(all);
        memory_s = std::min(memory_s, since(t0));
    }
    std::cout << "rows=" << table->size() << " read_s=" << read_s << " parse_s=" << parse_s
              << " group_s=" << group_s << " split_s=" << split_s << " memory_pass_s=" << memory_s
              << " (checksum " << (sink & 0xff) << ")\n";
    if (!out_file.empty()) {
        std::ofstream out(out_file);
        out << "meter,month,night,peak,semipeak\n";
        const int peak = three.index_of("peak"), semi = three.index_of("semi-peak"),
                  night = three.index_of("night");
        for (const auto& z : result)
            for (std::size_t k = 0; k < z.periods.size(); ++k)
                out << z.meter << ',' << static_cast<unsigned>(z.periods[k].start_date.month()) << ','
                    << to_fixed(decimal::from_raw(z.value[static_cast<std::size_t>(night)][k]), 3) << ','
                    << to_fixed(decimal::from_raw(z.value[static_cast<std::size_t>(peak)][k]), 3) << ','
                    << to_fixed(decimal::from_raw(z.value[static_cast<std::size_t>(semi)][k]), 3) << '\n';
    }
    return 0;
}
