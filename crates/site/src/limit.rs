//! Per-client rate limiting of votes without keeping addresses: a client is known only by a
//! keyed hash of its IP address, and the key is random, held in memory and replaced every
//! UTC day (and at every restart), so yesterday's hashes cannot be linked to today's.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

/// Fixed one-minute windows of at most `per_minute` votes per client.
pub struct RateLimiter {
    per_minute: u32,
    state: Mutex<Window>,
}

struct Window {
    day: i64,
    key: [u8; 32],
    minute: i64,
    counts: HashMap<[u8; 16], u32>,
}

impl RateLimiter {
    /// `per_minute == 0` turns limiting off.
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_minute,
            state: Mutex::new(Window {
                day: i64::MIN,
                key: [0; 32],
                minute: i64::MIN,
                counts: HashMap::new(),
            }),
        }
    }

    /// Counts a vote from `client` at `unix_seconds`; false when the client is over its limit.
    pub fn allow(&self, client: IpAddr, unix_seconds: i64) -> bool {
        if self.per_minute == 0 {
            return true;
        }
        let mut window = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let day = unix_seconds.div_euclid(86_400);
        if day != window.day {
            window.day = day;
            window.key = fresh_key();
            window.counts.clear();
        }
        let minute = unix_seconds.div_euclid(60);
        if minute != window.minute {
            window.minute = minute;
            window.counts.clear();
        }
        let id = client_hash(&window.key, client);
        let count = window.counts.entry(id).or_insert(0);
        if *count >= self.per_minute {
            return false;
        }
        *count += 1;
        true
    }
}

fn fresh_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    // Without the system's randomness every day would share one key; an address hash keyed
    // by the time alone is still never an address.
    if getrandom::fill(&mut key).is_err() {
        key = Sha256::digest(format!("{:?}", std::time::SystemTime::now())).into();
    }
    key
}

fn client_hash(key: &[u8; 32], client: IpAddr) -> [u8; 16] {
    let mut hasher = Sha256::new();
    hasher.update(key);
    match client {
        IpAddr::V4(v4) => hasher.update(v4.octets()),
        IpAddr::V6(v6) => hasher.update(v6.octets()),
    }
    let digest = hasher.finalize();
    let mut id = [0u8; 16];
    id.copy_from_slice(&digest[..16]);
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_each_client_per_minute_window() {
        let limiter = RateLimiter::new(3);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "2001:db8::1".parse().unwrap();
        let t = 1_800_000_000;
        assert!((0..3).all(|_| limiter.allow(a, t)));
        assert!(!limiter.allow(a, t + 1));
        assert!(limiter.allow(b, t + 1), "another client has its own budget");
        assert!(limiter.allow(a, t + 60), "a new minute starts afresh");
    }

    #[test]
    fn zero_means_no_limit() {
        let limiter = RateLimiter::new(0);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        assert!((0..1000).all(|_| limiter.allow(a, 0)));
    }

    #[test]
    fn keys_change_so_hashes_cannot_be_linked() {
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        assert_ne!(client_hash(&fresh_key(), a), client_hash(&fresh_key(), a));
    }
}
