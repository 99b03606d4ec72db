//! Per-client rate limiting of votes without keeping addresses: a client is known only by a
//! keyed hash of its IP address, and the key is random, held in memory and replaced every
//! UTC day (and at every restart), so yesterday's hashes cannot be linked to today's. The
//! limit is per node (each process counts its own clients).
//!
//! Behind a reverse proxy every request comes from the proxy's address: [`client_address`]
//! reads the client from `X-Forwarded-For`, but only when the request came from a proxy the
//! operator trusts (`serve --trust-forwarded-for`); anyone else could write any address there.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

/// An address or a network (`203.0.113.7`, `10.0.0.0/8`, `::1`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedProxy {
    network: IpAddr,
    prefix: u8,
}

impl TrustedProxy {
    /// Parses `ADDRESS` or `ADDRESS/PREFIX`.
    pub fn parse(text: &str) -> Option<TrustedProxy> {
        let (address, prefix) = match text.trim().split_once('/') {
            Some((address, prefix)) => (address, Some(prefix.parse::<u8>().ok()?)),
            None => (text.trim(), None),
        };
        let network: IpAddr = address.parse().ok()?;
        let bits = if network.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(bits);
        (prefix <= bits).then_some(TrustedProxy { network, prefix })
    }

    pub fn contains(&self, address: IpAddr) -> bool {
        let (network, address) = match (self.network, address) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                (u128::from(n.to_bits()) << 96, u128::from(a.to_bits()) << 96)
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => (n.to_bits(), a.to_bits()),
            (IpAddr::V6(n), IpAddr::V4(a)) => (n.to_bits(), a.to_ipv6_mapped().to_bits()),
            (IpAddr::V4(n), IpAddr::V6(a)) => match a.to_ipv4_mapped() {
                Some(a) => (u128::from(n.to_bits()) << 96, u128::from(a.to_bits()) << 96),
                None => return false,
            },
        };
        let prefix = u32::from(self.prefix);
        if prefix == 0 {
            return true;
        }
        let mask = u128::MAX << (128 - prefix.min(128));
        network & mask == address & mask
    }
}

/// The client a request speaks for: the connection's peer, or, when the peer is a trusted
/// proxy, the nearest address in `X-Forwarded-For` (read from the right) that is not itself a
/// trusted proxy. Malformed entries end the walk at the last trusted hop.
pub fn client_address(peer: IpAddr, forwarded_for: &[&str], trusted: &[TrustedProxy]) -> IpAddr {
    let is_trusted = |address: IpAddr| trusted.iter().any(|t| t.contains(address));
    if !is_trusted(peer) {
        return peer;
    }
    let hops: Vec<&str> = forwarded_for
        .iter()
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|hop| !hop.is_empty())
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Ok(address) = hop.parse::<IpAddr>() else {
            break;
        };
        client = address;
        if !is_trusted(address) {
            break;
        }
    }
    client
}

/// At most `limit` actions per client in each fixed window of time (a minute of votes, an
/// hour of new articles).
pub struct RateLimiter {
    limit: u32,
    window_seconds: i64,
    state: Mutex<Window>,
}

struct Window {
    day: i64,
    key: [u8; 32],
    window: i64,
    counts: HashMap<[u8; 16], u32>,
}

impl RateLimiter {
    /// `per_minute` votes per client and minute; 0 turns limiting off.
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter::per_window(per_minute, 60)
    }

    /// `limit` actions per client in each window of `window_seconds` (0: no limit). A window
    /// longer than a day ends at the day's end anyway, when the key changes.
    pub fn per_window(limit: u32, window_seconds: i64) -> RateLimiter {
        RateLimiter {
            limit,
            window_seconds: window_seconds.max(1),
            state: Mutex::new(Window {
                day: i64::MIN,
                key: [0; 32],
                window: i64::MIN,
                counts: HashMap::new(),
            }),
        }
    }

    /// Counts an action of `client` at `unix_seconds`; false when the client is over its limit.
    pub fn allow(&self, client: IpAddr, unix_seconds: i64) -> bool {
        if self.limit == 0 {
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
        let current = unix_seconds.div_euclid(self.window_seconds);
        if current != window.window {
            window.window = current;
            window.counts.clear();
        }
        let id = client_hash(&window.key, client);
        let count = window.counts.entry(id).or_insert(0);
        if *count >= self.limit {
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
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let trusted = [
            TrustedProxy::parse("127.0.0.1").unwrap(),
            TrustedProxy::parse("10.0.0.0/8").unwrap(),
        ];
        // From a trusted proxy: the client it names.
        assert_eq!(
            client_address(ip("127.0.0.1"), &["203.0.113.7"], &trusted),
            ip("203.0.113.7")
        );
        // A chain: the nearest untrusted hop from the right; what the client wrote itself on
        // the left is not believed.
        assert_eq!(
            client_address(
                ip("127.0.0.1"),
                &["1.2.3.4, 198.51.100.9", "10.1.2.3"],
                &trusted
            ),
            ip("198.51.100.9")
        );
        // From anyone else the header is ignored.
        assert_eq!(
            client_address(ip("198.51.100.9"), &["1.2.3.4"], &trusted),
            ip("198.51.100.9")
        );
        // No header, or garbage: the proxy itself.
        assert_eq!(
            client_address(ip("127.0.0.1"), &[], &trusted),
            ip("127.0.0.1")
        );
        assert_eq!(
            client_address(ip("127.0.0.1"), &["not-an-ip"], &trusted),
            ip("127.0.0.1")
        );
        assert_eq!(
            client_address(ip("127.0.0.1"), &["1.2.3.4"], &[]),
            ip("127.0.0.1")
        );
        // Networks, IPv6 and mapped addresses.
        let v6 = TrustedProxy::parse("fd00::/8").unwrap();
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")));
        assert!(trusted[0].contains(ip("::ffff:127.0.0.1")));
        assert_eq!(TrustedProxy::parse("10.0.0.0/33"), None);
        assert_eq!(TrustedProxy::parse("example.org"), None);
        assert!(
            TrustedProxy::parse("0.0.0.0/0")
                .unwrap()
                .contains(ip("8.8.8.8"))
        );
    }

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
        let hourly = RateLimiter::per_window(2, 3600);
        let c = "192.0.2.9".parse().unwrap();
        assert!(hourly.allow(c, 7200) && hourly.allow(c, 7260));
        assert!(!hourly.allow(c, 10_799), "the same hour");
        assert!(hourly.allow(c, 10_800), "the next hour");
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
