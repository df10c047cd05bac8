//! Hash aggregation: `group_by(keys).agg([...])`, `value_counts`, and global aggregates.
//!
//! Two phases, no lock anywhere:
//!
//! 1. **Per thread** (rayon folds the partitions into a few accumulators): each row's key
//!    is hashed once (see [`keys`](super::keys): a single string key is hashed straight from the
//!    column's bytes) and looked up in the thread's own hash table, which stores only group
//!    ids; a new group's key bytes are copied once into an arena, so lookups compare
//!    contiguous bytes. Each aggregate updates a flat vector of states indexed by group id
//!    (aggregates of one input that fold alike, such as `sum(x)` and `mean(x)`, share one).
//!    Once a table holds 32K groups it splits into 64 sub-tables, one per merge bucket
//!    (chosen by middle bits of the hash), so lookups stay in smaller tables.
//! 2. **Merge** (in parallel, one task per bucket): a bucket's groups from every thread's
//!    table are merged into one table, reusing the hashes from phase 1, and the bucket's output
//!    batch is built: keys gathered from the input arrays, aggregates finished.
//!
//! For small inputs there is one bucket; otherwise 64, so that with millions of distinct
//! keys the merge is spread over the cores too. Expressions over aggregates (`sum(x) /
//! count(*)`, HAVING) are planned as a projection over this operator's output (see
//! `plan::aggregate`).

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
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::exec::keys::{by_bucket, hash_bytes, ByteKeys, KeyEncoder, KeySet, NULL_HASH};
use crate::exec::{partition, CancelFlag, Partition, PartitionLimits, Runtime};
use crate::expr::physical::{compile, evaluate, is_plain_string, is_string, PhysicalExpr};
use crate::expr::{AggFunc, Expr};

/// A compiled `group_by(keys).agg(aggs)`.
#[derive(Debug)]
pub(crate) struct Aggregate {
    keys: Vec<PhysicalExpr>,
    key_types: Vec<DataType>,
    aggs: Vec<CompiledAgg>,
    /// The aggregates that own a state, by state: `sum(x)` and `mean(x)` share one.
    states: Vec<usize>,
    schema: SchemaRef,
}

#[derive(Debug)]
struct CompiledAgg {
    func: AggFunc,
    input: Option<PhysicalExpr>,
    /// The input's type (what min, max, first and last give back).
    input_type: DataType,
    /// The integer type booleans and dates are folded as by min and max.
    via: Option<DataType>,
    class: Class,
    /// How `n_unique` and string min/max read the input's values as bytes.
    values: Option<KeyEncoder>,
    /// For first and last: the input's column among a chunk's kept arrays.
    slot: usize,
    /// The index of the state this aggregate reads.
    state: usize,
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
    /// Strings compared by bytes (min, max).
    Bytes,
    /// Distinct values (n_unique, count distinct).
    Distinct,
    /// A row's position (first, last); the value is gathered at the end.
    Pick,
}

fn is_float(dt: &DataType) -> bool {
    matches!(dt, DataType::Float32 | DataType::Float64)
}

/// The integer type that min and max fold booleans and dates as.
fn ordered_as_int(dt: &DataType) -> Option<DataType> {
    match dt {
        DataType::Boolean => Some(DataType::UInt8),
        DataType::Date32 | DataType::Time32(_) => Some(DataType::Int32),
        DataType::Date64
        | DataType::Time64(_)
        | DataType::Timestamp(..)
        | DataType::Duration(_) => Some(DataType::Int64),
        _ => None,
    }
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
            // A struct groups by its fields (arrow-row encodes it); a list does not group.
            if matches!(
                field.data_type(),
                DataType::List(_) | DataType::LargeList(_)
            ) {
                return Err(Error::TypeMismatch {
                    context: format!("group_by key {k}"),
                    expected: "a string, number, boolean, date or struct".into(),
                    found: field.data_type().clone(),
                });
            }
            key_types.push(field.data_type().clone());
            fields.push(field);
            physical_keys.push(p);
        }
        let mut compiled: Vec<CompiledAgg> = Vec::new();
        let mut states: Vec<usize> = Vec::new();
        let mut inputs_seen: Vec<Option<&Expr>> = Vec::new();
        let mut slots = keys.len();
        for a in aggs {
            let Some((func, input, name)) = split_agg(a) else {
                return Err(Error::invalid(
                    format!("agg {a}"),
                    "each expression in agg() must be an aggregate such as col(\"x\").sum(), \
                     optionally aliased",
                ));
            };
            let logical_input = input;
            let (mut input, mut input_type) = match input {
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
            let mismatch = |what: &str, found: &DataType| Error::TypeMismatch {
                context: format!("{a}"),
                expected: what.into(),
                found: found.clone(),
            };
            let numeric = |t: &DataType| t.is_integer() || is_float(t);
            let mut via = None;
            let mut values = None;
            let mut slot = 0;
            let (class, out_type) = match func {
                AggFunc::Len | AggFunc::Count => (Class::Count, DataType::Int64),
                AggFunc::Sum if input_type.is_integer() => (Class::Int, DataType::Int64),
                AggFunc::Sum if is_float(&input_type) => (Class::Float, DataType::Float64),
                AggFunc::Mean | AggFunc::Std | AggFunc::Var if numeric(&input_type) => {
                    (Class::Float, DataType::Float64)
                }
                AggFunc::Sum | AggFunc::Mean | AggFunc::Std | AggFunc::Var => {
                    return Err(mismatch("a number", &input_type))
                }
                AggFunc::Min | AggFunc::Max => {
                    if is_string(&input_type) {
                        // Dictionaries are compared through their values.
                        if !is_plain_string(&input_type) {
                            input = input.map(|p| PhysicalExpr::Cast(Box::new(p), DataType::Utf8));
                            input_type = DataType::Utf8;
                        }
                        values = Some(KeyEncoder::new(
                            vec![(input_type.clone(), Default::default())],
                            "min/max",
                        )?);
                        (Class::Bytes, input_type.clone())
                    } else if let Some(int) = ordered_as_int(&input_type) {
                        input = input.map(|p| PhysicalExpr::Cast(Box::new(p), int.clone()));
                        via = Some(int);
                        (Class::Int, input_type.clone())
                    } else if input_type.is_integer() {
                        (Class::Int, input_type.clone())
                    } else if is_float(&input_type) {
                        (Class::Float, input_type.clone())
                    } else {
                        return Err(mismatch("a number, string, boolean or date", &input_type));
                    }
                }
                AggFunc::NUnique | AggFunc::CountDistinct => {
                    if matches!(input_type, DataType::List(_) | DataType::Struct(_)) {
                        return Err(mismatch("a string, number, boolean or date", &input_type));
                    }
                    let t = match &input_type {
                        DataType::Null => DataType::Utf8,
                        t => t.clone(),
                    };
                    values = Some(KeyEncoder::new(vec![(t, Default::default())], "n_unique")?);
                    (Class::Distinct, DataType::Int64)
                }
                AggFunc::First | AggFunc::Last => {
                    slot = slots;
                    slots += 1;
                    (Class::Pick, input_type.clone())
                }
            };
            if fields.iter().any(|f: &Field| f.name() == &name) {
                return Err(Error::invalid(
                    "agg",
                    format!("duplicate output column {name:?}; use .alias()"),
                ));
            }
            let nullable = !matches!(
                func,
                AggFunc::Len | AggFunc::Count | AggFunc::NUnique | AggFunc::CountDistinct
            );
            fields.push(Field::new(name, out_type, nullable));
            // An aggregate whose input and accumulation match an earlier one's reads its
            // state: `sum(x)` and `mean(x)` of floats fold `x` once.
            let same_fold = |other: &CompiledAgg| {
                other.class == class
                    && class != Class::Pick
                    && (other.func == func
                        || (class == Class::Float
                            && matches!(other.func, AggFunc::Sum | AggFunc::Mean)
                            && matches!(func, AggFunc::Sum | AggFunc::Mean)))
            };
            let shared = states
                .iter()
                .position(|&i| inputs_seen[i] == logical_input && same_fold(&compiled[i]));
            let state = shared.unwrap_or_else(|| {
                states.push(compiled.len());
                states.len() - 1
            });
            inputs_seen.push(logical_input);
            compiled.push(CompiledAgg {
                func,
                input,
                input_type,
                via,
                class,
                values,
                slot,
                state,
            });
        }
        Ok(Aggregate {
            keys: physical_keys,
            key_types,
            aggs: compiled,
            states,
            schema: Arc::new(Schema::new(fields)),
        })
    }

    /// The aggregates that own a state, in state order.
    fn owners(&self) -> impl Iterator<Item = &CompiledAgg> {
        self.states.iter().map(|&i| &self.aggs[i])
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
        cancel: &CancelFlag,
    ) -> Result<Vec<RecordBatch>> {
        let fields = self
            .key_types
            .iter()
            .map(|t| (t.clone(), arrow_schema::SortOptions::default()))
            .collect();
        let encoder = KeyEncoder::new(fields, "group_by keys")?;
        let parts = partition(&batches, limits);
        let total_rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
        // Merge buckets (and sub-tables, once a thread's groups are many): one when few
        // groups are possible.
        let bits = if total_rows > 1 << 16 && !self.keys.is_empty() {
            6
        } else {
            0
        };
        // Thread-local partial tables: rayon folds partitions into a few accumulators. A
        // fold starts a table for each piece rayon splits the work into; pieces of at least
        // an eighth of a thread's share keep the tables few (each may hold every group)
        // and still balance the load.
        let min_len = parts.len().div_ceil(runtime.threads() * 8).max(1);
        let partials: Vec<Partial> = runtime.install(|| {
            parts
                .par_iter()
                .with_min_len(min_len)
                .try_fold(
                    || Partial::new(self.owners(), bits),
                    |mut acc, p: &Partition| {
                        cancel.check()?;
                        for b in &p.batches {
                            self.absorb(&encoder, &mut acc, b)?;
                        }
                        Ok::<_, Error>(acc)
                    },
                )
                .map(|r| r.map(Partial::finish))
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
        let mut arrays = self
            .keys
            .iter()
            .map(|k| evaluate(k, batch)?.into_array(rows))
            .collect::<Result<Vec<_>>>()?;
        let keys = encoder.encode(&arrays, "group_by keys")?;
        // The inputs of the aggregates that own a state (by state).
        let inputs = self
            .owners()
            .map(|agg| match &agg.input {
                Some(e) => Ok(Some(evaluate(e, batch)?.into_array(rows)?)),
                None => Ok(None),
            })
            .collect::<Result<Vec<_>>>()?;
        // First and last gather their values from the chunks at the end: keep them.
        for (agg, input) in self.owners().zip(&inputs) {
            if agg.class == Class::Pick {
                arrays.push(input.clone().expect("first and last have an input"));
            }
        }
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
            keys => {
                partial.assign(chunk, keys, rows, &mut gids);
                if partial.bits < partial.merge_bits && partial.groups.len() > SPLIT_GROUPS {
                    partial.split();
                }
            }
        }
        let groups = partial.groups.len();
        for ((acc, agg), input) in partial.states.iter_mut().zip(self.owners()).zip(&inputs) {
            acc.resize(groups);
            let values = match (&agg.values, input) {
                (Some(encoder), Some(a)) => {
                    Some(encoder.encode(std::slice::from_ref(a), agg.func.name())?)
                }
                _ => None,
            };
            acc.update(
                agg.func,
                &gids,
                input.as_deref(),
                Update {
                    chunk,
                    values: values.as_ref(),
                },
            );
        }
        partial.gids = gids;
        Ok(())
    }

    fn merge_bucket(&self, partials: &[Partial], b: usize) -> Result<Option<RecordBatch>> {
        // (partial, group) of each merged group's first occurrence.
        let mut owners: Vec<(u32, u32)> = Vec::new();
        let mut states: Vec<Acc> = self.owners().map(Acc::new).collect();
        let single = partials.len() == 1;
        // The first chunk of each partial among all partials' chunks.
        let mut offsets = Vec::with_capacity(partials.len());
        let mut offset = 0u32;
        for p in partials {
            offsets.push(offset);
            offset += p.chunks.len() as u32;
        }
        // At most this many groups: size the table and the states once.
        let buckets: Vec<(&SubTable, Vec<u32>)> = partials.iter().map(|p| p.bucket(b)).collect();
        let most: usize = buckets.iter().map(|(_, locals)| locals.len()).sum();
        // The merged keys, copied once more so that lookups compare contiguous bytes.
        let mut merged = KeySet::with_capacity(if single { 0 } else { most });
        let mut null_m: Option<u32> = None;
        if !single {
            states.iter_mut().for_each(|s| s.resize(most));
        }
        for (pi, (p, (part, locals))) in partials.iter().zip(&buckets).enumerate() {
            for &local in locals {
                let g = part.gids[local as usize];
                if single {
                    owners.push((0, g));
                    continue;
                }
                let h = part.keys.hash(local);
                let m = if p.null_group == Some(g) {
                    *null_m.get_or_insert_with(|| {
                        owners.push((pi as u32, g));
                        merged.push_unindexed(h)
                    })
                } else {
                    let (m, new) = merged.insert(h, part.keys.key(local));
                    if new {
                        owners.push((pi as u32, g));
                    }
                    m
                };
                for ((s, from), agg) in states.iter_mut().zip(&p.states).zip(self.owners()) {
                    s.merge(m as usize, from, g as usize, agg.func, offsets[pi]);
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
        } else {
            states.iter_mut().for_each(|s| s.resize(owners.len()));
        }
        // Gather the keys (and first/last values) from the input arrays.
        let indices: Vec<(usize, usize)> = owners
            .iter()
            .map(|&(q, g)| {
                let (c, row) = partials[q as usize].groups[g as usize];
                ((offsets[q as usize] + c) as usize, row as usize)
            })
            .collect();
        let gather = |slot: usize, indices: &[(usize, usize)], extra: Option<&dyn Array>| {
            let arrays: Vec<&dyn Array> = partials
                .iter()
                .flat_map(|p| p.chunks.iter().map(move |c| c[slot].as_ref()))
                .chain(extra)
                .collect();
            arrow_select::interleave::interleave(&arrays, indices)
                .map_err(|e| Error::arrow("group_by", e))
        };
        let mut columns: Vec<ArrayRef> = Vec::new();
        for k in 0..self.keys.len() {
            columns.push(gather(k, &indices, None)?);
        }
        for agg in &self.aggs {
            columns.push(match &states[agg.state] {
                Acc::Pick(at) => {
                    // An unset position (no row: cannot happen for a group) reads a null.
                    let null = arrow_array::new_null_array(&agg.input_type, 1);
                    let indices: Vec<(usize, usize)> = at
                        .iter()
                        .map(|&(c, r)| match c {
                            UNSET => (offset as usize, 0),
                            c => (c as usize, r as usize),
                        })
                        .collect();
                    gather(agg.slot, &indices, Some(null.as_ref()))?
                }
                s => s.finish(agg)?,
            });
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
                match acc {
                    Acc::Pick(_) => Ok(arrow_array::new_null_array(&a.input_type, 1)),
                    acc => acc.finish(a),
                }
            })
            .collect::<Result<Vec<_>>>()?;
        RecordBatch::try_new(self.schema.clone(), columns).map_err(|e| Error::arrow("agg", e))
    }
}

/// Groups past which a thread's table is split by merge bucket.
const SPLIT_GROUPS: usize = 1 << 15;

/// A thread's groups, radix-partitioned once they are many (see [`Partial::split`]): a
/// table holds each group's key bytes (copied once, when the group is first seen, so
/// lookups compare contiguous bytes) and its hash; once split, a group lives in the
/// sub-table of its merge bucket, and the merge of one bucket reads one sub-table of each
/// thread, in memory order. Also where each
/// group's key first occurred (to gather the output keys from) and its aggregate states,
/// indexed by the group's id.
#[derive(Debug)]
struct Partial {
    /// Per chunk absorbed: the evaluated key columns, then the inputs of first and last.
    chunks: Vec<Vec<ArrayRef>>,
    /// One table while the groups are few; one per merge bucket once they are many.
    parts: Vec<SubTable>,
    /// Hash bits that choose the sub-table (0: one table).
    bits: u32,
    /// Hash bits that choose the merge bucket.
    merge_bits: u32,
    /// With one table and several merge buckets: its groups by bucket, made by `finish`.
    by_bucket: Option<(Vec<u32>, Vec<usize>)>,
    /// The group whose key is null, if any (it has no key bytes).
    null_group: Option<u32>,
    /// (chunk, row) where each group first occurred.
    groups: Vec<(u32, u32)>,
    states: Vec<Acc>,
    /// Scratch: the group of each row of the batch being absorbed.
    gids: Vec<u32>,
}

/// One merge bucket's groups of a thread: their keys, and each key's group id.
#[derive(Debug, Default)]
struct SubTable {
    keys: KeySet,
    gids: Vec<u32>,
}

impl Partial {
    fn new<'a>(aggs: impl Iterator<Item = &'a CompiledAgg>, merge_bits: u32) -> Partial {
        Partial {
            chunks: Vec::new(),
            parts: vec![SubTable::default()],
            bits: 0,
            merge_bits,
            by_bucket: None,
            null_group: None,
            groups: Vec::new(),
            states: aggs.map(Acc::new).collect(),
            gids: Vec::new(),
        }
    }

    /// The sub-table of a hash: bits from its middle, since the hash table uses the low
    /// bits for a slot and the top seven as a tag that must still tell keys apart.
    #[inline]
    fn part_of(h: u64, bits: u32) -> usize {
        ((h >> 40) as usize) & ((1usize << bits) - 1)
    }

    /// Finds or makes the group of each of the first `rows` rows of chunk `chunk`.
    fn assign(&mut self, chunk: u32, keys: &ByteKeys, rows: usize, gids: &mut Vec<u32>) {
        let null_part = Partial::part_of(NULL_HASH, self.bits);
        let bits = self.bits;
        let Partial {
            parts,
            null_group,
            groups,
            ..
        } = self;
        let single = parts.len() == 1;
        keys.for_each(rows, |r, key| {
            let g = match key {
                None => *null_group.get_or_insert_with(|| {
                    let g = groups.len() as u32;
                    groups.push((chunk, r as u32));
                    let part = &mut parts[null_part];
                    part.keys.push_unindexed(NULL_HASH);
                    part.gids.push(g);
                    g
                }),
                Some(key) => {
                    let h = hash_bytes(key);
                    let part = if single {
                        &mut parts[0]
                    } else {
                        &mut parts[Partial::part_of(h, bits)]
                    };
                    let (local, new) = part.keys.insert(h, key);
                    if new {
                        let g = groups.len() as u32;
                        groups.push((chunk, r as u32));
                        part.gids.push(g);
                        g
                    } else if single {
                        local // one table: a key's id is its group's
                    } else {
                        part.gids[local as usize]
                    }
                }
            };
            gids.push(g);
        });
    }

    /// Drops the lookup tables; the merge reads the sub-tables in order.
    /// Moves the groups of the one table into a sub-table per merge bucket: done once
    /// the groups outgrow the caches, so that lookups stay in smaller tables and the merge
    /// reads each bucket's keys in memory order.
    fn split(&mut self) {
        let bits = self.merge_bits;
        let one = std::mem::take(&mut self.parts).pop().expect("one table");
        self.parts = (0..1usize << bits).map(|_| SubTable::default()).collect();
        for (local, &g) in one.gids.iter().enumerate() {
            let local = local as u32;
            let h = one.keys.hash(local);
            let part = &mut self.parts[Partial::part_of(h, bits)];
            if self.null_group == Some(g) {
                part.keys.push_unindexed(h);
            } else {
                part.keys.insert(h, one.keys.key(local));
            }
            part.gids.push(g);
        }
        self.bits = bits;
    }

    /// The groups of merge bucket `b`: a sub-table and its local ids.
    fn bucket(&self, b: usize) -> (&SubTable, Vec<u32>) {
        match &self.by_bucket {
            Some((ids, starts)) => (&self.parts[0], ids[starts[b]..starts[b + 1]].to_vec()),
            None => {
                let part = &self.parts[b];
                (part, (0..part.gids.len() as u32).collect())
            }
        }
    }

    fn finish(mut self) -> Partial {
        for part in &mut self.parts {
            part.keys.drop_index();
        }
        if self.bits != self.merge_bits {
            let (keys, bits) = (&self.parts[0].keys, self.merge_bits);
            self.by_bucket = Some(by_bucket(keys.len(), 1 << bits, |i| {
                Some(Partial::part_of(keys.hash(i as u32), bits))
            }));
        }
        self.gids = Vec::new();
        for s in &mut self.states {
            if let Acc::Distinct(set) = s {
                set.index_by_group();
            }
        }
        self
    }
}

/// The distinct values of each group: one set of (group, value) pairs, each stored as the
/// group's id (4 bytes) then the value's bytes.
#[derive(Debug, Default)]
struct DistinctSet {
    pairs: KeySet,
    /// Each pair's value hash (before the group is mixed in), for re-inserting on merge.
    value_hashes: Vec<u64>,
    /// Distinct non-null values per group.
    count: Vec<i64>,
    /// Whether a group saw a null.
    null: Vec<bool>,
    /// Pair ids by group (`ids`, `starts`), built when the partial is finished.
    by_group: (Vec<u32>, Vec<usize>),
    scratch: Vec<u8>,
}

impl DistinctSet {
    fn insert(&mut self, g: usize, value: &[u8], value_hash: u64) {
        self.scratch.clear();
        self.scratch.extend_from_slice(&(g as u32).to_le_bytes());
        self.scratch.extend_from_slice(value);
        let h = value_hash ^ (g as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        if self.pairs.insert(h, &self.scratch).1 {
            self.value_hashes.push(value_hash);
            self.count[g] += 1;
        }
    }

    fn index_by_group(&mut self) {
        self.pairs.drop_index();
        let pairs = &self.pairs;
        self.by_group = by_bucket(pairs.len(), self.count.len(), |id| {
            let group = &pairs.key(id as u32)[..4];
            Some(u32::from_le_bytes(group.try_into().expect("4 bytes")) as usize)
        });
    }
}

/// What an update gets besides the rows' groups and the input array.
struct Update<'a> {
    /// The chunk's index in the partial.
    chunk: u32,
    /// The input's values as bytes (n_unique, string min and max).
    values: Option<&'a ByteKeys>,
}

/// A position not yet set.
const UNSET: u32 = u32::MAX;

/// Aggregate states, one slot per group.
#[derive(Debug)]
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
    /// The smallest or largest string so far.
    Bytes(Vec<Option<Box<[u8]>>>),
    /// Distinct values.
    Distinct(Box<DistinctSet>),
    /// (chunk, row) of the first or last row: chunks of the partial while absorbing, of
    /// all partials once merged.
    Pick(Vec<(u32, u32)>),
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
            (_, Class::Bytes) => Acc::Bytes(Vec::new()),
            (_, Class::Distinct) => Acc::Distinct(Box::default()),
            (_, Class::Pick) => Acc::Pick(Vec::new()),
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
            Acc::Bytes(best) => best.resize(groups, None),
            Acc::Distinct(set) => {
                set.count.resize(groups, 0);
                set.null.resize(groups, false);
            }
            Acc::Pick(at) => at.resize(groups, (UNSET, 0)),
        }
    }

    /// Folds one chunk's values in; `gids[i]` is row `i`'s group. `input` is `None` for
    /// `len`. A min or max slot is unset while its `n` is 0 and takes the first value.
    fn update(&mut self, func: AggFunc, gids: &[u32], input: Option<&dyn Array>, u: Update<'_>) {
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
            Acc::Bytes(best) => {
                let values = u.values.expect("string min and max read bytes");
                values.for_each(gids.len(), |r, value| {
                    if let Some(value) = value {
                        keep_extreme(&mut best[gids[r] as usize], value, func);
                    }
                });
            }
            Acc::Distinct(set) => {
                let values = u.values.expect("n_unique reads bytes");
                let nulls = input.and_then(|a| a.logical_nulls());
                values.for_each(gids.len(), |r, value| {
                    let g = gids[r] as usize;
                    match value {
                        Some(v) if nulls.as_ref().is_none_or(|n| n.is_valid(r)) => {
                            set.insert(g, v, hash_bytes(v))
                        }
                        _ => set.null[g] = true,
                    }
                });
            }
            Acc::Pick(at) => {
                let chunk = u.chunk;
                if func == AggFunc::First {
                    for (r, &g) in gids.iter().enumerate() {
                        if at[g as usize].0 == UNSET {
                            at[g as usize] = (chunk, r as u32);
                        }
                    }
                } else {
                    for (r, &g) in gids.iter().enumerate() {
                        at[g as usize] = (chunk, r as u32);
                    }
                }
            }
        }
    }

    /// Adds group `from_g` of `from` into group `g` of `self`; `from`'s chunks start at
    /// `offset` among all partials' chunks. Partials come in row order.
    fn merge(&mut self, g: usize, from: &Acc, from_g: usize, func: AggFunc, offset: u32) {
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
            (Acc::Bytes(best), Acc::Bytes(f)) => {
                if let Some(value) = &f[from_g] {
                    keep_extreme(&mut best[g], value, func);
                }
            }
            (Acc::Distinct(set), Acc::Distinct(f)) => {
                let (ids, starts) = &f.by_group;
                for &id in &ids[starts[from_g]..starts[from_g + 1]] {
                    let value = &f.pairs.key(id)[4..];
                    set.insert(g, value, f.value_hashes[id as usize]);
                }
                set.null[g] |= f.null[from_g];
            }
            (Acc::Pick(at), Acc::Pick(f)) => {
                let (c, r) = f[from_g];
                if c != UNSET && (func == AggFunc::Last || at[g].0 == UNSET) {
                    at[g] = (c + offset, r);
                }
            }
            _ => unreachable!("states of one aggregate have one shape"),
        }
    }

    /// The states of groups `picks`, in that order.
    fn pick(&self, picks: &[usize]) -> Acc {
        fn take<T: Clone>(v: &[T], picks: &[usize]) -> Vec<T> {
            picks.iter().map(|&g| v[g].clone()).collect()
        }
        match self {
            Acc::Count(c) => Acc::Count(take(c, picks)),
            Acc::Int { v, n } => Acc::Int {
                v: take(v, picks),
                n: take(n, picks),
            },
            Acc::Float { v, n } => Acc::Float {
                v: take(v, picks),
                n: take(n, picks),
            },
            Acc::Moments { n, mean, m2 } => Acc::Moments {
                n: take(n, picks),
                mean: take(mean, picks),
                m2: take(m2, picks),
            },
            Acc::Bytes(best) => Acc::Bytes(take(best, picks)),
            Acc::Distinct(set) => Acc::Distinct(Box::new(DistinctSet {
                count: take(&set.count, picks),
                null: take(&set.null, picks),
                ..Default::default()
            })),
            Acc::Pick(at) => Acc::Pick(take(at, picks)),
        }
    }

    fn finish(&self, agg: &CompiledAgg) -> Result<ArrayRef> {
        let context = || agg.func.name().to_string();
        Ok(match self {
            Acc::Count(c) => Arc::new(Int64Array::from(c.clone())),
            Acc::Int { v, n } => {
                let decimal = Decimal128Array::from(
                    v.iter()
                        .zip(n)
                        .map(|(&v, &n)| (n > 0).then_some(v))
                        .collect::<Vec<_>>(),
                )
                .with_precision_and_scale(38, 0)
                .map_err(|e| Error::arrow(context(), e))?;
                let to = match (agg.func, &agg.via) {
                    (AggFunc::Sum, _) => DataType::Int64,
                    (_, Some(int)) => int.clone(),
                    _ => agg.input_type.clone(),
                };
                let options = arrow_cast::CastOptions {
                    safe: false,
                    ..Default::default()
                };
                let out = arrow_cast::cast_with_options(&decimal, &to, &options).map_err(|_| {
                    Error::invalid(
                        context(),
                        format!("the result does not fit in {to} (integer overflow)"),
                    )
                })?;
                match agg.via {
                    Some(_) => arrow_cast::cast(&out, &agg.input_type)
                        .map_err(|e| Error::arrow(context(), e))?,
                    None => out,
                }
            }
            Acc::Float { v, n } => {
                let values: Float64Array = v
                    .iter()
                    .zip(n)
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
                    .zip(m2)
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
            Acc::Bytes(best) => {
                let values = best
                    .iter()
                    .map(|b| b.as_deref().map(std::str::from_utf8).transpose())
                    .collect::<std::result::Result<arrow_array::StringArray, _>>()
                    .map_err(|e| Error::invalid(context(), e.to_string()))?;
                arrow_cast::cast(&values, &agg.input_type)
                    .map_err(|e| Error::arrow(context(), e))?
            }
            Acc::Distinct(set) => {
                let with_null = agg.func == AggFunc::NUnique;
                Arc::new(Int64Array::from_iter_values(
                    set.count
                        .iter()
                        .zip(&set.null)
                        .map(|(&c, &null)| c + (with_null && null) as i64),
                ))
            }
            Acc::Pick(_) => unreachable!("first and last are gathered by merge_bucket"),
        })
    }
}

/// Keeps the smaller (min) or larger (max) of `slot` and `value`, by bytes.
fn keep_extreme(slot: &mut Option<Box<[u8]>>, value: &[u8], func: AggFunc) {
    let better = match slot.as_deref() {
        None => true,
        Some(cur) if func == AggFunc::Min => value < cur,
        Some(cur) => value > cur,
    };
    if better {
        *slot = Some(value.into());
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
