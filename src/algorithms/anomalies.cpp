#include "kvant/algorithms/anomalies.hpp"

#include <algorithm>
#include <map>

#include "../core/int128.hpp"
#include "kvant/algorithms/consumption.hpp"
#include "kvant/algorithms/meter_state.hpp"
#include "kvant/algorithms/tariff.hpp"
#include "kvant/model/validation.hpp"

namespace kvant {
inline namespace v0 {

namespace {

std::string date_text(calendar_date d) {
    return to_russian_string(d);
}
std::string local_text(instant t, const zone& z) {
    const auto lt = z.to_local(t);
    const auto day = date::floor<date::days>(lt);
    const auto s = (lt - day).count();
    char hm[8];
    std::snprintf(hm, sizeof hm, "%02d:%02d", static_cast<int>(s / 3600 % 100),
                  static_cast<int>(s / 60 % 60));
    return to_russian_string(calendar_date{day}) + " " + hm;
}
std::string value_text(std::int64_t raw, resource r) {
    return to_fixed(decimal::from_raw(raw), display_places(r));
}

message msg(message_code code, std::initializer_list<std::pair<const char*, std::string>> params) {
    message m{code, {}};
    for (const auto& [k, v] : params) m.set(k, v);
    return m;
}

class collector {
  public:
    collector(const fleet& f, std::vector<anomaly>& out) : f_(f), out_(out) {}
    void add(anomaly_type type, anomaly_severity level, const meter& m, std::string detail, instant from,
             instant to, message text) {
        anomaly a;
        a.key = std::string(to_string(type)) + ":" + m.serial + ":" + detail + std::to_string(to_unix(from));
        a.type = type;
        a.level = level;
        a.meter = m.serial;
        if (const auto* acc = f_.account_of(m)) a.account = acc->number;
        a.from = from;
        a.to = to;
        a.text = std::move(text);
        out_.push_back(std::move(a));
    }
    const fleet& relations() const { return f_; }

  private:
    const fleet& f_;
    std::vector<anomaly>& out_;
};

// The latest reading time at or before `t` over all channels.
std::optional<std::int64_t> last_at_or_before(const meter_series& s, std::int64_t t) {
    std::optional<std::int64_t> out;
    for (const auto& ch : s.channels()) {
        const auto ts = ch.times();
        const auto it = std::upper_bound(ts.begin(), ts.end(), t);
        if (it != ts.begin() && (!out || *(it - 1) > *out)) out = *(it - 1);
    }
    return out;
}
// The earliest reading time after `t` over all channels.
std::optional<std::int64_t> first_after(const meter_series& s, std::int64_t t) {
    std::optional<std::int64_t> out;
    for (const auto& ch : s.channels()) {
        const auto ts = ch.times();
        const auto it = std::upper_bound(ts.begin(), ts.end(), t);
        if (it != ts.end() && (!out || *it < *out)) out = *it;
    }
    return out;
}
// Every reading time of the meter, over all channels, sorted, each once.
std::vector<std::int64_t> reading_times(const meter_series& s) {
    std::vector<std::int64_t> out;
    for (const auto& ch : s.channels()) {
        const auto mid = out.size();
        out.insert(out.end(), ch.times().begin(), ch.times().end());
        std::inplace_merge(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(mid), out.end());
    }
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

void steps(collector& c, const meter& m, const meter_series& s) {
    const register_params p = register_params_of(m, c.relations().model_of(m));
    for (const auto& ch : s.channels()) {
        if (ch.ch().kind != channel_kind::cumulative) continue;
        // the main quantity's registers keep their tariff names (total, t1, …) in keys and texts
        const bool main = ch.ch().what == p.main.what && ch.ch().in == p.main.in;
        const auto r = static_cast<int>(ch.ch().tariff);
        const std::string reg = main ? std::string(to_string(ch.ch().tariff)) : to_string(ch.ch());
        const auto rs = ch.view();
        const std::string tariff = main && r != 0 ? std::to_string(r) : "";
        const std::string other = main ? "" : to_string(ch.ch());
        for (std::size_t i = 0; i + 1 < rs.size(); ++i) {
            if (rs.value[i + 1] >= rs.value[i]) continue;
            step_status st = step_status::decrease;
            step_consumption(rs.value[i], rs.value[i + 1], p, &st);
            const std::string prev = value_text(rs.value[i], m.measures),
                              cur = value_text(rs.value[i + 1], m.measures);
            if (st == step_status::rollover)
                c.add(anomaly_type::rollover, anomaly_severity::info, m, reg + ":", from_unix(rs.time[i]),
                      from_unix(rs.time[i + 1]),
                      msg(message_code::rollover, {{"meter", m.serial},
                                                   {"previous", prev},
                                                   {"current", cur},
                                                   {"tariff", tariff},
                                                   {"channel", other}}));
            else
                c.add(anomaly_type::reading_decrease, anomaly_severity::warning, m, reg + ":",
                      from_unix(rs.time[i]), from_unix(rs.time[i + 1]),
                      msg(message_code::reading_decrease, {{"meter", m.serial},
                                                           {"previous", prev},
                                                           {"current", cur},
                                                           {"tariff", tariff},
                                                           {"channel", other}}));
        }
    }
}

void link(collector& c, const meter& m, const meter_series* s, const link_summary* sessions, const zone& z,
          instant now, const anomaly_thresholds& t) {
    if (m.removed && *m.removed <= local_date(z, now)) return;
    if (!m.under_control) return;
    // the last session: the last one that reached the meter when the host records its sessions, else its
    // last reading at or before now (a reading from the future is reported apart); a session after `now`
    // (detection run for a past date) is a contact at now
    std::optional<instant> last_reading;
    if (s && !s->empty())
        if (const auto r = last_at_or_before(*s, to_unix(now))) last_reading = from_unix(*r);
    const auto seen = last_contact(sessions, last_reading);
    if (!seen.at) return;
    const std::int64_t last = std::min(to_unix(*seen.at), to_unix(now));
    const instant session = from_unix(last);
    const auto days = (date::sys_days{local_date(z, now)} - date::sys_days{local_date(z, session)}).count();
    if (days < t.no_link_days) return;
    c.add(anomaly_type::no_link, anomaly_severity::warning, m, "", session, now,
          msg(message_code::no_link,
              {{"meter", m.serial}, {"days", std::to_string(days)}, {"last", local_text(session, z)}}));
}

void events(collector& c, const meter& m, std::span<const meter_event> evs, const zone& z) {
    for (const auto& e : evs) {
        anomaly_type type;
        anomaly_severity level = anomaly_severity::warning;
        message_code code;
        switch (e.kind) {
            case event_kind::tamper:
                type = anomaly_type::tamper;
                level = anomaly_severity::critical;
                code = message_code::tamper;
                break;
            case event_kind::fault:
                type = anomaly_type::fault;
                code = message_code::fault;
                break;
            case event_kind::relay:
                type = anomaly_type::relay_off;
                level = anomaly_severity::info;
                code = message_code::relay_off;
                break;
            default:
                continue;
        }
        c.add(type, level, m, std::to_string(e.code) + ":", e.time, e.time,
              msg(code, {{"meter", m.serial},
                         {"code", std::to_string(e.code)},
                         {"time", local_text(e.time, z)},
                         {"text", e.message}}));
    }
}

void tariff_sums(collector& c, const meter& m, const meter_series& s, const anomaly_thresholds& t) {
    const int tariffs = c.relations().tariff_registers_of(m);
    if (tariffs < 2) return;
    const auto bad =
        register_sum_mismatches(s, tariffs, t.tariff_sum_tolerance.raw(), channel::main(m.measures));
    if (bad.empty()) return;
    const auto& last = bad.back();
    const std::string sum = value_text(last.sum, m.measures), total = value_text(last.total, m.measures);
    c.add(anomaly_type::tariff_sum_mismatch, anomaly_severity::warning, m, "", from_unix(bad.front().time),
          from_unix(last.time),
          msg(message_code::tariff_sum_mismatch,
              {{"meter", m.serial}, {"sum", sum}, {"total", total}, {"count", std::to_string(bad.size())}}));
}

void register_behaviour(collector& c, const meter& m, const meter_series& s, const zone& z, instant now,
                        const anomaly_thresholds& t) {
    const auto rs = s.view(register_params_of(m, c.relations().model_of(m)).main);
    if (rs.empty()) return;
    // stuck: the longest run of equal values spanning stuck_days, reported once per run
    for (std::size_t i = 0; i + 1 < rs.size();) {
        std::size_t j = i;
        while (j + 1 < rs.size() && rs.value[j + 1] == rs.value[i]) ++j;
        if (j > i && rs.time[j] - rs.time[i] >= t.stuck_days * 86400LL) {
            const auto days = (rs.time[j] - rs.time[i]) / 86400;
            c.add(anomaly_type::stuck_register, anomaly_severity::warning, m, "", from_unix(rs.time[i]),
                  from_unix(rs.time[j]),
                  msg(message_code::stuck_register, {{"meter", m.serial},
                                                     {"since", local_text(from_unix(rs.time[i]), z)},
                                                     {"days", std::to_string(days)},
                                                     {"value", value_text(rs.value[i], m.measures)}}));
        }
        i = j + 1;
    }
    // consumption after removal
    if (m.removed) {
        const std::int64_t removed_at =
            to_unix(start_of_day(z, calendar_date{date::sys_days{*m.removed} + date::days{1}}));
        const auto first_after =
            std::lower_bound(rs.time.begin(), rs.time.end(), removed_at) - rs.time.begin();
        const auto k = static_cast<std::size_t>(first_after);
        if (k > 0 && k < rs.size() && rs.value.back() > rs.value[k - 1])
            c.add(anomaly_type::consumption_after_removal, anomaly_severity::warning, m, "",
                  from_unix(rs.time[k]), from_unix(rs.time.back()),
                  msg(message_code::consumption_after_removal,
                      {{"meter", m.serial},
                       {"removed", date_text(*m.removed)},
                       {"before", value_text(rs.value[k - 1], m.measures)},
                       {"after", value_text(rs.value.back(), m.measures)}}));
    }
    // readings from the future
    const std::int64_t limit = to_unix(now + t.future_tolerance);
    if (const auto fut = first_after(s, limit))
        c.add(anomaly_type::future_reading, anomaly_severity::warning, m, "", from_unix(*fut),
              from_unix(s.last_time()),
              msg(message_code::future_reading,
                  {{"meter", m.serial}, {"time", local_text(from_unix(*fut), z)}}));
    // gaps: between consecutive reading times, over all channels
    const auto ts = reading_times(s);
    for (std::size_t i = 0; i + 1 < ts.size(); ++i)
        if (ts[i + 1] - ts[i] > t.max_gap.count())
            c.add(anomaly_type::gap, anomaly_severity::info, m, "", from_unix(ts[i]), from_unix(ts[i + 1]),
                  msg(message_code::gap, {{"meter", m.serial},
                                          {"from", local_text(from_unix(ts[i]), z)},
                                          {"to", local_text(from_unix(ts[i + 1]), z)}}));
}

void spikes(collector& c, const meter& m, const meter_series& s, const zone& z, const anomaly_thresholds& t) {
    consumption_options o;
    o.periods = {period_kind::day};
    const auto daily = consumption(s, z, register_params_of(m, c.relations().model_of(m)), o);
    const auto* total = daily.find(register_id::total);
    if (!total) return;
    std::vector<std::int64_t> window;
    for (std::size_t k = 0; k < daily.periods.size(); ++k) {
        if (!total->complete[k]) continue;
        const std::size_t lo = k > static_cast<std::size_t>(t.spike_history_days)
                                   ? k - static_cast<std::size_t>(t.spike_history_days)
                                   : 0;
        window.clear();
        for (std::size_t h = lo; h < k; ++h)
            if (total->complete[h]) window.push_back(total->value[h]);
        if (window.size() < static_cast<std::size_t>(t.spike_min_days)) continue;
        std::nth_element(window.begin(), window.begin() + static_cast<std::ptrdiff_t>(window.size() / 2),
                         window.end());
        const std::int64_t median = window[window.size() / 2];
        if (median <= 0) continue;
        // median × factor in 128 bits: a limit past the exact range is no spike, not an overflow
        const detail::int128 limit = decimal::div_round_half_even_wide(
            static_cast<detail::int128>(median) * t.spike_factor.raw(), decimal::scale);
        if (total->value[k] <= limit) continue;
        c.add(anomaly_type::spike, anomaly_severity::warning, m, "", daily.periods[k].begin,
              daily.periods[k].end,
              msg(message_code::spike, {{"meter", m.serial},
                                        {"day", date_text(daily.periods[k].start_date)},
                                        {"value", value_text(total->value[k], m.measures)},
                                        {"median", value_text(median, m.measures)}}));
    }
}

void monthly_usage(collector& c, const meter& m, const meter_series& s, const zone& z, instant now,
                   const anomaly_thresholds& t) {
    consumption_options o;
    o.periods = {period_kind::month};
    const auto mc = consumption(s, z, register_params_of(m, c.relations().model_of(m)), o);
    const auto* total = mc.find(register_id::total);
    if (!total) return;
    std::vector<std::int64_t> history;
    for (std::size_t k = 0; k < mc.periods.size(); ++k) {
        if (!total->complete[k]) continue;
        const auto& pr = mc.periods[k];
        const std::string month = period_label(pr.start_date, period_kind::month);
        const std::string v = value_text(total->value[k], m.measures);
        const bool in_service =
            !(m.removed && *m.removed < pr.start_date) && !(m.installed && *m.installed > pr.start_date);
        if (total->value[k] == 0 && in_service)
            c.add(anomaly_type::zero_consumption, anomaly_severity::warning, m, "", pr.begin, pr.end,
                  msg(message_code::zero_consumption, {{"meter", m.serial}, {"month", month}}));
        const std::size_t n = std::min(history.size(), static_cast<std::size_t>(t.usage_history_months));
        if (n >= static_cast<std::size_t>(t.usage_min_months)) {
            detail::int128 sum = 0;
            for (std::size_t i = history.size() - n; i < history.size(); ++i) sum += history[i];
            const decimal mean =
                decimal::from_raw(decimal::div_round_half_even(sum, static_cast<detail::int128>(n)));
            const std::string avg = value_text(mean.raw(), m.measures);
            // mean × factor in 128 bits, compared without narrowing
            auto times = [&](decimal f) {
                return decimal::div_round_half_even_wide(static_cast<detail::int128>(mean.raw()) * f.raw(),
                                                         decimal::scale);
            };
            if (mean.raw() > 0 && total->value[k] > times(t.high_factor))
                c.add(anomaly_type::high_usage, anomaly_severity::warning, m, "", pr.begin, pr.end,
                      msg(message_code::high_usage,
                          {{"meter", m.serial}, {"month", month}, {"value", v}, {"mean", avg}}));
            else if (mean.raw() > 0 && total->value[k] < times(t.low_factor) && total->value[k] != 0)
                c.add(anomaly_type::low_usage, anomaly_severity::info, m, "", pr.begin, pr.end,
                      msg(message_code::low_usage,
                          {{"meter", m.serial}, {"month", month}, {"value", v}, {"mean", avg}}));
        }
        history.push_back(total->value[k]);
    }
    (void)now;
}

void verification(collector& c, const meter& m, const zone& z, instant now, const verification_policy& vp) {
    const auto st = verification_of(m, c.relations().model_of(m), local_date(z, now), vp);
    if (st.state != verification_state::expired || (m.removed && *m.removed <= local_date(z, now))) return;
    c.add(
        anomaly_type::verification_expired,
        st.failed_for_billing ? anomaly_severity::critical : anomaly_severity::warning, m, "",
        start_of_day(z, *st.expires), now,
        msg(message_code::verification_expired, {{"meter", m.serial}, {"expires", date_text(*st.expires)}}));
}

void inconsistencies(collector& c, const meter& m, instant now) {
    for (const auto& i : validate(m, c.relations().model_of(m))) {
        const instant from =
            m.installed ? from_unix(date::sys_days{*m.installed}.time_since_epoch().count() * 86400LL) : now;
        c.add(anomaly_type::data_inconsistency, anomaly_severity::info, m, i.field + ":", from, now,
              msg(message_code::data_inconsistency,
                  {{"meter", m.serial}, {"field", i.field}, {"issue", i.message}}));
    }
}

}  // namespace

balance_part balance_part_of(const fleet& f, const anomaly_input& in) {
    balance_part part;
    if (!in.m || !in.series) return part;
    const auto* acc = f.account_of(*in.m);
    if (!acc || acc->building.empty()) return part;
    const zone z = f.zone_of(*in.m);
    consumption_options o;
    o.periods = {period_kind::month};
    const auto mc = consumption(*in.series, z, register_params_of(*in.m, f.model_of(*in.m)), o);
    const auto* total = mc.find(register_id::total);
    if (!total) return part;
    for (std::size_t k = 0; k < mc.periods.size(); ++k)
        part.months.push_back({acc->building, in.m->measures, in.m->role == meter_role::building,
                               in.m->serial, mc.periods[k].begin, mc.periods[k].end, z,
                               date::sys_days{mc.periods[k].start_date}.time_since_epoch().count(),
                               total->value[k], total->complete[k] != 0});
    return part;
}

void building_balance::add(const balance_part& part) {
    for (const auto& mth : part.months) {
        auto& cell = cells_[{mth.building, mth.measures, mth.day}];
        cell.begin = mth.begin;
        cell.end = mth.end;
        cell.z = mth.z;
        cell.complete = cell.complete && mth.complete;
        if (mth.building_meter) {
            cell.building += mth.value;
            if (cell.first_building_meter.empty()) cell.first_building_meter = mth.meter;
        } else {
            cell.individual += mth.value;
        }
    }
}

std::vector<anomaly> building_balance::anomalies(const anomaly_thresholds& t) const {
    std::vector<anomaly> out;
    const auto& cells = cells_;
    for (const auto& [key, cell] : cells) {
        const auto& [building, res, day] = key;
        const detail::int128 building_sum = detail::to_int128(cell.building);
        const detail::int128 individual_sum = detail::to_int128(cell.individual);
        if (!cell.complete || cell.first_building_meter.empty() || individual_sum <= 0) continue;
        const std::string month =
            period_label(calendar_date{date::sys_days{date::days{day}}}, period_kind::month);
        const detail::int128 diff = building_sum - individual_sum;  // |diff| < 2^127: parts are < 2^63 each
        // share in millionths: |diff| < 2^63 × meters, so diff × 10^6 fits 128 bits below 10^13 meters
        const detail::int128 share = decimal::div_round_half_even_wide(diff * decimal::scale, individual_sum);
        if ((share < 0 ? -share : share) <= t.balance_tolerance.raw()) continue;
        std::int64_t building_total = 0, individual_total = 0, share_pct = 0;
        if (!detail::narrow_ok(building_sum, building_total) ||
            !detail::narrow_ok(individual_sum, individual_total))
            detail::throw_overflow("the consumption of building " + excerpt(building) + " in " + month);
        // a share past ±9.2 × 10^10 % is shown at that bound: it is an imbalance either way
        const detail::int128 pct_raw = share * 100;
        constexpr std::int64_t pct_bound = std::numeric_limits<std::int64_t>::max() / 100;
        if (!detail::narrow_ok(pct_raw, share_pct)) share_pct = (pct_raw < 0 ? -pct_bound : pct_bound) * 100;
        const std::string pct = to_fixed(decimal::from_raw(share_pct), 1);
        anomaly a;
        a.key = "building_imbalance:" + building + ":" + std::string(to_string(res)) + ":" +
                std::to_string(to_unix(cell.begin));
        a.type = anomaly_type::building_imbalance;
        a.level = anomaly_severity::warning;
        a.meter = building;
        a.from = cell.begin;
        a.to = cell.end;
        a.text =
            msg(message_code::building_imbalance, {{"building", building},
                                                   {"resource", std::string(to_string(res))},
                                                   {"month", month},
                                                   {"building_total", value_text(building_total, res)},
                                                   {"individual_total", value_text(individual_total, res)},
                                                   {"share", pct}});
        out.push_back(std::move(a));
    }
    return out;
}

namespace {}  // namespace

std::vector<anomaly> meter_anomalies(const fleet& f, const anomaly_input& in, instant now,
                                     const anomaly_thresholds& t, const verification_policy& vp) {
    std::vector<anomaly> out;
    if (!in.m) return out;
    collector c(f, out);
    const zone z = f.zone_of(*in.m);
    if (in.series) {
        steps(c, *in.m, *in.series);
        tariff_sums(c, *in.m, *in.series, t);
        register_behaviour(c, *in.m, *in.series, z, now, t);
        spikes(c, *in.m, *in.series, z, t);
        monthly_usage(c, *in.m, *in.series, z, now, t);
    }
    link(c, *in.m, in.series, in.link, z, now, t);
    events(c, *in.m, in.events, z);
    verification(c, *in.m, z, now, vp);
    inconsistencies(c, *in.m, now);
    return out;
}

std::vector<anomaly> detect_anomalies(const fleet& f, std::span<const anomaly_input> meters, instant now,
                                      const anomaly_thresholds& t, const verification_policy& vp) {
    std::vector<anomaly> out;
    building_balance balance;
    for (const auto& in : meters) {
        auto found = meter_anomalies(f, in, now, t, vp);
        out.insert(out.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
        balance.add(balance_part_of(f, in));
    }
    auto imbalances = balance.anomalies(t);
    out.insert(out.end(), std::make_move_iterator(imbalances.begin()),
               std::make_move_iterator(imbalances.end()));
    return out;
}

std::vector<anomaly> duplicate_readings(const fleet& f, const reading_table& batch) {
    std::vector<anomaly> out;
    collector c(f, out);
    // the first row of each (meter, time, channel); the differences found per (meter, time), in the order
    // of the batch
    std::map<std::tuple<std::uint32_t, std::int64_t, std::uint16_t>, std::size_t> first;
    std::map<std::pair<std::uint32_t, std::int64_t>, std::size_t> found;  // → index in diffs
    struct difference {
        std::size_t row;
        message text;
    };
    std::vector<difference> diffs;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const auto mi = batch.meter_index()[i];
        const auto t = batch.times()[i];
        const auto [it, fresh] = first.try_emplace({mi, t, batch.channel_index()[i]}, i);
        if (fresh) continue;
        const std::size_t j = it->second;
        const auto a = batch.values()[j], b = batch.values()[i];
        if (a == b) continue;  // the same value twice is no anomaly
        auto [d, is_new] = found.try_emplace({mi, t}, diffs.size());
        if (is_new) diffs.push_back({i, {message_code::duplicate_reading, {}}});
        auto& diff = diffs[d->second];
        const meter* known = f.find_meter(batch.meter_of(i));
        const std::string name = channel_label(
            batch.channel_of(i), channel::main(known ? known->measures : resource::electricity));
        const std::string va = to_string(decimal::from_raw(a)), vb = to_string(decimal::from_raw(b));
        const std::string n = "." + std::to_string(diff.text.params.size() / 3);
        diff.text.set("channel" + n, name).set("a" + n, va).set("b" + n, vb);
    }
    for (const auto& d : diffs) {
        const std::string& serial = batch.meter_of(d.row);
        const meter* m = f.find_meter(serial);
        meter unknown;
        unknown.serial = serial;
        const instant t = from_unix(batch.times()[d.row]);
        c.add(anomaly_type::duplicate_reading, anomaly_severity::warning, m ? *m : unknown, "", t, t,
              message(d.text).set("meter", serial).set("time", to_string(t)));
    }
    return out;
}

}  // namespace v0
}  // namespace kvant
