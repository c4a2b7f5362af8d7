// The kernel of the reference workload: monthly three-zone split (ФСТ 1473-э) of cumulative readings, each
// meter in its own zone (from the meters CSV; UTC without one, as `kvant split` takes it), timed in its
// parts: reading the file, CSV parse, grouping into series, the split (the switch instants computed once a
// zone and shared by its meters) and a plain pass over the same arrays. Every part runs N times; medians are
// reported. Diagnostics beside the whole-process figures of run_split.sh, never the goal.
//
// usage: split_bench READINGS.csv [--meters METERS.csv] [--out RESULT.csv] [--runs N]
// prints: rows=… runs=… read_s=… parse_s=… group_s=… split_s=… memory_pass_s=… (medians)
// RESULT.csv: meter,period,zone,value for the leaf zones (night, peak, semi-peak), as the baselines write it.
#include <cstring>
#include <fstream>
#include <iostream>

#include "bench_common.hpp"
#include "kvant/algorithms/tariff.hpp"

using namespace kvant;
using namespace kvant::bench;

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: split_bench READINGS.csv [--meters FILE] [--out FILE] [--runs N]\n";
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
    const tariff_calendar three(three_zone_schedule());
    consumption_options o;
    o.periods = {period_kind::month};

    std::vector<double> read_s, parse_s, group_s, split_s, memory_s;
    std::shared_ptr<const reading_table> table;
    std::vector<meter_series> all;
    std::vector<zone_consumption> result;
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
        std::vector<zone> zone_of;
        std::map<std::string, std::pair<instant, instant>> span;  // zone name -> the union of its periods
        for (const auto& s : all) {
            const auto it = zones.find(s.serial());
            zone_of.push_back(it == zones.end() ? zone::utc() : it->second);
            const auto p = periods_of(s, zone_of.back(), o);
            if (p.empty()) continue;
            auto [at, fresh] = span.try_emplace(zone_of.back().name(), p.front().begin, p.back().end);
            if (!fresh)
                at->second = {std::min(at->second.first, p.front().begin),
                              std::max(at->second.second, p.back().end)};
        }
        std::map<std::string, std::vector<zone_switch>> switches;
        result.clear();
        for (std::size_t k = 0; k < all.size(); ++k) {
            const std::string name = zone_of[k].name();
            auto sw = switches.find(name);
            if (sw == switches.end() && span.count(name))
                sw = switches.emplace(name, three.switches(span[name].first, span[name].second, zone_of[k]))
                         .first;
            result.push_back(split_by_schedule(
                all[k], zone_of[k], three, {}, o,
                sw == switches.end() ? std::span<const zone_switch>{} : std::span(sw->second)));
        }
        split_s.push_back(since(t0));

        t0 = clock_type::now();
        sink += memory_pass(all);
        memory_s.push_back(since(t0));
    }
    std::cout << "rows=" << table->size() << " runs=" << runs << " read_s=" << median(read_s)
              << " parse_s=" << median(parse_s) << " group_s=" << median(group_s)
              << " split_s=" << median(split_s) << " memory_pass_s=" << median(memory_s) << " (checksum "
              << (sink & 0xff) << ")\n";
    if (!out_file.empty()) {
        std::ofstream out(out_file);
        out << "meter,period,zone,value\n";
        for (const auto& z : result)
            for (const char* leaf : {"night", "peak", "semi-peak"}) {
                const auto zi = static_cast<std::size_t>(three.index_of(leaf));
                for (std::size_t k = 0; k < z.periods.size(); ++k)
                    out << z.meter << ',' << month_text(z.periods[k]) << ',' << leaf << ','
                        << to_fixed(decimal::from_raw(z.value[zi][k]), 6) << '\n';
            }
    }
    return 0;
}
