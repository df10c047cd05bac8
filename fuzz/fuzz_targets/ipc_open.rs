//! Arbitrary bytes as an Arrow IPC file (or stream): open it and run the exercise queries
//! over every column. Anything may fail with an error; nothing may panic, hang or read
//! out of bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spindle_fuzz::{exercise::exercise, scratch};

fuzz_target!(|data: &[u8]| {
    let path = scratch(data, "arrow");
    if let Ok(df) = spindle::open(&path) {
        exercise(&df);
    }
});
