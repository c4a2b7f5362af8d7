// kvant_frame_to_json (the line `kvant decode` prints, io/frame_json.hpp) and kvant_store_ingest_hex (`kvant
// ingest`, io/frame_ingest.hpp).
#include <nlohmann/json.hpp>

#include <string>

#include "barrier.hpp"
#include "decode_handles.hpp"
#include "handles.hpp"
#include "kvant/io/frame_ingest.hpp"
#include "kvant/io/frame_json.hpp"

using namespace kvant;
using namespace kvant::capi;

namespace {

std::string summary_json(const ingest_result& r) {
    nlohmann::ordered_json j;
    j["frames"] = r.frames;
    j["decoded"] = r.decoded;
    j["readings_written"] = r.readings_written;
    j["readings_unchanged"] = r.readings_unchanged;
    j["events_written"] = r.events_written;
    j["records_skipped"] = r.records_skipped;
    j["rejected"] = nlohmann::ordered_json::array();
    for (const auto& x : r.rejected)
        j["rejected"].push_back({{"line", x.line},
                                 {"status", decode_status_text.name(x.error.status)},
                                 {"offset", x.error.offset},
                                 {"message", x.error.message()}});
    j["unmatched"] = nlohmann::ordered_json::array();
    for (const auto& x : r.unmatched)
        j["unmatched"].push_back(
            {{"line", x.line}, {"address", x.address}, {"reason", x.reason}, {"hex", x.hex}});
    return j.dump();
}

}  // namespace

extern "C" {

int kvant_frame_to_json(char** out, const kvant_frame* f) {
    return barrier([&] {
        constexpr const char* fn = "kvant_frame_to_json";
        need(out, fn, "out");
        *out = nullptr;
        need(f, fn, "frame");
        *out = hand_out_text(frame_json(f->f));
        return KVANT_OK;
    });
}

int kvant_store_ingest_hex(char** summary_out, size_t* frames_out, size_t* stored_out, kvant_store* s,
                           const char* protocol, const char* hex_text, int64_t received, int policy,
                           const kvant_decoder_options* options) {
    return barrier([&] {
        constexpr const char* fn = "kvant_store_ingest_hex";
        if (summary_out) *summary_out = nullptr;
        if (frames_out) *frames_out = 0;
        if (stored_out) *stored_out = 0;
        need(s, fn, "store");
        need(protocol, fn, "protocol");
        need(hex_text, fn, "hex_text");
        key_ring keys;
        wmbus_format_cache formats;
        dlms_session session;
        ingest_options io;
        io.protocol = protocol;
        io.config = config_of(options, keys, &formats, &session, fn);
        if (options && KVANT_CAPI_KNOWS(options, meter) && options->meter) io.meter = options->meter;
        if (options && KVANT_CAPI_KNOWS(options, round_excess)) io.round_excess = options->round_excess != 0;
        io.received = from_unix(received);
        io.source_name = fn;
        io.conflict = conflict_policy(policy, fn);
        const auto frames = read_hex_frames(hex_text, fn);
        const ingest_result r = ingest_frames(*s->db, builtin_decoders(), frames, io);
        char* summary = summary_out ? hand_out_text(summary_json(r)) : nullptr;
        if (summary_out) *summary_out = summary;
        if (frames_out) *frames_out = r.frames;
        if (stored_out) *stored_out = r.readings_written;
        return KVANT_OK;
    });
}

}  // extern "C"
