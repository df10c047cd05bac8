//! The SQL front end: `SELECT ... FROM 'file.arrow' [WHERE ...] [LIMIT n]`, parsed by
//! `sqlparser` (DuckDB's dialect) and bound to a [`LogicalPlan`]: names resolve to
//! columns here, once, so no optimizer rule ever sees an unresolved or hidden name.
//!
//! Owns: parsing, binding, EXPLAIN, the function registry (`functions`). May import
//! `frame` (the lazy frame a query becomes), `plan`, `expr`, `storage`, and from `exec`
//! the pool and the join's description; never an operator.
//!
//! Names follow DuckDB where DuckDB has the function and pandas (as `str_<name>`, with
//! named arguments `name => value`) for the `.str` catalogue; see `functions`. Output
//! columns are named as DuckDB names them: a plain column keeps its name, any other
//! expression is named by its SQL text (`lower(text)`), unless aliased.

use std::collections::HashMap;

use sqlparser::ast::{
    self, BinaryOperator, FunctionArg, FunctionArgExpr, FunctionArguments, GroupByExpr, SelectItem,
    SetExpr, Spanned, Statement, TableFactor, UnaryOperator,
};
use sqlparser::dialect::DuckDbDialect;
use sqlparser::parser::{Parser, ParserError};

pub(crate) mod functions;

use crate::error::{Error, Result};
use crate::exec::Runtime;
use arrow_schema::DataType;

use crate::exec::join::{JoinSpec, Side};
use crate::expr::catalogue::Arg;
use crate::expr::{col, lit, AggFunc, BinaryOp, Expr, Literal};
use crate::frame::{open, DataFrame, JoinType, LazyFrame, SortOptions};
use crate::plan::LogicalPlan;
use crate::sql::functions::call;

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
        let mut lazy = LazyFrame::from_plan(self.plan_query(query.as_ref())?);
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

    fn table(&self, name: &str) -> Result<DataFrame> {
        match self.tables.get(name) {
            Some(frame) => Ok(frame.clone()),
            None => open(name),
        }
    }

    fn plan_query(&self, query: &ast::Query) -> Result<LogicalPlan> {
        if let Some(with) = &query.with {
            return Err(unsupported(with.span(), "WITH"));
        }
        if let Some(fetch) = &query.fetch {
            return Err(unsupported(fetch.span(), "FETCH"));
        }
        let (limit, offset) = match &query.limit_clause {
            None => (None, 0),
            Some(ast::LimitClause::LimitOffset {
                limit,
                offset,
                limit_by,
            }) if limit_by.is_empty() => (
                limit
                    .as_ref()
                    .map(|e| count_value(e, "LIMIT"))
                    .transpose()?,
                match offset {
                    Some(o) => count_value(&o.value, "OFFSET")?,
                    None => 0,
                },
            ),
            Some(ast::LimitClause::OffsetCommaLimit { offset, limit }) => (
                Some(count_value(limit, "LIMIT")?),
                count_value(offset, "OFFSET")?,
            ),
            Some(other) => return Err(unsupported(other.span(), "LIMIT BY")),
        };
        let order_by: &[ast::OrderByExpr] = match &query.order_by {
            None => &[],
            Some(ast::OrderBy {
                kind: ast::OrderByKind::Expressions(e),
                interpolate: None,
            }) => e,
            Some(other) => return Err(unsupported(other.span(), "this ORDER BY")),
        };
        let mut lazy = match query.body.as_ref() {
            SetExpr::Select(select) => self.plan_select(select, order_by)?,
            SetExpr::Query(inner) if order_by.is_empty() => self.plan_query(inner)?,
            other => {
                return Err(unsupported(
                    other.span(),
                    "set operations (UNION, VALUES, ...)",
                ))
            }
        };
        if limit.is_some() || offset > 0 {
            lazy = lazy.limit(offset, limit);
        }
        Ok(lazy)
    }

    /// One table in FROM: a file or registered name, or a subquery; with the names its
    /// columns can be qualified by.
    fn factor(&self, factor: &TableFactor) -> Result<(LogicalPlan, Scope)> {
        match factor {
            TableFactor::Table {
                name,
                alias,
                args: None,
                ..
            } => {
                let path = match &name.0[..] {
                    [ast::ObjectNamePart::Identifier(ident)] => ident.value.clone(),
                    _ => {
                        return Err(at(
                            name.span(),
                            format!("table {name} is not a file path; quote it: FROM 'data.arrow'"),
                        ))
                    }
                };
                let qualifiers: Vec<String> = match alias {
                    Some(a) => vec![a.name.value.clone()],
                    None => {
                        // `FROM 'dir/x.arrow'` is also `x` (as DuckDB names it).
                        let stem = std::path::Path::new(&path)
                            .file_stem()
                            .map(|s| s.to_string_lossy().into_owned());
                        [path.clone()].into_iter().chain(stem).collect()
                    }
                };
                let frame = self.table(&path)?;
                let scope = Scope::of(&frame.schema(), qualifiers).aliased(alias.as_ref())?;
                Ok((frame.lazy().into_plan(), scope))
            }
            TableFactor::Table {
                name,
                alias,
                args: Some(args),
                with_hints,
                ..
            } if with_hints.is_empty() => {
                let frame = table_function(name, &args.args)?;
                let qualifiers = match alias {
                    Some(a) => vec![a.name.value.clone()],
                    None => vec![name.to_string()],
                };
                let scope = Scope::of(&frame.schema(), qualifiers).aliased(alias.as_ref())?;
                Ok((frame.lazy().into_plan(), scope))
            }
            TableFactor::Derived {
                lateral: false,
                subquery,
                alias,
                sample: None,
            } => {
                let lazy = self.plan_query(subquery)?;
                let qualifiers = alias.iter().map(|a| a.name.value.clone()).collect();
                let scope =
                    Scope::of(lazy.schema()?.as_ref(), qualifiers).aliased(alias.as_ref())?;
                Ok((lazy, scope))
            }
            other => Err(unsupported(
                other.span(),
                "this kind of FROM item; name a file (FROM 'data.arrow') or a subquery",
            )),
        }
    }

    /// FROM with its joins.
    fn from(&self, from: &ast::TableWithJoins) -> Result<(LogicalPlan, Scope)> {
        let (mut lazy, mut scope) = self.factor(&from.relation)?;
        for join in &from.joins {
            use ast::JoinOperator as J;
            let (how, constraint) = match &join.join_operator {
                J::Join(c) | J::Inner(c) => (JoinType::Inner, c),
                J::Left(c) | J::LeftOuter(c) => (JoinType::Left, c),
                J::Semi(c) | J::LeftSemi(c) => (JoinType::Semi, c),
                J::Anti(c) | J::LeftAnti(c) => (JoinType::Anti, c),
                _ => {
                    return Err(unsupported(
                        join.span(),
                        "this kind of join; inner, left, semi and anti joins run",
                    ))
                }
            };
            let (right, right_scope) = self.factor(&join.relation)?;
            let mut left_on = Vec::new();
            let mut right_on = Vec::new();
            let mut residual = Vec::new();
            // USING and NATURAL keys: one column in the output (the left's), as in DuckDB.
            let mut merged: Vec<usize> = Vec::new();
            let mut merge = |name: &str, span| -> Result<()> {
                left_on.push(scope.resolve(None, name, span)?);
                right_on.push(right_scope.resolve(None, name, span)?);
                merged.push(right_scope.position(name).expect("resolved above"));
                Ok(())
            };
            match constraint {
                ast::JoinConstraint::On(e) => {
                    for term in conjuncts(e) {
                        match equi_key(term, &scope, &right_scope) {
                            Some((l, r)) => {
                                left_on.push(l);
                                right_on.push(r);
                            }
                            None => residual.push(term),
                        }
                    }
                }
                ast::JoinConstraint::Using(names) => {
                    for n in names {
                        let name = match &n.0[..] {
                            [ast::ObjectNamePart::Identifier(id)] => id.value.clone(),
                            _ => n.to_string(),
                        };
                        merge(&name, n.span())?;
                    }
                }
                ast::JoinConstraint::Natural => {
                    // Every column name both sides have.
                    let common: Vec<String> = scope
                        .visible()
                        .filter(|l| {
                            right_scope
                                .visible()
                                .any(|r| r.name.eq_ignore_ascii_case(&l.name))
                        })
                        .map(|c| c.name.clone())
                        .collect();
                    if common.is_empty() {
                        return Err(at(
                            join.span(),
                            "NATURAL JOIN: the two sides have no column name in common \
                             (a cross join, which spindle does not run)",
                        ));
                    }
                    for name in common {
                        merge(&name, join.span())?;
                    }
                }
                _ => {
                    return Err(unsupported(
                        join.span(),
                        "a join without ON, USING or NATURAL (CROSS)",
                    ))
                }
            }
            // A term that is not a key pair must still read known columns: say which not.
            let both = Scope {
                columns: scope
                    .columns
                    .iter()
                    .chain(&right_scope.columns)
                    .cloned()
                    .collect(),
                aliases: Vec::new(),
            };
            for term in &residual {
                both.expr(term)?;
            }
            if left_on.is_empty() {
                return Err(at(
                    join.span(),
                    "a join needs at least one equality between the two sides in ON, \
                     such as a.k = b.k",
                ));
            }
            if !residual.is_empty() && how != JoinType::Inner {
                return Err(unsupported(
                    residual[0].span(),
                    "conditions other than equalities between the sides in the ON of a \
                     LEFT, SEMI or ANTI join",
                ));
            }
            let spec = JoinSpec {
                how,
                left_on,
                right_on,
                suffix: "_1".into(),
                coalesce: false,
            };
            let output = spec.output(lazy.schema()?.as_ref(), right.schema()?.as_ref())?;
            let mut columns = Vec::new();
            for (k, (side, i)) in output.columns.iter().enumerate() {
                let internal = output.schema.field(k).name().clone();
                let from = match side {
                    Side::Left => &scope.columns[*i],
                    Side::Right => &right_scope.columns[*i],
                };
                columns.push(ScopeColumn {
                    qualifiers: from.qualifiers.clone(),
                    name: from.name.clone(),
                    internal,
                    // A right USING key is reached only by its table's name.
                    merged: from.merged || (*side == Side::Right && merged.contains(i)),
                });
            }
            scope = Scope {
                columns,
                aliases: Vec::new(),
            };
            lazy = lazy.join(right, spec);
            for term in residual {
                lazy = lazy.filter(scope.expr(term)?);
            }
        }
        Ok((lazy, scope))
    }

    fn plan_select(
        &self,
        select: &ast::Select,
        order_by: &[ast::OrderByExpr],
    ) -> Result<LogicalPlan> {
        if select.qualify.is_some() || !select.sort_by.is_empty() || select.into.is_some() {
            return Err(unsupported(select.span(), "QUALIFY, SORT BY or INTO"));
        }
        let distinct = match &select.distinct {
            None | Some(ast::Distinct::All) => false,
            Some(ast::Distinct::Distinct) => true,
            Some(other) => return Err(unsupported(select.span(), &format!("{other}"))),
        };
        let (mut lazy, mut scope) = match &select.from[..] {
            [from] => self.from(from)?,
            // `SELECT 1 + 1`: one row and no columns, as in DuckDB.
            [] => {
                let schema = std::sync::Arc::new(arrow_schema::Schema::empty());
                let row = arrow_array::RecordBatch::try_new_with_options(
                    schema.clone(),
                    Vec::new(),
                    &arrow_array::RecordBatchOptions::new().with_row_count(Some(1)),
                )
                .map_err(|e| Error::arrow("one empty row", e))?;
                let frame = DataFrame::from_batches(schema.clone(), vec![row])?;
                (frame.lazy().into_plan(), Scope::of(&schema, Vec::new()))
            }
            more => {
                return Err(at(
                    select.span(),
                    format!(
                        "expected one table in FROM (join others with JOIN ... ON), found {}",
                        more.len()
                    ),
                ))
            }
        };
        if let Some(predicate) = &select.selection {
            let e = scope.expr(predicate)?;
            if e.has_agg() {
                return Err(at(
                    predicate.span(),
                    "WHERE cannot hold an aggregate; use HAVING",
                ));
            }
            lazy = lazy.filter(e);
        }
        // The select list: (output name, expression).
        let mut items: Vec<(String, Expr)> = Vec::new();
        // `SELECT *` alone over columns under their own names needs no projection.
        let mut is_star = select.projection.len() == 1
            && scope
                .columns
                .iter()
                .all(|c| !c.merged && c.name == c.internal);
        // DuckDB's FROM-first `FROM t [WHERE ...]` selects every column.
        let star = [SelectItem::Wildcard(Default::default())];
        let projection = if select.projection.is_empty() {
            &star[..]
        } else {
            &select.projection[..]
        };
        for item in projection {
            match item {
                SelectItem::UnnamedExpr(e) => {
                    is_star = false;
                    let planned = scope.expr(e)?;
                    let name = match (&planned, e) {
                        (Expr::Column(_), ast::Expr::Identifier(id)) => id.value.clone(),
                        (Expr::Column(_), ast::Expr::CompoundIdentifier(parts)) => parts
                            .last()
                            .map_or_else(|| e.to_string(), |p| p.value.clone()),
                        _ => e.to_string(),
                    };
                    items.push((name, planned));
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    is_star = false;
                    items.push((alias.value.clone(), scope.expr(expr)?));
                }
                SelectItem::Wildcard(options) => {
                    is_star &= !has_options(options);
                    items.extend(scope.wildcard(None, options, item.span())?);
                }
                SelectItem::QualifiedWildcard(kind, options) => {
                    is_star = false;
                    let q = match kind {
                        ast::SelectItemQualifiedWildcardKind::ObjectName(name) => match &name.0[..]
                        {
                            [ast::ObjectNamePart::Identifier(id)] => id.value.clone(),
                            _ => name.to_string(),
                        },
                        ast::SelectItemQualifiedWildcardKind::Expr(e) => {
                            return Err(unsupported(e.span(), "an expression's .*"))
                        }
                    };
                    items.extend(scope.wildcard(Some(&q), options, item.span())?);
                }
                other => return Err(unsupported(other.span(), "this select item")),
            }
        }
        // Output names are unique: a repeated one gets `_1`, `_2`, ... (`SELECT a.k, b.k`).
        for i in 1..items.len() {
            let taken = |n: &str, items: &[(String, Expr)]| {
                items[..i].iter().any(|(m, _)| m.eq_ignore_ascii_case(n))
            };
            if taken(&items[i].0, &items) {
                let base = items[i].0.clone();
                let name = (1..)
                    .map(|k| format!("{base}_{k}"))
                    .find(|n| !taken(n, &items))
                    .expect("some suffix is free");
                items[i].0 = name;
            }
        }
        // Select aliases may be used in GROUP BY, HAVING and ORDER BY.
        scope.aliases = items.clone();

        let group_by: Vec<Expr> = match &select.group_by {
            GroupByExpr::Expressions(exprs, modifiers) if modifiers.is_empty() => exprs
                .iter()
                .map(|e| match ordinal(e, items.len())? {
                    Some(i) => Ok(items[i].1.clone()),
                    None => scope.expr(e),
                })
                .collect::<Result<_>>()?,
            // GROUP BY ALL: every select item that is not an aggregate.
            GroupByExpr::All(modifiers) if modifiers.is_empty() => items
                .iter()
                .filter(|(_, e)| !e.has_agg())
                .map(|(_, e)| e.clone())
                .collect(),
            _ => return Err(unsupported(select.span(), "GROUP BY with modifiers")),
        };
        let having = select.having.as_ref().map(|h| scope.expr(h)).transpose()?;
        // ORDER BY terms: an output column (by ordinal, name or equal expression), or an
        // expression.
        let mut order: Vec<(OrderKey, SortOptions)> = Vec::new();
        for term in order_by {
            let descending = match term.options.sort {
                None | Some(ast::OrderBySort::Asc) => false,
                Some(ast::OrderBySort::Desc) => true,
                Some(_) => return Err(unsupported(term.span(), "ORDER BY ... USING")),
            };
            // DuckDB's default: nulls last in both directions.
            let options = SortOptions {
                descending,
                nulls_last: !term.options.nulls_first.unwrap_or(false),
            };
            let by_name = match &term.expr {
                ast::Expr::Identifier(id) => items
                    .iter()
                    .position(|(name, _)| name.eq_ignore_ascii_case(&id.value)),
                e => ordinal(e, items.len())?,
            };
            let key = match by_name {
                Some(i) => OrderKey::Output(i),
                None => {
                    let e = scope.expr(&term.expr)?;
                    match items.iter().position(|(_, item)| item.unaliased() == &e) {
                        Some(i) => OrderKey::Output(i),
                        None if distinct => {
                            return Err(at(
                                term.span(),
                                "for SELECT DISTINCT, ORDER BY expressions must appear in the \
                                 select list",
                            ))
                        }
                        None => OrderKey::Input(e),
                    }
                }
            };
            order.push((key, options));
        }
        let aggregated = !group_by.is_empty()
            || having.is_some()
            || items.iter().any(|(_, e)| e.has_agg())
            || order
                .iter()
                .any(|(k, _)| matches!(k, OrderKey::Input(e) if e.has_agg()))
            || !matches!(&select.group_by, GroupByExpr::Expressions(e, _) if e.is_empty());
        // Sort keys over the input (output names replaced by their expressions), and over
        // the output (for a sort after the projection).
        let over_input: Vec<(Expr, SortOptions)> = order
            .iter()
            .map(|(k, o)| match k {
                OrderKey::Output(i) => (items[*i].1.clone(), *o),
                OrderKey::Input(e) => (e.clone(), *o),
            })
            .collect();
        let over_output: Option<Vec<(Expr, SortOptions)>> = order
            .iter()
            .map(|(k, o)| match k {
                OrderKey::Output(i) => Some((col(items[*i].0.clone()), *o)),
                OrderKey::Input(_) => None,
            })
            .collect();
        let exprs: Vec<Expr> = items
            .into_iter()
            .map(|(name, e)| match e {
                Expr::Column(c) if c == name => Expr::Column(c),
                e => e.alias(name),
            })
            .collect();
        if aggregated {
            if is_star {
                return Err(at(
                    select.span(),
                    "SELECT * with GROUP BY or aggregates: name the columns",
                ));
            }
            // Keys are named so that they cannot clash: a plain column keeps its name, any
            // other expression is named by its text.
            let mut keys: Vec<Expr> = Vec::with_capacity(group_by.len());
            for k in group_by {
                let k = match k {
                    Expr::Column(c) => Expr::Column(c),
                    k => {
                        let text = k.to_string();
                        let taken = |n: &str| keys.iter().any(|e: &Expr| e.output_name() == n);
                        let name = std::iter::once(text.clone())
                            .chain((1..).map(|i| format!("{text}_{i}")))
                            .find(|n| !taken(n))
                            .expect("some suffix is free");
                        k.alias(name)
                    }
                };
                keys.push(k);
            }
            if distinct {
                lazy = crate::plan::aggregate(lazy, keys, exprs, having, Vec::new()).distinct();
                if let Some(by) = over_output.filter(|by| !by.is_empty()) {
                    lazy = lazy.sort(by);
                }
            } else {
                lazy = crate::plan::aggregate(lazy, keys, exprs, having, over_input);
            }
            return Ok(lazy);
        }
        match over_output {
            // ORDER BY output columns (or none): sort the projection's output.
            Some(by) => {
                if !is_star {
                    lazy = lazy.project(exprs);
                }
                if distinct {
                    lazy = lazy.distinct();
                }
                if !by.is_empty() {
                    lazy = lazy.sort(by);
                }
            }
            // ORDER BY an expression the select list does not have: sort the input by the
            // keys' expressions, then project.
            None => {
                lazy = lazy.sort(over_input);
                if !is_star {
                    lazy = lazy.project(exprs);
                }
            }
        }
        Ok(lazy)
    }
}

/// True when a `*` has modifiers (EXCLUDE, REPLACE, ...).
fn has_options(o: &ast::WildcardAdditionalOptions) -> bool {
    o.opt_ilike.is_some()
        || o.opt_exclude.is_some()
        || o.opt_except.is_some()
        || o.opt_replace.is_some()
        || o.opt_rename.is_some()
        || o.opt_alias.is_some()
}

/// An ORDER BY term: an output column by index, or an expression over the input.
enum OrderKey {
    Output(usize),
    Input(Expr),
}

/// The terms of a conjunction: `a AND (b AND c)` gives a, b, c.
fn conjuncts(e: &ast::Expr) -> Vec<&ast::Expr> {
    match e {
        ast::Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => {
            let mut out = conjuncts(left);
            out.extend(conjuncts(right));
            out
        }
        ast::Expr::Nested(inner) => conjuncts(inner),
        e => vec![e],
    }
}

/// `l = r` where one side reads only the left input and the other only the right: the
/// pair of join keys, left first.
fn equi_key(term: &ast::Expr, left: &Scope, right: &Scope) -> Option<(Expr, Expr)> {
    let ast::Expr::BinaryOp {
        left: a,
        op: BinaryOperator::Eq,
        right: b,
    } = term
    else {
        return None;
    };
    let reads_columns = |e: &Expr| !e.columns().is_empty();
    let pair = |x: &ast::Expr, y: &ast::Expr| {
        let l = left.expr(x).ok().filter(reads_columns)?;
        let r = right.expr(y).ok().filter(reads_columns)?;
        Some((l, r))
    };
    pair(a, b).or_else(|| pair(b, a))
}

/// A 1-based position in the select list (`ORDER BY 2`, `GROUP BY 1`), as an index.
fn ordinal(e: &ast::Expr, items: usize) -> Result<Option<usize>> {
    let ast::Expr::Value(v) = e else {
        return Ok(None);
    };
    let ast::Value::Number(n, _) = &v.value else {
        return Ok(None);
    };
    match n.parse::<usize>() {
        Ok(i) if (1..=items).contains(&i) => Ok(Some(i - 1)),
        _ => Err(at(
            e.span(),
            format!("position {n} is not in the select list (1 to {items})"),
        )),
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

fn at(span: sqlparser::tokenizer::Span, message: impl Into<String>) -> Error {
    let position = (span.start.line > 0).then_some((span.start.line, span.start.column));
    Error::Sql {
        message: message.into(),
        position,
    }
}

fn unsupported(span: sqlparser::tokenizer::Span, what: &str) -> Error {
    at(span, format!("spindle's SQL does not run {what}"))
}

/// `read_csv('f.csv', delim = ';', header = false, ...)` and `read_parquet('f')`, with
/// DuckDB's names and option names.
/// A one-part name as written, without its quotes (`"lower"` is `lower`); a dotted name as
/// SQL text.
fn object_name(name: &ast::ObjectName) -> String {
    match &name.0[..] {
        [ast::ObjectNamePart::Identifier(id)] => id.value.clone(),
        _ => name.to_string(),
    }
}

/// DuckDB's `range(stop)`, `range(start, stop[, step])` (stop excluded) and
/// `generate_series` (stop included): one Int64 column named after the function.
fn series(name: &ast::ObjectName, func: &str, args: &[FunctionArg]) -> Result<DataFrame> {
    const MAX_ROWS: i128 = 1 << 32;
    let mut values = Vec::with_capacity(args.len());
    for arg in args {
        let v = match arg {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => match e {
                ast::Expr::Value(v) => match &v.value {
                    ast::Value::Number(n, _) => n.parse::<i64>().ok(),
                    _ => None,
                },
                ast::Expr::UnaryOp {
                    op: UnaryOperator::Minus,
                    expr,
                } => match expr.as_ref() {
                    ast::Expr::Value(v) => match &v.value {
                        ast::Value::Number(n, _) => n.parse::<i64>().ok().map(|n| -n),
                        _ => None,
                    },
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        };
        values.push(v.ok_or_else(|| {
            at(
                arg.span(),
                format!("{func} takes constant integers: {func}(start, stop, step)"),
            )
        })?);
    }
    let inclusive = func == "generate_series";
    let (start, stop, step) = match values[..] {
        [stop] => (0, stop, 1),
        [start, stop] => (start, stop, 1),
        [start, stop, step] => (start, stop, step),
        _ => {
            return Err(at(
                name.span(),
                format!("{func} takes one to three integers: {func}(start, stop, step)"),
            ))
        }
    };
    if step == 0 {
        return Err(at(name.span(), format!("{func}: the step must not be 0")));
    }
    let (start, stop, step) = (start as i128, stop as i128, step as i128);
    let end = if inclusive {
        stop + step.signum()
    } else {
        stop
    };
    let count = ((end - start) + step - step.signum()) / step;
    let count = count.max(0);
    if count > MAX_ROWS {
        return Err(at(
            name.span(),
            format!("{func} would make {count} rows, more than {MAX_ROWS}"),
        ));
    }
    let array =
        arrow_array::Int64Array::from_iter_values((0..count).map(|i| (start + i * step) as i64));
    let batch = arrow_array::RecordBatch::try_from_iter([(
        func,
        std::sync::Arc::new(array) as arrow_array::ArrayRef,
    )])
    .map_err(|e| Error::arrow(func.to_string(), e))?;
    DataFrame::from_batches(batch.schema(), vec![batch])
}

fn table_function(name: &ast::ObjectName, args: &[FunctionArg]) -> Result<DataFrame> {
    let func = object_name(name).to_ascii_lowercase();
    match func.as_str() {
        "read_csv" | "read_csv_auto" | "read_parquet" => {}
        "range" | "generate_series" => return series(name, &func, args),
        _ => {
            return Err(at(
                name.span(),
                format!(
                    "unknown table function {func}; read_csv, read_parquet, range and \
                     generate_series are known, or name a file: FROM 'data.arrow'"
                ),
            ))
        }
    }
    let mut path = None;
    let mut options: Vec<(String, &ast::Expr)> = Vec::new();
    for arg in args {
        match arg {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(ast::Expr::BinaryOp {
                left,
                op: BinaryOperator::Eq,
                right,
            })) if matches!(left.as_ref(), ast::Expr::Identifier(_)) => {
                let ast::Expr::Identifier(id) = left.as_ref() else {
                    unreachable!("matched above")
                };
                options.push((id.value.to_ascii_lowercase(), right));
            }
            FunctionArg::Named {
                name,
                arg: FunctionArgExpr::Expr(e),
                ..
            } => options.push((name.value.to_ascii_lowercase(), e)),
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) if path.is_none() => {
                path = Some(option_string(e, &func)?);
            }
            other => {
                return Err(at(
                    other.span(),
                    format!("{func} takes one file path and named options"),
                ))
            }
        }
    }
    let path = path.ok_or_else(|| at(name.span(), format!("{func} needs a file path")))?;
    match func.as_str() {
        "read_csv" | "read_csv_auto" => {
            let mut csv = crate::CsvOptions::default();
            for (option, value) in options {
                let what = format!("{func}'s {option}");
                match option.as_str() {
                    "delim" | "sep" | "delimiter" => csv.delimiter = option_byte(value, &what)?,
                    "quote" => csv.quote = option_byte(value, &what)?,
                    "escape" => csv.escape = Some(option_byte(value, &what)?),
                    "header" => csv.header = option_bool(value, &what)?,
                    "ignore_errors" => csv.skip_bad_rows = option_bool(value, &what)?,
                    "nullstr" | "null_values" => match value {
                        ast::Expr::Array(ast::Array { elem, .. }) => {
                            for e in elem {
                                csv.null_values.push(option_string(e, &what)?);
                            }
                        }
                        e => csv.null_values.push(option_string(e, &what)?),
                    },
                    "sample_size" => {
                        csv.infer_rows = count_value(value, &what)?.max(1);
                    }
                    "types" | "dtypes" | "column_types" => {
                        let ast::Expr::Dictionary(fields) = value else {
                            return Err(at(
                                value.span(),
                                format!("{what} is a struct of column types: {{'col': 'BIGINT'}}"),
                            ));
                        };
                        for field in fields {
                            let ty = option_string(&field.value, &what)?;
                            let ty = crate::storage::csv::parse_type(&ty)
                                .map_err(|e| at(field.value.span(), e.to_string()))?;
                            csv.schema_overrides.push((field.key.value.clone(), ty));
                        }
                    }
                    _ => {
                        return Err(at(
                            value.span(),
                            format!(
                                "{func} has no option {option}; it takes delim, header, quote, escape, nullstr, sample_size, ignore_errors and types"
                            ),
                        ))
                    }
                }
            }
            crate::frame::read_csv(&path, &csv)
        }
        "read_parquet" => match options.first() {
            Some((option, value)) => Err(at(
                value.span(),
                format!("read_parquet has no option {option}"),
            )),
            None => crate::frame::read_parquet(&path),
        },
        _ => Err(at(
            name.span(),
            format!("unknown table function {name}; read_csv and read_parquet are known, or name a file: FROM 'data.arrow'"),
        )),
    }
}

fn option_string(e: &ast::Expr, what: &str) -> Result<String> {
    match e {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::SingleQuotedString(s) | ast::Value::EscapedStringLiteral(s) => {
                Ok(s.clone())
            }
            _ => Err(at(e.span(), format!("{what} is a string"))),
        },
        _ => Err(at(e.span(), format!("{what} is a string"))),
    }
}

fn option_byte(e: &ast::Expr, what: &str) -> Result<u8> {
    let s = option_string(e, what)?;
    crate::storage::csv::parse_byte(&s).ok_or_else(|| {
        at(
            e.span(),
            format!("{what} is one ASCII character, not {s:?}"),
        )
    })
}

fn option_bool(e: &ast::Expr, what: &str) -> Result<bool> {
    match e {
        ast::Expr::Value(v) => match v.value {
            ast::Value::Boolean(b) => Ok(b),
            _ => Err(at(e.span(), format!("{what} is true or false"))),
        },
        _ => Err(at(e.span(), format!("{what} is true or false"))),
    }
}

fn count_value(e: &ast::Expr, what: &str) -> Result<usize> {
    match e {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::Number(n, _) => n.parse::<usize>().map_err(|_| {
                at(
                    e.span(),
                    format!("{what} must be a non-negative integer that fits in 64 bits, got {n}"),
                )
            }),
            _ => Err(at(e.span(), format!("{what} must be a number"))),
        },
        ast::Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } if matches!(**expr, ast::Expr::Value(_)) => Err(at(
            e.span(),
            format!("{what} must be a non-negative integer, got {e}"),
        )),
        _ => Err(at(e.span(), format!("{what} must be a constant number"))),
    }
}

/// A column visible to expressions: the table names that qualify it, the name SQL
/// uses, and its name in the plan (they differ after a join renames a clash).
#[derive(Debug, Clone)]
struct ScopeColumn {
    qualifiers: Vec<String>,
    name: String,
    internal: String,
    /// The right key of a USING or NATURAL join: left out of `*` and of unqualified
    /// names, which mean the left key.
    merged: bool,
}

/// Names visible to expressions: the FROM clause's columns, then the select list's
/// aliases (for GROUP BY, HAVING and ORDER BY).
struct Scope {
    columns: Vec<ScopeColumn>,
    aliases: Vec<(String, Expr)>,
}

impl Scope {
    fn of(schema: &arrow_schema::Schema, qualifiers: Vec<String>) -> Scope {
        Scope {
            columns: schema
                .fields()
                .iter()
                .map(|f| ScopeColumn {
                    qualifiers: qualifiers.clone(),
                    name: f.name().clone(),
                    internal: f.name().clone(),
                    merged: false,
                })
                .collect(),
            aliases: Vec::new(),
        }
    }

    /// The scope with the columns renamed by a table alias's column list
    /// (`AS t(x, y)`: the first columns, in order).
    fn aliased(mut self, alias: Option<&ast::TableAlias>) -> Result<Scope> {
        let Some(alias) = alias else {
            return Ok(self);
        };
        if alias.columns.len() > self.columns.len() {
            return Err(at(
                alias.name.span,
                format!(
                    "table {} has {} columns but {} column names were given",
                    alias.name.value,
                    self.columns.len(),
                    alias.columns.len()
                ),
            ));
        }
        for (c, name) in self.columns.iter_mut().zip(&alias.columns) {
            if name.data_type.is_some() {
                return Err(unsupported(name.name.span, "a type in a column alias"));
            }
            c.name = name.name.value.clone();
        }
        Ok(self)
    }

    /// The items of `*` or `t.*` (`qualifier`), with DuckDB's `EXCLUDE (a, b)`,
    /// `REPLACE (expr AS a)` and `RENAME (a AS b)`; any other modifier is an error, never
    /// ignored.
    fn wildcard(
        &self,
        qualifier: Option<&str>,
        options: &ast::WildcardAdditionalOptions,
        span: sqlparser::tokenizer::Span,
    ) -> Result<Vec<(String, Expr)>> {
        if options.opt_ilike.is_some() || options.opt_alias.is_some() {
            return Err(unsupported(span, "this modifier of *"));
        }
        let mut items: Vec<(String, Expr)> = self
            .columns
            .iter()
            .filter(|c| match qualifier {
                None => !c.merged,
                Some(q) => c.qualifiers.iter().any(|t| t.eq_ignore_ascii_case(q)),
            })
            .map(|c| (c.name.clone(), col(c.internal.clone())))
            .collect();
        if let (Some(q), true) = (qualifier, items.is_empty()) {
            return Err(at(span, format!("unknown table {q:?} in {q}.*")));
        }
        let find = |items: &[(String, Expr)], name: &ast::Ident, what: &str| {
            items
                .iter()
                .position(|(n, _)| n == &name.value)
                .or_else(|| {
                    items
                        .iter()
                        .position(|(n, _)| n.eq_ignore_ascii_case(&name.value))
                })
                .ok_or_else(|| {
                    at(
                        name.span,
                        format!(
                            "column {:?} in the {what} list is not among the columns of *",
                            name.value
                        ),
                    )
                })
        };
        // EXCLUDE (DuckDB) and EXCEPT (its other spelling) drop columns.
        let mut excluded: Vec<&ast::Ident> = Vec::new();
        let names: Vec<&ast::ObjectName> = match &options.opt_exclude {
            None => Vec::new(),
            Some(ast::ExcludeSelectItem::Single(n)) => vec![n],
            Some(ast::ExcludeSelectItem::Multiple(v)) => v.iter().collect(),
        };
        for name in names {
            match &name.0[..] {
                [ast::ObjectNamePart::Identifier(id)] => excluded.push(id),
                _ => {
                    return Err(at(
                        name.span(),
                        format!("EXCLUDE takes column names, not {name}"),
                    ))
                }
            }
        }
        if let Some(except) = &options.opt_except {
            excluded.push(&except.first_element);
            excluded.extend(&except.additional_elements);
        }
        for id in excluded {
            let i = find(&items, id, "EXCLUDE")?;
            items.remove(i);
        }
        if let Some(replace) = &options.opt_replace {
            for r in &replace.items {
                let i = find(&items, &r.column_name, "REPLACE")?;
                items[i].1 = self.expr(&r.expr)?;
            }
        }
        if let Some(rename) = &options.opt_rename {
            let pairs: Vec<&ast::IdentWithAlias> = match rename {
                ast::RenameSelectItem::Single(p) => vec![p],
                ast::RenameSelectItem::Multiple(v) => v.iter().collect(),
            };
            for p in pairs {
                let i = find(&items, &p.ident, "RENAME")?;
                items[i].0 = p.alias.value.clone();
            }
        }
        Ok(items)
    }

    /// The columns `*` and unqualified names see.
    fn visible(&self) -> impl Iterator<Item = &ScopeColumn> + Clone {
        self.columns.iter().filter(|c| !c.merged)
    }

    /// The index of the visible column `name` (exact, else ignoring case).
    fn position(&self, name: &str) -> Option<usize> {
        let visible = |i: &usize| !self.columns[*i].merged;
        (0..self.columns.len())
            .filter(visible)
            .find(|&i| self.columns[i].name == name)
            .or_else(|| {
                (0..self.columns.len())
                    .filter(visible)
                    .find(|&i| self.columns[i].name.eq_ignore_ascii_case(name))
            })
    }

    /// The column `qualifier.name` (or `name`): exact case first, then ignoring case.
    fn resolve(
        &self,
        qualifier: Option<&str>,
        name: &str,
        span: sqlparser::tokenizer::Span,
    ) -> Result<Expr> {
        let qualified = |c: &&ScopeColumn| match qualifier {
            None => !c.merged,
            Some(q) => c.qualifiers.iter().any(|t| t.eq_ignore_ascii_case(q)),
        };
        let mut hits: Vec<&ScopeColumn> = self
            .columns
            .iter()
            .filter(qualified)
            .filter(|c| c.name == name)
            .collect();
        if hits.is_empty() {
            hits = self
                .columns
                .iter()
                .filter(qualified)
                .filter(|c| c.name.eq_ignore_ascii_case(name))
                .collect();
        }
        match hits[..] {
            [c] => Ok(col(c.internal.clone())),
            [] => {
                if qualifier.is_none() {
                    if let Some((_, e)) = self
                        .aliases
                        .iter()
                        .find(|(a, _)| a.eq_ignore_ascii_case(name))
                    {
                        return Ok(e.clone());
                    }
                }
                if let Some(q) = qualifier {
                    if !self
                        .columns
                        .iter()
                        .any(|c| c.qualifiers.iter().any(|t| t.eq_ignore_ascii_case(q)))
                    {
                        return Err(at(span, format!("unknown table {q:?} in {q}.{name}")));
                    }
                }
                Err(at(
                    span,
                    Error::ColumnNotFound {
                        name: name.to_string(),
                        available: self.columns.iter().map(|c| c.name.clone()).collect(),
                    }
                    .to_string(),
                ))
            }
            _ => {
                let options: Vec<String> = hits
                    .iter()
                    .map(|c| {
                        let q = c.qualifiers.last().map_or("?", String::as_str);
                        format!("{q}.{}", c.name)
                    })
                    .collect();
                Err(at(
                    span,
                    format!(
                        "column reference {name:?} is ambiguous; qualify it: {}",
                        options.join(" or ")
                    ),
                ))
            }
        }
    }

    fn expr(&self, e: &ast::Expr) -> Result<Expr> {
        use ast::Expr as E;
        Ok(match e {
            E::Identifier(id) => self.resolve(None, &id.value, e.span())?,
            E::CompoundIdentifier(parts) => match &parts[..] {
                [table, column] => self.resolve(Some(&table.value), &column.value, e.span())?,
                _ => return Err(at(e.span(), format!("unknown table in {e}"))),
            },
            E::Case {
                operand,
                conditions,
                else_result,
                ..
            } => {
                let operand = operand.as_deref().map(|o| self.expr(o)).transpose()?;
                let mut branches = Vec::with_capacity(conditions.len());
                for w in conditions {
                    let c = self.expr(&w.condition)?;
                    let c = match &operand {
                        Some(o) => o.clone().eq(c),
                        None => c,
                    };
                    branches.push((c, self.expr(&w.result)?));
                }
                Expr::Case {
                    branches,
                    otherwise: else_result
                        .as_deref()
                        .map(|e| self.expr(e).map(Box::new))
                        .transpose()?,
                }
            }
            E::Cast {
                kind,
                expr,
                data_type,
                format: None,
            } => {
                let strict = match kind {
                    ast::CastKind::Cast | ast::CastKind::DoubleColon => true,
                    ast::CastKind::TryCast | ast::CastKind::SafeCast => false,
                };
                let to = sql_type(data_type)
                    .ok_or_else(|| unsupported(e.span(), &format!("the type {data_type}")))?;
                Expr::Cast {
                    expr: Box::new(self.expr(expr)?),
                    to,
                    strict,
                }
            }
            // `DATE '2026-01-31'`: the string cast to the type, checked at plan time.
            E::TypedString(ts) => {
                let to = sql_type(&ts.data_type)
                    .ok_or_else(|| unsupported(e.span(), &format!("the type {}", ts.data_type)))?;
                let value = literal(&ts.value.value)
                    .ok_or_else(|| unsupported(e.span(), &format!("the literal {e}")))?;
                Expr::Cast {
                    expr: Box::new(Expr::Literal(value)),
                    to,
                    strict: true,
                }
            }
            E::In {
                expr,
                target: ast::InTarget::List(list),
                negated,
                ..
            } => {
                let x = self.expr(expr)?;
                let mut any: Option<Expr> = None;
                for item in list {
                    let eq = x.clone().eq(self.expr(item)?);
                    any = Some(match any {
                        Some(a) => a.or(eq),
                        None => eq,
                    });
                }
                let any = any.ok_or_else(|| at(e.span(), "IN needs at least one value"))?;
                if *negated {
                    !any
                } else {
                    any
                }
            }
            E::Between {
                expr,
                negated,
                low,
                high,
            } => {
                let x = self.expr(expr)?;
                let within = x
                    .clone()
                    .gt_eq(self.expr(low)?)
                    .and(x.lt_eq(self.expr(high)?));
                if *negated {
                    !within
                } else {
                    within
                }
            }
            E::Value(v) => Expr::Literal(
                literal(&v.value)
                    .ok_or_else(|| unsupported(e.span(), &format!("the literal {v}")))?,
            ),
            E::Nested(inner) => self.expr(inner)?,
            E::IsNull(inner) => self.expr(inner)?.is_null(),
            E::IsNotNull(inner) => self.expr(inner)?.is_not_null(),
            // `-9223372036854775808` is i64::MIN, though its digits alone overflow.
            E::UnaryOp {
                op: UnaryOperator::Minus,
                expr,
            } if matches!(&**expr, E::Value(v) if matches!(&v.value, ast::Value::Number(n, _)
                    if format!("-{n}").parse::<i64>().is_ok() && n.parse::<i64>().is_err())) =>
            {
                Expr::Literal(Literal::Int64(i64::MIN))
            }
            E::UnaryOp { op, expr } => {
                let inner = self.expr(expr)?;
                match op {
                    UnaryOperator::Not => !inner,
                    UnaryOperator::Minus => match inner {
                        Expr::Literal(Literal::Int64(v)) => match v.checked_neg() {
                            Some(n) => Expr::Literal(Literal::Int64(n)),
                            None => {
                                return Err(at(e.span(), format!("integer overflow in -({v})")))
                            }
                        },
                        Expr::Literal(Literal::Float64(v)) => Expr::Literal(Literal::Float64(-v)),
                        other => -other,
                    },
                    UnaryOperator::Plus => inner,
                    other => return Err(unsupported(e.span(), &format!("the operator {other}"))),
                }
            }
            E::BinaryOp { left, op, right } => {
                let op = match op {
                    BinaryOperator::Eq => BinaryOp::Eq,
                    BinaryOperator::NotEq => BinaryOp::NotEq,
                    BinaryOperator::Lt => BinaryOp::Lt,
                    BinaryOperator::LtEq => BinaryOp::LtEq,
                    BinaryOperator::Gt => BinaryOp::Gt,
                    BinaryOperator::GtEq => BinaryOp::GtEq,
                    BinaryOperator::And => BinaryOp::And,
                    BinaryOperator::Or => BinaryOp::Or,
                    BinaryOperator::Plus => BinaryOp::Add,
                    BinaryOperator::Minus => BinaryOp::Sub,
                    BinaryOperator::Multiply => BinaryOp::Mul,
                    BinaryOperator::Divide => BinaryOp::Div,
                    BinaryOperator::Modulo => BinaryOp::Mod,
                    BinaryOperator::StringConcat => {
                        // `a || b || c`: one concatenation, null when any part is null.
                        let mut exprs = Vec::new();
                        for side in [left, right] {
                            match self.expr(side)? {
                                Expr::Cat {
                                    exprs: inner,
                                    sep,
                                    na_rep: None,
                                } if sep.is_empty() => exprs.extend(inner),
                                other => exprs.push(other),
                            }
                        }
                        return Ok(Expr::Cat {
                            exprs,
                            sep: String::new(),
                            na_rep: None,
                        });
                    }
                    other => return Err(unsupported(e.span(), &format!("the operator {other}"))),
                };
                Expr::Binary {
                    left: Box::new(self.expr(left)?),
                    op,
                    right: Box::new(self.expr(right)?),
                }
            }
            E::Like {
                negated,
                any: false,
                expr,
                pattern,
                escape_char,
            } => self.like(expr, pattern, escape_char.as_deref(), false, *negated)?,
            E::ILike {
                negated,
                any: false,
                expr,
                pattern,
                escape_char,
            } => self.like(expr, pattern, escape_char.as_deref(), true, *negated)?,
            E::Function(f) => self.function(f)?,
            E::Array(array) => {
                let items = array
                    .elem
                    .iter()
                    .map(|item| match self.expr(item)? {
                        Expr::Literal(Literal::Utf8(s)) => Ok(s),
                        _ => Err(unsupported(
                            item.span(),
                            "a list item other than a string constant",
                        )),
                    })
                    .collect::<Result<Vec<_>>>()?;
                Expr::Literal(Literal::StrList(items))
            }
            E::Substring {
                expr,
                substring_from,
                substring_for,
                ..
            } => {
                let mut args = vec![Arg {
                    name: None,
                    value: self.expr(expr)?,
                }];
                // SUBSTRING(s FOR n) starts at 1.
                let from = match substring_from {
                    Some(e) => self.expr(e)?,
                    None => lit(1),
                };
                args.push(Arg {
                    name: None,
                    value: from,
                });
                if let Some(e) = substring_for {
                    args.push(Arg {
                        name: None,
                        value: self.expr(e)?,
                    });
                }
                call("substring", args).map_err(|err| match err {
                    Error::InvalidArgument { context, message } => {
                        at(e.span(), format!("{context}: {message}"))
                    }
                    other => other,
                })?
            }
            E::Position { expr, r#in } => call(
                "strpos",
                vec![
                    Arg {
                        name: None,
                        value: self.expr(r#in)?,
                    },
                    Arg {
                        name: None,
                        value: self.expr(expr)?,
                    },
                ],
            )?,
            other => {
                return Err(unsupported(
                    other.span(),
                    &format!("the expression {other}"),
                ))
            }
        })
    }

    fn like(
        &self,
        expr: &ast::Expr,
        pattern: &ast::Expr,
        escape: Option<&ast::Expr>,
        caseless: bool,
        negated: bool,
    ) -> Result<Expr> {
        let constant = |e: &ast::Expr, what: &str| -> Result<String> {
            match self.expr(e)? {
                Expr::Literal(Literal::Utf8(s)) => Ok(s),
                _ => Err(at(
                    e.span(),
                    format!("the {what} of LIKE must be a constant string"),
                )),
            }
        };
        let pattern = constant(pattern, "pattern")?;
        let escape = match escape {
            None => None,
            Some(e) => {
                let s = constant(e, "ESCAPE character")?;
                let mut chars = s.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => Some(c),
                    (None, _) => None,
                    _ => return Err(at(e.span(), "ESCAPE takes a single character")),
                }
            }
        };
        Ok(Expr::Like {
            expr: Box::new(self.expr(expr)?),
            pattern,
            escape,
            caseless,
            negated,
        })
    }

    fn function(&self, f: &ast::Function) -> Result<Expr> {
        let name = object_name(&f.name);
        if f.filter.is_some()
            || f.over.is_some()
            || !f.within_group.is_empty()
            || !matches!(f.parameters, FunctionArguments::None)
        {
            return Err(unsupported(
                f.span(),
                &format!("{name} with FILTER, OVER or WITHIN GROUP"),
            ));
        }
        let (list, distinct) = match &f.args {
            FunctionArguments::List(list) if list.clauses.is_empty() => (
                &list.args[..],
                matches!(
                    list.duplicate_treatment,
                    Some(ast::DuplicateTreatment::Distinct)
                ),
            ),
            FunctionArguments::None => (&[][..], false),
            _ => return Err(unsupported(f.span(), &format!("these arguments of {name}"))),
        };
        let lower = name.to_ascii_lowercase();
        if let Some(func) = aggregate_function(&lower, distinct) {
            return self.aggregate(f, func, list, distinct);
        }
        if distinct {
            return Err(at(
                f.span(),
                format!("{name} is not an aggregate; DISTINCT does not apply"),
            ));
        }
        let mut args = Vec::with_capacity(list.len());
        for a in list {
            let (arg_name, value) = match a {
                FunctionArg::Unnamed(v) => (None, v),
                FunctionArg::Named { name, arg, .. } => (Some(name.value.clone()), arg),
                FunctionArg::ExprNamed {
                    name: ast::Expr::Identifier(id),
                    arg,
                    ..
                } => (Some(id.value.clone()), arg),
                other => return Err(unsupported(other.span(), "this argument form")),
            };
            let FunctionArgExpr::Expr(value) = value else {
                return Err(unsupported(
                    f.span(),
                    &format!("* as an argument of {name}"),
                ));
            };
            args.push(Arg {
                name: arg_name,
                value: self.expr(value)?,
            });
        }
        if matches!(lower.as_str(), "coalesce" | "ifnull") {
            if args.iter().any(|a| a.name.is_some()) || args.is_empty() {
                return Err(at(
                    f.span(),
                    format!("{name} takes one or more unnamed arguments"),
                ));
            }
            return Ok(Expr::Coalesce(args.into_iter().map(|a| a.value).collect()));
        }
        call(&name, args).map_err(|e| match e {
            Error::InvalidArgument { context, message } => {
                at(f.span(), format!("{context}: {message}"))
            }
            Error::UnknownFunction { name } => {
                at(f.name.span(), Error::UnknownFunction { name }.to_string())
            }
            other => other,
        })
    }
}

impl Scope {
    /// An aggregate call: `count(*)`, `count(DISTINCT x)`, `sum(x)`, ...
    fn aggregate(
        &self,
        f: &ast::Function,
        func: AggFunc,
        list: &[FunctionArg],
        distinct: bool,
    ) -> Result<Expr> {
        let name = object_name(&f.name);
        let input = match list {
            [FunctionArg::Unnamed(FunctionArgExpr::Wildcard)]
                if func == AggFunc::Count && !distinct =>
            {
                return Ok(crate::expr::len())
            }
            [FunctionArg::Unnamed(FunctionArgExpr::Expr(e))] => self.expr(e)?,
            [] if func == AggFunc::Len => return Ok(crate::expr::len()),
            _ => {
                return Err(at(
                    f.span(),
                    format!("{name} takes one argument (count also takes *)"),
                ))
            }
        };
        if input.has_agg() {
            return Err(at(f.span(), format!("{name} cannot take an aggregate")));
        }
        Ok(Expr::Agg {
            func,
            input: Some(Box::new(input)),
        })
    }
}

/// The aggregate a SQL function name stands for (DuckDB's names and aliases).
fn aggregate_function(name: &str, distinct: bool) -> Option<AggFunc> {
    Some(match name {
        "count" if distinct => AggFunc::CountDistinct,
        "count" => AggFunc::Count,
        "count_star" => AggFunc::Len,
        "approx_count_distinct" => AggFunc::CountDistinct,
        "sum" => AggFunc::Sum,
        "avg" | "mean" => AggFunc::Mean,
        "min" => AggFunc::Min,
        "max" => AggFunc::Max,
        "stddev" | "stddev_samp" => AggFunc::Std,
        "variance" | "var_samp" => AggFunc::Var,
        "first" => AggFunc::First,
        "last" => AggFunc::Last,
        _ => return None,
    })
}

/// The Arrow type of a SQL type name, as DuckDB maps them.
fn sql_type(t: &ast::DataType) -> Option<DataType> {
    use ast::DataType as T;
    Some(match t {
        T::Varchar(_) | T::Text | T::String(_) | T::Char(_) => DataType::Utf8,
        T::TinyInt(_) => DataType::Int8,
        T::SmallInt(_) => DataType::Int16,
        T::Int(_) | T::Integer(_) | T::Int4(_) | T::Int32 => DataType::Int32,
        T::BigInt(_) | T::Int8(_) | T::Int64 => DataType::Int64,
        T::UBigInt => DataType::UInt64,
        T::Real | T::Float4 => DataType::Float32,
        T::Double(_) | T::DoublePrecision | T::Float8 | T::Float64 => DataType::Float64,
        T::Float(_) => DataType::Float32,
        T::Boolean | T::Bool => DataType::Boolean,
        T::Date => DataType::Date32,
        T::Custom(name, _) => match name.to_string().to_ascii_lowercase().as_str() {
            "utf8" | "str" => DataType::Utf8,
            "long" => DataType::Int64,
            "short" => DataType::Int16,
            "logical" => DataType::Boolean,
            _ => return None,
        },
        _ => return None,
    })
}

fn literal(v: &ast::Value) -> Option<Literal> {
    Some(match v {
        ast::Value::Number(n, _) => match n.parse::<i64>() {
            Ok(i) => Literal::Int64(i),
            Err(_) => Literal::Float64(n.parse().ok()?),
        },
        ast::Value::SingleQuotedString(s) | ast::Value::EscapedStringLiteral(s) => {
            Literal::Utf8(s.clone())
        }
        ast::Value::Boolean(b) => Literal::Boolean(*b),
        ast::Value::Null => Literal::Null,
        _ => return None,
    })
}
