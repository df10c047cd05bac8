//! Sizes: `len` in code points (Python's `len(str)`) and `byte_length` in UTF-8 bytes.

use arrow_array::cast::AsArray;
use arrow_array::{Array, Int64Array};
use arrow_schema::DataType;

use crate::driver::{map_bytes_i64, map_i64};
use crate::error::Result;

/// Number of code points in each string, as Python's `len`. An all-ASCII `Utf8` or
/// `LargeUtf8` array is answered from its offsets alone.
///
/// # Errors
/// [`crate::KernelError::UnsupportedType`] when `array` is not a string array.
pub fn len(array: &dyn Array) -> Result<Int64Array> {
    match array.data_type() {
        // Mixed text: code points counted on the bytes, row by row, from the offsets.
        DataType::Utf8 | DataType::LargeUtf8 if !is_ascii_array(array) => {
            map_bytes_i64(array, "len", &count_chars)
        }
        _ => map_i64(
            array,
            "len",
            &|s| Ok(char_count(s)),
            Some(|bytes| bytes as i64),
        ),
    }
}

/// True when a `Utf8` or `LargeUtf8` array's values are all ASCII.
fn is_ascii_array(array: &dyn Array) -> bool {
    match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().is_ascii(),
        DataType::LargeUtf8 => array.as_string::<i64>().is_ascii(),
        _ => false,
    }
}

/// Number of UTF-8 bytes in each string (read from the views alone for `Utf8View`).
///
/// # Errors
/// [`crate::KernelError::UnsupportedType`] when `array` is not a string array.
pub fn byte_length(array: &dyn Array) -> Result<Int64Array> {
    if array.data_type() == &DataType::Utf8View {
        // A view holds its string's length in its low 32 bits: no data is read.
        let a = array.as_string_view();
        let lengths: Vec<i64> = a.views().iter().map(|&v| v as u32 as i64).collect();
        return Ok(Int64Array::new(lengths.into(), a.nulls().cloned()));
    }
    map_i64(
        array,
        "byte_length",
        &|s: &str| Ok(s.len() as i64),
        Some(|b| b as i64),
    )
}

/// Code points in `s`: every byte that is not a UTF-8 continuation byte starts one.
pub(crate) fn char_count(s: &str) -> i64 {
    count_chars(s.as_bytes())
}

/// Code points in UTF-8 bytes, by the same rule as [`char_count`].
#[inline]
pub(crate) fn count_chars(b: &[u8]) -> i64 {
    b.iter().filter(|&&x| (x as i8) >= -0x40).count() as i64
}
