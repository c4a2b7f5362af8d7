// A-XDR parsing and COSEM attribute decoding of any bytes. The first byte picks the attribute the rest is a
// value of (Data, Register value and scaler_unit, Extended Register capture time, Clock time, Profile Generic
// buffer, capture objects and capture period, Activity Calendar), with a session that already knows a
// profile's capture objects (clock, a register value, a register's scaler_unit column), its capture period
// and the register's scaler_unit, so that buffers reach the column code. Properties: no exception but
// std::bad_alloc; the nodes form a well-nested pre-order tree within the bytes; an error names an offset
// within the input and says what was expected and found, and leaves no nodes behind; records point at nodes,
// data and text that exist; decoding again gives the same result.
#include <vector>

#include "fuzz.hpp"
#include "kvant/decode/cosem.hpp"
#include "kvant/decode/dlms.hpp"

namespace {

using namespace kvant;

void check_nodes(const std::vector<cosem_node>& nodes, std::size_t from, std::size_t to, std::size_t bytes) {
    for (std::size_t i = from; i < to; ++i) {
        const cosem_node& n = nodes[i];
        KVANT_FUZZ_CHECK(n.end > i && n.end <= to, "a node's subtree past its parent");
        KVANT_FUZZ_CHECK(std::size_t(n.offset) + n.size <= bytes, "a node's bytes past the input");
        if (n.type == axdr_type::array || n.type == axdr_type::structure ||
            n.type == axdr_type::compact_array) {
            std::uint32_t kids = 0;
            for (std::size_t c = i + 1; c < n.end; c = nodes[c].end) ++kids;
            KVANT_FUZZ_CHECK(kids == n.count, "a node's count is not its children");
        } else {
            KVANT_FUZZ_CHECK(n.end == i + 1, "a scalar with children");
        }
        if (n.type == axdr_type::bit_string)
            KVANT_FUZZ_CHECK(n.size == (std::uint64_t(n.count) + 7) / 8, "bit string size");
    }
}

cosem_attribute pick(std::uint8_t b) {
    const logical_name reg{{1, 0, 1, 8, 0, 255}}, profile{{1, 0, 99, 1, 0, 255}}, clock{{0, 0, 1, 0, 0, 255}};
    switch (b % 10) {
        case 0:
            return {1, logical_name{{0, 0, 96, 1, 0, 255}}, 2};
        case 1:
            return {3, reg, 2};
        case 2:
            return {3, reg, 3};
        case 3:
            return {4, reg, 5};
        case 4:
            return {8, clock, 2};
        case 5:
            return {7, profile, 2};
        case 6:
            return {7, profile, 3};
        case 7:
            return {7, profile, 4};
        case 8:
            return {20, logical_name{{0, 0, 13, 0, 0, 255}}, 5};
        default:
            return {5, reg, 3};
    }
}

dlms_session fresh_session() {
    dlms_session s;
    const logical_name reg{{1, 0, 1, 8, 0, 255}}, profile{{1, 0, 99, 1, 0, 255}};
    s.scaler_units[reg] = scaler_unit{-3, 30};
    s.capture_objects[profile] = {capture_object{{8, logical_name{{0, 0, 1, 0, 0, 255}}, 2}, 0},
                                  capture_object{{3, reg, 2}, 0}, capture_object{{3, reg, 3}, 0}};
    s.capture_periods[profile] = 1800;
    return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::span<const std::uint8_t> value(data + 1, size - 1);

    // the parser alone, with small limits too
    std::vector<cosem_node> nodes{cosem_node{}};
    for (const axdr_limits limits : {axdr_limits{}, axdr_limits{4, 64}}) {
        nodes.resize(1);
        std::uint32_t pos = 0;
        frame_error e;
        bool ok = false;
        try {
            ok = parse_axdr(value, pos, nodes, &e, 7, limits);
        } catch (const std::bad_alloc&) {
            kvant::fuzz::fail("std::bad_alloc");
        } catch (...) {
            kvant::fuzz::fail("parse_axdr threw on bytes");
        }
        if (ok) {
            KVANT_FUZZ_CHECK(pos >= 1 && pos <= value.size(), "pos past the input");
            KVANT_FUZZ_CHECK(nodes.size() >= 2 && nodes.size() - 1 <= limits.max_nodes, "node count");
            KVANT_FUZZ_CHECK(nodes[1].end == nodes.size(), "the value's subtree is not all nodes");
            check_nodes(nodes, 1, nodes.size(), value.size());
        } else {
            KVANT_FUZZ_CHECK(pos == 0, "a failed parse moved pos");
            KVANT_FUZZ_CHECK(nodes.size() == 1, "a failed parse left nodes");
            KVANT_FUZZ_CHECK(e.offset >= 7 && e.offset <= 7 + value.size(), e.message());
            KVANT_FUZZ_CHECK(!e.expected.empty() && !e.found.empty(), e.message());
        }
    }

    // the attribute decoder
    const cosem_attribute a = pick(data[0]);
    static decoded_frame frame;  // reused, as a host does
    dlms_session s = fresh_session();
    bool ok = false;
    try {
        ok = decode_cosem_attribute(value, a, frame, (data[0] & 0x80) != 0 ? nullptr : &s);
    } catch (const std::bad_alloc&) {
        kvant::fuzz::fail("std::bad_alloc");
    } catch (...) {
        kvant::fuzz::fail("decode_cosem_attribute threw on bytes");
    }
    KVANT_FUZZ_CHECK(ok == frame.ok(), "the result and the frame's status disagree");
    if (!ok) {
        KVANT_FUZZ_CHECK(frame.records.empty(), "a failed value carries records");
        KVANT_FUZZ_CHECK(frame.error.offset <= value.size(), frame.error.message());
        KVANT_FUZZ_CHECK(!frame.error.expected.empty() && !frame.error.found.empty(), frame.error.message());
    } else {
        // only an empty profile buffer gives no records (no rows)
        KVANT_FUZZ_CHECK(
            !frame.records.empty() || (a.class_id == 7 && a.attribute == 2 && frame.nodes[0].count == 0),
            "a decoded value without records");
        check_nodes(frame.nodes, 0, frame.nodes.size(), frame.data.size());
        for (const auto& r : frame.records) {
            KVANT_FUZZ_CHECK(r.node < frame.nodes.size(), "a record's node");
            KVANT_FUZZ_CHECK(std::size_t(r.data_offset) + r.data_size <= frame.data.size(),
                             "a record's data");
            KVANT_FUZZ_CHECK(std::size_t(r.text_offset) + r.text_size <= frame.text.size(),
                             "a record's text");
            if (r.kind == value_kind::number) {
                KVANT_FUZZ_CHECK(!r.number.to_string().empty(), "empty number text");
                (void)r.number.to_decimal();
            }
        }
    }
    const auto records = frame.records.size();
    const auto status = frame.error.status;
    dlms_session s2 = fresh_session();
    const bool again = decode_cosem_attribute(value, a, frame, (data[0] & 0x80) != 0 ? nullptr : &s2);
    KVANT_FUZZ_CHECK(again == ok && frame.records.size() == records && frame.error.status == status,
                     "decoding the same bytes twice differs");
    return 0;
}
