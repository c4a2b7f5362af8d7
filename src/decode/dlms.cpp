// DLMS/COSEM transports (HDLC, the TCP wrapper, bare APDUs), xDLMS APDUs and their ciphering. The values an
// APDU carries go to detail::append_attribute_records (src/decode/cosem_objects.cpp): nothing here reads a
// value's meaning. docs/dlms.md ("Transports", "APDUs", "Ciphering and keys") has the choices.
#include "kvant/decode/dlms.hpp"

#include <algorithm>
#include <new>
#include <optional>
#include <string>

#include "cosem_objects.hpp"
#include "dlms_internal.hpp"
#include "kvant/decode/key_ring.hpp"

namespace kvant {
inline namespace v0 {

namespace {

constexpr char hex_digits[] = "0123456789ABCDEF";

std::string hex_byte(std::uint8_t b) {
    return std::string{'0', 'x', hex_digits[b >> 4], hex_digits[b & 15]};
}
std::string hex16(std::uint16_t v) {
    return "0x" + std::string{hex_digits[(v >> 12) & 15], hex_digits[(v >> 8) & 15],
                              hex_digits[(v >> 4) & 15], hex_digits[v & 15]};
}
/// Bytes as hex digits ("E6E600"); "no bytes" for none (an error's `found` is never empty).
std::string hex_text(std::span<const std::uint8_t> b) {
    if (b.empty()) return "no bytes";
    std::string s;
    for (auto c : b) {
        s.push_back(hex_digits[c >> 4]);
        s.push_back(hex_digits[c & 15]);
    }
    return s;
}

bool fail(decoded_frame& f, decode_status st, std::uint64_t offset, std::string expected, std::string found) {
    f.records.clear();
    f.error = frame_error{st, static_cast<std::uint32_t>(offset), std::move(expected), std::move(found)};
    return false;
}

// xDLMS APDU tags (IEC 62056-5-3 §9.5, the Green Book's COSEMpdu).
enum : std::uint8_t {
    tag_initiate_request = 0x01,
    tag_initiate_response = 0x08,
    tag_confirmed_service_error = 0x0E,
    tag_data_notification = 0x0F,
    tag_glo_initiate_request = 0x21,
    tag_glo_initiate_response = 0x28,
    tag_aarq = 0x60,
    tag_aare = 0x61,
    tag_rlrq = 0x62,
    tag_rlre = 0x63,
    tag_get_request = 0xC0,
    tag_set_request = 0xC1,
    tag_event_notification = 0xC2,
    tag_action_request = 0xC3,
    tag_get_response = 0xC4,
    tag_set_response = 0xC5,
    tag_action_response = 0xC7,
    tag_exception_response = 0xD8,
    tag_general_glo_ciphering = 0xDB,
    tag_general_ded_ciphering = 0xDC,
    tag_general_ciphering = 0xDD,
};

/// A ciphered APDU's tag: glo- (0x21, 0x28, 0xC8..0xCF) or ded- (0xD0..0xD7) service-specific ones.
bool is_glo_service(std::uint8_t t) noexcept {
    return t == tag_glo_initiate_request || t == tag_glo_initiate_response || (t >= 0xC8 && t <= 0xCF);
}
bool is_ded_service(std::uint8_t t) noexcept {
    return t >= 0xD0 && t <= 0xD7;
}
/// Whether a (ciphered) service APDU goes from the client to the server.
bool is_request(std::uint8_t t) noexcept {
    switch (t) {
        case tag_glo_initiate_request:
        case 0xC8:  // glo-get-request
        case 0xC9:  // glo-set-request
        case 0xCB:  // glo-action-request
        case 0xD0:  // ded-get-request
        case 0xD1:  // ded-set-request
        case 0xD3:  // ded-action-request
            return true;
        default:
            return false;
    }
}

/// A reader over the APDU held in `f.data`, with `base` the caller's offset of `f.data[0]` (errors name
/// offsets in the caller's input).
struct reader {
    decoded_frame& f;
    std::uint32_t pos = 0;
    std::uint64_t base = 0;

    std::size_t left() const noexcept { return f.data.size() - pos; }
    bool need(std::size_t n, const char* what) {
        if (left() >= n) return true;
        return fail(f, decode_status::truncated, base + f.data.size(), what, "the end of the bytes");
    }
    std::uint8_t u8() noexcept { return f.data[pos++]; }
    std::uint16_t u16() noexcept {
        const std::uint16_t v = static_cast<std::uint16_t>((f.data[pos] << 8) | f.data[pos + 1]);
        pos += 2;
        return v;
    }
    std::uint32_t u32() noexcept {
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) v = (v << 8) | f.data[pos++];
        return v;
    }
    /// An A-XDR length: one byte below 0x80, else 0x81..0x84 and that many bytes, big-endian.
    bool length(std::uint32_t& n, const char* what) {
        if (!need(1, what)) return false;
        const std::uint32_t at = pos;
        const std::uint8_t b = u8();
        if (b < 0x80) {
            n = b;
            return true;
        }
        const int k = b & 0x7F;
        if (k < 1 || k > 4)
            return fail(f, decode_status::malformed, base + at, std::string(what) + " (an A-XDR length)",
                        hex_byte(b));
        if (!need(static_cast<std::size_t>(k), what)) return false;
        std::uint64_t v = 0;
        for (int i = 0; i < k; ++i) v = (v << 8) | u8();
        if (v > 0xFFFFFFFFu) v = 0xFFFFFFFFu;
        n = static_cast<std::uint32_t>(v);
        return true;
    }
    bool descriptor(cosem_attribute& a, const char* what) {
        if (!need(9, what)) return false;
        a.class_id = u16();
        for (auto& g : a.obis.g) g = u8();
        a.attribute = static_cast<std::int8_t>(u8());
        return true;
    }
    /// One A-XDR value into `f.nodes`; its index in `node`.
    bool value(std::uint32_t& node) {
        node = static_cast<std::uint32_t>(f.nodes.size());
        frame_error e;
        if (!parse_axdr(f.data, pos, f.nodes, &e, 0)) {
            e.offset = static_cast<std::uint32_t>(base + e.offset);
            f.records.clear();
            f.error = std::move(e);
            return false;
        }
        return true;
    }
    /// Skips one A-XDR value (a selective access's parameters).
    bool skip_value() {
        std::vector<cosem_node> scratch;
        frame_error e;
        if (!parse_axdr(f.data, pos, scratch, &e, 0)) {
            e.offset = static_cast<std::uint32_t>(base + e.offset);
            f.records.clear();
            f.error = std::move(e);
            return false;
        }
        return true;
    }
};

/// A record for a data-access-result in place of a value: no value, `error_code` the result.
void append_error_record(decoded_frame& f, const cosem_attribute* a, std::uint32_t at, std::uint8_t result) {
    frame_record r;
    r.offset = at;
    r.data_offset = at;
    r.data_size = 1;
    r.kind = value_kind::none;
    r.error_code = result;
    if (a) {
        r.obis = a->obis;
        r.has_obis = true;
        r.obis_given = 0x3F;
        r.class_id = a->class_id;
        r.attribute = static_cast<std::uint8_t>(a->attribute);
    }
    f.records.push_back(r);
}

/// The records of one value (src/decode/cosem_objects.cpp); an error's offset (into `f.data`) moved to the
/// caller's input.
bool append_value(decoded_frame& f, const cosem_attribute* a, std::uint32_t node, dlms_session* s,
                  std::uint64_t base) {
    if (detail::append_attribute_records(f, a, node, s)) return true;
    f.error.offset = static_cast<std::uint32_t>(f.error.offset + base);
    f.records.clear();
    return false;
}

/// Get-Response data blocks joined in a session: a month of 30-minute captures is ~50 KB, a year ~600 KB;
/// more than this is refused rather than held (an endless chain of blocks).
constexpr std::size_t max_joined_blocks = std::size_t{16} << 20;
/// An HDLC information field joined from segments is one APDU: at most max-receive-pdu-size (Unsigned16) and
/// the LLC header.
constexpr std::size_t max_joined_segments = 65535 + 3;

struct apdu_decoder {
    decoded_frame& f;
    const decoder_config& cfg;
    dlms_session* s;
    int depth = 0;  // ciphering levels (a ciphered APDU never holds another: at most one)
    /// The APDU parsed but does not fit the conversation (a data block out of order, blocks without a
    /// session): under encryption without authentication such a failure is not a sign of a wrong key.
    bool state_error = false;

    // The APDU is f.data; `base` its offset in the caller's input.
    bool decode(std::uint64_t base);

    bool get_request(reader& r);
    bool get_response(reader& r);
    bool get_result_list(reader& r, const std::vector<cosem_attribute>* asked);
    bool get_data_result(reader& r, const cosem_attribute* a);
    bool data_notification(reader& r);
    bool event_notification(reader& r);
    bool association(reader& r);
    bool ciphered(reader& r);
};

const std::vector<cosem_attribute>* pending_of(dlms_session* s, std::uint8_t invoke) {
    if (!s) return nullptr;
    const auto it = s->pending.find(invoke);
    return it == s->pending.end() ? nullptr : &it->second;
}

bool apdu_decoder::get_request(reader& r) {
    auto& h = f.header;
    if (!r.need(2, "a get-request's choice and invoke-id-and-priority")) return false;
    h.apdu_choice = r.u8();
    const std::uint8_t invoke = r.u8();
    h.invoke_id = invoke;
    std::vector<cosem_attribute> asked;
    auto access_selection = [&]() {
        if (!r.need(1, "the access-selection flag")) return false;
        const std::uint32_t at = r.pos;
        const std::uint8_t flag = r.u8();
        if (flag == 0) return true;
        if (flag != 1)
            return fail(f, decode_status::malformed, r.base + at, "0x00 or 0x01 (access-selection)",
                        hex_byte(flag));
        if (!r.need(1, "an access selector")) return false;
        (void)r.u8();
        return r.skip_value();
    };
    switch (h.apdu_choice) {
        case 1: {  // get-request-normal
            cosem_attribute a;
            if (!r.descriptor(a, "a cosem-attribute-descriptor (class, logical name, attribute)") ||
                !access_selection())
                return false;
            asked.push_back(a);
            break;
        }
        case 2:  // get-request-next: the block number the client acknowledges
            if (!r.need(4, "a block number")) return false;
            (void)r.u32();
            return true;
        case 3: {  // get-request-with-list
            std::uint32_t n = 0;
            if (!r.length(n, "the number of attribute descriptors")) return false;
            if (n > r.left() / 10)
                return fail(f, decode_status::truncated, r.base + f.data.size(),
                            std::to_string(n) + " attribute descriptors", "the end of the bytes");
            for (std::uint32_t i = 0; i < n; ++i) {
                cosem_attribute a;
                if (!r.descriptor(a, "a cosem-attribute-descriptor (class, logical name, attribute)") ||
                    !access_selection())
                    return false;
                asked.push_back(a);
            }
            break;
        }
        default:
            return fail(f, decode_status::unsupported, r.base + 1, "a get-request choice 1, 2 or 3",
                        hex_byte(h.apdu_choice));
    }
    if (s) {
        if (h.apdu_choice == 3)
            s->pending_lists.insert(invoke);
        else
            s->pending_lists.erase(invoke);
        s->pending[invoke] = std::move(asked);
    }
    return true;
}

/// The APDU must end here: bytes after a complete service are not dropped silently (a frame that is two
/// frames, or one with garbage behind it).
bool at_end(reader& r) {
    if (r.left() == 0) return true;
    return fail(r.f, decode_status::malformed, r.base + r.pos, "the end of the APDU",
                std::to_string(r.left()) + " more bytes (" + hex_byte(r.f.data[r.pos]) + " first)");
}

/// N Get-Data-Results (with-list), each a Data or a data-access-result, matched in order to the request's
/// attributes. A count other than the request's is malformed (one result an attribute asked for); without the
/// request the results are named by nothing. The scaler_units among them are learnt first, so that a register
/// value asked for together with its scaler_unit is scaled.
bool apdu_decoder::get_result_list(reader& r, const std::vector<cosem_attribute>* asked) {
    std::uint32_t n = 0;
    if (!r.length(n, "the number of results")) return false;
    if (n > r.left() / 2)
        return fail(f, decode_status::truncated, r.base + f.data.size(), std::to_string(n) + " results",
                    "the end of the bytes");
    if (asked && asked->size() != n)
        return fail(f, decode_status::malformed, r.base + r.pos - 1,
                    std::to_string(asked->size()) + " results (one an attribute the request asked for)",
                    std::to_string(n) + " results");
    if (!asked) {
        for (std::uint32_t i = 0; i < n; ++i)
            if (!get_data_result(r, nullptr)) return false;
        return true;
    }
    // Two passes: the scaler_units first, only to learn them (their records are dropped again), then every
    // result in the answer's order, so that a register value asked for with its scaler_unit is scaled.
    const std::uint32_t start = r.pos;
    if (s != nullptr) {
        const std::size_t records_before = f.records.size(), nodes_before = f.nodes.size(),
                          text_before = f.text.size();
        for (std::uint32_t i = 0; i < n; ++i) {
            const bool learn = detail::is_scaler_unit_attribute((*asked)[i]);
            if (!get_data_result(r, learn ? &(*asked)[i] : nullptr)) return false;
        }
        f.records.resize(records_before);
        f.nodes.resize(nodes_before);
        f.text.resize(text_before);
        r.pos = start;
    }
    for (std::uint32_t i = 0; i < n; ++i)
        if (!get_data_result(r, &(*asked)[i])) return false;
    return true;
}

/// One Get-Data-Result: a Data (the attribute's value, into records) or a data-access-result (an error
/// record).
bool apdu_decoder::get_data_result(reader& r, const cosem_attribute* a) {
    if (!r.need(1, "a get-data-result choice")) return false;
    const std::uint32_t at = r.pos;
    const std::uint8_t choice = r.u8();
    if (choice == 0) {
        std::uint32_t node = 0;
        return r.value(node) && append_value(f, a, node, s, r.base);
    }
    if (choice == 1) {
        if (!r.need(1, "a data-access-result")) return false;
        const std::uint32_t dar_at = r.pos;
        append_error_record(f, a, dar_at, r.u8());
        return true;
    }
    return fail(f, decode_status::malformed, r.base + at, "0x00 (data) or 0x01 (data-access-result)",
                hex_byte(choice));
}

bool apdu_decoder::get_response(reader& r) {
    auto& h = f.header;
    if (!r.need(2, "a get-response's choice and invoke-id-and-priority")) return false;
    h.apdu_choice = r.u8();
    const std::uint8_t invoke = r.u8();
    h.invoke_id = invoke;
    const auto* asked = pending_of(s, invoke);
    const cosem_attribute* one = asked && asked->size() == 1 ? &asked->front() : nullptr;
    auto done = [&]() {
        if (s) {
            s->pending.erase(invoke);
            s->pending_lists.erase(invoke);
        }
        return true;
    };
    switch (h.apdu_choice) {
        case 1:  // get-response-normal
            return get_data_result(r, one) && at_end(r) && done();
        case 2: {  // get-response-with-datablock
            if (!r.need(6, "a data block's last-block flag, block number and result choice")) return false;
            const std::uint8_t last = r.u8();
            const std::uint32_t number_at = r.pos;
            const std::uint32_t number = r.u32();
            const std::uint32_t choice_at = r.pos;
            const std::uint8_t choice = r.u8();
            if (choice == 1) {  // the transfer ends with a data-access-result
                if (!r.need(1, "a data-access-result")) return false;
                if (s) {
                    s->block_data.clear();
                    s->block_number = 0;
                }
                {
                    const std::uint32_t dar_at = r.pos;
                    append_error_record(f, one, dar_at, r.u8());
                }
                return done();
            }
            if (choice != 0)
                return fail(f, decode_status::malformed, r.base + choice_at,
                            "0x00 (raw-data) or 0x01 (data-access-result)", hex_byte(choice));
            std::uint32_t n = 0;
            if (!r.length(n, "the raw-data length")) return false;
            const std::uint32_t raw_at = r.pos;
            if (!r.need(n, "the raw-data bytes")) return false;
            r.pos += n;
            if (!at_end(r)) return false;
            std::vector<std::uint8_t> whole;
            if (!s) {
                if (!(last && number == 1)) {
                    state_error = true;
                    return fail(f, decode_status::unsupported, r.base + number_at,
                                "a session (decoder_config::session) to join data blocks",
                                "block " + std::to_string(number) + (last ? " (last)" : " (not the last)"));
                }
                whole.assign(f.data.begin() + raw_at, f.data.begin() + raw_at + n);
            } else {
                if (number != 0 && number == s->block_number && invoke == s->block_invoke_id && !last) {
                    // the same block again (the client asked again: its request or the answer was lost): kept
                    // once
                    h.awaiting_more = true;
                    return true;
                }
                const std::uint32_t expected = number == 1 ? 1 : s->block_number + 1;
                if (number == 0 || number != expected ||
                    (number != 1 && (s->block_number == 0 || s->block_invoke_id != invoke))) {
                    const std::uint32_t want = s->block_number == 0 ? 1 : s->block_number + 1;
                    s->block_data.clear();
                    s->block_number = 0;
                    state_error = true;
                    return fail(
                        f, decode_status::malformed, r.base + number_at,
                        "data block " + std::to_string(want) +
                            (want == 1 ? "" : " of invoke id " + std::to_string(s->block_invoke_id & 0x0F)),
                        "block " + std::to_string(number) + " of invoke id " + std::to_string(invoke & 0x0F));
                }
                if (number == 1) s->block_data.clear();
                if (s->block_data.size() + n > max_joined_blocks) {
                    s->block_data.clear();
                    s->block_number = 0;
                    return fail(
                        f, decode_status::unsupported, r.base + raw_at,
                        "data blocks of at most " + std::to_string(max_joined_blocks) + " bytes in all",
                        "more");
                }
                s->block_data.insert(s->block_data.end(), f.data.begin() + raw_at,
                                     f.data.begin() + raw_at + n);
                s->block_number = number;
                s->block_invoke_id = invoke;
                if (!last) {
                    h.awaiting_more = true;
                    return true;
                }
                whole.swap(s->block_data);
                s->block_data.clear();
                s->block_number = 0;
            }
            // The joined raw data: one Data, or (the answer to a with-list request) the list of results.
            f.data.swap(whole);
            reader v{f, 0, 0};
            bool ok = false;
            if (s && s->pending_lists.count(invoke) != 0) {  // the answer to a with-list request
                ok = get_result_list(v, asked);
            } else {
                std::uint32_t node = 0;
                ok = v.value(node) && append_value(f, one, node, s, 0);
            }
            ok = ok && at_end(v);
            if (!ok) {
                // the joined value is not in the input: its errors point at the last block's raw data
                f.error.expected +=
                    " (in the joined data blocks, at byte " + std::to_string(f.error.offset) + ")";
                f.error.offset = static_cast<std::uint32_t>(r.base + raw_at);
                return false;
            }
            return done();
        }
        case 3:  // get-response-with-list
            if (!get_result_list(r, asked) || !at_end(r)) return false;
            return done();
        default:
            return fail(f, decode_status::unsupported, r.base + 1, "a get-response choice 1, 2 or 3",
                        hex_byte(h.apdu_choice));
    }
}

/// Gives a Data-Notification's or Event-Notification's time to its number records without a time of their
/// own (a pushed register's value then reads as of the push).
void stamp(decoded_frame& f, std::size_t from, const record_time& t) {
    for (std::size_t i = from; i < f.records.size(); ++i) {
        auto& rec = f.records[i];
        if (rec.kind == value_kind::number && !rec.when.has_date && !rec.when.has_time) rec.when = t;
    }
}

bool read_time(reader& r, record_time& t, bool& has) {
    // a date-time OCTET STRING: length 0 (none) or 12; some meters put the A-XDR tag 0x09 before it
    if (!r.need(1, "a date-time length (0x00 or 0x0C)")) return false;
    std::uint32_t at = r.pos;
    std::uint8_t n = r.u8();
    if (n == 0x09 && r.left() >= 1 && r.f.data[r.pos] == 0x0C) {
        at = r.pos;
        n = r.u8();
    }
    if (n == 0) return true;
    if (n != 12)
        return fail(r.f, decode_status::malformed, r.base + at, "a date-time length 0x00 or 0x0C",
                    hex_byte(n));
    if (!r.need(12, "a date-time (12 bytes)")) return false;
    if (!read_cosem_time(std::span<const std::uint8_t>(r.f.data).subspan(r.pos, 12), axdr_type::date_time, t))
        return fail(r.f, decode_status::malformed, r.base + r.pos, "a date-time",
                    hex_text(std::span<const std::uint8_t>(r.f.data).subspan(r.pos, 12)));
    r.pos += 12;
    has = true;
    return true;
}

bool apdu_decoder::data_notification(reader& r) {
    auto& h = f.header;
    if (!r.need(4, "a long-invoke-id-and-priority")) return false;
    h.invoke_id = r.u32();
    record_time t;
    bool has_time = false;
    if (!read_time(r, t, has_time)) return false;
    std::uint32_t node = 0;
    if (!r.value(node) || !at_end(r) || !append_value(f, nullptr, node, s, r.base)) return false;
    if (has_time) stamp(f, 0, t);
    return true;
}

bool apdu_decoder::event_notification(reader& r) {
    // time OPTIONAL (0x00, or 0x01 and an OCTET STRING), cosem-attribute-descriptor, attribute-value
    if (!r.need(1, "the time's presence flag (0x00 or 0x01)")) return false;
    const std::uint32_t at = r.pos;
    const std::uint8_t flag = r.u8();
    record_time t;
    bool has_time = false;
    if (flag == 1) {
        if (!read_time(r, t, has_time)) return false;
    } else if (flag != 0) {
        return fail(f, decode_status::malformed, r.base + at, "0x00 or 0x01 (the time's presence)",
                    hex_byte(flag));
    }
    cosem_attribute a;
    if (!r.descriptor(a, "a cosem-attribute-descriptor (class, logical name, attribute)")) return false;
    std::uint32_t node = 0;
    if (!r.value(node) || !at_end(r) || !append_value(f, &a, node, s, r.base)) return false;
    if (has_time) stamp(f, 0, t);
    return true;
}

/// AARQ, AARE, RLRQ, RLRE (BER, IEC 62056-5-3 §8): the result and the AP titles; the rest is not read.
bool apdu_decoder::association(reader& r) {
    auto& h = f.header;
    auto ber_length = [&](std::uint32_t& n) {
        if (!r.need(1, "a BER length")) return false;
        const std::uint32_t at = r.pos;
        const std::uint8_t b = r.u8();
        if (b < 0x80) {
            n = b;
        } else if (b == 0x81 || b == 0x82) {
            const int k = b & 0x7F;
            if (!r.need(static_cast<std::size_t>(k), "a BER length")) return false;
            n = 0;
            for (int i = 0; i < k; ++i) n = (n << 8) | r.u8();
        } else {
            return fail(f, decode_status::malformed, r.base + at, "a BER length (below 0x80, 0x81 or 0x82)",
                        hex_byte(b));
        }
        return r.need(n, "the BER contents its length promises");
    };
    std::uint32_t total = 0;
    if (!ber_length(total)) return false;
    const std::uint32_t end = r.pos + total;
    while (r.pos < end) {
        const std::uint8_t t = r.u8();
        if (r.pos >= end) return fail(f, decode_status::truncated, r.base + r.pos, "a BER length", "the end");
        std::uint32_t n = 0;
        if (!ber_length(n)) return false;
        const std::uint32_t content = r.pos;
        if (content + n > end)
            return fail(f, decode_status::malformed, r.base + content, "an element within the APDU's length",
                        std::to_string(n) + " bytes");
        const auto c = std::span<const std::uint8_t>(f.data).subspan(content, n);
        if (h.apdu_tag == tag_aare && t == 0xA2 && n == 3 && c[0] == 0x02 && c[1] == 0x01) {
            h.apdu_choice = c[2];  // association-result: 0 accepted, 1 rejected-permanent, 2 transient
        } else if ((t == 0xA4 && h.apdu_tag == tag_aare) || (t == 0xA6 && h.apdu_tag == tag_aarq)) {
            // responding-AP-title (AARE) / calling-AP-title (AARQ): an OCTET STRING of the system title
            if (n == 10 && c[0] == 0x04 && c[1] == 0x08) {
                std::array<std::uint8_t, 8> st{};
                std::copy(c.begin() + 2, c.end(), st.begin());
                h.system_title = st;
                h.has_system_title = true;
                if (s) (h.apdu_tag == tag_aare ? s->server_system_title : s->client_system_title) = st;
            }
        }
        r.pos = content + n;
    }
    if (h.apdu_tag == tag_aarq && s) s->restart();  // a new association: earlier requests are void
    return true;
}

/// The ciphered APDUs: General-Glo/Ded-Ciphering (system title, then the ciphered content) and the
/// service-specific glo- and ded- APDUs (the ciphered content only).
bool apdu_decoder::ciphered(reader& r) {
    auto& h = f.header;
    const std::uint8_t tag = h.apdu_tag;
    if (depth > 0)
        return fail(f, decode_status::malformed, r.base, "a plain APDU inside a ciphered one",
                    "the ciphered APDU " + hex_byte(tag));
    const bool general = tag == tag_general_glo_ciphering || tag == tag_general_ded_ciphering;
    const bool dedicated = tag == tag_general_ded_ciphering || is_ded_service(tag);
    std::optional<std::array<std::uint8_t, 8>> title;  // the sender's: the IV's fixed field
    if (general) {
        std::uint32_t n = 0;
        const std::uint32_t at = r.pos;
        if (!r.length(n, "the system title's length")) return false;
        if (n != 8)
            return fail(f, decode_status::unsupported, r.base + at, "a system title of 8 bytes",
                        std::to_string(n) + " bytes");
        if (!r.need(8, "the system title")) return false;
        std::array<std::uint8_t, 8> st{};
        for (auto& b : st) b = r.u8();
        title = st;
    } else if (is_request(tag)) {
        if (s) title = s->client_system_title;
    } else if (s) {
        title = s->server_system_title;
    }
    std::uint32_t n = 0;
    if (!r.length(n, "the ciphered content's length")) return false;
    const std::uint32_t content = r.pos;
    if (!r.need(n, "the ciphered content its length promises")) return false;
    if (n < 5)
        return fail(f, decode_status::truncated, r.base + content + n,
                    "a security control byte and an invocation counter", std::to_string(n) + " bytes");
    const std::uint8_t sc = r.u8();
    const std::uint32_t counter = r.u32();
    h.security_control = sc;
    h.frame_counter = counter;
    h.encrypted = true;
    if (title) {
        h.system_title = *title;
        h.has_system_title = true;
    }
    const bool auth = sc & 0x10, enc = sc & 0x20, broadcast = sc & 0x40;
    if (sc & 0x80)
        return fail(f, decode_status::unsupported, r.base + content, "a security control without compression",
                    hex_byte(sc) + " (compression)");
    if ((sc & 0x0F) != 0)
        return fail(f, decode_status::unsupported, r.base + content,
                    "security suite 0 (AES-GCM-128) in the security control", hex_byte(sc));
    const std::uint32_t body = r.pos;
    const std::uint32_t end = content + n;
    if (end != f.data.size())  // bytes after the ciphered content: not covered by its tag, never dropped
        return fail(f, decode_status::malformed, r.base + end, "the end of the ciphered APDU",
                    std::to_string(f.data.size() - end) + " more bytes");
    std::uint32_t text_end = end;
    if (auth) {
        if (end - body < 12)
            return fail(f, decode_status::truncated, r.base + end, "a 12-byte authentication tag",
                        std::to_string(end - body) + " bytes");
        text_end = end - 12;
    }
    std::vector<std::uint8_t> plain(f.data.begin() + body, f.data.begin() + text_end);
    if (auth || enc) {
        if (!title)
            return fail(f, decode_status::key_missing, r.base + content,
                        std::string("the system title of the ") + (is_request(tag) ? "client" : "server") +
                            " (an AARQ's calling-AP-title or an AARE's responding-AP-title in the session): "
                            "the IV starts with it",
                        "none");
        // the meter's keys are kept under the server's system title
        std::array<std::uint8_t, 8> meter = *title;
        if (is_request(tag) && s && s->server_system_title) meter = *s->server_system_title;
        const dlms_key_kind kind = dedicated   ? dlms_key_kind::dedicated
                                   : broadcast ? dlms_key_kind::broadcast
                                               : dlms_key_kind::encryption;
        const aes_key* ek = nullptr;
        const aes_key* ak = nullptr;
        if (cfg.keys) {
            ek = cfg.keys->find_dlms(meter, kind);
            if (!ek && s && s->server_system_title && *s->server_system_title != meter)
                ek = cfg.keys->find_dlms(*s->server_system_title, kind);
            ak = cfg.keys->find_dlms(meter, dlms_key_kind::authentication);
            if (!ak && s && s->server_system_title && *s->server_system_title != meter)
                ak = cfg.keys->find_dlms(*s->server_system_title, dlms_key_kind::authentication);
        }
        const std::string name = hex_text(meter);
        if (!ek)
            return fail(f, decode_status::key_missing, r.base + content,
                        std::string("a ") +
                            (dedicated   ? "dedicated key (dk:"
                             : broadcast ? "broadcast key (bk:"
                                         : "block cipher key (") +
                            "dlms:" + name + ")",
                        "none");
        if (auth && !ak)
            return fail(f, decode_status::key_missing, r.base + content,
                        "an authentication key (ak:dlms:" + name + ")", "none");
        std::array<std::uint8_t, 12> iv{};
        std::copy(title->begin(), title->end(), iv.begin());
        for (int i = 0; i < 4; ++i) iv[8 + i] = static_cast<std::uint8_t>(counter >> (24 - 8 * i));
        std::vector<std::uint8_t> aad;
        std::span<const std::uint8_t> ct;
        std::span<const std::uint8_t> tagb;
        if (auth) {
            aad.push_back(sc);
            aad.insert(aad.end(), ak->begin(), ak->end());
            tagb = std::span<const std::uint8_t>(f.data).subspan(text_end, 12);
            if (!enc) aad.insert(aad.end(), plain.begin(), plain.end());  // authentication only: GMAC
        }
        std::vector<std::uint8_t> out(plain.size());
        if (enc) ct = plain;
        const auto res = detail::aes128_gcm_decrypt(*ek, iv, aad, ct, tagb, out);
        if (res == detail::gcm_result::failed)
            return fail(f, decode_status::unsupported, r.base + body, "AES-128-GCM from OpenSSL",
                        "OpenSSL refused the cipher (a restricted provider?)");
        if (res == detail::gcm_result::tag_mismatch)
            return fail(f, decode_status::key_wrong, r.base + text_end, "an authentication tag that verifies",
                        "the authentication tag does not verify: a wrong key or AK, or bytes altered on the "
                        "way");
        if (enc) plain.swap(out);
        // a General-Glo/Ded-Ciphering APDU whose tag verified under the keys of its own title is the meter's:
        // its title is the server's (a later glo- response without one needs it for its IV)
        if (s && general && auth && !s->server_system_title && meter == *title &&
            cfg.keys->find_dlms(meter, kind) == ek)
            s->server_system_title = title;
    }
    // the plain APDU replaces the ciphered one; its offsets map 1:1 onto the ciphertext's
    f.data.swap(plain);
    apdu_decoder inner{f, cfg, s, depth + 1};
    const bool ok = inner.decode(r.base + body);
    if (!ok && enc && !auth && !inner.state_error) {
        // encryption only: nothing checks the key, a wrong one shows as an APDU that does not parse
        f.error.status = decode_status::key_wrong;
        f.error.found += " (encrypted without authentication: the key may be wrong)";
    }
    return ok;
}

bool apdu_decoder::decode(std::uint64_t base) {
    auto& h = f.header;
    reader r{f, 0, base};
    if (!r.need(1, "an APDU tag")) return false;
    const std::uint8_t tag = r.u8();
    // a ciphered APDU's header ends with the plain APDU's tag (`encrypted` says it was ciphered)
    h.apdu_tag = tag;
    switch (tag) {
        case tag_get_request:
            return get_request(r);
        case tag_get_response:
            return get_response(r);
        case tag_data_notification:
            return data_notification(r);
        case tag_event_notification:
            return event_notification(r);
        case tag_set_request:
        case tag_action_request:
        case tag_set_response:
        case tag_action_response:
            // header only: the service's choice and invoke id
            if (!r.need(2, "the service's choice and invoke-id-and-priority")) return false;
            h.apdu_choice = r.u8();
            h.invoke_id = r.u8();
            return true;
        case tag_exception_response:
            // state-error, service-error: the meter refused; a well-formed answer, no records
            if (!r.need(2, "a state-error and a service-error")) return false;
            h.apdu_choice = r.u8();
            h.status = r.u8();
            return true;
        case tag_confirmed_service_error:
            // ConfirmedServiceError: the service (CHOICE), the ServiceError CHOICE and its value
            if (!r.need(3, "the service, the error kind and its value")) return false;
            h.apdu_choice = r.u8();
            h.configuration = r.u16();
            h.status = static_cast<std::uint8_t>(h.configuration & 0xFF);
            return true;
        case tag_initiate_request:
        case tag_initiate_response:
            return true;  // the xDLMS context negotiation: header only
        case tag_aarq:
        case tag_aare:
        case tag_rlrq:
        case tag_rlre:
            return association(r);
        case tag_general_ciphering:
            return fail(f, decode_status::unsupported, base, "an APDU this decoder reads",
                        "0xDD (general-ciphering, with key agreement)");
        default:
            if (tag == tag_general_glo_ciphering || tag == tag_general_ded_ciphering || is_glo_service(tag) ||
                is_ded_service(tag))
                return ciphered(r);
            return fail(f, decode_status::unsupported, base, "an APDU this decoder reads", hex_byte(tag));
    }
}

/// Decodes the APDU in `apdu` (a part of the caller's input at `base`) into `f` (protocol and header kind
/// already set).
bool decode_apdu_into(std::span<const std::uint8_t> apdu, std::uint64_t base, decoded_frame& f,
                      const decoder_config& cfg) {
    f.data.assign(apdu.begin(), apdu.end());
    apdu_decoder d{f, cfg, cfg.session};
    if (!d.decode(base)) {
        f.records.clear();
        return false;
    }
    return true;
}

// ---- HDLC (IEC 62056-46, frame format type 3) ----

struct hdlc_address {
    std::uint32_t value = 0;
    std::uint8_t size = 0;
};

/// An HDLC address: bytes whose low bit is 0 continue, the one with the low bit 1 ends it; 1, 2 or 4 bytes.
/// Its value: the 7-bit groups in order (a 2-byte address upper.lower is upper << 7 | lower; a 4-byte one
/// upper << 14 | lower, each of 14 bits).
bool read_hdlc_address(decoded_frame& f, std::span<const std::uint8_t> b, std::size_t& pos, std::size_t end,
                       hdlc_address& a, const char* which) {
    const std::size_t start = pos;
    a = {};
    while (true) {
        if (pos >= end)
            return fail(f, decode_status::truncated, pos, std::string("the ") + which + " address",
                        "the end of the frame");
        const std::uint8_t c = b[pos++];
        a.value = (a.value << 7) | (c >> 1);
        ++a.size;
        if (c & 1) break;
        if (a.size == 4)
            return fail(f, decode_status::malformed, start,
                        std::string("an ") + which + " address of 1, 2 or 4 bytes", "more than 4 bytes");
    }
    if (a.size == 3)
        return fail(f, decode_status::malformed, start,
                    std::string("an ") + which + " address of 1, 2 or 4 bytes", "3 bytes");
    return true;
}

bool decode_hdlc_impl(std::span<const std::uint8_t> b, decoded_frame& f, const decoder_config& cfg) {
    auto& h = f.header;
    h.kind = frame_kind::hdlc;
    dlms_session* s = cfg.session;
    if (b.empty()) return fail(f, decode_status::truncated, 0, "0x7E (HDLC flag)", "no bytes");
    if (b[0] != 0x7E) return fail(f, decode_status::malformed, 0, "0x7E (HDLC flag)", hex_byte(b[0]));
    if (b.size() < 3) return fail(f, decode_status::truncated, b.size(), "the frame format field", "the end");
    const std::uint16_t format = static_cast<std::uint16_t>((b[1] << 8) | b[2]);
    if ((format >> 12) != 0xA)
        return fail(f, decode_status::malformed, 1, "frame format type 3 (0xA in the first 4 bits)",
                    hex16(format));
    const bool segmented = format & 0x0800;
    const std::size_t length = format & 0x07FF;
    // the frame: flag, `length` bytes (format .. FCS), flag
    if (length < 2 + 2 + 1 + 2)
        return fail(f, decode_status::malformed, 1, "a frame length of at least 7", std::to_string(length));
    if (b.size() < length + 2)
        return fail(f, decode_status::truncated, b.size(),
                    std::to_string(length + 2) + " bytes (flag, the length's bytes, flag)",
                    std::to_string(b.size()) + " bytes");
    if (b[length + 1] != 0x7E)
        return fail(f, decode_status::malformed, length + 1, "0x7E (closing HDLC flag)",
                    hex_byte(b[length + 1]));
    if (b.size() > length + 2)
        return fail(f, decode_status::malformed, length + 2, "the end of the frame (one frame an input)",
                    std::to_string(b.size() - length - 2) + " more bytes");
    const std::size_t end = length + 1;  // one past the FCS
    std::size_t pos = 3;
    hdlc_address dst, src;
    if (!read_hdlc_address(f, b, pos, end, dst, "destination") ||
        !read_hdlc_address(f, b, pos, end, src, "source"))
        return false;
    h.hdlc_destination = dst.value;
    h.hdlc_source = src.value;
    if (pos >= end)
        return fail(f, decode_status::truncated, pos, "the control field", "the end of the frame");
    const std::uint8_t control = b[pos++];
    h.hdlc_control = control;
    const std::size_t fcs_at = end - 2;
    if (pos > fcs_at) return fail(f, decode_status::truncated, pos, "the frame check sequence", "the end");
    auto check = [&](std::size_t at, const char* what) {
        const std::uint16_t want = detail::crc16_x25(b.subspan(1, at - 1));
        const std::uint16_t got = static_cast<std::uint16_t>(b[at] | (b[at + 1] << 8));
        if (want == got) return true;
        return fail(f, decode_status::checksum, at,
                    std::string("a ") + what + " of " + hex16(want) + " (low byte first)", hex16(got));
    };
    const bool has_info = pos < fcs_at;
    std::size_t info = pos;
    if (has_info) {
        if (fcs_at - pos < 2)
            return fail(f, decode_status::truncated, pos, "the header check sequence",
                        "the end of the frame");
        if (!check(pos, "header check sequence (HCS)")) return false;
        info = pos + 2;
    }
    if (!check(fcs_at, "frame check sequence (FCS)")) return false;
    const bool i_frame = (control & 1) == 0;
    const bool ui_frame = (control & 0xEF) == 0x03;
    if (!has_info || !(i_frame || ui_frame)) {
        // SNRM, UA, DISC, DM, FRMR, RR, RNR (their information field, the negotiated parameters, is not read)
        return true;
    }
    std::span<const std::uint8_t> field = b.subspan(info, fcs_at - info);
    std::size_t field_at = info;
    if (segmented || (s && !s->hdlc_segments.empty())) {
        if (!s)
            return fail(f, decode_status::unsupported, 1,
                        "a session (decoder_config::session) to join segments", "a segmented frame");
        // an I frame carries its send sequence number N(S) (control bits 1..3): a segment sent again with the
        // N(S) of the one joined last (the client's RR was lost) is that segment, not the next one
        const int ns = (h.hdlc_control >> 1) & 0x07;
        if (i_frame && !s->hdlc_segments.empty() && ns == s->hdlc_last_ns) {
            h.awaiting_more = true;
            return true;
        }
        if (s->hdlc_segments.size() + field.size() > max_joined_segments) {
            s->hdlc_segments.clear();
            s->hdlc_last_ns = -1;
            return fail(f, decode_status::malformed, info,
                        "segments of one APDU, at most " + std::to_string(max_joined_segments) +
                            " bytes (max-receive-pdu-size and the LLC header)",
                        "more");
        }
        s->hdlc_segments.insert(s->hdlc_segments.end(), field.begin(), field.end());
        s->hdlc_last_ns = i_frame ? ns : -1;
        if (segmented) {
            h.awaiting_more = true;
            return true;
        }
        // the last segment: the joined field (errors past the LLC header name this frame's field start)
        std::vector<std::uint8_t> joined;
        joined.swap(s->hdlc_segments);
        s->hdlc_segments.clear();
        s->hdlc_last_ns = -1;
        if (joined.size() < 3 || joined[0] != 0xE6 || (joined[1] != 0xE6 && joined[1] != 0xE7) ||
            joined[2] != 0)
            return fail(f, decode_status::malformed, info, "an LLC header E6 E6 00 or E6 E7 00",
                        hex_text(std::span<const std::uint8_t>(joined).first(
                            std::min<std::size_t>(3, joined.size()))));
        if (decode_apdu_into(std::span<const std::uint8_t>(joined).subspan(3), 0, f, cfg)) return true;
        // the joined field is not in the input: its errors point at this (the last) segment's field
        f.error.expected += " (in the joined segments' APDU, at byte " + std::to_string(f.error.offset) + ")";
        f.error.offset = static_cast<std::uint32_t>(info);
        return false;
    }
    if (field.size() < 3 || field[0] != 0xE6 || (field[1] != 0xE6 && field[1] != 0xE7) || field[2] != 0)
        return fail(f, decode_status::malformed, field_at, "an LLC header E6 E6 00 or E6 E7 00",
                    hex_text(field.first(std::min<std::size_t>(3, field.size()))));
    return decode_apdu_into(field.subspan(3), field_at + 3, f, cfg);
}

}  // namespace

bool dlms_identify(std::span<const std::uint8_t> b) noexcept {
    if (b.empty()) return false;
    if (b.size() >= 2 && b[0] == 0x00 && b[1] == 0x01) return true;  // the wrapper's version
    switch (b[0]) {
        case tag_get_request:
        case tag_get_response:
        case tag_set_request:
        case tag_set_response:
        case tag_action_request:
        case tag_action_response:
        case tag_event_notification:
        case tag_data_notification:
        case tag_exception_response:
        case tag_confirmed_service_error:
        case tag_aarq:
        case tag_aare:
        case tag_rlrq:
        case tag_rlre:
        case tag_general_glo_ciphering:
        case tag_general_ded_ciphering:
            return true;
        default:
            return is_glo_service(b[0]) || is_ded_service(b[0]);
    }
}

bool hdlc_identify(std::span<const std::uint8_t> b) noexcept {
    return b.size() >= 3 && b[0] == 0x7E && (b[1] >> 4) == 0xA;
}

bool decode_dlms(std::span<const std::uint8_t> bytes, decoded_frame& out, const decoder_config& config) {
    out.clear();
    out.protocol = "dlms";
    if (bytes.size() >= 2 && bytes[0] == 0x00 && bytes[1] == 0x01) {
        // the wrapper (IEC 62056-47): version 0x0001, source wPort, destination wPort, length, APDU
        out.header.kind = frame_kind::dlms_wrapper;
        if (bytes.size() < 8)
            return fail(out, decode_status::truncated, bytes.size(), "the 8-byte wrapper header",
                        std::to_string(bytes.size()) + " bytes");
        out.header.wrapper_source = static_cast<std::uint16_t>((bytes[2] << 8) | bytes[3]);
        out.header.wrapper_destination = static_cast<std::uint16_t>((bytes[4] << 8) | bytes[5]);
        const std::size_t n = static_cast<std::size_t>((bytes[6] << 8) | bytes[7]);
        if (bytes.size() - 8 != n)
            return fail(out, bytes.size() - 8 < n ? decode_status::truncated : decode_status::malformed,
                        bytes.size() - 8 < n ? bytes.size() : 8 + n,
                        std::to_string(n) + " APDU bytes (the wrapper's length)",
                        std::to_string(bytes.size() - 8) + " bytes");
        return decode_apdu_into(bytes.subspan(8), 8, out, config);
    }
    out.header.kind = frame_kind::dlms_apdu;
    return decode_apdu_into(bytes, 0, out, config);
}

bool decode_hdlc(std::span<const std::uint8_t> bytes, decoded_frame& out, const decoder_config& config) {
    out.clear();
    out.protocol = "hdlc";
    if (!decode_hdlc_impl(bytes, out, config)) {
        out.records.clear();
        return false;
    }
    return true;
}

}  // namespace v0
}  // namespace kvant
