//! Names in expressions: the columns a FROM clause makes visible (with the tables that
//! qualify them, and the names they have in the plan), the select list's aliases, and the
//! binding of SQL expressions and function calls to [`Expr`]s over them.

use arrow_schema::DataType;
use sqlparser::ast::{
    self, BinaryOperator, FunctionArg, FunctionArgExpr, FunctionArguments, Spanned, UnaryOperator,
};

use super::functions::call;
use super::table_functions::object_name;
use super::{at, unsupported};
use crate::error::{Error, Result};
use crate::expr::catalogue::Arg;
use crate::expr::{col, lit, AggFunc, BinaryOp, Expr, Literal};

/// A column visible to expressions: the table names that qualify it, the name SQL
/// uses, and its name in the plan (they differ after a join renames a clash).
#[derive(Debug, Clone)]
pub(super) struct ScopeColumn {
    pub qualifiers: Vec<String>,
    pub name: String,
    pub internal: String,
    /// The right key of a USING or NATURAL join: left out of `*` and of unqualified
    /// names, which mean the left key.
    pub merged: bool,
}

/// Names visible to expressions: the FROM clause's columns, then the select list's
/// aliases (for GROUP BY, HAVING and ORDER BY).
pub(super) struct Scope {
    pub columns: Vec<ScopeColumn>,
    pub aliases: Vec<(String, Expr)>,
}

impl Scope {
    pub(super) fn of(schema: &arrow_schema::Schema, qualifiers: Vec<String>) -> Scope {
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
    pub(super) fn aliased(mut self, alias: Option<&ast::TableAlias>) -> Result<Scope> {
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
    pub(super) fn wildcard(
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

    /// True when `name` qualifies some column (a table or alias in FROM).
    pub(super) fn is_table(&self, name: &str) -> bool {
        self.columns
            .iter()
            .any(|c| c.qualifiers.iter().any(|q| q.eq_ignore_ascii_case(name)))
    }

    /// The columns `*` and unqualified names see.
    pub(super) fn visible(&self) -> impl Iterator<Item = &ScopeColumn> + Clone {
        self.columns.iter().filter(|c| !c.merged)
    }

    /// The index of the visible column `name` (exact, else ignoring case).
    pub(super) fn position(&self, name: &str) -> Option<usize> {
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
    pub(super) fn resolve(
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

    pub(super) fn expr(&self, e: &ast::Expr) -> Result<Expr> {
        use ast::Expr as E;
        Ok(match e {
            E::Identifier(id) => self.resolve(None, &id.value, e.span())?,
            E::CompoundIdentifier(parts) => match &parts[..] {
                // `t.c`, or, when no table is named `t`, a struct column's field `s.f`.
                [table, column]
                    if !self.is_table(&table.value) && self.position(&table.value).is_some() =>
                {
                    Expr::Subscript {
                        expr: Box::new(self.resolve(None, &table.value, e.span())?),
                        key: Literal::Utf8(column.value.clone()),
                    }
                }
                [table, column] => self.resolve(Some(&table.value), &column.value, e.span())?,
                [table, column, field] => Expr::Subscript {
                    expr: Box::new(self.resolve(Some(&table.value), &column.value, e.span())?),
                    key: Literal::Utf8(field.value.clone()),
                },
                _ => return Err(at(e.span(), format!("unknown table in {e}"))),
            },
            E::CompoundFieldAccess { root, access_chain } => {
                let mut out = self.expr(root)?;
                for access in access_chain {
                    let key = match access {
                        ast::AccessExpr::Dot(ast::Expr::Identifier(id)) => {
                            Literal::Utf8(id.value.clone())
                        }
                        ast::AccessExpr::Subscript(ast::Subscript::Index { index }) => {
                            match self.expr(index)? {
                                Expr::Literal(l @ (Literal::Int64(_) | Literal::Utf8(_))) => l,
                                _ => {
                                    return Err(at(
                                        index.span(),
                                        "a subscript is a constant position or field name",
                                    ))
                                }
                            }
                        }
                        _ => return Err(unsupported(e.span(), "this subscript (slices)")),
                    };
                    out = Expr::Subscript {
                        expr: Box::new(out),
                        key,
                    };
                }
                out
            }
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
            E::BinaryOp { left, op, right } if self.string_operator(op) => {
                return self.regex_operator(left, op, right, e.span())
            }
            E::SimilarTo {
                negated,
                expr,
                pattern,
                escape_char: None,
            } => {
                // DuckDB's SIMILAR TO is a full regex match.
                let m = self.call_at(
                    "regexp_full_match",
                    vec![self.expr(expr)?, self.expr(pattern)?],
                    e.span(),
                )?;
                if *negated {
                    !m
                } else {
                    m
                }
            }
            E::Trim {
                trim_where,
                trim_what,
                expr,
                trim_characters,
            } => {
                let function = match trim_where {
                    None | Some(ast::TrimWhereField::Both) => "trim",
                    Some(ast::TrimWhereField::Leading) => "ltrim",
                    Some(ast::TrimWhereField::Trailing) => "rtrim",
                };
                let mut args = vec![self.expr(expr)?];
                match (trim_what, trim_characters.as_deref()) {
                    (Some(what), None) => args.push(self.expr(what)?),
                    (None, Some([chars])) => args.push(self.expr(chars)?),
                    (None, None) => {}
                    _ => return Err(unsupported(e.span(), "this TRIM")),
                }
                self.call_at(function, args, e.span())?
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
        if let Some(e) = self.scalar(&lower, &args, f.span())? {
            return Ok(e);
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
    /// True for DuckDB's regex operators `~`, `~*`, `!~`, `!~*` (regexp_matches). (The
    /// parser's DuckDB dialect does not read `^@` or `GLOB`: they are parse errors.)
    fn string_operator(&self, op: &BinaryOperator) -> bool {
        matches!(
            op,
            BinaryOperator::PGRegexMatch
                | BinaryOperator::PGRegexIMatch
                | BinaryOperator::PGRegexNotMatch
                | BinaryOperator::PGRegexNotIMatch
        )
    }

    fn regex_operator(
        &self,
        left: &ast::Expr,
        op: &BinaryOperator,
        right: &ast::Expr,
        span: sqlparser::tokenizer::Span,
    ) -> Result<Expr> {
        use BinaryOperator as B;
        let mut args = vec![self.expr(left)?, self.expr(right)?];
        if matches!(op, B::PGRegexIMatch | B::PGRegexNotIMatch) {
            args.push(lit("i"));
        }
        let m = self.call_at("regexp_matches", args, span)?;
        Ok(if matches!(op, B::PGRegexNotMatch | B::PGRegexNotIMatch) {
            !m
        } else {
            m
        })
    }

    /// A call of the string function `name` on positional `args`, its errors at `span`.
    fn call_at(
        &self,
        name: &str,
        args: Vec<Expr>,
        span: sqlparser::tokenizer::Span,
    ) -> Result<Expr> {
        call(name, args.into_iter().map(Arg::positional).collect()).map_err(|e| match e {
            Error::InvalidArgument { context, message } => {
                at(span, format!("{context}: {message}"))
            }
            other => other,
        })
    }

    /// DuckDB's scalar functions that are expressions of others: `nullif`, `greatest`,
    /// `least` (NULLs ignored), `abs`, and `struct_extract`/`list_extract` (subscripts).
    fn scalar(
        &self,
        name: &str,
        args: &[Arg],
        span: sqlparser::tokenizer::Span,
    ) -> Result<Option<Expr>> {
        let values = || -> Result<Vec<Expr>> {
            if args.iter().any(|a| a.name.is_some()) || args.is_empty() {
                return Err(at(span, format!("{name} takes unnamed arguments")));
            }
            Ok(args.iter().map(|a| a.value.clone()).collect())
        };
        let null = || Expr::Literal(Literal::Null);
        Ok(Some(match name {
            "nullif" => match &values()?[..] {
                [a, b] => Expr::Case {
                    branches: vec![(a.clone().eq(b.clone()), null())],
                    otherwise: Some(Box::new(a.clone())),
                },
                _ => return Err(at(span, "nullif takes two arguments")),
            },
            "greatest" | "least" => {
                let keep_first = |a: Expr, b: Expr| {
                    if name == "greatest" {
                        a.gt_eq(b)
                    } else {
                        a.lt_eq(b)
                    }
                };
                let mut it = values()?.into_iter();
                let first = it.next().expect("at least one, checked above");
                it.fold(first, |a, b| Expr::Case {
                    branches: vec![
                        (b.clone().is_null(), a.clone()),
                        (a.clone().is_null(), b.clone()),
                        (keep_first(a.clone(), b.clone()), a),
                    ],
                    otherwise: Some(Box::new(b)),
                })
            }
            "struct_extract" | "list_extract" | "array_extract" => match &values()?[..] {
                [x, Expr::Literal(key @ (Literal::Int64(_) | Literal::Utf8(_)))] => {
                    Expr::Subscript {
                        expr: Box::new(x.clone()),
                        key: key.clone(),
                    }
                }
                _ => {
                    return Err(at(
                        span,
                        format!("{name} takes a value and a constant position or field name"),
                    ))
                }
            },
            "abs" => match &values()?[..] {
                [x] => Expr::Case {
                    branches: vec![(x.clone().lt(lit(0)), -x.clone())],
                    otherwise: Some(Box::new(x.clone())),
                },
                _ => return Err(at(span, "abs takes one argument")),
            },
            _ => return Ok(None),
        }))
    }

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
        // count_if(x): the rows where x is true.
        let input = if name.eq_ignore_ascii_case("count_if") {
            Expr::Case {
                branches: vec![(input, lit(1))],
                otherwise: None,
            }
        } else {
            input
        };
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
        "count_if" => AggFunc::Count,
        // Over booleans, false < true.
        "bool_and" => AggFunc::Min,
        "bool_or" => AggFunc::Max,
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
