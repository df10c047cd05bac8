//! Character-class predicates (`isalnum`, `isalpha`, `isdigit`, `isdecimal`,
//! `isnumeric`, `isspace`, `islower`, `isupper`, `istitle`, `isascii`) and Unicode
//! `normalize`, with Python's classes (see [`crate::unicode`]).

use arrow_array::{Array, ArrayRef, BooleanArray};
use unicode_normalization::{is_nfc_quick, is_nfd_quick, is_nfkc_quick, is_nfkd_quick};
use unicode_normalization::{IsNormalized, UnicodeNormalization};

use crate::driver::{map_bool, map_bytes_bool, map_string};
use crate::error::{KernelError, Result};
use crate::unicode::{
    is_alnum, is_alpha, is_cased, is_decimal, is_digit, is_lower, is_numeric, is_space, is_title,
    is_upper,
};

/// A Python `str.is*` predicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum CharClass {
    /// `isalnum`
    Alnum,
    /// `isalpha`
    Alpha,
    /// `isdigit`
    Digit,
    /// `isdecimal`
    Decimal,
    /// `isnumeric`
    Numeric,
    /// `isspace`
    Space,
    /// `islower`: at least one cased character, and no upper- or titlecase one.
    Lower,
    /// `isupper`: at least one cased character, and no lower- or titlecase one.
    Upper,
    /// `istitle`: upper- and titlecase characters only after uncased ones, lowercase ones
    /// only after cased ones, and at least one cased character.
    Title,
    /// `isascii` (true for the empty string).
    Ascii,
}

impl CharClass {
    /// The pandas name (`isalnum`, ...).
    pub fn name(self) -> &'static str {
        match self {
            CharClass::Alnum => "isalnum",
            CharClass::Alpha => "isalpha",
            CharClass::Digit => "isdigit",
            CharClass::Decimal => "isdecimal",
            CharClass::Numeric => "isnumeric",
            CharClass::Space => "isspace",
            CharClass::Lower => "islower",
            CharClass::Upper => "isupper",
            CharClass::Title => "istitle",
            CharClass::Ascii => "isascii",
        }
    }

    /// Every predicate, for registries and tests.
    pub const ALL: [CharClass; 10] = [
        CharClass::Alnum,
        CharClass::Alpha,
        CharClass::Digit,
        CharClass::Decimal,
        CharClass::Numeric,
        CharClass::Space,
        CharClass::Lower,
        CharClass::Upper,
        CharClass::Title,
        CharClass::Ascii,
    ];

    /// The predicate on one string.
    pub fn test(self, s: &str) -> bool {
        // Every character in the class, tested as it comes (most strings fail at their
        // first character, so nothing scans them whole first); ASCII bytes take the
        // byte test, anything else is decoded.
        let all = |ascii: fn(&u8) -> bool, class: fn(char) -> bool| {
            let bytes = s.as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                let b = bytes[i];
                if b.is_ascii() {
                    if !ascii(&b) {
                        return false;
                    }
                    i += 1;
                } else {
                    let c = s[i..].chars().next().unwrap_or_default();
                    if !class(c) {
                        return false;
                    }
                    i += c.len_utf8();
                }
            }
            !s.is_empty()
        };
        match self {
            CharClass::Alnum => all(u8::is_ascii_alphanumeric, is_alnum),
            CharClass::Alpha => all(u8::is_ascii_alphabetic, is_alpha),
            CharClass::Digit => all(u8::is_ascii_digit, is_digit),
            CharClass::Decimal => all(u8::is_ascii_digit, is_decimal),
            CharClass::Numeric => all(u8::is_ascii_digit, is_numeric),
            CharClass::Space => all(|&b| is_space(b as char), is_space),
            CharClass::Lower => {
                let mut cased = false;
                for c in s.chars() {
                    if is_upper(c) || is_title(c) {
                        return false;
                    }
                    cased |= is_lower(c);
                }
                cased
            }
            CharClass::Upper => {
                let mut cased = false;
                for c in s.chars() {
                    if is_lower(c) || is_title(c) {
                        return false;
                    }
                    cased |= is_upper(c);
                }
                cased
            }
            CharClass::Title => {
                let (mut cased, mut prev_cased) = (false, false);
                for c in s.chars() {
                    if is_upper(c) || is_title(c) {
                        if prev_cased {
                            return false;
                        }
                        prev_cased = true;
                        cased = true;
                    } else if is_lower(c) {
                        if !prev_cased {
                            return false;
                        }
                        prev_cased = true;
                        cased = true;
                    } else {
                        prev_cased = false;
                    }
                }
                debug_assert!(!cased || s.chars().any(is_cased));
                cased
            }
            CharClass::Ascii => s.is_ascii(),
        }
    }
}

/// pandas' `str.isalnum()` and the other predicates; null stays null.
///
/// # Errors
/// [`KernelError::UnsupportedType`] when `array` is not a string array.
pub fn is_class(array: &dyn Array, class: CharClass) -> Result<BooleanArray> {
    match class {
        // OR-ing the bytes vectorises and has no branch to mispredict.
        CharClass::Ascii => map_bytes_bool(array, class.name(), &|b| {
            b.iter().fold(0u8, |acc, &x| acc | x) < 0x80
        }),
        _ => map_bool(array, class.name(), &|s| class.test(s)),
    }
}

/// A Unicode normalization form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Form {
    /// Canonical composition.
    Nfc,
    /// Canonical decomposition.
    Nfd,
    /// Compatibility composition.
    Nfkc,
    /// Compatibility decomposition.
    Nfkd,
}

impl std::str::FromStr for Form {
    type Err = KernelError;
    fn from_str(s: &str) -> Result<Form> {
        match s.to_ascii_uppercase().as_str() {
            "NFC" => Ok(Form::Nfc),
            "NFD" => Ok(Form::Nfd),
            "NFKC" => Ok(Form::Nfkc),
            "NFKD" => Ok(Form::Nfkd),
            _ => Err(KernelError::InvalidArgument {
                op: "normalize",
                message: format!(
                    "invalid normalization form {s:?} (expected NFC, NFD, NFKC or NFKD)"
                ),
            }),
        }
    }
}

/// Python's `unicodedata.normalize(form, s)`. A string already in the form (every ASCII
/// string is) is copied as is.
///
/// # Errors
/// [`KernelError::UnsupportedType`] when `array` is not a string array.
pub fn normalize(array: &dyn Array, form: Form) -> Result<ArrayRef> {
    map_string(
        array,
        "normalize",
        &|s, out| {
            let quick = || match form {
                Form::Nfc => is_nfc_quick(s.chars()),
                Form::Nfd => is_nfd_quick(s.chars()),
                Form::Nfkc => is_nfkc_quick(s.chars()),
                Form::Nfkd => is_nfkd_quick(s.chars()),
            };
            if s.is_ascii() || quick() == IsNormalized::Yes {
                out.push_str(s);
            } else {
                match form {
                    Form::Nfc => out.extend(s.nfc()),
                    Form::Nfd => out.extend(s.nfd()),
                    Form::Nfkc => out.extend(s.nfkc()),
                    Form::Nfkd => out.extend(s.nfkd()),
                }
            }
            Ok(true)
        },
        None,
    )
}
