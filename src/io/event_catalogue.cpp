#include "kvant/io/event_catalogue.hpp"
#include "kvant/model/json.hpp"

#include <nlohmann/json.hpp>

#include "kvant/io/csv.hpp"

namespace kvant {
inline namespace v0 {

namespace {
event_kind kind_of(const std::string& group, const std::string& ru, const std::string& en) {
    auto has = [](const std::string& s, std::string_view w) { return s.find(w) != std::string::npos; };
    if (group == "EXTERNAL_IMPACT") return has(ru, "окончание") ? event_kind::other : event_kind::tamper;
    if (group == "SELF_DIAGNOSTIC")
        return has(ru, "ошибк") || has(en, "error") ? event_kind::fault : event_kind::other;
    if (group == "COMMUTATION") return has(ru, "Выключение") ? event_kind::relay : event_kind::other;
    if (group == "VOLTAGE" || group == "CURRENT") return event_kind::power;
    if (group == "COMMUNICATION") return event_kind::communication;
    if (group == "ACCESS") return event_kind::access;
    return event_kind::other;
}
}  // namespace

event_catalogue event_catalogue::parse(std::string_view text, const std::string& source) {
    const nlohmann::json doc = parse_json(text, source);
    const auto it = doc.find("events");
    if (it == doc.end() || !it->is_array())
        throw parse_error(errc::json, "expected an \"events\" array", location{source, 0, "events", -1});
    event_catalogue out;
    for (std::size_t i = 0; i < it->size(); ++i) {
        const auto& e = (*it)[i];
        const std::string where = "events[" + std::to_string(i) + "]";
        if (!e.is_object() || !e.contains("code") || !e["code"].is_number_integer())
            throw parse_error(errc::json, "an event needs an integer code",
                              location{source, 0, where + ".code", -1});
        if (!e.contains("journal") || !e["journal"].is_string()) continue;  // no journal: not addressable
        const std::string obis = e["journal"].get<std::string>();
        // 0.0.99.98.e.255 -> e
        int journal = -1;
        if (obis.rfind("0.0.99.98.", 0) == 0) {
            const auto dot = obis.find('.', 10);
            try {
                journal = std::stoi(obis.substr(10, dot - 10));
            } catch (...) {
                journal = -1;
            }
        }
        if (journal < 0)
            throw parse_error(errc::json, "journal " + excerpt(obis) + " is not 0.0.99.98.e.255",
                              location{source, 0, where + ".journal", -1});
        catalogue_entry c;
        c.journal = journal;
        const auto code = e["code"].get<std::int64_t>();
        if (code < 0 || code > 999'999'999)  // the event codes of the model (validation.hpp)
            throw parse_error(errc::json, "code " + std::to_string(code) + " is outside 0..999999999",
                              location{source, 0, where + ".code", -1});
        c.code = static_cast<int>(code);
        // optional texts: absent is empty; anything but a string is an error naming the key, never a json
        // type_error (found by fuzzing: "en": 2)
        const auto text_of = [&](const char* key) {
            const auto f = e.find(key);
            if (f == e.end()) return std::string();
            if (!f->is_string())
                throw parse_error(errc::json, std::string("expected a string"),
                                  location{source, 0, where + "." + key, -1});
            const auto& t = f->get_ref<const std::string&>();
            require_text(t, location{source, 0, where + "." + key, -1});
            return t;
        };
        c.group = text_of("group");
        c.ru = text_of("ru");
        c.en = text_of("en");
        c.kind = kind_of(c.group, c.ru, c.en);
        out.entries_[{c.journal, c.code}] = std::move(c);
    }
    return out;
}

event_catalogue event_catalogue::load(const std::filesystem::path& file) {
    return parse(read_file(file), file.string());
}

const catalogue_entry* event_catalogue::find(int journal, int code) const noexcept {
    const auto it = entries_.find({journal, code});
    return it == entries_.end() ? nullptr : &it->second;
}

bool event_catalogue::classify(meter_event& e) const {
    if (!e.journal) return false;
    const auto* c = find(*e.journal, e.code);
    if (!c) return false;
    e.kind = c->kind;
    if (e.message.empty()) e.message = c->ru + " / " + c->en;
    return true;
}

}  // namespace v0
}  // namespace kvant
