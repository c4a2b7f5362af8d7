// The reports: each runs the library's report (kvant/reports/reports.hpp) over a store and hands back its
// report_table as a kvant_table.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstring>
#include <limits>
#include <memory>
#include <string>

#include "barrier.hpp"
#include "handles.hpp"
#include "kvant/io/tariff_files.hpp"
#include "kvant/reports/reports.hpp"

using namespace kvant;
using namespace kvant::capi;

namespace {

/// Whether the caller's struct (of `size` bytes) reaches field `f`.
#define KVANT_CAPI_KNOWS(o, f) ((o)->size >= offsetof(kvant_report_options, f) + sizeof((o)->f))

/// The caller's options onto the library's. NULL: the defaults.
void apply(const kvant_report_options* o, period_report_options& p, source_options& src, const char* fn) {
    if (!o) return;
    if (o->size < offsetof(kvant_report_options, by))
        invalid(fn, "options->size is too small: call kvant_report_options_init first");
    if (KVANT_CAPI_KNOWS(o, by) && o->by) p.by = period_kind_text.parse(o->by, location{"", 0, "by", -1});
    if (KVANT_CAPI_KNOWS(o, billing_day) && o->billing_day) {
        if (o->billing_day < 1 || o->billing_day > 31)
            throw config_error(errc::usage, std::string(fn) + ": billing_day " +
                                                std::to_string(o->billing_day) +
                                                " is not 1..31 (or 0 for each meter's organisation's)");
        p.billing_day = o->billing_day;
    }
    if (KVANT_CAPI_KNOWS(o, complete_only)) p.complete_only = o->complete_only != 0;
    if (KVANT_CAPI_KNOWS(o, group) && o->group)
        p.group = group_level_text.parse(o->group, location{"", 0, "group", -1});
    if (KVANT_CAPI_KNOWS(o, threads)) {
        // as the tool's --threads: a pool of 100,000 threads would exhaust the machine
        if (o->threads > 256)
            throw config_error(errc::usage, std::string(fn) + ": threads " + std::to_string(o->threads) +
                                                " is not 0..256 (0: one per core)");
        p.run.threads = o->threads;
    }
    if (KVANT_CAPI_KNOWS(o, from)) src.from = o->from;
    if (KVANT_CAPI_KNOWS(o, to)) src.to = o->to;
    if (KVANT_CAPI_KNOWS(o, resource) && o->resource)
        src.only = resource_text.parse(o->resource, location{"", 0, "resource", -1});
}

const store& db_of(const kvant_store* s, const char* fn) {
    return *need(s, fn, "store")->db;
}

kvant_table** start(kvant_table** out, const char* fn) {
    need(out, fn, "out");
    *out = nullptr;
    return out;
}

int hand_out(kvant_table** out, report_table t) {
    *out = std::make_unique<kvant_table>(std::move(t)).release();
    return KVANT_OK;
}

/// A schedule named by the caller: its JSON text (a schedule or a URDB item, whose rates go to `rates`), a
/// preset's name, or a stored schedule's id.
tariff_schedule schedule_of(const store& db, std::string_view spec, std::vector<rate>* rates) {
    auto file = load_schedule(spec, &db);
    if (rates) *rates = std::move(file.rates);
    return std::move(file.schedule);
}

}  // namespace

extern "C" {

int kvant_report_options_init(kvant_report_options* o, size_t size) {
    return barrier([o, size] {
        constexpr const char* fn = "kvant_report_options_init";
        need(o, fn, "options");
        if (size < sizeof(o->size))
            invalid(fn, ("size " + std::to_string(size) + " does not reach the size field").c_str());
        kvant_report_options d{};
        d.size = std::min(size, sizeof(kvant_report_options));
        d.from = std::numeric_limits<std::int64_t>::min();
        d.to = std::numeric_limits<std::int64_t>::max();
        std::memcpy(o, &d, d.size);  // only the bytes the caller's struct has
        return KVANT_OK;
    });
}

int kvant_report_consumption(kvant_table** out, const kvant_store* s, const kvant_report_options* options) {
    return barrier([&] {
        constexpr const char* fn = "kvant_report_consumption";
        start(out, fn);
        const store& db = db_of(s, fn);
        period_report_options o;
        source_options src;
        apply(options, o, src, fn);
        const auto source = store_source(db, src);
        return hand_out(out, consumption_report(*source, o));
    });
}

int kvant_report_split(kvant_table** out, const kvant_store* s, const char* schedule,
                       const kvant_report_options* options) {
    return barrier([&] {
        constexpr const char* fn = "kvant_report_split";
        start(out, fn);
        const store& db = db_of(s, fn);
        need(schedule, fn, "schedule");
        period_report_options o;
        source_options src;
        apply(options, o, src, fn);
        split_source from = split_source::automatic;
        if (options && KVANT_CAPI_KNOWS(options, split_source) && options->split_source)
            from = split_source_text.parse(options->split_source, location{"", 0, "split_source", -1});
        const tariff_schedule sched = schedule_of(db, schedule, nullptr);
        const auto source = store_source(db, src);
        return hand_out(out, split_report(*source, sched, o, from));
    });
}

int kvant_report_cost(kvant_table** out, const kvant_store* s, const char* schedule, const char* rates_csv,
                      const kvant_report_options* options) {
    return barrier([&] {
        constexpr const char* fn = "kvant_report_cost";
        start(out, fn);
        const store& db = db_of(s, fn);
        cost_report_options o;
        source_options src;
        apply(options, o, src, fn);
        if (schedule) o.schedule = schedule_of(db, schedule, &o.rates);
        if (rates_csv) o.rates = parse_rates_csv(rates_csv, "rates_csv");
        const auto source = store_source(db, src);
        return hand_out(out, cost_report(*source, o));
    });
}

int kvant_report_verification(kvant_table** out, const kvant_store* s, int64_t at) {
    return barrier([&] {
        constexpr const char* fn = "kvant_report_verification";
        start(out, fn);
        return hand_out(out, verification_report(db_of(s, fn), from_unix(at)));
    });
}

int kvant_report_estimate(kvant_table** out, const kvant_store* s, int64_t at,
                          const kvant_report_options* options) {
    return barrier([&] {
        constexpr const char* fn = "kvant_report_estimate";
        start(out, fn);
        const store& db = db_of(s, fn);
        estimate_report_options o;
        source_options src;
        apply(options, o, src, fn);
        o.at = from_unix(at);
        const auto source = store_source(db, src);
        return hand_out(out, estimate_report(*source, o));
    });
}

int kvant_anomalies_list(kvant_table** out, const kvant_store* s, const char* status, const char* meter) {
    return barrier([&] {
        constexpr const char* fn = "kvant_anomalies_list";
        start(out, fn);
        anomaly_query q;
        if (status) q.status = anomaly_status_text.parse(status, location{"", 0, "status", -1});
        if (meter) q.meter = meter;
        return hand_out(out, anomalies_report(db_of(s, fn), q));
    });
}

int kvant_anomaly_resolve(kvant_store* s, const char* key, int64_t at, const char* by, const char* note) {
    return barrier([&] {
        constexpr const char* fn = "kvant_anomaly_resolve";
        need(s, fn, "store");
        need(key, fn, "key");
        need(by, fn, "by");
        if (!s->db->resolve_anomaly(key, from_unix(at), by, note ? note : ""))
            throw storage_error(errc::not_found, "no anomaly '" + std::string(key).substr(0, 200) + "'");
        return KVANT_OK;
    });
}

}  // extern "C"
