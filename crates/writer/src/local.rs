//! A local OpenAI-compatible server for tests and benchmarks: llama-cpp-python's server
//! (`python -m llama_cpp.server`), as `scripts/install-llm.sh` installs it with the
//! SmolLM2-135M-Instruct model, started on a free loopback port and stopped when dropped.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where `scripts/install-llm.sh` puts the server and the model, under the assets folder.
pub struct LocalAssets {
    pub python: PathBuf,
    pub model: PathBuf,
}

impl LocalAssets {
    pub fn in_assets(assets: &Path) -> LocalAssets {
        LocalAssets {
            python: assets.join("llm/venv/bin/python"),
            model: assets.join("llm/SmolLM2-135M-Instruct.Q4_1.gguf"),
        }
    }

    pub fn installed(&self) -> bool {
        self.python.is_file() && self.model.is_file()
    }
}

/// A running server.
pub struct LocalServer {
    child: Child,
    port: u16,
}

#[derive(Debug, thiserror::Error)]
pub enum LocalServerError {
    #[error("cannot start {python}: {source}")]
    Spawn {
        python: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the LLM server exited while starting ({0}); is llama-cpp-python installed (scripts/install-llm.sh)?"
    )]
    Exited(std::process::ExitStatus),
    #[error("the LLM server did not answer within {0:?}")]
    Slow(Duration),
}

impl LocalServer {
    /// Starts the server with `threads` threads and waits until it lists its model.
    pub fn start(assets: &LocalAssets, threads: usize) -> Result<LocalServer, LocalServerError> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .map_err(|source| LocalServerError::Spawn {
                python: assets.python.clone(),
                source,
            })?;
        let child = Command::new(&assets.python)
            .args(["-m", "llama_cpp.server", "--model"])
            .arg(&assets.model)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args([
                "--n_ctx",
                "4096",
                "--n_threads",
                &threads.max(1).to_string(),
            ])
            .args(["--verbose", "false"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|source| LocalServerError::Spawn {
                python: assets.python.clone(),
                source,
            })?;
        let mut server = LocalServer { child, port };
        let patience = Duration::from_secs(90);
        let deadline = Instant::now() + patience;
        loop {
            if server.lists_models() {
                return Ok(server);
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(LocalServerError::Exited(status));
            }
            if Instant::now() > deadline {
                return Err(LocalServerError::Slow(patience));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn lists_models(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        if stream
            .write_all(b"GET /v1/models HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            .is_err()
        {
            return false;
        }
        let mut reply = String::new();
        let _ = stream.read_to_string(&mut reply);
        reply.starts_with("HTTP/1.1 200") || reply.starts_with("HTTP/1.0 200")
    }

    /// The base URL to give [`crate::LlmConfig`].
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Stops the server at once (SIGKILL): what a crash looks like to its clients.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        self.kill();
    }
}
