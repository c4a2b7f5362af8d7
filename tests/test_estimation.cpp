// Estimation: the ПП 354 ladder, interval gaps (VEE), and the building share, against hand-worked values.
#include <catch2/catch.hpp>

#include <filesystem>

#include "kvant/algorithms/anomalies.hpp"
#include "kvant/algorithms/estimation.hpp"
#include "kvant/algorithms/verification.hpp"
#include "kvant/io/event_catalogue.hpp"
#include "support.hpp"

using namespace kvant;
using namespace kvant::test;

namespace {
/// Monthly results by hand: one value per month from June 2019; nullopt = not bracketed by readings.
meter_consumption months(std::initializer_list<std::optional<int>> values) {
    meter_consumption mc;
    mc.meter = "m";
    register_consumption rc;
    calendar_date d = date::year{2019} / 6 / 1;
    for (const auto& v : values) {
        mc.periods.push_back({d, instant{date::sys_days{d}}, instant{date::sys_days{d + date::months{1}}}});
        rc.value.push_back(v ? decimal::from_integer(*v).raw() : 0);
        rc.complete.push_back(v.has_value());
        d = d + date::months{1};
    }
    mc.registers.push_back(rc);
    return mc;
}
std::vector<std::string> bills(const std::vector<billing_estimate>& e) {
    std::vector<std::string> out;
    for (const auto& x : e)
        out.push_back(std::string(estimate_basis_text.name(x.basis)) + " " +
                      to_string(decimal::from_raw(x.value)));
    return out;
}
}  // namespace

TEST_CASE("the ПП 354 ladder: average for three periods, then the normative") {
    // seven complete months, then four without readings; the last six average (100+110+100+100+100+120)/6 =
    // 105
    const auto mc = months({90, 100, 110, 100, 100, 100, 120, {}, {}, {}, {}});
    const auto normative = decimal::from_integer(150);
    auto e = bills(estimate_billing(mc, register_id::total, normative, false));
    CHECK(std::vector<std::string>(e.begin() + 7, e.end()) ==
          std::vector<std::string>{"average 105", "average 105", "average 105", "normative 150"});
    CHECK(e[0] == "actual 90");
    // a failed meter (or expired verification): the normative x 1.5
    e = bills(estimate_billing(mc, register_id::total, normative, true));
    CHECK(e[10] == "normative_increased 225");
    // electricity since 2020: the average until the meter is replaced
    billing_policy electricity;
    electricity.average_until_replacement = true;
    e = bills(estimate_billing(mc, register_id::total, normative, false, electricity));
    CHECK(e[10] == "average 105");
    // a young meter: three complete periods suffice, averaged over those; two do not
    CHECK(bills(estimate_billing(months({90, 100, 110, {}}), register_id::total, normative, false))[3] ==
          "average 100");
    CHECK(bills(estimate_billing(months({90, 100, {}}), register_id::total, normative, false))[2] ==
          "normative 150");
    CHECK(bills(estimate_billing(months({90, 100, {}}), register_id::total, std::nullopt, false))[2] ==
          "none 0");
}

TEST_CASE("real readings replace the estimates: the difference is recalculated") {
    const auto before = months({100, 100, 100, {}, {}});
    const auto charged = estimate_billing(before, register_id::total, std::nullopt, false);
    const auto after = months({100, 100, 100, 130, 90});  // the readings that arrived bracket the gap
    const auto r = recalculate(charged, after, register_id::total);
    REQUIRE(r.size() == 2);
    CHECK(decimal::from_raw(r[0].difference) == decimal::from_integer(30));
    CHECK(decimal::from_raw(r[1].difference) == decimal::from_integer(-10));
}

TEST_CASE(
    "interval data: short gaps interpolated, long ones profiled from like days and shaped to the delta") {
    // half-hourly, Monday 01.06.2020 to Friday 05.06.2020 (UTC): 1 an interval before 12:00, 3 after
    meter_series s("m");
    std::int64_t v = 0;
    const std::int64_t start = to_unix(at("2020-06-01T00:00:00Z")),
                       gap_from = to_unix(at("2020-06-05T10:00:00Z")),
                       gap_to = to_unix(at("2020-06-05T14:00:00Z")),
                       short_from = to_unix(at("2020-06-04T06:00:00Z"));
    for (std::int64_t t = start; t <= to_unix(at("2020-06-05T20:00:00Z")); t += 1800) {
        const bool in_gap = (t > gap_from && t < gap_to) || t == short_from + 1800;
        if (!in_gap) {
            std::array<std::int64_t, register_count> vals;
            vals.fill(decimal::missing_raw);
            vals[0] = v;
            s.push(t, vals);
        }
        // Friday's gap consumes twice the usual: the shaping must follow the register, not the profile
        const bool friday_gap = t >= gap_from && t < gap_to;
        const int hour = static_cast<int>((t / 3600) % 24);
        v += raw(hour < 12 ? "1" : "3") * (friday_gap ? 2 : 1);
    }
    const auto filled = fill_gaps(s.view(channel{}), zone::utc());
    auto point = [&](std::int64_t t) {
        for (const auto& p : filled)
            if (p.time == t) return p;
        FAIL("no point at " << to_string(from_unix(t)));
        return filled_point{};
    };
    // the one missing point on Thursday 06:30: halfway between 06:00 and 07:00
    const auto mid = point(short_from + 1800);
    CHECK(mid.flag == quality::interpolated);
    CHECK(mid.value == point(short_from).value + raw("1"));
    // Friday 10:00-14:00: profile 1,1,1,1,3,3,3 (+3) from Monday-Thursday, scaled to the actual delta of 32
    const std::int64_t v0 = point(gap_from).value;
    CHECK(point(gap_to).value - v0 == raw("32"));
    const std::vector<const char*> expected{"2", "4", "6", "8", "14", "20", "26"};
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const auto p = point(gap_from + static_cast<std::int64_t>(i + 1) * 1800);
        CHECK(p.flag == quality::shaped);
        CHECK(p.value - v0 == raw(expected[i]));
    }
    // actual points are never changed; projection past the last reading follows the profile
    CHECK(point(start).flag == quality::actual);
    const auto ahead = fill_gaps(s.view(channel{}), zone::utc(), {}, to_unix(at("2020-06-05T21:00:00Z")));
    REQUIRE(ahead.back().flag == quality::profiled);
    CHECK(ahead.back().value - ahead[ahead.size() - 3].value == raw("6"));  // two intervals of 3 after noon
}

TEST_CASE("the building share, formula 12 of ПП 354, with the negative-share policy") {
    // (12000 - 1000 - 4000 - 5000) x 60 / 2400 = 50
    building_share_input in{decimal::from_integer(12000),
                            decimal::from_integer(1000),
                            decimal::from_integer(4000),
                            decimal::from_integer(5000),
                            decimal::from_integer(2400),
                            {{"A", decimal::from_integer(60)},
                             {"B", decimal::from_integer(40)},
                             {"C", decimal::from_integer(100)}}};
    auto s = share_building(in);
    CHECK(s.to_share == decimal::from_integer(2000));
    CHECK(s.shares[0].second == decimal::from_integer(50));
    CHECK(to_string(s.shares[1].second) == "33.333333");  // cumulative: 83.333333 - 50
    CHECK(to_string(s.shares[2].second) == "83.333334");  // 166.666667 - 83.333333
    in.building = decimal::from_integer(9000);            // -1000 to share
    CHECK(share_building(in, negative_share::clip_to_zero).shares[0].second == decimal{});
    CHECK(share_building(in, negative_share::distribute).shares[0].second == decimal::from_integer(-25));
    const auto carried = share_building(in, negative_share::carry_forward);
    CHECK(carried.carried == decimal::from_integer(-1000));
    CHECK(carried.shares[2].second == decimal{});
}
