//! Lowering: the (optimized) logical plan into the executor's physical plan. Every
//! expression, pattern and key is compiled here, once, before any data is read.
//!
//! Consecutive filters and projections become one stream of per-partition operators; a
//! projection of plain columns right after a filter is fused into it (the filter copies
//! only those columns); a scan's pushed-down predicate is the stream's first filter, over
//! the scanned columns plus those it reads, which it then drops.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::exec::aggregate::Aggregate;
use crate::exec::join::JoinOutput;
use crate::exec::physical::{Node, PhysicalPlan, StreamKind, StreamOp};
use crate::exec::sort::Sort;
use crate::expr::physical::find_column;
use crate::expr::Expr;
use crate::plan::explain::sort_keys;
use crate::plan::{all_columns, compile_predicate, compile_projection, LogicalPlan};

/// The physical plan of `plan`.
///
/// # Errors
/// Unknown columns, type mismatches, bad patterns.
pub(crate) fn lower(plan: &LogicalPlan) -> Result<PhysicalPlan> {
    Ok(match plan {
        LogicalPlan::Scan(scan) => {
            let full = scan.table.schema();
            let projection: Vec<usize> = match &scan.projection {
                Some(p) => p.clone(),
                None => (0..full.fields().len()).collect(),
            };
            let mut columns = projection.clone();
            if let Some(filter) = &scan.filter {
                for name in filter.columns() {
                    let i = find_column(full, name)?;
                    if !columns.contains(&i) {
                        columns.push(i);
                    }
                }
            }
            let schema = Arc::new(
                full.project(&columns)
                    .map_err(|e| Error::arrow("projection", e))?,
            );
            let node = PhysicalPlan::new(
                Node::Scan {
                    table: scan.table.clone(),
                    columns: columns.clone(),
                },
                schema.clone(),
            );
            match &scan.filter {
                None => node,
                Some(filter) => {
                    let keep = (columns.len() > projection.len())
                        .then(|| (0..projection.len()).collect::<Vec<_>>());
                    filter_op(node, filter, keep)?
                }
            }
        }
        LogicalPlan::Filter { input, predicate } => filter_op(lower(input)?, predicate, None)?,
        LogicalPlan::Project {
            input,
            exprs,
            extend,
        } => {
            let input = lower(input)?;
            // A projection of plain columns right after a filter: the filter keeps them.
            let input = if *extend {
                input
            } else {
                match fuse_into_filter(input, exprs)? {
                    Ok(fused) => return Ok(fused),
                    Err(input) => input,
                }
            };
            let (physical, out) = compile_projection(exprs, *extend, &input.schema)?;
            let label = exprs
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            let kind = StreamKind::Project {
                exprs: physical,
                schema: out,
            };
            PhysicalPlan::stream(input, StreamOp::new(kind, label))
        }
        LogicalPlan::Aggregate { input, keys, aggs } => {
            let input = lower(input)?;
            let aggregate = Aggregate::compile(keys, aggs, &input.schema)?;
            let label = format!(
                "HashAggregate: keys=[{}] aggs=[{}]",
                keys.iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                aggs.iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            aggregate_node(input, aggregate, label)
        }
        LogicalPlan::Distinct { input } => {
            let input = lower(input)?;
            let aggregate = Aggregate::compile(&all_columns(&input.schema), &[], &input.schema)?;
            aggregate_node(input, aggregate, "HashDistinct".to_string())
        }
        LogicalPlan::Sort { input, by } => sort_node(lower(input)?, by, None)?,
        LogicalPlan::TopK { input, by, k } => sort_node(lower(input)?, by, Some(*k))?,
        LogicalPlan::Limit { input, offset, len } => {
            let input = lower(input)?;
            let schema = input.schema.clone();
            PhysicalPlan::new(
                Node::Limit {
                    input: Box::new(input),
                    offset: *offset,
                    len: *len,
                },
                schema,
            )
        }
        LogicalPlan::Union { inputs } => {
            let schema = plan.schema()?;
            let inputs = inputs.iter().map(lower).collect::<Result<Vec<_>>>()?;
            PhysicalPlan::new(Node::Union { inputs }, schema)
        }
        LogicalPlan::Join(j) => {
            let left = lower(&j.left)?;
            let right = lower(&j.right)?;
            let (columns, schema) = j.output(&left.schema, &right.schema)?;
            let columns = columns
                .iter()
                .map(|c| {
                    let side = match c.side {
                        crate::exec::join::Side::Left => &left.schema,
                        crate::exec::join::Side::Right => &right.schema,
                    };
                    let i = side.index_of(&c.input).map_err(|_| {
                        Error::invalid("join", format!("no input column {:?}", c.input))
                    })?;
                    Ok((c.side, i))
                })
                .collect::<Result<Vec<_>>>()?;
            PhysicalPlan::new(
                Node::Join {
                    left: Box::new(left),
                    right: Box::new(right),
                    spec: j.spec.clone(),
                    output: JoinOutput {
                        columns,
                        schema: schema.clone(),
                    },
                },
                schema,
            )
        }
    })
}

fn filter_op(
    input: PhysicalPlan,
    predicate: &Expr,
    keep: Option<Vec<usize>>,
) -> Result<PhysicalPlan> {
    let p = compile_predicate(predicate, &input.schema)?;
    let schema = match &keep {
        Some(k) => Arc::new(
            input
                .schema
                .project(k)
                .map_err(|e| Error::arrow("projection", e))?,
        ),
        None => input.schema.clone(),
    };
    let kind = StreamKind::Filter {
        predicate: p,
        keep,
        schema,
    };
    Ok(PhysicalPlan::stream(
        input,
        StreamOp::new(kind, predicate.to_string()),
    ))
}

/// A projection of plain columns (names kept) over a stream that ends in a filter that
/// keeps every column: that filter, keeping only those columns. `Ok(Err(input))` when the
/// projection is of another kind.
fn fuse_into_filter(
    mut input: PhysicalPlan,
    exprs: &[Expr],
) -> Result<std::result::Result<PhysicalPlan, PhysicalPlan>> {
    let mut keep = Vec::with_capacity(exprs.len());
    for e in exprs {
        let Expr::Column(c) = e else {
            return Ok(Err(input));
        };
        let i = find_column(&input.schema, c)?;
        if input.schema.field(i).name() != c {
            return Ok(Err(input));
        }
        keep.push(i);
    }
    let projected = Arc::new(
        input
            .schema
            .project(&keep)
            .map_err(|e| Error::arrow("projection", e))?,
    );
    let Node::Stream { ops, .. } = &mut input.node else {
        return Ok(Err(input));
    };
    let Some(StreamOp {
        kind:
            StreamKind::Filter {
                keep: kept @ None,
                schema,
                ..
            },
        ..
    }) = ops.last_mut()
    else {
        return Ok(Err(input));
    };
    *kept = Some(keep);
    *schema = projected.clone();
    input.schema = projected;
    Ok(Ok(input))
}

fn aggregate_node(input: PhysicalPlan, aggregate: Aggregate, label: String) -> PhysicalPlan {
    let schema = aggregate.schema().clone();
    PhysicalPlan::new(
        Node::Aggregate {
            input: Box::new(input),
            aggregate,
            label,
        },
        schema,
    )
}

fn sort_node(
    input: PhysicalPlan,
    by: &[(Expr, crate::plan::SortOptions)],
    limit: Option<usize>,
) -> Result<PhysicalPlan> {
    let sort = Sort::compile(by, &input.schema)?;
    let schema = input.schema.clone();
    let label = match limit {
        Some(k) => format!("TopK: k={k}, {}", sort_keys(by)),
        None => format!("Sort: {}", sort_keys(by)),
    };
    Ok(PhysicalPlan::new(
        Node::Sort {
            input: Box::new(input),
            sort,
            limit,
            label,
        },
        schema,
    ))
}
