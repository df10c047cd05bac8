//! Binding: a parsed query into a [`LogicalPlan`]. Names resolve to columns here, once
//! (through [`Scope`]), so no optimizer rule sees an unresolved or hidden name: FROM and
//! its joins, WHERE, the select list (with `*` and its modifiers), GROUP BY, HAVING,
//! ORDER BY, DISTINCT, LIMIT, set operations and WITH.

use std::cell::RefCell;

use arrow_schema::DataType;
use sqlparser::ast::{
    self, BinaryOperator, GroupByExpr, SelectItem, SetExpr, Spanned, TableFactor,
};
use sqlparser::tokenizer::Span;

use super::scope::{Scope, ScopeColumn};
use super::table_functions::{count_value, table_function};
use super::{at, unsupported, Session};
use crate::error::{Error, Result};
use crate::exec::join::{JoinSpec, Side};
use crate::expr::{col, Expr};
use crate::frame::{DataFrame, JoinType, SortOptions};
use crate::plan::LogicalPlan;

/// Binds the queries of one statement: the session's tables, and the common table
/// expressions (`WITH`) in scope.
pub(super) struct Binder<'a> {
    session: &'a Session,
    /// Named queries of the enclosing `WITH` clauses, innermost last.
    ctes: RefCell<Vec<(String, LogicalPlan)>>,
}

impl<'a> Binder<'a> {
    pub(super) fn new(session: &'a Session) -> Binder<'a> {
        Binder {
            session,
            ctes: RefCell::new(Vec::new()),
        }
    }

    pub(super) fn plan_query(&self, query: &ast::Query) -> Result<LogicalPlan> {
        // WITH's queries are visible to the body and to the queries after them, and to
        // nothing outside this query.
        let outer = self.ctes.borrow().len();
        let planned = self
            .with(query.with.as_ref())
            .and_then(|()| self.query_body(query));
        self.ctes.borrow_mut().truncate(outer);
        planned
    }

    /// `WITH a AS (...), b(x, y) AS (...)`: each query bound in turn, under its name.
    fn with(&self, with: Option<&ast::With>) -> Result<()> {
        let Some(with) = with else {
            return Ok(());
        };
        if with.recursive {
            return Err(unsupported(with.span(), "WITH RECURSIVE"));
        }
        for cte in &with.cte_tables {
            if cte.from.is_some() {
                return Err(unsupported(cte.alias.name.span, "WITH ... FROM"));
            }
            let plan = self.plan_query(&cte.query)?;
            let plan = if cte.alias.columns.is_empty() {
                plan
            } else {
                let scope =
                    Scope::of(plan.schema()?.as_ref(), Vec::new()).aliased(Some(&cte.alias))?;
                let exprs = scope
                    .columns
                    .iter()
                    .map(|c| match c.internal == c.name {
                        true => col(c.internal.clone()),
                        false => col(c.internal.clone()).alias(c.name.clone()),
                    })
                    .collect();
                plan.project(exprs)
            };
            self.ctes
                .borrow_mut()
                .push((cte.alias.name.value.clone(), plan));
        }
        Ok(())
    }

    /// The query named `name` by an enclosing WITH, innermost first.
    fn cte(&self, name: &str) -> Option<LogicalPlan> {
        let ctes = self.ctes.borrow();
        ctes.iter()
            .rev()
            .find(|(n, _)| n == name)
            .or_else(|| {
                ctes.iter()
                    .rev()
                    .find(|(n, _)| n.eq_ignore_ascii_case(name))
            })
            .map(|(_, p)| p.clone())
    }

    fn query_body(&self, query: &ast::Query) -> Result<LogicalPlan> {
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
        // ORDER BY ALL (DuckDB): every output column, left to right.
        let (order_by, order_all): (&[ast::OrderByExpr], _) = match &query.order_by {
            None => (&[], None),
            Some(ast::OrderBy {
                kind: ast::OrderByKind::Expressions(e),
                interpolate: None,
            }) => (e, None),
            Some(ast::OrderBy {
                kind: ast::OrderByKind::All(options),
                interpolate: None,
            }) => (&[], Some(options)),
            Some(other) => return Err(unsupported(other.span(), "this ORDER BY")),
        };
        let mut lazy = match query.body.as_ref() {
            SetExpr::Select(select) => self.plan_select(select, order_by)?,
            other => {
                let plan = self.set_expr(other)?;
                if order_by.is_empty() {
                    plan
                } else {
                    order_output(plan, order_by)?
                }
            }
        };
        if let Some(options) = order_all {
            let options = sort_options(options, query.span())?;
            let by = crate::plan::all_columns(lazy.schema()?.as_ref())
                .into_iter()
                .map(|c| (c, options))
                .collect();
            lazy = lazy.sort(by);
        }
        if limit.is_some() || offset > 0 {
            lazy = lazy.limit(offset, limit);
        }
        Ok(lazy)
    }

    /// A query body: a SELECT, a query in parentheses, a set operation, or VALUES.
    fn set_expr(&self, body: &SetExpr) -> Result<LogicalPlan> {
        match body {
            SetExpr::Select(select) => self.plan_select(select, &[]),
            SetExpr::Query(inner) => self.plan_query(inner),
            SetExpr::SetOperation {
                left,
                op,
                set_quantifier,
                right,
            } => {
                let (l, r) = (self.set_expr(left)?, self.set_expr(right)?);
                set_operation(l, *op, *set_quantifier, r, body.span())
            }
            SetExpr::Values(values) => values_plan(values, body.span()),
            other => Err(unsupported(other.span(), "this kind of query")),
        }
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
                if let Some(plan) = self.cte(&path) {
                    let qualifiers = vec![alias.as_ref().map_or(path, |a| a.name.value.clone())];
                    let scope =
                        Scope::of(plan.schema()?.as_ref(), qualifiers).aliased(alias.as_ref())?;
                    return Ok((plan, scope));
                }
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
                let frame = self.session.table(&path)?;
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
            [] => (
                one_row()?,
                Scope::of(&arrow_schema::Schema::empty(), Vec::new()),
            ),
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
            let options = sort_options(&term.options, term.span())?;
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

/// An ORDER BY term's direction and null placement; DuckDB's default puts nulls last in
/// both directions.
fn sort_options(options: &ast::OrderByOptions, span: Span) -> Result<SortOptions> {
    let descending = match options.sort {
        None | Some(ast::OrderBySort::Asc) => false,
        Some(ast::OrderBySort::Desc) => true,
        Some(_) => return Err(unsupported(span, "ORDER BY ... USING")),
    };
    Ok(SortOptions {
        descending,
        nulls_last: !options.nulls_first.unwrap_or(false),
    })
}

/// A set operation's output sorted by ORDER BY terms over its output columns (names,
/// positions or expressions of them).
fn order_output(plan: LogicalPlan, order_by: &[ast::OrderByExpr]) -> Result<LogicalPlan> {
    let schema = plan.schema()?;
    let scope = Scope::of(&schema, Vec::new());
    let mut by = Vec::with_capacity(order_by.len());
    for term in order_by {
        let key = match ordinal(&term.expr, schema.fields().len())? {
            Some(i) => col(schema.field(i).name().clone()),
            None => scope.expr(&term.expr)?,
        };
        by.push((key, sort_options(&term.options, term.span())?));
    }
    Ok(plan.sort(by))
}

/// The type two sides' column is brought to in a set operation (as DuckDB casts: numbers
/// widen, strings of any layout meet as strings, NULL takes the other's type).
fn common_type(a: &DataType, b: &DataType) -> Option<DataType> {
    use crate::expr::physical::is_string;
    let value = |t: &DataType| match t {
        DataType::Dictionary(_, v) => v.as_ref().clone(),
        t => t.clone(),
    };
    Some(match (a, b) {
        _ if a == b => a.clone(),
        (DataType::Null, t) | (t, DataType::Null) => t.clone(),
        _ if a.is_integer() && b.is_integer() => DataType::Int64,
        _ if a.is_numeric() && b.is_numeric() => DataType::Float64,
        _ if is_string(a) && is_string(b) => {
            if [value(a), value(b)].contains(&DataType::LargeUtf8) {
                DataType::LargeUtf8
            } else {
                DataType::Utf8
            }
        }
        _ => return None,
    })
}

/// `plan`'s columns cast to `types` and named `names`, by a projection when anything
/// changes.
fn conform(plan: LogicalPlan, names: &[String], types: &[DataType]) -> Result<LogicalPlan> {
    let schema = plan.schema()?;
    let same = schema
        .fields()
        .iter()
        .zip(names.iter().zip(types))
        .all(|(f, (n, t))| f.name() == n && f.data_type() == t);
    if same {
        return Ok(plan);
    }
    let exprs = schema
        .fields()
        .iter()
        .zip(names.iter().zip(types))
        .map(|(f, (n, t))| {
            let c = col(f.name().clone());
            let c = if f.data_type() == t {
                c
            } else {
                Expr::Cast {
                    expr: Box::new(c),
                    to: t.clone(),
                    strict: true,
                }
            };
            if f.name() == n && matches!(c, Expr::Column(_)) {
                c
            } else {
                c.alias(n.clone())
            }
        })
        .collect();
    Ok(plan.project(exprs))
}

/// The inputs of a set operation with one type per column, under the first's names.
fn conform_all(inputs: Vec<LogicalPlan>, span: Span) -> Result<Vec<LogicalPlan>> {
    let schemas = inputs
        .iter()
        .map(LogicalPlan::schema)
        .collect::<Result<Vec<_>>>()?;
    let first = &schemas[0];
    let names: Vec<String> = first.fields().iter().map(|f| f.name().clone()).collect();
    let mut types: Vec<DataType> = first
        .fields()
        .iter()
        .map(|f| f.data_type().clone())
        .collect();
    for schema in &schemas[1..] {
        if schema.fields().len() != names.len() {
            return Err(at(
                span,
                format!(
                    "set operation: one side has {} columns, the other {}",
                    names.len(),
                    schema.fields().len()
                ),
            ));
        }
        for (i, f) in schema.fields().iter().enumerate() {
            types[i] = common_type(&types[i], f.data_type()).ok_or_else(|| {
                at(
                    span,
                    format!(
                        "set operation: column {} is {} on one side and {} on the other",
                        i + 1,
                        types[i],
                        f.data_type()
                    ),
                )
            })?;
        }
    }
    inputs
        .into_iter()
        .map(|p| conform(p, &names, &types))
        .collect()
}

/// `UNION [ALL]`, `INTERSECT`, `EXCEPT`. INTERSECT and EXCEPT are set operations (each
/// row once, NULLs equal), planned as a grouping of both sides' rows, tagged by side.
fn set_operation(
    left: LogicalPlan,
    op: ast::SetOperator,
    quantifier: ast::SetQuantifier,
    right: LogicalPlan,
    span: Span,
) -> Result<LogicalPlan> {
    use ast::{SetOperator as Op, SetQuantifier as Q};
    let all = match quantifier {
        Q::All => true,
        Q::Distinct | Q::None => false,
        other => return Err(unsupported(span, &format!("{op} {other}"))),
    };
    let inputs = conform_all(vec![left, right], span)?;
    let union = LogicalPlan::Union { inputs };
    match (op, all) {
        (Op::Union, true) => Ok(union),
        (Op::Union, false) => Ok(union.distinct()),
        (Op::Intersect | Op::Except, false) => {
            let LogicalPlan::Union { inputs } = union else {
                unreachable!("built above")
            };
            let schema = inputs[0].schema()?;
            let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
            let fresh = |base: &str| {
                std::iter::once(base.to_string())
                    .chain((1..).map(|i| format!("{base}_{i}")))
                    .find(|n| !names.iter().any(|m| m.eq_ignore_ascii_case(n)))
                    .expect("some suffix is free")
            };
            let (side, first, last) = (fresh("side"), fresh("first_side"), fresh("last_side"));
            let tagged: Vec<LogicalPlan> = inputs
                .into_iter()
                .zip([1, 2])
                .map(|(p, tag)| {
                    let mut exprs = crate::plan::all_columns(&schema);
                    exprs.push(crate::expr::lit(tag).alias(side.clone()));
                    p.project(exprs)
                })
                .collect();
            let keys = crate::plan::all_columns(&schema);
            let grouped = LogicalPlan::Aggregate {
                input: Box::new(LogicalPlan::Union { inputs: tagged }),
                keys: keys.clone(),
                aggs: vec![
                    col(side.clone()).min().alias(first.clone()),
                    col(side.clone()).max().alias(last.clone()),
                ],
            };
            let keep = match op {
                // In both: the smallest tag is the left's, the largest the right's.
                Op::Intersect => col(first)
                    .eq(crate::expr::lit(1))
                    .and(col(last).eq(crate::expr::lit(2))),
                // Only in the left.
                _ => col(last).eq(crate::expr::lit(1)),
            };
            Ok(grouped.filter(keep).project(keys))
        }
        (op, _) => Err(unsupported(span, &format!("{op} ALL"))),
    }
}

/// `VALUES (1, 'a'), (2, 'b')`: one row of constants each, columns `col0`, `col1`, ...
/// (as DuckDB names them), one type per column.
fn values_plan(values: &ast::Values, span: Span) -> Result<LogicalPlan> {
    let empty = Scope::of(&arrow_schema::Schema::empty(), Vec::new());
    let one_row = one_row()?;
    let mut rows = Vec::with_capacity(values.rows.len());
    for row in &values.rows {
        let exprs = row
            .iter()
            .enumerate()
            .map(|(i, e)| Ok(empty.expr(e)?.alias(format!("col{i}"))))
            .collect::<Result<Vec<_>>>()?;
        rows.push(one_row.clone().project(exprs));
    }
    if rows.is_empty() {
        return Err(at(span, "VALUES needs at least one row"));
    }
    Ok(LogicalPlan::Union {
        inputs: conform_all(rows, span)?,
    })
}

/// One row and no columns: `SELECT 1 + 1` reads this, as DuckDB's does.
pub(super) fn one_row() -> Result<LogicalPlan> {
    let schema = std::sync::Arc::new(arrow_schema::Schema::empty());
    let row = arrow_array::RecordBatch::try_new_with_options(
        schema.clone(),
        Vec::new(),
        &arrow_array::RecordBatchOptions::new().with_row_count(Some(1)),
    )
    .map_err(|e| Error::arrow("one empty row", e))?;
    Ok(DataFrame::from_batches(schema, vec![row])?
        .lazy()
        .into_plan())
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
