//! What stops a server gracefully, per platform: the first stop request sets the transport's
//! shutdown flag (it stops accepting, finishes calls in flight, exits 0); a second one while
//! draining exits at once with status 1.
//!
//! - Unix: SIGTERM and SIGINT, through `signal-hook` (safe API over `signal-hook-registry`).
//! - Windows: the console's control events, through `ctrlc` (safe API over
//!   `SetConsoleCtrlHandler`): Ctrl-C and Ctrl-Break drain like SIGINT. Closing the console
//!   window, logging off and shutting down also set the flag, but Windows ends the process as
//!   soon as the handler returns, so calls in flight are cut rather than drained.
//!
//! Both crates keep `unsafe` out of this one.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// What a stop request does, given the shutdown flag.
#[cfg_attr(not(windows), allow(dead_code))]
#[derive(Debug, PartialEq, Eq)]
pub enum Stop {
    /// The first request: drain.
    Drain,
    /// Another while draining: exit now with status 1.
    Exit,
}

/// Record a stop request (used by the Windows handler; the Unix one does the same inside
/// signal-hook's handler, where only atomic operations are allowed).
#[cfg_attr(not(windows), allow(dead_code))]
pub fn on_stop(flag: &AtomicBool) -> Stop {
    if flag.swap(true, Ordering::SeqCst) {
        Stop::Exit
    } else {
        Stop::Drain
    }
}

/// Route the platform's stop requests to `flag`; a failure is logged (shutdown then is not
/// graceful) and never fatal.
#[cfg(unix)]
pub fn install(flag: Arc<AtomicBool>) {
    use signal_hook::consts::{SIGINT, SIGTERM};
    use signal_hook::flag as sig;
    for signal in [SIGTERM, SIGINT] {
        // Registered first, so a second signal (flag already set) exits at once.
        let installed = sig::register_conditional_shutdown(signal, 1, flag.clone())
            .and_then(|_| sig::register(signal, flag.clone()));
        if let Err(e) = installed {
            log::warn!("cannot handle signal {signal}: {e}; shutdown will not be graceful");
        }
    }
}

#[cfg(windows)]
pub fn install(flag: Arc<AtomicBool>) {
    // ctrlc runs this on its own thread, not inside the console's handler.
    let installed = ctrlc::set_handler(move || {
        if on_stop(&flag) == Stop::Exit {
            std::process::exit(1);
        }
    });
    if let Err(e) = installed {
        log::warn!("cannot handle Ctrl-C: {e}; shutdown will not be graceful");
    }
}

#[cfg(not(any(unix, windows)))]
pub fn install(_flag: Arc<AtomicBool>) {
    log::warn!("no stop signals on this platform; shutdown will not be graceful");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_stop_drains_and_the_second_exits() {
        let flag = AtomicBool::new(false);
        assert_eq!(on_stop(&flag), Stop::Drain);
        assert!(flag.load(Ordering::SeqCst));
        assert_eq!(on_stop(&flag), Stop::Exit);
        assert_eq!(on_stop(&flag), Stop::Exit);
    }

    #[cfg(unix)]
    #[test]
    fn sigint_sets_the_flag_without_exiting() {
        let flag = Arc::new(AtomicBool::new(false));
        install(flag.clone());
        // Once only: a second SIGINT would end the test process, as it ends a draining server.
        signal_hook::low_level::raise(signal_hook::consts::SIGINT).unwrap();
        assert!(flag.load(Ordering::SeqCst));
    }
}
