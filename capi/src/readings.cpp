// kvant_readings: stored values read back through the store's cursor, handed out as arrays.
#include <limits>
#include <string>

#include "barrier.hpp"
#include "handles.hpp"

using namespace kvant;
using namespace kvant::capi;

namespace {

const kvant_readings& valid(const kvant_readings* r, const char* fn) {
    return *need(r, fn, "readings");
}

std::size_t row(const kvant_readings& r, std::size_t i, const char* fn) {
    if (i >= r.rows.size())
        invalid(fn, ("index " + std::to_string(i) + " out of range (" + std::to_string(r.rows.size()) +
                     " values)")
                        .c_str());
    return i;
}

}  // namespace

extern "C" {

int kvant_store_read_readings(kvant_readings** out, const kvant_store* s, const char* const* meters,
                              size_t meter_count, int64_t from, int64_t to) {
    return barrier([&] {
        constexpr const char* fn = "kvant_store_read_readings";
        need(out, fn, "out");
        *out = nullptr;
        need(s, fn, "store");
        series_query q;
        if (meter_count) need(meters, fn, "meters");
        for (std::size_t i = 0; i < meter_count; ++i) {
            if (!meters[i]) invalid(fn, ("meters[" + std::to_string(i) + "] is NULL").c_str());
            q.meters.emplace_back(meters[i]);
        }
        q.from = from;
        q.to = to;
        q.provenance = false;
        auto r = std::make_unique<kvant_readings>();
        const auto cursor = s->db->scan(q);
        series_chunk chunk;
        while (cursor->next(chunk)) {
            const auto m = r->rows.meter_slot(chunk.meter);
            const auto c = r->rows.channel_slot(chunk.ch);
            for (std::size_t i = 0; i < chunk.size(); ++i) r->rows.push(m, c, chunk.time[i], chunk.value[i]);
        }
        for (const auto& c : r->rows.channels()) r->channel_text.push_back(to_string(c));
        *out = r.release();
        return KVANT_OK;
    });
}

void kvant_readings_free(kvant_readings* r) {
    barrier([r] {
        delete r;
        return KVANT_OK;
    });
}

size_t kvant_readings_count(const kvant_readings* r) {
    return barrier([r] { return valid(r, "kvant_readings_count").rows.size(); });
}

const int64_t* kvant_readings_times(const kvant_readings* r) {
    return barrier([r]() -> const int64_t* {
        const auto& t = valid(r, "kvant_readings_times").rows.times();
        return t.empty() ? nullptr : t.data();
    });
}

const int64_t* kvant_readings_values(const kvant_readings* r) {
    return barrier([r]() -> const int64_t* {
        const auto& v = valid(r, "kvant_readings_values").rows.values();
        return v.empty() ? nullptr : v.data();
    });
}

const char* kvant_readings_meter(const kvant_readings* r, size_t i) {
    return barrier([&]() -> const char* {
        constexpr const char* fn = "kvant_readings_meter";
        const auto& x = valid(r, fn);
        return x.rows.meter_of(row(x, i, fn)).c_str();
    });
}

const char* kvant_readings_channel(const kvant_readings* r, size_t i) {
    return barrier([&]() -> const char* {
        constexpr const char* fn = "kvant_readings_channel";
        const auto& x = valid(r, fn);
        return x.channel_text[x.rows.channel_index()[row(x, i, fn)]].c_str();
    });
}

}  // extern "C"
