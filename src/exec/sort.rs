//! Sorting a frame by one or more keys, in parallel and stable.
//!
//! Every row's key is a byte string whose byte order is the key order (see
//! [`keys`](super::keys)): a single string column is compared in place (byte order is code-point
//! order), anything else is arrow-row encoded with the direction and null placement baked
//! in. The sort itself is an MSD radix sort whose digits are 16 bytes wide: 24-byte items
//! (16 key bytes as two big-endian integers, how many key bytes remain, chunk and row) are
//! sorted with rayon's parallel sort, comparing integers only; then each run of items whose
//! 16 bytes tie and whose keys go on is loaded with the next 16 bytes and sorted again, in
//! parallel across runs. The strings are read once per digit, never in a comparison. Ties
//! left at the end are broken by the row's position, which makes the sort stable. The rows
//! are then gathered into output batches, in parallel.

use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Schema};
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::exec::keys::{ByteKeys, KeyEncoder};
use crate::exec::Runtime;
use crate::expr::physical::{compile, evaluate, PhysicalExpr};
use crate::expr::Expr;

/// How a sort orders one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortOptions {
    /// Largest first.
    pub descending: bool,
    /// Nulls after all values (the default, as in pandas and DuckDB's `ASC`).
    pub nulls_last: bool,
}

impl Default for SortOptions {
    fn default() -> SortOptions {
        SortOptions {
            descending: false,
            nulls_last: true,
        }
    }
}

impl SortOptions {
    /// Ascending, nulls last.
    pub fn ascending() -> SortOptions {
        SortOptions::default()
    }

    /// Descending, nulls last.
    pub fn descending() -> SortOptions {
        SortOptions {
            descending: true,
            nulls_last: true,
        }
    }

    /// The same direction with nulls first (`true`) or last.
    pub fn nulls_first(self, first: bool) -> SortOptions {
        SortOptions {
            nulls_last: !first,
            ..self
        }
    }
}

/// Rows per output batch of a sort.
const OUTPUT_ROWS: usize = 1 << 20;

/// A compiled sort.
#[derive(Debug)]
pub(crate) struct Sort {
    keys: Vec<PhysicalExpr>,
    options: Vec<SortOptions>,
    encoder: KeyEncoder,
}

/// A row: (chunk, row in chunk).
type Location = (usize, usize);

/// What is sorted: 16 bytes of the row's key at the current depth (bytes `16 * depth ..`)
/// as two big-endian integers, how many key bytes remain from there (0 to 16, where 16
/// means "16 or more"), and where the row is. 24 bytes, compared as integers.
#[derive(Debug, Clone, Copy)]
struct Item {
    hi: u64,
    lo: u64,
    /// The chunk in the low 27 bits, the remaining-bytes tag in the top 5.
    chunk_tag: u32,
    row: u32,
}

/// Key bytes per digit.
const DIGIT: usize = 16;
const CHUNK_BITS: u32 = 27;
const CHUNK_MASK: u32 = (1 << CHUNK_BITS) - 1;

impl Item {
    fn new(bytes: &[u8], chunk: usize, row: usize) -> Item {
        let mut item = Item {
            hi: 0,
            lo: 0,
            chunk_tag: chunk as u32,
            row: row as u32,
        };
        item.set_depth(bytes, 0);
        item
    }

    /// Loads the key bytes at `depth`.
    fn set_depth(&mut self, bytes: &[u8], depth: usize) {
        let rest = bytes.get(depth * DIGIT..).unwrap_or_default();
        let mut p = [0u8; DIGIT];
        let n = rest.len().min(DIGIT);
        p[..n].copy_from_slice(&rest[..n]);
        let (hi, lo) = p.split_at(8);
        self.hi = u64::from_be_bytes(hi.try_into().expect("8 bytes"));
        self.lo = u64::from_be_bytes(lo.try_into().expect("8 bytes"));
        self.chunk_tag = (self.chunk_tag & CHUNK_MASK) | ((n as u32) << CHUNK_BITS);
    }

    /// The key at the current depth: equal keys with a full tag may differ further on.
    fn key(&self) -> (u64, u64, u32) {
        (self.hi, self.lo, self.chunk_tag >> CHUNK_BITS)
    }

    fn chunk(&self) -> usize {
        (self.chunk_tag & CHUNK_MASK) as usize
    }

    fn continues(&self) -> bool {
        (self.chunk_tag >> CHUNK_BITS) as usize == DIGIT
    }
}

/// Key order at the current depth (reversed when `descending`), then position: stable.
fn compare(a: &Item, b: &Item, descending: bool) -> std::cmp::Ordering {
    let by_key = a.key().cmp(&b.key());
    let by_key = if descending { by_key.reverse() } else { by_key };
    by_key.then_with(|| (a.chunk(), a.row).cmp(&(b.chunk(), b.row)))
}

/// `items` are sorted by their key at `depth`; sorts every run of equal keys that go on
/// by the next 16 bytes, and so on (an MSD radix sort whose digits are 16 bytes wide).
fn refine(items: &mut [Item], depth: usize, keys: &[ByteKeys], descending: bool) {
    for run in items.chunk_by_mut(|a, b| a.key() == b.key()) {
        refine_run(run, depth, keys, descending);
    }
}

fn refine_run(run: &mut [Item], depth: usize, keys: &[ByteKeys], descending: bool) {
    if run.len() < 2 || !run[0].continues() {
        return;
    }
    for item in run.iter_mut() {
        let bytes = keys[item.chunk()]
            .get(item.row as usize)
            .unwrap_or_default();
        item.set_depth(bytes, depth + 1);
    }
    if run.len() > 1 << 16 {
        run.par_sort_unstable_by(|a, b| compare(a, b, descending));
    } else {
        run.sort_unstable_by(|a, b| compare(a, b, descending));
    }
    refine(run, depth + 1, keys, descending);
}

impl Sort {
    /// Checks the keys against `schema`.
    pub fn compile(by: &[(Expr, SortOptions)], schema: &Schema) -> Result<Sort> {
        if by.is_empty() {
            return Err(Error::invalid("sort", "sort needs at least one key"));
        }
        let mut keys = Vec::new();
        let mut fields = Vec::new();
        for (e, o) in by {
            if e.has_agg() {
                return Err(Error::invalid(
                    format!("sort key {e}"),
                    "a sort key cannot be an aggregate",
                ));
            }
            let (p, field) = compile(e, schema)?;
            // A struct sorts by its fields in order (arrow-row encodes it); a list does not.
            if matches!(
                field.data_type(),
                DataType::List(_) | DataType::LargeList(_)
            ) {
                return Err(Error::TypeMismatch {
                    context: format!("sort key {e}"),
                    expected: "a sortable type (string, number, boolean, date, struct)".into(),
                    found: field.data_type().clone(),
                });
            }
            let options = arrow_schema::SortOptions {
                descending: o.descending,
                nulls_first: !o.nulls_last,
            };
            fields.push((field.data_type().clone(), options));
            keys.push(p);
        }
        let encoder = KeyEncoder::new(fields, "sort keys")?;
        Ok(Sort {
            keys,
            options: by.iter().map(|(_, o)| *o).collect(),
            encoder,
        })
    }

    /// Sorts `batches`; the result has their schema, in batches of at most 2^20 rows.
    /// With a `limit`, only that many first rows are made (a top-k).
    pub fn run(
        &self,
        runtime: &Runtime,
        batches: Vec<RecordBatch>,
        limit: Option<usize>,
    ) -> Result<Vec<RecordBatch>> {
        let Some(first) = batches.first() else {
            return Ok(batches);
        };
        let schema = first.schema();
        let max_rows = batches.iter().map(RecordBatch::num_rows).max().unwrap_or(0);
        if max_rows > u32::MAX as usize || batches.len() > CHUNK_MASK as usize {
            return Err(Error::invalid(
                "sort",
                format!(
                    "{} batches of up to {max_rows} rows is more than a sort takes \
                     (2^27 batches of 2^32 rows)",
                    batches.len()
                ),
            ));
        }
        runtime.install(|| {
            let keys: Vec<ByteKeys> = batches
                .par_iter()
                .map(|b| {
                    let arrays = self
                        .keys
                        .iter()
                        .map(|k| evaluate(k, b)?.into_array(b.num_rows()))
                        .collect::<Result<Vec<ArrayRef>>>()?;
                    self.encoder.encode(&arrays, "sort keys")
                })
                .collect::<Result<_>>()?;
            let rows: Vec<usize> = batches.iter().map(RecordBatch::num_rows).collect();
            let order = self.order(&keys, &rows, limit);
            let columns: Vec<Vec<&dyn Array>> = (0..schema.fields().len())
                .map(|c| batches.iter().map(|b| b.column(c).as_ref()).collect())
                .collect();
            order
                .par_chunks(OUTPUT_ROWS)
                .map(|indices| {
                    let out = columns
                        .iter()
                        .map(|arrays| arrow_select::interleave::interleave(arrays, indices))
                        .collect::<std::result::Result<Vec<_>, _>>()
                        .map_err(|e| Error::arrow("sort", e))?;
                    RecordBatch::try_new(schema.clone(), out).map_err(|e| Error::arrow("sort", e))
                })
                .collect()
        })
    }

    /// The sorted order as (chunk, row) pairs; only the first `limit` when given.
    ///
    /// A top-k selects the `limit` smallest items by their first 16 key bytes in linear
    /// time (plus every item that ties with the last of them there), and sorts only those.
    fn order(&self, keys: &[ByteKeys], rows: &[usize], limit: Option<usize>) -> Vec<Location> {
        let per_chunk: Vec<(Vec<Item>, Vec<Location>)> = keys
            .par_iter()
            .enumerate()
            .map(|(c, k)| {
                let rows = rows[c];
                let mut items = Vec::with_capacity(rows);
                let mut nulls = Vec::new();
                k.for_each(rows, |r, key| match key {
                    Some(bytes) => items.push(Item::new(bytes, c, r)),
                    None => nulls.push((c, r)),
                });
                (items, nulls)
            })
            .collect();
        let mut items = Vec::with_capacity(per_chunk.iter().map(|(i, _)| i.len()).sum());
        let mut nulls = Vec::new();
        for (i, n) in per_chunk {
            items.extend(i);
            nulls.extend(n);
        }
        // Only the in-place string path leaves direction to us; arrow-row bakes it in.
        let descending = matches!(self.encoder, KeyEncoder::Strings) && self.options[0].descending;
        let nulls_last = self.options[0].nulls_last;
        if let Some(limit) = limit {
            let from_items = if nulls_last {
                limit
            } else {
                limit.saturating_sub(nulls.len())
            };
            if from_items == 0 {
                items.clear();
            } else if from_items < items.len() {
                let (_, &mut last, rest) =
                    items.select_nth_unstable_by(from_items - 1, |a, b| compare(a, b, descending));
                let boundary = last.key();
                let ties: Vec<Item> = rest
                    .iter()
                    .filter(|i| i.key() == boundary)
                    .copied()
                    .collect();
                items.truncate(from_items);
                items.extend(ties);
            }
        }
        items.par_sort_unstable_by(|a, b| compare(a, b, descending));
        items
            .par_chunk_by_mut(|a, b| a.key() == b.key())
            .for_each(|run| refine_run(run, 0, keys, descending));
        let sorted = items.into_iter().map(|i| (i.chunk(), i.row as usize));
        let take = limit.unwrap_or(usize::MAX);
        if nulls_last {
            sorted.chain(nulls).take(take).collect()
        } else {
            nulls.into_iter().chain(sorted).take(take).collect()
        }
    }
}
