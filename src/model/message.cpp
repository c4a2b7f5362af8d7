#include "kvant/model/message.hpp"

#include <array>
#include <string>

namespace kvant {
inline namespace v0 {

namespace {

// One entry per code: the templates per language (in the order of `language`), and for a list the item
// template per language and the separator. A new language is one more element of each array.
struct entry {
    message_code code;
    std::array<std::string_view, 2> text;
    std::array<std::string_view, 2> item{};
    std::string_view separator{};
};

// clang-format off
constexpr std::array<entry, 32> catalogue{{
    {message_code::legacy_text, {"{ru}", "{en}"}},
    {message_code::reading_decrease,
     {"Прибор учета {meter}: Предыдущие показания: {previous}, текущие показания: {current}[ (тариф {tariff})][ ({channel})]",
      "Meter {meter}: previous reading {previous}, current reading {current}[ (tariff {tariff})][ ({channel})]"}},
    {message_code::rollover,
     {"Прибор учета {meter}: переход счётчика через ноль[ (тариф {tariff})][ ({channel})]: {previous} → {current}",
      "Meter {meter}: register rolled over[ (tariff {tariff})][ ({channel})]: {previous} → {current}"}},
    {message_code::no_link,
     {"Прибор учета не на связи более {days} дн. Последний сеанс связи был {last}",
      "Meter {meter} has had no link for more than {days} days. Last session {last}"}},
    {message_code::tamper,
     {"Прибор учета {meter}: внешнее воздействие (код {code}, {time})[: {text}]",
      "Meter {meter}: outside interference (code {code}, {time})[: {text}]"}},
    {message_code::fault,
     {"Прибор учета {meter}: сбой в работе (код {code}, {time})[: {text}]",
      "Meter {meter}: fault (code {code}, {time})[: {text}]"}},
    {message_code::relay_off,
     {"Прибор учета {meter}: реле нагрузки (код {code}, {time})[: {text}]",
      "Meter {meter}: load relay (code {code}, {time})[: {text}]"}},
    {message_code::tariff_sum_mismatch,
     {"Прибор учета {meter}: сумма тарифов {sum} не равна общему показанию {total} ({count} показаний)",
      "Meter {meter}: tariff registers add up to {sum}, the total reads {total} ({count} readings)"}},
    {message_code::stuck_register,
     {"Прибор учета {meter}: показания не меняются с {since} ({days} дн.), {value}",
      "Meter {meter}: register unchanged since {since} ({days} days) at {value}"}},
    {message_code::consumption_after_removal,
     {"Прибор учета {meter} снят с учета {removed}, но показания растут: {before} → {after}",
      "Meter {meter} was removed on {removed} but its register grows: {before} → {after}"}},
    {message_code::future_reading,
     {"Прибор учета {meter}: показание из будущего, {time}",
      "Meter {meter}: a reading stamped in the future, {time}"}},
    {message_code::gap,
     {"Прибор учета {meter}: нет показаний с {from} по {to}",
      "Meter {meter}: no readings from {from} to {to}"}},
    {message_code::spike,
     {"Прибор учета {meter}: расход за {day} {value} при медиане {median}",
      "Meter {meter}: consumption on {day} of {value} against a median of {median}"}},
    {message_code::building_imbalance,
     {"Дом {building}, {resource}, {month}: ОДПУ {building_total}, сумма ИПУ {individual_total}, небаланс {share} %",
      "Building {building}, {resource}, {month}: building meters {building_total}, individual meters {individual_total}, imbalance {share} %"}},
    {message_code::verification_expired,
     {"Прибор учета {meter}: срок поверки истёк {expires}",
      "Meter {meter}: verification expired on {expires}"}},
    {message_code::data_inconsistency,
     {"Прибор учета {meter}: несоответствие данных ({field}): {issue}",
      "Meter {meter}: inconsistent data ({field}): {issue}"}},
    {message_code::high_usage,
     {"Прибор учета {meter}: расход за {month} {value} выше среднего {mean}",
      "Meter {meter}: consumption in {month} of {value} is high against a mean of {mean}"}},
    {message_code::low_usage,
     {"Прибор учета {meter}: расход за {month} {value} ниже среднего {mean}",
      "Meter {meter}: consumption in {month} of {value} is low against a mean of {mean}"}},
    {message_code::zero_consumption,
     {"Прибор учета {meter}: нулевой расход за {month}",
      "Meter {meter}: no consumption in {month}"}},
    {message_code::duplicate_reading,
     {"Прибор учета {meter}: два разных показания на {time}: {values*}",
      "Meter {meter}: two different readings at {time}: {values*}"},
     {"{channel} {a} и {b}", "{channel} {a} and {b}"}, ", "},
    {message_code::entry_accepted,
     {"Прибор учета {meter}: показания {current} приняты", "Meter {meter}: reading {current} accepted"}},
    {message_code::entry_replacement,
     {"Прибор учета {meter}: Предыдущие показания: {previous}, текущие показания: {current}[ (тариф {tariff})]; подтверждена замена прибора учета",
      "Meter {meter}: previous reading {previous}, current reading {current}[ (tariff {tariff})]; confirmed as a meter replacement"}},
    {message_code::entry_rollover,
     {"Прибор учета {meter}: переход счётчика через ноль[ (тариф {tariff})]: {previous} → {current}, расход {consumption}",
      "Meter {meter}: register rolled over[ (tariff {tariff})]: {previous} → {current}, consumption {consumption}"}},
    {message_code::entry_rollover_implausible,
     {"Прибор учета {meter}: переход через ноль невозможен[ (тариф {tariff})]: {previous} → {current} при {digits} разрядах, расход {consumption} больше допустимого {limit}",
      "Meter {meter}: no plausible rollover[ (tariff {tariff})]: {previous} → {current} with {digits} digits, consumption {consumption} above the limit {limit}"}},
    {message_code::entry_implausibly_high,
     {"Прибор учета {meter}: показание {current}[ (тариф {tariff})] неправдоподобно велико: расход {consumption} при ожидаемом {expected} за {days} дн.",
      "Meter {meter}: reading {current}[ (tariff {tariff})] is implausibly high: consumption {consumption} against an expected {expected} over {days} days"}},
    {message_code::entry_before_last,
     {"Прибор учета {meter}: время показания {time} раньше последнего показания {last}",
      "Meter {meter}: the reading's time {time} is before the last reading at {last}"}},
    {message_code::entry_same_time,
     {"Прибор учета {meter}: показание на {time} уже есть",
      "Meter {meter}: there is already a reading at {time}"}},
    {message_code::entry_tariff_sum,
     {"Прибор учета {meter}: сумма тарифов {sum} не равна общему показанию {total}",
      "Meter {meter}: tariff registers add up to {sum}, the total reads {total}"}},
    {message_code::entry_missing_total,
     {"Прибор учета {meter}: не указано общее показание",
      "Meter {meter}: no total reading entered"}},
    {message_code::entry_no_history,
     {"Прибор учета {meter}: нет предыдущих показаний, показания {current} приняты без проверки",
      "Meter {meter}: no earlier readings, reading {current} accepted unchecked"}},
    {message_code::entry_rollover_no_digits,
     {"Прибор учета {meter}: переход через ноль не проверить[ (тариф {tariff})]: {previous} → {current}, разрядность счётчика не известна",
      "Meter {meter}: a rollover cannot be checked[ (tariff {tariff})]: {previous} → {current}, the register's digits are unknown"}},
    {message_code::entry_after_removal,
     {"Прибор учета {meter} снят с учёта {removed}: показание на {time} не принимается",
      "Meter {meter} was removed from service on {removed}: a reading at {time} is not accepted"}},
}};
// clang-format on

const entry& entry_of(message_code code) {
    for (const auto& e : catalogue)
        if (e.code == code) return e;
    return catalogue[0];
}

// Expands `tmpl` with `lookup(name)` for each {name}; a `[...]` part is dropped when a parameter in it is
// empty. `list(name)` expands {name*}. Returns false through `all_set` when a parameter was empty.
template <class Lookup, class List>
std::string expand(std::string_view tmpl, const Lookup& lookup, const List& list, bool* all_set = nullptr) {
    std::string out;
    for (std::size_t i = 0; i < tmpl.size();) {
        const char c = tmpl[i];
        if (c == '{') {
            const auto end = tmpl.find('}', i);
            const auto name = tmpl.substr(i + 1, end - i - 1);
            std::string value = !name.empty() && name.back() == '*' ? list(name.substr(0, name.size() - 1))
                                                                    : std::string(lookup(name));
            if (value.empty() && all_set) *all_set = false;
            out += value;
            i = end + 1;
        } else if (c == '[') {
            const auto end = tmpl.find(']', i);
            bool set = true;
            std::string part = expand(tmpl.substr(i + 1, end - i - 1), lookup, list, &set);
            if (set) out += part;
            i = end + 1;
        } else {
            out += c;
            ++i;
        }
    }
    return out;
}

}  // namespace

std::string_view message_template(message_code code, language lang) {
    return entry_of(code).text[static_cast<std::size_t>(lang)];
}

std::string render(const message& m, language lang) {
    const entry& e = entry_of(m.code);
    const auto l = static_cast<std::size_t>(lang);
    const auto lookup = [&](std::string_view name) { return m.param(name); };
    const auto list = [&](std::string_view) {
        std::string out;
        const std::string_view item = e.item[l];
        const auto first = item.substr(item.find('{') + 1, item.find('}') - item.find('{') - 1);
        for (std::size_t k = 0;; ++k) {
            const std::string suffix = "." + std::to_string(k);
            if (m.param(std::string(first) + suffix).empty()) break;
            const auto at = [&](std::string_view name) { return m.param(std::string(name) + suffix); };
            const auto none = [](std::string_view) { return std::string(); };
            out += (k == 0 ? "" : std::string(e.separator)) + expand(item, at, none);
        }
        return out;
    };
    return expand(e.text[l], lookup, list);
}

}  // namespace v0
}  // namespace kvant
