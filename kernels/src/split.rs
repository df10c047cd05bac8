//! Split and join: `split`, `rsplit`, `partition`, `rpartition` (list and struct
//! results), `join` on lists and strings, `cat` of several columns.

use std::cell::RefCell;
use std::sync::Arc;

use arrow_array::builder::GenericStringBuilder;
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use memchr::memmem::{Finder, FinderRev};

use crate::driver::{map_list, map_string, map_struct, on_dictionary_values, unsupported, Rows};
use crate::error::{KernelError, Result};
use crate::pattern::{Locations, Pattern};
use crate::unicode::is_space;

/// How `split` cuts a string.
#[derive(Debug, Clone)]
pub enum Splitter {
    /// Runs of whitespace, leading and trailing whitespace dropped (`str.split()`).
    Whitespace,
    /// A literal separator (`str.split(sep)`).
    Literal(String),
    /// A regex (`re.split`): the text of capture groups is kept between the pieces.
    Regex(Pattern),
}

impl Splitter {
    /// pandas' rule for `str.split(pat, regex)`: no pattern splits on whitespace; with
    /// `regex=None`, a pattern of one character is a literal and a longer one a regex.
    ///
    /// # Errors
    /// An empty literal separator (Python's "empty separator") or a bad regex.
    pub fn pandas(pat: Option<&str>, regex: Option<bool>) -> Result<Splitter> {
        let Some(pat) = pat else {
            return Ok(Splitter::Whitespace);
        };
        let is_regex = regex.unwrap_or(pat.chars().count() > 1);
        if is_regex {
            Ok(Splitter::Regex(Pattern::new(pat, 0)?))
        } else {
            Splitter::literal(pat)
        }
    }

    /// A literal separator.
    ///
    /// # Errors
    /// [`KernelError::InvalidArgument`] for an empty separator, as Python.
    pub fn literal(sep: &str) -> Result<Splitter> {
        if sep.is_empty() {
            return Err(KernelError::InvalidArgument {
                op: "split",
                message: "empty separator".into(),
            });
        }
        Ok(Splitter::Literal(sep.to_string()))
    }
}

/// A piece of a split: a byte range of the string, or `None` for a regex group that did
/// not take part in its match.
type Span = Option<(usize, usize)>;

/// Calls `emit` with each piece of `s.split(None, maxsplit)`; `emit` returns false to stop.
fn split_whitespace(s: &str, maxsplit: usize, emit: &mut impl FnMut(Span) -> bool) {
    let mut at = 0;
    let mut done = 0;
    loop {
        at = s.len() - s[at..].trim_start_matches(is_space).len();
        if at == s.len() {
            return;
        }
        if done == maxsplit {
            emit(Some((at, s.len())));
            return;
        }
        let end = s[at..].find(is_space).map_or(s.len(), |e| at + e);
        if !emit(Some((at, end))) {
            return;
        }
        at = end;
        done += 1;
    }
}

/// Calls `emit` with each piece of `s` split by `splitter` (at most `maxsplit` splits):
/// the pieces between separators, and for a regex with groups the groups' texts between
/// them, as `re.split` gives. `emit` returns false to stop early.
fn split_spans(
    splitter: &Splitter,
    finder: Option<&Finder<'_>>,
    s: &str,
    maxsplit: usize,
    locs: Option<&mut Locations>,
    emit: &mut impl FnMut(Span) -> bool,
) -> Result<()> {
    match (splitter, finder, locs) {
        // One byte: memchr's iterator, without the substring searcher's layers.
        (Splitter::Literal(sep), _, _) if sep.len() == 1 => {
            let mut last = 0;
            for at in memchr::memchr_iter(sep.as_bytes()[0], s.as_bytes()).take(maxsplit) {
                if !emit(Some((last, at))) {
                    return Ok(());
                }
                last = at + 1;
            }
            emit(Some((last, s.len())));
        }
        (Splitter::Literal(sep), Some(finder), _) => {
            let mut last = 0;
            for at in finder.find_iter(s.as_bytes()).take(maxsplit) {
                if !emit(Some((last, at))) {
                    return Ok(());
                }
                last = at + sep.len();
            }
            emit(Some((last, s.len())));
        }
        (Splitter::Regex(p), _, Some(locs)) => {
            let (mut last, mut done, mut stopped) = (0, 0, false);
            p.for_each_match(s, p.groups() > 0, locs, |spans| {
                if done == maxsplit {
                    return Ok(false);
                }
                let (start, end) = spans[0].unwrap_or((last, last));
                if !emit(Some((last, start))) || !spans[1..].iter().all(|g| emit(*g)) {
                    stopped = true;
                    return Ok(false);
                }
                last = end;
                done += 1;
                Ok(true)
            })?;
            if !stopped {
                emit(Some((last, s.len())));
            }
        }
        _ => split_whitespace(s, maxsplit, emit),
    }
    Ok(())
}

/// The per-call state of a split: its own clone of the splitter (so that workers never
/// share a regex cache), a finder for a literal, match scratch for a regex.
struct SplitState {
    splitter: Splitter,
    finder: Option<Finder<'static>>,
    locs: Option<RefCell<Locations>>,
    maxsplit: usize,
}

impl SplitState {
    fn new(splitter: &Splitter, n: i64) -> SplitState {
        SplitState {
            finder: match splitter {
                Splitter::Literal(sep) => Some(Finder::new(sep.as_bytes()).into_owned()),
                _ => None,
            },
            locs: match splitter {
                Splitter::Regex(p) => Some(RefCell::new(p.locations())),
                _ => None,
            },
            splitter: splitter.clone(),
            maxsplit: if n <= 0 { usize::MAX } else { n as usize },
        }
    }

    fn spans(&self, s: &str, emit: &mut impl FnMut(Span) -> bool) -> Result<()> {
        let mut locs = self.locs.as_ref().map(RefCell::borrow_mut);
        split_spans(
            &self.splitter,
            self.finder.as_ref(),
            s,
            self.maxsplit,
            locs.as_deref_mut(),
            emit,
        )
    }
}

/// The byte ranges of `s.rsplit(None, maxsplit)`, in order, into `pieces`.
fn rsplit_whitespace(s: &str, maxsplit: usize, pieces: &mut Vec<(usize, usize)>) {
    pieces.clear();
    let mut end = s.len();
    loop {
        end = s[..end].trim_end_matches(is_space).len();
        if end == 0 {
            break;
        }
        if pieces.len() == maxsplit {
            pieces.push((0, end));
            break;
        }
        let start = s[..end]
            .rfind(is_space)
            .map_or(0, |i| i + s[i..].chars().next().map_or(1, char::len_utf8));
        pieces.push((start, end));
        end = start;
    }
    pieces.reverse();
}

/// pandas' `str.split(pat, n, regex)`: a `List<Utf8>` per row. `n` limits the number of
/// splits (negative or zero: all, as pandas passes them on).
///
/// # Errors
/// A non-string array, or a backtracking regex over its limit.
pub fn split(array: &dyn Array, splitter: &Splitter, n: i64) -> Result<ArrayRef> {
    let state = SplitState::new(splitter, n);
    map_list(array, "split", &|s, row| {
        state.spans(s, &mut |span| {
            match span {
                Some((a, b)) => row.push(&s[a..b]),
                None => row.push_null(),
            }
            true
        })
    })
}

/// `split(pat, n, regex).get(i)` without building the lists: piece `i` of each string
/// (negative from the end), null when there is no such piece. The planner runs
/// `col.str().split(..).str().get(i)` through this.
///
/// # Errors
/// A non-string array, or a backtracking regex over its limit.
pub fn split_get(array: &dyn Array, splitter: &Splitter, n: i64, i: i64) -> Result<ArrayRef> {
    let state = SplitState::new(splitter, n);
    let pieces: RefCell<Vec<Span>> = RefCell::new(Vec::new());
    map_string(
        array,
        "split",
        &|s, out| {
            let mut pieces = pieces.borrow_mut();
            pieces.clear();
            // Going forward, the pieces after the wanted one are not needed.
            let wanted = usize::try_from(i).ok();
            state.spans(s, &mut |span| {
                pieces.push(span);
                wanted.is_none_or(|w| pieces.len() <= w)
            })?;
            let at = match wanted {
                Some(w) => Some(w),
                None => pieces.len().checked_sub(i.unsigned_abs() as usize),
            };
            match at.and_then(|k| pieces.get(k)) {
                Some(Some((a, b))) => {
                    out.push_str(&s[*a..*b]);
                    Ok(true)
                }
                _ => Ok(false),
            }
        },
        None,
    )
}

/// DuckDB's `split_part(s, sep, index)`: the 1-based `index`-th piece of `s` split by the
/// literal `sep` (negative from the end), `""` when there is no such piece or `index` is 0;
/// an empty `sep` splits into characters.
///
/// # Errors
/// [`KernelError::UnsupportedType`] when `array` is not a string array.
pub fn split_part(array: &dyn Array, sep: &str, index: i64) -> Result<ArrayRef> {
    let finder = Finder::new(sep.as_bytes());
    let pieces: RefCell<Vec<(usize, usize)>> = RefCell::new(Vec::new());
    map_string(
        array,
        "split_part",
        &|s, out| {
            let mut pieces = pieces.borrow_mut();
            pieces.clear();
            if sep.is_empty() {
                pieces.extend(s.char_indices().map(|(i, c)| (i, i + c.len_utf8())));
            } else {
                let mut last = 0;
                for at in finder.find_iter(s.as_bytes()) {
                    pieces.push((last, at));
                    last = at + sep.len();
                }
                pieces.push((last, s.len()));
            }
            let k = match index {
                0 => None,
                i if i > 0 => usize::try_from(i - 1).ok(),
                i => pieces.len().checked_sub(i.unsigned_abs() as usize),
            };
            if let Some((a, b)) = k.and_then(|k| pieces.get(k)) {
                out.push_str(&s[*a..*b]);
            }
            Ok(true)
        },
        None,
    )
}

/// pandas' `str.rsplit(pat, n)`: as `split` from the right (always a literal or
/// whitespace, as in pandas).
///
/// # Errors
/// An empty separator, or a non-string array.
pub fn rsplit(array: &dyn Array, sep: Option<&str>, n: i64) -> Result<ArrayRef> {
    let maxsplit = if n <= 0 { usize::MAX } else { n as usize };
    match sep {
        None => {
            let pieces = RefCell::new(Vec::new());
            map_list(array, "rsplit", &|s, row| {
                let mut pieces = pieces.borrow_mut();
                rsplit_whitespace(s, maxsplit, &mut pieces);
                for &(a, b) in pieces.iter() {
                    row.push(&s[a..b]);
                }
                Ok(())
            })
        }
        Some(sep) => {
            let Splitter::Literal(sep) = Splitter::literal(sep)? else {
                unreachable!("literal() builds a literal")
            };
            let finder = FinderRev::new(sep.as_bytes());
            let cuts = RefCell::new(Vec::new());
            map_list(array, "rsplit", &|s, row| {
                let mut cuts = cuts.borrow_mut();
                cuts.clear();
                let mut end = s.len();
                while cuts.len() < maxsplit {
                    match finder.rfind(&s.as_bytes()[..end]) {
                        Some(at) => {
                            cuts.push(at);
                            end = at;
                        }
                        None => break,
                    }
                }
                let mut last = 0;
                for &at in cuts.iter().rev() {
                    row.push(&s[last..at]);
                    last = at + sep.len();
                }
                row.push(&s[last..]);
                Ok(())
            })
        }
    }
}

/// Python's `str.partition(sep)` (or `rpartition` when `reverse`): a struct of three
/// strings named `0`, `1`, `2` (pandas' column names): the text before the separator, the
/// separator, the text after. Without the separator: `(s, "", "")`, or `("", "", s)`.
///
/// # Errors
/// An empty separator, or a non-string array.
pub fn partition(array: &dyn Array, sep: &str, reverse: bool) -> Result<ArrayRef> {
    Splitter::literal(sep)?;
    let names = ["0", "1", "2"].map(String::from);
    let op = if reverse { "rpartition" } else { "partition" };
    let finder = Finder::new(sep.as_bytes());
    let rfinder = FinderRev::new(sep.as_bytes());
    map_struct(array, op, &names, &|s, fields| {
        let at = if reverse {
            rfinder.rfind(s.as_bytes())
        } else {
            finder.find(s.as_bytes())
        };
        let parts = match at {
            Some(i) => [&s[..i], sep, &s[i + sep.len()..]],
            None if reverse => ["", "", s],
            None => [s, "", ""],
        };
        parts.iter().for_each(|p| fields.push(Some(p)));
        Ok(true)
    })
}

/// pandas' `str.join(sep)`: on a list column, the items joined by `sep` (null when an
/// item is null); on a string column, `sep` between the characters.
///
/// # Errors
/// [`KernelError::UnsupportedType`] for a column that is neither.
pub fn join(array: &dyn Array, sep: &str) -> Result<ArrayRef> {
    match array.data_type() {
        DataType::List(_) | DataType::LargeList(_) => {
            let mut out = GenericStringBuilder::<i32>::new();
            let mut scratch = String::new();
            let item = |list: ArrayRef,
                        out: &mut GenericStringBuilder<i32>,
                        scratch: &mut String|
             -> Result<()> {
                let items = match list.data_type() {
                    DataType::Dictionary(_, _) => {
                        on_dictionary_values(list.as_ref(), |v| Ok(v.slice(0, v.len())))?
                    }
                    _ => list,
                };
                let rows = Rows::new(items.as_ref(), "join")?;
                scratch.clear();
                for j in 0..rows.len() {
                    match rows.get(j) {
                        Some(v) => {
                            if j > 0 {
                                scratch.push_str(sep);
                            }
                            scratch.push_str(v);
                        }
                        None => {
                            out.append_null();
                            return Ok(());
                        }
                    }
                }
                out.append_value(&*scratch);
                Ok(())
            };
            let lists: Vec<Option<ArrayRef>> = match array.data_type() {
                DataType::List(_) => array.as_list::<i32>().iter().collect(),
                _ => array.as_list::<i64>().iter().collect(),
            };
            for list in lists {
                match list {
                    Some(l) => item(l, &mut out, &mut scratch)?,
                    None => out.append_null(),
                }
            }
            Ok(Arc::new(out.finish()))
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Dictionary(_, _) => {
            map_string(
                array,
                "join",
                &|s, out| {
                    for (i, c) in s.chars().enumerate() {
                        if i > 0 {
                            out.push_str(sep);
                        }
                        out.push(c);
                    }
                    Ok(true)
                },
                None,
            )
        }
        other => Err(unsupported("join", other)),
    }
}

/// pandas' `str.get(i)` on a list column: item `i` (negative from the end), null when
/// out of range.
///
/// # Errors
/// [`KernelError::UnsupportedType`] for a column that is not a list.
pub fn list_get(array: &dyn Array, i: i64) -> Result<ArrayRef> {
    let (offsets, values): (Vec<usize>, ArrayRef) = match array.data_type() {
        DataType::List(_) => {
            let l = array.as_list::<i32>();
            (
                l.value_offsets().iter().map(|&o| o as usize).collect(),
                l.values().clone(),
            )
        }
        DataType::LargeList(_) => {
            let l = array.as_list::<i64>();
            (
                l.value_offsets().iter().map(|&o| o as usize).collect(),
                l.values().clone(),
            )
        }
        other => return Err(unsupported("get", other)),
    };
    let data = values.to_data();
    let mut out = arrow_data::transform::MutableArrayData::new(vec![&data], true, array.len());
    for (row, w) in offsets.windows(2).enumerate() {
        let len = (w[1] - w[0]) as i64;
        let at = if i < 0 { i + len } else { i };
        let overflow = |e: arrow_schema::ArrowError| KernelError::InvalidArgument {
            op: "get",
            message: e.to_string(),
        };
        if array.is_valid(row) && (0..len).contains(&at) {
            let k = w[0] + at as usize;
            out.try_extend(0, k, k + 1).map_err(overflow)?;
        } else {
            out.try_extend_nulls(1).map_err(overflow)?;
        }
    }
    Ok(arrow_array::make_array(out.freeze()))
}

/// Plain string rows of any string layout (a dictionary is expanded through its keys).
fn plain(array: &dyn Array) -> Result<ArrayRef> {
    match array.data_type() {
        DataType::Dictionary(_, _) => on_dictionary_values(array, |v| Ok(v.slice(0, v.len()))),
        _ => Ok(array.slice(0, array.len())),
    }
}

/// pandas' `str.cat(others, sep, na_rep)` row by row: the strings of `columns` (all of
/// one length) joined by `sep`. A row with a null is null, unless `na_rep` stands in.
///
/// # Errors
/// A non-string column, columns of different lengths, or output past 2 GiB.
pub fn cat(columns: &[&dyn Array], sep: &str, na_rep: Option<&str>) -> Result<ArrayRef> {
    let plain: Vec<ArrayRef> = columns.iter().map(|c| plain(*c)).collect::<Result<_>>()?;
    let rows: Vec<Rows<'_>> = plain
        .iter()
        .map(|a| Rows::new(a.as_ref(), "cat"))
        .collect::<Result<_>>()?;
    let len = rows.first().map_or(0, Rows::len);
    if rows.iter().any(|r| r.len() != len) {
        return Err(KernelError::InvalidArgument {
            op: "cat",
            message: "all columns must have the same length".into(),
        });
    }
    let mut out = GenericStringBuilder::<i32>::with_capacity(len, 0);
    let mut scratch = String::new();
    let mut bytes = 0usize;
    'rows: for i in 0..len {
        scratch.clear();
        for (j, r) in rows.iter().enumerate() {
            if j > 0 {
                scratch.push_str(sep);
            }
            match (r.get(i), na_rep) {
                (Some(v), _) => scratch.push_str(v),
                (None, Some(rep)) => scratch.push_str(rep),
                (None, None) => {
                    out.append_null();
                    continue 'rows;
                }
            }
        }
        bytes += scratch.len();
        if bytes > i32::MAX as usize {
            return Err(KernelError::OffsetOverflow { op: "cat" });
        }
        out.append_value(&scratch);
    }
    Ok(Arc::new(out.finish()))
}

/// pandas' `str.cat(sep, na_rep)` without `others`: every string of the column joined
/// into one, nulls skipped (or replaced by `na_rep`).
///
/// # Errors
/// A non-string column.
pub fn cat_all(array: &dyn Array, sep: &str, na_rep: Option<&str>) -> Result<String> {
    let plain = plain(array)?;
    let rows = Rows::new(plain.as_ref(), "cat")?;
    let mut out = String::new();
    let mut first = true;
    for i in 0..rows.len() {
        let v = match (rows.get(i), na_rep) {
            (Some(v), _) | (None, Some(v)) => v,
            (None, None) => continue,
        };
        if !first {
            out.push_str(sep);
        }
        out.push_str(v);
        first = false;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(s: &str, n: usize) -> Vec<String> {
        let mut out = Vec::new();
        split_whitespace(s, n, &mut |span| {
            let (a, b) = span.unwrap();
            out.push(s[a..b].to_string());
            true
        });
        out
    }

    fn rws(s: &str, n: usize) -> Vec<String> {
        let mut pieces = Vec::new();
        rsplit_whitespace(s, n, &mut pieces);
        pieces
            .into_iter()
            .map(|(a, b)| s[a..b].to_string())
            .collect()
    }

    #[test]
    fn whitespace_split_is_pythons() {
        // '  a b  c  '.split(None, 1) == ['a', 'b  c  ']
        assert_eq!(ws("  a b  c  ", 1), ["a", "b  c  "]);
        assert_eq!(ws("  a b  c  ", usize::MAX), ["a", "b", "c"]);
        assert_eq!(ws("   ", usize::MAX), Vec::<String>::new());
        assert_eq!(ws("a\x1cb", usize::MAX), ["a", "b"]);
        // '  a b  c  '.rsplit(None, 1) == ['  a b', 'c']
        assert_eq!(rws("  a b  c  ", 1), ["  a b", "c"]);
        assert_eq!(rws("a\u{3000}b", usize::MAX), ["a", "b"]);
    }
}
