//! Constant folding: a sub-expression that reads no column and holds no aggregate is
//! computed once at plan time and replaced by its value (`1 + 2` is `3`,
//! `upper('abc')` is `'ABC'`); `x AND true` is `x`, `x OR false` is `x`, and a filter
//! whose predicate is the constant `true` is removed.
//!
//! Only values that a literal holds with the same type are folded (booleans, 64-bit
//! integers and floats, strings, NULL), so the plan's types never change; an expression
//! whose evaluation fails (`1 % 0`) is left as it is, to fail when it runs, as it did.

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, RecordBatch, RecordBatchOptions};
use arrow_schema::{DataType, Schema};

use super::{transform_up, OptimizerRule};
use crate::error::Result;
use crate::expr::physical::{compile, evaluate};
use crate::expr::{BinaryOp, Expr, Literal};
use crate::plan::LogicalPlan;

/// See the module documentation.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConstantFolding;

impl OptimizerRule for ConstantFolding {
    fn name(&self) -> &'static str {
        "constant_folding"
    }

    fn rewrite(&self, plan: LogicalPlan) -> Result<LogicalPlan> {
        transform_up(plan, &mut |node| {
            Ok(match node {
                LogicalPlan::Filter { input, predicate } => match fold_predicate(predicate) {
                    Expr::Literal(Literal::Boolean(true)) => *input,
                    predicate => LogicalPlan::Filter { input, predicate },
                },
                LogicalPlan::Project {
                    input,
                    exprs,
                    extend,
                } => LogicalPlan::Project {
                    input,
                    exprs: exprs.into_iter().map(fold).collect(),
                    extend,
                },
                LogicalPlan::Scan(mut scan) => {
                    scan.filter = scan.filter.map(fold_predicate).filter(|f| !is_true(f));
                    LogicalPlan::Scan(scan)
                }
                other => other,
            })
        })
    }
}

fn is_true(e: &Expr) -> bool {
    matches!(e, Expr::Literal(Literal::Boolean(true)))
}

fn is_false(e: &Expr) -> bool {
    matches!(e, Expr::Literal(Literal::Boolean(false)))
}

/// `e` with its constant sub-expressions computed.
pub(crate) fn fold(e: Expr) -> Expr {
    e.transform_up(&mut |e| match e {
        // Names and constants stay; aggregates and columns are not constant.
        e @ (Expr::Alias(..) | Expr::Literal(_) | Expr::Column(_) | Expr::Agg { .. }) => e,
        e if e.children().iter().all(|c| matches!(c, Expr::Literal(_))) => {
            evaluate_constant(&e).unwrap_or(e)
        }
        e => e,
    })
}

/// A predicate folded, with `x AND true` and `x OR false` simplified to `x` (only in a
/// predicate, where `x` must be a boolean anyway).
pub(crate) fn fold_predicate(e: Expr) -> Expr {
    fold(e).transform_up(&mut |e| match e {
        Expr::Binary {
            left,
            op: BinaryOp::And,
            right,
        } if is_true(&left) || is_true(&right) => {
            if is_true(&left) {
                *right
            } else {
                *left
            }
        }
        Expr::Binary {
            left,
            op: BinaryOp::Or,
            right,
        } if is_false(&left) || is_false(&right) => {
            if is_false(&left) {
                *right
            } else {
                *left
            }
        }
        e => e,
    })
}

/// The value of an expression that reads no column, when a literal holds it.
fn evaluate_constant(e: &Expr) -> Option<Expr> {
    let empty = Schema::empty();
    let (physical, field) = compile(e, &empty).ok()?;
    let row = RecordBatch::try_new_with_options(
        std::sync::Arc::new(empty),
        Vec::new(),
        &RecordBatchOptions::new().with_row_count(Some(1)),
    )
    .ok()?;
    let value = evaluate(&physical, &row).ok()?.into_array(1).ok()?;
    if value.data_type() != field.data_type() || value.len() != 1 {
        return None;
    }
    if value.is_null(0) {
        return (value.data_type() == &DataType::Null).then_some(Expr::Literal(Literal::Null));
    }
    let literal = match value.data_type() {
        DataType::Boolean => Literal::Boolean(value.as_boolean().value(0)),
        DataType::Int64 => Literal::Int64(value.as_primitive::<Int64Type>().value(0)),
        DataType::Float64 => Literal::Float64(value.as_primitive::<Float64Type>().value(0)),
        DataType::Utf8 => Literal::Utf8(value.as_string::<i32>().value(0).to_string()),
        _ => return None,
    };
    Some(Expr::Literal(literal))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::{col, lit};
    use crate::plan::optimizer::test_util::{check, scan};

    #[test]
    fn folds_arithmetic_and_string_calls() {
        check(
            &ConstantFolding,
            scan().project(vec![
                (col("a") + (lit(1) + lit(2))).alias("x"),
                lit("abc").str().upper().alias("u"),
            ]),
            "Project: (a + (1 + 2)) AS x, str_upper('abc') AS u\n  Scan: memory [a, s, n]\n",
            "Project: (a + 3) AS x, 'ABC' AS u\n  Scan: memory [a, s, n]\n",
        );
    }

    #[test]
    fn a_true_filter_goes_and_boolean_identities_simplify() {
        check(
            &ConstantFolding,
            scan()
                .filter(lit(1).lt(lit(2)))
                .filter(col("a").gt(lit(2)).and(lit(true))),
            "Filter: ((a > 2) AND true)\n  Filter: (1 < 2)\n    Scan: memory [a, s, n]\n",
            "Filter: (a > 2)\n  Scan: memory [a, s, n]\n",
        );
    }

    #[test]
    fn a_failing_constant_is_left_to_fail_when_it_runs() {
        let e = lit(1) % lit(0);
        assert_eq!(fold(e.clone()), e);
        // NULL AND true is NULL.
        let n = Expr::Literal(Literal::Null).and(lit(true));
        assert_eq!(fold_predicate(n), Expr::Literal(Literal::Null));
        // Outside a predicate, `x AND true` is not simplified (x may not be a boolean).
        let x = col("a").and(lit(true));
        assert_eq!(fold(x.clone()), x);
    }
}
