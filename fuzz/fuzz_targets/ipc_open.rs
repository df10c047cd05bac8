//! Arbitrary bytes as an Arrow IPC file (or stream): open it and run the exercise queries
//! over every column. Anything may fail with an error; nothing may panic, hang or read
//! out of bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spindle_fuzz::{exercise::exercise, scratch};

fuzz_target!(|data: &[u8]| {
    let path = scratch(data, "arrow");
    if let Ok(df) = spindle::open(&path) {
        // Work in proportion to the rows a file declares is no fault: a batch of
        // Null-typed columns (or of none) has no buffers, and can declare up to u32::MAX
        // rows in a few bytes. Past 4 Mi rows only the open is checked, so each input
        // stays within the run's time and memory limits.
        if df.num_rows() <= 1 << 22 {
            exercise(&df);
        }
    }
});
