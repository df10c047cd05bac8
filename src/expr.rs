//! Logical expressions: what a user writes, in the style of Polars (`col("a").eq(lit(1))`).
//!
//! An [`Expr`] names columns and functions but holds nothing compiled; the planner
//! ([`crate::plan`]) checks it against a schema, coerces types, and compiles patterns once
//! into a physical expression that partitions evaluate.

use std::fmt;
use std::ops;

use spindle_kernels::{CaseMapping, ContainsOptions};

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
    /// `/`: always a float division; division by zero gives null, as in DuckDB.
    Div,
    /// `%`
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

/// A string function of the `.str()` namespace, with its options.
#[derive(Debug, Clone, PartialEq)]
pub enum StrFunction {
    /// Length in code points.
    Len,
    /// Length in UTF-8 bytes.
    ByteLength,
    /// Lowercase.
    Lower(CaseMapping),
    /// Uppercase.
    Upper(CaseMapping),
    /// pandas' `contains(pat, case, flags, na, regex)`.
    Contains {
        /// The pattern.
        pattern: String,
        /// pandas' keyword arguments.
        options: ContainsOptions,
    },
    /// Literal prefix test.
    StartsWith {
        /// The prefix.
        pattern: String,
        /// Answer for nulls.
        na: Option<bool>,
    },
    /// Literal suffix test.
    EndsWith {
        /// The suffix.
        pattern: String,
        /// Answer for nulls.
        na: Option<bool>,
    },
}

impl StrFunction {
    /// The pandas name of the function.
    pub fn name(&self) -> &'static str {
        match self {
            StrFunction::Len => "len",
            StrFunction::ByteLength => "byte_length",
            StrFunction::Lower(_) => "lower",
            StrFunction::Upper(_) => "upper",
            StrFunction::Contains { .. } => "contains",
            StrFunction::StartsWith { .. } => "startswith",
            StrFunction::EndsWith { .. } => "endswith",
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
    /// A string function.
    Str(Box<Expr>, StrFunction),
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
    /// The string namespace: pandas' `.str` methods.
    pub fn str(self) -> StrNamespace {
        StrNamespace(self)
    }

    /// The name of this expression's output column: its alias, else (as in Polars) the
    /// name of its leftmost column, else `literal`.
    pub fn output_name(&self) -> String {
        match self {
            Expr::Alias(_, name) => name.clone(),
            other => other.leftmost_column().unwrap_or("literal").to_string(),
        }
    }

    fn leftmost_column(&self) -> Option<&str> {
        match self {
            Expr::Column(name) => Some(name),
            Expr::Literal(_) => None,
            Expr::Alias(e, _)
            | Expr::Not(e)
            | Expr::Negative(e)
            | Expr::IsNull(e)
            | Expr::IsNotNull(e)
            | Expr::Str(e, _) => e.leftmost_column(),
            Expr::Like { expr, .. } => expr.leftmost_column(),
            Expr::Binary { left, right, .. } => {
                left.leftmost_column().or_else(|| right.leftmost_column())
            }
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
            Expr::Literal(_) => {}
            Expr::Alias(e, _)
            | Expr::Not(e)
            | Expr::Negative(e)
            | Expr::IsNull(e)
            | Expr::IsNotNull(e)
            | Expr::Str(e, _) => e.collect_columns(out),
            Expr::Like { expr, .. } => expr.collect_columns(out),
            Expr::Binary { left, right, .. } => {
                left.collect_columns(out);
                right.collect_columns(out);
            }
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
            Expr::Str(e, func) => write!(f, "str_{}({e})", func.name()),
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

/// pandas' `.str` methods on an expression, with pandas' names and defaults.
#[derive(Debug, Clone)]
pub struct StrNamespace(Expr);

impl StrNamespace {
    fn apply(self, function: StrFunction) -> Expr {
        Expr::Str(Box::new(self.0), function)
    }
    /// `len()`: length in code points.
    pub fn len(self) -> Expr {
        self.apply(StrFunction::Len)
    }
    /// Length in UTF-8 bytes.
    pub fn byte_length(self) -> Expr {
        self.apply(StrFunction::ByteLength)
    }
    /// `lower()`, Python's full case mapping.
    pub fn lower(self) -> Expr {
        self.apply(StrFunction::Lower(CaseMapping::Full))
    }
    /// `upper()`, Python's full case mapping (`ß` → `SS`).
    pub fn upper(self) -> Expr {
        self.apply(StrFunction::Upper(CaseMapping::Full))
    }
    /// `contains(pat)` with pandas' defaults: a case-sensitive regex search.
    pub fn contains(self, pattern: impl Into<String>) -> Expr {
        self.contains_with(pattern, ContainsOptions::default())
    }
    /// `contains(pat, regex=False)`: a literal substring search.
    pub fn contains_literal(self, pattern: impl Into<String>) -> Expr {
        self.contains_with(
            pattern,
            ContainsOptions {
                regex: false,
                ..ContainsOptions::default()
            },
        )
    }
    /// `contains(pat, case, flags, na, regex)`.
    pub fn contains_with(self, pattern: impl Into<String>, options: ContainsOptions) -> Expr {
        self.apply(StrFunction::Contains {
            pattern: pattern.into(),
            options,
        })
    }
    /// `startswith(pat)`.
    pub fn startswith(self, pattern: impl Into<String>) -> Expr {
        self.apply(StrFunction::StartsWith {
            pattern: pattern.into(),
            na: None,
        })
    }
    /// `endswith(pat)`.
    pub fn endswith(self, pattern: impl Into<String>) -> Expr {
        self.apply(StrFunction::EndsWith {
            pattern: pattern.into(),
            na: None,
        })
    }
}
