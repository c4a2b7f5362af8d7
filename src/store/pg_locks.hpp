// postgres_store's advisory locks: every key the backend takes, and the order it takes them in.
//
// Every lock is transaction-scoped (pg_advisory_xact_lock): the transaction's end releases it, and so does
// rolling back the savepoint it was taken under. A write takes, in this order:
//  1. the locks of the meters it writes (`lock_meters`: meter id % 1024 under one key class for readings,
//     events, relay changes and sessions alike), ascending, so that writers of the same meters queue (the
//     second sees what the first committed) and writers of other meters mostly do not wait. One class for
//     every table: a transaction of several calls that writes a meter's readings then its events, against
//     one that writes its events then its readings, waits at its first call instead of deadlocking (a
//     lock already held is taken again at once). Erasing a meter takes the locks of every meter of its
//     abonent at once (`lock_erased_meter`: an erase of a point, an account or an abonent erases its meters
//     one call at a time). Anomaly writers take (`anomalies_class`, 0) instead;
//  2. at commit, the change log's lock (`change_log_key`, see postgres_impl.hpp).
// Readers take none. Creating the schema takes `schema_key` alone. Two transactions of several calls each
// that write two meters in opposite orders (m1 then m2 against m2 then m1) can still deadlock, as in any
// database: PostgreSQL ends one of them (40P01, errc::storage_busy) and it is to be run again.
//
// The bigint keys and the (int4, int4) keys are separate lock spaces in PostgreSQL; 'KVNT' = 0x4B564E54.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "pg_connection.hpp"

namespace kvant {
inline namespace v0 {
namespace detail::pg {

constexpr std::int64_t schema_key = 0x4B564E5400000001;      // 'KVNT', 1
constexpr std::int64_t change_log_key = 0x4B564E5400000002;  // 'KVNT', 2

/// The first key of the meters' locks (the second is the bucket).
constexpr std::int32_t meters_class = 0x4B564E54;  // 'KVNT'
/// The anomalies table's one lock: (anomalies_class, 0).
constexpr std::int32_t anomalies_class = 0x4B560104;
/// 1,024 buckets: writers of a few meters each rarely meet, and a transaction holds at most 1,024 of these
/// locks (PostgreSQL's shared lock table has max_locks_per_transaction × max_connections slots, 6,400 by
/// default).
constexpr std::int64_t meter_buckets = 1024;

/// Takes the locks (meters_class, meter id % meter_buckets) of these meters, ascending.
inline void lock_meters(connection& c, const std::vector<std::int64_t>& ids) {
    std::vector<std::int64_t> buckets;
    buckets.reserve(ids.size());
    for (const auto id : ids) buckets.push_back(id % meter_buckets);
    std::sort(buckets.begin(), buckets.end());
    buckets.erase(std::unique(buckets.begin(), buckets.end()), buckets.end());
    // the subquery's order is the order the locks are taken in
    c.query(
        "SELECT count(pg_advisory_xact_lock($1::int4, k::int4)) FROM (SELECT k FROM unnest($2::bigint[]) k "
        "ORDER BY k) b",
        params().add(static_cast<std::int64_t>(meters_class)).add_array(buckets));
}

/// Erasing meter `id`: takes, ascending and in one statement, the locks of every meter of its abonent (the
/// meter alone when it is at no point). store::erase erases the meters of one plan one call at a time, and a
/// plan's meters all lie below one abonent (a meter, a point, an account or an abonent): the first meter's
/// erase takes every lock the plan needs, in order, and the next ones find them held, so that an erase never
/// holds one meter's lock while it waits for another's that a writer of both holds.
inline void lock_erased_meter(connection& c, std::int64_t id) {
    c.query(
        "SELECT count(pg_advisory_xact_lock($1::int4, k::int4)) FROM (SELECT DISTINCT m.id % $3 k FROM "
        "meters m "
        "WHERE m.id=$2 OR m.point IN (SELECT p.code FROM metering_points p JOIN accounts a ON "
        "a.number=p.account WHERE a.abonent=(SELECT a2.abonent FROM meters m2 JOIN metering_points p2 ON "
        "p2.code=m2.point JOIN accounts a2 ON a2.number=p2.account WHERE m2.id=$2)) ORDER BY k) b",
        params().add(static_cast<std::int64_t>(meters_class)).add(id).add(meter_buckets));
}

}  // namespace detail::pg
}  // namespace v0
}  // namespace kvant
