#!/usr/bin/python3
"""Checks the output of scripts/walk.sh against values worked out here from the demo's CSV files alone (the
rules of docs/*.md applied by hand, in exact fractions), never from the tool's output.

    /usr/bin/python3 tests/cli/check_walk.py WALK_OUTPUT DATA_DIR

Prints one line a failed check and a summary; exits 1 when any check failed."""
import csv, datetime as dt, math, os, re, sys
from collections import Counter, defaultdict
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction

out_path, data = sys.argv[1], sys.argv[2]
out = open(out_path, encoding="utf-8").read()
lines = out.split("\n")
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAILED:", what)


def has_line(text, what=None):
    check(text in lines, what or f"line {text!r}")


def has_regex(rx, what):
    check(re.search(rx, out, re.M) is not None, f"{what}: /{rx}/")


def rows(name):
    with open(os.path.join(data, name), encoding="utf-8") as f:
        return list(csv.DictReader(f))


MSK = dt.timezone(dt.timedelta(hours=3))
NOW = dt.datetime(2020, 8, 21, 9, 5, tzinfo=MSK)
UTC = dt.timezone.utc


def ts(s):
    return dt.datetime.fromisoformat(s)


def utc(t):
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ru_date(d):
    return d.strftime("%d.%m.%Y")


def ru_local(t):
    return t.astimezone(MSK).strftime("%d.%m.%Y %H:%M")


def fixed(x, places, mode=ROUND_HALF_UP):
    return str(Decimal(x.numerator) / Decimal(x.denominator) if isinstance(x, Fraction) else Decimal(x)) \
        if places is None else str((Decimal(x.numerator) / Decimal(x.denominator)).quantize(
            Decimal(1).scaleb(-places), rounding=mode))


def percent(part, whole):  # docs/analytics.md: half to even, hundredths
    return fixed(Fraction(100 * part, whole), 2, ROUND_HALF_EVEN)


def add_years(d, n):
    try:
        return d.replace(year=d.year + n)
    except ValueError:  # 29 February
        return d.replace(year=d.year + n, day=28)


orgs = {r["id"]: r for r in rows("organizations.csv")}
abonents = {r["id"]: r for r in rows("abonents.csv")}
accounts = {r["number"]: r for r in rows("accounts.csv")}
points = {r["code"]: r for r in rows("metering_points.csv")}
models = {r["id"]: r for r in rows("meter_models.csv")}
meters = {r["serial"]: r for r in rows("meters.csv")}
readings = defaultdict(list)
for r in rows("readings.csv"):
    readings[r["meter"]].append(r)
for v in readings.values():
    v.sort(key=lambda r: ts(r["timestamp"]))
relays = rows("relay_changes.csv")
sessions = rows("sessions.csv")
events = rows("events.csv")
UNIT = {"electricity": "кВт·ч", "cold_water": "куб. м", "hot_water": "куб. м", "heat": "Гкал"}
PLACES = {"electricity": 2, "cold_water": 4, "hot_water": 4, "heat": 4}
RES_RU = {"electricity": "Электроэнергия", "cold_water": "Вода холодная", "hot_water": "Вода горячая",
          "heat": "Тепло"}


def account_of(serial):
    return points[meters[serial]["point"]]["account"]


def meters_of(number):
    return sorted(s for s, m in meters.items() if points[m["point"]]["account"] == number)


# ---- the import: every row of every file, and the warnings of the default (lenient) policy
def inn_ok(inn):
    d = [int(c) for c in inn]
    def digit(w):
        return sum(a * b for a, b in zip(w, d)) % 11 % 10
    if len(d) == 10:
        return d[9] == digit([2, 4, 10, 3, 5, 9, 4, 6, 8])
    return d[10] == digit([7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) and d[11] == digit([3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8])


def ogrn_ok(ogrn):
    return int(ogrn[:-1]) % (11 if len(ogrn) == 13 else 13) % 10 == int(ogrn[-1])


import json
# an import counts a reading row once a value (total, T1..T4), every other row once
n_rows = sum(len(rows(f)) for f in os.listdir(data) if f.endswith(".csv") and f != "readings.csv")
n_rows += sum(1 for r in rows("readings.csv") for c in ("total", "t1", "t2", "t3", "t4") if r[c])
n_rows += len(json.load(open(os.path.join(data, "tariff_schedules.json"), encoding="utf-8")))
org = orgs["dnt-demo"]
check(not inn_ok(org["inn"]) and not ogrn_ok(org["ogrn"]), "the seed's ИНН and ОГРН have wrong check digits")
warnings = [f"  organizations.csv:2: warning: organization dnt-demo: field 'inn': INN '{org['inn']}' has a wrong check digit",
            f"  organizations.csv:2: warning: organization dnt-demo: field 'ogrn': OGRN '{org['ogrn']}' has a wrong check digit",
            "  organizations.csv:2: warning: organization dnt-demo: field 'ogrn': a 12-digit INN goes with a 15-digit "
            "OGRNIP, not 13 digits"]
bad = [s for s, m in meters.items() if m["manufactured"] and m["installed"] and m["installed"] < m["manufactured"]]
warnings += [f"  meters.csv:{list(meters).index(s) + 2}: warning: meter {s}: field 'installed': installation date "
             f"{meters[s]['installed']} is before the manufacture date {meters[s]['manufactured']}" for s in bad]
has_line(f"Загружено: {n_rows} строк; {len(warnings)} предупреждений о данных:", "rows imported and warnings")
for w in warnings:
    has_line(w)
has_line(f"{org['name']}, ИНН {org['inn']}, часовой пояс {org['zone']}", "the organisation with the seed's ИНН")

# ---- the abonent card (000 §3.2.1)
ACC = "A15900009440"
acc = accounts[ACC]
ab = abonents[acc["abonent"]]
has_regex(r"^ФИО\s+" + re.escape(ab["name"]) + "$", "card: name")
has_regex(r"^Лицевой счёт\s+" + ACC + "$", "card: account")
has_regex(r"^Адрес\s+" + re.escape(acc["address"] + (", кв. " + acc["apartment"] if acc["apartment"] else "")) + "$",
          "card: address")
has_regex(r"^Организация\s+" + re.escape(orgs[ab["organization"]]["name"]) + "$", "card: organisation")
has_regex(r"^Телефон\s+" + re.escape(ab["phone"]) + "$", "card: phone")

# ---- the meters with their verification dates (000 §3.2.2; 001 §3.3.2)
for s in meters_of(ACC):
    m = meters[s]
    verified = dt.date.fromisoformat(m["last_verification"])
    nxt = add_years(verified, int(models[m["model"]]["verification_interval_years"]))
    tail = f" (снят с учёта {ru_date(dt.date.fromisoformat(m['removed']))})" if m["removed"] else ""
    has_regex(rf"^{RES_RU[m['resource']]}\s+{s}\s+.*\s{ru_date(dt.date.fromisoformat(m['installed']))}\s+"
              rf"{ru_date(verified)}\s+{ru_date(nxt)}{re.escape(tail)}$", f"meters: {s}")
check("20.05.2019  20.05.2029" in out, "9000106 verified 20.05.2019 is due 20.05.2029 (001 §3.3.2)")


def verification_line(s, rule):
    m = meters[s]
    base = dt.date.fromisoformat(m["last_verification"] or m["manufactured"])
    years = int(models[m["model"]]["verification_interval_years"])
    if rule == "same-date":
        nxt = add_years(base, years)
        expires = nxt
    else:  # valid through the day before
        nxt = add_years(base - dt.timedelta(days=1), years)
        expires = nxt + dt.timedelta(days=1)
    today = NOW.date()
    state = "expired" if expires <= today else "due_soon" if (expires - today).days <= 30 else "valid"
    # failed for billing: expired, outside the suspension 06.04.2020-31.12.2020 (ПП РФ № 424)
    failed_b = int(state == "expired" and not (dt.date(2020, 4, 6) <= expires < dt.date(2021, 1, 1)))
    life = add_years(dt.date.fromisoformat(m["manufactured"]), int(models[m["model"]]["service_life_years"]))
    return f"{s},{m['model']},{base},{nxt},{expires},{state},{failed_b},{life}"


for s in ["9000106", "9000129", "15004", "98980004", "98990004", "98990013", "98990014"]:
    has_line(verification_line(s, "same-date"), f"verification of {s}")
has_line(verification_line("9000129", "day-before"), "9000129 under day-before")
check(verification_line("9000129", "day-before").split(",")[3] == "2028-02-28", "01.03.2018 -> 28.02.2028")
check(verification_line("98990013", "same-date").split(",")[5] == "due_soon", "98990013 planted due soon")
check(verification_line("98990014", "same-date").split(",")[5] == "expired", "98990014 planted expired")


# ---- current readings with the meter state (000 §3.2.3)
def relay_at(s, t):
    c = [r for r in relays if r["meter"] == s and ts(r["timestamp"]) <= t]
    return max(c, key=lambda r: ts(r["timestamp"])) if c else None


def last_contact(s, t):
    """(time, 'session'|'reading'): a meter with sessions by its latest one that reached it, else readings."""
    own = [r for r in sessions if r["meter"] == s]
    if own:
        ok = [ts(r["start"]) for r in own if r["result"] in ("ok", "partial") and ts(r["start"]) <= t]
        return (max(ok), "session") if ok else (None, "session")
    rs = [ts(r["timestamp"]) for r in readings.get(s, []) if ts(r["timestamp"]) <= t]
    return (max(rs), "reading") if rs else (None, "reading")


BUCKETS = [(dt.timedelta(minutes=30), "30min", "До 30 минут"), (dt.timedelta(hours=2), "2h", "До 2 часов"),
           (dt.timedelta(days=1), "1d", "До 1 суток"), (dt.timedelta(days=2), "2d", "До 2 суток"),
           (dt.timedelta(weeks=1), "1w", "До 1 недели"), (dt.timedelta(weeks=2), "2w", "До 2 недель")]


def state_of(s, t):
    m = meters[s]
    r = relay_at(s, t)
    if m["removed"] and dt.date.fromisoformat(m["removed"]) <= t.date():
        return "disconnected"
    if r and r["position"] == "off":
        return "disconnected"
    last, _ = last_contact(s, t)
    if last is None:
        return "no_link"
    for limit, key, _ in BUCKETS:
        if t - last <= limit:
            return key
    return "no_link"


RU_BUCKET = {key: ru for _, key, ru in BUCKETS}
for s in meters_of("A15900009360"):
    m = meters[s]
    last, how = last_contact(s, NOW)
    st = state_of(s, NOW)
    if st == "disconnected":
        r = relay_at(s, NOW)
        head = f"{s}: Отключен с {ru_local(ts(r['timestamp']))} ({r['reason']}, {r['by']}: {r['note']})"
    else:
        head = f"{s}: {RU_BUCKET[st]}"
    has_line(f"{head}; последний сеанс связи {ru_local(last)} ({how})", f"current: {s}")
    lr = readings[s][-1]
    has_line(f"  total {lr['total']} {UNIT[m['resource']]}  {ru_local(ts(lr['timestamp']))}", f"current value {s}")
check(state_of("98970004", NOW) == "disconnected", "98970004 is the bot's disconnected meter")


# ---- the archive: consumption per month and register, uniform spreading between readings
def unwrapped(s, reg):
    """(time, exact value) of a register, rollovers unwrapped (10^digits), × the transformer ratio."""
    m = meters[s]
    digits = int(m["register_digits"] or models[m["model"]]["register_digits"])
    ratio = int(m["transformer_ratio"] or 1)
    out_, add, prev = [], 0, None
    for r in readings[s]:
        if not r[reg]:
            continue
        v = Fraction(Decimal(r[reg]))
        if prev is not None and v < prev and prev - v > Fraction(10 ** digits, 2):
            add += 10 ** digits
        prev = v
        out_.append((ts(r["timestamp"]), (v + add) * ratio))
    return out_


def value_at(series, t):
    for (t0, v0), (t1, v1) in zip(series, series[1:]):
        if t0 <= t <= t1:
            return v0 + (v1 - v0) * Fraction(int((t - t0).total_seconds()), int((t1 - t0).total_seconds()))
    return None


def month_bounds(y, mo):
    start = dt.datetime(y, mo, 1, tzinfo=MSK)
    end = dt.datetime(y + (mo == 12), mo % 12 + 1, 1, tzinfo=MSK)
    return start, end


def complete_months(s, reg="total"):
    ser = unwrapped(s, reg)
    res = []
    for y, mo in [(2019, m) for m in range(1, 13)] + [(2020, m) for m in range(1, 13)]:
        a, b = month_bounds(y, mo)
        va, vb = value_at(ser, a), value_at(ser, b)
        if va is not None and vb is not None:
            res.append((f"{y}-{mo:02d}", vb - va))
    return res


def near(printed, exact, what, deltas=1):
    """docs/consumption.md, docs/tariffs.md: a value is rounded to millionths once per reading interval (delta),
    so it lies within a millionth of its exact share for each delta it sums."""
    check(abs(Fraction(Decimal(printed)) - exact) <= Fraction(deltas, 10 ** 6),
          f"{what}: {printed} vs {float(exact)}")


for s in meters_of(ACC):
    m = meters[s]
    ms = complete_months(s)
    text = "  ".join(f"{p} {fixed(v, PLACES[m['resource']])}" for p, v in ms)
    has_line(f"{s} ({RES_RU[m['resource']]}, {UNIT[m['resource']]}):  {text}", f"archive of {s}")
csv_cons = {tuple(l.split(",")[:3]): l.split(",")[3] for l in lines if re.match(r"^(9000106|9000100),\d{4}-\d\d,", l)}
for s in ["9000100", "9000106"]:
    for reg in ["total", "t1", "t2"]:
        for p, v in complete_months(s, reg):
            check((s, p, reg) in csv_cons, f"consumption row {s} {p} {reg}")
            if (s, p, reg) in csv_cons:
                near(csv_cons[(s, p, reg)], v, f"consumption {s} {p} {reg}")
check(len(csv_cons) == 12, f"two complete months of 9000100 and of 9000106, three registers: {len(csv_cons)}")


# ---- manual entry (001 §3.3.4)
def expectation(s):
    """last value, its time, the daily rate over the 30 days before it (docs/manual_entry.md)."""
    ser = unwrapped(s, "total")
    t_last, v_last = ser[-1]
    v_before = value_at(ser, t_last - dt.timedelta(days=30))
    return v_last, t_last, (v_last - v_before) / 30


DAY = dt.datetime(2020, 8, 22, 9, 5, tzinfo=MSK)
for s, entered in [("98970004", "4028.00"), ("98990004", "510"), ("98980004", "4160")]:
    v, t, rate = expectation(s)
    p = PLACES[meters[s]["resource"]]
    exp = v + rate * Fraction(int((DAY - t).total_seconds()), 86400)
    has_line(f"expected total {fixed(exp, p)} (last {fixed(v, p)} at {utc(t)}, {fixed(rate, p)} a day)",
             f"entry expectation of {s}")
v, t, rate = expectation("98970004")
check(Fraction(Decimal("4028.00")) - v <= 5 * rate, "4028.00 is within 5 × the expected day")
has_line("accepted: Прибор учета 98970004: показания 4028.00 приняты")
v, _, _ = expectation("98990004")
has_line(f"lower: Прибор учета 98990004: Предыдущие показания: {fixed(v, 4)}, текущие показания: 510.0000")
has_line(f"confirmed_replacement: Прибор учета 98990004: Предыдущие показания: {fixed(v, 4)}, текущие показания: "
         "0.0150; подтверждена замена прибора учета")
v, _, rate = expectation("98980004")
used = Fraction(4160) - v
check(used > 5 * rate, "4160 is more than 5 × the expected day of 98980004")
has_line(f"implausibly_high: Прибор учета 98980004: показание 4160.0000 неправдоподобно велико: расход "
         f"{fixed(used, 4)} при ожидаемом {fixed(rate, 4)} за 1.00 дн.")
verdicts = [l for l in lines if l.startswith("verdict ")]
check(verdicts == ["verdict accepted", "verdict refused", "verdict accepted", "verdict warning"],
      f"the four verdicts in order: {verdicts}")
check(out.count("(exit 1)") == 1, "only the refused entry exits 1")

# ---- anomalies (001 §3.4.4): what the demo plants, each worked out from the files
expected = Counter()
expected["reading_decrease"] = 1  # 98990006: 352.2480 -> 352.2400
expected["no_link"] = 2  # 98970005 silent since 26.06.2020, 98980007 since 08.10.2017 (> 10 days)
expected["tamper"] = sum(e["kind"] == "tamper" for e in events)
expected["relay_off"] = sum(e["kind"] == "relay" for e in events)
expected["tariff_sum_mismatch"] = 1  # 9000129: T1 + T2 = total - 26
expected["rollover"] = 1  # 98980009: 99999 -> 0
expected["stuck_register"] = 1  # 98990013
expected["data_inconsistency"] = 1  # 44103814060174 installed before it was made
expected["verification_expired"] = 1  # 98990014
# 9000100: monthly readings, 4 of them: 3 gaps longer than 72 hours
expected["gap"] = sum((ts(b["timestamp"]) - ts(a["timestamp"])) > dt.timedelta(hours=72)
                      for a, b in zip(readings["9000100"], readings["9000100"][1:]))
# 98990013: complete months without consumption while in service
expected["zero_consumption"] = sum(v == 0 for _, v in complete_months("98990013"))
# building imbalance: building meters against the individual ones over a complete month, beyond ±10 %
for res in UNIT:
    for y, mo in [(2020, 6), (2020, 7)]:
        a, b = month_bounds(y, mo)

        def used_(s):
            ser = unwrapped(s, "total")
            va, vb = value_at(ser, a), value_at(ser, b)
            return 0 if va is None or vb is None else vb - va

        bsum = sum(used_(s) for s, m in meters.items() if m["resource"] == res and m["role"] == "building")
        isum = sum(used_(s) for s, m in meters.items() if m["resource"] == res and m["role"] == "individual")
        expected["building_imbalance"] += abs(bsum - isum) > isum / 10
has_line(f"found {sum(expected.values())} anomalies: {sum(expected.values())} new, 0 refreshed, 0 unchanged; "
         f"{sum(expected.values())} open in the database", "anomalies detected")
d = readings["98990006"][-2:]
dec = (f"reading_decrease:98990006:total:{int(ts(d[0]['timestamp']).timestamp())},reading_decrease,warning,98990006,"
       f"{account_of('98990006')},{utc(ts(d[0]['timestamp']))},{utc(ts(d[1]['timestamp']))},")
msg = (f"\"Прибор учета 98990006: Предыдущие показания: {d[0]['total']}, текущие показания: {d[1]['total']}\","
       f"\"Meter 98990006: previous reading {d[0]['total']}, current reading {d[1]['total']}\"")
has_line(dec + "open,,," + msg, "anomalies by type: the seed's decrease")
last, _ = last_contact("98970005", NOW)
days = (NOW.date() - last.date()).days
has_line(f"no_link:98970005:{int(last.timestamp())},no_link,warning,98970005,{account_of('98970005')},{utc(last)},"
         f"{utc(NOW)},open,,,Прибор учета не на связи более {days} дн. Последний сеанс связи был {ru_local(last)},"
         f"Meter 98970005 has had no link for more than {days} days. Last session {ru_local(last)}",
         "anomalies by meter: no link in the seed's wording")
for e in events:
    if e["kind"] != "tamper":
        continue
    t = ts(e["timestamp"])
    has_line(f"tamper:{e['meter']}:{e['code']}:{int(t.timestamp())},tamper,critical,{e['meter']},"
             f"{account_of(e['meter'])},{utc(t)},{utc(t)},open,,,\"Прибор учета {e['meter']}: внешнее воздействие "
             f"(код {e['code']}, {ru_local(t)}): {e['message']}\",\"Meter {e['meter']}: outside interference (code "
             f"{e['code']}, {ru_local(t)}): {e['message']}\"", f"anomalies by organisation and type: {e['meter']}")
resolved_at = utc(dt.datetime(2020, 8, 21, 10, 0, tzinfo=MSK))
has_line(dec + f"resolved,{resolved_at},Зотов А.Н.," + msg, "the resolved anomaly")
has_line(dec.split(",")[0] + f",resolved,{resolved_at},Зотов А.Н.,показания уточнены", "its history")

# ---- analytics (004 §3.1)
has_line(f"analytics at {utc(NOW)}, organisation all")
n_ab = len(abonents)
reg = sum(1 for a in abonents.values() if a["registered"] and ts(a["registered"]) <= NOW)
has_line(f"abonents: {n_ab}; registered {reg} ({percent(reg, n_ab)} %), not registered {n_ab - reg} "
         f"({percent(n_ab - reg, n_ab)} %)")
in_service = [s for s, m in meters.items() if (not m["installed"] or dt.date.fromisoformat(m["installed"]) <= NOW.date())
              and not (m["removed"] and dt.date.fromisoformat(m["removed"]) <= NOW.date())]
has_line(f"meters in service by manufacturer: {len(in_service)}")
by_maker = Counter(models[meters[s]["model"]]["manufacturer"] for s in in_service)
for maker, n in by_maker.items():
    has_regex(rf"^  {re.escape(maker)}\s+{n}\s+{re.escape(percent(n, len(in_service)))} %$", f"manufacturer {maker}")
off = sorted(s for s in in_service if (relay_at(s, NOW) or {}).get("position") == "off")
has_line(f"load: {len(in_service)} meters; relay off {len(off)} ({percent(len(off), len(in_service))} %): "
         + " ".join(off))
states = Counter(verification_line(s, "same-date").split(",")[5] for s in in_service)
needing = states["due_soon"] + states["expired"]
has_line(f"needing verification: {needing} (due within 30 days or expired)")
has_regex(rf"^  dnt-demo\s+valid {states['valid']}, due soon {states['due_soon']}, expired {states['expired']}, "
          rf"unknown 0; needing {needing}$", "verification per organisation")
# daily data for the start of today: a main-quantity total in the day before local midnight, at or after
midnight = dt.datetime(2020, 8, 21, tzinfo=MSK)
coll = defaultdict(lambda: [0, 0, []])
for s in in_service:
    m = meters[s]
    z = dt.timezone(dt.timedelta(minutes=int(m["zone"]))) if m["zone"] else MSK
    mid = midnight.replace(tzinfo=z)
    got = any(mid - dt.timedelta(days=1) <= ts(r["timestamp"]) <= mid for r in readings.get(s, []))
    c = coll[m["resource"]]
    c[0] += got
    c[1] += 1
    if not got:
        c[2].append(s)
got_all, all_ = sum(c[0] for c in coll.values()), sum(c[1] for c in coll.values())
has_line(f"data collected for the start of today: {got_all} of {all_} under control ({percent(got_all, all_)} %)")
for res, (g, n, miss) in coll.items():
    has_regex(rf"^  dnt-demo\s+{res}\s+{g} of {n} \({re.escape(percent(g, n))} %\)"
              + (rf"; missing: {' '.join(sorted(miss))}" if miss else "") + "$", f"collection of {res}")

# ---- the map (001 §3.3.2.3): Web Mercator cells of 64 px at zoom 14
placed = {s: m for s, m in meters.items() if m["latitude"] and m["longitude"]}
has_line(f"meters without coordinates: {len(meters) - len(placed)} of {len(meters)}")
KEYS = ["disconnected", "not_under_control", "30min", "2h", "1d", "2d", "1w", "2w", "no_link"]
all_states = Counter(state_of(s, NOW) for s in meters)
has_line("states: " + " ".join(f"{k} {all_states[k]}" for k in KEYS))
cells = defaultdict(list)
world = 256 * 2 ** 14
for s, m in placed.items():
    lat, lon = float(m["latitude"]), float(m["longitude"])
    x = (lon + 180) / 360 * world
    y = (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2 * world
    cells[(int(x // 64), int(y // 64))].append(s)
has_line(f"clusters: {len(cells)}")


def coord(x):
    return fixed(x, 6).rstrip("0").rstrip(".")


for (c, r), ss in cells.items():
    lat = [Fraction(Decimal(placed[s]["latitude"])) for s in ss]
    lon = [Fraction(Decimal(placed[s]["longitude"])) for s in ss]
    st = Counter(state_of(s, NOW) for s in ss)
    has_line(f"{c},{r},{len(ss)},{coord(sum(lat) / len(ss))},{coord(sum(lon) / len(ss))},{coord(min(lat))},"
             f"{coord(min(lon))},{coord(max(lat))},{coord(max(lon))}," + ",".join(str(st[k]) for k in KEYS) + ","
             + " ".join(sorted(ss)), f"cluster {c},{r}")

# ---- the stored tariffs as kvant demo lists them
for r in rows("tariff_assignments.csv"):
    has_line(f"  {r['scope']} {r['target']} {RES_RU[r['resource']]} с {ru_date(dt.date.fromisoformat(r['from']))}: "
             f"{r['schedule']}", f"assignment {r}")
for r in rows("tariff_rates.csv"):
    has_line(f"  {r['schedule']} {r['target']} {r['zone']} с {ru_date(dt.date.fromisoformat(r['from']))}: "
             f"{fixed(Fraction(Decimal(r['price'])), 2)} ({r['supplier']})", f"rate {r}")
for r in rows("normatives.csv"):
    has_line(f"  {r['organization']} {RES_RU[r['resource']]} {r['amenities'] or '—'} с "
             f"{ru_date(dt.date.fromisoformat(r['from']))}: {fixed(Fraction(Decimal(r['value'])), PLACES[r['resource']])} "
             + ("на человека" if r["basis"] == "per_person" else "на лицевой счёт"), f"normative {r}")

# ---- cost under the stored tariffs: the organisation's two-zone schedule (day 07-23), its rates by date
assign = [r for r in rows("tariff_assignments.csv") if r["scope"] == "organization"]
check(len(assign) == 1 and assign[0]["schedule"] == "fst1473-two-zone" and assign[0]["resource"] == "electricity",
      "the organisation's schedule, for electricity")
rates = [r for r in rows("tariff_rates.csv") if r["scope"] == "organization"]


def zone_share(t0, t1, a, b):
    """Minutes of [t0, t1) within [a, b) that fall in the day zone (07:00-23:00 Moscow) and in the night."""
    lo, hi = max(t0, a), min(t1, b)
    day = night = 0
    t = lo
    while t < hi:
        nxt = min(hi, t + dt.timedelta(minutes=1))
        if 7 <= t.astimezone(MSK).hour < 23:
            day += (nxt - t).total_seconds()
        else:
            night += (nxt - t).total_seconds()
        t = nxt
    return day, night


ser = unwrapped("98970004", "total")
for y, mo in [(2020, 6), (2020, 7)]:
    a, b = month_bounds(y, mo)
    q = {"day": Fraction(0), "night": Fraction(0)}
    deltas = 0
    for (t0, v0), (t1, v1) in zip(ser, ser[1:]):
        if t1 <= a or t0 >= b:
            continue
        deltas += 1
        dsec, nsec = zone_share(t0, t1, a, b)
        per = (v1 - v0) / int((t1 - t0).total_seconds())
        q["day"] += per * int(dsec)
        q["night"] += per * int(nsec)
    printed = {}
    for zone in ["day", "night"]:
        rate = max((r for r in rates if r["zone"] == zone and dt.date.fromisoformat(r["from"]) <= a.date()),
                   key=lambda r: r["from"])
        row = [l for l in lines if l.startswith(f"98970004,{y}-{mo:02d},{zone},{rate['from']},")]
        check(len(row) == 1, f"cost row 98970004 {y}-{mo:02d} {zone}")
        if row:
            f = row[0].split(",")
            near(f[4], q[zone], f"cost quantity {y}-{mo:02d} {zone}", deltas)
            printed[zone] = Fraction(Decimal(f[4]))
            check(f[5] == rate["price"], f"price {zone} {y}-{mo:02d}")
            amount = Fraction(Decimal(f[4])) * Fraction(Decimal(rate["price"]))
            check(f[6] == fixed(amount, 2), f"amount {zone} {y}-{mo:02d}: {f[6]} vs {fixed(amount, 2)}")
            check(f[7] == "1", f"a complete month {y}-{mo:02d}")
    # the zones add up to the month's consumption, itself within a millionth of the exact one
    if len(printed) == 2:
        near(str(Decimal(printed["day"].numerator) / printed["day"].denominator + Decimal(
            printed["night"].numerator) / printed["night"].denominator), q["day"] + q["night"],
             f"day + night of {y}-{mo:02d}")

# ---- estimate (ПП 354 п. 59, 60): a month not bracketed by readings, with fewer than 3 complete months of
# history, is billed at the stored normative of the point's amenities (the version in force on its first day)
# × the account's residents; a bracketed month at its consumption
norms = rows("normatives.csv")
for s_ in ["9000106", "98970004", "98990004"]:
    m = meters[s_]
    pt = points[m["point"]]
    residents = int(accounts[pt["account"]]["residents"])
    complete = dict(complete_months(s_))
    for y, mo in [(2020, 5), (2020, 6), (2020, 7), (2020, 8)]:
        first = dt.date(y, mo, 1)
        p = f"{y}-{mo:02d}"
        row = [l for l in lines if l.startswith(f"{s_},{p}-01,")]
        check(len(row) == 1, f"estimate row {s_} {p}")
        if not row:
            continue
        f = row[0].split(",")
        if p in complete:
            check(f[2] == "actual", f"{s_} {p} actual")
            near(f[3], complete[p], f"estimate {s_} {p}")
        else:
            cands = [n for n in norms if n["resource"] == m["resource"] and n["amenities"] in (pt["amenities"], "")
                     and dt.date.fromisoformat(n["from"]) <= first]
            best = max(cands, key=lambda n: (n["amenities"] == pt["amenities"], n["from"]))
            check(f[2] == "normative", f"{s_} {p} by the normative")
            check(Fraction(Decimal(f[3])) == Fraction(Decimal(best["value"])) * residents,
                  f"{s_} {p}: {f[3]} = {best['value']} × {residents}")
        check(f[4] == "0", f"{s_} {p} not failed")

print(f"walk: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
