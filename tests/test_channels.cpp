// Channels: names, OBIS codes (IEC 62056-61 value groups C.D.E), M-Bus VIFs (EN 13757-3 table 10) and the
// stored code, each against the standard's tables written out by hand.
#include <catch2/catch.hpp>

#include "kvant/model/channel.hpp"
#include "kvant/model/validation.hpp"

using namespace kvant;

namespace {
channel ch(quantity q, register_id t, channel_kind k, unit u) {
    return {q, t, k, u};
}
}  // namespace

TEST_CASE("OBIS codes name electricity channels: C the quantity, D the processing, E the tariff") {
    using q = quantity;
    using k = channel_kind;
    const std::pair<const char*, channel> table[] = {
        {"1.8.0", ch(q::active_import, register_id::total, k::cumulative, unit::kwh)},
        {"1.8.1", ch(q::active_import, register_id::t1, k::cumulative, unit::kwh)},
        {"1.8.4", ch(q::active_import, register_id::t4, k::cumulative, unit::kwh)},
        {"1.8.8", ch(q::active_import, register_id::t8, k::cumulative, unit::kwh)},
        {"2.8.0", ch(q::active_export, register_id::total, k::cumulative, unit::kwh)},
        {"3.8.0", ch(q::reactive_import, register_id::total, k::cumulative, unit::kvarh)},
        {"4.8.2", ch(q::reactive_export, register_id::t2, k::cumulative, unit::kvarh)},
        {"5.8.0", ch(q::reactive_q1, register_id::total, k::cumulative, unit::kvarh)},
        {"8.8.0", ch(q::reactive_q4, register_id::total, k::cumulative, unit::kvarh)},
        {"9.8.0", ch(q::apparent_import, register_id::total, k::cumulative, unit::kvah)},
        {"15.8.0", ch(q::active_absolute, register_id::total, k::cumulative, unit::kwh)},
        {"1.6.0", ch(q::active_import, register_id::total, k::maximum, unit::kw)},
        {"1.6.2", ch(q::active_import, register_id::t2, k::maximum, unit::kw)},
        {"1.29.0", ch(q::active_import, register_id::total, k::interval, unit::kwh)},
        {"1.7.0", ch(q::active_import, register_id::total, k::instantaneous, unit::kw)},
        {"32.7.0", ch(q::voltage_l1, register_id::total, k::instantaneous, unit::volt)},
        {"52.7.0", ch(q::voltage_l2, register_id::total, k::instantaneous, unit::volt)},
        {"72.7.0", ch(q::voltage_l3, register_id::total, k::instantaneous, unit::volt)},
        {"31.7.0", ch(q::current_l1, register_id::total, k::instantaneous, unit::ampere)},
        {"13.7.0", ch(q::power_factor, register_id::total, k::instantaneous, unit::ratio)},
        {"14.7.0", ch(q::frequency, register_id::total, k::instantaneous, unit::hertz)},
    };
    for (const auto& [code, want] : table) {
        INFO(code);
        const auto got = try_parse_channel(code);
        REQUIRE(got);
        CHECK(*got == want);
        CHECK(obis_code(want) == std::string(code));  // and back
    }
    // the full forms with groups A, B and F
    CHECK(try_parse_channel("1-0:1.8.0") == channel::of(quantity::active_import));
    CHECK(try_parse_channel("1-0:2.8.1*255") == channel::of(quantity::active_export, register_id::t1));
    CHECK(try_parse_channel("1-0:3.8.0.255") == channel::of(quantity::reactive_import));
    // not channels: other media (A = 6, 7, 8), F other than 255, unknown C or D, tariff 9, junk
    for (const char* bad : {"6-0:1.8.0", "1-0:1.8.0*1", "1.8.0.1", "99.8.0", "1.5.0", "1.8.9", "1.8", "1..0",
                            "1.8.0.", "1.8.x", "", "1234.8.0", "32.8.0", "32.7.1",
                            // B is 0..999, and no group has a sign
                            "1--1:1.8.0", "1-+1:1.8.0", "1--0:1.8.0", "1-0:1.8.0*+255", "1.8.-0"}) {
        INFO(bad);
        CHECK_FALSE(try_parse_channel(bad));
    }
    // volume and heat energy have no electricity OBIS code
    CHECK_FALSE(obis_code(channel::of(quantity::volume)));
    CHECK_FALSE(obis_code(channel::of(quantity::heat_energy)));
}

TEST_CASE("channel names: quantity[.kind][.tN][@unit], the defaults left out, and back") {
    CHECK(to_string(channel::of(quantity::active_import)) == "active_import");
    CHECK(to_string(channel::of(quantity::active_import, register_id::t1)) == "active_import.t1");
    const channel max_t2{quantity::active_import, register_id::t2, channel_kind::maximum, unit::kw};
    CHECK(to_string(max_t2) == "active_import.max.t2");
    channel gj = channel::of(quantity::heat_energy);
    gj.in = unit::gj;
    CHECK(to_string(gj) == "heat_energy@GJ");
    CHECK(to_string(channel::of(quantity::flow_temperature)) == "flow_temperature");
    CHECK(channel::of(quantity::flow_temperature).in == unit::celsius);
    CHECK(channel::of(quantity::flow_temperature).kind == channel_kind::instantaneous);
    CHECK(channel::of(quantity::volume).in == unit::m3);
    CHECK(channel::of(quantity::heat_energy).in == unit::gcal);
    CHECK(channel::of(quantity::reactive_export).in == unit::kvarh);
    // every combination of quantity, kind, tariff and unit names itself and reads back the same
    std::size_t checked = 0;
    for (std::size_t qi = 0; qi < quantity_count; ++qi)
        for (std::uint8_t ki = 0; ki < 4; ++ki)
            for (std::size_t ti = 0; ti < register_count; ++ti)
                for (std::size_t ui = 0; ui < unit_text.names.size(); ++ui) {
                    const channel c{static_cast<quantity>(qi), static_cast<register_id>(ti),
                                    static_cast<channel_kind>(ki), static_cast<unit>(ui)};
                    const auto back = try_parse_channel(to_string(c));
                    REQUIRE(back);
                    CHECK(*back == c);
                    CHECK(channel::from_code(c.code()) == c);
                    ++checked;
                }
    CHECK(checked == quantity_count * 4 * register_count * unit_text.names.size());
    for (const char* bad :
         {"active", "active_import.t9", "active_import.t0", "active_import.total", "active_import.t1.max",
          "active_import.max.max", "volume@litres", "volume@", ".t1", "active_import.", "ACTIVE_IMPORT"}) {
        INFO(bad);
        CHECK_FALSE(try_parse_channel(bad));
    }
    CHECK_THROWS_AS(parse_channel("nonsense"), parse_error);
    // codes outside today's vocabularies are refused, not mapped to something
    CHECK_FALSE(channel::from_code(std::uint32_t{quantity_count} << 24));
    CHECK_FALSE(channel::from_code(0x00'04'00'00));  // kind 4
    CHECK_FALSE(channel::from_code(0x00'00'09'00));  // tariff 9
    CHECK_FALSE(channel::from_code(0x00'00'00'ff));  // unit 255
}

TEST_CASE("a resource's main channel, and labels beside it") {
    CHECK(channel::main(resource::electricity) == channel::of(quantity::active_import));
    CHECK(channel::main(resource::cold_water) == channel::of(quantity::volume));
    CHECK(channel::main(resource::hot_water) == channel::of(quantity::volume));
    CHECK(channel::main(resource::gas) == channel::of(quantity::volume));
    CHECK(channel::main(resource::heat) == channel::of(quantity::heat_energy));
    CHECK(channel::main(resource::heat, register_id::t2).tariff == register_id::t2);
    const channel el = channel::main(resource::electricity);
    CHECK(channel_label(el, el) == "total");
    CHECK(channel_label(el.with_tariff(register_id::t3), el) == "t3");
    CHECK(channel_label(channel::of(quantity::active_export), el) == "active_export");
    CHECK(channel_label(channel::of(quantity::reactive_import, register_id::t1), el) == "reactive_import.t1");
}

TEST_CASE("plausible values: cumulative registers not negative, other kinds symmetric") {
    const channel reg = channel::of(quantity::active_import);
    const channel temp = channel::of(quantity::return_temperature);
    CHECK(plausible_value(reg, 0));
    CHECK_FALSE(plausible_value(reg, -1));
    CHECK(plausible_value(reg, max_register_value.raw()));
    CHECK_FALSE(plausible_value(reg, max_register_value.raw() + 1));
    CHECK(plausible_value(temp, -12'500'000));  // −12.5 °C
    CHECK(plausible_value(temp, -max_register_value.raw()));
    CHECK_FALSE(plausible_value(temp, -max_register_value.raw() - 1));
}
