#!/usr/bin/env bash
# The comparison harness: spindle beside pandas (object dtype and pandas 3's Arrow-backed
# str), polars, pyarrow, duckdb and vaex on the same generated file, answers checked.
#
#   benches/compare/run.sh [--rows 10000000] [--data text|vaex] [--runs 5] [--budget 2]
#                          [--engines "spindle_python pandas_object pandas polars pyarrow duckdb vaex"]
#                          [--ops a,b,c] [--sample 100000] [--results DIR]
#
# Makes its Python environments under target/compare (pinned requirements*.txt), generates
# or reuses datasets/generated/<data>-<rows>.arrow, runs spindle (benches/compare/spindle.rs,
# in process over the mapped file, 1 thread and all threads) and each peer (peers.py, one
# process each), then writes benches/results/<date>.json, REPORT.md and speedup.svg there
# and prints the table. Exit status 1 when spindle's answer differs from pandas'.
set -euo pipefail

ROWS=10000000
DATA=text
RUNS=5
BUDGET=2
ENGINES="spindle_python pandas_object pandas polars pyarrow duckdb vaex"
OPS=""
SAMPLE=100000
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RESULTS="$ROOT/benches/results"

while [ $# -gt 0 ]; do
    case "$1" in
        --rows) ROWS="$2"; shift 2 ;;
        --data) DATA="$2"; shift 2 ;;
        --runs) RUNS="$2"; shift 2 ;;
        --budget) BUDGET="$2"; shift 2 ;;
        --engines) ENGINES="$2"; shift 2 ;;
        --ops) OPS="$2"; shift 2 ;;
        --sample) SAMPLE="$2"; shift 2 ;;
        --results) RESULTS="$2"; shift 2 ;;
        -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

HERE="$ROOT/benches/compare"
WORK="$ROOT/target/compare"
RUN="$WORK/run-$DATA-$ROWS"
mkdir -p "$WORK" "$RESULTS"
rm -rf "$RUN"
mkdir -p "$RUN"
started=$(date +%s)
step() { printf '\n== %s (%ds)\n' "$1" "$(( $(date +%s) - started ))" >&2; }

. "$HERE/venv.sh"

step "Python environments"
MAIN_PY="$WORK/venv-main/bin/python"
VAEX_PY="$WORK/venv-vaex/bin/python"
venv "$WORK/venv-main" "$HERE/requirements.txt"
case " $ENGINES " in *" vaex "*) venv "$WORK/venv-vaex" "$HERE/requirements-vaex.txt" ;; esac
# spindle_python: the Python package in the peers' environment (its release build is
# cargo's, shared with the rest).
case " $ENGINES " in *" spindle_python "*)
    "$MAIN_PY" -m pip install --quiet --disable-pip-version-check "$ROOT/python" ;; esac

step "Build (release)"
cd "$ROOT"
cargo build --release --quiet --bin spindle
cargo bench --quiet --bench compare --no-run

step "Data: $DATA, $ROWS rows"
FILE="$ROOT/datasets/generated/$DATA-$ROWS.arrow"
if [ ! -f "$FILE" ]; then
    mkdir -p "$(dirname "$FILE")"
    "$ROOT/target/release/spindle" gen --kind "$DATA" --rows "$ROWS" --out "$FILE"
fi
SAMPLE_FILE="$WORK/$DATA-$ROWS-sample-$SAMPLE.arrow"
"$MAIN_PY" - "$FILE" "$SAMPLE_FILE" "$SAMPLE" <<'PY'
import sys, pyarrow as pa
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with pa.memory_map(src) as f:
    t = pa.ipc.open_file(f).read_all().slice(0, n)
with pa.OSFile(dst, "wb") as out, pa.ipc.new_file(out, t.schema) as w:
    w.write_table(t)
PY

OPS_ARG=()
[ -n "$OPS" ] && OPS_ARG=(--ops "$OPS")

step "spindle"
cargo bench --quiet --bench compare -- --file "$FILE" --sample "$SAMPLE_FILE" --data "$DATA" --runs "$RUNS" \
    --budget "$BUDGET" --out "$RUN/spindle.json" --results "$RUN/spindle-results" "${OPS_ARG[@]}"

for engine in $ENGINES; do
    step "$engine"
    py="$MAIN_PY"
    [ "$engine" = vaex ] && py="$VAEX_PY"
    check=()
    [ "$engine" = pandas_object ] && check=(--spindle-results "$RUN/spindle-results")
    # A peer that crashes its process is restarted after the operation it crashed in
    # (peers.py records that operation as an error before running it).
    for attempt in 1 2 3 4 5 6; do
        if "$py" "$HERE/peers.py" --engine "$engine" --file "$FILE" --sample "$SAMPLE_FILE" \
            --data "$DATA" --runs "$RUNS" --budget "$BUDGET" --out "$RUN/$engine.json" \
            --resume "${check[@]}" "${OPS_ARG[@]}"; then
            break
        fi
        echo "run.sh: $engine stopped abnormally; going on after the operation it stopped in" >&2
    done
done
rm -rf "$RUN/spindle-results"

# Peak memory of the relational operations: one fresh process per engine, operation and
# repetition (the report takes the median of three), the data loaded, then one run.
MEMORY_OPS=""
for op in value_counts groupby sort join; do
    case ",${OPS:-$op}," in *",$op,"*) MEMORY_OPS="$MEMORY_OPS $op" ;; esac
done
if [ -n "$MEMORY_OPS" ]; then
    step "Peak memory:$MEMORY_OPS"
    mkdir -p "$RUN/memory"
    for op in $MEMORY_OPS; do
        for rep in 1 2 3; do
            cargo bench --quiet --bench compare -- --file "$FILE" --sample "$SAMPLE_FILE" \
                --data "$DATA" --memory --ops "$op" --out "$RUN/memory/spindle-$op-$rep.json"
            for engine in $ENGINES; do
                case "$engine" in duckdb|polars|pyarrow|pandas) ;; *) continue ;; esac
                "$MAIN_PY" "$HERE/peers.py" --engine "$engine" --file "$FILE" \
                    --sample "$SAMPLE_FILE" --data "$DATA" --memory --ops "$op" \
                    --out "$RUN/memory/$engine-$op-$rep.json"
            done
        done
    done
fi

step "Report"
"$MAIN_PY" "$HERE/report.py" --run "$RUN" --data "$DATA" --results "$RESULTS" \
    --elapsed "$(( $(date +%s) - started ))"
