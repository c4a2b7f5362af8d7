// kvant_anomalies_detect: every anomaly rule over the meters of a store, stored as `kvant anomalies detect`
// stores them. The reports layer has no detection call yet (its reports only read), so this composes the
// library's rules here, streamed over the store as the tool does: each meter's rules with its events and
// link summary, then the building balances, then put_anomalies.
#include <chrono>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "barrier.hpp"
#include "handles.hpp"
#include "kvant/algorithms/anomalies.hpp"
#include "kvant/reports/meter_source.hpp"

using namespace kvant;
using namespace kvant::capi;

extern "C" {

int kvant_anomalies_detect(size_t* found_out, kvant_store* s, int64_t now_unix) {
    return barrier([&] {
        constexpr const char* fn = "kvant_anomalies_detect";
        if (found_out) *found_out = 0;
        store& db = *need(s, fn, "store")->db;
        const instant now = from_unix(now_unix);
        std::map<std::string, std::vector<meter_event>, std::less<>> events;
        for (auto& e : db.events({}, from_unix(-(std::int64_t{1} << 40)), now + seconds{1}))
            events[e.meter].push_back(std::move(e));
        std::map<std::string, link_summary, std::less<>> links;
        for (const auto& l : db.link_summaries()) links.emplace(l.meter, l);
        const auto input_of = [&](const meter* m, const meter_series& series) {
            const auto e = events.find(series.serial());
            const auto l = links.find(series.serial());
            return anomaly_input{
                m, &series,
                e == events.end() ? std::span<const meter_event>{} : std::span<const meter_event>(e->second),
                l == links.end() ? nullptr : &l->second};
        };

        source_options o;
        o.to = now_unix == std::numeric_limits<std::int64_t>::max() ? now_unix : now_unix + 1;
        const auto source = store_source(db, o);
        const fleet& f = source->relations();
        std::vector<anomaly> found;
        building_balance balance;
        std::set<std::string, std::less<>> streamed;
        std::vector<meter_input> group;
        while (source->next_group(group, 256))
            for (const auto& mi : group) {
                const anomaly_input in = input_of(mi.entity, mi.series);
                for (auto& a : meter_anomalies(f, in, now)) found.push_back(std::move(a));
                balance.add(balance_part_of(f, in));
                streamed.insert(mi.series.serial());
            }
        // meters without readings: their events, verification and data rules still apply
        for (const auto& m : f.meters()) {
            if (streamed.count(m.serial)) continue;
            const meter_series none(m.serial);
            for (auto& a : meter_anomalies(f, input_of(&m, none), now)) found.push_back(std::move(a));
        }
        for (auto& a : balance.anomalies()) found.push_back(std::move(a));
        db.put_anomalies(found);
        if (found_out) *found_out = found.size();
        return KVANT_OK;
    });
}

}  // extern "C"
