// The store calls a host's screens need, written once over the backends' virtual calls so that every
// backend (and scoped_store) answers them alike: entity queries, organisation of an entity, deletes with the
// seeds' rules, the change log's recording, anomaly queries. docs/queries.md describes each choice.
#include <algorithm>
#include <map>
#include <set>
#include <variant>

#include "kvant/store/store.hpp"

namespace kvant {
inline namespace v0 {

namespace {

// ---- text: case folding for the search and the sort

/// One code point of valid UTF-8 at `i` (the store keeps only valid text); advances `i`.
char32_t next_code_point(std::string_view s, std::size_t& i) {
    const auto b = static_cast<unsigned char>(s[i]);
    int n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    if (i + static_cast<std::size_t>(n) > s.size()) n = 1;
    char32_t c = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
    for (int k = 1; k < n; ++k) c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += static_cast<std::size_t>(n);
    return c;
}

/// Lower case for Latin A–Z and Cyrillic (U+0400..U+042F), with ё and Ё folded to е: a search for
/// "Семёнов" finds "СЕМЕНОВ", as a billing clerk expects.
char32_t fold(char32_t c) {
    if (c >= U'A' && c <= U'Z') return c + 32;
    if (c >= 0x0410 && c <= 0x042F) return c + 0x20;
    if (c >= 0x0400 && c <= 0x040F) c += 0x50;
    if (c == 0x0451) return 0x0435;  // ё → е
    return c;
}

std::u32string folded(std::string_view s) {
    std::u32string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) out.push_back(fold(next_code_point(s, i)));
    return out;
}

/// Natural order of folded text: runs of ASCII digits compare by their value ("кв. 9" before "кв. 10"),
/// the rest by folded code point.
int natural_compare(const std::u32string& a, const std::u32string& b) {
    std::size_t i = 0, j = 0;
    auto digit = [](char32_t c) { return c >= U'0' && c <= U'9'; };
    while (i < a.size() && j < b.size()) {
        if (digit(a[i]) && digit(b[j])) {
            std::size_t ie = i, je = j;
            while (ie < a.size() && a[ie] == U'0') ++ie;
            while (je < b.size() && b[je] == U'0') ++je;
            std::size_t is = ie, js = je;
            while (ie < a.size() && digit(a[ie])) ++ie;
            while (je < b.size() && digit(b[je])) ++je;
            if (ie - is != je - js) return ie - is < je - js ? -1 : 1;
            for (; is < ie; ++is, ++js)
                if (a[is] != b[js]) return a[is] < b[js] ? -1 : 1;
            i = ie, j = je;
            continue;
        }
        if (a[i] != b[j]) return a[i] < b[j] ? -1 : 1;
        ++i, ++j;
    }
    if (i < a.size()) return 1;
    if (j < b.size()) return -1;
    return 0;
}

// ---- sort values

/// A value to sort by: absent, a number (dates as days, decimals raw, times as seconds) or folded text.
using sort_value = std::variant<std::monostate, std::int64_t, std::u32string>;

int compare(const sort_value& a, const sort_value& b) {
    if (a.index() != b.index()) return a.index() < b.index() ? -1 : 1;  // absent first
    if (const auto* x = std::get_if<std::int64_t>(&a)) {
        const auto y = std::get<std::int64_t>(b);
        return *x < y ? -1 : *x > y ? 1 : 0;
    }
    if (const auto* x = std::get_if<std::u32string>(&a))
        return natural_compare(*x, std::get<std::u32string>(b));
    return 0;
}

sort_value text_value(std::string_view s) {
    if (s.empty()) return {};
    return folded(s);
}
sort_value date_value(const std::optional<calendar_date>& d) {
    if (!d) return {};
    return static_cast<std::int64_t>(date::sys_days(*d).time_since_epoch().count());
}
sort_value instant_value(const std::optional<instant>& t) {
    if (!t) return {};
    return static_cast<std::int64_t>(to_unix(*t));
}
sort_value decimal_value(const std::optional<decimal>& d) {
    if (!d) return {};
    return d->raw();
}
template <class E>
sort_value enum_value(E e) {
    return static_cast<std::int64_t>(e);
}

// ---- what a query sees of each entity, with the entities above it

/// The entities of one organisation that a query of a lower type needs, indexed by key.
struct context {
    std::map<std::string, organization, std::less<>> organizations;
    std::map<std::string, abonent, std::less<>> abonents;
    std::map<std::string, account, std::less<>> accounts;
    std::map<std::string, metering_point, std::less<>> points;
    std::vector<meter> meters;  // loaded only for a resource or role filter above the meters

    template <class Map>
    static const typename Map::mapped_type* get(const Map& m, std::string_view k) {
        const auto it = m.find(k);
        return it == m.end() ? nullptr : &it->second;
    }
    const account* account_of_point(const metering_point& p) const { return get(accounts, p.account); }
    const account* account_of_meter(const meter& m) const {
        const auto* p = get(points, m.point);
        return p ? account_of_point(*p) : nullptr;
    }
    const abonent* abonent_of(const account* a) const { return a ? get(abonents, a->abonent) : nullptr; }
};

template <class T>
struct traits;

template <>
struct traits<organization> {
    static constexpr const char* name = "organization";
    static constexpr bool has_status = false;
    static const std::string& key(const organization& o) { return o.id; }
    static std::vector<std::string_view> search(const organization& o, const context&) {
        return {o.id, o.name, o.inn};
    }
    static const std::vector<
        std::pair<std::string_view, sort_value (*)(const organization&, const context&)>>&
    sorts() {
        static const std::vector<
            std::pair<std::string_view, sort_value (*)(const organization&, const context&)>>
            s{{"id", [](const organization& o, const context&) { return text_value(o.id); }},
              {"name", [](const organization& o, const context&) { return text_value(o.name); }},
              {"inn", [](const organization& o, const context&) { return text_value(o.inn); }},
              {"kind", [](const organization& o, const context&) { return enum_value(o.kind); }}};
        return s;
    }
    static std::string_view organization_of(const organization& o, const context&) { return o.id; }
    static const account* account_of(const organization&, const context&) { return nullptr; }
};

template <>
struct traits<abonent> {
    static constexpr const char* name = "abonent";
    static constexpr bool has_status = false;
    static const std::string& key(const abonent& a) { return a.id; }
    static std::vector<std::string_view> search(const abonent& a, const context&) {
        return {a.id, a.name, a.phone, a.email};
    }
    using fn = sort_value (*)(const abonent&, const context&);
    static const std::vector<std::pair<std::string_view, fn>>& sorts() {
        static const std::vector<std::pair<std::string_view, fn>> s{
            {"id", [](const abonent& a, const context&) { return text_value(a.id); }},
            {"name", [](const abonent& a, const context&) { return text_value(a.name); }},
            {"organization", [](const abonent& a, const context&) { return text_value(a.organization); }},
            {"kind", [](const abonent& a, const context&) { return enum_value(a.kind); }},
            {"registered", [](const abonent& a, const context&) { return instant_value(a.registered); }}};
        return s;
    }
    static std::string_view organization_of(const abonent& a, const context&) { return a.organization; }
    static const account* account_of(const abonent&, const context&) { return nullptr; }
};

template <>
struct traits<account> {
    static constexpr const char* name = "account";
    static constexpr bool has_status = true;
    static const std::string& key(const account& a) { return a.number; }
    static std::vector<std::string_view> search(const account& a, const context& c) {
        std::vector<std::string_view> out{a.number, a.address};
        if (const auto* ab = c.abonent_of(&a)) out.push_back(ab->name);
        return out;
    }
    using fn = sort_value (*)(const account&, const context&);
    static const std::vector<std::pair<std::string_view, fn>>& sorts() {
        static const std::vector<std::pair<std::string_view, fn>> s{
            {"number", [](const account& a, const context&) { return text_value(a.number); }},
            {"abonent", [](const account& a, const context&) { return text_value(a.abonent); }},
            {"abonent_name",
             [](const account& a, const context& c) {
                 const auto* ab = c.abonent_of(&a);
                 return ab ? text_value(ab->name) : sort_value{};
             }},
            {"address", [](const account& a, const context&) { return text_value(a.address); }},
            {"building", [](const account& a, const context&) { return text_value(a.building); }},
            {"apartment", [](const account& a, const context&) { return text_value(a.apartment); }},
            {"area", [](const account& a, const context&) { return decimal_value(a.area); }},
            {"residents",
             [](const account& a, const context&) {
                 return a.residents ? sort_value{std::int64_t{*a.residents}} : sort_value{};
             }},
            {"contract_start", [](const account& a, const context&) { return date_value(a.contract_start); }},
            {"contract_end", [](const account& a, const context&) { return date_value(a.contract_end); }}};
        return s;
    }
    static std::string_view organization_of(const account& a, const context& c) {
        const auto* ab = c.abonent_of(&a);
        return ab ? std::string_view(ab->organization) : std::string_view{};
    }
    static const account* account_of(const account& a, const context&) { return &a; }
    static std::optional<bool> active(const account& a, calendar_date at) {
        if (a.contract_end && *a.contract_end < at) return false;
        if (a.contract_start && *a.contract_start > at) return std::nullopt;  // not yet: neither
        return true;
    }
};

template <>
struct traits<metering_point> {
    static constexpr const char* name = "metering_point";
    static constexpr bool has_status = false;
    static const std::string& key(const metering_point& p) { return p.code; }
    static std::vector<std::string_view> search(const metering_point& p, const context& c) {
        std::vector<std::string_view> out{p.code, p.name, p.account};
        if (const auto* a = c.account_of_point(p)) {
            out.push_back(a->address);
            if (const auto* ab = c.abonent_of(a)) out.push_back(ab->name);
        }
        return out;
    }
    using fn = sort_value (*)(const metering_point&, const context&);
    static const std::vector<std::pair<std::string_view, fn>>& sorts() {
        static const std::vector<std::pair<std::string_view, fn>> s{
            {"code", [](const metering_point& p, const context&) { return text_value(p.code); }},
            {"account", [](const metering_point& p, const context&) { return text_value(p.account); }},
            {"name", [](const metering_point& p, const context&) { return text_value(p.name); }},
            {"place", [](const metering_point& p, const context&) { return text_value(p.place); }},
            {"address", [](const metering_point& p, const context& c) {
                 const auto* a = c.account_of_point(p);
                 return a ? text_value(a->address) : sort_value{};
             }}};
        return s;
    }
    static std::string_view organization_of(const metering_point& p, const context& c) {
        const auto* ab = c.abonent_of(c.account_of_point(p));
        return ab ? std::string_view(ab->organization) : std::string_view{};
    }
    static const account* account_of(const metering_point& p, const context& c) {
        return c.account_of_point(p);
    }
};

template <>
struct traits<meter> {
    static constexpr const char* name = "meter";
    static constexpr bool has_status = true;
    static const std::string& key(const meter& m) { return m.serial; }
    static std::vector<std::string_view> search(const meter& m, const context& c) {
        std::vector<std::string_view> out{m.serial};
        if (const auto* a = c.account_of_meter(m)) {
            out.push_back(a->number);
            out.push_back(a->address);
            if (const auto* ab = c.abonent_of(a)) out.push_back(ab->name);
        }
        return out;
    }
    using fn = sort_value (*)(const meter&, const context&);
    static const std::vector<std::pair<std::string_view, fn>>& sorts() {
        static const std::vector<std::pair<std::string_view, fn>> s{
            {"serial", [](const meter& m, const context&) { return text_value(m.serial); }},
            {"model", [](const meter& m, const context&) { return text_value(m.model); }},
            {"point", [](const meter& m, const context&) { return text_value(m.point); }},
            {"role", [](const meter& m, const context&) { return enum_value(m.role); }},
            {"resource", [](const meter& m, const context&) { return enum_value(m.measures); }},
            {"manufactured", [](const meter& m, const context&) { return date_value(m.manufactured); }},
            {"installed", [](const meter& m, const context&) { return date_value(m.installed); }},
            {"removed", [](const meter& m, const context&) { return date_value(m.removed); }},
            {"last_verification",
             [](const meter& m, const context&) { return date_value(m.last_verification); }},
            {"account",
             [](const meter& m, const context& c) {
                 const auto* a = c.account_of_meter(m);
                 return a ? text_value(a->number) : sort_value{};
             }},
            {"address", [](const meter& m, const context& c) {
                 const auto* a = c.account_of_meter(m);
                 return a ? text_value(a->address) : sort_value{};
             }}};
        return s;
    }
    static std::string_view organization_of(const meter& m, const context& c) {
        const auto* ab = c.abonent_of(c.account_of_meter(m));
        return ab ? std::string_view(ab->organization) : std::string_view{};
    }
    static const account* account_of(const meter& m, const context& c) { return c.account_of_meter(m); }
    static std::optional<bool> active(const meter& m, calendar_date at) {
        if (m.removed && *m.removed <= at) return false;
        if (m.installed && *m.installed > at) return std::nullopt;  // not yet installed: neither
        return true;
    }
};

bool contains(const std::u32string& hay, const std::u32string& needle) {
    return hay.find(needle) != std::u32string::npos;
}

/// Whether one of the meters under an entity matches the resource and role filters.
template <class T>
bool holds_meter(const T& e, const entity_query& q, const context& c) {
    for (const auto& m : c.meters) {
        if (q.measures && m.measures != *q.measures) continue;
        if (q.role && m.role != *q.role) continue;
        const auto* a = c.account_of_meter(m);
        if (!a) continue;
        if constexpr (std::is_same_v<T, abonent>) {
            if (a->abonent == e.id) return true;
        } else if constexpr (std::is_same_v<T, account>) {
            if (a->number == e.number) return true;
        } else if constexpr (std::is_same_v<T, metering_point>) {
            if (m.point == e.code) return true;
        }
    }
    return false;
}

[[noreturn]] void usage(const std::string& what) {
    throw config_error(errc::usage, what);
}

}  // namespace

void store::list_in(std::string_view org, std::vector<organization>& out) const {
    if (org.empty()) {
        list(out);
    } else if (organization o; load(org, o)) {
        out.push_back(std::move(o));
    }
}

void store::list_in(std::string_view, std::vector<meter_model>& out) const {
    list(out);  // a shared catalogue: every organisation sees every model
}

template <class T>
page<T> store::query(const entity_query& q) const {
    using tr = traits<T>;
    constexpr bool is_org = std::is_same_v<T, organization>;
    // refuse what the query cannot mean before reading anything
    const auto& sorts = tr::sorts();
    sort_value (*sort_fn)(const T&, const context&) = nullptr;
    if (!q.sort_by.empty()) {
        for (const auto& [n, f] : sorts)
            if (n == q.sort_by) sort_fn = f;
        if (!sort_fn) {
            std::string allowed;
            for (const auto& [n, f] : sorts) allowed += (allowed.empty() ? "" : ", ") + std::string(n);
            usage("cannot sort " + std::string(tr::name) + "s by " + excerpt(q.sort_by) +
                  " (one of: " + allowed + ")");
        }
    }
    if (q.status != entity_status::any) {
        if constexpr (!tr::has_status)
            usage("a status filter applies to meters and accounts, not to " + std::string(tr::name) + "s");
        if (!q.status_at) usage("a status filter needs the day it is judged on (status_at)");
    }
    if constexpr (std::is_same_v<T, organization> || std::is_same_v<T, abonent>)
        if (!q.building.empty()) usage("a building filter applies to accounts, points and meters");
    if constexpr (is_org)
        if (q.measures || q.role)
            usage("resource and role filters apply to abonents, accounts, points and meters");

    std::vector<T> rows;
    list_in(q.organization, rows);
    context c;
    if constexpr (!is_org) {
        if constexpr (!std::is_same_v<T, abonent>)
            for (auto& a : all_in<abonent>(q.organization)) c.abonents.emplace(a.id, std::move(a));
        if constexpr (std::is_same_v<T, metering_point> || std::is_same_v<T, meter>) {
            for (auto& a : all_in<account>(q.organization)) c.accounts.emplace(a.number, std::move(a));
        } else if constexpr (std::is_same_v<T, abonent>) {
            if (q.measures || q.role)
                for (auto& a : all_in<account>(q.organization)) c.accounts.emplace(a.number, std::move(a));
        }
        if constexpr (std::is_same_v<T, meter>) {
            for (auto& p : all_in<metering_point>(q.organization)) c.points.emplace(p.code, std::move(p));
        } else if (q.measures || q.role) {
            for (auto& p : all_in<metering_point>(q.organization)) c.points.emplace(p.code, std::move(p));
            if constexpr (std::is_same_v<T, account>)
                for (const auto& r : rows) c.accounts.emplace(r.number, r);
            c.meters = all_in<meter>(q.organization);
        }
    }
    const auto needle = folded(q.text);
    std::vector<std::size_t> kept;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const T& e = rows[i];
        if (!q.organization.empty() && tr::organization_of(e, c) != q.organization) continue;
        if constexpr (!is_org && !std::is_same_v<T, abonent>) {
            if (!q.building.empty()) {
                const auto* a = tr::account_of(e, c);
                if (!a || a->building != q.building) continue;
            }
        }
        if constexpr (std::is_same_v<T, meter>) {
            if (q.measures && e.measures != *q.measures) continue;
            if (q.role && e.role != *q.role) continue;
        } else if constexpr (!is_org) {
            if ((q.measures || q.role) && !holds_meter(e, q, c)) continue;
        }
        if constexpr (tr::has_status) {
            if (q.status != entity_status::any) {
                const auto act = tr::active(e, *q.status_at);
                if (!act || *act != (q.status == entity_status::active)) continue;
            }
        }
        if (!needle.empty()) {
            bool hit = false;
            for (const auto f : tr::search(e, c))
                if (contains(folded(f), needle)) {
                    hit = true;
                    break;
                }
            if (!hit) continue;
        }
        kept.push_back(i);
    }
    if (sort_fn) {
        std::vector<sort_value> keys(rows.size());
        for (const auto i : kept) keys[i] = sort_fn(rows[i], c);
        std::sort(kept.begin(), kept.end(), [&](std::size_t x, std::size_t y) {
            const int r = compare(keys[x], keys[y]);
            if (r != 0) return q.descending ? r > 0 : r < 0;
            return tr::key(rows[x]) < tr::key(rows[y]);
        });
    } else if (q.descending) {
        std::reverse(kept.begin(), kept.end());  // rows come ordered by key
    }
    page<T> out;
    out.total = kept.size();
    for (std::size_t k = q.offset; k < kept.size() && out.items.size() < q.limit; ++k)
        out.items.push_back(std::move(rows[kept[k]]));
    return out;
}

template page<organization> store::query(const entity_query&) const;
template page<abonent> store::query(const entity_query&) const;
template page<account> store::query(const entity_query&) const;
template page<metering_point> store::query(const entity_query&) const;
template page<meter> store::query(const entity_query&) const;

// ---- organisation of an entity

std::string store::organization_of(entity_kind kind, std::string_view key) const {
    switch (kind) {
        case entity_kind::organization:
            return find<organization>(key) ? std::string(key) : std::string{};
        case entity_kind::abonent:
            if (const auto a = find<abonent>(key)) return a->organization;
            return {};
        case entity_kind::account:
            if (const auto a = find<account>(key)) return organization_of(entity_kind::abonent, a->abonent);
            return {};
        case entity_kind::metering_point:
            if (const auto p = find<metering_point>(key))
                return organization_of(entity_kind::account, p->account);
            return {};
        case entity_kind::meter:
            if (const auto m = find<meter>(key))
                return m->point.empty() ? std::string{}
                                        : organization_of(entity_kind::metering_point, m->point);
            return {};
        case entity_kind::anomaly:
            for (const auto& a : anomalies())
                if (a.key == key) return organization_of(a);
            return {};
        case entity_kind::meter_model:
            return {};
    }
    return {};
}

std::string store::organization_of(const anomaly& a) const {
    if (has_meter(a.meter)) return organization_of(entity_kind::meter, a.meter);
    if (!a.account.empty()) return organization_of(entity_kind::account, a.account);
    return {};
}

// ---- the change log

instant store::now() const {
    if (clock_) return clock_();
    return std::chrono::time_point_cast<seconds>(std::chrono::system_clock::now());
}

void store::note_change(entity_kind kind, std::string key, change_op op, std::size_t count,
                        std::string organization) {
    change c;
    c.at = now();
    c.entity = kind;
    c.key = std::move(key);
    c.op = op;
    c.count = count;
    c.organization = std::move(organization);
    append_change(c);
}

// ---- deletes

void store::remove_from_service(std::string_view serial, calendar_date on) {
    auto m = find<meter>(serial);
    if (!m) throw storage_error(errc::not_found, "no meter " + excerpt(serial) + " to remove from service");
    m->removed = on;
    put(*m);
}

namespace {
/// What refers to a meter: its stored history, or nothing.
std::string history_of(const store& s, const std::string& serial, std::string_view account = {}) {
    std::string what;
    auto add = [&](std::size_t n, const char* one, const char* many) {
        if (n) what += (what.empty() ? "" : ", ") + std::to_string(n) + " " + (n == 1 ? one : many);
    };
    if (!serial.empty()) {
        add(s.reading_count(serial), "reading value", "reading values");
        add(s.events(serial, from_unix(std::numeric_limits<std::int32_t>::min()),
                     from_unix(std::numeric_limits<std::int64_t>::max() / 2))
                .size(),
            "event", "events");
        // ---- meter state
        const instant ever_from = from_unix(std::numeric_limits<std::int32_t>::min());
        const instant ever_to = from_unix(std::numeric_limits<std::int64_t>::max() / 2);
        add(s.relay_history(serial, ever_from, ever_to).size(), "relay change", "relay changes");
        add(s.sessions(serial, ever_from, ever_to).size(), "session", "sessions");
    }
    std::size_t anomalies = 0;
    for (const auto& a : s.anomalies())
        if ((!serial.empty() && a.meter == serial) || (!account.empty() && a.account == account)) ++anomalies;
    add(anomalies, "anomaly", "anomalies");
    return what;
}
}  // namespace

// ---- tariffs
namespace {
/// The stored tariff rows that name an organisation or a meter ("2 tariff assignments, 1 normative"), or "".
std::string tariff_refs(const store& s, tariff_scope scope, const std::string& target) {
    std::size_t assignments = 0, rates = 0, normatives = 0;
    for (const auto& a : s.all<tariff_assignment>()) assignments += a.scope == scope && a.target == target;
    for (const auto& r : s.all<tariff_rate>()) rates += r.scope == scope && r.target == target;
    if (scope == tariff_scope::organization)
        for (const auto& n : s.all<normative>()) normatives += n.organization == target;
    std::string what;
    auto add = [&](std::size_t n, const char* one, const char* many) {
        if (n) what += (what.empty() ? "" : ", ") + std::to_string(n) + " " + (n == 1 ? one : many);
    };
    add(assignments, "tariff assignment", "tariff assignments");
    add(rates, "tariff rate", "tariff rates");
    add(normatives, "normative", "normatives");
    return what;
}
}  // namespace

std::vector<erased> store::erase(entity_kind kind, std::string_view key) {
    const std::string k(key);
    auto missing = [&] {
        return storage_error(errc::not_found,
                             "no " + std::string(to_string(kind)) + " " + excerpt(key) + " to erase");
    };
    auto refuse = [&](const std::string& why) {
        throw storage_error(errc::storage_conflict,
                            std::string(to_string(kind)) + " " + excerpt(key) + " cannot be erased: " + why);
    };
    std::vector<erased> plan;  // children first
    auto plan_meter = [&](const meter& m, bool direct) {
        if (const auto h = history_of(*this, m.serial); !h.empty())
            refuse((direct ? std::string() : "its meter " + excerpt(m.serial) + " has history: ") + h +
                   (direct
                        ? " refer to it; take it out of service instead (remove_from_service: снят с учёта)"
                        : "; take that meter out of service instead"));
        if (const auto t = tariff_refs(*this, tariff_scope::meter, m.serial); !t.empty())  // ---- tariffs
            refuse((direct ? std::string() : "its meter " + excerpt(m.serial) + ": ") +
                   "stored tariff rows refer to it (" + t + "); remove them first");
        plan.push_back({entity_kind::meter, m.serial});
    };
    const auto all_meters = [&] { return all<meter>(); };
    auto plan_point = [&](const metering_point& p, const std::vector<meter>& meters) {
        for (const auto& m : meters)
            if (m.point == p.code) plan_meter(m, false);
        plan.push_back({entity_kind::metering_point, p.code});
    };
    auto plan_account = [&](const account& a, const std::vector<meter>& meters,
                            const std::vector<metering_point>& points) {
        for (const auto& p : points)
            if (p.account == a.number) plan_point(p, meters);
        if (const auto h = history_of(*this, {}, a.number); !h.empty())
            refuse("account " + a.number + ": " + h + " refer to it");
        plan.push_back({entity_kind::account, a.number});
    };
    std::string org;
    switch (kind) {
        case entity_kind::meter: {
            const auto m = find<meter>(key);
            if (!m) throw missing();
            org = organization_of(kind, key);
            plan_meter(*m, true);
            break;
        }
        case entity_kind::metering_point: {
            const auto p = find<metering_point>(key);
            if (!p) throw missing();
            org = organization_of(kind, key);
            plan_point(*p, all_meters());
            break;
        }
        case entity_kind::account: {
            const auto a = find<account>(key);
            if (!a) throw missing();
            org = organization_of(kind, key);
            plan_account(*a, all_meters(), all<metering_point>());
            break;
        }
        case entity_kind::abonent: {
            const auto ab = find<abonent>(key);
            if (!ab) throw missing();
            org = ab->organization;
            const auto meters = all_meters();
            const auto points = all<metering_point>();
            for (const auto& a : all<account>())
                if (a.abonent == ab->id) plan_account(a, meters, points);
            plan.push_back({entity_kind::abonent, k});
            break;
        }
        case entity_kind::organization: {
            if (!find<organization>(key)) throw missing();
            org = k;
            std::size_t n = 0;
            for (const auto& a : all<abonent>()) n += a.organization == k;
            if (n)
                refuse(std::to_string(n) + (n == 1 ? " abonent refers" : " abonents refer") +
                       " to it; erase them first");
            if (const auto t = tariff_refs(*this, tariff_scope::organization, k); !t.empty())  // ---- tariffs
                refuse("stored tariff rows refer to it (" + t + "); remove them first");
            plan.push_back({entity_kind::organization, k});
            break;
        }
        case entity_kind::meter_model: {
            if (!find<meter_model>(key)) throw missing();
            std::size_t n = 0;
            for (const auto& m : all_meters()) n += m.model == k;
            if (n) refuse(std::to_string(n) + (n == 1 ? " meter refers" : " meters refer") + " to it");
            plan.push_back({entity_kind::meter_model, k});
            break;
        }
        case entity_kind::anomaly:
            usage("anomalies are history and are not erased; resolve them instead");
    }
    transaction tx(*this);
    for (const auto& e : plan) {
        erase_entity(e.entity, e.key);
        note_change(e.entity, e.key, change_op::erase, 1,
                    e.entity == entity_kind::meter_model ? std::string{} : org);
    }
    tx.commit();
    return plan;
}

// ---- anomalies

page<anomaly> store::find_anomalies(const anomaly_query& q) const {
    std::set<std::string, std::less<>> meters, accounts;
    if (!q.organization.empty()) {
        for (auto& m : all_in<meter>(q.organization)) meters.insert(std::move(m.serial));
        for (auto& a : all_in<account>(q.organization)) accounts.insert(std::move(a.number));
    }
    page<anomaly> out;
    for (auto& a : anomalies(q.status)) {
        if (!q.meter.empty() && a.meter != q.meter) continue;
        if (q.type && a.type != *q.type) continue;
        if (q.from && a.to < *q.from) continue;
        if (q.to && a.from >= *q.to) continue;
        if (!q.organization.empty()) {
            const bool mine = meters.count(a.meter) || (!has_meter(a.meter) && accounts.count(a.account));
            if (!mine) continue;
        }
        if (out.total++ < q.offset || out.items.size() >= q.limit) continue;
        out.items.push_back(std::move(a));
    }
    return out;
}

}  // namespace v0
}  // namespace kvant
