//! Search: `contains`, `match`, `fullmatch`, `startswith`, `endswith`, `count`, `find`,
//! `rfind`, `index`, `rindex` and SQL `LIKE`, through one compiled [`Matcher`].
//!
//! A pattern is classified once into the cheapest test that answers it (equality, prefix,
//! suffix, a prebuilt `memchr::memmem::Finder`, or a regex), as arrow-string's `Predicate`
//! does; the matcher is then shared by every partition. A regex is cloned once per array
//! call so that each worker has its own match cache and none contend on a shared one.

use arrow_array::cast::AsArray;
use arrow_array::{Array, BooleanArray, GenericStringArray, Int64Array, OffsetSizeTrait};
use arrow_buffer::{bit_util, BooleanBuffer, MutableBuffer};
use arrow_schema::DataType;
use memchr::memmem::{Finder, FinderRev};
use regex::RegexBuilder;

use crate::case::upper_full;
use crate::driver::{map_bool, map_bytes_bool, map_i64, try_map_bool};
use crate::error::{KernelError, Result};
use crate::length::char_count;
use crate::pattern::{Anchor, Pattern};

/// Python's `re` flag bits that spindle honours (`re.IGNORECASE`, ...).
pub mod flags {
    /// `re.IGNORECASE`
    pub const IGNORECASE: u32 = 2;
    /// `re.MULTILINE`
    pub const MULTILINE: u32 = 8;
    /// `re.DOTALL`
    pub const DOTALL: u32 = 16;
    /// `re.UNICODE` (the default for `str` patterns; accepted and ignored)
    pub const UNICODE: u32 = 32;
    /// `re.VERBOSE`
    pub const VERBOSE: u32 = 64;
    /// `re.ASCII`
    pub const ASCII: u32 = 256;
    /// Every flag above.
    pub const KNOWN: u32 = IGNORECASE | MULTILINE | DOTALL | UNICODE | VERBOSE | ASCII;
}

/// `h.starts_with(p)`, comparing short needles inline instead of calling `memcmp` (which
/// costs more than the comparison for the few bytes of a typical prefix), and without an
/// early exit: on data where the answer is a coin toss, a mispredicted branch per row
/// costs more than looking at every byte of a short prefix.
#[inline]
pub(crate) fn has_prefix(h: &[u8], p: &[u8]) -> bool {
    if p.len() <= 16 {
        h.len() >= p.len() && h.iter().zip(p).fold(0u8, |d, (a, b)| d | (a ^ b)) == 0
    } else {
        h.starts_with(p)
    }
}

/// `h.ends_with(p)`, as [`has_prefix`].
#[inline]
pub(crate) fn has_suffix(h: &[u8], p: &[u8]) -> bool {
    h.len() >= p.len() && has_prefix(&h[h.len() - p.len()..], p)
}

/// True when `pattern` has no regex syntax at all, so that searching for it as a regex
/// and as a literal give the same matches.
pub fn is_plain_literal(pattern: &str) -> bool {
    !pattern.is_empty() && regex::escape(pattern) == pattern
}

/// A pattern compiled once into the cheapest test that answers it.
#[derive(Debug, Clone)]
pub enum Matcher {
    /// Matches every string (an empty literal, or `LIKE '%'`).
    Always,
    /// The whole string equals these bytes.
    Equals(Box<[u8]>),
    /// The string starts with these bytes.
    StartsWith(Box<[u8]>),
    /// The string ends with these bytes.
    EndsWith(Box<[u8]>),
    /// The string contains this literal.
    Contains(Finder<'static>),
    /// pandas' caseless literal search: `pat.upper() in s.upper()`, with Python's full
    /// case mapping. The finder holds the uppercased pattern.
    ContainsCaseless(Finder<'static>),
    /// A regular expression (Python syntax, or SQL `LIKE` compiled to one).
    Regex(Pattern),
}

impl Matcher {
    /// A literal substring search.
    pub fn contains_literal(pattern: &str) -> Matcher {
        if pattern.is_empty() {
            Matcher::Always
        } else {
            Matcher::Contains(Finder::new(pattern.as_bytes()).into_owned())
        }
    }

    /// A caseless literal substring search with pandas' meaning (`case=False,
    /// regex=False`): both sides uppercased with Python's full mapping.
    pub fn contains_caseless(pattern: &str) -> Matcher {
        let mut upper = String::new();
        upper_full(pattern, &mut upper);
        if upper.is_empty() {
            Matcher::Always
        } else {
            Matcher::ContainsCaseless(Finder::new(upper.as_bytes()).into_owned())
        }
    }

    /// A regular expression with Python `re` flags (see [`flags`]), searched anywhere in
    /// each string, as `re.search`.
    ///
    /// # Errors
    /// [`KernelError::Regex`] when the pattern does not compile, and
    /// [`KernelError::InvalidArgument`] for flags spindle does not know.
    pub fn regex(pattern: &str, re_flags: u32) -> Result<Matcher> {
        Matcher::anchored(pattern, re_flags, Anchor::Search)
    }

    /// A Python regular expression that must match at `anchor` (`re.match` is
    /// [`Anchor::Start`], `re.fullmatch` is [`Anchor::Full`]). A search for a pattern with
    /// no regex syntax becomes a literal search.
    ///
    /// # Errors
    /// As [`Pattern::anchored`].
    pub fn anchored(pattern: &str, re_flags: u32, anchor: Anchor) -> Result<Matcher> {
        if re_flags == 0 && is_plain_literal(pattern) {
            let bytes = pattern.as_bytes().to_vec().into_boxed_slice();
            return Ok(match anchor {
                Anchor::Search => Matcher::contains_literal(pattern),
                Anchor::Start => Matcher::StartsWith(bytes),
                Anchor::Full => Matcher::Equals(bytes),
            });
        }
        Ok(Matcher::Regex(Pattern::anchored(
            pattern, re_flags, anchor,
        )?))
    }

    /// SQL `LIKE` (`%` any run, `_` one character, `escape` makes the next character
    /// literal); `caseless` is `ILIKE`. Patterns without inner wildcards become equality,
    /// prefix, suffix or substring tests; the rest become an anchored regex.
    ///
    /// # Errors
    /// [`KernelError::InvalidArgument`] when the pattern ends in the escape character.
    pub fn like(pattern: &str, escape: Option<char>, caseless: bool) -> Result<Matcher> {
        let tokens = like_tokens(pattern, escape)?;
        if !caseless {
            if let Some(m) = like_literal_form(&tokens) {
                return Ok(m);
            }
        }
        let mut re = String::from("^");
        for t in &tokens {
            match t {
                LikeToken::Any => re.push_str(".*"),
                LikeToken::One => re.push('.'),
                LikeToken::Lit(s) => re.push_str(&regex::escape(s)),
            }
        }
        re.push('$');
        let re = RegexBuilder::new(&re)
            .dot_matches_new_line(true)
            .case_insensitive(caseless)
            .build()
            .map_err(|e| KernelError::Regex {
                pattern: pattern.to_string(),
                message: e.to_string(),
            })?;
        Ok(Matcher::Regex(Pattern::from_regex(pattern, re)))
    }

    /// Tests one string.
    ///
    /// # Errors
    /// A backtracking regex over its limit on `s`.
    #[inline]
    pub fn is_match(&self, s: &str) -> Result<bool> {
        let b = s.as_bytes();
        Ok(match self {
            Matcher::Always => true,
            Matcher::Equals(p) => b == &**p,
            Matcher::StartsWith(p) => has_prefix(b, p),
            Matcher::EndsWith(p) => has_suffix(b, p),
            Matcher::Contains(f) => f.find(b).is_some(),
            Matcher::ContainsCaseless(f) => {
                let mut upper = String::with_capacity(s.len());
                upper_full(s, &mut upper);
                f.find(upper.as_bytes()).is_some()
            }
            Matcher::Regex(re) => return re.is_match(s),
        })
    }
}

#[derive(Debug, PartialEq)]
enum LikeToken {
    Any,
    One,
    Lit(String),
}

fn like_tokens(pattern: &str, escape: Option<char>) -> Result<Vec<LikeToken>> {
    let mut tokens = Vec::new();
    let mut lit = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        let token = if Some(c) == escape {
            match chars.next() {
                Some(next) => {
                    lit.push(next);
                    continue;
                }
                None => {
                    return Err(KernelError::InvalidArgument {
                        op: "like",
                        message: format!("pattern {pattern:?} ends with its escape character"),
                    })
                }
            }
        } else if c == '%' {
            LikeToken::Any
        } else if c == '_' {
            LikeToken::One
        } else {
            lit.push(c);
            continue;
        };
        if !lit.is_empty() {
            tokens.push(LikeToken::Lit(std::mem::take(&mut lit)));
        }
        // `%%` is the same as `%`.
        if !(token == LikeToken::Any && tokens.last() == Some(&LikeToken::Any)) {
            tokens.push(token);
        }
    }
    if !lit.is_empty() {
        tokens.push(LikeToken::Lit(lit));
    }
    Ok(tokens)
}

/// The equality / prefix / suffix / substring forms of a `LIKE` pattern, if it has one.
fn like_literal_form(tokens: &[LikeToken]) -> Option<Matcher> {
    let bytes = |s: &str| s.as_bytes().to_vec().into_boxed_slice();
    match tokens {
        [] => Some(Matcher::Equals(Box::new([]))),
        [LikeToken::Any] => Some(Matcher::Always),
        [LikeToken::Lit(s)] => Some(Matcher::Equals(bytes(s))),
        [LikeToken::Lit(s), LikeToken::Any] => Some(Matcher::StartsWith(bytes(s))),
        [LikeToken::Any, LikeToken::Lit(s)] => Some(Matcher::EndsWith(bytes(s))),
        [LikeToken::Any, LikeToken::Lit(s), LikeToken::Any] => Some(Matcher::contains_literal(s)),
        _ => None,
    }
}

/// Options of [`contains`], with pandas' names and defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct ContainsOptions {
    /// Case-sensitive (pandas `case=True`, the default).
    pub case: bool,
    /// Python `re` flags (pandas `flags=0`).
    pub flags: u32,
    /// Treat the pattern as a regex (pandas `regex=True`, the default).
    pub regex: bool,
    /// The answer for a null string (pandas `na`); `None` keeps it null.
    pub na: Option<bool>,
}

impl Default for ContainsOptions {
    fn default() -> Self {
        ContainsOptions {
            case: true,
            flags: 0,
            regex: true,
            na: None,
        }
    }
}

impl ContainsOptions {
    /// Compiles the pattern as pandas' `str.contains` would read it.
    ///
    /// # Errors
    /// As [`Matcher::regex`] when `regex` is set.
    pub fn compile(&self, pattern: &str) -> Result<Matcher> {
        self.compile_anchored(pattern, Anchor::Search)
    }

    /// Compiles the pattern for `str.contains` ([`Anchor::Search`]), `str.match`
    /// ([`Anchor::Start`], always a regex) or `str.fullmatch` ([`Anchor::Full`]).
    ///
    /// # Errors
    /// As [`Matcher::regex`].
    pub fn compile_anchored(&self, pattern: &str, anchor: Anchor) -> Result<Matcher> {
        if self.regex || anchor != Anchor::Search {
            let f = if self.case {
                self.flags
            } else {
                self.flags | flags::IGNORECASE
            };
            Matcher::anchored(pattern, f, anchor)
        } else if self.case {
            Ok(Matcher::contains_literal(pattern))
        } else {
            Ok(Matcher::contains_caseless(pattern))
        }
    }
}

/// Tests every string against a compiled matcher; null stays null.
///
/// # Errors
/// [`KernelError::UnsupportedType`] when `array` is not a string array; a backtracking
/// regex over its limit.
pub fn matches(array: &dyn Array, matcher: &Matcher) -> Result<BooleanArray> {
    match matcher {
        // A clone has its own match cache: workers never share one.
        Matcher::Regex(re) => {
            let re = re.clone();
            try_map_bool(array, "contains", &|s| re.is_match(s))
        }
        Matcher::Always => map_bool(array, "contains", &|_| true),
        Matcher::Contains(f) => match array.data_type() {
            DataType::Utf8 => Ok(contains_in_buffer(array.as_string::<i32>(), f)),
            DataType::LargeUtf8 => Ok(contains_in_buffer(array.as_string::<i64>(), f)),
            _ => map_bool(array, "contains", &|s| f.find(s.as_bytes()).is_some()),
        },
        Matcher::ContainsCaseless(f) => {
            // One uppercase buffer per call, reused for every row.
            let upper = std::cell::RefCell::new(String::new());
            map_bool(array, "contains", &|s| {
                let mut u = upper.borrow_mut();
                u.clear();
                upper_full(s, &mut u);
                f.find(u.as_bytes()).is_some()
            })
        }
        m => try_map_bool(array, "contains", &|s| m.is_match(s)),
    }
}

/// Literal search over a whole contiguous value buffer at once: one memmem pass finds the
/// hits, and each hit is attributed to the row that holds it whole (a hit across two rows
/// is skipped). `on_hit(row, at)` returns where to search next: past the hit (to count
/// every one) or the end of the row (when one per row is enough), so the buffer is scanned
/// once, at memchr's speed, whatever the row lengths.
fn hits_in_buffer<O: OffsetSizeTrait>(
    a: &GenericStringArray<O>,
    finder: &Finder<'_>,
    mut on_hit: impl FnMut(usize, usize, usize) -> usize,
) {
    let offsets = a.value_offsets();
    let data = a.value_data();
    let n = a.len();
    let m = finder.needle().len();
    let end_of = |row: usize| offsets[row + 1].as_usize();
    let (mut pos, end) = (offsets[0].as_usize(), offsets[n].as_usize());
    let mut row = 0;
    // A one-byte needle goes to memchr, which costs less per call than memmem.
    let one = match finder.needle() {
        [b] => Some(*b),
        _ => None,
    };
    while pos < end {
        let hay = &data[pos..end];
        let found = match one {
            Some(b) => memchr::memchr(b, hay),
            None => finder.find(hay),
        };
        let Some(at) = found else {
            break;
        };
        let at = pos + at;
        // The row holding byte `at`: a short walk, else a binary search.
        let mut steps = 0;
        while end_of(row) <= at && steps < 8 {
            row += 1;
            steps += 1;
        }
        if end_of(row) <= at {
            row += offsets[row + 1..].partition_point(|o| o.as_usize() <= at);
        }
        pos = if at + m <= end_of(row) {
            on_hit(row, at, end_of(row))
        } else {
            at + 1
        };
    }
}

/// `contains` of a literal over a `Utf8` or `LargeUtf8` array, by [`hits_in_buffer`].
fn contains_in_buffer<O: OffsetSizeTrait>(
    a: &GenericStringArray<O>,
    finder: &Finder<'_>,
) -> BooleanArray {
    let mut hits = MutableBuffer::new_null(a.len());
    hits_in_buffer(a, finder, |row, _, row_end| {
        bit_util::set_bit(hits.as_slice_mut(), row);
        row_end
    });
    BooleanArray::new(
        BooleanBuffer::new(hits.into(), 0, a.len()),
        a.nulls().cloned(),
    )
}

/// `find` (or, with `last`, `rfind`) of a non-empty literal over the whole of each string
/// of a `Utf8` or `LargeUtf8` array, by [`hits_in_buffer`]: the first hit of each row (or
/// the last, every overlapping hit visited), in code points.
fn find_in_buffer<O: OffsetSizeTrait>(
    a: &GenericStringArray<O>,
    finder: &Finder<'_>,
    last: bool,
) -> Int64Array {
    let offsets = a.value_offsets();
    let data = a.value_data();
    // Byte offsets of the hits first; code points are counted once per row at the end.
    let mut hit: Vec<Option<usize>> = vec![None; a.len()];
    hits_in_buffer(a, finder, |row, at, row_end| {
        hit[row] = Some(at);
        if last {
            at + 1
        } else {
            row_end
        }
    });
    let positions: Vec<i64> = hit
        .iter()
        .enumerate()
        .map(|(row, at)| match at {
            Some(at) => data[offsets[row].as_usize()..*at]
                .iter()
                .filter(|&&b| (b as i8) >= -0x40)
                .count() as i64,
            None => -1,
        })
        .collect();
    Int64Array::new(positions.into(), a.nulls().cloned())
}

/// `count` of a non-empty literal over a `Utf8` or `LargeUtf8` array: non-overlapping
/// occurrences per row, by [`hits_in_buffer`].
fn count_in_buffer<O: OffsetSizeTrait>(
    a: &GenericStringArray<O>,
    finder: &Finder<'_>,
) -> Int64Array {
    let mut counts = vec![0i64; a.len()];
    let m = finder.needle().len();
    hits_in_buffer(a, finder, |row, at, _| {
        counts[row] += 1;
        at + m
    });
    Int64Array::new(counts.into(), a.nulls().cloned())
}

/// pandas' `str.contains(pat, case, flags, na, regex)`.
///
/// # Errors
/// A bad regex or flags ([`ContainsOptions::compile`]) or a non-string array.
///
/// # Example
/// ```
/// use arrow_array::{Array, StringArray};
/// use spindle_kernels::{contains, ContainsOptions};
///
/// let a = StringArray::from(vec![Some("Foo.bar"), Some("baz"), None]);
/// let literal = ContainsOptions { regex: false, ..Default::default() };
/// let out = contains(&a, ".", &literal).unwrap();
/// assert_eq!(out.iter().collect::<Vec<_>>(), vec![Some(true), Some(false), None]);
/// let caseless = ContainsOptions { case: false, na: Some(false), ..Default::default() };
/// let out = contains(&a, "^f", &caseless).unwrap();
/// assert_eq!(out.iter().collect::<Vec<_>>(), vec![Some(true), Some(false), Some(false)]);
/// ```
pub fn contains(
    array: &dyn Array,
    pattern: &str,
    options: &ContainsOptions,
) -> Result<BooleanArray> {
    let matcher = options.compile(pattern)?;
    Ok(fill_na(matches(array, &matcher)?, options.na))
}

/// pandas' `str.startswith(pat, na)`: true when the string starts with any of the
/// prefixes (pandas takes one string or a tuple of them).
///
/// # Errors
/// [`KernelError::UnsupportedType`] when `array` is not a string array.
pub fn startswith<S: AsRef<str>>(
    array: &dyn Array,
    prefixes: &[S],
    na: Option<bool>,
) -> Result<BooleanArray> {
    let out = match prefixes {
        // A view holds its string's first four bytes: a short prefix reads no data.
        [one] if one.as_ref().len() <= 4 && array.data_type() == &DataType::Utf8View => {
            let a = array.as_string_view();
            let p = one.as_ref().as_bytes();
            let values = BooleanBuffer::collect_bool(a.len(), |i| {
                let view = a.views()[i];
                let len = view as u32 as usize;
                let head = ((view >> 32) as u32).to_le_bytes();
                len >= p.len() && head[..p.len()] == *p
            });
            BooleanArray::new(values, a.nulls().cloned())
        }
        [one] => {
            let p = one.as_ref().as_bytes();
            map_bytes_bool(array, "startswith", &|s| has_prefix(s, p))?
        }
        many => map_bool(array, "startswith", &|s| {
            many.iter().any(|p| s.starts_with(p.as_ref()))
        })?,
    };
    Ok(fill_na(out, na))
}

/// pandas' `str.endswith(pat, na)`: true when the string ends with any of the suffixes.
///
/// # Errors
/// [`KernelError::UnsupportedType`] when `array` is not a string array.
pub fn endswith<S: AsRef<str>>(
    array: &dyn Array,
    suffixes: &[S],
    na: Option<bool>,
) -> Result<BooleanArray> {
    let out = match suffixes {
        [one] => {
            let p = one.as_ref().as_bytes();
            map_bytes_bool(array, "endswith", &|s| has_suffix(s, p))?
        }
        many => map_bool(array, "endswith", &|s| {
            many.iter().any(|p| s.ends_with(p.as_ref()))
        })?,
    };
    Ok(fill_na(out, na))
}

/// pandas' `str.match(pat, case, flags, na)`: `re.match`, a regex anchored at the start.
///
/// # Errors
/// A bad regex or flags, or a non-string array.
pub fn match_(array: &dyn Array, pattern: &str, options: &ContainsOptions) -> Result<BooleanArray> {
    let matcher = options.compile_anchored(pattern, Anchor::Start)?;
    Ok(fill_na(matches(array, &matcher)?, options.na))
}

/// pandas' `str.fullmatch(pat, case, flags, na)`: `re.fullmatch`.
///
/// # Errors
/// A bad regex or flags, or a non-string array.
pub fn fullmatch(
    array: &dyn Array,
    pattern: &str,
    options: &ContainsOptions,
) -> Result<BooleanArray> {
    let matcher = options.compile_anchored(pattern, Anchor::Full)?;
    Ok(fill_na(matches(array, &matcher)?, options.na))
}

/// pandas' `str.count(pat, flags)`: the number of non-overlapping regex matches, as
/// `len(re.findall(pat, s))` (so an empty pattern counts `len(s) + 1`).
///
/// # Errors
/// A bad regex or flags, or a non-string array.
pub fn count(array: &dyn Array, pattern: &str, re_flags: u32) -> Result<Int64Array> {
    if re_flags == 0 && is_plain_literal(pattern) {
        let finder = Finder::new(pattern.as_bytes());
        match array.data_type() {
            DataType::Utf8 => return Ok(count_in_buffer(array.as_string::<i32>(), &finder)),
            DataType::LargeUtf8 => return Ok(count_in_buffer(array.as_string::<i64>(), &finder)),
            _ => {}
        }
        return map_i64(
            array,
            "count",
            &|s| Ok(finder.find_iter(s.as_bytes()).count() as i64),
            None,
        );
    }
    count_matches(array, &Pattern::new(pattern, re_flags)?)
}

/// `count` with a regex compiled once by the caller: non-overlapping matches per string,
/// as `len(re.findall(pat, s))`.
///
/// # Errors
/// A non-string array, or a backtracking regex over its limit.
pub fn count_matches(array: &dyn Array, pattern: &Pattern) -> Result<Int64Array> {
    // A clone per call: workers never share a regex cache.
    let p = pattern.clone();
    let locs = std::cell::RefCell::new(p.locations());
    map_i64(
        array,
        "count",
        &|s| {
            let mut n = 0;
            p.for_each_match(s, false, &mut locs.borrow_mut(), |_| {
                n += 1;
                Ok(true)
            })?;
            Ok(n)
        },
        None,
    )
}

/// Which end `find` searches from, and whether a miss is an error (`index`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum FindKind {
    /// `str.find`: the lowest position, or -1.
    Find,
    /// `str.rfind`: the highest position, or -1.
    Rfind,
    /// `str.index`: as `find`, and a miss is an error.
    Index,
    /// `str.rindex`: as `rfind`, and a miss is an error.
    Rindex,
}

/// Python's slice-index adjustment for `find(sub, start, end)`: negative positions count
/// from the end, and both are clamped to `0..=len`. `None` when the window is shorter
/// than the needle (a miss without searching).
pub(crate) fn adjust_window(
    len: i64,
    start: i64,
    end: Option<i64>,
    needle: i64,
) -> Option<(usize, usize)> {
    let adjust = |i: i64| if i < 0 { (i + len).max(0) } else { i };
    let start = adjust(start);
    let end = end.map_or(len, |e| adjust(e).min(len));
    if end - start < needle {
        None
    } else {
        Some((start as usize, end as usize))
    }
}

/// The byte offset of code point `n` in `s` (or `s.len()` past the end).
#[inline]
pub(crate) fn byte_of_char(s: &str, n: usize) -> usize {
    s.char_indices().nth(n).map_or(s.len(), |(b, _)| b)
}

/// pandas' `str.find(sub, start, end)` and friends: positions in code points, `start` and
/// `end` as Python slice indices.
///
/// # Errors
/// [`KernelError::NotFound`] for `index` / `rindex` on a string without `sub`, and
/// [`KernelError::UnsupportedType`] for a non-string array.
pub fn find(
    array: &dyn Array,
    sub: &str,
    start: i64,
    end: Option<i64>,
    kind: FindKind,
) -> Result<Int64Array> {
    let forward = Finder::new(sub.as_bytes());
    let backward = FinderRev::new(sub.as_bytes());
    let needle = char_count(sub);
    let op = match kind {
        FindKind::Find => "find",
        FindKind::Rfind => "rfind",
        FindKind::Index => "index",
        FindKind::Rindex => "rindex",
    };
    let reverse = matches!(kind, FindKind::Rfind | FindKind::Rindex);
    if matches!(kind, FindKind::Find | FindKind::Rfind)
        && start == 0
        && end.is_none()
        && !sub.is_empty()
    {
        match array.data_type() {
            DataType::Utf8 => {
                return Ok(find_in_buffer(array.as_string::<i32>(), &forward, reverse))
            }
            DataType::LargeUtf8 => {
                return Ok(find_in_buffer(array.as_string::<i64>(), &forward, reverse))
            }
            _ => {}
        }
    }
    let f = |s: &str| -> Result<i64> {
        let ascii = s.is_ascii();
        let len = if ascii { s.len() as i64 } else { char_count(s) };
        let found = adjust_window(len, start, end, needle).and_then(|(a, b)| {
            let (ba, bb) = if ascii {
                (a, b)
            } else {
                let ba = byte_of_char(s, a);
                (ba, ba + byte_of_char(&s[ba..], b - a))
            };
            let hay = &s.as_bytes()[ba..bb];
            // A one-byte needle goes to memchr, which costs less to start than memmem.
            let at = match (sub.as_bytes(), reverse) {
                ([b], false) => memchr::memchr(*b, hay),
                ([b], true) => memchr::memrchr(*b, hay),
                (_, false) => forward.find(hay),
                (_, true) => backward.rfind(hay),
            }?;
            Some(if ascii {
                (a + at) as i64
            } else {
                a as i64 + char_count(&s[ba..ba + at])
            })
        });
        match (found, kind) {
            (Some(i), _) => Ok(i),
            (None, FindKind::Find | FindKind::Rfind) => Ok(-1),
            (None, _) => Err(KernelError::NotFound {
                op,
                needle: sub.to_string(),
                value: s.chars().take(40).collect(),
            }),
        }
    };
    map_i64(array, op, &f, None)
}

/// Replaces nulls by `na` when it is given (pandas' `na=` argument).
pub fn fill_na(array: BooleanArray, na: Option<bool>) -> BooleanArray {
    match (na, array.nulls()) {
        (Some(fill), Some(nulls)) => {
            let values = array.values();
            let filled = BooleanBuffer::collect_bool(array.len(), |i| {
                if nulls.is_valid(i) {
                    values.value(i)
                } else {
                    fill
                }
            });
            BooleanArray::new(filled, None)
        }
        _ => array,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(m: &Matcher) -> &'static str {
        match m {
            Matcher::Always => "always",
            Matcher::Equals(_) => "eq",
            Matcher::StartsWith(_) => "prefix",
            Matcher::EndsWith(_) => "suffix",
            Matcher::Contains(_) => "memmem",
            Matcher::ContainsCaseless(_) => "caseless",
            Matcher::Regex(_) => "regex",
        }
    }

    #[test]
    fn like_is_classified_once() {
        let cases = [
            ("abc", "eq"),
            ("abc%", "prefix"),
            ("%abc", "suffix"),
            ("%abc%", "memmem"),
            ("%%abc%%", "memmem"),
            ("%", "always"),
            ("a_c", "regex"),
            ("a%c", "regex"),
            ("", "eq"),
        ];
        for (pattern, expected) in cases {
            let m = Matcher::like(pattern, None, false).unwrap();
            assert_eq!(kind(&m), expected, "{pattern}");
        }
    }

    #[test]
    fn like_semantics() {
        let t = |p: &str, s: &str| {
            Matcher::like(p, Some('\\'), false)
                .unwrap()
                .is_match(s)
                .unwrap()
        };
        assert!(t("a_c", "abc"));
        assert!(t("a_c", "aéc"));
        assert!(!t("a_c", "abbc"));
        assert!(t("a%c", "a\nc"));
        assert!(t("100\\%", "100%"));
        assert!(!t("100\\%", "1000"));
        assert!(t("a.c", "a.c"));
        assert!(!t("a.c", "abc"));
        assert!(Matcher::like("%É%", None, true)
            .unwrap()
            .is_match("café")
            .unwrap());
        assert!(Matcher::like("ab\\", Some('\\'), false).is_err());
    }

    #[test]
    fn whole_buffer_contains_attributes_hits_to_rows() {
        use arrow_array::StringArray;
        let rows = ["ab", "c", "", "", "xbc", "b", "cb", "c", "bcbc"];
        let a = StringArray::from(rows.to_vec());
        let m = Matcher::contains_literal("bc");
        let want: Vec<bool> = rows.iter().map(|r| r.contains("bc")).collect();
        for (start, len) in [(0, rows.len()), (1, 7), (4, 5), (2, 2)] {
            let got = matches(&a.slice(start, len), &m).unwrap();
            let got: Vec<bool> = got.iter().map(Option::unwrap).collect();
            assert_eq!(got, want[start..start + len], "slice {start}+{len}");
        }
        // A one-byte needle takes memchr.
        let one = Matcher::contains_literal("c");
        let got = matches(&a.slice(1, 7), &one).unwrap();
        let want: Vec<Option<bool>> = rows[1..8].iter().map(|r| Some(r.contains('c'))).collect();
        assert_eq!(got.iter().collect::<Vec<_>>(), want);
        // rfind sees overlapping hits; positions are in code points.
        let a = StringArray::from(vec!["aaa", "éaa", "a", "", "aaéaa"]);
        let got = find(&a, "aa", 0, None, FindKind::Rfind).unwrap();
        assert_eq!(got.values().to_vec(), vec![1, 1, -1, -1, 3]);
        let got = find(&a, "aa", 0, None, FindKind::Find).unwrap();
        assert_eq!(got.values().to_vec(), vec![0, 1, -1, -1, 0]);
        // Hits far apart: the row is found by binary search.
        let many: Vec<String> = (0..1000)
            .map(|i| {
                if i % 333 == 7 {
                    "zbcz".into()
                } else {
                    "b".repeat(i % 3)
                }
            })
            .collect();
        let a = StringArray::from(many.clone());
        let got = matches(&a, &m).unwrap();
        for (i, s) in many.iter().enumerate() {
            assert_eq!(got.value(i), s.contains("bc"), "row {i}");
        }
    }

    #[test]
    fn caseless_literal_uses_full_uppercase() {
        // Python: 'SS' in 'straße'.upper()
        assert!(Matcher::contains_caseless("ss").is_match("straße").unwrap());
        assert!(Matcher::contains_caseless("").is_match("x").unwrap());
    }

    #[test]
    fn bad_regex_is_an_error_with_the_pattern() {
        let err = Matcher::regex("a(b", 0).unwrap_err();
        assert!(err.to_string().contains("a(b"), "{err}");
        assert!(!err.to_string().contains('\n'));
        assert!(Matcher::regex("a", 1 << 20).is_err());
    }
}
