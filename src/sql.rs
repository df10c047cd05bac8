//! The SQL front end: `SELECT ... FROM 'file.arrow' [WHERE ...] [LIMIT n]`, parsed by
//! `sqlparser` (DuckDB's dialect) and turned into a [`LazyFrame`] plan.
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

use crate::error::{Error, Result};
use crate::exec::Runtime;
use crate::expr::{col, lit, BinaryOp, Expr, Literal};
use crate::frame::{open, DataFrame, LazyFrame};
use crate::functions::{call, Arg};

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
        let statements = Parser::parse_sql(&DuckDbDialect {}, query).map_err(parse_error)?;
        let [statement] = &statements[..] else {
            return Err(Error::sql(format!(
                "expected one statement, found {}",
                statements.len()
            )));
        };
        let Statement::Query(query) = statement else {
            return Err(at(statement.span(), "only SELECT queries are supported"));
        };
        let lazy = self.plan_query(query.as_ref())?;
        Ok(match &self.runtime {
            Some(rt) => lazy.with_runtime(rt.clone()),
            None => lazy,
        })
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

    fn plan_query(&self, query: &ast::Query) -> Result<LazyFrame> {
        if query.with.is_some() {
            return Err(unsupported(query.span(), "WITH"));
        }
        if query.order_by.is_some() {
            return Err(unsupported(query.span(), "ORDER BY"));
        }
        if query.fetch.is_some() {
            return Err(unsupported(query.span(), "FETCH"));
        }
        let limit = match &query.limit_clause {
            None => None,
            Some(ast::LimitClause::LimitOffset {
                limit,
                offset: None,
                limit_by,
            }) if limit_by.is_empty() => limit.as_ref().map(limit_value).transpose()?,
            Some(other) => return Err(unsupported(other.span(), "OFFSET")),
        };
        let SetExpr::Select(select) = query.body.as_ref() else {
            return Err(unsupported(
                query.body.span(),
                "set operations (UNION, VALUES, ...)",
            ));
        };
        if select.distinct.is_some() {
            return Err(unsupported(select.span(), "DISTINCT"));
        }
        if !matches!(&select.group_by, GroupByExpr::Expressions(e, _) if e.is_empty()) {
            return Err(unsupported(select.span(), "GROUP BY"));
        }
        if select.having.is_some()
            || select.qualify.is_some()
            || !select.sort_by.is_empty()
            || select.into.is_some()
        {
            return Err(unsupported(
                select.span(),
                "HAVING, QUALIFY, SORT BY or INTO",
            ));
        }
        let [from] = &select.from[..] else {
            return Err(at(
                select.span(),
                format!("expected one table in FROM, found {}", select.from.len()),
            ));
        };
        if !from.joins.is_empty() {
            return Err(unsupported(from.joins[0].span(), "JOIN"));
        }
        let TableFactor::Table {
            name,
            alias,
            args: None,
            ..
        } = &from.relation
        else {
            return Err(unsupported(
                from.relation.span(),
                "this kind of FROM item; name a file: FROM 'data.arrow'",
            ));
        };
        let path = match &name.0[..] {
            [ast::ObjectNamePart::Identifier(ident)] => ident.value.clone(),
            _ => {
                return Err(at(
                    name.span(),
                    format!("table {name} is not a file path; quote it: FROM 'data.arrow'"),
                ))
            }
        };
        let table_names: Vec<String> = alias
            .iter()
            .map(|a| a.name.value.clone())
            .chain([path.clone()])
            .collect();
        let frame = self.table(&path)?;
        let schema = frame.schema();
        let scope = Scope { table_names };

        let mut lazy = frame.lazy();
        if let Some(predicate) = &select.selection {
            lazy = lazy.filter(scope.expr(predicate)?);
        }
        let mut exprs = Vec::new();
        for item in &select.projection {
            match item {
                SelectItem::UnnamedExpr(e) => {
                    let planned = scope.expr(e)?;
                    exprs.push(match planned {
                        Expr::Column(_) => planned,
                        other => other.alias(e.to_string()),
                    });
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    exprs.push(scope.expr(expr)?.alias(alias.value.clone()))
                }
                SelectItem::Wildcard(_) => {
                    exprs.extend(schema.fields().iter().map(|f| col(f.name().clone())))
                }
                SelectItem::QualifiedWildcard(kind, _) => {
                    let q = kind.to_string();
                    if !scope.table_names.iter().any(|t| t.eq_ignore_ascii_case(&q)) {
                        return Err(at(item.span(), format!("unknown table {q:?} in {q}.*")));
                    }
                    exprs.extend(schema.fields().iter().map(|f| col(f.name().clone())));
                }
                other => return Err(unsupported(other.span(), "this select item")),
            }
        }
        let is_star =
            select.projection.len() == 1 && matches!(select.projection[0], SelectItem::Wildcard(_));
        if !is_star {
            lazy = lazy.select(exprs);
        }
        if let Some(n) = limit {
            lazy = lazy.head(n);
        }
        Ok(lazy)
    }
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

fn limit_value(e: &ast::Expr) -> Result<usize> {
    match e {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::Number(n, _) => n.parse::<usize>().map_err(|_| {
                at(
                    e.span(),
                    format!("LIMIT must be a non-negative integer that fits in 64 bits, got {n}"),
                )
            }),
            _ => Err(at(e.span(), "LIMIT must be a number")),
        },
        _ => Err(at(e.span(), "LIMIT must be a constant number")),
    }
}

/// Names visible to expressions: the table's path and alias.
struct Scope {
    table_names: Vec<String>,
}

impl Scope {
    fn expr(&self, e: &ast::Expr) -> Result<Expr> {
        use ast::Expr as E;
        Ok(match e {
            E::Identifier(id) => col(id.value.clone()),
            E::CompoundIdentifier(parts) => match &parts[..] {
                [table, column]
                    if self
                        .table_names
                        .iter()
                        .any(|t| t.eq_ignore_ascii_case(&table.value)) =>
                {
                    col(column.value.clone())
                }
                _ => return Err(at(e.span(), format!("unknown table in {e}"))),
            },
            E::Value(v) => Expr::Literal(
                literal(&v.value)
                    .ok_or_else(|| unsupported(e.span(), &format!("the literal {v}")))?,
            ),
            E::Nested(inner) => self.expr(inner)?,
            E::IsNull(inner) => self.expr(inner)?.is_null(),
            E::IsNotNull(inner) => self.expr(inner)?.is_not_null(),
            E::UnaryOp { op, expr } => {
                let inner = self.expr(expr)?;
                match op {
                    UnaryOperator::Not => !inner,
                    UnaryOperator::Minus => match inner {
                        Expr::Literal(Literal::Int64(v)) => Expr::Literal(Literal::Int64(-v)),
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
        let name = f.name.to_string();
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
        let list = match &f.args {
            FunctionArguments::List(list)
                if list.duplicate_treatment.is_none() && list.clauses.is_empty() =>
            {
                &list.args[..]
            }
            FunctionArguments::None => &[],
            _ => return Err(unsupported(f.span(), &format!("these arguments of {name}"))),
        };
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
