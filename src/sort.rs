//! Sorting a frame by one or more keys, in parallel and stable.
//!
//! Every row's key is a byte string whose byte order is the key order (see
//! [`crate::keys`]): a single string column is compared in place (byte order is code-point
//! order), anything else is arrow-row encoded with the direction and null placement baked
//! in. The sort itself sorts 16-byte items (the key's first 8 bytes as a big-endian
//! integer, then chunk and row) with rayon's parallel sort: most comparisons are decided by
//! the integer and never touch the strings; ties fall back to the full bytes and then to the
//! row's position, which makes the result stable. The rows are then gathered into output
//! batches, in parallel.

use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Schema};
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::exec::Runtime;
use crate::expr::Expr;
use crate::keys::{ByteKeys, KeyEncoder};
use crate::plan::{compile, evaluate, PhysicalExpr};

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

/// What is sorted: a key's first 8 bytes, big-endian, and where the row is.
#[derive(Debug, Clone, Copy)]
struct Item {
    prefix: u64,
    chunk: u32,
    row: u32,
}

fn prefix(bytes: &[u8]) -> u64 {
    let mut p = [0u8; 8];
    let n = bytes.len().min(8);
    p[..n].copy_from_slice(&bytes[..n]);
    u64::from_be_bytes(p)
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
            if matches!(field.data_type(), DataType::List(_) | DataType::Struct(_)) {
                return Err(Error::TypeMismatch {
                    context: format!("sort key {e}"),
                    expected: "a sortable type (string, number, boolean, date)".into(),
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
    pub fn run(&self, runtime: &Runtime, batches: Vec<RecordBatch>) -> Result<Vec<RecordBatch>> {
        let Some(first) = batches.first() else {
            return Ok(batches);
        };
        let schema = first.schema();
        let total: usize = batches.iter().map(RecordBatch::num_rows).sum();
        if total > u32::MAX as usize || batches.len() > u32::MAX as usize {
            return Err(Error::invalid(
                "sort",
                format!(
                    "{total} rows in {} batches is more than a sort takes (2^32 - 1)",
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
            let order = self.order(&keys, &rows);
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

    /// The sorted order as (chunk, row) pairs.
    fn order(&self, keys: &[ByteKeys], rows: &[usize]) -> Vec<Location> {
        let per_chunk: Vec<(Vec<Item>, Vec<Location>)> = keys
            .par_iter()
            .enumerate()
            .map(|(c, k)| {
                let rows = rows[c];
                let mut items = Vec::with_capacity(rows);
                let mut nulls = Vec::new();
                for r in 0..rows {
                    match k.get(r) {
                        Some(bytes) => items.push(Item {
                            prefix: prefix(bytes),
                            chunk: c as u32,
                            row: r as u32,
                        }),
                        None => nulls.push((c, r)),
                    }
                }
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
        items.par_sort_unstable_by(|a, b| {
            let by_key = a.prefix.cmp(&b.prefix).then_with(|| {
                let ka = keys[a.chunk as usize].get(a.row as usize);
                let kb = keys[b.chunk as usize].get(b.row as usize);
                ka.cmp(&kb)
            });
            let by_key = if descending { by_key.reverse() } else { by_key };
            by_key.then_with(|| (a.chunk, a.row).cmp(&(b.chunk, b.row)))
        });
        let sorted = items
            .into_iter()
            .map(|i| (i.chunk as usize, i.row as usize));
        if self.options[0].nulls_last {
            sorted.chain(nulls).collect()
        } else {
            nulls.into_iter().chain(sorted).collect()
        }
    }
}
