#!/usr/bin/env bash
# The ingest benchmark: CSV -> Arrow IPC and Parquet reads, spindle beside pyarrow, polars
# and duckdb on the same files (see ingest.py).
#
#   benches/compare/ingest.sh [--rows 10000000] [--runs 3] [--results DIR]
set -euo pipefail
ROWS=10000000
RUNS=3
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RESULTS="$ROOT/benches/results/ingest"
while [ $# -gt 0 ]; do
    case "$1" in
        --rows) ROWS="$2"; shift 2 ;;
        --runs) RUNS="$2"; shift 2 ;;
        --results) RESULTS="$2"; shift 2 ;;
        -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "ingest.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
HERE="$ROOT/benches/compare"
WORK="$ROOT/target/compare"
. "$HERE/venv.sh"
venv "$WORK/venv-main" "$HERE/requirements.txt"
cd "$ROOT"
cargo build --release --quiet --bin spindle
DATA="$ROOT/datasets/generated/text-$ROWS.arrow"
[ -f "$DATA" ] || target/release/spindle gen --kind text --rows "$ROWS" --out "$DATA"
"$WORK/venv-main/bin/python" "$HERE/ingest.py" --arrow "$DATA" --spindle target/release/spindle \
    --work "$WORK/ingest-$ROWS" --runs "$RUNS" --results "$RESULTS"
