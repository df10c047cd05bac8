//! The differential suite against Python: `python/gen_expected.py` applied Python's
//! `str` and `re` (as pandas' object dtype does) to a corpus of hard strings for every
//! operation and parameter set and committed the answers in `python/expected.json`. Here
//! each case runs through spindle over every string layout and must give the same
//! answers, except the differences listed, with their reasons, in
//! `python/known_differences.json`; each of those is asserted too, so a fixed difference
//! must be taken off the list.

mod common;

use std::sync::Arc;

use arrow_array::{ArrayRef, StringArray};
use serde_json::{json, Value};
use spindle_kernels::{
    CaseMapping, CharClass, ContainsOptions, FindKind, Form, ReplaceOptions, Side, StrOp,
    TranslateTable,
};

const EXPECTED: &str = include_str!("python/expected.json");
const KNOWN: &str = include_str!("python/known_differences.json");

fn s(args: &Value, k: &str) -> Option<String> {
    args.get(k).and_then(Value::as_str).map(String::from)
}
fn i(args: &Value, k: &str) -> Option<i64> {
    args.get(k).and_then(Value::as_i64)
}
fn b(args: &Value, k: &str) -> Option<bool> {
    args.get(k).and_then(Value::as_bool)
}
fn re_flags(args: &Value) -> u32 {
    use spindle_kernels::flags::*;
    args.get("flags")
        .and_then(Value::as_array)
        .map(|names| {
            names
                .iter()
                .map(|n| match n.as_str() {
                    Some("IGNORECASE") => IGNORECASE,
                    Some("MULTILINE") => MULTILINE,
                    Some("DOTALL") => DOTALL,
                    Some("VERBOSE") => VERBOSE,
                    Some("ASCII") => ASCII,
                    other => panic!("flag {other:?}"),
                })
                .fold(0, |a, f| a | f)
        })
        .unwrap_or(0)
}
fn pats(args: &Value) -> Vec<String> {
    match &args["pat"] {
        Value::String(p) => vec![p.clone()],
        Value::Array(ps) => ps.iter().map(|p| p.as_str().unwrap().to_string()).collect(),
        other => panic!("pat {other}"),
    }
}

/// The spindle op for one Python case.
fn op_of(op: &str, args: &Value) -> StrOp {
    let contains = || ContainsOptions {
        case: b(args, "case").unwrap_or(true),
        flags: re_flags(args),
        regex: b(args, "regex").unwrap_or(true),
        na: None,
    };
    let find = |kind| StrOp::Find {
        sub: s(args, "sub").unwrap(),
        start: i(args, "start").unwrap_or(0),
        end: i(args, "end"),
        kind,
    };
    let strip = |side| StrOp::Strip {
        side,
        chars: s(args, "to_strip"),
    };
    let fill = || {
        s(args, "fillchar")
            .map(|f| f.chars().next().unwrap())
            .unwrap_or(' ')
    };
    let pad = |side| StrOp::Pad {
        width: i(args, "width").unwrap(),
        side,
        fillchar: fill(),
    };
    match op {
        "len" => StrOp::Len,
        "byte_length" => StrOp::ByteLength,
        "lower" => StrOp::Lower(CaseMapping::Full),
        "upper" => StrOp::Upper(CaseMapping::Full),
        "title" => StrOp::Title,
        "capitalize" => StrOp::Capitalize,
        "swapcase" => StrOp::Swapcase,
        "casefold" => StrOp::Casefold,
        "contains" => StrOp::Contains {
            pat: s(args, "pat").unwrap(),
            options: contains(),
        },
        "match" => StrOp::Match {
            pat: s(args, "pat").unwrap(),
            options: contains(),
        },
        "fullmatch" => StrOp::FullMatch {
            pat: s(args, "pat").unwrap(),
            options: contains(),
        },
        "startswith" => StrOp::StartsWith {
            pats: pats(args),
            na: None,
        },
        "endswith" => StrOp::EndsWith {
            pats: pats(args),
            na: None,
        },
        "find" => find(FindKind::Find),
        "rfind" => find(FindKind::Rfind),
        "index" => find(FindKind::Index),
        "rindex" => find(FindKind::Rindex),
        "count" => StrOp::Count {
            pat: s(args, "pat").unwrap(),
            flags: re_flags(args),
        },
        "replace" => StrOp::Replace {
            pat: s(args, "pat").unwrap(),
            repl: s(args, "repl").unwrap(),
            options: ReplaceOptions {
                n: i(args, "n").unwrap_or(-1),
                case: b(args, "case").unwrap_or(true),
                flags: re_flags(args),
                regex: b(args, "regex").unwrap_or(false),
            },
        },
        "removeprefix" => StrOp::RemovePrefix(s(args, "prefix").unwrap()),
        "removesuffix" => StrOp::RemoveSuffix(s(args, "suffix").unwrap()),
        "translate" => StrOp::Translate(
            TranslateTable::maketrans(
                &s(args, "frm").unwrap(),
                &s(args, "to").unwrap(),
                &s(args, "delete").unwrap_or_default(),
            )
            .unwrap(),
        ),
        "repeat" => StrOp::Repeat(i(args, "repeats").unwrap()),
        "slice" => StrOp::Slice {
            start: i(args, "start"),
            stop: i(args, "stop"),
            step: i(args, "step"),
        },
        "slice_replace" => StrOp::SliceReplace {
            start: i(args, "start"),
            stop: i(args, "stop"),
            repl: s(args, "repl").unwrap_or_default(),
        },
        "get" => StrOp::Get(i(args, "i").unwrap()),
        "strip" => strip(Side::Both),
        "lstrip" => strip(Side::Left),
        "rstrip" => strip(Side::Right),
        "pad" => pad(match s(args, "side").as_deref() {
            None | Some("left") => Side::Left,
            Some("right") => Side::Right,
            _ => Side::Both,
        }),
        "ljust" => pad(Side::Right),
        "rjust" => pad(Side::Left),
        "center" => pad(Side::Both),
        "zfill" => StrOp::Zfill(i(args, "width").unwrap()),
        "split" => StrOp::Split {
            pat: s(args, "pat"),
            n: i(args, "n").unwrap_or(-1),
            regex: b(args, "regex"),
        },
        "rsplit" => StrOp::Rsplit {
            pat: s(args, "pat"),
            n: i(args, "n").unwrap_or(-1),
        },
        "partition" | "rpartition" => StrOp::Partition {
            sep: s(args, "sep").unwrap_or_else(|| " ".into()),
            reverse: op == "rpartition",
        },
        "join" => StrOp::Join(s(args, "sep").unwrap()),
        "extract" => StrOp::Extract {
            pat: s(args, "pat").unwrap(),
            flags: re_flags(args),
            expand: true,
        },
        "extractall" => StrOp::ExtractAll {
            pat: s(args, "pat").unwrap(),
            flags: re_flags(args),
        },
        "findall" => StrOp::FindAll {
            pat: s(args, "pat").unwrap(),
            flags: re_flags(args),
        },
        "normalize" => StrOp::Normalize(s(args, "form").unwrap().parse().unwrap()),
        other => {
            let class = CharClass::ALL
                .into_iter()
                .find(|c| c.name() == other)
                .unwrap_or_else(|| panic!("unknown op {other}"));
            StrOp::Is(class)
        }
    }
}

#[test]
fn every_case_matches_python_on_every_layout() {
    let data: Value = serde_json::from_str(EXPECTED).unwrap();
    let known: Value = serde_json::from_str(KNOWN).unwrap();
    let known = known["differences"].as_array().unwrap();
    let corpus: Vec<Option<String>> = data["corpus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().map(String::from))
        .collect();
    let mut failures = Vec::new();
    let mut seen_known = vec![false; known.len()];
    let mut checked = 0;
    for case in data["cases"].as_array().unwrap() {
        let (name, args) = (case["op"].as_str().unwrap(), &case["args"]);
        let op = op_of(name, args);
        let compiled = op.compile().unwrap_or_else(|e| panic!("{name}{args}: {e}"));
        let expected = case["expected"].as_array().unwrap();
        // Python raised on some values (`index` without a match): the whole array is an
        // error in spindle, and the other values are compared on their own.
        let raised: Vec<bool> = expected.iter().map(|e| e.get("error").is_some()).collect();
        if raised.iter().any(|&r| r) {
            let all: ArrayRef = Arc::new(StringArray::from(corpus.clone()));
            assert!(
                compiled.apply(all.as_ref()).is_err(),
                "{name}{args} must fail"
            );
        }
        let values: Vec<Option<String>> = corpus
            .iter()
            .zip(&raised)
            .filter(|(_, r)| !**r)
            .map(|(v, _)| v.clone())
            .collect();
        let want: Vec<&Value> = expected
            .iter()
            .zip(&raised)
            .filter(|(_, r)| !**r)
            .map(|(v, _)| v)
            .collect();
        for (layout, array, held) in common::layouts(&values) {
            let got = compiled
                .apply(array.as_ref())
                .unwrap_or_else(|e| panic!("{name}{args} over {layout}: {e}"));
            let got = common::json_rows(got.as_ref());
            let offset = values
                .windows(held.len().max(1))
                .position(|w| w == held.as_slice())
                .unwrap_or(0);
            for (j, g) in got.iter().enumerate() {
                let w = want[offset + j];
                checked += 1;
                if g == w {
                    continue;
                }
                let input = held[j].clone();
                let listed = known.iter().position(|k| {
                    k["op"] == json!(name)
                        && k["args"] == *args
                        && k["input"] == json!(input)
                        && k["spindle"] == *g
                        && k["python"] == *w
                });
                match listed {
                    Some(k) => seen_known[k] = true,
                    None => failures.push(format!(
                        "{name}{args} over {layout} on {input:?}: spindle {g}, python {w}"
                    )),
                }
            }
        }
    }
    failures.dedup();
    assert!(
        failures.is_empty(),
        "{} differences from Python:\n{}",
        failures.len(),
        failures.join("\n")
    );
    for (k, seen) in known.iter().zip(seen_known) {
        assert!(seen, "listed difference no longer occurs; remove it: {k}");
    }
    assert!(checked > 10_000, "only {checked} values compared");
}

#[test]
fn the_tables_follow_the_oracles_unicode_version() {
    let data: Value = serde_json::from_str(EXPECTED).unwrap();
    assert_eq!(
        data["unicode"].as_str().unwrap(),
        spindle_kernels::unicode::UNICODE_VERSION,
        "regenerate kernels/src/unicode/tables.rs with the Python that made expected.json"
    );
    let _ = Form::Nfc;
}
