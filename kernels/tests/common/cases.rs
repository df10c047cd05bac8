//! The Python oracle's cases (`python/expected.json`) as spindle ops.

use serde_json::Value;
use spindle_kernels::{
    CaseMapping, CharClass, ContainsOptions, FindKind, ReplaceOptions, Side, StrOp, TranslateTable,
};

/// The oracle's answers.
pub const EXPECTED: &str = include_str!("../python/expected.json");

/// The oracle's hard strings (`None` is a null).
pub fn corpus(data: &Value) -> Vec<Option<String>> {
    data["corpus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().map(String::from))
        .collect()
}

/// One case's values split by whether Python raised on them (`index` without a match:
/// spindle fails the whole array there): whether any raised, and the other values with
/// their answers, to be compared on their own.
pub fn without_raised<'a>(
    corpus: &[Option<String>],
    expected: &'a [Value],
) -> (bool, Vec<Option<String>>, Vec<&'a Value>) {
    let raised = |e: &Value| e.get("error").is_some();
    let kept = corpus.iter().zip(expected).filter(|(_, e)| !raised(e));
    (
        expected.iter().any(raised),
        kept.clone().map(|(v, _)| v.clone()).collect(),
        kept.map(|(_, e)| e).collect(),
    )
}

fn s(args: &Value, k: &str) -> Option<String> {
    args.get(k).and_then(Value::as_str).map(String::from)
}
fn i(args: &Value, k: &str) -> Option<i64> {
    args.get(k).and_then(Value::as_i64)
}
fn b(args: &Value, k: &str) -> Option<bool> {
    args.get(k).and_then(Value::as_bool)
}
pub fn re_flags(args: &Value) -> u32 {
    use spindle_kernels::flags::*;
    args.get("flags")
        .and_then(Value::as_array)
        .map(|names| {
            names
                .iter()
                .map(|n| match n.as_str() {
                    Some("IGNORECASE") => IGNORECASE,
                    Some("MULTILINE") => MULTILINE,
                    Some("DOTALL") => DOTALL,
                    Some("VERBOSE") => VERBOSE,
                    Some("ASCII") => ASCII,
                    other => panic!("flag {other:?}"),
                })
                .fold(0, |a, f| a | f)
        })
        .unwrap_or(0)
}
fn pats(args: &Value) -> Vec<String> {
    match &args["pat"] {
        Value::String(p) => vec![p.clone()],
        Value::Array(ps) => ps.iter().map(|p| p.as_str().unwrap().to_string()).collect(),
        other => panic!("pat {other}"),
    }
}

/// The spindle op for one Python case.
pub fn op_of(op: &str, args: &Value) -> StrOp {
    let contains = || ContainsOptions {
        case: b(args, "case").unwrap_or(true),
        flags: re_flags(args),
        regex: b(args, "regex").unwrap_or(true),
        na: None,
    };
    let find = |kind| StrOp::Find {
        sub: s(args, "sub").unwrap(),
        start: i(args, "start").unwrap_or(0),
        end: i(args, "end"),
        kind,
    };
    let strip = |side| StrOp::Strip {
        side,
        chars: s(args, "to_strip"),
    };
    let fill = || {
        s(args, "fillchar")
            .map(|f| f.chars().next().unwrap())
            .unwrap_or(' ')
    };
    let pad = |side| StrOp::Pad {
        width: i(args, "width").unwrap(),
        side,
        fillchar: fill(),
    };
    match op {
        "len" => StrOp::Len,
        "byte_length" => StrOp::ByteLength,
        "lower" => StrOp::Lower(CaseMapping::Full),
        "upper" => StrOp::Upper(CaseMapping::Full),
        "title" => StrOp::Title,
        "capitalize" => StrOp::Capitalize,
        "swapcase" => StrOp::Swapcase,
        "casefold" => StrOp::Casefold,
        "contains" => StrOp::Contains {
            pat: s(args, "pat").unwrap(),
            options: contains(),
        },
        "match" => StrOp::Match {
            pat: s(args, "pat").unwrap(),
            options: contains(),
        },
        "fullmatch" => StrOp::FullMatch {
            pat: s(args, "pat").unwrap(),
            options: contains(),
        },
        "startswith" => StrOp::StartsWith {
            pats: pats(args),
            na: None,
        },
        "endswith" => StrOp::EndsWith {
            pats: pats(args),
            na: None,
        },
        "find" => find(FindKind::Find),
        "rfind" => find(FindKind::Rfind),
        "index" => find(FindKind::Index),
        "rindex" => find(FindKind::Rindex),
        "count" => StrOp::Count {
            pat: s(args, "pat").unwrap(),
            flags: re_flags(args),
        },
        "replace" => StrOp::Replace {
            pat: s(args, "pat").unwrap(),
            repl: s(args, "repl").unwrap(),
            options: ReplaceOptions {
                n: i(args, "n").unwrap_or(-1),
                case: b(args, "case").unwrap_or(true),
                flags: re_flags(args),
                regex: b(args, "regex").unwrap_or(false),
            },
        },
        "removeprefix" => StrOp::RemovePrefix(s(args, "prefix").unwrap()),
        "removesuffix" => StrOp::RemoveSuffix(s(args, "suffix").unwrap()),
        "translate" => StrOp::Translate(
            TranslateTable::maketrans(
                &s(args, "frm").unwrap(),
                &s(args, "to").unwrap(),
                &s(args, "delete").unwrap_or_default(),
            )
            .unwrap(),
        ),
        "repeat" => StrOp::Repeat(i(args, "repeats").unwrap()),
        "slice" => StrOp::Slice {
            start: i(args, "start"),
            stop: i(args, "stop"),
            step: i(args, "step"),
        },
        "slice_replace" => StrOp::SliceReplace {
            start: i(args, "start"),
            stop: i(args, "stop"),
            repl: s(args, "repl").unwrap_or_default(),
        },
        "get" => StrOp::Get(i(args, "i").unwrap()),
        "strip" => strip(Side::Both),
        "lstrip" => strip(Side::Left),
        "rstrip" => strip(Side::Right),
        "pad" => pad(match s(args, "side").as_deref() {
            None | Some("left") => Side::Left,
            Some("right") => Side::Right,
            _ => Side::Both,
        }),
        "ljust" => pad(Side::Right),
        "rjust" => pad(Side::Left),
        "center" => pad(Side::Both),
        "zfill" => StrOp::Zfill(i(args, "width").unwrap()),
        "split" => StrOp::Split {
            pat: s(args, "pat"),
            n: i(args, "n").unwrap_or(-1),
            regex: b(args, "regex"),
        },
        "rsplit" => StrOp::Rsplit {
            pat: s(args, "pat"),
            n: i(args, "n").unwrap_or(-1),
        },
        "partition" | "rpartition" => StrOp::Partition {
            sep: s(args, "sep").unwrap_or_else(|| " ".into()),
            reverse: op == "rpartition",
        },
        "join" => StrOp::Join(s(args, "sep").unwrap()),
        "extract" => StrOp::Extract {
            pat: s(args, "pat").unwrap(),
            flags: re_flags(args),
            expand: true,
        },
        "extractall" => StrOp::ExtractAll {
            pat: s(args, "pat").unwrap(),
            flags: re_flags(args),
        },
        "findall" => StrOp::FindAll {
            pat: s(args, "pat").unwrap(),
            flags: re_flags(args),
        },
        "normalize" => StrOp::Normalize(s(args, "form").unwrap().parse().unwrap()),
        other => {
            let class = CharClass::ALL
                .into_iter()
                .find(|c| c.name() == other)
                .unwrap_or_else(|| panic!("unknown op {other}"));
            StrOp::Is(class)
        }
    }
}
