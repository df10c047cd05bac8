//! Arbitrary text as SQL against the differential suite's tables (`t1`, its first 300
//! rows, and `t2`): parse, plan and run. Errors are fine; panics, hangs and stack
//! overflows are not.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use spindle::sql::Session;
use spindle_fuzz::fixture_dir;

fn session() -> &'static Session {
    static SESSION: OnceLock<Session> = OnceLock::new();
    SESSION.get_or_init(|| {
        let dir = fixture_dir();
        let t1 = spindle::open(dir.join("t1.arrow")).expect("t1.arrow");
        let t1 = t1.lazy().head(300).collect().expect("head");
        let t2 = spindle::open(dir.join("t2.arrow")).expect("t2.arrow");
        let mut session = Session::new();
        session.register("t1", t1);
        session.register("t2", t2);
        session
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(query) = std::str::from_utf8(data) {
        let _ = session().sql(query);
    }
});
