// Shared by the DLMS fuzz targets (hdlc, dlms_apdu): the properties of one decoded frame.
#pragma once

#include <cstddef>
#include <string>

#include "fuzz.hpp"
#include "kvant/decode/decoded_frame.hpp"

namespace kvant::fuzz {

/// A failure has a status, an offset within the input, an expectation, a finding and no records; a success
/// keeps every record's node, data and text inside the frame's buffers and its nodes inside its data.
inline void check_dlms_frame(const decoded_frame& f, bool ok, std::size_t input_size) {
    KVANT_FUZZ_CHECK(ok == f.ok(), "the result and the frame's status disagree");
    if (!ok) {
        KVANT_FUZZ_CHECK(f.error.status != decode_status::ok, "a failure with status ok");
        KVANT_FUZZ_CHECK(f.error.offset <= input_size, f.error.message());
        KVANT_FUZZ_CHECK(!f.error.expected.empty(), f.error.message());
        KVANT_FUZZ_CHECK(!f.error.found.empty(), f.error.message());
        KVANT_FUZZ_CHECK(f.records.empty(), "a failed frame carries records");
        return;
    }
    for (const auto& n : f.nodes)
        KVANT_FUZZ_CHECK(std::size_t(n.offset) + n.size <= f.data.size(), "a node's bytes past the data");
    for (const auto& r : f.records) {
        KVANT_FUZZ_CHECK(r.node == frame_record::no_node || r.node < f.nodes.size(), "a record's node");
        KVANT_FUZZ_CHECK(std::size_t(r.data_offset) + r.data_size <= f.data.size(), "a record's data");
        KVANT_FUZZ_CHECK(std::size_t(r.text_offset) + r.text_size <= f.text.size(), "a record's text");
        KVANT_FUZZ_CHECK(std::size_t(r.name_offset) + r.name_size <= f.text.size(), "a record's name");
        if (r.kind == value_kind::number) {
            KVANT_FUZZ_CHECK(!r.number.to_string().empty(), "empty number text");
            (void)r.number.to_decimal();
        }
    }
    if (f.header.awaiting_more)
        KVANT_FUZZ_CHECK(f.records.empty(), "records before the last segment or block");
}

}  // namespace kvant::fuzz
