#!/usr/bin/env bash
# Installs libkvant's build and test dependencies from Debian 12 packages. Idempotent: installs only what is
# missing, and runs apt-get update only then. Needs root (or sudo).
set -euo pipefail
packages=(
  build-essential cmake pkg-config   # compiler, build system, pkg-config for the package test
  libhowardhinnant-date-dev tzdata   # date and tz (on the system tz database)
  libboost-dev                       # Boost.Multiprecision (header-only)
  libsqlite3-dev                     # the embedded store
  libpq-dev                          # the PostgreSQL store (libpq)
  postgresql postgresql-contrib      # the servers the PostgreSQL tests start (initdb, pg_ctl; postgres_fdw)
  libssl-dev                         # OpenSSL's libcrypto: AES and CMAC of wireless M-Bus security
  nlohmann-json3-dev                 # JSON
  libcli11-dev                       # the kvant tool's option parser (CLI11, header-only)
  catch2                             # tests (2.x on Debian 12)
  clang-14 libfuzzer-14-dev          # the libFuzzer targets of tests/fuzz (scripts/fuzz.sh)
  clang-format                       # scripts/check-format.sh (clang-format 14)
  # the Python package (bindings/python) and its pytest tests; python3-venv, -pip, -setuptools and -wheel for
  # `pip install --no-build-isolation bindings/python` into a venv (README.md, bindings/python/README.md)
  pybind11-dev python3-dev python3-numpy python3-pandas python3-pytest python3-distributed python3-matplotlib
  python3-pip python3-venv python3-setuptools python3-wheel
)
# `install-deps.sh --bench` adds what benchmarks/run_*.sh need: the pandas and NumPy baselines (Debian's
# python3), hyperfine (whole-process medians), time (/usr/bin/time -f %M: peak memory), and node with npm for
# the DuckDB baseline (npm then installs @duckdb/node-api into build/bench/npm; a node from elsewhere, such as
# NodeSource's, is kept when present)
if [ "${1:-}" = "--bench" ]; then
  packages+=(python3-pandas python3-numpy hyperfine time)
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then packages+=(nodejs npm); fi
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all dependencies present"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
