//! What the tests of the `because` binary share: running it, the fixture corpus, a server.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn because(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_because"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("BECAUSE_DATA_DIR")
        .output()
        .expect("the binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn ingest_fixtures(data: &Path) {
    let corpus = repo().join("tests/fixtures/corpus");
    let output = because(data, &["ingest", corpus.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
}

/// `because serve` on a free loopback port, stopped when dropped.
pub struct Served {
    pub child: std::process::Child,
    pub base: String,
}

impl Served {
    pub fn start(data: &Path, args: &[&str]) -> Served {
        Served::start_with(data, args, &[])
    }

    /// With these environment variables set.
    pub fn start_with(data: &Path, args: &[&str], env: &[(&str, &str)]) -> Served {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_because"))
            .envs(env.iter().copied())
            .arg("--data-dir")
            .arg(data)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .env_remove("BECAUSE_LOG")
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the binary runs");
        let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
        let mut lines = stderr.lines();
        let mut base = None;
        for line in lines.by_ref().take(50) {
            if let Some(address) = line.unwrap().strip_prefix("because: serving on ") {
                base = Some(address.trim_end_matches('/').to_owned());
                break;
            }
        }
        // Keep reading what it logs: a closed pipe would make its next line fail.
        std::thread::spawn(move || lines.for_each(drop));
        Served {
            child,
            base: base.expect("the server says where it listens"),
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the vote crash load (`bench::crash`) on the fixtures against the server storing in
/// `store`, and checks that every acknowledged vote survived the kill, once.
pub fn assert_votes_survive_a_kill(store: bench::crash::CrashStore) {
    let load = bench::crash::CrashLoad {
        clients: 8,
        visitors_per_client: 10,
        kill_after: std::time::Duration::from_millis(1500),
    };
    let report = bench::crash::vote_crash(
        &repo().join("tests/fixtures/corpus"),
        Path::new(env!("CARGO_BIN_EXE_because")),
        load,
        &store,
    )
    .unwrap();
    eprintln!("{report:?}");
    assert!(report.acknowledged_votes > 20, "{report:?}");
    assert!(
        report.unanswered > 0,
        "the kill came after the load: {report:?}"
    );
    assert_nothing_lost(&report);
}

/// Every acknowledged vote stored with its value, nothing stored unasked, the counters equal
/// the votes.
pub fn assert_nothing_lost(report: &bench::crash::CrashReport) {
    assert_eq!(
        (
            report.lost,
            report.wrong,
            report.unexpected,
            report.counter_mismatches
        ),
        (0, 0, 0, 0),
        "{report:?}"
    );
}
