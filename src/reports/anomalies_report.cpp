// anomalies_report: `kvant anomalies list`, the stored anomalies a filter selects.
#include "kvant/reports/reports.hpp"

namespace kvant {
inline namespace v0 {

std::vector<anomaly> listed_anomalies(const store& db, const anomaly_query& filter) {
    if (!filter.organization.empty() && !db.find<organization>(filter.organization))
        throw storage_error(errc::not_found, "no organization " + excerpt(filter.organization));
    return db.find_anomalies(filter).items;
}

report_table anomalies_table(std::span<const anomaly> list) {
    report_table t({{"key", column_type::text},
                    {"type", column_type::text},
                    {"severity", column_type::text},
                    {"meter", column_type::text},
                    {"account", column_type::text},
                    {"from", column_type::timestamp},
                    {"to", column_type::timestamp},
                    {"status", column_type::text},
                    {"resolved_at", column_type::timestamp},
                    {"resolved_by", column_type::text},
                    {"message_ru", column_type::text},
                    {"message_en", column_type::text}});
    for (const auto& x : list) {
        t.set_text(0, x.key)
            .set_text(1, to_string(x.type))
            .set_text(2, to_string(x.level))
            .set_text(3, x.meter)
            .set_text(4, x.account)
            .set_timestamp(5, x.from)
            .set_timestamp(6, x.to)
            .set_text(7, to_string(x.status));
        if (x.resolved_at) t.set_timestamp(8, *x.resolved_at);
        t.set_text(9, x.resolved_by)
            .set_text(10, x.render(language::ru))
            .set_text(11, x.render(language::en));
        t.end_row();
    }
    return t;
}

report_table anomalies_report(const store& db, const anomaly_query& filter) {
    const auto list = listed_anomalies(db, filter);
    return anomalies_table(list);
}

}  // namespace v0
}  // namespace kvant
