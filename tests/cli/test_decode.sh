#!/usr/bin/env bash
# End-to-end tests of kvant decode and kvant ingest (docs/ingest.md) on wired M-Bus frames written out byte by
# byte below, and, when ../shared/corpus is there, on the corpus frames. usage: test_decode.sh KVANT [CORPUS_DIR]
set -u
kvant=$(realpath "$1")
corpus=${2:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
passed=0
failed=0

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAILED: $*"; }
expect() {  # expect CODE DESCRIPTION -- COMMAND...; output in out, err
  local code=$1 what=$2
  shift 3
  "$@" >out 2>err
  local got=$?
  if [ "$got" -eq "$code" ]; then ok; else bad "$what: exit $got, expected $code"; cat err; fi
}
contains() {  # contains FILE TEXT DESCRIPTION
  if grep -qF -- "$2" "$1"; then ok; else bad "$3: '$2' not in $1"; sed 's/^/  | /' "$1" | head -20; fi
}
absent() {  # absent FILE TEXT DESCRIPTION
  if grep -qF -- "$2" "$1"; then bad "$3: '$2' in $1"; sed 's/^/  | /' "$1" | head -20; else ok; fi
}
line_of() { sed -n "$2p" "$1" >line; }  # line_of FILE N: that line into ./line
lines_ok() {  # lines_ok FILE COUNT DESCRIPTION
  local n
  n=$(wc -l <"$1")
  if [ "$n" -eq "$2" ]; then ok; else bad "$3: $n lines, expected $2"; sed 's/^/  | /' "$1" | head -20; fi
}

# Wired M-Bus long frames (68 L L 68 C A CI ... CS 16), RSP_UD (C 08) from primary address 1, CI 72, long header:
# id 78 03 49 11 = 11490378, manufacturer 77 04 = "ACW", version 0E, medium 07 (water), access, status, 00 00.
# A: access 2A, status 00; 0C 13 45 23 01 00 = volume 12.345 m3 (BCD 8, VIF 13 = 10^-3 m3); 04 6D 1E 0C 1F 31 =
#    2024-01-31 12:30 (type F); 42 6C E1 2C = storage 1 date 2023-12-01 (type G); 4C 13 00 00 01 00 = storage 1
#    volume 10.000 m3. L = 0x25, CS = 0x98.
# B: access 2B, status 04 (power low); 0C 13 46 23 01 00 = 12.346 m3; no time point. L = 0x15, CS = 0x98.
# C: A's first record from meter ACW 12345678 (78 56 34 12), access 01. CS = 0xA8.
# D: B with its checksum 98 changed to 99.
cat >frames.hex <<'EOF'
# four frames
68 25 25 68 08 01 72 78 03 49 11 77 04 0E 07 2A 00 00 00 0C 13 45 23 01 00 04 6D 1E 0C 1F 31 42 6C E1 2C 4C 13 00 00 01 00 98 16
68151568080172780349117704 0E072B0400000C1346230100 9816   # B, spaces anywhere between pairs
68 15 15 68 08 01 72 78 56 34 12 77 04 0E 07 01 00 00 00 0C 13 45 23 01 00 A8 16
68 15 15 68 08 01 72 78 03 49 11 77 04 0E 07 2B 04 00 00 0C 13 46 23 01 00 99 16
EOF
{ cat frames.hex; echo "68 15 1"; echo "zz"; } >with_bad_lines.hex

# ---- decode
expect 0 "decode --help" -- "$kvant" decode --help
contains out "usage: kvant decode --protocol P" "decode usage"
contains out "[--key ID=HEX]..." "decode: --key is repeatable"
expect 0 "ingest --help" -- "$kvant" ingest --help
contains out "usage: kvant ingest --db DB --protocol P" "ingest usage"
expect 2 "decode without --protocol" -- "$kvant" decode frames.hex
expect 2 "decode, two files" -- "$kvant" decode --protocol mbus frames.hex frames.hex
contains err "unexpected argument 'frames.hex'" "a second file is a stray argument"
expect 2 "decode, a bad key" -- "$kvant" decode --protocol wmbus --key 12345678=00112233 frames.hex
contains err "--key" "a bad key names the option"
absent err "00112233" "a bad key's digits are never echoed"

expect 0 "decode frames (bad lines are results)" -- "$kvant" decode --protocol mbus with_bad_lines.hex
lines_ok out 6 "one JSON line a frame line, comments skipped"
line_of out 1
contains line '"line":2,"ok":true,"protocol":"mbus","address":"mbus:ACW-11490378-0E-07"' "A: header"
contains line '"manufacturer":"ACW","id":"11490378","version":14' "A: identity"
contains line '"access_number":42,"status":0' "A: access number and status"
contains line '{"quantity":"volume","unit":"m3","value":"12.345","function":"instantaneous","storage":0,"tariff":0,"subunit":0,"raw":"0C1345230100"}' "A: first record"
contains line '"value":"2024-01-31T12:30"' "A: type F time point as the meter wrote it"
contains line '"value":"2023-12-01"' "A: type G date"
contains line '"value":"10","function":"instantaneous","storage":1' "A: the historic volume"
contains line '"readings":[],"events":[]' "no --db: no readings"
line_of out 2
contains line '"line":3,"ok":true' "B decodes (spaces anywhere between pairs, comment after)"
contains line '"status":4' "B: status byte"
line_of out 4
contains line '"line":5,"ok":false,"error":{"status":"checksum"' "D: checksum error"
line_of out 5
contains line '"line":6,"ok":false,"error":{"status":"not_hex","offset":' "an odd digit"
line_of out 6
contains line '"line":7,"ok":false,"error":{"status":"not_hex","offset":0,' "not hex"
# stdin
expect 0 "decode from stdin" -- bash -c "\"$kvant\" decode --protocol mbus - <frames.hex"
lines_ok out 4 "stdin: four frames"

# ---- a database with meter W1 at ACW 11490378 (any version and medium), in Moscow time
cat >meters.csv <<'EOF'
serial,resource,zone,address
W1,cold_water,Europe/Moscow,mbus:ACW-11490378
E1,electricity,UTC,
EOF
expect 0 "import meters with addresses" -- "$kvant" import --db m.db --meters meters.csv
cat >bad_meters.csv <<'EOF'
serial,address
W9,mbus:ACW-1149
EOF
expect 1 "a bad address is refused" -- "$kvant" import --db m.db --meters bad_meters.csv
contains err "address" "the bad address's field is named"

expect 0 "decode with --db gives readings and events" -- "$kvant" decode --protocol mbus --db m.db --at 2024-02-01T00:00:00Z frames.hex
line_of out 1
# 12:30 MSK = 09:30 UTC; the storage 1 date 2023-12-01 00:00 MSK = 2023-11-30T21:00:00Z
contains line '"readings":[{"channel":"volume","time":"2024-01-31T09:30:00Z","value":"12.345"},{"channel":"volume","time":"2023-11-30T21:00:00Z","value":"10"}]' "A: readings at the meter's times"
line_of out 2
contains line '{"channel":"volume","time":"2024-02-01T00:00:00Z","value":"12.346"}' "B: no time point: --at"
contains line '"events":[{"time":"2024-02-01T00:00:00Z","code":1004,"kind":"power"' "B: power low event"
line_of out 3
contains line '"readings":[]' "C: unknown meter, no readings"

# ---- ingest
expect 1 "ingest refuses a file with a line that is not hex" -- "$kvant" ingest --db m.db --protocol mbus --at 2024-02-01T00:00:00Z with_bad_lines.hex
contains err "with_bad_lines.hex:6: byte 7: a lone hex digit" "the first bad line is named"
expect 0 "ingest" -- "$kvant" ingest --db m.db --protocol mbus --at 2024-02-01T00:00:00Z --unmatched unmatched.hex frames.hex
contains out "frames 4: 3 decoded, 1 rejected, 1 unmatched" "ingest counts"
contains out "readings 3 written, 0 unchanged; events 1 written; records skipped 0" "ingest writes"
contains out "rejected: frames.hex:5: checksum:" "the rejected frame with its line"
contains out "unmatched: frames.hex:4: mbus:ACW-12345678-0E-07: no meter has this address" "the unmatched frame"
contains unmatched.hex "681515680801727856341277040E07010000000C1345230100A816  # line 4" "unmatched frames kept as hex"
expect 0 "export readings" -- "$kvant" export --db m.db --table readings
contains out "W1,2024-01-31T09:30:00Z,volume,12.345" "stored: A now"
contains out "W1,2023-11-30T21:00:00Z,volume,10" "stored: A storage 1"
contains out "W1,2024-02-01T00:00:00Z,volume,12.346" "stored: B"
expect 0 "export events" -- "$kvant" export --db m.db --table events
contains out "W1,2024-02-01T00:00:00Z,1004,power" "stored: B's event"
expect 0 "ingest again" -- "$kvant" ingest --db m.db --protocol mbus --at 2024-02-01T00:00:00Z frames.hex
contains out "readings 0 written, 3 unchanged; events 0 written" "the same frames change nothing"
# the unmatched frame once its meter is registered
cat >more_meters.csv <<'EOF'
serial,resource,zone,address
W2,cold_water,UTC,mbus:ACW-12345678-0E-07
EOF
expect 0 "register the unknown meter" -- "$kvant" import --db m.db --meters more_meters.csv
expect 0 "ingest the unmatched frames" -- "$kvant" ingest --db m.db --protocol mbus --at 2024-02-02T00:00:00Z unmatched.hex
contains out "frames 1: 1 decoded, 0 rejected, 0 unmatched" "the kept frame decodes"
contains out "readings 1 written" "and is stored"
# a conflict stores nothing: B at another --at would be new, but A's volume changed at its own time conflicts
# A with its volume BCD 45 23 01 00 changed to 99 23 01 00 (12.399 m3 at A's own time): CS 0x98 + 0x54 = 0xEC
cat >conflict.hex <<'EOF'
68 15 15 68 08 01 72 78 03 49 11 77 04 0E 07 2B 04 00 00 0C 13 46 23 01 00 98 16
68 25 25 68 08 01 72 78 03 49 11 77 04 0E 07 2A 00 00 00 0C 13 99 23 01 00 04 6D 1E 0C 1F 31 42 6C E1 2C 4C 13 00 00 01 00 EC 16
EOF
expect 1 "a conflicting value fails the batch" -- "$kvant" ingest --db m.db --protocol mbus --at 2024-02-03T00:00:00Z conflict.hex
contains err "conflict.hex:2" "the conflict names the frame's line"
expect 0 "export readings after the conflict" -- "$kvant" export --db m.db --table readings
absent out "2024-02-03T00:00:00Z" "nothing of the failed batch was stored"

# ---- wireless M-Bus: OMS Vol. 2 Annex N, security mode 5, format A with CRCs (tests/test_decode_wmbus.cpp):
# 2E 44 9315 (ELS) 78563412 (id 12345678) 33 (version) 03 (gas) | 7A 2A 00 2025 (mode 5) | 32 encrypted bytes
# that decrypt with key 0102030405060708090A0B0C0D0E0F11 to 2F2F, 0C14 27048502 (BCD 02850427 × 10^-2 m3 =
# 28504.27 m3), 046D 32371F15 (type F: minute 0x32 = 50, hour 0x37 & 0x1F = 23, day 0x1F = 31, month 5, year
# 0 | 0x10 >> 1 = 8: 2008-05-31 23:50), 02FD17 0000 (no error flag), fillers
echo "2E44931578563412330333637A2A0020255923C95AAA26D1B2E7493BC2AD013EC4A6F6D3529B520EDFF0EA6DEFC955B29D6D69EBF3EC8A" >oms.hex
echo "12345678=0102030405060708090A0B0C0D0E0F11" >oms.keys
printf 'serial,resource,address\nG1,gas,mbus:ELS-12345678\n' >gas.csv
expect 0 "import the gas meter" -- "$kvant" import --db g.db --meters gas.csv
expect 0 "wmbus without a key" -- "$kvant" decode --protocol wmbus oms.hex
contains out '"ok":false,"error":{"status":"key_missing","offset":17' "no key: key_missing, not a corrupt frame"
expect 0 "wmbus with a wrong key" -- "$kvant" decode --protocol wmbus --key 12345678=0102030405060708090A0B0C0D0E0F12 oms.hex
contains out '"status":"key_wrong"' "wrong key: key_wrong"
expect 0 "wmbus with its key and the meter" -- "$kvant" decode --protocol wmbus --keys oms.keys --db g.db oms.hex
contains out '"address":"mbus:ELS-12345678-33-03"' "wmbus address"
contains out '"readings":[{"channel":"volume","time":"2008-05-31T23:50:00Z","value":"28504.27"}],"events":[]' "wmbus reading, no event for zero error flags"
expect 0 "wmbus ingest" -- "$kvant" ingest --db g.db --protocol wmbus --keys oms.keys oms.hex
contains out "readings 1 written, 0 unchanged; events 0 written" "wmbus ingest writes"

# ---- IEC 62056-21: a readout block saved as it came from the port (--input raw), standard XOR block check.
# STX, "C.1.0(009218054)" CR LF (the serial), "1.8.1(012345.67*kWh)" CR LF (A+ T1), "1.8.2(ERROR)" CR LF (an
# error token), "!" CR LF ETX, then the XOR of every byte after STX up to and including ETX.
printf 'C.1.0(009218054)\r\n1.8.1(012345.67*kWh)\r\n1.8.2(ERROR)\r\n!\r\n\003' >iec.body
bcc=0
for b in $(od -An -tu1 -v iec.body); do bcc=$((bcc ^ b)); done
{ printf '\002'; cat iec.body; printf "\\$(printf '%03o' "$bcc")"; } >iec.bin
expect 0 "decode an IEC readout" -- "$kvant" decode --protocol iec62056-21 --input raw iec.bin
contains out '"address":"iec:009218054"' "IEC: the serial as written names the meter"
contains out '"name":"1.8.1","obis":"1.8.1","class_id":null,"attribute":null,"value":"12345.67","unit":"kWh"' "IEC: a value with its unit"
contains out '"value":null,"unit":null,"scaler":null,"error":"ERROR"' "IEC: an error token"
contains out '"bcc":"standard"' "IEC: the XOR matched"
expect 0 "the Energomera dialect refuses the XOR" -- "$kvant" decode --protocol iec62056-21 --input raw --dialect energomera iec.bin
contains out '"ok":false,"error":{"status":"checksum"' "IEC: a block check of the other dialect is a checksum error"
expect 2 "an unknown dialect" -- "$kvant" decode --protocol iec62056-21 --dialect xor7 iec.bin
contains err "xor7" "the bad dialect is named"
cat >e_meters.csv <<'EOF'
serial,resource,zone,address,installed
E7,electricity,Europe/Moscow,iec:009218054,2020-01-01
D1,electricity,Europe/Moscow,,2020-01-01
EOF
expect 0 "import electricity meters" -- "$kvant" import --db e.db --meters e_meters.csv
expect 0 "decode an IEC readout of a known meter" -- "$kvant" decode --protocol iec62056-21 --input raw --db e.db --at 2024-03-01T09:00:00Z iec.bin
contains out '"readings":[{"channel":"active_import.t1","time":"2024-03-01T09:00:00Z","value":"12345.67"}]' "IEC: the reading at --at"
expect 0 "ingest the IEC readout" -- "$kvant" ingest --db e.db --protocol iec62056-21 --input raw --at 2024-03-01T09:00:00Z iec.bin
contains out "frames 1: 1 decoded, 0 rejected, 0 unmatched" "IEC ingest counts"
contains out "readings 1 written" "IEC ingest writes"

# ---- DLMS: a register's scaler_unit read, then its value (one conversation: the request names the answer).
#   C0 01 C1 0003 0100010800FF 03 00   Get-Request normal, invoke C1, class 3, 1-0:1.8.0*255, attribute 3
#   C4 01 C1 00 0202 0FFE 161E          Get-Response: structure {integer -2, enum 30 = Wh}
#   C0 01 C1 0003 0100010800FF 02 00   Get-Request of attribute 2
#   C4 01 C1 00 06 0001E240             Get-Response: double-long-unsigned 123456 -> 1234.56 Wh = 1.23456 kWh
cat >dlms.hex <<'EOF'
C0 01 C1 0003 0100010800FF 03 00
C4 01 C1 00 0202 0FFE 161E
C0 01 C1 0003 0100010800FF 02 00
C4 01 C1 00 06 0001E240
EOF
expect 0 "decode a DLMS conversation" -- "$kvant" decode --protocol dlms dlms.hex
lines_ok out 4 "DLMS: a line an APDU"
line_of out 4
contains line '"obis":"1-0:1.8.0*255","class_id":3,"attribute":2,"value":"1234.56","unit":"Wh","scaler":-2' "DLMS: the scaler applied once"
expect 0 "ingest the DLMS conversation for meter D1" -- "$kvant" ingest --db e.db --protocol dlms --meter D1 --at 2024-03-01T09:00:00Z dlms.hex
contains out "frames 4: 4 decoded, 0 rejected, 0 unmatched" "DLMS ingest counts"
contains out "readings 1 written" "DLMS ingest writes the register"
expect 0 "without --meter the frames that carry no address are unmatched" -- "$kvant" ingest --db e.db --protocol dlms --at 2024-03-01T09:00:00Z dlms.hex
contains out "frames 4: 4 decoded, 0 rejected, 4 unmatched" "DLMS without --meter"
expect 2 "an unknown --meter (a usage error)" -- "$kvant" ingest --db e.db --protocol dlms --meter NOPE dlms.hex
contains err "NOPE" "the unknown meter is named"
expect 2 "decode: an unknown --meter" -- "$kvant" decode --db e.db --protocol dlms --meter NOPE dlms.hex
contains err "NOPE" "decode names the unknown meter"
expect 2 "decode: --meter without --db" -- "$kvant" decode --protocol dlms --meter D1 dlms.hex
contains err "--meter needs --db" "decode says what --meter needs"
expect 0 "decode with --meter gives the register's reading" -- "$kvant" decode --db e.db --protocol dlms --meter D1 --at 2024-03-01T09:00:00Z dlms.hex
line_of out 4
contains line '"readings":[{"channel":"active_import","time":"2024-03-01T09:00:00Z","value":"1.23456"}]' "DLMS: 1234.56 Wh is 1.23456 kWh"

# ---- the corpus, when present
if [ -n "$corpus" ] && [ -f "$corpus/mbus/libmbus_frames.jsonl" ]; then
  sed -n 's/.*"hex": "\([0-9A-Fa-f]*\)".*/\1/p' "$corpus/mbus/libmbus_frames.jsonl" >corpus.hex
  n=$(wc -l <corpus.hex)
  expect 0 "decode the corpus frames" -- timeout 60 "$kvant" decode --protocol mbus corpus.hex
  lines_ok out "$n" "a JSON line a corpus frame"
  grep -F '"ok":true' out >decoded
  lines_ok decoded "$n" "every corpus frame decodes"
  sed -n 's/.*"hex": "\([0-9A-Fa-f]*\)".*/\1/p' "$corpus/mbus/libmbus_negative_frames.jsonl" >negative.hex
  n=$(wc -l <negative.hex)
  expect 0 "decode the negative corpus frames" -- timeout 60 "$kvant" decode --protocol mbus negative.hex
  lines_ok out "$n" "a JSON line a negative frame"
  # every negative frame is rejected but one, which EN 13757-3 allows (tests/test_decode_mbus.cpp says why)
  grep -F '"ok":true' out >accepted
  lines_ok accepted 1 "negative frames accepted"
else
  echo "SKIPPED: the corpus frames (no ${corpus:-corpus dir given}/mbus/libmbus_frames.jsonl)"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
