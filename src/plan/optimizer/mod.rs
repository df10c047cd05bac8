//! Rewrites of the logical plan, one rule a file, each a type with a name and one
//! [`OptimizerRule::rewrite`], tested by printing the plan before and after.
//!
//! [`Optimizer::default`] runs, in order:
//!
//! 1. [`ConstantFolding`]: sub-expressions without columns are computed once, at plan time;
//!    a filter that is always true goes.
//! 2. [`PushDownFilter`]: predicates move below projections of plain columns, sorts,
//!    distinct, group keys and into the sides of joins, and end in the scan.
//! 3. [`PushDownLimit`]: a limit moves below projections; limits over limits merge.
//! 4. [`TopK`]: a limit over a sort becomes a top-k, which orders only the rows it keeps.
//! 5. [`PushDownProjection`]: each node asks its input for the columns it reads and no
//!    others, down to the scan (only those columns are validated or decoded); a filter or
//!    sort whose parent needs fewer columns than it reads drops the rest right after it.
//!
//! The later fusion of string chains plugs in as one more rule here.

mod constant_folding;
mod push_down_filter;
mod push_down_limit;
mod push_down_projection;
mod top_k;

pub use constant_folding::ConstantFolding;
pub use push_down_filter::PushDownFilter;
pub use push_down_limit::PushDownLimit;
pub use push_down_projection::PushDownProjection;
pub use top_k::TopK;

use crate::error::Result;
use crate::plan::LogicalPlan;

/// One rewrite of a logical plan. A rule never changes a plan's answer or its output
/// schema.
pub trait OptimizerRule: std::fmt::Debug + Send + Sync {
    /// The rule's name, as EXPLAIN shows it.
    fn name(&self) -> &'static str;

    /// The plan, rewritten.
    ///
    /// # Errors
    /// When the plan does not check (unknown columns, wrong types).
    fn rewrite(&self, plan: LogicalPlan) -> Result<LogicalPlan>;
}

/// The rules, run once each in order.
#[derive(Debug)]
pub struct Optimizer {
    rules: Vec<Box<dyn OptimizerRule>>,
}

impl Default for Optimizer {
    fn default() -> Self {
        Optimizer {
            rules: vec![
                Box::new(ConstantFolding),
                Box::new(PushDownFilter),
                Box::new(PushDownLimit),
                Box::new(TopK),
                Box::new(PushDownProjection),
            ],
        }
    }
}

impl Optimizer {
    /// An optimizer with these rules, in this order.
    pub fn with_rules(rules: Vec<Box<dyn OptimizerRule>>) -> Optimizer {
        Optimizer { rules }
    }

    /// The plan after every rule.
    ///
    /// # Errors
    /// When the plan does not check.
    pub fn optimize(&self, plan: LogicalPlan) -> Result<LogicalPlan> {
        self.rules.iter().try_fold(plan, |p, rule| rule.rewrite(p))
    }

    /// The plan after each rule, by rule name (EXPLAIN VERBOSE).
    ///
    /// # Errors
    /// When the plan does not check.
    pub fn optimize_steps(&self, plan: LogicalPlan) -> Result<Vec<(&'static str, LogicalPlan)>> {
        let mut steps = Vec::with_capacity(self.rules.len());
        let mut plan = plan;
        for rule in &self.rules {
            plan = rule.rewrite(plan)?;
            steps.push((rule.name(), plan.clone()));
        }
        Ok(steps)
    }
}

/// Applies `f` to every node, parents before their inputs: `f` sees a node with its inputs
/// not yet rewritten, and its result's inputs are rewritten next.
pub(crate) fn transform_down(
    plan: LogicalPlan,
    f: &mut dyn FnMut(LogicalPlan) -> Result<LogicalPlan>,
) -> Result<LogicalPlan> {
    let plan = f(plan)?;
    plan.map_inputs(&mut |input| transform_down(input, f))
}

/// Applies `f` to every node, inputs before their parents.
pub(crate) fn transform_up(
    plan: LogicalPlan,
    f: &mut dyn FnMut(LogicalPlan) -> Result<LogicalPlan>,
) -> Result<LogicalPlan> {
    let plan = plan.map_inputs(&mut |input| transform_up(input, f))?;
    f(plan)
}

#[cfg(test)]
pub(crate) mod test_util {
    //! Small tables and plans for the rules' tests.

    use std::sync::Arc;

    use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};

    use crate::plan::optimizer::OptimizerRule;
    use crate::plan::LogicalPlan;
    use crate::storage::Table;

    /// A table `t(a: Int64, s: Utf8, n: Int64)` of 6 rows, in two batches.
    pub fn table() -> Arc<Table> {
        let batch = |start: i64| {
            let a: Vec<i64> = (start..start + 3).collect();
            let s: Vec<Option<&str>> = vec![Some("Ana"), None, Some("Çelik")];
            let n: Vec<i64> = a.iter().map(|v| v % 2).collect();
            RecordBatch::try_from_iter([
                ("a", Arc::new(Int64Array::from(a)) as ArrayRef),
                ("s", Arc::new(StringArray::from(s)) as ArrayRef),
                ("n", Arc::new(Int64Array::from(n)) as ArrayRef),
            ])
            .unwrap()
        };
        let batches = vec![batch(0), batch(3)];
        Arc::new(Table::from_batches(batches[0].schema(), batches))
    }

    /// A scan of [`table`].
    pub fn scan() -> LogicalPlan {
        LogicalPlan::scan(table())
    }

    /// The plan's text, as EXPLAIN prints it.
    pub fn show(plan: &LogicalPlan) -> String {
        plan.to_string()
    }

    /// Checks that `rule` rewrites `plan` (shown as `before`) into `after`, with the same
    /// rows and the same output names and types.
    pub fn check(rule: &dyn OptimizerRule, plan: LogicalPlan, before: &str, after: &str) {
        assert_eq!(show(&plan), before);
        let rewritten = rule.rewrite(plan.clone()).unwrap();
        assert_eq!(show(&rewritten), after);
        assert_eq!(rows(&plan), rows(&rewritten));
        let types = |p: &LogicalPlan| -> Vec<(String, arrow_schema::DataType)> {
            let schema = p.schema().unwrap();
            schema
                .fields()
                .iter()
                .map(|f| (f.name().clone(), f.data_type().clone()))
                .collect()
        };
        assert_eq!(types(&plan), types(&rewritten));
    }

    /// The plan's rows, sorted, as text (for comparing answers before and after a rule).
    pub fn rows(plan: &LogicalPlan) -> Vec<String> {
        let ctx = crate::exec::physical::ExecContext {
            runtime: crate::exec::Runtime::new(2).unwrap(),
            limits: Default::default(),
            cancel: Default::default(),
        };
        let batches = crate::plan::lower::lower(plan)
            .unwrap()
            .execute(&ctx)
            .unwrap();
        let mut out = Vec::new();
        for b in &batches {
            for r in 0..b.num_rows() {
                let cells: Vec<String> = b
                    .columns()
                    .iter()
                    .map(|c| {
                        arrow_cast::display::array_value_to_string(c, r)
                            .unwrap_or_else(|_| "?".into())
                    })
                    .collect();
                out.push(cells.join("|"));
            }
        }
        out.sort();
        out
    }
}
