// kvant: the command-line tool of libkvant. Every command has --help; errors go to stderr with a non-zero
// exit code (1: data or store, 2: usage).
#include <iostream>

#include "args.hpp"
#include "commands.hpp"
#include "kvant/core/error.hpp"
#include "kvant/core/version.hpp"

namespace {

void top_usage(std::ostream& out) {
    out << "usage: kvant COMMAND [OPTIONS]\n\nlibkvant " << kvant::version_string()
        << ": utility metering from the command line.\n\ncommands:\n";
    for (const auto& c : kvant::cli::commands()) {
        std::string name = "  " + c.spec.name;
        name.resize(21, ' ');
        out << name << c.spec.summary.substr(0, c.spec.summary.find('\n')) << "\n";
    }
    out << "\n'kvant COMMAND --help' describes a command.\n";
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> rest(argv + (argc > 1 ? 2 : 1), argv + argc);
    std::string name = argc > 1 ? argv[1] : "";
    // two-word commands: "anomalies detect"
    if (!rest.empty() && rest.front().rfind("--", 0) != 0)
        for (const auto& c : kvant::cli::commands())
            if (c.spec.name == name + " " + rest.front()) {
                name = c.spec.name;
                rest.erase(rest.begin());
                break;
            }
    if (name.empty() || name == "--help" || name == "-h" || name == "help") {
        top_usage(name.empty() ? std::cerr : std::cout);
        return name.empty() ? 2 : 0;
    }
    if (name == "--version") {
        std::cout << "kvant " << kvant::version_string() << "\n";
        return 0;
    }
    for (const auto& c : kvant::cli::commands()) {
        if (c.spec.name != name) continue;
        try {
            const kvant::cli::args a(c.spec, rest);
            if (a.help()) {
                std::cout << kvant::cli::usage(c.spec);
                return 0;
            }
            return c.run(a);
        } catch (const kvant::config_error& e) {
            std::cerr << "kvant " << name << ": " << e.what() << "\n";
            return e.code() == kvant::errc::usage ? 2 : 1;
        } catch (const kvant::error& e) {
            std::cerr << "kvant " << name << ": " << e.what() << "\n";
            return 1;
        } catch (const std::exception& e) {
            std::cerr << "kvant " << name << ": " << e.what() << "\n";
            return 1;
        }
    }
    std::cerr << "kvant: unknown command " << kvant::excerpt(name) << "\n\n";
    top_usage(std::cerr);
    return 2;
}
