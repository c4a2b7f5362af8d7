#!/usr/bin/env bash
# The walk of issue 10 ("Done when"): scripts/walk.sh over a fresh demo database, every figure of its output
# checked by tests/cli/check_walk.py against values worked out from the demo's CSV files.
#   bash tests/cli/test_walk.sh KVANT DEMO_DATA_DIR
set -uo pipefail
kvant=$(realpath "$1")
demo=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! bash "$here/../../scripts/walk.sh" "$kvant" "$demo" "$work" >"$work/walk.txt" 2>&1; then
    cat "$work/walk.txt"
    echo "FAILED: scripts/walk.sh"
    exit 1
fi
/usr/bin/python3 "$here/check_walk.py" "$work/walk.txt" "$demo" || {
    echo "--- the walk's output:"
    cat "$work/walk.txt"
    exit 1
}
