#include "kvant/io/entity_json.hpp"

#include "kvant/model/json.hpp"
#include "kvant/model/tariff_json.hpp"

namespace kvant {
inline namespace v0 {

namespace {

template <class T>
void put_one(store& db, const nlohmann::json& j, const std::string& source) {
    db.put(from_json_document<T>(j, source));
}

void put_entity(store& db, std::string_view kind, const nlohmann::json& j, const std::string& source) {
    if (kind == "organization") return put_one<organization>(db, j, source);
    if (kind == "abonent") return put_one<abonent>(db, j, source);
    if (kind == "account") return put_one<account>(db, j, source);
    if (kind == "metering_point") return put_one<metering_point>(db, j, source);
    if (kind == "meter_model") return put_one<meter_model>(db, j, source);
    if (kind == "meter") return put_one<meter>(db, j, source);
    if (kind == "tariff_schedule") return put_one<tariff_schedule>(db, j, source);
    if (kind == "tariff_assignment") return put_one<tariff_assignment>(db, j, source);
    if (kind == "tariff_rate") return put_one<tariff_rate>(db, j, source);
    if (kind == "normative") return put_one<normative>(db, j, source);
    throw config_error(errc::usage, "entity kind '" + excerpt(kind) + "' cannot be put from JSON (" +
                                        std::string(json_entity_kinds) + ")");
}

}  // namespace

std::size_t put_json_entities(store& db, std::string_view kind, std::string_view json,
                              const std::string& source) {
    const nlohmann::json doc = parse_json(json, source);
    transaction tx(db);
    std::size_t n = 0;
    if (doc.is_array()) {
        for (std::size_t i = 0; i < doc.size(); ++i, ++n)
            put_entity(db, kind, doc[i], source + " item " + std::to_string(i + 1));
    } else {
        put_entity(db, kind, doc, source);
        n = 1;
    }
    tx.commit();
    return n;
}

}  // namespace v0
}  // namespace kvant
