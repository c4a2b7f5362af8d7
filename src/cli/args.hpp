// The kvant tool's argument parsing: each command declares its options; anything else is a usage error.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kvant/core/error.hpp"
#include "kvant/detail/enum_text.hpp"

namespace kvant::cli {
using kvant::detail::enum_text;

struct option_spec {
    std::string name;   // without the leading "--"
    std::string value;  // the value's placeholder ("FILE"); empty for a flag
    std::string help;
};

struct command_spec {
    std::string name;
    std::string summary;
    std::vector<option_spec> options;
    std::string details;  // printed after the options in --help
};

/// The parsed options of one command. Throws config_error(usage) on an unknown option or a missing value.
class args {
  public:
    args(const command_spec& spec, const std::vector<std::string>& argv);
    bool help() const noexcept { return help_; }
    bool flag(const std::string& name) const { return values_.count(name) != 0; }
    std::optional<std::string> get(const std::string& name) const;
    std::string require(const std::string& name) const;

  private:
    std::map<std::string, std::string> values_;
    bool help_ = false;
    std::string command_;
};

std::string usage(const command_spec& spec);

/// An option whose value is one of an enum's names; a usage error naming the choices otherwise.
template <class E, std::size_t N>
E choice(const args& a, const std::string& name, const enum_text<E, N>& table,
         std::optional<E> fallback = {}) {
    const auto v = a.get(name);
    if (!v) {
        if (fallback) return *fallback;
        return table.parse(a.require(name));  // require() throws the usage error
    }
    if (auto e = table.find(*v)) return *e;
    std::string names;
    for (const auto& [e, n] : table.names) names += (names.empty() ? "" : ", ") + std::string(n);
    throw config_error(errc::usage, "--" + name + " '" + *v + "': expected one of " + names);
}

}  // namespace kvant::cli
