# A virtual environment per requirements file, remade when the file changes:
# `venv DIR REQUIREMENTS`. Sourced by run.sh and .ci/run.
venv() {
    local dir="$1" req="$2"
    if ! cmp -s "$req" "$dir/requirements.txt" 2>/dev/null; then
        rm -rf "$dir"
        python3 -m venv "$dir"
        "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$req"
        cp "$req" "$dir/requirements.txt"
    fi
}
