#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS each, under AddressSanitizer,
# from corpora seeded with the test fixtures; prints each target's executions, rate and
# findings, and exits non-zero when a target crashed, hung or leaked.
#
#   fuzz/run.sh [SECONDS] [TARGET...]        (default: 60 s, every target)
#
# Needs the nightly toolchain and cargo-fuzz (installed here when missing). A crash is
# saved under fuzz/artifacts/TARGET/; replay it with
#   cargo +nightly fuzz run TARGET fuzz/artifacts/TARGET/crash-...
# and turn it into a named regression test (tests/fuzz_regressions.rs).
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(ipc_open csv_ingest sql str_kernels)

rustup toolchain list | grep -q '^nightly' || { echo "fuzz: needs the nightly toolchain" >&2; exit 1; }
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2

# Seed corpora from the fixtures (rebuilt each run; the corpora grow under fuzz/corpus).
rm -rf seeds && mkdir -p seeds/{ipc_open,csv_ingest,sql,str_kernels}
cp ../datasets/fixtures/*.arrow ../datasets/fixtures/*.arrows ../tests/duckdb/data/t2.arrow seeds/ipc_open/
# csv_ingest reads three option bytes first: flags (1 header, 8 "NA" is null), delimiter
# (1 is ';'), chunk size.
{ printf '\x09\x01\x07'; head -c 4000 ../tests/duckdb/data/t1.csv; } > seeds/csv_ingest/t1_head
{ printf '\x01\x00\x03'; printf 'a,b\n"x, ""y""",1\n"multi\nline",2\n,3\n'; } > seeds/csv_ingest/quoted
python3 - <<'PY'
import re
text = open("../tests/duckdb/queries.sql").read()
for i, q in enumerate(re.split(r"^-- .*$", text, flags=re.M)):
    q = q.strip()
    if q and "{file:" not in q:
        q = q.replace("{t1}", "t1").replace("{t2}", "t2")
        open(f"seeds/sql/q{i:03}.sql", "w").write(q)
PY

# The build's log is kept: when it fails (a linker error, a full disk), print its errors
# without the linker's command line, which is tens of kilobytes, and the disk's room.
build_log="$(mktemp)"
if ! cargo +nightly fuzz build -O >"$build_log" 2>&1; then
    echo "fuzz: the build failed:" >&2
    grep -v '^ *Compiling ' "$build_log" | grep -v '= note:  *"cc"' | sed '/^Stack backtrace:/,$d' | cut -c1-400 | tail -60 >&2
    df -h . >&2
    rm -f "$build_log"
    exit 1
fi
rm -f "$build_log"
status=0
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    log="$(mktemp)"
    if cargo +nightly fuzz run -O "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 \
        >"$log" 2>&1; then
        result="no findings"
    else
        result="FOUND: $(grep -m1 -E 'ERROR|panicked|Test unit written' "$log" || tail -1 "$log")"
        status=1
        tail -40 "$log" >&2
    fi
    runs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
    rate=$(grep -m1 'stat::average_exec_per_sec' "$log" | awk '{print $2}')
    cov=$(grep -E '^#[0-9]+.*cov:' "$log" | tail -1 | sed -E 's/.*cov: ([0-9]+).*/\1/')
    printf '%-12s %4ss  %9s execs  %6s/s  cov %-6s corpus %-5s %s\n' "$t" "$seconds" \
        "${runs:-?}" "${rate:-?}" "${cov:-?}" "$(ls "corpus/$t" | wc -l)" "$result"
    rm -f "$log"
done
exit $status
