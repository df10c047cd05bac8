#!/usr/bin/env bash
# Larger than memory: queries over an Arrow IPC file several times larger than the memory
# the process may use. spindle maps the file, so its pages stream through the page cache
# and the kernel reclaims them under the limit; nothing is loaded whole.
#
#   tests/larger_than_memory.sh [ROWS] [LIMIT_MB]      (default: 20,000,000 rows, 1024 MB)
#
# The limit is a memory cgroup (v1 memory.limit_in_bytes, or v2 memory.max) that holds only
# the spindle process; the file's pages are dropped from the page cache first, so they
# are charged to that cgroup as they are read. The answers are checked against pyarrow,
# which reads the same file one batch at a time. Needs root (to make the cgroup) and the
# venv of benches/compare/venv.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-20000000}"
limit_mb="${2:-1024}"
python="${PYTHON:-target/compare/venv-main/bin/python}"

cargo build --release --quiet --bin spindle
bin=target/release/spindle
dir=target/larger-than-memory
file="$dir/text-$rows.arrow"
mkdir -p "$dir"
[ -f "$file" ] || "$bin" gen --kind text --rows "$rows" --out "$file" >/dev/null
size_mb=$(( $(stat -c %s "$file") / 1048576 ))
if [ "$size_mb" -lt $(( 2 * limit_mb )) ]; then
    echo "larger-than-memory: the file ($size_mb MB) must be at least twice the limit ($limit_mb MB)" >&2
    exit 1
fi

# A memory cgroup for the query process alone.
cg_name="spindle-ltm-$$"
if [ -d /sys/fs/cgroup/memory ]; then
    cg="/sys/fs/cgroup/memory/$cg_name"
    mkdir "$cg"
    echo $(( limit_mb * 1048576 )) > "$cg/memory.limit_in_bytes"
    peak_file="$cg/memory.max_usage_in_bytes"
else
    cg="/sys/fs/cgroup/$cg_name"
    mkdir "$cg"
    echo $(( limit_mb * 1048576 )) > "$cg/memory.max"
    echo 0 > "$cg/memory.swap.max" 2>/dev/null || true
    peak_file="$cg/memory.peak"
fi
trap 'rmdir "$cg" 2>/dev/null || true' EXIT

evict() { sync "$file"; "$python" -c "import os,sys; fd=os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)" "$file"; }

# Runs a query in the cgroup; prints its CSV answer.
limited() {
    evict
    sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' _ "$cg" \
        "$bin" sql "$1" --format csv
}

filter_count="SELECT count(*) AS n FROM '$file' WHERE (url LIKE '%.org%' AND email LIKE '%mail%') OR text LIKE '%data%'"
value_counts="SELECT country, count(*) AS n FROM '$file' GROUP BY country ORDER BY country"
initials="SELECT substring(name, 1, 1) AS initial, count(*) AS n FROM '$file' GROUP BY initial ORDER BY initial"

start=$(date +%s.%N)
got_filter=$(limited "$filter_count")
got_counts=$(limited "$value_counts")
got_initials=$(limited "$initials")
elapsed=$(echo "$(date +%s.%N) - $start" | bc)
peak_mb=$(( $(cat "$peak_file") / 1048576 ))

expected=$("$python" - "$file" <<'PY'
import sys, collections
import pyarrow as pa, pyarrow.compute as pc
source = pa.memory_map(sys.argv[1])
reader = pa.ipc.open_file(source)
n, countries, initials = 0, collections.Counter(), collections.Counter()
for i in range(reader.num_record_batches):
    b = reader.get_batch(i)
    keep = pc.or_kleene(
        pc.and_kleene(pc.match_substring(b["url"], ".org"), pc.match_substring(b["email"], "mail")),
        pc.match_substring(b["text"], "data"))
    n += pc.sum(pc.fill_null(keep, False).cast("int64")).as_py() or 0
    countries.update(b["country"].cast(pa.string()).to_pylist())
    initials.update(pc.utf8_slice_codeunits(b["name"], 0, 1).to_pylist())
print(f"n\n{n}")
print("===")
print("country,n"); [print(f"{k},{v}") for k, v in sorted(countries.items())]
print("===")
print("initial,n"); [print(f"{k},{v}") for k, v in sorted(initials.items())]
PY
)
want_filter=$(echo "$expected" | awk 'BEGIN{RS="===\n"} NR==1' | sed '/^$/d')
want_counts=$(echo "$expected" | awk 'BEGIN{RS="===\n"} NR==2' | sed '/^$/d')
want_initials=$(echo "$expected" | awk 'BEGIN{RS="===\n"} NR==3' | sed '/^$/d')

status=0
check() {
    if [ "$2" == "$3" ]; then echo "  $1: equal to pyarrow"; else
        echo "  $1: DIFFERS from pyarrow"; diff <(echo "$2") <(echo "$3") | head -20; status=1; fi
}
echo "larger-than-memory: $file ($size_mb MB, $rows rows) under a $limit_mb MB limit:" \
     "3 queries in ${elapsed%.*} s, peak $peak_mb MB"
check "filter + count ($(echo "$got_filter" | tail -1) rows)" "$got_filter" "$want_filter"
check "value_counts(country)" "$got_counts" "$want_counts"
check "value_counts(initial of name)" "$got_initials" "$want_initials"
[ "$peak_mb" -le "$limit_mb" ] || { echo "peak $peak_mb MB passed the limit" >&2; status=1; }
exit $status
