//! Arbitrary bytes as CSV, with options from the first bytes. The file is read twice:
//! whole (one chunk) and cut into chunks of 1 byte to 1 KiB, which runs the parallel
//! record-boundary cuts (quote parity, the exact check and its fallback). Both reads must
//! agree: the same error (the first bad record in the file), or the same table. (Queries
//! over the decoded table are `ipc_open`'s and `sql`'s work; leaving them out here gives
//! the parser more inputs per second.)
#![no_main]

use arrow_array::RecordBatch;
use libfuzzer_sys::fuzz_target;
use spindle::CsvOptions;
use spindle_fuzz::scratch;

fn rows(df: &spindle::DataFrame) -> Option<RecordBatch> {
    let batches = df.to_batches().ok()?;
    arrow_select::concat::concat_batches(&df.schema(), &batches).ok()
}

fuzz_target!(|data: &[u8]| {
    let Some((&[flags, delimiter, chunk], csv)) = data.split_first_chunk::<3>() else {
        return;
    };
    let options = CsvOptions {
        header: flags & 1 != 0,
        delimiter: [b',', b';', b'\t', b'|'][usize::from(delimiter % 4)],
        quote: if flags & 2 != 0 { b'\'' } else { b'"' },
        escape: (flags & 4 != 0).then_some(b'\\'),
        null_values: if flags & 8 != 0 {
            vec!["NA".into()]
        } else {
            vec![]
        },
        skip_bad_rows: flags & 16 != 0,
        infer_rows: if flags & 32 != 0 { 3 } else { 20_000 },
        ..CsvOptions::default()
    };
    let path = scratch(csv, "csv");
    let whole = spindle::read_csv(&path, &options);
    let cut = spindle::read_csv(
        &path,
        &CsvOptions {
            // 1 byte to 1 KiB, most often small: every cut lands somewhere different.
            chunk_bytes: 1 << (chunk % 11),
            ..options.clone()
        },
    );
    match (&whole, &cut) {
        (Ok(a), Ok(b)) => {
            assert_eq!(
                a.schema(),
                b.schema(),
                "the chunked read inferred another schema"
            );
            assert_eq!(rows(a), rows(b), "the chunked read gave other rows");
        }
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        (a, b) => panic!("one read failed: whole {a:?}, chunked {b:?}"),
    }
});
