// The compact block codec (layout in block_codec.hpp).
#include "block_codec.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <utility>

#include "kvant/core/error.hpp"

namespace kvant {
inline namespace v0 {
namespace detail {

namespace {

constexpr std::int64_t int64_min = std::numeric_limits<std::int64_t>::min();
constexpr std::uint64_t int64_max_u = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
constexpr std::size_t group_size = 64;
constexpr unsigned max_scale = 18;
constexpr std::uint8_t flag_sources = 0x10;
constexpr std::uint8_t flag_accepted = 0x20;

constexpr std::array<std::uint64_t, max_scale + 1> pow10 = [] {
    std::array<std::uint64_t, max_scale + 1> p{};
    p[0] = 1;
    for (unsigned i = 1; i <= max_scale; ++i) p[i] = p[i - 1] * 10;
    return p;
}();

constexpr std::uint64_t zigzag(std::int64_t x) noexcept {
    return (static_cast<std::uint64_t>(x) << 1) ^ static_cast<std::uint64_t>(x >> 63);
}
constexpr std::uint64_t unzigzag(std::uint64_t z) noexcept {
    return (z >> 1) ^ (0 - (z & 1));
}

// ---- encoding ------------------------------------------------------------------------------------------

void put_varint(std::string& out, std::uint64_t x) {
    char buf[10];
    std::size_t n = 0;
    while (x >= 0x80) {
        buf[n++] = static_cast<char>(static_cast<std::uint8_t>(x) | 0x80);
        x >>= 7;
    }
    buf[n++] = static_cast<char>(x);
    out.append(buf, n);
}
void put_zvarint(std::string& out, std::int64_t x) {
    put_varint(out, zigzag(x));
}
void put_byte(std::string& out, std::uint8_t b) {
    out.push_back(static_cast<char>(b));
}

/// Packs m values of w bits, LSB first, into ceil(m * w / 8) bytes.
void put_packed(std::string& out, const std::uint64_t* u, std::size_t m, unsigned w) {
    if (w == 0) return;
    std::uint64_t acc = 0;
    unsigned nbits = 0;
    char word[8];
    for (std::size_t j = 0; j < m; ++j) {
        const std::uint64_t x = u[j];
        acc |= x << nbits;
        if (nbits + w >= 64) {
            for (int b = 0; b < 8; ++b)
                word[b] = static_cast<char>(static_cast<std::uint8_t>(acc >> (8 * b)));
            out.append(word, 8);
            acc = nbits ? x >> (64 - nbits) : 0;
            nbits = nbits + w - 64;
        } else {
            nbits += w;
        }
    }
    for (unsigned b = 0; b * 8 < nbits; ++b) put_byte(out, static_cast<std::uint8_t>(acc >> (8 * b)));
}

[[noreturn]] void bad_input(const std::string& what) {
    throw std::invalid_argument("encode_block: " + what);
}

// ---- decoding ------------------------------------------------------------------------------------------

/// A cursor over the block's bytes that throws storage_corrupt naming the offset.
struct reader {
    const std::uint8_t* begin;
    const std::uint8_t* p;
    const std::uint8_t* end;
    std::string_view where;

    [[noreturn]] void fail(const std::uint8_t* at, const std::string& what) const {
        std::string m(where);
        if (!m.empty()) m += ": ";
        m += "byte " + std::to_string(at - begin) + ": " + what;
        throw storage_error(errc::storage_corrupt, m);
    }
    std::size_t left() const noexcept { return static_cast<std::size_t>(end - p); }

    std::uint8_t byte(const char* what) {
        if (p == end) fail(p, std::string("the block ends before ") + what);
        return *p++;
    }
    std::uint64_t varint(const char* what) {
        const std::uint8_t* at = p;
        std::uint64_t x = 0;
        for (unsigned shift = 0;; shift += 7) {
            if (p == end) fail(at, std::string("the block ends inside ") + what);
            const std::uint8_t b = *p++;
            if (shift == 63 && b > 1) fail(at, std::string(what) + " is a varint beyond 64 bits");
            x |= static_cast<std::uint64_t>(b & 0x7f) << shift;
            if (!(b & 0x80)) return x;
        }
    }
    std::int64_t zvarint(const char* what) { return static_cast<std::int64_t>(unzigzag(varint(what))); }
};

template <unsigned W>
void unpack(const std::uint8_t* src, std::uint64_t* out) {
    if constexpr (W == 0) {
        std::memset(out, 0, group_size * sizeof(std::uint64_t));
    } else {
        constexpr std::uint64_t mask = W == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << W) - 1;
        for (unsigned j = 0; j < group_size; ++j) {
            const unsigned bit = j * W;
            const unsigned sh = bit & 7;
            std::uint64_t lo;
            std::memcpy(&lo, src + (bit >> 3), 8);
            lo = lo >> sh;
            if (sh + W > 64) {
                std::uint64_t hi;
                std::memcpy(&hi, src + (bit >> 3) + 8, 8);
                lo |= hi << (64 - sh);
            }
            out[j] = lo & mask;
        }
    }
}
static_assert(std::endian::native == std::endian::little, "the block codec unpacks little-endian words");

using unpack_fn = void (*)(const std::uint8_t*, std::uint64_t*);
template <std::size_t... W>
constexpr std::array<unpack_fn, sizeof...(W)> make_unpackers(std::index_sequence<W...>) {
    return {&unpack<static_cast<unsigned>(W)>...};
}
constexpr auto unpackers = make_unpackers(std::make_index_sequence<65>{});

/// Bytes an unpacker may read past a group's first byte: 64 values of w bits plus two words of slack.
constexpr std::size_t unpack_reach(unsigned w) {
    return group_size * w / 8 + 16;
}

block_header parse_header(reader& r) {
    block_header h;
    const std::uint8_t flags = r.byte("the flags byte");
    if ((flags & 0x0f) != block_format_version)
        r.fail(r.p - 1, "format version " + std::to_string(flags & 0x0f) + " is not 1");
    if (flags & 0xc0) r.fail(r.p - 1, "flags byte has unknown bits set");
    h.has_sources = flags & flag_sources;
    h.has_accepted = flags & flag_accepted;
    const std::uint8_t* at = r.p;
    h.count = r.varint("the row count");
    if (h.count == 0) r.fail(at, "the row count is 0");
    // Every 64 rows past the first need a value group of at least two bytes: refuse before allocating.
    if (h.count > 1 && (h.count - 2) / group_size >= r.left() / 2)
        r.fail(at, "the row count " + std::to_string(h.count) + " is more than " + std::to_string(r.left()) +
                       " bytes can hold");
    h.first_time = r.zvarint("the first time");
    at = r.p;
    const std::uint64_t span = r.varint("the time span");
    if (h.count == 1 && span != 0) r.fail(at, "a block of one row spans time");
    if (h.count > 1 && span < h.count - 1) r.fail(at, "the time span is shorter than the rows need");
    if (span > int64_max_u - static_cast<std::uint64_t>(h.first_time))
        r.fail(at, "the last time is beyond the int64 range");
    h.last_time = static_cast<std::int64_t>(static_cast<std::uint64_t>(h.first_time) + span);
    at = r.p;
    h.last_value = r.zvarint("the last value");
    if (h.last_value == int64_min) r.fail(at, "the last value is the missing marker");
    h.size = static_cast<std::size_t>(r.p - r.begin);
    return h;
}

void decode_times(reader& r, const block_header& h, std::int64_t* t) {
    const std::size_t n = h.count;
    std::uint64_t cur = static_cast<std::uint64_t>(h.first_time);
    t[0] = h.first_time;
    if (n == 1) return;
    const std::uint8_t* at = r.p;
    std::uint64_t d = r.varint("the first time step");
    if (d == 0) r.fail(at, "the first time step is 0");
    if (d > int64_max_u - cur) r.fail(at, "the second time is beyond the int64 range");
    cur += d;
    t[1] = static_cast<std::int64_t>(cur);
    std::size_t i = 2;
    while (i < n) {
        at = r.p;
        const std::uint64_t z = r.varint("a time delta-of-delta");
        if (z != 0) {
            d += unzigzag(z);
            if (d == 0 || d > int64_max_u - cur)
                r.fail(at,
                       "time of row " + std::to_string(i) + " is not after the one before or beyond int64");
            cur += d;
            t[i++] = static_cast<std::int64_t>(cur);
        } else {
            const std::uint8_t* rat = r.p;
            const std::uint64_t run = r.varint("a run of regular time steps");
            if (run == 0) r.fail(rat, "a run of regular time steps is empty");
            if (run > n - i) r.fail(rat, "a run of regular time steps goes past the last row");
            if (run > (int64_max_u - cur) / d) r.fail(rat, "a run of regular time steps goes beyond int64");
            for (std::uint64_t k = 0; k < run; ++k) {
                cur += d;
                t[i++] = static_cast<std::int64_t>(cur);
            }
        }
    }
    if (static_cast<std::int64_t>(cur) != h.last_time)
        r.fail(r.p, "the times end at " + std::to_string(static_cast<std::int64_t>(cur)) +
                        ", the header says " + std::to_string(h.last_time));
}

void decode_values(reader& r, const block_header& h, std::int64_t* v) {
    const std::size_t n = h.count;
    if (n == 1) {
        v[0] = h.last_value;
        return;
    }
    const std::uint8_t* at = r.p;
    const std::int64_t first = r.zvarint("the first value");
    if (first == int64_min) r.fail(at, "the first value is the missing marker");
    v[0] = first;
    at = r.p;
    const std::uint8_t k = r.byte("the value scale");
    if (k > max_scale) r.fail(at, "the value scale 10^" + std::to_string(k) + " is beyond 10^18");
    const std::uint64_t scale = pow10[k];
    std::uint64_t cur = static_cast<std::uint64_t>(first);
    alignas(64) std::uint64_t u[group_size];
    alignas(8) std::uint8_t pad[unpack_reach(64)];
    bool missing = false;
    for (std::size_t i = 1; i < n; i += group_size) {
        const std::size_t m = std::min(group_size, n - i);
        at = r.p;
        const std::uint8_t w = r.byte("a value group's bit width");
        if (w > 64) r.fail(at, "a value group's bit width " + std::to_string(w) + " is beyond 64");
        const std::uint64_t base = static_cast<std::uint64_t>(r.zvarint("a value group's base"));
        const std::size_t bytes = (m * w + 7) / 8;
        if (bytes > r.left()) r.fail(r.p, "the block ends inside a value group");
        if (r.left() >= unpack_reach(w)) {
            unpackers[w](r.p, u);
        } else {
            std::memset(pad, 0, sizeof pad);
            std::memcpy(pad, r.p, bytes);
            unpackers[w](pad, u);
        }
        r.p += bytes;
        std::int64_t* out = v + i;
        for (std::size_t j = 0; j < m; ++j) {
            cur += (base + u[j]) * scale;
            out[j] = static_cast<std::int64_t>(cur);
            missing |= cur == static_cast<std::uint64_t>(int64_min);
        }
    }
    if (missing) r.fail(r.p, "a value is the missing marker");
    if (static_cast<std::int64_t>(cur) != h.last_value)
        r.fail(r.p, "the values end at " + std::to_string(static_cast<std::int64_t>(cur)) +
                        ", the header says " + std::to_string(h.last_value));
}

/// Sources; `s` may be null (checked, not stored).
void decode_sources(reader& r, const block_header& h, std::uint8_t* s) {
    std::uint64_t done = 0;
    while (done < h.count) {
        const std::uint8_t src = r.byte("a source");
        const std::uint8_t* at = r.p;
        const std::uint64_t run = r.varint("a run of sources");
        if (run == 0) r.fail(at, "a run of sources is empty");
        if (run > h.count - done) r.fail(at, "a run of sources goes past the last row");
        if (s) std::memset(s + done, src, run);
        done += run;
    }
}

/// Acceptance times; `a` may be null (checked, not stored). `t` is needed only when `a` is not null.
void decode_accepted(reader& r, const block_header& h, const std::int64_t* t, std::int64_t* a) {
    // The runs first, then one difference a present row: walk the runs twice (they are few) rather than keep
    // them; the second walk reads the differences.
    const std::uint8_t* runs = r.p;
    std::uint64_t done = 0;
    std::uint64_t present = 0;
    for (bool with = false; done < h.count; with = !with) {
        const std::uint8_t* at = r.p;
        const std::uint64_t run = r.varint("a run of acceptance times");
        if (run == 0 && done > 0) r.fail(at, "a run of acceptance times is empty");
        if (run > h.count - done) r.fail(at, "a run of acceptance times goes past the last row");
        if (with) present += run;
        done += run;
    }
    if (present == 0) r.fail(runs, "acceptance times are flagged but no row has one");
    if (present > r.left()) r.fail(r.p, "the block ends before the acceptance times");
    reader runs_reader{r.begin, runs, r.end, r.where};
    done = 0;
    for (bool with = false; done < h.count; with = !with) {
        const std::uint64_t run = runs_reader.varint("a run of acceptance times");
        for (std::uint64_t k = 0; k < run; ++k, ++done) {
            if (!with) {
                if (a) a[done] = int64_min;
                continue;
            }
            const std::uint8_t* at = r.p;
            const std::int64_t diff = r.zvarint("an acceptance time");
            if (a) {
                const std::int64_t acc = static_cast<std::int64_t>(static_cast<std::uint64_t>(t[done]) +
                                                                   static_cast<std::uint64_t>(diff));
                if (acc == int64_min) r.fail(at, "an acceptance time is the missing marker");
                a[done] = acc;
            }
        }
    }
}

void decode_all(reader& r, const block_header& h, std::int64_t* t, std::int64_t* v, std::uint8_t* s,
                std::int64_t* a) {
    decode_times(r, h, t);
    decode_values(r, h, v);
    if (h.has_sources) decode_sources(r, h, s);
    if (h.has_accepted) decode_accepted(r, h, t, a);
    if (r.p != r.end) r.fail(r.p, std::to_string(r.left()) + " bytes after the last section");
}

}  // namespace

void encode_block(std::span<const std::int64_t> time, std::span<const std::int64_t> value,
                  std::span<const std::uint8_t> source, std::span<const std::int64_t> accepted,
                  std::string& out) {
    const std::size_t n = time.size();
    if (n == 0) bad_input("a block holds at least one row");
    if (value.size() != n)
        bad_input(std::to_string(n) + " times but " + std::to_string(value.size()) + " values");
    if (!source.empty() && source.size() != n)
        bad_input(std::to_string(n) + " times but " + std::to_string(source.size()) + " sources");
    if (!accepted.empty() && accepted.size() != n)
        bad_input(std::to_string(n) + " times but " + std::to_string(accepted.size()) + " acceptance times");
    for (std::size_t i = 0; i < n; ++i) {
        if (value[i] == int64_min)
            bad_input("the value of row " + std::to_string(i) + " is the missing marker");
        if (i > 0 && time[i] <= time[i - 1])
            bad_input("the time of row " + std::to_string(i) + " (" + std::to_string(time[i]) +
                      ") is not after the time of row " + std::to_string(i - 1) + " (" +
                      std::to_string(time[i - 1]) + ")");
    }
    const bool has_sources = std::any_of(source.begin(), source.end(), [](std::uint8_t s) { return s != 0; });
    const bool has_accepted =
        std::any_of(accepted.begin(), accepted.end(), [](std::int64_t a) { return a != int64_min; });

    // header
    put_byte(out, static_cast<std::uint8_t>(block_format_version | (has_sources ? flag_sources : 0) |
                                            (has_accepted ? flag_accepted : 0)));
    put_varint(out, n);
    put_zvarint(out, time[0]);
    put_varint(out, static_cast<std::uint64_t>(time[n - 1]) - static_cast<std::uint64_t>(time[0]));
    put_zvarint(out, value[n - 1]);

    if (n >= 2) {
        // times
        std::uint64_t d = static_cast<std::uint64_t>(time[1]) - static_cast<std::uint64_t>(time[0]);
        put_varint(out, d);
        std::uint64_t zeros = 0;
        for (std::size_t i = 2; i < n; ++i) {
            const std::uint64_t di =
                static_cast<std::uint64_t>(time[i]) - static_cast<std::uint64_t>(time[i - 1]);
            const std::uint64_t dd = di - d;
            d = di;
            if (dd == 0) {
                ++zeros;
                continue;
            }
            if (zeros) {
                put_byte(out, 0);
                put_varint(out, zeros);
                zeros = 0;
            }
            put_varint(out, zigzag(static_cast<std::int64_t>(dd)));
        }
        if (zeros) {
            put_byte(out, 0);
            put_varint(out, zeros);
        }

        // values
        put_zvarint(out, value[0]);
        auto delta = [&](std::size_t i) {
            return static_cast<std::int64_t>(static_cast<std::uint64_t>(value[i]) -
                                             static_cast<std::uint64_t>(value[i - 1]));
        };
        unsigned k = max_scale;
        for (std::size_t i = 1; i < n && k > 0; ++i) {
            const std::int64_t di = delta(i);
            while (k > 0 && di % static_cast<std::int64_t>(pow10[k]) != 0) --k;
        }
        put_byte(out, static_cast<std::uint8_t>(k));
        const auto scale = static_cast<std::int64_t>(pow10[k]);
        std::int64_t q[group_size];
        std::uint64_t u[group_size];
        for (std::size_t i = 1; i < n; i += group_size) {
            const std::size_t m = std::min(group_size, n - i);
            std::int64_t base = std::numeric_limits<std::int64_t>::max();
            for (std::size_t j = 0; j < m; ++j) {
                q[j] = delta(i + j) / scale;
                base = std::min(base, q[j]);
            }
            std::uint64_t all = 0;
            for (std::size_t j = 0; j < m; ++j) {
                u[j] = static_cast<std::uint64_t>(q[j]) - static_cast<std::uint64_t>(base);
                all |= u[j];
            }
            const auto w = static_cast<unsigned>(std::bit_width(all));
            put_byte(out, static_cast<std::uint8_t>(w));
            put_zvarint(out, base);
            put_packed(out, u, m, w);
        }
    }

    if (has_sources) {
        for (std::size_t i = 0; i < n;) {
            std::size_t j = i + 1;
            while (j < n && source[j] == source[i]) ++j;
            put_byte(out, source[i]);
            put_varint(out, j - i);
            i = j;
        }
    }
    if (has_accepted) {
        bool with = false;
        for (std::size_t i = 0; i < n; with = !with) {
            std::size_t j = i;
            while (j < n && (accepted[j] != int64_min) == with) ++j;
            put_varint(out, j - i);
            i = j;
        }
        for (std::size_t i = 0; i < n; ++i)
            if (accepted[i] != int64_min)
                put_zvarint(out, static_cast<std::int64_t>(static_cast<std::uint64_t>(accepted[i]) -
                                                           static_cast<std::uint64_t>(time[i])));
    }
}

block_header read_block_header(std::span<const std::uint8_t> bytes, std::string_view where) {
    reader r{bytes.data(), bytes.data(), bytes.data() + bytes.size(), where};
    return parse_header(r);
}

void decode_block(std::span<const std::uint8_t> bytes, std::string_view where, decoded_block& out) {
    reader r{bytes.data(), bytes.data(), bytes.data() + bytes.size(), where};
    const block_header h = parse_header(r);
    const std::size_t n = h.count;
    out.time.resize(n);
    out.value.resize(n);
    out.source.assign(h.has_sources ? n : 0, 0);
    out.accepted.assign(h.has_accepted ? n : 0, 0);
    decode_all(r, h, out.time.data(), out.value.data(), h.has_sources ? out.source.data() : nullptr,
               h.has_accepted ? out.accepted.data() : nullptr);
}

void decode_times_values(std::span<const std::uint8_t> bytes, std::string_view where,
                         const block_header& header, std::int64_t* time, std::int64_t* value) {
    reader r{bytes.data(), bytes.data(), bytes.data() + bytes.size(), where};
    if (header.size > bytes.size()) r.fail(r.begin, "the header read does not belong to these bytes");
    r.p = r.begin + header.size;
    decode_all(r, header, time, value, nullptr, nullptr);
}

std::size_t append_times_values(std::span<const std::uint8_t> bytes, std::string_view where,
                                std::vector<std::int64_t>& time, std::vector<std::int64_t>& value) {
    const block_header h = read_block_header(bytes, where);
    const std::size_t t0 = time.size();
    const std::size_t v0 = value.size();
    time.resize(t0 + h.count);
    value.resize(v0 + h.count);
    try {
        decode_times_values(bytes, where, h, time.data() + t0, value.data() + v0);
    } catch (...) {
        time.resize(t0);
        value.resize(v0);
        throw;
    }
    return h.count;
}

}  // namespace detail
}  // namespace v0
}  // namespace kvant
