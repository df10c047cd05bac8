//! The function registry of the SQL front end, under spindle's naming rule:
//!
//! - a function DuckDB has keeps DuckDB's name and meaning (`lower`, `length`, `contains`,
//!   `strpos`, `replace`, `regexp_replace`, `regexp_extract`, `string_split`, ...);
//! - every pandas `.str` method is also there as `str_<name>`, with pandas' meaning and
//!   pandas' keyword arguments as SQL named arguments:
//!   `str_contains(text, '\d+', regex => true, case => false)`.
//!
//! The difference matters: DuckDB's `upper('straße')` maps one code point at a time and
//! gives `STRAẞE`; pandas' (Python's) `str_upper` gives `STRASSE`.

use spindle_kernels::{
    fillchar, flags, CaseMapping, CharClass, ContainsOptions, FindKind, Form, KernelError,
    ReplaceOptions, Side, StrOp, TranslateTable,
};

use crate::error::{Error, Result};
use crate::expr::{lit, Expr, Literal};

/// One argument of a call, positional or named.
#[derive(Debug, Clone)]
pub(crate) struct Arg {
    pub name: Option<String>,
    pub value: Expr,
}

/// The pandas `.str` methods, as `str_<name>`: the parameters after the string operand
/// (pandas' names and order) and how many of them are required.
const PANDAS: &[(&str, &[&str], usize)] = &[
    ("len", &[], 0),
    ("lower", &[], 0),
    ("upper", &[], 0),
    ("title", &[], 0),
    ("capitalize", &[], 0),
    ("swapcase", &[], 0),
    ("casefold", &[], 0),
    ("contains", &["pat", "case", "flags", "na", "regex"], 1),
    ("match", &["pat", "case", "flags", "na"], 1),
    ("fullmatch", &["pat", "case", "flags", "na"], 1),
    ("startswith", &["pat", "na"], 1),
    ("endswith", &["pat", "na"], 1),
    ("find", &["sub", "start", "end"], 1),
    ("rfind", &["sub", "start", "end"], 1),
    ("index", &["sub", "start", "end"], 1),
    ("rindex", &["sub", "start", "end"], 1),
    ("count", &["pat", "flags"], 1),
    (
        "replace",
        &["pat", "repl", "n", "case", "flags", "regex"],
        2,
    ),
    ("removeprefix", &["prefix"], 1),
    ("removesuffix", &["suffix"], 1),
    ("translate", &["x", "y", "z"], 1),
    ("repeat", &["repeats"], 1),
    ("slice", &["start", "stop", "step"], 0),
    ("slice_replace", &["start", "stop", "repl"], 0),
    ("get", &["i"], 1),
    ("strip", &["to_strip"], 0),
    ("lstrip", &["to_strip"], 0),
    ("rstrip", &["to_strip"], 0),
    ("pad", &["width", "side", "fillchar"], 1),
    ("ljust", &["width", "fillchar"], 1),
    ("rjust", &["width", "fillchar"], 1),
    ("center", &["width", "fillchar"], 1),
    ("zfill", &["width"], 1),
    ("split", &["pat", "n", "regex"], 0),
    ("rsplit", &["pat", "n"], 0),
    ("partition", &["sep"], 0),
    ("rpartition", &["sep"], 0),
    ("join", &["sep"], 1),
    ("extract", &["pat", "flags", "expand"], 1),
    ("extractall", &["pat", "flags"], 1),
    ("findall", &["pat", "flags"], 1),
    ("isalnum", &[], 0),
    ("isalpha", &[], 0),
    ("isdigit", &[], 0),
    ("isdecimal", &[], 0),
    ("isnumeric", &[], 0),
    ("isspace", &[], 0),
    ("islower", &[], 0),
    ("isupper", &[], 0),
    ("istitle", &[], 0),
    ("isascii", &[], 0),
    ("normalize", &["form"], 1),
];

/// DuckDB's functions, by name, with what they do.
const DUCKDB: &[(&str, &str)] = &[
    ("lower(s) / lcase(s)", "lowercase, one code point at a time"),
    ("upper(s) / ucase(s)", "uppercase, one code point at a time"),
    (
        "length(s) / len(s) / char_length(s)",
        "length in code points",
    ),
    ("strlen(s) / octet_length(s)", "length in bytes"),
    ("contains(s, t)", "literal substring test"),
    ("starts_with(s, t) / prefix(s, t)", "literal prefix test"),
    ("ends_with(s, t) / suffix(s, t)", "literal suffix test"),
    (
        "strpos(s, t) / instr(s, t) / position(t IN s)",
        "1-based position of t in code points, 0 when absent",
    ),
    ("replace(s, from, to)", "every literal occurrence replaced"),
    (
        "translate(s, from, to)",
        "characters mapped; extra ones deleted",
    ),
    ("repeat(s, n)", "n copies"),
    ("reverse(s)", "code points in reverse order"),
    (
        "substring(s, start[, length]) / substr(...)",
        "length code points from the 1-based start (negative: from the end)",
    ),
    (
        "split_part(s, sep, index)",
        "the 1-based index-th piece ('' when missing; negative from the end)",
    ),
    (
        "left(s, n) / right(s, n)",
        "the first / last n code points (negative n: all but)",
    ),
    (
        "concat(a, ...)",
        "text joined, nulls skipped; a || b is null on null",
    ),
    (
        "string_split(s, sep) / string_to_array(s, sep) / split(s, sep)",
        "a list of the pieces",
    ),
    (
        "regexp_matches(s, pattern[, options])",
        "regex search; options 'i', 'c', 's', 'm'/'n'/'p', 'l'",
    ),
    (
        "regexp_full_match(s, pattern[, options])",
        "the regex matches all of s",
    ),
    (
        "regexp_replace(s, pattern, repl[, options])",
        "the first match (every match with option 'g') replaced; \\1 in repl",
    ),
    (
        "regexp_extract(s, pattern[, group])",
        "a group of the first match, '' when none",
    ),
    (
        "regexp_split_to_array(s, pattern) / string_split_regex(s, pattern)",
        "a list of the pieces between matches",
    ),
    ("nfc_normalize(s)", "Unicode NFC"),
];

/// Every function the SQL front end knows, with a line on each, for help texts.
pub fn functions() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = DUCKDB
        .iter()
        .map(|(n, what)| (n.to_string(), format!("DuckDB: {what}")))
        .collect();
    out.push((
        "str_cat(s, others..., sep, na_rep)".into(),
        "pandas: columns joined row by row".into(),
    ));
    for (name, params, _) in PANDAS {
        let mut sig = String::from("s");
        for p in *params {
            sig.push_str(", ");
            sig.push_str(p);
        }
        let what = match *name {
            "translate" => "pandas: Series.str.translate(str.maketrans(x, y, z))".to_string(),
            _ => format!("pandas: Series.str.{name}, Python's semantics"),
        };
        out.push((format!("str_{name}({sig})"), what));
    }
    out
}

/// Binds positional and named arguments to `params` (after the first, the string operand);
/// returns the operand and one slot per parameter.
fn bind(
    function: &str,
    args: Vec<Arg>,
    params: &[&str],
    required: usize,
) -> Result<(Expr, Vec<Option<Expr>>)> {
    let mut slots: Vec<Option<Expr>> = vec![None; params.len()];
    let mut args = args.into_iter();
    let operand = match args.next() {
        Some(Arg { name: None, value }) => value,
        _ => {
            return Err(Error::invalid(
                function,
                "expects a string operand as its first argument",
            ))
        }
    };
    let (mut position, mut named) = (0, false);
    for arg in args {
        let slot = match &arg.name {
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
                    .position(|p| p.eq_ignore_ascii_case(name))
                    .ok_or_else(|| {
                        Error::invalid(
                            function,
                            format!("unknown argument {name:?}; it takes {}", params.join(", ")),
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
                format!("argument {} given twice", params[slot]),
            ));
        }
        slots[slot] = Some(arg.value);
    }
    if let Some(missing) = slots[..required].iter().position(Option::is_none) {
        return Err(Error::invalid(
            function,
            format!("missing argument {}", params[missing]),
        ));
    }
    Ok((operand, slots))
}

/// Reads the constant arguments of one call.
struct Args<'a> {
    function: &'a str,
    params: &'a [&'a str],
    slots: Vec<Option<Expr>>,
}

impl Args<'_> {
    fn literal(&self, param: &str) -> Result<Option<&Literal>> {
        let i = self
            .params
            .iter()
            .position(|p| *p == param)
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
            regex: if self.params.contains(&"regex") {
                self.bool("regex")?.unwrap_or(true)
            } else {
                true
            },
        })
    }
}

/// Builds the [`StrOp`] of the pandas method `name` from its bound arguments.
fn pandas_op(name: &str, a: &Args<'_>) -> Result<StrOp> {
    let find = |kind| -> Result<StrOp> {
        Ok(StrOp::Find {
            sub: a.required_string("sub")?,
            start: a.int("start")?.unwrap_or(0),
            end: a.int("end")?,
            kind,
        })
    };
    let strip = |side| -> Result<StrOp> {
        Ok(StrOp::Strip {
            side,
            chars: a.string("to_strip")?,
        })
    };
    let width = || -> Result<i64> {
        a.int("width")?
            .ok_or_else(|| Error::invalid(a.function, "argument width must not be NULL"))
    };
    let pad = |side| -> Result<StrOp> {
        Ok(StrOp::Pad {
            width: width()?,
            side,
            fillchar: a.fillchar()?,
        })
    };
    let class = |c| Ok(StrOp::Is(c));
    match name {
        "len" => Ok(StrOp::Len),
        "lower" => Ok(StrOp::Lower(CaseMapping::Full)),
        "upper" => Ok(StrOp::Upper(CaseMapping::Full)),
        "title" => Ok(StrOp::Title),
        "capitalize" => Ok(StrOp::Capitalize),
        "swapcase" => Ok(StrOp::Swapcase),
        "casefold" => Ok(StrOp::Casefold),
        "contains" => Ok(StrOp::Contains {
            pat: a.required_string("pat")?,
            options: a.contains_options()?,
        }),
        "match" => Ok(StrOp::Match {
            pat: a.required_string("pat")?,
            options: a.contains_options()?,
        }),
        "fullmatch" => Ok(StrOp::FullMatch {
            pat: a.required_string("pat")?,
            options: a.contains_options()?,
        }),
        "startswith" => Ok(StrOp::StartsWith {
            pats: a.strings("pat")?,
            na: a.bool("na")?,
        }),
        "endswith" => Ok(StrOp::EndsWith {
            pats: a.strings("pat")?,
            na: a.bool("na")?,
        }),
        "find" => find(FindKind::Find),
        "rfind" => find(FindKind::Rfind),
        "index" => find(FindKind::Index),
        "rindex" => find(FindKind::Rindex),
        "count" => Ok(StrOp::Count {
            pat: a.required_string("pat")?,
            flags: a.flags()?,
        }),
        "replace" => Ok(StrOp::Replace {
            pat: a.required_string("pat")?,
            repl: a.required_string("repl")?,
            options: ReplaceOptions {
                n: a.int("n")?.unwrap_or(-1),
                case: a.bool("case")?.unwrap_or(true),
                flags: a.flags()?,
                regex: a.bool("regex")?.unwrap_or(false),
            },
        }),
        "removeprefix" => Ok(StrOp::RemovePrefix(a.required_string("prefix")?)),
        "removesuffix" => Ok(StrOp::RemoveSuffix(a.required_string("suffix")?)),
        "translate" => {
            let x = a.required_string("x")?;
            let y = a.string("y")?.unwrap_or_default();
            let z = a.string("z")?.unwrap_or_default();
            let table = TranslateTable::maketrans(&x, &y, &z).map_err(|e| a.kernel(e))?;
            Ok(StrOp::Translate(table))
        }
        "repeat" => Ok(StrOp::Repeat(a.int("repeats")?.unwrap_or(0))),
        "slice" => Ok(StrOp::Slice {
            start: a.int("start")?,
            stop: a.int("stop")?,
            step: a.int("step")?,
        }),
        "slice_replace" => Ok(StrOp::SliceReplace {
            start: a.int("start")?,
            stop: a.int("stop")?,
            repl: a.string("repl")?.unwrap_or_default(),
        }),
        "get" => Ok(StrOp::Get(a.int("i")?.ok_or_else(|| {
            Error::invalid(a.function, "argument i must not be NULL")
        })?)),
        "strip" => strip(Side::Both),
        "lstrip" => strip(Side::Left),
        "rstrip" => strip(Side::Right),
        "pad" => {
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
            pad(side)
        }
        "ljust" => pad(Side::Right),
        "rjust" => pad(Side::Left),
        "center" => pad(Side::Both),
        "zfill" => Ok(StrOp::Zfill(width()?)),
        "split" => Ok(StrOp::Split {
            pat: a.string("pat")?,
            n: a.int("n")?.unwrap_or(-1),
            regex: a.bool("regex")?,
        }),
        "rsplit" => Ok(StrOp::Rsplit {
            pat: a.string("pat")?,
            n: a.int("n")?.unwrap_or(-1),
        }),
        "partition" | "rpartition" => Ok(StrOp::Partition {
            sep: a.string("sep")?.unwrap_or_else(|| " ".into()),
            reverse: name == "rpartition",
        }),
        "join" => Ok(StrOp::Join(a.required_string("sep")?)),
        "extract" => Ok(StrOp::Extract {
            pat: a.required_string("pat")?,
            flags: a.flags()?,
            expand: a.bool("expand")?.unwrap_or(true),
        }),
        "extractall" => Ok(StrOp::ExtractAll {
            pat: a.required_string("pat")?,
            flags: a.flags()?,
        }),
        "findall" => Ok(StrOp::FindAll {
            pat: a.required_string("pat")?,
            flags: a.flags()?,
        }),
        "normalize" => {
            let form: Form = a
                .required_string("form")?
                .parse()
                .map_err(|e| a.kernel(e))?;
            Ok(StrOp::Normalize(form))
        }
        "isalnum" => class(CharClass::Alnum),
        "isalpha" => class(CharClass::Alpha),
        "isdigit" => class(CharClass::Digit),
        "isdecimal" => class(CharClass::Decimal),
        "isnumeric" => class(CharClass::Numeric),
        "isspace" => class(CharClass::Space),
        "islower" => class(CharClass::Lower),
        "isupper" => class(CharClass::Upper),
        "istitle" => class(CharClass::Title),
        "isascii" => class(CharClass::Ascii),
        other => unreachable!("{other} is in PANDAS"),
    }
}

/// Binds a call of a function that takes `params` after its operand and reads them.
fn with_args<'a>(
    f: &'a str,
    args: Vec<Arg>,
    params: &'a [&'a str],
    required: usize,
) -> Result<(Expr, Args<'a>)> {
    let (operand, slots) = bind(f, args, params, required)?;
    Ok((
        operand,
        Args {
            function: f,
            params,
            slots,
        },
    ))
}

fn str_op(operand: Expr, op: StrOp) -> Expr {
    Expr::Str(Box::new(operand), op)
}

/// DuckDB's regex option letters into Python flags (DuckDB's `.` matches a newline unless
/// an option says otherwise); `l` (literal) is returned apart.
fn duckdb_options(f: &str, options: &str) -> Result<(u32, bool, bool)> {
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
                    f,
                    format!("unknown regex option {other:?} (expected c, i, l, s, m, n, p, g)"),
                ))
            }
        }
    }
    Ok((re_flags, literal, global))
}

/// Resolves a call by name.
pub(crate) fn call(name: &str, args: Vec<Arg>) -> Result<Expr> {
    let lower = name.to_ascii_lowercase();
    let f = lower.as_str();
    if let Some(method) = f.strip_prefix("str_") {
        if method == "cat" {
            return cat(f, args);
        }
        if let Some((m, params, required)) = PANDAS.iter().find(|(m, _, _)| *m == method) {
            let (operand, a) = with_args(f, args, params, *required)?;
            return Ok(str_op(operand, pandas_op(m, &a)?));
        }
    }
    let unary =
        |args: Vec<Arg>, op: StrOp| -> Result<Expr> { Ok(str_op(bind(f, args, &[], 0)?.0, op)) };
    match f {
        "lower" | "lcase" => unary(args, StrOp::Lower(CaseMapping::Simple)),
        "upper" | "ucase" => unary(args, StrOp::Upper(CaseMapping::Simple)),
        "length" | "len" | "char_length" | "character_length" => unary(args, StrOp::Len),
        "strlen" | "octet_length" => unary(args, StrOp::ByteLength),
        "nfc_normalize" => unary(args, StrOp::Normalize(Form::Nfc)),
        "reverse" => unary(
            args,
            StrOp::Slice {
                start: None,
                stop: None,
                step: Some(-1),
            },
        ),
        "contains" => {
            let (s, a) = with_args(f, args, &["search_string"], 1)?;
            let pat = a.required_string("search_string")?;
            let options = ContainsOptions {
                regex: false,
                ..Default::default()
            };
            Ok(str_op(s, StrOp::Contains { pat, options }))
        }
        "starts_with" | "prefix" | "ends_with" | "suffix" => {
            let (s, a) = with_args(f, args, &["search_string"], 1)?;
            let pats = vec![a.required_string("search_string")?];
            Ok(str_op(
                s,
                if matches!(f, "starts_with" | "prefix") {
                    StrOp::StartsWith { pats, na: None }
                } else {
                    StrOp::EndsWith { pats, na: None }
                },
            ))
        }
        "strpos" | "instr" => {
            let (s, a) = with_args(f, args, &["search_string"], 1)?;
            let find = StrOp::Find {
                sub: a.required_string("search_string")?,
                start: 0,
                end: None,
                kind: FindKind::Find,
            };
            Ok(str_op(s, find) + lit(1))
        }
        "replace" => {
            let (s, a) = with_args(f, args, &["source", "target"], 2)?;
            let pat = a.required_string("source")?;
            // DuckDB leaves a string alone for an empty search string.
            let n = if pat.is_empty() { 0 } else { -1 };
            let options = ReplaceOptions {
                n,
                ..Default::default()
            };
            let repl = a.required_string("target")?;
            Ok(str_op(s, StrOp::Replace { pat, repl, options }))
        }
        "translate" => {
            let (s, a) = with_args(f, args, &["from", "to"], 2)?;
            let table =
                TranslateTable::duckdb(&a.required_string("from")?, &a.required_string("to")?);
            Ok(str_op(s, StrOp::Translate(table)))
        }
        "repeat" => {
            let (s, a) = with_args(f, args, &["count"], 1)?;
            Ok(str_op(s, StrOp::Repeat(a.int("count")?.unwrap_or(0))))
        }
        "substr" | "substring" => {
            let (s, a) = with_args(f, args, &["start", "length"], 1)?;
            let start = a
                .int("start")?
                .ok_or_else(|| Error::invalid(f, "argument start must not be NULL"))?;
            Ok(str_op(
                s,
                StrOp::Substr {
                    start,
                    length: a.int("length")?,
                },
            ))
        }
        "split_part" => {
            let (s, a) = with_args(f, args, &["separator", "index"], 2)?;
            let index = a
                .int("index")?
                .ok_or_else(|| Error::invalid(f, "argument index must not be NULL"))?;
            Ok(str_op(
                s,
                StrOp::SplitPart {
                    sep: a.required_string("separator")?,
                    index,
                },
            ))
        }
        "left" | "right" => {
            let (s, a) = with_args(f, args, &["count"], 1)?;
            let n = a.int("count")?.unwrap_or(0);
            // left(s, n) is s[:n] (all but the last -n for a negative n); right(s, n) is
            // s[-n:] (all but the first -n for a negative n), and right(s, 0) is empty.
            let (start, stop) = match f {
                "left" => (None, Some(n)),
                _ if n == 0 => (Some(i64::MAX), None),
                _ => (Some(-n), None),
            };
            Ok(str_op(
                s,
                StrOp::Slice {
                    start,
                    stop,
                    step: None,
                },
            ))
        }
        "string_split" | "string_to_array" | "split" => {
            let (s, a) = with_args(f, args, &["separator"], 1)?;
            let sep = a.required_string("separator")?;
            if sep.is_empty() {
                // DuckDB splits into characters on an empty separator.
                return Ok(str_op(
                    s,
                    StrOp::FindAll {
                        pat: "(?s).".into(),
                        flags: 0,
                    },
                ));
            }
            Ok(str_op(
                s,
                StrOp::Split {
                    pat: Some(sep),
                    n: -1,
                    regex: Some(false),
                },
            ))
        }
        "regexp_split_to_array" | "string_split_regex" => {
            let (s, a) = with_args(f, args, &["pattern"], 1)?;
            Ok(str_op(
                s,
                StrOp::Split {
                    pat: Some(a.required_string("pattern")?),
                    n: -1,
                    regex: Some(true),
                },
            ))
        }
        "regexp_matches" | "regexp_full_match" => {
            let (s, a) = with_args(f, args, &["pattern", "options"], 1)?;
            let pat = a.required_string("pattern")?;
            let (re_flags, literal, _) =
                duckdb_options(f, &a.string("options")?.unwrap_or_default())?;
            let options = ContainsOptions {
                case: true,
                flags: re_flags,
                regex: !literal,
                na: None,
            };
            let pat = if literal && f == "regexp_full_match" {
                regex_escape(&pat)
            } else {
                pat
            };
            Ok(str_op(
                s,
                if f == "regexp_matches" {
                    StrOp::Contains { pat, options }
                } else {
                    StrOp::FullMatch { pat, options }
                },
            ))
        }
        "regexp_replace" => {
            let (s, a) = with_args(f, args, &["pattern", "replacement", "options"], 2)?;
            let (re_flags, literal, global) =
                duckdb_options(f, &a.string("options")?.unwrap_or_default())?;
            let pat = a.required_string("pattern")?;
            Ok(str_op(
                s,
                StrOp::RegexpReplace {
                    pat: if literal { regex_escape(&pat) } else { pat },
                    repl: a.required_string("replacement")?,
                    flags: re_flags,
                    global,
                },
            ))
        }
        "regexp_extract" => {
            let (s, a) = with_args(f, args, &["pattern", "group", "options"], 1)?;
            let (re_flags, _, _) = duckdb_options(f, &a.string("options")?.unwrap_or_default())?;
            let group = a.int("group")?.unwrap_or(0);
            let group = usize::try_from(group)
                .map_err(|_| Error::invalid(f, format!("group must be 0 or more, got {group}")))?;
            Ok(str_op(
                s,
                StrOp::RegexpExtract {
                    pat: a.required_string("pattern")?,
                    group,
                    flags: re_flags,
                },
            ))
        }
        "concat" => {
            let exprs = args
                .into_iter()
                .map(|a| match a.name {
                    None => Ok(a.value),
                    Some(n) => Err(Error::invalid(f, format!("takes no named argument {n:?}"))),
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(Expr::Cat {
                exprs,
                sep: String::new(),
                na_rep: Some(String::new()),
            })
        }
        _ => Err(Error::UnknownFunction {
            name: name.to_string(),
        }),
    }
}

fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~ \t\n".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `str_cat(s, others..., sep => ..., na_rep => ...)`: positional arguments are the
/// columns, `sep` and `na_rep` are named.
fn cat(f: &str, args: Vec<Arg>) -> Result<Expr> {
    let (mut exprs, mut sep, mut na_rep) = (Vec::new(), String::new(), None);
    for a in args {
        match a.name.as_deref().map(str::to_ascii_lowercase).as_deref() {
            None => exprs.push(a.value),
            Some(param @ ("sep" | "na_rep")) => {
                let value = match a.value {
                    Expr::Literal(Literal::Utf8(s)) => Some(s),
                    Expr::Literal(Literal::Null) => None,
                    other => {
                        return Err(Error::invalid(
                            f,
                            format!("argument {param} must be a constant string, got {other}"),
                        ))
                    }
                };
                if param == "sep" {
                    sep = value.unwrap_or_default();
                } else {
                    na_rep = value;
                }
            }
            Some(other) => {
                return Err(Error::invalid(
                    f,
                    format!("unknown argument {other:?}; it takes others..., sep, na_rep"),
                ))
            }
        }
    }
    if exprs.is_empty() {
        return Err(Error::invalid(f, "expects at least one string operand"));
    }
    Ok(Expr::Cat { exprs, sep, na_rep })
}
