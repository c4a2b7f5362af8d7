// From a decoded M-Bus frame to readings and events: docs/ingest.md ("Mapping") and docs/channels.md
// ("M-Bus records") describe every rule coded here.
#include "kvant/decode/frame_mapping.hpp"

#include <limits>

#include "kvant/model/validation.hpp"

namespace kvant {
inline namespace v0 {
namespace {

/// Where a record's value goes: the channel, the power of ten from the record's unit to the channel's unit
/// (value × 10^shift), and an exact integer factor (minutes → hours: ×60 per hour is a division, so a
/// divisor) applied before.
struct target {
    channel ch;
    int shift = 0;
    std::uint32_t multiply = 1;  ///< m3/min → m3/h: 60; days → hours: 24
    std::uint32_t divide = 1;    ///< s → h: 3600; min → h: 60 (exact only when the result is)
};

/// The channel a record's quantity and unit go to, or why none.
struct choice {
    std::optional<target> to;
    std::string why;
};

choice none(std::string why) {
    return {std::nullopt, std::move(why)};
}
choice to(quantity q, unit u, int shift, std::uint32_t multiply = 1, std::uint32_t divide = 1,
          channel_kind k = channel_kind::cumulative, bool default_kind = true) {
    channel c = channel::of(q);
    if (!default_kind) c.kind = k;
    c.in = u;
    return {target{c, shift, multiply, divide}, {}};
}

std::string unit_text_of(record_unit u) {
    const auto n = record_unit_name(u);
    return n.empty() ? std::string("no unit") : std::string(n);
}

choice channel_of(const frame_record& r, resource measures) {
    const bool electricity = measures == resource::electricity;
    const std::string what(record_quantity_name(r.quantity));
    switch (r.quantity) {
        case record_quantity::energy:
            switch (r.unit) {
                case record_unit::wh:
                    return to(electricity ? quantity::active_import : quantity::heat_energy, unit::kwh, -3);
                case record_unit::j:
                    if (electricity)
                        return none("energy in J on an electricity meter: kWh would need 1/3.6, not exact");
                    return to(quantity::heat_energy, unit::gj, -9);
                case record_unit::cal:
                    if (electricity) return none("energy in calories on an electricity meter");
                    return to(quantity::heat_energy, unit::gcal, -9);
                default:
                    return none("energy in " + unit_text_of(r.unit) + " has no channel");
            }
        case record_quantity::reactive_energy:
            if (r.unit == record_unit::varh) return to(quantity::reactive_import, unit::kvarh, -3);
            return none("reactive energy in " + unit_text_of(r.unit) + " has no channel");
        case record_quantity::volume:
            if (r.unit == record_unit::m3) return to(quantity::volume, unit::m3, 0);
            return none("volume in " + unit_text_of(r.unit) + " has no exact conversion to m3");
        case record_quantity::mass:
            if (r.unit == record_unit::kg) return to(quantity::mass, unit::tonne, -3);
            return none("mass in " + unit_text_of(r.unit) + " has no channel");
        case record_quantity::flow_temperature:
        case record_quantity::return_temperature:
        case record_quantity::external_temperature: {
            const quantity q = r.quantity == record_quantity::flow_temperature ? quantity::flow_temperature
                               : r.quantity == record_quantity::return_temperature
                                   ? quantity::return_temperature
                                   : quantity::external_temperature;
            if (r.unit == record_unit::celsius) return to(q, unit::celsius, 0);
            return none(what + " in " + unit_text_of(r.unit) + ": the channel is in C");
        }
        case record_quantity::temperature_difference:
            if (r.unit == record_unit::kelvin || r.unit == record_unit::celsius)
                return to(quantity::temperature_difference, unit::kelvin, 0);
            return none("temperature difference in " + unit_text_of(r.unit) + ": the channel is in K");
        case record_quantity::volume_flow:
            switch (r.unit) {
                case record_unit::m3_per_h:
                    return to(quantity::volume_flow, unit::m3_per_hour, 0);
                case record_unit::m3_per_min:
                    return to(quantity::volume_flow, unit::m3_per_hour, 0, 60);
                case record_unit::m3_per_s:
                    return to(quantity::volume_flow, unit::m3_per_hour, 0, 3600);
                default:
                    return none("volume flow in " + unit_text_of(r.unit) +
                                " has no exact conversion to m3/h");
            }
        case record_quantity::power:
            if (r.unit == record_unit::w) {
                if (electricity)
                    return to(quantity::active_import, unit::kw, -3, 1, 1, channel_kind::instantaneous,
                              false);
                return to(quantity::power, unit::kw, -3);
            }
            return none("power in " + unit_text_of(r.unit) + ": kW would need 1/3.6, not exact");
        case record_quantity::reactive_power:
            if (r.unit == record_unit::var && electricity)
                return to(quantity::reactive_import, unit::kvar, -3, 1, 1, channel_kind::instantaneous,
                          false);
            return none("reactive power on a meter that is not an electricity meter has no channel");
        case record_quantity::frequency:
            if (r.unit == record_unit::hz) return to(quantity::frequency, unit::hertz, 0);
            return none("frequency in " + unit_text_of(r.unit));
        case record_quantity::on_time:
        case record_quantity::operating_time:
            switch (r.unit) {
                case record_unit::h:
                    return to(quantity::operating_time, unit::hour, 0);
                case record_unit::d:
                    return to(quantity::operating_time, unit::hour, 0, 24);
                case record_unit::min:
                    return to(quantity::operating_time, unit::hour, 0, 1, 60);
                case record_unit::s:
                    return to(quantity::operating_time, unit::hour, 0, 1, 3600);
                default:
                    return none(what + " in " + unit_text_of(r.unit) + " has no exact conversion to hours");
            }
        case record_quantity::voltage:
        case record_quantity::current:
            return none(what + ": the record does not say which phase");
        case record_quantity::none:
            return none("a record without a quantity (VIF 0x7E or no VIB)");
        case record_quantity::manufacturer_specific:
            return none("manufacturer-specific data (kept as bytes in the frame, not a reading)");
        default:
            return none(what.empty() ? std::string("no channel") : what + " is not a reading");
    }
}

/// The value × multiply / divide × 10^shift as a decimal, when exact; else nothing.
std::optional<decimal> exact_value(const exact_number& n, const target& t) {
    exact_number x = n;
    if (t.multiply != 1) {
        if (x.magnitude > std::numeric_limits<std::uint64_t>::max() / t.multiply) return std::nullopt;
        x.magnitude *= t.multiply;
    }
    if (t.divide == 1) return x.to_decimal(t.shift);
    // divide: exact in millionths only when the millionths divide evenly
    const auto d = x.to_decimal(t.shift);
    if (!d || d->raw() % static_cast<std::int64_t>(t.divide) != 0) return std::nullopt;
    return decimal::from_raw(d->raw() / static_cast<std::int64_t>(t.divide));
}

/// A record_time as a local time, when it is a valid date (and time).
std::optional<local_time> local_of(const record_time& t) {
    if (t.invalid || !t.has_date) return std::nullopt;
    const date::year_month_day d{date::year{t.year}, date::month{t.month}, date::day{t.day}};
    if (!d.ok() || t.hour > 23 || t.minute > 59 || t.second > 59) return std::nullopt;
    local_time lt = date::local_days{d};
    if (t.has_time)
        lt += std::chrono::hours{t.hour} + std::chrono::minutes{t.minute} +
              seconds{t.has_seconds ? t.second : 0};
    return lt;
}

bool is_time_point(const frame_record& r) {
    return r.quantity == record_quantity::time_point &&
           (r.kind == value_kind::date || r.kind == value_kind::date_time);
}

struct event_bit {
    int code;
    event_kind kind;
    const char* ru;
    const char* en;
};

// EN 13757-3 table 9 (the status byte of the transport header); the codes are ours: docs/ingest.md.
constexpr event_bit status_application[] = {
    {0, event_kind::other, "", ""},
    {1001, event_kind::other, "Прибор занят", "Application busy"},
    {1002, event_kind::fault, "Ошибка прибора", "Application error"},
    {1003, event_kind::fault, "Нештатная ситуация (тревога)", "Abnormal condition / alarm"}};
constexpr event_bit status_bits[] = {
    {1004, event_kind::power, "Низкий заряд батареи (питания)", "Power low"},
    {1008, event_kind::fault, "Постоянная ошибка", "Permanent error"},
    {1016, event_kind::fault, "Временная ошибка", "Temporary error"},
    {1032, event_kind::other, "Признак производителя 1 (бит 5)", "Manufacturer-specific flag 1 (bit 5)"},
    {1064, event_kind::other, "Признак производителя 2 (бит 6)", "Manufacturer-specific flag 2 (bit 6)"},
    {1128, event_kind::other, "Признак производителя 3 (бит 7)", "Manufacturer-specific flag 3 (bit 7)"}};

meter_event make_event(std::string_view meter, instant at, int code, event_kind kind, std::string message) {
    meter_event e;
    e.meter = std::string(meter);
    e.time = at;
    e.code = code;
    e.kind = kind;
    e.message = std::move(message);
    return e;
}

/// The bits of an error-flags record (VIF 0xFD 0x17): its binary value, or its bytes little-endian.
std::optional<std::uint64_t> flag_bits(const decoded_frame& f, const frame_record& r) {
    if (r.kind == value_kind::number && !r.number.negative && r.number.exponent == 0)
        return r.number.magnitude;
    if (r.kind == value_kind::bytes && r.data_size <= 8) {
        if (std::size_t(r.data_offset) + r.data_size > f.data.size()) return std::nullopt;
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < r.data_size; ++i)
            v |= std::uint64_t{f.data[r.data_offset + i]} << (8 * i);
        return v;
    }
    return std::nullopt;
}

}  // namespace

namespace {

/// Whether a text can be an `iec:` serial (device_address: 1..32 of A..Z a..z 0..9 . _ -).
bool serial_text(std::string_view s) noexcept {
    if (s.empty() || s.size() > 32) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '.' ||
              c == '_' || c == '-'))
            return false;
    return true;
}

/// An IEC 62056-21 message's serial: a request's device address, or a readout's serial number data set
/// (C.1.0 = 96.1.0, or 0.0.0) as written between its brackets (leading zeros kept).
std::optional<device_address> iec_address(const decoded_frame& f) {
    std::string_view serial;
    if (f.header.kind == frame_kind::iec_request) {
        serial = std::string_view(f.text).substr(f.header.ident_offset, f.header.ident_size);
    } else {
        for (const auto& r : f.records) {
            if (!r.has_obis) continue;
            const auto& g = r.obis.g;
            const bool serial_set =
                (g[2] == 96 && g[3] == 1 && g[4] == 0) || (g[2] == 0 && g[3] == 0 && g[4] == 0);
            if (!serial_set) continue;
            const auto raw = f.raw_of(r);
            const std::string_view t(reinterpret_cast<const char*>(raw.data()), raw.size());
            const auto open = t.find('(');
            if (open == std::string_view::npos) continue;
            serial = t.substr(open + 1);
            serial = serial.substr(0, std::min(serial.find('*'), serial.find(')')));
            break;
        }
    }
    if (!serial_text(serial)) return std::nullopt;
    device_address a;
    a.scheme = address_scheme::iec;
    a.id = std::string(serial);
    return a;
}

}  // namespace

std::optional<device_address> frame_address(const decoded_frame& f) {
    if (f.protocol == "iec62056-21") return iec_address(f);
    if (f.protocol == "dlms" || f.protocol == "hdlc") {
        if (!f.header.has_system_title) return std::nullopt;
        static constexpr char digits[] = "0123456789ABCDEF";
        device_address a;
        a.scheme = address_scheme::dlms;
        for (auto b : f.header.system_title) {
            a.id += digits[b >> 4];
            a.id += digits[b & 0x0f];
        }
        return a;
    }
    if (!f.header.has_address) return std::nullopt;
    device_address a;
    a.manufacturer = std::string(f.header.manufacturer.data());
    a.id = f.header.id_text();
    a.version = f.header.version;
    a.medium = f.header.medium;
    return a;
}

frame_values map_frame(const decoded_frame& f, const frame_context& c, reading_table& readings,
                       std::vector<meter_event>& events) {
    frame_values out;
    if (!f.ok()) return out;
    const auto n = f.records.size();
    auto skip = [&](std::size_t i, std::string why) {
        out.skipped.push_back({static_cast<std::uint32_t>(i), std::move(why)});
    };
    // Local meter time → UTC: the library's rule for a repeated or skipped local time (docs/ingest.md).
    auto utc = [&](local_time lt) -> std::optional<instant> {
        try {
            const instant t = c.time_zone.to_instant(lt, local_policy::earliest, local_policy::earliest);
            if (to_unix(t) < plausible_first_unix || to_unix(t) >= plausible_end_unix) return std::nullopt;
            return t;
        } catch (const error&) {
            return std::nullopt;
        }
    };
    // The time of each storage number: the first valid date (and time) record of that storage number.
    auto time_of_storage = [&](std::uint64_t storage) -> std::optional<instant> {
        for (const auto& r : f.records)
            if (is_time_point(r) && r.storage == storage && r.function == record_function::instantaneous)
                if (auto lt = local_of(r.when)) return utc(*lt);
        return std::nullopt;
    };
    const instant now = time_of_storage(0).value_or(c.received);

    // events: the status byte, then error-flag records of storage 0
    const std::uint8_t status = f.header.status;
    if (status & 0x03) {
        const auto& b = status_application[status & 0x03];
        events.push_back(make_event(c.meter, now, b.code, b.kind, std::string(b.ru) + " / " + b.en));
        ++out.events;
    }
    for (int bit = 2; bit < 8; ++bit)
        if (status & (1u << bit)) {
            const auto& b = status_bits[bit - 2];
            events.push_back(make_event(c.meter, now, b.code, b.kind, std::string(b.ru) + " / " + b.en));
            ++out.events;
        }

    std::vector<std::pair<std::uint32_t, std::int64_t>> seen;  // (channel code, time) of this frame's rows
    std::uint32_t meter_slot = 0;
    bool have_slot = false;
    for (std::size_t i = 0; i < n; ++i) {
        const frame_record& r = f.records[i];
        if (is_time_point(r)) continue;  // a date: the time of its storage number's values
        if (r.quantity == record_quantity::error_flags) {
            if (r.storage != 0) {
                skip(i, "error flags of historic storage " + std::to_string(r.storage));
                continue;
            }
            const auto bits = flag_bits(f, r);
            if (!bits) {
                skip(i, "error flags that are not a binary field of up to 64 bits");
                continue;
            }
            for (int bit = 0; bit < 64; ++bit)
                if (*bits & (std::uint64_t{1} << bit)) {
                    events.push_back(make_event(
                        c.meter, now, 1200 + bit, event_kind::fault,
                        "Флаг ошибки " + std::to_string(bit) + " / Error flag " + std::to_string(bit)));
                    ++out.events;
                }
            continue;
        }
        if (r.kind != value_kind::number) {
            if (r.kind == value_kind::invalid)
                skip(i, "the data is not what its DIF says (kept as bytes)");
            else if (r.quantity == record_quantity::manufacturer_specific)
                skip(i, "manufacturer-specific data (kept as bytes in the frame, not a reading)");
            else
                skip(i, std::string(record_quantity_name(r.quantity).empty()
                                        ? "a record without a value"
                                        : std::string(record_quantity_name(r.quantity)) +
                                              " is not a numeric reading"));
            continue;
        }
        choice ch = channel_of(r, c.measures);
        if (!ch.to) {
            skip(i, std::move(ch.why));
            continue;
        }
        target t = *ch.to;
        if (r.function == record_function::minimum || r.function == record_function::error) {
            skip(i, std::string("a value of function ") + std::string(to_string(r.function)) +
                        " has no channel");
            continue;
        }
        if (r.function == record_function::maximum) {
            if (t.ch.kind == channel_kind::cumulative) {
                skip(i, "a maximum of a cumulative register (" + to_string(t.ch) + ") has no channel");
                continue;
            }
            t.ch.kind = channel_kind::maximum;
        }
        if (r.error_code != 0) {
            skip(i, "the meter flags the value with record error " + std::to_string(r.error_code));
            continue;
        }
        if (r.per != 0 || r.at_base_conditions || r.accumulate_negative) {
            skip(i, r.per != 0             ? "a value per unit of time or quantity (VIFE) has no channel"
                    : r.at_base_conditions ? "a value at base conditions (VIFE 0x3E) has no channel"
                                           : "a register accumulated only when negative (backward flow) has "
                                             "no channel");
            continue;
        }
        if (r.modifier != 0) {  // the VIF's quantity's limit, count of exceeds, date or duration
            skip(i, "a limit, count, date or duration of " + std::string(record_quantity_name(r.quantity)) +
                        " (VIFE " + std::to_string(r.modifier) + ") has no channel");
            continue;
        }
        if (r.subunit != 0) {
            skip(i, "subunit " + std::to_string(r.subunit) + ": a sub-device's value has no channel");
            continue;
        }
        if (r.tariff > 8) {
            skip(i, "tariff " + std::to_string(r.tariff) + " (channels have tariffs 1..8)");
            continue;
        }
        t.ch.tariff = static_cast<register_id>(r.tariff);
        std::optional<instant> at;
        if (r.storage == 0) {
            at = now;
        } else {
            at = time_of_storage(r.storage);
            if (!at) {
                skip(i, "historic value (storage " + std::to_string(r.storage) + ") without a valid date");
                continue;
            }
        }
        const auto value = exact_value(r.number, t);
        if (!value) {
            skip(i, "value " + r.number.to_string() + " " + unit_text_of(r.unit) +
                        " is not exact in millionths of " + std::string(to_string(t.ch.in)));
            continue;
        }
        if (!plausible_value(t.ch, value->raw())) {
            skip(i, "value " + to_string(*value) + " " + std::string(to_string(t.ch.in)) + " is outside " +
                        plausible_range_text(t.ch));
            continue;
        }
        const std::pair<std::uint32_t, std::int64_t> key{t.ch.code(), to_unix(*at)};
        bool dup = false;
        for (const auto& s : seen) dup = dup || s == key;
        if (dup) {
            skip(i, "an earlier record of this frame has a value of " + to_string(t.ch) + " at that time");
            continue;
        }
        seen.push_back(key);
        if (!have_slot) {
            meter_slot = readings.meter_slot(c.meter);
            have_slot = true;
        }
        readings.push(meter_slot, readings.channel_slot(t.ch), key.second, value->raw());
        ++out.readings;
    }
    return out;
}

}  // namespace v0
}  // namespace kvant
