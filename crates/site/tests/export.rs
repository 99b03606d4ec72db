//! `because export`: a site of 200 published articles written as static files, served by a
//! plain static file server (Python's `http.server` on a loopback port), and crawled from the
//! home page: every internal link, stylesheet and form target resolves; the pages carry no
//! script; the feed and sitemap parse; votes post to the live site's origin when one is given,
//! and that server accepts them from the export's origin only when told to.

mod common;

use std::collections::{BTreeSet, VecDeque};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

const BASE: &str = "https://static.example.org";
const ARTICLES: usize = 200;

/// Python's static file server over `dir` on a free loopback port; killed when dropped.
struct StaticServer {
    child: Child,
    base: String,
}

impl StaticServer {
    fn start(dir: &std::path::Path) -> Option<StaticServer> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("python3")
            .args(["-m", "http.server", "--bind", "127.0.0.1"])
            .arg(port.to_string())
            .arg("--directory")
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let server = StaticServer {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while agent().get(format!("{}/", server.base)).call().is_err() {
            assert!(Instant::now() < deadline, "the static server did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(server)
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every value of `href="…"`, `src="…"` and `action="…"` in `html`.
fn targets(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in ["href=\"", "src=\"", "action=\""] {
        for (at, _) in html.match_indices(attribute) {
            let rest = &html[at + attribute.len()..];
            if let Some(end) = rest.find('"') {
                found.push(rest[..end].replace("&#x2f;", "/").replace("&amp;", "&"));
            }
        }
    }
    found
}

/// GET following redirects as a browser does (the static server redirects `/a/x` to `/a/x/`).
fn fetch(url: &str) -> (u16, String, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(5)
        .build()
        .new_agent();
    let mut response = agent.get(url).call().expect("the static server answers");
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (
        status,
        kind,
        response.body_mut().read_to_string().unwrap_or_default(),
    )
}

fn publish_many(data: &std::path::Path) {
    let engine = explain::Engine::open(&data.join("index")).unwrap();
    let store = common::open_store(data);
    let subjects = [
        "river floods",
        "coral bleaching",
        "soil erosion",
        "marine heatwaves",
        "tides",
    ];
    let mut n = 0;
    'outer: for round in 0.. {
        for subject in subjects {
            if n == ARTICLES {
                break 'outer;
            }
            let question =
                explain::Question::parse(&format!("Why do {subject} happen in region {round}?"))
                    .unwrap();
            let article = engine
                .ask_with(
                    &question,
                    time::OffsetDateTime::now_utc(),
                    &Default::default(),
                )
                .unwrap();
            store.publish(&question.normalized, &article).unwrap();
            n += 1;
        }
    }
}

#[test]
fn an_exported_site_of_200_articles_has_no_broken_internal_link() {
    let data = tempfile::tempdir().unwrap();
    ingest(data.path());
    publish_many(data.path());
    let store = common::open_store(data.path());
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("site");
    let config = site::SiteConfig {
        base_url: BASE.to_owned(),
        ..site::SiteConfig::default()
    };
    let report = site::export::export(&store, &config, &dir, None).unwrap();
    assert_eq!(report.articles, ARTICLES);
    eprintln!(
        "exported {} articles: {} files, {} bytes",
        report.articles, report.files, report.bytes
    );

    let Some(server) = StaticServer::start(&dir) else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must run the export test: it needs python3"
        );
        eprintln!("skipped: python3 is not installed");
        return;
    };

    // Crawl from the home page: every internal target must answer 200.
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut queue: VecDeque<String> = VecDeque::from(["/".to_owned()]);
    let mut broken = Vec::new();
    let mut pages = 0;
    while let Some(path) = queue.pop_front() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let (status, kind, body) = fetch(&format!("{}{path}", server.base));
        if status != 200 {
            broken.push(format!("{path}: {status}"));
            continue;
        }
        if !kind.starts_with("text/html") {
            continue;
        }
        pages += 1;
        assert!(!body.contains("<script src"), "{path} runs a script");
        for target in targets(&body) {
            // Fragments within the page, and sources elsewhere, are not internal links.
            if !target.starts_with('/') || target.starts_with("//") {
                continue;
            }
            let target = target.split('#').next().unwrap().to_owned();
            let target = target.split('?').next().unwrap().to_owned();
            if !seen.contains(&target) {
                queue.push_back(target);
            }
        }
    }
    assert!(broken.is_empty(), "broken internal links: {broken:?}");
    // The home page lists ten; the search page reaches every article.
    assert!(pages > ARTICLES, "crawled {pages} pages");
    eprintln!(
        "link check: {} internal URLs, {pages} pages, 0 broken",
        seen.len()
    );

    // Feed and sitemap as a static host serves them.
    let (status, _, feed) = fetch(&format!("{}/feed.xml", server.base));
    assert_eq!(status, 200);
    let parsed = feed_rs::parser::parse(feed.as_bytes()).unwrap();
    assert_eq!(parsed.entries.len(), site::publish::FEED_ENTRIES);
    let (status, _, sitemap) = fetch(&format!("{}/sitemap.xml", server.base));
    assert_eq!(status, 200);
    let document = roxmltree::Document::parse(&sitemap).unwrap();
    let urls = document
        .root_element()
        .children()
        .filter(|n| n.has_tag_name("url"))
        .count();
    assert_eq!(urls, ARTICLES + 1);
    let (status, _, search) = fetch(&format!("{}/search.json", server.base));
    assert_eq!(status, 200);
    let entries: serde_json::Value = serde_json::from_str(&search).unwrap();
    assert_eq!(entries.as_array().unwrap().len(), ARTICLES);

    // Without an API origin the pages say where feedback goes and post nowhere.
    let (_, _, article) = fetch(&format!("{}/a/{}", server.base, slug_of(&entries)));
    assert!(article.contains("feedback is collected only on the live site"));
    assert!(!article.contains("method=\"post\""));
}

fn slug_of(entries: &serde_json::Value) -> String {
    entries[0]["url"]
        .as_str()
        .unwrap()
        .trim_start_matches("/a/")
        .to_owned()
}

#[test]
fn votes_from_an_export_reach_the_live_site_only_from_an_allowed_origin() {
    let data = tempfile::tempdir().unwrap();
    ingest(data.path());
    let live = Server::start_with(
        data.path(),
        site::SiteConfig {
            vote_origins: vec![BASE.to_owned()],
            ..site::SiteConfig::default()
        },
    );
    let path = ask(&live, "Why+do+river+floods+happen%3F").location;
    let origin = format!("http://{}", live.addr);

    let store = common::open_store(data.path());
    let out = tempfile::tempdir().unwrap();
    let config = site::SiteConfig {
        base_url: BASE.to_owned(),
        ..site::SiteConfig::default()
    };
    site::export::export(&store, &config, out.path(), Some(&origin)).unwrap();
    let page = std::fs::read_to_string(
        out.path()
            .join(format!("{}/index.html", path.trim_start_matches('/'))),
    )
    .unwrap();
    let action = format!("action=\"{origin}{path}/feedback\"");
    assert!(
        page.replace("&#x2f;", "/").contains(&action),
        "the vote posts to the live site: {}",
        &page[page.find("class=\"vote\"").unwrap_or(0)..][..300]
    );
    assert!(!page.contains("<script src"));

    // The export's origin may post; any other site may not.
    let vote = |from: &str| {
        reply(
            agent()
                .post(live.url(&format!("{path}/feedback")))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("origin", from)
                .send("helpful=yes"),
        )
    };
    assert_eq!(vote(BASE).status, 303);
    assert_eq!(vote("https://elsewhere.example").status, 403);

    // An export never writes over a folder of other files.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("notes.txt"), "mine").unwrap();
    let refused = site::export::export(&store, &config, other.path(), None).unwrap_err();
    assert!(
        refused.to_string().contains("not an empty folder"),
        "{refused}"
    );
    assert_eq!(
        std::fs::read_to_string(other.path().join("notes.txt")).unwrap(),
        "mine"
    );
    // Re-exporting over an earlier export replaces it.
    site::export::export(&store, &config, out.path(), None).unwrap();
}
