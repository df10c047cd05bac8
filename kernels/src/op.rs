//! One value per `.str` operation: [`StrOp`] says what to compute (pandas' name and
//! arguments, plain data that a query plan can hold, compare and print), and
//! [`StrOp::compile`] turns it, once per query, into a [`CompiledStrOp`] that holds the
//! compiled matcher, regex or replacer and runs on any number of arrays, from any thread.

use arrow_array::{new_empty_array, Array, ArrayRef};
use std::sync::Arc;

use arrow_schema::DataType;

use crate::case::{self, CaseMapping};
use crate::error::{KernelError, Result};
use crate::extract;
use crate::length;
use crate::pad::{self, Side};
use crate::pattern::{Anchor, Pattern};
use crate::predicates::{self, CharClass, Form};
use crate::replace::{self, ReplaceOptions, Replacer, TranslateTable};
use crate::search::{self, fill_na, ContainsOptions, FindKind, Matcher};
use crate::slice;
use crate::split::{self, Splitter};

/// A `.str` operation with its arguments, pandas' names and defaults.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum StrOp {
    /// `len()`: length in code points.
    Len,
    /// Length in UTF-8 bytes.
    ByteLength,
    /// `lower()`.
    Lower(CaseMapping),
    /// `upper()`.
    Upper(CaseMapping),
    /// `title()`.
    Title,
    /// `capitalize()`.
    Capitalize,
    /// `swapcase()`.
    Swapcase,
    /// `casefold()`.
    Casefold,
    /// `contains(pat, case, flags, na, regex)`.
    Contains {
        /// The pattern.
        pat: String,
        /// pandas' keyword arguments.
        options: ContainsOptions,
    },
    /// `match(pat, case, flags, na)`: a regex at the start.
    Match {
        /// The pattern.
        pat: String,
        /// pandas' keyword arguments (`regex` is ignored: always a regex).
        options: ContainsOptions,
    },
    /// `fullmatch(pat, case, flags, na)`.
    FullMatch {
        /// The pattern.
        pat: String,
        /// pandas' keyword arguments (`regex` is ignored: always a regex).
        options: ContainsOptions,
    },
    /// `startswith(pat | tuple, na)`.
    StartsWith {
        /// One prefix or several (any of them).
        pats: Vec<String>,
        /// The answer for a null string.
        na: Option<bool>,
    },
    /// `endswith(pat | tuple, na)`.
    EndsWith {
        /// One suffix or several.
        pats: Vec<String>,
        /// The answer for a null string.
        na: Option<bool>,
    },
    /// `find`, `rfind`, `index`, `rindex` (`sub, start, end`).
    Find {
        /// The substring.
        sub: String,
        /// Where the search starts (a Python slice index).
        start: i64,
        /// Where it ends (a Python slice index; `None`: the end).
        end: Option<i64>,
        /// Which of the four.
        kind: FindKind,
    },
    /// `count(pat, flags)`.
    Count {
        /// The regex.
        pat: String,
        /// Python `re` flags.
        flags: u32,
    },
    /// `replace(pat, repl, n, case, flags, regex)`.
    Replace {
        /// The pattern.
        pat: String,
        /// The replacement (a template when the search is a regex).
        repl: String,
        /// pandas' keyword arguments.
        options: ReplaceOptions,
    },
    /// DuckDB's `regexp_replace(s, pattern, replacement, options)`.
    RegexpReplace {
        /// The regex.
        pat: String,
        /// The replacement, in RE2's syntax (`\1`).
        repl: String,
        /// Python `re` flags.
        flags: u32,
        /// Every match (option `g`), else the first.
        global: bool,
    },
    /// DuckDB's `substring(s, start, length)` (1-based).
    Substr {
        /// The 1-based start (0: before the first; negative: from the end).
        start: i64,
        /// How many code points (negative: before `start`); `None`: to the end.
        length: Option<i64>,
    },
    /// DuckDB's `split_part(s, sep, index)` (1-based, `""` when missing).
    SplitPart {
        /// The literal separator (empty: characters).
        sep: String,
        /// The 1-based piece (negative from the end).
        index: i64,
    },
    /// `removeprefix(prefix)`.
    RemovePrefix(String),
    /// `removesuffix(suffix)`.
    RemoveSuffix(String),
    /// `translate(table)`.
    Translate(TranslateTable),
    /// `repeat(repeats)`.
    Repeat(i64),
    /// `slice(start, stop, step)`.
    Slice {
        /// Start (Python slice index).
        start: Option<i64>,
        /// Stop (Python slice index).
        stop: Option<i64>,
        /// Step (not zero).
        step: Option<i64>,
    },
    /// DuckDB's `reverse(s)`: grapheme clusters in reverse order (an emoji with its
    /// modifiers, a letter with its combining marks, stay whole).
    ReverseGraphemes,
    /// `slice_replace(start, stop, repl)`.
    SliceReplace {
        /// Start (Python slice index).
        start: Option<i64>,
        /// Stop (Python slice index).
        stop: Option<i64>,
        /// The replacement.
        repl: String,
    },
    /// `get(i)`: a character of a string, or an item of a list.
    Get(i64),
    /// `strip(to_strip)`, `lstrip`, `rstrip`.
    Strip {
        /// Which end.
        side: Side,
        /// The characters to strip; `None`: whitespace.
        chars: Option<String>,
    },
    /// `pad(width, side, fillchar)`, `ljust`, `rjust`, `center`.
    Pad {
        /// The width in code points.
        width: i64,
        /// Where the fill goes (`Left` is `rjust`).
        side: Side,
        /// The fill character.
        fillchar: char,
    },
    /// DuckDB's `lpad(s, count, fill)` / `rpad`: cut to `width`, or filled with `fill`
    /// repeated.
    PadCut {
        /// The width in code points.
        width: i64,
        /// The fill (repeated, then cut).
        fill: String,
        /// `lpad` (else `rpad`).
        left: bool,
    },
    /// `zfill(width)`.
    Zfill(i64),
    /// `split(pat, n, regex)`.
    Split {
        /// The separator; `None`: whitespace.
        pat: Option<String>,
        /// Most splits; zero or negative: all.
        n: i64,
        /// Regex or literal; `None`: pandas' rule (a regex when longer than one character).
        regex: Option<bool>,
    },
    /// `split(pat, n, regex).get(i)`, fused: piece `i` without building the lists. The
    /// planner rewrites the pair into this.
    SplitGet {
        /// The separator; `None`: whitespace.
        pat: Option<String>,
        /// Most splits; zero or negative: all.
        n: i64,
        /// Regex or literal, as in `Split`.
        regex: Option<bool>,
        /// The piece (negative from the end).
        i: i64,
    },
    /// `rsplit(pat, n)`.
    Rsplit {
        /// The separator; `None`: whitespace.
        pat: Option<String>,
        /// Most splits; zero or negative: all.
        n: i64,
    },
    /// `partition(sep)` / `rpartition(sep)`.
    Partition {
        /// The separator.
        sep: String,
        /// `rpartition`.
        reverse: bool,
    },
    /// `join(sep)`.
    Join(String),
    /// `extract(pat, flags, expand)`.
    Extract {
        /// The regex, with at least one group.
        pat: String,
        /// Python `re` flags.
        flags: u32,
        /// A struct even for one group.
        expand: bool,
    },
    /// DuckDB's `regexp_extract(s, pattern, group)`: a group of the first match, `""`
    /// when there is no match or the group did not take part.
    RegexpExtract {
        /// The regex.
        pat: String,
        /// The group (0: the whole match).
        group: usize,
        /// Python `re` flags.
        flags: u32,
    },
    /// `extractall(pat, flags)`.
    ExtractAll {
        /// The regex, with at least one group.
        pat: String,
        /// Python `re` flags.
        flags: u32,
    },
    /// `findall(pat, flags)`.
    FindAll {
        /// The regex.
        pat: String,
        /// Python `re` flags.
        flags: u32,
    },
    /// `isalnum()` and the other predicates.
    Is(CharClass),
    /// `normalize(form)`.
    Normalize(Form),
}

/// What [`StrOp::compile`] builds besides the op itself.
#[derive(Debug, Clone)]
enum Compiled {
    Nothing,
    Matcher(Matcher),
    Pattern(Pattern),
    Replacer(Replacer),
    Splitter(Splitter),
}

/// A [`StrOp`] with its patterns compiled; cheap to share between threads.
#[derive(Debug, Clone)]
pub struct CompiledStrOp {
    op: StrOp,
    compiled: Compiled,
}

impl StrOp {
    /// pandas' name of the operation (`lower`, `contains`, `rjust`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            StrOp::Len => "len",
            StrOp::ByteLength => "byte_length",
            StrOp::Lower(_) => "lower",
            StrOp::Upper(_) => "upper",
            StrOp::Title => "title",
            StrOp::Capitalize => "capitalize",
            StrOp::Swapcase => "swapcase",
            StrOp::Casefold => "casefold",
            StrOp::Contains { .. } => "contains",
            StrOp::Match { .. } => "match",
            StrOp::FullMatch { .. } => "fullmatch",
            StrOp::StartsWith { .. } => "startswith",
            StrOp::EndsWith { .. } => "endswith",
            StrOp::Find { kind, .. } => match kind {
                FindKind::Find => "find",
                FindKind::Rfind => "rfind",
                FindKind::Index => "index",
                FindKind::Rindex => "rindex",
            },
            StrOp::Count { .. } => "count",
            StrOp::Replace { .. } => "replace",
            StrOp::RegexpReplace { .. } => "regexp_replace",
            StrOp::Substr { .. } => "substr",
            StrOp::SplitPart { .. } => "split_part",
            StrOp::RemovePrefix(_) => "removeprefix",
            StrOp::RemoveSuffix(_) => "removesuffix",
            StrOp::Translate(_) => "translate",
            StrOp::Repeat(_) => "repeat",
            StrOp::Slice { .. } => "slice",
            StrOp::ReverseGraphemes => "reverse",
            StrOp::SliceReplace { .. } => "slice_replace",
            StrOp::Get(_) => "get",
            StrOp::Strip { side, .. } => match side {
                Side::Left => "lstrip",
                Side::Right => "rstrip",
                Side::Both => "strip",
            },
            StrOp::Pad { side, .. } => match side {
                Side::Left => "rjust",
                Side::Right => "ljust",
                Side::Both => "center",
            },
            StrOp::Zfill(_) => "zfill",
            StrOp::PadCut { left: true, .. } => "lpad",
            StrOp::PadCut { left: false, .. } => "rpad",
            StrOp::Split { .. } => "split",
            StrOp::Rsplit { .. } => "rsplit",
            StrOp::SplitGet { .. } => "split",
            StrOp::Partition { reverse, .. } => {
                if *reverse {
                    "rpartition"
                } else {
                    "partition"
                }
            }
            StrOp::Join(_) => "join",
            StrOp::Extract { .. } => "extract",
            StrOp::ExtractAll { .. } => "extractall",
            StrOp::RegexpExtract { .. } => "regexp_extract",
            StrOp::FindAll { .. } => "findall",
            StrOp::Is(class) => class.name(),
            StrOp::Normalize(_) => "normalize",
        }
    }

    /// Compiles the op's patterns and checks its arguments, once per query.
    ///
    /// # Errors
    /// A bad regex, flags, template or argument (a zero slice step, an empty separator).
    pub fn compile(&self) -> Result<CompiledStrOp> {
        let compiled = match self {
            StrOp::Contains { pat, options } => Compiled::Matcher(options.compile(pat)?),
            StrOp::Match { pat, options } => {
                Compiled::Matcher(options.compile_anchored(pat, Anchor::Start)?)
            }
            StrOp::FullMatch { pat, options } => {
                Compiled::Matcher(options.compile_anchored(pat, Anchor::Full)?)
            }
            // A literal is counted by memmem; a regex is compiled here, once.
            StrOp::Count { pat, flags } if *flags != 0 || !search::is_plain_literal(pat) => {
                Compiled::Pattern(Pattern::new(pat, *flags)?)
            }
            StrOp::Replace { pat, repl, options } => {
                Compiled::Replacer(Replacer::pandas(pat, repl, options)?)
            }
            StrOp::RegexpReplace {
                pat,
                repl,
                flags,
                global,
            } => Compiled::Replacer(Replacer::re2(pat, repl, *flags, *global)?),
            StrOp::Split { pat, regex, .. } | StrOp::SplitGet { pat, regex, .. } => {
                Compiled::Splitter(Splitter::pandas(pat.as_deref(), *regex)?)
            }
            StrOp::Rsplit { pat: Some(p), .. } | StrOp::Partition { sep: p, .. } => {
                Splitter::literal(p)?;
                Compiled::Nothing
            }
            StrOp::Extract { pat, flags, .. }
            | StrOp::ExtractAll { pat, flags }
            | StrOp::FindAll { pat, flags } => Compiled::Pattern(Pattern::new(pat, *flags)?),
            StrOp::RegexpExtract { pat, group, flags } => {
                let p = Pattern::new(pat, *flags)?;
                if *group > p.groups() {
                    return Err(KernelError::Regex {
                        pattern: pat.clone(),
                        message: format!("no group {group} (the pattern has {})", p.groups()),
                    });
                }
                Compiled::Pattern(p)
            }
            StrOp::Slice { step: Some(0), .. } => {
                return Err(KernelError::InvalidArgument {
                    op: "slice",
                    message: "slice step cannot be zero".into(),
                })
            }
            _ => Compiled::Nothing,
        };
        let op = CompiledStrOp {
            op: self.clone(),
            compiled,
        };
        if let StrOp::Extract { .. } | StrOp::ExtractAll { .. } = self {
            // A pattern without groups is refused at plan time.
            op.apply(&arrow_array::StringArray::from(Vec::<&str>::new()))?;
        }
        Ok(op)
    }
}

fn arc<A: Array + 'static>(x: Result<A>) -> Result<ArrayRef> {
    Ok(Arc::new(x?))
}

impl CompiledStrOp {
    /// The operation.
    pub fn op(&self) -> &StrOp {
        &self.op
    }

    /// The type of the result for an input of type `input` (by running the op on an
    /// empty array, so it cannot disagree with [`CompiledStrOp::apply`]).
    ///
    /// # Errors
    /// [`crate::KernelError::UnsupportedType`] when the op does not take `input`.
    pub fn output_type(&self, input: &DataType) -> Result<DataType> {
        Ok(self
            .apply(new_empty_array(input).as_ref())?
            .data_type()
            .clone())
    }

    /// Runs the op on one array.
    ///
    /// # Errors
    /// A non-string array, a backtracking regex over its limit, `index` without a match,
    /// an output too large.
    pub fn apply(&self, a: &dyn Array) -> Result<ArrayRef> {
        match (&self.op, &self.compiled) {
            (StrOp::Len, _) => arc(length::len(a)),
            (StrOp::ByteLength, _) => arc(length::byte_length(a)),
            (StrOp::Lower(m), _) => case::lower(a, *m),
            (StrOp::Upper(m), _) => case::upper(a, *m),
            (StrOp::Title, _) => case::title(a),
            (StrOp::Capitalize, _) => case::capitalize(a),
            (StrOp::Swapcase, _) => case::swapcase(a),
            (StrOp::Casefold, _) => case::casefold(a),
            (
                StrOp::Contains { options, .. }
                | StrOp::Match { options, .. }
                | StrOp::FullMatch { options, .. },
                Compiled::Matcher(m),
            ) => arc(Ok(fill_na(search::matches(a, m)?, options.na))),
            (StrOp::StartsWith { pats, na }, _) => arc(search::startswith(a, pats, *na)),
            (StrOp::EndsWith { pats, na }, _) => arc(search::endswith(a, pats, *na)),
            (
                StrOp::Find {
                    sub,
                    start,
                    end,
                    kind,
                },
                _,
            ) => arc(search::find(a, sub, *start, *end, *kind)),
            (StrOp::Count { .. }, Compiled::Pattern(p)) => arc(search::count_matches(a, p)),
            (StrOp::Count { pat, flags }, _) => arc(search::count(a, pat, *flags)),
            (StrOp::Replace { .. } | StrOp::RegexpReplace { .. }, Compiled::Replacer(r)) => {
                replace::replace(a, r)
            }
            (StrOp::Substr { start, length }, _) => slice::substr(a, *start, *length),
            (StrOp::SplitPart { sep, index }, _) => split::split_part(a, sep, *index),
            (StrOp::RemovePrefix(p), _) => replace::removeprefix(a, p),
            (StrOp::RemoveSuffix(p), _) => replace::removesuffix(a, p),
            (StrOp::Translate(t), _) => replace::translate(a, t),
            (StrOp::Repeat(n), _) => replace::repeat(a, *n),
            (StrOp::Slice { start, stop, step }, _) => slice::slice(a, *start, *stop, *step),
            (StrOp::ReverseGraphemes, _) => slice::reverse_graphemes(a),
            (StrOp::SliceReplace { start, stop, repl }, _) => {
                slice::slice_replace(a, *start, *stop, repl)
            }
            (StrOp::Get(i), _) => match a.data_type() {
                DataType::List(_) | DataType::LargeList(_) => split::list_get(a, *i),
                _ => slice::get(a, *i),
            },
            (StrOp::Strip { side, chars }, _) => pad::strip(a, *side, chars.as_deref()),
            (
                StrOp::Pad {
                    width,
                    side,
                    fillchar,
                },
                _,
            ) => pad::pad(a, *width, *side, *fillchar),
            (StrOp::Zfill(w), _) => pad::zfill(a, *w),
            (StrOp::PadCut { width, fill, left }, _) => pad::pad_cut(a, *width, fill, *left),
            (StrOp::Split { n, .. }, Compiled::Splitter(s)) => split::split(a, s, *n),
            (StrOp::SplitGet { n, i, .. }, Compiled::Splitter(s)) => split::split_get(a, s, *n, *i),
            (StrOp::Rsplit { pat, n }, _) => split::rsplit(a, pat.as_deref(), *n),
            (StrOp::Partition { sep, reverse }, _) => split::partition(a, sep, *reverse),
            (StrOp::Join(sep), _) => split::join(a, sep),
            (StrOp::Extract { expand, .. }, Compiled::Pattern(p)) => {
                extract::extract(a, p, *expand)
            }
            (StrOp::ExtractAll { .. }, Compiled::Pattern(p)) => extract::extractall(a, p),
            (StrOp::FindAll { .. }, Compiled::Pattern(p)) => extract::findall(a, p),
            (StrOp::RegexpExtract { group, .. }, Compiled::Pattern(p)) => {
                extract::regexp_extract(a, p, *group)
            }
            (StrOp::Is(class), _) => arc(predicates::is_class(a, *class)),
            (StrOp::Normalize(form), _) => predicates::normalize(a, *form),
            (op, _) => unreachable!("{} compiled without its matcher", op.name()),
        }
    }
}
