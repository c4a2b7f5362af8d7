// The compact block codec of the store (src/store/block_codec.hpp) on the reference readings:
//
//   /usr/bin/python3 ../shared/bench/gen_readings.py --meters 100 --out /tmp/codec/r100.csv
//   build/dev/benchmarks/block_bench /tmp/codec/r100.csv [runs=7] [--dump DIR]
//
// Reads the CSV (meter,timestamp,value; any row order), splits it into one block a (meter, UTC month), and
// prints the bytes a reading and the encode and decode rates (millions of readings a second, the median of
// the runs, one thread). Every decode is compared with the input: a difference exits 1. `--dump DIR` writes
// each block to DIR/<index>.blk, for comparing with a general-purpose compressor (zstd) block by block.
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include "bench_common.hpp"
#include "store/block_codec.hpp"

namespace {

using kvant::bench::clock_type;
using kvant::bench::since;

struct row {
    std::uint32_t meter;
    std::int64_t time;
    std::int64_t value;
};

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

int num(std::string_view s) {
    int v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

/// "2025-01-31T21:30:00Z" to Unix seconds.
std::int64_t parse_time(std::string_view s) {
    const std::int64_t days = days_from_civil(num(s.substr(0, 4)), static_cast<unsigned>(num(s.substr(5, 2))),
                                              static_cast<unsigned>(num(s.substr(8, 2))));
    return days * 86400 + num(s.substr(11, 2)) * 3600 + num(s.substr(14, 2)) * 60 + num(s.substr(17, 2));
}

/// "2208.495" to millionths.
std::int64_t parse_value(std::string_view s) {
    bool neg = !s.empty() && s[0] == '-';
    if (neg) s.remove_prefix(1);
    std::int64_t ip = 0, fp = 0;
    const auto dot = s.find('.');
    std::from_chars(s.data(), s.data() + std::min(dot, s.size()), ip);
    int digits = 0;
    if (dot != std::string_view::npos)
        for (char c : s.substr(dot + 1)) {
            if (digits == 6) break;
            fp = fp * 10 + (c - '0');
            ++digits;
        }
    for (; digits < 6; ++digits) fp *= 10;
    const std::int64_t v = ip * 1000000 + fp;
    return neg ? -v : v;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: block_bench READINGS.csv [RUNS] [--dump DIR]\n");
        return 2;
    }
    int runs = 7;
    std::string dump;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--dump" && i + 1 < argc)
            dump = argv[++i];
        else
            runs = std::max(1, std::stoi(a));
    }

    // ---- read and split into (meter, UTC month) blocks
    std::ifstream in(argv[1], std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "block_bench: cannot read %s\n", argv[1]);
        return 2;
    }
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<row> rows;
    std::vector<std::string> meters;
    std::vector<std::int32_t> month_of;  // per row: year * 12 + month - 1 of the UTC time
    {
        std::string_view rest(text);
        rest.remove_prefix(std::min(rest.find('\n') + 1, rest.size()));  // header
        std::string_view last_meter;
        while (!rest.empty()) {
            const auto eol = std::min(rest.find('\n'), rest.size());
            const std::string_view line = rest.substr(0, eol);
            rest.remove_prefix(std::min(eol + 1, rest.size()));
            if (line.empty()) continue;
            const auto c1 = line.find(',');
            const auto c2 = line.find(',', c1 + 1);
            const std::string_view m = line.substr(0, c1);
            const std::string_view ts = line.substr(c1 + 1, c2 - c1 - 1);
            if (m != last_meter) {
                meters.emplace_back(m);
                last_meter = m;
            }
            rows.push_back({static_cast<std::uint32_t>(meters.size() - 1), parse_time(ts),
                            parse_value(line.substr(c2 + 1))});
            month_of.push_back(num(ts.substr(0, 4)) * 12 + num(ts.substr(5, 2)) - 1);
        }
    }
    // a meter seen again later is the same meter: name -> one index, then sort by (meter, time)
    {
        std::vector<std::uint32_t> order(meters.size());
        std::iota(order.begin(), order.end(), 0u);
        std::sort(order.begin(), order.end(), [&](auto a, auto b) { return meters[a] < meters[b]; });
        std::vector<std::uint32_t> canon(meters.size());
        for (std::size_t i = 0; i < order.size(); ++i)
            canon[order[i]] =
                i > 0 && meters[order[i]] == meters[order[i - 1]] ? canon[order[i - 1]] : order[i];
        for (auto& r : rows) r.meter = canon[r.meter];
    }
    std::vector<std::size_t> idx(rows.size());
    std::iota(idx.begin(), idx.end(), std::size_t{0});
    std::stable_sort(idx.begin(), idx.end(), [&](auto a, auto b) {
        return rows[a].meter != rows[b].meter ? rows[a].meter < rows[b].meter : rows[a].time < rows[b].time;
    });
    std::vector<std::int64_t> times(rows.size()), values(rows.size());
    std::vector<std::size_t> starts{0};  // block i is rows starts[i] .. starts[i+1]
    for (std::size_t k = 0; k < idx.size(); ++k) {
        const row& r = rows[idx[k]];
        times[k] = r.time;
        values[k] = r.value;
        if (k > 0) {
            const row& p = rows[idx[k - 1]];
            if (p.meter == r.meter && p.time == r.time) {
                std::fprintf(stderr, "block_bench: meter %s has two readings at %lld\n",
                             meters[r.meter].c_str(), static_cast<long long>(r.time));
                return 2;
            }
            if (p.meter != r.meter || month_of[idx[k - 1]] != month_of[idx[k]]) starts.push_back(k);
        }
    }
    starts.push_back(rows.size());
    const std::size_t nblocks = starts.size() - 1;
    const double n = static_cast<double>(rows.size());

    // ---- encode
    std::vector<std::string> blocks(nblocks);
    std::vector<double> enc_s;
    for (int run = 0; run < runs; ++run) {
        for (auto& b : blocks) b.clear();
        const auto t0 = clock_type::now();
        for (std::size_t b = 0; b < nblocks; ++b) {
            const std::size_t s = starts[b], e = starts[b + 1];
            kvant::detail::encode_block({times.data() + s, e - s}, {values.data() + s, e - s}, {}, {},
                                        blocks[b]);
        }
        enc_s.push_back(since(t0));
    }
    std::size_t bytes = 0;
    for (const auto& b : blocks) bytes += b.size();

    // ---- decode: the fast path into caller arrays, appending to vectors, and whole blocks
    auto span_of = [](const std::string& b) {
        return std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(b.data()), b.size());
    };
    std::vector<std::int64_t> t_out(rows.size()), v_out(rows.size());
    std::vector<double> dec_s, app_s, full_s;
    bool same = true;
    for (int run = 0; run < runs; ++run) {
        std::fill(t_out.begin(), t_out.end(), 0);
        std::fill(v_out.begin(), v_out.end(), 0);
        const auto t0 = clock_type::now();
        std::size_t at = 0;
        for (const auto& b : blocks) {
            const auto h = kvant::detail::read_block_header(span_of(b), "bench block");
            kvant::detail::decode_times_values(span_of(b), "bench block", h, t_out.data() + at,
                                               v_out.data() + at);
            at += h.count;
        }
        dec_s.push_back(since(t0));
        same = same && at == rows.size() && t_out == times && v_out == values;
    }
    for (int run = 0; run < runs; ++run) {
        std::vector<std::int64_t> t, v;
        t.reserve(rows.size());
        v.reserve(rows.size());
        const auto t0 = clock_type::now();
        for (const auto& b : blocks) kvant::detail::append_times_values(span_of(b), "bench block", t, v);
        app_s.push_back(since(t0));
        same = same && t == times && v == values;
    }
    for (int run = 0; run < runs; ++run) {
        kvant::detail::decoded_block d;
        std::size_t at = 0;
        bool ok = true;
        const auto t0 = clock_type::now();
        for (const auto& b : blocks) {
            kvant::detail::decode_block(span_of(b), "bench block", d);
            ok = ok &&
                 std::equal(d.time.begin(), d.time.end(), times.begin() + static_cast<std::ptrdiff_t>(at));
            at += d.time.size();
        }
        full_s.push_back(since(t0));
        same = same && ok && at == rows.size();
    }

    std::printf("readings %zu, meters %zu, blocks %zu (%.0f readings a block), runs %d\n", rows.size(),
                meters.size(), nblocks, n / static_cast<double>(nblocks), runs);
    std::printf(
        "codec bytes          %zu (%.3f bytes a reading; %.3f with 20 bytes of row overhead a block)\n",
        bytes, static_cast<double>(bytes) / n, static_cast<double>(bytes + 20 * nblocks) / n);
    std::printf("encode               %8.1f M readings/s (median %.4f s)\n", n / median(enc_s) / 1e6,
                median(enc_s));
    std::printf(
        "decode, fast path    %8.1f M readings/s (median %.4f s; times and values into caller arrays)\n",
        n / median(dec_s) / 1e6, median(dec_s));
    std::printf("decode, appending    %8.1f M readings/s (median %.4f s; append_times_values)\n",
                n / median(app_s) / 1e6, median(app_s));
    std::printf(
        "decode, whole block  %8.1f M readings/s (median %.4f s; decode_block, one reused decoded_block)\n",
        n / median(full_s) / 1e6, median(full_s));
    std::printf("decoded equals input: %s\n", same ? "yes" : "NO");

    if (!dump.empty()) {
        std::filesystem::create_directories(dump);
        for (std::size_t b = 0; b < nblocks; ++b) {
            std::ofstream o(dump + "/" + std::to_string(b) + ".blk", std::ios::binary);
            o.write(blocks[b].data(), static_cast<std::streamsize>(blocks[b].size()));
        }
        std::printf("wrote %zu blocks to %s\n", nblocks, dump.c_str());
    }
    return same ? 0 : 1;
}
