#!/usr/bin/env python3
"""DuckDB's answers for the DuckDB-named string functions spindle's SQL has.

Runs each expression in DuckDB over a table of test strings and writes
`expected.json` beside this file; tests/duckdb_names.rs runs the same expressions in
spindle. Needs the `duckdb` package (`pip install duckdb`):

    python3 tests/duckdb/gen_expected.py
"""
import json
import os

import duckdb

HERE = os.path.dirname(os.path.abspath(__file__))

STRINGS = ["", "hello world", "Straße", "ΟΔΟΣ", "héllo", "a,b,,c", "aaa", "x1y22z",
           "  trim me  ", "東京", "ǆ", "İx", None]

EXPRESSIONS = [
    "lower(s)", "lcase(s)", "upper(s)", "ucase(s)", "length(s)", "len(s)", "char_length(s)",
    "strlen(s)", "contains(s, 'l')", "starts_with(s, 'he')", "prefix(s, 'a')",
    "ends_with(s, 'e')", "suffix(s, 'ΟΣ')", "strpos(s, 'l')", "instr(s, 'ß')",
    "position('a' IN s)", "replace(s, 'a', 'XY')", "replace(s, '', '-')",
    "translate(s, 'al', 'x')", "repeat(s, 2)", "repeat(s, 0)", "reverse(s)", "left(s, 2)",
    "left(s, -2)", "right(s, 2)", "right(s, -2)", "right(s, 0)", "concat(s, '!', 1)",
    "s || '!'", "string_split(s, ',')", "string_to_array(s, 'a')", "split(s, '')",
    "regexp_matches(s, 'l+')", "regexp_matches(s, 'L', 'i')", "regexp_full_match(s, 'a+')",
    "regexp_replace(s, 'l', 'L')", "regexp_replace(s, 'l', 'L', 'g')",
    "regexp_replace(s, '([a-z])([a-z])', '\\2\\1', 'g')", "regexp_extract(s, '([a-z])([0-9]+)')",
    "regexp_extract(s, '([a-z])([0-9]+)', 2)", "regexp_split_to_array(s, '[0-9]+')",
    "string_split_regex(s, ',+')", "nfc_normalize(s)", "substring(s, 2, 3)", "substr(s, -3)",
    "substring(s, 0, 2)", "substring(s, 3, -2)", "substring(s, -10, 8)", "split_part(s, ',', 2)",
    "split_part(s, ',', -1)", "split_part(s, 'l', 0)", "split_part(s, '', 2)", "split_part(s, 'a', 9)",
]


def main():
    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INTEGER, s VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(STRINGS)))
    cases = []
    for e in EXPRESSIONS:
        rows = con.execute(f"SELECT {e} FROM t ORDER BY i").fetchall()
        cases.append({"expr": e, "expected": [r[0] for r in rows]})
    out = {"duckdb": duckdb.__version__, "strings": STRINGS, "cases": cases}
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(out, f, ensure_ascii=True, indent=1)
        f.write("\n")
    print(f"{len(cases)} expressions -> expected.json (duckdb {duckdb.__version__})")


if __name__ == "__main__":
    main()
