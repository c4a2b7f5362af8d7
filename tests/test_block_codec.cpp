// The compact block codec of the store (src/store/block_codec.hpp): byte layouts worked out by hand from the
// documented format, exact round trips of random series (the seed is printed on failure; KVANT_TEST_SEED
// replays one), every truncation refused, corrupted bytes refused cleanly or decoded to a block that encodes
// back to itself.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "kvant/core/error.hpp"
#include "store/block_codec.hpp"

using namespace kvant;
using kvant::detail::block_header;
using kvant::detail::decoded_block;

namespace {

constexpr std::int64_t lo = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t hi = std::numeric_limits<std::int64_t>::max();

using bytes_t = std::vector<std::uint8_t>;

bytes_t encode(const std::vector<std::int64_t>& t, const std::vector<std::int64_t>& v,
               const std::vector<std::uint8_t>& s = {}, const std::vector<std::int64_t>& a = {}) {
    std::string out;
    detail::encode_block(t, v, s, a, out);
    return bytes_t(out.begin(), out.end());
}

decoded_block decode(const bytes_t& b, const char* where = "block under test") {
    decoded_block d;
    detail::decode_block(b, where, d);
    return d;
}

std::string hex(const bytes_t& b) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (auto c : b) {
        if (!s.empty()) s += ' ';
        s += digits[c >> 4];
        s += digits[c & 15];
    }
    return s;
}

std::uint64_t test_seed() {
    if (const char* e = std::getenv("KVANT_TEST_SEED")) return std::strtoull(e, nullptr, 10);
    return std::random_device{}();
}

/// The decoder's answer to bad bytes: storage_corrupt with the caller's where and a byte offset.
void require_corrupt(const bytes_t& b, const std::string& what_part = {}) {
    try {
        decode(b, "readings block of meter M1");
        FAIL("decoded " << hex(b));
    } catch (const storage_error& e) {
        REQUIRE(e.code() == errc::storage_corrupt);
        const std::string w = e.what();
        REQUIRE(w.rfind("[kvant.storage.306] readings block of meter M1: byte ", 0) == 0);
        if (!what_part.empty()) REQUIRE_THAT(w, Catch::Contains(what_part));
    }
}

/// Round trip: decode_block and the fast path give the columns back, the header agrees.
void require_round_trip(const std::vector<std::int64_t>& t, const std::vector<std::int64_t>& v,
                        const std::vector<std::uint8_t>& s, const std::vector<std::int64_t>& a) {
    const bytes_t b = encode(t, v, s, a);
    const decoded_block d = decode(b);
    REQUIRE(d.time == t);
    REQUIRE(d.value == v);
    const bool any_source = std::any_of(s.begin(), s.end(), [](std::uint8_t x) { return x != 0; });
    const bool any_accepted = std::any_of(a.begin(), a.end(), [](std::int64_t x) { return x != lo; });
    if (any_source)
        REQUIRE(d.source == s);
    else
        REQUIRE(d.source.empty());
    if (any_accepted)
        REQUIRE(d.accepted == a);
    else
        REQUIRE(d.accepted.empty());
    const block_header h = detail::read_block_header(b, "x");
    REQUIRE(h.count == t.size());
    REQUIRE(h.first_time == t.front());
    REQUIRE(h.last_time == t.back());
    REQUIRE(h.last_value == v.back());
    REQUIRE(h.has_sources == any_source);
    REQUIRE(h.has_accepted == any_accepted);
    std::vector<std::int64_t> tt{42}, vv{43};  // appends after what is there
    REQUIRE(detail::append_times_values(b, "x", tt, vv) == t.size());
    REQUIRE(tt.size() == t.size() + 1);
    REQUIRE(tt[0] == 42);
    REQUIRE(vv[0] == 43);
    REQUIRE(std::equal(t.begin(), t.end(), tt.begin() + 1));
    REQUIRE(std::equal(v.begin(), v.end(), vv.begin() + 1));
}

}  // namespace

TEST_CASE("block codec: byte layouts of small blocks, worked by hand", "[block_codec]") {
    SECTION("regular times, values a multiple of 10^5 apart") {
        // flags 01; n 03; zz(1000) = 2000 = d0 0f; span 120 = 78; zz(6000000) = 12000000 = 80 b6 dc 05;
        // d[1] = 60 = 3c; one zero dd = 00 01; zz(5000000) = 80 ad e2 04; k = 5; group: w 0, zz(5) = 0a.
        const bytes_t want{0x01, 0x03, 0xd0, 0x0f, 0x78, 0x80, 0xb6, 0xdc, 0x05, 0x3c,
                           0x00, 0x01, 0x80, 0xad, 0xe2, 0x04, 0x05, 0x00, 0x0a};
        REQUIRE(hex(encode({1000, 1060, 1120}, {5000000, 5500000, 6000000})) == hex(want));
        const auto d = decode(want);
        REQUIRE(d.time == std::vector<std::int64_t>{1000, 1060, 1120});
        REQUIRE(d.value == std::vector<std::int64_t>{5000000, 5500000, 6000000});
    }
    SECTION("irregular times, negative values, sources and acceptance times") {
        // flags 31; n 03; zz(0); span 15; zz(0) | d[1] 10 = 0a; dd -5: zz 9 | zz(-1) = 01; k 0;
        // group: q 3, -2: b = -2 (zz 03), u 5, 0 in 3 bits: 05 | sources (0,1) (2,2) | runs: without 1,
        // with 2; accepted - t: 20 - 10 = 10 (zz 14), 15 - 15 = 0.
        const bytes_t want{0x31, 0x03, 0x00, 0x0f, 0x00, 0x0a, 0x09, 0x01, 0x00, 0x03,
                           0x03, 0x05, 0x00, 0x01, 0x02, 0x02, 0x01, 0x02, 0x14, 0x00};
        REQUIRE(hex(encode({0, 10, 15}, {-1, 2, 0}, {0, 2, 2}, {lo, 20, 15})) == hex(want));
        const auto d = decode(want);
        REQUIRE(d.source == std::vector<std::uint8_t>{0, 2, 2});
        REQUIRE(d.accepted == std::vector<std::int64_t>{lo, 20, 15});
    }
    SECTION("bit packing across bytes") {
        // values 0, 2748, 2749: deltas 2748, 1, k 0, b 1 (zz 02), u 2747 = 0xabb, 0 in 12 bits: bb 0a 00.
        const bytes_t want{0x01, 0x03, 0x00, 0x02, 0xfa, 0x2a, 0x01, 0x00,
                           0x01, 0x00, 0x00, 0x0c, 0x02, 0xbb, 0x0a, 0x00};
        REQUIRE(hex(encode({0, 1, 2}, {0, 2748, 2749})) == hex(want));
        REQUIRE(decode(want).value == std::vector<std::int64_t>{0, 2748, 2749});
    }
    SECTION("one row: the header is the block") {
        REQUIRE(hex(encode({-1}, {7})) == "01 01 01 00 0e");
        // an acceptance time on the only row: runs 0 (without), 1 (with); accepted - t = 3 (zz 06)
        REQUIRE(hex(encode({-1}, {7}, {0}, {2})) == "21 01 01 00 0e 00 01 06");
        // sources all automatic and no acceptance time are not stored
        REQUIRE(hex(encode({-1}, {7}, {0}, {lo})) == "01 01 01 00 0e");
    }
    SECTION("a regular year of half-hours costs its times O(1) bytes") {
        std::vector<std::int64_t> t, v;
        for (std::int64_t i = 0; i < 1000; ++i) {
            t.push_back(1735678800 + 1800 * i);
            v.push_back(1000000);  // constant: every delta 0, width 0
        }
        const bytes_t b = encode(t, v);
        // header 1 + 2 + 5 + 3 + 3; times 2 + 1 + 2; values 3 + 1; 16 groups of 2 bytes (the last of 39)
        REQUIRE(b.size() == 14 + 5 + 4 + 32);
        REQUIRE(decode(b).time == t);
    }
}

TEST_CASE("block codec: encode refuses what is not a block", "[block_codec]") {
    std::string out;
    const std::vector<std::int64_t> t{10, 20, 20}, v{1, 2, 3};
    REQUIRE_THROWS_WITH(detail::encode_block(t, v, {}, {}, out),
                        Catch::Contains("time of row 2 (20) is not after the time of row 1 (20)"));
    REQUIRE_THROWS_AS(
        detail::encode_block(std::vector<std::int64_t>{}, std::vector<std::int64_t>{}, {}, {}, out),
        std::invalid_argument);
    REQUIRE_THROWS_WITH(
        detail::encode_block(std::vector<std::int64_t>{1, 2}, std::vector<std::int64_t>{1, lo}, {}, {}, out),
        Catch::Contains("value of row 1 is the missing marker"));
    REQUIRE_THROWS_AS(
        detail::encode_block(std::vector<std::int64_t>{1, 2}, std::vector<std::int64_t>{1}, {}, {}, out),
        std::invalid_argument);
    REQUIRE_THROWS_AS(detail::encode_block(std::vector<std::int64_t>{1, 2}, std::vector<std::int64_t>{1, 2},
                                           std::vector<std::uint8_t>{1}, {}, out),
                      std::invalid_argument);
    REQUIRE(out.empty());
}

TEST_CASE("block codec: exact round trips of random series", "[block_codec]") {
    const std::uint64_t seed = test_seed();
    INFO("seed " << seed << " (KVANT_TEST_SEED=" << seed << " replays it)");
    std::mt19937_64 rng(seed);
    auto any64 = [&] {
        std::int64_t x;
        do x = static_cast<std::int64_t>(rng());
        while (x == lo);
        return x;
    };
    auto pick = [&](std::uint64_t n) { return rng() % n; };
    const std::size_t sizes[] = {1, 2, 3, 63, 64, 65, 66, 127, 128, 129, 1460, 1489};
    for (int round = 0; round < 400; ++round) {
        const std::size_t n = round < 48 ? sizes[round % 12] : 1 + pick(round % 5 == 0 ? 3000 : 200);
        const int kind = round % 8;
        INFO("round " << round << ", kind " << kind << ", n " << n);
        std::vector<std::int64_t> t(n), v(n), a;
        std::vector<std::uint8_t> s;
        // times
        if (kind == 5) {  // anywhere in int64, sorted, distinct
            std::vector<std::int64_t> r;
            while (r.size() < n) {
                for (std::size_t i = r.size(); i < n; ++i) r.push_back(static_cast<std::int64_t>(rng()));
                std::sort(r.begin(), r.end());
                r.erase(std::unique(r.begin(), r.end()), r.end());
            }
            t = r;
            if (n >= 2 && pick(2)) t.front() = lo;
            if (n >= 2 && pick(2)) t.back() = hi;
        } else if (kind == 6) {  // ending at INT64_MAX or starting at INT64_MIN, regular
            const std::int64_t step = 1 + static_cast<std::int64_t>(pick(1000000));
            const bool at_top = pick(2);
            for (std::size_t i = 0; i < n; ++i)
                t[i] = at_top ? hi - static_cast<std::int64_t>(n - 1 - i) * step
                              : lo + static_cast<std::int64_t>(i) * step;
        } else {
            std::int64_t cur = 1735678800 + static_cast<std::int64_t>(pick(1000000)) - 500000;
            const std::int64_t step = kind % 2 ? 1800 : 1 + static_cast<std::int64_t>(pick(86400));
            for (std::size_t i = 0; i < n; ++i) {
                t[i] = cur;
                cur += kind % 2 && pick(50)
                           ? step
                           : 1 + static_cast<std::int64_t>(pick(kind == 4 ? 1u << 30 : 7200));
            }
        }
        // values
        if (kind <= 1 || kind == 6) {  // cumulative kWh with three decimals
            std::int64_t cur = static_cast<std::int64_t>(pick(5000000)) * 1000;
            for (std::size_t i = 0; i < n; ++i) {
                v[i] = cur;
                cur += static_cast<std::int64_t>(pick(2000)) * 1000;
            }
        } else if (kind == 2 || kind == 5) {  // anything: deltas that overflow int64
            for (auto& x : v) x = pick(4) == 0 ? (pick(2) ? hi : lo + 1) : any64();
        } else if (kind == 3) {  // integral kWh, negative, with decreases
            std::int64_t cur = -static_cast<std::int64_t>(pick(1000)) * 1000000;
            for (auto& x : v) x = cur += (static_cast<std::int64_t>(pick(21)) - 10) * 1000000;
        } else {  // small random walk in millionths
            std::int64_t cur = 0;
            for (auto& x : v) x = cur += static_cast<std::int64_t>(pick(201)) - 100;
        }
        // sources and acceptance times: none, some, or every row
        if (pick(2)) {
            s.resize(n);
            std::uint8_t cur = 0;
            for (auto& x : s) x = pick(20) ? cur : (cur = static_cast<std::uint8_t>(pick(256)));
        }
        if (pick(2)) {
            a.resize(n);
            for (std::size_t i = 0; i < n; ++i) {
                const auto r = pick(4);
                if (kind == 5 || kind == 6)  // times near the int64 limits: anything
                    a[i] = r < 2 ? lo : any64();
                else
                    a[i] = r == 0 ? lo : r == 1 ? any64() : t[i] + static_cast<std::int64_t>(pick(100000));
            }
        }
        require_round_trip(t, v, s, a);
    }
}

TEST_CASE("block codec: extreme values and times", "[block_codec]") {
    require_round_trip({lo, hi}, {hi, lo + 1}, {}, {hi, lo + 1});
    require_round_trip({lo, lo + 1, hi - 1, hi}, {lo + 1, hi, lo + 1, hi}, {255, 0, 0, 255},
                       {lo, hi, lo, lo + 1});
    require_round_trip({hi}, {lo + 1}, {}, {});
    require_round_trip({lo}, {hi}, {7}, {lo + 1});
    // deltas 10^18 apart: scale 10^18
    require_round_trip({0, 1, 2, 3}, {-4000000000000000000, -3000000000000000000, 0, 4000000000000000000}, {},
                       {});
}

TEST_CASE("block codec: malformed blocks are refused, naming the byte", "[block_codec]") {
    const bytes_t good = encode({1000, 1060, 1120}, {5000000, 5500000, 6000000});
    SECTION("every truncation") {
        for (std::size_t k = 0; k < good.size(); ++k)
            require_corrupt(bytes_t(good.begin(), good.begin() + k));
        const bytes_t rich = encode({0, 10, 15, 100}, {-1, 2, 0, 9}, {0, 2, 2, 1}, {lo, 20, 15, 1});
        for (std::size_t k = 0; k < rich.size(); ++k) {
            const bytes_t cut(rich.begin(), rich.begin() + k);
            require_corrupt(cut);
            std::vector<std::int64_t> t, v;
            REQUIRE_THROWS_AS(detail::append_times_values(cut, "x", t, v), storage_error);
            REQUIRE(t.empty());
            REQUIRE(v.empty());
        }
    }
    SECTION("a byte after the last section") {
        bytes_t b = good;
        b.push_back(0);
        require_corrupt(b, "byte 19: 1 bytes after the last section");
    }
    SECTION("an unknown version or flag") {
        bytes_t b = good;
        b[0] = 0x02;
        require_corrupt(b, "byte 0: format version 2");
        b[0] = 0x41;
        require_corrupt(b, "unknown bits");
    }
    SECTION("a row count the bytes cannot hold is refused before allocating") {
        require_corrupt({0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00, 0x00, 0x00},
                        "byte 1: the row count 18446744073709551615 is more than");
        require_corrupt({0x01, 0x00, 0x00, 0x00, 0x00}, "byte 1: the row count is 0");
    }
    SECTION("a varint beyond 64 bits") {
        require_corrupt({0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00},
                        "beyond 64 bits");
    }
    SECTION("times past INT64_MAX or not increasing") {
        // one row at INT64_MAX spanning 1 more second: zz(INT64_MAX) = fe ff ff ff ff ff ff ff ff 01
        require_corrupt({0x01, 0x02, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x01, 0x00},
                        "the last time is beyond the int64 range");
        // times 0, 1, then a delta-of-delta -1 (zz 01): a step of 0
        require_corrupt({0x01, 0x03, 0x00, 0x02, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00},
                        "byte 6: time of row 2");
        // a first step of 0
        require_corrupt({0x01, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
                        "byte 5: the first time step is 0");
        // a run longer than the rows left
        require_corrupt({0x01, 0x03, 0x00, 0x02, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00},
                        "byte 7: a run of regular time steps goes past the last row");
    }
    SECTION("sections that disagree with the header") {
        bytes_t b = good;
        b[4] = 0x77;  // span 119: the times end at 1120
        require_corrupt(b, "the times end at 1120, the header says 1119");
        b = good;
        b[18] = 0x0c;  // base 6: the values end at 6200000
        require_corrupt(b, "the values end at 6200000, the header says 6000000");
        b = good;
        b[16] = 19;  // scale 10^19
        require_corrupt(b, "byte 16: the value scale 10^19");
        b = good;
        b[17] = 65;  // width 65
        require_corrupt(b, "byte 17: a value group's bit width 65");
    }
    SECTION("a value that is the missing marker") {
        // one row, last value zz(INT64_MIN) = ff ff ff ff ff ff ff ff ff 01
        require_corrupt({0x01, 0x01, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
                        "byte 4: the last value is the missing marker");
    }
}

TEST_CASE("block codec: corrupted bytes never crash, and what decodes encodes back", "[block_codec]") {
    const std::uint64_t seed = test_seed();
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);
    std::vector<std::int64_t> t, v, a;
    std::vector<std::uint8_t> s;
    for (int i = 0; i < 300; ++i) {
        t.push_back(1735678800 + 1800 * i + (i % 97 == 0 ? 7 : 0));
        v.push_back(1000 * (i * i % 1777));
        s.push_back(i % 50 == 0 ? 1 : 0);
        a.push_back(i % 3 ? lo : t.back() + i);
    }
    const bytes_t good = encode(t, v, s, a);
    int refused = 0, decoded = 0;
    for (int round = 0; round < 20000; ++round) {
        bytes_t b = good;
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits; ++e) {
            const std::size_t at = rng() % b.size();
            switch (rng() % 4) {
                case 0:
                    b[at] = static_cast<std::uint8_t>(rng());
                    break;
                case 1:
                    b[at] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
                    break;
                case 2:
                    b.erase(b.begin() + static_cast<std::ptrdiff_t>(at));
                    break;
                default:
                    b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), static_cast<std::uint8_t>(rng()));
            }
            if (b.empty()) b.push_back(1);
        }
        decoded_block d;
        try {
            detail::decode_block(b, "x", d);
        } catch (const storage_error& e) {
            REQUIRE(e.code() == errc::storage_corrupt);
            ++refused;
            continue;
        }
        ++decoded;
        const decoded_block again = decode(encode(d.time, d.value, d.source, d.accepted));
        REQUIRE(again.time == d.time);
        REQUIRE(again.value == d.value);
        REQUIRE(again.source == d.source);
        REQUIRE(again.accepted == d.accepted);
    }
    REQUIRE(refused > 0);
}
