// IEC 62056-21 decoding of any bytes. The first byte picks the mode: bit 0 clear, the rest is decoded as
// given; set, the rest is framed as STX rest ETX BCC (the XOR, or with bit 2 the sum mod 128) so that the
// fuzzer reaches the data line parser without having to find block check characters. Bits 1..2 pick the
// dialect the decoder is given (detect, standard, energomera). Properties: no exception but std::bad_alloc;
// an error names an offset within the input, what was expected and found, and leaves no records; a decoded
// frame's records, names, units and texts lie within its buffers, its kind agrees with the first byte, and a
// time is a real date; a framed message that decodes under `detect` decodes under the dialect whose BCC
// matched; decoding the same bytes again into the reused frame gives the same result.
#include <vector>

#include "fuzz.hpp"
#include "kvant/decode/iec62056_21.hpp"

namespace {

void check_frame(const kvant::decoded_frame& f, const std::vector<std::uint8_t>& bytes) {
    using kvant::frame_kind;
    using kvant::value_kind;
    if (!f.ok()) {
        KVANT_FUZZ_CHECK(f.error.offset <= bytes.size(), f.error.message());
        KVANT_FUZZ_CHECK(!f.error.expected.empty(), f.error.message());
        KVANT_FUZZ_CHECK(!f.error.found.empty(), f.error.message());
        KVANT_FUZZ_CHECK(f.records.empty(), "a failed frame carries records");
        return;
    }
    KVANT_FUZZ_CHECK(f.protocol == "iec62056-21", "protocol");
    KVANT_FUZZ_CHECK(f.data.size() == bytes.size(), "data is the input");
    const std::uint8_t c = bytes.empty() ? 0 : bytes[0];
    switch (f.header.kind) {
        case frame_kind::iec_request:
        case frame_kind::iec_identification:
            KVANT_FUZZ_CHECK(c == '/', "a '/' message");
            break;
        case frame_kind::iec_option_select:
            KVANT_FUZZ_CHECK(c == 0x06 || c == 0x15, "ACK or NAK");
            break;
        case frame_kind::iec_command:
            KVANT_FUZZ_CHECK(c == 0x01, "SOH");
            break;
        case frame_kind::iec_data:
            KVANT_FUZZ_CHECK(c == 0x02, "STX");
            break;
        case frame_kind::iec_data_block:
            break;
        default:
            KVANT_FUZZ_CHECK(false, "not an IEC kind");
    }
    KVANT_FUZZ_CHECK(std::size_t(f.header.ident_offset) + f.header.ident_size <= f.text.size(), "ident text");
    for (const auto& r : f.records) {
        KVANT_FUZZ_CHECK(std::size_t(r.data_offset) + r.data_size <= f.data.size(), "value past the data");
        KVANT_FUZZ_CHECK(std::size_t(r.offset) + r.dib_size + r.vib_size + r.data_size <= f.data.size(),
                         "raw bytes past the data");
        KVANT_FUZZ_CHECK(std::size_t(r.text_offset) + r.text_size <= f.text.size(), "text past the pool");
        KVANT_FUZZ_CHECK(std::size_t(r.unit_text_offset) + r.unit_text_size <= f.text.size(), "unit text");
        KVANT_FUZZ_CHECK(std::size_t(r.name_offset) + r.name_size <= f.text.size(), "name past the pool");
        for (std::uint32_t i = 0; i < r.data_size; ++i) {
            const std::uint8_t b = f.data[r.data_offset + i];
            KVANT_FUZZ_CHECK(b != '(' && b != ')' && b != '\r' && b != '\n',
                             "a value holds a bracket or line end");
        }
        if (r.kind == value_kind::number) {
            KVANT_FUZZ_CHECK(!r.number.to_string().empty(), "empty number text");
            (void)r.number.to_decimal();
        }
        if (r.kind == value_kind::error_token || r.kind == value_kind::text)
            KVANT_FUZZ_CHECK(r.text_size > 0, "an empty text value");
        if (r.when.has_date)
            KVANT_FUZZ_CHECK(r.when.month >= 1 && r.when.month <= 12 && r.when.day >= 1 && r.when.day <= 31 &&
                                 r.when.hour < 24 && r.when.minute < 60 && r.when.second < 60,
                             "a time that is no date");
        (void)f.raw_of(r);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    std::vector<std::uint8_t> bytes;
    const std::uint8_t mode = data[0];
    if ((mode & 1) == 0) {
        bytes.assign(data + 1, data + size);
    } else {
        bytes.push_back(0x02);
        std::uint8_t x = 0, sum = 0;
        for (std::size_t i = 1; i < size; ++i) {
            if (data[i] == 0x03 || data[i] == 0x04) continue;  // the first ETX/EOT ends the block
            bytes.push_back(data[i]);
            x ^= data[i];
            sum = std::uint8_t(sum + data[i]);
        }
        bytes.push_back(0x03);
        x ^= 0x03;
        sum = std::uint8_t((sum + 0x03) & 0x7F);
        bytes.push_back((mode & 4) ? sum : x);
    }
    const auto dialect = static_cast<kvant::bcc_dialect>((mode >> 1) % 3);
    static kvant::decoded_frame frame;  // reused, as a host does
    bool ok = false;
    try {
        ok = kvant::decode_iec62056_21(bytes, frame, dialect);
    } catch (const std::bad_alloc&) {
        kvant::fuzz::fail("std::bad_alloc");
    } catch (...) {
        kvant::fuzz::fail("decode_iec62056_21 threw on bytes");
    }
    KVANT_FUZZ_CHECK(ok == frame.ok(), "the result and the frame's status disagree");
    check_frame(frame, bytes);
    const auto records = frame.records.size();
    const auto status = frame.error.status;
    const auto offset = frame.error.offset;
    const std::string text = frame.text;
    const bool additive = frame.header.bcc_additive;
    const auto kind = frame.header.kind;
    const bool again = kvant::decode_iec62056_21(bytes, frame, dialect);
    KVANT_FUZZ_CHECK(again == ok && frame.records.size() == records && frame.error.status == status &&
                         frame.error.offset == offset && frame.text == text,
                     "decoding the same bytes twice differs");
    if (ok && dialect == kvant::bcc_dialect::detect &&
        (kind == kvant::frame_kind::iec_command || kind == kvant::frame_kind::iec_data)) {
        const auto other = additive ? kvant::bcc_dialect::energomera : kvant::bcc_dialect::standard;
        KVANT_FUZZ_CHECK(kvant::decode_iec62056_21(bytes, frame, other) && frame.records.size() == records,
                         "detect accepted a BCC its dialect rejects");
    }
    (void)kvant::iec62056_21_identify(bytes);
    return 0;
}
