// kvant building-share: the building meter's share of each flat (ОДН, formula 12 of ПП 354).
#include <chrono>
#include <iostream>
#include <map>

#include "commands.hpp"
#include "inputs.hpp"
#include "kvant/algorithms/anomalies.hpp"
#include "kvant/algorithms/estimation.hpp"
#include "kvant/io/csv_reader.hpp"
#include "kvant/io/event_catalogue.hpp"
#include "kvant/model/json.hpp"

namespace kvant::cli {

int run_building_share(const args& a) {
    const auto db_handle = open_db(a, open_mode::read_only);
    store& db = *db_handle;
    const fleet f = load_fleet(db);
    const std::string building = a.require("building");
    const resource res = a.choice("resource", resource_text);
    const calendar_date first = a.month("month").value();
    const std::string month = to_string(first).substr(0, 7);
    const negative_share policy = a.choice("policy", negative_share_text);
    building_share_input in;
    if (auto n = a.decimal_value("normative-flats")) in.normative_flats = *n;
    const instant ever_from = from_unix(std::numeric_limits<std::int64_t>::min() / 2);
    const instant ever_to = from_unix(std::numeric_limits<std::int64_t>::max() / 2);
    bool complete = true;
    std::size_t building_meters = 0;
    for (const auto& acc : f.accounts()) {
        if (acc.building != building) continue;
        if (acc.area) in.total_area += *acc.area;
        if (acc.type != building_type::non_residential && acc.area)
            in.flats.emplace_back(acc.number, *acc.area);
        for (const meter* m : f.meters_of(acc)) {
            if (m->measures != res) continue;
            const auto batch =
                std::make_shared<const reading_table>(db.readings(m->serial, ever_from, ever_to));
            if (batch->empty()) continue;
            consumption_options o;
            o.periods = {period_kind::month};
            const auto mc = consumption(meter_series::from_table(batch).front(), f.zone_of(*m),
                                        register_params_of(*m, f.model_of(*m)), o);
            const auto* total = mc.find(register_id::total);
            if (!total) continue;
            for (std::size_t k = 0; k < mc.periods.size(); ++k) {
                if (mc.periods[k].start_date != first) continue;
                complete = complete && total->complete[k];
                const decimal v = decimal::from_raw(total->value[k]);
                if (m->role == meter_role::building) {
                    in.building += v;
                    ++building_meters;
                } else if (acc.type == building_type::non_residential) {
                    in.non_residential += v;
                } else {
                    in.metered_flats += v;
                }
            }
        }
    }
    if (building_meters == 0)
        throw config_error(errc::config, "no building meter of " + std::string(to_string(res)) +
                                             " in building '" + building + "' for " + month);
    const auto s = share_building(in, policy);
    output out(a);
    auto& os = out.stream();
    os << "account,area,share\n";
    for (const auto& [acc, share] : s.shares) {
        const auto* account = f.find_account(acc);
        os << acc << ',' << to_string(*account->area) << ',' << to_string(share) << '\n';
    }
    out.finish();
    std::cerr << "building " << building << ", " << to_string(res) << ", " << month
              << (complete ? "" : " (incomplete)") << ": building meters " << to_string(in.building)
              << " - non-residential " << to_string(in.non_residential) << " - normative flats "
              << to_string(in.normative_flats) << " - metered flats " << to_string(in.metered_flats) << " = "
              << to_string(s.to_share) << " over " << to_string(in.total_area) << " m²"
              << (s.carried.raw() ? ", carried forward " + to_string(s.carried) : "") << "\n";
    return 0;
}

command building_share_command() {
    return {{"building-share",
             "The building share (ОДН) of one month by formula 12 of ПП 354: (building meters − "
             "non-residential −\n"
             "flats billed by normative − flats with meters) × flat area / total area.",
             {db_spec().mandatory(), opt::busy_timeout(),
              opt::text("building", "KEY", "the building (accounts' building field)").mandatory(),
              opt::choice("resource", "NAME", resource_text, "the resource").defaults_to("electricity"),
              opt::month("month", "the month").mandatory(),
              opt::decimal_at_least("normative-flats", "VALUE", decimal{},
                                    "consumption of flats billed by normative (default 0)"),
              opt::choice("policy", "POLICY", negative_share_text, "a negative share").defaults_to("clip"),
              opt::path("out", "FILE", "where to write ('-': stdout)").defaults_to("-")},
             "CSV: account,area,share; the bracket of the formula on stderr. Shares add up exactly."},
            run_building_share};
}

}  // namespace kvant::cli
