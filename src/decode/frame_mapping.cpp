// From a decoded M-Bus frame to readings and events: docs/ingest.md ("Mapping") and docs/channels.md
// ("M-Bus records") describe every rule coded here.
#include "kvant/decode/frame_mapping.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <optional>
#include <string_view>

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

// ---------------------------------------------------------------------------------------------------------
// IEC 62056-21 and DLMS/COSEM records (docs/channels.md "IEC 62056-21 and DLMS records", docs/dlms.md)

/// A unit as a base unit and a power of ten: kWh is (Wh, 3).
struct unit_scale {
    std::string_view base;
    int exponent = 0;
};

std::optional<unit_scale> scale_of(unit u) {
    switch (u) {
        case unit::kwh:
            return unit_scale{"Wh", 3};
        case unit::mwh:
            return unit_scale{"Wh", 6};
        case unit::kvarh:
            return unit_scale{"varh", 3};
        case unit::kvah:
            return unit_scale{"VAh", 3};
        case unit::kw:
            return unit_scale{"W", 3};
        case unit::kvar:
            return unit_scale{"var", 3};
        case unit::kva:
            return unit_scale{"VA", 3};
        case unit::volt:
            return unit_scale{"V", 0};
        case unit::ampere:
            return unit_scale{"A", 0};
        case unit::hertz:
            return unit_scale{"Hz", 0};
        case unit::ratio:
            return unit_scale{"1", 0};
        default:
            return std::nullopt;
    }
}

/// An IEC readout's unit text: an optional k or M before Wh, varh, VAh, W, var, VA, V, A, Hz.
std::optional<unit_scale> scale_of_text(std::string_view u) {
    int e = 0;
    static constexpr std::string_view bases[] = {"Wh", "varh", "VAh", "W", "var", "VA", "V", "A", "Hz"};
    auto base = [](std::string_view b) -> std::optional<std::string_view> {
        for (auto x : bases)
            if (x == b) return x;
        if (b == "VArh" || b == "Varh") return std::string_view("varh");
        if (b == "VAr" || b == "Var") return std::string_view("var");
        return std::nullopt;
    };
    if (auto b = base(u)) return unit_scale{*b, 0};
    if (u.size() > 1 && (u[0] == 'k' || u[0] == 'M')) {
        e = u[0] == 'k' ? 3 : 6;
        if (auto b = base(u.substr(1))) return unit_scale{*b, e};
    }
    return std::nullopt;
}

/// A DLMS unit code (the Blue Book's unit table) after the scaler: the base unit.
std::optional<unit_scale> scale_of_code(std::uint8_t code) {
    switch (code) {
        case 27:
            return unit_scale{"W", 0};
        case 28:
            return unit_scale{"VA", 0};
        case 29:
            return unit_scale{"var", 0};
        case 30:
            return unit_scale{"Wh", 0};
        case 31:
            return unit_scale{"VAh", 0};
        case 32:
            return unit_scale{"varh", 0};
        case 33:
            return unit_scale{"A", 0};
        case 35:
            return unit_scale{"V", 0};
        case 44:
            return unit_scale{"Hz", 0};
        case 0:
        case 255:  // count: a number without a unit
            return unit_scale{"1", 0};
        default:
            return std::nullopt;
    }
}

/// OBIS value groups C that name a quantity (docs/channels.md, "OBIS codes").
bool is_quantity_c(unsigned c) {
    return (c >= 1 && c <= 10) || c == 13 || c == 14 || c == 15 || c == 31 || c == 32 || c == 51 || c == 52 ||
           c == 71 || c == 72;
}

/// What a record's name says its value is.
struct cosem_choice {
    enum { channel_, silent, skipped } what = silent;
    channel ch;
    bool explicit_unit = false;  ///< an override: the record's unit text must still agree
    std::string why;
};

cosem_choice skipped_because(std::string why) {
    cosem_choice c;
    c.what = cosem_choice::skipped;
    c.why = std::move(why);
    return c;
}
cosem_choice to_channel(channel ch) {
    cosem_choice c;
    c.what = cosem_choice::channel_;
    c.ch = ch;
    return c;
}

/// The record's element index as a tariff (an IEC list of total, T1, T2, …): the channel in that tariff,
/// or why not.
cosem_choice with_element(channel ch, const frame_record& r, std::string_view name) {
    if (r.tariff == 0 && r.subunit == 0) return to_channel(ch);
    if (r.tariff == 0)
        return skipped_because("element " + std::to_string(r.subunit) + " of " + std::string(name) +
                               " has no channel");
    if (ch.tariff != register_id::total)
        return skipped_because("element " + std::to_string(r.tariff) + " of the tariff register " +
                               std::string(name) + " has no channel");
    if (r.tariff > 8)
        return skipped_because("element " + std::to_string(r.tariff) + " of " + std::string(name) +
                               ": channels have tariffs 1..8");
    return to_channel(ch.with_tariff(static_cast<register_id>(r.tariff)));
}

/// Energomera CE102/CE301/CE303 names (their IEC 62056-21 dialect).
cosem_choice energomera_channel(std::string_view name, const frame_record& r) {
    if (name == "ET0PE") return with_element(channel::of(quantity::active_import), r, name);
    const unsigned element = r.subunit;
    auto phase = [&](quantity l1) -> cosem_choice {
        if (element > 2)
            return skipped_because(std::string(name) + " element " + std::to_string(element) +
                                   ": a three-phase meter has phases 0..2");
        return to_channel(channel::of(static_cast<quantity>(static_cast<int>(l1) + int(element))));
    };
    if (name == "VOLTA") return phase(quantity::voltage_l1);
    if (name == "CURRE") return phase(quantity::current_l1);
    if (name == "FREQU" || name == "POWEP") {
        if (element != 0)
            return skipped_because(std::string(name) + " has one value, not element " +
                                   std::to_string(element));
        if (name == "FREQU") return to_channel(channel::of(quantity::frequency));
        channel c = channel::of(quantity::active_import);
        c.kind = channel_kind::instantaneous;
        c.in = unit::kw;
        return to_channel(c);
    }
    if (name == "ECMPE" || name == "EAMPE" || name == "ECDPE")
        return skipped_because(
            std::string(name) +
            ": energy of a month or day (a consumption, not a register) has no channel; map "
            "it per device");
    if (name == "ENMPE")
        return skipped_because(
            "ENMPE: the register at the start of the month (no time given) has no channel; "
            "map it per device");
    if (name == "POWPP") return skipped_because("POWPP: active power of one phase has no channel");
    return skipped_because("no channel for " + std::string(name) + " (map it per device)");
}

/// The channel of an OBIS code, or why none, or nothing to say (not a reading).
cosem_choice obis_channel(const frame_record& r, std::string_view written) {
    const auto& g = r.obis.g;
    const bool a_given = (r.obis_given & 1) != 0, f_given = (r.obis_given & 32) != 0;
    if (a_given && g[0] != 1) return {};  // abstract (A = 0) and other media: not a reading of ours
    if (!is_quantity_c(g[2])) return {};  // general purpose, service, error, list and profile objects
    auto name = [&] { return written.empty() ? r.obis.to_string() : std::string(written); };
    if (f_given && g[5] != 255)
        return skipped_because("OBIS " + name() + ": a historical value (F = " + std::to_string(g[5]) +
                               ") has no channel");
    char code[16];
    const int n =
        std::snprintf(code, sizeof code, "%u.%u.%u", unsigned(g[2]), unsigned(g[3]), unsigned(g[4]));
    const std::string_view text(code, n > 0 ? std::size_t(n) : 0);
    const auto ch = try_parse_channel(text);
    if (!ch) return skipped_because("OBIS " + name() + " (" + std::string(text) + ") has no channel");
    if (r.tariff == 0 && r.subunit == 0) return to_channel(*ch);
    return with_element(*ch, r, name());
}

/// A time the meter wrote (IEC 62056-21 time stamp or DLMS date-time) as UTC: with a DLMS deviation
/// exactly (UTC = local + deviation), else through the meter's zone. Nothing, with why, when unusable.
template <class Utc>
std::optional<instant> cosem_instant(const record_time& t, Utc&& utc, std::string& why) {
    using namespace time_field;
    if (t.invalid || (t.has_clock_status && (t.clock_status & 0x01) != 0)) {
        why = "the meter's clock status marks the time invalid";
        return std::nullopt;
    }
    if ((t.unspecified & (year | month | day | hour | minute)) != 0 || !t.has_date) {
        why = "the time has a date or time field not specified";
        return std::nullopt;
    }
    const auto lt = local_of(t);
    if (!lt) {
        why = "the time is not a valid date and time";
        return std::nullopt;
    }
    if (t.has_deviation && (t.unspecified & deviation) == 0) {
        if (t.deviation < -720 || t.deviation > 720) {  // IEC 62056-6-2: −720..720 minutes, or not specified
            why = "the time's deviation " + std::to_string(t.deviation) + " min is outside -720..720";
            return std::nullopt;
        }
        const instant at = instant{lt->time_since_epoch()} + std::chrono::minutes{t.deviation};
        if (to_unix(at) < plausible_first_unix || to_unix(at) >= plausible_end_unix) {
            why = "the time is outside the plausible range";
            return std::nullopt;
        }
        return at;
    }
    auto at = utc(*lt);
    if (!at) why = "the local time is outside the plausible range";
    return at;
}

bool is_clock_value(const frame_record& r) {
    return r.class_id == 8 && r.attribute == 2 && r.kind == value_kind::date_time;
}

bool is_event_code(const frame_record& r) {
    return r.has_obis && (r.obis_given & 0x1D) == 0x1D && r.obis.g[0] == 0 && r.obis.g[2] == 96 &&
           r.obis.g[3] == 11;
}

}  // namespace

event_kind journal_event_kind(int journal) noexcept {
    switch (journal) {
        case 0:
        case 1:
            return event_kind::power;
        case 2:
            return event_kind::relay;
        case 4:
            return event_kind::tamper;
        case 5:
            return event_kind::communication;
        case 6:
            return event_kind::access;
        case 7:
            return event_kind::fault;
        default:
            return event_kind::other;
    }
}

namespace {

frame_values map_cosem_frame(const decoded_frame& f, const frame_context& c, reading_table& readings,
                             std::vector<meter_event>& events) {
    frame_values out;
    auto skip = [&](std::size_t i, std::string why) {
        out.skipped.push_back({static_cast<std::uint32_t>(i), std::move(why)});
    };
    auto utc = [&](local_time lt) -> std::optional<instant> {
        try {
            const instant t = c.time_zone.to_instant(lt, local_policy::earliest, local_policy::earliest);
            if (to_unix(t) < plausible_first_unix || to_unix(t) >= plausible_end_unix) return std::nullopt;
            return t;
        } catch (const error&) {
            return std::nullopt;
        }
    };
    // The clock of each storage number (a profile row's clock column; storage 0: a clock read with the
    // values), as UTC or why it cannot be used; the first clock of a storage number counts. Storage numbers
    // of a buffer are 1, 2, … so a vector indexed by them (bounded by the record count) holds them.
    struct row_clock {
        std::int64_t at = 0;
        std::int32_t state = -2;  ///< -2 none, -1 valid, k ≥ 0: unusable, why in clock_why[k]
    };
    std::vector<row_clock> clocks;
    std::vector<std::string> clock_why;
    for (const auto& r : f.records) {
        if (!is_clock_value(r) || r.storage > f.records.size()) continue;
        if (clocks.size() <= r.storage) clocks.resize(std::size_t(r.storage) + 1);
        row_clock& k = clocks[std::size_t(r.storage)];
        if (k.state != -2) continue;
        std::string why;
        if (const auto t = cosem_instant(r.when, utc, why)) {
            k.at = to_unix(*t);
            k.state = -1;
        } else {
            k.state = static_cast<std::int32_t>(clock_why.size());
            clock_why.push_back("its row's clock: " + why);
        }
    }
    auto time_of = [&](const frame_record& r, std::string& why) -> std::optional<instant> {
        if (r.when.has_date) return cosem_instant(r.when, utc, why);
        if (r.storage < clocks.size() && clocks[std::size_t(r.storage)].state != -2) {
            const row_clock& k = clocks[std::size_t(r.storage)];
            if (k.state == -1) return from_unix(k.at);
            why = clock_why[std::size_t(k.state)];
            return std::nullopt;
        }
        if (r.storage != 0) {
            why = "a profile row (storage " + std::to_string(r.storage) + ") without a time";
            return std::nullopt;
        }
        return c.received;
    };
    const bool dlms = f.protocol != "iec62056-21";

    // (channel, time) of the rows added: an open-addressing table sized for the frame's records
    struct seen_key {
        std::uint32_t channel = 0;
        bool used = false;
        std::int64_t time = 0;
    };
    std::size_t capacity = 16;
    while (capacity < 2 * f.records.size()) capacity *= 2;
    std::vector<seen_key> seen(capacity);
    auto first_at = [&](std::uint32_t channel, std::int64_t time) {
        std::uint64_t x = static_cast<std::uint64_t>(time) * 0x9E3779B97F4A7C15ULL ^ channel;
        x = (x ^ (x >> 31)) * 0xBF58476D1CE4E5B9ULL;
        std::size_t h = static_cast<std::size_t>(x ^ (x >> 29)) & (capacity - 1);
        while (seen[h].used) {
            if (seen[h].channel == channel && seen[h].time == time) return false;
            h = (h + 1) & (capacity - 1);
        }
        seen[h] = {channel, true, time};
        return true;
    };
    // an OBIS code and the groups given, packed into one integer: compared in one instruction
    using obis_key = std::uint64_t;
    std::vector<std::pair<obis_key, cosem_choice>> obis_seen;
    std::size_t obis_last = 0;  // a profile's columns come in the same order row after row
    std::uint32_t meter_slot = 0;
    bool have_slot = false;
    for (std::size_t i = 0; i < f.records.size(); ++i) {
        const frame_record& r = f.records[i];
        const std::string_view written = f.name_of(r);
        if (!r.has_obis && written.empty()) continue;  // not a data set (a header's text)
        // how reasons name the record: its name as written, else its OBIS text (made only when needed)
        auto label = [&]() -> std::string {
            return !written.empty() ? std::string(written) : r.obis.to_string();
        };

        // СПОДЭС event codes: 0.0.96.11.e.255, a journal's column
        if (is_event_code(r)) {
            if (r.kind != value_kind::number) continue;  // a null row of a journal
            const int journal = r.obis.g[4];
            if (r.number.negative || r.number.exponent != 0 || r.number.magnitude > 0x7FFFFFFF) {
                skip(i, "event code " + r.number.to_string() + " of journal " + std::to_string(journal) +
                            " is not a code");
                continue;
            }
            if (r.number.magnitude == 0) {
                skip(i, "event code 0 of journal " + std::to_string(journal) + " (no event)");
                continue;
            }
            std::string why;
            const auto at = time_of(r, why);
            if (!at) {
                skip(i, "event of journal " + std::to_string(journal) + ": " + why);
                continue;
            }
            meter_event e =
                make_event(c.meter, *at, int(r.number.magnitude), journal_event_kind(journal), {});
            e.journal = journal;
            events.push_back(std::move(e));
            ++out.events;
            continue;
        }

        // the channel: the device's own names, then OBIS, then Energomera's
        cosem_choice ch;
        auto over = c.channel_overrides.end();
        if (!c.channel_overrides.empty() && !written.empty()) over = c.channel_overrides.find(written);
        if (!c.channel_overrides.empty() && over == c.channel_overrides.end() && r.has_obis) {
            over = c.channel_overrides.find(r.obis.to_string());
            if (over == c.channel_overrides.end() && (r.obis_given & 0x1C) == 0x1C)
                over =
                    c.channel_overrides.find(std::to_string(r.obis.g[2]) + "." + std::to_string(r.obis.g[3]) +
                                             "." + std::to_string(r.obis.g[4]));
        }
        if (over != c.channel_overrides.end())
            ch = with_element(over->second, r, label());
        else if (r.has_obis && r.tariff == 0 && r.subunit == 0 && written.empty()) {
            // DLMS: a frame holds few objects (a profile's columns, row after row): each is looked up once
            obis_key key = r.obis_given;
            for (const auto g : r.obis.g) key = key << 8 | g;
            std::size_t hit = obis_last + 1 < obis_seen.size() ? obis_last + 1 : 0;
            if (hit >= obis_seen.size() || obis_seen[hit].first != key) {
                hit = 0;
                while (hit < obis_seen.size() && obis_seen[hit].first != key) ++hit;
                if (hit == obis_seen.size()) obis_seen.emplace_back(key, obis_channel(r, written));
            }
            obis_last = hit;
            ch = obis_seen[hit].second;
        } else if (r.has_obis)
            ch = obis_channel(r, written);
        else if (!dlms && written.size() == 5)
            ch = energomera_channel(written, r);
        else
            ch = skipped_because("no channel for " + label() + " (map it per device)");
        if (ch.what == cosem_choice::silent) continue;

        if (r.kind != value_kind::number) {
            // a reading's place without a number: an error token says why; other kinds are not readings
            if (r.kind == value_kind::error_token)
                skip(i, label() + ": the meter sent " + std::string(f.text_of(r)) + " in place of the value");
            else if (r.kind == value_kind::none && !dlms)
                ;  // an empty bracket (a request's address): nothing to map
            else if (r.kind == value_kind::text && !dlms)
                skip(i, label() + ": '" + std::string(f.text_of(r)) + "' is not a number");
            continue;
        }
        if (ch.what == cosem_choice::skipped) {
            skip(i, std::move(ch.why));
            continue;
        }
        const channel target_channel = ch.ch;
        const auto to = scale_of(target_channel.in);
        if (!to) {
            skip(i,
                 label() + ": the channel " + to_string(target_channel) + " is not an electricity channel");
            continue;
        }
        // the record's unit
        std::optional<unit_scale> from;
        auto unit_said = [&]() -> std::string {
            if (dlms) {
                const auto name = cosem_unit_name(r.cosem_unit);
                return name.empty() ? "unit code " + std::to_string(r.cosem_unit) : std::string(name);
            }
            const auto text = f.unit_text_of(r);
            return text.empty() ? std::string("no unit") : std::string(text);
        };
        if (dlms) {
            if (!r.has_scaler) {
                skip(i, label() + ": the object's scaler_unit is not known (raw value " +
                            r.number.to_string() + ")");
                continue;
            }
            from = scale_of_code(r.cosem_unit);
        } else {
            const auto text = f.unit_text_of(r);
            from = text.empty() ? to : scale_of_text(text);
        }
        if (!from || from->base != to->base) {
            skip(i, label() + ": a value in " + unit_said() + " does not fit " + to_string(target_channel) +
                        " (" + std::string(to_string(target_channel.in)) + ")");
            continue;
        }
        std::string why;
        const auto at = time_of(r, why);
        if (!at) {
            skip(i, label() + ": " + why);
            continue;
        }
        const int shift = from->exponent - to->exponent;
        const auto value = c.round_excess ? r.number.to_decimal_rounded(shift) : r.number.to_decimal(shift);
        if (!value) {
            skip(i, label() + ": value " + r.number.to_string() + " " + unit_said() +
                        (c.round_excess || r.number.to_decimal_rounded(shift) == std::nullopt
                             ? " is outside the range of a reading"
                             : " is not exact in millionths of " + std::string(to_string(target_channel.in)) +
                                   " (round_excess stores it rounded)"));
            continue;
        }
        if (!plausible_value(target_channel, value->raw())) {
            skip(i, label() + ": value " + to_string(*value) + " " +
                        std::string(to_string(target_channel.in)) + " is outside " +
                        plausible_range_text(target_channel));
            continue;
        }
        const std::pair<std::uint32_t, std::int64_t> key{target_channel.code(), to_unix(*at)};
        if (!first_at(key.first, key.second)) {
            skip(i, label() + ": an earlier record of this frame has a value of " +
                        to_string(target_channel) + " at that time");
            continue;
        }
        if (!have_slot) {
            meter_slot = readings.meter_slot(c.meter);
            have_slot = true;
        }
        readings.push(meter_slot, readings.channel_slot(target_channel), key.second, value->raw());
        ++out.readings;
    }
    return out;
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
        // the system title is the sender's: the meter's only in what a server sends (an AARE, responses,
        // notifications); a client's AARQ or ciphered request carries the head-end's
        switch (f.header.apdu_tag) {
            case 0x61:  // AARE
            case 0x63:  // RLRE
            case 0xC4:  // get-response
            case 0xC5:  // set-response
            case 0xC7:  // action-response
            case 0x0F:  // data-notification
            case 0xC2:  // event-notification
            case 0xD8:  // exception-response
            case 0x0E:  // confirmed-service-error
                break;
            default:
                return std::nullopt;
        }
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
    if (!f.ok()) return {};
    if (f.cosem()) return map_cosem_frame(f, c, readings, events);
    frame_values out;
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
