// Generates a fleet straight into a store (open_store: a SQLite file, or a PostgreSQL database named by a
// connection string or URI): N electricity meters (one organisation in Moscow, one
// account and metering point a meter, 100 a building) with half-hourly cumulative readings of active energy
// import for one year, as ../shared/bench/gen_readings.py shapes them (Wh steps, more by day and in the
// evening peak), deterministic for a seed. Meter k's readings are written in batches of `--batch` meters,
// each batch one put_readings call inside one transaction for the whole fleet, so the figure printed is the
// store's ingest from a batch.
//
// PostgreSQL: --partitions P sets the readings partitions of a new database, and each --shard CONNINFO names
// a shard server's empty database: the readings are then distributed over them (postgres_store::distribute)
// before anything is written, so that the whole ingest goes through the coordinator.
//
// usage: fleet_gen DB --meters N [--year Y] [--batch B] [--seed S] [--partitions P] [--shard CONNINFO]...
// prints: meters=… faults=… readings=… generate_s=… ingest_s=… ingest_per_s=…
#include <chrono>
#include <cmath>
#include <cstring>
#include <iostream>
#include <string>

#include <vector>
#include "kvant/core/calendar.hpp"

#include "kvant/store/open_store.hpp"

using namespace kvant;

namespace {
// splitmix64: a small, well-mixed deterministic generator
struct rng {
    std::uint64_t s;
    std::uint64_t next() {
        std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
};
}  // namespace

int main(int argc, char** argv) try {
    if (argc < 2) {
        std::cerr << "usage: fleet_gen DB --meters N [--year Y] [--batch B] [--seed S] [--partitions P] "
                     "[--shard CONNINFO]...\n";
        return 2;
    }
    const std::string db_file = argv[1];
    long meters = 1000, year = 2025, batch_meters = 200;
    std::uint64_t seed = 1;
    store_options options;
    std::vector<std::string> shards;
    for (int i = 2; i + 1 < argc; i += 2) {
        const long v = std::atol(argv[i + 1]);
        if (!std::strcmp(argv[i], "--shard"))
            shards.emplace_back(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--partitions"))
            options.postgres.partitions = static_cast<int>(v);
        else if (!std::strcmp(argv[i], "--meters"))
            meters = v;
        else if (!std::strcmp(argv[i], "--year"))
            year = v;
        else if (!std::strcmp(argv[i], "--batch"))
            batch_meters = v;
        else if (!std::strcmp(argv[i], "--seed"))
            seed = static_cast<std::uint64_t>(v);
        else {
            std::cerr << "fleet_gen: unknown option " << argv[i] << "\n";
            return 2;
        }
    }
    if (meters < 1 || meters > 10'000'000 || batch_meters < 1 || year < 1971 || year > 2098) {
        std::cerr << "fleet_gen: --meters 1..10000000, --batch >= 1, --year 1971..2098\n";
        return 2;
    }
    using clock = std::chrono::steady_clock;
    if (!shards.empty() && !names_postgres(db_file)) {
        std::cerr << "fleet_gen: --shard needs a PostgreSQL database\n";
        return 2;
    }
    const auto opened = open_store(db_file, open_mode::create, options);
    store& s = *opened;
    if (!shards.empty()) dynamic_cast<postgres_store&>(s).distribute(shards);
    transaction tx(s);
    organization o;
    o.id = "org";
    o.name = "Fleet";
    o.time_zone = zone::parse("Europe/Moscow");
    s.put(o);
    s.put(abonent{"ab", "org", abonent_kind::legal, "Fleet", "", "", std::nullopt});
    auto serial_of = [](long k) {
        std::string n = std::to_string(k);
        return "M" + std::string(n.size() < 7 ? 7 - n.size() : 0, '0') + n;
    };
    for (long k = 0; k < meters; ++k) {
        account a;
        a.number = "A" + std::to_string(k);
        a.abonent = "ab";
        a.building = "B" + std::to_string(k / 100);
        s.put(a);
        s.put(metering_point{"P" + std::to_string(k), a.number, "", "", "", ""});
        meter m;
        m.serial = serial_of(k);
        m.point = "P" + std::to_string(k);
        s.put(m);
    }
    // local midnight of 1 January in Moscow (UTC+3) to the next one, every 30 minutes: 17,521 readings
    const std::int64_t start =
        to_unix(start_of_day(zone::parse("Europe/Moscow"), date::year{static_cast<int>(year)} / 1 / 1));
    const std::int64_t end =
        to_unix(start_of_day(zone::parse("Europe/Moscow"), date::year{static_cast<int>(year + 1)} / 1 / 1));
    const std::int64_t step = 1800;
    const std::size_t per_meter = static_cast<std::size_t>((end - start) / step + 1);
    double generate_s = 0, ingest_s = 0;
    std::size_t total = 0;
    const channel a_plus = channel::of(quantity::active_import);
    for (long first = 0; first < meters; first += batch_meters) {
        const auto g0 = clock::now();
        reading_table batch;
        const long last = std::min(meters, first + batch_meters);
        batch.reserve(static_cast<std::size_t>(last - first) * per_meter);
        const auto ch = batch.channel_slot(a_plus);
        for (long k = first; k < last; ++k) {
            rng r{seed * 0x100000001b3ULL + static_cast<std::uint64_t>(k)};
            const auto slot = batch.meter_slot(serial_of(k));
            const double scale = 0.5 + r.uniform();
            std::int64_t wh = static_cast<std::int64_t>(r.uniform() * 5'000'000);
            for (std::int64_t t = start; t <= end; t += step) {
                batch.push(slot, ch, t, wh * 1000);                            // Wh → millionths of a kWh
                const int hour = static_cast<int>(((t - start) / 3600) % 24);  // local hour (Moscow, no DST)
                const double shape = 0.2 + 0.3 * (hour >= 7 && hour < 23) + 0.3 * (hour >= 17 && hour < 21);
                // a gamma(2) step: the sum of two exponentials
                const double e = -std::log(1 - r.uniform()) - std::log(1 - r.uniform());
                wh += static_cast<std::int64_t>(e * shape * scale * 1000 + 0.5);
                // one meter in a thousand has a register fault six hours before the year ends: its register
                // drops by 50 kWh (far more than a step adds), which one day's anomaly detection must report
                if (k % 1000 == 7 && t == end - 6 * 3600 - step) wh -= 50'000;
            }
        }
        const auto g1 = clock::now();
        s.put_readings(batch);
        const auto g2 = clock::now();
        generate_s += std::chrono::duration<double>(g1 - g0).count();
        ingest_s += std::chrono::duration<double>(g2 - g1).count();
        total += batch.size();
    }
    const auto c0 = clock::now();
    tx.commit();
    ingest_s += std::chrono::duration<double>(clock::now() - c0).count();
    std::cout << "meters=" << meters << " faults=" << (meters + 992) / 1000 << " readings=" << total
              << " generate_s=" << generate_s << " ingest_s=" << ingest_s
              << " ingest_per_s=" << static_cast<double>(total) / ingest_s << "\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << "fleet_gen: " << e.what() << "\n";
    return 1;
}
