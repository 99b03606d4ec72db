//! What the benchmark harness shares with the tests: the crash-safety load, which the
//! `because` crate's tests run briefly against its own binary and `make bench` at length.

pub mod crash;
pub mod proxy;
