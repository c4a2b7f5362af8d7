"""kvant.decode, kvant.Decoder, kvant.decode_frames and Store.ingest on a wired M-Bus frame written out by hand
(values worked out from EN 13757-3 below), bad frames as results, the kvant tool's JSON for the same frames,
and the first frame of the libmbus corpus when ../shared/corpus is there."""

import json
import math
import os
import pathlib
import subprocess

import pandas as pd
import pytest

import kvant

# A wired M-Bus long frame (EN 13757-2 §5, EN 13757-3), 49 bytes:
#   68 2B 2B 68        start, L = 43 (C through the last record), L, start
#   08 05 72           C RSP_UD, A 5, CI 0x72 (long header)
#   78 56 34 12        id 12345678 (BCD, least significant byte first)
#   2D 2C              manufacturer 0x2C2D = (11 << 10) | (1 << 5) | 13: "KAM"
#   01 07 55 00 00 00  version 1, medium 7 (water), access number 0x55 = 85, status 0, signature 0
#   04 13 D2 04 00 00  32-bit integer, volume 10^-3 m3: 1234 -> 1.234 m3
#   0A 66 34 F2        4-digit BCD, external temperature 10^-1 C: digits F234, top nibble F negative -> -23.4
#   01 FD 17 05        8-bit integer, error flags (0xFD 0x17): 5
#   42 6C 7F 2C        16-bit, storage 1, date type G 0x2C7F: day 31, month 12, year 2 << 3 | 3 = 19: 2019-12-31
#   84 10 06 40 E2 01 00  32-bit, DIFE 10: tariff 1; energy 10^3 Wh: 123456 -> 123456000 Wh
#   01 3B FF           8-bit integer, signed: -1; volume flow 10^-3 m3/h -> -0.001
#   37 16              checksum (sum of C..FF mod 256), stop
LONG = ("68 2B 2B 68 08 05 72 78 56 34 12 2D 2C 01 07 55 00 00 00 04 13 D2 04 00 00 0A 66 34 F2 01 FD 17 05 "
        "42 6C 7F 2C 84 10 06 40 E2 01 00 01 3B FF 37 16")
LONG_BYTES = bytes.fromhex(LONG)
# The same frame from meter 87654321: id bytes 21 43 65 87; the checksum grows by (0x21 + 0x43 + 0x65 + 0x87) -
# (0x78 + 0x56 + 0x34 + 0x12) = 0x150 - 0x114 = 0x3C: 0x37 + 0x3C = 0x73.
OTHER = bytes.fromhex("68 2B 2B 68 08 05 72 21 43 65 87 2D 2C 01 07 55 00 00 00 04 13 D2 04 00 00 0A 66 34 F2 01 FD 17 "
                      "05 42 6C 7F 2C 84 10 06 40 E2 01 00 01 3B FF 73 16")
assert OTHER[-2] == sum(OTHER[4:-2]) % 256 and LONG_BYTES[-2] == sum(LONG_BYTES[4:-2]) % 256

CORPUS = pathlib.Path(os.environ.get("KVANT_CORPUS_DIR", pathlib.Path(__file__).resolve().parents[3].parent / "shared"
                                    / "corpus")) / "mbus" / "libmbus_frames.jsonl"


def values(frame):
    return [(r["quantity"], r["unit"], r["value"], r["function"], r["storage"], r["tariff"], r["subunit"])
            for r in frame["records"]]


def test_decode_long_frame():
    f = kvant.decode(LONG_BYTES)
    assert f["ok"] is True
    assert f["protocol"] == "mbus"
    assert f["manufacturer"] == "KAM" and f["id"] == "12345678"
    assert f["version"] == 1 and f["medium"] == "water" and f["access_number"] == 85 and f["status"] == 0
    assert f["address"] == "mbus:KAM-12345678-01-07"
    assert values(f) == [
        ("volume", "m3", "1.234", "instantaneous", 0, 0, 0),
        ("external_temperature", "C", "-23.4", "instantaneous", 0, 0, 0),
        ("error_flags", "", "5", "instantaneous", 0, 0, 0),
        ("time_point", "", "2019-12-31", "instantaneous", 1, 0, 0),
        ("energy", "Wh", "123456000", "instantaneous", 0, 1, 0),
        ("volume_flow", "m3/h", "-0.001", "instantaneous", 0, 0, 0),
    ]
    assert f["records"][0]["raw"].upper().replace(" ", "") == "0413D2040000"
    # hex text with spaces, bytearray and memoryview are the same frame
    assert kvant.decode(LONG) == f
    assert kvant.decode(bytearray(LONG_BYTES)) == f
    assert kvant.decode(memoryview(LONG_BYTES)) == f


def test_bad_frames_are_results():
    bad = bytearray(LONG_BYTES)
    bad[47] = 0x38  # the checksum one more than the sum
    f = kvant.decode(bytes(bad))
    assert f["ok"] is False
    assert f["error"]["offset"] == 47
    assert f["error"]["status"] == "checksum"
    assert f["error"]["message"]
    bad = bytearray(LONG_BYTES)
    bad[48] = 0x15  # not the stop byte
    f = kvant.decode(bytes(bad))
    assert (f["ok"], f["error"]["status"], f["error"]["offset"]) == (False, "malformed", 48)
    for n in range(len(LONG_BYTES)):
        f = kvant.decode(LONG_BYTES[:n])
        assert f["ok"] is False and 0 <= f["error"]["offset"] <= n, n


def test_same_json_as_the_tool(cli, tmp_path):
    bad = bytearray(LONG_BYTES)
    bad[47] = 0x38
    lines = [LONG, OTHER.hex(), bytes(bad).hex(), "E5"]
    (tmp_path / "frames.hex").write_text("# frames\n" + "\n".join(lines) + "\n")
    out = subprocess.run([cli, "decode", "--protocol", "mbus", str(tmp_path / "frames.hex")], check=True,
                         capture_output=True, text=True).stdout.splitlines()
    assert len(out) == len(lines)
    d = kvant.Decoder("mbus")
    for n, (line, text) in enumerate(zip(lines, out)):
        tool = json.loads(text)
        assert tool.pop("line") == n + 2  # the tool names the input line (the file's first is a comment)
        assert d.decode(line) == tool


def test_decoder_reuses_its_frame():
    d = kvant.Decoder()
    assert d.protocol == "mbus"
    first = d.decode(LONG_BYTES)
    second = d.decode(OTHER)
    assert first["id"] == "12345678" and second["id"] == "87654321"
    assert values(first) == values(second)
    assert d.decode(b"\xe5")["records"] == []


def test_decode_frames():
    bad = bytearray(LONG_BYTES)
    bad[47] = 0x38
    df = kvant.decode_frames([LONG_BYTES, bytes(bad), OTHER.hex(), b"\xe5"])
    assert list(df.columns) == ["frame", "manufacturer", "id", "quantity", "unit", "value", "value_float",
                                "function", "storage", "tariff", "subunit", "obis", "name", "class_id", "attribute",
                                "scaler", "raw"]
    assert len(df) == 12
    # M-Bus records have none of the COSEM fields
    assert df["obis"].isna().all() and df["scaler"].isna().all() and (df["class_id"] == 0).all()
    assert df["frame"].tolist() == [0] * 6 + [2] * 6
    assert df["id"].tolist() == ["12345678"] * 6 + ["87654321"] * 6
    assert df["manufacturer"].unique().tolist() == ["KAM"]
    assert df["value"].tolist()[:6] == ["1.234", "-23.4", "5", "2019-12-31", "123456000", "-0.001"]
    assert df["value_float"].iloc[1] == -23.4 and df["value_float"].iloc[5] == -0.001
    assert math.isnan(df["value_float"].iloc[3])  # a date has no float
    assert df["tariff"].tolist()[:6] == [0, 0, 0, 0, 1, 0]
    assert df["storage"].tolist()[:6] == [0, 0, 0, 1, 0, 0]
    assert df["storage"].dtype == "int64"
    errors = df.attrs["errors"]
    assert [(e["frame"], e["status"], e["offset"]) for e in errors] == [(1, "checksum", 47)]
    with pytest.raises(kvant.DecodeError, match="frame 1: checksum"):
        kvant.decode_frames([LONG_BYTES, bytes(bad)], errors="raise")
    empty = kvant.decode_frames([])
    assert len(empty) == 0 and "value" in empty.columns


def test_argument_errors():
    with pytest.raises(kvant.ConfigError, match="modbus"):
        kvant.decode(LONG_BYTES, protocol="modbus")
    with pytest.raises(kvant.ParseError):
        kvant.decode("68 2B ZZ")
    with pytest.raises(kvant.ParseError):
        kvant.decode(LONG_BYTES, crc="sometimes")
    with pytest.raises(kvant.ParseError) as e:
        kvant.decode(LONG_BYTES, protocol="wmbus", keys={"12345678": "DEADBEEF"})
    assert "DEADBEEF" not in str(e.value)
    d = kvant.Decoder("wmbus", keys={"12345678": bytes(range(16))}, crc="absent")
    d.add_key("mbus:KAM-87654321-01-07", "00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F")
    with pytest.raises(kvant.ParseError):
        d.add_key("87654321", "C0FFEE")
    with pytest.raises((kvant.ConfigError, TypeError)):
        kvant.decode(12345)


def test_store_ingest(tmp_path):
    with kvant.Store(":memory:") as db:
        db.put("organization", {"id": "org", "name": "Org", "zone": "Europe/Moscow"})
        db.put("meter", {"serial": "W1", "organization": "org", "resource": "cold_water",
                         "address": "mbus:KAM-12345678"})
        bad = bytearray(LONG_BYTES)
        bad[47] = 0x38
        text = f"# two frames of W1, one of an unknown meter, one that does not decode\n{LONG}\n" \
               f"{OTHER.hex()}\n{bytes(bad).hex()}\n"
        r = db.ingest(text, protocol="mbus", at="2024-03-01T12:00:00Z")
        assert r["frames"] == 3 and r["decoded"] == 2
        assert r["readings_written"] > 0
        assert [(x["line"], x["status"], x["offset"]) for x in r["rejected"]] == [(4, "checksum", 47)]
        assert [(x["line"], x["address"]) for x in r["unmatched"]] == [(3, "mbus:KAM-87654321-01-07")]
        assert r["unmatched"][0]["hex"].replace(" ", "").upper() == OTHER.hex().upper()
        stored = db.readings(meters=["W1"])
        assert len(stored) == r["readings_written"]
        rows = [(stored.channels[c], int(t), int(v))
                for c, t, v in zip(stored.channel_index, stored.times, stored.values)]
        # the volume record: 1.234 m3 (1234000 millionths) at the frame's arrival (it has no time of its own)
        assert ("volume", 1709294400, 1234000) in rows, rows
        # again: the same readings are unchanged, nothing new
        again = db.ingest([LONG_BYTES], at=1709294400)
        assert again["readings_written"] == 0 and again["readings_unchanged"] == r["readings_written"]
        with pytest.raises(kvant.ParseError, match="frames:2: byte 1"):
            db.ingest("E5\nnot hex\n")


# OMS Vol. 2 Annex N, security profile A (mode 5): format A with its CRCs, 2E 44 9315 (ELS) 78563412 (id
# 12345678) 33 03 (version 0x33, gas) | 7A 2A (access number 42) 00 2025 (configuration 0x2520: mode 5, 2 blocks),
# 32 encrypted bytes; key 0102030405060708090A0B0C0D0E0F11. Decrypted: 2F2F, 0C14 27048502 (8-digit BCD,
# 10^-2 m3: 28504.27 m3, the value the OMS example gives), 046D 32371F15 (type F: 2008-05-31 23:50), 02FD17 0000
# (error flags 0), idle fillers.
OMS_MODE5 = ("2E44931578563412330333637A2A0020255923C95AAA26D1B2E7493BC2AD013EC4A6F6D3529B520EDFF0EA6DEFC955B29D6D"
             "69EBF3EC8A")
OMS_KEY = "0102030405060708090A0B0C0D0E0F11"


def test_wireless_keys():
    f = kvant.decode(OMS_MODE5, protocol="wmbus", keys={"12345678": OMS_KEY})
    assert f["ok"] is True and f["address"] == "mbus:ELS-12345678-33-03"
    assert (f["version"], f["access_number"]) == (0x33, 42)
    assert [(r["quantity"], r["unit"], r["value"]) for r in f["records"]] == [
        ("volume", "m3", "28504.27"), ("time_point", "", "2008-05-31T23:50"), ("error_flags", "", "0")]
    # a key for the full address, as bytes, in a keys text, or added later: the same frame
    assert kvant.decode(OMS_MODE5, "wmbus", keys={"mbus:ELS-12345678-33-03": bytes.fromhex(OMS_KEY)}) == f
    assert kvant.decode(OMS_MODE5, "wmbus", keys=f"# keys\n12345678={OMS_KEY}\n") == f
    d = kvant.Decoder("wmbus")
    assert d.decode(OMS_MODE5)["error"]["status"] == "key_missing"
    d.add_key("12345678", OMS_KEY)
    assert d.decode(OMS_MODE5) == f
    # a wrong key is told apart from a missing one, and from a corrupt frame; the message never holds the key
    wrong = kvant.decode(OMS_MODE5, "wmbus", keys={"12345678": OMS_KEY[:-1] + "2"})
    assert wrong["ok"] is False and wrong["error"]["status"] == "key_wrong"
    assert OMS_KEY[:-1] not in wrong["error"]["message"]
    df = kvant.decode_frames([OMS_MODE5, OMS_MODE5], protocol="wmbus", keys={"12345678": OMS_KEY})
    assert df["value"].tolist() == ["28504.27", "2008-05-31T23:50", "0"] * 2
    assert df["frame"].tolist() == [0, 0, 0, 1, 1, 1]


@pytest.mark.skipif(not CORPUS.exists(), reason=f"the M-Bus corpus is not there ({CORPUS})")
def test_corpus_first_frame():
    first = json.loads(CORPUS.read_text().splitlines()[0])
    assert first["source"] == "libmbus:test/test-frames/ACW_Itron-BM-plus-m.hex"
    f = kvant.decode(first["hex"])
    exp = first["expected"]
    assert f["ok"] is True, first["source"]
    assert (f["manufacturer"], f["id"], f["version"], f["access_number"]) == \
        (exp["manufacturer"], exp["id"], exp["version"], exp["access_number"]), first["source"]
    assert len(f["records"]) == len(exp["records"]), first["source"]
    assert f["records"][1]["value"] == "54.321", first["source"]  # libmbus: Volume 54.321000 m^3
    df = kvant.decode_frames([json.loads(l)["hex"] for l in CORPUS.read_text().splitlines() if l.strip()])
    assert df["frame"].nunique() + len(df.attrs["errors"]) <= 86


def _iec_block(body):
    """An IEC 62056-21 data message: STX, the body (ending in ETX), and the XOR block check of the bytes after
    STX up to and including ETX."""
    bcc = 0
    for b in body:
        bcc ^= b
    return b"\x02" + body + bytes([bcc])


def test_iec_readout():
    msg = _iec_block(b"C.1.0(009218054)\r\n1.8.1(012345.67*kWh)\r\n1.8.2(ERROR)\r\n!\r\n\x03")
    f = kvant.decode(msg, "iec62056-21", dialect="standard")
    assert f["ok"] is True and f["address"] == "iec:009218054" and f["bcc"] == "standard"
    r = f["records"][1]
    assert (r["name"], r["obis"], r["value"], r["unit"], r["scaler"]) == ("1.8.1", "1.8.1", "12345.67", "kWh", None)
    assert f["records"][2]["value"] is None and f["records"][2]["error"] == "ERROR"
    # the same bytes under Energomera's additive check fail at the block check's offset
    bad = kvant.decode(msg, "iec62056-21", dialect="energomera")
    assert bad["ok"] is False and bad["error"]["status"] == "checksum" and bad["error"]["offset"] == len(msg) - 1
    df = kvant.decode_frames([msg], protocol="iec62056-21")
    assert df["obis"].tolist()[:2] == ["96.1.0", "1.8.1"] and df["name"].tolist()[1] == "1.8.1"
    with pytest.raises(kvant.ParseError):
        kvant.Decoder("iec62056-21", dialect="xor7")


def test_dlms_register_in_a_session():
    # Get-Request of 1-0:1.8.0*255 (class 3) attribute 3, its answer {scaler -2, unit 30 Wh}; then attribute 2
    # and its answer 123456 -> 1234.56 Wh. One decoder is one conversation.
    req3 = "C001C1 0003 0100010800FF 03 00"
    rsp3 = "C401C100 0202 0FFE 161E"
    req2 = "C001C1 0003 0100010800FF 02 00"
    rsp2 = "C401C100 060001E240"
    d = kvant.Decoder("dlms")
    for x in (req3, rsp3, req2):
        assert d.decode(x)["ok"] is True
    r = d.decode(rsp2)["records"][0]
    assert (r["obis"], r["class_id"], r["attribute"], r["value"], r["unit"], r["scaler"]) == \
        ("1-0:1.8.0*255", 3, 2, "1234.56", "Wh", -2)
    df = kvant.Decoder("dlms").decode_frames([req3, rsp3, req2, rsp2])
    row = df.iloc[-1]
    assert (row["obis"], row["class_id"], row["value"], row["scaler"]) == ("1-0:1.8.0*255", 3, "1234.56", -2)
    # without the scaler_unit the value is the raw integer and no scaler is claimed
    alone = kvant.Decoder("dlms")
    alone.decode(req2)
    r = alone.decode(rsp2)["records"][0]
    assert (r["value"], r["scaler"]) == ("123456", None)
