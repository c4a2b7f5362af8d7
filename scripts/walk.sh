#!/usr/bin/env bash
# The walk of issue 10: the seeds' screens (000 bot, 001 administrator cabinet, 004 retailer's cabinet) over a
# fresh demo database, one heading per screen, each command shown before its output. "Now" is the seeds'
# 21.08.2020 09:05 Moscow time. tests/cli/test_walk.sh runs it and checks every figure against values worked
# out from data/demo/*.csv.
#
#   bash scripts/walk.sh [KVANT] [DATA_DIR] [WORK_DIR]
#
# KVANT defaults to build/dev/kvant, DATA_DIR to data/demo, WORK_DIR to a new temporary folder (kept).
set -uo pipefail
kvant=${1:-build/dev/kvant}
data=${2:-data/demo}
work=${3:-$(mktemp -d)}
db="$work/walk.db"
now=2020-08-21T09:05:00+03:00

screen() { printf '\n######## %s\n' "$*"; }
# the command as shown: the work folder left out, an argument with a space quoted
shown() {
    local out="" a
    for a in "$@"; do
        a="${a//$work\//}"
        case "$a" in *" "*) a="\"$a\"" ;; esac
        out+=" $a"
    done
    printf '%s' "${out# }"
}
# runs kvant, showing the command and a non-zero exit code
k() {
    printf '$ kvant %s\n' "$(shown "$@")"
    "$kvant" "$@"
    local rc=$?
    [ "$rc" -eq 0 ] || printf '(exit %d)\n' "$rc"
    return 0
}
# kf REGEX ARGS: as k, only the lines of the output that match REGEX (and its header line); stderr left out
kf() {
    local re=$1
    shift
    printf '$ kvant %s | grep -E '"'"'%s'"'"'\n' "$(shown "$@")" "$re"
    "$kvant" "$@" 2>/dev/null | grep -E "$re"
    return 0
}
# the section of kvant demo's output under a heading (its "=== title ===" line up to the next one)
section() { awk -v h="=== $1" 'index($0, h) == 1 { on = 1; print; next } /^=== / { on = 0 } on && NF' "$work/demo.txt"; }

screen "kvant demo: a fresh database from $data (the account of 001 Figure 17: 9000106 replaced 9000100)"
printf '$ kvant demo --db walk.db --account A15900009440\n'
"$kvant" demo --db "$db" --data "$data" --account A15900009440 >"$work/demo.txt" 2>&1 || {
    cat "$work/demo.txt"
    exit 1
}
awk '/^Загружено/ { on = 1 } on && !NF { exit } on' "$work/demo.txt"

screen "Реквизиты организации (001 §3.5.1): контрольные цифры ИНН и ОГРН неверны — предупреждение, не отказ"
section "Организация"

screen "Абонент (000 §3.2.1, 004 карточка ЛС)"
section "Абонент"
screen "Счётчики с датами поверки (000 §3.2.2, 001 §3.3.2: NEVA MT 114 20.05.2019 → 20.05.2029)"
section "Счётчики"
kf '^(meter|9000106|9000129|15004|98980004|98990004|98990013|98990014),' verification --db "$db" --at "$now"
echo "-- the same under the day-before rule (001 Figure 21: 01.03.2018 → 28.02.2028)"
kf '^(meter|9000129),' verification --db "$db" --at "$now" --rule day-before

screen "Текущие показания, в том числе отключённого счётчика (000 §3.2.3)"
k current --db "$db" --account A15900009360 --at "$now"

screen "Архив данных: расход по месяцам и тарифам (000 §3.2.4)"
section "Архив"
kf '^(meter|9000106|9000100),' consumption --db "$db" --by month --complete-only

screen "Ввод показаний (001 §3.3.4): принято, отказ (ниже предыдущего), подтверждённая замена, предупреждение"
cp "$db" "$work/entry.db"
edb="$work/entry.db"
day=2020-08-22T09:05:00+03:00
k enter --db "$edb" --meter 98970004 --at "$day" --total 4028.00 --by "Зотов А.Н."
k enter --db "$edb" --meter 98990004 --at "$day" --total 510 --by "Зотов А.Н."
k enter --db "$edb" --meter 98990004 --at "$day" --total 0.0150 --confirm replacement --by "Зотов А.Н."
k enter --db "$edb" --meter 98980004 --at "$day" --total 4160 --by "Зотов А.Н."

screen "Нештатные ситуации (001 §3.4.4): найдены, отфильтрованы, закрыты"
k anomalies detect --db "$db" --at "$now"
echo "-- by type"
k anomalies list --db "$db" --type reading_decrease
echo "-- by meter"
k anomalies list --db "$db" --meter 98970005
echo "-- by organisation and type"
k anomalies list --db "$db" --organization dnt-demo --type tamper
key=$("$kvant" anomalies list --db "$db" --type reading_decrease | sed -n '2s/,.*//p')
k anomalies resolve --db "$db" --key "$key" --by "Зотов А.Н." --note "показания уточнены" --at 2020-08-21T10:00:00+03:00
k anomalies list --db "$db" --status resolved
k anomalies history --db "$db" --key "$key"

screen "Аналитика (004 §3.1)"
k analytics --db "$db" --at "$now"

screen "Карта (001 §3.3.2.3): кластеры на масштабе 14 и счётчики без координат"
k map --db "$db" --zoom 14 --at "$now"

screen "Хранимые тарифы: расписания ФСТ 1473-э, цены поставщика по датам, нормативы (kvant demo)"
section "Хранимые тарифы"

screen "Стоимость по хранимым тарифам (ФСТ 1473-э, двухзонный; цены с 01.07.2020)"
kf '^meter,|^98970004,2020-0[67],' cost --db "$db" --by month --resource electricity

screen "Начисление по ПП 354 с хранимыми нормативами: неполные месяцы по нормативу × проживающие"
kf '^meter,|^(9000106|98970004|98990004),' estimate --db "$db" --at "$now"
printf '\nwork folder: %s\n' "$work"
