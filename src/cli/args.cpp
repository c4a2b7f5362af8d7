#include "args.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "kvant/core/error.hpp"

namespace kvant::cli {

namespace opt {

namespace {
option_spec make(std::string name, std::string placeholder, std::string help, value_kind kind) {
    option_spec o;
    o.name = std::move(name);
    o.value = std::move(placeholder);
    o.help = std::move(help);
    o.kind = kind;
    return o;
}
}  // namespace

option_spec flag(std::string name, std::string help) {
    option_spec o = make(std::move(name), "", std::move(help), value_kind::flag);
    return o;
}

option_spec text(std::string name, std::string placeholder, std::string help) {
    return make(std::move(name), std::move(placeholder), std::move(help), value_kind::text);
}

option_spec path(std::string name, std::string placeholder, std::string help) {
    option_spec o = make(std::move(name), std::move(placeholder), std::move(help), value_kind::path);
    return o;
}

option_spec integer(std::string name, std::string placeholder, std::int64_t min, std::int64_t max,
                    std::string help, std::int64_t divides) {
    option_spec o = make(std::move(name), std::move(placeholder), std::move(help), value_kind::integer);
    o.min = min;
    o.max = max;
    o.divides = divides;
    return o;
}

option_spec decimal_at_least(std::string name, std::string placeholder, decimal min, std::string help) {
    option_spec o = make(std::move(name), std::move(placeholder), std::move(help), value_kind::decimal);
    o.min_decimal = min;
    return o;
}

option_spec time(std::string name, std::string help) {
    option_spec o = make(std::move(name), "TIME", std::move(help), value_kind::time);
    return o;
}

option_spec month(std::string name, std::string help) {
    option_spec o = make(std::move(name), "YYYY-MM", std::move(help), value_kind::month);
    return o;
}

option_spec offset(std::string name, std::string help) {
    option_spec o = make(std::move(name), "OFFSET", std::move(help), value_kind::offset);
    return o;
}

option_spec character(std::string name, std::string help) {
    option_spec o = make(std::move(name), "CHAR", std::move(help), value_kind::character);
    return o;
}

option_spec one_of(std::string name, std::string placeholder, std::vector<std::string> names,
                   std::string help) {
    option_spec o = make(std::move(name), std::move(placeholder), std::move(help), value_kind::choice);
    o.choices = std::move(names);
    return o;
}

option_spec operand(std::string placeholder, std::string help) {
    option_spec o;
    o.value = std::move(placeholder);
    o.help = std::move(help);
    o.positional = true;
    return o;
}

option_spec busy_timeout() {
    return integer("busy-timeout", "MS", 0, 3'600'000,
                   "how long to wait for a database that another process is writing, in milliseconds "
                   "(PostgreSQL: the lock timeout)")
        .defaults_to("5000");
}

}  // namespace opt

namespace {

std::string range_text(const option_spec& o) {
    return std::to_string(o.min) + ".." + std::to_string(o.max);
}

std::string names_text(const std::vector<std::string>& names) {
    std::string s;
    for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
    return s;
}

[[noreturn]] void bad_value(const option_spec& o, std::string_view v, const std::string& what) {
    throw config_error(errc::usage, "--" + o.name + " " + excerpt(v) + ": " + what);
}

instant time_min() {
    return instant{date::sys_days{date::year{1970} / 1 / 1}};
}
instant time_end() {
    return instant{date::sys_days{date::year{2100} / 1 / 1}};
}  // exclusive

using value = std::variant<std::string, std::int64_t, decimal, instant, calendar_date, int, char>;

/// The one conversion of an option's text to its typed value; a usage error naming option, value and rule.
value convert(const option_spec& o, const std::string& v) {
    switch (o.kind) {
        case value_kind::flag:
            break;
        case value_kind::text:
            if (v.empty()) bad_value(o, v, "expected a non-empty " + o.value);
            if (const auto bad = check_text(v)) bad_value(o, v, bad->reason);
            return v;
        case value_kind::path:
            if (v.empty()) bad_value(o, v, "expected a path (" + o.value + ")");
            return v;
        case value_kind::integer: {
            const std::string allowed =
                "(" + range_text(o) + (o.divides ? ", dividing " + std::to_string(o.divides) : "") + ")";
            std::int64_t n = 0;
            const char* first = v.data();
            const char* last = v.data() + v.size();
            if (first != last && *first == '+') ++first;  // from_chars takes '-' only
            const char* d = first != last && *first == '-' ? first + 1 : first;
            const bool digits =
                d != last && std::all_of(d, last, [](char c) { return c >= '0' && c <= '9'; });
            const auto ec = digits ? std::from_chars(first, last, n).ec : std::errc::invalid_argument;
            if (!digits) bad_value(o, v, "expected a whole number " + allowed);
            // a value beyond int64 is out of range as surely as one beyond max
            if (ec == std::errc::result_out_of_range || n < o.min || n > o.max ||
                (o.divides && o.divides % n != 0))
                throw config_error(errc::usage,
                                   "--" + o.name + " " + excerpt(v) + ": out of range " + allowed);
            return n;
        }
        case value_kind::decimal: {
            decimal d;
            const auto st = decimal::try_parse(v, d);
            if (st == decimal_status::overflow || st == decimal_status::too_precise)
                bad_value(o, v, "out of range (at most 6 decimal places and 12 integer digits)");
            if (st != decimal_status::ok) bad_value(o, v, "expected a decimal number such as 12.5");
            if (o.min_decimal && d < *o.min_decimal)
                throw config_error(errc::usage, "--" + o.name + " " + excerpt(v) +
                                                    ": out of range (at least " + to_string(*o.min_decimal) +
                                                    ")");
            return d;
        }
        case value_kind::time: {
            const std::string allowed = "expected a timestamp (2020-07-06T08:15:00+03:00) or a date, " +
                                        std::string(min_time_text) + ".." + std::string(max_time_text);
            instant t;
            calendar_date d;
            if (try_parse_instant(v, t) == time_status::ok) {
            } else if (try_parse_date(v, d) == time_status::ok) {
                t = instant{date::sys_days{d}};
            } else {
                bad_value(o, v, allowed);
            }
            if (t < time_min() || t >= time_end())
                throw config_error(errc::usage, "--" + o.name + " " + excerpt(v) + ": out of range (" +
                                                    std::string(min_time_text) + ".." +
                                                    std::string(max_time_text) + ")");
            return t;
        }
        case value_kind::month: {
            calendar_date d;
            if (v.size() != 7 || try_parse_date(v + "-01", d) != time_status::ok)
                bad_value(o, v, "expected YYYY-MM");
            const instant t{date::sys_days{d}};
            if (t < time_min() || t >= time_end())
                throw config_error(errc::usage, "--" + o.name + " " + excerpt(v) + ": out of range (" +
                                                    std::string(min_time_text.substr(0, 7)) + ".." +
                                                    std::string(max_time_text.substr(0, 7)) + ")");
            return d;
        }
        case value_kind::offset: {
            int minutes = 0;
            if (!parse_utc_offset(v, minutes))
                bad_value(o, v, "expected Z, +HH:MM or -HH:MM (at most 18:00)");
            return minutes;
        }
        case value_kind::character:
            if (v.size() != 1 || v[0] == '"' || v[0] == '\n' || v[0] == '\r')
                bad_value(o, v, "expected one character other than a quote, CR or LF, such as ';'");
            return v[0];
        case value_kind::choice:
            if (std::find(o.choices.begin(), o.choices.end(), v) == o.choices.end())
                bad_value(o, v, "expected one of " + names_text(o.choices));
            return v;
    }
    throw std::logic_error("kvant: --" + o.name + " has no value");
}

}  // namespace

args::args(const command_spec& spec, const std::vector<std::string>& argv) : spec_(&spec) {
    CLI::App app{spec.summary, "kvant " + spec.name};
    app.set_help_flag();
    app.allow_extras(true);  // reported below, as unknown options or stray arguments
    CLI::Option* help = app.add_flag("-h,--help");
    std::vector<CLI::Option*> declared;
    bool takes_operand = false;
    for (const auto& o : spec.options) {
        if (o.positional) {
            takes_operand = true;
            declared.push_back(nullptr);
        } else if (o.kind == value_kind::flag)
            declared.push_back(app.add_flag("--" + o.name)->disable_flag_override());
        else
            declared.push_back(app.add_option("--" + o.name)
                                   ->expected(1)
                                   ->type_name(o.value)
                                   ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll));
    }
    std::vector<std::string> reversed(argv.rbegin(), argv.rend());  // CLI11 takes them last first
    try {
        app.parse(reversed);
    } catch (const CLI::ArgumentMismatch& e) {
        // a missing value, or a value given to a flag
        for (std::size_t k = 0; k < spec.options.size(); ++k) {
            const auto& o = spec.options[k];
            const std::string what = e.what();  // "--db: 1 required FILE missing", "json was given a ..."
            if (what.rfind("--" + o.name + ":", 0) != 0 && what.rfind(o.name + " ", 0) != 0) continue;
            throw config_error(errc::usage, o.kind == value_kind::flag
                                                ? "--" + o.name + " takes no value"
                                                : "--" + o.name + " needs a value " + o.value);
        }
        throw config_error(errc::usage, std::string(e.what()) + " (see --help)");
    } catch (const CLI::ParseError& e) {
        throw config_error(errc::usage, std::string(e.what()) + " (see --help)");
    }
    if (help->count() > 0) {
        help_ = true;
        return;
    }
    for (const auto& extra : app.remaining()) {
        if (extra.size() > 1 && extra[0] == '-' && extra != "--") {
            const auto eq = extra.find('=');
            throw config_error(errc::usage,
                               "unknown option " + excerpt(extra.substr(0, eq)) + " (see --help)");
        }
        if (takes_operand && !operand_) {
            operand_ = extra;
            continue;
        }
        throw config_error(errc::usage, "unexpected argument " + excerpt(extra) + " (see --help)");
    }
    for (std::size_t k = 0; k < spec.options.size(); ++k) {
        const auto& o = spec.options[k];
        const CLI::Option* c = declared[k];
        if (!c) continue;  // the operand
        if (o.repeatable && c->count() > 0) {
            // CLI11 read the arguments last first: its results are in reverse order
            auto& list = repeated_[o.name];
            for (auto r = c->results().rbegin(); r != c->results().rend(); ++r) {
                convert(o, *r);  // checked as a single value would be
                list.push_back(*r);
            }
            continue;
        }
        if (c->count() > 1) {
            std::string given;  // the first three values, enough to see the mistake
            if (o.kind != value_kind::flag)
                for (std::size_t r = 0; r < c->results().size() && r < 3; ++r)
                    given += (r ? ", " : " (") + excerpt(c->results()[r]);
            if (c->results().size() > 3) given += ", …";
            throw config_error(errc::usage, "--" + o.name + " given " + std::to_string(c->count()) +
                                                " times" + (given.empty() ? "" : given + ")") +
                                                "; give it at most once");
        }
        if (c->count() == 0) {
            if (!o.fallback.empty()) values_.emplace(o.name, convert(o, o.fallback));
            continue;
        }
        if (o.kind == value_kind::flag)
            flags_.insert(o.name);
        else
            values_.emplace(o.name, convert(o, c->results().front()));
    }
    // a required option is missing: reported after every given value is checked, so a bad value is named
    // whatever else is missing
    for (std::size_t k = 0; k < spec.options.size(); ++k)
        if (spec.options[k].required && declared[k] && declared[k]->count() == 0)
            throw config_error(errc::usage, "--" + spec.options[k].name + " is required (see --help)");
}

const option_spec& args::spec_of(const std::string& name, value_kind kind) const {
    for (const auto& o : spec_->options)
        if (o.name == name) {
            const bool textual =
                o.kind == value_kind::text || o.kind == value_kind::path || o.kind == value_kind::choice;
            const bool wanted_textual = kind == value_kind::text;
            if (o.kind == kind || (textual && wanted_textual)) return o;
            break;
        }
    throw std::logic_error("kvant " + spec_->name + ": the command reads --" + name +
                           " as a type it does not declare");
}

const args::value* args::find(const std::string& name, value_kind kind) const {
    spec_of(name, kind);
    const auto it = values_.find(name);
    return it == values_.end() ? nullptr : &it->second;
}

bool args::declares(const std::string& name) const {
    for (const auto& o : spec_->options)
        if (o.name == name) return true;
    return false;
}

bool args::flag(const std::string& name) const {
    spec_of(name, value_kind::flag);
    return flags_.count(name) != 0;
}

std::optional<std::string> args::get(const std::string& name) const {
    const value* v = find(name, value_kind::text);
    if (!v) return std::nullopt;
    return std::get<std::string>(*v);
}

std::string args::require(const std::string& name) const {
    auto v = get(name);
    if (!v) throw config_error(errc::usage, "--" + name + " is required (see --help)");
    return *v;
}

std::vector<std::string> args::all(const std::string& name) const {
    const auto& o = spec_of(name, value_kind::text);
    if (!o.repeatable) throw std::logic_error("kvant " + spec_->name + ": --" + name + " is not repeatable");
    const auto it = repeated_.find(name);
    return it == repeated_.end() ? std::vector<std::string>{} : it->second;
}

std::optional<std::int64_t> args::integer(const std::string& name) const {
    const value* v = find(name, value_kind::integer);
    return v ? std::optional{std::get<std::int64_t>(*v)} : std::nullopt;
}

std::optional<decimal> args::decimal_value(const std::string& name) const {
    const value* v = find(name, value_kind::decimal);
    return v ? std::optional{std::get<decimal>(*v)} : std::nullopt;
}

std::optional<instant> args::time(const std::string& name) const {
    const value* v = find(name, value_kind::time);
    return v ? std::optional{std::get<instant>(*v)} : std::nullopt;
}

std::optional<calendar_date> args::month(const std::string& name) const {
    const value* v = find(name, value_kind::month);
    return v ? std::optional{std::get<calendar_date>(*v)} : std::nullopt;
}

std::optional<int> args::offset_minutes(const std::string& name) const {
    const value* v = find(name, value_kind::offset);
    return v ? std::optional{std::get<int>(*v)} : std::nullopt;
}

std::optional<char> args::character(const std::string& name) const {
    const value* v = find(name, value_kind::character);
    return v ? std::optional{std::get<char>(*v)} : std::nullopt;
}

namespace {

std::string type_text(const option_spec& o) {
    switch (o.kind) {
        case value_kind::flag:
            return "";
        case value_kind::text:
            return "text";
        case value_kind::path:
            return "path";
        case value_kind::integer:
            return "integer " + range_text(o) + (o.divides ? " dividing " + std::to_string(o.divides) : "");
        case value_kind::decimal:
            return "decimal" + (o.min_decimal ? " >= " + to_string(*o.min_decimal) : std::string());
        case value_kind::time:
            return "timestamp or date, " + std::string(min_time_text) + ".." + std::string(max_time_text);
        case value_kind::month:
            return "month, " + std::string(min_time_text.substr(0, 7)) + ".." +
                   std::string(max_time_text.substr(0, 7));
        case value_kind::offset:
            return "UTC offset";
        case value_kind::character:
            return "one character";
        case value_kind::choice:
            return names_text(o.choices);
    }
    return "";
}

}  // namespace

std::string usage(const command_spec& spec) {
    std::string s = "usage: kvant " + spec.name;
    std::string operand;
    for (const auto& o : spec.options) {
        if (o.positional) {
            operand = "  " + o.value;
            operand.resize(28, ' ');
            operand += o.help + "\n";
            continue;
        }
        const std::string item = "--" + o.name + (o.value.empty() ? "" : " " + o.value);
        s += o.required ? " " + item : " [" + item + "]" + (o.repeatable ? "..." : "");
    }
    for (const auto& o : spec.options)
        if (o.positional) s += " [" + o.value + "]";
    s += "\n\n" + spec.summary + "\n\noptions:\n";
    for (const auto& o : spec.options) {
        if (o.positional) continue;
        std::string left = "  --" + o.name + (o.value.empty() ? "" : " " + o.value);
        if (left.size() < 28)
            left.resize(28, ' ');
        else
            left += "\n" + std::string(28, ' ');
        std::string facts = type_text(o);
        if (o.required) facts += (facts.empty() ? "" : "; ") + std::string("required");
        if (!o.fallback.empty()) facts += (facts.empty() ? "" : "; ") + std::string("default ") + o.fallback;
        if (o.repeatable) facts += (facts.empty() ? "" : "; ") + std::string("repeatable");
        s += left + o.help + (facts.empty() ? "" : " [" + facts + "]") + "\n";
    }
    s += "  --help                    this text\n";
    if (!operand.empty()) s += "\narguments:\n" + operand;
    bool any_repeatable = false;
    for (const auto& o : spec.options) any_repeatable = any_repeatable || o.repeatable;
    s += any_repeatable
             ? "\nEach option at most once unless repeatable; a value out of its range is a usage error "
               "(exit 2).\n"
             : "\nEach option at most once; a value out of its range is a usage error (exit 2).\n";
    if (!spec.details.empty()) s += "\n" + spec.details + "\n";
    return s;
}

}  // namespace kvant::cli
