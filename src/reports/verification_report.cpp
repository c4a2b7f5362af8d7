// verification_report: `kvant verification`, the verification dates and state of every meter in service.
#include "kvant/reports/reports.hpp"
#include "report_time.hpp"

namespace kvant {
inline namespace v0 {

report_table verification_report(const store& db, instant at, const verification_policy& policy) {
    detail::check_report_time(at, "verification time");
    const fleet f = load_fleet(db);
    report_table t({{"meter", column_type::text},
                    {"model", column_type::text},
                    {"base", column_type::text},
                    {"next", column_type::text},
                    {"expires", column_type::text},
                    {"state", column_type::text},
                    {"failed_for_billing", column_type::boolean},
                    {"service_life_end", column_type::text}});
    auto d = [](const std::optional<calendar_date>& x) { return x ? to_string(*x) : std::string(); };
    for (const auto& m : f.meters()) {
        const calendar_date on = local_date(f.zone_of(m), at);
        if (m.removed && *m.removed <= on) continue;  // снят с учёта
        const auto st = verification_of(m, f.model_of(m), on, policy);
        t.set_text(0, m.serial)
            .set_text(1, m.model)
            .set_text(2, d(st.base))
            .set_text(3, d(st.next))
            .set_text(4, d(st.expires))
            .set_text(5, verification_state_text.name(st.state))
            .set_bool(6, st.failed_for_billing)
            .set_text(7, d(st.service_life_end))
            .end_row();
    }
    return t;
}

}  // namespace v0
}  // namespace kvant
