// HDLC decoding (decode_hdlc) of any bytes, as a conversation: one session for the input's frames. The first
// byte picks the mode: even, the rest is a sequence of raw frames, each a length byte and that many bytes;
// odd, the rest is one information field (LLC header included) cut into segments of (first byte >> 1) % 32
// + 1 bytes, each sent in a well-formed I frame with right HCS and FCS (S bit set on all but the last), so
// that the fuzzer reaches segment joining and the APDU decoder behind it. Properties (dlms_check.hpp): no
// exception but std::bad_alloc; a failure names an offset within its frame, what was expected and found, and
// carries no records; a success's records point into the frame's buffers; a frame awaiting more carries no
// records; the same conversation decoded again with a fresh session gives the same results.
#include <vector>

#include "dlms_check.hpp"
#include "kvant/decode/dlms.hpp"

namespace {

using namespace kvant;

std::uint16_t fcs16(const std::vector<std::uint8_t>& b, std::size_t from, std::size_t to) {
    std::uint16_t c = 0xFFFF;
    for (std::size_t i = from; i < to; ++i) {
        c = static_cast<std::uint16_t>(c ^ b[i]);
        for (int k = 0; k < 8; ++k) c = static_cast<std::uint16_t>((c & 1) ? (c >> 1) ^ 0x8408 : c >> 1);
    }
    return static_cast<std::uint16_t>(~c);
}

/// 7E, format (S bit), destination 0x21 (client 16), source 0x03 (server 1), control, HCS, info, FCS, 7E.
std::vector<std::uint8_t> i_frame(const std::uint8_t* info, std::size_t n, bool more, std::uint8_t control) {
    const std::size_t length = 2 + 1 + 1 + 1 + 2 + n + 2;
    std::vector<std::uint8_t> f{0x7E,
                                static_cast<std::uint8_t>(0xA0 | (more ? 0x08 : 0) | (length >> 8)),
                                static_cast<std::uint8_t>(length & 0xFF),
                                0x21,
                                0x03,
                                control};
    std::uint16_t c = fcs16(f, 1, f.size());
    f.push_back(static_cast<std::uint8_t>(c & 0xFF));
    f.push_back(static_cast<std::uint8_t>(c >> 8));
    f.insert(f.end(), info, info + n);
    c = fcs16(f, 1, f.size());
    f.push_back(static_cast<std::uint8_t>(c & 0xFF));
    f.push_back(static_cast<std::uint8_t>(c >> 8));
    f.push_back(0x7E);
    return f;
}

std::vector<std::vector<std::uint8_t>> frames_of(const std::uint8_t* data, std::size_t size) {
    std::vector<std::vector<std::uint8_t>> frames;
    if (size == 0) return frames;
    if ((data[0] & 1) == 0) {
        std::size_t i = 1;
        while (i < size) {
            const std::size_t n = data[i++];
            const std::size_t take = n < size - i ? n : size - i;
            frames.emplace_back(data + i, data + i + take);
            i += take;
        }
    } else {
        const std::size_t seg = ((data[0] >> 1) % 32) + 1;
        std::size_t i = 1;
        std::uint8_t control = 0x10;
        do {
            const std::size_t take = seg < size - i ? seg : size - i;
            frames.push_back(i_frame(data + i, take, i + take < size, control));
            control = static_cast<std::uint8_t>(control + 0x22);
            i += take;
        } while (i < size);
    }
    return frames;
}

struct result {
    bool ok;
    decode_status status;
    std::uint32_t offset;
    std::size_t records;
    bool operator==(const result&) const = default;
};

std::vector<result> run(const std::vector<std::vector<std::uint8_t>>& frames) {
    static decoded_frame frame;  // reused, as a host does
    dlms_session session;
    decoder_config config;
    config.session = &session;
    std::vector<result> out;
    for (const auto& f : frames) {
        bool ok = false;
        try {
            ok = decode_hdlc(f, frame, config);
        } catch (const std::bad_alloc&) {
            fuzz::fail("std::bad_alloc");
        } catch (...) {
            fuzz::fail("decode_hdlc threw on bytes");
        }
        fuzz::check_dlms_frame(frame, ok, f.size());
        out.push_back({ok, frame.error.status, frame.error.offset, frame.records.size()});
        (void)hdlc_identify(f);
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 4096) return 0;
    const auto frames = frames_of(data, size);
    const auto first = run(frames);
    KVANT_FUZZ_CHECK(run(frames) == first, "decoding the same conversation twice differs");
    return 0;
}
