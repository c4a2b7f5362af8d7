#include "kvant/io/frame_ingest.hpp"

#include <algorithm>

#include "kvant/core/text.hpp"
#include "kvant/decode/dlms.hpp"
#include "kvant/decode/frame_mapping.hpp"
#include "kvant/io/frame_json.hpp"
#include "kvant/model/fleet.hpp"

namespace kvant {
inline namespace v0 {
namespace {

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

std::string shown_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x21 && u < 0x7f) return std::string("'") + c + "'";
    static constexpr char digits[] = "0123456789ABCDEF";
    return std::string("byte 0x") + digits[u >> 4] + digits[u & 0x0f];
}

}  // namespace

std::vector<hex_frame_line> read_hex_frames(std::string_view text, std::string_view source_name) {
    std::vector<hex_frame_line> out;
    std::uint64_t line = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        ++line;
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view l = text.substr(pos, end - pos);
        pos = end + 1;
        if (const auto hash = l.find('#'); hash != std::string_view::npos) l = l.substr(0, hash);
        hex_frame_line f;
        f.line = line;
        std::size_t i = 0;
        auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
        while (i < l.size()) {
            if (blank(l[i])) {
                ++i;
                continue;
            }
            const int hi = hex_value(l[i]);
            if (hi < 0)
                throw parse_error(
                    errc::parse, "expected a hex digit, found " + shown_char(l[i]),
                    location{std::string(source_name), line, "", static_cast<std::int64_t>(i + 1)});
            if (i + 1 >= l.size() || blank(l[i + 1]))
                throw parse_error(
                    errc::parse, "a lone hex digit (a byte is two digits)",
                    location{std::string(source_name), line, "", static_cast<std::int64_t>(i + 1)});
            const int lo = hex_value(l[i + 1]);
            if (lo < 0)
                throw parse_error(
                    errc::parse, "expected a hex digit, found " + shown_char(l[i + 1]),
                    location{std::string(source_name), line, "", static_cast<std::int64_t>(i + 2)});
            f.bytes.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
            i += 2;
        }
        if (!f.bytes.empty()) out.push_back(std::move(f));
    }
    return out;
}

meter_directory::meter_directory(const store& s) {
    const fleet f = load_fleet(s);
    std::vector<const meter*> rest;
    for (const auto& m : f.meters()) {
        bool addressed = !m.address.empty();
        if (addressed) try {
                addresses_.push_back(parse_device_address(m.address));
            } catch (const parse_error&) {
                addressed = false;  // validation refuses it on every write; an old row cannot match a frame
            }
        if (!addressed) {
            rest.push_back(&m);
            continue;
        }
        meters_.push_back(m);
        zones_.push_back(f.zone_of(m));
    }
    for (const meter* m : rest) {
        meters_.push_back(*m);
        zones_.push_back(f.zone_of(*m));
    }
}

const meter* meter_directory::find_serial(std::string_view serial) const {
    for (const auto& m : meters_)
        if (m.serial == serial) return &m;
    return nullptr;
}

std::vector<const meter*> meter_directory::matches(const device_address& frame) const {
    std::vector<const meter*> out;
    for (std::size_t i = 0; i < addresses_.size(); ++i)
        if (addresses_[i].matches(frame)) out.push_back(&meters_[i]);
    return out;
}

const meter* meter_directory::find(const device_address& frame_identity, std::uint8_t version,
                                   std::uint8_t medium) const {
    device_address a = frame_identity;
    a.version = version;
    a.medium = medium;
    const auto m = matches(a);
    return m.size() == 1 ? m.front() : nullptr;
}

const zone& meter_directory::zone_of(const meter& m) const {
    return zones_[static_cast<std::size_t>(&m - meters_.data())];
}

ingest_result ingest_frames(store& s, const decoder_registry& registry,
                            std::span<const hex_frame_line> frames, const ingest_options& o) {
    ingest_result out;
    dlms_session own_session;
    decoder_config config = o.config;
    if (config.session == nullptr) config.session = &own_session;
    auto dec = registry.make(o.protocol, config);
    const meter_directory directory(s);
    const meter* pinned = nullptr;
    if (!o.meter.empty()) {
        pinned = directory.find_serial(o.meter);
        if (pinned == nullptr)
            throw config_error(errc::usage, "meter " + excerpt(o.meter) + " is not in the store");
    }
    decoded_frame f;
    reading_table batch;
    std::vector<std::uint64_t> row_line;
    std::vector<meter_event> events;
    std::vector<std::uint64_t> event_line;
    for (const auto& line : frames) {
        ++out.frames;
        if (!dec->decode(line.bytes, f)) {
            out.rejected.push_back({line.line, f.error});
            continue;
        }
        ++out.decoded;
        auto unmatched = [&](std::string address, std::string reason) {
            out.unmatched.push_back({line.line, std::move(address), hex_text(line.bytes), std::move(reason)});
        };
        const auto address = frame_address(f);
        std::vector<const meter*> found;
        if (address)
            found = directory.matches(*address);
        else if (pinned != nullptr)
            found.push_back(pinned);
        else {
            unmatched("", "the frame carries no address (a header without the secondary address)");
            continue;
        }
        if (found.empty()) {
            unmatched(address ? address->to_string() : "", "no meter has this address");
            continue;
        }
        if (found.size() > 1) {
            std::string names;
            for (const auto* m : found) names += (names.empty() ? "" : ", ") + m->serial;
            unmatched(address ? address->to_string() : "",
                      "ambiguous: meters " + names + " all match this address");
            continue;
        }
        const meter& m = *found.front();
        frame_context c;
        c.meter = m.serial;
        c.measures = m.measures;
        c.time_zone = directory.zone_of(m);
        c.received = o.received;
        c.round_excess = o.round_excess;
        const auto v = map_frame(f, c, batch, events);
        out.records_skipped += v.skipped.size();
        row_line.resize(batch.size(), line.line);
        event_line.resize(events.size(), line.line);
    }
    // The meters' own rules (installation, removal, tariff registers) as an import applies them.
    if (!batch.empty()) {
        std::vector<const meter*> meter_of_slot;
        std::vector<int> tariffs;
        const fleet fl = load_fleet(s);
        for (const auto& serial : batch.meters()) {
            const meter* m = fl.find_meter(serial);
            meter_of_slot.push_back(m);
            tariffs.push_back(m ? fl.tariff_registers_of(*m) : 1);
        }
        for (const auto& p : validate(batch, meter_of_slot, tariffs))
            if (p.what.level == severity::error)
                throw validation_error(errc::validation, p.what.key + ": " + p.what.message,
                                       location{o.source_name, row_line[p.row], p.what.field, -1});
    }
    transaction tx(s);
    if (!batch.empty()) {
        try {
            const auto st = s.put_readings(batch, o.conflict);
            out.readings_written = st.inserted + st.replaced;
            out.readings_unchanged = st.unchanged + st.kept;
        } catch (const reading_conflict& e) {
            throw storage_error(errc::storage_conflict,
                                location{o.source_name, row_line[e.row()], "", -1}.to_string() + ": " +
                                    std::string(e.message()));
        }
    }
    for (std::size_t i = 0; i < events.size(); ++i) {
        try {
            const auto st = s.put_events(std::span<const meter_event>(&events[i], 1), o.conflict);
            out.events_written += st.inserted + st.replaced;
        } catch (const validation_error& e) {
            throw validation_error(e.code(), e.reason(),
                                   location{o.source_name, event_line[i], e.where().field, -1});
        } catch (const storage_error& e) {
            throw storage_error(e.code(), location{o.source_name, event_line[i], "", -1}.to_string() + ": " +
                                              std::string(e.message()));
        }
    }
    tx.commit();
    return out;
}

}  // namespace v0
}  // namespace kvant
