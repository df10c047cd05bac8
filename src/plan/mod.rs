//! The logical plan: a tree of relational operators, built by the frame API
//! ([`crate::LazyFrame`]) and by SQL ([`crate::sql`](mod@crate::sql)) alike.
//!
//! Owns: the [`LogicalPlan`] nodes and their output schemas, the builders that turn a
//! grouping with expressions over aggregates into plain nodes (`aggregate`), the
//! [`optimizer`] (one rule a file), [`explain`] (the text of EXPLAIN) and `lower` (the
//! logical plan into the executor's physical plan).
//!
//! May import: `expr` (expressions and their types), `exec` (the operators' compiled forms,
//! for schemas and lowering), `storage` (tables a scan reads). Never `frame` or `sql`.
//!
//! Every column a node reads is named by its input's schema: there are no hidden names.
//! An aggregate computed for an expression over aggregates (`sum(x) / count(*)`) is an
//! output column of the `Aggregate` node named by its own text (`sum(x)`), read by the
//! projection above it, and shown as such by EXPLAIN.

pub mod explain;
pub(crate) mod lower;
pub mod optimizer;

use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema, SchemaRef};

use crate::error::{Error, Result};
use crate::exec::aggregate::Aggregate as CompiledAggregate;
use crate::exec::join::{JoinSpec, Side};
use crate::exec::sort::Sort as CompiledSort;
use crate::expr::physical::{compile, PhysicalExpr};
use crate::expr::{col, Expr};
use crate::storage::Table;

pub use crate::exec::join::JoinType;
pub use crate::exec::sort::SortOptions;

/// A node of the logical plan. Each node knows its output schema ([`LogicalPlan::schema`]).
#[derive(Debug, Clone)]
pub enum LogicalPlan {
    /// Rows of a table: the columns in `projection` (all when `None`), keeping the rows
    /// where `filter` holds (predicates pushed into the scan).
    Scan(Scan),
    /// The rows where `predicate` is true (null counts as false).
    Filter {
        /// The input.
        input: Box<LogicalPlan>,
        /// A boolean expression over the input's columns.
        predicate: Expr,
    },
    /// One output column per expression; with `extend`, the input's columns come first and
    /// an expression whose name they have replaces that column (`with_columns`).
    Project {
        /// The input.
        input: Box<LogicalPlan>,
        /// The output columns.
        exprs: Vec<Expr>,
        /// Keep the input's columns (`with_columns`).
        extend: bool,
    },
    /// One row per distinct key (no keys: one row), with the keys and then the aggregates.
    Aggregate {
        /// The input.
        input: Box<LogicalPlan>,
        /// Group keys, each named (aliased) as its output column.
        keys: Vec<Expr>,
        /// Aggregates (`col("x").sum()`), each optionally aliased.
        aggs: Vec<Expr>,
    },
    /// One row per distinct row.
    Distinct {
        /// The input.
        input: Box<LogicalPlan>,
    },
    /// The rows ordered by `by` (stable).
    Sort {
        /// The input.
        input: Box<LogicalPlan>,
        /// Keys with their direction and null placement.
        by: Vec<(Expr, SortOptions)>,
    },
    /// The first `k` rows in the order of `by`, without ordering the rest.
    TopK {
        /// The input.
        input: Box<LogicalPlan>,
        /// Keys with their direction and null placement.
        by: Vec<(Expr, SortOptions)>,
        /// How many rows.
        k: usize,
    },
    /// Rows `offset..offset + len` (SQL `LIMIT len OFFSET offset`).
    Limit {
        /// The input.
        input: Box<LogicalPlan>,
        /// Rows skipped.
        offset: usize,
        /// Rows kept (all when `None`).
        len: Option<usize>,
    },
    /// Two inputs joined on equal keys.
    Join(Box<Join>),
    /// The rows of every input, one after the other (SQL `UNION ALL`): the inputs have the
    /// same column types; the output has the first input's names.
    Union {
        /// The inputs, at least one.
        inputs: Vec<LogicalPlan>,
    },
}

/// A table scan.
#[derive(Debug, Clone)]
pub struct Scan {
    pub(crate) table: Arc<Table>,
    /// Column indices into the table's schema; `None` reads every column.
    pub(crate) projection: Option<Vec<usize>>,
    /// A predicate over the table's columns, applied as the rows are read.
    pub(crate) filter: Option<Expr>,
}

/// A join: its inputs, keys, and the columns it outputs.
#[derive(Debug, Clone)]
pub struct Join {
    pub(crate) left: LogicalPlan,
    pub(crate) right: LogicalPlan,
    pub(crate) spec: JoinSpec,
    /// The output columns by input name and output name; `None`: every column of both
    /// inputs as [`JoinSpec::output`] names them. Projection pushdown fills this in before
    /// it prunes the inputs, so that a column keeps its output name (a right column named
    /// like a left one keeps its suffix even when the left one is not read).
    pub(crate) columns: Option<Vec<JoinColumn>>,
}

/// One output column of a join.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct JoinColumn {
    pub side: Side,
    /// The column's name in its input.
    pub input: String,
    /// Its name in the join's output.
    pub output: String,
}

impl LogicalPlan {
    /// A scan of every column of `table`.
    pub(crate) fn scan(table: Arc<Table>) -> LogicalPlan {
        LogicalPlan::Scan(Scan {
            table,
            projection: None,
            filter: None,
        })
    }

    /// `self` filtered by `predicate`.
    pub(crate) fn filter(self, predicate: Expr) -> LogicalPlan {
        LogicalPlan::Filter {
            input: Box::new(self),
            predicate,
        }
    }

    /// `self` projected to `exprs`.
    pub(crate) fn project(self, exprs: Vec<Expr>) -> LogicalPlan {
        LogicalPlan::Project {
            input: Box::new(self),
            exprs,
            extend: false,
        }
    }

    /// `self` sorted by `by`.
    pub(crate) fn sort(self, by: Vec<(Expr, SortOptions)>) -> LogicalPlan {
        LogicalPlan::Sort {
            input: Box::new(self),
            by,
        }
    }

    /// `self`'s rows `offset..offset + len`.
    pub(crate) fn limit(self, offset: usize, len: Option<usize>) -> LogicalPlan {
        LogicalPlan::Limit {
            input: Box::new(self),
            offset,
            len,
        }
    }

    /// `self`'s distinct rows.
    pub(crate) fn distinct(self) -> LogicalPlan {
        LogicalPlan::Distinct {
            input: Box::new(self),
        }
    }

    /// `self` joined with `right`.
    pub(crate) fn join(self, right: LogicalPlan, spec: JoinSpec) -> LogicalPlan {
        LogicalPlan::Join(Box::new(Join {
            left: self,
            right,
            spec,
            columns: None,
        }))
    }

    /// The node's inputs, in order.
    pub fn inputs(&self) -> Vec<&LogicalPlan> {
        match self {
            LogicalPlan::Scan(_) => Vec::new(),
            LogicalPlan::Filter { input, .. }
            | LogicalPlan::Project { input, .. }
            | LogicalPlan::Aggregate { input, .. }
            | LogicalPlan::Distinct { input }
            | LogicalPlan::Sort { input, .. }
            | LogicalPlan::TopK { input, .. }
            | LogicalPlan::Limit { input, .. } => vec![input],
            LogicalPlan::Join(j) => vec![&j.left, &j.right],
            LogicalPlan::Union { inputs } => inputs.iter().collect(),
        }
    }

    /// The node with each input replaced by `f(input)`.
    pub(crate) fn map_inputs(
        self,
        f: &mut dyn FnMut(LogicalPlan) -> Result<LogicalPlan>,
    ) -> Result<LogicalPlan> {
        let mut g = |input: Box<LogicalPlan>| f(*input).map(Box::new);
        Ok(match self {
            scan @ LogicalPlan::Scan(_) => scan,
            LogicalPlan::Filter { input, predicate } => LogicalPlan::Filter {
                input: g(input)?,
                predicate,
            },
            LogicalPlan::Project {
                input,
                exprs,
                extend,
            } => LogicalPlan::Project {
                input: g(input)?,
                exprs,
                extend,
            },
            LogicalPlan::Aggregate { input, keys, aggs } => LogicalPlan::Aggregate {
                input: g(input)?,
                keys,
                aggs,
            },
            LogicalPlan::Distinct { input } => LogicalPlan::Distinct { input: g(input)? },
            LogicalPlan::Sort { input, by } => LogicalPlan::Sort {
                input: g(input)?,
                by,
            },
            LogicalPlan::TopK { input, by, k } => LogicalPlan::TopK {
                input: g(input)?,
                by,
                k,
            },
            LogicalPlan::Limit { input, offset, len } => LogicalPlan::Limit {
                input: g(input)?,
                offset,
                len,
            },
            LogicalPlan::Join(j) => {
                let Join {
                    left,
                    right,
                    spec,
                    columns,
                } = *j;
                LogicalPlan::Join(Box::new(Join {
                    left: f(left)?,
                    right: f(right)?,
                    spec,
                    columns,
                }))
            }
            LogicalPlan::Union { inputs } => LogicalPlan::Union {
                inputs: inputs.into_iter().map(f).collect::<Result<_>>()?,
            },
        })
    }

    /// The schema the node outputs. Checks the node against its inputs (columns exist,
    /// types fit, patterns compile); reads no data.
    ///
    /// # Errors
    /// Unknown columns, type mismatches, bad patterns.
    pub fn schema(&self) -> Result<SchemaRef> {
        match self {
            LogicalPlan::Scan(scan) => scan.schema(),
            LogicalPlan::Filter { input, predicate } => {
                let schema = input.schema()?;
                check_predicate(predicate, &schema).map_err(|e| input.name_group_by(e))?;
                Ok(schema)
            }
            LogicalPlan::Project {
                input,
                exprs,
                extend,
            } => {
                let schema = input.schema()?;
                compile_projection(exprs, *extend, &schema)
                    .map(|(_, schema)| schema)
                    .map_err(|e| input.name_group_by(e))
            }
            LogicalPlan::Aggregate { input, keys, aggs } => {
                Ok(
                    CompiledAggregate::compile(keys, aggs, input.schema()?.as_ref())?
                        .schema()
                        .clone(),
                )
            }
            LogicalPlan::Distinct { input } => {
                let schema = input.schema()?;
                CompiledAggregate::compile(&all_columns(&schema), &[], &schema)?;
                Ok(schema)
            }
            LogicalPlan::Sort { input, by } | LogicalPlan::TopK { input, by, .. } => {
                let schema = input.schema()?;
                CompiledSort::compile(by, &schema).map_err(|e| input.name_group_by(e))?;
                Ok(schema)
            }
            LogicalPlan::Limit { input, .. } => input.schema(),
            LogicalPlan::Join(j) => Ok(j
                .output(j.left.schema()?.as_ref(), j.right.schema()?.as_ref())?
                .1),
            LogicalPlan::Union { inputs } => union_schema(inputs),
        }
    }

    /// Over an aggregation's rows, a column that is not found was neither a key nor
    /// inside an aggregate: the error says so.
    fn name_group_by(&self, e: Error) -> Error {
        match e {
            Error::ColumnNotFound { name, .. } if self.is_grouped() => Error::invalid(
                format!("column {name:?}"),
                "must appear in GROUP BY (group_by keys) or be inside an aggregate",
            ),
            other => other,
        }
    }

    /// True when the node's rows are groups: an aggregate, seen through the nodes that
    /// keep its columns (HAVING's filter, a sort).
    fn is_grouped(&self) -> bool {
        match self {
            LogicalPlan::Aggregate { .. } => true,
            LogicalPlan::Filter { input, .. }
            | LogicalPlan::Sort { input, .. }
            | LogicalPlan::TopK { input, .. }
            | LogicalPlan::Limit { input, .. } => input.is_grouped(),
            _ => false,
        }
    }
}

impl Scan {
    /// The scanned columns' schema.
    pub(crate) fn schema(&self) -> Result<SchemaRef> {
        let full = self.table.schema();
        let schema = match &self.projection {
            None => full.clone(),
            Some(p) => Arc::new(full.project(p).map_err(|e| Error::arrow("projection", e))?),
        };
        if let Some(f) = &self.filter {
            check_predicate(f, full)?;
        }
        Ok(schema)
    }
}

impl Join {
    /// The output columns and schema, given the inputs' schemas.
    pub(crate) fn output(
        &self,
        left: &Schema,
        right: &Schema,
    ) -> Result<(Vec<JoinColumn>, SchemaRef)> {
        match &self.columns {
            None => {
                let full = self.spec.output(left, right)?;
                let columns = full
                    .columns
                    .iter()
                    .zip(full.schema.fields())
                    .map(|((side, i), f)| JoinColumn {
                        side: *side,
                        input: match side {
                            Side::Left => left.field(*i).name().clone(),
                            Side::Right => right.field(*i).name().clone(),
                        },
                        output: f.name().clone(),
                    })
                    .collect();
                Ok((columns, full.schema))
            }
            Some(columns) => {
                // Checks the keys against the (pruned) inputs.
                self.spec.output(left, right)?;
                let fields = columns
                    .iter()
                    .map(|c| {
                        let schema = match c.side {
                            Side::Left => left,
                            Side::Right => right,
                        };
                        let f = schema.field_with_name(&c.input).map_err(|_| {
                            Error::invalid("join", format!("no input column {:?}", c.input))
                        })?;
                        let nullable = f.is_nullable()
                            || (c.side == Side::Right && self.spec.how == JoinType::Left);
                        Ok(Field::new(
                            c.output.clone(),
                            f.data_type().clone(),
                            nullable,
                        ))
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok((columns.clone(), Arc::new(Schema::new(fields))))
            }
        }
    }
}

/// The schema of a union: the first input's names, each column nullable when it is in
/// any input.
fn union_schema(inputs: &[LogicalPlan]) -> Result<SchemaRef> {
    let schemas = inputs
        .iter()
        .map(LogicalPlan::schema)
        .collect::<Result<Vec<_>>>()?;
    let Some(first) = schemas.first() else {
        return Err(Error::invalid("union", "needs at least one input"));
    };
    let mut fields: Vec<Field> = first.fields().iter().map(|f| f.as_ref().clone()).collect();
    for (k, schema) in schemas.iter().enumerate().skip(1) {
        if schema.fields().len() != fields.len() {
            return Err(Error::invalid(
                "union",
                format!(
                    "input {} has {} columns, the first has {}",
                    k + 1,
                    schema.fields().len(),
                    fields.len()
                ),
            ));
        }
        for (f, g) in fields.iter_mut().zip(schema.fields()) {
            if f.data_type() != g.data_type() {
                return Err(Error::TypeMismatch {
                    context: format!("union column {:?}", f.name()),
                    expected: f.data_type().to_string(),
                    found: g.data_type().clone(),
                });
            }
            if g.is_nullable() {
                f.set_nullable(true);
            }
        }
    }
    Ok(Arc::new(Schema::new(fields)))
}

/// A plain column per field of `schema`.
pub(crate) fn all_columns(schema: &Schema) -> Vec<Expr> {
    schema
        .fields()
        .iter()
        .map(|f| col(f.name().clone()))
        .collect()
}

/// A filter's predicate compiled against its input: it must be a boolean (or NULL).
pub(crate) fn compile_predicate(predicate: &Expr, schema: &Schema) -> Result<PhysicalExpr> {
    let (p, field) = compile(predicate, schema)?;
    if !matches!(field.data_type(), DataType::Boolean | DataType::Null) {
        return Err(Error::TypeMismatch {
            context: format!("filter {predicate}"),
            expected: "a boolean".into(),
            found: field.data_type().clone(),
        });
    }
    Ok(p)
}

fn check_predicate(predicate: &Expr, schema: &Schema) -> Result<()> {
    compile_predicate(predicate, schema).map(drop)
}

/// A projection compiled against its input (see [`LogicalPlan::Project`]): one physical
/// expression per output column, and the output schema. With `extend`, the input's
/// columns come first and an expression of the same name replaces one; otherwise a
/// repeated output name is an error.
pub(crate) fn compile_projection(
    exprs: &[Expr],
    extend: bool,
    input: &Schema,
) -> Result<(Vec<PhysicalExpr>, SchemaRef)> {
    let (mut physical, mut fields): (Vec<PhysicalExpr>, Vec<Field>) = if extend {
        input
            .fields()
            .iter()
            .enumerate()
            .map(|(i, f)| (PhysicalExpr::Column(i), f.as_ref().clone()))
            .unzip()
    } else {
        (Vec::new(), Vec::new())
    };
    for e in exprs {
        let (p, field) = compile(e, input)?;
        match fields.iter().position(|f| f.name() == field.name()) {
            Some(i) if extend => (physical[i], fields[i]) = (p, field),
            Some(_) => {
                return Err(Error::invalid(
                    "select",
                    format!("duplicate output column {:?}; use .alias()", field.name()),
                ))
            }
            None => {
                physical.push(p);
                fields.push(field);
            }
        }
    }
    Ok((physical, Arc::new(Schema::new(fields))))
}

/// A grouping whose outputs may compute with aggregates and keys, as plain nodes:
/// `Aggregate` (keys, then each distinct aggregate once), then `Filter` (`having`), then
/// `Sort` (`order`, of keys and aggregates too), then `Project` (`exprs`), leaving out
/// whatever is not needed. `exprs` name their outputs (aliases); a sub-expression equal
/// to a key reads that key's column; an aggregate that is not a whole output expression
/// is an output column of the `Aggregate` named by its text (`sum(x)`).
pub(crate) fn aggregate(
    input: LogicalPlan,
    keys: Vec<Expr>,
    exprs: Vec<Expr>,
    having: Option<Expr>,
    order: Vec<(Expr, SortOptions)>,
) -> LogicalPlan {
    // Keys, each under its output name; a repeated key is grouped by once.
    let mut named_keys: Vec<Expr> = Vec::new();
    for k in keys {
        if !named_keys.iter().any(|n| n.unaliased() == k.unaliased()) {
            named_keys.push(k);
        }
    }
    let key_names: Vec<String> = named_keys.iter().map(Expr::output_name).collect();
    // Plain aggregates after the keys, nothing else: no projection is needed.
    let plain = having.is_none()
        && order.is_empty()
        && exprs.len() >= named_keys.len()
        && exprs
            .iter()
            .zip(&named_keys)
            .all(|(e, k)| e.output_name() == k.output_name() && e.unaliased() == k.unaliased())
        && exprs[named_keys.len()..]
            .iter()
            .all(|e| matches!(e.unaliased(), Expr::Agg { .. }));
    if plain {
        let aggs = exprs[named_keys.len()..].to_vec();
        return LogicalPlan::Aggregate {
            input: Box::new(input),
            keys: named_keys,
            aggs,
        };
    }
    let mut aggs: Vec<Expr> = Vec::new();
    let mut over = |e: Expr| over_aggregates(e, &named_keys, &key_names, &mut aggs);
    let exprs: Vec<Expr> = exprs
        .into_iter()
        .map(|e| {
            let name = e.output_name();
            match over(e) {
                e @ Expr::Alias(..) => e,
                Expr::Column(c) if c == name => Expr::Column(c),
                e => e.alias(name),
            }
        })
        .collect();
    let having = having.map(|h| over(h.unaliased().clone()));
    let order: Vec<(Expr, SortOptions)> = order
        .into_iter()
        .map(|(e, o)| (over(e.unaliased().clone()), o))
        .collect();
    let mut plan = LogicalPlan::Aggregate {
        input: Box::new(input),
        keys: named_keys,
        aggs,
    };
    if let Some(h) = having {
        plan = plan.filter(h);
    }
    if !order.is_empty() {
        plan = plan.sort(order);
    }
    plan.project(exprs)
}

/// Rewrites `e` to read an aggregation's output: a sub-expression equal to a key becomes
/// that key's column, and each aggregate becomes a column of its own, appended to `aggs`
/// once under its text (made unique against the keys and other aggregates).
fn over_aggregates(e: Expr, keys: &[Expr], key_names: &[String], aggs: &mut Vec<Expr>) -> Expr {
    e.rewrite(&mut |sub| {
        if let Some(k) = keys.iter().position(|k| k.unaliased() == sub) {
            return Some(col(key_names[k].clone()));
        }
        if !matches!(sub, Expr::Agg { .. }) {
            return None;
        }
        if let Some(a) = aggs.iter().find(|a| a.unaliased() == sub) {
            return Some(col(a.output_name()));
        }
        let base = sub.to_string();
        let taken =
            |n: &str| key_names.iter().any(|k| k == n) || aggs.iter().any(|a| a.output_name() == n);
        let name = std::iter::once(base.clone())
            .chain((1..).map(|i| format!("{base}_{i}")))
            .find(|n| !taken(n))
            .expect("some suffix is free");
        aggs.push(sub.clone().alias(name.clone()));
        Some(col(name))
    })
}
