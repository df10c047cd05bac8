//! Array drivers: dispatch on the string layout once, then walk the array serially.
//!
//! Every kernel is written as a per-element function (`&str -> bool`, `&str -> i64`,
//! `&str -> append to String`, `&str -> push list items`); the drivers here turn it into
//! an array function for each layout spindle reads (`Utf8`, `LargeUtf8`, `Utf8View`,
//! dictionaries of those).
//!
//! # Null handling
//!
//! Infallible per-element functions that give a value for every input run on every slot,
//! nulls included (a null slot holds some valid string, usually empty), and the input's
//! null buffer is reused as is: one branch-free loop is faster than testing validity per
//! row. String, list and struct kernels run on valid slots only, and may turn a valid
//! input into a null output (`get` past the end, `extract` without a match).
//!
//! # Dictionaries
//!
//! A kernel runs once on a dictionary's values. String results keep the keys (the result
//! is a dictionary again); other results are gathered through the keys.
#![allow(unsafe_code)]

use std::cell::Cell;
use std::sync::Arc;

use arrow_array::builder::{GenericStringBuilder, StringViewBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::{ArrowPrimitiveType, Int64Type};
use arrow_array::{
    make_array, Array, ArrayRef, BooleanArray, GenericStringArray, Int64Array, LargeStringArray,
    ListArray, OffsetSizeTrait, PrimitiveArray, StringArray, StringArrayType, StringViewArray,
    StructArray,
};
use arrow_buffer::{BooleanBuffer, Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_data::transform::MutableArrayData;
use arrow_schema::{DataType, Field, Fields};

use crate::error::{KernelError, Result};

/// A byte-wise rewrite of all-ASCII strings that keeps every byte's position (`lower`,
/// `upper`, `title`): the output reuses the input's offsets.
#[derive(Debug, Clone, Copy)]
pub(crate) enum AsciiPath {
    /// One call over the whole value buffer (the map does not see row boundaries).
    Whole(fn(&[u8], &mut Vec<u8>)),
    /// One call per row (`title`, `capitalize`: the map depends on the row start).
    PerRow(fn(&[u8], &mut Vec<u8>)),
}

pub(crate) fn unsupported(op: &'static str, data_type: &DataType) -> KernelError {
    KernelError::UnsupportedType {
        op,
        data_type: data_type.clone(),
    }
}

/// Read access to the strings of a `Utf8`, `LargeUtf8` or `Utf8View` array (not a
/// dictionary: kernels run on a dictionary's values).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Rows<'a> {
    Utf8(&'a StringArray),
    Large(&'a LargeStringArray),
    View(&'a StringViewArray),
}

impl<'a> Rows<'a> {
    pub fn new(array: &'a dyn Array, op: &'static str) -> Result<Rows<'a>> {
        Ok(match array.data_type() {
            DataType::Utf8 => Rows::Utf8(array.as_string::<i32>()),
            DataType::LargeUtf8 => Rows::Large(array.as_string::<i64>()),
            DataType::Utf8View => Rows::View(array.as_string_view()),
            other => return Err(unsupported(op, other)),
        })
    }

    pub fn len(&self) -> usize {
        match self {
            Rows::Utf8(a) => a.len(),
            Rows::Large(a) => a.len(),
            Rows::View(a) => a.len(),
        }
    }

    pub fn nulls(&self) -> Option<&'a NullBuffer> {
        match *self {
            Rows::Utf8(a) => a.nulls(),
            Rows::Large(a) => a.nulls(),
            Rows::View(a) => a.nulls(),
        }
    }

    /// The string at `i`, or `None` where it is null.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&'a str> {
        match self {
            Rows::Utf8(a) => a.is_valid(i).then(|| a.value(i)),
            Rows::Large(a) => a.is_valid(i).then(|| a.value(i)),
            Rows::View(a) => a.is_valid(i).then(|| a.value(i)),
        }
    }
}

/// Records the first error of a closure that cannot return one (`collect_bool`).
struct FirstError(Cell<Option<KernelError>>);

impl FirstError {
    fn new() -> Self {
        FirstError(Cell::new(None))
    }
    #[inline]
    fn catch<T: Default>(&self, r: Result<T>) -> T {
        match r {
            Ok(v) => v,
            Err(e) => {
                let first = self.0.take().unwrap_or(e);
                self.0.set(Some(first));
                T::default()
            }
        }
    }
    fn finish<T>(self, value: T) -> Result<T> {
        match self.0.into_inner() {
            Some(e) => Err(e),
            None => Ok(value),
        }
    }
}

/// Applies a predicate to every string; the result is a `BooleanArray` of the same length.
pub(crate) fn map_bool(
    array: &dyn Array,
    op: &'static str,
    f: &impl Fn(&str) -> bool,
) -> Result<BooleanArray> {
    try_map_bool(array, op, &|s| Ok(f(s)))
}

/// [`map_bool`] for a predicate that can fail (a backtracking regex over its limit).
pub(crate) fn try_map_bool(
    array: &dyn Array,
    op: &'static str,
    f: &impl Fn(&str) -> Result<bool>,
) -> Result<BooleanArray> {
    fn run<'a, A: StringArrayType<'a>>(
        a: A,
        f: &impl Fn(&str) -> Result<bool>,
    ) -> Result<BooleanArray> {
        let error = FirstError::new();
        let values = match a.nulls() {
            // Nulls are skipped: a failing pattern must not fail on a null's placeholder.
            Some(nulls) if nulls.null_count() > 0 => BooleanBuffer::collect_bool(a.len(), |i| {
                nulls.is_valid(i) && error.catch(f(a.value(i)))
            }),
            _ => BooleanBuffer::collect_bool(a.len(), |i| error.catch(f(a.value(i)))),
        };
        error.finish(BooleanArray::new(values, a.nulls().cloned()))
    }
    match array.data_type() {
        DataType::Utf8 => run(array.as_string::<i32>(), f),
        DataType::LargeUtf8 => run(array.as_string::<i64>(), f),
        DataType::Utf8View => run(array.as_string_view(), f),
        DataType::Dictionary(_, _) => {
            let dict = array.as_any_dictionary();
            let values = try_map_bool(dict.values().as_ref(), op, f)?;
            Ok(gather_by_keys(dict, &values, |keys| {
                BooleanBuffer::collect_bool(keys.len(), |i| values.value(keys[i]))
            }))
        }
        other => Err(unsupported(op, other)),
    }
}

/// Applies a per-element count to every valid string; the result is an `Int64Array`.
/// `ascii` computes the same count from a byte length when the whole array is ASCII.
pub(crate) fn map_i64(
    array: &dyn Array,
    op: &'static str,
    f: &impl Fn(&str) -> Result<i64>,
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
    fn run<'a, A: StringArrayType<'a>>(
        a: A,
        f: &impl Fn(&str) -> Result<i64>,
    ) -> Result<Int64Array> {
        let values: Vec<i64> = match a.nulls() {
            Some(n) if n.null_count() > 0 => (0..a.len())
                .map(|i| if n.is_valid(i) { f(a.value(i)) } else { Ok(0) })
                .collect::<Result<_>>()?,
            _ => (0..a.len()).map(|i| f(a.value(i))).collect::<Result<_>>()?,
        };
        Ok(Int64Array::new(values.into(), a.nulls().cloned()))
    }
    match array.data_type() {
        DataType::Utf8 => {
            let a = array.as_string::<i32>();
            match ascii {
                Some(g) if a.is_ascii() => Ok(offsets_path(a, g)),
                _ => run(a, f),
            }
        }
        DataType::LargeUtf8 => {
            let a = array.as_string::<i64>();
            match ascii {
                Some(g) if a.is_ascii() => Ok(offsets_path(a, g)),
                _ => run(a, f),
            }
        }
        DataType::Utf8View => run(array.as_string_view(), f),
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

/// Rewrites every valid string: `f` appends the result for one input to the output and
/// returns `Ok(true)`, or returns `Ok(false)` to make that row null. The output has the
/// input's layout (`Utf8` stays `Utf8`, a dictionary keeps its keys).
pub(crate) fn map_string(
    array: &dyn Array,
    op: &'static str,
    f: &impl Fn(&str, &mut String) -> Result<bool>,
    ascii: Option<AsciiPath>,
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
                    continue;
                }
                scratch.clear();
                if f(a.value(i), &mut scratch)? {
                    builder.append_value(&scratch);
                } else {
                    builder.append_null();
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

/// Rebases offsets that start at `offsets[0]` to start at zero (a sliced array's offsets).
pub(crate) fn rebased<O: OffsetSizeTrait>(a: &GenericStringArray<O>) -> OffsetBuffer<O> {
    let offsets = a.value_offsets();
    if offsets[0].as_usize() == 0 {
        return a.offsets().clone();
    }
    let base = offsets[0];
    let rebased: Vec<O> = offsets.iter().map(|&o| o - base).collect();
    // SAFETY: subtracting the first offset from a monotonic sequence keeps it monotonic
    // and starting at zero.
    unsafe { OffsetBuffer::new_unchecked(ScalarBuffer::from(rebased)) }
}

fn map_offsets<O: OffsetSizeTrait>(
    a: &GenericStringArray<O>,
    op: &'static str,
    f: &impl Fn(&str, &mut String) -> Result<bool>,
    ascii: Option<AsciiPath>,
) -> Result<GenericStringArray<O>> {
    let offsets = a.value_offsets();
    let (start, end) = (offsets[0].as_usize(), offsets[a.len()].as_usize());
    if let Some(path) = ascii {
        let bytes = &a.value_data()[start..end];
        if bytes.is_ascii() {
            let mut out = Vec::with_capacity(bytes.len());
            match path {
                AsciiPath::Whole(map) => map(bytes, &mut out),
                AsciiPath::PerRow(map) => {
                    for w in offsets.windows(2) {
                        map(
                            &bytes[w[0].as_usize() - start..w[1].as_usize() - start],
                            &mut out,
                        );
                    }
                }
            }
            debug_assert!(out.len() == bytes.len() && out.is_ascii());
            // SAFETY: `out` is all ASCII (a byte map of ASCII input that keeps ASCII), so it
            // is valid UTF-8 and every offset is a character boundary; the offsets span
            // exactly `out.len()` bytes because the map keeps every byte's position.
            return Ok(unsafe {
                GenericStringArray::new_unchecked(
                    rebased(a),
                    Buffer::from_vec(out),
                    a.nulls().cloned(),
                )
            });
        }
    }
    let mut values = String::with_capacity(end - start);
    let mut out_offsets: Vec<O> = Vec::with_capacity(a.len() + 1);
    let mut made_null: Vec<usize> = Vec::new();
    out_offsets.push(O::usize_as(0));
    for i in 0..a.len() {
        if a.is_valid(i) && !f(a.value(i), &mut values)? {
            made_null.push(i);
        }
        out_offsets.push(O::from_usize(values.len()).ok_or(KernelError::OffsetOverflow { op })?);
    }
    // SAFETY: `values` is a `String`, so valid UTF-8; each offset is the length of that
    // string after appending whole `&str`s, so offsets are monotonic, start at zero, end
    // at `values.len()` and fall on character boundaries.
    Ok(unsafe {
        GenericStringArray::new_unchecked(
            OffsetBuffer::new_unchecked(ScalarBuffer::from(out_offsets)),
            Buffer::from_vec(values.into_bytes()),
            with_more_nulls(a.len(), a.nulls(), &made_null),
        )
    })
}

/// The input's nulls plus the rows in `made_null` (sorted).
pub(crate) fn with_more_nulls(
    len: usize,
    nulls: Option<&NullBuffer>,
    made_null: &[usize],
) -> Option<NullBuffer> {
    if made_null.is_empty() {
        return nulls.cloned();
    }
    let mut valid = match nulls {
        Some(n) => n.inner().iter().collect::<Vec<bool>>(),
        None => vec![true; len],
    };
    for &i in made_null {
        valid[i] = false;
    }
    Some(NullBuffer::from(valid))
}

/// Collects the items of one row of a list result.
#[derive(Debug, Default)]
pub(crate) struct ListRow {
    values: String,
    /// Byte end of each item in `values`, or `None` for a null item.
    ends: Vec<Option<usize>>,
}

impl ListRow {
    /// Appends one item.
    #[inline]
    pub fn push(&mut self, item: &str) {
        self.values.push_str(item);
        self.ends.push(Some(self.values.len()));
    }
    /// Appends a null item (a regex group that did not take part in the match).
    #[inline]
    pub fn push_null(&mut self) {
        self.ends.push(None);
    }
    fn clear(&mut self) {
        self.values.clear();
        self.ends.clear();
    }
    /// The items pushed so far (nulls as empty strings), for tests.
    #[cfg(test)]
    pub fn items(&self) -> Vec<String> {
        let mut start = 0;
        self.ends
            .iter()
            .map(|e| match e {
                Some(end) => {
                    let item = self.values[start..*end].to_string();
                    start = *end;
                    item
                }
                None => String::new(),
            })
            .collect()
    }
}

/// Splits every valid string into a list of strings: `f` pushes the items of one row.
/// The result is `List<Utf8>`; a null input gives a null list.
pub(crate) fn map_list(
    array: &dyn Array,
    op: &'static str,
    f: &impl Fn(&str, &mut ListRow) -> Result<()>,
) -> Result<ArrayRef> {
    if let DataType::Dictionary(_, _) = array.data_type() {
        return on_dictionary_values(array, |values| map_list(values, op, f));
    }
    let rows = Rows::new(array, op)?;
    let mut items = GenericStringBuilder::<i32>::new();
    let mut offsets: Vec<i32> = Vec::with_capacity(rows.len() + 1);
    offsets.push(0);
    let (mut count, mut bytes) = (0usize, 0usize);
    let mut row = ListRow::default();
    for i in 0..rows.len() {
        if let Some(s) = rows.get(i) {
            row.clear();
            f(s, &mut row)?;
            // The items builder has i32 offsets and panics past them: check first.
            bytes += row.values.len();
            if bytes > i32::MAX as usize {
                return Err(KernelError::OffsetOverflow { op });
            }
            let mut start = 0;
            for end in &row.ends {
                match end {
                    Some(end) => {
                        items.append_value(&row.values[start..*end]);
                        start = *end;
                    }
                    None => items.append_null(),
                }
            }
            count += row.ends.len();
        }
        offsets.push(i32::try_from(count).map_err(|_| KernelError::OffsetOverflow { op })?);
    }
    let items = items.finish();
    let field = Arc::new(Field::new_list_field(DataType::Utf8, true));
    Ok(Arc::new(
        ListArray::try_new(
            field,
            OffsetBuffer::new(offsets.into()),
            Arc::new(items),
            rows.nulls().cloned(),
        )
        .map_err(|e| KernelError::InvalidArgument {
            op,
            message: e.to_string(),
        })?,
    ))
}

/// Computes one struct of strings per valid row: `f` sets the row's fields (`None` is a
/// null field) and returns `Ok(false)` to make the whole row null. Field `j` is named
/// `names[j]`.
pub(crate) fn map_struct(
    array: &dyn Array,
    op: &'static str,
    names: &[String],
    f: &impl Fn(&str, &mut Vec<Option<String>>) -> Result<bool>,
) -> Result<ArrayRef> {
    if let DataType::Dictionary(_, _) = array.data_type() {
        return on_dictionary_values(array, |values| map_struct(values, op, names, f));
    }
    let rows = Rows::new(array, op)?;
    let mut builders: Vec<GenericStringBuilder<i32>> =
        names.iter().map(|_| GenericStringBuilder::new()).collect();
    let mut fields: Vec<Option<String>> = Vec::with_capacity(names.len());
    let mut valid = Vec::with_capacity(rows.len());
    let mut bytes = 0usize;
    for i in 0..rows.len() {
        fields.clear();
        let ok = match rows.get(i) {
            Some(s) => f(s, &mut fields)?,
            None => false,
        };
        valid.push(ok);
        bytes += fields.iter().flatten().map(String::len).sum::<usize>();
        if bytes > i32::MAX as usize {
            return Err(KernelError::OffsetOverflow { op });
        }
        for (j, b) in builders.iter_mut().enumerate() {
            match fields.get(j) {
                Some(Some(v)) if ok => b.append_value(v),
                _ => b.append_null(),
            }
        }
    }
    struct_of(op, names, builders, valid)
}

/// A struct array of string columns named `names`, with row validity `valid`.
pub(crate) fn struct_of(
    op: &'static str,
    names: &[String],
    builders: Vec<GenericStringBuilder<i32>>,
    valid: Vec<bool>,
) -> Result<ArrayRef> {
    let fields: Fields = names
        .iter()
        .map(|n| Field::new(n, DataType::Utf8, true))
        .collect();
    let columns: Vec<ArrayRef> = builders
        .into_iter()
        .map(|mut b| Arc::new(b.finish()) as ArrayRef)
        .collect();
    let nulls = if valid.iter().all(|&v| v) {
        None
    } else {
        Some(NullBuffer::from(valid))
    };
    if columns.is_empty() {
        let len = nulls.as_ref().map_or(0, NullBuffer::len);
        return Ok(Arc::new(StructArray::new_empty_fields(len, nulls)));
    }
    Ok(Arc::new(
        StructArray::try_new(fields, columns, nulls).map_err(|e| KernelError::InvalidArgument {
            op,
            message: e.to_string(),
        })?,
    ))
}

/// Runs `f` once on a dictionary's values and gathers its result through the keys; a row
/// whose key is null is null.
pub(crate) fn on_dictionary_values(
    array: &dyn Array,
    f: impl FnOnce(&dyn Array) -> Result<ArrayRef>,
) -> Result<ArrayRef> {
    let dict = array.as_any_dictionary();
    let values = f(dict.values().as_ref())?;
    if dict.values().is_empty() {
        // Only valid when every key is null.
        return Ok(arrow_array::new_null_array(values.data_type(), dict.len()));
    }
    let data = values.to_data();
    let mut out = MutableArrayData::new(vec![&data], true, dict.len());
    let keys = dict.normalized_keys();
    let key_nulls = dict.keys().nulls();
    let overflow = |e: arrow_schema::ArrowError| KernelError::InvalidArgument {
        op: "dictionary",
        message: e.to_string(),
    };
    for (i, &k) in keys.iter().enumerate() {
        if key_nulls.is_some_and(|n| n.is_null(i)) || k >= values.len() {
            out.try_extend_nulls(1).map_err(overflow)?;
        } else {
            out.try_extend(0, k, k + 1).map_err(overflow)?;
        }
    }
    Ok(make_array(out.freeze()))
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
