#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine and runs libkvant's main job: builds the library and the kvant tool, then
# `kvant demo` builds a SQLite database from the bundled sample data and prints the bot and cabinet views.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DKVANT_BUILD_TESTS=OFF
cmake --build build/release -j"$(nproc)"
./build/release/kvant demo --db build/kvant-demo.db "$@"
