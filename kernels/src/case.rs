//! Case mapping: `lower`, `upper`, `title`, `capitalize`, `swapcase`, `casefold`.
//!
//! [`CaseMapping::Full`] is Python's `str.lower` / `str.upper`: Unicode's full mapping, so a
//! character may become several (`ß` → `SS`, `İ` → `i̇`), and `Σ` lowers to `ς` at the end
//! of a word (Unicode's Final_Sigma rule). [`CaseMapping::Simple`] maps one code point to
//! one code point (`ß` becomes `ẞ` in `upper`), as DuckDB and pandas 3's Arrow dtype do.
//! `title`, `capitalize`, `swapcase` and `casefold` are Python's, with full mappings and
//! titlecase digraphs (`ǆ` → `ǅ`).
//!
//! An all-ASCII array takes a byte-wise path that reuses its offsets and nulls.

use arrow_array::{Array, ArrayRef};

use crate::driver::{map_string, AsciiCase};
use crate::error::Result;
use crate::unicode::{
    is_cased, is_lower, is_upper, push_casefold, push_lower_at, push_title, push_upper,
};

/// Which Unicode case mapping a kernel applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum CaseMapping {
    /// Unicode's full mapping with Final_Sigma, as Python's `str` methods.
    #[default]
    Full,
    /// One code point to one code point (UnicodeData.txt's simple mapping).
    Simple,
}

fn infallible(f: fn(&str, &mut String)) -> impl Fn(&str, &mut String) -> Result<bool> {
    move |s, out| {
        f(s, out);
        Ok(true)
    }
}

/// Lowercases every string.
///
/// # Errors
/// [`crate::KernelError::UnsupportedType`] when `array` is not a string array.
///
/// # Example
/// ```
/// use arrow_array::{cast::AsArray, Array, StringArray};
/// use spindle_kernels::{lower, CaseMapping};
///
/// let a = StringArray::from(vec![Some("ΟΔΟΣ"), None, Some("İx")]);
/// let out = lower(&a, CaseMapping::Full).unwrap();
/// let out = out.as_string::<i32>();
/// assert_eq!(out.value(0), "οδο\u{3c2}"); // final sigma
/// assert!(out.is_null(1));
/// assert_eq!(out.value(2), "i\u{307}x");
/// ```
pub fn lower(array: &dyn Array, mapping: CaseMapping) -> Result<ArrayRef> {
    let f = match mapping {
        CaseMapping::Full => lower_full,
        CaseMapping::Simple => lower_simple,
    };
    map_string(array, "lower", &infallible(f), Some(AsciiCase::Lower))
}

/// Uppercases every string.
///
/// # Errors
/// [`crate::KernelError::UnsupportedType`] when `array` is not a string array.
pub fn upper(array: &dyn Array, mapping: CaseMapping) -> Result<ArrayRef> {
    let f = match mapping {
        CaseMapping::Full => upper_full,
        CaseMapping::Simple => upper_simple,
    };
    map_string(array, "upper", &infallible(f), Some(AsciiCase::Upper))
}

/// Python's `str.title`: a cased character after an uncased one is titlecased, any other
/// is lowercased (`"they're"` → `"They'Re"`, `"ǆemal"` → `"ǅemal"`).
///
/// # Errors
/// [`crate::KernelError::UnsupportedType`] when `array` is not a string array.
pub fn title(array: &dyn Array) -> Result<ArrayRef> {
    map_string(
        array,
        "title",
        &infallible(title_one),
        Some(AsciiCase::Title),
    )
}

/// Python's `str.capitalize`: the first character titlecased, the rest lowercased.
///
/// # Errors
/// [`crate::KernelError::UnsupportedType`] when `array` is not a string array.
pub fn capitalize(array: &dyn Array) -> Result<ArrayRef> {
    map_string(
        array,
        "capitalize",
        &infallible(capitalize_one),
        Some(AsciiCase::Capitalize),
    )
}

/// Python's `str.swapcase`: uppercase characters lowered, lowercase ones uppered (with
/// full mappings, so `"ß"` → `"SS"`), titlecase ones kept.
///
/// # Errors
/// [`crate::KernelError::UnsupportedType`] when `array` is not a string array.
pub fn swapcase(array: &dyn Array) -> Result<ArrayRef> {
    map_string(
        array,
        "swapcase",
        &infallible(swapcase_one),
        Some(AsciiCase::Swapcase),
    )
}

/// Python's `str.casefold`: full case folding for caseless comparison (`"ß"` → `"ss"`).
///
/// # Errors
/// [`crate::KernelError::UnsupportedType`] when `array` is not a string array.
pub fn casefold(array: &dyn Array) -> Result<ArrayRef> {
    map_string(
        array,
        "casefold",
        &infallible(casefold_one),
        Some(AsciiCase::Lower),
    )
}

/// Appends `s` with `ascii` applied to its ASCII runs (copied, then mapped in place) and
/// `other` to each other character (with its byte position, for Final_Sigma).
#[inline]
fn by_runs(
    s: &str,
    out: &mut String,
    ascii: fn(&mut str),
    mut other: impl FnMut(usize, char, &mut String),
) {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let run = bytes[i..]
            .iter()
            .position(|b| !b.is_ascii())
            .unwrap_or(bytes.len() - i);
        if run > 0 {
            let at = out.len();
            out.push_str(&s[i..i + run]);
            ascii(&mut out[at..]);
            i += run;
        }
        while let Some(c) = s[i..].chars().next().filter(|c| !c.is_ascii()) {
            other(i, c, out);
            i += c.len_utf8();
        }
    }
}

pub(crate) fn lower_full(s: &str, out: &mut String) {
    by_runs(s, out, str::make_ascii_lowercase, |i, c, out| {
        push_lower_at(s, i, c, out)
    });
}

pub(crate) fn upper_full(s: &str, out: &mut String) {
    by_runs(s, out, str::make_ascii_uppercase, |_, c, out| {
        push_upper(c, out)
    });
}

fn title_one(s: &str, out: &mut String) {
    let mut prev_cased = false;
    for (i, c) in s.char_indices() {
        if prev_cased {
            push_lower_at(s, i, c, out);
        } else {
            push_title(c, out);
        }
        prev_cased = is_cased(c);
    }
}

fn capitalize_one(s: &str, out: &mut String) {
    let mut chars = s.char_indices();
    if let Some((_, c)) = chars.next() {
        push_title(c, out);
    }
    for (i, c) in chars {
        push_lower_at(s, i, c, out);
    }
}

fn swapcase_one(s: &str, out: &mut String) {
    for (i, c) in s.char_indices() {
        if is_upper(c) {
            push_lower_at(s, i, c, out);
        } else if is_lower(c) {
            push_upper(c, out);
        } else {
            out.push(c);
        }
    }
}

fn casefold_one(s: &str, out: &mut String) {
    by_runs(s, out, str::make_ascii_lowercase, |_, c, out| {
        push_casefold(c, out)
    });
}

fn lower_simple(s: &str, out: &mut String) {
    out.extend(s.chars().map(simple_lower_char));
}

fn upper_simple(s: &str, out: &mut String) {
    out.extend(s.chars().map(simple_upper_char));
}

/// Unicode's simple lowercase mapping. Where the full mapping is one code point it is the
/// simple one; the only character whose full lowercase is longer is `İ`, whose simple
/// lowercase is `i`.
pub(crate) fn simple_lower_char(c: char) -> char {
    let mut it = c.to_lowercase();
    match (it.next(), it.next()) {
        (Some(l), None) => l,
        _ if c == '\u{130}' => 'i',
        _ => c,
    }
}

/// Unicode's simple uppercase mapping as utf8proc applies it (DuckDB, pyarrow). Where the
/// full mapping expands (`ŉ` → `ʼN`, ligatures), the simple mapping is the character
/// itself, except for `ß`, which utf8proc maps to `ẞ`, and the Greek letters with
/// ypogegrammeni, which map to their titlecase form (`ᾳ` → `ᾼ`).
pub(crate) fn simple_upper_char(c: char) -> char {
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        _ if c == 'ß' => 'ẞ',
        _ => {
            let cp = c as u32;
            let titled = match cp {
                0x1F80..=0x1FAF if cp & 0xF < 8 => cp + 8,
                0x1FB3 | 0x1FC3 | 0x1FF3 => cp + 9,
                _ => cp,
            };
            char::from_u32(titled).unwrap_or(c)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full(f: fn(&str, &mut String), s: &str) -> String {
        let mut out = String::new();
        f(s, &mut out);
        out
    }

    #[test]
    fn full_mapping_matches_python() {
        // Expected values are Python 3's str.lower()/str.upper().
        assert_eq!(full(upper_full, "straße"), "STRASSE");
        assert_eq!(full(upper_full, "ﬁx"), "FIX");
        assert_eq!(full(lower_full, "İstanbul"), "i\u{307}stanbul");
        assert_eq!(full(lower_full, "ΟΔΟΣ ΟΔΟΣ."), "οδος οδος.");
        assert_eq!(full(lower_full, "ABCΣ"), "abcς");
        assert_eq!(full(lower_full, "Σ"), "σ");
        assert_eq!(full(lower_full, "ǅemal"), "ǆemal");
        assert_eq!(full(upper_full, "ǅemal"), "ǄEMAL");
        assert_eq!(
            full(title_one, "they're bill's ǆemal ΑΣ"),
            "They'Re Bill'S ǅemal Ας"
        );
        assert_eq!(full(capitalize_one, "ßtraSSE"), "Sstrasse");
        assert_eq!(full(swapcase_one, "ǅß ΑΣ"), "ǅSS ας");
        assert_eq!(full(casefold_one, "Straße ﬁ Σς"), "strasse fi σσ");
        assert_eq!(full(lower_full, "ABC ÀÉ DEF Σ"), "abc àé def σ");
    }

    #[test]
    fn simple_mapping_is_one_to_one() {
        assert_eq!(simple_upper_char('ß'), 'ẞ'); // DuckDB: upper('ß') = 'ẞ'
        assert_eq!(simple_upper_char('ᾳ'), 'ᾼ');
        assert_eq!(simple_upper_char('ᾀ'), 'ᾈ');
        assert_eq!(simple_upper_char('ŉ'), 'ŉ');
        assert_eq!(simple_lower_char('İ'), 'i');
        assert_eq!(simple_lower_char('Σ'), 'σ');
        assert_eq!(simple_upper_char('é'), 'É');
    }
}
