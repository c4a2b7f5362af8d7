// DLMS/COSEM load profiles in process (benchmarks/run_dlms.sh): a conversation of hex APDU lines
// (Get-Requests and their Get-Responses: capture objects, scaler_units, then month-long 30-minute profile
// buffers, some in data blocks) in one buffer, then three sides over the same bytes, each run RUNS times in
// turn:
//   bound   a plain pass: each Get-Response's A-XDR walked once (every element's tag and length, every
//           integer's value summed; data blocks' raw bytes walked as they come), the least work that reads
//           every value once;
//   decode  the "dlms" decoder with one session for the conversation (fresh every run): records with exact
//           values, scalers applied, each capture's time;
//   map     decode, then map_frame into a reading_table (cleared after each frame).
// A mismatch exits 1: the map side must give exactly the readings and the sum of values the generator wrote
// (EXPECT_FILE: `readings N`, `sum M`), every run the same; the decode side the same record count every run.
// usage: dlms_bench HEX_FILE EXPECT_FILE [--runs R]
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "kvant/decode/decoder.hpp"
#include "kvant/decode/dlms.hpp"
#include "kvant/decode/frame_mapping.hpp"
#include "kvant/io/csv.hpp"
#include "kvant/io/frame_ingest.hpp"

using namespace kvant;
using bench::clock_type;

namespace {

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "dlms_bench: %s\n", what.c_str());
    std::exit(1);
}

/// The bound's walker: one A-XDR value from `p`, its integers summed into `acc`; the number of elements read.
/// Enough of A-XDR for the profile conversation (no compact arrays); an unknown tag stops the walk.
struct walker {
    const std::uint8_t* p;
    const std::uint8_t* end;
    std::uint64_t acc = 0;
    std::size_t elements = 0;

    std::uint32_t length() {
        if (p >= end) return 0;
        const std::uint8_t b = *p++;
        if (b < 0x80) return b;
        std::uint32_t n = 0;
        for (int i = 0; i < (b & 0x7F) && p < end; ++i) n = n << 8 | *p++;
        return n;
    }
    bool value() {
        if (p >= end) return false;
        const std::uint8_t tag = *p++;
        ++elements;
        auto skip = [&](std::size_t n) {
            if (std::size_t(end - p) < n) return false;
            for (std::size_t i = 0; i < n; ++i) acc += p[i];
            p += n;
            return true;
        };
        switch (tag) {
            case 0x00:
                return true;
            case 0x01:
            case 0x02: {
                const std::uint32_t n = length();
                for (std::uint32_t i = 0; i < n; ++i)
                    if (!value()) return false;
                return true;
            }
            case 0x03:
            case 0x0F:
            case 0x11:
            case 0x16:
                return skip(1);
            case 0x10:
            case 0x12:
                return skip(2);
            case 0x05:
            case 0x06: {
                if (end - p < 4) return false;
                acc +=
                    std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
                p += 4;
                return true;
            }
            case 0x09:
            case 0x0A:
                return skip(length());
            default:
                return false;
        }
    }
};

/// The plain pass over one frame: a Get-Response-Normal's data walked; a data block's raw bytes summed (the
/// walk of a value split over blocks needs the blocks joined, which is the decoder's work).
std::uint64_t plain_pass(std::span<const std::uint8_t> f, std::size_t& elements) {
    if (f.size() > 4 && f[0] == 0xC4 && f[1] == 0x01 && f[3] == 0x00) {
        walker w{f.data() + 4, f.data() + f.size()};
        w.value();
        elements += w.elements;
        return w.acc;
    }
    std::uint64_t acc = 0;
    for (const auto b : f) acc += b;
    return acc;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) fail("usage: dlms_bench HEX_FILE EXPECT_FILE [--runs R]");
    int runs = 5;
    for (int i = 3; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--runs")
            runs = std::atoi(argv[i + 1]);
        else
            fail("unknown option " + a);
    }
    if (runs <= 0) fail("--runs must be positive");
    const auto frames_in = read_hex_frames(read_file(argv[1]), argv[1]);
    std::size_t want_readings = 0;
    std::int64_t want_sum = 0;
    {
        const std::string e = read_file(argv[2]);
        if (std::sscanf(e.c_str(), "readings %zu sum %lld", &want_readings,
                        reinterpret_cast<long long*>(&want_sum)) != 2)
            fail(std::string("cannot read ") + argv[2]);
    }
    std::vector<std::uint8_t> buf;
    std::vector<std::uint32_t> offsets;
    for (const auto& f : frames_in) {
        offsets.push_back(static_cast<std::uint32_t>(buf.size()));
        buf.insert(buf.end(), f.bytes.begin(), f.bytes.end());
    }
    offsets.push_back(static_cast<std::uint32_t>(buf.size()));
    const std::size_t total = frames_in.size();
    const decoder_registry registry = builtin_decoders();

    frame_context context;
    context.meter = "M1";
    context.measures = resource::electricity;
    context.time_zone = zone::parse("Europe/Moscow");
    context.received = from_unix(1'764'000'000);

    std::vector<double> t_bound, t_decode, t_map;
    std::uint64_t bound_first = 0;
    std::size_t records_first = 0, elements = 0;
    decoded_frame out;
    reading_table table;
    std::vector<meter_event> events;
    for (int r = 0; r < runs; ++r) {
        auto t0 = clock_type::now();
        std::uint64_t acc = 0;
        elements = 0;
        for (std::size_t i = 0; i < total; ++i)
            acc += plain_pass(std::span(buf.data() + offsets[i], offsets[i + 1] - offsets[i]), elements);
        t_bound.push_back(bench::since(t0));
        if (r == 0) bound_first = acc;
        if (acc != bound_first) fail("the plain pass gave another sum in run " + std::to_string(r + 1));

        dlms_session session;
        decoder_config config;
        config.session = &session;
        auto dec = registry.make("dlms", config);
        t0 = clock_type::now();
        std::size_t records = 0;
        for (std::size_t i = 0; i < total; ++i) {
            if (!dec->decode(std::span(buf.data() + offsets[i], offsets[i + 1] - offsets[i]), out))
                fail("frame " + std::to_string(i + 1) + " does not decode: " + out.error.message());
            records += out.records.size();
        }
        t_decode.push_back(bench::since(t0));
        if (r == 0) records_first = records;
        if (records != records_first) fail("the decode side read another number of records");

        dlms_session session2;
        config.session = &session2;
        dec = registry.make("dlms", config);
        t0 = clock_type::now();
        std::size_t readings = 0;
        std::int64_t sum = 0;
        for (std::size_t i = 0; i < total; ++i) {
            if (dec->decode(std::span(buf.data() + offsets[i], offsets[i + 1] - offsets[i]), out))
                map_frame(out, context, table, events);
            readings += table.size();
            for (const auto v : table.values()) sum += v;
            table.clear();
            events.clear();
        }
        t_map.push_back(bench::since(t0));
        if (readings != want_readings || sum != want_sum)
            fail("run " + std::to_string(r + 1) + " mapped " + std::to_string(readings) +
                 " readings of sum " + std::to_string(sum) + "; the generator wrote " +
                 std::to_string(want_readings) + " of sum " + std::to_string(want_sum));
    }
    const double b = bench::median(t_bound), d = bench::median(t_decode), m = bench::median(t_map);
    std::printf("frames %zu, bytes %zu, A-XDR elements walked %zu, records %zu, readings %zu\n", total,
                buf.size(), elements, records_first, want_readings);
    std::printf("side     median_s   readings_per_s   MB_per_s   x_bound\n");
    const auto row = [&](const char* name, double s) {
        std::printf("%-7s %9.4f %16.0f %10.1f %9.1f\n", name, s, double(want_readings) / s,
                    double(buf.size()) / s / 1e6, s / b);
    };
    row("bound", b);
    row("decode", d);
    row("map", m);
    std::printf("runs %d; map / decode %.2f\n", runs, m / d);
    return 0;
}
