/// \file
/// The entity descriptions of model/fields.hpp as data, for what cannot use the C++ templates: the
/// `kvant fields` command, docs/entities.md (generated from it and checked by a test), the C API and the
/// Python package. One entry a described entity, its fields in order (the key first).
#pragma once

#include "kvant/core/export.hpp"

#include <string>
#include <vector>

namespace kvant {
inline namespace v0 {

struct field_info {
    std::string name;                 ///< the JSON key and CSV column
    std::string type;                 ///< text, bool, integer, decimal, date, instant, zone or enum
    bool required = false;            ///< an input without it is refused
    bool optional = false;            ///< may be absent (std::optional, or text that may be empty)
    std::string default_value;        ///< what a default-constructed entity holds, as written ("" when none)
    std::vector<std::string> values;  ///< an enum's names, in order
    std::string doc;                  ///< one line of documentation
};

struct entity_info {
    std::string entity;  ///< "meter"
    std::vector<field_info> fields;
};

/// Every described entity: organization, abonent, account, metering_point, meter_model, meter, meter_event,
/// relay_change, comm_session, tariff_assignment, tariff_rate, normative.
KVANT_API const std::vector<entity_info>& entity_descriptions();

/// The descriptions as Markdown (one section an entity, a table of its fields): docs/entities.md.
KVANT_API std::string entity_descriptions_markdown();

}  // namespace v0
}  // namespace kvant
