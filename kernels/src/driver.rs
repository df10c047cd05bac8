//! Array drivers: dispatch on the string layout once, then walk the array serially.
//!
//! Every kernel is written as a per-element function (`&str -> bool`, `&str -> i64`, or
//! `&str -> append to String`); the drivers here turn it into an array function for each
//! layout spindle reads (`Utf8`, `LargeUtf8`, `Utf8View`, dictionaries of those).
//!
//! # Null handling
//!
//! Infallible per-element functions run on every slot, nulls included (a null slot holds
//! some valid string, usually empty), and the input's null buffer is reused as is: one
//! branch-free loop is faster than testing validity per row.
#![allow(unsafe_code)]

use std::sync::Arc;

use arrow_array::builder::StringViewBuilder;
use arrow_array::cast::AsArray;
use arrow_array::types::{ArrowPrimitiveType, Int64Type};
use arrow_array::{
    Array, ArrayRef, BooleanArray, GenericStringArray, Int64Array, OffsetSizeTrait, PrimitiveArray,
    StringArrayType,
};
use arrow_buffer::{BooleanBuffer, Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::DataType;

use crate::error::{KernelError, Result};

/// A byte-wise rewrite of an all-ASCII value buffer, for kernels whose ASCII case is a
/// plain byte map (`lower`, `upper`). Output length equals input length.
pub(crate) type AsciiMap = fn(&[u8], &mut Vec<u8>);

fn unsupported(op: &'static str, data_type: &DataType) -> KernelError {
    KernelError::UnsupportedType {
        op,
        data_type: data_type.clone(),
    }
}

/// Applies a predicate to every string; the result is a `BooleanArray` of the same length.
pub(crate) fn map_bool(
    array: &dyn Array,
    op: &'static str,
    f: &impl Fn(&str) -> bool,
) -> Result<BooleanArray> {
    fn run<'a, A: StringArrayType<'a>>(a: A, f: &impl Fn(&str) -> bool) -> BooleanArray {
        let values = BooleanBuffer::collect_bool(a.len(), |i| f(a.value(i)));
        BooleanArray::new(values, a.nulls().cloned())
    }
    match array.data_type() {
        DataType::Utf8 => Ok(run(array.as_string::<i32>(), f)),
        DataType::LargeUtf8 => Ok(run(array.as_string::<i64>(), f)),
        DataType::Utf8View => Ok(run(array.as_string_view(), f)),
        DataType::Dictionary(_, _) => {
            let dict = array.as_any_dictionary();
            let values = map_bool(dict.values().as_ref(), op, f)?;
            Ok(gather_by_keys(dict, &values, |keys| {
                BooleanBuffer::collect_bool(keys.len(), |i| values.value(keys[i]))
            }))
        }
        other => Err(unsupported(op, other)),
    }
}

/// Applies a per-element count to every string; the result is an `Int64Array`.
/// `ascii` computes the same count from a byte length when the whole array is ASCII.
pub(crate) fn map_i64(
    array: &dyn Array,
    op: &'static str,
    f: &impl Fn(&str) -> i64,
    ascii: Option<fn(usize) -> i64>,
) -> Result<Int64Array> {
    fn offsets_path<O: OffsetSizeTrait>(
        a: &GenericStringArray<O>,
        g: fn(usize) -> i64,
    ) -> Int64Array {
        let values: Vec<i64> = a
            .value_offsets()
            .windows(2)
            .map(|w| g((w[1] - w[0]).as_usize()))
            .collect();
        Int64Array::new(values.into(), a.nulls().cloned())
    }
    fn run<'a, A: StringArrayType<'a>>(a: A, f: &impl Fn(&str) -> i64) -> Int64Array {
        let values: Vec<i64> = (0..a.len()).map(|i| f(a.value(i))).collect();
        Int64Array::new(values.into(), a.nulls().cloned())
    }
    match array.data_type() {
        DataType::Utf8 => {
            let a = array.as_string::<i32>();
            Ok(match ascii {
                Some(g) if a.is_ascii() => offsets_path(a, g),
                _ => run(a, f),
            })
        }
        DataType::LargeUtf8 => {
            let a = array.as_string::<i64>();
            Ok(match ascii {
                Some(g) if a.is_ascii() => offsets_path(a, g),
                _ => run(a, f),
            })
        }
        DataType::Utf8View => Ok(run(array.as_string_view(), f)),
        DataType::Dictionary(_, _) => {
            let dict = array.as_any_dictionary();
            let values = map_i64(dict.values().as_ref(), op, f, ascii)?;
            Ok(gather_by_keys(dict, &values, |keys| {
                let v = values.values();
                ScalarBuffer::from(keys.iter().map(|&k| v[k]).collect::<Vec<i64>>())
            }))
        }
        other => Err(unsupported(op, other)),
    }
}

/// Rewrites every string: `f` appends the result for one input to the output buffer.
/// The output has the input's layout (`Utf8` stays `Utf8`, a dictionary keeps its keys).
pub(crate) fn map_string(
    array: &dyn Array,
    op: &'static str,
    f: &impl Fn(&str, &mut String),
    ascii: Option<AsciiMap>,
) -> Result<ArrayRef> {
    match array.data_type() {
        DataType::Utf8 => Ok(Arc::new(map_offsets(
            array.as_string::<i32>(),
            op,
            f,
            ascii,
        )?)),
        DataType::LargeUtf8 => Ok(Arc::new(map_offsets(
            array.as_string::<i64>(),
            op,
            f,
            ascii,
        )?)),
        DataType::Utf8View => {
            let a = array.as_string_view();
            let mut builder = StringViewBuilder::with_capacity(a.len());
            let mut scratch = String::new();
            for i in 0..a.len() {
                if a.is_null(i) {
                    builder.append_null();
                } else {
                    scratch.clear();
                    f(a.value(i), &mut scratch);
                    builder.append_value(&scratch);
                }
            }
            Ok(Arc::new(builder.finish()))
        }
        DataType::Dictionary(_, _) => {
            let dict = array.as_any_dictionary();
            let values = map_string(dict.values().as_ref(), op, f, ascii)?;
            Ok(dict.with_values(values))
        }
        other => Err(unsupported(op, other)),
    }
}

fn map_offsets<O: OffsetSizeTrait>(
    a: &GenericStringArray<O>,
    op: &'static str,
    f: &impl Fn(&str, &mut String),
    ascii: Option<AsciiMap>,
) -> Result<GenericStringArray<O>> {
    let offsets = a.value_offsets();
    let (start, end) = (offsets[0].as_usize(), offsets[a.len()].as_usize());
    if let Some(map) = ascii {
        let bytes = &a.value_data()[start..end];
        if bytes.is_ascii() {
            let mut out = Vec::with_capacity(bytes.len());
            map(bytes, &mut out);
            debug_assert!(out.len() == bytes.len() && out.is_ascii());
            let offsets = if start == 0 {
                a.offsets().clone()
            } else {
                let base = offsets[0];
                let rebased: Vec<O> = offsets.iter().map(|&o| o - base).collect();
                // SAFETY: subtracting the first offset from a monotonic sequence keeps it
                // monotonic and starting at zero.
                unsafe { OffsetBuffer::new_unchecked(ScalarBuffer::from(rebased)) }
            };
            // SAFETY: `out` is all ASCII (a byte map of ASCII input that keeps ASCII), so it
            // is valid UTF-8 and every offset is a character boundary; the offsets span
            // exactly `out.len()` bytes because the map keeps every byte's position.
            return Ok(unsafe {
                GenericStringArray::new_unchecked(
                    offsets,
                    Buffer::from_vec(out),
                    a.nulls().cloned(),
                )
            });
        }
    }
    let mut values = String::with_capacity(end - start);
    let mut out_offsets: Vec<O> = Vec::with_capacity(a.len() + 1);
    out_offsets.push(O::usize_as(0));
    for i in 0..a.len() {
        if a.is_valid(i) {
            f(a.value(i), &mut values);
        }
        out_offsets.push(O::from_usize(values.len()).ok_or(KernelError::OffsetOverflow { op })?);
    }
    // SAFETY: `values` is a `String`, so valid UTF-8; each offset is the length of that
    // string after appending a whole `&str`, so offsets are monotonic, start at zero, end
    // at `values.len()` and fall on character boundaries.
    Ok(unsafe {
        GenericStringArray::new_unchecked(
            OffsetBuffer::new_unchecked(ScalarBuffer::from(out_offsets)),
            Buffer::from_vec(values.into_bytes()),
            a.nulls().cloned(),
        )
    })
}

/// Maps a result computed on a dictionary's values back through its keys. A row is null
/// where its key is null or where the value its key points at is null.
fn gather_by_keys<T>(
    dict: &dyn arrow_array::AnyDictionaryArray,
    values: &T,
    gather: impl FnOnce(&[usize]) -> T::Values,
) -> T
where
    T: Gatherable,
{
    let len = dict.len();
    if dict.values().is_empty() {
        // Only valid when every key is null: the result is all null.
        return T::from_parts(T::empty_values(len), Some(NullBuffer::new_null(len)));
    }
    let keys = dict.normalized_keys();
    let nulls = match (dict.keys().nulls(), values.nulls()) {
        (key_nulls, None) => key_nulls.cloned(),
        (key_nulls, Some(value_nulls)) => {
            let valid = BooleanBuffer::collect_bool(len, |i| {
                key_nulls.is_none_or(|n| n.is_valid(i)) && value_nulls.is_valid(keys[i])
            });
            Some(NullBuffer::new(valid))
        }
    };
    T::from_parts(gather(&keys), nulls)
}

/// The result arrays `gather_by_keys` can build.
pub(crate) trait Gatherable: Array {
    type Values;
    fn from_parts(values: Self::Values, nulls: Option<NullBuffer>) -> Self;
    fn empty_values(len: usize) -> Self::Values;
}

impl Gatherable for BooleanArray {
    type Values = BooleanBuffer;
    fn from_parts(values: BooleanBuffer, nulls: Option<NullBuffer>) -> Self {
        BooleanArray::new(values, nulls)
    }
    fn empty_values(len: usize) -> BooleanBuffer {
        BooleanBuffer::new_unset(len)
    }
}

impl Gatherable for PrimitiveArray<Int64Type> {
    type Values = ScalarBuffer<i64>;
    fn from_parts(values: ScalarBuffer<i64>, nulls: Option<NullBuffer>) -> Self {
        PrimitiveArray::new(values, nulls)
    }
    fn empty_values(len: usize) -> ScalarBuffer<i64> {
        ScalarBuffer::from(vec![
            <Int64Type as ArrowPrimitiveType>::Native::default();
            len
        ])
    }
}
