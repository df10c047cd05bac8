//! Whitespace and padding: `strip`, `lstrip`, `rstrip`, `pad`, `ljust`, `rjust`,
//! `center`, `zfill`, with Python's rules: default stripping removes what `str.isspace`
//! calls whitespace (U+001C..U+001F included), widths count code points, and `center`
//! puts the odd fill character where CPython does.

use arrow_array::{Array, ArrayRef};

use crate::driver::{map_string, map_string_sized};
use crate::error::{KernelError, Result};
use crate::length::char_count;
use crate::replace::check_output_size;
use crate::search::byte_of_char;
use crate::unicode::is_space;

/// Which end(s) a strip or pad works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Side {
    /// The start (`lstrip`; `pad(side='left')` is `rjust`).
    Left,
    /// The end (`rstrip`; `pad(side='right')` is `ljust`).
    Right,
    /// Both (`strip`; `pad(side='both')` is `center`).
    Both,
}

/// Python's `str.strip(chars)` / `lstrip` / `rstrip`: `None` strips whitespace.
///
/// # Errors
/// [`KernelError::UnsupportedType`] when `array` is not a string array.
pub fn strip(array: &dyn Array, side: Side, chars: Option<&str>) -> Result<ArrayRef> {
    let set: Vec<char> = chars.map(|c| c.chars().collect()).unwrap_or_default();
    let ascii_set = set.iter().all(char::is_ascii);
    let op = match side {
        Side::Left => "lstrip",
        Side::Right => "rstrip",
        Side::Both => "strip",
    };
    let (left, right) = (side != Side::Right, side != Side::Left);
    let strip_one = |s: &str| -> (usize, usize) {
        let bytes = s.as_bytes();
        let (mut a, mut b) = (0, s.len());
        match chars {
            // Whitespace: ASCII bytes tested directly, anything else decoded.
            None => {
                if left {
                    while a < b {
                        let c = bytes[a];
                        if c.is_ascii() {
                            if !is_space(c as char) {
                                break;
                            }
                            a += 1;
                        } else {
                            let ch = s[a..].chars().next().unwrap_or_default();
                            if !is_space(ch) {
                                break;
                            }
                            a += ch.len_utf8();
                        }
                    }
                }
                if right {
                    while b > a {
                        let c = bytes[b - 1];
                        if c.is_ascii() {
                            if !is_space(c as char) {
                                break;
                            }
                            b -= 1;
                        } else {
                            let ch = s[..b].chars().next_back().unwrap_or_default();
                            if !is_space(ch) {
                                break;
                            }
                            b -= ch.len_utf8();
                        }
                    }
                }
            }
            Some(_) if ascii_set => {
                let hit = |c: u8| set.iter().any(|&x| x as u32 == c as u32);
                if left {
                    while a < b && hit(bytes[a]) {
                        a += 1;
                    }
                }
                if right {
                    while b > a && hit(bytes[b - 1]) {
                        b -= 1;
                    }
                }
            }
            Some(_) => {
                if left {
                    a = s.len() - s.trim_start_matches(&set[..]).len();
                }
                if right {
                    b = a + s[a..].trim_end_matches(&set[..]).len();
                }
            }
        }
        (a, b)
    };
    map_string(
        array,
        op,
        &|s, out| {
            let (a, b) = strip_one(s);
            out.push_str(&s[a..b]);
            Ok(true)
        },
        None,
    )
}

/// The output bytes of padding every row to `width` characters of at most `char_bytes`
/// bytes, beside its own bytes; refused when too large.
fn padded_size(
    array: &dyn Array,
    op: &'static str,
    width: usize,
    char_bytes: usize,
) -> Result<usize> {
    check_output_size(array, op, |bytes, rows| {
        width
            .checked_mul(char_bytes)?
            .checked_mul(rows)?
            .checked_add(bytes)
    })
}

/// DuckDB's `lpad(s, count, fill)` and `rpad`: `s` cut to `count` code points, or filled
/// to `count` on the left (`left`) or the right with `fill` repeated (and cut).
///
/// # Errors
/// [`KernelError::UnsupportedType`] when `array` is not a string array; an output too
/// large; an empty `fill` for a string shorter than `width` (as DuckDB).
pub fn pad_cut(array: &dyn Array, width: i64, fill: &str, left: bool) -> Result<ArrayRef> {
    let op = if left { "lpad" } else { "rpad" };
    let width = usize::try_from(width).unwrap_or(0);
    let widest = fill.chars().map(char::len_utf8).max().unwrap_or(0);
    let bound = padded_size(array, op, width, widest)?;
    map_string_sized(
        array,
        op,
        &|s, out| {
            let len = char_count(s) as usize;
            if len >= width {
                out.push_str(&s[..byte_of_char(s, width)]);
                return Ok(true);
            }
            if fill.is_empty() {
                // As DuckDB: nothing to fill a short string with.
                return Err(KernelError::InvalidArgument {
                    op,
                    message: format!(
                        "insufficient padding: {s:?} is shorter than {width} and the fill is empty"
                    ),
                });
            }
            let filler = fill.chars().cycle().take(width - len);
            if left {
                out.extend(filler);
                out.push_str(s);
            } else {
                out.push_str(s);
                out.extend(filler);
            }
            Ok(true)
        },
        None,
        Some(bound),
    )
}

/// pandas' `str.pad(width, side, fillchar)`; `Side::Left` pads on the left (`rjust`),
/// `Side::Right` on the right (`ljust`), `Side::Both` centres (`center`). A string at
/// least `width` characters long is kept as is.
///
/// # Errors
/// [`KernelError::OutputTooLarge`] when `width` would make the output too large.
pub fn pad(array: &dyn Array, width: i64, side: Side, fillchar: char) -> Result<ArrayRef> {
    let op = match side {
        Side::Left => "rjust",
        Side::Right => "ljust",
        Side::Both => "center",
    };
    let width = usize::try_from(width).unwrap_or(0);
    let bound = padded_size(array, op, width, fillchar.len_utf8())?;
    map_string_sized(
        array,
        op,
        &|s, out| {
            let len = char_count(s) as usize;
            if len >= width {
                out.push_str(s);
                return Ok(true);
            }
            let marg = width - len;
            let left = match side {
                Side::Left => marg,
                Side::Right => 0,
                // CPython's `pad(self, left, marg - left)` with this `left`.
                Side::Both => marg / 2 + (marg & width & 1),
            };
            out.extend(std::iter::repeat_n(fillchar, left));
            out.push_str(s);
            out.extend(std::iter::repeat_n(fillchar, marg - left));
            Ok(true)
        },
        None,
        Some(bound),
    )
}

/// Python's `str.zfill(width)`: zeros on the left, after a leading `+` or `-`.
///
/// # Errors
/// [`KernelError::OutputTooLarge`] when `width` would make the output too large.
pub fn zfill(array: &dyn Array, width: i64) -> Result<ArrayRef> {
    let width = usize::try_from(width).unwrap_or(0);
    let bound = check_output_size(array, "zfill", |bytes, rows| {
        width.checked_mul(rows)?.checked_add(bytes)
    })?;
    map_string_sized(
        array,
        "zfill",
        &|s, out| {
            let len = char_count(s) as usize;
            if len >= width {
                out.push_str(s);
                return Ok(true);
            }
            let (sign, rest) = match s.as_bytes().first() {
                Some(b'+' | b'-') => s.split_at(1),
                _ => ("", s),
            };
            out.push_str(sign);
            out.extend(std::iter::repeat_n('0', width - len));
            out.push_str(rest);
            Ok(true)
        },
        None,
        Some(bound),
    )
}

/// Checks pandas' rule that a fill character is exactly one character.
///
/// # Errors
/// [`KernelError::InvalidArgument`] otherwise.
pub fn fillchar(s: &str) -> Result<char> {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(c),
        _ => Err(KernelError::InvalidArgument {
            op: "pad",
            message: format!(
                "fillchar must be a character, not a string of length {}",
                s.chars().count()
            ),
        }),
    }
}
