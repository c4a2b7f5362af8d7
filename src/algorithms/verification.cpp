#include "kvant/algorithms/verification.hpp"

namespace kvant {
inline namespace v0 {

verification_status verification_of(const meter& m, const meter_model* model, calendar_date on,
                                    const verification_policy& policy) {
    verification_status st;
    st.base = m.last_verification ? m.last_verification : m.manufactured;
    if (m.manufactured && model && model->service_life_years)
        st.service_life_end = add_years(*m.manufactured, *model->service_life_years);
    const int interval = model ? model->verification_interval_years : 0;
    if (!st.base || interval <= 0) return st;
    st.expires = verification_expiry(*st.base, interval, policy.rule);
    st.next = next_verification(*st.base, interval, policy.rule);
    if (on >= *st.expires) {
        st.state = verification_state::expired;
        st.failed_for_billing = true;
        for (const auto& s : policy.suspensions)
            if (on >= s.from && on < s.until) st.failed_for_billing = false;
    } else if (date::sys_days{*st.expires} - date::sys_days{on} <= date::days{policy.due_soon_days}) {
        st.state = verification_state::due_soon;
    } else {
        st.state = verification_state::valid;
    }
    return st;
}

verification_counts count_verification(const fleet& f, calendar_date on, const verification_policy& policy) {
    verification_counts c;
    for (const auto& m : f.meters()) {
        if (m.removed && *m.removed <= on) continue;
        c.add(verification_of(m, f.model_of(m), on, policy).state);
    }
    return c;
}

}  // namespace v0
}  // namespace kvant
