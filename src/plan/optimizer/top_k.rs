//! Top-k: a limit over a sort keeps only the sort's first `offset + len` rows, so the sort
//! becomes a top-k that selects those rows in linear time and orders only them; the limit
//! stays above it only to skip an offset. A limit over a top-k narrows it.

use super::{transform_down, OptimizerRule};
use crate::error::Result;
use crate::plan::LogicalPlan;

/// See the module documentation.
#[derive(Debug, Clone, Copy, Default)]
pub struct TopK;

impl OptimizerRule for TopK {
    fn name(&self) -> &'static str {
        "top_k"
    }

    fn rewrite(&self, plan: LogicalPlan) -> Result<LogicalPlan> {
        transform_down(plan, &mut |node| {
            Ok(match node {
                LogicalPlan::Limit {
                    input,
                    offset,
                    len: Some(len),
                } => {
                    let k = offset.saturating_add(len);
                    let top = match *input {
                        LogicalPlan::Sort { input, by } => LogicalPlan::TopK { input, by, k },
                        LogicalPlan::TopK {
                            input,
                            by,
                            k: inner,
                        } => LogicalPlan::TopK {
                            input,
                            by,
                            k: inner.min(k),
                        },
                        other => return Ok(other.limit(offset, Some(len))),
                    };
                    if offset == 0 {
                        top
                    } else {
                        top.limit(offset, Some(len))
                    }
                }
                other => other,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::col;
    use crate::plan::optimizer::test_util::{self, scan, show};
    use crate::plan::SortOptions;

    fn check(plan: LogicalPlan, before: &str, after: &str) {
        test_util::check(&TopK, plan, before, after);
    }

    #[test]
    fn a_limit_over_a_sort_is_a_top_k() {
        check(
            scan()
                .sort(vec![(col("a"), SortOptions::descending())])
                .limit(0, Some(2)),
            "Limit: offset=0, len=2\n  Sort: a DESC NULLS LAST\n    Scan: memory [a, s, n]\n",
            "TopK: k=2, a DESC NULLS LAST\n  Scan: memory [a, s, n]\n",
        );
        check(
            scan()
                .sort(vec![(col("s"), SortOptions::ascending())])
                .limit(2, Some(3)),
            "Limit: offset=2, len=3\n  Sort: s ASC NULLS LAST\n    Scan: memory [a, s, n]\n",
            "Limit: offset=2, len=3\n  TopK: k=5, s ASC NULLS LAST\n    Scan: memory [a, s, n]\n",
        );
    }

    #[test]
    fn a_limit_without_a_length_or_a_sort_stays() {
        let plan = scan()
            .sort(vec![(col("a"), SortOptions::ascending())])
            .limit(2, None);
        assert_eq!(show(&TopK.rewrite(plan.clone()).unwrap()), show(&plan));
        let plan = scan().limit(0, Some(1));
        assert_eq!(show(&TopK.rewrite(plan.clone()).unwrap()), show(&plan));
    }
}
