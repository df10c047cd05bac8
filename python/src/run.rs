//! Running the engine from Python: with the GIL released, and stoppable by Ctrl-C.
//!
//! The work runs on a thread of its own (the engine then uses its rayon pool) while the
//! calling thread waits without the GIL, waking every 50 ms to let Python check for
//! signals. On `KeyboardInterrupt` the query's cancel flag is raised; the executor checks
//! it between partitions and before each operator, so the query ends quickly with
//! `Error::Cancelled`, and the interrupt is re-raised. Other Python threads run freely
//! meanwhile.

use std::sync::mpsc::{channel, RecvTimeoutError};
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use spindle::CancelFlag;

use crate::errors::to_py;

/// Runs `f` (given the query's cancel flag) without the GIL; Ctrl-C cancels it.
pub(crate) fn run<T: Send>(
    py: Python<'_>,
    f: impl FnOnce(CancelFlag) -> spindle::Result<T> + Send,
) -> PyResult<T> {
    let flag = CancelFlag::new();
    let (tx, rx) = channel();
    std::thread::scope(|scope| {
        let worker_flag = flag.clone();
        scope.spawn(move || {
            let _ = tx.send(f(worker_flag));
        });
        // The receiver moves in and out of each wait without the GIL (it is Send, not Sync).
        let mut rx = rx;
        loop {
            let (back, received) = py.detach(move || {
                let r = rx.recv_timeout(Duration::from_millis(50));
                (rx, r)
            });
            rx = back;
            match received {
                Ok(result) => return result.map_err(to_py),
                Err(RecvTimeoutError::Timeout) => {
                    if let Err(interrupt) = py.check_signals() {
                        flag.cancel();
                        // The query stops at its next check; wait for it to let go.
                        let _ = py.detach(move || rx.recv());
                        return Err(interrupt);
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(PyRuntimeError::new_err(
                        "spindle: the query's thread failed",
                    ))
                }
            }
        }
    })
}
