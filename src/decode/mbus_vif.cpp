// The VIF tables of EN 13757-3, built once at compile time.
#include "mbus_vif.hpp"

namespace kvant {
inline namespace v0 {
namespace detail {
namespace {

using q = record_quantity;
using u = record_unit;

constexpr vif_meaning m(q quantity, u unit = u::none, int exponent = 0) {
    return vif_meaning{quantity, unit, std::int8_t(exponent)};
}

// four durations in the order seconds, minutes, hours, days (the low two bits of the code)
constexpr void durations(vif_table& t, int at, q quantity) {
    constexpr u units[4] = {u::s, u::min, u::h, u::d};
    for (int i = 0; i < 4; ++i) t[std::size_t(at + i)] = m(quantity, units[i]);
}

constexpr vif_table make_primary() {
    vif_table t{};
    for (int n = 0; n < 8; ++n) {
        t[std::size_t(0x00 + n)] = m(q::energy, u::wh, n - 3);
        t[std::size_t(0x08 + n)] = m(q::energy, u::j, n);
        t[std::size_t(0x10 + n)] = m(q::volume, u::m3, n - 6);
        t[std::size_t(0x18 + n)] = m(q::mass, u::kg, n - 3);
        t[std::size_t(0x28 + n)] = m(q::power, u::w, n - 3);
        t[std::size_t(0x30 + n)] = m(q::power, u::j_per_h, n);
        t[std::size_t(0x38 + n)] = m(q::volume_flow, u::m3_per_h, n - 6);
        t[std::size_t(0x40 + n)] = m(q::volume_flow, u::m3_per_min, n - 7);
        t[std::size_t(0x48 + n)] = m(q::volume_flow, u::m3_per_s, n - 9);
        t[std::size_t(0x50 + n)] = m(q::mass_flow, u::kg_per_h, n - 3);
    }
    durations(t, 0x20, q::on_time);
    durations(t, 0x24, q::operating_time);
    for (int n = 0; n < 4; ++n) {
        t[std::size_t(0x58 + n)] = m(q::flow_temperature, u::celsius, n - 3);
        t[std::size_t(0x5C + n)] = m(q::return_temperature, u::celsius, n - 3);
        t[std::size_t(0x60 + n)] = m(q::temperature_difference, u::kelvin, n - 3);
        t[std::size_t(0x64 + n)] = m(q::external_temperature, u::celsius, n - 3);
        t[std::size_t(0x68 + n)] = m(q::pressure, u::bar, n - 3);
    }
    t[0x6C] = m(q::time_point);
    t[0x6D] = m(q::time_point);
    t[0x6E] = m(q::hca_units);
    t[0x6F] = m(q::other);
    durations(t, 0x70, q::averaging_duration);
    durations(t, 0x74, q::actuality_duration);
    t[0x78] = m(q::fabrication_number);
    t[0x79] = m(q::enhanced_identification);
    t[0x7A] = m(q::bus_address);
    t[0x7B] = m(q::other);
    t[0x7C] = m(q::plain_text_unit);
    t[0x7D] = m(q::other);
    t[0x7E] = m(q::none);
    t[0x7F] = m(q::manufacturer_specific);
    return t;
}

constexpr vif_table make_fd() {
    vif_table t{};  // every entry `other` unless named below
    for (int n = 0; n < 4; ++n) {
        t[std::size_t(0x00 + n)] = m(q::credit, u::currency, n - 3);
        t[std::size_t(0x04 + n)] = m(q::debit, u::currency, n - 3);
    }
    t[0x08] = m(q::access_number);
    t[0x09] = m(q::medium);
    t[0x0A] = m(q::manufacturer);
    t[0x0B] = m(q::parameter_set);
    t[0x0C] = m(q::model_version);
    t[0x0D] = m(q::hardware_version);
    t[0x0E] = m(q::firmware_version);
    t[0x0F] = m(q::software_version);
    t[0x10] = m(q::customer_location);
    t[0x11] = m(q::customer);
    for (int n = 0x12; n <= 0x15; ++n) t[std::size_t(n)] = m(q::access_code);
    t[0x16] = m(q::password);
    t[0x17] = m(q::error_flags);
    t[0x18] = m(q::error_mask);
    t[0x1A] = m(q::digital_output);
    t[0x1B] = m(q::digital_input);
    t[0x1C] = m(q::baud_rate);
    t[0x1D] = m(q::response_delay);
    t[0x1E] = m(q::retry);
    durations(t, 0x24, q::storage_interval);
    t[0x28] = m(q::storage_interval, u::month);
    t[0x29] = m(q::storage_interval, u::year);
    durations(t, 0x2C, q::duration_since_readout);
    t[0x30] = m(q::tariff_start);
    t[0x31] = m(q::tariff_duration, u::min);
    t[0x32] = m(q::tariff_duration, u::h);
    t[0x33] = m(q::tariff_duration, u::d);
    durations(t, 0x34, q::tariff_period);
    t[0x38] = m(q::tariff_period, u::month);
    t[0x39] = m(q::tariff_period, u::year);
    t[0x3A] = m(q::dimensionless);
    for (int n = 0; n < 16; ++n) {
        t[std::size_t(0x40 + n)] = m(q::voltage, u::v, n - 9);
        t[std::size_t(0x50 + n)] = m(q::current, u::a, n - 12);
    }
    t[0x60] = m(q::reset_counter);
    t[0x61] = m(q::cumulation_counter);
    t[0x62] = m(q::control_signal);
    t[0x63] = m(q::day_of_week);
    t[0x64] = m(q::week_number);
    t[0x65] = m(q::day_change);
    t[0x66] = m(q::parameter_activation);
    t[0x67] = m(q::supplier_information);
    constexpr u long_units[4] = {u::h, u::d, u::month, u::year};
    for (int n = 0; n < 4; ++n) {
        t[std::size_t(0x68 + n)] = m(q::duration_since_cumulation, long_units[n]);
        t[std::size_t(0x6C + n)] = m(q::battery_operating_time, long_units[n]);
    }
    t[0x70] = m(q::battery_change);
    t[0x71] = m(q::rf_level, u::dbm);
    t[0x72] = m(q::daylight_saving);
    t[0x73] = m(q::listening_window);
    t[0x74] = m(q::battery_remaining, u::d);
    t[0x75] = m(q::stop_count);
    t[0x76] = m(q::manufacturer_specific);  // data container for a manufacturer-specific protocol
    return t;
}

constexpr vif_table make_fb() {
    vif_table t{};
    for (int n = 0; n < 2; ++n) {
        t[std::size_t(0x00 + n)] = m(q::energy, u::wh, n + 5);             // 10^(n-1) MWh
        t[std::size_t(0x02 + n)] = m(q::reactive_energy, u::varh, n + 5);  // 10^(n-1) MVARh
        t[std::size_t(0x08 + n)] = m(q::energy, u::j, n + 8);              // 10^(n-1) GJ
        t[std::size_t(0x10 + n)] = m(q::volume, u::m3, n + 2);             // 10^(n+2) m3
        t[std::size_t(0x18 + n)] = m(q::mass, u::kg, n + 5);               // 10^(n+2) t
        t[std::size_t(0x1A + n)] = m(q::relative_humidity, u::percent, n - 1);
        t[std::size_t(0x28 + n)] = m(q::power, u::w, n + 5);        // 10^(n-1) MW
        t[std::size_t(0x30 + n)] = m(q::power, u::j_per_h, n + 8);  // 10^(n-1) GJ/h
    }
    for (int n = 0; n < 4; ++n) {
        t[std::size_t(0x0C + n)] = m(q::energy, u::cal, n + 5);      // 10^(n-1) MCal
        t[std::size_t(0x14 + n)] = m(q::reactive_power, u::var, n);  // 10^(n-3) kVAR
        t[std::size_t(0x2C + n)] = m(q::frequency, u::hz, n - 3);    //
        t[std::size_t(0x58 + n)] = m(q::flow_temperature, u::fahrenheit, n - 3);
        t[std::size_t(0x5C + n)] = m(q::return_temperature, u::fahrenheit, n - 3);
        t[std::size_t(0x60 + n)] = m(q::temperature_difference, u::fahrenheit, n - 3);
        t[std::size_t(0x64 + n)] = m(q::external_temperature, u::fahrenheit, n - 3);
        t[std::size_t(0x70 + n)] = m(q::temperature_limit, u::fahrenheit, n - 3);
        t[std::size_t(0x74 + n)] = m(q::temperature_limit, u::celsius, n - 3);
    }
    t[0x20] = m(q::volume, u::ft3, 0);
    t[0x21] = m(q::volume, u::ft3, -1);
    t[0x2A] = m(q::phase_angle, u::degree, -1);                                       // phase U-U
    t[0x2B] = m(q::phase_angle, u::degree, -1);                                       // phase U-I
    for (int n = 0; n < 8; ++n) t[std::size_t(0x78 + n)] = m(q::power, u::w, n - 3);  // cumulated max power
    return t;
}

constexpr std::array<vif_meaning, 64> make_fixed() {
    std::array<vif_meaning, 64> t{};
    for (int n = 0; n < 9; ++n) {
        t[std::size_t(0x02 + n)] = m(q::energy, u::wh, n);                 // Wh .. 100 MWh
        t[std::size_t(0x0B + n)] = m(q::energy, u::j, n + 3);              // kJ .. 100 GJ
        t[std::size_t(0x14 + n)] = m(q::power, u::w, n);                   // W .. 100 MW
        t[std::size_t(0x1D + n)] = m(q::power, u::j_per_h, n + 3);         // kJ/h .. 100 GJ/h
        t[std::size_t(0x26 + n)] = m(q::volume, u::m3, n - 6);             // ml .. 100 m3
        t[std::size_t(0x2F + n)] = m(q::volume_flow, u::m3_per_h, n - 6);  // ml/h .. 100 m3/h
    }
    t[0x38] = m(q::other, u::celsius, -3);
    t[0x39] = m(q::hca_units);
    t[0x3F] = m(q::dimensionless);  // without units
    return t;
}

constexpr vif_table primary_table = make_primary();
constexpr vif_table fd_table = make_fd();
constexpr vif_table fb_table = make_fb();
constexpr std::array<vif_meaning, 64> fixed_table = make_fixed();

}  // namespace

const vif_table& primary_vif_table() noexcept {
    return primary_table;
}
const vif_table& fd_vif_table() noexcept {
    return fd_table;
}
const vif_table& fb_vif_table() noexcept {
    return fb_table;
}
const std::array<vif_meaning, 64>& fixed_unit_table() noexcept {
    return fixed_table;
}

}  // namespace detail
}  // namespace v0
}  // namespace kvant
