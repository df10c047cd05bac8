//! Hash aggregation: `group_by(keys).agg([...])`, `value_counts`, and global aggregates.
//!
//! Two phases, no lock anywhere:
//!
//! 1. **Per thread** (rayon folds the partitions into a few accumulators): each row's key
//!    is hashed once (see [`crate::keys`]: a single string key is hashed straight from the
//!    column's bytes) and looked up in the thread's own hash table, which stores only group
//!    ids; a new group's key bytes are copied once into an arena, so lookups compare
//!    contiguous bytes. Each aggregate updates a flat vector of states indexed by group id.
//!    Groups are then bucketed by the top bits of their hash.
//! 2. **Merge** (in parallel, one task per bucket): a bucket's groups from every thread's
//!    table are merged into one table, reusing the hashes from phase 1, and the bucket's output
//!    batch is built: keys gathered from the input arrays, aggregates finished.
//!
//! On one thread, or for small inputs, there is one bucket; otherwise 64, so that with
//! millions of distinct keys the merge is spread over the cores too.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type,
    UInt64Type, UInt8Type,
};
use arrow_array::{
    Array, ArrayRef, ArrowPrimitiveType, Decimal128Array, Float64Array, Int64Array, PrimitiveArray,
    RecordBatch,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use hashbrown::HashTable;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::exec::{partition, Partition, PartitionLimits, Runtime};
use crate::expr::{AggFunc, Expr};
use crate::keys::{ByteKeys, KeyEncoder};
use crate::plan::{compile, evaluate, PhysicalExpr};

/// A compiled `group_by(keys).agg(aggs)`.
#[derive(Debug)]
pub(crate) struct Aggregate {
    keys: Vec<PhysicalExpr>,
    key_types: Vec<DataType>,
    aggs: Vec<CompiledAgg>,
    schema: SchemaRef,
}

#[derive(Debug)]
struct CompiledAgg {
    func: AggFunc,
    input: Option<PhysicalExpr>,
    /// The input's type (what min and max give back).
    input_type: DataType,
    class: Class,
}

/// How an aggregate's input is accumulated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Only rows or non-null values are counted.
    Count,
    /// Integers, accumulated exactly in `i128`.
    Int,
    /// Floats (and integers for mean, std, var), accumulated in `f64`.
    Float,
}

fn is_int(dt: &DataType) -> bool {
    matches!(
        dt,
        DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64
    )
}

fn is_float(dt: &DataType) -> bool {
    matches!(dt, DataType::Float32 | DataType::Float64)
}

/// Strips aliases: the aggregate function, its input and the output name.
fn split_agg(e: &Expr) -> Option<(AggFunc, Option<&Expr>, String)> {
    match e {
        Expr::Alias(inner, name) => split_agg(inner).map(|(f, i, _)| (f, i, name.clone())),
        Expr::Agg { func, input } => Some((*func, input.as_deref(), e.output_name())),
        _ => None,
    }
}

impl Aggregate {
    /// Checks keys and aggregates against `schema`.
    pub fn compile(keys: &[Expr], aggs: &[Expr], schema: &Schema) -> Result<Aggregate> {
        let mut fields = Vec::new();
        let mut physical_keys = Vec::new();
        let mut key_types = Vec::new();
        for k in keys {
            if k.has_agg() {
                return Err(Error::invalid(
                    format!("group_by key {k}"),
                    "a key cannot be an aggregate",
                ));
            }
            let (p, field) = compile(k, schema)?;
            key_types.push(field.data_type().clone());
            fields.push(field);
            physical_keys.push(p);
        }
        let mut compiled = Vec::new();
        for a in aggs {
            let Some((func, input, name)) = split_agg(a) else {
                return Err(Error::invalid(
                    format!("agg {a}"),
                    "each expression in agg() must be an aggregate such as col(\"x\").sum(), \
                     optionally aliased",
                ));
            };
            let (input, input_type) = match input {
                None => (None, DataType::Null),
                Some(e) => {
                    if e.has_agg() {
                        return Err(Error::invalid(
                            format!("{a}"),
                            "an aggregate cannot take an aggregate",
                        ));
                    }
                    let (p, f) = compile(e, schema)?;
                    (Some(p), f.data_type().clone())
                }
            };
            let numeric = |what: &str| -> Result<()> {
                if is_int(&input_type) || is_float(&input_type) {
                    Ok(())
                } else {
                    Err(Error::TypeMismatch {
                        context: format!("{a}"),
                        expected: what.into(),
                        found: input_type.clone(),
                    })
                }
            };
            let (class, out_type) = match func {
                AggFunc::Len | AggFunc::Count => (Class::Count, DataType::Int64),
                AggFunc::Sum => {
                    numeric("a number")?;
                    if is_int(&input_type) {
                        (Class::Int, DataType::Int64)
                    } else {
                        (Class::Float, DataType::Float64)
                    }
                }
                AggFunc::Min | AggFunc::Max => {
                    numeric("a number")?;
                    let class = if is_int(&input_type) {
                        Class::Int
                    } else {
                        Class::Float
                    };
                    (class, input_type.clone())
                }
                AggFunc::Mean | AggFunc::Std | AggFunc::Var => {
                    numeric("a number")?;
                    (Class::Float, DataType::Float64)
                }
            };
            if fields.iter().any(|f: &Field| f.name() == &name) {
                return Err(Error::invalid(
                    "agg",
                    format!("duplicate output column {name:?}; use .alias()"),
                ));
            }
            let nullable = !matches!(func, AggFunc::Len | AggFunc::Count);
            fields.push(Field::new(name, out_type, nullable));
            compiled.push(CompiledAgg {
                func,
                input,
                input_type,
                class,
            });
        }
        Ok(Aggregate {
            keys: physical_keys,
            key_types,
            aggs: compiled,
            schema: Arc::new(Schema::new(fields)),
        })
    }

    /// The output schema: keys, then aggregates.
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// Runs the aggregation over `batches` on `runtime`.
    pub fn run(
        &self,
        runtime: &Runtime,
        limits: PartitionLimits,
        batches: Vec<RecordBatch>,
    ) -> Result<Vec<RecordBatch>> {
        let fields = self
            .key_types
            .iter()
            .map(|t| (t.clone(), arrow_schema::SortOptions::default()))
            .collect();
        let encoder = KeyEncoder::new(fields, "group_by keys")?;
        let parts = partition(&batches, limits);
        let total_rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
        // Buckets for the merge: one when few groups are possible or one thread runs it.
        let bits = if runtime.threads() > 1 && total_rows > 1 << 16 && !self.keys.is_empty() {
            6
        } else {
            0
        };
        // Thread-local partial tables: rayon folds partitions into a few accumulators.
        let partials: Vec<Partial> = runtime.install(|| {
            parts
                .par_iter()
                .try_fold(
                    || Partial::new(&self.aggs),
                    |mut acc, p: &Partition| {
                        for b in &p.batches {
                            self.absorb(&encoder, &mut acc, b)?;
                        }
                        Ok::<_, Error>(acc)
                    },
                )
                .map(|r| r.map(|p| p.finish(bits)))
                .collect::<Result<Vec<_>>>()
        })?;
        let partials: Vec<Partial> = partials
            .into_iter()
            .filter(|p| !p.groups.is_empty())
            .collect();
        if partials.is_empty() {
            return Ok(if self.keys.is_empty() {
                // A global aggregate over no rows still has one row (count 0, sum null).
                vec![self.finish_global_empty()?]
            } else {
                Vec::new()
            });
        }
        let out = runtime.install(|| {
            (0..1usize << bits)
                .into_par_iter()
                .map(|b| self.merge_bucket(&partials, b))
                .collect::<Result<Vec<_>>>()
        })?;
        Ok(out.into_iter().flatten().collect())
    }

    /// Folds one batch into a thread's partial table.
    fn absorb(
        &self,
        encoder: &KeyEncoder,
        partial: &mut Partial,
        batch: &RecordBatch,
    ) -> Result<()> {
        let rows = batch.num_rows();
        let arrays = self
            .keys
            .iter()
            .map(|k| evaluate(k, batch)?.into_array(rows))
            .collect::<Result<Vec<_>>>()?;
        let keys = encoder.encode(&arrays, "group_by keys")?;
        let chunk = partial.chunks.len() as u32;
        partial.chunks.push(arrays);
        let mut gids = std::mem::take(&mut partial.gids);
        gids.clear();
        gids.reserve(rows);
        match &keys {
            // No keys: every row is in group 0, nothing to hash.
            ByteKeys::Unit => {
                if partial.groups.is_empty() {
                    partial.assign(chunk, &keys, 1, &mut gids);
                    gids.clear();
                }
                gids.resize(rows, 0);
            }
            keys => partial.assign(chunk, keys, rows, &mut gids),
        }
        let groups = partial.groups.len();
        for (acc, agg) in partial.states.iter_mut().zip(&self.aggs) {
            acc.resize(groups);
            let input = match &agg.input {
                Some(e) => Some(evaluate(e, batch)?.into_array(rows)?),
                None => None,
            };
            acc.update(agg.func, &gids, input.as_deref());
        }
        partial.gids = gids;
        Ok(())
    }

    fn merge_bucket(&self, partials: &[Partial], b: usize) -> Result<Option<RecordBatch>> {
        // (partial, group) of each merged group's first occurrence.
        let mut owners: Vec<(u32, u32)> = Vec::new();
        let mut states: Vec<Acc> = self.aggs.iter().map(Acc::new).collect();
        let single = partials.len() == 1;
        let mut table: HashTable<u32> = HashTable::new();
        for (pi, p) in partials.iter().enumerate() {
            for &g in p.bucket(b) {
                if single {
                    owners.push((0, g));
                    continue;
                }
                let h = p.hashes[g as usize];
                let key = p.key(g);
                let found = table.find(h, |&m| {
                    let (q, qg) = owners[m as usize];
                    partials[q as usize].key(qg) == key
                });
                let m = match found {
                    Some(&m) => m,
                    None => {
                        let m = owners.len() as u32;
                        owners.push((pi as u32, g));
                        table.insert_unique(h, m, |&m| {
                            let (q, qg) = owners[m as usize];
                            partials[q as usize].hashes[qg as usize]
                        });
                        for s in &mut states {
                            s.resize(owners.len());
                        }
                        m
                    }
                };
                for ((s, from), agg) in states.iter_mut().zip(&p.states).zip(&self.aggs) {
                    s.merge(m as usize, from, g as usize, agg.func);
                }
            }
        }
        if owners.is_empty() {
            return Ok(None);
        }
        if single {
            // One partition: its states are already final for its groups.
            let p = &partials[0];
            let picks: Vec<usize> = owners.iter().map(|&(_, g)| g as usize).collect();
            states = p.states.iter().map(|s| s.pick(&picks)).collect();
        }
        // Gather the keys from the input arrays.
        let mut sources: Vec<(usize, usize)> = Vec::new(); // first chunk index of each partial
        let mut offset = 0;
        for p in partials {
            sources.push((offset, p.chunks.len()));
            offset += p.chunks.len();
        }
        let indices: Vec<(usize, usize)> = owners
            .iter()
            .map(|&(q, g)| {
                let (c, row) = partials[q as usize].groups[g as usize];
                (sources[q as usize].0 + c as usize, row as usize)
            })
            .collect();
        let mut columns: Vec<ArrayRef> = Vec::new();
        for k in 0..self.keys.len() {
            let arrays: Vec<&dyn Array> = partials
                .iter()
                .flat_map(|p| p.chunks.iter().map(move |c| c[k].as_ref()))
                .collect();
            columns.push(
                arrow_select::interleave::interleave(&arrays, &indices)
                    .map_err(|e| Error::arrow("group_by keys", e))?,
            );
        }
        for (s, agg) in states.into_iter().zip(&self.aggs) {
            columns.push(s.finish(agg)?);
        }
        RecordBatch::try_new(self.schema.clone(), columns)
            .map(Some)
            .map_err(|e| Error::arrow("group_by", e))
    }

    fn finish_global_empty(&self) -> Result<RecordBatch> {
        let columns = self
            .aggs
            .iter()
            .map(|a| {
                let mut acc = Acc::new(a);
                acc.resize(1);
                acc.finish(a)
            })
            .collect::<Result<Vec<_>>>()?;
        RecordBatch::try_new(self.schema.clone(), columns).map_err(|e| Error::arrow("agg", e))
    }
}

/// A thread's groups: each group's key bytes (copied once, when the group is first seen,
/// so lookups compare contiguous bytes), where the key first occurred (to gather the output
/// keys from), its hash, its aggregate states, and, when finished, its ids by merge bucket.
#[derive(Debug)]
struct Partial {
    /// The evaluated key columns of every chunk absorbed.
    chunks: Vec<Vec<ArrayRef>>,
    table: HashTable<u32>,
    /// Key bytes of all groups; group `g`'s are `arena[ends[g - 1]..ends[g]]`.
    arena: Vec<u8>,
    ends: Vec<usize>,
    /// The group whose key is null, if any (its arena bytes are empty).
    null_group: Option<u32>,
    /// (chunk, row) where each group first occurred.
    groups: Vec<(u32, u32)>,
    hashes: Vec<u64>,
    states: Vec<Acc>,
    /// Group ids sorted by bucket, and where each bucket starts (`len = buckets + 1`).
    buckets: (Vec<u32>, Vec<usize>),
    /// Scratch: the group of each row of the batch being absorbed.
    gids: Vec<u32>,
}

impl Partial {
    fn new(aggs: &[CompiledAgg]) -> Partial {
        Partial {
            chunks: Vec::new(),
            table: HashTable::new(),
            arena: Vec::new(),
            ends: Vec::new(),
            null_group: None,
            groups: Vec::new(),
            hashes: Vec::new(),
            states: aggs.iter().map(Acc::new).collect(),
            buckets: (Vec::new(), Vec::new()),
            gids: Vec::new(),
        }
    }

    /// Finds or makes the group of each of the first `rows` rows of chunk `chunk`.
    fn assign(&mut self, chunk: u32, keys: &ByteKeys, rows: usize, gids: &mut Vec<u32>) {
        let Partial {
            table,
            arena,
            ends,
            null_group,
            groups,
            hashes,
            ..
        } = self;
        keys.for_each(rows, |r, key| {
            let g = match key {
                None => *null_group.get_or_insert_with(|| {
                    let g = groups.len() as u32;
                    groups.push((chunk, r as u32));
                    hashes.push(NULL_HASH);
                    ends.push(arena.len());
                    g
                }),
                Some(key) => {
                    let h = hash_key(Some(key));
                    let found = table.find(h, |&g| arena_key(arena, ends, g) == key);
                    match found {
                        Some(&g) => g,
                        None => {
                            let g = groups.len() as u32;
                            groups.push((chunk, r as u32));
                            hashes.push(h);
                            arena.extend_from_slice(key);
                            ends.push(arena.len());
                            table.insert_unique(h, g, |&g| hashes[g as usize]);
                            g
                        }
                    }
                }
            };
            gids.push(g);
        });
    }

    /// Drops the lookup table and buckets the groups for the merge.
    fn finish(mut self, bits: u32) -> Partial {
        self.table = HashTable::new();
        self.gids = Vec::new();
        self.buckets = bucket(&self.hashes, bits);
        self
    }

    fn key(&self, g: u32) -> Option<&[u8]> {
        if self.null_group == Some(g) {
            return None;
        }
        Some(arena_key(&self.arena, &self.ends, g))
    }

    fn bucket(&self, b: usize) -> &[u32] {
        let (ids, starts) = &self.buckets;
        &ids[starts[b]..starts[b + 1]]
    }
}

/// Group `g`'s key bytes in an arena whose group ends are `ends`.
fn arena_key<'a>(arena: &'a [u8], ends: &[usize], g: u32) -> &'a [u8] {
    let start = if g == 0 { 0 } else { ends[g as usize - 1] };
    &arena[start..ends[g as usize]]
}

/// The hash of the null key.
const NULL_HASH: u64 = 0x9E37_79B9_7F4A_7C15;

fn hash_key(key: Option<&[u8]>) -> u64 {
    // Fixed seeds: the same key hashes the same in every partition and every run.
    const STATE: ahash::RandomState = ahash::RandomState::with_seeds(
        0x243F_6A88_85A3_08D3,
        0x1319_8A2E_0370_7344,
        0xA409_3822_299F_31D0,
        0x082E_FA98_EC4E_6C89,
    );
    match key {
        Some(bytes) => STATE.hash_one(bytes),
        None => NULL_HASH,
    }
}

/// A counting sort of group ids by the top `bits` bits of their hash.
fn bucket(hashes: &[u64], bits: u32) -> (Vec<u32>, Vec<usize>) {
    if bits == 0 {
        return ((0..hashes.len() as u32).collect(), vec![0, hashes.len()]);
    }
    let of = |h: u64| (h >> (64 - bits)) as usize;
    let mut starts = vec![0usize; (1 << bits) + 1];
    for &h in hashes {
        starts[of(h) + 1] += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let mut next = starts.clone();
    let mut ids = vec![0u32; hashes.len()];
    for (g, &h) in hashes.iter().enumerate() {
        let b = of(h);
        ids[next[b]] = g as u32;
        next[b] += 1;
    }
    (ids, starts)
}

/// Aggregate states, one slot per group.
#[derive(Debug, Clone)]
enum Acc {
    /// Rows or non-null values.
    Count(Vec<i64>),
    /// Sum, min or max of integers; `n` counts the non-null values seen.
    Int { v: Vec<i128>, n: Vec<i64> },
    /// Sum, min, max or mean of floats.
    Float { v: Vec<f64>, n: Vec<i64> },
    /// Count, mean and sum of squared deviations (Welford; merged with Chan's formula).
    Moments {
        n: Vec<i64>,
        mean: Vec<f64>,
        m2: Vec<f64>,
    },
}

/// Calls `f(group, value)` for each non-null value of `a`.
fn visit<T: ArrowPrimitiveType>(
    a: &PrimitiveArray<T>,
    gids: &[u32],
    mut f: impl FnMut(usize, T::Native),
) {
    let values = a.values();
    match a.nulls().filter(|n| n.null_count() > 0) {
        None => {
            for (&g, &v) in gids.iter().zip(values.iter()) {
                f(g as usize, v);
            }
        }
        Some(nulls) => {
            for (i, (&g, &v)) in gids.iter().zip(values.iter()).enumerate() {
                if nulls.is_valid(i) {
                    f(g as usize, v);
                }
            }
        }
    }
}

/// Calls `f(group, value)` for each non-null integer of `a`, widened to `i128`.
fn visit_ints(a: &dyn Array, gids: &[u32], f: impl FnMut(usize, i128)) {
    macro_rules! go {
        ($t:ty) => {{
            let mut f = f;
            visit(a.as_primitive::<$t>(), gids, |g, v| f(g, v as i128))
        }};
    }
    match a.data_type() {
        DataType::Int8 => go!(Int8Type),
        DataType::Int16 => go!(Int16Type),
        DataType::Int32 => go!(Int32Type),
        DataType::Int64 => go!(Int64Type),
        DataType::UInt8 => go!(UInt8Type),
        DataType::UInt16 => go!(UInt16Type),
        DataType::UInt32 => go!(UInt32Type),
        DataType::UInt64 => go!(UInt64Type),
        other => unreachable!("compile admits only integer inputs here, not {other}"),
    }
}

/// Calls `f(group, value)` for each non-null number of `a`, as `f64`.
fn visit_floats(a: &dyn Array, gids: &[u32], f: impl FnMut(usize, f64)) {
    match a.data_type() {
        DataType::Float64 => visit(a.as_primitive::<Float64Type>(), gids, f),
        DataType::Float32 => {
            let mut f = f;
            visit(a.as_primitive::<Float32Type>(), gids, |g, v| f(g, v as f64))
        }
        _ => {
            let mut f = f;
            visit_ints(a, gids, |g, v| f(g, v as f64))
        }
    }
}

/// Folds one chunk's values (`$visit` calls its closure with each group and value) into
/// sum, min or max slots `$v`, counting values in `$n`: one loop per function, so the hot
/// loop has no branch on it. A min or max slot takes the first value as is.
macro_rules! fold_values {
    ($visit:ident, $a:expr, $gids:expr, $func:expr, $v:ident, $n:ident, $min:path, $max:path) => {
        match $func {
            AggFunc::Min => $visit($a, $gids, |g, x| {
                $v[g] = if $n[g] > 0 { $min($v[g], x) } else { x };
                $n[g] += 1;
            }),
            AggFunc::Max => $visit($a, $gids, |g, x| {
                $v[g] = if $n[g] > 0 { $max($v[g], x) } else { x };
                $n[g] += 1;
            }),
            _ => $visit($a, $gids, |g, x| {
                $v[g] += x;
                $n[g] += 1;
            }),
        }
    };
}

impl Acc {
    fn new(agg: &CompiledAgg) -> Acc {
        match (agg.func, agg.class) {
            (AggFunc::Std | AggFunc::Var, _) => Acc::Moments {
                n: Vec::new(),
                mean: Vec::new(),
                m2: Vec::new(),
            },
            (_, Class::Count) => Acc::Count(Vec::new()),
            (_, Class::Int) => Acc::Int {
                v: Vec::new(),
                n: Vec::new(),
            },
            (_, Class::Float) => Acc::Float {
                v: Vec::new(),
                n: Vec::new(),
            },
        }
    }

    fn resize(&mut self, groups: usize) {
        match self {
            Acc::Count(c) => c.resize(groups, 0),
            Acc::Int { v, n } => {
                v.resize(groups, 0);
                n.resize(groups, 0);
            }
            Acc::Float { v, n } => {
                v.resize(groups, 0.0);
                n.resize(groups, 0);
            }
            Acc::Moments { n, mean, m2 } => {
                n.resize(groups, 0);
                mean.resize(groups, 0.0);
                m2.resize(groups, 0.0);
            }
        }
    }

    /// Folds one chunk's values in; `gids[i]` is row `i`'s group. `input` is `None` for
    /// `len`. A min or max slot is unset while its `n` is 0 and takes the first value.
    fn update(&mut self, func: AggFunc, gids: &[u32], input: Option<&dyn Array>) {
        match self {
            Acc::Count(c) => match input {
                None => gids.iter().for_each(|&g| c[g as usize] += 1),
                Some(a) => match a.logical_nulls().filter(|n| n.null_count() > 0) {
                    None => gids.iter().for_each(|&g| c[g as usize] += 1),
                    Some(nulls) => {
                        for (i, &g) in gids.iter().enumerate() {
                            c[g as usize] += nulls.is_valid(i) as i64;
                        }
                    }
                },
            },
            Acc::Int { v, n } => {
                let a = input.expect("sum, min and max have an input");
                fold_values!(visit_ints, a, gids, func, v, n, Ord::min, Ord::max);
            }
            Acc::Float { v, n } => {
                let a = input.expect("sum, min, max and mean have an input");
                fold_values!(visit_floats, a, gids, func, v, n, f64::min, f64::max);
            }
            Acc::Moments { n, mean, m2 } => {
                let a = input.expect("std and var have an input");
                visit_floats(a, gids, |g, x| {
                    n[g] += 1;
                    let d = x - mean[g];
                    mean[g] += d / n[g] as f64;
                    m2[g] += d * (x - mean[g]);
                });
            }
        }
    }

    /// Adds group `from_g` of `from` into group `g` of `self`.
    fn merge(&mut self, g: usize, from: &Acc, from_g: usize, func: AggFunc) {
        match (self, from) {
            (Acc::Count(c), Acc::Count(f)) => c[g] += f[from_g],
            (Acc::Int { v, n }, Acc::Int { v: fv, n: fnn }) => {
                if fnn[from_g] > 0 {
                    v[g] = combine(func, n[g] > 0, (v[g], fv[from_g]), Ord::min, Ord::max);
                    n[g] += fnn[from_g];
                }
            }
            (Acc::Float { v, n }, Acc::Float { v: fv, n: fnn }) => {
                if fnn[from_g] > 0 {
                    v[g] = combine(func, n[g] > 0, (v[g], fv[from_g]), f64::min, f64::max);
                    n[g] += fnn[from_g];
                }
            }
            (
                Acc::Moments { n, mean, m2 },
                Acc::Moments {
                    n: fnn,
                    mean: fmean,
                    m2: fm2,
                },
            ) => {
                let (na, nb) = (n[g] as f64, fnn[from_g] as f64);
                if nb > 0.0 {
                    let total = na + nb;
                    let d = fmean[from_g] - mean[g];
                    mean[g] += d * nb / total;
                    m2[g] += fm2[from_g] + d * d * na * nb / total;
                    n[g] += fnn[from_g];
                }
            }
            _ => unreachable!("states of one aggregate have one shape"),
        }
    }

    /// The states of groups `picks`, in that order.
    fn pick(&self, picks: &[usize]) -> Acc {
        let take = |v: &Vec<i64>| picks.iter().map(|&g| v[g]).collect::<Vec<_>>();
        match self {
            Acc::Count(c) => Acc::Count(take(c)),
            Acc::Int { v, n } => Acc::Int {
                v: picks.iter().map(|&g| v[g]).collect(),
                n: take(n),
            },
            Acc::Float { v, n } => Acc::Float {
                v: picks.iter().map(|&g| v[g]).collect(),
                n: take(n),
            },
            Acc::Moments { n, mean, m2 } => Acc::Moments {
                n: take(n),
                mean: picks.iter().map(|&g| mean[g]).collect(),
                m2: picks.iter().map(|&g| m2[g]).collect(),
            },
        }
    }

    fn finish(self, agg: &CompiledAgg) -> Result<ArrayRef> {
        let context = || agg.func.name().to_string();
        Ok(match self {
            Acc::Count(c) => Arc::new(Int64Array::from(c)),
            Acc::Int { v, n } => {
                let decimal = Decimal128Array::from(
                    v.iter()
                        .zip(&n)
                        .map(|(&v, &n)| (n > 0).then_some(v))
                        .collect::<Vec<_>>(),
                )
                .with_precision_and_scale(38, 0)
                .map_err(|e| Error::arrow(context(), e))?;
                let to = match agg.func {
                    AggFunc::Sum => DataType::Int64,
                    _ => agg.input_type.clone(),
                };
                let options = arrow_cast::CastOptions {
                    safe: false,
                    ..Default::default()
                };
                arrow_cast::cast_with_options(&decimal, &to, &options).map_err(|_| {
                    Error::invalid(
                        context(),
                        format!("the result does not fit in {to} (integer overflow)"),
                    )
                })?
            }
            Acc::Float { v, n } => {
                let values: Float64Array = v
                    .iter()
                    .zip(&n)
                    .map(|(&v, &n)| {
                        (n > 0).then(|| match agg.func {
                            AggFunc::Mean => v / n as f64,
                            _ => v,
                        })
                    })
                    .collect();
                let out: ArrayRef = Arc::new(values);
                match agg.func {
                    AggFunc::Min | AggFunc::Max if agg.input_type != DataType::Float64 => {
                        arrow_cast::cast(&out, &agg.input_type)
                            .map_err(|e| Error::arrow(context(), e))?
                    }
                    _ => out,
                }
            }
            Acc::Moments { n, m2, .. } => {
                let values: Float64Array = n
                    .iter()
                    .zip(&m2)
                    .map(|(&n, &m2)| {
                        (n > 1).then(|| {
                            let var = m2 / (n - 1) as f64;
                            if agg.func == AggFunc::Std {
                                var.sqrt()
                            } else {
                                var
                            }
                        })
                    })
                    .collect();
                Arc::new(values)
            }
        })
    }
}

/// Merges two partial sums, minima or maxima; `set` says whether `a` holds a value yet.
fn combine<T: std::ops::Add<Output = T>>(
    func: AggFunc,
    set: bool,
    (a, b): (T, T),
    min: fn(T, T) -> T,
    max: fn(T, T) -> T,
) -> T {
    match func {
        AggFunc::Min if set => min(a, b),
        AggFunc::Max if set => max(a, b),
        AggFunc::Min | AggFunc::Max => b,
        _ => a + b,
    }
}
