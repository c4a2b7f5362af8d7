// Baseline: monthly three-zone (or single-zone) split of cumulative readings as one DuckDB SQL script, the SQL
// an analyst would write, with the library's reference semantics exactly (docs/consumption.md,
// docs/tariffs.md): each interval's delta between consecutive readings of a meter at t0 < t1 is spread
// uniformly over [t0, t1) and cut at the local month starts and local zone switch times of the meter's zone;
// a decrease contributes nothing. DuckDB reads the CSV files itself (read_csv) and writes the result (COPY).
// usage: NODE_PATH=.../node_modules node duckdb_split.js READINGS.csv METERS.csv three-zone|single OUT.csv
// writes meter,period,zone,value (period YYYY-MM local, value kWh to 6 places); prints rows and timings.
'use strict';
const { DuckDBInstance } = require('@duckdb/node-api');

const [readings, meters, schedule, out] = process.argv.slice(2);
if (!out || !['three-zone', 'single'].includes(schedule)) {
    console.error('usage: node duckdb_split.js READINGS.csv METERS.csv three-zone|single OUT.csv');
    process.exit(2);
}
const q = (s) => `'${s.replace(/'/g, "''")}'`;
const profile = schedule === 'three-zone'
    ? `(0, 'night'), (7, 'peak'), (10, 'semi-peak'), (17, 'peak'), (21, 'semi-peak'), (23, 'night')`
    : `(0, 'total')`;

const load = [
    `SET TimeZone = 'UTC'`,
    `CREATE TABLE r AS SELECT * FROM read_csv(${q(readings)}, header = true,
        columns = {'meter': 'VARCHAR', 'timestamp': 'TIMESTAMPTZ', 'value': 'DOUBLE'})`,
    `CREATE TABLE m AS SELECT serial, zone FROM read_csv(${q(meters)}, header = true, all_varchar = true)`,
];
const split = [
    // intervals between consecutive readings of a meter; a decrease (or no change) contributes nothing
    `CREATE TABLE iv AS SELECT * FROM (
        SELECT r.meter, coalesce(m.zone, 'UTC') AS tz, lag(r.timestamp) OVER w AS t0, r.timestamp AS t1,
               r.value - lag(r.value) OVER w AS delta
        FROM r LEFT JOIN m ON r.meter = m.serial
        WINDOW w AS (PARTITION BY r.meter ORDER BY r.timestamp)) WHERE delta > 0`,
    // local segments of each zone: every local midnight (month starts cut) and switch time, as instants
    `CREATE TABLE seg AS
     WITH span AS (SELECT tz, min(t0) AS lo, max(t1) AS hi FROM iv GROUP BY tz),
     days AS (SELECT tz, unnest(generate_series(date_trunc('day', timezone(tz, lo)) - INTERVAL 1 DAY,
                                                date_trunc('day', timezone(tz, hi)) + INTERVAL 1 DAY,
                                                INTERVAL 1 DAY)) AS d FROM span),
     profile(h, zone) AS (VALUES ${profile}),
     edges AS (SELECT tz, timezone(tz, d + h * INTERVAL 1 HOUR) AS s, zone, strftime(d, '%Y-%m') AS period
               FROM days, profile)
     SELECT tz, s, lead(s) OVER (PARTITION BY tz ORDER BY s) AS e, zone, period,
            row_number() OVER (PARTITION BY tz ORDER BY s) AS k FROM edges`,
    // the segment holding t0 and the one holding the instant before t1, every segment between, the overlap
    `CREATE TABLE res AS
     WITH located AS (
         SELECT iv.*, a.k AS k0, b.k AS k1
         FROM iv ASOF JOIN seg a ON iv.tz = a.tz AND iv.t0 >= a.s
                 ASOF JOIN seg b ON iv.tz = b.tz AND iv.t1 > b.s),
     pieces AS (SELECT meter, tz, t0, t1, delta, unnest(range(k0, k1 + 1)) AS k FROM located)
     SELECT p.meter, s.period, s.zone,
            sum(p.delta * (epoch(least(s.e, p.t1)) - epoch(greatest(s.s, p.t0))) / (epoch(p.t1) - epoch(p.t0)))
                AS value
     FROM pieces p JOIN seg s ON p.tz = s.tz AND p.k = s.k
     GROUP BY ALL`,
];

(async () => {
    const t0 = performance.now();
    const con = await (await DuckDBInstance.create(':memory:')).connect();
    for (const s of load) await con.run(s);
    const t1 = performance.now();
    for (const s of split) await con.run(s);
    const t2 = performance.now();
    await con.run(`COPY (SELECT meter, period, zone, printf('%.6f', value) AS value FROM res
                         ORDER BY meter, period, zone) TO ${q(out)} (HEADER, QUOTE '')`);
    const rows = (await con.runAndReadAll('SELECT count(*) FROM r')).getRows()[0][0];
    console.log(`rows=${rows} load_s=${((t1 - t0) / 1e3).toFixed(3)} compute_s=${((t2 - t1) / 1e3).toFixed(3)}`);
})().catch((e) => {
    console.error(`duckdb_split: ${e.message}`);
    process.exit(1);
});
