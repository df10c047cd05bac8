//! Python's character classes and case mappings, one character at a time.
//!
//! The class tables come from Python's `unicodedata` (see `kernels/unicode/gen_tables.py`),
//! because Python's classes are not Rust's: `str.isalpha` is general category L* where
//! `char::is_alphabetic` is the Alphabetic property, `str.isnumeric` takes CJK numerals
//! that `char::is_numeric` does not, and `str.isspace` takes U+001C..U+001F, which
//! `char::is_whitespace` lacks. Lower- and uppercase mappings come from Rust's std (the
//! same SpecialCasing rules Python applies); only titlecase and case folding, which std
//! does not have, come from tables.

#[rustfmt::skip]
mod tables;

pub use tables::UNICODE_VERSION;

fn in_ranges(c: char, table: &[(u32, u32)]) -> bool {
    let cp = c as u32;
    table
        .binary_search_by(|&(lo, hi)| {
            if hi < cp {
                std::cmp::Ordering::Less
            } else if lo > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

fn in_map(c: char, table: &'static [(u32, &'static str)]) -> Option<&'static str> {
    table
        .binary_search_by_key(&(c as u32), |&(cp, _)| cp)
        .ok()
        .map(|i| table[i].1)
}

/// `str.isspace` for one character.
#[inline]
pub fn is_space(c: char) -> bool {
    if c.is_ascii() {
        matches!(c, '\t'..='\r' | '\x1c'..='\x1f' | ' ')
    } else {
        in_ranges(c, tables::SPACE)
    }
}

/// `str.isalpha` for one character.
#[inline]
pub fn is_alpha(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else {
        in_ranges(c, tables::ALPHA)
    }
}

/// `str.isalnum` for one character.
#[inline]
pub fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        in_ranges(c, tables::ALNUM)
    }
}

/// `str.isdecimal` for one character.
#[inline]
pub fn is_decimal(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_digit()
    } else {
        in_ranges(c, tables::DECIMAL)
    }
}

/// `str.isdigit` for one character.
#[inline]
pub fn is_digit(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_digit()
    } else {
        in_ranges(c, tables::DIGIT)
    }
}

/// `str.isnumeric` for one character.
#[inline]
pub fn is_numeric(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_digit()
    } else {
        in_ranges(c, tables::NUMERIC)
    }
}

/// The Lowercase property.
#[inline]
pub fn is_lower(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_lowercase()
    } else {
        in_ranges(c, tables::LOWERCASE)
    }
}

/// The Uppercase property.
#[inline]
pub fn is_upper(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_uppercase()
    } else {
        in_ranges(c, tables::UPPERCASE)
    }
}

/// General category Lt (`ǅ`, `ᾈ`).
#[inline]
pub fn is_title(c: char) -> bool {
    !c.is_ascii() && in_ranges(c, tables::TITLECASE)
}

/// The Cased property: lowercase, uppercase or titlecase.
#[inline]
pub fn is_cased(c: char) -> bool {
    is_lower(c) || is_upper(c) || is_title(c)
}

/// The Case_Ignorable property (used by the Final_Sigma rule).
#[inline]
pub fn is_case_ignorable(c: char) -> bool {
    if c.is_ascii() {
        matches!(c, '\'' | '.' | ':' | '^' | '`')
    } else {
        in_ranges(c, tables::CASE_IGNORABLE)
    }
}

/// Appends the full lowercase of the character at byte `i` of `s`, with Unicode's
/// Final_Sigma rule: `Σ` becomes `ς` when a cased letter precedes it and none follows it
/// (case-ignorable characters skipped on both sides), as Python's `str.lower` does.
#[inline]
pub fn push_lower_at(s: &str, i: usize, c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else if c == 'Σ' {
        out.push(if is_final_sigma(s, i) { 'ς' } else { 'σ' });
    } else {
        out.extend(c.to_lowercase());
    }
}

fn is_final_sigma(s: &str, i: usize) -> bool {
    let before = s[..i].chars().rev().find(|&c| !is_case_ignorable(c));
    let after = s[i + 'Σ'.len_utf8()..]
        .chars()
        .find(|&c| !is_case_ignorable(c));
    before.is_some_and(is_cased) && !after.is_some_and(is_cased)
}

/// Appends the full uppercase of `c`.
#[inline]
pub fn push_upper(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_uppercase());
    } else {
        out.extend(c.to_uppercase());
    }
}

/// Appends the full titlecase of `c` (`ǆ` → `ǅ`, `ß` → `Ss`, `ﬁ` → `Fi`).
#[inline]
pub fn push_title(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_uppercase());
    } else if let Some(t) = in_map(c, tables::TITLE_MAP) {
        out.push_str(t);
    } else {
        out.extend(c.to_uppercase());
    }
}

/// Appends the full case folding of `c` (`ß` → `ss`, `ς` → `σ`), as `str.casefold`.
#[inline]
pub fn push_casefold(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else if let Some(f) = in_map(c, tables::CASEFOLD_MAP) {
        out.push_str(f);
    } else {
        out.extend(c.to_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_classes_differ_from_std_where_python_says() {
        // Python: '\x1c'.isspace() is True; Rust's is_whitespace disagrees.
        assert!(is_space('\x1c') && !'\x1c'.is_whitespace());
        assert!(is_space('\u{a0}') && is_space('\u{3000}') && !is_space('\u{200b}'));
        // '一'.isnumeric() is True in Python, is_numeric() false in Rust.
        assert!(is_numeric('一') && !'一'.is_numeric());
        assert!(is_digit('²') && !is_decimal('²') && is_decimal('٣'));
        // Combining marks are Alphabetic in Unicode but not isalpha in Python.
        assert!(!is_alpha('\u{93f}') && '\u{93f}'.is_alphabetic());
        assert!(is_title('ǅ') && !is_upper('ǅ') && is_cased('ǅ'));
    }

    #[test]
    fn tables_are_sorted() {
        for t in [
            tables::ALPHA,
            tables::ALNUM,
            tables::DECIMAL,
            tables::DIGIT,
            tables::NUMERIC,
            tables::SPACE,
            tables::LOWERCASE,
            tables::UPPERCASE,
            tables::TITLECASE,
            tables::CASE_IGNORABLE,
        ] {
            assert!(t.windows(2).all(|w| w[0].1 < w[1].0));
        }
        for t in [tables::TITLE_MAP, tables::CASEFOLD_MAP] {
            assert!(t.windows(2).all(|w| w[0].0 < w[1].0));
        }
    }
}
