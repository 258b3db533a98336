//! Resilience: which requests are retried and how long to wait (Retry-After or exponential
//! backoff with jitter, bounded in total), a process-wide limiter for concurrency and request
//! rate, and a circuit breaker that pauses calls after repeated 429/503 answers.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// When and how often to retry.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0: none).
    pub max_retries: u32,
    /// Seconds; the n-th retry waits about `backoff * 2^n` (with jitter).
    pub backoff: f64,
    /// Also retry POST/PUT/DELETE (off by default: they may not be idempotent).
    pub include_writes: bool,
    /// Ignore the server's Retry-After and use the backoff instead.
    pub ignore_retry_after: bool,
    /// Upper bound of all waits of one request together.
    pub max_total_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 0,
            backoff: 1.0,
            include_writes: false,
            ignore_retry_after: false,
            max_total_wait: Duration::from_secs(60),
        }
    }
}

static SEED: AtomicU64 = AtomicU64::new(0);

/// A cheap pseudo-random fraction in [0, 1) for jitter (not for anything secret).
fn jitter() -> f64 {
    let mut x = SEED.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
        ^ SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(7);
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

impl RetryPolicy {
    /// The wait before retry number `attempt` (0-based), or `None` when no retry should happen
    /// because the budget (`spent` so far) would be exceeded.
    pub fn delay(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        spent: Duration,
    ) -> Option<Duration> {
        if attempt >= self.max_retries {
            return None;
        }
        let wait = match retry_after.filter(|_| !self.ignore_retry_after) {
            Some(d) => d,
            None => {
                let base = self.backoff.max(0.0) * 2f64.powi(attempt.min(16) as i32);
                // "Equal jitter": half fixed, half random, so waits never collapse to zero.
                Duration::from_secs_f64((base / 2.0) + (base / 2.0) * jitter())
            }
        };
        (spent + wait <= self.max_total_wait).then_some(wait)
    }
}

/// Sleep for `d`, waking early (returning false) when `cancelled()` turns true.
pub fn sleep_unless(d: Duration, cancelled: &dyn Fn() -> bool) -> bool {
    let end = Instant::now() + d;
    loop {
        if cancelled() {
            return false;
        }
        let now = Instant::now();
        if now >= end {
            return true;
        }
        std::thread::sleep((end - now).min(Duration::from_millis(50)));
    }
}

/// Process-wide limits shared by every client: concurrent requests, requests per second, and a
/// circuit breaker. Zero disables each.
pub struct Limiter {
    max_concurrent: usize,
    min_interval: Option<Duration>,
    breaker_threshold: u32,
    breaker_cooldown: Duration,
    state: Mutex<LimiterState>,
    freed: Condvar,
}

#[derive(Default)]
struct LimiterState {
    running: usize,
    next_slot: Option<Instant>,
    consecutive_throttles: u32,
    open_until: Option<Instant>,
}

/// Holds a concurrency slot until dropped.
pub struct Permit<'a>(&'a Limiter);

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut s = self.0.state.lock().unwrap_or_else(|e| e.into_inner());
        s.running = s.running.saturating_sub(1);
        self.0.freed.notify_one();
    }
}

impl Limiter {
    pub fn new(
        max_concurrent: usize,
        requests_per_second: f64,
        breaker_threshold: u32,
        breaker_cooldown: Duration,
    ) -> Self {
        let min_interval =
            (requests_per_second > 0.0).then(|| Duration::from_secs_f64(1.0 / requests_per_second));
        Limiter {
            max_concurrent,
            min_interval,
            breaker_threshold,
            breaker_cooldown,
            state: Mutex::new(LimiterState::default()),
            freed: Condvar::new(),
        }
    }

    /// No limits at all.
    pub fn unlimited() -> Self {
        Self::new(0, 0.0, 0, Duration::ZERO)
    }

    /// Wait for a slot (and the rate limit). `Err(wait)` when the circuit is open.
    pub fn acquire(&self) -> Result<Permit<'_>, Duration> {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(until) = s.open_until {
            let now = Instant::now();
            if now < until {
                return Err(until - now);
            }
            s.open_until = None;
        }
        while self.max_concurrent > 0 && s.running >= self.max_concurrent {
            s = self.freed.wait(s).unwrap_or_else(|e| e.into_inner());
        }
        s.running += 1;
        let wait = self.min_interval.map(|gap| {
            let now = Instant::now();
            let slot = s.next_slot.filter(|t| *t > now).unwrap_or(now);
            s.next_slot = Some(slot + gap);
            slot - now
        });
        drop(s);
        if let Some(w) = wait.filter(|w| !w.is_zero()) {
            std::thread::sleep(w);
        }
        Ok(Permit(self))
    }

    /// Record an answer's status for the circuit breaker.
    pub fn record(&self, status: Option<u16>) {
        if self.breaker_threshold == 0 {
            return;
        }
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if matches!(status, Some(429 | 503)) {
            s.consecutive_throttles += 1;
            if s.consecutive_throttles >= self.breaker_threshold {
                s.open_until = Some(Instant::now() + self.breaker_cooldown);
                s.consecutive_throttles = 0;
                log::warn!(
                    "circuit breaker open for {:?} after repeated throttling",
                    self.breaker_cooldown
                );
            }
        } else {
            s.consecutive_throttles = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_follow_retry_after_backoff_and_budget() {
        let p = RetryPolicy {
            max_retries: 3,
            backoff: 0.2,
            ..RetryPolicy::default()
        };
        assert_eq!(
            p.delay(0, Some(Duration::from_secs(2)), Duration::ZERO),
            Some(Duration::from_secs(2))
        );
        let d = p.delay(1, None, Duration::ZERO).unwrap();
        assert!(
            d >= Duration::from_millis(200) && d <= Duration::from_millis(400),
            "{d:?}"
        );
        assert_eq!(p.delay(3, None, Duration::ZERO), None, "retries exhausted");
        assert_eq!(
            p.delay(0, Some(Duration::from_secs(61)), Duration::ZERO),
            None,
            "over budget"
        );
        let ignore = RetryPolicy {
            ignore_retry_after: true,
            ..p
        };
        assert!(
            ignore
                .delay(0, Some(Duration::from_secs(30)), Duration::ZERO)
                .unwrap()
                < Duration::from_secs(1)
        );
    }

    #[test]
    fn breaker_opens_after_threshold_and_closes_after_cooldown() {
        let l = Limiter::new(0, 0.0, 2, Duration::from_millis(50));
        l.record(Some(429));
        assert!(l.acquire().is_ok());
        l.record(Some(503));
        assert!(l.acquire().is_err());
        std::thread::sleep(Duration::from_millis(60));
        assert!(l.acquire().is_ok());
    }

    #[test]
    fn concurrency_is_capped() {
        let l = std::sync::Arc::new(Limiter::new(1, 0.0, 0, Duration::ZERO));
        let p = l.acquire().unwrap();
        let l2 = l.clone();
        let t = std::thread::spawn(move || {
            let start = Instant::now();
            let _p = l2.acquire().unwrap();
            start.elapsed()
        });
        std::thread::sleep(Duration::from_millis(50));
        drop(p);
        assert!(t.join().unwrap() >= Duration::from_millis(40));
    }

    #[test]
    fn cancellable_sleep() {
        assert!(!sleep_unless(Duration::from_secs(5), &|| true));
        assert!(sleep_unless(Duration::from_millis(5), &|| false));
    }
}
