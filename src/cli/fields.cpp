// kvant fields: the entity descriptions (model/fields.hpp) as JSON or Markdown, for bindings and docs.
#include <iostream>

#include "commands.hpp"
#include "kvant/model/field_info.hpp"
#include "kvant/model/json.hpp"

namespace kvant::cli {

namespace {

int run_fields(const args& a) {
    const auto want = a.get("entity");
    const auto& all = entity_descriptions();
    if (want) {
        bool known = false;
        for (const auto& e : all) known = known || e.entity == *want;
        if (!known) {
            std::string names;
            for (const auto& e : all) names += (names.empty() ? "" : ", ") + e.entity;
            throw config_error(errc::usage, "--entity: unknown entity " + excerpt(*want) +
                                                " (expected one of: " + names + ")");
        }
    }
    if (a.get("format").value() == "markdown") {
        if (want) throw config_error(errc::usage, "--entity: markdown describes every entity; leave it out");
        std::cout << entity_descriptions_markdown();
        return 0;
    }
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : all) {
        if (want && e.entity != *want) continue;
        nlohmann::json fields = nlohmann::json::array();
        for (const auto& f : e.fields) {
            nlohmann::json j{{"name", f.name},
                             {"type", f.type},
                             {"required", f.required},
                             {"optional", f.optional},
                             {"doc", f.doc}};
            if (!f.default_value.empty()) j["default"] = f.default_value;
            if (!f.values.empty()) j["values"] = f.values;
            fields.push_back(std::move(j));
        }
        out.push_back({{"entity", e.entity}, {"key", e.fields.front().name}, {"fields", std::move(fields)}});
    }
    std::cout << out.dump(2) << "\n";
    return 0;
}

}  // namespace

command fields_command() {
    return {{"fields",
             "The fields of every entity, from their one description: names (JSON keys and CSV columns), "
             "types,\nrequired ones, defaults, enum values.",
             {opt::text("entity", "NAME", "only this entity (meter, account, ...)"),
              opt::one_of("format", "FORMAT", {"json", "markdown"}, "JSON for bindings, Markdown for docs")
                  .defaults_to("json")},
             "docs/entities.md is `kvant fields --format markdown`."},
            run_fields};
}

}  // namespace kvant::cli
