//! A one-line progress bar on stderr: `[#####.....]  52%  5200000/10000000 rows`, redrawn
//! in place, drawn only when asked (stderr is a terminal) and the work is not yet done.

#[derive(Debug)]
pub struct Progress {
    total: u64,
    done: u64,
    unit: &'static str,
    shown: bool,
    enabled: bool,
}

impl Progress {
    pub fn new(total: u64, unit: &'static str, enabled: bool) -> Progress {
        Progress {
            total,
            done: 0,
            unit,
            shown: false,
            enabled,
        }
    }

    /// Adds `n` to the work done and redraws.
    pub fn advance(&mut self, n: u64) {
        self.set(self.done + n);
    }

    /// Sets the work done and redraws.
    pub fn set(&mut self, done: u64) {
        self.done = done;
        if !self.enabled || self.done >= self.total && !self.shown {
            return;
        }
        let filled = (self.done.min(self.total) * 30 / self.total.max(1)) as usize;
        let (done, total) = if self.unit == "MB" {
            (self.done >> 20, self.total >> 20)
        } else {
            (self.done, self.total)
        };
        eprint!(
            "\r[{}{}] {:>3}%  {done}/{total} {}",
            "#".repeat(filled),
            ".".repeat(30 - filled),
            self.done * 100 / self.total.max(1),
            self.unit
        );
        self.shown = true;
    }

    /// Ends the bar's line if it was drawn.
    pub fn finish(&self) {
        if self.shown {
            eprintln!();
        }
    }
}
