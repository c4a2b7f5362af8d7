#include "args.hpp"

#include "kvant/core/error.hpp"

namespace kvant::cli {

args::args(const command_spec& spec, const std::vector<std::string>& argv) : command_(spec.name) {
    for (std::size_t i = 0; i < argv.size(); ++i) {
        std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            help_ = true;
            continue;
        }
        if (a.rfind("--", 0) != 0)
            throw config_error(errc::usage,
                               "kvant " + spec.name + ": unexpected argument '" + a + "' (see --help)");
        std::string name = a.substr(2), value;
        bool inline_value = false;
        if (const auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
            inline_value = true;
        }
        const option_spec* o = nullptr;
        for (const auto& s : spec.options)
            if (s.name == name) o = &s;
        if (!o)
            throw config_error(errc::usage,
                               "kvant " + spec.name + ": unknown option --" + name + " (see --help)");
        if (o->value.empty()) {
            if (inline_value)
                throw config_error(errc::usage, "kvant " + spec.name + ": --" + name + " takes no value");
            values_.insert_or_assign(name, std::string{});  // a flag; (avoids GCC 12 bug 105329 at -O2)
            continue;
        }
        if (!inline_value) {
            if (i + 1 >= argv.size())
                throw config_error(errc::usage,
                                   "kvant " + spec.name + ": --" + name + " needs a value " + o->value);
            value = argv[++i];
        }
        values_[name] = value;
    }
}

std::optional<std::string> args::get(const std::string& name) const {
    const auto it = values_.find(name);
    if (it == values_.end()) return std::nullopt;
    return it->second;
}

std::string args::require(const std::string& name) const {
    auto v = get(name);
    if (!v)
        throw config_error(errc::usage, "kvant " + command_ + ": --" + name + " is required (see --help)");
    return *v;
}

std::string usage(const command_spec& spec) {
    std::string s = "usage: kvant " + spec.name;
    for (const auto& o : spec.options) s += " [--" + o.name + (o.value.empty() ? "" : " " + o.value) + "]";
    s += "\n\n" + spec.summary + "\n\noptions:\n";
    for (const auto& o : spec.options) {
        std::string left = "  --" + o.name + (o.value.empty() ? "" : " " + o.value);
        if (left.size() < 28)
            left.resize(28, ' ');
        else
            left += "\n" + std::string(28, ' ');
        s += left + o.help + "\n";
    }
    s += "  --help                    this text\n";
    if (!spec.details.empty()) s += "\n" + spec.details + "\n";
    return s;
}

}  // namespace kvant::cli
