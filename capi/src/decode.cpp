// kvant_decoder and kvant_frame: meter protocol frames (the decode layer, kvant/decode/decoder.hpp) from C,
// and kvant_store_ingest_hex (io/frame_ingest.hpp). Bad bytes are a frame that is not ok, never a failed
// call.
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "barrier.hpp"
#include "decode_handles.hpp"
#include "handles.hpp"
#include "kvant/decode/decoder.hpp"
#include "kvant/decode/frame_mapping.hpp"
#include "kvant/decode/key_ring.hpp"
#include "kvant/decode/wmbus.hpp"
#include "kvant/io/frame_json.hpp"

using namespace kvant;
using namespace kvant::capi;

namespace kvant::capi {

decoder_config config_of(const kvant_decoder_options* o, key_ring& keys, wmbus_format_cache* formats,
                         dlms_session* session, const char* fn) {
    decoder_config c;
    c.keys = &keys;
    c.formats = formats;
    c.session = session;
    if (!o) return c;
    if (o->size < offsetof(kvant_decoder_options, crc))
        invalid(fn, "options->size is too small: call kvant_decoder_options_init first");
    if (KVANT_CAPI_KNOWS(o, crc) && o->crc) c.crc = crc_mode_text.parse(o->crc, location{"", 0, "crc", -1});
    if (KVANT_CAPI_KNOWS(o, keys) && o->keys) keys.add_lines(o->keys, "options.keys");
    if (KVANT_CAPI_KNOWS(o, dialect) && o->dialect)
        c.bcc = bcc_dialect_text.parse(o->dialect, location{"", 0, "dialect", -1});
    return c;
}

char* hand_out_text(const std::string& text) {
    auto* p = static_cast<char*>(std::malloc(text.size() + 1));
    if (!p) throw std::bad_alloc();
    std::memcpy(p, text.c_str(), text.size() + 1);
    return p;
}

}  // namespace kvant::capi

namespace {

/// The value texts (and plain-text units) of all records at once, on first ask after a decode.
void make_values(kvant_frame& x) {
    if (x.values_made) return;
    x.values.resize(x.f.records.size());
    x.units.resize(x.f.records.size());
    x.obis.resize(x.f.records.size());
    x.names.resize(x.f.records.size());
    for (std::size_t k = 0; k < x.f.records.size(); ++k) {
        const auto& r = x.f.records[k];
        x.values[k] = record_value_text(x.f, r).value_or("");
        x.units[k] = record_unit_text(x.f, r);
        x.obis[k] = record_obis_text(r).value_or("");
        x.names[k] = x.f.name_of(r);
    }
    x.values_made = true;
}

const kvant_frame& valid(const kvant_frame* f, const char* fn) {
    return *need(f, fn, "frame");
}

const frame_record& record_of(const kvant_frame* f, std::size_t i, const char* fn) {
    const auto& x = valid(f, fn);
    const std::size_t n = x.decoded && x.f.ok() ? x.f.records.size() : 0;  // a failed frame has none
    if (i >= n)
        invalid(fn,
                ("record " + std::to_string(i) + " is out of range (the frame has " + std::to_string(n) + ")")
                    .c_str());
    return x.f.records[i];
}

}  // namespace

extern "C" {

int kvant_decoder_options_init(kvant_decoder_options* o, size_t size) {
    return barrier([o, size] {
        constexpr const char* fn = "kvant_decoder_options_init";
        need(o, fn, "options");
        if (size < sizeof(o->size))
            invalid(fn, ("size " + std::to_string(size) + " does not reach the size field").c_str());
        kvant_decoder_options d{};
        d.size = std::min(size, sizeof(kvant_decoder_options));
        std::memcpy(o, &d, d.size);  // only the bytes the caller's struct has
        return KVANT_OK;
    });
}

int kvant_decoder_new(kvant_decoder** out, const char* protocol, const kvant_decoder_options* options) {
    return barrier([&] {
        constexpr const char* fn = "kvant_decoder_new";
        need(out, fn, "out");
        *out = nullptr;
        need(protocol, fn, "protocol");
        auto d = std::make_unique<kvant_decoder>();
        const decoder_config c = config_of(options, d->keys, &d->formats, &d->session, fn);
        d->impl = d->registry.make(protocol, c);
        *out = d.release();
        return KVANT_OK;
    });
}

void kvant_decoder_free(kvant_decoder* d) {
    barrier([d] {
        delete d;
        return KVANT_OK;
    });
}

int kvant_decoder_add_key(kvant_decoder* d, const char* meter, const char* hex) {
    return barrier([&] {
        constexpr const char* fn = "kvant_decoder_add_key";
        need(d, fn, "decoder");
        need(meter, fn, "meter");
        need(hex, fn, "hex");
        d->keys.add(meter, std::string_view(hex));  // the decoder reads the ring through its config's pointer
        return KVANT_OK;
    });
}

int kvant_frame_new(kvant_frame** out) {
    return barrier([&] {
        need(out, "kvant_frame_new", "out");
        *out = nullptr;
        *out = new kvant_frame;
        return KVANT_OK;
    });
}

void kvant_frame_free(kvant_frame* f) {
    barrier([f] {
        delete f;
        return KVANT_OK;
    });
}

int kvant_decoder_decode(kvant_decoder* d, const uint8_t* bytes, size_t size, kvant_frame* f) {
    return barrier([&] {
        constexpr const char* fn = "kvant_decoder_decode";
        need(d, fn, "decoder");
        need(f, fn, "frame");
        if (size) need(bytes, fn, "bytes");
        f->values_made = false;
        f->values.clear();
        f->units.clear();
        const std::span<const std::uint8_t> in(size ? bytes : nullptr, size);
        f->decoded = false;
        d->impl->decode(in, f->f);  // false: the frame's error says why; not a failure of the call
        f->decoded = true;
        f->protocol.assign(f->f.protocol);
        if (f->f.protocol == "wmbus" && d->formats.size() < 4096 && f->f.ok()) d->formats.learn(f->f);
        const auto address = f->f.ok() ? frame_address(f->f) : std::nullopt;
        f->id = address ? address->id : std::string();
        f->manufacturer = address ? address->manufacturer : std::string();
        f->address = address ? address->to_string() : std::string();
        f->message = f->f.ok() ? std::string() : f->f.error.message();
        return KVANT_OK;
    });
}

int kvant_frame_ok(const kvant_frame* f) {
    return barrier([f] { return f && f->decoded && f->f.ok() ? 1 : 0; });
}

const char* kvant_frame_status_name(const kvant_frame* f) {
    return barrier([f]() -> const char* {
        const auto& x = valid(f, "kvant_frame_status_name");
        return x.decoded ? decode_status_text.name(x.f.error.status).data() : "";
    });
}

int64_t kvant_frame_error_offset(const kvant_frame* f) {
    return barrier([f]() -> int64_t { return valid(f, "kvant_frame_error_offset").f.error.offset; },
                   int64_t{-1});
}

const char* kvant_frame_error_message(const kvant_frame* f) {
    return barrier([f]() -> const char* { return valid(f, "kvant_frame_error_message").message.c_str(); });
}

const char* kvant_frame_protocol(const kvant_frame* f) {
    return barrier([f]() -> const char* { return valid(f, "kvant_frame_protocol").protocol.c_str(); });
}

int kvant_frame_has_address(const kvant_frame* f) {
    return barrier([f] { return f && f->decoded && f->f.ok() && !f->address.empty() ? 1 : 0; });
}

const char* kvant_frame_manufacturer(const kvant_frame* f) {
    return barrier(
        [f]() -> const char* { return valid(f, "kvant_frame_manufacturer").manufacturer.c_str(); });
}

const char* kvant_frame_id(const kvant_frame* f) {
    return barrier([f]() -> const char* { return valid(f, "kvant_frame_id").id.c_str(); });
}

const char* kvant_frame_address(const kvant_frame* f) {
    return barrier([f]() -> const char* { return valid(f, "kvant_frame_address").address.c_str(); });
}

int kvant_frame_version(const kvant_frame* f) {
    return barrier([f] { return int(valid(f, "kvant_frame_version").f.header.version); }, -1);
}
int kvant_frame_medium(const kvant_frame* f) {
    return barrier([f] { return int(valid(f, "kvant_frame_medium").f.header.medium); }, -1);
}
int kvant_frame_access_number(const kvant_frame* f) {
    return barrier([f] { return int(valid(f, "kvant_frame_access_number").f.header.access_number); }, -1);
}
int kvant_frame_status(const kvant_frame* f) {
    return barrier([f] { return int(valid(f, "kvant_frame_status").f.header.status); }, -1);
}

size_t kvant_frame_record_count(const kvant_frame* f) {
    return barrier([f]() -> size_t { return f && f->decoded && f->f.ok() ? f->f.records.size() : 0; });
}

const char* kvant_frame_record_quantity(const kvant_frame* f, size_t i) {
    return barrier([&]() -> const char* {
        return record_quantity_name(record_of(f, i, "kvant_frame_record_quantity").quantity).data();
    });
}

const char* kvant_frame_record_unit(const kvant_frame* f, size_t i) {
    return barrier([&]() -> const char* {
        record_of(f, i, "kvant_frame_record_unit");
        make_values(const_cast<kvant_frame&>(*f));  // the unit as the JSON prints it
        return f->units[i].c_str();
    });
}

const char* kvant_frame_record_value(const kvant_frame* f, size_t i) {
    return barrier([&]() -> const char* {
        record_of(f, i, "kvant_frame_record_value");
        make_values(const_cast<kvant_frame&>(*f));  // a frame is one thread's at a time
        return f->values[i].c_str();
    });
}

const char* kvant_frame_record_function(const kvant_frame* f, size_t i) {
    return barrier([&]() -> const char* {
        return record_function_text.name(record_of(f, i, "kvant_frame_record_function").function).data();
    });
}

int64_t kvant_frame_record_storage(const kvant_frame* f, size_t i) {
    return barrier(
        [&]() -> int64_t { return int64_t(record_of(f, i, "kvant_frame_record_storage").storage); },
        int64_t{-1});
}
int64_t kvant_frame_record_tariff(const kvant_frame* f, size_t i) {
    return barrier([&]() -> int64_t { return record_of(f, i, "kvant_frame_record_tariff").tariff; },
                   int64_t{-1});
}
int64_t kvant_frame_record_subunit(const kvant_frame* f, size_t i) {
    return barrier([&]() -> int64_t { return record_of(f, i, "kvant_frame_record_subunit").subunit; },
                   int64_t{-1});
}

const char* kvant_frame_record_obis(const kvant_frame* f, size_t i) {
    return barrier([&]() -> const char* {
        record_of(f, i, "kvant_frame_record_obis");
        make_values(const_cast<kvant_frame&>(*f));
        return f->obis[i].c_str();
    });
}

const char* kvant_frame_record_name(const kvant_frame* f, size_t i) {
    return barrier([&]() -> const char* {
        record_of(f, i, "kvant_frame_record_name");
        make_values(const_cast<kvant_frame&>(*f));  // a terminated copy of the text pool's address
        return f->names[i].c_str();
    });
}

int64_t kvant_frame_record_class_id(const kvant_frame* f, size_t i) {
    return barrier([&]() -> int64_t { return record_of(f, i, "kvant_frame_record_class_id").class_id; },
                   int64_t{-1});
}
int64_t kvant_frame_record_attribute(const kvant_frame* f, size_t i) {
    return barrier([&]() -> int64_t { return record_of(f, i, "kvant_frame_record_attribute").attribute; },
                   int64_t{-1});
}
int64_t kvant_frame_record_scaler(const kvant_frame* f, size_t i) {
    return barrier(
        [&]() -> int64_t {
            const auto& r = record_of(f, i, "kvant_frame_record_scaler");
            return r.has_scaler ? int64_t{r.scaler} : KVANT_NULL_INT64;
        },
        int64_t{-1});
}

int kvant_decoder_restart(kvant_decoder* d) {
    return barrier([&] {
        need(d, "kvant_decoder_restart", "decoder");
        d->session.restart();
        return KVANT_OK;
    });
}

const uint8_t* kvant_frame_record_raw(const kvant_frame* f, size_t i, size_t* size_out) {
    if (size_out) *size_out = 0;
    return barrier([&]() -> const uint8_t* {
        const auto raw =
            valid(f, "kvant_frame_record_raw").f.raw_of(record_of(f, i, "kvant_frame_record_raw"));
        if (size_out) *size_out = raw.size();
        return raw.data();
    });
}

}  // extern "C"
