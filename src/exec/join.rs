//! Hash joins: inner, left, semi and anti, on one or more keys of any hashable type.
//!
//! The smaller input is the build side: its batches are concatenated, its keys are turned
//! into bytes (see [`keys`](super::keys): a single string key is read in place) and put in a
//! [`KeySet`], and its rows are listed by key id (a CSR index), so the rows of one key are
//! contiguous and in input order. The other input is probed in parallel, one partition
//! per task, with no lock: each task looks up its rows' keys, and when the left input was
//! chosen as build side for a left, semi or anti join, it also records which build rows it
//! matched in its own bitmap; the bitmaps are OR-ed at the end.
//!
//! Before any output is gathered, the probe counts the rows the join will produce and
//! compares their estimated size with the memory available, so that a join on a key with
//! many duplicates on both sides is an error and not an out-of-memory kill. A null key
//! matches nothing, as in SQL.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, BooleanArray, RecordBatch, RecordBatchOptions, UInt32Array};
use arrow_buffer::BooleanBuffer;
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::exec::keys::{by_bucket, hash_bytes, ByteKeys, KeyEncoder, KeySet};
use crate::exec::{batch_bytes, partition, CancelFlag, Partition, PartitionLimits, Runtime};
use crate::expr::physical::{compile, evaluate, is_plain_string, is_string, PhysicalExpr};
use crate::expr::Expr;

/// Which rows a join keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinType {
    /// Pairs of rows whose keys are equal.
    Inner,
    /// Every left row: with each matching right row, or once with nulls on the right.
    Left,
    /// Left rows that have a match, once each, left columns only.
    Semi,
    /// Left rows that have no match, left columns only.
    Anti,
}

/// A join of two inputs, as planned.
#[derive(Debug, Clone)]
pub(crate) struct JoinSpec {
    pub how: JoinType,
    pub left_on: Vec<Expr>,
    pub right_on: Vec<Expr>,
    /// Added to a right column's name that the left also has.
    pub suffix: String,
    /// Right key columns that are plain columns are left out of the output (their values
    /// equal the left keys'), as in Polars; SQL keeps them.
    pub coalesce: bool,
}

/// The columns a join outputs: (side, column index) in order, with the output schema.
#[derive(Debug)]
pub(crate) struct JoinOutput {
    pub columns: Vec<(Side, usize)>,
    pub schema: SchemaRef,
}

impl JoinOutput {
    /// The output columns of a batch of left rows (semi and anti joins).
    fn gather_left(&self, batch: &RecordBatch) -> Result<RecordBatch> {
        let columns = self
            .columns
            .iter()
            .map(|(_, i)| batch.column(*i).clone())
            .collect();
        let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
        RecordBatch::try_new_with_options(self.schema.clone(), columns, &options)
            .map_err(|e| Error::arrow("join", e))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Left,
    Right,
}

impl JoinSpec {
    /// Checks the keys against both schemas and names the output columns.
    pub fn output(&self, left: &Schema, right: &Schema) -> Result<JoinOutput> {
        self.key_types(left, right)?;
        let mut columns: Vec<(Side, usize)> =
            (0..left.fields().len()).map(|i| (Side::Left, i)).collect();
        let mut fields: Vec<Field> = left.fields().iter().map(|f| f.as_ref().clone()).collect();
        if matches!(self.how, JoinType::Inner | JoinType::Left) {
            let dropped: Vec<&str> = if self.coalesce {
                self.right_on
                    .iter()
                    .filter_map(|e| match e {
                        Expr::Column(c) => Some(c.as_str()),
                        _ => None,
                    })
                    .collect()
            } else {
                Vec::new()
            };
            for (i, f) in right.fields().iter().enumerate() {
                if dropped.iter().any(|d| d == f.name()) {
                    continue;
                }
                let mut name = f.name().clone();
                if fields.iter().any(|g| g.name() == &name) {
                    name = format!("{name}{}", self.suffix);
                    if fields.iter().any(|g| g.name() == &name) || right.index_of(&name).is_ok() {
                        return Err(Error::invalid(
                            "join",
                            format!(
                                "ambiguous column name {:?}: both sides have it and {name:?} \
                                 is taken too; rename a column or choose another suffix",
                                f.name()
                            ),
                        ));
                    }
                }
                let nullable = f.is_nullable() || self.how == JoinType::Left;
                fields.push(Field::new(name, f.data_type().clone(), nullable));
                columns.push((Side::Right, i));
            }
        }
        Ok(JoinOutput {
            columns,
            schema: Arc::new(Schema::new(fields)),
        })
    }

    /// The type each key pair is compared as (`None`: plain strings, read in place).
    fn key_types(&self, left: &Schema, right: &Schema) -> Result<Vec<Option<DataType>>> {
        if self.left_on.len() != self.right_on.len() || self.left_on.is_empty() {
            return Err(Error::invalid(
                "join",
                format!(
                    "needs as many left keys as right keys, at least one; got {} and {}",
                    self.left_on.len(),
                    self.right_on.len()
                ),
            ));
        }
        let single = self.left_on.len() == 1;
        self.left_on
            .iter()
            .zip(&self.right_on)
            .map(|(l, r)| {
                let (_, lf) = compile(l, left).map_err(|e| on_side(e, "left"))?;
                let (_, rf) = compile(r, right).map_err(|e| on_side(e, "right"))?;
                let (lt, rt) = (lf.data_type(), rf.data_type());
                let mismatch = || Error::TypeMismatch {
                    context: format!("join key {l} = {r}"),
                    expected: format!("a type comparable with {lt}"),
                    found: rt.clone(),
                };
                Ok(if is_string(lt) && is_string(rt) {
                    if single && is_plain_string(lt) && is_plain_string(rt) {
                        None
                    } else {
                        Some(DataType::Utf8)
                    }
                } else if lt.is_numeric() && rt.is_numeric() {
                    if lt.is_floating() || rt.is_floating() {
                        Some(DataType::Float64)
                    } else {
                        Some(DataType::Int64)
                    }
                } else if lt == rt && !matches!(lt, DataType::List(_) | DataType::Struct(_)) {
                    Some(lt.clone())
                } else {
                    return Err(mismatch());
                })
            })
            .collect()
    }
}

/// Names the side of an unknown join key column.
fn on_side(e: Error, side: &str) -> Error {
    match e {
        Error::ColumnNotFound { name, available } => Error::invalid(
            format!("join key {name:?}"),
            format!(
                "no such column on the {side} side; it has: {}",
                available.join(", ")
            ),
        ),
        other => other,
    }
}

/// One side's keys, compiled: expressions cast to the compared types.
struct Keys {
    exprs: Vec<PhysicalExpr>,
    encoder: KeyEncoder,
}

impl Keys {
    fn new(on: &[Expr], schema: &Schema, types: &[Option<DataType>]) -> Result<Keys> {
        let exprs = on
            .iter()
            .zip(types)
            .map(|(e, t)| {
                let (p, f) = compile(e, schema)?;
                Ok(match t {
                    Some(t) if t != f.data_type() => PhysicalExpr::Cast(Box::new(p), t.clone()),
                    _ => p,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let fields = types
            .iter()
            .map(|t| (t.clone().unwrap_or(DataType::Utf8), Default::default()))
            .collect();
        Ok(Keys {
            exprs,
            encoder: KeyEncoder::new(fields, "join keys")?,
        })
    }

    /// The keys of a batch, and which rows have a null in any key (they match nothing).
    fn encode(&self, batch: &RecordBatch) -> Result<(ByteKeys, Option<BooleanBuffer>)> {
        let rows = batch.num_rows();
        let arrays = self
            .exprs
            .iter()
            .map(|e| evaluate(e, batch)?.into_array(rows))
            .collect::<Result<Vec<ArrayRef>>>()?;
        let mut valid: Option<BooleanBuffer> = None;
        for a in &arrays {
            if let Some(n) = a.logical_nulls().filter(|n| n.null_count() > 0) {
                valid = Some(match valid {
                    Some(v) => &v & n.inner(),
                    None => n.inner().clone(),
                });
            }
        }
        Ok((self.encoder.encode(&arrays, "join keys")?, valid))
    }
}

/// The build side: its rows, and for each key id the rows that have it.
struct Build {
    batch: RecordBatch,
    keys: KeySet,
    /// Rows grouped by key id: the rows of key `k` are `rows[starts[k]..starts[k + 1]]`.
    rows: Vec<u32>,
    starts: Vec<usize>,
}

impl Build {
    fn new(batch: RecordBatch, keys: &Keys) -> Result<Build> {
        if batch.num_rows() >= u32::MAX as usize {
            return Err(Error::invalid(
                "join",
                format!(
                    "the build side has {} rows, more than 2^32 - 1",
                    batch.num_rows()
                ),
            ));
        }
        let (bytes, valid) = keys.encode(&batch)?;
        let mut set = KeySet::default();
        let mut ids = Vec::with_capacity(batch.num_rows());
        bytes.for_each(batch.num_rows(), |r, key| {
            let id = match key {
                Some(key) if valid.as_ref().is_none_or(|v| v.value(r)) => {
                    set.insert(hash_bytes(key), key).0
                }
                _ => u32::MAX,
            };
            ids.push(id);
        });
        let (rows, starts) = by_bucket(ids.len(), set.len(), |r| {
            (ids[r] != u32::MAX).then_some(ids[r] as usize)
        });
        Ok(Build {
            batch,
            keys: set,
            rows,
            starts,
        })
    }

    fn matches(&self, id: u32) -> &[u32] {
        &self.rows[self.starts[id as usize]..self.starts[id as usize + 1]]
    }
}

/// The bytes the join may use for its output: `SPINDLE_MEMORY_LIMIT` (bytes, or with a
/// K/M/G suffix), else the memory the kernel reports available.
fn memory_budget() -> Result<usize> {
    if let Ok(v) = std::env::var("SPINDLE_MEMORY_LIMIT") {
        let t = v.trim();
        let (digits, scale) = match t.chars().last().map(|c| c.to_ascii_uppercase()) {
            Some('K') => (&t[..t.len() - 1], 1usize << 10),
            Some('M') => (&t[..t.len() - 1], 1 << 20),
            Some('G') => (&t[..t.len() - 1], 1 << 30),
            _ => (t, 1),
        };
        return digits
            .trim()
            .parse::<usize>()
            .map(|n| n.saturating_mul(scale))
            .map_err(|_| {
                Error::invalid(
                    "SPINDLE_MEMORY_LIMIT",
                    format!("expected bytes such as 4000000000 or 4G, got {v:?}"),
                )
            });
    }
    let available = std::fs::read_to_string("/proc/meminfo").ok().and_then(|s| {
        s.lines()
            .find(|l| l.starts_with("MemAvailable:"))
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<usize>().ok())
    });
    Ok(available.map_or(usize::MAX, |kib| kib.saturating_mul(1024)))
}

fn gib(bytes: f64) -> String {
    format!("{:.1} GiB", bytes / (1u64 << 30) as f64)
}

/// Runs a join of `left` and `right` (batches with schemas `left_schema`, `right_schema`).
/// Its output is `output`'s columns (a semi or anti join's are left columns only).
pub(crate) fn run(
    spec: &JoinSpec,
    output: &JoinOutput,
    (runtime, cancel): (&Runtime, &CancelFlag),
    limits: PartitionLimits,
    (left_schema, left): (&SchemaRef, Vec<RecordBatch>),
    (right_schema, right): (&SchemaRef, Vec<RecordBatch>),
) -> Result<Vec<RecordBatch>> {
    let types = spec.key_types(left_schema, right_schema)?;
    let left_keys = Keys::new(&spec.left_on, left_schema, &types)?;
    let right_keys = Keys::new(&spec.right_on, right_schema, &types)?;
    let rows = |b: &[RecordBatch]| b.iter().map(RecordBatch::num_rows).sum::<usize>();
    // Build on the smaller side; ties build on the right, so the left streams. A left join
    // always builds on the right, so that its output keeps the left rows' order.
    let build_left = spec.how != JoinType::Left && rows(&left) < rows(&right);
    let row_bytes =
        |b: &[RecordBatch]| b.iter().map(batch_bytes).sum::<usize>() as f64 / rows(b).max(1) as f64;
    let out_row_bytes = row_bytes(&left)
        + if matches!(spec.how, JoinType::Inner | JoinType::Left) {
            row_bytes(&right)
        } else {
            0.0
        };
    let (build_schema, build_batches, build_keys, probe_batches, probe_keys) = if build_left {
        (left_schema, left, &left_keys, right, &right_keys)
    } else {
        (right_schema, right, &right_keys, left, &left_keys)
    };
    let build_batch = arrow_select::concat::concat_batches(build_schema, &build_batches)
        .map_err(|e| Error::arrow("join", e))?;
    drop(build_batches);
    let build = runtime.install(|| Build::new(build_batch, build_keys))?;
    let budget = memory_budget()?;
    let produced = AtomicUsize::new(0);
    let parts = partition(&probe_batches, limits);
    let ctx = Probe {
        spec,
        build: &build,
        build_left,
        keys: probe_keys,
        output,
        produced: &produced,
        budget,
        out_row_bytes,
    };
    // Semi and anti joins that build on the left record the build rows each thread
    // matched, in a bitmap of its own.
    let marks = build_left && spec.how != JoinType::Inner;
    let results: Vec<(Vec<RecordBatch>, Vec<bool>)> = runtime.install(|| {
        parts
            .par_iter()
            .try_fold(
                || (Vec::new(), Vec::new()),
                |(mut batches, mut matched): (Vec<RecordBatch>, Vec<bool>), p: &Partition| {
                    cancel.check()?;
                    if marks && matched.is_empty() {
                        matched = vec![false; build.batch.num_rows()];
                    }
                    for b in &p.batches {
                        let m = marks.then_some(matched.as_mut_slice());
                        if let Some(out) = ctx.probe(b, m)? {
                            batches.push(out);
                        }
                    }
                    Ok::<_, Error>((batches, matched))
                },
            )
            .collect::<Result<Vec<_>>>()
    })?;
    let mut out = Vec::new();
    let mut matched = vec![false; if marks { build.batch.num_rows() } else { 0 }];
    for (batches, m) in results {
        out.extend(batches);
        if marks && !m.is_empty() {
            matched.iter_mut().zip(m).for_each(|(a, b)| *a |= b);
        }
    }
    if marks {
        // The left rows that matched (semi) or did not (anti), in their order.
        let keep = BooleanArray::from(match spec.how {
            JoinType::Semi => matched,
            _ => matched.into_iter().map(|m| !m).collect(),
        });
        let kept = arrow_select::filter::filter_record_batch(&build.batch, &keep)
            .map_err(|e| Error::arrow("join", e))?;
        if kept.num_rows() > 0 {
            out.push(output.gather_left(&kept)?);
        }
    }
    Ok(out)
}

/// What every probe task shares.
struct Probe<'a> {
    spec: &'a JoinSpec,
    build: &'a Build,
    build_left: bool,
    keys: &'a Keys,
    output: &'a JoinOutput,
    produced: &'a AtomicUsize,
    /// Bytes the output may take, and its estimated bytes per row.
    budget: usize,
    out_row_bytes: f64,
}

impl Probe<'_> {
    /// Joins one probe batch; marks matched build rows in `matched` when the left input
    /// is the build side.
    fn probe(
        &self,
        batch: &RecordBatch,
        matched: Option<&mut [bool]>,
    ) -> Result<Option<RecordBatch>> {
        let n = batch.num_rows();
        let (bytes, valid) = self.keys.encode(batch)?;
        let mut ids = Vec::with_capacity(n);
        let mut pairs = 0usize;
        bytes.for_each(n, |r, key| {
            let id = match key {
                Some(key) if valid.as_ref().is_none_or(|v| v.value(r)) => {
                    self.build.keys.find(hash_bytes(key), key)
                }
                _ => None,
            };
            pairs += id.map_or(0, |id| self.build.matches(id).len());
            ids.push(id);
        });
        let how = self.spec.how;
        if let Some(matched) = matched {
            // A semi or anti join built on the left: mark the matched left rows; they are
            // output at the end.
            for id in ids.iter().flatten() {
                for &b in self.build.matches(*id) {
                    matched[b as usize] = true;
                }
            }
            return Ok(None);
        }
        // Rows this batch adds to the output, checked against memory before gathering.
        let adds = match how {
            JoinType::Inner => pairs,
            JoinType::Left => pairs + ids.iter().filter(|i| i.is_none()).count(),
            JoinType::Semi | JoinType::Anti => n,
        };
        let total = self.produced.fetch_add(adds, Ordering::Relaxed) + adds;
        if total as f64 * self.out_row_bytes.max(1.0) > self.budget as f64 {
            return Err(Error::invalid(
                "join",
                format!(
                    "the join would produce more than {total} rows (about {} at {:.0} bytes \
                     a row), more than the {} of memory available; join on more keys or \
                     filter the inputs first (SPINDLE_MEMORY_LIMIT sets the budget)",
                    gib(total as f64 * self.out_row_bytes),
                    self.out_row_bytes,
                    gib(self.budget as f64)
                ),
            ));
        }
        let (probe_rows, build_rows): (Vec<u32>, Vec<Option<u32>>) = match how {
            JoinType::Semi | JoinType::Anti => {
                let want = how == JoinType::Semi;
                let keep =
                    BooleanArray::from(ids.iter().map(|i| i.is_some() == want).collect::<Vec<_>>());
                let out = arrow_select::filter::filter_record_batch(batch, &keep)
                    .map_err(|e| Error::arrow("join", e))?;
                return Ok(if out.num_rows() > 0 {
                    Some(self.output.gather_left(&out)?)
                } else {
                    None
                });
            }
            _ => {
                let mut p = Vec::with_capacity(adds);
                let mut b = Vec::with_capacity(adds);
                for (r, id) in ids.iter().enumerate() {
                    match id {
                        Some(id) => {
                            for &m in self.build.matches(*id) {
                                p.push(r as u32);
                                b.push(Some(m));
                            }
                        }
                        None if how == JoinType::Left => {
                            p.push(r as u32);
                            b.push(None);
                        }
                        None => {}
                    }
                }
                (p, b)
            }
        };
        if probe_rows.is_empty() {
            return Ok(None);
        }
        let probe_idx = UInt32Array::from(probe_rows);
        let build_idx = UInt32Array::from(build_rows);
        let (left_idx, right_idx, left_src, right_src) = if self.build_left {
            (&build_idx, &probe_idx, &self.build.batch, batch)
        } else {
            (&probe_idx, &build_idx, batch, &self.build.batch)
        };
        let take = |a: &ArrayRef, idx: &UInt32Array| {
            arrow_select::take::take(a, idx, None).map_err(|e| Error::arrow("join", e))
        };
        let columns = self
            .output
            .columns
            .iter()
            .map(|(side, i)| match side {
                Side::Left => take(left_src.column(*i), left_idx),
                Side::Right => take(right_src.column(*i), right_idx),
            })
            .collect::<Result<Vec<_>>>()?;
        let options = RecordBatchOptions::new().with_row_count(Some(probe_idx.len()));
        RecordBatch::try_new_with_options(self.output.schema.clone(), columns, &options)
            .map(Some)
            .map_err(|e| Error::arrow("join", e))
    }
}
