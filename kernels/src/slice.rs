//! Positions: `slice(start, stop, step)`, `slice_replace`, `get(i)`, with Python's slice
//! rules in code points (negative positions count from the end, out-of-range positions
//! are clamped). An ASCII string is sliced by bytes.

use arrow_array::{Array, ArrayRef};

use crate::driver::map_string;
use crate::error::{KernelError, Result};
use crate::length::char_count;
use crate::search::byte_of_char;

/// Python's `slice.indices(len)`: the concrete start, stop for a step.
fn indices(len: i64, start: Option<i64>, stop: Option<i64>, step: i64) -> (i64, i64) {
    let (lower, upper) = if step < 0 { (-1, len - 1) } else { (0, len) };
    let adjust = |i: Option<i64>, default: i64| match i {
        None => default,
        Some(i) if i < 0 => (i + len).max(lower),
        Some(i) => i.min(upper),
    };
    if step < 0 {
        (adjust(start, upper), adjust(stop, lower))
    } else {
        (adjust(start, lower), adjust(stop, upper))
    }
}

/// The byte range of `s[start:stop]` (step 1).
fn byte_range(s: &str, start: Option<i64>, stop: Option<i64>) -> (usize, usize) {
    let ascii = s.is_ascii();
    let len = if ascii { s.len() as i64 } else { char_count(s) };
    let (a, b) = indices(len, start, stop, 1);
    if a >= b {
        let at = if ascii {
            a as usize
        } else {
            byte_of_char(s, a as usize)
        };
        let at = at.min(s.len());
        return (at, at);
    }
    if ascii {
        (a as usize, b as usize)
    } else {
        let ba = byte_of_char(s, a as usize);
        (ba, ba + byte_of_char(&s[ba..], (b - a) as usize))
    }
}

/// Appends `s[start:stop:step]`.
fn slice_one(s: &str, start: Option<i64>, stop: Option<i64>, step: i64, out: &mut String) {
    if step == 1 {
        let (a, b) = byte_range(s, start, stop);
        out.push_str(&s[a..b]);
        return;
    }
    let len = char_count(s);
    let (a, b) = indices(len, start, stop, step);
    if step > 0 {
        if a >= b {
            return;
        }
        let step = step as usize;
        s.chars()
            .skip(a as usize)
            .take((b - a) as usize)
            .step_by(step)
            .for_each(|c| out.push(c));
    } else {
        if a <= b {
            return;
        }
        let step = step.unsigned_abs() as usize;
        // Characters a, a-|step|, ... down to just above b, read from the end.
        s.chars()
            .rev()
            .skip((len - 1 - a) as usize)
            .take((a - b) as usize)
            .step_by(step)
            .for_each(|c| out.push(c));
    }
}

/// pandas' `str.slice(start, stop, step)`: Python's `s[start:stop:step]`.
///
/// # Errors
/// [`KernelError::InvalidArgument`] when `step` is zero.
pub fn slice(
    array: &dyn Array,
    start: Option<i64>,
    stop: Option<i64>,
    step: Option<i64>,
) -> Result<ArrayRef> {
    let step = step.unwrap_or(1);
    if step == 0 {
        return Err(KernelError::InvalidArgument {
            op: "slice",
            message: "slice step cannot be zero".into(),
        });
    }
    map_string(
        array,
        "slice",
        &|s, out| {
            slice_one(s, start, stop, step, out);
            Ok(true)
        },
        None,
    )
}

/// DuckDB's `reverse(s)`: the string's grapheme clusters (extended) in reverse order, so
/// `🤦🏼‍♂️` and `é` written as `e` and a combining accent stay whole. ASCII text without
/// `\r` (whose `\r\n` is one cluster) is reversed byte by byte.
///
/// # Errors
/// [`KernelError::UnsupportedType`] when `array` is not a string array.
pub fn reverse_graphemes(array: &dyn Array) -> Result<ArrayRef> {
    use unicode_segmentation::UnicodeSegmentation;
    map_string(
        array,
        "reverse",
        &|s, out| {
            if s.is_ascii() && !s.contains('\r') {
                out.extend(s.bytes().rev().map(char::from));
            } else {
                s.graphemes(true).rev().for_each(|g| out.push_str(g));
            }
            Ok(true)
        },
        None,
    )
}

/// pandas' `str.slice_replace(start, stop, repl)`: the text between `start` and `stop`
/// replaced by `repl` (inserted at `start` when that text is empty).
///
/// # Errors
/// [`KernelError::UnsupportedType`] when `array` is not a string array.
pub fn slice_replace(
    array: &dyn Array,
    start: Option<i64>,
    stop: Option<i64>,
    repl: &str,
) -> Result<ArrayRef> {
    map_string(
        array,
        "slice_replace",
        &|s, out| {
            let (a, b) = byte_range(s, start, stop);
            let local_stop = if a == b { start } else { stop };
            if start.is_some() {
                let (_, head) = byte_range(s, None, start);
                out.push_str(&s[..head]);
            }
            out.push_str(repl);
            if stop.is_some() {
                let (tail, _) = byte_range(s, local_stop, None);
                out.push_str(&s[tail..]);
            }
            Ok(true)
        },
        None,
    )
}

/// pandas' `str.get(i)` on strings: the character at `i` (negative from the end), null
/// when `i` is out of range.
///
/// # Errors
/// [`KernelError::UnsupportedType`] when `array` is not a string array.
pub fn get(array: &dyn Array, i: i64) -> Result<ArrayRef> {
    map_string(
        array,
        "get",
        &|s, out| {
            let c = if s.is_ascii() {
                let len = s.len() as i64;
                let at = if i < 0 { i + len } else { i };
                (0..len)
                    .contains(&at)
                    .then(|| s.as_bytes()[at as usize] as char)
            } else if i >= 0 {
                s.chars().nth(i as usize)
            } else {
                s.chars().rev().nth((-(i + 1)) as usize)
            };
            match c {
                Some(c) => {
                    out.push(c);
                    Ok(true)
                }
                None => Ok(false),
            }
        },
        None,
    )
}

/// DuckDB's `substring(s, start, length)`: `length` code points from the 1-based position
/// `start` (0 is the position before the first, a negative one counts from the end); a
/// negative `length` takes the code points before `start`; no `length`: to the end. The
/// range is clamped to the string.
///
/// # Errors
/// [`KernelError::UnsupportedType`] when `array` is not a string array.
pub fn substr(array: &dyn Array, start: i64, length: Option<i64>) -> Result<ArrayRef> {
    map_string(
        array,
        "substr",
        &|s, out| {
            let ascii = s.is_ascii();
            let len = if ascii { s.len() as i64 } else { char_count(s) };
            let begin = match start {
                0 => -1,
                p if p > 0 => p - 1,
                p => len.saturating_add(p),
            };
            let (a, b) = match length {
                None => (begin, len),
                Some(n) if n >= 0 => (begin, begin.saturating_add(n)),
                Some(n) => (begin.saturating_add(n), begin),
            };
            let (a, b) = (a.clamp(0, len) as usize, b.clamp(0, len) as usize);
            if a < b {
                if ascii {
                    out.push_str(&s[a..b]);
                } else {
                    let ba = byte_of_char(s, a);
                    out.push_str(&s[ba..ba + byte_of_char(&s[ba..], b - a)]);
                }
            }
            Ok(true)
        },
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sl(s: &str, a: Option<i64>, b: Option<i64>, step: i64) -> String {
        let mut out = String::new();
        slice_one(s, a, b, step, &mut out);
        out
    }

    #[test]
    fn duckdb_substrings() {
        use arrow_array::cast::AsArray;
        // Expected values are DuckDB 2.0's.
        let a = arrow_array::StringArray::from(vec!["hello"]);
        let sub = |start, len| {
            substr(&a, start, len)
                .unwrap()
                .as_string::<i32>()
                .value(0)
                .to_string()
        };
        assert_eq!(sub(0, Some(2)), "h");
        assert_eq!(sub(-3, Some(2)), "ll");
        assert_eq!(sub(-3, Some(5)), "llo");
        assert_eq!(sub(2, None), "ello");
        assert_eq!(sub(-10, Some(8)), "hel");
        assert_eq!(sub(3, Some(-2)), "he");
        assert_eq!(sub(-1, Some(-2)), "ll");
        assert_eq!(sub(1, Some(-1)), "");
        assert_eq!(sub(6, Some(2)), "");
        assert_eq!(sub(0, None), "hello");
    }

    #[test]
    fn python_slices() {
        // Expected values are Python's.
        assert_eq!(sl("hello", Some(1), Some(3), 1), "el");
        assert_eq!(sl("hello", Some(-3), None, 1), "llo");
        assert_eq!(sl("hello", None, None, -1), "olleh");
        assert_eq!(sl("hello", None, None, 2), "hlo");
        assert_eq!(sl("hello", Some(-1), Some(-4), -2), "ol");
        assert_eq!(sl("héllo", Some(1), Some(3), 1), "él");
        assert_eq!(sl("héllo", Some(10), None, 1), "");
        assert_eq!(sl("héllo", Some(3), Some(1), 1), "");
        assert_eq!(sl("héllo", Some(4), Some(0), -1), "oll\u{e9}");
        assert_eq!(sl("abc", Some(-10), Some(10), 1), "abc");
    }
}

#[cfg(test)]
mod reverse_tests {
    use super::*;
    use arrow_array::cast::AsArray;
    use arrow_array::StringArray;

    #[test]
    fn reverse_keeps_grapheme_clusters_whole() {
        let a = StringArray::from(vec![
            Some("abc"),
            Some("🤦🏼‍♂️x"),
            Some("e\u{301}a"),
            Some("a\r\nb"),
            None,
            Some(""),
        ]);
        let out = reverse_graphemes(&a).unwrap();
        let out: Vec<Option<&str>> = out.as_string::<i32>().iter().collect();
        assert_eq!(
            out,
            [
                Some("cba"),
                Some("x🤦🏼‍♂️"),
                Some("ae\u{301}"),
                Some("b\r\na"),
                None,
                Some("")
            ]
        );
    }
}
