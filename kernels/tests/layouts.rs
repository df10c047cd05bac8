//! Every kernel against a naive oracle (the obvious per-element code with std), over every
//! string layout: Utf8, LargeUtf8, Utf8View, dictionary, sliced, with and without nulls,
//! ASCII and multi-byte. Case-mapping expectations that std cannot give (Python's own
//! answers) are in the case module's unit tests.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int16Type;
use arrow_array::{
    Array, ArrayRef, BooleanArray, DictionaryArray, Int64Array, LargeStringArray, StringArray,
    StringViewArray,
};
use spindle_kernels::{self as k, CaseMapping, ContainsOptions, Matcher};

/// A small deterministic generator (SplitMix64).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "a", "B", "data", "Memory", " ", "ß", "İ", "Σ", "ΟΔΟΣ", "é", "東京", "😀", "ǅ", "x", "\u{1c}",
    "", "the ", "ﬁ",
];

fn values(seed: u64, n: usize, null_share: usize, ascii_only: bool) -> Vec<Option<String>> {
    let mut rng = Rng(seed);
    (0..n)
        .map(|_| {
            if null_share > 0 && rng.below(100) < null_share {
                return None;
            }
            let mut s = String::new();
            for _ in 0..rng.below(8) {
                let p = PIECES[rng.below(PIECES.len())];
                if !ascii_only || p.is_ascii() {
                    s.push_str(p);
                }
            }
            Some(s)
        })
        .collect()
}

/// The same values in every layout, each paired with the values it holds.
fn layouts(v: &[Option<String>]) -> Vec<(&'static str, ArrayRef, Vec<Option<String>>)> {
    let strs: Vec<Option<&str>> = v.iter().map(|s| s.as_deref()).collect();
    let utf8: ArrayRef = Arc::new(StringArray::from(strs.clone()));
    let large: ArrayRef = Arc::new(LargeStringArray::from(strs.clone()));
    let view: ArrayRef = Arc::new(StringViewArray::from(strs.clone()));
    let dict: ArrayRef = Arc::new(strs.iter().copied().collect::<DictionaryArray<Int16Type>>());
    let n = v.len();
    let (start, len) = (n / 3, n / 2);
    vec![
        ("utf8", utf8.clone(), v.to_vec()),
        ("large", large.clone(), v.to_vec()),
        ("view", view.clone(), v.to_vec()),
        ("dict", dict.clone(), v.to_vec()),
        (
            "utf8 sliced",
            utf8.slice(start, len),
            v[start..start + len].to_vec(),
        ),
        (
            "large sliced",
            large.slice(start, len),
            v[start..start + len].to_vec(),
        ),
        (
            "view sliced",
            view.slice(start, len),
            v[start..start + len].to_vec(),
        ),
        (
            "dict sliced",
            dict.slice(start, len),
            v[start..start + len].to_vec(),
        ),
    ]
}

fn strings_of(a: &dyn Array) -> Vec<Option<String>> {
    let a = match a.data_type() {
        arrow_schema::DataType::Dictionary(_, _) => arrow_cast_free_unpack(a),
        _ => a.slice(0, a.len()),
    };
    match a.data_type() {
        arrow_schema::DataType::Utf8 => a
            .as_string::<i32>()
            .iter()
            .map(|s| s.map(str::to_string))
            .collect(),
        arrow_schema::DataType::LargeUtf8 => a
            .as_string::<i64>()
            .iter()
            .map(|s| s.map(str::to_string))
            .collect(),
        arrow_schema::DataType::Utf8View => a
            .as_string_view()
            .iter()
            .map(|s| s.map(str::to_string))
            .collect(),
        other => panic!("not a string type: {other}"),
    }
}

/// Unpacks a dictionary of strings without arrow-cast: value per key.
fn arrow_cast_free_unpack(a: &dyn Array) -> ArrayRef {
    let d = a.as_any_dictionary();
    let values = strings_of(d.values().as_ref());
    if values.is_empty() {
        return Arc::new(StringArray::from(vec![None::<&str>; a.len()]));
    }
    let keys = d.normalized_keys();
    let out: StringArray = (0..a.len())
        .map(|i| {
            if d.keys().is_null(i) {
                None
            } else {
                values[keys[i]].clone()
            }
        })
        .collect();
    Arc::new(out)
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
        for (name, array, expect) in layouts(&v) {
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
        for (name, array, expect) in layouts(&v) {
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
        for (name, array, expect) in layouts(&v) {
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
        for (name, array, expect) in layouts(&v) {
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
                let got = bools(&k::startswith(array.as_ref(), pat, None).unwrap());
                let want: Vec<Option<bool>> = expect
                    .iter()
                    .map(|s| s.as_ref().map(|s| s.starts_with(pat)))
                    .collect();
                assert_eq!(got, want, "startswith {pat:?} over {name}");
                let got = bools(&k::endswith(array.as_ref(), pat, Some(false)).unwrap());
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
                        letters > 0 && s[letters..].chars().next().is_some_and(char::is_whitespace)
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
