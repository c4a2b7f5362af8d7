// The importer property, shared by the memory-store and SQLite-store targets. The first byte selects:
//   bits 0-3  the table: 0..7 table_kind organizations .. events, 8 parse_readings_csv, 9 parse_meters_csv
//             (the store-less parsers), 10..15 relay_changes, sessions, tariff_schedules (JSON),
//             tariff_assignments, tariff_rates, normatives (table_kind 8..13);
//   bits 4-5  on_conflict: 1 keep, 2 replace, 0 and 3 fail;
//   bit 6     a default UTC offset of +03:00 for timestamps without one;
//   bit 7     ';' as the delimiter.
// The seeds start with an ASCII character of 0x30..0x3f: '0' = organizations ... '9' = parse_meters_csv,
// ':' relay_changes, ';' sessions, '<' tariff_schedules, '=' tariff_assignments, '>' tariff_rates,
// '?' normatives (conflict fail).
// The rest is the CSV text. Properties:
//   - every exception is a kvant::error with a code (fails_cleanly);
//   - a failed import leaves the store exactly as before (the dump of every table is unchanged);
//   - a successful import exports and re-imports to the same store (export writes only what import
//     reads back, and importing the same data twice changes nothing).
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "fuzz.hpp"

namespace kvant::fuzz {

struct import_case {
    int selector = 0;                 // 0..15
    std::optional<table_kind> table;  // absent for the store-less parsers (selectors 8 and 9)
    import_options options;
    std::string_view text;
};

/// The table a selector names (absent for 8 and 9, the store-less parsers). 0..7 keep their meaning of
/// before issue 10, so that the seeds and regressions of then still select the same table.
inline std::optional<table_kind> table_of(int selector) {
    if (selector < 8) return static_cast<table_kind>(selector);
    if (selector < 10) return std::nullopt;
    return static_cast<table_kind>(selector - 2);  // 10 relay_changes .. 15 normatives
}

inline import_case decode(const std::uint8_t* data, std::size_t size) {
    import_case c;
    if (size == 0) return c;
    c.selector = data[0] & 0x0f;
    c.table = table_of(c.selector);
    const int policy = (data[0] >> 4) & 3;
    c.options.conflict = policy == 1   ? on_conflict::keep
                         : policy == 2 ? on_conflict::replace
                                       : on_conflict::fail;
    if (data[0] & 0x40) c.options.default_offset_minutes = 180;
    if (data[0] & 0x80) c.options.delimiter = ';';
    c.text = text_of(data + 1, size - 1);
    return c;
}

/// The store-less readings parser, both ways: the text in memory, and the same text as a file read through a
/// small buffer (1..13 bytes, from the input's size) so that records straddle every boundary. Both give the
/// same table, or fail with the same error.
inline void check_streaming(const import_case& c) {
    static const std::filesystem::path file = std::filesystem::temp_directory_path() /
                                              ("kvant-fuzz-readings-" + std::to_string(::getpid()) + ".csv");
    {
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out.write(c.text.data(), static_cast<std::streamsize>(c.text.size()));
    }
    std::vector<std::uint64_t> lines;
    reading_table mem, streamed;
    std::string mem_error, streamed_error;
    if (fails_cleanly([&] {
            try {
                mem = parse_readings_csv(c.text, file.string(), c.options, &lines);
            } catch (const error& e) {
                mem_error = e.what();
                throw;
            }
        }))
        KVANT_FUZZ_CHECK(!mem_error.empty(), "parse_readings_csv failed without a message");
    else
        KVANT_FUZZ_CHECK(lines.size() == mem.size(), "parse_readings_csv: one line per row");
    import_options o = c.options;
    o.read_buffer_bytes = 1 + c.text.size() % 13;
    fails_cleanly([&] {
        try {
            streamed = read_readings_csv(file, o);
        } catch (const error& e) {
            streamed_error = e.what();
            throw;
        }
    });
    KVANT_FUZZ_CHECK(streamed_error == mem_error, "the streaming parser and the in-memory one disagree:\n" +
                                                      streamed_error + "\n" + mem_error);
    const auto same = [](const reading_table& a, const reading_table& b) {
        return a.meters() == b.meters() && a.channels() == b.channels() &&
               a.meter_index() == b.meter_index() && a.channel_index() == b.channel_index() &&
               a.times() == b.times() && a.values() == b.values() && a.sources() == b.sources() &&
               a.accepted() == b.accepted();
    };
    KVANT_FUZZ_CHECK(same(mem, streamed), "the streaming parser gives another table than the in-memory one");
}

/// Runs the importer property against a store that holds the fixed fleet. Returns the dump of the store at
/// the end (empty for the store-less parsers). `known_before`, when given, is the dump of the store now.
inline std::string check_import(store& s, const import_case& c, const std::string* known_before = nullptr) {
    if (!c.table) {
        // the store-less parsers: only the exception rule (they touch no store)
        if (c.selector == 8) return check_streaming(c), std::string();
        fails_cleanly([&] { (void)parse_meters_csv(c.text, "fuzz.csv", c.options); });
        return {};
    }
    const auto kind = *c.table;
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
