#include "kvant/model/tariff_book.hpp"

namespace kvant {
inline namespace v0 {

namespace {
constexpr char unit_separator = '\x1f';

void require_text(issues& out, const char* entity, const std::string& key, const char* field,
                  const std::string& value) {
    if (value.empty()) out.push_back({severity::error, entity, key, field, std::string(field) + " is empty"});
}
void plausible(issues& out, const char* entity, const std::string& key, const char* field, calendar_date d) {
    if (!d.ok() || d < plausible_first_date || d > plausible_last_date)
        out.push_back(
            {severity::error, entity, key, field, to_string(d) + " is outside 1900-01-01..2099-12-31"});
}
void bounded(issues& out, const char* entity, const std::string& key, const char* field, decimal v) {
    if (v < decimal{} || v > max_stored_price)
        out.push_back({severity::error, entity, key, field,
                       to_string(v) + " is outside 0.." + to_string(max_stored_price)});
}
/// A key for messages: the parts joined by '/'.
std::string shown(std::string k) {
    for (auto& c : k)
        if (c == unit_separator) c = '/';
    return k;
}
}  // namespace

std::string key_of(const tariff_assignment& a) {
    return std::string(to_string(a.scope)) + unit_separator + a.target + unit_separator +
           std::string(to_string(a.measures)) + unit_separator + to_string(a.from);
}
std::string key_of(const tariff_rate& r) {
    return r.schedule + unit_separator + std::string(to_string(r.scope)) + unit_separator + r.target +
           unit_separator + r.zone + unit_separator + to_string(r.from);
}
std::string key_of(const normative& n) {
    return n.organization + unit_separator + std::string(to_string(n.measures)) + unit_separator +
           n.amenities + unit_separator + to_string(n.from);
}

issues validate(const tariff_assignment& a) {
    issues out;
    const char* e = "tariff_assignment";
    const std::string k = shown(key_of(a));
    require_text(out, e, k, "target", a.target);
    require_text(out, e, k, "schedule", a.schedule);
    plausible(out, e, k, "from", a.from);
    return out;
}

issues validate(const tariff_rate& r) {
    issues out;
    const char* e = "tariff_rate";
    const std::string k = shown(key_of(r));
    require_text(out, e, k, "schedule", r.schedule);
    require_text(out, e, k, "target", r.target);
    require_text(out, e, k, "zone", r.zone);
    plausible(out, e, k, "from", r.from);
    bounded(out, e, k, "price", r.price);
    return out;
}

issues validate(const normative& n) {
    issues out;
    const char* e = "normative";
    const std::string k = shown(key_of(n));
    require_text(out, e, k, "organization", n.organization);
    plausible(out, e, k, "from", n.from);
    bounded(out, e, k, "value", n.value);
    return out;
}

}  // namespace v0
}  // namespace kvant
