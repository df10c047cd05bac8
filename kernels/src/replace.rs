//! Rewrites: `replace`, `removeprefix`, `removesuffix`, `translate`, `repeat`.
//!
//! A literal `replace` first scans the whole value buffer once with a prebuilt
//! `memchr::memmem::Finder`: when the pattern occurs nowhere, the input array is returned
//! as is, with no copy.

use std::cell::RefCell;
use std::collections::BTreeMap;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use memchr::memmem::Finder;

use crate::driver::{map_string, map_string_sized, Rows};
use crate::error::{KernelError, Result};
use crate::pattern::{Locations, Pattern, Template};
use crate::search::{flags, is_plain_literal};

/// The most bytes one kernel call may produce from a size-multiplying argument (`repeat`,
/// `pad` widths): a larger result is refused before anything is allocated.
pub const MAX_OUTPUT_BYTES: usize = i32::MAX as usize;

/// Options of [`replace`], with pandas' names and defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct ReplaceOptions {
    /// How many replacements per string; negative means all (pandas `n=-1`). As in
    /// pandas, `0` replaces nothing for a literal pattern and everything for a regex
    /// (`re.sub`'s `count=0`).
    pub n: i64,
    /// Case-sensitive (pandas `case=True`); `false` implies a regex search with
    /// `re.IGNORECASE`, the pattern escaped unless `regex` is set.
    pub case: bool,
    /// Python `re` flags; any flag makes the search a regex.
    pub flags: u32,
    /// Treat the pattern as a regex (pandas 2+ default: `False`).
    pub regex: bool,
}

impl Default for ReplaceOptions {
    fn default() -> Self {
        ReplaceOptions {
            n: -1,
            case: true,
            flags: 0,
            regex: false,
        }
    }
}

/// A compiled replacement: a literal (Python's `str.replace`) or a regex with a template
/// (Python's `re.sub`).
#[derive(Debug, Clone)]
pub enum Replacer {
    /// `str.replace(old, new, count)`.
    Literal {
        /// The text to find.
        old: String,
        /// The text put in its place.
        new: String,
        /// At most this many per string (`None`: all).
        count: Option<usize>,
    },
    /// `re.sub(pattern, template, s, count)`.
    Regex {
        /// The pattern.
        pattern: Pattern,
        /// The parsed replacement.
        template: Template,
        /// At most this many per string (`None`: all).
        count: Option<usize>,
    },
}

impl Replacer {
    /// Compiles pandas' `str.replace(pat, repl, n, case, flags, regex)`.
    ///
    /// # Errors
    /// A bad regex, flags or replacement template.
    pub fn pandas(pattern: &str, repl: &str, options: &ReplaceOptions) -> Result<Replacer> {
        let re_flags = if options.case {
            options.flags
        } else {
            options.flags | flags::IGNORECASE
        };
        if !options.regex && re_flags == 0 {
            return Ok(Replacer::Literal {
                old: pattern.to_string(),
                new: repl.to_string(),
                count: usize::try_from(options.n).ok(),
            });
        }
        let source = if options.regex {
            pattern.to_string()
        } else {
            regex::escape(pattern)
        };
        let count = if options.n <= 0 {
            None
        } else {
            usize::try_from(options.n).ok()
        };
        let compiled = Pattern::new(&source, re_flags)?;
        let template = Template::python(repl, &compiled)?;
        // A regex without regex syntax and a template without escapes is a literal.
        if re_flags == 0 && is_plain_literal(&source) && !repl.contains('\\') {
            return Ok(Replacer::Literal {
                old: source,
                new: repl.to_string(),
                count,
            });
        }
        Ok(Replacer::Regex {
            pattern: compiled,
            template,
            count,
        })
    }

    /// Compiles DuckDB's `regexp_replace(s, pattern, replacement, options)`: the first
    /// match only unless `global`, with RE2's `\0`..`\9` replacement syntax.
    ///
    /// # Errors
    /// A bad regex or replacement.
    pub fn re2(pattern: &str, repl: &str, re_flags: u32, global: bool) -> Result<Replacer> {
        let compiled = Pattern::new(pattern, re_flags)?;
        let template = Template::re2(repl, &compiled)?;
        Ok(Replacer::Regex {
            pattern: compiled,
            template,
            count: if global { None } else { Some(1) },
        })
    }

    fn apply_one(
        &self,
        s: &str,
        out: &mut String,
        finder: Option<&Finder<'_>>,
        locs: Option<&mut Locations>,
    ) -> Result<()> {
        match self {
            Replacer::Literal { old, new, count } => {
                replace_literal(s, old, new, *count, finder, out);
                Ok(())
            }
            Replacer::Regex {
                pattern,
                template,
                count,
            } => {
                let mut own;
                let locs = match locs {
                    Some(l) => l,
                    None => {
                        own = pattern.locations();
                        &mut own
                    }
                };
                let (mut last, mut done) = (0, 0);
                let limit = count.unwrap_or(usize::MAX);
                if limit == 0 {
                    out.push_str(s);
                    return Ok(());
                }
                pattern.for_each_match(s, !template.is_literal(), locs, |spans| {
                    let (start, end) = spans[0].unwrap_or((last, last));
                    out.push_str(&s[last..start]);
                    template.expand(s, spans, out);
                    last = end;
                    done += 1;
                    Ok(done < limit)
                })?;
                out.push_str(&s[last..]);
                Ok(())
            }
        }
    }
}

/// Python's `str.replace(old, new, count)`; an empty `old` inserts `new` before every
/// character and at the end.
fn replace_literal(
    s: &str,
    old: &str,
    new: &str,
    count: Option<usize>,
    finder: Option<&Finder<'_>>,
    out: &mut String,
) {
    let limit = count.unwrap_or(usize::MAX);
    if old.is_empty() {
        let mut done = 0;
        for (i, c) in s.char_indices() {
            if done < limit {
                out.push_str(new);
                done += 1;
            } else {
                out.push_str(&s[i..]);
                return;
            }
            out.push(c);
        }
        if done < limit {
            out.push_str(new);
        }
        return;
    }
    let mut last = 0;
    let mut put = |at: usize| {
        out.push_str(&s[last..at]);
        out.push_str(new);
        last = at + old.len();
    };
    match (finder, old.as_bytes()) {
        // One byte: memchr's iterator costs less to start than memmem's.
        (_, [b]) => memchr::memchr_iter(*b, s.as_bytes())
            .take(limit)
            .for_each(&mut put),
        (Some(f), _) => f.find_iter(s.as_bytes()).take(limit).for_each(&mut put),
        (None, _) => s.match_indices(old).take(limit).for_each(|(at, _)| put(at)),
    }
    out.push_str(&s[last..]);
}

/// pandas' `str.replace`, with a [`Replacer`] compiled once.
///
/// # Errors
/// A non-string array, a backtracking regex over its limit, or output past 2 GiB in a
/// `Utf8` array.
pub fn replace(array: &dyn Array, replacer: &Replacer) -> Result<ArrayRef> {
    if let Replacer::Literal { old, .. } = replacer {
        if !old.is_empty() && !occurs_anywhere(array, old) {
            return Ok(array.slice(0, array.len()));
        }
    }
    let finder = match replacer {
        Replacer::Literal { old, .. } if !old.is_empty() => Some(Finder::new(old.as_bytes())),
        _ => None,
    };
    // Each call gets its own clone, so workers never share a regex cache.
    let replacer = replacer.clone();
    let locs = match &replacer {
        Replacer::Regex { pattern, .. } => Some(RefCell::new(pattern.locations())),
        Replacer::Literal { .. } => None,
    };
    map_string(
        array,
        "replace",
        &|s, out| {
            let mut l = locs.as_ref().map(RefCell::borrow_mut);
            replacer.apply_one(s, out, finder.as_ref(), l.as_deref_mut())?;
            Ok(true)
        },
        None,
    )
}

/// False only when `needle` is certainly absent from every value (one memmem pass over
/// the contiguous value buffer; a hit may straddle two values, so true means "maybe").
fn occurs_anywhere(array: &dyn Array, needle: &str) -> bool {
    let finder = Finder::new(needle.as_bytes());
    let in_buffer = |bytes: &[u8]| finder.find(bytes).is_some();
    match array.data_type() {
        DataType::Utf8 => {
            let a = array.as_string::<i32>();
            let o = a.value_offsets();
            in_buffer(&a.value_data()[o[0] as usize..o[a.len()] as usize])
        }
        DataType::LargeUtf8 => {
            let a = array.as_string::<i64>();
            let o = a.value_offsets();
            in_buffer(&a.value_data()[o[0] as usize..o[a.len()] as usize])
        }
        _ => true,
    }
}

/// Python's `str.removeprefix`.
///
/// # Errors
/// [`KernelError::UnsupportedType`] when `array` is not a string array.
pub fn removeprefix(array: &dyn Array, prefix: &str) -> Result<ArrayRef> {
    map_string(
        array,
        "removeprefix",
        &|s, out| {
            out.push_str(s.strip_prefix(prefix).unwrap_or(s));
            Ok(true)
        },
        None,
    )
}

/// Python's `str.removesuffix`.
///
/// # Errors
/// [`KernelError::UnsupportedType`] when `array` is not a string array.
pub fn removesuffix(array: &dyn Array, suffix: &str) -> Result<ArrayRef> {
    map_string(
        array,
        "removesuffix",
        &|s, out| {
            out.push_str(s.strip_suffix(suffix).unwrap_or(s));
            Ok(true)
        },
        None,
    )
}

/// A character translation table, as Python's `str.maketrans` builds it: each character
/// maps to a string, or to nothing (deleted). Characters not in the table are kept.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TranslateTable {
    ascii: Vec<Option<Option<String>>>,
    other: BTreeMap<char, Option<String>>,
}

impl TranslateTable {
    /// `str.maketrans(x, y, z)`: the `i`-th character of `from` maps to the `i`-th of `to`
    /// (both of one length in characters), and every character of `delete` maps to
    /// nothing. A later mapping of a character replaces an earlier one.
    ///
    /// # Errors
    /// [`KernelError::InvalidArgument`] when `from` and `to` differ in length.
    pub fn maketrans(from: &str, to: &str, delete: &str) -> Result<TranslateTable> {
        if from.chars().count() != to.chars().count() {
            return Err(KernelError::InvalidArgument {
                op: "translate",
                message: "the first two maketrans arguments must have equal length".into(),
            });
        }
        let mut t = TranslateTable::default();
        for (a, b) in from.chars().zip(to.chars()) {
            t.insert(a, Some(b.to_string()));
        }
        for d in delete.chars() {
            t.insert(d, None);
        }
        Ok(t)
    }

    /// DuckDB's `translate(s, from, to)`: the `i`-th character of `from` becomes the `i`-th
    /// of `to`, and characters of `from` past the end of `to` are deleted. The first
    /// mapping of a character wins.
    pub fn duckdb(from: &str, to: &str) -> TranslateTable {
        let mut t = TranslateTable::default();
        let mut to = to.chars();
        for a in from.chars() {
            let b = to.next().map(String::from);
            if t.get(a).is_none() {
                t.insert(a, b);
            }
        }
        t
    }

    /// Maps `c` to `to` (`None` deletes it).
    pub fn insert(&mut self, c: char, to: Option<String>) {
        if c.is_ascii() {
            if self.ascii.is_empty() {
                self.ascii = vec![None; 128];
            }
            self.ascii[c as usize] = Some(to);
        } else {
            self.other.insert(c, to);
        }
    }

    /// What `c` maps to: `None` when it is kept, `Some(None)` when deleted.
    #[inline]
    pub fn get(&self, c: char) -> Option<&Option<String>> {
        if c.is_ascii() {
            self.ascii.get(c as usize).and_then(Option::as_ref)
        } else {
            self.other.get(&c)
        }
    }
}

/// A table of arbitrary single-character mappings and deletions, as `str.maketrans` with
/// a dict builds (the `fuzz/` crate's input).
#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for TranslateTable {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let mut table = TranslateTable::default();
        for entry in u.arbitrary_iter::<(char, Option<String>)>()? {
            let (c, to) = entry?;
            table.insert(c, to);
        }
        Ok(table)
    }
}

/// Python's `str.translate(table)`.
///
/// # Errors
/// [`KernelError::UnsupportedType`] when `array` is not a string array.
pub fn translate(array: &dyn Array, table: &TranslateTable) -> Result<ArrayRef> {
    map_string(
        array,
        "translate",
        &|s, out| {
            for c in s.chars() {
                match table.get(c) {
                    None => out.push(c),
                    Some(Some(to)) => out.push_str(to),
                    Some(None) => {}
                }
            }
            Ok(true)
        },
        None,
    )
}

/// Python's `s * n`: `n` copies (none when `n <= 0`).
///
/// # Errors
/// [`KernelError::OutputTooLarge`] when the result would pass [`MAX_OUTPUT_BYTES`],
/// decided before anything is allocated.
pub fn repeat(array: &dyn Array, n: i64) -> Result<ArrayRef> {
    let n = usize::try_from(n).unwrap_or(0);
    let bound = check_output_size(array, "repeat", |bytes, _| bytes.checked_mul(n))?;
    map_string_sized(
        array,
        "repeat",
        &|s, out| {
            for _ in 0..n {
                out.push_str(s);
            }
            Ok(true)
        },
        None,
        Some(bound),
    )
}

/// Refuses a kernel call whose output size, computed from the input's value bytes and
/// row count by `size`, passes [`MAX_OUTPUT_BYTES`]; else gives that size (an upper bound
/// for the output buffer).
pub(crate) fn check_output_size(
    array: &dyn Array,
    op: &'static str,
    size: impl Fn(usize, usize) -> Option<usize>,
) -> Result<usize> {
    let bytes = value_bytes(array);
    match size(bytes, array.len()) {
        Some(total) if total <= MAX_OUTPUT_BYTES => Ok(total),
        total => Err(KernelError::OutputTooLarge {
            op,
            bytes: total,
            limit: MAX_OUTPUT_BYTES,
        }),
    }
}

/// The bytes of string data an array's rows hold (a slice's own, not its buffers'); of
/// its values, for a dictionary, since a kernel runs once on those.
fn value_bytes(array: &dyn Array) -> usize {
    match array.data_type() {
        DataType::Dictionary(_, _) => value_bytes(array.as_any_dictionary().values().as_ref()),
        _ => Rows::new(array, "size").map_or(0, |rows| rows.value_bytes()),
    }
}
