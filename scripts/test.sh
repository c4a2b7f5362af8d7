#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine and runs every test: the .clang-format check, a Release build with warnings
# as errors and its tests, the fleet benchmark on 1,000 meters (SQLite, PostgreSQL, postgres_fdw) as a smoke test, then a Debug build under AddressSanitizer and UndefinedBehaviorSanitizer, then every libFuzzer
# target for a bounded time (scripts/fuzz.sh: 30 s each, the protocol decoders 40-45 s; FUZZ_SECONDS for one time
# for all, 0 to skip). CI runs this
# (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
jobs=$(nproc)

# The store tests start PostgreSQL servers of their own in <build>/tests/pg (tests/README.md) and stop them after
# (a CTest fixture, also when tests fail): none may be left running.
no_servers_left() {
  local dir
  dir="$(pwd)/$1/tests/pg"
  if [ -e "$dir" ] || pgrep -f -- "-D $dir/" >/dev/null; then
    echo "test PostgreSQL servers left running in $dir" >&2
    exit 1
  fi
  echo "no test PostgreSQL server left running ($dir)"
}

echo "== Every C/C++ source follows .clang-format"
bash scripts/check-format.sh

echo "== Release build, warnings are errors"
cmake -S . -B build/ci -DCMAKE_BUILD_TYPE=Release -DKVANT_WERROR=ON -DKVANT_BUILD_BENCHMARKS=ON \
  -DKVANT_BUILD_PYTHON=ON -DPYBIND11_FINDPYTHON=ON -DPython_EXECUTABLE=/usr/bin/python3
cmake --build build/ci -j"$jobs"
ctest --test-dir build/ci --output-on-failure -j"$jobs"
no_servers_left build/ci

echo "== The fleet benchmark as a smoke test (1,000 meters x a year: SQLite, PostgreSQL and the three-server"
echo "   postgres_fdw layout on servers of its own; every split must equal SQLite's; no timing asserted)"
BUILD=build/ci RUNS=1 bash benchmarks/run_fleet.sh 1000 --pg-servers

echo "== Debug build under AddressSanitizer and UndefinedBehaviorSanitizer, libkvant shared (proves its exports)"
cmake -S . -B build/sanitize -DCMAKE_BUILD_TYPE=Debug -DKVANT_WERROR=ON -DKVANT_SANITIZE=ON -DKVANT_INSTALL=OFF \
  -DBUILD_SHARED_LIBS=ON
cmake --build build/sanitize -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/sanitize --output-on-failure -j"$jobs"
no_servers_left build/sanitize

echo "== libFuzzer targets under AddressSanitizer and UndefinedBehaviorSanitizer"
FUZZ_JOBS="${FUZZ_JOBS:-$jobs}" bash scripts/fuzz.sh
