/// \file
/// A catalogue of meter event codes, read from a JSON file at run time: the СПОДЭС journals (ГОСТ Р
/// 58940-2020 tables Д.1–Д.9; journal OBIS 0.0.99.98.e.255) in the form of
/// ../shared/corpus/dlms/spodes_event_codes.json:
/// `{"events": [{"group", "journal": "0.0.99.98.e.255", "code", "ru", "en"}, ...]}`. It names events in both
/// languages and classifies them for the anomaly rules:
/// - EXTERNAL_IMPACT (journal 4: magnetic field, seals, HF field) → tamper, its "…окончание" (end) entries →
/// other;
/// - SELF_DIAGNOSTIC (journal 7) → fault when the text says an error ("ошибк"), else other;
/// - COMMUTATION (journal 2) → relay for switching off ("Выключение"), else other;
/// - VOLTAGE, CURRENT (journals 0, 1) → power; COMMUNICATION (5) → communication; ACCESS (6) → access;
/// - anything else → other. Entries without a journal are skipped.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "kvant/core/export.hpp"
#include "kvant/model/meter_event.hpp"

namespace kvant {
inline namespace v0 {

struct catalogue_entry {
    int journal = 0;
    int code = 0;
    std::string group;
    std::string ru, en;
    event_kind kind = event_kind::other;
};

class KVANT_API event_catalogue {
  public:
    /// Parses the JSON text; parse_error naming the entry index and key when malformed.
    static event_catalogue parse(std::string_view json_text, const std::string& source = "event catalogue");
    static event_catalogue load(const std::filesystem::path& file);

    const catalogue_entry* find(int journal, int code) const noexcept;
    std::size_t size() const noexcept { return entries_.size(); }
    /// Sets an event's kind from the catalogue (when its journal and code are known), and its message when
    /// empty
    /// ("ru / en"). Returns whether the event was found.
    bool classify(meter_event& e) const;

  private:
    std::map<std::pair<int, int>, catalogue_entry> entries_;
};

}  // namespace v0
}  // namespace kvant
