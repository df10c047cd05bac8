//! Case mapping: `lower` and `upper`.
//!
//! [`CaseMapping::Full`] is Python's `str.lower` / `str.upper`: Unicode's full mapping, so a
//! character may become several (`ß` → `SS`, `İ` → `i̇`), and `Σ` lowers to `ς` at the end
//! of a word (Unicode's Final_Sigma rule). [`CaseMapping::Simple`] maps one code point to
//! one code point (`ß` stays `ß` in `upper`), as DuckDB and pandas 3's Arrow dtype do.
//!
//! Both take a byte-wise path when a whole array is ASCII and reuse its offsets and nulls.

use arrow_array::{Array, ArrayRef};

use crate::driver::map_string;
use crate::error::Result;

/// Which Unicode case mapping a kernel applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CaseMapping {
    /// Unicode's full mapping with Final_Sigma, as Python's `str` methods.
    #[default]
    Full,
    /// One code point to one code point (UnicodeData.txt's simple mapping).
    Simple,
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
    match mapping {
        CaseMapping::Full => map_string(array, "lower", &lower_full, Some(ascii_lower)),
        CaseMapping::Simple => map_string(array, "lower", &lower_simple, Some(ascii_lower)),
    }
}

/// Uppercases every string.
///
/// # Errors
/// [`crate::KernelError::UnsupportedType`] when `array` is not a string array.
pub fn upper(array: &dyn Array, mapping: CaseMapping) -> Result<ArrayRef> {
    match mapping {
        CaseMapping::Full => map_string(array, "upper", &upper_full, Some(ascii_upper)),
        CaseMapping::Simple => map_string(array, "upper", &upper_simple, Some(ascii_upper)),
    }
}

fn ascii_lower(input: &[u8], out: &mut Vec<u8>) {
    out.extend(input.iter().map(u8::to_ascii_lowercase));
}

fn ascii_upper(input: &[u8], out: &mut Vec<u8>) {
    out.extend(input.iter().map(u8::to_ascii_uppercase));
}

/// Length of the leading ASCII run of `s`.
fn ascii_prefix(s: &str) -> usize {
    s.bytes().position(|b| !b.is_ascii()).unwrap_or(s.len())
}

pub(crate) fn lower_full(s: &str, out: &mut String) {
    let head = ascii_prefix(s);
    out.extend(s[..head].bytes().map(|b| b.to_ascii_lowercase() as char));
    let rest = &s[head..];
    if rest.is_empty() {
        return;
    }
    if rest.contains('Σ') {
        // Final_Sigma depends on the characters around each sigma, so let std's
        // `to_lowercase`, which implements the rule, see the whole string.
        out.push_str(&s.to_lowercase()[head..]);
    } else {
        for c in rest.chars() {
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                out.extend(c.to_lowercase());
            }
        }
    }
}

pub(crate) fn upper_full(s: &str, out: &mut String) {
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_uppercase());
        } else {
            out.extend(c.to_uppercase());
        }
    }
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

/// Unicode's simple uppercase mapping. Where the full mapping expands (`ß` → `SS`, `ŉ` →
/// `ʼN`, ligatures), the simple mapping is the character itself, except for the Greek
/// letters with ypogegrammeni, which map to their titlecase form (`ᾳ` → `ᾼ`).
pub(crate) fn simple_upper_char(c: char) -> char {
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
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
    }

    #[test]
    fn simple_mapping_is_one_to_one() {
        assert_eq!(simple_upper_char('ß'), 'ß');
        assert_eq!(simple_upper_char('ᾳ'), 'ᾼ');
        assert_eq!(simple_upper_char('ᾀ'), 'ᾈ');
        assert_eq!(simple_upper_char('ŉ'), 'ŉ');
        assert_eq!(simple_lower_char('İ'), 'i');
        assert_eq!(simple_lower_char('Σ'), 'σ');
        assert_eq!(simple_upper_char('é'), 'É');
    }
}
