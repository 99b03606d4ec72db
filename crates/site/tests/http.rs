//! The site over real HTTP on a loopback port, with a real index of the fixture corpus and a
//! real SQLite database: ask, publish, vote (form and JSON), restart, bad and hostile input.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;

use ureq::Agent;

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/corpus")
}

fn ingest(data: &Path) {
    let report = corpus::load_path(&fixture_dir());
    let index = index::Index::create_or_open(&data.join("index")).unwrap();
    index.ingest(report.documents, &mut |_| {}).unwrap();
}

/// A server on 127.0.0.1 with an ephemeral port; stopped (gracefully) when dropped.
struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(data: &Path) -> Server {
        let engine = explain::Engine::open(&data.join("index")).unwrap();
        let store = site::Store::open(&data.join("site.sqlite")).unwrap();
        let (addr_tx, addr_rx) = mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                let state = site::AppState::new(engine, store);
                site::serve(listener, state, async {
                    let _ = stop_rx.await;
                })
                .await
                .unwrap();
            });
        });
        Server {
            addr: addr_rx.recv().unwrap(),
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn agent() -> Agent {
    Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .new_agent()
}

struct Reply {
    status: u16,
    location: String,
    cookie: Option<String>,
    body: String,
}

fn reply(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
    let mut response = response.expect("the request reaches the server");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let location = header("location").unwrap_or_default();
    let cookie = header("set-cookie").map(|c| c.split(';').next().unwrap_or("").to_owned());
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().unwrap_or_default();
    Reply {
        status,
        location,
        cookie,
        body,
    }
}

fn get(server: &Server, path: &str, cookie: Option<&str>) -> Reply {
    let mut request = agent().get(server.url(path));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    reply(request.call())
}

fn post_form(server: &Server, path: &str, body: &str, cookie: Option<&str>) -> Reply {
    let mut request = agent()
        .post(server.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", format!("http://{}", server.addr));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    reply(request.send(body))
}

fn post_json(server: &Server, path: &str, body: &serde_json::Value, cookie: Option<&str>) -> Reply {
    let mut request = agent()
        .post(server.url(path))
        .header("content-type", "application/json");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    reply(request.send(body.to_string()))
}

fn json(reply: &Reply) -> serde_json::Value {
    serde_json::from_str(&reply.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", reply.body))
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn ask_publish_vote_and_find_the_vote_after_a_restart() {
    let data = tempfile::tempdir().unwrap();
    ingest(data.path());
    let server = Server::start(data.path());

    let asked = get(&server, "/ask?q=Why+do+river+floods+happen%3F", None);
    assert_eq!(asked.status, 303);
    assert_eq!(asked.location, "/a/why-do-river-floods-happen");
    let again = get(
        &server,
        "/ask?q=%20why%20DO%20river%20floods%20happen!!",
        None,
    );
    assert_eq!(
        again.location, asked.location,
        "the same question reuses the article"
    );

    let page = get(&server, &asked.location, None);
    assert_eq!(page.status, 200);
    for expected in [
        "<h1>Why do river floods happen?</h1>",
        "Posted on",
        "Was this helpful?",
        "Sources",
        "href=\"#source-1\"",
    ] {
        assert!(page.body.contains(expected), "missing {expected:?}");
    }
    assert!(!page.body.contains("aria-pressed=\"true\""));

    // Without JavaScript: a form post, answered with a redirect and a visitor cookie.
    let voted = post_form(
        &server,
        "/a/why-do-river-floods-happen/feedback",
        "helpful=no",
        None,
    );
    assert_eq!(voted.status, 303);
    assert!(
        voted.location.ends_with("?feedback=no#feedback"),
        "{}",
        voted.location
    );
    let cookie = voted.cookie.expect("a visitor cookie is set");
    assert!(cookie.starts_with("because_visitor="));
    let after = get(
        &server,
        "/a/why-do-river-floods-happen?feedback=no",
        Some(&cookie),
    );
    assert!(after.body.contains("Thanks for your feedback!"));
    assert!(after.body.contains("What was wrong with it?"));
    assert!(after.body.contains("value=\"no\" aria-pressed=\"true\""));

    let reason = post_form(
        &server,
        "/a/why-do-river-floods-happen/feedback",
        "helpful=no&reason=missing_information&comment=Say+more+about+dams",
        Some(&cookie),
    );
    assert_eq!(reason.status, 303);
    assert!(reason.location.ends_with("?feedback=thanks#feedback"));
    let api = json(&get(
        &server,
        "/api/v1/articles/why-do-river-floods-happen",
        None,
    ));
    assert_eq!(
        api["feedback"],
        serde_json::json!({"helpful": 0, "not_helpful": 1}),
        "one visitor, one vote"
    );

    // With JavaScript: JSON in, JSON out; the same visitor changes the vote.
    let changed = post_json(
        &server,
        "/a/why-do-river-floods-happen/feedback",
        &serde_json::json!({"helpful": true}),
        Some(&cookie),
    );
    assert_eq!(changed.status, 200);
    let changed = json(&changed);
    assert_eq!(changed["message"], "Thanks for your feedback!");
    assert_eq!(
        changed["feedback"],
        serde_json::json!({"helpful": 1, "not_helpful": 0})
    );

    // Another visitor.
    let other = post_json(
        &server,
        "/a/why-do-river-floods-happen/feedback",
        &serde_json::json!({"helpful": false, "reason": "off_topic"}),
        None,
    );
    assert!(other.cookie.is_some());

    drop(server);
    let server = Server::start(data.path());
    let api = json(&get(
        &server,
        "/api/v1/articles/why-do-river-floods-happen",
        None,
    ));
    assert_eq!(
        api["feedback"],
        serde_json::json!({"helpful": 1, "not_helpful": 1}),
        "votes survive a restart"
    );
    assert_eq!(api["question"], "Why do river floods happen?");
    let page = get(&server, "/a/why-do-river-floods-happen", Some(&cookie));
    assert!(
        page.body.contains("value=\"yes\" aria-pressed=\"true\""),
        "the visitor's vote is remembered"
    );
    let home = get(&server, "/", None);
    assert!(home.body.contains("/a/why-do-river-floods-happen"));
}

#[test]
fn json_api_asks_and_reuses() {
    let data = tempfile::tempdir().unwrap();
    ingest(data.path());
    let server = Server::start(data.path());
    let first = post_json(
        &server,
        "/api/v1/ask",
        &serde_json::json!({"question": "Why does soil erosion happen?"}),
        None,
    );
    assert_eq!(first.status, 200);
    let first = json(&first);
    assert_eq!(first["slug"], "why-does-soil-erosion-happen");
    assert_eq!(first["feedback"]["helpful"], 0);
    assert!(
        first["sources"][0]["url"]
            .as_str()
            .unwrap()
            .starts_with("https://example.org/")
    );
    let second = json(&post_json(
        &server,
        "/api/v1/ask",
        &serde_json::json!({"question": "why does SOIL erosion happen"}),
        None,
    ));
    assert_eq!(
        second["posted_at"], first["posted_at"],
        "reused, not recomposed"
    );
    assert_eq!(get(&server, "/healthz", None).body, "ok");
}

#[test]
fn bad_input_gets_clear_errors() {
    let data = tempfile::tempdir().unwrap();
    ingest(data.path());
    let server = Server::start(data.path());
    let empty = get(&server, "/ask?q=+++", None);
    assert_eq!(empty.status, 400);
    assert!(empty.body.contains("empty"));
    let long = get(&server, &format!("/ask?q={}", "why+".repeat(100)), None);
    assert_eq!(long.status, 400);
    assert!(long.body.contains("limit is 300"));
    assert_eq!(get(&server, "/ask", None).status, 400);

    let missing = get(&server, "/a/no-such-article", None);
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("Not found"));
    let missing = get(&server, "/api/v1/articles/no-such-article", None);
    assert_eq!(missing.status, 404);
    assert!(json(&missing)["error"].is_string());
    assert_eq!(get(&server, "/nowhere", None).status, 404);

    let slug = get(&server, "/ask?q=What+causes+tides%3F", None).location;
    let feedback = format!("{slug}/feedback");
    let huge = format!("helpful=no&comment={}", "x".repeat(5000));
    assert_eq!(post_form(&server, &feedback, &huge, None).status, 413);
    assert_eq!(
        post_json(
            &server,
            &feedback,
            &serde_json::json!({"helpful": "perhaps"}),
            None
        )
        .status,
        400
    );
    let malformed = agent()
        .post(server.url(&feedback))
        .header("content-type", "application/json")
        .send("{not json");
    assert_eq!(reply(malformed).status, 400);
    assert_eq!(
        post_form(&server, &feedback, "reason=off_topic", None).status,
        400
    );
    assert_eq!(
        post_form(
            &server,
            &feedback,
            "helpful=no&reason=%27%20OR%201%3D1",
            None
        )
        .status,
        400
    );
    assert_eq!(
        post_form(&server, "/a/no-such-article/feedback", "helpful=yes", None).status,
        404
    );

    let cross_site = agent()
        .post(server.url(&feedback))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "https://evil.example")
        .send("helpful=yes");
    assert_eq!(reply(cross_site).status, 403);

    // A comment over the limit: refused, and the form keeps what the visitor typed.
    let long_comment = "word ".repeat(210);
    let refused = post_form(
        &server,
        &feedback,
        &format!("helpful=no&comment={}", encode(&long_comment)),
        None,
    );
    assert_eq!(refused.status, 413);
    assert!(refused.body.contains("the limit is 1000"));
    assert!(refused.body.contains(long_comment.trim_end()));

    let api = json(&get(
        &server,
        &format!("/api/v1/articles{}", &slug[2..]),
        None,
    ));
    assert_eq!(
        api["feedback"],
        serde_json::json!({"helpful": 0, "not_helpful": 0}),
        "nothing refused was stored"
    );
}

#[test]
fn hostile_strings_are_rendered_inert() {
    let data = tempfile::tempdir().unwrap();
    ingest(data.path());
    let server = Server::start(data.path());
    let question = "<script>alert(1)</script> Why do \u{202e}river\u{7} floods happen?";
    let asked = get(&server, &format!("/ask?q={}", encode(question)), None);
    assert_eq!(asked.status, 303);
    let page = get(&server, &asked.location, None);
    assert!(
        !page.body.contains("<script>alert(1)"),
        "question rendered raw"
    );
    assert!(
        page.body
            .contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt; Why do river floods happen?")
    );
    assert!(!page.body.contains('\u{202e}'));

    let comment = "<img src=x onerror=alert(1)> '); DROP TABLE votes; -- =HYPERLINK(\"x\")";
    let voted = post_form(
        &server,
        &format!("{}/feedback", asked.location),
        &format!("helpful=no&reason=inaccurate&comment={}", encode(comment)),
        None,
    );
    assert_eq!(voted.status, 303);
    let cookie = voted.cookie.unwrap();
    let page = get(&server, &asked.location, Some(&cookie));
    assert!(!page.body.contains("<img src=x"), "comment rendered raw");
    assert!(page.body.contains("&lt;img src=x onerror=alert(1)&gt;"));
    let api = json(&get(
        &server,
        &format!("/api/v1/articles{}", &asked.location[2..]),
        None,
    ));
    assert_eq!(
        api["feedback"]["not_helpful"], 1,
        "the votes table is intact"
    );

    let error = get(
        &server,
        &format!("/ask?q={}", encode(&format!("<b>{}</b>", "x".repeat(400)))),
        None,
    );
    assert_eq!(error.status, 400);
    assert!(!error.body.contains("<b>x"));

    let headers = agent().get(server.url("/")).call().unwrap();
    let csp = headers
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(csp.contains("script-src 'self'"));
}
