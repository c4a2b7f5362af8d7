#!/usr/bin/env bash
# Hostile end-to-end checks of kvant decode on DLMS/COSEM and IEC 62056-21 input (issue 13). Each check names
# its input, what the standard says and what kvant does; a FAILED line is a finding.
# usage: test_decode_hostile.sh KVANT
set -u
kvant=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAILED: $*"; }
contains() {  # contains FILE TEXT DESCRIPTION
  if grep -qF -- "$2" "$1"; then ok; else bad "$3: '$2' not in $1"; sed 's/^/  | /' "$1" | head -5; fi
}
absent() {  # absent FILE TEXT DESCRIPTION
  if grep -qF -- "$2" "$1"; then bad "$3: '$2' in $1"; sed 's/^/  | /' "$1" | head -5; else ok; fi
}

# Guard: a Data-Notification (0F, long-invoke-id 00000001, no date-time) of the date-time 2024-01-01 12:00:00
# with deviation FF4C (-180: UTC = local - 180 min, Moscow) prints the local time with "+03:00".
printf '0F00000001 00 19 07E80101FF0C000000 FF4C 00\n' | timeout 10 "$kvant" decode --protocol dlms >out 2>err
contains out '"value":"2024-01-01T12:00:00+03:00"' "deviation -180 is +03:00"

# [finding] The same with deviation 7FFF (32767 minutes). IEC 62056-6-2 §4.1.6.1 / Blue Book: the deviation
# is -720..720 minutes, or 0x8000 "not specified"; 32767 is no offset. docs/dlms.md keeps it as sent in the
# record (a choice), but kvant's JSON then prints the ISO 8601 text "2024-01-01T12:00:00-546:07", an offset
# of -546 hours that no date-time parser reads (Python's datetime.fromisoformat raises): one bad byte makes
# the whole time unreadable or, to a lenient parser, wrong by 22 days. Expected: no offset printed (or the
# value marked) when the deviation is outside -720..720.
printf '0F00000001 00 19 07E80101FF0C000000 7FFF 00\n' | timeout 10 "$kvant" decode --protocol dlms >out 2>err
absent out '-546:07' "deviation 7FFF printed as an ISO 8601 offset"

# [finding] A bare Get-Response C4 01 C1 00 06 00000102 followed by DE AD BE EF: IEC 62056-5-3: the APDU ends
# after its result; the four bytes are no part of it. kvant prints ok with the value 258 and drops the bytes
# without a word (tests/test_decode_hostile.cpp "bytes after a complete APDU").
printf 'C401C1 00 06 00000102 DEADBEEF\n' | timeout 10 "$kvant" decode --protocol dlms >out 2>err
contains out '"ok":false' "trailing bytes after an APDU"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
