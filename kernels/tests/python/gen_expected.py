#!/usr/bin/env python3
"""The Python oracle for spindle's `.str` kernels.

Applies Python's `str` and `re` to a corpus of hard strings for every operation and
parameter set, exactly as pandas' object dtype does (each function below is the one pandas
maps over the values in pandas/core/strings/object_array.py), and writes the answers to
`expected.json` beside this file. `kernels/tests/python_oracle.rs` runs the same cases
through spindle and compares.

Standard library only, so CI can rerun it:

    python3 kernels/tests/python/gen_expected.py            # rewrite expected.json
    python3 kernels/tests/python/gen_expected.py --check    # fail if it would change
    python3 kernels/tests/python/gen_expected.py --pandas   # also compare with pandas'
                                                            # object dtype (needs pandas)
"""
import json
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))

# Hard strings: empty, ASCII, Latin-1, Greek with final sigma, Turkish dotted I, German
# sharp s, ligatures, titlecase digraphs, combining marks, CJK, emoji and ZWJ sequences,
# non-ASCII digits and spaces, Python-only whitespace, signs, newlines, regex metacharacters.
CORPUS = [
    "", "a", "hello world", "Hello, World!", "  padded\t\n", "straße", "STRASSE", "Straße",
    "İstanbul", "ıi Iİ", "ΟΔΟΣ", "Σ", "ΑΣ ΑΣ. σς", "ὈΔΥΣΣΕΎΣ", "ﬁne ﬂow ﬀ", "ǅemal ǆ Ǆ",
    "ǉubljana", "e\u0301te\u0301", "café", "東京都 渋谷", "😀 emoji 👍🏽", "👨\u200d👩\u200d👧 family",
    "١٢٣", "²³", "Ⅻ", "一二三", "\u00a0nbsp\u00a0", "\u2028line\u2029", "\u3000wide\u3000",
    "\x1c\x1dsep\x1e\x1f", "-42", "+7", "3.14", "12345", "007", "abc123", "ABC", "AbC dEf",
    "they're bill's friends", "a\nb\n", "line\n", "x*y+z", "aaa", "a,b,,c", "tab\tsep\tend",
    "ŉ", "ᾳ ᾼ", "Ω ω", "mixed ÀÉÎ õü", "a$", "The Quick Brown Fox", "ＡＢＣ ｆｕｌｌ", "ß",
    "ǲ", "ǰ", "ﬃ", " ", "\t", "Ⅷ ⅷ", "ᏸ", "İ", "ﬅ", None,
]

RE_FLAGS = {"IGNORECASE": re.IGNORECASE, "MULTILINE": re.MULTILINE, "DOTALL": re.DOTALL,
            "VERBOSE": re.VERBOSE, "ASCII": re.ASCII}


def flags_of(names):
    f = 0
    for n in names or []:
        f |= RE_FLAGS[n]
    return f


# Each op: a function (value, **args) -> result, as pandas' object-dtype path computes it.
def op_contains(x, pat, case=True, flags=(), regex=True):
    if regex:
        f = flags_of(flags)
        if not case:
            f |= re.IGNORECASE
        return re.compile(pat, flags=f).search(x) is not None
    if case:
        return pat in x
    return pat.upper() in x.upper()


def op_match(x, pat, case=True, flags=()):
    f = flags_of(flags) | (0 if case else re.IGNORECASE)
    return re.compile(pat, flags=f).match(x) is not None


def op_fullmatch(x, pat, case=True, flags=()):
    f = flags_of(flags) | (0 if case else re.IGNORECASE)
    return re.compile(pat, flags=f).fullmatch(x) is not None


def op_replace(x, pat, repl, n=-1, case=True, flags=(), regex=False):
    f = flags_of(flags)
    if case is False:
        f |= re.IGNORECASE
    if regex or f:
        p = re.compile(pat if regex else re.escape(pat), flags=f)
        return p.sub(repl=repl, string=x, count=n if n >= 0 else 0)
    return x.replace(pat, repl, n)


def op_slice_replace(x, start=None, stop=None, repl=""):
    if x[start:stop] == "":
        local_stop = start
    else:
        local_stop = stop
    y = ""
    if start is not None:
        y += x[:start]
    y += repl
    if stop is not None:
        y += x[local_stop:]
    return y


def op_get(x, i):
    if len(x) > i >= -len(x):
        return x[i]
    return None


def op_split(x, pat=None, n=-1, regex=None):
    if pat is None:
        if n is None or n == 0:
            n = -1
        return x.split(pat, n)
    if regex is True:
        new_pat = re.compile(pat)
    elif regex is False:
        new_pat = pat
    elif len(pat) == 1:
        new_pat = pat
    else:
        new_pat = re.compile(pat)
    if isinstance(new_pat, re.Pattern):
        if n is None or n == -1:
            n = 0
        return new_pat.split(x, maxsplit=n)
    if n is None or n == 0:
        n = -1
    return x.split(pat, n)


def op_rsplit(x, pat=None, n=-1):
    if n is None or n == 0:
        n = -1
    return x.rsplit(pat, n)


def op_extract(x, pat, flags=()):
    m = re.compile(pat, flags=flags_of(flags)).search(x)
    n = re.compile(pat, flags=flags_of(flags)).groups
    return list(m.groups()) if m else [None] * n


def op_extractall(x, pat, flags=()):
    return [list(m.groups()) for m in re.compile(pat, flags=flags_of(flags)).finditer(x)]


def op_findall(x, pat, flags=()):
    return [list(t) if isinstance(t, tuple) else t
            for t in re.compile(pat, flags=flags_of(flags)).findall(x)]


def op_count(x, pat, flags=()):
    return len(re.compile(pat, flags=flags_of(flags)).findall(x))


def op_pad(x, width, side="left", fillchar=" "):
    if side == "left":
        return x.rjust(width, fillchar)
    if side == "right":
        return x.ljust(width, fillchar)
    return x.center(width, fillchar)


OPS = {
    "len": lambda x: len(x),
    "byte_length": lambda x: len(x.encode()),
    "lower": lambda x: x.lower(),
    "upper": lambda x: x.upper(),
    "title": lambda x: x.title(),
    "capitalize": lambda x: x.capitalize(),
    "swapcase": lambda x: x.swapcase(),
    "casefold": lambda x: x.casefold(),
    "contains": op_contains,
    "match": op_match,
    "fullmatch": op_fullmatch,
    "startswith": lambda x, pat: x.startswith(tuple(pat) if isinstance(pat, list) else pat),
    "endswith": lambda x, pat: x.endswith(tuple(pat) if isinstance(pat, list) else pat),
    "find": lambda x, sub, start=0, end=None: x.find(sub, start, end),
    "rfind": lambda x, sub, start=0, end=None: x.rfind(sub, start, end),
    "index": lambda x, sub, start=0, end=None: x.index(sub, start, end),
    "rindex": lambda x, sub, start=0, end=None: x.rindex(sub, start, end),
    "count": op_count,
    "replace": op_replace,
    "removeprefix": lambda x, prefix: x.removeprefix(prefix),
    "removesuffix": lambda x, suffix: x.removesuffix(suffix),
    "translate": lambda x, frm, to, delete="": x.translate(str.maketrans(frm, to, delete)),
    "repeat": lambda x, repeats: x * repeats,
    "slice": lambda x, start=None, stop=None, step=None: x[start:stop:step],
    "slice_replace": op_slice_replace,
    "get": op_get,
    "strip": lambda x, to_strip=None: x.strip(to_strip),
    "lstrip": lambda x, to_strip=None: x.lstrip(to_strip),
    "rstrip": lambda x, to_strip=None: x.rstrip(to_strip),
    "pad": op_pad,
    "ljust": lambda x, width, fillchar=" ": x.ljust(width, fillchar),
    "rjust": lambda x, width, fillchar=" ": x.rjust(width, fillchar),
    "center": lambda x, width, fillchar=" ": x.center(width, fillchar),
    "zfill": lambda x, width: x.zfill(width),
    "split": op_split,
    "rsplit": op_rsplit,
    "partition": lambda x, sep=" ": list(x.partition(sep)),
    "rpartition": lambda x, sep=" ": list(x.rpartition(sep)),
    "join": lambda x, sep: sep.join(x),
    "extract": op_extract,
    "extractall": op_extractall,
    "findall": op_findall,
    "isalnum": lambda x: x.isalnum(),
    "isalpha": lambda x: x.isalpha(),
    "isdigit": lambda x: x.isdigit(),
    "isdecimal": lambda x: x.isdecimal(),
    "isnumeric": lambda x: x.isnumeric(),
    "isspace": lambda x: x.isspace(),
    "islower": lambda x: x.islower(),
    "isupper": lambda x: x.isupper(),
    "istitle": lambda x: x.istitle(),
    "isascii": lambda x: x.isascii(),
    "normalize": lambda x, form: unicodedata.normalize(form, x),
}

# (op, args) for every parameter set the suite covers.
CASES = [("len", {}), ("byte_length", {})]
CASES += [(op, {}) for op in ["lower", "upper", "title", "capitalize", "swapcase", "casefold"]]
CASES += [(op, {}) for op in ["isalnum", "isalpha", "isdigit", "isdecimal", "isnumeric", "isspace",
                              "islower", "isupper", "istitle", "isascii"]]
CASES += [("normalize", {"form": f}) for f in ["NFC", "NFD", "NFKC", "NFKD"]]
CASES += [
    ("contains", {"pat": "a"}), ("contains", {"pat": "ß", "regex": False}),
    ("contains", {"pat": "SS", "case": False, "regex": False}),
    ("contains", {"pat": "σ", "case": False}), ("contains", {"pat": r"\d+"}),
    ("contains", {"pat": r"^\w+$"}), ("contains", {"pat": r"\s"}), ("contains", {"pat": r"\bb"}),
    ("contains", {"pat": r"a$"}), ("contains", {"pat": r"(?<=a)b|(?<!x)\*"}),
    ("contains", {"pat": r"(\w)\1"}), ("contains", {"pat": r"x*y+z", "regex": False}),
    ("contains", {"pat": r"[^\W\d]{3}", "flags": ["ASCII"]}), ("contains", {"pat": r"^b", "flags": ["MULTILINE"]}),
    ("contains", {"pat": r"a.b", "flags": ["DOTALL"]}), ("contains", {"pat": r"E\u0301", "flags": ["IGNORECASE"]}),
    ("contains", {"pat": r"a{,2}b|{x}"}), ("contains", {"pat": r"\Z"}), ("contains", {"pat": ""}),
    ("match", {"pat": r"\w"}), ("match", {"pat": r"[A-Z]", "case": False}), ("match", {"pat": "a|ab"}),
    ("fullmatch", {"pat": r"\d+"}), ("fullmatch", {"pat": r"a|ab"}), ("fullmatch", {"pat": r".*\n"}),
    ("fullmatch", {"pat": r"[a-z]+", "flags": ["IGNORECASE"]}), ("fullmatch", {"pat": r"\w+\$?"}),
    ("startswith", {"pat": "a"}), ("startswith", {"pat": ["Σ", "ΑΣ", ""]}), ("endswith", {"pat": "\n"}),
    ("endswith", {"pat": ["ß", "e\u0301"]}),
    ("find", {"sub": "a"}), ("find", {"sub": "ß"}), ("find", {"sub": ""}), ("find", {"sub": "a", "start": 1}),
    ("find", {"sub": "l", "start": -4, "end": -1}), ("find", {"sub": "", "start": 5}),
    ("find", {"sub": "", "start": 3, "end": 1}), ("rfind", {"sub": "a"}), ("rfind", {"sub": "Σ"}),
    ("rfind", {"sub": "", "end": 2}), ("rfind", {"sub": "l", "start": 0, "end": -2}),
    ("index", {"sub": ""}), ("index", {"sub": "a"}), ("rindex", {"sub": "s"}),
    ("count", {"pat": "a"}), ("count", {"pat": ""}), ("count", {"pat": r"\w+"}), ("count", {"pat": "x*"}),
    ("count", {"pat": "S", "flags": ["IGNORECASE"]}), ("count", {"pat": "aa"}),
    ("replace", {"pat": "a", "repl": "XY"}), ("replace", {"pat": "", "repl": "-"}),
    ("replace", {"pat": "", "repl": "-", "n": 2}), ("replace", {"pat": "a", "repl": "b", "n": 0}),
    ("replace", {"pat": "a", "repl": "b", "n": 1}), ("replace", {"pat": "ss", "repl": "!", "case": False}),
    ("replace", {"pat": r"(\w)(\w)", "repl": r"\2\1", "regex": True}),
    ("replace", {"pat": r"(?P<d>\d)", "repl": r"<\g<d>\g<0>>", "regex": True}),
    ("replace", {"pat": "x*", "repl": "-", "regex": True}), ("replace", {"pat": r"\s+", "repl": " ", "regex": True}),
    ("replace", {"pat": r"a", "repl": "b", "n": 0, "regex": True}),
    ("replace", {"pat": r"[aeiou]", "repl": r"\n", "regex": True, "n": 2}),
    ("replace", {"pat": r"$", "repl": "END", "regex": True}), ("replace", {"pat": "x*y+z", "repl": "lit"}),
    ("replace", {"pat": r"(?<=l)i", "repl": "I", "regex": True}),
    ("removeprefix", {"prefix": "a"}), ("removeprefix", {"prefix": "ΑΣ"}), ("removesuffix", {"suffix": "\n"}),
    ("translate", {"frm": "aeß", "to": "AEs"}), ("translate", {"frm": "", "to": "", "delete": "lΣ "}),
    ("repeat", {"repeats": 3}), ("repeat", {"repeats": 0}), ("repeat", {"repeats": -1}),
    ("slice", {"start": 1, "stop": 3}), ("slice", {"start": -3}), ("slice", {"stop": -1}),
    ("slice", {"step": -1}), ("slice", {"start": 1, "stop": None, "step": 2}), ("slice", {"start": -2, "stop": 0, "step": -1}),
    ("slice", {"start": 10}), ("slice", {"start": 5, "stop": 1}), ("slice", {"start": -100, "stop": 100, "step": 3}),
    ("slice_replace", {"start": 1, "stop": 3, "repl": "X"}), ("slice_replace", {"start": 2, "repl": "X"}),
    ("slice_replace", {"stop": -1, "repl": "X"}), ("slice_replace", {"start": 3, "stop": 1, "repl": "X"}),
    ("slice_replace", {"start": -2, "stop": -4, "repl": ""}), ("slice_replace", {"repl": "X"}),
    ("get", {"i": 0}), ("get", {"i": -1}), ("get", {"i": 3}), ("get", {"i": -5}),
    ("strip", {}), ("lstrip", {}), ("rstrip", {}), ("strip", {"to_strip": "a\n"}),
    ("strip", {"to_strip": "Σ ."}), ("rstrip", {"to_strip": "\u0301e"}), ("lstrip", {"to_strip": ""}),
    ("pad", {"width": 8}), ("pad", {"width": 8, "side": "right", "fillchar": "·"}),
    ("pad", {"width": 9, "side": "both", "fillchar": "*"}), ("center", {"width": 6}), ("center", {"width": 7, "fillchar": "_"}),
    ("ljust", {"width": 5, "fillchar": "ß"}), ("rjust", {"width": 0}), ("zfill", {"width": 6}), ("zfill", {"width": 1}),
    ("split", {}), ("split", {"n": 1}), ("split", {"pat": ","}), ("split", {"pat": ",", "n": 1}),
    ("split", {"pat": "a", "n": 0}), ("split", {"pat": r"\s+"}), ("split", {"pat": r"(,)|;"}),
    ("split", {"pat": "x*"}), ("split", {"pat": "ΑΣ", "regex": False}), ("split", {"pat": ".", "regex": True}),
    ("split", {"pat": r"\W", "n": 2}),
    ("rsplit", {}), ("rsplit", {"n": 1}), ("rsplit", {"pat": ","}), ("rsplit", {"pat": "a", "n": 1}),
    ("rsplit", {"pat": "l", "n": 0}),
    ("partition", {}), ("partition", {"sep": "a"}), ("rpartition", {}), ("rpartition", {"sep": "ß"}),
    ("join", {"sep": "-"}), ("join", {"sep": ""}),
    ("extract", {"pat": r"(\w)(\d)?"}), ("extract", {"pat": r"(?P<first>[a-z]+)\W*(?P<second>\w+)?"}),
    ("extract", {"pat": r"([^\x00-\x7f])"}), ("extract", {"pat": r"(?<=a)(.)"}),
    ("extractall", {"pat": r"(\w)(\d)?"}), ("extractall", {"pat": r"(?P<letter>[a-zß])"}),
    ("findall", {"pat": r"\w+"}), ("findall", {"pat": r"(\w)\w"}), ("findall", {"pat": r"(\w)(\d)?"}),
    ("findall", {"pat": "x*"}), ("findall", {"pat": "", "flags": []}),
    # After an empty match Python retries the other choices at the same position.
    ("findall", {"pat": "a??"}), ("findall", {"pat": "|l"}), ("count", {"pat": "l??"}),
    ("replace", {"pat": "x*?|l", "repl": "-", "regex": True}), ("split", {"pat": "|,", "regex": True}),
    ("extractall", {"pat": "(a??)"}), ("findall", {"pat": r"\b\w"}), ("count", {"pat": r"\B"}),
]


def op_cat(x, other, sep="", na_rep=None):
    """pandas' `str.cat(others, sep, na_rep)` for one row of two columns."""
    parts = [x, other]
    if any(p is None for p in parts):
        if na_rep is None:
            return None
        parts = [na_rep if p is None else p for p in parts]
    return sep.join(parts)


# `cat` joins each string with the string at the mirrored position (the corpus reversed).
CAT_CASES = [{"sep": "-"}, {"sep": "", "na_rep": "?"}, {"sep": " | ", "na_rep": ""}]


def run():
    cases = []
    for args in CAT_CASES:
        expected = [op_cat(x, y, **args) for x, y in zip(CORPUS, reversed(CORPUS))]
        cases.append({"op": "cat", "args": args, "expected": expected})
    for op, args in CASES:
        f = OPS[op]
        expected = []
        for x in CORPUS:
            if x is None:
                expected.append(None)
                continue
            try:
                expected.append(f(x, **args))
            except ValueError as e:
                expected.append({"error": str(e)})
        cases.append({"op": op, "args": args, "expected": expected})
    return {
        "python": sys.version.split()[0],
        "unicode": unicodedata.unidata_version,
        "corpus": CORPUS,
        "cases": cases,
    }


def check_pandas(data):
    """Compares every case with pandas' own object-dtype answers."""
    import warnings

    import pandas as pd

    warnings.simplefilter("ignore")

    s = pd.Series(data["corpus"], dtype=object)
    bad = 0
    for case in data["cases"]:
        op, args = case["op"], dict(case["args"])
        if "flags" in args:
            args["flags"] = flags_of(args["flags"])
        if op in ("byte_length",):
            continue
        if op == "cat":
            others = pd.Series(list(reversed(data["corpus"])), dtype=object)
            got = s.str.cat(others, **args)
            for x, want, have in zip(data["corpus"], case["expected"], got):
                have = None if not isinstance(have, str) else have
                if have != want:
                    bad += 1
                    print(f"pandas differs: cat{case['args']} on {x!r}: pandas {have!r}, oracle {want!r}")
            continue
        if op == "translate":
            args = {"table": str.maketrans(args["frm"], args["to"], args.get("delete", ""))}
        if op in ("extract", "extractall", "partition", "rpartition"):
            continue  # DataFrame results: compared through the functions above
        if op in ("startswith", "endswith") and isinstance(args["pat"], list):
            args["pat"] = tuple(args["pat"])
        if op == "normalize":
            got = s.str.normalize(args["form"])
        elif op in ("index", "rindex") and any(isinstance(e, dict) for e in case["expected"]):
            continue
        else:
            got = getattr(s.str, op)(**args)
        for x, want, have in zip(data["corpus"], case["expected"], got):
            have = None if have is None or (isinstance(have, float) and have != have) else have
            if isinstance(have, tuple):
                have = list(have)
            if isinstance(have, list):
                have = [list(h) if isinstance(h, tuple) else h for h in have]
            if have != want:
                bad += 1
                print(f"pandas differs: {op}{case['args']} on {x!r}: pandas {have!r}, oracle {want!r}")
    print(f"pandas {pd.__version__}: {bad} differences")
    return bad == 0


def main():
    data = run()
    text = json.dumps(data, ensure_ascii=True, indent=None, separators=(",", ":")) + "\n"
    path = os.path.join(HERE, "expected.json")
    if "--pandas" in sys.argv and not check_pandas(data):
        sys.exit(1)
    if "--check" in sys.argv:
        with open(path) as f:
            if f.read() != text:
                print("expected.json is out of date: rerun gen_expected.py", file=sys.stderr)
                sys.exit(1)
        return
    with open(path, "w") as f:
        f.write(text)
    print(f"{len(data['cases'])} cases x {len(CORPUS)} strings -> {path}")


if __name__ == "__main__":
    main()
