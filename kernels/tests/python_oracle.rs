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
use common::cases::{corpus, op_of, without_raised, EXPECTED};
use serde_json::{json, Value};

const KNOWN: &str = include_str!("python/known_differences.json");

#[test]
fn every_case_matches_python_on_every_layout() {
    let data: Value = serde_json::from_str(EXPECTED).unwrap();
    let known: Value = serde_json::from_str(KNOWN).unwrap();
    let known = known["differences"].as_array().unwrap();
    let corpus = corpus(&data);
    let mut failures = Vec::new();
    let mut seen_known = vec![false; known.len()];
    let mut checked = 0;
    for case in data["cases"].as_array().unwrap() {
        let (name, args) = (case["op"].as_str().unwrap(), &case["args"]);
        if name == "cat" {
            checked += check_cat(&corpus, args, case["expected"].as_array().unwrap());
            continue;
        }
        let op = op_of(name, args);
        let compiled = op.compile().unwrap_or_else(|e| panic!("{name}{args}: {e}"));
        let expected = case["expected"].as_array().unwrap();
        let (any_raised, values, want) = without_raised(&corpus, expected);
        if any_raised {
            let all: ArrayRef = Arc::new(StringArray::from(corpus.clone()));
            assert!(
                compiled.apply(all.as_ref()).is_err(),
                "{name}{args} must fail"
            );
        }
        for (layout, array, held, offset) in common::layouts(&values) {
            let got = compiled
                .apply(array.as_ref())
                .unwrap_or_else(|e| panic!("{name}{args} over {layout}: {e}"));
            let got = common::json_rows(got.as_ref());
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

/// `cat` of each string with the string at the mirrored position, the first column in
/// every layout; returns how many values it compared.
fn check_cat(corpus: &[Option<String>], args: &Value, expected: &[Value]) -> usize {
    let sep = args["sep"].as_str().unwrap();
    let na_rep = args.get("na_rep").and_then(Value::as_str);
    let mirrored: Vec<Option<String>> = corpus.iter().rev().cloned().collect();
    let mut checked = 0;
    for (layout, array, held, offset) in common::layouts(corpus) {
        let others = StringArray::from(mirrored[offset..offset + held.len()].to_vec());
        let got = spindle_kernels::cat(&[array.as_ref(), &others], sep, na_rep).unwrap();
        let got = common::json_rows(got.as_ref());
        assert_eq!(
            got,
            expected[offset..offset + held.len()],
            "cat{args} over {layout}"
        );
        checked += got.len();
    }
    checked
}

#[test]
fn the_tables_follow_the_oracles_unicode_version() {
    let data: Value = serde_json::from_str(EXPECTED).unwrap();
    assert_eq!(
        data["unicode"].as_str().unwrap(),
        spindle_kernels::unicode::UNICODE_VERSION,
        "regenerate kernels/src/unicode/tables.rs with the Python that made expected.json"
    );
}
