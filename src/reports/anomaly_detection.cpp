#include "kvant/reports/anomaly_detection.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>
#include <set>
#include <string>

#include "kvant/core/error.hpp"
#include "kvant/model/validation.hpp"
#include "report_time.hpp"

namespace kvant {
inline namespace v0 {

link_summary link_as_of(const store& db, const link_summary& latest, instant at) {
    if (!latest.last || latest.last->start <= at) return latest;
    link_summary then;
    then.meter = latest.meter;
    for (auto& c : db.sessions(latest.meter, from_unix(plausible_first_unix), at + seconds{1})) {
        if (reached(c.result)) then.last_ok = c;
        then.last = std::move(c);
    }
    return then;
}

std::vector<anomaly> detect_anomalies(const store& db, const detection_options& o) {
    const instant now = o.at;
    const anomaly_thresholds& t = o.thresholds;
    detail::check_report_time(now, "detection time");
    if (o.days && (*o.days < 1 || *o.days > 36500))
        throw config_error(errc::out_of_range,
                           "detection days " + std::to_string(*o.days) + " is outside 1..36500");
    // What is read: data up to now only, and with `days` only those days plus the history the rules look
    // back over (the longest: usage against the months before).
    std::int64_t from = std::numeric_limits<std::int64_t>::min();
    std::optional<instant> report_from;
    if (o.days) {
        report_from = now - std::chrono::days{*o.days};
        const int history_days = std::max({t.spike_history_days + 2, (t.usage_history_months + 2) * 31,
                                           t.stuck_days + 1, t.no_link_days + 1});
        from = to_unix(*report_from - std::chrono::days{history_days});
    }
    std::map<std::string, std::vector<meter_event>, std::less<>> events;
    // the sessions' summaries: the «не на связи» rule uses them for the meters that have sessions
    std::map<std::string, link_summary, std::less<>> links;
    for (const auto& l : db.link_summaries()) links.emplace(l.meter, link_as_of(db, l, now));
    for (auto& e :
         db.events({}, from_unix(from == std::numeric_limits<std::int64_t>::min() ? -(1LL << 40) : from),
                   now + seconds{1})) {
        if (o.catalogue) o.catalogue->classify(e);
        events[e.meter].push_back(std::move(e));
    }
    const auto input_of = [&](const meter* m, const meter_series& series) {
        const auto it = events.find(series.serial());
        const auto li = links.find(series.serial());
        return anomaly_input{
            m, &series,
            it == events.end() ? std::span<const meter_event>{} : std::span<const meter_event>(it->second),
            li == links.end() ? nullptr : &li->second};
    };

    source_options so;
    so.from = from;
    so.to = to_unix(now) + 1;
    const auto src = store_source(db, so);
    const fleet& f = src->relations();
    struct result {
        std::vector<anomaly> found;
        balance_part part;
    };
    std::vector<anomaly> found;
    building_balance balance;
    std::set<std::string, std::less<>> streamed;
    run_meters(
        *src, o.run,
        [&](const meter_input& mi) {
            const anomaly_input input = input_of(mi.entity, mi.series);
            return result{meter_anomalies(f, input, now, t, o.verification), balance_part_of(f, input)};
        },
        [&](result& r, const meter_input& mi) {
            for (auto& x : r.found) found.push_back(std::move(x));
            balance.add(r.part);
            streamed.insert(mi.series.serial());
        });
    // meters without readings in the window: their events, verification and data rules still apply. A
    // window may begin after a silent meter's last reading; that reading (the last at or before now) is read
    // back, so that an ongoing loss of link is still reported as the whole history reports it.
    for (const auto& m : f.meters()) {
        if (streamed.count(m.serial)) continue;
        meter_series last(m.serial);
        if (report_from)
            if (const auto r = db.last_reading(m.serial, now))
                for (const auto& v : r->values) last.push(v.ch, to_unix(r->time), v.value.raw());
        for (auto& x : meter_anomalies(f, input_of(&m, last), now, t, o.verification))
            found.push_back(std::move(x));
    }
    for (auto& x : balance.anomalies(t)) found.push_back(std::move(x));
    if (report_from)
        found.erase(
            std::remove_if(found.begin(), found.end(), [&](const anomaly& x) { return x.to < *report_from; }),
            found.end());
    return found;
}

}  // namespace v0
}  // namespace kvant
