//! The text of EXPLAIN: a plan as an indented tree, one node a line, inputs below their
//! parent (as DataFusion and Polars print theirs).
//!
//! ```text
//! Limit: offset=0, len=10
//!   Project: str_upper(name) AS shout
//!     Scan: people.arrow [name, text] filter=str_contains(text)
//! ```

use std::fmt;

use crate::expr::Expr;
use crate::plan::{LogicalPlan, SortOptions};

impl fmt::Display for LogicalPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_tree(f, 0)
    }
}

fn list(exprs: &[Expr]) -> String {
    exprs
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Sort keys as SQL writes them: `a DESC NULLS LAST`.
pub(crate) fn sort_keys(by: &[(Expr, SortOptions)]) -> String {
    by.iter()
        .map(|(e, o)| {
            format!(
                "{e} {} NULLS {}",
                if o.descending { "DESC" } else { "ASC" },
                if o.nulls_last { "LAST" } else { "FIRST" }
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl LogicalPlan {
    fn write_tree(&self, f: &mut fmt::Formatter<'_>, depth: usize) -> fmt::Result {
        write!(f, "{:width$}", "", width = 2 * depth)?;
        match self {
            LogicalPlan::Scan(scan) => {
                let schema = scan.table.schema();
                let columns: Vec<&str> = match &scan.projection {
                    Some(p) => p.iter().map(|&i| schema.field(i).name().as_str()).collect(),
                    None => schema.fields().iter().map(|f| f.name().as_str()).collect(),
                };
                let name = scan
                    .table
                    .path()
                    .map_or_else(|| "memory".to_string(), |p| p.display().to_string());
                write!(f, "Scan: {name} [{}]", columns.join(", "))?;
                if let Some(filter) = &scan.filter {
                    write!(f, " filter={filter}")?;
                }
            }
            LogicalPlan::Filter { predicate, .. } => write!(f, "Filter: {predicate}")?,
            LogicalPlan::Project { exprs, extend, .. } => {
                let name = if *extend { "WithColumns" } else { "Project" };
                write!(f, "{name}: {}", list(exprs))?
            }
            LogicalPlan::Aggregate { keys, aggs, .. } => {
                write!(f, "Aggregate: keys=[{}] aggs=[{}]", list(keys), list(aggs))?
            }
            LogicalPlan::Distinct { .. } => write!(f, "Distinct")?,
            LogicalPlan::Sort { by, .. } => write!(f, "Sort: {}", sort_keys(by))?,
            LogicalPlan::TopK { by, k, .. } => write!(f, "TopK: k={k}, {}", sort_keys(by))?,
            LogicalPlan::Limit { offset, len, .. } => match len {
                Some(n) => write!(f, "Limit: offset={offset}, len={n}")?,
                None => write!(f, "Limit: offset={offset}, len=all")?,
            },
            LogicalPlan::Union { .. } => write!(f, "Union")?,
            LogicalPlan::Join(j) => {
                let on: Vec<String> = j
                    .spec
                    .left_on
                    .iter()
                    .zip(&j.spec.right_on)
                    .map(|(l, r)| format!("{l} = {r}"))
                    .collect();
                write!(f, "Join: {:?} on {}", j.spec.how, on.join(" AND "))?;
                if let Some(columns) = &j.columns {
                    let names: Vec<&str> = columns.iter().map(|c| c.output.as_str()).collect();
                    write!(f, " [{}]", names.join(", "))?;
                }
            }
        }
        writeln!(f)?;
        for input in self.inputs() {
            input.write_tree(f, depth + 1)?;
        }
        Ok(())
    }
}
