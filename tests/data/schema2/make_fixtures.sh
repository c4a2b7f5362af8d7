#!/bin/sh
# Makes the schema-2 test databases with the landed release's kvant tool (commit 4cf29d0, the last release
# that writes schema 2), for the migration tests of tests/test_store.cpp:
#
#   git worktree add /tmp/landed 4cf29d0
#   cmake -S /tmp/landed -B /tmp/landed/build -DCMAKE_BUILD_TYPE=Release -DKVANT_BUILD_TESTS=OFF
#   cmake --build /tmp/landed/build --target kvant_cli
#   tests/data/schema2/make_fixtures.sh /tmp/landed/build/kvant /tmp/landed/data/demo
#
# mixed.db: csv/ here (an electricity meter with T1..T4, a water and a heat meter; sources and acceptance
#           times; an event; the anomalies `kvant anomalies detect` finds).
# demo3.db: the landed demo's entities and the readings of its first three meters (data/demo).
set -eu
kvant=$1
demo=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

rm -f "$here/mixed.db" "$here/demo3.db"
c=$here/csv
"$kvant" import --db "$work/mixed.db" --organizations "$c/organizations.csv" --abonents "$c/abonents.csv" \
    --accounts "$c/accounts.csv" --points "$c/metering_points.csv" --models "$c/meter_models.csv" \
    --meters "$c/meters.csv" --readings "$c/readings.csv" --events "$c/events.csv"
"$kvant" anomalies detect --db "$work/mixed.db" --at 2020-06-01T00:00:00Z >/dev/null || true

# the first three meters of the demo readings (the file is ordered by meter)
awk -F, 'NR == 1 { print; next } { if (!($1 in seen)) { seen[$1] = 1; n++ } if (n <= 3) print }' \
    "$demo/readings.csv" >"$work/readings3.csv"
"$kvant" import --db "$work/demo3.db" --organizations "$demo/organizations.csv" \
    --abonents "$demo/abonents.csv" --accounts "$demo/accounts.csv" --points "$demo/metering_points.csv" \
    --models "$demo/meter_models.csv" --meters "$demo/meters.csv" --readings "$work/readings3.csv"

# one file each, no WAL beside it, packed into 512-byte pages (the rows as the landed release wrote them)
for db in mixed demo3; do
    sqlite3 "$work/$db.db" "PRAGMA journal_mode=DELETE; PRAGMA page_size=512; VACUUM;" >/dev/null
    cp "$work/$db.db" "$here/$db.db"
done
cp "$work/readings3.csv" "$here/demo3-readings.csv"
