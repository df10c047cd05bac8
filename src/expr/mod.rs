//! Logical expressions: what a user writes, in the style of Polars (`col("a").eq(lit(1))`).
//!
//! An [`Expr`] names columns and functions but holds nothing compiled; `physical` checks
//! it against a schema, coerces types, and compiles patterns once into a physical
//! expression that partitions evaluate.
//!
//! Owns: expressions, their types and their compiled form. May import `storage`'s types
//! and the kernels; never `plan`, `exec`, `frame` or `sql`.

pub mod catalogue;
pub(crate) mod physical;

use std::fmt;
use std::ops;

use arrow_schema::DataType;

use spindle_kernels::{
    CaseMapping, CharClass, ContainsOptions, FindKind, Form, ReplaceOptions, Side, StrOp,
    TranslateTable,
};

/// A constant.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// SQL `NULL`.
    Null,
    /// A boolean.
    Boolean(bool),
    /// A 64-bit integer.
    Int64(i64),
    /// A 64-bit float.
    Float64(f64),
    /// A string.
    Utf8(String),
    /// A list of strings (`['a', 'b']`, pandas' tuple of patterns).
    StrList(Vec<String>),
}

impl From<bool> for Literal {
    fn from(v: bool) -> Self {
        Literal::Boolean(v)
    }
}
impl From<i64> for Literal {
    fn from(v: i64) -> Self {
        Literal::Int64(v)
    }
}
impl From<i32> for Literal {
    fn from(v: i32) -> Self {
        Literal::Int64(v.into())
    }
}
impl From<f64> for Literal {
    fn from(v: f64) -> Self {
        Literal::Float64(v)
    }
}
impl From<&str> for Literal {
    fn from(v: &str) -> Self {
        Literal::Utf8(v.to_string())
    }
}
impl From<String> for Literal {
    fn from(v: String) -> Self {
        Literal::Utf8(v)
    }
}
impl<T: Into<Literal>> From<Option<T>> for Literal {
    fn from(v: Option<T>) -> Self {
        v.map_or(Literal::Null, Into::into)
    }
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `=`
    Eq,
    /// `<>`
    NotEq,
    /// `<`
    Lt,
    /// `<=`
    LtEq,
    /// `>`
    Gt,
    /// `>=`
    GtEq,
    /// `AND` (three-valued)
    And,
    /// `OR` (three-valued)
    Or,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`: always a float division, IEEE's (`1 / 0` is inf, `0 / 0` NaN), as in DuckDB 2.
    Div,
    /// `%`: an integer remainder by zero is an error, a float one NaN (as in DuckDB).
    Mod,
}

impl BinaryOp {
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Eq => "=",
            BinaryOp::NotEq => "<>",
            BinaryOp::Lt => "<",
            BinaryOp::LtEq => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::GtEq => ">=",
            BinaryOp::And => "AND",
            BinaryOp::Or => "OR",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
        }
    }
}

/// A logical expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A column by name.
    Column(String),
    /// A constant.
    Literal(Literal),
    /// An expression under another output name.
    Alias(Box<Expr>, String),
    /// `left op right`.
    Binary {
        /// Left operand.
        left: Box<Expr>,
        /// Operator.
        op: BinaryOp,
        /// Right operand.
        right: Box<Expr>,
    },
    /// Boolean negation.
    Not(Box<Expr>),
    /// Arithmetic negation.
    Negative(Box<Expr>),
    /// True where the value is null.
    IsNull(Box<Expr>),
    /// True where the value is not null.
    IsNotNull(Box<Expr>),
    /// SQL `[NOT] LIKE` / `ILIKE`.
    Like {
        /// The string operand.
        expr: Box<Expr>,
        /// The pattern (`%`, `_`).
        pattern: String,
        /// The escape character, if any.
        escape: Option<char>,
        /// `ILIKE`.
        caseless: bool,
        /// `NOT LIKE`.
        negated: bool,
    },
    /// A `.str` operation (pandas' name and arguments).
    Str(Box<Expr>, StrOp),
    /// pandas' `str.cat(others, sep, na_rep)`, row by row (SQL `||` and `concat`).
    Cat {
        /// The columns, in order.
        exprs: Vec<Expr>,
        /// Put between them.
        sep: String,
        /// Stands in for a null; `None`: a row with a null is null.
        na_rep: Option<String>,
    },
    /// `CASE WHEN c1 THEN v1 ... ELSE e END`: the value of the first branch whose condition
    /// is true (a null condition counts as false), else `otherwise` (null when absent).
    Case {
        /// (condition, value) pairs, tried in order.
        branches: Vec<(Expr, Expr)>,
        /// The value when no condition holds.
        otherwise: Option<Box<Expr>>,
    },
    /// `CAST(expr AS to)`; with `strict: false` it is `TRY_CAST`: a value that does not
    /// convert becomes null instead of an error.
    Cast {
        /// The input.
        expr: Box<Expr>,
        /// The type to convert to.
        to: DataType,
        /// Fail on a value that does not convert.
        strict: bool,
    },
    /// The first non-null argument, row by row (SQL `COALESCE`).
    Coalesce(Vec<Expr>),
    /// `x[key]`, as DuckDB reads it: with an integer, a string's character or a list's
    /// item (1-based, negative from the end); with a string, a struct's field (also `x.name`
    /// and `struct_extract(x, 'name')`).
    Subscript {
        /// The string, list or struct.
        expr: Box<Expr>,
        /// The position or the field name.
        key: Literal,
    },
    /// An aggregate: one value per group in [`LazyFrame::group_by`](crate::LazyFrame::group_by)
    /// (or for the whole frame in a `select` made only of aggregates).
    Agg {
        /// What to compute.
        func: AggFunc,
        /// The input; `None` for [`len`] (`count(*)`).
        input: Option<Box<Expr>>,
    },
}

/// An aggregate function. Nulls in the input are skipped (as in SQL); a group with no
/// non-null input gets null from `sum`, `mean`, `min`, `max`, `std` and `var` (as DuckDB
/// does) and 0 from `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AggFunc {
    /// Rows in the group, nulls included (`count(*)`, Polars' `len`).
    Len,
    /// Non-null values.
    Count,
    /// Sum: `Int64` for integers (an overflow is an error), `Float64` for floats.
    Sum,
    /// Arithmetic mean, `Float64`.
    Mean,
    /// Smallest value (numbers, strings by code point, booleans, dates).
    Min,
    /// Largest value (numbers, strings by code point, booleans, dates).
    Max,
    /// Sample standard deviation (`ddof = 1`), `Float64`.
    Std,
    /// Sample variance (`ddof = 1`), `Float64`.
    Var,
    /// Distinct values, null counted as one value when present (Polars' `n_unique`).
    NUnique,
    /// Distinct non-null values (SQL `count(DISTINCT x)`, pandas' `nunique`).
    CountDistinct,
    /// The value of the group's first row, null or not (in row order).
    First,
    /// The value of the group's last row, null or not (in row order).
    Last,
}

impl AggFunc {
    /// The function's name (DuckDB's, which is also Polars' except `count_star`).
    pub fn name(self) -> &'static str {
        match self {
            AggFunc::Len => "count_star",
            AggFunc::Count => "count",
            AggFunc::Sum => "sum",
            AggFunc::Mean => "mean",
            AggFunc::Min => "min",
            AggFunc::Max => "max",
            AggFunc::Std => "stddev_samp",
            AggFunc::Var => "var_samp",
            AggFunc::NUnique => "n_unique",
            AggFunc::CountDistinct => "count_distinct",
            AggFunc::First => "first",
            AggFunc::Last => "last",
        }
    }
}

/// The number of rows (in each group): `count(*)`. Its output is named `len`, as in Polars.
pub fn len() -> Expr {
    Expr::Agg {
        func: AggFunc::Len,
        input: None,
    }
}

/// The first non-null of `exprs`, row by row (SQL `COALESCE`).
pub fn coalesce(exprs: impl IntoIterator<Item = Expr>) -> Expr {
    Expr::Coalesce(exprs.into_iter().collect())
}

/// Starts a conditional, as Polars' `when(c).then(v).otherwise(e)` and SQL's `CASE WHEN`.
pub fn when(condition: Expr) -> When {
    When {
        branches: Vec::new(),
        condition,
    }
}

/// A condition waiting for its value: call [`When::then`].
#[derive(Debug, Clone)]
pub struct When {
    branches: Vec<(Expr, Expr)>,
    condition: Expr,
}

impl When {
    /// The value where the condition holds.
    pub fn then(self, value: Expr) -> Then {
        let mut branches = self.branches;
        branches.push((self.condition, value));
        Then { branches }
    }
}

/// A conditional with at least one branch: add another with [`Then::when`], finish with
/// [`Then::otherwise`], or use it as is (rows where no condition holds get null).
#[derive(Debug, Clone)]
pub struct Then {
    branches: Vec<(Expr, Expr)>,
}

impl Then {
    /// Another condition, tried when the earlier ones do not hold.
    pub fn when(self, condition: Expr) -> When {
        When {
            branches: self.branches,
            condition,
        }
    }

    /// The value where no condition holds.
    pub fn otherwise(self, value: Expr) -> Expr {
        Expr::Case {
            branches: self.branches,
            otherwise: Some(Box::new(value)),
        }
    }
}

impl From<Then> for Expr {
    fn from(t: Then) -> Expr {
        Expr::Case {
            branches: t.branches,
            otherwise: None,
        }
    }
}

/// A column reference.
pub fn col(name: impl Into<String>) -> Expr {
    Expr::Column(name.into())
}

/// A constant.
pub fn lit(value: impl Into<Literal>) -> Expr {
    Expr::Literal(value.into())
}

impl Expr {
    fn binary(self, op: BinaryOp, other: Expr) -> Expr {
        Expr::Binary {
            left: Box::new(self),
            op,
            right: Box::new(other),
        }
    }

    /// `self = other`
    pub fn eq(self, other: Expr) -> Expr {
        self.binary(BinaryOp::Eq, other)
    }
    /// `self <> other`
    pub fn neq(self, other: Expr) -> Expr {
        self.binary(BinaryOp::NotEq, other)
    }
    /// `self < other`
    pub fn lt(self, other: Expr) -> Expr {
        self.binary(BinaryOp::Lt, other)
    }
    /// `self <= other`
    pub fn lt_eq(self, other: Expr) -> Expr {
        self.binary(BinaryOp::LtEq, other)
    }
    /// `self > other`
    pub fn gt(self, other: Expr) -> Expr {
        self.binary(BinaryOp::Gt, other)
    }
    /// `self >= other`
    pub fn gt_eq(self, other: Expr) -> Expr {
        self.binary(BinaryOp::GtEq, other)
    }
    /// `self AND other` (also `&`)
    pub fn and(self, other: Expr) -> Expr {
        self.binary(BinaryOp::And, other)
    }
    /// `self OR other` (also `|`)
    pub fn or(self, other: Expr) -> Expr {
        self.binary(BinaryOp::Or, other)
    }
    /// True where null.
    pub fn is_null(self) -> Expr {
        Expr::IsNull(Box::new(self))
    }
    /// True where not null.
    pub fn is_not_null(self) -> Expr {
        Expr::IsNotNull(Box::new(self))
    }
    /// Renames the output.
    pub fn alias(self, name: impl Into<String>) -> Expr {
        Expr::Alias(Box::new(self), name.into())
    }
    /// SQL `LIKE` with no escape character.
    pub fn like(self, pattern: impl Into<String>) -> Expr {
        Expr::Like {
            expr: Box::new(self),
            pattern: pattern.into(),
            escape: None,
            caseless: false,
            negated: false,
        }
    }
    /// SQL `ILIKE` with no escape character.
    pub fn ilike(self, pattern: impl Into<String>) -> Expr {
        match self.like(pattern) {
            Expr::Like {
                expr,
                pattern,
                escape,
                negated,
                ..
            } => Expr::Like {
                expr,
                pattern,
                escape,
                caseless: true,
                negated,
            },
            _ => unreachable!("like builds Expr::Like"),
        }
    }
    fn agg(self, func: AggFunc) -> Expr {
        Expr::Agg {
            func,
            input: Some(Box::new(self)),
        }
    }
    /// Non-null values (in each group).
    pub fn count(self) -> Expr {
        self.agg(AggFunc::Count)
    }
    /// Sum (in each group).
    pub fn sum(self) -> Expr {
        self.agg(AggFunc::Sum)
    }
    /// Mean (in each group).
    pub fn mean(self) -> Expr {
        self.agg(AggFunc::Mean)
    }
    /// Minimum (in each group).
    pub fn min(self) -> Expr {
        self.agg(AggFunc::Min)
    }
    /// Maximum (in each group).
    pub fn max(self) -> Expr {
        self.agg(AggFunc::Max)
    }
    /// Sample standard deviation (in each group).
    pub fn std(self) -> Expr {
        self.agg(AggFunc::Std)
    }
    /// Sample variance (in each group).
    pub fn var(self) -> Expr {
        self.agg(AggFunc::Var)
    }
    /// Distinct values, a null counting as one (in each group), as Polars' `n_unique`.
    pub fn n_unique(self) -> Expr {
        self.agg(AggFunc::NUnique)
    }
    /// Distinct non-null values (in each group): SQL's `count(DISTINCT x)`.
    pub fn count_distinct(self) -> Expr {
        self.agg(AggFunc::CountDistinct)
    }
    /// The first row's value (in each group), in row order.
    pub fn first(self) -> Expr {
        self.agg(AggFunc::First)
    }
    /// The last row's value (in each group), in row order.
    pub fn last(self) -> Expr {
        self.agg(AggFunc::Last)
    }
    /// Converts to `to`; a value that does not convert is an error (SQL `CAST`).
    pub fn cast(self, to: DataType) -> Expr {
        Expr::Cast {
            expr: Box::new(self),
            to,
            strict: true,
        }
    }
    /// Converts to `to`; a value that does not convert becomes null (SQL `TRY_CAST`).
    pub fn try_cast(self, to: DataType) -> Expr {
        Expr::Cast {
            expr: Box::new(self),
            to,
            strict: false,
        }
    }
    /// The expression under any aliases.
    pub fn unaliased(&self) -> &Expr {
        match self {
            Expr::Alias(e, _) => e.unaliased(),
            e => e,
        }
    }
    /// True when this expression contains an aggregate.
    pub fn has_agg(&self) -> bool {
        matches!(self, Expr::Agg { .. }) || self.children().into_iter().any(Expr::has_agg)
    }

    /// The expressions this one is made of, in order.
    pub(crate) fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Column(_) | Expr::Literal(_) => Vec::new(),
            Expr::Alias(e, _)
            | Expr::Not(e)
            | Expr::Negative(e)
            | Expr::IsNull(e)
            | Expr::IsNotNull(e)
            | Expr::Str(e, _)
            | Expr::Cast { expr: e, .. }
            | Expr::Like { expr: e, .. } => vec![e],
            Expr::Binary { left, right, .. } => vec![left, right],
            Expr::Cat { exprs, .. } | Expr::Coalesce(exprs) => exprs.iter().collect(),
            Expr::Subscript { expr, .. } => vec![expr],
            Expr::Case {
                branches,
                otherwise,
            } => branches
                .iter()
                .flat_map(|(c, v)| [c, v])
                .chain(otherwise.as_deref())
                .collect(),
            Expr::Agg { input, .. } => input.as_deref().into_iter().collect(),
        }
    }

    /// Rebuilds the expression top-down: where `f` gives a replacement it is used as is,
    /// elsewhere the children are rewritten.
    pub(crate) fn rewrite(self, f: &mut dyn FnMut(&Expr) -> Option<Expr>) -> Expr {
        if let Some(e) = f(&self) {
            return e;
        }
        self.map_children(&mut |c| c.rewrite(f))
    }

    /// Rebuilds the expression bottom-up: the children first, then `f` on the result.
    pub(crate) fn transform_up(self, f: &mut dyn FnMut(Expr) -> Expr) -> Expr {
        let e = self.map_children(&mut |c| c.transform_up(f));
        f(e)
    }

    /// The expression with each child replaced by `g(child)`.
    pub(crate) fn map_children(self, g: &mut dyn FnMut(Expr) -> Expr) -> Expr {
        let mut g = |e: Box<Expr>| Box::new(g(*e));
        match self {
            e @ (Expr::Column(_) | Expr::Literal(_)) => e,
            Expr::Alias(e, name) => Expr::Alias(g(e), name),
            Expr::Not(e) => Expr::Not(g(e)),
            Expr::Negative(e) => Expr::Negative(g(e)),
            Expr::IsNull(e) => Expr::IsNull(g(e)),
            Expr::IsNotNull(e) => Expr::IsNotNull(g(e)),
            Expr::Str(e, op) => Expr::Str(g(e), op),
            Expr::Cast { expr, to, strict } => Expr::Cast {
                expr: g(expr),
                to,
                strict,
            },
            Expr::Like {
                expr,
                pattern,
                escape,
                caseless,
                negated,
            } => Expr::Like {
                expr: g(expr),
                pattern,
                escape,
                caseless,
                negated,
            },
            Expr::Binary { left, op, right } => Expr::Binary {
                left: g(left),
                op,
                right: g(right),
            },
            Expr::Cat { exprs, sep, na_rep } => Expr::Cat {
                exprs: exprs.into_iter().map(|e| *g(Box::new(e))).collect(),
                sep,
                na_rep,
            },
            Expr::Coalesce(exprs) => {
                Expr::Coalesce(exprs.into_iter().map(|e| *g(Box::new(e))).collect())
            }
            Expr::Subscript { expr, key } => Expr::Subscript { expr: g(expr), key },
            Expr::Case {
                branches,
                otherwise,
            } => Expr::Case {
                branches: branches
                    .into_iter()
                    .map(|(c, v)| (*g(Box::new(c)), *g(Box::new(v))))
                    .collect(),
                otherwise: otherwise.map(g),
            },
            Expr::Agg { func, input } => Expr::Agg {
                func,
                input: input.map(g),
            },
        }
    }

    /// The string namespace: pandas' `.str` methods.
    pub fn str(self) -> StrNamespace {
        StrNamespace(self)
    }

    /// The name of this expression's output column: its alias, else (as in Polars) the
    /// name of its leftmost column, else `literal`.
    pub fn output_name(&self) -> String {
        match self {
            Expr::Alias(_, name) => name.clone(),
            Expr::Agg { input: None, .. } => "len".to_string(),
            other => other.leftmost_column().unwrap_or("literal").to_string(),
        }
    }

    fn leftmost_column(&self) -> Option<&str> {
        match self {
            Expr::Column(name) => Some(name),
            other => other.children().into_iter().find_map(Expr::leftmost_column),
        }
    }

    /// Every column this expression reads.
    pub fn columns(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_columns(&mut out);
        out
    }

    fn collect_columns<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Expr::Column(name) => out.push(name),
            other => other
                .children()
                .into_iter()
                .for_each(|e| e.collect_columns(out)),
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Column(name) => write!(f, "{name}"),
            Expr::Literal(Literal::Null) => write!(f, "NULL"),
            Expr::Literal(Literal::Boolean(b)) => write!(f, "{b}"),
            Expr::Literal(Literal::Int64(v)) => write!(f, "{v}"),
            Expr::Literal(Literal::Float64(v)) => write!(f, "{v}"),
            Expr::Literal(Literal::Utf8(s)) => write!(f, "'{}'", s.replace('\'', "''")),
            Expr::Literal(Literal::StrList(v)) => {
                let items: Vec<String> = v
                    .iter()
                    .map(|s| format!("'{}'", s.replace('\'', "''")))
                    .collect();
                write!(f, "[{}]", items.join(", "))
            }
            Expr::Alias(e, name) => write!(f, "{e} AS {name}"),
            Expr::Binary { left, op, right } => write!(f, "({left} {} {right})", op.symbol()),
            Expr::Not(e) => write!(f, "NOT {e}"),
            Expr::Negative(e) => write!(f, "-{e}"),
            Expr::IsNull(e) => write!(f, "{e} IS NULL"),
            Expr::IsNotNull(e) => write!(f, "{e} IS NOT NULL"),
            Expr::Like {
                expr,
                pattern,
                caseless,
                negated,
                ..
            } => {
                let not = if *negated { "NOT " } else { "" };
                let op = if *caseless { "ILIKE" } else { "LIKE" };
                write!(f, "{expr} {not}{op} '{}'", pattern.replace('\'', "''"))
            }
            Expr::Str(e, op) => write!(f, "str_{}({e})", op.name()),
            Expr::Cat { exprs, sep, .. } => {
                let parts: Vec<String> = exprs.iter().map(ToString::to_string).collect();
                write!(
                    f,
                    "str_cat({}, sep => '{}')",
                    parts.join(", "),
                    sep.replace('\'', "''")
                )
            }
            Expr::Case {
                branches,
                otherwise,
            } => {
                write!(f, "CASE")?;
                for (c, v) in branches {
                    write!(f, " WHEN {c} THEN {v}")?;
                }
                if let Some(e) = otherwise {
                    write!(f, " ELSE {e}")?;
                }
                write!(f, " END")
            }
            Expr::Cast { expr, to, strict } => {
                let cast = if *strict { "CAST" } else { "TRY_CAST" };
                write!(f, "{cast}({expr} AS {to})")
            }
            Expr::Coalesce(exprs) => {
                let parts: Vec<String> = exprs.iter().map(ToString::to_string).collect();
                write!(f, "COALESCE({})", parts.join(", "))
            }
            Expr::Subscript { expr, key } => write!(f, "{expr}[{}]", Expr::Literal(key.clone())),
            Expr::Agg {
                func: AggFunc::CountDistinct,
                input: Some(e),
            } => write!(f, "count(DISTINCT {e})"),
            Expr::Agg { func, input: None } => write!(f, "{}()", func.name()),
            Expr::Agg {
                func,
                input: Some(e),
            } => write!(f, "{}({e})", func.name()),
        }
    }
}

macro_rules! binary_trait {
    ($trait:ident, $method:ident, $op:expr) => {
        impl ops::$trait for Expr {
            type Output = Expr;
            fn $method(self, rhs: Expr) -> Expr {
                self.binary($op, rhs)
            }
        }
    };
}
binary_trait!(BitAnd, bitand, BinaryOp::And);
binary_trait!(BitOr, bitor, BinaryOp::Or);
binary_trait!(Add, add, BinaryOp::Add);
binary_trait!(Sub, sub, BinaryOp::Sub);
binary_trait!(Mul, mul, BinaryOp::Mul);
binary_trait!(Div, div, BinaryOp::Div);
binary_trait!(Rem, rem, BinaryOp::Mod);

impl ops::Not for Expr {
    type Output = Expr;
    fn not(self) -> Expr {
        Expr::Not(Box::new(self))
    }
}

impl ops::Neg for Expr {
    type Output = Expr;
    fn neg(self) -> Expr {
        Expr::Negative(Box::new(self))
    }
}

/// pandas' `.str` methods on an expression, with pandas' names and defaults; options
/// with several keyword arguments take the kernels' option structs.
///
/// Case mapping is Python's full mapping (`"straße".upper()` is `"STRASSE"`), not the
/// one-code-point mapping of pandas 3's Arrow-backed dtype (`"STRAẞE"`).
#[derive(Debug, Clone)]
pub struct StrNamespace(Expr);

impl StrNamespace {
    fn apply(self, op: StrOp) -> Expr {
        Expr::Str(Box::new(self.0), op)
    }
    /// Calls the pandas method `name` with `args` (positional, then named by pandas'
    /// keyword), as Python's `s.str.name(...)` does, from the one list of operations
    /// ([`catalogue::FUNCTIONS`]): `col("t").str().call("contains", vec![Arg::positional(lit("x")),
    /// Arg::named("case", lit(false))])`. The typed methods below build the same
    /// expressions.
    ///
    /// # Errors
    /// An unknown method; an unknown, repeated or missing argument; a value of the wrong
    /// kind.
    pub fn call(self, name: &str, args: Vec<catalogue::Arg>) -> crate::Result<Expr> {
        let method = catalogue::lookup(catalogue::Dialect::Pandas, name).ok_or_else(|| {
            crate::Error::UnknownFunction {
                name: format!("str.{name}"),
            }
        })?;
        method.call(self.0, args)
    }
    /// `len()`: length in code points.
    pub fn len(self) -> Expr {
        self.apply(StrOp::Len)
    }
    /// Length in UTF-8 bytes.
    pub fn byte_length(self) -> Expr {
        self.apply(StrOp::ByteLength)
    }
    /// `lower()`, Python's full case mapping with final sigma.
    pub fn lower(self) -> Expr {
        self.apply(StrOp::Lower(CaseMapping::Full))
    }
    /// `upper()`, Python's full case mapping (`ß` → `SS`).
    pub fn upper(self) -> Expr {
        self.apply(StrOp::Upper(CaseMapping::Full))
    }
    /// `title()`.
    pub fn title(self) -> Expr {
        self.apply(StrOp::Title)
    }
    /// `capitalize()`.
    pub fn capitalize(self) -> Expr {
        self.apply(StrOp::Capitalize)
    }
    /// `swapcase()`.
    pub fn swapcase(self) -> Expr {
        self.apply(StrOp::Swapcase)
    }
    /// `casefold()`.
    pub fn casefold(self) -> Expr {
        self.apply(StrOp::Casefold)
    }
    /// `contains(pat)` with pandas' defaults: a case-sensitive regex search.
    pub fn contains(self, pat: impl Into<String>) -> Expr {
        self.contains_with(pat, ContainsOptions::default())
    }
    /// `contains(pat, regex=False)`: a literal substring search.
    pub fn contains_literal(self, pat: impl Into<String>) -> Expr {
        self.contains_with(
            pat,
            ContainsOptions {
                regex: false,
                ..ContainsOptions::default()
            },
        )
    }
    /// `contains(pat, case, flags, na, regex)`.
    pub fn contains_with(self, pat: impl Into<String>, options: ContainsOptions) -> Expr {
        self.apply(StrOp::Contains {
            pat: pat.into(),
            options,
        })
    }
    /// `match(pat)`: the regex matches at the start (`re.match`).
    pub fn match_(self, pat: impl Into<String>) -> Expr {
        self.match_with(pat, ContainsOptions::default())
    }
    /// `match(pat, case, flags, na)`.
    pub fn match_with(self, pat: impl Into<String>, options: ContainsOptions) -> Expr {
        self.apply(StrOp::Match {
            pat: pat.into(),
            options,
        })
    }
    /// `fullmatch(pat)`: the regex matches the whole string.
    pub fn fullmatch(self, pat: impl Into<String>) -> Expr {
        self.fullmatch_with(pat, ContainsOptions::default())
    }
    /// `fullmatch(pat, case, flags, na)`.
    pub fn fullmatch_with(self, pat: impl Into<String>, options: ContainsOptions) -> Expr {
        self.apply(StrOp::FullMatch {
            pat: pat.into(),
            options,
        })
    }
    /// `startswith(pat)`.
    pub fn startswith(self, pat: impl Into<String>) -> Expr {
        self.startswith_any([pat.into()])
    }
    /// `startswith((p1, p2, ...))`: any of the prefixes.
    pub fn startswith_any(self, pats: impl IntoIterator<Item = impl Into<String>>) -> Expr {
        self.apply(StrOp::StartsWith {
            pats: pats.into_iter().map(Into::into).collect(),
            na: None,
        })
    }
    /// `endswith(pat)`.
    pub fn endswith(self, pat: impl Into<String>) -> Expr {
        self.endswith_any([pat.into()])
    }
    /// `endswith((s1, s2, ...))`: any of the suffixes.
    pub fn endswith_any(self, pats: impl IntoIterator<Item = impl Into<String>>) -> Expr {
        self.apply(StrOp::EndsWith {
            pats: pats.into_iter().map(Into::into).collect(),
            na: None,
        })
    }
    fn find_kind(self, sub: String, start: i64, end: Option<i64>, kind: FindKind) -> Expr {
        self.apply(StrOp::Find {
            sub,
            start,
            end,
            kind,
        })
    }
    /// `find(sub)`: the lowest position (in code points) of `sub`, or -1.
    pub fn find(self, sub: impl Into<String>) -> Expr {
        self.find_kind(sub.into(), 0, None, FindKind::Find)
    }
    /// `find(sub, start, end)`, positions as Python slice indices.
    pub fn find_in(self, sub: impl Into<String>, start: i64, end: Option<i64>) -> Expr {
        self.find_kind(sub.into(), start, end, FindKind::Find)
    }
    /// `rfind(sub)`: the highest position, or -1.
    pub fn rfind(self, sub: impl Into<String>) -> Expr {
        self.find_kind(sub.into(), 0, None, FindKind::Rfind)
    }
    /// `rfind(sub, start, end)`.
    pub fn rfind_in(self, sub: impl Into<String>, start: i64, end: Option<i64>) -> Expr {
        self.find_kind(sub.into(), start, end, FindKind::Rfind)
    }
    /// `index(sub)`: as `find`, and a string without `sub` is an error.
    pub fn index(self, sub: impl Into<String>) -> Expr {
        self.find_kind(sub.into(), 0, None, FindKind::Index)
    }
    /// `rindex(sub)`: as `rfind`, and a string without `sub` is an error.
    pub fn rindex(self, sub: impl Into<String>) -> Expr {
        self.find_kind(sub.into(), 0, None, FindKind::Rindex)
    }
    /// `count(pat)`: non-overlapping regex matches.
    pub fn count(self, pat: impl Into<String>) -> Expr {
        self.count_with(pat, 0)
    }
    /// `count(pat, flags)`.
    pub fn count_with(self, pat: impl Into<String>, flags: u32) -> Expr {
        self.apply(StrOp::Count {
            pat: pat.into(),
            flags,
        })
    }
    /// `replace(pat, repl)` with pandas' defaults: every literal occurrence.
    pub fn replace(self, pat: impl Into<String>, repl: impl Into<String>) -> Expr {
        self.replace_with(pat, repl, ReplaceOptions::default())
    }
    /// `replace(pat, repl, regex=True)`: Python's `re.sub` (`\1`, `\g<name>`).
    pub fn replace_regex(self, pat: impl Into<String>, repl: impl Into<String>) -> Expr {
        self.replace_with(
            pat,
            repl,
            ReplaceOptions {
                regex: true,
                ..ReplaceOptions::default()
            },
        )
    }
    /// `replace(pat, repl, n, case, flags, regex)`.
    pub fn replace_with(
        self,
        pat: impl Into<String>,
        repl: impl Into<String>,
        options: ReplaceOptions,
    ) -> Expr {
        self.apply(StrOp::Replace {
            pat: pat.into(),
            repl: repl.into(),
            options,
        })
    }
    /// `removeprefix(prefix)`.
    pub fn removeprefix(self, prefix: impl Into<String>) -> Expr {
        self.apply(StrOp::RemovePrefix(prefix.into()))
    }
    /// `removesuffix(suffix)`.
    pub fn removesuffix(self, suffix: impl Into<String>) -> Expr {
        self.apply(StrOp::RemoveSuffix(suffix.into()))
    }
    /// `translate(table)`; build the table with [`TranslateTable::maketrans`].
    pub fn translate(self, table: TranslateTable) -> Expr {
        self.apply(StrOp::Translate(table))
    }
    /// `repeat(n)`.
    pub fn repeat(self, n: i64) -> Expr {
        self.apply(StrOp::Repeat(n))
    }
    /// `slice(start, stop)`: code points, Python slice indices.
    pub fn slice(self, start: Option<i64>, stop: Option<i64>) -> Expr {
        self.slice_step(start, stop, None)
    }
    /// `slice(start, stop, step)`.
    pub fn slice_step(self, start: Option<i64>, stop: Option<i64>, step: Option<i64>) -> Expr {
        self.apply(StrOp::Slice { start, stop, step })
    }
    /// `slice_replace(start, stop, repl)`.
    pub fn slice_replace(
        self,
        start: Option<i64>,
        stop: Option<i64>,
        repl: impl Into<String>,
    ) -> Expr {
        self.apply(StrOp::SliceReplace {
            start,
            stop,
            repl: repl.into(),
        })
    }
    /// `get(i)`: the character at `i` of a string, or the item at `i` of a list.
    pub fn get(self, i: i64) -> Expr {
        self.apply(StrOp::Get(i))
    }
    fn strip_side(self, side: Side, chars: Option<String>) -> Expr {
        self.apply(StrOp::Strip { side, chars })
    }
    /// `strip()`: Python's whitespace from both ends.
    pub fn strip(self) -> Expr {
        self.strip_side(Side::Both, None)
    }
    /// `lstrip()`.
    pub fn lstrip(self) -> Expr {
        self.strip_side(Side::Left, None)
    }
    /// `rstrip()`.
    pub fn rstrip(self) -> Expr {
        self.strip_side(Side::Right, None)
    }
    /// `strip(to_strip)`: any of these characters from both ends.
    pub fn strip_chars(self, chars: impl Into<String>) -> Expr {
        self.strip_side(Side::Both, Some(chars.into()))
    }
    /// `lstrip(to_strip)`.
    pub fn lstrip_chars(self, chars: impl Into<String>) -> Expr {
        self.strip_side(Side::Left, Some(chars.into()))
    }
    /// `rstrip(to_strip)`.
    pub fn rstrip_chars(self, chars: impl Into<String>) -> Expr {
        self.strip_side(Side::Right, Some(chars.into()))
    }
    /// `pad(width, side, fillchar)`: `Side::Left` pads on the left, as pandas.
    pub fn pad(self, width: i64, side: Side, fillchar: char) -> Expr {
        self.apply(StrOp::Pad {
            width,
            side,
            fillchar,
        })
    }
    /// `ljust(width, fillchar)`.
    pub fn ljust(self, width: i64, fillchar: char) -> Expr {
        self.pad(width, Side::Right, fillchar)
    }
    /// `rjust(width, fillchar)`.
    pub fn rjust(self, width: i64, fillchar: char) -> Expr {
        self.pad(width, Side::Left, fillchar)
    }
    /// `center(width, fillchar)`.
    pub fn center(self, width: i64, fillchar: char) -> Expr {
        self.pad(width, Side::Both, fillchar)
    }
    /// `zfill(width)`.
    pub fn zfill(self, width: i64) -> Expr {
        self.apply(StrOp::Zfill(width))
    }
    /// `split(pat)` with pandas' rule: one character is a literal, longer is a regex.
    pub fn split(self, pat: impl Into<String>) -> Expr {
        self.split_with(Some(pat.into()), -1, None)
    }
    /// `split()`: on runs of whitespace.
    pub fn split_whitespace(self) -> Expr {
        self.split_with(None, -1, None)
    }
    /// `split(pat, n, regex)`; a `List<Utf8>` column.
    pub fn split_with(self, pat: Option<String>, n: i64, regex: Option<bool>) -> Expr {
        self.apply(StrOp::Split { pat, n, regex })
    }
    /// `rsplit(pat, n)`.
    pub fn rsplit(self, pat: Option<String>, n: i64) -> Expr {
        self.apply(StrOp::Rsplit { pat, n })
    }
    /// `partition(sep)`: a struct of (before, sep, after).
    pub fn partition(self, sep: impl Into<String>) -> Expr {
        self.apply(StrOp::Partition {
            sep: sep.into(),
            reverse: false,
        })
    }
    /// `rpartition(sep)`.
    pub fn rpartition(self, sep: impl Into<String>) -> Expr {
        self.apply(StrOp::Partition {
            sep: sep.into(),
            reverse: true,
        })
    }
    /// `join(sep)`: a list column's items (or a string's characters) joined by `sep`.
    pub fn join(self, sep: impl Into<String>) -> Expr {
        self.apply(StrOp::Join(sep.into()))
    }
    /// `cat(others, sep, na_rep)`: this column and `others`, row by row.
    pub fn cat(
        self,
        others: impl IntoIterator<Item = Expr>,
        sep: impl Into<String>,
        na_rep: Option<String>,
    ) -> Expr {
        let mut exprs = vec![self.0];
        exprs.extend(others);
        Expr::Cat {
            exprs,
            sep: sep.into(),
            na_rep,
        }
    }
    /// `extract(pat)`: a struct with one field per group of the first match.
    pub fn extract(self, pat: impl Into<String>) -> Expr {
        self.extract_with(pat, 0, true)
    }
    /// `extract(pat, flags, expand)`; without `expand` a one-group pattern gives a string.
    pub fn extract_with(self, pat: impl Into<String>, flags: u32, expand: bool) -> Expr {
        self.apply(StrOp::Extract {
            pat: pat.into(),
            flags,
            expand,
        })
    }
    /// `extractall(pat)`: a list of structs, one per match.
    pub fn extractall(self, pat: impl Into<String>) -> Expr {
        self.apply(StrOp::ExtractAll {
            pat: pat.into(),
            flags: 0,
        })
    }
    /// `findall(pat)`: a list of the matches (or of their groups).
    pub fn findall(self, pat: impl Into<String>) -> Expr {
        self.apply(StrOp::FindAll {
            pat: pat.into(),
            flags: 0,
        })
    }
    /// `isalnum()`, `isdigit()`, ...: one of Python's character-class predicates.
    pub fn is(self, class: CharClass) -> Expr {
        self.apply(StrOp::Is(class))
    }
    /// `isalnum()`.
    pub fn isalnum(self) -> Expr {
        self.is(CharClass::Alnum)
    }
    /// `isalpha()`.
    pub fn isalpha(self) -> Expr {
        self.is(CharClass::Alpha)
    }
    /// `isdigit()`.
    pub fn isdigit(self) -> Expr {
        self.is(CharClass::Digit)
    }
    /// `isdecimal()`.
    pub fn isdecimal(self) -> Expr {
        self.is(CharClass::Decimal)
    }
    /// `isnumeric()`.
    pub fn isnumeric(self) -> Expr {
        self.is(CharClass::Numeric)
    }
    /// `isspace()`.
    pub fn isspace(self) -> Expr {
        self.is(CharClass::Space)
    }
    /// `islower()`.
    pub fn islower(self) -> Expr {
        self.is(CharClass::Lower)
    }
    /// `isupper()`.
    pub fn isupper(self) -> Expr {
        self.is(CharClass::Upper)
    }
    /// `istitle()`.
    pub fn istitle(self) -> Expr {
        self.is(CharClass::Title)
    }
    /// `isascii()`.
    pub fn isascii(self) -> Expr {
        self.is(CharClass::Ascii)
    }
    /// `normalize(form)`.
    pub fn normalize(self, form: Form) -> Expr {
        self.apply(StrOp::Normalize(form))
    }
}
