// What the C API's decode handles hold, and the helpers its decode and ingest functions share.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "kvant.h"
#include "kvant/decode/decoder.hpp"
#include "kvant/decode/dlms.hpp"
#include "kvant/decode/key_ring.hpp"
#include "kvant/decode/wmbus.hpp"

struct kvant_decoder {
    kvant::decoder_registry registry = kvant::builtin_decoders();
    kvant::key_ring keys;  // the decoder reads it through its config's pointer: keys added later count
    kvant::wmbus_format_cache
        formats;                  // compact wireless frames' formats, learnt from the full frames decoded
    kvant::dlms_session session;  // a DLMS conversation: what the frames so far have shown
    std::unique_ptr<kvant::decoder> impl;
};

struct kvant_frame {
    kvant::decoded_frame f;
    // made once a decode, or on first ask: the accessors' strings point into these until the next decode
    std::string protocol, id, manufacturer, address, message;
    bool decoded = false;  // a decode has filled `f`
    std::vector<std::string> values, units, obis, names;
    bool values_made = false;
};

/// Whether the caller's options struct is long enough to hold field `f` (it only grows at the end).
#define KVANT_CAPI_KNOWS(o, f) ((o)->size >= offsetof(kvant_decoder_options, f) + sizeof((o)->f))

namespace kvant::capi {

/// The caller's options onto a decoder_config whose keys go to `keys` (NULL options: the defaults).
decoder_config config_of(const kvant_decoder_options* o, key_ring& keys, wmbus_format_cache* formats,
                         dlms_session* session, const char* fn);
/// A malloc'd copy for the caller (freed with kvant_string_free).
char* hand_out_text(const std::string& text);

}  // namespace kvant::capi
