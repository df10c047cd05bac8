//! Regular expressions with Python's `re` syntax and semantics.
//!
//! A [`Pattern`] is compiled once per query. Its source is first translated from Python's
//! dialect to the `regex` crate's where the two differ (`\Z`, `\w`, `\s`, `$`, `{,n}`,
//! `(?#...)`, `[` and `&&` inside classes, Python's leading inline flags), then built
//! with the `regex` crate, which runs in linear time. Only a pattern that needs more than
//! it offers (look-around, backreferences, atomic groups, conditionals) goes to the
//! backtracking engine of `fancy-regex`, under a backtrack limit, so a hostile pattern
//! gives an error, never a hang.
//!
//! Matches are iterated as Python's `re.finditer`, `re.sub` and `re.split` do: after an
//! empty match, the next match may not be empty at the same position, but a non-empty
//! match right after a non-empty one may be followed by an empty one (`re.sub('x*', '-',
//! 'abxd')` is `'-a-b--d-'`, where the `regex` crate's own iterator gives `'-a-b-d-'`).
//!
//! Python's `$` (without `re.MULTILINE`) also matches before a newline that ends the
//! string. Rows that do not end in `\n` run on the `regex` crate, where `$` means the end;
//! a row that ends in `\n` runs on a variant where `$` is `(?=\n?\z)`.

use std::sync::OnceLock;

use regex::{CaptureLocations, Regex, RegexBuilder};

use crate::error::{KernelError, Result};
use crate::search::flags;

/// How far a backtracking pattern may backtrack on one value before it is an error.
pub const BACKTRACK_LIMIT: usize = 1_000_000;

/// Where a pattern must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// Anywhere (`re.search`).
    Search,
    /// At the start (`re.match`).
    Start,
    /// The whole string (`re.fullmatch`).
    Full,
}

#[derive(Debug, Clone)]
enum Engine {
    Fast(Regex),
    Backtrack(Box<fancy_regex::Regex>),
}

/// A compiled Python regular expression.
#[derive(Debug, Clone)]
pub struct Pattern {
    source: String,
    engine: Engine,
    /// For a row that ends in `\n` when the pattern has a non-multiline `$`.
    trailing_newline: Option<Box<fancy_regex::Regex>>,
    /// Name of each group, `names[0]` being the whole match.
    names: Vec<Option<String>>,
    /// Where Python, after an empty match, retries at the same position for a non-empty
    /// one (backtracking into the pattern's other choices): a backtracking variant that
    /// only finds non-empty matches, built the first time it is needed.
    not_empty: NotEmpty,
}

#[derive(Debug, Clone)]
struct NotEmpty {
    source: String,
    flags: u32,
    regex: OnceLock<Option<Box<fancy_regex::Regex>>>,
}

impl NotEmpty {
    fn get(&self) -> Option<&fancy_regex::Regex> {
        self.regex
            .get_or_init(|| {
                fancy_builder(&self.source, self.flags)
                    .find_not_empty(true)
                    .build()
                    .ok()
                    .map(Box::new)
            })
            .as_deref()
    }
}

/// A backtracking regex builder with Python's flags and spindle's backtrack limit.
fn fancy_builder(pattern: &str, re_flags: u32) -> fancy_regex::RegexBuilder {
    let mut b = fancy_regex::RegexBuilder::new(pattern);
    b.case_insensitive(re_flags & flags::IGNORECASE != 0)
        .multi_line(re_flags & flags::MULTILINE != 0)
        .dot_matches_new_line(re_flags & flags::DOTALL != 0)
        .ignore_whitespace(re_flags & flags::VERBOSE != 0)
        .backtrack_limit(BACKTRACK_LIMIT);
    b
}

/// Spans of the whole match (index 0) and of each group, in bytes; `None` for a group
/// that did not take part.
pub type Spans = Vec<Option<(usize, usize)>>;

/// Per-call scratch space for [`Pattern::captures_at`].
#[derive(Debug)]
pub struct Locations {
    fast: Option<CaptureLocations>,
    /// The spans of the last match.
    pub spans: Spans,
}

fn regex_error(pattern: &str, message: impl ToString) -> KernelError {
    KernelError::Regex {
        pattern: pattern.to_string(),
        message: message.to_string(),
    }
}

fn backtrack_error(pattern: &str, e: fancy_regex::Error) -> KernelError {
    regex_error(
        pattern,
        format!(
            "{e} (the pattern needs backtracking, limited to {BACKTRACK_LIMIT} steps per value)"
        ),
    )
}

impl Pattern {
    /// Compiles a Python pattern with `re` flags (see [`flags`]) for searching.
    ///
    /// # Errors
    /// [`KernelError::Regex`] when the pattern does not compile (with the engine's
    /// message), [`KernelError::InvalidArgument`] for unknown flags or `re.LOCALE`.
    pub fn new(pattern: &str, re_flags: u32) -> Result<Pattern> {
        Pattern::anchored(pattern, re_flags, Anchor::Search)
    }

    /// Compiles a Python pattern that must match at `anchor`.
    ///
    /// # Errors
    /// As [`Pattern::new`].
    pub fn anchored(pattern: &str, re_flags: u32, anchor: Anchor) -> Result<Pattern> {
        let (body, re_flags) = leading_flags(pattern, re_flags)?;
        let t = translate(body, re_flags)?;
        let wrap = |p: &str| {
            let close = if re_flags & flags::VERBOSE != 0 {
                "\n)"
            } else {
                ")"
            };
            match anchor {
                Anchor::Search => p.to_string(),
                Anchor::Start => format!(r"\A(?:{p}{close}"),
                Anchor::Full => format!(r"\A(?:{p}{close}\z"),
            }
        };
        let (fast, exact) = (wrap(&t.fast), wrap(&t.exact));
        let fancy = |p: &str| fancy_builder(p, re_flags).build();
        let built = RegexBuilder::new(&fast)
            .case_insensitive(re_flags & flags::IGNORECASE != 0)
            .multi_line(re_flags & flags::MULTILINE != 0)
            .dot_matches_new_line(re_flags & flags::DOTALL != 0)
            .ignore_whitespace(re_flags & flags::VERBOSE != 0)
            .build();
        let (engine, trailing_newline) = match built {
            Ok(re) => {
                let trailing = if t.dollar {
                    Some(Box::new(
                        fancy(&exact).map_err(|e| backtrack_error(pattern, e))?,
                    ))
                } else {
                    None
                };
                (Engine::Fast(re), trailing)
            }
            // Look-around, backreferences and the like: the backtracking engine. A pattern
            // that is too big for the regex crate stays an error.
            Err(regex::Error::Syntax(message)) => match fancy(&exact) {
                Ok(re) => (Engine::Backtrack(Box::new(re)), None),
                Err(_) => return Err(regex_error(pattern, message)),
            },
            Err(e) => return Err(regex_error(pattern, e)),
        };
        let names = match &engine {
            Engine::Fast(re) => re.capture_names().map(|n| n.map(String::from)).collect(),
            Engine::Backtrack(re) => re.capture_names().map(|n| n.map(String::from)).collect(),
        };
        Ok(Pattern {
            source: pattern.to_string(),
            engine,
            trailing_newline,
            names,
            not_empty: NotEmpty {
                source: exact,
                flags: re_flags,
                regex: OnceLock::new(),
            },
        })
    }

    /// A pattern already in the `regex` crate's syntax (SQL `LIKE`, DuckDB's functions).
    pub(crate) fn from_regex(source: &str, re: Regex) -> Pattern {
        Pattern {
            source: source.to_string(),
            names: re.capture_names().map(|n| n.map(String::from)).collect(),
            not_empty: NotEmpty {
                source: re.as_str().to_string(),
                flags: 0,
                regex: OnceLock::new(),
            },
            engine: Engine::Fast(re),
            trailing_newline: None,
        }
    }

    /// The pattern as the user wrote it.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// True when the pattern runs on the backtracking engine.
    pub fn is_backtracking(&self) -> bool {
        matches!(self.engine, Engine::Backtrack(_))
    }

    /// Number of capture groups (not counting the whole match).
    pub fn groups(&self) -> usize {
        self.names.len() - 1
    }

    /// Group names, `names()[0]` being the whole match (always `None`).
    pub fn names(&self) -> &[Option<String>] {
        &self.names
    }

    /// The index of a named group.
    pub fn group_index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n.as_deref() == Some(name))
    }

    /// Scratch space for [`Pattern::captures_at`].
    pub fn locations(&self) -> Locations {
        Locations {
            fast: match &self.engine {
                Engine::Fast(re) => Some(re.capture_locations()),
                Engine::Backtrack(_) => None,
            },
            spans: vec![None; self.names.len()],
        }
    }

    /// The engine that answers for `s`.
    #[inline]
    fn engine_for(&self, s: &str) -> Result<&Regex, &fancy_regex::Regex> {
        match (&self.engine, &self.trailing_newline) {
            (Engine::Backtrack(re), _) => Err(re),
            (Engine::Fast(_), Some(re)) if s.ends_with('\n') => Err(re),
            (Engine::Fast(re), _) => Ok(re),
        }
    }

    /// `re.search(pattern, s) is not None`.
    ///
    /// # Errors
    /// A backtracking pattern over its limit on `s`.
    #[inline]
    pub fn is_match(&self, s: &str) -> Result<bool> {
        match self.engine_for(s) {
            Ok(re) => Ok(re.is_match(s)),
            Err(re) => re.is_match(s).map_err(|e| self.runtime_error(e, s)),
        }
    }

    /// The leftmost match that starts at or after byte `pos`, looking at the whole of `s`
    /// for anchors and word boundaries.
    ///
    /// # Errors
    /// A backtracking pattern over its limit on `s`.
    #[inline]
    pub fn find_at(&self, s: &str, pos: usize) -> Result<Option<(usize, usize)>> {
        match self.engine_for(s) {
            Ok(re) => Ok(re.find_at(s, pos).map(|m| (m.start(), m.end()))),
            Err(re) => Ok(re
                .find_from_pos(s, pos)
                .map_err(|e| self.runtime_error(e, s))?
                .map(|m| (m.start(), m.end()))),
        }
    }

    /// Like [`Pattern::find_at`], and fills `locs.spans` with the groups' spans.
    ///
    /// # Errors
    /// A backtracking pattern over its limit on `s`.
    ///
    /// # Panics
    /// When `locs` was made by [`Pattern::locations`] of another pattern.
    pub fn captures_at(&self, s: &str, pos: usize, locs: &mut Locations) -> Result<bool> {
        match (self.engine_for(s), &mut locs.fast) {
            (Ok(re), Some(fast)) => {
                if re.captures_read_at(fast, s, pos).is_none() {
                    return Ok(false);
                }
                for (i, span) in locs.spans.iter_mut().enumerate() {
                    *span = fast.get(i);
                }
                Ok(true)
            }
            (Err(re), _) => {
                match re
                    .captures_from_pos(s, pos)
                    .map_err(|e| self.runtime_error(e, s))?
                {
                    None => Ok(false),
                    Some(caps) => {
                        for (i, span) in locs.spans.iter_mut().enumerate() {
                            *span = caps.get(i).map(|m| (m.start(), m.end()));
                        }
                        Ok(true)
                    }
                }
            }
            (Ok(_), None) => unreachable!("locations built by another pattern"),
        }
    }

    /// Calls `f` with the spans of each match, in order, as `re.finditer` finds them;
    /// `f` returns `false` to stop. Group spans are filled only when `groups` is set.
    ///
    /// # Errors
    /// A backtracking pattern over its limit, or an error from `f`.
    pub fn for_each_match(
        &self,
        s: &str,
        groups: bool,
        locs: &mut Locations,
        mut f: impl FnMut(&Spans) -> Result<bool>,
    ) -> Result<()> {
        let (mut pos, mut must_advance) = (0, false);
        while pos <= s.len() {
            let found = if groups {
                self.captures_at(s, pos, locs)?
            } else {
                match self.find_at(s, pos)? {
                    Some(span) => {
                        locs.spans[0] = Some(span);
                        true
                    }
                    None => false,
                }
            };
            if !found {
                break;
            }
            let (mut start, mut end) = locs.spans[0].expect("a match has a span");
            if must_advance && start == end && start == pos {
                // Python refuses an empty match where the previous match ended and tries
                // the pattern's other choices there for a non-empty one; failing that, it
                // searches again one character further on.
                if self.non_empty_at(s, pos, locs)? {
                    (start, end) = locs.spans[0].expect("a match has a span");
                } else {
                    match s[pos..].chars().next() {
                        Some(c) => {
                            pos += c.len_utf8();
                            must_advance = false;
                            continue;
                        }
                        None => break,
                    }
                }
            }
            if !f(&locs.spans)? {
                break;
            }
            must_advance = start == end;
            pos = end;
        }
        Ok(())
    }

    /// The non-empty match that starts exactly at `pos`, with its groups, into `locs`.
    fn non_empty_at(&self, s: &str, pos: usize, locs: &mut Locations) -> Result<bool> {
        let Some(re) = self.not_empty.get() else {
            return Ok(false);
        };
        match re
            .captures_from_pos(s, pos)
            .map_err(|e| self.runtime_error(e, s))?
        {
            Some(caps) if caps.get(0).is_some_and(|m| m.start() == pos) => {
                for (i, span) in locs.spans.iter_mut().enumerate() {
                    *span = caps.get(i).map(|m| (m.start(), m.end()));
                }
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn runtime_error(&self, e: fancy_regex::Error, s: &str) -> KernelError {
        let shown: String = s.chars().take(40).collect();
        let more = if shown.len() < s.len() { "..." } else { "" };
        regex_error(&self.source, format!("{e} on the value {shown:?}{more}"))
    }
}

/// A pattern in both forms: `fast` for the `regex` crate, `exact` with Python's `$`.
struct Translated {
    fast: String,
    exact: String,
    dollar: bool,
}

/// Strips Python's leading global inline flags (`(?i)`, `(?aiLmsux)`), which may only
/// open a pattern, into flag bits.
fn leading_flags(pattern: &str, mut re_flags: u32) -> Result<(&str, u32)> {
    if re_flags & !flags::KNOWN != 0 {
        return Err(KernelError::InvalidArgument {
            op: "regex",
            message: format!(
                "unsupported flags {re_flags:#x} (known: IGNORECASE, MULTILINE, DOTALL, UNICODE, VERBOSE, ASCII)"
            ),
        });
    }
    let mut rest = pattern;
    while let Some(after) = rest.strip_prefix("(?") {
        let letters: String = after
            .chars()
            .take_while(char::is_ascii_alphabetic)
            .collect();
        if letters.is_empty() || !after[letters.len()..].starts_with(')') {
            break;
        }
        for c in letters.chars() {
            re_flags |= match c {
                'a' => flags::ASCII,
                'i' => flags::IGNORECASE,
                'm' => flags::MULTILINE,
                's' => flags::DOTALL,
                'u' => flags::UNICODE,
                'x' => flags::VERBOSE,
                'L' => {
                    return Err(regex_error(
                        pattern,
                        "cannot use LOCALE flag with a str pattern",
                    ))
                }
                other => return Err(regex_error(pattern, format!("unknown flag {other:?}"))),
            };
        }
        rest = &after[letters.len() + 1..];
    }
    if re_flags & flags::ASCII != 0 && re_flags & flags::UNICODE != 0 {
        return Err(regex_error(
            pattern,
            "ASCII and UNICODE flags are incompatible",
        ));
    }
    Ok((rest, re_flags))
}

/// Python's `{m,n}` forms (`{m}`, `{m,}`, `{,n}`, `{m,n}`) at the start of `s`; `None`
/// when the brace is a literal, as Python reads `a{` or `{x}`.
fn quantifier(s: &str) -> Option<(usize, String)> {
    let end = s.find('}')?;
    let inner = &s[1..end];
    let (m, n) = match inner.split_once(',') {
        Some((m, n)) => (m, Some(n)),
        None => (inner, None),
    };
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    if !digits(m) || !n.is_none_or(digits) || (m.is_empty() && n.is_none_or(str::is_empty)) {
        return None;
    }
    let m = if m.is_empty() { "0" } else { m };
    Some((
        end + 1,
        match n {
            None => format!("{{{m}}}"),
            Some(n) => format!("{{{m},{n}}}"),
        },
    ))
}

fn translate(pattern: &str, re_flags: u32) -> Result<Translated> {
    let ascii = re_flags & flags::ASCII != 0;
    let verbose = re_flags & flags::VERBOSE != 0;
    let multiline = re_flags & flags::MULTILINE != 0;
    // Class pieces for Python's \d \w \s inside and outside brackets.
    let (word, space, digit) = if ascii {
        ("0-9A-Za-z_", r"\t\n\x0B\x0C\r ", "0-9")
    } else {
        (r"\p{L}\p{N}_", r"\s\x1C-\x1F", r"\d")
    };
    let mut fast = String::with_capacity(pattern.len() + 8);
    let mut exact_dollar = Vec::new(); // byte positions in `fast` of each `$`
    let mut in_class = false;
    let mut class_start = false;
    let mut chars = pattern.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let at_class_start = std::mem::take(&mut class_start);
        if c == '\\' {
            let Some((_, n)) = chars.next() else {
                return Err(regex_error(pattern, "bad escape (end of pattern)"));
            };
            match (n, in_class) {
                ('d', false) => fast.push_str(&format!("[{digit}]")),
                ('D', false) => fast.push_str(&format!("[^{digit}]")),
                ('w', false) => fast.push_str(&format!("[{word}]")),
                ('W', false) => fast.push_str(&format!("[^{word}]")),
                ('s', false) => fast.push_str(&format!("[{space}]")),
                ('S', false) => fast.push_str(&format!("[^{space}]")),
                ('d', true) => fast.push_str(digit),
                ('w', true) => fast.push_str(word),
                ('s', true) => fast.push_str(space),
                ('D', true) => fast.push_str(&format!("[^{digit}]")),
                ('W', true) => fast.push_str(&format!("[^{word}]")),
                ('S', true) => fast.push_str(&format!("[^{space}]")),
                ('b', true) => fast.push_str(r"\x08"),
                ('b' | 'B', false) if ascii => fast.push_str(&format!(r"(?-u:\{n})")),
                ('Z', false) => fast.push_str(r"\z"),
                ('0', _) => {
                    // Octal: \0, \0N, \0NN.
                    let mut value = 0u32;
                    for _ in 0..2 {
                        match chars.peek() {
                            Some(&(_, d @ '0'..='7')) => {
                                value = value * 8 + d.to_digit(8).unwrap_or(0);
                                chars.next();
                            }
                            _ => break,
                        }
                    }
                    fast.push_str(&format!(r"\x{{{value:X}}}"));
                }
                ('<' | '>', _) => fast.push(n),
                (n, _) if !n.is_ascii() => {
                    fast.push_str(&regex::escape(n.encode_utf8(&mut [0; 4])))
                }
                (n, _) => {
                    fast.push('\\');
                    fast.push(n);
                }
            }
        } else if in_class {
            match c {
                ']' if !at_class_start => {
                    in_class = false;
                    fast.push(']');
                }
                '[' | '&' | '~' => {
                    fast.push('\\');
                    fast.push(c);
                }
                '-' if matches!(chars.peek(), Some((_, '-'))) => fast.push_str(r"\-"),
                c if verbose && c.is_whitespace() => {
                    fast.push_str(&regex::escape(c.encode_utf8(&mut [0; 4])));
                }
                c => fast.push(c),
            }
        } else {
            match c {
                '[' => {
                    in_class = true;
                    fast.push('[');
                    if let Some(&(_, '^')) = chars.peek() {
                        chars.next();
                        fast.push('^');
                    }
                    // A `]` first in a class is a literal.
                    if let Some(&(_, ']')) = chars.peek() {
                        chars.next();
                        fast.push_str(r"\]");
                    }
                    class_start = false;
                }
                '$' if !multiline => {
                    exact_dollar.push(fast.len());
                    fast.push('$');
                }
                '(' if pattern[i..].starts_with("(?#") => {
                    // A comment: skip to its closing parenthesis.
                    for (_, c) in chars.by_ref() {
                        if c == ')' {
                            break;
                        }
                    }
                }
                '{' => match quantifier(&pattern[i..]) {
                    Some((len, q)) => {
                        fast.push_str(&q);
                        while chars.peek().is_some_and(|&(j, _)| j < i + len) {
                            chars.next();
                        }
                    }
                    None => fast.push_str(r"\{"),
                },
                '}' => fast.push_str(r"\}"),
                '#' if verbose => {
                    // A comment to the end of the line: copied, never translated.
                    fast.push('#');
                    for (_, c) in chars.by_ref() {
                        fast.push(c);
                        if c == '\n' {
                            break;
                        }
                    }
                }
                c => fast.push(c),
            }
        }
    }
    let mut exact = fast.clone();
    for &at in exact_dollar.iter().rev() {
        exact.replace_range(at..at + 1, r"(?=\n?\z)");
    }
    Ok(Translated {
        dollar: !exact_dollar.is_empty() && !pattern.contains("(?m"),
        fast,
        exact,
    })
}

/// One piece of a replacement template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Text copied as is.
    Literal(String),
    /// The text of a group (empty when the group did not take part).
    Group(usize),
}

/// A parsed replacement (`\1`, `\g<name>`, `\n`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pieces: Vec<Piece>,
}

impl Template {
    /// A replacement used as is, with no escapes.
    pub fn literal(repl: &str) -> Template {
        Template {
            pieces: vec![Piece::Literal(repl.to_string())],
        }
    }

    /// Parses a replacement with Python's `re.sub` rules for `pattern`: `\1`..`\99` and
    /// `\g<n>` / `\g<name>` insert groups, `\0` and three-digit forms are octal, `\n`,
    /// `\t` and the other character escapes are themselves, an unknown ASCII-letter escape
    /// is an error, and any other `\x` stays as written.
    ///
    /// # Errors
    /// [`KernelError::Regex`] naming the bad escape or group reference.
    pub fn python(repl: &str, pattern: &Pattern) -> Result<Template> {
        let err =
            |m: String| regex_error(pattern.as_str(), format!("in replacement {repl:?}: {m}"));
        let group = |g: usize| {
            if g > pattern.groups() {
                Err(err(format!("invalid group reference {g}")))
            } else {
                Ok(Piece::Group(g))
            }
        };
        let mut t = TemplateBuilder::default();
        let mut chars = repl.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '\\' {
                t.push(c);
                continue;
            }
            let Some(n) = chars.next() else {
                return Err(err("bad escape (end of pattern)".into()));
            };
            match n {
                'g' => {
                    if chars.next() != Some('<') {
                        return Err(err("missing < after \\g".into()));
                    }
                    let name: String = chars.by_ref().take_while(|&c| c != '>').collect();
                    let piece = if let Ok(g) = name.parse::<usize>() {
                        group(g)?
                    } else if let Some(g) = pattern.group_index(&name) {
                        Piece::Group(g)
                    } else {
                        return Err(err(format!("unknown group name {name:?}")));
                    };
                    t.piece(piece);
                }
                '0'..='9' => {
                    let mut digits = String::from(n);
                    if let Some(&d @ '0'..='9') = chars.peek() {
                        digits.push(d);
                        chars.next();
                        let octal = |s: &str| s.bytes().all(|b| (b'0'..=b'7').contains(&b));
                        if let Some(&d3 @ '0'..='7') = chars.peek() {
                            if octal(&digits) {
                                chars.next();
                                digits.push(d3);
                            }
                        }
                    }
                    if n == '0' || digits.len() == 3 {
                        let v = u32::from_str_radix(&digits, 8).unwrap_or(0);
                        if v > 0o377 {
                            return Err(err(format!(
                                "octal escape value \\{digits} outside of range 0-0o377"
                            )));
                        }
                        t.push(char::from_u32(v).unwrap_or('\0'));
                    } else {
                        t.piece(group(digits.parse().unwrap_or(0))?);
                    }
                }
                'a' => t.push('\x07'),
                'b' => t.push('\x08'),
                'f' => t.push('\x0c'),
                'n' => t.push('\n'),
                'r' => t.push('\r'),
                't' => t.push('\t'),
                'v' => t.push('\x0b'),
                '\\' => t.push('\\'),
                n if n.is_ascii_alphabetic() => return Err(err(format!("bad escape \\{n}"))),
                n => {
                    t.push('\\');
                    t.push(n);
                }
            }
        }
        Ok(t.finish())
    }

    /// Parses a replacement with DuckDB's (RE2's) rules: `\0`..`\9` insert groups and
    /// `\\` is a backslash.
    ///
    /// # Errors
    /// [`KernelError::Regex`] for a group the pattern lacks or another escape.
    pub fn re2(repl: &str, pattern: &Pattern) -> Result<Template> {
        let err =
            |m: String| regex_error(pattern.as_str(), format!("in replacement {repl:?}: {m}"));
        let mut t = TemplateBuilder::default();
        let mut chars = repl.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                t.push(c);
                continue;
            }
            match chars.next() {
                Some('\\') => t.push('\\'),
                Some(d @ '0'..='9') => {
                    let g = d as usize - '0' as usize;
                    if g > pattern.groups() {
                        return Err(err(format!("invalid group reference {g}")));
                    }
                    t.piece(Piece::Group(g));
                }
                _ => return Err(err("invalid rewrite pattern".into())),
            }
        }
        Ok(t.finish())
    }

    /// True when the template uses no group (so matches need no group spans).
    pub fn is_literal(&self) -> bool {
        self.pieces.iter().all(|p| matches!(p, Piece::Literal(_)))
    }

    /// Appends the replacement for one match of `s` with `spans`.
    #[inline]
    pub fn expand(&self, s: &str, spans: &Spans, out: &mut String) {
        for p in &self.pieces {
            match p {
                Piece::Literal(l) => out.push_str(l),
                Piece::Group(g) => {
                    if let Some(Some((a, b))) = spans.get(*g) {
                        out.push_str(&s[*a..*b]);
                    }
                }
            }
        }
    }
}

#[derive(Default)]
struct TemplateBuilder {
    pieces: Vec<Piece>,
    lit: String,
}

impl TemplateBuilder {
    fn push(&mut self, c: char) {
        self.lit.push(c);
    }
    fn piece(&mut self, p: Piece) {
        if !self.lit.is_empty() {
            self.pieces
                .push(Piece::Literal(std::mem::take(&mut self.lit)));
        }
        self.pieces.push(p);
    }
    fn finish(mut self) -> Template {
        if !self.lit.is_empty() || self.pieces.is_empty() {
            self.pieces.push(Piece::Literal(self.lit));
        }
        Template {
            pieces: self.pieces,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(p: &str, s: &str) -> Vec<(usize, usize)> {
        let p = Pattern::new(p, 0).unwrap();
        let mut locs = p.locations();
        let mut out = vec![];
        p.for_each_match(s, false, &mut locs, |sp| {
            out.push(sp[0].unwrap());
            Ok(true)
        })
        .unwrap();
        out
    }

    #[test]
    fn empty_matches_follow_python() {
        // [m.span() for m in re.finditer('x*', 'abxd')]
        assert_eq!(
            all("x*", "abxd"),
            vec![(0, 0), (1, 1), (2, 3), (3, 3), (4, 4)]
        );
        assert_eq!(all("", "é"), vec![(0, 0), (2, 2)]);
        // After an empty match Python backtracks into the other choices at the same
        // position: re.findall('|b', 'b') == ['', 'b', ''], re.findall('a??', 'aa') ==
        // ['', 'a', '', 'a', ''].
        assert_eq!(all("|b", "b"), vec![(0, 0), (0, 1), (1, 1)]);
        assert_eq!(
            all("a??", "aa"),
            vec![(0, 0), (0, 1), (1, 1), (1, 2), (2, 2)]
        );
    }

    #[test]
    fn python_syntax_is_translated() {
        let m = |p: &str, s: &str| Pattern::new(p, 0).unwrap().is_match(s).unwrap();
        assert!(m(r"a\Z", "a"));
        assert!(m(r"a$", "a\n"), "Python's $ matches before a final newline");
        assert!(!m(r"a$", "a\nb"));
        assert!(m(r"\s", "\x1c"));
        assert!(
            !m(r"\w", "\u{301}"),
            "a combining mark is not \\w in Python"
        );
        assert!(m(r"a{,2}b", "aab"));
        assert!(m(r"a{b", "a{b"));
        assert!(m(r"[[]", "["));
        assert!(m(r"[]a]", "]"));
        assert!(m(r"a(?#comment)b", "ab"));
        assert!(m(r"(?i)AB", "ab"));
        assert!(m(r"(?<=a)b", "ab") && !m(r"(?<=a)b", "cb"));
        assert!(m(r"(\w)\1", "aa") && !m(r"(\w)\1", "ab"));
        assert!(m(r"(?P<x>a)(?P=x)", "aa"));
        assert!(Pattern::new(r"(?<=a)b", 0).unwrap().is_backtracking());
        assert!(!Pattern::new(r"\d+$", 0).unwrap().is_backtracking());
    }

    #[test]
    fn anchors() {
        let p = Pattern::anchored("ab|a", 0, Anchor::Full).unwrap();
        assert!(p.is_match("a").unwrap() && p.is_match("ab").unwrap());
        assert!(!p.is_match("abc").unwrap());
        let p = Pattern::anchored("b", 0, Anchor::Start).unwrap();
        assert!(!p.is_match("ab").unwrap());
    }

    #[test]
    fn catastrophic_backtracking_is_an_error() {
        let p = Pattern::new(r"(?=(a|aa)+$)\1x", 0).unwrap();
        let s = format!("{}b", "a".repeat(60));
        let err = p.is_match(&s).unwrap_err().to_string();
        assert!(err.contains("backtrack"), "{err}");
    }

    #[test]
    fn templates() {
        let p = Pattern::new(r"(?P<a>x)(y)?", 0).unwrap();
        let t = Template::python(r"[\1\g<a>\g<2>\n\-]", &p).unwrap();
        let mut out = String::new();
        t.expand("x", &vec![Some((0, 1)), Some((0, 1)), None], &mut out);
        assert_eq!(out, "[xx\n\\-]");
        assert!(Template::python(r"\3", &p).is_err());
        assert!(Template::python(r"\q", &p).is_err());
        assert!(Template::python(r"\g<zz>", &p).is_err());
    }
}
