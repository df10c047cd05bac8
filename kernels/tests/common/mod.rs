//! Shared by the kernels' integration tests: a seeded value generator, every string
//! layout of one set of values, and a JSON view of any kernel result.
#![allow(dead_code)]

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int16Type;
use arrow_array::{
    Array, ArrayRef, DictionaryArray, LargeStringArray, StringArray, StringViewArray,
};
use arrow_schema::DataType;
use serde_json::Value;

pub mod cases;

/// A small deterministic generator (SplitMix64).
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "a", "B", "data", "Memory", " ", "ß", "İ", "Σ", "ΟΔΟΣ", "é", "東京", "😀", "ǅ", "x", "\u{1c}",
    "", "the ", "ﬁ",
];

pub fn values(seed: u64, n: usize, null_share: usize, ascii_only: bool) -> Vec<Option<String>> {
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

/// The same values in every layout, whole and sliced: each with its name, the array, the
/// values it holds, and where those start in `v`.
pub fn layouts(v: &[Option<String>]) -> Vec<(&'static str, ArrayRef, Vec<Option<String>>, usize)> {
    let strs: Vec<Option<&str>> = v.iter().map(|s| s.as_deref()).collect();
    let whole: [(&'static str, &'static str, ArrayRef); 4] = [
        (
            "utf8",
            "utf8 sliced",
            Arc::new(StringArray::from(strs.clone())),
        ),
        (
            "large",
            "large sliced",
            Arc::new(LargeStringArray::from(strs.clone())),
        ),
        (
            "view",
            "view sliced",
            Arc::new(StringViewArray::from(strs.clone())),
        ),
        (
            "dict",
            "dict sliced",
            Arc::new(strs.iter().copied().collect::<DictionaryArray<Int16Type>>()),
        ),
    ];
    let (start, len) = (v.len() / 3, v.len() / 2);
    let mut out = Vec::with_capacity(8);
    for (name, _, array) in &whole {
        out.push((*name, array.clone(), v.to_vec(), 0));
    }
    for (_, sliced, array) in &whole {
        out.push((
            *sliced,
            array.slice(start, len),
            v[start..start + len].to_vec(),
            start,
        ));
    }
    out
}

pub fn strings_of(a: &dyn Array) -> Vec<Option<String>> {
    let a = match a.data_type() {
        DataType::Dictionary(_, _) => arrow_cast_free_unpack(a),
        _ => a.slice(0, a.len()),
    };
    match a.data_type() {
        DataType::Utf8 => a
            .as_string::<i32>()
            .iter()
            .map(|s| s.map(str::to_string))
            .collect(),
        DataType::LargeUtf8 => a
            .as_string::<i64>()
            .iter()
            .map(|s| s.map(str::to_string))
            .collect(),
        DataType::Utf8View => a
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

/// One row of any kernel result as JSON: strings, integers, floats, booleans, lists (arrays),
/// structs (arrays of their fields in order), null.
pub fn json_row(a: &dyn Array, i: usize) -> Value {
    if a.is_null(i) {
        return Value::Null;
    }
    match a.data_type() {
        DataType::Utf8 => a.as_string::<i32>().value(i).into(),
        DataType::LargeUtf8 => a.as_string::<i64>().value(i).into(),
        DataType::Utf8View => a.as_string_view().value(i).into(),
        DataType::Int64 => a
            .as_primitive::<arrow_array::types::Int64Type>()
            .value(i)
            .into(),
        DataType::Float64 => a
            .as_primitive::<arrow_array::types::Float64Type>()
            .value(i)
            .into(),
        DataType::Boolean => a.as_boolean().value(i).into(),
        DataType::Dictionary(_, _) => {
            let d = a.as_any_dictionary();
            let k = d.normalized_keys()[i];
            json_row(d.values().as_ref(), k)
        }
        DataType::List(_) => {
            let items = a.as_list::<i32>().value(i);
            Value::Array(
                (0..items.len())
                    .map(|j| json_row(items.as_ref(), j))
                    .collect(),
            )
        }
        DataType::Struct(_) => {
            let s = a.as_struct();
            Value::Array(
                s.columns()
                    .iter()
                    .map(|c| json_row(c.as_ref(), i))
                    .collect(),
            )
        }
        other => panic!("no JSON view for {other}"),
    }
}

/// Every row of a result as JSON.
pub fn json_rows(a: &dyn Array) -> Vec<Value> {
    (0..a.len()).map(|i| json_row(a, i)).collect()
}
