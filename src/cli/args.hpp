// The kvant tool's one option parser. Each command declares its options with a type (flag, text, path,
// integer with a range, decimal, time, month, UTC offset, character, choice) and a default; CLI11 reads the
// command line (option syntax, missing values, unknown options, stray arguments), and every value is
// converted and range-checked here, once, before the command runs. Anything wrong is a usage error (exit 2)
// that names the option, the offending value (a bounded excerpt) and what is allowed. A repeated option is an
// error.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "kvant/core/decimal.hpp"
#include "kvant/core/error.hpp"
#include "kvant/core/text.hpp"
#include "kvant/core/time.hpp"
#include "kvant/detail/enum_text.hpp"

namespace kvant::cli {
using kvant::detail::enum_text;

enum class value_kind { flag, text, path, integer, decimal, time, month, offset, character, choice };

struct option_spec {
    std::string name;   // without the leading "--"
    std::string value;  // the value's placeholder ("FILE"); empty for a flag
    std::string help;
    value_kind kind = value_kind::text;
    std::int64_t min = 0, max = 0;       // integer: the allowed range
    std::int64_t divides = 0;            // integer: when not 0, the value must divide it (--step: 1440)
    std::optional<decimal> min_decimal;  // decimal: the least value allowed
    std::vector<std::string> choices;    // choice: the names allowed
    std::string fallback;                // the default, as text; used when the option is absent
    bool required = false;
    bool repeatable = false;  // may be given many times (--key ID=HEX): args::all gives every value
    bool positional = false;  // not an option: the one argument after the options (opt::operand)

    option_spec& defaults_to(std::string text) {
        fallback = std::move(text);
        return *this;
    }
    option_spec& mandatory() {
        required = true;
        return *this;
    }
    option_spec& repeated() {
        repeatable = true;
        return *this;
    }
};

/// The declarations of options, by type.
namespace opt {
option_spec flag(std::string name, std::string help);
/// Free text: non-empty, valid UTF-8.
option_spec text(std::string name, std::string placeholder, std::string help);
/// A file or folder path: non-empty.
option_spec path(std::string name, std::string placeholder, std::string help);
/// A whole number in [min, max]; with `divides`, also a divisor of it.
option_spec integer(std::string name, std::string placeholder, std::int64_t min, std::int64_t max,
                    std::string help, std::int64_t divides = 0);
/// An exact decimal (decimal::parse) of at least `min`.
option_spec decimal_at_least(std::string name, std::string placeholder, decimal min, std::string help);
/// An ISO 8601 instant or a date (its start in UTC), within [min_time, max_time].
option_spec time(std::string name, std::string help);
/// YYYY-MM, within the years of min_time..max_time.
option_spec month(std::string name, std::string help);
/// A UTC offset: Z, +HH:MM or -HH:MM.
option_spec offset(std::string name, std::string help);
/// One character other than a quote, CR or LF.
option_spec character(std::string name, std::string help);
/// One of the given names.
option_spec one_of(std::string name, std::string placeholder, std::vector<std::string> names,
                   std::string help);
/// One of an enum's names.
template <class E, std::size_t N>
option_spec choice(std::string name, std::string placeholder, const enum_text<E, N>& table,
                   std::string help) {
    std::vector<std::string> names;
    for (const auto& [e, n] : table.names) names.emplace_back(n);
    return one_of(std::move(name), std::move(placeholder), std::move(names), std::move(help));
}
/// The command's one optional argument that is not an option (a FILE, or '-' for stdin): args::operand.
option_spec operand(std::string placeholder, std::string help);
/// --busy-timeout MS: how long a command waits for a database another process writes (0..3600000, 5000):
/// SQLite's busy timeout, PostgreSQL's lock_timeout.
option_spec busy_timeout();
}  // namespace opt

/// The range of --at and --month: a demanding user's whole horizon, and no more (an absurd "now" would make
/// estimate bill centuries of periods).
inline constexpr std::string_view min_time_text = "1970-01-01";
inline constexpr std::string_view max_time_text = "2099-12-31";

struct command_spec {
    std::string name;
    std::string summary;
    std::vector<option_spec> options;
    std::string details;  // printed after the options in --help
};

using kvant::excerpt;  // every message quotes input through the library's bounded excerpt (core/text.hpp)

/// The parsed and checked options of one command. Throws config_error(usage) on anything the declarations do
/// not allow; after construction every value is known to be valid, and the typed getters return it (or the
/// declared default; nullopt when there is none).
class args {
  public:
    args(const command_spec& spec, const std::vector<std::string>& argv);
    bool help() const noexcept { return help_; }
    bool flag(const std::string& name) const;
    /// Whether the command declares the option at all.
    bool declares(const std::string& name) const;
    /// The text of a text, path or choice option (or its default).
    std::optional<std::string> get(const std::string& name) const;
    /// get(), or a usage error naming the option.
    std::string require(const std::string& name) const;
    std::optional<std::int64_t> integer(const std::string& name) const;
    std::optional<decimal> decimal_value(const std::string& name) const;
    std::optional<instant> time(const std::string& name) const;
    std::optional<calendar_date> month(const std::string& name) const;  // the first day
    std::optional<int> offset_minutes(const std::string& name) const;
    std::optional<char> character(const std::string& name) const;
    /// Every value of a repeatable text or path option, in the order given.
    std::vector<std::string> all(const std::string& name) const;
    /// The argument that is not an option, when the command declares one (opt::operand) and it was given.
    const std::optional<std::string>& operand() const noexcept { return operand_; }

    /// A choice option as its enum; `fallback` when absent and without a declared default.
    template <class E, std::size_t N>
    E choice(const std::string& name, const enum_text<E, N>& table, std::optional<E> fallback = {}) const {
        if (auto v = get(name)) return table.parse(*v);  // checked against the same names when parsed
        if (fallback) return *fallback;
        return table.parse(require(name));
    }

  private:
    using value = std::variant<std::string, std::int64_t, decimal, instant, calendar_date, int, char>;
    const option_spec& spec_of(const std::string& name, value_kind kind) const;
    const value* find(const std::string& name, value_kind kind) const;

    const command_spec* spec_;
    std::map<std::string, value, std::less<>> values_;
    std::set<std::string, std::less<>> flags_;
    std::map<std::string, std::vector<std::string>, std::less<>> repeated_;
    std::optional<std::string> operand_;
    bool help_ = false;
};

/// The help text: every option with its placeholder, type and range, default, and whether it is required.
std::string usage(const command_spec& spec);

/// A choice option as its enum (a usage error naming the choices for anything else; see args::choice).
template <class E, std::size_t N>
E choice(const args& a, const std::string& name, const enum_text<E, N>& table,
         std::optional<E> fallback = {}) {
    return a.choice(name, table, fallback);
}

}  // namespace kvant::cli
