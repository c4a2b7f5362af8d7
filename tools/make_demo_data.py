#!/usr/bin/env python3
"""Writes data/demo/*.csv: the sample data of `kvant demo`, mirroring the demo organisation of the seeds
(001: ДНТ Демо "Квант-Энерго", 18 abonents, 55 meters; "today" is 21.08.2020 09:05 Moscow time).

Deterministic (fixed seed); standard library only. Run from the project root:
    /usr/bin/python3 tools/make_demo_data.py
The data are synthetic; names and numbers are made up. Planted on purpose, for the tests and later issues:
  - meter 98990006: a reading that goes down, 352.2480 -> 352.2400 (001 §3.4.4);
  - meter 98970005: no link since 26.06.2020 11:58; meter 98980007: one session only, 08.10.2017 16:25;
  - meter 9000129: T1 + T2 differ from the total by 26.00 kWh (001 Figure 14's mismatch);
  - meter 44103814060174 (МИР С-07, zone 360): made 01.02.2022, installed 21.01.2020 (004's meter card),
    half-hourly readings for June 2020, a current-transformer ratio of 20;
  - meter 9000100 removed on 21.09.2019 and replaced by 9000106 on the same metering point (001 §3.3.2.1);
  - meter 98980009: a 5-digit register that rolls over 99999 -> 0;
  - meter 98990013: a stuck register (no consumption at all);
  - tamper events (magnetic field, cover opened) and a relay switch-off;
  - 11 of the 55 meters have no coordinates (001 §3.3.2.3: "11 из 55");
  - verification intervals (МПИ) as the seeds show them: NEVA MT 114/314 and Пульсар ДУ 15 10 years
    (20.05.2019 -> 20.05.2029, 14.11.2017 -> 14.11.2027), Бетар СВВ-15 4 (12.07.2018 -> 12.07.2022),
    КВАНТ-СВ-15 6 (15.02.2017 -> 15.02.2023); 9000129 verified 01.03.2018 (-> 28.02.2028 under day-before);
    98990013 due 10.09.2020 (due soon on 21.08.2020), 98990014 expired on 01.08.2020;
  - the organisation's requisites of 001 §3.5.1 (ИНН 722406645712, ОГРН 1234567891234: wrong check digits,
    a warning under the default validation policy);
  - 12 of the 18 abonents registered in the cabinet (004 §3.1), residents on the accounts, amenities on the
    points;
  - relay changes (98970004 off for debt; 98970010 off by the limiter and back on) and sessions;
  - stored tariffs: the ФСТ 1473-э two-zone schedule assigned to the organisation with the supplier's rates
    changing on 01.07.2020, the three-zone one for the balance meter 98970099, normatives.
"""
import csv, datetime as dt, json, os, random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "demo")
rnd = random.Random(2020)
MSK = dt.timezone(dt.timedelta(hours=3))
OMSK = dt.timezone(dt.timedelta(hours=6))


def check_inn10(body9):
    w = [2, 4, 10, 3, 5, 9, 4, 6, 8]
    return body9 + str(sum(int(a) * b for a, b in zip(body9, w)) % 11 % 10)


def check_ogrn13(body12):
    return body12 + str(int(body12) % 11 % 10)


def write(name, header, rows):
    with open(os.path.join(OUT, name), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


ORG = "dnt-demo"
ADDR = "Ростовская обл, Ростов-на-Дону г, Лучевая ул, д. 99"
# the requisites of 001 §3.5.1 as printed there (their check digits are wrong: a warning, docs/csv.md)
LEGAL = "Ростовская обл, Ростов-на-Дону г, Ленточная ул, д. 3"
organizations = [[ORG, 'ДНТ Демо "Квант-Энерго"', "dnt", "722406645712", "720401001", "1234567891234", LEGAL,
                  LEGAL, "Europe/Moscow", 1]]

people = [
    ("A15900009460", "Антонова Анна Сергеевна", "Песчаная ул, д. 4", ""),
    ("A15900009450", "Алексеева Ольга Константиновна", "Песчаная ул, д. 6", ""),
    ("A15900009440", "Андреева Наталья Максимовна", "Песчаная ул, д. 8", ""),
    ("A15900009360", "Васильев Роман Михайлович", "Лучевая ул, д. 12", "10"),
    ("A15900009480", "Григорьев Ярослав Олегович", "Лучевая ул, д. 14", ""),
    ("A17800012010", "Иванова Мария Степановна", "Лучевая ул, д. 16", ""),
    ("A15300021190", "Козлов Захар Андреевич", "Лучевая ул, д. 18", ""),
    ("A15900009390", "Морозова Надежда Ивановна", "Лучевая ул, д. 20", "30"),
    ("A15900009530", "Николаев Денис Викторович", "Песчаная ул, д. 10", ""),
    ("A15900009370", "Романов Василий Геннадьевич", "Лучевая ул, д. 22", "20"),
    ("A15900009810", "Русаков Михаил Юрьевич", "Песчаная ул, д. 12", ""),
    ("A15900009430", "Рябов Борис Александрович", "Песчаная ул, д. 14", ""),
    ("A15900009410", "Соколов Дмитрий Николаевич", "Песчаная ул, д. 16", ""),
    ("A15900009420", "Фёдоров Роман Геннадьевич", "Песчаная ул, д. 18", ""),
    ("A15900009400", "Тихонова Елена Павловна", "Лучевая ул, д. 24", ""),
    ("A15900009490", "Кузнецов Игорь Петрович", "Лучевая ул, д. 26", ""),
    ("A15900009500", "Павлова Светлана Олеговна", "Песчаная ул, д. 20", ""),
]
abonents = [["ab-dnt", ORG, "legal", 'ДНТ Демо "Квант-Энерго"', "+7 800 250-79-14", "", ""]]
accounts = [["A1780001067", "ab-dnt", ADDR, "dnt-demo", "non_residential", "", "", "2018-07-01", "", ""]]
points = [["tp-dnt", "A1780001067", "Ввод ДНТ", "Щитовая", "Общедомовое", ""]]
for i, (acc, name, street, flat) in enumerate(people):
    ab = f"ab-{i + 1:02d}"
    phone = f"+7 918 555-{10 + i:02d}-{30 + i:02d}"
    # registered in the cabinet (004 §3.1): every person but the 3rd, 6th, 9th, 12th and 15th
    registered = "" if i % 3 == 2 else f"2019-{i % 12 + 1:02d}-{10 + i:02d}T12:00:00+03:00"
    abonents.append([ab, ORG, "person", name, phone, "", registered])
    area = f"{rnd.randint(45, 160)}.{rnd.randint(0, 9)}"
    accounts.append([acc, ab, "Ростовская обл, Ростов-на-Дону г, " + street, "dnt-demo",
                     "apartment" if flat else "private_house", flat, area, "2018-07-01", "", i % 4 + 1])
    points.append([f"tp-{acc}", acc, "Основной", "Дом", "В квартире" if flat else "В доме",
                   "Электроплита" if flat else "Газовая плита"])

models = [
    # id,name,execution,manufacturer,registry_number,resource,verification_interval_years,service_life_years,
    # accuracy_class,phases,connection_type,nominal_voltage,nominal_current,max_current,meter_constant,register_digits,tariff_registers
    ["neva-mt114-2t", "NEVA MT 114", "AR2S RF6PC 5(80)", "ООО Тайпит-ИП", "51066-12", "electricity", 10, 30, "1",
     1, "direct", "230", "5", "80", 1600, 6, 2],
    ["neva-mt114-1t", "NEVA MT 114", "AS RF", "ООО Тайпит-ИП", "51066-12", "electricity", 10, 30, "1", 1, "direct",
     "230", "5", "80", 1600, 6, 1],
    ["neva-mt314", "NEVA MT 314", "1.0 AR RF6BSRP29", "ООО Тайпит-ИП", "51067-12", "electricity", 10, 30, "1", 3,
     "direct", "230", "5", "100", 800, 6, 1],
    ["mercury-234", "Меркурий 234", "ARTM-03 PB.G", "ООО НПК Инкотекс", "48266-11", "electricity", 16, 30, "0.5S/1",
     3, "semi_indirect", "230", "5", "10", 5000, 6, 1],
    ["mir-c07", "МИР С-07", "05S-230-5(10)-PZ-S1BH-D", "ООО НПО МИР", "61678-15", "electricity", 16, 30, "0.5/1", 3,
     "semi_indirect", "230", "5", "10", 5000, 6, 2],
    ["betar-svv15", "Бетар СВВ-15", "", "ООО Бетар", "56196-14", "cold_water", 4, 12, "A", "", "direct", "", "",
     "", "", 5, 1],
    ["kvant-sv15", "КВАНТ-СВ-15", "", "ООО Квант", "64417-16", "hot_water", 6, 12, "A", "", "direct", "", "", "",
     "", 5, 1],
    ["pulsar-du15", "Пульсар ДУ 15", "", "ООО НПП Тепловодохран", "59346-14", "heat", 10, 12, "2", "", "direct",
     "", "", "", "", 6, 1],
    ["pulsar-vs15", "Пульсар ВС 15", "", "ООО НПП Тепловодохран", "55449-13", "cold_water", 6, 12, "A", "",
     "direct", "", "", "", "", 6, 1],
]

# meters: serial, model, point, role, resource, zone, ratio, digits, tariffs, made, installed, removed, verified, lat, lon
meters = []
init = {}  # serial -> starting cumulative value(s), and consumption scale


def add_meter(serial, model, point, role, resource, made, installed, verified, zone="", ratio="1", digits="",
              removed="", coords=True):
    lat = lon = ""
    if coords:
        lat = f"47.{rnd.randint(270000, 279999)}"
        lon = f"39.{rnd.randint(700000, 709999)}"
    meters.append([serial, model, point, role, resource, zone, ratio, digits, "", made, installed, removed,
                   verified, lat, lon])


# building (balance) meters of the partnership
add_meter("98970000", "neva-mt314", "tp-dnt", "building", "electricity", "2018-06-01", "2018-07-11", "2018-07-11")
add_meter("98970099", "mercury-234", "tp-dnt", "building", "electricity", "2018-05-15", "2018-07-11", "2018-07-11",
          ratio="20")
add_meter("98990000", "betar-svv15", "tp-dnt", "building", "cold_water", "2018-06-01", "2018-07-12", "2018-07-12")
add_meter("98980000", "kvant-sv15", "tp-dnt", "building", "hot_water", "2018-06-01", "2018-07-12", "2018-07-12")
add_meter("15052", "pulsar-vs15", "tp-dnt", "building", "cold_water", "2017-09-01", "2017-11-14", "2017-11-14")
add_meter("15060", "pulsar-du15", "tp-dnt", "building", "heat", "2017-09-01", "2017-11-14", "2017-11-14")

elec_models = ["neva-mt114-1t"] * 12 + ["neva-mt114-2t"] * 5
hot_owners = set(range(0, 9))     # 9 hot water meters
heat_owners = {3, 5, 7, 9, 11}    # 5 heat meters
for i, (acc, _, _, _) in enumerate(people):
    pt = f"tp-{acc}"
    e_serial = f"989700{i + 1:02d}" if i not in (0, 6, 2) else {0: "9000129", 6: "11002161", 2: "9000106"}[i]
    model = elec_models[i] if e_serial not in ("9000129", "11002161", "9000106") else "neva-mt114-2t"
    if e_serial == "9000106":
        # replacement on the same point: 9000100 removed 21.09.2019, 9000106 installed that day
        add_meter("9000100", "neva-mt114-2t", pt, "individual", "electricity", "2018-03-01", "2018-05-20",
                  "2018-05-20", removed="2019-09-21")
        add_meter("9000106", "neva-mt114-2t", pt, "individual", "electricity", "2019-05-20", "2019-09-21",
                  "2019-05-20")
    elif e_serial == "9000129":
        add_meter(e_serial, model, pt, "individual", "electricity", "2018-03-01", "2018-03-01", "2018-03-01")
    else:
        add_meter(e_serial, model, pt, "individual", "electricity", "2018-06-01", "2018-07-11", "2018-07-11",
                  coords=i < 12)
    # 98990013 verified 10.09.2016: due 10.09.2020; 98990014 verified 01.08.2016: expired on 01.08.2020
    cw_made, cw_verified = {12: ("2016-06-01", "2016-09-10"), 13: ("2016-06-01", "2016-08-01")}.get(
        i, ("2018-06-01", "2018-07-12"))
    add_meter(f"989900{i + 1:02d}", "betar-svv15", pt, "individual", "cold_water", cw_made, "2018-07-12",
              cw_verified, coords=i < 12)
    if i in hot_owners:
        add_meter(f"989800{i + 1:02d}", "kvant-sv15", pt, "individual", "hot_water", "2017-01-10",
                  "2017-02-15", "2017-02-15", digits="5" if i == 8 else "")
    if i in heat_owners:
        add_meter(f"150{i + 1:02d}", "pulsar-du15", pt, "individual", "heat", "2017-09-01", "2017-11-14",
                  "2017-11-14")
# 004's meter card: made after it was installed, its own zone of +06:00 (360 minutes), CT ratio 20
add_meter("44103814060174", "mir-c07", "tp-A15900009490", "individual", "electricity", "2022-02-01", "2020-01-21",
          "2022-02-01", zone="360", ratio="20", coords=False)
# one individual meter fewer than the loop made, so that the total is 55: drop the last heat meter
meters = [m for m in meters if m[0] != "15012"]
no_coords = sum(1 for m in meters if not m[13])
assert len(meters) == 55, len(meters)
assert no_coords == 11, no_coords

# ---- readings
START = dt.datetime(2020, 5, 1, 9, 5, tzinfo=MSK)
END = dt.datetime(2020, 8, 21, 9, 5, tzinfo=MSK)
days = [(START + dt.timedelta(days=k)) for k in range((END - START).days + 1)]
scale = {"electricity": (500, 1500, 100), "cold_water": (2000, 6000, 10000), "hot_water": (1000, 3000, 10000),
         "heat": (100, 500, 10000)}  # daily increment range in smallest units, units per 1
readings = []
serial_resource = {m[0]: m[4] for m in meters}
individual_daily = {"electricity": [0] * len(days), "cold_water": [0] * len(days), "hot_water": [0] * len(days),
                    "heat": [0] * len(days)}


def fmt(units, per):
    places = {100: 2, 1000: 3, 10000: 4}[per]
    return f"{units // per}.{units % per:0{places}d}"


def ts(t):
    return t.isoformat(timespec="seconds")


for m in meters:
    serial, model, role, res = m[0], m[1], m[3], m[4]
    if role == "building" or serial in ("9000100", "44103814060174"):
        continue
    lo, hi, per = scale[res]
    value = rnd.randint(100, 5000) * per + rnd.randint(0, per - 1)
    if serial == "98980009":
        value = 99990 * per  # rolls over past 99999 within the period
    if serial == "98990006":
        value = 352 * per + 2480 - 111 * 3000  # reaches 352.2480 on 20.08, then 352.2400 on 21.08
    t1 = value * 7 // 10
    for k, t in enumerate(days):
        if serial == "98970005" and t > dt.datetime(2020, 6, 26, 11, 58, tzinfo=MSK):
            break
        if serial == "98980007":
            break  # seen once only, in 2017 (below)
        row_t = t if serial != "98970005" or k < 56 else dt.datetime(2020, 6, 26, 11, 58, tzinfo=MSK)
        if k:
            inc = 0 if serial == "98990013" else rnd.randint(lo, hi)
            if serial == "98990006":
                inc = 3000
            value += inc
            individual_daily[res][k] += inc
            t1 += inc * 7 // 10
        shown = value % (100000 * per) if serial == "98980009" else value
        if serial == "98990006" and t.date() == dt.date(2020, 8, 21):
            shown = 352 * per + 2400  # the register went down by 0.008
        row = [serial, ts(row_t), fmt(shown, per), "", "", "", "", "automatic", ""]
        if model == "neva-mt114-2t":
            t2 = value - t1
            total = value + (26 * per if serial == "9000129" else 0)
            row[2:5] = [fmt(total, per), fmt(t1, per), fmt(t2, per)]
        readings.append(row)
        if serial == "98970005" and row_t.date() == dt.date(2020, 6, 26):
            break
readings.append(["98980007", "2017-10-08T16:25:00+03:00", "120.4310", "", "", "", "", "automatic", ""])

# the removed meter 9000100: monthly readings until its removal on 21.09.2019
v = 380000
for mo in range(6, 10):
    readings.append(["9000100", f"2019-{mo:02d}-21T10:50:00+03:00", fmt(v, 100), fmt(v * 7 // 10, 100),
                     fmt(v - v * 7 // 10, 100), "", "", "manual", f"2019-{mo:02d}-21T16:16:00+03:00"])
    v += 25000

# building meters: the sum of the individual meters plus losses, every day
building = {"98970000": ("electricity", 107, 100), "98970099": ("electricity", 3, 100),
            "98990000": ("cold_water", 104, 100), "98980000": ("hot_water", 105, 100),
            "15052": ("cold_water", 10, 100), "15060": ("heat", 102, 100)}
for serial, (res, pct, div) in building.items():
    lo, hi, per = scale[res]
    value = rnd.randint(10000, 90000) * per
    ratio = 20 if serial == "98970099" else 1
    for k, t in enumerate(days):
        if k:
            value += individual_daily[res][k] * pct // div // ratio
        readings.append([serial, ts(t), fmt(value, per), "", "", "", "", "automatic", ""])

# 004's МИР С-07 in zone +06:00: daily at 00:00 local, half-hourly through June 2020, two tariffs (day 07-23)
t = dt.datetime(2020, 5, 1, 0, 0, tzinfo=OMSK)
value, t1 = 1520000, 1100000  # in 0.01 kWh, before the ratio
step = dt.timedelta(minutes=30)
while t <= dt.datetime(2020, 8, 21, 0, 0, tzinfo=OMSK):
    half_hourly = dt.date(2020, 6, 1) <= t.date() <= dt.date(2020, 7, 1)
    if half_hourly or (t.hour == 0 and t.minute == 0):
        readings.append(["44103814060174", ts(t), fmt(value, 100), fmt(t1, 100), fmt(value - t1, 100), "", "",
                         "automatic", ""])
    inc = rnd.randint(1, 4) if 7 <= t.hour < 23 else rnd.randint(0, 2)
    value += inc
    if 7 <= t.hour < 23:
        t1 += inc
    t += step

readings.sort(key=lambda r: (r[0], dt.datetime.fromisoformat(r[1])))

# СПОДЭС event codes (journal 0.0.99.98.e.255, code): external impact is journal 4 (1 magnetic field begins,
# 2 ends, 3 terminal cover seal), commutation journal 2 (6 load relay switched off)
events = [
    ["98970002", "2020-07-14T02:17:00+03:00", 1, "tamper", 4, "Магнитное поле - начало / Magnetic field - the beginning"],
    ["98970002", "2020-07-14T02:41:00+03:00", 2, "other", 4, "Магнитное поле - окончание / Magnetic field - ending"],
    ["9000106", "2020-08-03T13:02:00+03:00", 3, "tamper", 4, "Срабатывание электронной пломбы крышки клеммников / Terminal cover seal"],
    ["98970004", "2020-08-10T18:30:00+03:00", 6, "relay", 2, "Выключение реле нагрузки абонентом / Load relay switched off"],
]

# relay (load) changes and communication sessions (docs/state.md)
relay_changes = [
    ["98970004", "2020-08-10T13:00:00+03:00", "off", "command", "оператор", "долг"],
    ["98970010", "2020-07-01T10:00:00+03:00", "off", "limiter", "", "превышение мощности"],
    ["98970010", "2020-07-01T10:30:00+03:00", "on", "command", "оператор", ""],
]
sessions = [
    ["98970004", "2020-08-21T09:00:00+03:00", "2020-08-21T09:00:35+03:00", "gsm", "ok", ""],
    ["98970005", "2020-06-26T11:58:00+03:00", "2020-06-26T11:58:40+03:00", "gsm", "ok", ""],
    ["98970005", "2020-08-21T09:00:00+03:00", "2020-08-21T09:01:00+03:00", "gsm", "no_answer", "нет ответа"],
    ["98990004", "2020-08-21T08:10:00+03:00", "2020-08-21T08:10:20+03:00", "lorawan", "ok", ""],
    ["98990004", "2020-08-21T09:00:00+03:00", "2020-08-21T09:01:00+03:00", "lorawan", "no_answer", "нет ответа"],
]

# stored tariffs (docs/tariffs.md): the ФСТ 1473-э presets, the meter's local time, every day of the year
def schedule(sid, name, zones, groups, register_zones, changes):
    s = {"id": sid, "name": name, "zones": zones}
    if groups:
        s["groups"] = groups
    s["register_zones"] = register_zones
    s["versions"] = [{"seasons": [{"name": "year", "start": "01-01", "week": "all"}],
                      "weeks": [{"id": "all", "days": ["d"] * 7}],
                      "days": [{"id": "d", "changes": [{"at": a, "zone": z} for a, z in changes]}]}]
    return s


schedules = [
    schedule("fst1473-two-zone", "Двухзонный (ФСТ 1473-э)", ["day", "night"], None, ["day", "night"],
             [("00:00", "night"), ("07:00", "day"), ("23:00", "night")]),
    schedule("fst1473-three-zone", "Трёхзонный (ФСТ 1473-э)", ["peak", "semi-peak", "night"],
             {"day": ["peak", "semi-peak"]}, ["peak", "night", "semi-peak"],
             [("00:00", "night"), ("07:00", "peak"), ("10:00", "semi-peak"), ("17:00", "peak"),
              ("21:00", "semi-peak"), ("23:00", "night")]),
]
# the schedules price electricity (kWh): assigned for it only, so that no water meter is billed by them
assignments = [["organization", ORG, "electricity", "2019-01-01", "fst1473-two-zone"],
               ["meter", "98970099", "electricity", "2020-01-01", "fst1473-three-zone"]]
SUPPLIER = "ПАО «ТНС энерго Ростов-на-Дону»"  # illustrative prices, roubles per kWh
rates = [["fst1473-two-zone", "organization", ORG, "day", "2019-01-01", "5.93", SUPPLIER],
         ["fst1473-two-zone", "organization", ORG, "night", "2019-01-01", "3.26", SUPPLIER],
         ["fst1473-two-zone", "organization", ORG, "day", "2020-07-01", "6.17", SUPPLIER],
         ["fst1473-two-zone", "organization", ORG, "night", "2020-07-01", "3.39", SUPPLIER],
         ["fst1473-three-zone", "meter", "98970099", "peak", "2020-01-01", "7.12", SUPPLIER],
         ["fst1473-three-zone", "meter", "98970099", "semi-peak", "2020-01-01", "6.17", SUPPLIER],
         ["fst1473-three-zone", "meter", "98970099", "night", "2020-01-01", "3.39", SUPPLIER]]
# per person and month (illustrative values)
normatives = [[ORG, "electricity", "Газовая плита", "2020-01-01", "110", "per_person"],
              [ORG, "electricity", "Газовая плита", "2020-07-01", "115", "per_person"],
              [ORG, "electricity", "Электроплита", "2020-01-01", "140", "per_person"],
              [ORG, "cold_water", "", "2020-01-01", "4.9", "per_person"],
              [ORG, "hot_water", "", "2020-01-01", "3.6", "per_person"]]

os.makedirs(OUT, exist_ok=True)
write("organizations.csv", ["id", "name", "kind", "inn", "kpp", "ogrn", "legal_address", "actual_address", "zone",
                            "billing_start_day"], organizations)
write("abonents.csv", ["id", "organization", "kind", "name", "phone", "email", "registered"], abonents)
write("accounts.csv", ["number", "abonent", "address", "building", "building_type", "apartment", "area",
                       "contract_start", "contract_end", "residents"], accounts)
write("metering_points.csv", ["code", "account", "name", "place", "place_type", "amenities"], points)
write("meter_models.csv", ["id", "name", "execution", "manufacturer", "registry_number", "resource",
                           "verification_interval_years", "service_life_years", "accuracy_class", "phases",
                           "connection_type", "nominal_voltage", "nominal_current", "max_current", "meter_constant",
                           "register_digits", "tariff_registers"], models)
write("meters.csv", ["serial", "model", "point", "role", "resource", "zone", "transformer_ratio", "register_digits",
                     "tariff_registers", "manufactured", "installed", "removed", "last_verification", "latitude",
                     "longitude"], meters)
write("readings.csv", ["meter", "timestamp", "total", "t1", "t2", "t3", "t4", "source", "accepted"], readings)
write("events.csv", ["meter", "timestamp", "code", "kind", "journal", "message"], events)
write("relay_changes.csv", ["meter", "timestamp", "position", "reason", "by", "note"], relay_changes)
write("sessions.csv", ["meter", "start", "end", "channel", "result", "note"], sessions)
with open(os.path.join(OUT, "tariff_schedules.json"), "w", encoding="utf-8") as f:
    json.dump(schedules, f, ensure_ascii=False, indent=1)
    f.write("\n")
write("tariff_assignments.csv", ["scope", "target", "resource", "from", "schedule"], assignments)
write("tariff_rates.csv", ["schedule", "scope", "target", "zone", "from", "price", "supplier"], rates)
write("normatives.csv", ["organization", "resource", "amenities", "from", "value", "basis"], normatives)
print(f"{len(abonents)} abonents, {len(meters)} meters ({no_coords} without coordinates), {len(readings)} readings")
