// Verification dates and states: the examples of the seeds reproduced exactly, and hand-worked cases.
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
calendar_date day(const char* s) {
    return parse_date(s);
}
}  // namespace

TEST_CASE("verification dates of the seeds, under both rules") {
    // 001 §3.3.2.1 and §3.3.3: last verification -> next verification
    CHECK(next_verification(day("20.05.2019"), 10, due_rule::same_date) == day("20.05.2029"));
    CHECK(next_verification(day("14.11.2017"), 10, due_rule::same_date) == day("14.11.2027"));
    CHECK(next_verification(day("15.02.2017"), 6, due_rule::same_date) == day("15.02.2023"));
    CHECK(next_verification(day("12.07.2018"), 4, due_rule::same_date) == day("12.07.2022"));
    CHECK(next_verification(day("01.03.2018"), 10, due_rule::day_before) == day("28.02.2028"));
    // 29 February
    CHECK(add_years(day("2016-02-29"), 1) == day("2017-02-28"));
    CHECK(add_years(day("2016-02-29"), 4) == day("2020-02-29"));
    CHECK(next_verification(day("2016-02-29"), 6, due_rule::day_before) ==
          day("2022-02-28"));  // 28.02.2016 + 6
    // the two rules part only around 29 February: valid through 28.02.2028, expired from 29.02.2028
    CHECK(verification_expiry(day("01.03.2018"), 10, due_rule::day_before) == day("29.02.2028"));
    CHECK(verification_expiry(day("01.03.2018"), 10, due_rule::same_date) == day("01.03.2028"));
    CHECK(verification_expiry(day("20.05.2019"), 10, due_rule::day_before) == day("20.05.2029"));
}

TEST_CASE("status on a date: valid, due soon, expired, the base falls back to manufacture") {
    const auto mpi16 = model_with(16, 30);  // 004: МИР С-07, МПИ 16, service life 30
    meter m;
    m.serial = "44103814060174";
    m.manufactured = day("01.02.2022");
    auto st = verification_of(m, &mpi16, day("2026-11-21"));
    CHECK(st.state == verification_state::valid);
    CHECK(st.base == day("2022-02-01"));
    CHECK(st.next == day("2038-02-01"));
    CHECK(st.service_life_end == day("2052-02-01"));
    m.last_verification = day("2010-12-01");
    const auto four = model_with(4);
    CHECK(verification_of(m, &four, day("2014-10-31")).state == verification_state::valid);  // 31 days before
    CHECK(verification_of(m, &four, day("2014-11-01")).state == verification_state::due_soon);
    CHECK(verification_of(m, &four, day("2014-11-30")).state == verification_state::due_soon);
    CHECK(verification_of(m, &four, day("2014-12-01")).state ==
          verification_state::expired);  // from the date on
    verification_policy through;
    through.rule = due_rule::day_before;
    const auto st2 = verification_of(m, &four, day("2014-11-30"), through);
    CHECK(st2.next == day("2014-11-30"));  // shown as "valid through", still not expired that day
    CHECK(st2.state == verification_state::due_soon);
    CHECK(verification_of(m, nullptr, day("2014-12-01")).state == verification_state::unknown);
    meter bare;
    CHECK(verification_of(bare, &four, day("2014-12-01")).state == verification_state::unknown);
}

TEST_CASE("an expired meter fails for billing, except in the 2020 suspension") {
    const auto four = model_with(4);
    meter m;
    m.last_verification = day("2016-05-01");  // expires 2020-05-01, inside the suspension
    CHECK(verification_of(m, &four, day("2020-05-01")).state == verification_state::expired);
    CHECK_FALSE(verification_of(m, &four, day("2020-05-01")).failed_for_billing);
    CHECK_FALSE(verification_of(m, &four, day("2020-12-31")).failed_for_billing);
    CHECK(verification_of(m, &four, day("2021-01-01")).failed_for_billing);
    m.last_verification = day("2016-03-01");
    CHECK(verification_of(m, &four, day("2020-03-02")).failed_for_billing);  // before the suspension
    CHECK_FALSE(verification_of(m, &four, day("2020-04-06")).failed_for_billing);
    verification_policy no_suspension;
    no_suspension.suspensions.clear();
    CHECK(verification_of(m, &four, day("2020-04-06"), no_suspension).failed_for_billing);
}

TEST_CASE("counts of meters needing verification (004 analytics)") {
    const auto four = model_with(4);
    meter a, b, c, removed;
    a.serial = "a";
    a.model = "x";
    a.last_verification = day("2018-01-01");  // valid until 2022
    b.serial = "b";
    b.model = "x";
    b.last_verification = day("2016-09-01");  // expires 2020-09-01: due soon on 2020-08-21
    c.serial = "c";
    c.model = "x";
    c.last_verification = day("2015-01-01");  // expired
    removed.serial = "r";
    removed.model = "x";
    removed.removed = day("2019-01-01");
    const fleet f({}, {}, {}, {}, {four}, {a, b, c, removed});
    const auto n = count_verification(f, day("2020-08-21"));
    CHECK(n.valid == 1);
    CHECK(n.due_soon == 1);
    CHECK(n.expired == 1);
    CHECK(n.needing_verification() == 2);
    CHECK(n.unknown == 0);
}
