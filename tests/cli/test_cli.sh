#!/usr/bin/env bash
# End-to-end tests of the kvant tool: usage, the demo, import errors that leave the database unchanged,
# export/import round trips. usage: test_cli.sh KVANT DEMO_DATA_DIR
set -u
kvant=$(realpath "$1")  # absolute: part of the tests run in their own folder
demo=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAILED: $*"; }
# expect CODE DESCRIPTION -- COMMAND...: runs the command, checks its exit code; output in $work/out, $work/err
expect() {
  local code=$1 what=$2
  shift 3
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  if [ "$got" -eq "$code" ]; then ok; else bad "$what: exit $got, expected $code"; cat "$work/err"; fi
}
contains() {  # contains FILE TEXT DESCRIPTION
  if grep -qF -- "$2" "$1"; then ok; else bad "$3: '$2' not in $(basename "$1")"; sed 's/^/  | /' "$1" | head -20; fi
}
lines_ok() {  # lines_ok FILE COUNT DESCRIPTION
  local n
  n=$(wc -l <"$1")
  if [ "$n" -eq "$2" ]; then ok; else bad "$3: $n lines, expected $2"; sed 's/^/  | /' "$1" | head -20; fi
}

# usage
expect 0 "top-level help" -- "$kvant" --help
contains "$work/out" "demo" "top-level help lists demo"
expect 2 "no command" -- "$kvant"
expect 2 "unknown command" -- "$kvant" frobnicate
contains "$work/err" "unknown command 'frobnicate'" "unknown command message"
for c in demo import export validate migrate version consumption split cost verification "anomalies detect" "anomalies list" "anomalies resolve" "anomalies reopen" "anomalies history" estimate building-share current enter analytics map; do
  expect 0 "$c --help" -- "$kvant" $c --help
  contains "$work/out" "usage: kvant $c" "$c --help"
done
expect 2 "unknown option" -- "$kvant" import --db "$work/x.db" --readngs r.csv
contains "$work/err" "unknown option '--readngs'" "unknown option named"
expect 2 "missing value" -- "$kvant" import --db
expect 0 "version" -- "$kvant" version

# the demo
expect 0 "demo" -- "$kvant" demo --db "$work/demo.db" --data "$demo"
contains "$work/out" "Абонентов: 18" "demo: abonent count (001)"
contains "$work/out" "Приборов учёта: 55 (индивидуальных 49, балансовых 6; снятых с учёта 1)" "demo: meters"
contains "$work/out" "Приборы учета без координат, шт.: 11 из 55" "demo: meters without coordinates"
contains "$work/out" "Васильев Роман Михайлович" "demo: abonent name (000)"
contains "$work/out" "installation date 2020-01-21 is before the manufacture date 2022-02-01" "demo: 004's bad data"
# 55 meters, one removed (9000100), two planted silent ones (98970005 since 26.06.2020, 98980007 since 2017)
contains "$work/out" "Сбор данных за начало суток (004 §3.1): 52 из 54 (96.3 %)" "demo: collection rate"
# the removed meter 9000100 and 98970004, its relay off since 10.08.2020 (relay_changes.csv); 98990004's last
# successful session 08:10 is 55 minutes old (sessions.csv)
contains "$work/out" "disconnected 2 not_under_control 0 30min 49 2h 1 1d 1 " "demo: the map legend with relay and sessions"
contains "$work/out" " no_link 2" "demo: the two silent meters have no link"
# the current reading of 98990004 is the last line of that meter in the sample data, shown with 4 places
last=$(grep '^98990004,' "$demo/readings.csv" | tail -1 | cut -d, -f3)
contains "$work/out" "98990004        Вода холодная   Общий тариф: $last куб. м" "demo: current reading"
contains "$work/out" "98970004        Электроэнергия  Общий тариф: 4018.41 кВт·ч  (21.08.2020 09:05)  Отключен" "demo: the bot's disconnected meter (000 §3.2.3)"
contains "$work/out" "(21.08.2020 09:05)  До 2 часов" "demo: the bot's meter whose last session is 55 min old"
expect 0 "demo in English" -- "$kvant" demo --db "$work/demo-en.db" --data "$demo" --lang en --account A15900009460
contains "$work/out" "Meters without coordinates: 11 of 55" "demo --lang en"
contains "$work/out" "Антонова Анна Сергеевна" "demo --account"
expect 1 "demo with an unknown account" -- "$kvant" demo --db "$work/demo-x.db" --data "$demo" --account NOPE
contains "$work/err" "no personal account 'NOPE'" "demo: unknown account named"

# validate: the demo has one warning and no error
expect 0 "validate" -- "$kvant" validate --db "$work/demo.db"
contains "$work/out" "4 issues (0 errors, 4 warnings)" "validate summary (the seed's ИНН and ОГРН, 004's meter card)"
# the seed's requisites (001 §3.5.1): stored with warnings by default, refused under the strict policy
expect 0 "validate the seed's requisites" -- "$kvant" validate --db "$work/demo.db"
contains "$work/out" "INN '722406645712' has a wrong check digit" "the seed's INN is a warning"
rm -f "$work/strict.db"
expect 1 "the seed's requisites under the strict policy" -- "$kvant" import --db "$work/strict.db" --organizations "$demo/organizations.csv" --policy strict
contains "$work/err" "organizations.csv:2" "the strict refusal names the line"

# a failed import changes nothing
"$kvant" export --db "$work/demo.db" --table readings --out "$work/before.csv" || bad "export before"
printf 'meter,timestamp,value\n98990006,2020-08-22T06:05:00Z,352.3\n98990006,2020-08-32T06:05:00Z,352.4\n' >"$work/bad.csv"
expect 1 "import of an impossible date" -- "$kvant" import --db "$work/demo.db" --readings "$work/bad.csv"
contains "$work/err" "bad.csv:3: field 'timestamp': '2020-08-32T06:05:00Z': impossible date" "import error names file, line, field"
"$kvant" export --db "$work/demo.db" --table readings --out "$work/after.csv" || bad "export after"
if cmp -s "$work/before.csv" "$work/after.csv"; then ok; else bad "a failed import changed the database"; fi
printf 'meter,timestamp,value\n98990099,2020-08-22T06:05:00Z,1\n' >"$work/unknown.csv"
expect 1 "import of an unknown meter" -- "$kvant" import --db "$work/demo.db" --readings "$work/unknown.csv"
contains "$work/err" "unknown.csv:2: field 'meter': unknown meter '98990099'" "unknown meter named"
expect 1 "import of a missing file" -- "$kvant" import --db "$work/demo.db" --meters "$work/absent.csv"
contains "$work/err" "cannot read" "missing file named"

# a conflicting reading: refused by default, accepted with --on-conflict replace
printf 'meter,timestamp,value\n98990006,2020-08-21T09:05:00+03:00,352.25\n' >"$work/fix.csv"
expect 1 "conflicting reading" -- "$kvant" import --db "$work/demo.db" --readings "$work/fix.csv"
contains "$work/err" "volume stored 352.24, new 352.25" "conflict shows both values"
expect 0 "conflicting reading replaced" -- "$kvant" import --db "$work/demo.db" --readings "$work/fix.csv" --on-conflict replace
contains "$work/out" "0 new, 0 unchanged, 1 replaced" "replace counted"

# export everything, import into a new database, export again: the same files
# --out onto what is not a regular file: written into, never replaced by a file (a FIFO stands for
# /dev/null and /dev/stdout, which root's rename would have replaced); a symbolic link stays a link
mkfifo "$work/out.fifo"
timeout 60 cat "$work/out.fifo" >"$work/fifo.got" &  # bounded: a FIFO replaced by a file is never opened
fifo_reader=$!
expect 0 "export into a FIFO" -- "$kvant" export --db "$work/demo.db" --table organizations --out "$work/out.fifo"
wait "$fifo_reader"
[ -p "$work/out.fifo" ] && ok || bad "the FIFO given to --out was replaced by a file"
"$kvant" export --db "$work/demo.db" --table organizations --out "$work/orgs-direct.csv" || bad "export organizations"
cmp -s "$work/fifo.got" "$work/orgs-direct.csv" && ok || bad "what went through the FIFO differs from the file"
: >"$work/orgs-target.csv"
ln -s "$work/orgs-target.csv" "$work/orgs-link.csv"
expect 0 "export through a symbolic link" -- "$kvant" export --db "$work/demo.db" --table organizations --out "$work/orgs-link.csv"
[ -L "$work/orgs-link.csv" ] && ok || bad "the symbolic link given to --out was replaced by a file"
cmp -s "$work/orgs-target.csv" "$work/orgs-direct.csv" && ok || bad "the file behind the link does not hold the export"
expect 0 "export all" -- "$kvant" export --db "$work/demo.db" --out "$work/dump1"
args=()
for t in organizations abonents accounts meters readings events sessions; do args+=(--$t "$work/dump1/$t.csv"); done
args+=(--points "$work/dump1/metering_points.csv" --models "$work/dump1/meter_models.csv" --relay-changes "$work/dump1/relay_changes.csv")
for t in tariff_assignments tariff_rates normatives; do args+=(--${t//_/-} "$work/dump1/$t.csv"); done
args+=(--tariff-schedules "$work/dump1/tariff_schedules.json")
expect 0 "import the export" -- "$kvant" import --db "$work/copy.db" "${args[@]}"
expect 0 "export the copy" -- "$kvant" export --db "$work/copy.db" --out "$work/dump2"
if diff -r "$work/dump1" "$work/dump2" >/dev/null; then ok; else bad "export -> import -> export differs"; fi
expect 0 "re-import changes nothing" -- "$kvant" import --db "$work/copy.db" "${args[@]}"
contains "$work/out" " 0 new," "re-import inserts nothing"
expect 1 "export from a missing database" -- "$kvant" export --db "$work/none.db" --table meters
contains "$work/err" "does not exist" "missing database named"

# consumption from CSV files: 24 over [31.07 12:00Z, 01.08 12:00Z) in Moscow time is 9 h in July, 15 h in
# August; the ratio 2 doubles them
printf 'meter,timestamp,value\nm1,2020-07-31T12:00:00Z,100\nm1,2020-08-01T12:00:00Z,124\n' >"$work/r.csv"
printf 'serial,zone,register_digits,transformer_ratio\nm1,Europe/Moscow,,2\n' >"$work/m.csv"
expect 0 "consumption by month" -- "$kvant" consumption --readings "$work/r.csv" --meters "$work/m.csv" --by month
printf 'meter,period,register,value,complete\nm1,2020-07,total,18,0\nm1,2020-08,total,30,0\n' >"$work/expected.csv"
if cmp -s "$work/out" "$work/expected.csv"; then ok; else bad "consumption output"; cat "$work/out"; fi
expect 0 "consumption, complete periods only" -- "$kvant" consumption --readings "$work/r.csv" --by day --complete-only
if [ "$(cat "$work/out")" = "meter,period,register,value,complete" ]; then ok; else bad "complete-only kept a partial day"; cat "$work/out"; fi
expect 0 "consumption as JSON" -- "$kvant" consumption --readings "$work/r.csv" --by year --json
contains "$work/out" '"value": "24"' "JSON value is an exact string"
expect 2 "consumption needs a source" -- "$kvant" consumption --by month
expect 2 "consumption --by" -- "$kvant" consumption --readings "$work/r.csv" --by week
expect 0 "consumption per organisation from the demo database" -- "$kvant" consumption --db "$work/demo.db" --by month --group organization
contains "$work/out" "dnt-demo,electricity,individual,2020-07,t1," "per-tariff rows of individual meters"

# tariff split and cost: 06:00-11:00 Moscow time, 10 an hour: night 1 h, peak 3 h, semi-peak 1 h
printf 'meter,timestamp,value\nm1,2020-06-01T03:00:00Z,0\nm1,2020-06-01T08:00:00Z,50\n' >"$work/r3.csv"
printf 'serial,zone\nm1,Europe/Moscow\n' >"$work/m3.csv"
expect 0 "split by the three-zone preset" -- "$kvant" split --readings "$work/r3.csv" --meters "$work/m3.csv" --schedule three-zone --by day
printf 'meter,period,zone,value,complete\nm1,2020-06-01,peak,30,0\nm1,2020-06-01,semi-peak,10,0\nm1,2020-06-01,night,10,0\nm1,2020-06-01,day,40,0\nm1,2020-06-01,total,50,0\n' >"$work/expected-split.csv"
if cmp -s "$work/out" "$work/expected-split.csv"; then ok; else bad "split output"; cat "$work/out"; fi
printf 'zone,from,price\nday,2020-01-01,5.00\nnight,2020-01-01,2.50\n' >"$work/rates.csv"
expect 0 "cost under a two-zone tariff" -- "$kvant" cost --readings "$work/r3.csv" --meters "$work/m3.csv" --schedule three-zone --rates "$work/rates.csv" --by day
printf 'meter,period,zone,rate_from,quantity,price,amount,complete\nm1,2020-06-01,day,2020-01-01,40,5,200.00,0\nm1,2020-06-01,night,2020-01-01,10,2.5,25.00,0\n' >"$work/expected-cost.csv"
if cmp -s "$work/out" "$work/expected-cost.csv"; then ok; else bad "cost output"; cat "$work/out"; fi
printf 'zone,from,price\nday,2020-01-01,5,00\n' >"$work/badrates.csv"
expect 1 "a malformed rates file" -- "$kvant" cost --readings "$work/r3.csv" --schedule two-zone --rates "$work/badrates.csv" --by day
contains "$work/err" "badrates.csv:2: expected 3 fields" "rates error names file and line"
printf '{"id": "x", "zones": ["a"], "versions": [{"seasons": [], "weeks": [], "days": []}]}' >"$work/bad-schedule.json"
expect 1 "an inconsistent schedule" -- "$kvant" split --readings "$work/r3.csv" --schedule "$work/bad-schedule.json" --by day
contains "$work/err" "no season" "schedule problems named"
expect 0 "split of the demo database" -- "$kvant" split --db "$work/demo.db" --schedule two-zone --by month --resource electricity
contains "$work/out" "9000106,2020-06,day," "a two-tariff meter keeps its registers"

# verification and anomalies over the demo database, "now" being the seeds' 21.08.2020 09:05
expect 0 "verification" -- "$kvant" verification --db "$work/demo.db" --at 2020-08-21T09:05:00+03:00
contains "$work/out" "98990000,betar-svv15,2018-07-12,2022-07-12,2022-07-12,valid,0," "001: Бетар 12.07.2018 -> 12.07.2022"
contains "$work/out" "98980000,kvant-sv15,2018-07-12,2024-07-12," "001: КВАНТ-СВ-15 12.07.2018 -> 12.07.2024"
expect 0 "verification, day-before rule" -- "$kvant" verification --db "$work/demo.db" --at 2020-08-21 --rule day-before
contains "$work/out" "98990000,betar-svv15,2018-07-12,2022-07-11,2022-07-12,valid" "day-before shows the day before"
cp "$work/demo-en.db" "$work/an.db"  # demo.db had a reading replaced above
expect 0 "anomalies detect" -- "$kvant" anomalies detect --db "$work/an.db" --at 2020-08-21T09:05:00+03:00
contains "$work/out" " new, 0 refreshed, 0 unchanged" "first detection stores new anomalies"
expect 0 "anomalies list" -- "$kvant" anomalies list --db "$work/an.db"
# each planted anomaly of the sample data (tools/make_demo_data.py)
contains "$work/out" "Прибор учета 98990006: Предыдущие показания: 352.2480, текущие показания: 352.2400" "planted decrease"
contains "$work/out" "Прибор учета не на связи более 56 дн. Последний сеанс связи был 26.06.2020 11:58" "planted silence since 26.06"
contains "$work/out" "Последний сеанс связи был 08.10.2017 16:25" "planted silence since 2017"
contains "$work/out" "сумма тарифов 5346.00 не равна общему показанию 5372.00" "planted tariff-sum mismatch"
contains "$work/out" "rollover,info,98980009" "planted rollover"
contains "$work/out" "stuck_register,warning,98990013" "planted stuck register"
contains "$work/out" "tamper,critical,98970002" "planted magnetic field"
contains "$work/out" "tamper,critical,9000106" "planted cover opened"
contains "$work/out" "data_inconsistency,info,44103814060174" "004's bad meter card"
expect 0 "anomalies detect again" -- "$kvant" anomalies detect --db "$work/an.db" --at 2020-08-21T09:05:00+03:00
contains "$work/out" ": 0 new, 0 refreshed," "detecting again creates nothing"
key=$("$kvant" anomalies list --db "$work/an.db" | grep '^reading_decrease' | cut -d, -f1)
expect 0 "anomalies resolve" -- "$kvant" anomalies resolve --db "$work/an.db" --key "$key" --by admin --at 2020-08-21T10:00:00+03:00
expect 0 "anomalies export resolved" -- "$kvant" anomalies export --db "$work/an.db" --status resolved --json
contains "$work/out" '"resolved_by": "admin"' "resolution stored"
expect 1 "resolve an unknown key" -- "$kvant" anomalies resolve --db "$work/an.db" --key nope --by admin
contains "$work/err" "no anomaly with key 'nope'" "unknown key named"
# filters (docs/queries.md): by type, meter, status, time, organisation, paged
expect 0 "anomalies list --type tamper" -- "$kvant" anomalies list --db "$work/an.db" --type tamper
lines_ok "$work/out" 3 "two tamper anomalies (98970002, 9000106) and the header"
contains "$work/out" "tamper,critical,9000106" "the cover opened of 9000106"
expect 0 "anomalies list --meter 98990006" -- "$kvant" anomalies list --db "$work/an.db" --meter 98990006 --status resolved
contains "$work/out" "reading_decrease,warning,98990006" "the resolved decrease of 98990006"
lines_ok "$work/out" 2 "one resolved anomaly of 98990006"
expect 0 "anomalies list --limit 1 --offset 1" -- "$kvant" anomalies list --db "$work/an.db" --limit 1 --offset 1
lines_ok "$work/out" 2 "one anomaly on the page"
expect 0 "anomalies list --from --to" -- "$kvant" anomalies list --db "$work/an.db" --type no_link --to 2017-10-09
contains "$work/out" "no_link,warning,98980007" "the silence begun 08.10.2017 overlaps the range"
lines_ok "$work/out" 2 "only that one began before 09.10.2017"
expect 1 "anomalies list of an unknown organisation" -- "$kvant" anomalies list --db "$work/an.db" --organization nobody
contains "$work/err" "no organization 'nobody'" "the unknown organisation named"
expect 2 "anomalies list --type of an unknown type" -- "$kvant" anomalies list --db "$work/an.db" --type nonsense
# reopen and the history, with notes
expect 0 "anomalies reopen" -- "$kvant" anomalies reopen --db "$work/an.db" --key "$key" --by "Петров" --note "повторилось, проверить" --at 2020-08-21T11:00:00+03:00
expect 0 "anomalies history" -- "$kvant" anomalies history --db "$work/an.db" --key "$key"
contains "$work/out" "$key,resolved,2020-08-21T07:00:00Z,admin," "the resolution first"
contains "$work/out" "$key,reopened,2020-08-21T08:00:00Z,Петров,\"повторилось, проверить\"" "then the reopening with its note"
expect 0 "anomalies list after reopening" -- "$kvant" anomalies list --db "$work/an.db" --meter 98990006 --status resolved
lines_ok "$work/out" 1 "no longer resolved"
expect 1 "history of an unknown key" -- "$kvant" anomalies history --db "$work/an.db" --key nope

# manual entry (001 §3.3.4) on 98990006, whose last reading is 352.2400 on 21.08.2020 09:05 (the planted decrease):
# 30 days' window 8.7000 m³ (29 steps of 0.3000, the decrease skipped) → 0.2900 a day, 352.5300 expected a day on
cp "$work/demo-en.db" "$work/entry.db"
expect 1 "enter lower: refused" -- "$kvant" enter --db "$work/entry.db" --meter 98990006 --at 2020-08-22T09:05:00+03:00 --total 352.2 --by admin
contains "$work/out" "expected total 352.5300 (last 352.2400 at 2020-08-21T06:05:00Z, 0.2900 a day)" "enter: the expected reading"
contains "$work/out" "lower: Прибор учета 98990006: Предыдущие показания: 352.2400, текущие показания: 352.2000" "enter: refused in the seed's words"
expect 1 "enter lower as a rollover: implausible" -- "$kvant" enter --db "$work/entry.db" --meter 98990006 --at 2020-08-22T09:05:00+03:00 --total 352.2 --by admin --confirm rollover --lang en
contains "$work/out" "rollover_implausible: Meter 98990006: no plausible rollover: 352.2400 → 352.2000 with 5 digits, consumption 99999.9600 above the limit 10000.0000" "enter: a rollover by 99999.96 of 100000 is refused"
expect 0 "enter the expected reading" -- "$kvant" enter --db "$work/entry.db" --meter 98990006 --at 2020-08-22T09:05:00+03:00 --total 352.53 --by admin
contains "$work/out" "accepted: Прибор учета 98990006: показания 352.5300 приняты" "enter: accepted"
# window now 8.4000 + 0.2900 over 30 days: 0.2897 a day; 360 is 7.4700 more, above 5 × 0.2897: stored with a warning
expect 0 "enter implausibly high" -- "$kvant" enter --db "$work/entry.db" --meter 98990006 --at 2020-08-23T09:05:00+03:00 --total 360 --by operator
contains "$work/out" "implausibly_high: Прибор учета 98990006: показание 360.0000 неправдоподобно велико: расход 7.4700 при ожидаемом 0.2897 за 1.00 дн." "enter: warned"
expect 1 "enter before the last reading" -- "$kvant" enter --db "$work/entry.db" --meter 98990006 --at 2020-08-22T09:05:00+03:00 --total 352.6 --by admin
contains "$work/out" "before_last: Прибор учета 98990006: время показания 22.08.2020 09:05 раньше последнего показания 23.08.2020 09:05" "enter: before the last reading"
expect 0 "export after entering" -- "$kvant" export --db "$work/entry.db" --table readings
contains "$work/out" "98990006,2020-08-22T06:05:00Z,volume,352.53,manual," "enter: the accepted reading stored as manual"
expect 2 "enter without --by" -- "$kvant" enter --db "$work/entry.db" --meter 98990006 --total 1
# a tariff register the meter does not have (9000106 is a two-tariff NEVA MT 114): refused by name, nothing
# stored (it was stored as a T3 reading, or refused as a wrong sum that did not name the register)
expect 2 "enter --t3 on a two-tariff meter" -- "$kvant" enter --db "$work/entry.db" --meter 9000106 --at 2020-08-22T10:00:00+03:00 --total 1760 --t1 1230 --t2 530 --t3 0 --by admin
contains "$work/err" "[kvant.config.401] --t3: meter '9000106' has 2 tariff registers" "enter: an unknown register named"
expect 0 "export after --t3" -- "$kvant" export --db "$work/entry.db" --table readings
if grep -q "^9000106,2020-08-22T07:00:00Z" "$work/out"; then bad "enter --t3: a reading was stored"; else ok; fi

# estimation: four complete months (100, 110, 90, 100), then nothing until 15.08: May-July at the average of
# 100 (at most three periods), August at the normative
printf 'meter,timestamp,value\nm1,2020-01-01T00:00:00Z,0\nm1,2020-02-01T00:00:00Z,100\nm1,2020-03-01T00:00:00Z,210\nm1,2020-04-01T00:00:00Z,300\nm1,2020-05-01T00:00:00Z,400\n' >"$work/r5.csv"
expect 0 "estimate" -- "$kvant" estimate --readings "$work/r5.csv" --by month --at 2020-08-15 --normative 150
printf 'meter,period,basis,value,failed\nm1,2020-01,actual,100,0\nm1,2020-02,actual,110,0\nm1,2020-03,actual,90,0\nm1,2020-04,actual,100,0\nm1,2020-05,average,100,0\nm1,2020-06,average,100,0\nm1,2020-07,average,100,0\nm1,2020-08,normative,150,0\n' >"$work/expected-est.csv"
if cmp -s "$work/out" "$work/expected-est.csv"; then ok; else bad "estimate output"; cat "$work/out"; fi
expect 0 "estimate as JSON" -- "$kvant" estimate --readings "$work/r5.csv" --by month --at 2020-08-15 --normative 150 --json
contains "$work/out" '"basis": "normative"' "estimate JSON"
expect 0 "verification as JSON" -- "$kvant" verification --db "$work/demo.db" --at 2020-08-21 --json
contains "$work/out" '"needing_verification"' "verification JSON counts"
# normatives per account and resource: the silent meter 98970005 is on account A15900009480
printf 'account,resource,value\nA15900009480,electricity,200\n' >"$work/normatives.csv"
expect 0 "estimate with normatives per account" -- "$kvant" estimate --db "$work/demo.db" --at 2020-11-15T00:00:00+03:00 --normatives "$work/normatives.csv" --resource electricity
contains "$work/out" "98970005,2020-10-01,normative,200,0" "the account's normative"
# the building share takes the same monthly sums as the consumption report per building: cross-check them
expect 0 "consumption per building" -- "$kvant" consumption --db "$work/demo-en.db" --by month --group building --resource cold_water
bsum=$(grep '^dnt-demo,cold_water,building,2020-07,total,' "$work/out" | cut -d, -f6)
isum=$(grep '^dnt-demo,cold_water,individual,2020-07,total,' "$work/out" | cut -d, -f6)
expect 0 "building share" -- "$kvant" building-share --db "$work/demo-en.db" --building dnt-demo --resource cold_water --month 2020-07
contains "$work/err" "building meters $bsum - non-residential 0 - normative flats 0 - metered flats $isum = " "formula 12 takes the report's sums"
contains "$work/out" "account,area,share" "building share table"
expect 1 "building share of an unknown building" -- "$kvant" building-share --db "$work/demo-en.db" --building nowhere --month 2020-07
expect 0 "estimate interval data" -- "$kvant" estimate --readings "$work/r3.csv" --interval --step 60 --at 2020-06-01T08:00:00Z
contains "$work/out" "m1,2020-06-01T05:00:00Z,20,interpolated" "a missing hour interpolated (10 an hour)"

# issue 8: one option parser, typed and range-checked; a usage error (exit 2) names the option, the value and
# the range, and nothing runs. Each of the first three ran with a wrapped value before (exit 0).
cp "$work/demo-en.db" "$work/opt.db"
anomalies_before=$("$kvant" anomalies list --db "$work/opt.db" | wc -l)
expect 2 "--no-link-days 2^32" -- "$kvant" anomalies detect --db "$work/opt.db" --at 2020-08-21T09:05:00+03:00 --no-link-days 4294967296
contains "$work/err" "kvant anomalies detect: [kvant.config.401] --no-link-days '4294967296': out of range (1..36500)" "--no-link-days range named"
anomalies_after=$("$kvant" anomalies list --db "$work/opt.db" | wc -l)
if [ "$anomalies_before" -eq "$anomalies_after" ]; then ok; else bad "a refused detect wrote anomalies ($anomalies_before -> $anomalies_after lines)"; fi
expect 2 "--due-within 2^31" -- "$kvant" verification --db "$work/demo.db" --at 2020-08-21 --due-within 2147483648
contains "$work/err" "--due-within '2147483648': out of range (0..36500)" "--due-within range named"
if grep -q "due within -" "$work/err"; then bad "--due-within wrapped to a negative number"; else ok; fi
expect 2 "--step 2^32+1" -- "$kvant" estimate --readings "$work/r3.csv" --interval --step 4294967297 --at 2020-06-01T08:00:00Z
contains "$work/err" "--step '4294967297': out of range (1..1440, dividing 1440)" "--step range named"
if [ -s "$work/out" ]; then bad "a refused estimate wrote output"; else ok; fi
# a value beyond int64 is out of range too, not wrapped and not a syntax error
expect 2 "--stuck-days beyond int64" -- "$kvant" anomalies detect --db "$work/opt.db" --stuck-days 99999999999999999999999
contains "$work/err" "--stuck-days '99999999999999999999999': out of range (1..36500)" "a huge value is out of range"
# the range ends are allowed, one past them is not; --step divides a day
expect 0 "--no-link-days 36500 (the upper end)" -- "$kvant" anomalies detect --db "$work/opt.db" --at 2020-08-21T09:05:00+03:00 --no-link-days 36500
expect 2 "--no-link-days 0" -- "$kvant" anomalies detect --db "$work/opt.db" --no-link-days 0
expect 0 "--due-within 0 (the lower end)" -- "$kvant" verification --db "$work/demo.db" --at 2020-08-21 --due-within 0
contains "$work/err" "due within 0 days" "--due-within 0 used"
expect 0 "--step 1440 (a day)" -- "$kvant" estimate --readings "$work/r3.csv" --interval --step 1440 --at 2020-06-01T08:00:00Z
expect 2 "--step 7 does not divide a day" -- "$kvant" estimate --readings "$work/r3.csv" --interval --step 7
expect 2 "--step 1.5" -- "$kvant" estimate --readings "$work/r3.csv" --interval --step 1.5
contains "$work/err" "--step '1.5': expected a whole number" "a fraction is not a whole number"
expect 2 "--billing-day 32" -- "$kvant" consumption --readings "$work/r.csv" --by billing --billing-day 32
contains "$work/err" "--billing-day '32': out of range (1..31)" "--billing-day range named"
# a repeated option was silently last-wins
expect 2 "--db twice" -- "$kvant" export --db "$work/none.db" --db "$work/demo.db" --table meters
contains "$work/err" "--db given 2 times" "a repeated option named"
expect 2 "a flag twice" -- "$kvant" consumption --readings "$work/r.csv" --by month --json --json
contains "$work/err" "--json given 2 times" "a repeated flag named"
expect 2 "a flag with a value" -- "$kvant" consumption --readings "$work/r.csv" --by month --json=1
contains "$work/err" "--json takes no value" "a flag takes no value"
expect 2 "a stray argument" -- "$kvant" consumption --readings "$work/r.csv" --by month extra
contains "$work/err" "unexpected argument 'extra'" "a stray argument named"
expect 2 "a required option missing" -- "$kvant" anomalies resolve --db "$work/opt.db" --key k
contains "$work/err" "--by is required" "a missing required option named"
# decimals, times, months, offsets, characters, choices, text
expect 2 "--normative nan" -- "$kvant" estimate --readings "$work/r5.csv" --normative nan
contains "$work/err" "--normative 'nan': expected a decimal number" "NaN-like text refused"
expect 2 "--normative -1" -- "$kvant" estimate --readings "$work/r5.csv" --normative -1
contains "$work/err" "--normative '-1': out of range (at least 0)" "a negative normative refused"
expect 2 "--at in the year 9999" -- "$kvant" estimate --readings "$work/r5.csv" --at 9999-01-01
contains "$work/err" "--at '9999-01-01': out of range (1970-01-01..2099-12-31)" "--at range named"
expect 2 "--month 2020-13" -- "$kvant" building-share --db "$work/demo-en.db" --building dnt-demo --month 2020-13
contains "$work/err" "--month '2020-13': expected YYYY-MM" "--month checked"
expect 2 "--assume-offset +25:00" -- "$kvant" consumption --readings "$work/r.csv" --by month --assume-offset +25:00
expect 0 "--assume-offset=-03:00 (a value starting with a minus)" -- "$kvant" consumption --readings "$work/r.csv" --by month --assume-offset -03:00
# a usage error leaves no trace: no database is created
expect 2 "import of no file" -- "$kvant" import --db "$work/never.db"
contains "$work/err" "name at least one file" "import without files named"
if [ -e "$work/never.db" ]; then bad "a refused import created the database"; else ok; fi
expect 2 "import with a bad --delimiter" -- "$kvant" import --db "$work/never.db" --readings "$work/r.csv" --delimiter ''
if [ -e "$work/never.db" ]; then bad "a refused import created the database"; else ok; fi
expect 2 "--delimiter of two characters" -- "$kvant" import --db "$work/opt.db" --delimiter ';;'
expect 2 "--policy unknown" -- "$kvant" building-share --db "$work/demo-en.db" --building dnt-demo --month 2020-07 --policy spread
contains "$work/err" "--policy 'spread': expected one of clip, distribute, carry" "choices named"
expect 2 "--by of invalid UTF-8" -- "$kvant" anomalies resolve --db "$work/opt.db" --key k --by "$(printf 'adm\377in')"
contains "$work/err" "--by 'adm\\xFFin': invalid UTF-8 (byte 0xFF)" "invalid UTF-8 refused at the boundary, shown escaped"
# an error echoes a bounded excerpt of a huge value
huge=$(head -c 100000 /dev/zero | tr '\0' 'x')
expect 2 "a 100 kB value" -- "$kvant" verification --db "$work/demo.db" --at "$huge"
contains "$work/err" "(100000 bytes)" "the excerpt says how long the value was"
if [ "$(wc -c <"$work/err")" -lt 400 ]; then ok; else bad "a 100 kB value echoed in full ($(wc -c <"$work/err") bytes)"; fi
# (the usage it prints grows with every command; the bound only proves the 100 kB are not echoed)
expect 2 "a 100 kB command name" -- "$kvant" "$huge"
# the message is the usage (which grows with the commands) and a bounded excerpt of the name
if [ "$(wc -c <"$work/err")" -lt $(( $("$kvant" --help | wc -c) + 400 )) ]; then ok; else bad "a 100 kB command name echoed in full"; fi
# --help lists each option's type, range and default
expect 0 "anomalies detect --help" -- "$kvant" anomalies detect --help
contains "$work/out" "--no-link-days DAYS" "help names the option"
contains "$work/out" "[integer 1..36500; default 10]" "help gives type, range and default"
contains "$work/out" "--busy-timeout MS" "help lists --busy-timeout"
expect 0 "help wins over a bad value" -- "$kvant" estimate --step 0 --help

# the analytics tiles (004 §3.1) and the map (001 §3.3.2.3) over the demo database at 21.08.2020 09:05; the
# counts were worked out from data/demo's CSV files (meters in service by their model's manufacturer; the
# main-quantity values of each meter in the day before its local midnight)
expect 0 "analytics" -- "$kvant" analytics --db "$work/demo.db" --at 2020-08-21T09:05:00+03:00
contains "$work/out" "abonents: 18; registered 12 (66.67 %), not registered 6 (33.33 %)" "analytics: abonents (12 of the 17 people registered, the partnership not)"
contains "$work/out" "meters in service by manufacturer: 54" "analytics: meters in service"
contains "$work/out" "  ООО Бетар                   18    33.33 %" "analytics: a manufacturer's share (ties by name)"
contains "$work/out" "  ООО НПО МИР                 1     1.85 %" "analytics: 1 of 54"
contains "$work/out" "load: 54 meters; relay off 1 (1.85 %): 98970004" "analytics: load state (98970004 off since 10.08 for debt; 98970010 back on)"
contains "$work/out" "data collected for the start of today: 52 of 54 under control (96.30 %)" "analytics: collection"
contains "$work/out" "dnt-demo            electricity  19 of 20 (95.00 %); missing: 98970005" "analytics: per resource"
contains "$work/out" "dnt-demo            hot_water    9 of 10 (90.00 %); missing: 98980007" "analytics: hot water"
expect 0 "analytics as JSON" -- "$kvant" analytics --db "$work/demo.db" --at 2020-08-21T09:05:00+03:00 --json
contains "$work/out" '"percent": "33.33"' "analytics JSON: a share as an exact decimal string"
contains "$work/out" '"missing": [
          "98970005"
        ]' "analytics JSON: the meter missing its daily data"
expect 0 "analytics of one organisation" -- "$kvant" analytics --db "$work/demo.db" --at 2020-08-21T09:05:00+03:00 --organization dnt-demo
contains "$work/out" "meters in service by manufacturer: 54" "analytics: the demo's one organisation"
expect 2 "analytics of an unknown organisation" -- "$kvant" analytics --db "$work/demo.db" --organization nobody
contains "$work/err" "--organization 'nobody': no such organisation" "analytics: the unknown organisation named"
expect 0 "map" -- "$kvant" map --db "$work/demo.db" --at 2020-08-21T09:05:00+03:00 --zoom 12 --geojson "$work/map.geojson"
contains "$work/out" "meters without coordinates: 11 of 55" "map: the seed's 11 of 55"
contains "$work/out" "states: disconnected 2 not_under_control 0 30min 49 2h 1 1d 1 2d 0 1w 0 2w 0 no_link 2" "map: legend states (as the demo's, by sessions where the demo has them)"
contains "$work/out" "clusters: 3" "map: clusters at zoom 12"
contains "$work/out" "9999,5743,3,47.279666,39.707009,47.279324,39.704821,47.279842,39.709736,0,0,3,0,0,0,0,0,0,98970008 98990002 98990009" "map: a cluster"
contains "$work/map.geojson" '"type":"FeatureCollection"' "map: GeoJSON written"
contains "$work/map.geojson" '"coordinates":[39.707009,47.279666]' "map: GeoJSON point, longitude first"
expect 0 "map at zoom 0" -- "$kvant" map --db "$work/demo.db" --at 2020-08-21T09:05:00+03:00 --zoom 0
contains "$work/out" "2,1,44,47.275014,39.705692,47.27043,39.700472,47.279842,39.709827,2,0,39,1,0,0,0,0,2," "map: zoom 0 holds the 55 - 11 placed meters in one cluster"
expect 2 "map --cell not a power of two" -- "$kvant" map --db "$work/demo.db" --zoom 3 --cell 100
contains "$work/err" "100 px is not a power of two" "map: the cell size refused"
expect 2 "map --zoom 25" -- "$kvant" map --db "$work/demo.db" --zoom 25
expect 2 "map of an unknown organisation" -- "$kvant" map --db "$work/demo.db" --zoom 3 --organization nobody
expect 0 "map of the demo organisation" -- "$kvant" map --db "$work/demo.db" --at 2020-08-21T09:05:00+03:00 --zoom 0 --organization dnt-demo
contains "$work/out" "meters without coordinates: 11 of 55" "map of one organisation: its meters"

# the class, from the declarations: every integer option of every command (as its --help states the range)
# refuses one past each end and the values that wrap into the range in 32 and 64 bits; every option of every
# command refuses to be given twice; every choice refuses a name not among its choices
cd "$work" || exit 1  # a command that ran anyway (an old tool) must not write into the source tree
commands=(demo import export validate consumption split cost verification "anomalies detect" "anomalies list"
          "anomalies export" "anomalies resolve" estimate building-share enter analytics map)
integers=0
options=0
for c in "${commands[@]}"; do
  "$kvant" $c --help >"$work/help" || bad "$c --help"
  while read -r opt lo hi; do
    integers=$((integers + 1))
    for v in $((lo - 1)) $((hi + 1)) $((4294967296 + lo)) "1844674407370955161$((6 + lo))"; do
      "$kvant" $c "$opt" "$v" >"$work/out" 2>"$work/err"
      got=$?
      if [ "$got" -eq 2 ] && grep -qF -- "$opt '$v': out of range ($lo..$hi" "$work/err"; then ok
      else bad "kvant $c $opt $v: exit $got, not a range error"; head -3 "$work/err"; fi
    done
  done < <(grep -E '^  --[a-z-]+ [A-Z]+ .*\[integer -?[0-9]+\.\.[0-9]+' "$work/help" |
           sed -E 's/^  (--[a-z-]+) .*\[integer (-?[0-9]+)\.\.([0-9]+).*/\1 \2 \3/')
  while read -r opt placeholder; do
    options=$((options + 1))
    if [ -z "$placeholder" ]; then set -- "$opt" "$opt"; else set -- "$opt" v1 "$opt" v2; fi
    "$kvant" $c "$@" >"$work/out" 2>"$work/err"
    got=$?
    if [ "$got" -eq 2 ] && grep -qF -- "$opt given 2 times" "$work/err"; then ok
    else bad "kvant $c $*: exit $got, not a repeated-option error"; head -3 "$work/err"; fi
  done < <(grep -oE '^  --[a-z0-9-]+( [A-Za-z|-]+)?' "$work/help" | grep -v -- '--help$')
  while read -r opt; do
    "$kvant" $c "$opt" no-such-choice >"$work/out" 2>"$work/err"
    got=$?
    if [ "$got" -eq 2 ] && grep -qF -- "$opt 'no-such-choice': expected one of" "$work/err"; then ok
    else bad "kvant $c $opt no-such-choice: exit $got"; head -3 "$work/err"; fi
  done < <(grep -E '^  --[a-z-]+ [A-Z]+ .*\[[a-z_-]+, [a-z_-]+' "$work/help" | grep -oE '^  --[a-z-]+')
done
# the loops above saw what the commands declare: 14 --busy-timeout (the "anomalies export" twin included),
# 4 --billing-day, 2 --due-within, --no-link-days, --stuck-days and --step
if [ "$integers" -ge 23 ]; then ok; else bad "only $integers integer options found in the help texts"; fi
if [ "$options" -ge 100 ]; then ok; else bad "only $options options found in the help texts"; fi
echo "option classes: $integers integer options, $options options checked"

# --busy-timeout: every command that opens a database takes it (0..3600000 ms); while another process holds
# the write lock, 0 fails at once, and a long timeout waits for the lock to be released
for c in import export validate verification "anomalies detect" "anomalies list" "anomalies resolve" consumption split cost estimate building-share demo enter; do
  "$kvant" $c --help | grep -qF -- "--busy-timeout MS" && ok || bad "$c --help has no --busy-timeout"
done
expect 2 "--busy-timeout out of range" -- "$kvant" validate --db "$work/demo.db" --busy-timeout 3600001
contains "$work/err" "--busy-timeout '3600001': out of range (0..3600000)" "--busy-timeout range named"
cp "$work/demo-en.db" "$work/busy.db"
"$kvant" export --db "$work/busy.db" --table organizations --out "$work/orgs.csv" || bad "export organizations"
python3 - "$work/busy.db" "$work/locked" "$work/release" <<'PY' &
import os, sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
while not os.path.exists(sys.argv[3]):
    time.sleep(0.05)
c.execute("ROLLBACK")
PY
holder=$!
for _ in $(seq 200); do [ -e "$work/locked" ] && break; sleep 0.05; done
expect 1 "import into a locked database, --busy-timeout 0" -- "$kvant" import --db "$work/busy.db" --organizations "$work/orgs.csv" --busy-timeout 0
if grep -qiE "locked|busy" "$work/err"; then ok; else bad "a busy database not reported as such"; cat "$work/err"; fi
"$kvant" import --db "$work/busy.db" --organizations "$work/orgs.csv" --busy-timeout 600000 >"$work/out" 2>"$work/err" &
waiter=$!
sleep 1
touch "$work/release"
wait "$holder"
if wait "$waiter"; then ok; else bad "import with a long --busy-timeout did not wait for the lock"; cat "$work/err"; fi
# issue 8, arithmetic never wraps: 922337203686 × ratio 10 is past the exact range ±9223372036854.775807 and
# printed -9223372036849.551616 with exit 0; 999999999999 × 1000 printed 3875820018684.212736. Now an error
# naming the meter and the period, exit 1, and nothing on stdout but the header at most.
printf 'meter,timestamp,value\nR2,2020-01-01T00:00:00Z,0\nR2,2020-02-01T00:00:00Z,922337203686\n' >"$work/ovf-r.csv"
printf 'serial,zone,register_digits,transformer_ratio\nR2,UTC,,10\n' >"$work/ovf-m.csv"
expect 1 "consumption past the exact range" -- "$kvant" consumption --readings "$work/ovf-r.csv" --meters "$work/ovf-m.csv" --by month
contains "$work/err" "[kvant.validation.204]" "overflow has its code"
contains "$work/err" "meter 'R2'" "overflow names the meter"
contains "$work/err" "2020-01" "overflow names the period"
if grep -q -- '-9223372036849' "$work/out"; then bad "a wrapped value was printed"; else ok; fi
printf 'meter,timestamp,value\nR2,2020-01-01T00:00:00Z,0\nR2,2020-02-01T00:00:00Z,999999999999\n' >"$work/ovf-r2.csv"
printf 'serial,zone,register_digits,transformer_ratio\nR2,UTC,,1000\n' >"$work/ovf-m2.csv"
expect 1 "consumption past the exact range, ratio 1000" -- "$kvant" consumption --readings "$work/ovf-r2.csv" --meters "$work/ovf-m2.csv" --by month
if grep -q -- '3875820018684' "$work/out"; then bad "a wrapped value was printed (ratio 1000)"; else ok; fi
# the largest product that fits still computes exactly: 922337203685 × 10 = 9223372036850
printf 'meter,timestamp,value\nR2,2020-01-01T00:00:00Z,0\nR2,2020-02-01T00:00:00Z,922337203685\n' >"$work/ovf-r3.csv"
expect 0 "consumption at the edge of the exact range" -- "$kvant" consumption --readings "$work/ovf-r3.csv" --meters "$work/ovf-m.csv" --by month
contains "$work/out" "R2,2020-01,total,9223372036850,1" "the edge value is exact"

# issue 8, a report read straight from a file meets the import's ranges: a negative register value and a
# timestamp past 2099 (also reached through --assume-offset) are errors naming file, line and field
printf 'meter,timestamp,value\nM1,2020-01-01T00:00:00Z,-5\nM1,2020-02-01T00:00:00Z,5\n' >"$work/neg.csv"
expect 1 "a negative register value in a report's file" -- "$kvant" consumption --readings "$work/neg.csv" --by month
contains "$work/err" "neg.csv:2: field 'value': register value -5 is outside 0..999999999999.999999" "the value's line and field named"
printf 'meter,timestamp,value\nM1,2099-12-31T23:00:00,0\nM1,2099-12-31T23:30:00,10\n' >"$work/late.csv"
expect 1 "a reading past 2099 through --assume-offset" -- "$kvant" consumption --readings "$work/late.csv" --by month --assume-offset -18:00
contains "$work/err" "late.csv:2: field 'timestamp'" "the timestamp's line named"
# gap filling over 1970..2099 every minute would write gigabytes: refused at once, nothing written
printf 'meter,timestamp,value\nM1,1970-01-01T00:00:00Z,0\nM1,2099-12-31T23:30:00Z,5\n' >"$work/gap.csv"
expect 1 "gap filling past its bound" -- "$kvant" estimate --readings "$work/gap.csv" --interval --step 1
contains "$work/err" "is more than 2000000 points" "the bound named"
if [ -s "$work/out" ]; then bad "gap filling past its bound wrote output"; else ok; fi
# a report that fails writes nothing: no header-only table, and an existing --out file keeps its content
printf 'serial,transformer_ratio,zone,register_digits\nE1,9.2,UTC,12\n' >"$work/ovf-me.csv"
printf 'meter,timestamp,value\nE1,2020-01-01T00:00:00Z,0\nE1,2020-02-01T00:00:00Z,999999999999\nE1,2020-03-01T00:00:00Z,0\nE1,2020-04-01T00:00:00Z,999999999999\n' >"$work/ovf-re.csv"
echo "previous good report" >"$work/kept.csv"
expect 1 "a split that overflows" -- "$kvant" split --readings "$work/ovf-re.csv" --meters "$work/ovf-me.csv" --by year --schedule three-zone --out "$work/kept.csv"
contains "$work/kept.csv" "previous good report" "a failed report leaves --out as it was"
expect 1 "the same split to stdout" -- "$kvant" split --readings "$work/ovf-re.csv" --meters "$work/ovf-me.csv" --by year --schedule three-zone
if [ -s "$work/out" ]; then bad "a failed report printed a partial table"; else ok; fi

# a failed import into a database that does not exist creates no file
printf 'meter,timestamp,value\nM1,2021-06-01T00:00:00Z,abc\n' >"$work/bad-new.csv"
rm -f "$work/never.db"
expect 1 "a failed import into a new database" -- "$kvant" import --db "$work/never.db" --readings "$work/bad-new.csv"
if [ -e "$work/never.db" ]; then bad "a failed import created the database"; else ok; fi

# a rate naming a zone the schedule does not have is an error, not a rate silently ignored
printf 'zone,from,price\nday,2019-01-01,5\nnigth,2019-01-01,2\ntotal,2019-01-01,5\n' >"$work/typo-rates.csv"
expect 1 "a rate for an unknown zone" -- "$kvant" cost --readings "$work/ovf-r3.csv" --by month --schedule two-zone --rates "$work/typo-rates.csv"
contains "$work/err" "a rate names zone 'nigth'" "the unknown zone named"

# channels through the tool: a heat meter's energy, volume and temperatures and an electricity meter's import,
# export and reactive registers in the long layout (names and OBIS codes), stored, exported and read back
cp "$work/demo.db" "$work/ch.db"
printf 'meter,timestamp,channel,value\n15004,2021-01-01T00:00:00Z,heat_energy,10.5\n15004,2021-01-01T00:00:00Z,volume,100.25\n15004,2021-01-01T00:00:00Z,flow_temperature,70.4\n15004,2021-01-01T00:00:00Z,return_temperature,-3.5\n98970000,2021-01-01T00:00:00Z,1.8.0,500\n98970000,2021-01-01T00:00:00Z,2.8.0,12.5\n98970000,2021-01-01T00:00:00Z,3.8.0,7\n98970000,2021-01-01T00:00:00Z,1-0:4.8.0*255,1.25\n' >"$work/ch.csv"
expect 0 "import of the long layout" -- "$kvant" import --db "$work/ch.db" --readings "$work/ch.csv"
contains "$work/out" "imported 8 rows: 8 new" "eight values imported"
expect 0 "export of every channel (long)" -- "$kvant" export --db "$work/ch.db" --table readings --layout long
for line in "15004,2021-01-01T00:00:00Z,heat_energy,10.5," "15004,2021-01-01T00:00:00Z,return_temperature,-3.5," \
            "98970000,2021-01-01T00:00:00Z,active_export,12.5," "98970000,2021-01-01T00:00:00Z,reactive_export,1.25,"; do
  contains "$work/out" "$line" "long export holds $line"
done
expect 1 "a wide export refuses channels it cannot hold" -- "$kvant" export --db "$work/ch.db" --table readings --layout wide
contains "$work/err" "meter '15004' has channel volume, which the wide layout (total..t4 of heat_energy) cannot hold" "the channel a wide export cannot hold is named"
expect 0 "a wide export of the demo (main quantities only)" -- "$kvant" export --db "$work/demo.db" --table readings --layout wide --out "$work/wide.csv"
rm -f "$work/wide.db"
expect 0 "the wide export imports into a new database" -- "$kvant" import --db "$work/wide.db" --organizations "$demo/organizations.csv" --abonents "$demo/abonents.csv" --accounts "$demo/accounts.csv" --points "$demo/metering_points.csv" --models "$demo/meter_models.csv" --meters "$demo/meters.csv" --readings "$work/wide.csv"
"$kvant" export --db "$work/wide.db" --table readings --layout wide --out "$work/wide2.csv" || bad "export of the copy"
if cmp -s "$work/wide.csv" "$work/wide2.csv"; then ok; else bad "wide export -> import -> export differs"; fi

# the same report whatever the number of threads (results placed by meter, written in meter order)
for t in 1 2 5; do
  "$kvant" split --db "$work/demo.db" --schedule three-zone --by month --threads $t --out "$work/split-$t.csv" || bad "split --threads $t"
  "$kvant" consumption --db "$work/demo.db" --by day --threads $t --out "$work/cons-$t.csv" || bad "consumption --threads $t"
done
for t in 2 5; do
  if cmp -s "$work/split-1.csv" "$work/split-$t.csv"; then ok; else bad "split --threads $t differs from one thread"; fi
  if cmp -s "$work/cons-1.csv" "$work/cons-$t.csv"; then ok; else bad "consumption --threads $t differs from one thread"; fi
done
[ "$(wc -l <"$work/cons-1.csv")" -gt 1000 ] && ok || bad "the daily report has rows"
expect 2 "--threads out of range" -- "$kvant" split --db "$work/demo.db" --schedule three-zone --by month --threads 257
# progress stays off stderr when it is not a terminal
expect 0 "a split to a file" -- "$kvant" split --db "$work/demo.db" --schedule three-zone --by month --out "$work/split-q.csv"
if [ -s "$work/err" ]; then bad "stderr not empty without a terminal"; cat "$work/err"; else ok; fi

# anomalies detect --days keeps an ongoing anomaly that began before the window: meter 98980007 last reported
# on 2017-10-08, so it has been out of link since; the whole history and a 20-day window both report it
ents=(--organizations "$demo/organizations.csv" --abonents "$demo/abonents.csv" --accounts "$demo/accounts.csv"
      --points "$demo/metering_points.csv" --models "$demo/meter_models.csv" --meters "$demo/meters.csv"
      --readings "$demo/readings.csv" --events "$demo/events.csv")
for w in whole days; do
  rm -f "$work/nl-$w.db"
  expect 0 "import for the --days check ($w)" -- "$kvant" import --db "$work/nl-$w.db" "${ents[@]}"
done
expect 0 "anomalies detect, whole history" -- "$kvant" anomalies detect --db "$work/nl-whole.db" --at 2020-08-01
expect 0 "anomalies detect --days 20" -- "$kvant" anomalies detect --db "$work/nl-days.db" --at 2020-08-01 --days 20
for w in whole days; do
  expect 0 "anomalies list ($w)" -- "$kvant" anomalies list --db "$work/nl-$w.db"
  contains "$work/out" "no_link:98980007:1507469100,no_link,warning,98980007,A15300021190,2017-10-08T13:25:00Z,2020-08-01T00:00:00Z,open" "no link since 2017 with $w"
done

# a database of the landed release (schema 2): read-only commands refuse it naming the way; migrate moves it on
cp "$demo/../../tests/data/schema2/mixed.db" "$work/old.db"
expect 1 "an old database read-only" -- "$kvant" export --db "$work/old.db" --table readings
contains "$work/err" "kvant migrate --db FILE" "the refusal names the migrate command"
expect 0 "migrate" -- "$kvant" migrate --db "$work/old.db"
contains "$work/out" "schema version 4, 22 values" "migrated with every value"
expect 0 "export after migrating" -- "$kvant" export --db "$work/old.db" --table readings
contains "$work/out" "E-100,2020-02-29T21:00:00Z,active_import,1100.75,manual,2020-03-01T08:15:00Z" "a migrated value with its source and acceptance time"
expect 0 "migrate again changes nothing" -- "$kvant" migrate --db "$work/old.db"

# ---- meter state (docs/state.md): the bot's current readings with the relay and link state, over the demo
expect 0 "current: the bot's account" -- "$kvant" current --db "$work/demo.db" --account A15900009360 --at 2020-08-21T06:05:00Z
contains "$work/out" "98970004: Отключен с 10.08.2020 13:00 (command, оператор: долг); последний сеанс связи 21.08.2020 09:00 (session)" "current: the disconnected meter, why and by whom"
contains "$work/out" "  total 4018.41 кВт·ч  21.08.2020 09:05" "current: a disconnected meter's readings are shown (000 §3.2.3)"
contains "$work/out" "98990004: До 2 часов; последний сеанс связи 21.08.2020 08:10 (session)" "current: the last successful session, 55 min"
contains "$work/out" "15004: До 30 минут; последний сеанс связи 21.08.2020 09:05 (reading)" "current: no sessions, the last reading"
# on 09.08.2020 03:00 МСК the relay was still on: the reading of 08.08 09:05 is 17 h 55 min old
expect 0 "current before the relay went off" -- "$kvant" current --db "$work/demo.db" --meter 98970004 --at 2020-08-09T00:00:00Z --lang en
contains "$work/out" "98970004: 1d; last contact 08.08.2020 09:05 (reading)" "current --at: the state then"
contains "$work/out" "  total 3887.45 kWh  08.08.2020 09:05" "current --at: the values then"
expect 2 "current without a meter" -- "$kvant" current --db "$work/demo.db"
expect 1 "current of an unknown meter" -- "$kvant" current --db "$work/demo.db" --meter 424242
contains "$work/err" "no meter '424242'" "current: unknown meter named"
expect 0 "export relay changes" -- "$kvant" export --db "$work/demo.db" --table relay_changes
contains "$work/out" "98970004,2020-08-10T10:00:00Z,off,command,оператор,долг" "relay change exported in UTC"
expect 0 "export sessions" -- "$kvant" export --db "$work/demo.db" --table sessions
contains "$work/out" "98990004,2020-08-21T06:00:00Z,2020-08-21T06:01:00Z,lorawan,no_answer,нет ответа" "session exported"
printf 'meter,start,end,channel,result\n98980004,2020-08-05T12:00:00+03:00,2020-08-05T12:00:30+03:00,radio,ok\n98980004,2020-08-21T09:00:00+03:00,2020-08-21T08:59:00+03:00,radio,no_answer\n' >"$work/bad-sessions.csv"
expect 1 "a session ending before its start" -- "$kvant" import --db "$work/demo.db" --sessions "$work/bad-sessions.csv"
contains "$work/err" "bad-sessions.csv:3" "the bad session's line named"
contains "$work/err" "before its start 2020-08-21T06:00:00Z" "the bad session's reason"
expect 0 "sessions after the failed import" -- "$kvant" export --db "$work/demo.db" --table sessions
if [ "$(wc -l <"$work/out")" -eq "$(wc -l <"$demo/sessions.csv")" ]; then ok; else bad "a failed sessions import changed the database"; fi
printf 'meter,timestamp,position\n99999999,2020-08-10T13:00:00+03:00,off\n' >"$work/bad-relay.csv"
expect 1 "a relay change of an unknown meter" -- "$kvant" import --db "$work/demo.db" --relay-changes "$work/bad-relay.csv"
contains "$work/err" "unknown meter '99999999'" "the unknown meter named"
# sessions decide «не на связи» where the host has them: 98980004 reports readings every day, but the
# collector last reached it on 05.08.2020 12:00; 05.08 → 21.08 is 16 days
printf 'meter,start,end,channel,result\n98980004,2020-08-05T12:00:00+03:00,2020-08-05T12:00:30+03:00,radio,ok\n98980004,2020-08-21T09:00:00+03:00,2020-08-21T09:01:00+03:00,radio,no_answer\n' >"$work/sessions.csv"
expect 0 "import sessions" -- "$kvant" import --db "$work/demo.db" --sessions "$work/sessions.csv"
contains "$work/out" "imported 2 rows: 2 new" "sessions imported"
expect 0 "anomalies detect with sessions" -- "$kvant" anomalies detect --db "$work/demo.db" --at 2020-08-21T06:05:00Z
expect 0 "anomalies list with sessions" -- "$kvant" anomalies list --db "$work/demo.db"
contains "$work/out" "Прибор учета не на связи более 16 дн. Последний сеанс связи был 05.08.2020 12:00" "no link by the last successful session"
expect 0 "current: no link by sessions" -- "$kvant" current --db "$work/demo.db" --meter 98980004 --at 2020-08-21T06:05:00Z
contains "$work/out" "98980004: Не на связи; последний сеанс связи 05.08.2020 12:00 (session)" "current: no link by sessions"
# ---- tariffs stored: schedules, assignments, rates and normatives in the database; cost and estimate use them
mkdir -p "$work/tf" && cd "$work/tf" || exit 1
printf 'id,name,zone\ndnt,ДНТ Тест,UTC\n' >org.csv
printf 'id,organization,name\nab1,dnt,Иванов Иван Иванович\n' >ab.csv
printf 'number,abonent,building,residents\nA1,ab1,b-1,3\nA2,ab1,b-2,\n' >acc.csv
printf 'code,account,amenities\np1,A1,Газовая плита\np2,A2,Электроплита\n' >pts.csv
printf 'serial,point,resource,zone\nM1,p1,electricity,UTC\nM2,p2,electricity,UTC\n' >meters.csv
# 10 a day through August 2020 for both meters
printf 'meter,timestamp,total\nM1,2020-08-01T00:00:00Z,0\nM1,2020-09-01T00:00:00Z,310\nM2,2020-08-01T00:00:00Z,0\nM2,2020-09-01T00:00:00Z,310\n' >readings.csv
cat >sched.json <<'JSON'
[{"id": "single", "name": "Одноставочный", "zones": ["total"],
  "versions": [{"effective": "2020-01-01", "seasons": [{"name": "year", "start": "01-01", "week": "all"}],
                "weeks": [{"id": "all", "days": ["d", "d", "d", "d", "d", "d", "d"]}],
                "days": [{"id": "d", "changes": [{"at": "00:00", "zone": "total"}]}]}]}]
JSON
printf 'scope,target,resource,from,schedule\norganization,dnt,electricity,2020-01-01,single\n' >assign.csv
# the organisation's price changes on 16.08; meter M2 has its own list from 10.08
printf 'schedule,scope,target,zone,from,price,supplier\nsingle,organization,dnt,total,2020-01-01,5.00,АО Энергосбыт\nsingle,organization,dnt,total,2020-08-16,6.00,АО Энергосбыт\nsingle,meter,M2,total,2020-08-10,4.00,\n' >rates.csv
# per person for a gas stove (A1: 3 residents), per account for any other dwelling
printf 'organization,resource,amenities,from,value,basis\ndnt,electricity,Газовая плита,2020-01-01,100,per_person\ndnt,electricity,,2020-01-01,250,per_account\n' >norms.csv
entities=(--organizations org.csv --abonents ab.csv --accounts acc.csv --points pts.csv --meters meters.csv --readings readings.csv)
expect 0 "import with tariffs" -- "$kvant" import --db t.db "${entities[@]}" --tariff-schedules sched.json --tariff-assignments assign.csv --tariff-rates rates.csv --normatives norms.csv
contains "$work/out" "imported 19 rows: 19 new" "tariffs imported with the entities"
expect 0 "cost over stored tariffs" -- "$kvant" cost --db t.db --by month
# M1: 15 days × 10 × 5 = 750.00, 16 days × 10 × 6 = 960.00; M2: 9 × 10 × 5 = 450.00, 22 × 10 × 4 = 880.00
contains "$work/out" "M1,2020-08,total,2020-01-01,150,5,750.00,1" "stored rate, first half of August"
contains "$work/out" "M1,2020-08,total,2020-08-16,160,6,960.00,1" "the rate change on the 16th splits the bill"
contains "$work/out" "M2,2020-08,total,2020-01-01,90,5,450.00,1" "M2 at the organisation's rate until its own"
contains "$work/out" "M2,2020-08,total,2020-08-10,220,4,880.00,1" "M2's own price list wins from 10.08"
printf 'zone,from,price\ntotal,2020-01-01,7\n' >old-rates.csv
expect 0 "explicit rates win over stored ones" -- "$kvant" cost --db t.db --by month --rates old-rates.csv
contains "$work/out" "M1,2020-08,total,2020-01-01,310,7,2170.00,1" "--rates replaces the stored rates"
expect 0 "estimate over stored normatives" -- "$kvant" estimate --db t.db --by month --at 2020-10-15T00:00:00Z
# one complete month is too short a history for the average: the normative, 100 × 3 residents and 250
contains "$work/out" "M1,2020-09,normative,300,0" "normative per person × residents"
contains "$work/out" "M2,2020-10,normative,250,0" "the any-dwelling normative per account"
expect 0 "explicit normative wins" -- "$kvant" estimate --db t.db --by month --at 2020-10-15T00:00:00Z --normative 42
contains "$work/out" "M1,2020-09,normative,42,0" "--normative replaces the stored ones"
# a failed import changes nothing: a rate naming a zone the schedule does not have
printf 'schedule,scope,target,zone,from,price\nsingle,organization,dnt,total,2021-01-01,7\nsingle,organization,dnt,nigth,2021-01-01,3\n' >bad-rates.csv
expect 1 "a rate of an unknown zone" -- "$kvant" import --db t.db --tariff-rates bad-rates.csv
contains "$work/err" "bad-rates.csv:3" "the line of the bad rate"
contains "$work/err" "'nigth'" "the unknown zone named"
expect 0 "export stored rates" -- "$kvant" export --db t.db --table tariff_rates
[ "$(wc -l <"$work/out")" -eq 4 ] && ok || bad "the failed import left the three rates as they were"
expect 1 "the old zone,from,price file is not a stored rates file" -- "$kvant" import --db t.db --tariff-rates old-rates.csv
contains "$work/err" "schedule" "the missing columns named"
expect 0 "export all with tariffs" -- "$kvant" export --db t.db --out exported
[ -f exported/tariff_schedules.json ] && [ -f exported/normatives.csv ] && ok || bad "export writes the tariff files"
expect 0 "import the export again" -- "$kvant" import --db t2.db --organizations exported/organizations.csv --abonents exported/abonents.csv --accounts exported/accounts.csv --points exported/metering_points.csv --meters exported/meters.csv --readings exported/readings.csv --tariff-schedules exported/tariff_schedules.json --tariff-assignments exported/tariff_assignments.csv --tariff-rates exported/tariff_rates.csv --normatives exported/normatives.csv
expect 0 "cost of the round trip" -- "$kvant" cost --db t2.db --by month
contains "$work/out" "M2,2020-08,total,2020-08-10,220,4,880.00,1" "the round trip bills alike"
# a meter with no schedule in force is an error naming it and the date, never a zero bill
expect 0 "a database without assignments" -- "$kvant" import --db t3.db "${entities[@]}" --tariff-schedules sched.json --tariff-rates rates.csv
expect 1 "cost without an assigned schedule" -- "$kvant" cost --db t3.db --by month
contains "$work/err" "meter M1: no tariff schedule in force on 2020-08-01" "the meter and date named"
printf 'scope,target,resource,from,schedule\nmeter,M1,electricity,2020-01-01,single\n' >assign-m1.csv
expect 0 "assign M1 only" -- "$kvant" import --db t3.db --tariff-assignments assign-m1.csv
expect 1 "M2 still has none" -- "$kvant" cost --db t3.db --by month
contains "$work/err" "meter M2: no tariff schedule in force on 2020-08-01" "the unassigned meter named"
# an assignment prices the meters of its resource only: the organisation's electricity schedule never bills
# the water meter W1 (31 m³ in August: at the 5.00 of kWh it would silently read 155.00)
printf 'code,account,amenities\np3,A1,\n' >water-pts.csv
printf 'serial,point,resource,zone\nW1,p3,cold_water,UTC\n' >water.csv
printf 'meter,timestamp,total\nW1,2020-08-01T00:00:00Z,0\nW1,2020-09-01T00:00:00Z,31\n' >water-readings.csv
expect 0 "a database with a water meter" -- "$kvant" import --db t4.db "${entities[@]}" --tariff-schedules sched.json --tariff-assignments assign.csv --tariff-rates rates.csv
expect 0 "the water meter added" -- "$kvant" import --db t4.db --points water-pts.csv --meters water.csv --readings water-readings.csv
expect 1 "cost without --resource: the water meter has no schedule" -- "$kvant" cost --db t4.db --by month
contains "$work/err" "meter W1: no tariff schedule in force on 2020-08-01" "the water meter named, not billed at kWh prices"
expect 0 "cost of electricity only" -- "$kvant" cost --db t4.db --by month --resource electricity
contains "$work/out" "M1,2020-08,total,2020-08-16,160,6,960.00,1" "electricity billed as before"
# the water schedule (same profile, its own id) for cold water: 31 × 40.00 = 1240.00
sed 's/"id": "single", "name": "Одноставочный"/"id": "water", "name": "Вода"/' sched.json >water-sched.json
printf 'scope,target,resource,from,schedule\norganization,dnt,cold_water,2020-01-01,water\n' >assign-water.csv
printf 'schedule,scope,target,zone,from,price,supplier\nwater,organization,dnt,total,2020-01-01,40.00,Водоканал\n' >rates-water.csv
expect 0 "assign a water schedule" -- "$kvant" import --db t4.db --tariff-schedules water-sched.json --tariff-assignments assign-water.csv --tariff-rates rates-water.csv
expect 0 "cost of every resource" -- "$kvant" cost --db t4.db --by month
contains "$work/out" "W1,2020-08,total,2020-01-01,31,40,1240.00,1" "the water meter at the water schedule's price"
contains "$work/out" "M1,2020-08,total,2020-01-01,150,5,750.00,1" "the electricity meter at its own"
# M1 moved to its own schedule from 16.08, priced from that date only: the days before stay under the
# organisation's (10 a day: 15.08 at 5.00 = 50.00; 16.08 at 8.00 = 80.00), not "no rate ... on 2020-08-01"
sed 's/"id": "single", "name": "Одноставочный"/"id": "flat", "name": "Свой"/' sched.json >flat-sched.json
printf 'scope,target,resource,from,schedule\nmeter,M1,electricity,2020-08-16,flat\n' >assign-flat.csv
printf 'schedule,scope,target,zone,from,price,supplier\nflat,meter,M1,total,2020-08-16,8.00,x\n' >rates-flat.csv
expect 0 "M1's own schedule from 16.08" -- "$kvant" import --db t4.db --tariff-schedules flat-sched.json --tariff-assignments assign-flat.csv --tariff-rates rates-flat.csv
expect 0 "cost by day across the change of schedule" -- "$kvant" cost --db t4.db --by day --resource electricity
contains "$work/out" "M1,2020-08-15,total,2020-01-01,10,5,50.00,1" "the day before under the organisation's schedule"
contains "$work/out" "M1,2020-08-16,total,2020-08-16,10,8,80.00,1" "from 16.08 under the meter's own schedule"
contains "$work/out" "M2,2020-08-16,total,2020-08-10,10,4,40.00,1" "M2 unaffected"
cd - >/dev/null || exit 1

# ---- validation policy: the seed's own requisites (001 §3.5.1) have wrong check digits; real data, kept
printf 'id,name,inn,ogrn\nseed,Организация,722406645712,1234567891234\n' >"$work/seed-org.csv"
expect 1 "strict: the seed's requisites refused" -- "$kvant" import --db "$work/policy.db" --organizations "$work/seed-org.csv" --policy strict
contains "$work/err" "INN '722406645712' has a wrong check digit" "strict names the check digit"
if [ ! -e "$work/policy.db" ]; then ok; else bad "a refused import into a new database left a file"; fi
expect 0 "lenient (the default): stored with warnings" -- "$kvant" import --db "$work/policy.db" --organizations "$work/seed-org.csv"
contains "$work/out" "imported 1 rows: 1 new" "the organisation stored"
contains "$work/err" "warning: " "the check digits reported"
contains "$work/err" "field 'ogrn'" "the OGRN named"
expect 0 "validate lenient: warnings only" -- "$kvant" validate --db "$work/policy.db"
expect 1 "validate strict: errors" -- "$kvant" validate --db "$work/policy.db" --policy strict
expect 2 "an unknown policy" -- "$kvant" validate --db "$work/policy.db" --policy loose

# ---- --db names a SQLite file or a PostgreSQL database (no server is needed for these: every check fails or
# succeeds before one is reached, or uses a file)
for c in init distribute; do
  expect 0 "$c --help" -- "$kvant" $c --help
  contains "$work/out" "postgresql://" "$c --help names PostgreSQL"
done
expect 0 "init a SQLite file" -- "$kvant" init --db "$work/init.db"
contains "$work/out" "$work/init.db: schema version 4, 0 values" "init prints the schema"
expect 2 "--partitions for a SQLite file" -- "$kvant" init --db "$work/init2.db" --partitions 4
contains "$work/err" "--partitions applies to a PostgreSQL database only" "--partitions named"
if [ ! -e "$work/init2.db" ]; then ok; else bad "a refused init left a file"; fi
expect 2 "--partitions out of range" -- "$kvant" init --db "postgresql://nobody@127.0.0.1:1/none" --partitions 1025
contains "$work/err" "--partitions '1025': out of range (1..1024)" "--partitions range named"
expect 2 "import --partitions into a SQLite file" -- "$kvant" import --db "$work/init3.db" --partitions 2 --organizations "$work/seed-org.csv"
if [ ! -e "$work/init3.db" ]; then ok; else bad "a refused import left a file"; fi
expect 2 "demo refuses a PostgreSQL database" -- "$kvant" demo --db "host=127.0.0.1 dbname=x" --data "$demo"
contains "$work/err" "kvant demo works on a SQLite file only" "demo says SQLite only"
if [ ! -e "host=127.0.0.1 dbname=x" ]; then ok; else bad "demo took a connection string for a file"; fi
expect 2 "distribute needs PostgreSQL" -- "$kvant" distribute --db "$work/init.db" --shard "postgresql://a@127.0.0.1:1/b"
contains "$work/err" "kvant distribute needs a PostgreSQL database" "distribute says PostgreSQL"
expect 2 "a shard that is not a connection string" -- "$kvant" distribute --db "postgresql://a@127.0.0.1:1/b" --shard "$work/x.db"
contains "$work/err" "not a PostgreSQL connection string or URI" "the shard named"
expect 2 "--shard-reads takes direct or coordinator" -- "$kvant" split --db "$work/init.db" --schedule three-zone --by month --shard-reads sideways
# a server that is not there: a store error naming the database, never its password
expect 1 "no server" -- "$kvant" split --db "postgresql://kvant:S3cretPw@127.0.0.1:1/fleet" --schedule three-zone --by month
contains "$work/err" "dbname=fleet" "the database named"
if grep -qF "S3cretPw" "$work/err"; then bad "the password printed"; else ok; fi
# a URI libpq cannot parse (a bad percent-encoding in the password): libpq's message quotes the password
expect 1 "an unparsable URI" -- "$kvant" split --db "postgresql://kvant:S3cr%zzPw@127.0.0.1:1/fleet" --schedule three-zone --by month
contains "$work/err" "cannot parse the connection string" "the URI refused"
if grep -qF "S3cr" "$work/err"; then bad "the unparsable password printed"; else ok; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
