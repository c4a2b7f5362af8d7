// decoded_frame helpers: error messages, exact numbers as text and as decimals, names for output.
#include "kvant/decode/decoded_frame.hpp"

#include <cmath>

#include <charconv>

#include <limits>

namespace kvant {
inline namespace v0 {

std::string frame_error::message() const {
    std::string m = "byte " + std::to_string(offset) + ": expected " + expected;
    if (!found.empty()) m += ", found " + found;
    return m;
}

std::string exact_number::to_string() const {
    std::string digits = std::to_string(magnitude);
    if (magnitude == 0) return "0";
    std::string out;
    if (negative) out += '-';
    if (exponent >= 0) {
        out += digits;
        out.append(std::size_t(exponent), '0');
        return out;
    }
    const std::size_t frac = std::size_t(-int(exponent));
    if (digits.size() <= frac) {
        out += "0.";
        out.append(frac - digits.size(), '0');
        out += digits;
    } else {
        out.append(digits, 0, digits.size() - frac);
        out += '.';
        out.append(digits, digits.size() - frac, std::string::npos);
    }
    // trailing zeros of the fraction say nothing: "1.500" is "1.5"
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
    return out;
}

std::optional<decimal> exact_number::to_decimal(int shift) const noexcept {
    // raw millionths = magnitude × 10^(exponent + shift + 6)
    int e = int(exponent) + shift + decimal::scale_digits;
    std::uint64_t m = magnitude;
    if (m == 0) return decimal{};
    while (e < 0) {
        if (m % 10 != 0) return std::nullopt;  // a digit below millionths
        m /= 10;
        ++e;
    }
    constexpr std::uint64_t limit = std::uint64_t(std::numeric_limits<std::int64_t>::max());
    while (e > 0) {
        if (m > limit / 10) return std::nullopt;
        m *= 10;
        --e;
    }
    if (m > limit) return std::nullopt;
    const auto raw = std::int64_t(m);
    return decimal::from_raw(negative ? -raw : raw);
}

std::optional<decimal> exact_number::to_decimal_rounded(int shift) const noexcept {
    int e = int(exponent) + shift + decimal::scale_digits;
    if (e >= 0) return to_decimal(shift);
    std::uint64_t m = magnitude;
    int first_dropped = 0;  // the most significant digit dropped so far
    bool rest = false;      // any digit below it not 0
    for (; e < 0 && m != 0; ++e) {
        rest = rest || first_dropped != 0;
        first_dropped = int(m % 10);
        m /= 10;
    }
    if (e < 0) first_dropped = 0, rest = rest || magnitude != 0;  // every digit dropped: below half
    if (first_dropped > 5 || (first_dropped == 5 && (rest || (m & 1) != 0))) ++m;
    if (m > std::uint64_t(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    const auto raw = std::int64_t(m);
    return decimal::from_raw(negative ? -raw : raw);
}

namespace {

template <class F>
std::optional<exact_number> shortest(F f) noexcept {
    if (!std::isfinite(f)) return std::nullopt;
    char buf[48];
    const auto res = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
    if (res.ec != std::errc{}) return std::nullopt;
    // "-1.2345e+01": sign, digits with one point, exponent
    const char* s = buf;
    const char* end = res.ptr;
    exact_number v;
    bool neg = false;
    if (*s == '-') {
        neg = true;
        ++s;
    }
    std::uint64_t m = 0;
    int frac = 0;
    bool after_point = false;
    for (; s < end && *s != 'e'; ++s) {
        if (*s == '.') {
            after_point = true;
            continue;
        }
        m = m * 10 + std::uint64_t(*s - '0');  // at most 17 digits: fits
        if (after_point) ++frac;
    }
    int e = 0;
    if (s < end && *s == 'e') {
        ++s;
        std::from_chars(*s == '+' ? s + 1 : s, end, e);
    }
    v.magnitude = m;
    v.negative = neg && m != 0;
    v.exponent = static_cast<std::int16_t>(e - frac);
    // no trailing zeros in the magnitude: 1.5e+01 is 15, not 150 × 10^-1
    while (v.magnitude != 0 && v.magnitude % 10 == 0) {
        v.magnitude /= 10;
        ++v.exponent;
    }
    if (v.magnitude == 0) v.exponent = 0;
    return v;
}

}  // namespace

std::optional<exact_number> exact_number::of(float f) noexcept {
    return shortest(f);
}
std::optional<exact_number> exact_number::of(double d) noexcept {
    return shortest(d);
}

std::string frame_header::id_text() const {
    // BCD digits read as hex digits are the decimal digits; a non-BCD nibble shows as a hex letter
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string s(8, '0');
    for (int i = 0; i < 8; ++i) s[std::size_t(7 - i)] = hex[(id >> (4 * i)) & 0xF];
    return s;
}

std::string_view record_quantity_name(record_quantity q) noexcept {
    switch (q) {
        case record_quantity::none:
            return "";
        case record_quantity::energy:
            return "energy";
        case record_quantity::reactive_energy:
            return "reactive_energy";
        case record_quantity::volume:
            return "volume";
        case record_quantity::mass:
            return "mass";
        case record_quantity::on_time:
            return "on_time";
        case record_quantity::operating_time:
            return "operating_time";
        case record_quantity::power:
            return "power";
        case record_quantity::reactive_power:
            return "reactive_power";
        case record_quantity::volume_flow:
            return "volume_flow";
        case record_quantity::mass_flow:
            return "mass_flow";
        case record_quantity::flow_temperature:
            return "flow_temperature";
        case record_quantity::return_temperature:
            return "return_temperature";
        case record_quantity::temperature_difference:
            return "temperature_difference";
        case record_quantity::external_temperature:
            return "external_temperature";
        case record_quantity::temperature_limit:
            return "temperature_limit";
        case record_quantity::pressure:
            return "pressure";
        case record_quantity::relative_humidity:
            return "relative_humidity";
        case record_quantity::frequency:
            return "frequency";
        case record_quantity::phase_angle:
            return "phase_angle";
        case record_quantity::voltage:
            return "voltage";
        case record_quantity::current:
            return "current";
        case record_quantity::time_point:
            return "time_point";
        case record_quantity::hca_units:
            return "hca_units";
        case record_quantity::averaging_duration:
            return "averaging_duration";
        case record_quantity::actuality_duration:
            return "actuality_duration";
        case record_quantity::storage_interval:
            return "storage_interval";
        case record_quantity::duration_since_readout:
            return "duration_since_readout";
        case record_quantity::tariff_start:
            return "tariff_start";
        case record_quantity::tariff_duration:
            return "tariff_duration";
        case record_quantity::tariff_period:
            return "tariff_period";
        case record_quantity::fabrication_number:
            return "fabrication_number";
        case record_quantity::enhanced_identification:
            return "enhanced_identification";
        case record_quantity::bus_address:
            return "bus_address";
        case record_quantity::credit:
            return "credit";
        case record_quantity::debit:
            return "debit";
        case record_quantity::access_number:
            return "access_number";
        case record_quantity::medium:
            return "medium";
        case record_quantity::manufacturer:
            return "manufacturer";
        case record_quantity::parameter_set:
            return "parameter_set";
        case record_quantity::model_version:
            return "model_version";
        case record_quantity::hardware_version:
            return "hardware_version";
        case record_quantity::firmware_version:
            return "firmware_version";
        case record_quantity::software_version:
            return "software_version";
        case record_quantity::customer_location:
            return "customer_location";
        case record_quantity::customer:
            return "customer";
        case record_quantity::access_code:
            return "access_code";
        case record_quantity::password:
            return "password";
        case record_quantity::error_flags:
            return "error_flags";
        case record_quantity::error_mask:
            return "error_mask";
        case record_quantity::digital_output:
            return "digital_output";
        case record_quantity::digital_input:
            return "digital_input";
        case record_quantity::baud_rate:
            return "baud_rate";
        case record_quantity::response_delay:
            return "response_delay";
        case record_quantity::retry:
            return "retry";
        case record_quantity::reset_counter:
            return "reset_counter";
        case record_quantity::cumulation_counter:
            return "cumulation_counter";
        case record_quantity::control_signal:
            return "control_signal";
        case record_quantity::day_of_week:
            return "day_of_week";
        case record_quantity::week_number:
            return "week_number";
        case record_quantity::day_change:
            return "day_change";
        case record_quantity::parameter_activation:
            return "parameter_activation";
        case record_quantity::supplier_information:
            return "supplier_information";
        case record_quantity::duration_since_cumulation:
            return "duration_since_cumulation";
        case record_quantity::battery_operating_time:
            return "battery_operating_time";
        case record_quantity::battery_change:
            return "battery_change";
        case record_quantity::rf_level:
            return "rf_level";
        case record_quantity::daylight_saving:
            return "daylight_saving";
        case record_quantity::listening_window:
            return "listening_window";
        case record_quantity::battery_remaining:
            return "battery_remaining";
        case record_quantity::stop_count:
            return "stop_count";
        case record_quantity::dimensionless:
            return "dimensionless";
        case record_quantity::plain_text_unit:
            return "plain_text_unit";
        case record_quantity::manufacturer_specific:
            return "manufacturer_specific";
        case record_quantity::other:
            return "other";
    }
    return "other";
}

std::string_view record_unit_name(record_unit u) noexcept {
    switch (u) {
        case record_unit::none:
            return "";
        case record_unit::wh:
            return "Wh";
        case record_unit::j:
            return "J";
        case record_unit::cal:
            return "cal";
        case record_unit::varh:
            return "varh";
        case record_unit::m3:
            return "m3";
        case record_unit::ft3:
            return "ft3";
        case record_unit::kg:
            return "kg";
        case record_unit::s:
            return "s";
        case record_unit::min:
            return "min";
        case record_unit::h:
            return "h";
        case record_unit::d:
            return "d";
        case record_unit::month:
            return "month";
        case record_unit::year:
            return "year";
        case record_unit::w:
            return "W";
        case record_unit::var:
            return "var";
        case record_unit::j_per_h:
            return "J/h";
        case record_unit::m3_per_h:
            return "m3/h";
        case record_unit::m3_per_min:
            return "m3/min";
        case record_unit::m3_per_s:
            return "m3/s";
        case record_unit::kg_per_h:
            return "kg/h";
        case record_unit::celsius:
            return "C";
        case record_unit::fahrenheit:
            return "F";
        case record_unit::kelvin:
            return "K";
        case record_unit::bar:
            return "bar";
        case record_unit::percent:
            return "%";
        case record_unit::hz:
            return "Hz";
        case record_unit::degree:
            return "deg";
        case record_unit::v:
            return "V";
        case record_unit::a:
            return "A";
        case record_unit::dbm:
            return "dBm";
        case record_unit::currency:
            return "currency";
    }
    return "";
}

std::string_view medium_name(std::uint8_t medium) noexcept {
    // EN 13757-3:2018 Table 12 (device type), EN 13757-7 additions
    switch (medium) {
        case 0x00:
            return "other";
        case 0x01:
            return "oil";
        case 0x02:
            return "electricity";
        case 0x03:
            return "gas";
        case 0x04:
            return "heat (outlet)";
        case 0x05:
            return "steam";
        case 0x06:
            return "warm water";
        case 0x07:
            return "water";
        case 0x08:
            return "heat cost allocator";
        case 0x09:
            return "compressed air";
        case 0x0A:
            return "cooling (outlet)";
        case 0x0B:
            return "cooling (inlet)";
        case 0x0C:
            return "heat (inlet)";
        case 0x0D:
            return "heat / cooling";
        case 0x0E:
            return "bus / system component";
        case 0x0F:
            return "unknown";
        case 0x10:
            return "irrigation water";
        case 0x11:
            return "water data logger";
        case 0x12:
            return "gas data logger";
        case 0x13:
            return "gas converter";
        case 0x14:
            return "calorific value";
        case 0x15:
            return "hot water";
        case 0x16:
            return "cold water";
        case 0x17:
            return "dual register water";
        case 0x18:
            return "pressure";
        case 0x19:
            return "A/D converter";
        case 0x1A:
            return "smoke detector";
        case 0x1B:
            return "room sensor";
        case 0x1C:
            return "gas detector";
        case 0x1D:
            return "reserved for sensors";
        case 0x1E:
            return "reserved for sensors";
        case 0x1F:
            return "reserved for sensors";
        case 0x20:
            return "breaker (electricity)";
        case 0x21:
            return "valve (gas or water)";
        case 0x22:
            return "reserved for switching devices";
        case 0x23:
            return "reserved for switching devices";
        case 0x24:
            return "reserved for switching devices";
        case 0x25:
            return "customer unit (display)";
        case 0x26:
            return "reserved for customer units";
        case 0x27:
            return "reserved for customer units";
        case 0x28:
            return "waste water";
        case 0x29:
            return "garbage";
        case 0x2A:
            return "carbon dioxide";
        case 0x2B:
            return "environmental meter";
        case 0x30:
            return "service tool";
        case 0x31:
            return "communication controller (gateway)";
        case 0x32:
            return "unidirectional repeater";
        case 0x33:
            return "bidirectional repeater";
        case 0x34:
            return "reserved for system devices";
        case 0x35:
            return "radio converter (system side)";
        case 0x36:
            return "radio converter (meter side)";
        case 0x37:
            return "wired adapter";
        default:
            return "reserved";
    }
}

}  // namespace v0
}  // namespace kvant
