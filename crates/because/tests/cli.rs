//! The `because` binary as a user runs it: exit codes, one-line errors, formats.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

/// The fixtures ingested and "Why do river floods happen?" published; its store row.
fn publish_floods(data: &Path) -> site::StoredArticle {
    ingest_fixtures(data);
    let engine = explain::Engine::open(&data.join("index")).unwrap();
    let store = site::Store::open(&data.join("site.sqlite")).unwrap();
    let question = explain::Question::parse("Why do river floods happen?").unwrap();
    store
        .publish(&question.normalized, &engine.ask(&question).unwrap())
        .unwrap()
}

#[test]
fn ingest_is_idempotent() {
    let data = tempfile::tempdir().unwrap();
    let corpus = repo().join("tests/fixtures/corpus");
    let first = because(data.path(), &["ingest", corpus.to_str().unwrap()]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stdout(&first).contains("8 added, 0 updated, 0 unchanged"),
        "{}",
        stdout(&first)
    );
    let second = because(data.path(), &["ingest", corpus.to_str().unwrap()]);
    assert!(
        stdout(&second).contains("0 added, 0 updated, 8 unchanged"),
        "{}",
        stdout(&second)
    );
}

#[test]
fn malformed_files_are_reported_by_name_and_the_rest_is_ingested() {
    let data = tempfile::tempdir().unwrap();
    let broken = repo().join("tests/fixtures/broken");
    let output = because(data.path(), &["ingest", broken.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let errors = stderr(&output);
    assert!(
        errors.contains("binary.txt") && errors.contains("UTF-8"),
        "{errors}"
    );
    assert!(errors.contains("half.jsonl:2"), "{errors}");
    assert!(stdout(&output).contains("2 added"), "{}", stdout(&output));
}

#[test]
fn asking_before_ingesting_says_what_to_run() {
    let data = tempfile::tempdir().unwrap();
    let output = because(data.path(), &["ask", "Why do floods happen?"]);
    assert!(!output.status.success());
    let message = stderr(&output);
    assert_eq!(message.trim().lines().count(), 1, "one line: {message}");
    assert!(
        message.contains("because ingest --default-corpus"),
        "{message}"
    );
}

#[test]
fn bad_questions_fail_with_one_line() {
    let data = tempfile::tempdir().unwrap();
    ingest_fixtures(data.path());
    for (question, expected) in [
        ("", "empty"),
        ("  \t ", "empty"),
        (&"why ".repeat(80)[..], "limit is 300"),
    ] {
        let output = because(data.path(), &["ask", question]);
        assert!(!output.status.success());
        let message = stderr(&output);
        assert!(message.contains(expected), "{message}");
        assert_eq!(message.trim().lines().count(), 1);
    }
}

#[test]
fn ask_prints_markdown_json_and_html() {
    let data = tempfile::tempdir().unwrap();
    ingest_fixtures(data.path());
    let markdown = because(data.path(), &["ask", "Why do river floods happen?"]);
    assert!(markdown.status.success(), "{}", stderr(&markdown));
    let text = stdout(&markdown);
    assert!(text.starts_with("# Why do river floods happen?\n"));
    assert!(text.contains("*Posted on "));
    assert!(text.contains("## Sources"));

    let json = because(
        data.path(),
        &["ask", "Why do river floods happen?", "--format", "json"],
    );
    let article: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(article["slug"], "why-do-river-floods-happen");
    assert_eq!(article["generator"]["mode"], "extractive");

    let html = because(
        data.path(),
        &[
            "ask",
            "<i>Why</i> do river floods happen?",
            "--format",
            "html",
        ],
    );
    let page = stdout(&html);
    assert!(page.starts_with("<!doctype html>"));
    assert!(page.contains("&lt;i&gt;Why&lt;&#x2f;i&gt;"));
    assert!(!page.contains("<i>Why</i>"));
    assert!(
        !page.contains("Was this helpful?"),
        "a printed page has no widget to post to"
    );
}

#[test]
fn missing_default_corpus_says_how_to_install_it() {
    let data = tempfile::tempdir().unwrap();
    let assets = tempfile::tempdir().unwrap();
    let output = because(
        data.path(),
        &[
            "ingest",
            "--default-corpus",
            "--assets-dir",
            assets.path().to_str().unwrap(),
        ],
    );
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("install-assets.sh"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn eval_reports_measures() {
    let data = tempfile::tempdir().unwrap();
    ingest_fixtures(data.path());
    let set = data.path().join("set.jsonl");
    std::fs::write(
        &set,
        "{\"q\": \"Why do river floods happen?\", \"sources\": [\"River floods\"], \"key_points\": [[\"heavy rainfall\"], [\"snowmelt\"]]}\n\
         {\"q\": \"Why does coral bleaching happen?\", \"sources\": [\"Coral bleaching\", \"Marine heatwave\"], \"key_points\": [[\"temperature\"]]}\n",
    )
    .unwrap();
    let output = because(data.path(), &["eval", set.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report = stdout(&output);
    assert!(report.contains("overall: key-point recall 1.000, source recall 1.000, citation validity 1.000, duplicate sentences 0"), "{report}");
    assert!(report.contains("latency: p50"));

    let json = because(
        data.path(),
        &["eval", set.to_str().unwrap(), "--format", "json"],
    );
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["cases"].as_array().unwrap().len(), 2);

    std::fs::write(&set, "{\"q\": \"x\"}\nnot json\n").unwrap();
    let output = because(data.path(), &["eval", set.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("line 2"), "{}", stderr(&output));
}

fn model_installed() -> bool {
    repo().join("assets/model/model.safetensors").is_file()
}

#[test]
fn eval_retrieval_reports_each_method() {
    if !model_installed() {
        eprintln!("skipped: needs assets/model (scripts/install-assets.sh)");
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let beir = repo().join("tests/fixtures/beir-mini");
    let model = repo().join("assets/model");
    let output = Command::new(env!("CARGO_BIN_EXE_because"))
        .args([
            "--data-dir",
            data.path().to_str().unwrap(),
            "--model-dir",
            model.to_str().unwrap(),
        ])
        .args(["eval-retrieval", beir.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["queries"], 2, "only judged queries count");
    let methods: Vec<&str> = report["methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["method"].as_str().unwrap())
        .collect();
    assert_eq!(methods, ["bm25", "dense", "hybrid"]);
    let dense = &report["methods"][1];
    assert_eq!(
        dense["ndcg_at_10"], 1.0,
        "meaning finds both documents first: {report}"
    );
    assert_eq!(dense["recall_at_100"], 1.0);
}

#[test]
fn eval_keypoints_reports_strict_and_relaxed_map() {
    if !model_installed() {
        eprintln!("skipped: needs assets/model (scripts/install-assets.sh)");
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let argkp = repo().join("tests/fixtures/argkp-mini");
    let model = repo().join("assets/model");
    let output = Command::new(env!("CARGO_BIN_EXE_because"))
        .args([
            "--data-dir",
            data.path().to_str().unwrap(),
            "--model-dir",
            model.to_str().unwrap(),
        ])
        .args(["eval-keypoints", argkp.to_str().unwrap()])
        // Eight arguments in a group leave little in common once their mean is taken out,
        // so the fixture groups at a lower similarity than the real sets (100+ per group).
        .args(["--threshold", "0", "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["matching"]["arguments"], 12);
    assert_eq!(report["matching"]["map_strict"], 1.0);
    assert_eq!(report["matching"]["map_relaxed"], 1.0);
    // The homework arguments fall into their two key points; the uniform groups (two
    // arguments each) are too small to make a factor.
    let discovery = &report["discovery"];
    assert_eq!(discovery["groups"], 3);
    assert_eq!(discovery["factors"], 2);
    assert_eq!(discovery["key_point_recall"], 0.4);
    assert!(discovery["purity"].as_f64().unwrap() >= 0.75, "{discovery}");
}

#[test]
fn regenerate_publishes_new_versions_of_named_or_flagged_articles() {
    let data = tempfile::tempdir().unwrap();
    let slug = publish_floods(data.path()).article.slug;
    let output = because(data.path(), &["regenerate", &slug]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).starts_with(&format!("{slug}: version 2 (")));

    let missing = because(data.path(), &["regenerate", "no-such-article"]);
    assert!(!missing.status.success());
    assert_eq!(
        stderr(&missing).trim(),
        "error: no published article at: no-such-article"
    );

    // Ten "No" votes on version 2 flag it; --flagged regenerates exactly that one.
    {
        let store = site::Store::open(&data.path().join("site.sqlite")).unwrap();
        let current = store.find_by_slug(&slug).unwrap().unwrap();
        assert_eq!(current.article.version, 2);
        assert!(current.article.updated_at.is_some());
        let no = site::feedback::Vote {
            helpful: false,
            reason: None,
            comment: None,
            keeps_details: false,
        };
        for visitor in 0..10 {
            store
                .record_vote(
                    current.version_id,
                    &format!("visitor{visitor}"),
                    &no,
                    "2026-11-25T00:00:00Z",
                )
                .unwrap();
        }
    }
    let flagged = because(data.path(), &["regenerate", "--flagged"]);
    assert!(flagged.status.success(), "{}", stderr(&flagged));
    assert!(stdout(&flagged).starts_with(&format!("{slug}: version 3 (")));
    let again = because(data.path(), &["regenerate", "--flagged"]);
    assert_eq!(
        stdout(&again),
        "no article is flagged\n",
        "version 3 starts clean"
    );
    let store = site::Store::open(&data.path().join("site.sqlite")).unwrap();
    let id = store.find_by_slug(&slug).unwrap().unwrap().id;
    let versions = store.versions(id).unwrap();
    assert_eq!(versions.len(), 3);
    assert_eq!(versions[1].feedback.not_helpful, 10, "history is kept");
}

#[test]
fn export_writes_the_site_and_refuses_bad_urls_with_one_line() {
    let data = tempfile::tempdir().unwrap();
    publish_floods(data.path());
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("public");
    let dir_arg = dir.to_str().unwrap();
    let output = because(
        data.path(),
        &["export", dir_arg, "--base-url", "https://example.org/"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).starts_with("exported 1 article:"),
        "{}",
        stdout(&output)
    );
    let page =
        std::fs::read_to_string(dir.join("a/why-do-river-floods-happen/index.html")).unwrap();
    assert!(page.contains("https:&#x2f;&#x2f;example.org&#x2f;a&#x2f;why-do-river-floods-happen"));
    assert!(dir.join("sitemap.xml").is_file() && dir.join("feed.xml").is_file());

    let bad = because(
        data.path(),
        &["export", dir_arg, "--base-url", "example.org"],
    );
    assert!(!bad.status.success());
    assert_eq!(stderr(&bad).lines().count(), 1, "{}", stderr(&bad));
    assert!(stderr(&bad).contains("--base-url \"example.org\" is not an absolute http(s) URL"));
    let bad_origin = because(
        data.path(),
        &[
            "export",
            dir_arg,
            "--base-url",
            "https://example.org",
            "--api-origin",
            "https://example.org/path",
        ],
    );
    assert!(!bad_origin.status.success());
    assert!(
        stderr(&bad_origin).contains("is not an absolute http(s) origin"),
        "{}",
        stderr(&bad_origin)
    );
}

#[test]
fn serve_writes_json_log_lines_on_request() {
    use std::io::{BufRead, BufReader};
    let data = tempfile::tempdir().unwrap();
    ingest_fixtures(data.path());
    let mut server = Command::new(env!("CARGO_BIN_EXE_because"))
        .arg("--data-dir")
        .arg(data.path())
        .args(["--log-format", "json", "serve", "--addr", "127.0.0.1:0"])
        .env_remove("BECAUSE_LOG")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let stderr = BufReader::new(server.stderr.take().unwrap());
    let mut logged = None;
    for line in stderr.lines().take(20) {
        let line = line.unwrap();
        if line.starts_with('{') {
            logged = Some(line);
            break;
        }
    }
    server.kill().unwrap();
    server.wait().unwrap();
    let line = logged.expect("a JSON log line");
    let entry: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(entry["level"], "INFO", "{line}");
    assert_eq!(entry["fields"]["message"], "serving", "{line}");
    assert!(
        entry["fields"]["address"]
            .as_str()
            .is_some_and(|a| a.starts_with("127.0.0.1:")),
        "{line}"
    );
    assert!(entry["timestamp"].is_string(), "{line}");
}

#[test]
fn backup_copies_articles_and_votes_and_never_overwrites() {
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("site-backup.sqlite");
    let file_arg = file.to_str().unwrap();
    let nothing = because(data.path(), &["backup", file_arg]);
    assert!(!nothing.status.success());
    assert!(
        stderr(&nothing).starts_with("error: nothing to back up"),
        "{}",
        stderr(&nothing)
    );

    {
        let published = publish_floods(data.path());
        let store = site::Store::open(&data.path().join("site.sqlite")).unwrap();
        let yes = site::feedback::Vote {
            helpful: true,
            reason: None,
            comment: Some("clear <b>and</b> short".into()),
            keeps_details: false,
        };
        for visitor in 0..3 {
            store
                .record_vote(
                    published.version_id,
                    &format!("visitor{visitor}"),
                    &yes,
                    "2026-12-06T00:00:00Z",
                )
                .unwrap();
        }
    }
    let output = because(data.path(), &["backup", file_arg]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output).trim(),
        format!("backed up 1 article and 3 votes to {file_arg}")
    );
    let copy = site::Store::open(&file).unwrap();
    let article = copy
        .find_by_slug("why-do-river-floods-happen")
        .unwrap()
        .unwrap();
    assert_eq!(copy.feedback(article.version_id).unwrap().helpful, 3);
    assert_eq!(copy.comments(None, 10).unwrap().len(), 3);
    drop(copy);

    let again = because(data.path(), &["backup", file_arg]);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn a_config_file_sets_defaults_that_environment_and_flags_override() {
    let data = tempfile::tempdir().unwrap();
    publish_floods(data.path());
    let config = data.path().join("because.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = {:?}\n\n[export]\nbase_url = \"https://file.example\"\n",
            data.path().to_str().unwrap()
        ),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    // No --data-dir: the file gives it; the base URL comes from the file, the environment,
    // then the flag, each over the one before.
    let export = |name: &str, env: Option<&str>, flag: Option<&str>| {
        let dir = out.path().join(name);
        let mut command = Command::new(env!("CARGO_BIN_EXE_because"));
        command
            .args(["--config", config.to_str().unwrap(), "export"])
            .arg(&dir)
            .env_remove("BECAUSE_DATA_DIR")
            .env_remove("BECAUSE_BASE_URL")
            .env_remove("BECAUSE_CONFIG");
        if let Some(env) = env {
            command.env("BECAUSE_BASE_URL", env);
        }
        if let Some(flag) = flag {
            command.args(["--base-url", flag]);
        }
        let output = command.output().unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        std::fs::read_to_string(dir.join("robots.txt")).unwrap()
    };
    assert!(export("file", None, None).contains("Sitemap: https://file.example/sitemap.xml"));
    assert!(
        export("env", Some("https://env.example"), None)
            .contains("Sitemap: https://env.example/sitemap.xml")
    );
    assert!(
        export(
            "flag",
            Some("https://env.example"),
            Some("https://flag.example")
        )
        .contains("Sitemap: https://flag.example/sitemap.xml")
    );

    // A setting the file cannot hold is refused by name, in one line.
    std::fs::write(&config, "[serve]\nport = 8080\n").unwrap();
    let refused = Command::new(env!("CARGO_BIN_EXE_because"))
        .args(["--config", config.to_str().unwrap(), "ask", "Why?"])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert_eq!(stderr(&refused).lines().count(), 1, "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("[serve] has no setting \"port\""),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn audit_reports_a_page_in_markdown_and_json() {
    let data = tempfile::tempdir().unwrap();
    ingest_fixtures(data.path());
    let page = data.path().join("page.txt");
    std::fs::write(
        &page,
        "Why do rivers flood?\n\nPosted on\n\nRivers flood after heavy rainfall.\n\n\
         Heavy Rainfall: A river overflows its banks after heavy rainfall or rapid snowmelt.\n\n\
         Too Much Rain: Rivers overflow their banks when it rains heavily for days.\n\n\
         In summary, rain floods rivers.\n\nWas this helpful?\n",
    )
    .unwrap();
    let output = because(data.path(), &["audit", page.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report = stdout(&output);
    assert!(
        report.starts_with("# Audit: Why do rivers flood?"),
        "{report}"
    );
    assert!(report.contains("empty date"), "{report}");
    assert!(report.contains("| Heavy Rainfall |"), "{report}");

    let output = because(
        data.path(),
        &["audit", page.to_str().unwrap(), "--format", "json"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["sections"].as_array().unwrap().len(), 2);
    assert_eq!(json["sentences"].as_array().unwrap().len(), 4);
    for sentence in json["sentences"].as_array().unwrap() {
        assert!(
            sentence["support"]["score"].as_f64().is_some(),
            "{sentence}"
        );
    }

    // The HTML report escapes what the page says.
    let hostile = data.path().join("hostile.txt");
    std::fs::write(
        &hostile,
        "Why do rivers flood?\n\nPosted on 2026-01-01\n\nRivers flood <script>alert(1)</script> after rain.\n",
    )
    .unwrap();
    let output = because(
        data.path(),
        &["audit", hostile.to_str().unwrap(), "--format", "html"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let html = stdout(&output);
    assert!(
        html.contains("<h1>Audit: Why do rivers flood?</h1>"),
        "{html}"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;"), "{html}");
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(html.contains("no sections"), "{html}");

    // A missing file is a clear error, not a panic.
    let output = because(data.path(), &["audit", "/nonexistent/page.md"]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("cannot read /nonexistent/page.md"),
        "{}",
        stderr(&output)
    );
}

/// `--ann-threshold`: above it ingest builds the nearest-neighbour graph, keeps it up to date
/// by inserting only what is new, and drops it below; the articles are those of exact search.
#[test]
fn ingest_keeps_a_nearest_neighbour_graph_above_its_threshold() {
    if !model_installed() {
        eprintln!("skipped: needs assets/model (scripts/install-assets.sh)");
        return;
    }
    let model = repo().join("assets/model");
    let model = model.to_str().unwrap();
    let corpus = repo().join("tests/fixtures/corpus");
    let corpus = corpus.to_str().unwrap();
    let graph_dir = |data: &Path| index::generation::live_dir(&data.join("index")).join("ann");
    let ingest = |data: &Path, threshold: &str, source: &str| {
        let output = because(
            data,
            &[
                "--model-dir",
                model,
                "ingest",
                "--ann-threshold",
                threshold,
                source,
            ],
        );
        assert!(output.status.success(), "{}", stderr(&output));
        stdout(&output)
    };
    let exact = tempfile::tempdir().unwrap();
    let output = ingest(exact.path(), "200000", corpus);
    assert!(!output.contains("graph"), "{output}");
    assert!(!graph_dir(exact.path()).exists());

    let data = tempfile::tempdir().unwrap();
    let output = ingest(data.path(), "1", corpus);
    assert!(
        output.contains("nearest-neighbour graph built over"),
        "{output}"
    );
    assert!(graph_dir(data.path()).join("points.bin").is_file());
    let sources = stdout(&because(data.path(), &["sources"]));
    assert!(
        sources.contains("searched through a nearest-neighbour graph of"),
        "{sources}"
    );
    let sources = stdout(&because(exact.path(), &["sources"]));
    assert!(sources.contains("searched exactly"), "{sources}");
    for question in ["Why do river floods happen?", "What causes famine?"] {
        let with_graph = because(data.path(), &["--model-dir", model, "ask", question]);
        assert!(with_graph.status.success(), "{}", stderr(&with_graph));
        let without = because(exact.path(), &["--model-dir", model, "ask", question]);
        assert_eq!(stdout(&with_graph), stdout(&without), "{question}");
    }

    let notes = tempfile::tempdir().unwrap();
    std::fs::write(
        notes.path().join("tides.md"),
        "# Tides\n\nTides are caused by the gravity of the Moon and the Sun.\n",
    )
    .unwrap();
    let output = ingest(data.path(), "1", notes.path().to_str().unwrap());
    assert!(
        output.contains("nearest-neighbour graph: 1 vectors inserted"),
        "{output}"
    );

    let output = ingest(data.path(), "100000", corpus);
    assert!(
        output.contains("index generation"),
        "dropping the graph is a change: {output}"
    );
    assert!(!graph_dir(data.path()).exists());
    let asked = because(
        data.path(),
        &["--model-dir", model, "ask", "Why do tides happen?"],
    );
    assert!(asked.status.success(), "{}", stderr(&asked));
}

#[test]
fn sync_removes_what_a_source_no_longer_holds_and_sources_lists_origins() {
    let data = tempfile::tempdir().unwrap();
    let notes = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(notes.path().join(name), text).unwrap();
    write(
        "tides.md",
        "# Tides\n\nTides are caused by the gravity of the Moon and the Sun.\n",
    );
    write(
        "rain.html",
        "<html><head><title>Rain</title></head><body><nav>Home</nav>\
         <p>Rain falls when droplets in clouds grow heavy enough to fall.</p></body></html>",
    );
    let folder = notes.path().to_str().unwrap();
    ingest_fixtures(data.path());
    let first = because(data.path(), &["ingest", folder]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("2 added"), "{}", stdout(&first));

    std::fs::remove_file(notes.path().join("rain.html")).unwrap();
    // Without --sync nothing is removed.
    let plain = because(data.path(), &["ingest", folder]);
    assert!(stdout(&plain).contains("1 unchanged"), "{}", stdout(&plain));
    let synced = because(data.path(), &["ingest", "--sync", folder]);
    assert!(synced.status.success(), "{}", stderr(&synced));
    assert!(
        stderr(&synced).contains("removed rain.html"),
        "{}",
        stderr(&synced)
    );
    assert!(
        stdout(&synced).contains("1 removed as gone from their source"),
        "{}",
        stdout(&synced)
    );
    let index = index::Index::open(&data.path().join("index")).unwrap();
    assert!(index.document_by_key("rain.html").unwrap().is_none());
    assert!(index.document_by_key("tides.md").unwrap().is_some());
    drop(index);

    // A source with an unreadable file is not synchronised: nothing of it is removed.
    std::fs::write(notes.path().join("broken.txt"), [0xff, 0xfe, 0x00]).unwrap();
    std::fs::remove_file(notes.path().join("tides.md")).unwrap();
    let refused = because(data.path(), &["ingest", "--sync", folder]);
    assert!(
        stderr(&refused).contains("not synchronising"),
        "{}",
        stderr(&refused)
    );
    let index = index::Index::open(&data.path().join("index")).unwrap();
    assert!(index.document_by_key("tides.md").unwrap().is_some());
    drop(index);

    let sources = because(data.path(), &["sources"]);
    assert!(sources.status.success(), "{}", stderr(&sources));
    let listing = stdout(&sources);
    let canonical = std::fs::canonicalize(notes.path()).unwrap();
    assert!(
        listing.contains(&canonical.display().to_string()),
        "{listing}"
    );
    assert!(listing.contains("tests/fixtures/corpus"), "{listing}");
    assert!(listing.contains("in all"), "{listing}");
}

/// A web server that is not ours: Python's `http.server`, on a free loopback port, serving
/// `dir`. It answers `If-Modified-Since` with 304 from the files' times. Stopped when dropped.
struct PythonServer {
    child: std::process::Child,
    port: u16,
}

impl PythonServer {
    fn start(dir: &Path) -> PythonServer {
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
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("python3 runs");
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(20),
                "http.server did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        PythonServer { child, port }
    }
}

impl Drop for PythonServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn web_pages_are_ingested_from_a_list_refetched_conditionally_and_synchronised() {
    let manual = Path::new("/usr/share/doc/libffi8/html");
    if !manual.is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{} is missing: run scripts/install-test-docs.sh",
            manual.display()
        );
        return;
    }
    let site = tempfile::tempdir().unwrap();
    let pages = [
        "The-Basics.html",
        "Closure-Example.html",
        "Thread-Safety.html",
    ];
    for page in pages {
        std::fs::copy(manual.join(page), site.path().join(page)).unwrap();
    }
    std::fs::create_dir(site.path().join("drafts")).unwrap();
    std::fs::copy(
        manual.join("Types.html"),
        site.path().join("drafts/Types.html"),
    )
    .unwrap();
    std::fs::write(
        site.path().join("robots.txt"),
        "User-agent: because\nDisallow: /drafts/\n",
    )
    .unwrap();
    let server = PythonServer::start(site.path());
    let base = format!("http://127.0.0.1:{}", server.port);
    let lists = tempfile::tempdir().unwrap();
    let list = lists.path().join("pages.txt");
    let write_list = |pages: &[&str]| {
        let lines: Vec<String> = pages.iter().map(|p| format!("{base}/{p}")).collect();
        std::fs::write(&list, format!("# the manual\n{}\n", lines.join("\n"))).unwrap();
    };
    write_list(&[
        "The-Basics.html",
        "Closure-Example.html",
        "Thread-Safety.html",
        "drafts/Types.html",
    ]);
    let data = tempfile::tempdir().unwrap();
    let list_arg = list.to_str().unwrap();
    let args = ["ingest", "--urls", list_arg, "--fetch-delay", "0.05"];
    let first = because(data.path(), &args);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("3 added"), "{}", stdout(&first));
    assert!(
        stderr(&first)
            .contains("3 fetched, 0 unchanged since the last fetch, 1 not allowed by robots.txt"),
        "{}",
        stderr(&first)
    );
    let index = index::Index::open(&data.path().join("index")).unwrap();
    let basics = index
        .document_by_key(&format!("{base}/The-Basics.html"))
        .unwrap()
        .expect("the page is indexed under its address");
    assert!(basics.title.starts_with("The Basics"), "{}", basics.title);
    assert!(
        index
            .document_by_key(&format!("{base}/drafts/Types.html"))
            .unwrap()
            .is_none()
    );
    drop(index);

    // Asked again: every page answers 304 and is read from the cache.
    let second = because(data.path(), &args);
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(
        stderr(&second).contains("0 fetched, 3 unchanged since the last fetch"),
        "{}",
        stderr(&second)
    );
    assert!(
        stdout(&second).contains("3 unchanged"),
        "{}",
        stdout(&second)
    );

    // A page gone from the server is gone from the index after a sync; the list is its origin.
    std::fs::remove_file(site.path().join("Thread-Safety.html")).unwrap();
    let synced = because(
        data.path(),
        &[
            "ingest",
            "--sync",
            "--urls",
            list_arg,
            "--fetch-delay",
            "0.05",
        ],
    );
    assert!(synced.status.success(), "{}", stderr(&synced));
    assert!(
        stderr(&synced).contains("gone (HTTP 404)"),
        "{}",
        stderr(&synced)
    );
    assert!(
        stdout(&synced).contains("1 removed as gone from their source"),
        "{}",
        stdout(&synced)
    );
    let sources = stdout(&because(data.path(), &["sources"]));
    let canonical = std::fs::canonicalize(&list).unwrap();
    assert!(
        sources.contains(&canonical.display().to_string()),
        "{sources}"
    );

    // A server that is down: a clear failure, and a sync removes nothing.
    drop(server);
    let down = because(
        data.path(),
        &[
            "ingest",
            "--sync",
            "--urls",
            list_arg,
            "--fetch-delay",
            "0.05",
        ],
    );
    assert!(
        stderr(&down).contains("cannot be reached"),
        "{}",
        stderr(&down)
    );
    let index = index::Index::open(&data.path().join("index")).unwrap();
    assert!(
        index
            .document_by_key(&format!("{base}/The-Basics.html"))
            .unwrap()
            .is_some()
    );
}

/// A GET as the site's admin (whose token the server of the test was given).
fn get_text(url: &str) -> String {
    ureq::get(url)
        .header("Authorization", "Bearer t0ken")
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap()
}

#[test]
fn a_running_server_switches_to_the_index_generation_an_ingest_writes() {
    let data = tempfile::tempdir().unwrap();
    ingest_fixtures(data.path());
    let root = data.path().join("index");
    assert_eq!(
        index::generation::live_generation(&root).as_deref(),
        Some("1")
    );
    let served = Served::start(
        data.path(),
        &["--index-check", "0.1", "--admin-token", "t0ken"],
    );
    let question = "Why do glaciers retreat?";
    let asked: serde_json::Value = ureq::post(format!("{}/api/v1/ask", served.base))
        .send_json(serde_json::json!({ "question": question }))
        .unwrap_or_else(|e| panic!("asking failed: {e}"))
        .body_mut()
        .read_json()
        .unwrap();
    let slug = asked["slug"].as_str().unwrap().to_owned();
    let cites_glaciers = |article: &serde_json::Value| {
        article["sources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["title"] == "Glacier retreat")
    };
    assert!(!cites_glaciers(&asked), "{asked}");

    // An ingest while the server runs: a new generation, then the switch.
    let notes = tempfile::tempdir().unwrap();
    std::fs::write(
        notes.path().join("glaciers.md"),
        "# Glacier retreat\n\nGlaciers retreat because rising air temperatures melt more ice each summer than snowfall replaces in winter. Soot on the ice also darkens it, so it absorbs more sunlight and melts faster.\n",
    )
    .unwrap();
    let added = because(data.path(), &["ingest", notes.path().to_str().unwrap()]);
    assert!(added.status.success(), "{}", stderr(&added));
    assert!(
        stdout(&added).contains("index generation 2 is live"),
        "{}",
        stdout(&added)
    );
    let started = std::time::Instant::now();
    while !get_text(&format!("{}/metrics", served.base)).contains("because_index_generation 2") {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "the server did not switch to the new generation"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(get_text(&format!("{}/metrics", served.base)).contains("because_index_documents 9"));

    // The same question, composed again by the running server, now cites the new source.
    let queued = ureq::post(format!("{}/admin/a/{slug}/regenerate", served.base))
        .header("Authorization", "Bearer t0ken")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .config()
        .max_redirects(0)
        .build()
        .send("writer=extractive")
        .unwrap();
    assert_eq!(
        queued.status().as_u16(),
        303,
        "the job is queued, back to the dashboard"
    );
    let started = std::time::Instant::now();
    loop {
        let article: serde_json::Value = serde_json::from_str(&get_text(&format!(
            "{}/api/v1/articles/{slug}",
            served.base
        )))
        .unwrap();
        if cites_glaciers(&article) {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "the regenerated article does not cite the new source: {article}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // The generation before stays for readers still on it; the files of the first ingest's
    // folder layout are gone.
    assert!(root.join("generations/1").is_dir());
    assert!(root.join("generations/2").is_dir());
    assert!(!root.join("documents.sqlite").exists());
}

#[test]
fn a_server_killed_mid_load_keeps_every_vote_it_acknowledged() {
    assert_votes_survive_a_kill(bench::crash::CrashStore::Sqlite);
}

#[test]
fn a_sources_date_and_language_reach_the_article() {
    let data = tempfile::tempdir().unwrap();
    let notes = tempfile::tempdir().unwrap();
    std::fs::write(
        notes.path().join("tides.md"),
        "---\ntitle: Tides\ndate: 2024-03-01\nlang: en-GB\n---\n\nTides are caused by the gravitational pull of the Moon and the Sun on the oceans.\n",
    )
    .unwrap();
    std::fs::write(
        notes.path().join("gezeiten.html"),
        "<html lang=\"de\"><head><title>Gezeiten</title><meta name=\"date\" content=\"2023-11-30\"></head>\
         <body><p>Tides rise and fall twice a day because the Moon pulls on the oceans.</p></body></html>",
    )
    .unwrap();
    let ingested = because(data.path(), &["ingest", notes.path().to_str().unwrap()]);
    assert!(ingested.status.success(), "{}", stderr(&ingested));
    let asked = because(
        data.path(),
        &["ask", "Why are there tides?", "--format", "json"],
    );
    assert!(asked.status.success(), "{}", stderr(&asked));
    let article: serde_json::Value = serde_json::from_str(&stdout(&asked)).unwrap();
    let sources = article["sources"].as_array().unwrap();
    let tides = sources
        .iter()
        .find(|s| s["title"] == "Tides")
        .expect("Tides is cited");
    assert_eq!(tides["date"], "2024-03-01");
    assert_eq!(tides["language"], "en-gb");
    let page = stdout(&because(
        data.path(),
        &["ask", "Why are there tides?", "--format", "html"],
    ));
    assert!(
        page.contains(r#"<time datetime="2024-03-01">1 March 2024</time>"#),
        "{page}"
    );
    if let Some(gezeiten) = sources.iter().find(|s| s["title"] == "Gezeiten") {
        assert_eq!(gezeiten["date"], "2023-11-30");
        assert!(
            page.contains(r#"<span class="language">[de]</span>"#),
            "{page}"
        );
        assert!(
            !page.contains(r#"<span class="language">[en-gb]</span>"#),
            "{page}"
        );
    }
    let markdown = stdout(&because(data.path(), &["ask", "Why are there tides?"]));
    assert!(markdown.contains("Tides, 2024-03-01"), "{markdown}");
}

#[test]
fn a_server_whose_stderr_nobody_reads_keeps_serving() {
    let data = tempfile::tempdir().unwrap();
    ingest_fixtures(data.path());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_because"))
        .arg("--data-dir")
        .arg(data.path())
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .args(["--admin-token", "t0ken"])
        .env_remove("BECAUSE_LOG")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    // The read end closed before the server writes its first line.
    drop(server.stderr.take());
    let started = std::time::Instant::now();
    let answered = loop {
        if let Ok(mut response) = ureq::get(format!("http://127.0.0.1:{port}/healthz")).call() {
            break response.body_mut().read_to_string().unwrap();
        }
        assert!(
            server.try_wait().unwrap().is_none(),
            "the server died when its stderr closed"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(!answered.is_empty());
    let _ = server.kill();
    let _ = server.wait();
}
