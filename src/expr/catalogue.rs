//! The one list of string operations: each declared once, with its name, its parameters
//! (pandas' keywords and defaults, or DuckDB's), its family, a line of documentation, and
//! how it builds its expression (the kernel it runs, as a [`StrOp`]).
//!
//! Everything that names string operations derives from [`FUNCTIONS`]: SQL's function
//! table (`str_<name>` for the pandas methods, DuckDB's names for DuckDB's functions),
//! the frame API's dispatch by name ([`crate::StrNamespace::call`], which the Python
//! bindings use), `spindle sql --help` and `spindle functions`, and the README's table of
//! operations ([`markdown_table`], checked by a test).
//!
//! Two dialects, one rule: a function DuckDB has keeps DuckDB's name and meaning
//! (`upper('straße')` is `STRAẞE`, one code point at a time), and every pandas `.str`
//! method is there with pandas' meaning (Python's full mapping: `STRASSE`).

use spindle_kernels::{
    fillchar, flags, CaseMapping, CharClass, ContainsOptions, FindKind, Form, KernelError,
    ReplaceOptions, Side, StrOp, TranslateTable,
};

use arrow_schema::DataType;

use crate::error::{Error, Result};
use crate::expr::{lit, Expr, Literal};

/// Whose name and meaning a function has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// A pandas `.str` method (SQL: `str_<name>`), with Python's semantics.
    Pandas,
    /// A DuckDB function, with DuckDB's semantics.
    DuckDb,
}

/// The kind of a parameter's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    /// A string.
    Str,
    /// A string or a list of strings (pandas' tuple).
    StrOrList,
    /// An integer.
    Int,
    /// A boolean.
    Bool,
    /// Python `re` flags (an integer).
    Flags,
}

/// The type a DuckDB function returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returns {
    /// `BOOLEAN`.
    Bool,
    /// `BIGINT`.
    Int,
    /// `VARCHAR`.
    Str,
    /// `VARCHAR[]`.
    StrList,
}

impl Returns {
    /// A NULL of this type.
    fn null(self) -> Expr {
        Expr::Cast {
            expr: Box::new(Expr::Literal(Literal::Null)),
            to: self.data_type(),
            strict: true,
        }
    }

    /// The Arrow type.
    pub fn data_type(self) -> DataType {
        match self {
            Returns::Bool => DataType::Boolean,
            Returns::Int => DataType::Int64,
            Returns::Str => DataType::Utf8,
            Returns::StrList => DataType::new_list(DataType::Utf8, true),
        }
    }
}

/// One parameter after the string operand.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// Its name (pandas' keyword, or DuckDB's argument name).
    pub name: &'static str,
    /// Its kind.
    pub ty: ParamType,
    /// Its default as Python writes it (`"True"`, `"None"`, `"' '"`); `None`: required.
    pub default: Option<&'static str>,
}

/// The group a function belongs to in the documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `lower`, `upper`, `title`, ...
    Case,
    /// `len`, byte length.
    Size,
    /// `contains`, `find`, `startswith`, ...
    Search,
    /// `replace`, `slice`, `translate`, ...
    Rewrite,
    /// `strip`, `pad`, `zfill`, ...
    Padding,
    /// `split`, `partition`, `join`, `cat`.
    SplitJoin,
    /// `extract`, `extractall`, `findall`.
    Extract,
    /// `isalnum`, `isdigit`, ...
    Predicates,
    /// `normalize`.
    Unicode,
}

impl Family {
    /// The family's name in the documentation.
    pub fn name(self) -> &'static str {
        match self {
            Family::Case => "case",
            Family::Size => "size",
            Family::Search => "search",
            Family::Rewrite => "rewrite",
            Family::Padding => "padding",
            Family::SplitJoin => "split, join",
            Family::Extract => "regex extraction",
            Family::Predicates => "predicates",
            Family::Unicode => "Unicode",
        }
    }
}

/// A string function: everything about it, in one place.
#[derive(Debug)]
pub struct Function {
    /// pandas' method name, or DuckDB's function name.
    pub name: &'static str,
    /// Other names DuckDB gives it (`lcase` for `lower`).
    pub aliases: &'static [&'static str],
    /// Whose function it is.
    pub dialect: Dialect,
    /// What a DuckDB function returns, for a NULL argument's NULL result (DuckDB's rule:
    /// a NULL argument gives NULL); pandas methods read NULL as the parameter's default.
    pub returns: Option<Returns>,
    /// The few DuckDB functions that give a value for a NULL argument build it themselves.
    own_nulls: bool,
    /// Its group in the documentation.
    pub family: Family,
    /// Parameters after the string operand.
    pub params: &'static [Param],
    /// Further positional operands (`str_cat(a, b, c)`, `concat(a, b, c)`); parameters
    /// are then named only.
    pub variadic: bool,
    /// One line on what it does.
    pub doc: &'static str,
    build: fn(&Bound<'_>) -> Result<Expr>,
}

impl Function {
    /// The name SQL calls it by: `str_<name>` for pandas methods.
    pub fn sql_name(&self) -> String {
        match self.dialect {
            Dialect::Pandas => format!("str_{}", self.name),
            Dialect::DuckDb => self.name.to_string(),
        }
    }

    /// The signature as its dialect writes it: `contains(pat, case=True, ...)` for pandas,
    /// `strpos(s, search_string)` for DuckDB.
    pub fn signature(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if self.dialect == Dialect::DuckDb {
            parts.push("s".into());
        }
        if self.variadic {
            parts.push("others...".into());
        }
        for p in self.params {
            parts.push(match (self.dialect, p.default) {
                (Dialect::Pandas, Some(d)) => format!("{}={d}", p.name),
                (Dialect::DuckDb, Some(_)) => format!("[{}]", p.name),
                (_, None) => p.name.to_string(),
            });
        }
        format!("{}({})", self.name, parts.join(", "))
    }

    /// Builds the call of this function on `operand` with `args` (positional, then named
    /// by parameter name).
    ///
    /// # Errors
    /// An unknown or repeated argument, a missing one, a value of the wrong kind or that
    /// the kernel refuses (a bad regex is refused later, when the plan compiles).
    pub fn call(&self, operand: Expr, args: Vec<Arg>) -> Result<Expr> {
        self.call_as(&self.sql_name(), operand, args)
    }

    /// [`Function::call`], its errors naming it `called` (an alias, as the user wrote it).
    pub(crate) fn call_as(&self, called: &str, operand: Expr, args: Vec<Arg>) -> Result<Expr> {
        let bound = Bound::new(called, self, operand, args)?;
        // DuckDB: a NULL argument gives NULL.
        if let (Some(returns), true, false) =
            (self.returns, bound.has_null_argument(), self.own_nulls)
        {
            return Ok(bound.null(returns));
        }
        (self.build)(&bound)
    }
}

/// One argument of a call, positional or named.
#[derive(Debug, Clone)]
pub struct Arg {
    /// The parameter's name, for a named argument.
    pub name: Option<String>,
    /// The value (a constant, except for variadic operands).
    pub value: Expr,
}

impl Arg {
    /// A positional argument.
    pub fn positional(value: Expr) -> Arg {
        Arg { name: None, value }
    }

    /// A named argument.
    pub fn named(name: impl Into<String>, value: Expr) -> Arg {
        Arg {
            name: Some(name.into()),
            value,
        }
    }
}

/// A call's arguments bound to its function's parameters.
pub(crate) struct Bound<'a> {
    /// The name it was called by, for errors.
    function: &'a str,
    params: &'static [Param],
    operand: Expr,
    slots: Vec<Option<Expr>>,
    /// Further positional operands of a variadic function.
    rest: Vec<Expr>,
}

impl<'a> Bound<'a> {
    fn new(function: &'a str, f: &Function, operand: Expr, args: Vec<Arg>) -> Result<Bound<'a>> {
        let params = f.params;
        let mut slots: Vec<Option<Expr>> = vec![None; params.len()];
        let mut rest = Vec::new();
        let (mut position, mut named) = (0, false);
        for arg in args {
            let slot = match &arg.name {
                None if f.variadic => {
                    rest.push(arg.value);
                    continue;
                }
                None if named => {
                    return Err(Error::invalid(
                        function,
                        "positional argument after a named one",
                    ))
                }
                None => {
                    position += 1;
                    position - 1
                }
                Some(name) => {
                    named = true;
                    params
                        .iter()
                        .position(|p| p.name.eq_ignore_ascii_case(name))
                        .ok_or_else(|| {
                            let names: Vec<&str> = params.iter().map(|p| p.name).collect();
                            Error::invalid(
                                function,
                                format!("unknown argument {name:?}; it takes {}", names.join(", ")),
                            )
                        })?
                }
            };
            if slot >= params.len() {
                return Err(Error::invalid(
                    function,
                    format!("takes at most {} arguments", params.len() + 1),
                ));
            }
            if slots[slot].is_some() {
                return Err(Error::invalid(
                    function,
                    format!("argument {} given twice", params[slot].name),
                ));
            }
            slots[slot] = Some(arg.value);
        }
        if let Some(missing) = params
            .iter()
            .zip(&slots)
            .position(|(p, s)| p.default.is_none() && s.is_none())
        {
            return Err(Error::invalid(
                function,
                format!("missing argument {}", params[missing].name),
            ));
        }
        Ok(Bound {
            function,
            params,
            operand,
            slots,
            rest,
        })
    }

    /// NULL of type `returns` for every row; the operand is still read, so that an
    /// unknown column is an error, as in DuckDB.
    fn null(&self, returns: Returns) -> Expr {
        Expr::Case {
            branches: vec![(self.operand.clone().is_null(), returns.null())],
            otherwise: Some(Box::new(returns.null())),
        }
    }

    /// True when `param` is given as the constant NULL.
    fn is_null(&self, param: &str) -> bool {
        matches!(self.literal(param), Ok(Some(Literal::Null)))
    }

    /// True when a parameter is given as the constant NULL.
    fn has_null_argument(&self) -> bool {
        self.slots
            .iter()
            .any(|s| matches!(s, Some(Expr::Literal(Literal::Null))))
    }

    /// The operand under `op`.
    fn op(&self, op: StrOp) -> Result<Expr> {
        Ok(Expr::Str(Box::new(self.operand.clone()), op))
    }

    fn literal(&self, param: &str) -> Result<Option<&Literal>> {
        let i = self
            .params
            .iter()
            .position(|p| p.name == param)
            .expect("a parameter of this function");
        match &self.slots[i] {
            None => Ok(None),
            Some(Expr::Literal(l)) => Ok(Some(l)),
            Some(other) => Err(Error::invalid(
                self.function,
                format!("argument {param} must be a constant, got {other}"),
            )),
        }
    }

    fn wrong(&self, param: &str, want: &str, got: &Literal) -> Error {
        Error::invalid(
            self.function,
            format!("argument {param} must be {want}, got {got:?}"),
        )
    }

    /// A string argument; `None` when absent or NULL.
    fn string(&self, param: &str) -> Result<Option<String>> {
        match self.literal(param)? {
            None | Some(Literal::Null) => Ok(None),
            Some(Literal::Utf8(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.wrong(param, "a string", other)),
        }
    }

    fn required_string(&self, param: &str) -> Result<String> {
        self.string(param)?.ok_or_else(|| {
            Error::invalid(self.function, format!("argument {param} must not be NULL"))
        })
    }

    /// One string, or a list of them (`['a', 'b']`, pandas' tuple).
    fn strings(&self, param: &str) -> Result<Vec<String>> {
        match self.literal(param)? {
            Some(Literal::Utf8(s)) => Ok(vec![s.clone()]),
            Some(Literal::StrList(v)) => Ok(v.clone()),
            Some(other) => Err(self.wrong(param, "a string or a list of strings", other)),
            None => Err(Error::invalid(
                self.function,
                format!("missing argument {param}"),
            )),
        }
    }

    fn int(&self, param: &str) -> Result<Option<i64>> {
        match self.literal(param)? {
            None | Some(Literal::Null) => Ok(None),
            Some(Literal::Int64(v)) => Ok(Some(*v)),
            Some(other) => Err(self.wrong(param, "an integer", other)),
        }
    }

    fn required_int(&self, param: &str) -> Result<i64> {
        self.int(param)?.ok_or_else(|| {
            Error::invalid(self.function, format!("argument {param} must not be NULL"))
        })
    }

    fn bool(&self, param: &str) -> Result<Option<bool>> {
        match self.literal(param)? {
            None | Some(Literal::Null) => Ok(None),
            Some(Literal::Boolean(b)) => Ok(Some(*b)),
            Some(other) => Err(self.wrong(param, "true or false", other)),
        }
    }

    fn flags(&self) -> Result<u32> {
        match self.int("flags")? {
            None => Ok(0),
            Some(v) => u32::try_from(v).map_err(|_| {
                Error::invalid(
                    self.function,
                    format!("flags must be a small non-negative integer, got {v}"),
                )
            }),
        }
    }

    /// A kernel's refusal of an argument, in this function's name.
    fn kernel(&self, e: KernelError) -> Error {
        match e {
            KernelError::InvalidArgument { message, .. } => Error::invalid(self.function, message),
            other => Error::invalid(self.function, other.to_string()),
        }
    }

    fn fillchar(&self) -> Result<char> {
        match self.string("fillchar")? {
            None => Ok(' '),
            Some(f) => fillchar(&f).map_err(|e| self.kernel(e)),
        }
    }

    fn contains_options(&self) -> Result<ContainsOptions> {
        Ok(ContainsOptions {
            case: self.bool("case")?.unwrap_or(true),
            flags: self.flags()?,
            na: self.bool("na")?,
            regex: if self.params.iter().any(|p| p.name == "regex") {
                self.bool("regex")?.unwrap_or(true)
            } else {
                true
            },
        })
    }

    fn find(&self, kind: FindKind) -> Result<Expr> {
        self.op(StrOp::Find {
            sub: self.required_string("sub")?,
            start: self.int("start")?.unwrap_or(0),
            end: self.int("end")?,
            kind,
        })
    }

    fn strip(&self, side: Side) -> Result<Expr> {
        self.op(StrOp::Strip {
            side,
            chars: self.string("to_strip")?,
        })
    }

    fn pad(&self, side: Side) -> Result<Expr> {
        self.op(StrOp::Pad {
            width: self.required_int("width")?,
            side,
            fillchar: self.fillchar()?,
        })
    }

    /// DuckDB's trims: spaces, or the given characters.
    fn trim(&self, side: Side) -> Result<Expr> {
        self.op(StrOp::Strip {
            side,
            chars: Some(self.string("characters")?.unwrap_or_else(|| " ".into())),
        })
    }

    /// DuckDB's `lpad` and `rpad`.
    fn pad_cut(&self, left: bool) -> Result<Expr> {
        self.op(StrOp::PadCut {
            width: self.required_int("count")?,
            fill: self.required_string("character")?,
            left,
        })
    }

    /// DuckDB's regex option letters (`options`) into Python flags (DuckDB's `.` matches
    /// a newline unless an option says otherwise); `l` (literal) and `g` (global) are
    /// returned apart.
    fn duckdb_options(&self) -> Result<(u32, bool, bool)> {
        let options = self.string("options")?.unwrap_or_default();
        let (mut re_flags, mut literal, mut global) = (flags::DOTALL, false, false);
        for c in options.chars() {
            match c {
                'i' => re_flags |= flags::IGNORECASE,
                'c' => re_flags &= !flags::IGNORECASE,
                'l' => literal = true,
                's' => re_flags |= flags::DOTALL,
                'm' | 'n' | 'p' => re_flags = (re_flags & !flags::DOTALL) | flags::MULTILINE,
                'g' => global = true,
                other => {
                    return Err(Error::invalid(
                        self.function,
                        format!("unknown regex option {other:?} (expected c, i, l, s, m, n, p, g)"),
                    ))
                }
            }
        }
        Ok((re_flags, literal, global))
    }

    /// A variadic call's operands: the first, then the rest.
    fn operands(&self) -> Vec<Expr> {
        std::iter::once(self.operand.clone())
            .chain(self.rest.iter().cloned())
            .collect()
    }
}

const fn req(name: &'static str, ty: ParamType) -> Param {
    Param {
        name,
        ty,
        default: None,
    }
}

const fn opt(name: &'static str, ty: ParamType, default: &'static str) -> Param {
    Param {
        name,
        ty,
        default: Some(default),
    }
}

use Dialect::{DuckDb, Pandas};
use Family as F;
use ParamType as T;

const CASE: Param = opt("case", T::Bool, "True");
const FLAGS: Param = opt("flags", T::Flags, "0");
const NA: Param = opt("na", T::Bool, "None");
const FIND: &[Param] = &[
    req("sub", T::Str),
    opt("start", T::Int, "0"),
    opt("end", T::Int, "None"),
];
const TO_STRIP: &[Param] = &[opt("to_strip", T::Str, "None")];
const JUST: &[Param] = &[req("width", T::Int), opt("fillchar", T::Str, "' '")];
const PAT_FLAGS: &[Param] = &[req("pat", T::Str), FLAGS];
const MATCH: &[Param] = &[req("pat", T::Str), CASE, FLAGS, NA];
const SEARCH: &[Param] = &[req("search_string", T::Str)];
const TRIM_CHARS: &[Param] = &[opt("characters", T::Str, "' '")];
const PATTERN_OPTIONS: &[Param] = &[req("pattern", T::Str), opt("options", T::Str, "''")];

/// A pandas method.
const fn pandas(
    name: &'static str,
    family: Family,
    params: &'static [Param],
    doc: &'static str,
    build: fn(&Bound<'_>) -> Result<Expr>,
) -> Function {
    Function {
        name,
        aliases: &[],
        dialect: Pandas,
        returns: None,
        own_nulls: false,
        family,
        params,
        variadic: false,
        doc,
        build,
    }
}

/// A DuckDB function.
const fn duckdb(
    name: &'static str,
    aliases: &'static [&'static str],
    returns: Returns,
    family: Family,
    params: &'static [Param],
    doc: &'static str,
    build: fn(&Bound<'_>) -> Result<Expr>,
) -> Function {
    Function {
        name,
        aliases,
        dialect: DuckDb,
        returns: Some(returns),
        own_nulls: false,
        family,
        params,
        variadic: false,
        doc,
        build,
    }
}

impl Function {
    /// The function builds its own result for a NULL argument.
    const fn own_nulls(mut self) -> Function {
        self.own_nulls = true;
        self
    }
}

/// Every string function, pandas' methods first in pandas' order, then DuckDB's.
pub static FUNCTIONS: &[Function] = &[
    // pandas: case
    pandas(
        "lower",
        F::Case,
        &[],
        "lowercase, Python's full mapping (final sigma)",
        |a| a.op(StrOp::Lower(CaseMapping::Full)),
    ),
    pandas(
        "upper",
        F::Case,
        &[],
        "uppercase, Python's full mapping (ß is SS)",
        |a| a.op(StrOp::Upper(CaseMapping::Full)),
    ),
    pandas(
        "title",
        F::Case,
        &[],
        "each word capitalised, Python's rules (titlecase digraphs)",
        |a| a.op(StrOp::Title),
    ),
    pandas(
        "capitalize",
        F::Case,
        &[],
        "the first character titlecased, the rest lowercased",
        |a| a.op(StrOp::Capitalize),
    ),
    pandas(
        "swapcase",
        F::Case,
        &[],
        "each character's case swapped",
        |a| a.op(StrOp::Swapcase),
    ),
    pandas(
        "casefold",
        F::Case,
        &[],
        "Unicode case folding, for caseless comparison",
        |a| a.op(StrOp::Casefold),
    ),
    // pandas: size
    pandas("len", F::Size, &[], "length in code points", |a| {
        a.op(StrOp::Len)
    }),
    // pandas: search
    pandas(
        "contains",
        F::Search,
        &[
            req("pat", T::Str),
            CASE,
            FLAGS,
            NA,
            opt("regex", T::Bool, "True"),
        ],
        "true where pat (a regex unless regex=False) occurs",
        |a| {
            a.op(StrOp::Contains {
                pat: a.required_string("pat")?,
                options: a.contains_options()?,
            })
        },
    ),
    pandas(
        "match",
        F::Search,
        MATCH,
        "true where the regex matches at the start",
        |a| {
            a.op(StrOp::Match {
                pat: a.required_string("pat")?,
                options: a.contains_options()?,
            })
        },
    ),
    pandas(
        "fullmatch",
        F::Search,
        MATCH,
        "true where the regex matches the whole string",
        |a| {
            a.op(StrOp::FullMatch {
                pat: a.required_string("pat")?,
                options: a.contains_options()?,
            })
        },
    ),
    pandas(
        "startswith",
        F::Search,
        &[req("pat", T::StrOrList), NA],
        "true where the string starts with pat (or any of a list)",
        |a| {
            a.op(StrOp::StartsWith {
                pats: a.strings("pat")?,
                na: a.bool("na")?,
            })
        },
    ),
    pandas(
        "endswith",
        F::Search,
        &[req("pat", T::StrOrList), NA],
        "true where the string ends with pat (or any of a list)",
        |a| {
            a.op(StrOp::EndsWith {
                pats: a.strings("pat")?,
                na: a.bool("na")?,
            })
        },
    ),
    pandas(
        "find",
        F::Search,
        FIND,
        "lowest index of sub in s[start:end], -1 when absent",
        |a| a.find(FindKind::Find),
    ),
    pandas(
        "rfind",
        F::Search,
        FIND,
        "highest index of sub in s[start:end], -1 when absent",
        |a| a.find(FindKind::Rfind),
    ),
    pandas(
        "index",
        F::Search,
        FIND,
        "as find, an error when absent",
        |a| a.find(FindKind::Index),
    ),
    pandas(
        "rindex",
        F::Search,
        FIND,
        "as rfind, an error when absent",
        |a| a.find(FindKind::Rindex),
    ),
    pandas(
        "count",
        F::Search,
        PAT_FLAGS,
        "number of non-overlapping regex matches",
        |a| {
            a.op(StrOp::Count {
                pat: a.required_string("pat")?,
                flags: a.flags()?,
            })
        },
    ),
    // pandas: rewrite
    pandas(
        "replace",
        F::Rewrite,
        &[
            req("pat", T::Str),
            req("repl", T::Str),
            opt("n", T::Int, "-1"),
            opt("case", T::Bool, "None"),
            FLAGS,
            opt("regex", T::Bool, "False"),
        ],
        "occurrences of pat replaced by repl (the first n; \\1 and \\g<name> with regex=True)",
        |a| {
            a.op(StrOp::Replace {
                pat: a.required_string("pat")?,
                repl: a.required_string("repl")?,
                options: ReplaceOptions {
                    n: a.int("n")?.unwrap_or(-1),
                    case: a.bool("case")?.unwrap_or(true),
                    flags: a.flags()?,
                    regex: a.bool("regex")?.unwrap_or(false),
                },
            })
        },
    ),
    pandas(
        "removeprefix",
        F::Rewrite,
        &[req("prefix", T::Str)],
        "the string without prefix",
        |a| a.op(StrOp::RemovePrefix(a.required_string("prefix")?)),
    ),
    pandas(
        "removesuffix",
        F::Rewrite,
        &[req("suffix", T::Str)],
        "the string without suffix",
        |a| a.op(StrOp::RemoveSuffix(a.required_string("suffix")?)),
    ),
    pandas(
        "translate",
        F::Rewrite,
        &[
            req("x", T::Str),
            opt("y", T::Str, "''"),
            opt("z", T::Str, "''"),
        ],
        "characters mapped by str.maketrans(x, y, z)",
        |a| {
            let x = a.required_string("x")?;
            let y = a.string("y")?.unwrap_or_default();
            let z = a.string("z")?.unwrap_or_default();
            let table = TranslateTable::maketrans(&x, &y, &z).map_err(|e| a.kernel(e))?;
            a.op(StrOp::Translate(table))
        },
    ),
    pandas(
        "repeat",
        F::Rewrite,
        &[req("repeats", T::Int)],
        "the string repeated",
        |a| a.op(StrOp::Repeat(a.int("repeats")?.unwrap_or(0))),
    ),
    pandas(
        "slice",
        F::Rewrite,
        &[
            opt("start", T::Int, "None"),
            opt("stop", T::Int, "None"),
            opt("step", T::Int, "None"),
        ],
        "s[start:stop:step], in code points",
        |a| {
            a.op(StrOp::Slice {
                start: a.int("start")?,
                stop: a.int("stop")?,
                step: a.int("step")?,
            })
        },
    ),
    pandas(
        "slice_replace",
        F::Rewrite,
        &[
            opt("start", T::Int, "None"),
            opt("stop", T::Int, "None"),
            opt("repl", T::Str, "None"),
        ],
        "s[start:stop] replaced by repl",
        |a| {
            a.op(StrOp::SliceReplace {
                start: a.int("start")?,
                stop: a.int("stop")?,
                repl: a.string("repl")?.unwrap_or_default(),
            })
        },
    ),
    pandas(
        "get",
        F::Rewrite,
        &[req("i", T::Int)],
        "the i-th character (or list item)",
        |a| a.op(StrOp::Get(a.required_int("i")?)),
    ),
    // pandas: padding
    pandas(
        "strip",
        F::Padding,
        TO_STRIP,
        "whitespace (or to_strip's characters) removed at both ends",
        |a| a.strip(Side::Both),
    ),
    pandas(
        "lstrip",
        F::Padding,
        TO_STRIP,
        "as strip, at the start",
        |a| a.strip(Side::Left),
    ),
    pandas(
        "rstrip",
        F::Padding,
        TO_STRIP,
        "as strip, at the end",
        |a| a.strip(Side::Right),
    ),
    pandas(
        "pad",
        F::Padding,
        &[
            req("width", T::Int),
            opt("side", T::Str, "'left'"),
            opt("fillchar", T::Str, "' '"),
        ],
        "padded to width with fillchar on side ('left', 'right', 'both')",
        |a| {
            let side = match a.string("side")?.as_deref() {
                None | Some("left") => Side::Left,
                Some("right") => Side::Right,
                Some("both") => Side::Both,
                Some(other) => {
                    return Err(Error::invalid(
                        a.function,
                        format!("side must be 'left', 'right' or 'both', got {other:?}"),
                    ))
                }
            };
            a.pad(side)
        },
    ),
    pandas(
        "ljust",
        F::Padding,
        JUST,
        "padded on the right to width",
        |a| a.pad(Side::Right),
    ),
    pandas(
        "rjust",
        F::Padding,
        JUST,
        "padded on the left to width",
        |a| a.pad(Side::Left),
    ),
    pandas(
        "center",
        F::Padding,
        JUST,
        "padded on both sides to width",
        |a| a.pad(Side::Both),
    ),
    pandas(
        "zfill",
        F::Padding,
        &[req("width", T::Int)],
        "zeros on the left to width, after a sign",
        |a| a.op(StrOp::Zfill(a.required_int("width")?)),
    ),
    // pandas: split, join
    pandas(
        "split",
        F::SplitJoin,
        &[
            opt("pat", T::Str, "None"),
            opt("n", T::Int, "-1"),
            opt("regex", T::Bool, "None"),
        ],
        "a list of the pieces between pat (whitespace when None)",
        |a| {
            a.op(StrOp::Split {
                pat: a.string("pat")?,
                n: a.int("n")?.unwrap_or(-1),
                regex: a.bool("regex")?,
            })
        },
    ),
    pandas(
        "rsplit",
        F::SplitJoin,
        &[opt("pat", T::Str, "None"), opt("n", T::Int, "-1")],
        "as split, the last n splits",
        |a| {
            a.op(StrOp::Rsplit {
                pat: a.string("pat")?,
                n: a.int("n")?.unwrap_or(-1),
            })
        },
    ),
    pandas(
        "partition",
        F::SplitJoin,
        &[opt("sep", T::Str, "' '")],
        "a struct of (before, sep, after) at the first sep",
        |a| {
            a.op(StrOp::Partition {
                sep: a.string("sep")?.unwrap_or_else(|| " ".into()),
                reverse: false,
            })
        },
    ),
    pandas(
        "rpartition",
        F::SplitJoin,
        &[opt("sep", T::Str, "' '")],
        "as partition, at the last sep",
        |a| {
            a.op(StrOp::Partition {
                sep: a.string("sep")?.unwrap_or_else(|| " ".into()),
                reverse: true,
            })
        },
    ),
    pandas(
        "join",
        F::SplitJoin,
        &[req("sep", T::Str)],
        "a list's items (or a string's characters) joined by sep",
        |a| a.op(StrOp::Join(a.required_string("sep")?)),
    ),
    Function {
        name: "cat",
        aliases: &[],
        dialect: Pandas,
        returns: None,
        own_nulls: false,
        family: F::SplitJoin,
        params: &[opt("sep", T::Str, "None"), opt("na_rep", T::Str, "None")],
        variadic: true,
        doc: "columns joined row by row with sep; a null is na_rep, or makes a null",
        build: |a| {
            Ok(Expr::Cat {
                exprs: a.operands(),
                sep: a.string("sep")?.unwrap_or_default(),
                na_rep: a.string("na_rep")?,
            })
        },
    },
    // pandas: regex extraction
    pandas(
        "extract",
        F::Extract,
        &[req("pat", T::Str), FLAGS, opt("expand", T::Bool, "True")],
        "the first match's groups: a struct, one field per group (named groups named)",
        |a| {
            a.op(StrOp::Extract {
                pat: a.required_string("pat")?,
                flags: a.flags()?,
                expand: a.bool("expand")?.unwrap_or(true),
            })
        },
    ),
    pandas(
        "extractall",
        F::Extract,
        PAT_FLAGS,
        "every match's groups: a list of structs",
        |a| {
            a.op(StrOp::ExtractAll {
                pat: a.required_string("pat")?,
                flags: a.flags()?,
            })
        },
    ),
    pandas(
        "findall",
        F::Extract,
        PAT_FLAGS,
        "a list of every match (or its groups)",
        |a| {
            a.op(StrOp::FindAll {
                pat: a.required_string("pat")?,
                flags: a.flags()?,
            })
        },
    ),
    // pandas: predicates
    pandas(
        "isalnum",
        F::Predicates,
        &[],
        "every character alphanumeric (Python's rules)",
        |a| a.op(StrOp::Is(CharClass::Alnum)),
    ),
    pandas(
        "isalpha",
        F::Predicates,
        &[],
        "every character alphabetic",
        |a| a.op(StrOp::Is(CharClass::Alpha)),
    ),
    pandas(
        "isdigit",
        F::Predicates,
        &[],
        "every character a digit (² too)",
        |a| a.op(StrOp::Is(CharClass::Digit)),
    ),
    pandas(
        "isdecimal",
        F::Predicates,
        &[],
        "every character a decimal digit",
        |a| a.op(StrOp::Is(CharClass::Decimal)),
    ),
    pandas(
        "isnumeric",
        F::Predicates,
        &[],
        "every character numeric (一 too)",
        |a| a.op(StrOp::Is(CharClass::Numeric)),
    ),
    pandas(
        "isspace",
        F::Predicates,
        &[],
        "every character whitespace (U+001C..U+001F too)",
        |a| a.op(StrOp::Is(CharClass::Space)),
    ),
    pandas(
        "islower",
        F::Predicates,
        &[],
        "cased characters all lowercase, at least one",
        |a| a.op(StrOp::Is(CharClass::Lower)),
    ),
    pandas(
        "isupper",
        F::Predicates,
        &[],
        "cased characters all uppercase, at least one",
        |a| a.op(StrOp::Is(CharClass::Upper)),
    ),
    pandas("istitle", F::Predicates, &[], "titlecased words", |a| {
        a.op(StrOp::Is(CharClass::Title))
    }),
    pandas(
        "isascii",
        F::Predicates,
        &[],
        "every character ASCII (true for '')",
        |a| a.op(StrOp::Is(CharClass::Ascii)),
    ),
    // pandas: Unicode
    pandas(
        "normalize",
        F::Unicode,
        &[req("form", T::Str)],
        "Unicode normal form NFC, NFD, NFKC or NFKD",
        |a| {
            let form: Form = a
                .required_string("form")?
                .parse()
                .map_err(|e| a.kernel(e))?;
            a.op(StrOp::Normalize(form))
        },
    ),
    // DuckDB
    duckdb(
        "lower",
        &["lcase"],
        Returns::Str,
        F::Case,
        &[],
        "lowercase, one code point at a time",
        |a| a.op(StrOp::Lower(CaseMapping::Simple)),
    ),
    duckdb(
        "upper",
        &["ucase"],
        Returns::Str,
        F::Case,
        &[],
        "uppercase, one code point at a time",
        |a| a.op(StrOp::Upper(CaseMapping::Simple)),
    ),
    duckdb(
        "length",
        &["len", "char_length", "character_length"],
        Returns::Int,
        F::Size,
        &[],
        "length in code points",
        |a| a.op(StrOp::Len),
    ),
    duckdb(
        "strlen",
        &["octet_length"],
        Returns::Int,
        F::Size,
        &[],
        "length in bytes",
        |a| a.op(StrOp::ByteLength),
    ),
    duckdb(
        "contains",
        &[],
        Returns::Bool,
        F::Search,
        SEARCH,
        "literal substring test",
        |a| {
            a.op(StrOp::Contains {
                pat: a.required_string("search_string")?,
                options: ContainsOptions {
                    regex: false,
                    ..Default::default()
                },
            })
        },
    ),
    duckdb(
        "starts_with",
        &["prefix"],
        Returns::Bool,
        F::Search,
        SEARCH,
        "literal prefix test",
        |a| {
            a.op(StrOp::StartsWith {
                pats: vec![a.required_string("search_string")?],
                na: None,
            })
        },
    ),
    duckdb(
        "ends_with",
        &["suffix"],
        Returns::Bool,
        F::Search,
        SEARCH,
        "literal suffix test",
        |a| {
            a.op(StrOp::EndsWith {
                pats: vec![a.required_string("search_string")?],
                na: None,
            })
        },
    ),
    duckdb(
        "strpos",
        &["instr"],
        Returns::Int,
        F::Search,
        SEARCH,
        "1-based position of search_string in code points, 0 when absent; also position(t IN s)",
        |a| {
            let find = a.op(StrOp::Find {
                sub: a.required_string("search_string")?,
                start: 0,
                end: None,
                kind: FindKind::Find,
            })?;
            Ok(find + lit(1))
        },
    ),
    duckdb(
        "regexp_matches",
        &[],
        Returns::Bool,
        F::Search,
        PATTERN_OPTIONS,
        "regex search (RE2); options 'i', 'c', 's', 'm'/'n'/'p', 'l'",
        |a| {
            let (flags, literal, _) = a.duckdb_options()?;
            a.op(StrOp::Contains {
                pat: a.required_string("pattern")?,
                options: ContainsOptions {
                    case: true,
                    flags,
                    regex: !literal,
                    na: None,
                },
            })
        },
    ),
    duckdb(
        "regexp_full_match",
        &[],
        Returns::Bool,
        F::Search,
        PATTERN_OPTIONS,
        "the regex matches all of s",
        |a| {
            let (flags, literal, _) = a.duckdb_options()?;
            let pat = a.required_string("pattern")?;
            a.op(StrOp::FullMatch {
                pat: if literal { regex_escape(&pat) } else { pat },
                options: ContainsOptions {
                    case: true,
                    flags,
                    regex: true,
                    na: None,
                },
            })
        },
    ),
    duckdb(
        "replace",
        &[],
        Returns::Str,
        F::Rewrite,
        &[req("source", T::Str), req("target", T::Str)],
        "every literal occurrence of source replaced by target",
        |a| {
            let pat = a.required_string("source")?;
            // DuckDB leaves a string alone for an empty search string.
            let n = if pat.is_empty() { 0 } else { -1 };
            a.op(StrOp::Replace {
                pat,
                repl: a.required_string("target")?,
                options: ReplaceOptions {
                    n,
                    ..Default::default()
                },
            })
        },
    ),
    duckdb(
        "regexp_replace",
        &[],
        Returns::Str,
        F::Rewrite,
        &[
            req("pattern", T::Str),
            req("replacement", T::Str),
            opt("options", T::Str, "''"),
        ],
        "the first match (every match with option 'g') replaced; \\1 in replacement",
        |a| {
            let (flags, literal, global) = a.duckdb_options()?;
            let pat = a.required_string("pattern")?;
            a.op(StrOp::RegexpReplace {
                pat: if literal { regex_escape(&pat) } else { pat },
                repl: a.required_string("replacement")?,
                flags,
                global,
            })
        },
    ),
    duckdb(
        "translate",
        &[],
        Returns::Str,
        F::Rewrite,
        &[req("from", T::Str), req("to", T::Str)],
        "characters of from mapped to those of to; extra ones deleted",
        |a| {
            let table =
                TranslateTable::duckdb(&a.required_string("from")?, &a.required_string("to")?);
            a.op(StrOp::Translate(table))
        },
    ),
    duckdb(
        "repeat",
        &[],
        Returns::Str,
        F::Rewrite,
        &[req("count", T::Int)],
        "count copies",
        |a| a.op(StrOp::Repeat(a.int("count")?.unwrap_or(0))),
    ),
    duckdb(
        "reverse",
        &[],
        Returns::Str,
        F::Rewrite,
        &[],
        "grapheme clusters in reverse order (an emoji with its modifiers stays whole)",
        |a| a.op(StrOp::ReverseGraphemes),
    ),
    duckdb(
        "substring",
        &["substr"],
        Returns::Str,
        F::Rewrite,
        &[req("start", T::Int), opt("length", T::Int, "NULL")],
        "length code points from the 1-based start (negative: from the end)",
        |a| {
            a.op(StrOp::Substr {
                start: a.required_int("start")?,
                length: a.int("length")?,
            })
        },
    ),
    duckdb(
        "left",
        &[],
        Returns::Str,
        F::Rewrite,
        &[req("count", T::Int)],
        "the first count code points (negative: all but the last)",
        |a| {
            let n = a.int("count")?.unwrap_or(0);
            a.op(StrOp::Slice {
                start: None,
                stop: Some(n),
                step: None,
            })
        },
    ),
    duckdb(
        "right",
        &[],
        Returns::Str,
        F::Rewrite,
        &[req("count", T::Int)],
        "the last count code points (negative: all but the first)",
        |a| {
            let n = a.int("count")?.unwrap_or(0);
            // right(s, 0) is empty.
            let start = if n == 0 { i64::MAX } else { -n };
            a.op(StrOp::Slice {
                start: Some(start),
                stop: None,
                step: None,
            })
        },
    ),
    duckdb(
        "trim",
        &[],
        Returns::Str,
        F::Padding,
        TRIM_CHARS,
        "the characters (spaces by default) removed at both ends; also TRIM(x FROM s)",
        |a| a.trim(Side::Both),
    ),
    duckdb(
        "ltrim",
        &[],
        Returns::Str,
        F::Padding,
        TRIM_CHARS,
        "as trim, at the start",
        |a| a.trim(Side::Left),
    ),
    duckdb(
        "rtrim",
        &[],
        Returns::Str,
        F::Padding,
        TRIM_CHARS,
        "as trim, at the end",
        |a| a.trim(Side::Right),
    ),
    duckdb(
        "lpad",
        &[],
        Returns::Str,
        F::Padding,
        &[req("count", T::Int), req("character", T::Str)],
        "filled on the left to count code points with character (repeated), or cut to count",
        |a| a.pad_cut(true),
    ),
    duckdb(
        "rpad",
        &[],
        Returns::Str,
        F::Padding,
        &[req("count", T::Int), req("character", T::Str)],
        "filled on the right to count code points, or cut to count",
        |a| a.pad_cut(false),
    ),
    duckdb(
        "split_part",
        &[],
        Returns::Str,
        F::SplitJoin,
        &[req("separator", T::Str), req("index", T::Int)],
        "the 1-based index-th piece ('' when missing; negative from the end)",
        |a| {
            a.op(StrOp::SplitPart {
                sep: a.required_string("separator")?,
                index: a.required_int("index")?,
            })
        },
    ),
    duckdb(
        "string_split",
        &["string_to_array", "split"],
        Returns::StrList,
        F::SplitJoin,
        &[req("separator", T::Str)],
        "a list of the pieces (characters for an empty separator)",
        |a| {
            // DuckDB: a NULL separator does not split.
            if a.is_null("separator") {
                return a.op(StrOp::FindAll {
                    pat: r"(?s)\A.*\Z".into(),
                    flags: 0,
                });
            }
            let sep = a.required_string("separator")?;
            if sep.is_empty() {
                return a.op(StrOp::FindAll {
                    pat: "(?s).".into(),
                    flags: 0,
                });
            }
            a.op(StrOp::Split {
                pat: Some(sep),
                n: -1,
                regex: Some(false),
            })
        },
    )
    .own_nulls(),
    duckdb(
        "regexp_split_to_array",
        &["string_split_regex"],
        Returns::StrList,
        F::SplitJoin,
        &[req("pattern", T::Str)],
        "a list of the pieces between regex matches",
        |a| {
            a.op(StrOp::Split {
                pat: Some(a.required_string("pattern")?),
                n: -1,
                regex: Some(true),
            })
        },
    ),
    Function {
        name: "concat",
        aliases: &[],
        dialect: DuckDb,
        returns: Some(Returns::Str),
        own_nulls: false,
        family: F::SplitJoin,
        params: &[],
        variadic: true,
        doc: "text joined, nulls skipped (a || b is null on null)",
        build: |a| {
            Ok(Expr::Cat {
                exprs: a.operands(),
                sep: String::new(),
                na_rep: Some(String::new()),
            })
        },
    },
    duckdb(
        "regexp_extract",
        &[],
        Returns::Str,
        F::Extract,
        &[
            req("pattern", T::Str),
            opt("group", T::Int, "0"),
            opt("options", T::Str, "''"),
        ],
        "a group of the first match, '' when none",
        |a| {
            // DuckDB: a NULL group extracts nothing (''); a NULL pattern or options, NULL.
            if a.is_null("pattern") || a.is_null("options") {
                return Ok(a.null(Returns::Str));
            }
            if a.is_null("group") {
                return Ok(Expr::Case {
                    branches: vec![(a.operand.clone().is_null(), Returns::Str.null())],
                    otherwise: Some(Box::new(lit(""))),
                });
            }
            let (flags, _, _) = a.duckdb_options()?;
            let group = a.int("group")?.unwrap_or(0);
            let group = usize::try_from(group).map_err(|_| {
                Error::invalid(a.function, format!("group must be 0 or more, got {group}"))
            })?;
            a.op(StrOp::RegexpExtract {
                pat: a.required_string("pattern")?,
                group,
                flags,
            })
        },
    )
    .own_nulls(),
    duckdb(
        "nfc_normalize",
        &[],
        Returns::Str,
        F::Unicode,
        &[],
        "Unicode NFC",
        |a| a.op(StrOp::Normalize(Form::Nfc)),
    ),
];

/// The pandas method `name` (`contains`), or DuckDB's function `name` or alias.
pub fn lookup(dialect: Dialect, name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|f| {
        f.dialect == dialect
            && (f.name.eq_ignore_ascii_case(name)
                || f.aliases.iter().any(|a| a.eq_ignore_ascii_case(name)))
    })
}

/// A pattern that matches `s` literally (DuckDB's `l` option).
pub(crate) fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~ \t\n".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The README's table of the pandas operations, by family (kept equal to the README by
/// a test; `spindle functions --markdown` prints it).
pub fn markdown_table() -> String {
    let mut out = String::from("| family | operations |\n|---|---|\n");
    let families = [
        F::Case,
        F::Size,
        F::Search,
        F::Rewrite,
        F::Padding,
        F::SplitJoin,
        F::Extract,
        F::Predicates,
        F::Unicode,
    ];
    for family in families {
        let ops: Vec<String> = FUNCTIONS
            .iter()
            .filter(|f| f.dialect == Pandas && f.family == family)
            .map(|f| format!("`{}`", f.signature()))
            .collect();
        out.push_str(&format!("| {} | {} |\n", family.name(), ops.join(", ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::col;

    #[test]
    fn names_are_unique_within_a_dialect() {
        for (i, f) in FUNCTIONS.iter().enumerate() {
            for name in std::iter::once(&f.name).chain(f.aliases) {
                let twin = FUNCTIONS[..i].iter().find(|g| {
                    g.dialect == f.dialect && (g.name == *name || g.aliases.contains(name))
                });
                assert!(twin.is_none(), "{name} twice");
            }
        }
    }

    #[test]
    fn a_call_binds_positional_named_and_default_arguments() {
        let contains = lookup(Pandas, "contains").unwrap();
        let e = contains
            .call(
                col("s"),
                vec![Arg::positional(lit("a.c")), Arg::named("case", lit(false))],
            )
            .unwrap();
        let Expr::Str(_, StrOp::Contains { pat, options }) = e else {
            panic!("{e:?}")
        };
        assert_eq!(pat, "a.c");
        assert!(!options.case && options.regex && options.na.is_none());
        let err = |args: Vec<Arg>| contains.call(col("s"), args).unwrap_err().to_string();
        assert!(err(vec![]).contains("missing argument pat"));
        assert!(err(vec![Arg::named("pattern", lit("x"))]).contains("unknown argument"));
        assert!(err(vec![Arg::named("pat", lit(1))]).contains("must be a string"));
        assert!(err(vec![
            Arg::named("pat", lit("x")),
            Arg::positional(lit(true))
        ])
        .contains("positional argument after a named one"));
    }

    /// The frame API's typed methods and the catalogue's dispatch by name (what SQL and
    /// Python call) build the same expression, defaults included, for every pandas
    /// method: a method added to the list must be added here, and to `StrNamespace`.
    #[test]
    fn the_typed_methods_build_what_the_catalogue_builds() {
        let s = || col("s").str();
        let p = |v: Expr| Arg::positional(v);
        let named = |n: &str, v: Expr| Arg::named(n, v);
        let cases: Vec<(&str, Vec<Arg>, Expr)> = vec![
            ("lower", vec![], s().lower()),
            ("upper", vec![], s().upper()),
            ("title", vec![], s().title()),
            ("capitalize", vec![], s().capitalize()),
            ("swapcase", vec![], s().swapcase()),
            ("casefold", vec![], s().casefold()),
            ("len", vec![], s().len()),
            ("contains", vec![p(lit("a+"))], s().contains("a+")),
            (
                "contains",
                vec![p(lit("a")), named("regex", lit(false))],
                s().contains_literal("a"),
            ),
            ("match", vec![p(lit("a"))], s().match_("a")),
            ("fullmatch", vec![p(lit("a"))], s().fullmatch("a")),
            ("startswith", vec![p(lit("a"))], s().startswith("a")),
            ("endswith", vec![p(lit("a"))], s().endswith("a")),
            ("find", vec![p(lit("a"))], s().find("a")),
            (
                "find",
                vec![p(lit("a")), p(lit(1)), p(lit(-1))],
                s().find_in("a", 1, Some(-1)),
            ),
            ("rfind", vec![p(lit("a"))], s().rfind("a")),
            ("index", vec![p(lit("a"))], s().index("a")),
            ("rindex", vec![p(lit("a"))], s().rindex("a")),
            ("count", vec![p(lit("a"))], s().count("a")),
            (
                "replace",
                vec![p(lit("a")), p(lit("b"))],
                s().replace("a", "b"),
            ),
            (
                "replace",
                vec![p(lit("(a)")), p(lit(r"\1")), named("regex", lit(true))],
                s().replace_regex("(a)", r"\1"),
            ),
            ("removeprefix", vec![p(lit("a"))], s().removeprefix("a")),
            ("removesuffix", vec![p(lit("a"))], s().removesuffix("a")),
            (
                "translate",
                vec![p(lit("ab")), p(lit("cd"))],
                s().translate(TranslateTable::maketrans("ab", "cd", "").unwrap()),
            ),
            ("repeat", vec![p(lit(3))], s().repeat(3)),
            (
                "slice",
                vec![p(lit(1)), p(lit(4))],
                s().slice(Some(1), Some(4)),
            ),
            (
                "slice_replace",
                vec![p(lit(1)), p(lit(2)), p(lit("x"))],
                s().slice_replace(Some(1), Some(2), "x"),
            ),
            ("get", vec![p(lit(0))], s().get(0)),
            ("strip", vec![], s().strip()),
            ("lstrip", vec![], s().lstrip()),
            ("rstrip", vec![p(lit("x"))], s().rstrip_chars("x")),
            ("pad", vec![p(lit(5))], s().pad(5, Side::Left, ' ')),
            ("ljust", vec![p(lit(5)), p(lit("*"))], s().ljust(5, '*')),
            ("rjust", vec![p(lit(5))], s().rjust(5, ' ')),
            ("center", vec![p(lit(5))], s().center(5, ' ')),
            ("zfill", vec![p(lit(5))], s().zfill(5)),
            ("split", vec![p(lit(","))], s().split(",")),
            ("split", vec![], s().split_whitespace()),
            (
                "rsplit",
                vec![p(lit(",")), p(lit(1))],
                s().rsplit(Some(",".into()), 1),
            ),
            ("partition", vec![p(lit("-"))], s().partition("-")),
            ("rpartition", vec![p(lit("-"))], s().rpartition("-")),
            ("join", vec![p(lit("-"))], s().join("-")),
            (
                "cat",
                vec![p(col("t")), named("sep", lit("/"))],
                s().cat([col("t")], "/", None),
            ),
            ("extract", vec![p(lit("(a)"))], s().extract("(a)")),
            ("extractall", vec![p(lit("(a)"))], s().extractall("(a)")),
            ("findall", vec![p(lit("a"))], s().findall("a")),
            ("isalnum", vec![], s().isalnum()),
            ("isalpha", vec![], s().isalpha()),
            ("isdigit", vec![], s().isdigit()),
            ("isdecimal", vec![], s().isdecimal()),
            ("isnumeric", vec![], s().isnumeric()),
            ("isspace", vec![], s().isspace()),
            ("islower", vec![], s().islower()),
            ("isupper", vec![], s().isupper()),
            ("istitle", vec![], s().istitle()),
            ("isascii", vec![], s().isascii()),
            ("normalize", vec![p(lit("NFKC"))], s().normalize(Form::Nfkc)),
        ];
        for f in FUNCTIONS.iter().filter(|f| f.dialect == Pandas) {
            assert!(
                cases.iter().any(|(name, _, _)| *name == f.name),
                "no typed method checked for str.{}",
                f.name
            );
        }
        for (name, args, typed) in cases {
            assert_eq!(s().call(name, args).unwrap(), typed, "str.{name}");
        }
        assert!(s().call("nope", Vec::new()).is_err());
    }

    #[test]
    fn signatures_read_as_their_dialect_writes_them() {
        assert_eq!(
            lookup(Pandas, "contains").unwrap().signature(),
            "contains(pat, case=True, flags=0, na=None, regex=True)"
        );
        assert_eq!(
            lookup(Pandas, "cat").unwrap().signature(),
            "cat(others..., sep=None, na_rep=None)"
        );
        assert_eq!(
            lookup(DuckDb, "instr").unwrap().signature(),
            "strpos(s, search_string)"
        );
        assert_eq!(lookup(DuckDb, "substr").unwrap().sql_name(), "substring");
    }
}
