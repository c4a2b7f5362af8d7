#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang++-14 under AddressSanitizer and
# UndefinedBehaviorSanitizer (build/fuzz) and runs each for a bounded time from its seeds and regressions.
# Prints the executions per target and the total; exits non-zero when any target finds a crash, a leak, a
# timeout or a property failure (the input is kept as build/fuzz/findings/<target>/crash-*: see
# tests/fuzz/README.md for turning it into a regression).
#
#   scripts/fuzz.sh                     every target for its CI time: 30 s, or what KVANT_FUZZ_SECONDS of
#                                       tests/fuzz/CMakeLists.txt gives it (the protocol decoders: 60 s)
#   scripts/fuzz.sh -t 600 zone decimal two targets, 10 minutes each (-t or FUZZ_SECONDS: every target alike)
#   FUZZ_JOBS=2 scripts/fuzz.sh         run two targets at once
#   FUZZ_SECONDS=0 scripts/fuzz.sh      skip (scripts/test.sh on a machine without time to spare)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-30}
uniform=${FUZZ_SECONDS:+1}  # a time said by the caller is every target's; else a target may have its own
if [ "${1:-}" = "-t" ]; then seconds=$2; uniform=1; shift 2; fi
if ! [ "$seconds" -gt 0 ] 2>/dev/null; then echo "fuzz: skipped (FUZZ_SECONDS=$seconds)"; exit 0; fi
jobs=${FUZZ_JOBS:-1}
build=${FUZZ_BUILD_DIR:-build/fuzz}
cxx=${FUZZ_CXX:-clang++-14}
command -v "$cxx" >/dev/null || { echo "fuzz: $cxx not found (Debian: clang-14 libfuzzer-14-dev)"; exit 2; }

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  # the list of tests/fuzz/CMakeLists.txt, one source of truth
  mapfile -t targets < <(sed -n '/^set(KVANT_FUZZ_TARGETS/,/^)/p' tests/fuzz/CMakeLists.txt |
                         sed -n 's/^  \([a-z_0-9]*\).*/\1/p')
fi

# per-target CI times: `set(KVANT_FUZZ_SECONDS name=seconds ...)` in tests/fuzz/CMakeLists.txt (a target not
# named there runs $seconds)
declare -A own_seconds=()
if [ -z "$uniform" ]; then
  while read -r pair; do
    [[ $pair =~ ^([a-z_0-9]+)=([0-9]+)$ ]] && own_seconds[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]} || true
  done < <(sed -n '/^set(KVANT_FUZZ_SECONDS/,/^)/p' tests/fuzz/CMakeLists.txt |
           sed -e 's/#.*//' -e 's/set(KVANT_FUZZ_SECONDS//' -e 's/)//' | tr -s ' \t' '\n' | grep .)
fi
seconds_of() { echo "${own_seconds[$1]:-$seconds}"; }

echo "== fuzz: building ${#targets[@]} libFuzzer targets with $cxx in $build"
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S . -B "$build" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" \
  -DKVANT_BUILD_FUZZERS=ON -DKVANT_SANITIZE=ON -DKVANT_BUILD_TESTS=OFF -DKVANT_BUILD_CLI=OFF \
  -DKVANT_INSTALL=OFF -DKVANT_WERROR=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz_}"

# sqlite_import writes a database file per input: on tmpfs when there is one
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
run_one() {
  local t=$1 secs=$2
  local corpus="$build/corpus/$t" findings="$build/findings/$t" log="$build/logs/$t.log"
  mkdir -p "$corpus" "$findings" "$(dirname "$log")"
  # the corpus grows in build/; seeds and regressions are read-only inputs
  local rc=0
  "$build/tests/fuzz/fuzz_$t" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
    -artifact_prefix="$findings/" -print_final_stats=1 "$corpus" tests/fuzz/seeds/"$t" \
    tests/fuzz/regressions/"$t" >"$log" 2>&1 || rc=$?
  local execs
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  echo "$t ${execs:-0} $rc $secs"
}
export -f run_one
export build

# the longest first, so that parallel jobs end together
results=$(for t in "${targets[@]}"; do echo "$t $(seconds_of "$t")"; done | sort -k2,2nr -s |
          xargs -P "$jobs" -L1 bash -c 'run_one "$0" "$1"')
total=0 failed=0
echo "== fuzz: under ASan/UBSan (${seconds} s per target unless the table says otherwise)"
printf '%-18s %8s %12s  %s\n' target seconds executions result
while read -r t execs rc secs; do
  total=$((total + execs))
  if [ "$rc" -eq 0 ]; then res=ok; else res="FAILED (exit $rc): see $build/logs/$t.log"; failed=$((failed + 1)); fi
  printf '%-18s %8s %12s  %s\n' "$t" "$secs" "$execs" "$res"
done <<<"$results"
printf '%-18s %8s %12s\n' total "" "$total"
if [ "$failed" -ne 0 ]; then
  for f in "$build"/findings/*/*; do [ -e "$f" ] && echo "finding: $f"; done
  for t in "${targets[@]}"; do
    grep -q -E "ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)|runtime error|property failed" \
      "$build/logs/$t.log" 2>/dev/null && { echo "--- $t"; grep -E -A12 "property failed|ERROR:|runtime error" \
      "$build/logs/$t.log" | head -40; }
  done
  exit 1
fi
