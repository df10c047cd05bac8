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

use arrow_array::builder::StringViewBuilder;
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

/// An ASCII case map, applied byte-wise in place to all-ASCII strings; every one keeps
/// ASCII bytes ASCII and each byte's position, so the output reuses the input's offsets
/// (when the whole array is ASCII) or is copied and mapped in place (an ASCII row of a
/// mixed array).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AsciiCase {
    /// `lower`, `casefold`.
    Lower,
    /// `upper`.
    Upper,
    /// `swapcase`.
    Swapcase,
    /// `title`: letters after a letter lowered, other letters uppered.
    Title,
    /// `capitalize`: the first byte uppered, the rest lowered.
    Capitalize,
}

/// True for an ASCII letter.
#[inline]
fn letter(b: u8) -> bool {
    (b | 0x20).wrapping_sub(b'a') < 26
}

impl AsciiCase {
    /// Maps one ASCII row in place. Every arm only flips the case bit of ASCII letters.
    fn apply(self, row: &mut [u8]) {
        match self {
            AsciiCase::Lower => row.make_ascii_lowercase(),
            AsciiCase::Upper => row.make_ascii_uppercase(),
            // Branch-free so that it vectorises: flip bit 5 of letters only.
            AsciiCase::Swapcase => row.iter_mut().for_each(|b| *b ^= (letter(*b) as u8) << 5),
            AsciiCase::Title => {
                let mut prev_letter = false;
                for b in row {
                    let is_letter = letter(*b);
                    // Lowercase (set bit 5) after a letter, uppercase (clear it) otherwise.
                    let lowered = *b | 0x20;
                    let mapped = if prev_letter {
                        lowered
                    } else {
                        lowered & !0x20
                    };
                    *b = if is_letter { mapped } else { *b };
                    prev_letter = is_letter;
                }
            }
            AsciiCase::Capitalize => {
                if let Some((first, rest)) = row.split_first_mut() {
                    first.make_ascii_uppercase();
                    rest.make_ascii_lowercase();
                }
            }
        }
    }

    /// True when the map does not depend on where a row starts, so that it may run over
    /// a whole value buffer at once.
    fn row_independent(self) -> bool {
        matches!(
            self,
            AsciiCase::Lower | AsciiCase::Upper | AsciiCase::Swapcase
        )
    }
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

    /// The bytes of string data in these rows: of this slice only, not of the buffers
    /// it shares with the array it was cut from (a partition is such a slice).
    pub fn value_bytes(&self) -> usize {
        fn span<O: OffsetSizeTrait>(a: &GenericStringArray<O>) -> usize {
            let offsets = a.value_offsets();
            (offsets[offsets.len() - 1] - offsets[0]).as_usize()
        }
        match self {
            Rows::Utf8(a) => span(a),
            Rows::Large(a) => span(a),
            Rows::View(a) => a.lengths().map(|l| l as usize).sum(),
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
struct FirstError(Cell<Option<KernelError>>, Cell<bool>);

impl FirstError {
    fn new() -> Self {
        FirstError(Cell::new(None), Cell::new(false))
    }
    /// Runs `f` unless an earlier row failed (then the array fails anyway, and a pattern
    /// at its backtrack limit must not be run on every remaining row).
    #[inline]
    fn catch<T: Default>(&self, f: impl FnOnce() -> Result<T>) -> T {
        if self.1.get() {
            return T::default();
        }
        match f() {
            Ok(v) => v,
            Err(e) => {
                self.0.set(Some(e));
                self.1.set(true);
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

/// Applies a predicate on each string's bytes; for `Utf8` and `LargeUtf8` it reads the
/// offsets and value bytes directly (no string is made per row, which is most of the work
/// for short values).
pub(crate) fn map_bytes_bool(
    array: &dyn Array,
    op: &'static str,
    f: &impl Fn(&[u8]) -> bool,
) -> Result<BooleanArray> {
    fn run<O: OffsetSizeTrait>(
        a: &GenericStringArray<O>,
        f: &impl Fn(&[u8]) -> bool,
    ) -> BooleanArray {
        let offsets = a.value_offsets();
        let data = a.value_data();
        let values = BooleanBuffer::collect_bool(a.len(), |i| {
            f(&data[offsets[i].as_usize()..offsets[i + 1].as_usize()])
        });
        BooleanArray::new(values, a.nulls().cloned())
    }
    match array.data_type() {
        DataType::Utf8 => Ok(run(array.as_string::<i32>(), f)),
        DataType::LargeUtf8 => Ok(run(array.as_string::<i64>(), f)),
        _ => map_bool(array, op, &|s| f(s.as_bytes())),
    }
}

/// A count on each string's bytes, as [`map_bytes_bool`]: offsets and value bytes read
/// directly for `Utf8` and `LargeUtf8`.
pub(crate) fn map_bytes_i64(
    array: &dyn Array,
    op: &'static str,
    f: &impl Fn(&[u8]) -> i64,
) -> Result<Int64Array> {
    fn run<O: OffsetSizeTrait>(a: &GenericStringArray<O>, f: &impl Fn(&[u8]) -> i64) -> Int64Array {
        let data = a.value_data();
        let values: Vec<i64> = a
            .value_offsets()
            .windows(2)
            .map(|w| f(&data[w[0].as_usize()..w[1].as_usize()]))
            .collect();
        Int64Array::new(values.into(), a.nulls().cloned())
    }
    match array.data_type() {
        DataType::Utf8 => Ok(run(array.as_string::<i32>(), f)),
        DataType::LargeUtf8 => Ok(run(array.as_string::<i64>(), f)),
        _ => map_i64(array, op, &|s| Ok(f(s.as_bytes())), None),
    }
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
                nulls.is_valid(i) && error.catch(|| f(a.value(i)))
            }),
            _ => BooleanBuffer::collect_bool(a.len(), |i| error.catch(|| f(a.value(i)))),
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
    ascii: Option<AsciiCase>,
) -> Result<ArrayRef> {
    map_string_sized(array, op, f, ascii, None)
}

/// [`map_string`] for operations whose output can be larger than their input: `capacity`
/// is an upper bound of the output's value bytes, reserved up front so that the values
/// are written once, not copied on every growth (only the bytes written are ever touched).
pub(crate) fn map_string_sized(
    array: &dyn Array,
    op: &'static str,
    f: &impl Fn(&str, &mut String) -> Result<bool>,
    ascii: Option<AsciiCase>,
    capacity: Option<usize>,
) -> Result<ArrayRef> {
    match array.data_type() {
        DataType::Utf8 => Ok(Arc::new(map_offsets(
            array.as_string::<i32>(),
            op,
            f,
            ascii,
            capacity,
        )?)),
        DataType::LargeUtf8 => Ok(Arc::new(map_offsets(
            array.as_string::<i64>(),
            op,
            f,
            ascii,
            capacity,
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
            let values = map_string_sized(dict.values().as_ref(), op, f, ascii, capacity)?;
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
    ascii: Option<AsciiCase>,
    capacity: Option<usize>,
) -> Result<GenericStringArray<O>> {
    let offsets = a.value_offsets();
    let (start, end) = (offsets[0].as_usize(), offsets[a.len()].as_usize());
    if let Some(case) = ascii {
        let bytes = &a.value_data()[start..end];
        if bytes.is_ascii() {
            let mut out = bytes.to_vec();
            if case.row_independent() {
                case.apply(&mut out);
            } else {
                for w in offsets.windows(2) {
                    case.apply(&mut out[w[0].as_usize() - start..w[1].as_usize() - start]);
                }
            }
            // SAFETY: `out` is ASCII input mapped by `AsciiCase::apply`, which only flips
            // the case bit of ASCII letters, so it is ASCII (valid UTF-8, every offset on a
            // character boundary) and keeps every byte's position: the rebased input
            // offsets span it exactly.
            return Ok(unsafe {
                GenericStringArray::new_unchecked(
                    rebased(a),
                    Buffer::from_vec(out),
                    a.nulls().cloned(),
                )
            });
        }
    }
    let mut values = String::with_capacity(capacity.unwrap_or(end - start));
    let mut out_offsets: Vec<O> = Vec::with_capacity(a.len() + 1);
    let mut made_null: Vec<usize> = Vec::new();
    out_offsets.push(O::usize_as(0));
    for i in 0..a.len() {
        if a.is_valid(i) {
            let s = a.value(i);
            match ascii {
                Some(case) if s.is_ascii() => {
                    let at = values.len();
                    values.push_str(s);
                    // SAFETY: the bytes from `at` are the ASCII row just pushed, and
                    // `AsciiCase::apply` only flips the case bit of ASCII letters, so they
                    // stay ASCII and `values` stays valid UTF-8.
                    case.apply(unsafe { &mut values.as_mut_vec()[at..] });
                }
                _ => {
                    if !f(s, &mut values)? {
                        made_null.push(i);
                    }
                }
            }
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

/// The items of a list result, written straight into the child array's buffers.
#[derive(Debug)]
pub(crate) struct ListRow {
    values: String,
    /// Offsets of the items in `values`: 0, then the end of each item.
    ends: Vec<i32>,
    /// Item positions that are null (rare: a regex group that did not take part).
    nulls: Vec<usize>,
    overflow: bool,
}

impl ListRow {
    /// No items yet; room for `bytes` of item text.
    pub fn new(bytes: usize) -> ListRow {
        ListRow {
            values: String::with_capacity(bytes),
            ends: vec![0],
            nulls: Vec::new(),
            overflow: false,
        }
    }
    /// Appends one item.
    #[inline]
    pub fn push(&mut self, item: &str) {
        self.values.push_str(item);
        match i32::try_from(self.values.len()) {
            Ok(end) => self.ends.push(end),
            Err(_) => {
                self.overflow = true;
                self.ends.push(i32::MAX);
            }
        }
    }
    /// Appends a null item.
    #[inline]
    pub fn push_null(&mut self) {
        self.nulls.push(self.ends.len() - 1);
        self.push("");
    }
    /// The items as a `Utf8` array.
    fn finish(self, op: &'static str) -> Result<StringArray> {
        if self.overflow {
            return Err(KernelError::OffsetOverflow { op });
        }
        let nulls = if self.nulls.is_empty() {
            None
        } else {
            let mut valid = vec![true; self.ends.len() - 1];
            for &n in &self.nulls {
                valid[n] = false;
            }
            Some(NullBuffer::from(valid))
        };
        // SAFETY: `values` is a `String` built by appending whole `&str`s, and `ends` holds
        // 0 and then its length after each append, so the offsets are monotonic, start at
        // zero, end at `values.len()` (no overflow, checked above) and fall on character
        // boundaries.
        Ok(unsafe {
            StringArray::new_unchecked(
                OffsetBuffer::new_unchecked(ScalarBuffer::from(self.ends)),
                Buffer::from_vec(self.values.into_bytes()),
                nulls,
            )
        })
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
    let mut items = ListRow::new(rows.value_bytes());
    let mut offsets: Vec<i32> = Vec::with_capacity(rows.len() + 1);
    offsets.push(0);
    for i in 0..rows.len() {
        if let Some(s) = rows.get(i) {
            f(s, &mut items)?;
        }
        let count = items.ends.len() - 1;
        offsets.push(i32::try_from(count).map_err(|_| KernelError::OffsetOverflow { op })?);
    }
    let child = items.finish(op)?;
    let field = Arc::new(Field::new_list_field(DataType::Utf8, true));
    Ok(Arc::new(
        ListArray::try_new(
            field,
            OffsetBuffer::new(offsets.into()),
            Arc::new(child),
            rows.nulls().cloned(),
        )
        .map_err(|e| KernelError::InvalidArgument {
            op,
            message: e.to_string(),
        })?,
    ))
}

/// The fields of one row of a struct result, pushed in order.
#[derive(Debug)]
pub(crate) struct StructRow {
    fields: Vec<ListRow>,
    next: usize,
}

impl StructRow {
    /// Sets the next field (`None`: null).
    #[inline]
    pub fn push(&mut self, value: Option<&str>) {
        if let Some(field) = self.fields.get_mut(self.next) {
            match value {
                Some(v) => field.push(v),
                None => field.push_null(),
            }
            self.next += 1;
        }
    }
}

/// Computes one struct of strings per valid row: `f` pushes the row's fields in order
/// (missing ones are null) and returns `Ok(false)`, before pushing any, to make the whole
/// row null. Field `j` is named `names[j]`.
pub(crate) fn map_struct(
    array: &dyn Array,
    op: &'static str,
    names: &[String],
    f: &impl Fn(&str, &mut StructRow) -> Result<bool>,
) -> Result<ArrayRef> {
    if let DataType::Dictionary(_, _) = array.data_type() {
        return on_dictionary_values(array, |values| map_struct(values, op, names, f));
    }
    let rows = Rows::new(array, op)?;
    let mut row = StructRow {
        fields: names.iter().map(|_| ListRow::new(0)).collect(),
        next: 0,
    };
    let mut valid = Vec::with_capacity(rows.len());
    for i in 0..rows.len() {
        row.next = 0;
        let ok = match rows.get(i) {
            Some(s) => f(s, &mut row)?,
            None => false,
        };
        valid.push(ok);
        while row.next < names.len() {
            row.push(None);
        }
    }
    let columns = row
        .fields
        .into_iter()
        .map(|f| Ok(Arc::new(f.finish(op)?) as ArrayRef))
        .collect::<Result<Vec<_>>>()?;
    struct_of(op, names, columns, valid)
}

/// A struct array of string columns named `names`, with row validity `valid`.
pub(crate) fn struct_of(
    op: &'static str,
    names: &[String],
    columns: Vec<ArrayRef>,
    valid: Vec<bool>,
) -> Result<ArrayRef> {
    let fields: Fields = names
        .iter()
        .map(|n| Field::new(n, DataType::Utf8, true))
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
