//! Every crash the fuzz targets (`fuzz/`) found, as a named test over the input that
//! found it (kept in `tests/fuzz_regressions/`), with a line on its root cause. Each must
//! now give a clear error that names the file.

use std::path::PathBuf;

fn input(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions")
        .join(name)
}

fn open_error(name: &str) -> String {
    match spindle::open(input(name)) {
        Ok(df) => panic!("{name} opened ({} rows)", df.num_rows()),
        Err(e) => e.to_string(),
    }
}

/// ipc_open: a stream whose LargeUtf8 offsets buffer is 53 bytes, not a whole number of
/// 8-byte offsets. arrow's validation views the buffer as `&[i64]` and asserts that it
/// has no ragged tail (a panic). Root cause: spindle bounded each buffer but did not
/// check that a fixed-width buffer holds whole values; it now does, in files and streams
/// (whose messages it now checks as it checks a file's blocks) and for the declared
/// length of compressed buffers.
#[test]
fn stream_with_a_ragged_offsets_buffer() {
    let e = open_error("stream_ragged_offsets.arrows");
    assert!(
        e.contains("stream_ragged_offsets.arrows")
            && e.contains("not a whole number of 8-byte values"),
        "{e}"
    );
}
