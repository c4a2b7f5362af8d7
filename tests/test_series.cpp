// The data path's containers: reading_table (long, one row a value), series and meter_series per channel,
// meter_stream over a store's cursor, and the thread pool the commands spread meters over.
#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>

#include "kvant/core/thread_pool.hpp"
#include "kvant/store/memory_store.hpp"
#include "kvant/store/meter_stream.hpp"
#include "support.hpp"

using namespace kvant;
using namespace kvant::test;

namespace {
const channel a_plus = channel::of(quantity::active_import);
const channel a_minus = channel::of(quantity::active_export);
const channel r_plus = channel::of(quantity::reactive_import);
}  // namespace

TEST_CASE("reading_table: source and acceptance columns appear only when a row needs them") {
    reading_table t;
    const auto m = t.meter_slot("m");
    const auto c = t.channel_slot(a_plus);
    t.push(m, c, 100, 1);
    t.push(m, c, 200, 2);
    CHECK(t.sources().empty());
    CHECK(t.accepted().empty());
    t.push(m, c, 300, 3, reading_source::manual);
    REQUIRE(t.sources().size() == 3);  // back-filled with automatic for the rows before
    CHECK(t.source(0) == reading_source::automatic);
    CHECK(t.source(2) == reading_source::manual);
    CHECK(t.accepted().empty());
    t.push(m, c, 400, 4, reading_source::automatic, 450);
    REQUIRE(t.accepted().size() == 4);
    CHECK(t.accepted_at(0) == reading_table::missing_time);
    CHECK(t.accepted_at(3) == 450);
    CHECK(t.sources().size() == 4);
}

TEST_CASE("reading_table: sort orders by meter, channel, time in place, carrying every column") {
    reading_table t;
    const auto b = t.meter_slot("b"), a = t.meter_slot("a");
    const auto p = t.channel_slot(a_plus), x = t.channel_slot(a_minus);
    t.push(b, x, 30, 3);
    t.push(a, p, 20, 2, reading_source::abonent);
    t.push(b, p, 10, 1);
    t.push(a, p, 10, 5, reading_source::manual, 11);
    t.push(b, x, 10, 4);
    CHECK_FALSE(t.grouped());
    t.sort();
    CHECK(t.grouped());
    // slots: b = 0, a = 1; channels: A+ = 0, A- = 1
    CHECK(t.meter_index() == std::vector<std::uint32_t>{0, 0, 0, 1, 1});
    CHECK(t.channel_index() == std::vector<std::uint16_t>{0, 1, 1, 0, 0});
    CHECK(t.times() == std::vector<std::int64_t>{10, 10, 30, 10, 20});
    CHECK(t.values() == std::vector<std::int64_t>{1, 4, 3, 5, 2});
    CHECK(t.source(3) == reading_source::manual);
    CHECK(t.accepted_at(3) == 11);
    CHECK(t.source(4) == reading_source::abonent);
    CHECK(t.accepted_at(4) == reading_table::missing_time);
    // grouped means one run per (meter, channel) with increasing times, whatever the order of the runs
    reading_table g;
    const auto m2 = g.meter_slot("2"), m1 = g.meter_slot("1");
    g.push(m2, g.channel_slot(a_plus), 5, 1);
    g.push(m1, g.channel_slot(a_plus), 1, 1);
    CHECK(g.grouped());
    g.push(m2, g.channel_slot(a_plus), 6, 1);  // meter 2's A+ again, in a second run
    CHECK_FALSE(g.grouped());
}

TEST_CASE("reading_table: grouped() is remembered only until the rows change") {
    reading_table t;
    const auto w = t.meter_slot("w");
    const auto vol = t.channel_slot(channel::main(resource::cold_water));
    t.push(w, vol, 20, 2);
    t.push(w, t.channel_slot(a_plus), 10, 1);
    CHECK(t.grouped());  // two channels, a run each
    const std::vector<resource> water{resource::cold_water};
    t.map_main(water);  // A+ becomes the volume: one channel whose times go back
    CHECK(t.channel_index() == std::vector<std::uint16_t>{vol, vol});
    CHECK_FALSE(t.grouped());
    t.sort();
    CHECK(t.times() == std::vector<std::int64_t>{10, 20});
    CHECK(t.grouped());
    reading_table copy = t;
    CHECK(copy.grouped());
    copy.push(w, vol, 15, 3);
    CHECK_FALSE(copy.grouped());
    CHECK(t.grouped());
}

TEST_CASE("reading_table: map_main turns a wide file's registers into each meter's main quantity") {
    reading_table t;
    const auto el = t.meter_slot("el"), water = t.meter_slot("w"), heat = t.meter_slot("h");
    for (auto m : {el, water, heat}) {
        t.push(m, t.channel_slot(a_plus), 10, 1);
        t.push(m, t.channel_slot(a_plus.with_tariff(register_id::t2)), 10, 2);
    }
    t.push(water, t.channel_slot(r_plus), 10, 3);  // not active import: left alone
    const resource res[] = {resource::electricity, resource::cold_water, resource::heat};
    t.map_main(res);
    CHECK(t.channel_of(0) == a_plus);
    CHECK(t.channel_of(1) == a_plus.with_tariff(register_id::t2));
    CHECK(t.channel_of(2) == channel::of(quantity::volume));
    CHECK(t.channel_of(3) == channel::of(quantity::volume, register_id::t2));
    CHECK(t.channel_of(4) == channel::of(quantity::heat_energy));
    CHECK(t.channel_of(5) == channel::of(quantity::heat_energy, register_id::t2));
    CHECK(t.channel_of(6) == r_plus);
}

TEST_CASE("series: over caller-owned arrays without a copy, checked, owning ones copy-on-write") {
    const std::vector<std::int64_t> t{10, 20, 30}, v{1, 2, 3};
    const auto s = series::over("m", a_plus, t, v);
    CHECK(s.times().data() == t.data());
    CHECK(s.values().data() == v.data());
    const std::vector<std::int64_t> back{10, 30, 20}, missing{1, decimal::missing_raw, 3}, short_v{1, 2};
    CHECK_THROWS_AS(series::over("m", a_plus, back, v), validation_error);
    CHECK_THROWS_AS(series::over("m", a_plus, t, missing), validation_error);
    CHECK_THROWS_AS(series::over("m", a_plus, t, short_v), validation_error);
    try {
        series::over("m", a_plus, back, v);
    } catch (const validation_error& e) {
        CHECK(std::string(e.what()).find(
                  "meter 'm', channel active_import: time 2 (20) is not after time 1 (30)") !=
              std::string::npos);
    }
    meter_series ms("m");
    ms.push(a_plus, 10, 1);
    ms.push(a_plus, 20, 2);
    const meter_series copy = ms;
    ms.push(a_plus, 30, 3);  // copies first: the copy keeps two values
    CHECK(copy.view(a_plus).size() == 2);
    CHECK(ms.view(a_plus).size() == 3);
    CHECK_THROWS_AS(ms.push(a_plus, 30, 4), validation_error);  // not after the last
}

TEST_CASE("meter_series from a long table: a series per channel, duplicates once, conflicts named") {
    reading_table t;
    const auto m = t.meter_slot("m");
    const auto p = t.channel_slot(a_plus), x = t.channel_slot(a_minus), q = t.channel_slot(r_plus);
    // a wide-like order: per time, every channel
    for (std::int64_t i = 0; i < 3; ++i) {
        t.push(m, p, 100 * i, 10 * i);
        t.push(m, x, 100 * i, i);
        t.push(m, q, 100 * i, 5 * i);
    }
    t.push(m, x, 100, 1);  // the same value again: kept once
    auto all = meter_series::from_table(t);
    REQUIRE(all.size() == 1);
    REQUIRE(all[0].channels().size() == 3);
    CHECK(all[0].channels()[0].ch() == a_plus);  // by channel code
    CHECK(all[0].view(a_minus).size() == 3);
    CHECK(std::vector<std::int64_t>(all[0].view(r_plus).value.begin(), all[0].view(r_plus).value.end()) ==
          std::vector<std::int64_t>{0, 5, 10});
    CHECK(all[0].size() == 9);
    CHECK(all[0].first_time() == 0);
    CHECK(all[0].last_time() == 200);
    t.push(m, x, 100, 7);
    try {
        meter_series::from_table(t);
        FAIL("a conflicting duplicate was accepted");
    } catch (const validation_error& e) {
        CHECK(std::string(e.what()).find("two different values of active_export") != std::string::npos);
    }
}

TEST_CASE("meter_stream: a store's meters in groups, every channel, in serial order, bounded by the range") {
    memory_store s;
    put_one_point(s, {"m3", "m1", "m2", "m5", "m4"});
    reading_table batch;
    for (const char* serial : {"m3", "m1", "m2", "m5", "m4"}) {
        const auto slot = batch.meter_slot(serial);
        for (std::int64_t day = 0; day < 10; ++day) {
            batch.push(slot, batch.channel_slot(a_plus), day * 86400, day * 1'000'000);
            if (std::string(serial) != "m2") batch.push(slot, batch.channel_slot(a_minus), day * 86400, day);
        }
    }
    s.put_readings(batch);
    series_query q;
    q.from = 2 * 86400;
    q.to = 5 * 86400;  // days 2, 3, 4
    meter_stream stream(s, q, 2);
    std::vector<meter_series> group;
    std::vector<std::string> order;
    std::vector<std::size_t> sizes;
    while (stream.next(group)) {
        sizes.push_back(group.size());
        for (const auto& m : group) {
            order.push_back(m.serial());
            CHECK(m.view(a_plus).size() == 3);
            CHECK(m.view(a_plus).time.front() == 2 * 86400);
            CHECK(m.view(a_minus).size() == (m.serial() == "m2" ? 0u : 3u));
        }
    }
    CHECK(order == std::vector<std::string>{"m1", "m2", "m3", "m4", "m5"});
    CHECK(sizes == std::vector<std::size_t>{2, 2, 1});
    CHECK(stream.values_read() == 5 * 3 + 4 * 3);
    // one meter, one channel
    q.meters = {"m4"};
    q.channels = {a_minus};
    meter_stream one(s, q);
    REQUIRE(one.next(group));
    REQUIRE(group.size() == 1);
    CHECK(group[0].channels().size() == 1);
    CHECK_FALSE(one.next(group));
}

TEST_CASE("thread_pool: every index once, results by index, the lowest failing index rethrown") {
    for (unsigned threads : {1u, 2u, 4u}) {
        thread_pool pool(threads);
        CHECK(pool.size() == threads);
        std::vector<std::int64_t> out(1000, -1);
        std::atomic<int> calls{0};
        pool.for_each_index(out.size(), [&](std::size_t i) {
            out[i] = static_cast<std::int64_t>(i * i);
            ++calls;
        });
        CHECK(calls == 1000);
        bool all = true;
        for (std::size_t i = 0; i < out.size(); ++i) all = all && out[i] == static_cast<std::int64_t>(i * i);
        CHECK(all);
        try {
            pool.for_each_index(100, [&](std::size_t i) {
                if (i == 37 || i == 80) throw std::runtime_error("failed at " + std::to_string(i));
            });
            FAIL("no exception");
        } catch (const std::runtime_error& e) {
            CHECK(std::string(e.what()) == "failed at 37");
        }
        // the pool is usable after a failure
        std::atomic<int> again{0};
        pool.for_each_index(10, [&](std::size_t) { ++again; });
        CHECK(again == 10);
    }
}

TEST_CASE("thread_pool: more than 256 threads is refused naming the count, before any is started") {
    CHECK(thread_pool::max_threads == 256);
    thread_pool most(thread_pool::max_threads);
    CHECK(most.size() == 256);
    try {
        thread_pool pool(257);
        FAIL("no exception");
    } catch (const config_error& e) {
        CHECK(e.code() == errc::out_of_range);
        CHECK(std::string(e.what()).find("thread count 257 is outside 0..256") != std::string::npos);
    }
    CHECK_THROWS_AS(thread_pool(1'000'000), config_error);
    thread_pool cores(0);  // one per core, at most 256
    CHECK(cores.size() >= 1);
    CHECK(cores.size() <= 256);
}

TEST_CASE("reading_table: many meters × many channels sort and group in memory in proportion to the rows") {
    // 6,000 meters and 12 channels, one or two values a meter: 72,000 series keys against ~9,000 rows, so the
    // passes take a hash map instead of an array of meters × channels; the result is the same ordering
    reading_table t;
    std::vector<channel> chans;
    for (int q = 0; q < 12; ++q) chans.push_back(channel::of(static_cast<quantity>(q)));
    std::uint64_t x = 20261124;
    auto next = [&] { return x = x * 6364136223846793005ULL + 1442695040888963407ULL; };
    for (int m = 0; m < 6000; ++m) {
        const auto slot = t.meter_slot("m" + std::to_string(m));
        const auto c = t.channel_slot(chans[(next() >> 33) % 12]);
        t.push(slot, c, 200, m);
        if (m % 2) t.push(slot, c, 100, m);  // goes back in time: not grouped
    }
    REQUIRE_FALSE(t.dense_series_keys());
    CHECK_FALSE(t.grouped());
    t.sort();
    CHECK(t.grouped());
    bool ordered = true;
    for (std::size_t i = 1; i < t.size(); ++i)
        ordered = ordered && (t.series_key(i - 1) < t.series_key(i) ||
                              (t.series_key(i - 1) == t.series_key(i) && t.times()[i - 1] < t.times()[i]));
    CHECK(ordered);
    CHECK(t.size() == 9000);
    // every value is still with its meter: meter m's values are m
    bool kept = true;
    for (std::size_t i = 0; i < t.size(); ++i)
        kept = kept && "m" + std::to_string(t.values()[i]) == t.meter_of(i);
    CHECK(kept);
}
