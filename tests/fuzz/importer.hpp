// The importer property, shared by the memory-store and SQLite-store targets. The first byte selects:
//   bits 0-3  the table (value % 10): 0..7 table_kind (organizations .. events), 8 parse_readings_csv,
//             9 parse_meters_csv (the store-less parsers);
//   bits 4-5  on_conflict: 1 keep, 2 replace, 0 and 3 fail;
//   bit 6     a default UTC offset of +03:00 for timestamps without one;
//   bit 7     ';' as the delimiter.
// The seeds start with an ASCII digit ('0' = organizations ... '9' = parse_meters_csv, conflict fail).
// The rest is the CSV text. Properties:
//   - every exception is a kvant::error with a code (fails_cleanly);
//   - a failed import leaves the store exactly as before (the dump of every table is unchanged);
//   - a successful import exports and re-imports to the same store (export writes only what import
//     reads back, and importing the same data twice changes nothing).
#pragma once

#include "fuzz.hpp"

namespace kvant::fuzz {

struct import_case {
    int selector = 0;  // 0..9
    import_options options;
    std::string_view text;
};

inline import_case decode(const std::uint8_t* data, std::size_t size) {
    import_case c;
    if (size == 0) return c;
    c.selector = data[0] & 0x0f;
    c.selector %= 10;
    const int policy = (data[0] >> 4) & 3;
    c.options.conflict = policy == 1   ? on_conflict::keep
                         : policy == 2 ? on_conflict::replace
                                       : on_conflict::fail;
    if (data[0] & 0x40) c.options.default_offset_minutes = 180;
    if (data[0] & 0x80) c.options.delimiter = ';';
    c.text = text_of(data + 1, size - 1);
    return c;
}

/// Runs the importer property against a store that holds the fixed fleet. Returns the dump of the store at
/// the end (empty for the store-less parsers). `known_before`, when given, is the dump of the store now.
inline std::string check_import(store& s, const import_case& c, const std::string* known_before = nullptr) {
    if (c.selector >= 8) {
        // the store-less parsers: only the exception rule (they touch no store)
        fails_cleanly([&] {
            if (c.selector == 8) {
                std::vector<std::uint64_t> lines;
                const auto t = parse_readings_csv(c.text, "fuzz.csv", c.options, &lines);
                KVANT_FUZZ_CHECK(lines.size() == t.size(), "parse_readings_csv: one line per row");
            } else {
                (void)parse_meters_csv(c.text, "fuzz.csv", c.options);
            }
        });
        return {};
    }
    const auto kind = static_cast<table_kind>(c.selector);
    const std::string before = known_before ? *known_before : dump(s);
    if (fails_cleanly([&] { import_csv(s, kind, c.text, "fuzz.csv", c.options); })) {
        const std::string after = dump(s);
        KVANT_FUZZ_CHECK(after == before,
                         "a failed import changed the store:\nbefore " + before + "\nafter  " + after);
        return after;
    }
    // Success: what export writes, import reads back to the same store.
    std::ostringstream out;
    if (fails_cleanly([&] { export_csv(s, kind, out); }))
        fail("export_csv failed on a store that import_csv just accepted");
    const std::string imported = dump(s);
    const std::string exported = out.str();
    import_options again;  // the export writes UTC offsets and ',' delimiters
    if (fails_cleanly([&] { import_csv(s, kind, exported, "export.csv", again); }))
        fail("import_csv refuses what export_csv wrote", exported);
    const std::string reimported = dump(s);
    KVANT_FUZZ_CHECK(reimported == imported,
                     "export then import changed the store:\nbefore " + imported + "\nafter  " + reimported);
    return reimported;
}

}  // namespace kvant::fuzz
