// Wired M-Bus decoding of any bytes. The first byte picks the mode: even, the rest is decoded as given (the
// link layer's checks); odd, the rest (at most 252 bytes) is wrapped in a long frame with CI 0x78 and a right
// checksum, so that the fuzzer reaches the record parser without having to find checksums. Properties: no
// exception but std::bad_alloc (a decoder never throws on bytes); a decoded frame's records lie within its
// data and text; an error names an offset within the input and says what was expected and found; decoding
// the same bytes again into the reused frame gives the same result.
#include <vector>

#include "fuzz.hpp"
#include "kvant/decode/mbus.hpp"

namespace {

void check_frame(const kvant::decoded_frame& f, std::size_t input_size) {
    using kvant::value_kind;
    if (!f.ok()) {
        KVANT_FUZZ_CHECK(f.error.offset <= input_size, f.error.message());
        KVANT_FUZZ_CHECK(!f.error.expected.empty(), f.error.message());
        KVANT_FUZZ_CHECK(!f.error.found.empty(), f.error.message());
        KVANT_FUZZ_CHECK(f.records.empty(), "a failed frame carries records");
        return;
    }
    KVANT_FUZZ_CHECK(f.protocol == "mbus", "protocol");
    for (const auto& r : f.records) {
        const std::size_t end = std::size_t(r.offset) + r.dib_size + r.vib_size + r.data_size;
        KVANT_FUZZ_CHECK(end <= f.data.size(), "a record's bytes past the frame's data");
        KVANT_FUZZ_CHECK(r.data_offset == r.offset + r.dib_size + r.vib_size, "data offset");
        KVANT_FUZZ_CHECK(std::size_t(r.text_offset) + r.text_size <= f.text.size(), "text past the pool");
        KVANT_FUZZ_CHECK(std::size_t(r.unit_text_offset) + r.unit_text_size <= f.text.size(), "unit text");
        KVANT_FUZZ_CHECK(r.vife_count <= r.vife.size(), "vife count");
        if (r.kind == value_kind::number) {
            const std::string s = r.number.to_string();
            KVANT_FUZZ_CHECK(!s.empty(), "empty number text");
            (void)r.number.to_decimal();
        }
        (void)f.raw_of(r);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    std::vector<std::uint8_t> bytes;
    if ((data[0] & 1) == 0) {
        bytes.assign(data + 1, data + size);
    } else {
        const std::size_t n = size - 1 > 252 ? 252 : size - 1;
        bytes = {0x68, std::uint8_t(n + 3), std::uint8_t(n + 3), 0x68, 0x08, 0x01, 0x78};
        std::uint8_t cs = 0x08 + 0x01 + 0x78;
        for (std::size_t i = 0; i < n; ++i) {
            bytes.push_back(data[1 + i]);
            cs = std::uint8_t(cs + data[1 + i]);
        }
        bytes.push_back(cs);
        bytes.push_back(0x16);
    }
    static kvant::decoded_frame frame;  // reused, as a host does
    bool ok = false;
    try {
        ok = kvant::decode_mbus(bytes, frame);
    } catch (const std::bad_alloc&) {
        kvant::fuzz::fail("std::bad_alloc");
    } catch (...) {
        kvant::fuzz::fail("decode_mbus threw on bytes");
    }
    KVANT_FUZZ_CHECK(ok == frame.ok(), "the result and the frame's status disagree");
    check_frame(frame, bytes.size());
    const auto records = frame.records.size();
    const auto status = frame.error.status;
    const auto offset = frame.error.offset;
    const std::string text = frame.text;
    const bool again = kvant::decode_mbus(bytes, frame);
    KVANT_FUZZ_CHECK(again == ok && frame.records.size() == records && frame.error.status == status &&
                         frame.error.offset == offset && frame.text == text,
                     "decoding the same bytes twice differs");
    (void)kvant::mbus_identify(bytes);
    return 0;
}
