// The store's compact block codec (src/store/block_codec.hpp). The input is read two ways:
// - as a block: decode_block refuses it with storage_corrupt, or decodes it to strictly increasing times, no
//   missing-marker value, sources and acceptance times of the row count or none; the header read alone, the
//   fast path and appending agree with it; the columns encode to a block that decodes to them again;
// - as little-endian int64 words: the sorted distinct words as times, the words as values (INT64_MIN made
//   INT64_MIN + 1), every third word's low byte as a source and every fifth word as an acceptance time,
//   encode and decode back exactly.
#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include "fuzz.hpp"
#include "store/block_codec.hpp"

namespace {

using kvant::detail::decoded_block;
constexpr std::int64_t lo = std::numeric_limits<std::int64_t>::min();

std::span<const std::uint8_t> bytes_of(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

void check_decoded(std::span<const std::uint8_t> in, const decoded_block& d) {
    const std::size_t n = d.time.size();
    KVANT_FUZZ_CHECK(n >= 1 && d.value.size() == n, "a decoded block has rows, one value each");
    KVANT_FUZZ_CHECK(d.source.empty() || d.source.size() == n, "sources: none or one a row");
    KVANT_FUZZ_CHECK(d.accepted.empty() || d.accepted.size() == n, "acceptance times: none or one a row");
    for (std::size_t i = 1; i < n; ++i)
        KVANT_FUZZ_CHECK(d.time[i] > d.time[i - 1], "times strictly increase");
    for (auto v : d.value) KVANT_FUZZ_CHECK(v != lo, "no value is the missing marker");
    const auto h = kvant::detail::read_block_header(in, "fuzz");
    KVANT_FUZZ_CHECK(h.count == n && h.first_time == d.time.front() && h.last_time == d.time.back() &&
                         h.last_value == d.value.back(),
                     "the header agrees with the decoded block");
    KVANT_FUZZ_CHECK(h.has_sources == !d.source.empty() && h.has_accepted == !d.accepted.empty(),
                     "the header's flags agree with the decoded block");
    std::vector<std::int64_t> t{1}, v{2};
    KVANT_FUZZ_CHECK(kvant::detail::append_times_values(in, "fuzz", t, v) == n,
                     "the fast path counts the rows");
    KVANT_FUZZ_CHECK(std::equal(d.time.begin(), d.time.end(), t.begin() + 1) &&
                         std::equal(d.value.begin(), d.value.end(), v.begin() + 1) && t[0] == 1 && v[0] == 2,
                     "the fast path decodes the same times and values after what was there");
}

void check_round_trip(const std::vector<std::int64_t>& t, const std::vector<std::int64_t>& v,
                      const std::vector<std::uint8_t>& s, const std::vector<std::int64_t>& a) {
    std::string out;
    kvant::detail::encode_block(t, v, s, a, out);
    decoded_block d;
    kvant::detail::decode_block(bytes_of(out), "fuzz round trip", d);
    KVANT_FUZZ_CHECK(d.time == t && d.value == v, "times and values round-trip");
    const bool any_s = std::any_of(s.begin(), s.end(), [](std::uint8_t x) { return x != 0; });
    const bool any_a = std::any_of(a.begin(), a.end(), [](std::int64_t x) { return x != lo; });
    KVANT_FUZZ_CHECK(any_s ? d.source == s : d.source.empty(), "sources round-trip");
    KVANT_FUZZ_CHECK(any_a ? d.accepted == a : d.accepted.empty(), "acceptance times round-trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> in(data, size);
    decoded_block d;
    if (!kvant::fuzz::fails_cleanly([&] { kvant::detail::decode_block(in, "fuzz", d); })) {
        check_decoded(in, d);
        check_round_trip(d.time, d.value, d.source, d.accepted);
    } else {
        std::vector<std::int64_t> t, v;
        KVANT_FUZZ_CHECK(
            kvant::fuzz::fails_cleanly([&] { kvant::detail::append_times_values(in, "fuzz", t, v); }),
            "the fast path decodes a block decode_block refuses");
        KVANT_FUZZ_CHECK(t.empty() && v.empty(), "a refused block appends nothing");
    }

    std::vector<std::int64_t> words(size / 8);
    if (!words.empty()) std::memcpy(words.data(), data, words.size() * 8);
    std::vector<std::int64_t> t = words;
    std::sort(t.begin(), t.end());
    t.erase(std::unique(t.begin(), t.end()), t.end());
    if (t.empty()) return 0;
    std::vector<std::int64_t> v(words.begin(), words.begin() + static_cast<std::ptrdiff_t>(t.size()));
    for (auto& x : v)
        if (x == lo) x = lo + 1;
    std::vector<std::uint8_t> s(t.size());
    std::vector<std::int64_t> a(t.size(), lo);
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (i % 3 == 0) s[i] = static_cast<std::uint8_t>(v[i]);
        if (i % 5 == 0) a[i] = v[v.size() - 1 - i];
    }
    check_round_trip(t, v, {}, {});
    check_round_trip(t, v, s, a);
    return 0;
}
