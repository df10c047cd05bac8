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
use hashbrown::HashTable;

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

/// Byte strings, each given a dense id in insertion order: a hash table of ids over an
/// arena that holds each key's bytes once, so a lookup compares contiguous bytes. Used for
/// a group-by's groups, the distinct values of `n_unique`, and a join's build keys.
#[derive(Debug, Default)]
pub(crate) struct KeySet {
    table: HashTable<u32>,
    arena: Vec<u8>,
    /// Key `i`'s bytes are `arena[ends[i - 1]..ends[i]]`.
    ends: Vec<usize>,
    hashes: Vec<u64>,
}

impl KeySet {
    /// A set with room for `n` keys before its table grows.
    pub fn with_capacity(n: usize) -> KeySet {
        KeySet {
            table: HashTable::with_capacity(n),
            ends: Vec::with_capacity(n),
            hashes: Vec::with_capacity(n),
            ..KeySet::default()
        }
    }

    /// How many ids were given out.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Key `id`'s bytes.
    #[inline]
    pub fn key(&self, id: u32) -> &[u8] {
        arena_key(&self.arena, &self.ends, id)
    }

    /// Key `id`'s hash.
    #[inline]
    pub fn hash(&self, id: u32) -> u64 {
        self.hashes[id as usize]
    }

    /// The id of `key`, whose hash is `h`.
    #[inline]
    pub fn find(&self, h: u64, key: &[u8]) -> Option<u32> {
        self.table
            .find(h, |&id| bytes_eq(self.key(id), key))
            .copied()
    }

    /// The id of `key` (hash `h`), given out now when the key is new (`true`).
    #[inline]
    pub fn insert(&mut self, h: u64, key: &[u8]) -> (u32, bool) {
        let KeySet {
            table,
            arena,
            ends,
            hashes,
        } = self;
        let found = table.find(h, |&id| bytes_eq(arena_key(arena, ends, id), key));
        if let Some(&id) = found {
            return (id, false);
        }
        let id = ends.len() as u32;
        arena.extend_from_slice(key);
        ends.push(arena.len());
        hashes.push(h);
        table.insert_unique(h, id, |&id| hashes[id as usize]);
        (id, true)
    }

    /// Gives out an id that no lookup finds, with no bytes (a null key's group).
    pub fn push_unindexed(&mut self, h: u64) -> u32 {
        self.ends.push(self.arena.len());
        self.hashes.push(h);
        self.ends.len() as u32 - 1
    }

    /// Frees the lookup table once no more lookups come.
    pub fn drop_index(&mut self) {
        self.table = HashTable::new();
    }
}

/// Key `id`'s bytes in an arena whose keys end at `ends` (a free function, so that
/// `insert` can read the arena while it holds the table mutably).
#[inline]
fn arena_key<'a>(arena: &'a [u8], ends: &[usize], id: u32) -> &'a [u8] {
    let start = if id == 0 { 0 } else { ends[id as usize - 1] };
    &arena[start..ends[id as usize]]
}

/// Ids grouped by bucket, in a counting sort: the ids `0..len` whose bucket (`of(id)`) is
/// `b` are `ids[starts[b]..starts[b + 1]]`, in increasing order; an id whose bucket is
/// `None` is left out. Used for a group-by's merge buckets, `n_unique`'s values by group,
/// and a join's build rows by key.
pub(crate) fn by_bucket(
    len: usize,
    buckets: usize,
    of: impl Fn(usize) -> Option<usize>,
) -> (Vec<u32>, Vec<usize>) {
    let mut starts = vec![0usize; buckets + 1];
    for id in 0..len {
        if let Some(b) = of(id) {
            starts[b + 1] += 1;
        }
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let mut next = starts.clone();
    let mut ids = vec![0u32; starts[buckets]];
    for id in 0..len {
        if let Some(b) = of(id) {
            ids[next[b]] = id as u32;
            next[b] += 1;
        }
    }
    (ids, starts)
}

/// Byte-string equality without a call into libc's `memcmp` for short keys (most keys
/// are): two overlapping loads from each end cover any length from 4 to 16.
#[inline]
pub(crate) fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word8 = |s: &[u8], i: usize| u64::from_le_bytes(s[i..i + 8].try_into().expect("8 bytes"));
    let word4 = |s: &[u8], i: usize| u32::from_le_bytes(s[i..i + 4].try_into().expect("4 bytes"));
    match n {
        0..=3 => a == b,
        4..=7 => word4(a, 0) == word4(b, 0) && word4(a, n - 4) == word4(b, n - 4),
        8..=16 => word8(a, 0) == word8(b, 0) && word8(a, n - 8) == word8(b, n - 8),
        _ => a == b,
    }
}

/// The hash of the null key.
pub(crate) const NULL_HASH: u64 = 0x9E37_79B9_7F4A_7C15;

/// The hash of a key's bytes; the same in every partition, thread and run (fixed seeds).
#[inline]
pub(crate) fn hash_bytes(bytes: &[u8]) -> u64 {
    const STATE: ahash::RandomState = ahash::RandomState::with_seeds(
        0x243F_6A88_85A3_08D3,
        0x1319_8A2E_0370_7344,
        0xA409_3822_299F_31D0,
        0x082E_FA98_EC4E_6C89,
    );
    STATE.hash_one(bytes)
}
