//! Every kernel against a naive oracle (the obvious per-element code with std), over every
//! string layout: Utf8, LargeUtf8, Utf8View, dictionary, sliced, with and without nulls,
//! ASCII and multi-byte. Case-mapping expectations that std cannot give (Python's own
//! answers) are in the case module's unit tests.

mod common;

use arrow_array::{Array, ArrayRef, BooleanArray, Int64Array, StringArray};
use common::{json_row, json_rows, layouts, strings_of, values};
use serde_json::Value;
use spindle_kernels::{
    self as k, CaseMapping, CharClass, ContainsOptions, FindKind, Form, Matcher, ReplaceOptions,
    Side, StrOp, TranslateTable,
};

/// Python's `str.isspace`, written out: Unicode White_Space plus U+001C..U+001F.
fn python_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

fn bools(a: &BooleanArray) -> Vec<Option<bool>> {
    a.iter().collect()
}

fn ints(a: &Int64Array) -> Vec<Option<i64>> {
    a.iter().collect()
}

fn cases() -> Vec<Vec<Option<String>>> {
    vec![
        values(1, 300, 10, false),
        values(2, 300, 0, false),
        values(3, 300, 10, true),
        values(4, 300, 0, true),
        vec![],
        vec![None, None],
    ]
}

#[test]
fn len_and_byte_length_match_std() {
    for v in cases() {
        for (name, array, expect, _) in layouts(&v) {
            let got = ints(&k::len(array.as_ref()).unwrap());
            let want: Vec<Option<i64>> = expect
                .iter()
                .map(|s| s.as_ref().map(|s| s.chars().count() as i64))
                .collect();
            assert_eq!(got, want, "len over {name}");
            let got = ints(&k::byte_length(array.as_ref()).unwrap());
            let want: Vec<Option<i64>> = expect
                .iter()
                .map(|s| s.as_ref().map(|s| s.len() as i64))
                .collect();
            assert_eq!(got, want, "byte_length over {name}");
        }
    }
}

#[test]
fn case_mapping_matches_std_full_mapping() {
    for v in cases() {
        for (name, array, expect, _) in layouts(&v) {
            let got = strings_of(
                k::lower(array.as_ref(), CaseMapping::Full)
                    .unwrap()
                    .as_ref(),
            );
            let want: Vec<Option<String>> = expect
                .iter()
                .map(|s| s.as_ref().map(|s| s.to_lowercase()))
                .collect();
            assert_eq!(got, want, "lower over {name}");
            let got = strings_of(
                k::upper(array.as_ref(), CaseMapping::Full)
                    .unwrap()
                    .as_ref(),
            );
            let want: Vec<Option<String>> = expect
                .iter()
                .map(|s| s.as_ref().map(|s| s.to_uppercase()))
                .collect();
            assert_eq!(got, want, "upper over {name}");
            assert_eq!(
                k::upper(array.as_ref(), CaseMapping::Full)
                    .unwrap()
                    .data_type(),
                array.data_type(),
                "{name}"
            );
        }
    }
}

#[test]
fn simple_mapping_keeps_code_point_counts() {
    for v in cases() {
        for (name, array, expect, _) in layouts(&v) {
            let got = strings_of(
                k::upper(array.as_ref(), CaseMapping::Simple)
                    .unwrap()
                    .as_ref(),
            );
            for (g, e) in got.iter().zip(&expect) {
                assert_eq!(
                    g.as_ref().map(|s| s.chars().count()),
                    e.as_ref().map(|s| s.chars().count()),
                    "{name}: {e:?}"
                );
            }
        }
    }
}

#[test]
fn search_matches_std() {
    for v in cases() {
        for (name, array, expect, _) in layouts(&v) {
            for pat in ["a", "ΟΔ", "", "the ", "😀", "zz"] {
                let literal = ContainsOptions {
                    regex: false,
                    ..Default::default()
                };
                let got = bools(&k::contains(array.as_ref(), pat, &literal).unwrap());
                let want: Vec<Option<bool>> = expect
                    .iter()
                    .map(|s| s.as_ref().map(|s| s.contains(pat)))
                    .collect();
                assert_eq!(got, want, "contains {pat:?} over {name}");
                let got = bools(&k::startswith(array.as_ref(), &[pat], None).unwrap());
                let want: Vec<Option<bool>> = expect
                    .iter()
                    .map(|s| s.as_ref().map(|s| s.starts_with(pat)))
                    .collect();
                assert_eq!(got, want, "startswith {pat:?} over {name}");
                let got = bools(&k::endswith(array.as_ref(), &[pat], Some(false)).unwrap());
                let want: Vec<Option<bool>> = expect
                    .iter()
                    .map(|s| Some(s.as_ref().is_some_and(|s| s.ends_with(pat))))
                    .collect();
                assert_eq!(got, want, "endswith {pat:?} na=False over {name}");
            }
            let caseless = ContainsOptions {
                regex: false,
                case: false,
                ..Default::default()
            };
            let got = bools(&k::contains(array.as_ref(), "data", &caseless).unwrap());
            let want: Vec<Option<bool>> = expect
                .iter()
                .map(|s| s.as_ref().map(|s| s.to_uppercase().contains("DATA")))
                .collect();
            assert_eq!(got, want, "caseless contains over {name}");
            let re = Matcher::regex(r"^[a-z]+\s", 0).unwrap();
            let got = bools(&k::matches(array.as_ref(), &re).unwrap());
            let want: Vec<Option<bool>> = expect
                .iter()
                .map(|s| {
                    s.as_ref().map(|s| {
                        let letters = s.bytes().take_while(u8::is_ascii_lowercase).count();
                        letters > 0 && s[letters..].chars().next().is_some_and(python_space)
                    })
                })
                .collect();
            assert_eq!(got, want, "regex over {name}");
        }
    }
}

#[test]
fn non_string_input_is_an_error_not_a_panic() {
    let ints = Int64Array::from(vec![1, 2]);
    let err = k::lower(&ints, CaseMapping::Full).unwrap_err();
    assert!(
        err.to_string()
            .contains("lower expects a string column, got Int64"),
        "{err}"
    );
    assert!(k::len(&ints).is_err());
    assert!(k::contains(&ints, "a", &ContainsOptions::default()).is_err());
}

/// One op of every kind, with arguments that exercise its paths.
fn every_op() -> Vec<StrOp> {
    let contains = |regex, case| ContainsOptions {
        case,
        regex,
        ..Default::default()
    };
    let replace = |regex, n| ReplaceOptions {
        regex,
        n,
        ..Default::default()
    };
    let mut ops = vec![
        StrOp::Len,
        StrOp::ByteLength,
        StrOp::Lower(CaseMapping::Full),
        StrOp::Upper(CaseMapping::Simple),
        StrOp::Title,
        StrOp::Capitalize,
        StrOp::Swapcase,
        StrOp::Casefold,
        StrOp::Contains {
            pat: "a".into(),
            options: contains(false, true),
        },
        StrOp::Contains {
            pat: "ss".into(),
            options: contains(false, false),
        },
        StrOp::Contains {
            pat: r"\w\s".into(),
            options: contains(true, true),
        },
        StrOp::Match {
            pat: "(?i)the".into(),
            options: contains(true, true),
        },
        StrOp::FullMatch {
            pat: r"[a-zß ]*".into(),
            options: contains(true, true),
        },
        StrOp::StartsWith {
            pats: vec!["the".into(), "ǅ".into()],
            na: Some(false),
        },
        StrOp::EndsWith {
            pats: vec!["a".into()],
            na: None,
        },
        StrOp::Find {
            sub: "a".into(),
            start: 1,
            end: Some(-1),
            kind: FindKind::Find,
        },
        StrOp::Find {
            sub: "Σ".into(),
            start: 0,
            end: None,
            kind: FindKind::Rfind,
        },
        StrOp::Count {
            pat: "a|ß".into(),
            flags: 0,
        },
        StrOp::Count {
            pat: "the".into(),
            flags: 0,
        },
        StrOp::Replace {
            pat: "a".into(),
            repl: "ΑΑ".into(),
            options: replace(false, -1),
        },
        StrOp::Replace {
            pat: "zzz".into(),
            repl: "x".into(),
            options: replace(false, -1),
        },
        StrOp::Replace {
            pat: r"(\w)(\w)".into(),
            repl: r"\2\1".into(),
            options: replace(true, 1),
        },
        StrOp::RegexpReplace {
            pat: "a".into(),
            repl: "<\\0>".into(),
            flags: 0,
            global: true,
        },
        StrOp::RemovePrefix("the ".into()),
        StrOp::RemoveSuffix("a".into()),
        StrOp::Translate(TranslateTable::maketrans("aß", "bs", "Σ").unwrap()),
        StrOp::Repeat(2),
        StrOp::Slice {
            start: Some(1),
            stop: Some(-1),
            step: None,
        },
        StrOp::Slice {
            start: None,
            stop: None,
            step: Some(-2),
        },
        StrOp::SliceReplace {
            start: Some(1),
            stop: Some(3),
            repl: "_".into(),
        },
        StrOp::Get(-1),
        StrOp::Substr {
            start: -3,
            length: Some(2),
        },
        StrOp::SplitPart {
            sep: "a".into(),
            index: -1,
        },
        StrOp::SplitPart {
            sep: "".into(),
            index: 2,
        },
        StrOp::Strip {
            side: Side::Both,
            chars: None,
        },
        StrOp::Strip {
            side: Side::Right,
            chars: Some("aΣ".into()),
        },
        StrOp::Pad {
            width: 12,
            side: Side::Both,
            fillchar: '·',
        },
        StrOp::Zfill(9),
        StrOp::Split {
            pat: None,
            n: -1,
            regex: None,
        },
        StrOp::Split {
            pat: Some("a".into()),
            n: 2,
            regex: None,
        },
        StrOp::Split {
            pat: Some(r"\s+".into()),
            n: -1,
            regex: None,
        },
        StrOp::Rsplit {
            pat: Some(" ".into()),
            n: 1,
        },
        StrOp::Partition {
            sep: " ".into(),
            reverse: false,
        },
        StrOp::Partition {
            sep: "a".into(),
            reverse: true,
        },
        StrOp::Join("-".into()),
        StrOp::Extract {
            pat: r"(\w)(?P<n>\d)?".into(),
            flags: 0,
            expand: true,
        },
        StrOp::Extract {
            pat: r"(\w+)".into(),
            flags: 0,
            expand: false,
        },
        StrOp::ExtractAll {
            pat: r"(a)(.)?".into(),
            flags: 0,
        },
        StrOp::FindAll {
            pat: r"\w+".into(),
            flags: 0,
        },
        StrOp::FindAll {
            pat: r"(\w)(\w)".into(),
            flags: 0,
        },
        StrOp::Normalize(Form::Nfd),
        StrOp::Normalize(Form::Nfkc),
    ];
    ops.extend(CharClass::ALL.map(StrOp::Is));
    ops
}

/// Every op gives, on every layout, slice and null pattern, what it gives for each row
/// alone (a one-row array takes the row's own ASCII or non-ASCII path), and the same
/// whole as in pieces: the executor's partitions can never change an answer.
#[test]
fn every_op_is_row_independent_on_every_layout_and_in_pieces() {
    for v in cases() {
        for op in every_op() {
            let compiled = op.compile().unwrap();
            let run = |a: &dyn Array| -> Vec<Value> {
                json_rows(
                    compiled
                        .apply(a)
                        .unwrap_or_else(|e| panic!("{op:?}: {e}"))
                        .as_ref(),
                )
            };
            let alone: Vec<Value> = v
                .iter()
                .map(|x| {
                    let one = StringArray::from(vec![x.as_deref()]);
                    json_row(compiled.apply(&one).unwrap().as_ref(), 0)
                })
                .collect();
            for (name, array, held, start) in layouts(&v) {
                assert_eq!(
                    run(array.as_ref()),
                    alone[start..start + held.len()],
                    "{op:?} over {name}"
                );
                let pieces: Vec<Value> = (0..array.len())
                    .step_by(7)
                    .flat_map(|at| run(array.slice(at, 7.min(array.len() - at)).as_ref()))
                    .collect();
                assert_eq!(
                    pieces,
                    alone[start..start + held.len()],
                    "{op:?} in pieces over {name}"
                );
            }
        }
    }
}

/// The obvious std code for the kernels std can express.
#[test]
fn kernels_match_naive_std_code() {
    fn strings(a: ArrayRef) -> Vec<Option<String>> {
        strings_of(a.as_ref())
    }
    for v in cases() {
        for (name, array, held, _) in layouts(&v) {
            let a = array.as_ref();
            let map = |f: &dyn Fn(&str) -> String| -> Vec<Option<String>> {
                held.iter().map(|s| s.as_deref().map(f)).collect()
            };
            let literal = k::Replacer::pandas("a", "XY", &ReplaceOptions::default()).unwrap();
            assert_eq!(
                strings(k::replace(a, &literal).unwrap()),
                map(&|s| s.replace('a', "XY")),
                "{name}"
            );
            assert_eq!(
                strings(k::repeat(a, 3).unwrap()),
                map(&|s| s.repeat(3)),
                "{name}"
            );
            assert_eq!(
                strings(k::strip(a, Side::Both, None).unwrap()),
                map(&|s| s.trim_matches(python_space).to_string()),
                "{name}"
            );
            assert_eq!(
                strings(k::slice(a, Some(1), Some(4), None).unwrap()),
                map(&|s| s.chars().skip(1).take(3).collect()),
                "{name}"
            );
            assert_eq!(
                strings(k::casefold(a).unwrap()),
                map(&|s| s
                    .to_lowercase()
                    .replace('ß', "ss")
                    .replace('ς', "σ")
                    .replace('ﬁ', "fi")),
                "{name}"
            );
            let found = ints(&k::find(a, "a", 0, None, FindKind::Find).unwrap());
            let want: Vec<Option<i64>> = held
                .iter()
                .map(|s| {
                    s.as_deref()
                        .map(|s| s.find('a').map_or(-1, |b| s[..b].chars().count() as i64))
                })
                .collect();
            assert_eq!(found, want, "find over {name}");
            let split = k::split(a, &k::Splitter::literal("a").unwrap(), -1).unwrap();
            let want: Vec<Value> = held
                .iter()
                .map(|s| match s {
                    Some(s) => Value::Array(s.split('a').map(Value::from).collect()),
                    None => Value::Null,
                })
                .collect();
            assert_eq!(json_rows(split.as_ref()), want, "split over {name}");
        }
    }
}
