//! A real nginx (Debian's) on loopback in front of several `because serve` nodes, for the
//! tests and the benchmark of several nodes.

use std::path::Path;
use std::process::{Child, Command, Stdio};

use anyhow::{Context, bail};

/// nginx on a free loopback port in front of `nodes` (round robin, keep-alive, the client's
/// address appended to `X-Forwarded-For`, a request never retried on another node); stopped
/// when dropped.
pub struct Nginx {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    _dir: tempfile::TempDir,
}

impl Nginx {
    pub fn start(nodes: &[&str]) -> anyhow::Result<Nginx> {
        let dir = tempfile::tempdir()?;
        // The worker processes may run as another user: they need to reach the folder.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let servers: String = nodes
            .iter()
            .map(|base| format!("        server {};\n", base.trim_start_matches("http://")))
            .collect();
        let prefix = dir.path().display();
        let conf = format!(
            "worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    upstream because {{
{servers}        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://because;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_next_upstream off;
        }}
    }}
}}
"
        );
        let conf_path = dir.path().join("nginx.conf");
        std::fs::write(&conf_path, conf)?;
        let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"]
            .into_iter()
            .find(|p| Path::new(p).is_file())
            .context("nginx is not installed (scripts/install-nginx.sh)")?;
        let mut child = Command::new(nginx)
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&conf_path)
            .args(["-g", "daemon off;"])
            .stderr(Stdio::null())
            .spawn()
            .context("starting nginx")?;
        let base = format!("http://127.0.0.1:{port}");
        let started = std::time::Instant::now();
        while ureq::get(format!("{base}/healthz")).call().is_err() {
            if started.elapsed() > std::time::Duration::from_secs(20) || child.try_wait()?.is_some()
            {
                let _ = child.kill();
                bail!(
                    "nginx never answered: {}",
                    std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default()
                );
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Ok(Nginx {
            child,
            base,
            _dir: dir,
        })
    }
}

impl Drop for Nginx {
    /// SIGTERM, so that the master stops its workers too (SIGKILL would leave them behind).
    fn drop(&mut self) {
        let stopped = Command::new("kill")
            .arg(self.child.id().to_string())
            .status()
            .is_ok_and(|s| s.success());
        if !stopped {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}
