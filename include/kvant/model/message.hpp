/// \file
/// A message stored as a type and its parameters, rendered in a language when it is read (docs/messages.md).
/// Anomalies (and the manual-entry verdicts) carry a `message`, not finished sentences: the store keeps the
/// code and the parameters, and `render(message, language)` builds the text from a catalogue in code, so a
/// new language is a new column of the catalogue and never a schema change. The Russian wording of the seeds
/// is exact, e.g. «Прибор учета 98990006: Предыдущие показания: 352.2480, текущие показания: 352.2400».
///
/// Parameters are language-neutral texts, formatted when the message is made: register values with the
/// resource's places ("352.2480"), local times as "26.06.2020 11:58", dates as "26.06.2020", counts as
/// integers. A parameter of a list is named `name.0`, `name.1`, … (see the duplicate_reading entry).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "kvant/core/export.hpp"
#include "kvant/detail/enum_text.hpp"

namespace kvant {
inline namespace v0 {

/// The languages of the catalogue.
enum class language : std::uint8_t { ru, en };
inline constexpr detail::enum_text<language, 2> language_text{"language",
                                                              {{{language::ru, "ru"}, {language::en, "en"}}}};
KVANT_ENUM_TEXT(language, language_text)
inline language parse_language(std::string_view s) {
    return language_text.parse(s);
}

/// The message types of the catalogue. The anomaly types have one each (the same names); `legacy_text` is
/// an anomaly stored by schema 3 with its two finished strings (parameters `ru` and `en`); `entry_*` are
/// the verdicts of a manual reading entry (algorithms/manual_entry.hpp).
enum class message_code : std::uint8_t {
    legacy_text,
    reading_decrease,
    rollover,
    no_link,
    tamper,
    fault,
    relay_off,
    tariff_sum_mismatch,
    stuck_register,
    consumption_after_removal,
    future_reading,
    gap,
    spike,
    building_imbalance,
    verification_expired,
    data_inconsistency,
    high_usage,
    low_usage,
    zero_consumption,
    duplicate_reading,
    entry_accepted,
    entry_replacement,
    entry_rollover,
    entry_rollover_implausible,
    entry_implausibly_high,
    entry_before_last,
    entry_same_time,
    entry_tariff_sum,
    entry_missing_total,
    entry_no_history,
    entry_rollover_no_digits,
    entry_after_removal
};
inline constexpr detail::enum_text<message_code, 32> message_code_text{
    "message code",
    {{{message_code::legacy_text, "legacy_text"},
      {message_code::reading_decrease, "reading_decrease"},
      {message_code::rollover, "rollover"},
      {message_code::no_link, "no_link"},
      {message_code::tamper, "tamper"},
      {message_code::fault, "fault"},
      {message_code::relay_off, "relay_off"},
      {message_code::tariff_sum_mismatch, "tariff_sum_mismatch"},
      {message_code::stuck_register, "stuck_register"},
      {message_code::consumption_after_removal, "consumption_after_removal"},
      {message_code::future_reading, "future_reading"},
      {message_code::gap, "gap"},
      {message_code::spike, "spike"},
      {message_code::building_imbalance, "building_imbalance"},
      {message_code::verification_expired, "verification_expired"},
      {message_code::data_inconsistency, "data_inconsistency"},
      {message_code::high_usage, "high_usage"},
      {message_code::low_usage, "low_usage"},
      {message_code::zero_consumption, "zero_consumption"},
      {message_code::duplicate_reading, "duplicate_reading"},
      {message_code::entry_accepted, "entry_accepted"},
      {message_code::entry_replacement, "entry_replacement"},
      {message_code::entry_rollover, "entry_rollover"},
      {message_code::entry_rollover_implausible, "entry_rollover_implausible"},
      {message_code::entry_implausibly_high, "entry_implausibly_high"},
      {message_code::entry_before_last, "entry_before_last"},
      {message_code::entry_same_time, "entry_same_time"},
      {message_code::entry_tariff_sum, "entry_tariff_sum"},
      {message_code::entry_missing_total, "entry_missing_total"},
      {message_code::entry_no_history, "entry_no_history"},
      {message_code::entry_rollover_no_digits, "entry_rollover_no_digits"},
      {message_code::entry_after_removal, "entry_after_removal"}}}};
KVANT_ENUM_TEXT(message_code, message_code_text)
inline message_code parse_message_code(std::string_view s) {
    return message_code_text.parse(s);
}

struct message {
    message_code code = message_code::legacy_text;
    std::map<std::string, std::string> params;

    /// The parameter, or "" when it is absent.
    std::string_view param(std::string_view name) const {
        const auto it = params.find(std::string(name));
        return it == params.end() ? std::string_view{} : std::string_view{it->second};
    }
    message& set(std::string name, std::string value) {
        params[std::move(name)] = std::move(value);
        return *this;
    }
    friend bool operator==(const message&, const message&) = default;
};

/// The text of `m` in `lang`. Template syntax of the catalogue: `{name}` is a parameter; `[ … ]` is a part
/// shown only when every parameter in it is non-empty; `{name*}` repeats the entry's item template over
/// the list `name.0`, `name.1`, ….
KVANT_API std::string render(const message& m, language lang);

/// The catalogue's template of a code in a language (for docs and tests).
KVANT_API std::string_view message_template(message_code code, language lang);

}  // namespace v0
}  // namespace kvant
