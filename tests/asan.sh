#!/usr/bin/env bash
# The string kernels' tests under AddressSanitizer (nightly): the kernels' `unsafe` blocks
# (unchecked array constructors over offsets they computed, and in-place ASCII case
# mapping) run on every test input with every read and write checked. Miri is not
# available on this toolchain; the fuzz targets (fuzz/run.sh) run the same paths under
# ASan on arbitrary input.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup toolchain list | grep -q '^nightly' || { echo "asan: needs the nightly toolchain" >&2; exit 1; }
target="$(rustc +nightly -vV | sed -n 's/^host: //p')"
RUSTFLAGS="-Zsanitizer=address" ASAN_OPTIONS="detect_leaks=1" \
    cargo +nightly test -p spindle-kernels --lib --tests --target "$target" --target-dir target/asan
