// The compact block codec of the store (src/store/block_codec.hpp) on the reference readings:
//
//   /usr/bin/python3 ../shared/bench/gen_readings.py --meters 100 --out /tmp/codec/r100.csv
//   build/dev/benchmarks/block_bench /tmp/codec/r100.csv [RUNS=7] [--dump DIR] [--jitter SECONDS]
//
// Reads the CSV (meter,timestamp,value; any row order), splits it into one block a (meter, UTC month), and
// prints the bytes a reading and the encode and decode rates (millions of readings a second, the median of
// the runs, one thread). Every decode is compared with the input: a difference exits 1. `--dump DIR` writes
// each block to DIR/<index>.blk, for comparing with a general-purpose compressor (zstd) block by block.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include <time.h>

#include "bench_common.hpp"
#include "kvant/io/csv.hpp"
#include "store/block_codec.hpp"

namespace {

using kvant::bench::clock_type;
using kvant::bench::median;
using kvant::bench::since;

/// This thread's CPU time: what the machine, shared with other work, actually gave the run.
double cpu_now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: block_bench READINGS.csv [RUNS] [--dump DIR] [--jitter SECONDS]\n");
        return 2;
    }
    int runs = 7;
    std::string dump;
    std::int64_t jitter = 0;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--dump" && i + 1 < argc)
            dump = argv[++i];
        else if (a == "--jitter" && i + 1 < argc)
            jitter = std::max(0, std::stoi(argv[++i]));
        else
            runs = std::max(1, std::stoi(a));
    }

    // ---- read (the library's readings parser, any row order), group by meter and time, split into
    // (meter, UTC month) blocks
    kvant::reading_table table;
    try {
        table = kvant::read_readings_csv(argv[1]);
    } catch (const kvant::error& e) {
        std::fprintf(stderr, "block_bench: %s\n", e.what());
        return 2;
    }
    table.sort();  // by meter, then time; two values of one meter at one time were refused by the parser
    const std::size_t rows = table.size();
    const auto utc_month = [](std::int64_t t) {
        const date::year_month_day d{date::floor<date::days>(kvant::from_unix(t))};
        return static_cast<int>(d.year()) * 12 + static_cast<int>(static_cast<unsigned>(d.month())) - 1;
    };
    std::vector<std::int64_t> times(rows), values(table.values());
    std::vector<std::size_t> starts{0};  // block i is rows starts[i] .. starts[i+1]
    for (std::size_t k = 0; k < rows; ++k) {
        const std::int64_t t = table.times()[k];
        // a meter's clock: each reading up to `jitter` seconds late (deterministic; below the step keeps
        // order)
        times[k] = t + (jitter ? static_cast<std::int64_t>((k * 0x9e3779b97f4a7c15ull) >> 40) % jitter : 0);
        if (k > 0 && (table.meter_index()[k] != table.meter_index()[k - 1] ||
                      table.channel_index()[k] != table.channel_index()[k - 1] ||
                      utc_month(table.times()[k - 1]) != utc_month(t)))
            starts.push_back(k);
    }
    starts.push_back(rows);
    const std::size_t nblocks = starts.size() - 1;
    const double n = static_cast<double>(rows);

    // ---- encode
    std::vector<std::string> blocks(nblocks);
    std::vector<double> enc_s, enc_c;
    for (int run = 0; run < runs; ++run) {
        for (auto& b : blocks) b.clear();
        const auto t0 = clock_type::now();
        const double c0 = cpu_now();
        for (std::size_t b = 0; b < nblocks; ++b) {
            const std::size_t s = starts[b], e = starts[b + 1];
            kvant::detail::encode_block({times.data() + s, e - s}, {values.data() + s, e - s}, {}, {},
                                        blocks[b]);
        }
        enc_s.push_back(since(t0));
        enc_c.push_back(cpu_now() - c0);
    }
    std::size_t bytes = 0;
    for (const auto& b : blocks) bytes += b.size();

    // ---- decode: the fast path into caller arrays, appending to vectors, and whole blocks
    auto span_of = [](const std::string& b) {
        return std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(b.data()), b.size());
    };
    std::vector<std::int64_t> t_out(rows), v_out(rows);
    std::vector<double> dec_s, app_s, full_s, hot_s, dec_c, app_c, full_c, hot_c;
    bool same = true;
    for (int run = 0; run < runs; ++run) {
        std::fill(t_out.begin(), t_out.end(), 0);
        std::fill(v_out.begin(), v_out.end(), 0);
        const auto t0 = clock_type::now();
        const double c0 = cpu_now();
        std::size_t at = 0;
        for (const auto& b : blocks) {
            const auto h = kvant::detail::read_block_header(span_of(b), "bench block");
            kvant::detail::decode_times_values(span_of(b), "bench block", h, t_out.data() + at,
                                               v_out.data() + at);
            at += h.count;
        }
        dec_s.push_back(since(t0));
        dec_c.push_back(cpu_now() - c0);
        same = same && at == rows && t_out == times && v_out == values;
    }
    // the streaming use: each block into the same block-sized buffers (in cache), summed before the next
    {
        std::size_t most = 0;
        for (std::size_t b = 0; b < nblocks; ++b) most = std::max(most, starts[b + 1] - starts[b]);
        std::vector<std::int64_t> t(most), v(most);
        const std::int64_t want = std::accumulate(values.begin(), values.end(), std::int64_t{0}) +
                                  std::accumulate(times.begin(), times.end(), std::int64_t{0});
        for (int run = 0; run < runs; ++run) {
            std::int64_t sum = 0;
            const auto t0 = clock_type::now();
            const double c0 = cpu_now();
            for (const auto& b : blocks) {
                const auto h = kvant::detail::read_block_header(span_of(b), "bench block");
                kvant::detail::decode_times_values(span_of(b), "bench block", h, t.data(), v.data());
                for (std::size_t i = 0; i < h.count; ++i) sum += t[i] + v[i];
            }
            hot_s.push_back(since(t0));
            hot_c.push_back(cpu_now() - c0);
            same = same && sum == want;
        }
    }
    for (int run = 0; run < runs; ++run) {
        std::vector<std::int64_t> t, v;
        t.reserve(rows);
        v.reserve(rows);
        const auto t0 = clock_type::now();
        const double c0 = cpu_now();
        for (const auto& b : blocks) kvant::detail::append_times_values(span_of(b), "bench block", t, v);
        app_s.push_back(since(t0));
        app_c.push_back(cpu_now() - c0);
        same = same && t == times && v == values;
    }
    for (int run = 0; run < runs; ++run) {
        kvant::detail::decoded_block d;
        std::size_t at = 0;
        bool ok = true;
        const auto t0 = clock_type::now();
        const double c0 = cpu_now();
        for (const auto& b : blocks) {
            kvant::detail::decode_block(span_of(b), "bench block", d);
            ok = ok &&
                 std::equal(d.time.begin(), d.time.end(), times.begin() + static_cast<std::ptrdiff_t>(at));
            at += d.time.size();
        }
        full_s.push_back(since(t0));
        full_c.push_back(cpu_now() - c0);
        same = same && ok && at == rows;
    }

    std::printf("readings %zu, meters %zu, blocks %zu (%.0f readings a block), runs %d\n", rows,
                table.meters().size(), nblocks, n / static_cast<double>(nblocks), runs);
    std::printf(
        "codec bytes          %zu (%.3f bytes a reading; %.3f with 20 bytes of row overhead a block)\n",
        bytes, static_cast<double>(bytes) / n, static_cast<double>(bytes + 20 * nblocks) / n);
    std::printf("encode               %8.1f M readings/s (median %.4f s wall; %.1f M/s by CPU time)\n",
                n / median(enc_s) / 1e6, median(enc_s), n / median(enc_c) / 1e6);
    std::printf(
        "decode, fast path    %8.1f M readings/s (median %.4f s wall; %.1f M/s by CPU time; times and values "
        "into caller arrays)\n",
        n / median(dec_s) / 1e6, median(dec_s), n / median(dec_c) / 1e6);
    std::printf(
        "decode, streaming    %8.1f M readings/s (median %.4f s wall; %.1f M/s by CPU time; each block into "
        "one buffer, then summed)\n",
        n / median(hot_s) / 1e6, median(hot_s), n / median(hot_c) / 1e6);
    std::printf(
        "decode, appending    %8.1f M readings/s (median %.4f s wall; %.1f M/s by CPU time; "
        "append_times_values)\n",
        n / median(app_s) / 1e6, median(app_s), n / median(app_c) / 1e6);
    std::printf(
        "decode, whole block  %8.1f M readings/s (median %.4f s wall; %.1f M/s by CPU time; decode_block, "
        "one reused decoded_block)\n",
        n / median(full_s) / 1e6, median(full_s), n / median(full_c) / 1e6);
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
