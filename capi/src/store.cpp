// kvant_store: open and close a store, import CSV files, put entities from JSON, put readings in bulk.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "barrier.hpp"
#include "handles.hpp"
#include "kvant/io/csv.hpp"
#include "kvant/io/entity_json.hpp"
#include "kvant/store/memory_store.hpp"
#include "kvant/store/open_store.hpp"

using namespace kvant;
using namespace kvant::capi;

on_conflict kvant::capi::conflict_policy(int c, const char* fn) {
    switch (c) {
        case KVANT_CONFLICT_FAIL:
            return on_conflict::fail;
        case KVANT_CONFLICT_KEEP:
            return on_conflict::keep;
        case KVANT_CONFLICT_REPLACE:
            return on_conflict::replace;
        default:
            invalid(fn,
                    ("on_conflict " + std::to_string(c) + " is none of KVANT_CONFLICT_FAIL, _KEEP, _REPLACE")
                        .c_str());
    }
}

extern "C" {

int kvant_store_open(kvant_store** out, const char* path, int mode) {
    return barrier([&] {
        need(out, "kvant_store_open", "out");
        *out = nullptr;
        need(path, "kvant_store_open", "path");
        open_mode m{};
        switch (mode) {
            case KVANT_OPEN_CREATE:
                m = open_mode::create;
                break;
            case KVANT_OPEN_READ_WRITE:
                m = open_mode::open;
                break;
            case KVANT_OPEN_READ_ONLY:
                m = open_mode::read_only;
                break;
            default:
                invalid("kvant_store_open", ("mode " + std::to_string(mode) +
                                             " is none of KVANT_OPEN_CREATE, _READ_WRITE, _READ_ONLY")
                                                .c_str());
        }
        auto s = std::make_unique<kvant_store>();
        // a PostgreSQL connection string or URI opens a postgres_store; anything else is a SQLite file
        s->db = names_postgres(path)
                    ? open_store(path, m)
                    : std::make_unique<sqlite_store>(std::filesystem::u8path(path),
                                                     m == open_mode::create ? sqlite_store::mode::create
                                                     : m == open_mode::open ? sqlite_store::mode::open
                                                                            : sqlite_store::mode::read_only);
        *out = s.release();
        return KVANT_OK;
    });
}

int kvant_store_open_memory(kvant_store** out) {
    return barrier([&] {
        need(out, "kvant_store_open_memory", "out");
        *out = nullptr;
        auto s = std::make_unique<kvant_store>();
        s->db = std::make_unique<memory_store>();
        *out = s.release();
        return KVANT_OK;
    });
}

void kvant_store_free(kvant_store* s) {
    barrier([s] {
        delete s;
        return KVANT_OK;
    });
}

int kvant_store_import_csv(size_t* rows_out, kvant_store* s, const char* const* kinds,
                           const char* const* paths, size_t count) {
    return barrier([&] {
        constexpr const char* fn = "kvant_store_import_csv";
        if (rows_out) *rows_out = 0;
        need(s, fn, "store");
        if (count) need(kinds, fn, "kinds"), need(paths, fn, "paths");
        std::vector<std::pair<table_kind, std::filesystem::path>> files;
        files.reserve(count);
        for (std::size_t i = 0; i < count; ++i) {
            const std::string at = "[" + std::to_string(i) + "]";
            need(kinds[i], fn, ("kinds" + at).c_str());
            need(paths[i], fn, ("paths" + at).c_str());
            files.emplace_back(table_kind_text.parse(kinds[i], location{"", 0, "kinds" + at, -1}),
                               std::filesystem::u8path(paths[i]));
        }
        const import_report r = import_csv_files(*s->db, std::move(files));
        if (rows_out) *rows_out = r.rows;
        return KVANT_OK;
    });
}

int kvant_store_put_json(kvant_store* s, const char* kind, const char* json) {
    return barrier([&] {
        constexpr const char* fn = "kvant_store_put_json";
        need(s, fn, "store");
        need(kind, fn, "kind");
        need(json, fn, "json");
        put_json_entities(*s->db, kind, json, fn);
        return KVANT_OK;
    });
}

int kvant_store_put_readings(size_t* inserted_out, kvant_store* s, size_t count, const char* const* meters,
                             const char* const* channels, const int64_t* times, const int64_t* values,
                             int policy) {
    return barrier([&] {
        constexpr const char* fn = "kvant_store_put_readings";
        if (inserted_out) *inserted_out = 0;
        need(s, fn, "store");
        const on_conflict conflict = conflict_policy(policy, "kvant_store_put_readings");
        if (count == 0) return KVANT_OK;
        need(meters, fn, "meters"), need(channels, fn, "channels"), need(times, fn, "times"),
            need(values, fn, "values");
        reading_table batch;
        batch.reserve(count);
        const char* last_text = nullptr;  // callers repeat one channel pointer: parse it once
        std::uint16_t last_slot = 0;
        for (std::size_t i = 0; i < count; ++i) {
            if (!meters[i]) invalid(fn, ("meters[" + std::to_string(i) + "] is NULL").c_str());
            if (!channels[i]) invalid(fn, ("channels[" + std::to_string(i) + "] is NULL").c_str());
            if (channels[i] != last_text) {
                const location where{fn, 0, "channels[" + std::to_string(i) + "]", -1};
                last_slot = batch.channel_slot(parse_channel(channels[i], where));
                last_text = channels[i];
            }
            batch.push(batch.meter_slot(meters[i]), last_slot, times[i], values[i]);
        }
        const write_stats w = s->db->put_readings(batch, conflict);
        if (inserted_out) *inserted_out = w.inserted;
        return KVANT_OK;
    });
}

}  // extern "C"
