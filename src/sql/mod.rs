//! The SQL front end: `SELECT ... FROM 'file.arrow' [WHERE ...] [LIMIT n]`, parsed by
//! `sqlparser` (DuckDB's dialect) and bound to a [`LogicalPlan`](crate::LogicalPlan): names resolve to
//! columns here, once, so no optimizer rule ever sees an unresolved or hidden name.
//!
//! Owns: parsing and EXPLAIN (here), binding (`binder`, with `scope` for names in
//! expressions and `table_functions` for FROM's functions), the function registry
//! (`functions`). May import
//! `frame` (the lazy frame a query becomes), `plan`, `expr`, `storage`, and from `exec`
//! the pool and the join's description; never an operator.
//!
//! Names follow DuckDB where DuckDB has the function and pandas (as `str_<name>`, with
//! named arguments `name => value`) for the `.str` catalogue; see `functions`. Output
//! columns are named as DuckDB names them: a plain column keeps its name, any other
//! expression is named by its SQL text (`lower(text)`), unless aliased.

use std::collections::HashMap;

use sqlparser::ast::{self, Spanned, Statement};
use sqlparser::dialect::DuckDbDialect;
use sqlparser::parser::{Parser, ParserError};

mod binder;
pub(crate) mod functions;
mod scope;
mod table_functions;

use crate::error::{Error, Result};
use crate::exec::Runtime;

use crate::frame::{open, DataFrame, LazyFrame};

/// Runs a query on the global pool and materialises the result. The file named in
/// `FROM` is opened for this query alone; use a [`Session`] to query one mapped file many
/// times without opening and validating it again.
///
/// # Errors
/// SQL that does not parse or that spindle does not run, unknown tables (files), columns
/// or functions, type mismatches, bad patterns, invalid data.
pub fn sql(query: &str) -> Result<DataFrame> {
    Session::new().sql(query)
}

/// Runs a query on `runtime`.
///
/// # Errors
/// As [`sql`].
pub fn sql_with(query: &str, runtime: &Runtime) -> Result<DataFrame> {
    Session::new().with_runtime(runtime.clone()).sql(query)
}

/// Parses a query, opens its file and returns the plan without running it.
///
/// # Errors
/// As [`sql`], except for errors found while running.
pub fn plan(query: &str) -> Result<LazyFrame> {
    Session::new().plan(query)
}

/// Tables registered by name, and the pool queries run on, as DataFusion's
/// `SessionContext`. A name in `FROM` is looked up here first and opened as a file path
/// otherwise; a registered frame keeps its mapped file and its validated columns across
/// queries.
#[derive(Debug, Clone, Default)]
pub struct Session {
    tables: HashMap<String, DataFrame>,
    runtime: Option<Runtime>,
}

impl Session {
    /// An empty session on the global pool.
    pub fn new() -> Session {
        Session::default()
    }

    /// Runs queries on `runtime`.
    pub fn with_runtime(mut self, runtime: Runtime) -> Session {
        self.runtime = Some(runtime);
        self
    }

    /// Makes `frame` available as `FROM name` (or `FROM 'name'`).
    pub fn register(&mut self, name: impl Into<String>, frame: DataFrame) {
        self.tables.insert(name.into(), frame);
    }

    /// Plans a query without running it.
    ///
    /// # Errors
    /// As [`sql`], except for errors found while running.
    pub fn plan(&self, query: &str) -> Result<LazyFrame> {
        let runtime = match &self.runtime {
            Some(rt) => rt.clone(),
            None => Runtime::global()?,
        };
        // On a worker, whose stack is sized for the deepest expression allowed.
        runtime.install(|| self.plan_here(query))
    }

    fn plan_here(&self, query: &str) -> Result<LazyFrame> {
        let statements = Parser::parse_sql(&DuckDbDialect {}, query).map_err(parse_error)?;
        check_depth(&statements)?;
        let [statement] = &statements[..] else {
            return Err(Error::sql(format!(
                "expected one statement, found {}",
                statements.len()
            )));
        };
        // EXPLAIN [ANALYZE] [VERBOSE] SELECT ...: the plans as rows (explain_key,
        // explain_value), as DuckDB returns them.
        let (statement, explain) = match statement {
            Statement::Explain {
                describe_alias: ast::DescribeAlias::Explain,
                analyze,
                verbose,
                query_plan: false,
                estimate: false,
                statement,
                format: None,
                options: None,
            } => (statement.as_ref(), Some((*analyze, *verbose))),
            Statement::Explain { .. } => {
                return Err(unsupported(
                    statement.span(),
                    "this EXPLAIN; EXPLAIN [ANALYZE] [VERBOSE] SELECT ... runs",
                ))
            }
            other => (other, None),
        };
        let Statement::Query(query) = statement else {
            return Err(at(statement.span(), "only SELECT queries are supported"));
        };
        let mut lazy = LazyFrame::from_plan(binder::Binder::new(self).plan_query(query.as_ref())?);
        if let Some(rt) = &self.runtime {
            lazy = lazy.with_runtime(rt.clone());
        }
        let Some((analyze, verbose)) = explain else {
            return Ok(lazy);
        };
        let sections = lazy.explain_sections(analyze, verbose)?;
        let (keys, values): (Vec<String>, Vec<String>) = sections.into_iter().unzip();
        let batch = arrow_array::RecordBatch::try_from_iter([
            (
                "explain_key",
                std::sync::Arc::new(arrow_array::StringArray::from(keys)) as _,
            ),
            (
                "explain_value",
                std::sync::Arc::new(arrow_array::StringArray::from(values)) as _,
            ),
        ])
        .map_err(|e| Error::arrow("EXPLAIN", e))?;
        Ok(DataFrame::from_batches(batch.schema(), vec![batch])?.lazy())
    }

    /// Runs a query and materialises the result.
    ///
    /// # Errors
    /// As [`sql`].
    pub fn sql(&self, query: &str) -> Result<DataFrame> {
        self.plan(query)?.collect()
    }

    /// The registered frame `name`, else the file at that path.
    fn table(&self, name: &str) -> Result<DataFrame> {
        match self.tables.get(name) {
            Some(frame) => Ok(frame.clone()),
            None => open(name),
        }
    }
}

/// Expressions nested deeper than this are refused before planning, as DuckDB's
/// `max_expression_depth` (default 1000) does: planning and evaluation recurse once per
/// level, so a query such as `1+1+...+1` of a hundred thousand terms, which the parser
/// takes, would otherwise overflow the stack.
pub const MAX_EXPRESSION_DEPTH: usize = 1000;

/// Refuses statements whose expressions nest deeper than [`MAX_EXPRESSION_DEPTH`]. The
/// walk stops at that depth, so it never recurses further than the limit.
fn check_depth(statements: &[Statement]) -> Result<()> {
    use sqlparser::ast::{Visit, Visitor};
    use std::ops::ControlFlow;
    struct Depth(usize);
    impl Visitor for Depth {
        type Break = ();
        fn pre_visit_expr(&mut self, _: &ast::Expr) -> ControlFlow<()> {
            self.0 += 1;
            if self.0 > MAX_EXPRESSION_DEPTH {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        }
        fn post_visit_expr(&mut self, _: &ast::Expr) -> ControlFlow<()> {
            self.0 -= 1;
            ControlFlow::Continue(())
        }
    }
    if statements.iter().any(|s| s.visit(&mut Depth(0)).is_break()) {
        return Err(Error::sql(format!(
            "query nested too deeply: an expression is more than {MAX_EXPRESSION_DEPTH} levels deep"
        )));
    }
    Ok(())
}

fn parse_error(e: ParserError) -> Error {
    let message = match e {
        ParserError::TokenizerError(m) | ParserError::ParserError(m) => m,
        ParserError::RecursionLimitExceeded => "query nested too deeply".to_string(),
    };
    // sqlparser ends its messages with "at Line: L, Column: C".
    let position = message.rfind(" at Line: ").and_then(|i| {
        let rest = &message[i + " at Line: ".len()..];
        let (line, column) = rest.split_once(", Column: ")?;
        Some((line.trim().parse().ok()?, column.trim().parse().ok()?, i))
    });
    match position {
        Some((line, column, i)) => Error::Sql {
            message: message[..i].to_string(),
            position: Some((line, column)),
        },
        None => Error::sql(message),
    }
}

pub(super) fn at(span: sqlparser::tokenizer::Span, message: impl Into<String>) -> Error {
    let position = (span.start.line > 0).then_some((span.start.line, span.start.column));
    Error::Sql {
        message: message.into(),
        position,
    }
}

pub(super) fn unsupported(span: sqlparser::tokenizer::Span, what: &str) -> Error {
    at(span, format!("spindle's SQL does not run {what}"))
}
