//! Helpers shared by the fuzz targets.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

#[path = "../../tests/common/exercise.rs"]
pub mod exercise;

/// Writes `bytes` to this process's scratch file with extension `ext` and returns its path.
/// spindle opens files by path, so each input goes through a real file (in /dev/shm when
/// there is one). The previous input's frame is dropped by then, so nothing maps it.
pub fn scratch(bytes: &[u8], ext: &str) -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let base = if Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("spindle-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch directory");
        dir
    });
    let path = dir.join(format!("input.{ext}"));
    std::fs::write(&path, bytes).expect("write the scratch file");
    path
}

/// The differential suite's tables, the SQL target's fixture.
pub fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/duckdb/data")
}

/// Folds a fuzzed size or count into a small range, but keeps the extremes (and a few
/// values past every limit) as they are, so that both real work and the size checks get
/// exercised without each input allocating gigabytes.
pub fn tame(v: i64) -> i64 {
    const KEPT: [i64; 6] = [
        i64::MIN,
        i64::MAX,
        1 << 31,
        1 << 40,
        -(1 << 40),
        u32::MAX as i64,
    ];
    if KEPT.contains(&v) || (-64..=4096).contains(&v) {
        v
    } else {
        v.rem_euclid(300)
    }
}
