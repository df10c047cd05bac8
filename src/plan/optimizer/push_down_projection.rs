//! Projection pushdown: from the root down, each node asks its input for the columns it
//! needs and no others, so the scan validates or decodes only those.
//!
//! - A projection keeps the expressions whose output is needed; an aggregate the
//!   aggregates whose output is needed (all its keys always); a join the output columns
//!   that are needed, and asks each input for those and its keys. The join's output names
//!   are fixed first, so that a right column renamed for a clash keeps its name when the
//!   left column it clashed with is not read.
//! - A filter, sort or top-k asks for what is needed above plus what it reads itself;
//!   when that is more than the parent needs, a projection of the needed columns is put
//!   right above it (the executor fuses it into the filter: a filter then count copies no
//!   column).
//! - A distinct needs every column of its input: which rows are distinct depends on all;
//!   a union's inputs keep theirs, matched by position (their own projections prune
//!   below them).
//! - The root's output is all needed.

use super::push_down_filter::resolve;
use super::OptimizerRule;
use crate::error::Result;
use crate::exec::join::Side;
use crate::expr::{col, Expr};
use crate::plan::{Join, LogicalPlan};

/// See the module documentation.
#[derive(Debug, Clone, Copy, Default)]
pub struct PushDownProjection;

impl OptimizerRule for PushDownProjection {
    fn name(&self) -> &'static str {
        "push_down_projection"
    }

    fn rewrite(&self, plan: LogicalPlan) -> Result<LogicalPlan> {
        prune(plan, None)
    }
}

/// Names of the columns a parent needs; `None`: all of them.
type Needed = Option<Vec<String>>;

fn needs(needed: &[String], name: &str) -> bool {
    needed
        .iter()
        .any(|n| n == name || n.eq_ignore_ascii_case(name))
}

/// `needed` plus the columns `exprs` read.
fn with_columns<'a>(needed: &Needed, exprs: impl IntoIterator<Item = &'a Expr>) -> Needed {
    let mut out = needed.clone()?;
    out.extend(
        exprs
            .into_iter()
            .flat_map(Expr::columns)
            .map(str::to_string),
    );
    Some(out)
}

fn columns_of<'a>(exprs: impl IntoIterator<Item = &'a Expr>) -> Vec<String> {
    exprs
        .into_iter()
        .flat_map(Expr::columns)
        .map(str::to_string)
        .collect()
}

/// `plan` restricted to `needed` by a projection of plain columns, when it has more.
fn narrow(plan: LogicalPlan, needed: &Needed) -> Result<LogicalPlan> {
    let Some(needed) = needed else {
        return Ok(plan);
    };
    let schema = plan.schema()?;
    let keep: Vec<Expr> = schema
        .fields()
        .iter()
        .filter(|f| needs(needed, f.name()))
        .map(|f| col(f.name().clone()))
        .collect();
    Ok(if keep.len() < schema.fields().len() {
        plan.project(keep)
    } else {
        plan
    })
}

fn prune(plan: LogicalPlan, needed: Needed) -> Result<LogicalPlan> {
    Ok(match plan {
        LogicalPlan::Scan(mut scan) => {
            if let Some(needed) = &needed {
                let schema = scan.table.schema().clone();
                let current: Vec<usize> = match &scan.projection {
                    Some(p) => p.clone(),
                    None => (0..schema.fields().len()).collect(),
                };
                scan.projection = Some(
                    current
                        .into_iter()
                        .filter(|&i| needs(needed, schema.field(i).name()))
                        .collect(),
                );
            }
            LogicalPlan::Scan(scan)
        }
        LogicalPlan::Filter { input, predicate } => {
            let below = with_columns(&needed, [&predicate]);
            let node = prune(*input, below)?.filter(predicate);
            narrow(node, &needed)?
        }
        LogicalPlan::Sort { input, by } => {
            let below = with_columns(&needed, by.iter().map(|(e, _)| e));
            let node = prune(*input, below)?.sort(by);
            narrow(node, &needed)?
        }
        LogicalPlan::TopK { input, by, k } => {
            let below = with_columns(&needed, by.iter().map(|(e, _)| e));
            let node = LogicalPlan::TopK {
                input: Box::new(prune(*input, below)?),
                by,
                k,
            };
            narrow(node, &needed)?
        }
        LogicalPlan::Limit { input, offset, len } => prune(*input, needed)?.limit(offset, len),
        LogicalPlan::Distinct { input } => prune(*input, None)?.distinct(),
        // A union's inputs keep every column: its columns are matched by position.
        LogicalPlan::Union { inputs } => LogicalPlan::Union {
            inputs: inputs
                .into_iter()
                .map(|p| prune(p, None))
                .collect::<Result<_>>()?,
        },
        LogicalPlan::Project {
            input,
            exprs,
            extend,
        } => {
            let kept: Vec<Expr> = match &needed {
                Some(needed) => exprs
                    .into_iter()
                    .filter(|e| needs(needed, &e.output_name()))
                    .collect(),
                None => exprs,
            };
            let below = if extend {
                // The input's columns pass through, except those an expression replaces.
                needed.as_ref().map(|needed| {
                    let made: Vec<String> = kept.iter().map(Expr::output_name).collect();
                    needed
                        .iter()
                        .filter(|n| resolve(n, made.iter().map(String::as_str)).is_none())
                        .cloned()
                        .chain(columns_of(&kept))
                        .collect()
                })
            } else {
                Some(columns_of(&kept))
            };
            LogicalPlan::Project {
                input: Box::new(prune(*input, below)?),
                exprs: kept,
                extend,
            }
        }
        LogicalPlan::Aggregate { input, keys, aggs } => {
            let mut kept: Vec<Expr> = match &needed {
                Some(needed) => aggs
                    .iter()
                    .filter(|e| needs(needed, &e.output_name()))
                    .cloned()
                    .collect(),
                None => aggs.clone(),
            };
            // A global aggregate keeps one aggregate, so that it still makes its one row.
            if keys.is_empty() && kept.is_empty() {
                kept.extend(aggs.first().cloned());
            }
            let below = Some(columns_of(keys.iter().chain(&kept)));
            LogicalPlan::Aggregate {
                input: Box::new(prune(*input, below)?),
                keys,
                aggs: kept,
            }
        }
        LogicalPlan::Join(j) => {
            let (columns, _) = j.output(j.left.schema()?.as_ref(), j.right.schema()?.as_ref())?;
            let Join {
                left, right, spec, ..
            } = *j;
            let kept: Vec<_> = match &needed {
                Some(needed) => columns
                    .into_iter()
                    .filter(|c| needs(needed, &c.output))
                    .collect(),
                None => columns,
            };
            let side = |s: Side, keys: &[Expr]| -> Needed {
                needed.as_ref()?;
                let mut names: Vec<String> = kept
                    .iter()
                    .filter(|c| c.side == s)
                    .map(|c| c.input.clone())
                    .collect();
                names.extend(columns_of(keys));
                Some(names)
            };
            let left_needed = side(Side::Left, &spec.left_on);
            let right_needed = side(Side::Right, &spec.right_on);
            LogicalPlan::Join(Box::new(Join {
                left: prune(left, left_needed)?,
                right: prune(right, right_needed)?,
                spec,
                columns: Some(kept),
            }))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::join::JoinSpec;
    use crate::expr::{len, lit};
    use crate::plan::optimizer::test_util::{self, rows, scan};
    use crate::plan::{JoinType, SortOptions};

    fn check(plan: LogicalPlan, before: &str, after: &str) {
        test_util::check(&PushDownProjection, plan, before, after);
    }

    #[test]
    fn a_scan_reads_only_what_the_projection_reads() {
        check(
            scan().project(vec![col("s").str().len()]),
            "Project: str_len(s)\n  Scan: memory [a, s, n]\n",
            "Project: str_len(s)\n  Scan: memory [s]\n",
        );
    }

    #[test]
    fn a_filter_then_count_keeps_no_column_after_the_filter() {
        let plan = crate::plan::aggregate(
            scan().filter(col("s").str().contains_literal("a")),
            Vec::new(),
            vec![len()],
            None,
            Vec::new(),
        );
        check(
            plan,
            "Aggregate: keys=[] aggs=[count_star()]\n  Filter: str_contains(s)\n    Scan: memory [a, s, n]\n",
            "Aggregate: keys=[] aggs=[count_star()]\n  Project: \n    Filter: str_contains(s)\n      Scan: memory [s]\n",
        );
    }

    #[test]
    fn distinct_needs_every_column_below_it() {
        // SELECT a FROM (SELECT DISTINCT n, a FROM t): the distinct rows' a, not the
        // distinct values of a.
        let plan = scan()
            .project(vec![col("n"), col("a") - col("a")])
            .distinct()
            .project(vec![col("a")]);
        check(
            plan.clone(),
            "Project: a\n  Distinct\n    Project: n, (a - a)\n      Scan: memory [a, s, n]\n",
            "Project: a\n  Distinct\n    Project: n, (a - a)\n      Scan: memory [a, n]\n",
        );
        assert_eq!(rows(&plan), vec!["0", "0"]);
    }

    #[test]
    fn a_sort_key_that_is_not_output_is_read_then_dropped() {
        check(
            scan()
                .sort(vec![(col("a"), SortOptions::descending())])
                .project(vec![col("s")]),
            "Project: s\n  Sort: a DESC NULLS LAST\n    Scan: memory [a, s, n]\n",
            "Project: s\n  Project: s\n    Sort: a DESC NULLS LAST\n      Scan: memory [a, s]\n",
        );
    }

    #[test]
    fn a_join_keeps_its_output_names_when_an_input_is_pruned() {
        // SELECT r.a FROM t l JOIN t r ON l.n = r.n: the right `a` is `a_r` whatever the
        // left side reads.
        let spec = JoinSpec {
            how: JoinType::Inner,
            left_on: vec![col("n")],
            right_on: vec![col("n")],
            suffix: "_r".into(),
            coalesce: false,
        };
        let plan = scan()
            .join(scan(), spec)
            .filter(col("a_r").gt(lit(3)))
            .project(vec![col("a_r")]);
        check(
            plan,
            "Project: a_r\n  Filter: (a_r > 3)\n    Join: Inner on n = n\n      Scan: memory [a, s, n]\n      Scan: memory [a, s, n]\n",
            "Project: a_r\n  Filter: (a_r > 3)\n    Join: Inner on n = n [a_r]\n      Scan: memory [n]\n      Scan: memory [a, n]\n",
        );
    }
}
