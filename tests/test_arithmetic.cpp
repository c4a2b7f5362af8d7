// Arithmetic never wraps (issue 8): the reproductions, the edges of the exact range, and property tests that
// check consumption, aggregation, split and cost sums against arbitrary-precision arithmetic
// (boost::multiprecision::cpp_int) computed here, independently of the library. Random cases
// use a fixed seed, printed, so that a failure reproduces (KVANT_ARITH_SEED overrides it).
#include <algorithm>
#include <array>
#include <boost/multiprecision/cpp_int.hpp>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <random>
#include <string>

#include "core/int128.hpp"  // the library's internal 128-bit integer (no public header names one)
#include "kvant/algorithms/aggregate.hpp"
#include "kvant/algorithms/consumption.hpp"
#include "kvant/algorithms/cost.hpp"
#include "kvant/algorithms/estimation.hpp"
#include "kvant/algorithms/register_value.hpp"
#include "kvant/algorithms/tariff.hpp"
#include "kvant/algorithms/verification.hpp"
#include "kvant/core/money.hpp"
#include "support.hpp"

using namespace kvant;
using namespace kvant::test;
using big = boost::multiprecision::cpp_int;

namespace {
const big exact_max = big(std::numeric_limits<std::int64_t>::max());  // 2^63 − 1, the range is ±this

bool in_range(const big& x) {
    return x <= exact_max && x >= -exact_max;
}

/// n / q rounded half to even (q > 0), in arbitrary precision: the test's own rounding.
big round_half_even(const big& n, const big& q) {
    big quo = n / q, rem = n % q;  // truncation towards zero
    if (rem != 0) {
        const big twice = abs(rem) * 2;
        if (twice > q || (twice == q && (quo % 2 != 0))) quo += n < 0 ? -1 : 1;
    }
    return quo;
}

std::uint64_t seed() {
    static const std::uint64_t s = [] {
        const char* e = std::getenv("KVANT_ARITH_SEED");
        const std::uint64_t v = e ? std::strtoull(e, nullptr, 10) : 20261123;
        std::cout << "test_arithmetic: seed " << v << " (set KVANT_ARITH_SEED to repeat another)\n";
        return v;
    }();
    return s;
}

template <class F>
errc code_of(F&& f) {
    try {
        f();
    } catch (const error& e) {
        return e.code();
    }
    return errc::parse;  // nothing thrown
}

meter_series two_readings(const char* serial, const char* t0, const char* v0, const char* t1,
                          const char* v1) {
    return totals(serial, {{t0, v0}, {t1, v1}});
}

register_params ratio(const char* r) {
    register_params p;
    p.transformer_ratio = dec(r);
    return p;
}

consumption_options by(period_kind k) {
    consumption_options o;
    o.periods = {k};
    return o;
}
}  // namespace

// ------------------------------------------------------------------------------------------ reproductions

TEST_CASE(
    "issue 8: consumption × transformer ratio past the exact range is an error naming meter and period") {
    // 922337203686 × 10 = 9223372036860 > 9223372036854.775807: printed -9223372036849.551616 before
    const auto s = two_readings("R2", "2020-01-01T00:00:00Z", "0", "2020-02-01T00:00:00Z", "922337203686");
    try {
        (void)consumption(s, zone::utc(), ratio("10"), by(period_kind::month));
        FAIL("no error");
    } catch (const arithmetic_error& e) {
        CHECK(e.code() == errc::overflow);
        const std::string w = e.what();
        CHECK(w.rfind("[kvant.validation.204] meter 'R2', channel active_import, period 2020-01:", 0) == 0);
        CHECK(w.find("922337203686") != std::string::npos);
        CHECK(w.find("ratio 10") != std::string::npos);
        CHECK(w.find("2020-01-01T00:00:00Z") != std::string::npos);
    }
    // 999999999999 × 1000: printed 3875820018684.212736 before
    const auto s2 = two_readings("R2", "2020-01-01T00:00:00Z", "0", "2020-02-01T00:00:00Z", "999999999999");
    CHECK(code_of([&] { (void)consumption(s2, zone::utc(), ratio("1000"), by(period_kind::month)); }) ==
          errc::overflow);
    // by day the step straddles 31 periods: the error names them all
    try {
        (void)consumption(s, zone::utc(), ratio("10"), by(period_kind::day));
        FAIL("no error");
    } catch (const arithmetic_error& e) {
        CHECK(std::string(e.what()).find("periods 2020-01-01..2020-01-31") != std::string::npos);
    }
    // the largest product that fits is exact: 922337203685 × 10
    const auto ok = two_readings("R2", "2020-01-01T00:00:00Z", "0", "2020-02-01T00:00:00Z", "922337203685");
    const auto mc = consumption(ok, zone::utc(), ratio("10"), by(period_kind::month));
    CHECK(mc.registers.at(0).value.at(0) == 9'223'372'036'850'000'000);
}

TEST_CASE("a fractional ratio, a sum of in-range steps, and the fast path all refuse to wrap") {
    // a fractional ratio (no fast path): 900000000000 × 10.5 = 9450000000000 > 9223372036854.775807
    const auto s = two_readings("F", "2020-01-01T00:00:00Z", "0", "2020-01-02T00:00:00Z", "900000000000");
    CHECK(code_of([&] { (void)consumption(s, zone::utc(), ratio("10.5"), by(period_kind::month)); }) ==
          errc::overflow);
    // each step fits, their sum in one month does not: 3 steps of 400000000000 × 10 = 4e12 each
    const auto three = totals("S", {{"2020-01-01T00:00:00Z", "0"},
                                    {"2020-01-02T00:00:00Z", "400000000000"},
                                    {"2020-01-02T12:00:00Z", "400000000000"},  // a decrease-free run
                                    {"2020-01-03T00:00:00Z", "800000000000"},
                                    {"2020-01-04T00:00:00Z", "999999999999"}});
    CHECK(code_of([&] { (void)consumption(three, zone::utc(), ratio("10"), by(period_kind::month)); }) ==
          errc::overflow);
    // by day the same readings fit: 4e12, 4e12, 1999999999990 per day
    const auto daily = consumption(three, zone::utc(), ratio("10"), by(period_kind::day));
    REQUIRE(daily.registers.at(0).value.size() == 3);
    CHECK(daily.registers[0].value[0] == 4'000'000'000'000'000'000);
    CHECK(daily.registers[0].value[1] == 4'000'000'000'000'000'000);
    CHECK(daily.registers[0].value[2] == 1'999'999'999'990'000'000);
    // a negative step past the range (raw values from the API, not from text): an error, not a wrap
    meter_series api("A");
    std::array<std::int64_t, register_count> v;
    v.fill(decimal::missing_raw);
    v[0] = -9'000'000'000'000'000'000;
    api.push(to_unix(at("2020-01-01T00:00:00Z")), v);
    v[0] = 9'000'000'000'000'000'000;
    api.push(to_unix(at("2020-01-02T00:00:00Z")), v);
    CHECK(code_of([&] { (void)consumption(api, zone::utc(), {}, by(period_kind::month)); }) ==
          errc::overflow);
}

// ------------------------------------------------------------------------------------------ decimal and
// money

TEST_CASE("decimal operators: exact inside ±(2^63 − 1) millionths, an error outside") {
    const decimal top = decimal::from_raw(std::numeric_limits<std::int64_t>::max());
    const decimal one_millionth = decimal::from_raw(1);
    CHECK_THROWS_AS(top + one_millionth, arithmetic_error);
    CHECK_THROWS_AS(-top - one_millionth, arithmetic_error);  // −2^63 is the missing marker, not a value
    CHECK_THROWS_AS(-decimal::from_raw(decimal::missing_raw), arithmetic_error);
    CHECK((top - one_millionth).raw() == std::numeric_limits<std::int64_t>::max() - 1);
    CHECK((-top).raw() == -std::numeric_limits<std::int64_t>::max());
    decimal acc = top;
    CHECK_THROWS_AS(acc += one_millionth, arithmetic_error);
    CHECK_THROWS_AS(acc -= -one_millionth, arithmetic_error);
    // 3037000.499976² = 9223372036854.473976000576 (Python decimal): rounds to a value just inside the range
    CHECK((dec("3037000.499976") * dec("3037000.499976")).raw() == 9'223'372'036'854'473'976);
    CHECK_THROWS_AS(dec("3037000.499976") * dec("3037000.499976") * dec("2"), arithmetic_error);
    CHECK_THROWS_AS(dec("999999999999") * dec("999999999999"), arithmetic_error);
    CHECK_THROWS_AS(decimal::from_integer(9'223'372'036'855), arithmetic_error);
    CHECK(decimal::from_integer(9'223'372'036'854).raw() == 9'223'372'036'854'000'000);
    // the 128-bit quotient is checked as it is narrowed
    CHECK_THROWS_AS(decimal::div_round_half_even(static_cast<detail::int128>(1) << 80, 3), arithmetic_error);
    CHECK(decimal::div_round_half_even(7, 2) == 4);
    CHECK(decimal::div_round_half_even(5, 2) == 2);
    try {
        (void)(top + top);
    } catch (const arithmetic_error& e) {
        CHECK(std::string(e.what()) ==
              "[kvant.validation.204] 9223372036854.775807 + 9223372036854.775807 is outside the exact range "
              "±9223372036854.775807");
    }
}

TEST_CASE("property: decimal +, −, × agree with arbitrary precision or throw errc::overflow") {
    std::mt19937_64 rng(seed());
    // operands spread over every magnitude, with the edges of the range well represented
    auto pick = [&]() -> std::int64_t {
        const int shift = static_cast<int>(rng() % 64);
        std::int64_t x = static_cast<std::int64_t>(rng() >> shift);
        if (rng() % 8 == 0)
            x = std::numeric_limits<std::int64_t>::max() - static_cast<std::int64_t>(rng() % 4);
        if (x == std::numeric_limits<std::int64_t>::min()) x = 0;
        return rng() % 2 ? x : -x;
    };
    int thrown = 0, exact = 0;
    for (int i = 0; i < 200000; ++i) {
        const std::int64_t a = pick(), b = pick();
        const decimal da = decimal::from_raw(a), db = decimal::from_raw(b);
        const big sum = big(a) + b, diff = big(a) - b, prod = round_half_even(big(a) * b, big(1000000));
        auto check = [&](const big& want, auto op) {
            if (in_range(want)) {
                ++exact;
                CHECK(big(op().raw()) == want);
            } else {
                ++thrown;
                CHECK(code_of([&] { (void)op(); }) == errc::overflow);
            }
        };
        check(sum, [&] { return da + db; });
        check(diff, [&] { return da - db; });
        check(prod, [&] { return da * db; });
    }
    CHECK(thrown > 10000);  // the edges were reached
    CHECK(exact > 10000);
}

TEST_CASE("property: money amounts and sums agree with arbitrary precision or throw errc::overflow") {
    std::mt19937_64 rng(seed() + 1);
    for (int i = 0; i < 50000; ++i) {
        const std::int64_t q = static_cast<std::int64_t>(rng() >> (rng() % 64)) * (rng() % 2 ? 1 : -1);
        const std::int64_t p = static_cast<std::int64_t>(rng() >> (20 + rng() % 44));
        // round half away from zero to kopecks: 10^-12 roubles per unit of the product, 10^10 per kopeck
        const big prod = big(q) * p;
        big k = (abs(prod) + 5000000000) / big(10000000000LL);
        if (prod < 0) k = -k;
        if (in_range(k)) {
            const money m = amount(decimal::from_raw(q), decimal::from_raw(p));
            CHECK(big(m.kopecks()) == k);
            const std::int64_t other = static_cast<std::int64_t>(rng() >> (rng() % 64));
            const big s = big(m.kopecks()) + other;
            if (in_range(s))
                CHECK(big((m + money::from_kopecks(other)).kopecks()) == s);
            else
                CHECK(code_of([&] { (void)(m + money::from_kopecks(other)); }) == errc::overflow);
        } else {
            CHECK(code_of([&] { (void)amount(decimal::from_raw(q), decimal::from_raw(p)); }) ==
                  errc::overflow);
        }
    }
}

// ------------------------------------------------------------------------------------------ consumption

namespace {
struct random_meter {
    meter_series series;
    std::vector<std::int64_t> t, v;  // the readings
};

/// Non-decreasing readings of one register: 2..40 readings, steps of a minute to 40 days from a random start
/// in 2020, a total delta chosen so that delta × ratio is small, near the range edge, or anywhere.
random_meter make_meter(std::mt19937_64& rng, const std::string& serial, std::int64_t ratio_raw) {
    random_meter m{meter_series(serial), {}, {}};
    const std::size_t n = 2 + rng() % 39;
    const big edge = exact_max * 1000000 / ratio_raw;  // the delta whose product with the ratio is the edge
    big total;
    std::int64_t longest = 40 * 86400;  // the longest step, seconds
    switch (rng() % 3) {
        case 0:
            total = big(rng() % 1000000000000ULL);
            break;
        case 1:  // 0.9..1.1 of the edge, in steps of at most an hour, so that most fall in one period
            total = edge * (900000 + rng() % 200001) / 1000000;
            longest = 3600;
            break;
        default:
            total = edge * (rng() % 1000001) / 1000000;
    }
    if (total > exact_max) total = exact_max;
    const std::int64_t delta = static_cast<std::int64_t>(total);
    const std::uint64_t room = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max() - delta);
    std::int64_t v = static_cast<std::int64_t>(rng() % (room / 2 + 1));
    std::int64_t t = to_unix(at("2020-01-01T00:00:00Z")) + static_cast<std::int64_t>(rng() % (300 * 86400));
    // cut the delta at n − 1 random points
    std::vector<std::int64_t> cuts{0, delta};
    for (std::size_t i = 0; i + 2 < n; ++i)
        cuts.push_back(static_cast<std::int64_t>(rng() % (static_cast<std::uint64_t>(delta) + 1)));
    std::sort(cuts.begin(), cuts.end());
    const std::int64_t v0 = v;
    for (std::size_t i = 0; i < cuts.size(); ++i) {
        std::array<std::int64_t, register_count> vals;
        vals.fill(decimal::missing_raw);
        vals[0] = v0 + cuts[i];
        m.series.push(t, vals);
        m.t.push_back(t);
        m.v.push_back(vals[0]);
        t += 60 + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(longest));
    }
    return m;
}

std::int64_t random_ratio(std::mt19937_64& rng) {
    switch (rng() % 5) {
        case 0:
            return 1000000;
        case 1:
            return 10 * 1000000;
        case 2:
            return static_cast<std::int64_t>(1 + rng() % 100000) * 1000000;  // integer: the fast path
        case 3:
            return 7500000;  // 7.5
        default:
            return 1 + static_cast<std::int64_t>(rng() % 100000000000ULL);  // any, down to 0.000001
    }
}

/// What the periods must hold, from the readings alone: every step's delta × ratio (rounded half to even, as
/// the library rounds a step) spread uniformly over [t0, t1). A step wholly inside a period gives it exactly
/// its delta; a straddling one gives each period a part within one millionth of its exact share. So a
/// period's value lies in [low − straddling, low + 2 × straddling], low being the sum of the floors of its
/// exact shares. `step_ok` is false when some step's product is outside the range.
struct reference {
    std::vector<big> low;
    std::vector<int> straddling;
    big total;  // Σ round_half_even(delta × ratio) over the steps: what the periods add up to exactly
    bool step_ok = true;

    bool surely_out(std::size_t k) const { return !in_range(low[k] - straddling[k]); }
    bool maybe_out(std::size_t k) const { return !in_range(low[k] + 2 * straddling[k]); }
    bool holds(std::size_t k, std::int64_t v) const {
        return big(v) >= low[k] - straddling[k] && big(v) <= low[k] + 2 * straddling[k];
    }
};

reference reference_of(const random_meter& m, std::int64_t ratio_raw, const std::vector<period>& ps) {
    reference r;
    r.low.assign(ps.size(), big(0));
    r.straddling.assign(ps.size(), 0);
    std::vector<std::int64_t> bounds;
    for (const auto& pr : ps) bounds.push_back(to_unix(pr.begin));
    if (!ps.empty()) bounds.push_back(to_unix(ps.back().end));
    for (std::size_t i = 0; i + 1 < m.t.size(); ++i) {
        const big d = round_half_even(big(m.v[i + 1] - m.v[i]) * ratio_raw, big(1000000));
        if (!in_range(d)) r.step_ok = false;
        r.total += d;
        const std::int64_t t0 = m.t[i], t1 = m.t[i + 1];
        std::size_t k =
            static_cast<std::size_t>(std::upper_bound(bounds.begin(), bounds.end(), t0) - bounds.begin());
        k = k == 0 ? 0 : k - 1;
        for (; k < ps.size() && bounds[k] < t1; ++k) {
            const std::int64_t a = std::max(t0, bounds[k]), b = std::min(t1, bounds[k + 1]);
            if (b <= a) continue;
            r.low[k] += d * (b - a) / (t1 - t0);  // d ≥ 0: truncation is the floor
            if (b - a != t1 - t0) ++r.straddling[k];
        }
    }
    return r;
}
}  // namespace

TEST_CASE("property: consumption per period against arbitrary precision, overflow throws, never wraps") {
    std::mt19937_64 rng(seed() + 2);
    const zone msk = zone::parse("Europe/Moscow");
    int thrown = 0, computed = 0;
    for (int iter = 0; iter < 3000; ++iter) {
        const std::int64_t ratio_raw = random_ratio(rng);
        const auto m = make_meter(rng, "P" + std::to_string(iter), ratio_raw);
        register_params p;
        p.transformer_ratio = decimal::from_raw(ratio_raw);
        const period_kind kind = rng() % 2 ? period_kind::day : period_kind::month;
        const zone& z = rng() % 2 ? msk : zone::utc();
        const auto ps = periods_of(m.series, z, by(kind));
        const reference ref = reference_of(m, ratio_raw, ps);
        // throws for sure when a step or a period surely leaves the range; computes for sure when every
        // step and every period surely stays inside it; near the edge (within the rounding) either is right
        bool must_throw = !ref.step_ok, must_compute = ref.step_ok;
        for (std::size_t k = 0; k < ps.size(); ++k) {
            if (ref.surely_out(k)) must_throw = true;
            if (ref.maybe_out(k)) must_compute = false;
        }
        INFO("iteration " << iter << ", ratio raw " << ratio_raw << ", readings " << m.t.size());
        try {
            const auto mc = consumption(m.series, z, p, by(kind));
            ++computed;
            CHECK_FALSE(must_throw);
            const auto& vals = mc.registers.at(0).value;
            REQUIRE(vals.size() == ps.size());
            big sum = 0;
            for (std::size_t k = 0; k < ps.size(); ++k) {
                sum += vals[k];
                CHECK(ref.holds(k, vals[k]));  // within one millionth per straddling step of its exact share
            }
            CHECK(sum == ref.total);  // the parts add up exactly
        } catch (const arithmetic_error& e) {
            ++thrown;
            CHECK_FALSE(must_compute);
            CHECK(e.code() == errc::overflow);
            CHECK(std::string(e.what()).find("meter 'P" + std::to_string(iter) +
                                             "', channel active_import, period") != std::string::npos);
        }
    }
    std::cout << "consumption property: " << computed << " computed, " << thrown << " overflowed\n";
    CHECK(thrown > 100);
    CHECK(computed > 100);
}

TEST_CASE("property: group sums against arbitrary precision, a sum past the range throws") {
    std::mt19937_64 rng(seed() + 3);
    int thrown = 0, computed = 0;
    for (int iter = 0; iter < 300; ++iter) {
        // 2..6 meters of one point, one month each, consumption near a sixth of the range or anywhere
        const std::size_t n = 2 + rng() % 5;
        std::vector<meter> ms;
        std::vector<meter_consumption> per;
        big want = 0;
        for (std::size_t j = 0; j < n; ++j) {
            const std::int64_t d = static_cast<std::int64_t>(
                rng() % (rng() % 2 ? 6'000'000'000'000'000'000ULL : 1'000'000'000'000ULL));
            meter mt;
            mt.serial = "G" + std::to_string(j);
            ms.push_back(mt);
            meter_series s(mt.serial);
            std::array<std::int64_t, register_count> vals;
            vals.fill(decimal::missing_raw);
            vals[0] = 0;
            s.push(to_unix(at("2020-03-01T00:00:00Z")), vals);
            vals[0] = d;
            s.push(to_unix(at("2020-04-01T00:00:00Z")), vals);
            per.push_back(consumption(s, zone::utc(), {}, by(period_kind::month)));
            want += d;
        }
        const fleet f = one_point_fleet(ms);
        try {
            const auto rows = aggregate(f, per, group_level::point);
            ++computed;
            CHECK(in_range(want));
            REQUIRE(rows.size() == 1);
            CHECK(big(rows[0].value) == want);
            CHECK(rows[0].meters == n);
        } catch (const arithmetic_error& e) {
            ++thrown;
            CHECK_FALSE(in_range(want));
            CHECK(std::string(e.what()).find("group 'tp'") != std::string::npos);
            CHECK(std::string(e.what()).find("period starting 2020-03-01") != std::string::npos);
        }
    }
    CHECK(thrown > 10);
    CHECK(computed > 10);
}

TEST_CASE("property: split cells add up to the consumption, zone totals past the range throw") {
    std::mt19937_64 rng(seed() + 4);
    const tariff_calendar cal(two_zone_schedule());
    const zone msk = zone::parse("Europe/Moscow");
    int thrown = 0, computed = 0;
    for (int iter = 0; iter < 1000; ++iter) {
        const std::int64_t ratio_raw = random_ratio(rng);
        const auto m = make_meter(rng, "Z" + std::to_string(iter), ratio_raw);
        register_params p;
        p.transformer_ratio = decimal::from_raw(ratio_raw);
        const auto ps = periods_of(m.series, msk, by(period_kind::month));
        const reference ref = reference_of(m, ratio_raw, ps);
        try {
            const auto zc = split_by_schedule(m.series, msk, cal, p, by(period_kind::month));
            ++computed;
            CHECK(ref.step_ok);
            big all = 0;
            const std::size_t total = static_cast<std::size_t>(cal.index_of("total"));
            for (std::size_t k = 0; k < zc.periods.size(); ++k) {
                big leaves = 0;
                for (std::size_t z = 0; z < cal.leaf_count(); ++z) leaves += zc.value[z][k];
                CHECK(big(zc.value[total][k]) == leaves);  // the total row is the sum of the zones
                all += leaves;
            }
            CHECK(all == ref.total);  // and the cells add up exactly to the steps' consumption
        } catch (const arithmetic_error& e) {
            ++thrown;
            CHECK(e.code() == errc::overflow);
            // a step past the range, or a sum that is: the exact total of some period is near or past the
            // edge
            bool near_edge = !ref.step_ok;
            for (std::size_t k = 0; k < ps.size(); ++k) near_edge = near_edge || ref.maybe_out(k);
            CHECK(near_edge);
            CHECK(std::string(e.what()).find("meter 'Z" + std::to_string(iter) + "'") != std::string::npos);
        }
    }
    CHECK(thrown > 50);
    CHECK(computed > 50);
}

TEST_CASE("cost: an amount or a bill past the range of money is an error naming meter, period and zone") {
    const tariff_calendar cal(two_zone_schedule());
    // 900000000000 kWh in one night × 100000 roubles = 9e16 roubles = 9e18 kopecks: in range (< 9.22e18)
    const auto s =
        two_readings("C", "2020-03-01T00:00:00+03:00", "0", "2020-03-01T06:00:00+03:00", "900000000000");
    const zone msk = zone::parse("Europe/Moscow");
    const std::vector<rate> rates{{"total", calendar_date{date::year{2020} / 1 / 1}, dec("100000")}};
    const auto bill = cost(s, msk, cal, rates, {}, by(period_kind::month));
    REQUIRE(bill.total.size() == 1);
    CHECK(bill.total[0].kopecks() == 9'000'000'000'000'000'000);
    // × 200000 it is not
    const std::vector<rate> dear{{"total", calendar_date{date::year{2020} / 1 / 1}, dec("200000")}};
    try {
        (void)cost(s, msk, cal, dear, {}, by(period_kind::month));
        FAIL("no error");
    } catch (const arithmetic_error& e) {
        CHECK(std::string(e.what()).rfind(
                  "[kvant.validation.204] meter 'C', period 2020-03, zone 'total': amount", 0) == 0);
    }
    // two lines of about 5e18 kopecks each fit (night and day billed apart), their sum does not
    const auto both = two_readings("C", "2020-03-01T03:00:00+03:00", "0", "2020-03-01T11:00:00+03:00",
                                   "999999999999");  // 4 h night, 4 h day: 499999999999.5 kWh each
    const std::vector<rate> even{{"night", calendar_date{date::year{2020} / 1 / 1}, dec("100000")},
                                 {"day", calendar_date{date::year{2020} / 1 / 1}, dec("100000")}};
    CHECK(code_of([&] { (void)cost(both, msk, cal, even, {}, by(period_kind::month)); }) == errc::overflow);
    // bills of several meters: their group total is checked too
    meter_cost a, b;
    a.meter = "a";
    b.meter = "b";
    a.periods = b.periods = bill.periods;
    a.total = b.total = {money::from_kopecks(5'000'000'000'000'000'000)};
    a.complete = b.complete = {1};
    const fleet f = one_point_fleet({});
    const std::vector<meter_cost> bills{a, b};
    // meters unknown to the fleet have no account: both are summed in the group ''
    try {
        (void)aggregate_cost(f, bills, group_level::account);
        FAIL("no error");
    } catch (const arithmetic_error& e) {
        CHECK(std::string(e.what()).find("group '', period starting 2020-03-01: money 50000000000000000.00 + "
                                         "50000000000000000.00 is outside") != std::string::npos);
    }
}

TEST_CASE("interpolation between readings far apart in value stays exact (128-bit difference)") {
    // −9e18 and 9e18 raw, 1 h apart: the difference 1.8e19 does not fit 64 bits, the values between do
    meter_series s("I");
    std::array<std::int64_t, register_count> v;
    v.fill(decimal::missing_raw);
    v[0] = -9'000'000'000'000'000'000;
    s.push(to_unix(at("2020-01-01T00:00:00Z")), v);
    v[0] = 9'000'000'000'000'000'000;
    s.push(to_unix(at("2020-01-01T01:00:00Z")), v);
    const auto rs = s.view(channel{});
    CHECK(value_at(rs, to_unix(at("2020-01-01T00:30:00Z"))) == 0);
    CHECK(value_at(rs, to_unix(at("2020-01-01T00:15:00Z"))) == -4'500'000'000'000'000'000);
    // fill_gaps interpolates the 30-minute grid point the same way
    const auto filled = fill_gaps(rs, zone::utc());
    REQUIRE(filled.size() == 3);
    CHECK(filled[1].value == 0);
    CHECK(filled[1].flag == quality::interpolated);
    // the expected reading past them extrapolates a step that is itself out of range: an error
    CHECK(code_of([&] { (void)expected_reading(rs, to_unix(at("2020-01-01T02:00:00Z")), {}); }) ==
          errc::overflow);
}

TEST_CASE("gap filling shaped by a profile stays exact where delta × profile passes 128 bits") {
    // Monday 2020-01-06 in 48 half-hour steps of 187500000000.000000 (0 to 9000000000000), then the register
    // is reset to 0 at Tuesday 00:30 and read 9000000000000 again on Friday 00:30: 143 missing points, each
    // shaped by Monday's equal steps. The exact value at the k-th is 9000000000000 × k / 144 = k ×
    // 62500000000. The products delta × cumulated profile reach 9e18 × 2.7e19 > 2^127 raw: the old 128-bit
    // arithmetic wrapped.
    meter_series s("G");
    std::array<std::int64_t, register_count> v;
    v.fill(decimal::missing_raw);
    const std::int64_t monday = to_unix(at("2020-01-06T00:00:00Z")), step = 1800;
    const std::int64_t inc = 187'500'000'000'000'000;  // raw
    for (std::int64_t k = 0; k <= 48; ++k) {
        v[0] = k * inc;
        s.push(monday + k * step, v);
    }
    v[0] = 0;
    s.push(monday + 49 * step, v);  // Tuesday 00:30
    v[0] = 48 * inc;
    s.push(monday + 4 * 48 * step + step, v);  // Friday 00:30
    const auto filled = fill_gaps(s.view(channel{}), zone::utc());
    std::size_t shaped = 0;
    for (const auto& p : filled) {
        if (p.flag != quality::shaped) continue;
        ++shaped;
        const std::int64_t k = (p.time - (monday + 49 * step)) / step;
        CHECK(p.value == k * 62'500'000'000'000'000);
    }
    CHECK(shaped == 143);
}

TEST_CASE(
    "gap filling refuses a step out of range and a grid past its bound instead of running for minutes") {
    meter_series s("G");
    std::array<std::int64_t, register_count> v;
    v.fill(decimal::missing_raw);
    v[0] = 0;
    s.push(to_unix(at("1970-01-01T00:00:00Z")), v);
    v[0] = 1'000'000;
    s.push(to_unix(at("2099-12-31T00:00:00Z")), v);
    const auto rs = s.view(channel{});
    vee_policy p;
    p.step = seconds{0};
    CHECK(code_of([&] { (void)fill_gaps(rs, zone::utc(), p); }) == errc::out_of_range);
    p.step = seconds{1800};  // 130 years of half-hours: 2.3 million points, past the 2 million bound
    CHECK(code_of([&] { (void)fill_gaps(rs, zone::utc(), p); }) == errc::out_of_range);
    // 2099-12-31 is day 47481 of the Unix epoch: 47481 × 24 hours, both readings included, within the bound
    p.step = seconds{3600};
    p.max_points = 2'000'000;
    CHECK(fill_gaps(rs, zone::utc(), p).size() == 47'481 * 24 + 1);
}

TEST_CASE("wide_sum: a 128-bit sum in two 64-bit halves carries and borrows exactly") {
    constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
    const std::int64_t parts[] = {max, max, max, 5, -max, -7, max, -max, -max, -max, -max, -max, -3};
    detail::wide_sum s;
    big want = 0;
    for (const auto v : parts) {
        s += v;
        want += v;
        const detail::int128 got = detail::to_int128(s);
        // compare through text: the reference is the arbitrary-precision sum
        const bool neg = got < 0;
        auto mag = static_cast<detail::uint128>(neg ? -got : got);
        std::string digits;
        do {
            digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(mag % 10)));
            mag /= 10;
        } while (mag != 0);
        CHECK((neg ? "-" : "") + digits == want.str());
    }
    CHECK(want == big(-2) * max - 5);  // by hand: 4·max + 5 − 6·max − 7 − 3, past −2^64
}
