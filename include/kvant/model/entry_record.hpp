/// \file
/// The audit of manual entry: who entered a reading, when, with what verdict and confirmation (001 §3.3.4).
/// The store keeps one row per entry (store::log_entry, store::enter_reading) and reads them back per meter
/// and reading-time range (store::entries). docs/manual_entry.md.
#pragma once

#include <string>
#include <vector>

#include "kvant/detail/enum_text.hpp"
#include "kvant/model/message.hpp"
#include "kvant/model/reading.hpp"

namespace kvant {
inline namespace v0 {

/// What the user confirmed for a reading lower than the last one.
enum class entry_confirmation : std::uint8_t { none, replacement, rollover };
inline constexpr detail::enum_text<entry_confirmation, 3> entry_confirmation_text{
    "entry confirmation",
    {{{entry_confirmation::none, "none"},
      {entry_confirmation::replacement, "replacement"},
      {entry_confirmation::rollover, "rollover"}}}};
KVANT_ENUM_TEXT(entry_confirmation, entry_confirmation_text)
inline entry_confirmation parse_entry_confirmation(std::string_view s) {
    return entry_confirmation_text.parse(s);
}

/// The verdict on a whole entry: stored (accepted, or accepted with a warning) or not (refused).
enum class entry_outcome : std::uint8_t { accepted, warning, refused };
inline constexpr detail::enum_text<entry_outcome, 3> entry_outcome_text{
    "entry outcome",
    {{{entry_outcome::accepted, "accepted"},
      {entry_outcome::warning, "warning"},
      {entry_outcome::refused, "refused"}}}};
KVANT_ENUM_TEXT(entry_outcome, entry_outcome_text)
inline entry_outcome parse_entry_outcome(std::string_view s) {
    return entry_outcome_text.parse(s);
}

/// One manual entry as the log keeps it.
struct entry_record {
    reading entered;  ///< meter, reading time and the values per channel (source manual)
    std::string entered_by;
    instant entered_at;
    entry_outcome outcome = entry_outcome::accepted;
    entry_confirmation confirmation = entry_confirmation::none;
    std::vector<message> findings;  ///< the verdict's messages (rendered when read)
    friend bool operator==(const entry_record&, const entry_record&) = default;
};

}  // namespace v0
}  // namespace kvant
