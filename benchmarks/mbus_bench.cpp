// Wired and wireless M-Bus decoding in process (benchmarks/run_mbus.sh): a file of frames (one a line:
// `mbus HEX` or `wmbus HEX`) repeated and shuffled (seeded) into one buffer of N frames, as a gateway's
// stream would hold them, then three sides over the same bytes, each run RUNS times in turn:
//   bound   a plain pass: each frame's length walk and checksum (wired long frames: L, L again, the sum of
//           C..data against the checksum byte; other frames: the sum of their bytes), the least work that
//           reads every byte once;
//   decode  the protocol's decoder into one reused decoded_frame: normalized records with exact values;
//   map     decode, then map_frame into a reading_table and meter events (cleared every 4,096 frames).
// A mismatch exits 1: each frame's status and record count must equal its count in a single decode first;
// every run of a side must give the same totals (records, readings, the sum of the mapped values).
// usage: mbus_bench FRAMES_FILE [--frames N] [--runs R] [--keys FILE] [--seed S]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "kvant/decode/decoder.hpp"
#include "kvant/decode/frame_mapping.hpp"
#include "kvant/decode/key_ring.hpp"
#include "kvant/decode/wmbus.hpp"
#include "kvant/io/csv.hpp"

using namespace kvant;
using bench::clock_type;

namespace {

struct unique_frame {
    int protocol = 0;  // 0 mbus, 1 wmbus
    std::vector<std::uint8_t> bytes;
    bool ok = false;
    std::size_t records = 0;
    frame_context context;
    std::string meter;
};

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "mbus_bench: %s\n", what.c_str());
    std::exit(1);
}

std::vector<std::uint8_t> from_hex(const std::string& hex, std::size_t line) {
    std::vector<std::uint8_t> out;
    int hi = -1;
    for (const char c : hex) {
        int v;
        if (c >= '0' && c <= '9')
            v = c - '0';
        else if (c >= 'a' && c <= 'f')
            v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v = c - 'A' + 10;
        else if (c == ' ' || c == '\t' || c == '\r')
            continue;
        else
            fail("line " + std::to_string(line) + ": not hex");
        if (hi < 0)
            hi = v;
        else
            out.push_back(static_cast<std::uint8_t>(hi * 16 + v)), hi = -1;
    }
    if (hi >= 0) fail("line " + std::to_string(line) + ": an odd number of hex digits");
    return out;
}

resource resource_of(std::uint8_t medium) {
    switch (medium) {
        case 0x02:
            return resource::electricity;
        case 0x03:
            return resource::gas;
        case 0x06:
        case 0x15:
            return resource::hot_water;
        case 0x07:
        case 0x16:
            return resource::cold_water;
        default:
            return resource::heat;
    }
}

/// The bound: each frame's bytes read once (length walk and checksum).
std::uint64_t plain_pass(const std::vector<std::uint8_t>& buf, const std::vector<std::uint32_t>& offsets,
                         std::size_t& valid) {
    std::uint64_t acc = 0;
    valid = 0;
    for (std::size_t i = 0; i + 1 < offsets.size(); ++i) {
        const std::uint8_t* b = buf.data() + offsets[i];
        const std::size_t n = offsets[i + 1] - offsets[i];
        if (n >= 6 && b[0] == 0x68 && b[1] == b[2] && b[3] == 0x68 && std::size_t(b[1]) + 6 == n) {
            std::uint8_t sum = 0;
            for (std::size_t k = 4; k < n - 2; ++k) sum = static_cast<std::uint8_t>(sum + b[k]);
            valid += sum == b[n - 2] && b[n - 1] == 0x16;
            acc += sum;
        } else {
            std::uint32_t sum = 0;
            for (std::size_t k = 0; k < n; ++k) sum += b[k];
            valid += n > 0 && (b[0] == 0xE5 || std::size_t(b[0]) + 1 <= n);
            acc += sum;
        }
    }
    return acc;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) fail("usage: mbus_bench FRAMES_FILE [--frames N] [--runs R] [--keys FILE] [--seed S]");
    std::size_t total = 2'000'000;
    int runs = 5;
    std::uint64_t seed = 20261124;
    std::string keys_file;
    for (int i = 2; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--frames")
            total = std::strtoull(argv[i + 1], nullptr, 10);
        else if (a == "--runs")
            runs = std::atoi(argv[i + 1]);
        else if (a == "--keys")
            keys_file = argv[i + 1];
        else if (a == "--seed")
            seed = std::strtoull(argv[i + 1], nullptr, 10);
        else
            fail("unknown option " + a);
    }
    if (total == 0 || runs <= 0) fail("--frames and --runs must be positive");

    key_ring keys;
    if (!keys_file.empty()) keys.add_lines(read_file(keys_file), keys_file);
    const decoder_registry registry = builtin_decoders();
    // one format cache for the single decodes: a compact frame after its full frame in the file decodes in
    // the timed runs too, whatever the shuffled order (the cache is warm)
    wmbus_format_cache formats;
    decoder_config config;
    config.keys = &keys;
    config.formats = &formats;
    std::unique_ptr<decoder> dec[2] = {registry.make("mbus", config), registry.make("wmbus", config)};

    // the distinct frames, each decoded once: its status and record count are what every repetition must give
    std::vector<unique_frame> frames;
    {
        const std::string text = read_file(argv[1]);
        std::size_t line = 0, pos = 0;
        while (pos < text.size()) {
            std::size_t end = text.find('\n', pos);
            if (end == std::string::npos) end = text.size();
            std::string l = text.substr(pos, end - pos);
            pos = end + 1;
            ++line;
            if (const auto h = l.find('#'); h != std::string::npos) l.resize(h);
            const auto sp = l.find(' ');
            if (l.find_first_not_of(" \t\r") == std::string::npos) continue;
            if (sp == std::string::npos) fail("line " + std::to_string(line) + ": `mbus HEX` or `wmbus HEX`");
            unique_frame f;
            const std::string p = l.substr(0, sp);
            if (p == "mbus")
                f.protocol = 0;
            else if (p == "wmbus")
                f.protocol = 1;
            else
                fail("line " + std::to_string(line) + ": protocol '" + p + "'");
            f.bytes = from_hex(l.substr(sp + 1), line);
            frames.push_back(std::move(f));
        }
    }
    if (frames.empty()) fail(std::string("no frames in ") + argv[1]);
    decoded_frame out;
    std::size_t ok_frames = 0;
    for (std::size_t i = 0; i < frames.size(); ++i) {
        auto& f = frames[i];
        f.ok = dec[f.protocol]->decode(f.bytes, out);
        if (f.ok) formats.learn(out);
        f.records = f.ok ? out.records.size() : 0;
        if (!f.ok)
            std::fprintf(stderr, "distinct frame %zu (%s) does not decode: %s: %s\n", i + 1,
                         f.protocol ? "wmbus" : "mbus",
                         std::string(decode_status_text.name(out.error.status)).c_str(),
                         out.error.message().c_str());
        ok_frames += f.ok;
        f.meter = "M" + std::to_string(i);
        f.context.meter = f.meter;
        f.context.measures = resource_of(out.header.medium);
        f.context.time_zone = zone::parse("Europe/Moscow");
        f.context.received = from_unix(1'764'000'000);  // 2025-11-24T16:00:00Z
    }

    // the stream: every distinct frame repeated to `total`, shuffled
    std::vector<std::uint32_t> order(total);
    for (std::size_t i = 0; i < total; ++i) order[i] = static_cast<std::uint32_t>(i % frames.size());
    std::mt19937_64 rng(seed);
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<std::uint8_t> buf;
    std::vector<std::uint32_t> offsets;
    offsets.reserve(total + 1);
    std::size_t bytes = 0;
    for (const auto k : order) bytes += frames[k].bytes.size();
    if (bytes > 0xFFFF'FFFFu) fail("too many bytes for one buffer: fewer --frames");
    buf.reserve(bytes);
    for (const auto k : order) {
        offsets.push_back(static_cast<std::uint32_t>(buf.size()));
        buf.insert(buf.end(), frames[k].bytes.begin(), frames[k].bytes.end());
    }
    offsets.push_back(static_cast<std::uint32_t>(buf.size()));
    std::size_t expected_records = 0;
    for (const auto k : order) expected_records += frames[k].records;

    std::vector<double> t_bound, t_decode, t_map;
    std::uint64_t bound_acc = 0;
    std::size_t readings_first = 0, events_first = 0;
    std::int64_t sum_first = 0;
    reading_table table;
    std::vector<meter_event> events;
    for (int r = 0; r < runs; ++r) {
        // bound
        auto t0 = clock_type::now();
        std::size_t valid = 0;
        const std::uint64_t acc = plain_pass(buf, offsets, valid);
        t_bound.push_back(bench::since(t0));
        if (r == 0) bound_acc = acc;
        if (acc != bound_acc) fail("the plain pass gave another sum in run " + std::to_string(r + 1));

        // decode
        t0 = clock_type::now();
        std::size_t records = 0;
        for (std::size_t i = 0; i < total; ++i) {
            const auto& f = frames[order[i]];
            const std::span<const std::uint8_t> in(buf.data() + offsets[i], offsets[i + 1] - offsets[i]);
            const bool ok = dec[f.protocol]->decode(in, out);
            if (ok != f.ok || (ok && out.records.size() != f.records))
                fail("frame " + std::to_string(i) + " (distinct frame " + std::to_string(order[i]) +
                     ") decoded otherwise than alone: " + std::to_string(out.records.size()) + " records, " +
                     std::to_string(f.records) + " expected");
            records += out.records.size();
        }
        t_decode.push_back(bench::since(t0));
        if (records != expected_records) fail("the decode side read another number of records");

        // decode and map
        t0 = clock_type::now();
        std::size_t readings = 0, nevents = 0;
        std::int64_t sum = 0;
        const auto flush = [&] {
            readings += table.size();
            nevents += events.size();
            for (const auto v : table.values()) sum += v;
            table.clear();
            events.clear();
        };
        for (std::size_t i = 0; i < total; ++i) {
            const auto& f = frames[order[i]];
            const std::span<const std::uint8_t> in(buf.data() + offsets[i], offsets[i + 1] - offsets[i]);
            if (dec[f.protocol]->decode(in, out)) map_frame(out, f.context, table, events);
            if ((i & 4095) == 4095) flush();
        }
        flush();
        t_map.push_back(bench::since(t0));
        if (r == 0) readings_first = readings, events_first = nevents, sum_first = sum;
        if (readings != readings_first || nevents != events_first || sum != sum_first)
            fail("the map side gave other readings in run " + std::to_string(r + 1));
    }

    const double b = bench::median(t_bound), d = bench::median(t_decode), m = bench::median(t_map);
    std::printf(
        "frames %zu (distinct %zu, decoding %zu), bytes %zu, records %zu, readings %zu, events %zu, "
        "sum of readings %lld (millionths)\n",
        total, frames.size(), ok_frames, bytes, expected_records, readings_first, events_first,
        static_cast<long long>(sum_first));
    std::printf("side     median_s   frames_per_s   MB_per_s   x_bound\n");
    const auto row = [&](const char* name, double s) {
        std::printf("%-7s %9.4f %14.0f %10.1f %9.1f\n", name, s, double(total) / s, double(bytes) / s / 1e6,
                    s / b);
    };
    row("bound", b);
    row("decode", d);
    row("map", m);
    std::printf("runs %d; map / decode %.2f\n", runs, m / d);
    return 0;
}
