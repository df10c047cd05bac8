//! Row keys as bytes, shared by group-by and sort.
//!
//! A group-by or sort key is one or more columns. When it is a single plain string column
//! (`Utf8`, `LargeUtf8`, `Utf8View`), a row's key is the string's own bytes, read in place:
//! nothing is copied or encoded, and byte order is code-point order. Any other key (several
//! columns, numbers, booleans, dictionaries) is encoded with arrow-row into one byte string
//! per row whose byte order is the key's order (with the sort's direction and null
//! placement baked in), so both consumers only ever compare and hash byte strings.

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, LargeStringArray, StringArray, StringViewArray};
use arrow_row::{RowConverter, Rows, SortField};
use arrow_schema::{DataType, SortOptions};

use crate::error::{Error, Result};

/// The keys of one chunk of rows.
#[derive(Debug)]
pub(crate) enum ByteKeys {
    /// No key columns: every row has the same (empty) key.
    Unit,
    Utf8(StringArray),
    LargeUtf8(LargeStringArray),
    Utf8View(StringViewArray),
    /// arrow-row encoding; nulls are encoded, so every row has bytes.
    Rows(Rows),
}

/// How a chunk's keys are turned into bytes; decided once from the key types.
#[derive(Debug)]
pub(crate) enum KeyEncoder {
    Unit,
    /// One plain string column, read in place.
    Strings,
    Rows(RowConverter),
}

impl KeyEncoder {
    /// An encoder for keys of these types, each with its direction and null placement
    /// (ignored by the in-place string path, whose consumers handle both themselves).
    pub fn new(fields: Vec<(DataType, SortOptions)>, context: &str) -> Result<KeyEncoder> {
        match fields.as_slice() {
            [] => Ok(KeyEncoder::Unit),
            [(DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View, _)] => {
                Ok(KeyEncoder::Strings)
            }
            _ => RowConverter::new(
                fields
                    .into_iter()
                    .map(|(t, o)| SortField::new_with_options(t, o))
                    .collect(),
            )
            .map(KeyEncoder::Rows)
            .map_err(|e| Error::arrow(context, e)),
        }
    }

    /// The keys of one chunk: `arrays` are the evaluated key columns.
    pub fn encode(&self, arrays: &[ArrayRef], context: &str) -> Result<ByteKeys> {
        Ok(match self {
            KeyEncoder::Unit => ByteKeys::Unit,
            KeyEncoder::Strings => match arrays[0].data_type() {
                DataType::Utf8 => ByteKeys::Utf8(arrays[0].as_string::<i32>().clone()),
                DataType::LargeUtf8 => ByteKeys::LargeUtf8(arrays[0].as_string::<i64>().clone()),
                _ => ByteKeys::Utf8View(arrays[0].as_string_view().clone()),
            },
            KeyEncoder::Rows(converter) => ByteKeys::Rows(
                converter
                    .convert_columns(arrays)
                    .map_err(|e| Error::arrow(context, e))?,
            ),
        })
    }
}

impl ByteKeys {
    /// Row `i`'s key; `None` is a null string key (the encoded path never returns it).
    #[inline]
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        match self {
            ByteKeys::Unit => Some(&[]),
            ByteKeys::Utf8(a) => a.is_valid(i).then(|| a.value(i).as_bytes()),
            ByteKeys::LargeUtf8(a) => a.is_valid(i).then(|| a.value(i).as_bytes()),
            ByteKeys::Utf8View(a) => a.is_valid(i).then(|| a.value(i).as_bytes()),
            ByteKeys::Rows(rows) => Some(rows.row(i).data()),
        }
    }

    /// Calls `f(i, key)` for rows `0..rows` in order, deciding the layout once rather than
    /// per row (one monomorphised loop per layout): the path for scanning every key.
    pub fn for_each<'a>(&'a self, rows: usize, mut f: impl FnMut(usize, Option<&'a [u8]>)) {
        match self {
            ByteKeys::Unit => (0..rows).for_each(|i| f(i, Some(&[]))),
            ByteKeys::Utf8(a) => {
                (0..rows).for_each(|i| f(i, a.is_valid(i).then(|| a.value(i).as_bytes())))
            }
            ByteKeys::LargeUtf8(a) => {
                (0..rows).for_each(|i| f(i, a.is_valid(i).then(|| a.value(i).as_bytes())))
            }
            ByteKeys::Utf8View(a) => {
                (0..rows).for_each(|i| f(i, a.is_valid(i).then(|| a.value(i).as_bytes())))
            }
            ByteKeys::Rows(r) => (0..rows).for_each(|i| f(i, Some(r.row(i).data()))),
        }
    }
}
