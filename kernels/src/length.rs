//! Sizes: `len` in code points (Python's `len(str)`) and `byte_length` in UTF-8 bytes.

use arrow_array::cast::AsArray;
use arrow_array::{Array, Int64Array};
use arrow_schema::DataType;

use crate::driver::map_i64;
use crate::error::Result;

/// Number of code points in each string, as Python's `len`. An all-ASCII `Utf8` or
/// `LargeUtf8` array is answered from its offsets alone.
///
/// # Errors
/// [`crate::KernelError::UnsupportedType`] when `array` is not a string array.
pub fn len(array: &dyn Array) -> Result<Int64Array> {
    map_i64(
        array,
        "len",
        &|s| Ok(char_count(s)),
        Some(|bytes| bytes as i64),
    )
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
    s.bytes().filter(|&b| (b as i8) >= -0x40).count() as i64
}
