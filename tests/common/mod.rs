//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod exercise;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BooleanArray, DictionaryArray, Float64Array, Int64Array, LargeStringArray,
    RecordBatch, StringArray, StringViewArray,
};

/// A fresh directory under the target directory, removed and recreated.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A checked-in fixture (the tests of the `cli` crate share this module).
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join("datasets/fixtures"))
        .find(|dir| dir.is_dir())
        .expect("the workspace's datasets/fixtures")
        .join(name)
}

/// Row `i`'s string, null every 7th row, non-ASCII every 5th.
pub fn text(i: usize) -> Option<String> {
    match i % 7 {
        3 => None,
        _ if i.is_multiple_of(5) => Some(format!("Straße Σ{i} ΟΔΟΣ")),
        _ => Some(format!("row {i} memory Data")),
    }
}

/// A batch of rows `start..start + n` with every column type the engine reads.
pub fn batch(start: usize, n: usize) -> RecordBatch {
    let texts: Vec<Option<String>> = (start..start + n).map(text).collect();
    let strs: Vec<Option<&str>> = texts.iter().map(|s| s.as_deref()).collect();
    let cats: DictionaryArray<Int32Type> = (start..start + n)
        .map(|i| {
            if i.is_multiple_of(11) {
                None
            } else {
                Some(["red", "Grün", "blue"][i % 3])
            }
        })
        .collect();
    let columns: Vec<(&str, ArrayRef)> = vec![
        (
            "id",
            Arc::new(Int64Array::from_iter_values(
                (start..start + n).map(|i| i as i64),
            )),
        ),
        ("text", Arc::new(StringArray::from(strs.clone()))),
        ("large", Arc::new(LargeStringArray::from(strs.clone()))),
        ("view", Arc::new(StringViewArray::from(strs))),
        ("cat", Arc::new(cats)),
        (
            "score",
            Arc::new(Float64Array::from_iter(
                (start..start + n).map(|i| (!i.is_multiple_of(13)).then_some(i as f64 / 2.0)),
            )),
        ),
        (
            "flag",
            Arc::new(BooleanArray::from_iter(
                (start..start + n).map(|i| (!i.is_multiple_of(9)).then_some(i.is_multiple_of(2))),
            )),
        ),
    ];
    RecordBatch::try_from_iter(columns).unwrap()
}

/// Writes `batches` batches of `rows` rows with spindle's writer; returns the path.
pub fn write_sample(dir: &Path, batches: usize, rows: usize) -> PathBuf {
    let path = dir.join("sample.arrow");
    let all: Vec<RecordBatch> = (0..batches).map(|b| batch(b * rows, rows)).collect();
    spindle::DataFrame::from_batches(all[0].schema(), all)
        .unwrap()
        .write_ipc(&path)
        .unwrap();
    path
}
