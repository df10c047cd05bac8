//! Every `.str` kernel with arbitrary arguments (patterns and regexes included) over
//! arbitrary strings. The same values are laid out five ways (Utf8, LargeUtf8, Utf8View,
//! a dictionary, and a slice of a longer array); every layout must give the same answer,
//! or all must fail, and every string output must pass Arrow's full validation (offsets
//! and UTF-8), which checks the kernels' unchecked constructors.
#![no_main]

use std::sync::Arc;

use arbitrary::Arbitrary;
use arrow_array::types::Int16Type;
use arrow_array::{
    Array, ArrayRef, DictionaryArray, LargeStringArray, StringArray, StringViewArray,
};
use arrow_schema::DataType;
use libfuzzer_sys::fuzz_target;
use spindle_fuzz::tame;
use spindle_kernels::StrOp;

#[derive(Debug, Arbitrary)]
struct Input {
    op: StrOp,
    values: Vec<Option<String>>,
}

/// Folds the op's sizes with [`tame`] so that inputs stay small but the extremes remain.
fn tame_op(op: &mut StrOp) {
    match op {
        StrOp::Repeat(n) | StrOp::Zfill(n) | StrOp::Get(n) => *n = tame(*n),
        StrOp::Pad { width, .. } | StrOp::PadCut { width, .. } => *width = tame(*width),
        StrOp::Split { n, .. } | StrOp::Rsplit { n, .. } => *n = tame(*n),
        StrOp::SplitGet { n, i, .. } => (*n, *i) = (tame(*n), tame(*i)),
        StrOp::Replace { options, .. } => options.n = tame(options.n),
        _ => {}
    }
}

/// The layouts of one list of values.
fn layouts(values: &[Option<String>]) -> Vec<(&'static str, ArrayRef)> {
    let plain: StringArray = values.iter().map(|v| v.as_deref()).collect();
    let mut padded: Vec<Option<&str>> = vec![Some("front"), None];
    padded.extend(values.iter().map(|v| v.as_deref()));
    padded.push(Some("back"));
    let padded: StringArray = padded.into_iter().collect();
    let dictionary: DictionaryArray<Int16Type> = values.iter().map(|v| v.as_deref()).collect();
    vec![
        ("utf8", Arc::new(plain) as ArrayRef),
        (
            "large_utf8",
            Arc::new(
                values
                    .iter()
                    .map(|v| v.as_deref())
                    .collect::<LargeStringArray>(),
            ),
        ),
        (
            "utf8_view",
            Arc::new(
                values
                    .iter()
                    .map(|v| v.as_deref())
                    .collect::<StringViewArray>(),
            ),
        ),
        ("dictionary", Arc::new(dictionary)),
        ("sliced", Arc::new(padded.slice(2, values.len()))),
    ]
}

/// One comparable form of a result: strings of any layout become Utf8.
fn normal(a: &ArrayRef) -> ArrayRef {
    let string_like = match a.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, v) => {
            matches!(
                **v,
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            )
        }
        _ => false,
    };
    if string_like {
        arrow_cast::cast(a, &DataType::Utf8).expect("a string result casts to Utf8")
    } else {
        a.clone()
    }
}

fuzz_target!(|input: Input| {
    let Input { mut op, values } = input;
    if values.len() > 64 {
        return;
    }
    tame_op(&mut op);
    let Ok(compiled) = op.compile() else {
        return;
    };
    let mut first: Option<(&str, Result<ArrayRef, String>)> = None;
    for (layout, array) in layouts(&values) {
        let result = compiled.apply(array.as_ref()).map_err(|e| e.to_string());
        if let Ok(out) = &result {
            assert_eq!(out.len(), values.len(), "{layout}: one output per row");
            out.to_data()
                .validate_full()
                .unwrap_or_else(|e| panic!("{layout}: invalid output array: {e}"));
        }
        let result = result.map(|out| normal(&out));
        match &first {
            None => first = Some((layout, result)),
            Some((base, expected)) => match (expected, &result) {
                (Ok(e), Ok(r)) => assert_eq!(e, r, "{layout} differs from {base}"),
                (Err(_), Err(_)) => {}
                (e, r) => panic!("{base} gave {e:?}, {layout} gave {r:?}"),
            },
        }
    }
});
