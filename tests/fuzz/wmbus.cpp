// The wireless M-Bus decoder on any bytes, with keys for the seeds' meters (so the decryption, MAC and CRC
// paths are reached) and a format cache that knows the seeds' compact frames. Properties: decode never throws
// (but std::bad_alloc, which fails the run) and answers the same twice; a failure has a status, an offset
// within the input, an expectation and no records; a success has every record, its data and its text inside
// the frame's buffers, a link layer kind that agrees with the CRC mode, and decrypted data no longer than the
// input's.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "fuzz.hpp"
#include "kvant/decode/key_ring.hpp"
#include "kvant/decode/wmbus.hpp"

namespace {

using kvant::crc_mode;
using kvant::decode_status;
using kvant::decoded_frame;
using kvant::decoder_config;

std::vector<std::uint8_t> hex(const char* s) {
    std::vector<std::uint8_t> out;
    auto v = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
    for (; s[0] && s[1]; s += 2) out.push_back(static_cast<std::uint8_t>(v(s[0]) * 16 + v(s[1])));
    return out;
}

struct fixture {
    kvant::key_ring mode5, mode7;
    kvant::wmbus_format_cache formats;
    fixture() {
        // the keys of tests/test_decode_wmbus.cpp's vectors (OMS Annex N, wmbusmeters issues #584 and #2013)
        mode5.add("12345678", "0102030405060708090A0B0C0D0E0F11");
        mode5.add("82788281", "75EDE0CBBB6E126764898645AA366568");
        mode5.add("27028126", "BD9CFA2F732FD2D552C084CAE5829913");
        mode7.add("12345678", "000102030405060708090A0B0C0D0E0F");
        mode7.add("55667788", "000102030405060708090A0B0C0D0E0F");
        mode7.add("mbus:KAM-12345678-01-07", "00112233445566778899AABBCCDDEEFF");
        // full frames whose compact frames are among the seeds (wmbusmeters simulation_c1.txt)
        decoded_frame f;
        for (const char* t :
             {"2A442D2C998734761B168D2091D37CAC21576C7802FF207100041308190000441308190000615B7F616713",
              "2D442D2C5768663230028D20E4E2C81C20878C7804041A03000004843C00000000042B0300000004AB3C"
              "00000000"}) {
            const auto b = hex(t);
            if (!kvant::decode_wmbus(b, decoder_config{nullptr, &formats, crc_mode::detect}, f))
                kvant::fuzz::fail("a fixture full frame does not decode", f.error.message());
        }
    }
};

void check(std::span<const std::uint8_t> in, const decoder_config& cfg, decoded_frame& f,
           decoded_frame& again) {
    bool ok = false, ok2 = false;
    try {
        ok = kvant::decode_wmbus(in, cfg, f);
        ok2 = kvant::decode_wmbus(in, cfg, again);
    } catch (const std::bad_alloc&) {
        kvant::fuzz::fail("std::bad_alloc: a telegram made the decoder allocate without bound");
    } catch (const std::exception& e) {
        kvant::fuzz::fail("decode_wmbus threw", e.what());
    }
    KVANT_FUZZ_CHECK(ok == f.ok() && ok2 == ok, "the result and the status disagree, or two runs differ");
    KVANT_FUZZ_CHECK(f.protocol == "wmbus", "protocol");
    KVANT_FUZZ_CHECK(f.error.status == again.error.status && f.error.offset == again.error.offset &&
                         f.records.size() == again.records.size() && f.data == again.data,
                     "two decodes of the same bytes differ");
    if (!ok) {
        KVANT_FUZZ_CHECK(f.error.status != decode_status::ok, "a failure without a status");
        KVANT_FUZZ_CHECK(f.error.offset <= in.size(), f.error.message());
        KVANT_FUZZ_CHECK(!f.error.expected.empty(), "a failure that does not say what was expected");
        KVANT_FUZZ_CHECK(f.records.empty(), "a failure with records");
        (void)f.error.message();
        return;
    }
    if (cfg.crc == crc_mode::absent)
        KVANT_FUZZ_CHECK(f.header.kind == kvant::frame_kind::wireless_no_crc,
                         "CRCs found in crc_mode::absent");
    KVANT_FUZZ_CHECK(f.header.ci == 0x79 || f.data.size() <= in.size(),
                     "the data grew without a compact frame");
    KVANT_FUZZ_CHECK(f.header.has_address && f.header.has_link_address, "a frame without its address");
    for (const auto& r : f.records) {
        KVANT_FUZZ_CHECK(std::size_t(r.offset) + r.dib_size + r.vib_size + r.data_size <= f.data.size(),
                         "a record outside the data");
        KVANT_FUZZ_CHECK(std::size_t(r.data_offset) + r.data_size <= f.data.size(),
                         "record data outside the data");
        KVANT_FUZZ_CHECK(std::size_t(r.text_offset) + r.text_size <= f.text.size(),
                         "record text outside the text");
        KVANT_FUZZ_CHECK(r.vife_count <= r.vife.size(), "more VIFEs than kept");
        (void)r.number.to_string();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const fixture fx;
    const std::span<const std::uint8_t> in(data, size);
    static decoded_frame f, again;                   // reused, as a host would
    kvant::wmbus_format_cache formats = fx.formats;  // a copy: what one input learns does not stay
    check(in, decoder_config{&fx.mode5, &formats, crc_mode::detect}, f, again);
    check(in, decoder_config{&fx.mode7, &formats, crc_mode::detect}, f, again);
    check(in, decoder_config{nullptr, nullptr, crc_mode::present}, f, again);
    check(in, decoder_config{&fx.mode7, &formats, crc_mode::absent}, f, again);
    (void)kvant::wmbus_identify(in);
    return 0;
}
