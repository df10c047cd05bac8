//! Predicate pushdown: a filter moves as close to the scan as its columns allow, so that
//! fewer rows reach the operators above it, and ends in the scan itself.
//!
//! A filter moves below:
//! - another filter (the two merge into one conjunction);
//! - a projection, when every column it reads is a plain column there (renamed back to
//!   the input's name; a computed column is not recomputed below);
//! - a sort and a distinct (they keep rows as they are);
//! - an aggregate, for the terms that read only keys that are plain columns (HAVING on a
//!   key filters rows before grouping);
//! - a join, term by term: a term that reads only the left side's columns goes to the left
//!   input (any join type), one that reads only the right side's to the right input (inner
//!   joins); the rest stay above.
//!
//! It never moves below a limit or a top-k, which count the rows they see.

use super::{transform_down, OptimizerRule};
use crate::error::Result;
use crate::exec::join::Side;
use crate::expr::{BinaryOp, Expr};
use crate::plan::{JoinType, LogicalPlan};

/// See the module documentation.
#[derive(Debug, Clone, Copy, Default)]
pub struct PushDownFilter;

impl OptimizerRule for PushDownFilter {
    fn name(&self) -> &'static str {
        "push_down_filter"
    }

    fn rewrite(&self, plan: LogicalPlan) -> Result<LogicalPlan> {
        transform_down(plan, &mut |node| match node {
            LogicalPlan::Filter { input, predicate } => push(*input, predicate),
            other => Ok(other),
        })
    }
}

/// The terms of a conjunction: `a AND (b AND c)` gives a, b, c.
pub(crate) fn conjuncts(e: Expr) -> Vec<Expr> {
    match e {
        Expr::Binary {
            left,
            op: BinaryOp::And,
            right,
        } => {
            let mut out = conjuncts(*left);
            out.extend(conjuncts(*right));
            out
        }
        e => vec![e],
    }
}

/// The conjunction of `terms` (`None` when there are none).
pub(crate) fn conjunction(terms: Vec<Expr>) -> Option<Expr> {
    terms.into_iter().reduce(Expr::and)
}

/// `name` among `names`: exactly, else ignoring ASCII case when that is unique (as
/// columns resolve).
pub(crate) fn resolve<'a>(
    name: &str,
    names: impl Iterator<Item = &'a str> + Clone,
) -> Option<usize> {
    names.clone().position(|n| n == name).or_else(|| {
        let mut hits = names
            .enumerate()
            .filter(|(_, n)| n.eq_ignore_ascii_case(name));
        match (hits.next(), hits.next()) {
            (Some((i, _)), None) => Some(i),
            _ => None,
        }
    })
}

/// The output `name` among `exprs` (named `names`): `Some(Some(c))` when it passes the
/// input column `c` through, `Some(None)` when it is computed, `None` when no expression
/// makes it.
fn passed_through(exprs: &[Expr], names: &[String], name: &str) -> Option<Option<String>> {
    let i = resolve(name, names.iter().map(String::as_str))?;
    Some(match exprs[i].unaliased() {
        Expr::Column(c) => Some(c.clone()),
        _ => None,
    })
}

/// Renames the columns `e` reads by `map` (`None` from `map`: `e` cannot be rewritten).
fn rename(e: &Expr, map: &dyn Fn(&str) -> Option<String>) -> Option<Expr> {
    let mut ok = true;
    let out = e.clone().rewrite(&mut |sub| match sub {
        Expr::Column(c) => Some(match map(c) {
            Some(n) => Expr::Column(n),
            None => {
                ok = false;
                sub.clone()
            }
        }),
        _ => None,
    });
    ok.then_some(out)
}

/// A filter of `input` by `predicate`, pushed as far down as it goes.
fn push(input: LogicalPlan, predicate: Expr) -> Result<LogicalPlan> {
    Ok(match input {
        LogicalPlan::Filter {
            input,
            predicate: first,
        } => push(*input, first.and(predicate))?,
        LogicalPlan::Scan(mut scan) => {
            scan.filter = Some(match scan.filter.take() {
                Some(f) => f.and(predicate),
                None => predicate,
            });
            LogicalPlan::Scan(scan)
        }
        LogicalPlan::Sort { input, by } => LogicalPlan::Sort {
            input: Box::new(push(*input, predicate)?),
            by,
        },
        LogicalPlan::Distinct { input } => LogicalPlan::Distinct {
            input: Box::new(push(*input, predicate)?),
        },
        LogicalPlan::Project {
            input,
            exprs,
            extend,
        } => {
            let input_names: Vec<String> = if extend {
                input
                    .schema()?
                    .fields()
                    .iter()
                    .map(|f| f.name().clone())
                    .collect()
            } else {
                Vec::new()
            };
            // An output column's input column, when it is a plain one.
            let outputs: Vec<String> = exprs.iter().map(Expr::output_name).collect();
            let source = |name: &str| -> Option<String> {
                match passed_through(&exprs, &outputs, name) {
                    Some(column) => column,
                    None if extend => resolve(name, input_names.iter().map(String::as_str))
                        .map(|i| input_names[i].clone()),
                    None => None,
                }
            };
            match rename(&predicate, &source) {
                Some(below) => LogicalPlan::Project {
                    input: Box::new(push(*input, below)?),
                    exprs,
                    extend,
                },
                None => LogicalPlan::Project {
                    input,
                    exprs,
                    extend,
                }
                .filter(predicate),
            }
        }
        LogicalPlan::Aggregate { input, keys, aggs } => {
            let names: Vec<String> = keys.iter().map(Expr::output_name).collect();
            let source = |name: &str| passed_through(&keys, &names, name).flatten();
            let (mut below, mut above) = (Vec::new(), Vec::new());
            for term in conjuncts(predicate) {
                match rename(&term, &source) {
                    Some(t) => below.push(t),
                    None => above.push(term),
                }
            }
            let input = match conjunction(below) {
                Some(p) => push(*input, p)?,
                None => *input,
            };
            let node = LogicalPlan::Aggregate {
                input: Box::new(input),
                keys,
                aggs,
            };
            match conjunction(above) {
                Some(p) => node.filter(p),
                None => node,
            }
        }
        LogicalPlan::Join(mut j) => {
            let (columns, _) = j.output(j.left.schema()?.as_ref(), j.right.schema()?.as_ref())?;
            let outputs: Vec<&str> = columns.iter().map(|c| c.output.as_str()).collect();
            // The input column an output column comes from, on one side.
            let source = |side: Side, name: &str| -> Option<String> {
                let c = &columns[resolve(name, outputs.iter().copied())?];
                (c.side == side).then(|| c.input.clone())
            };
            let (mut left, mut right, mut above) = (Vec::new(), Vec::new(), Vec::new());
            for term in conjuncts(predicate) {
                if let Some(t) = rename(&term, &|n| source(Side::Left, n)) {
                    left.push(t);
                } else if let (Some(t), JoinType::Inner) =
                    (rename(&term, &|n| source(Side::Right, n)), j.spec.how)
                {
                    right.push(t);
                } else {
                    above.push(term);
                }
            }
            if let Some(p) = conjunction(left) {
                j.left = push(j.left, p)?;
            }
            if let Some(p) = conjunction(right) {
                j.right = push(j.right, p)?;
            }
            let node = LogicalPlan::Join(j);
            match conjunction(above) {
                Some(p) => node.filter(p),
                None => node,
            }
        }
        other => other.filter(predicate),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::join::JoinSpec;
    use crate::expr::{col, lit};
    use crate::plan::optimizer::test_util::{self, scan};

    fn check(plan: LogicalPlan, before: &str, after: &str) {
        test_util::check(&PushDownFilter, plan, before, after);
    }

    #[test]
    fn through_a_projection_of_plain_columns_into_the_scan() {
        check(
            scan()
                .project(vec![col("a").alias("b"), col("s").str().upper()])
                .filter(col("b").gt(lit(1)))
                .filter(col("b").lt(lit(5))),
            "Filter: (b < 5)\n  Filter: (b > 1)\n    Project: a AS b, str_upper(s)\n      Scan: memory [a, s, n]\n",
            "Project: a AS b, str_upper(s)\n  Scan: memory [a, s, n] filter=((a > 1) AND (a < 5))\n",
        );
    }

    #[test]
    fn not_through_a_computed_column_or_a_limit() {
        check(
            scan()
                .project(vec![(col("a") + lit(1)).alias("b")])
                .filter(col("b").gt(lit(2))),
            "Filter: (b > 2)\n  Project: (a + 1) AS b\n    Scan: memory [a, s, n]\n",
            "Filter: (b > 2)\n  Project: (a + 1) AS b\n    Scan: memory [a, s, n]\n",
        );
        check(
            scan().limit(0, Some(2)).filter(col("a").gt(lit(0))),
            "Filter: (a > 0)\n  Limit: offset=0, len=2\n    Scan: memory [a, s, n]\n",
            "Filter: (a > 0)\n  Limit: offset=0, len=2\n    Scan: memory [a, s, n]\n",
        );
    }

    #[test]
    fn key_terms_below_an_aggregate_the_rest_above() {
        let plan = crate::plan::aggregate(
            scan(),
            vec![col("n")],
            vec![col("n"), col("a").sum().alias("total")],
            None,
            Vec::new(),
        )
        .filter(col("n").eq(lit(1)).and(col("total").gt(lit(3))));
        check(
            plan,
            "Filter: ((n = 1) AND (total > 3))\n  Aggregate: keys=[n] aggs=[sum(a) AS total]\n    Scan: memory [a, s, n]\n",
            "Filter: (total > 3)\n  Aggregate: keys=[n] aggs=[sum(a) AS total]\n    Scan: memory [a, s, n] filter=(n = 1)\n",
        );
    }

    #[test]
    fn join_terms_go_to_their_side() {
        let spec = JoinSpec {
            how: JoinType::Inner,
            left_on: vec![col("n")],
            right_on: vec![col("n")],
            suffix: "_r".into(),
            coalesce: false,
        };
        let plan = scan().join(scan(), spec).filter(
            col("a")
                .gt(lit(1))
                .and(col("a_r").lt(lit(4)))
                .and(col("a").neq(col("a_r"))),
        );
        check(
            plan,
            "Filter: (((a > 1) AND (a_r < 4)) AND (a <> a_r))\n  Join: Inner on n = n\n    Scan: memory [a, s, n]\n    Scan: memory [a, s, n]\n",
            "Filter: (a <> a_r)\n  Join: Inner on n = n\n    Scan: memory [a, s, n] filter=(a > 1)\n    Scan: memory [a, s, n] filter=(a < 4)\n",
        );
    }
}
