//! Limit pushdown: a limit moves below a projection (which maps rows one to one), so the
//! projection computes only the rows that are kept, and a limit over a limit merges into
//! one. Below a projection it may meet a sort, which [`super::TopK`] then turns into a
//! top-k.

use super::{transform_down, OptimizerRule};
use crate::error::Result;
use crate::plan::LogicalPlan;

/// See the module documentation.
#[derive(Debug, Clone, Copy, Default)]
pub struct PushDownLimit;

impl OptimizerRule for PushDownLimit {
    fn name(&self) -> &'static str {
        "push_down_limit"
    }

    fn rewrite(&self, plan: LogicalPlan) -> Result<LogicalPlan> {
        transform_down(plan, &mut |node| {
            Ok(match node {
                LogicalPlan::Limit { input, offset, len } => push(*input, offset, len),
                other => other,
            })
        })
    }
}

/// A limit of `input`, pushed as far down as it goes.
fn push(input: LogicalPlan, offset: usize, len: Option<usize>) -> LogicalPlan {
    match input {
        LogicalPlan::Project {
            input,
            exprs,
            extend,
        } => LogicalPlan::Project {
            input: Box::new(push(*input, offset, len)),
            exprs,
            extend,
        },
        // Rows `o1 + offset ..` of the inner limit's, at most what it keeps past `offset`.
        LogicalPlan::Limit {
            input,
            offset: inner_offset,
            len: inner_len,
        } => {
            let rest = inner_len.map(|n| n.saturating_sub(offset));
            let len = match (rest, len) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            push(*input, inner_offset.saturating_add(offset), len)
        }
        other => other.limit(offset, len),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::col;
    use crate::plan::optimizer::test_util::{self, scan};

    fn check(plan: LogicalPlan, before: &str, after: &str) {
        test_util::check(&PushDownLimit, plan, before, after);
    }

    #[test]
    fn below_a_projection() {
        check(
            scan()
                .project(vec![col("s").str().upper()])
                .limit(1, Some(2)),
            "Limit: offset=1, len=2\n  Project: str_upper(s)\n    Scan: memory [a, s, n]\n",
            "Project: str_upper(s)\n  Limit: offset=1, len=2\n    Scan: memory [a, s, n]\n",
        );
    }

    #[test]
    fn limits_merge() {
        check(
            scan().limit(1, Some(4)).limit(2, Some(5)),
            "Limit: offset=2, len=5\n  Limit: offset=1, len=4\n    Scan: memory [a, s, n]\n",
            "Limit: offset=3, len=2\n  Scan: memory [a, s, n]\n",
        );
        check(
            scan().limit(5, None).limit(0, Some(1)),
            "Limit: offset=0, len=1\n  Limit: offset=5, len=all\n    Scan: memory [a, s, n]\n",
            "Limit: offset=5, len=1\n  Scan: memory [a, s, n]\n",
        );
    }
}
