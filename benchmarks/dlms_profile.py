#!/usr/bin/python3
"""Writes a DLMS/COSEM conversation reading a month of 30-minute load profile (СПОДЭС 1.0.99.1.0.255: 48 × 30
captures, thirty days, one buffer after the other from 2025-01-01) for MONTHS months, as hex APDU lines (one a line, in order), and what decoding and mapping it must give.

The conversation: Get-Requests and their Get-Responses for the profile's capture_objects (attribute 3), its
capture_period (attribute 4) and each captured register's scaler_unit (attribute 3), then, a month at a time,
the buffer (attribute 2): 48 × 30 = 1,440 captures of clock + A+, A−, R+, R− (double-long-unsigned, Wh and
varh, scaler 0). Every odd month's buffer comes as a Get-Response-With-Datablock in blocks of BLOCK bytes with
the client's Get-Request-Next between them; the even months' as one Get-Response-Normal.

The data is not easy on purpose: months alternate a clock with deviation −180 (Moscow) and one whose deviation
is "not specified" (0x8000: the meter's zone applies); every month but the compressed ones has a three-hour gap
(a power cut: 6 captures missing); every fourth month is compressed as СПОДЭС meters send it (only each day's
first capture has a clock, the others null-data: previous + capture period); values are random in 0..99,999
with a 0 and the largest double-long-unsigned (4,294,967,295) in every month.

usage: dlms_profile.py MONTHS OUT_HEX OUT_EXPECT [--block BYTES] [--seed S]
OUT_EXPECT gets `readings N`, `sum M` (the sum of all mapped values in millionths of kWh/kvarh) and
`captures C`.
"""
import argparse
import datetime
import random
import struct

ap = argparse.ArgumentParser()
ap.add_argument("months", type=int)
ap.add_argument("out_hex")
ap.add_argument("out_expect")
ap.add_argument("--block", type=int, default=1024)
ap.add_argument("--seed", type=int, default=20261124)
a = ap.parse_args()
if a.months <= 0 or a.block <= 0:
    raise SystemExit("MONTHS and --block must be positive")
rng = random.Random(a.seed)

PROFILE = bytes([1, 0, 99, 1, 0, 255])
CLOCK = bytes([0, 0, 1, 0, 0, 255])
REGS = [bytes([1, 0, c, 29, 0, 255]) for c in (1, 2, 3, 4)]  # A+, A-, R+, R- interval values
UNITS = [30, 30, 32, 32]  # Wh, Wh, varh, varh


def length(n):
    """A-XDR variable length."""
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def octets(b):
    return b"\x09" + length(len(b)) + b


def get_request(invoke, class_id, ln, attr):
    # C0 get-request, 01 normal, invoke-id-and-priority, class (2), logical name (6), attribute (1), no access
    return bytes([0xC0, 0x01, invoke]) + struct.pack(">H", class_id) + ln + bytes([attr, 0x00])


def get_response(invoke, data):
    # C4 get-response, 01 normal, invoke-id-and-priority, 00 result: data
    return bytes([0xC4, 0x01, invoke, 0x00]) + data


def capture_object(class_id, ln, attr):
    return b"\x02\x04" + b"\x12" + struct.pack(">H", class_id) + octets(ln) + b"\x0f" + bytes([attr]) + b"\x12\x00\x00"


def date_time(t, deviation):
    # year (2), month, day, day of week (1 Monday), hour, minute, second, hundredths, deviation (2), status
    dev = 0x8000 if deviation is None else deviation & 0xFFFF
    return octets(struct.pack(">HBBBBBBBHB", t.year, t.month, t.day, t.isoweekday(), t.hour, t.minute, 0, 0,
                              dev, 0))


lines = []
invoke = 0xC1  # invoke id 1, priority high, service class confirmed


def exchange(request, response):
    lines.append(request.hex().upper())
    lines.append(response.hex().upper())


exchange(get_request(invoke, 7, PROFILE, 3),
         get_response(invoke, b"\x01" + length(5) + capture_object(8, CLOCK, 2) +
                      b"".join(capture_object(3, r, 2) for r in REGS)))
exchange(get_request(invoke, 7, PROFILE, 4), get_response(invoke, b"\x06" + struct.pack(">I", 1800)))
for r, u in zip(REGS, UNITS):
    exchange(get_request(invoke, 3, r, 3), get_response(invoke, b"\x02\x02\x0f\x00\x16" + bytes([u])))

moscow = datetime.timedelta(hours=3)
readings = 0
total = 0  # millionths
captures = 0
first = datetime.datetime(2025, 1, 1, 0, 30)
for m in range(a.months):
    compressed = m % 4 == 3
    deviation = -180 if m % 2 == 0 else None
    start = first + datetime.timedelta(days=30 * m)
    rows = []
    for k in range(48 * 30):
        if not compressed and 100 <= k < 106:
            continue  # the power cut: no captures
        t = start + datetime.timedelta(minutes=30 * k)
        values = [rng.randrange(100000) for _ in REGS]
        if k == 7:
            values[0] = 0
        if k == 8:
            values[0] = 0xFFFFFFFF
        clock = b"\x00" if compressed and k % 48 != 0 else date_time(t, deviation)
        rows.append(b"\x02\x05" + clock + b"".join(b"\x06" + struct.pack(">I", v) for v in values))
        readings += len(values)
        total += sum(values) * 1000  # Wh → kWh (varh → kvarh) in millionths
        captures += 1
    data = b"\x01" + length(len(rows)) + b"".join(rows)
    request = get_request(invoke, 7, PROFILE, 2)
    if m % 2 == 0:
        exchange(request, get_response(invoke, data))
    else:
        lines.append(request.hex().upper())
        blocks = [data[i:i + a.block] for i in range(0, len(data), a.block)]
        for n, b in enumerate(blocks, 1):
            last = 1 if n == len(blocks) else 0
            # C4 02 with-datablock: last-block, block-number (4), 00 raw-data, its length, the bytes
            lines.append((bytes([0xC4, 0x02, invoke, last]) + struct.pack(">I", n) + b"\x00" + length(len(b)) +
                          b).hex().upper())
            if not last:
                # C0 02 get-request-next: the block number received
                lines.append((bytes([0xC0, 0x02, invoke]) + struct.pack(">I", n)).hex().upper())

with open(a.out_hex, "w") as f:
    f.write("\n".join(lines) + "\n")
with open(a.out_expect, "w") as f:
    f.write(f"readings {readings}\nsum {total}\ncaptures {captures}\n")
