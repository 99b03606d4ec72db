//! The feedback loop over real HTTP and a real SQLite database: follow-up reasons and
//! comments, honeypot and rate limit, the dashboard behind its token, CSV export,
//! regeneration into versions, search, and votes that move sources in later retrieval.

mod common;

use common::*;

const FLOODS: &str = "/a/why-do-river-floods-happen";

fn config_with_token() -> site::SiteConfig {
    site::SiteConfig {
        admin_token: Some("correct horse".into()),
        ..site::SiteConfig::default()
    }
}

fn publish_floods(server: &Server) {
    let asked = ask(server, "Why+do+river+floods+happen%3F");
    assert_eq!(asked.location, FLOODS);
}

fn login(server: &Server) -> String {
    let reply = post_form(server, "/admin/login", "token=correct+horse", None);
    assert_eq!(reply.status, 303, "{}", reply.body);
    reply.cookie.expect("a session cookie")
}

fn counts(server: &Server) -> serde_json::Value {
    json(&get(
        server,
        &format!("/api/v1/articles{}", &FLOODS[2..]),
        None,
    ))["feedback"]
        .clone()
}

#[test]
fn yes_and_no_each_have_their_follow_up_and_bad_details_keep_what_was_typed() {
    let data = tempfile::tempdir().unwrap();
    ingest(data.path());
    let server = Server::start(data.path());
    publish_floods(&server);

    let voted = post_form(&server, &format!("{FLOODS}/feedback"), "helpful=yes", None);
    assert!(voted.location.ends_with("?feedback=yes#feedback"));
    let cookie = voted.cookie.unwrap();
    let page = get(&server, &format!("{FLOODS}?feedback=yes"), Some(&cookie));
    assert!(page.body.contains("Thanks for your feedback!"));
    assert!(page.body.contains("What did you like?"));
    assert!(page.body.contains("value=\"good_sources\""));
    assert!(page.body.contains("personal information"));
    assert!(page.body.contains("of 1000 characters"));

    // A reason of the other vote, and a comment over the limit: refused, the typed text kept.
    let mismatched = post_form(
        &server,
        &format!("{FLOODS}/feedback"),
        "helpful=yes&reason=inaccurate&comment=keep+me",
        Some(&cookie),
    );
    assert_eq!(mismatched.status, 400);
    assert!(mismatched.body.contains("explains a no vote"));
    assert!(mismatched.body.contains(">keep me</textarea>"));
    // 1,001 characters (and under the 4 KiB body limit once form-encoded).
    let long = format!("{}{}", "é".repeat(600), "x".repeat(401));
    let too_long = post_form(
        &server,
        &format!("{FLOODS}/feedback"),
        &format!("helpful=yes&reason=clear&comment={}", encode(&long)),
        Some(&cookie),
    );
    assert_eq!(too_long.status, 413);
    assert!(too_long.body.contains("the limit is 1000"));
    assert!(too_long.body.contains(&long), "the draft is kept");
    assert_eq!(
        counts(&server),
        serde_json::json!({"helpful": 1, "not_helpful": 0})
    );

    let details = post_form(
        &server,
        &format!("{FLOODS}/feedback"),
        "helpful=yes&reason=good_sources&comment=Clear+and+sourced",
        Some(&cookie),
    );
    assert!(details.location.ends_with("?feedback=thanks#feedback"));
    let page = get(&server, FLOODS, Some(&cookie));
    assert!(page.body.contains("You found this helpful"));
    assert!(page.body.contains("value=\"good_sources\" checked"));
    assert!(page.body.contains("Clear and sourced"));

    // Changing the vote keeps the comment; the reason of the other vote goes.
    post_form(
        &server,
        &format!("{FLOODS}/feedback"),
        "helpful=no",
        Some(&cookie),
    );
    let page = get(&server, FLOODS, Some(&cookie));
    assert!(page.body.contains("You found this not helpful"));
    assert!(page.body.contains(">Clear and sourced</textarea>"));
    assert!(!page.body.contains(" checked"));
    post_form(
        &server,
        &format!("{FLOODS}/feedback"),
        "helpful=yes",
        Some(&cookie),
    );

    // "Other" follows a No; JSON says so too.
    let other = post_json(
        &server,
        &format!("{FLOODS}/feedback"),
        &serde_json::json!({"helpful": false, "reason": "other", "comment": "x"}),
        None,
    );
    assert_eq!(other.status, 200, "{}", other.body);
    let bad = post_json(
        &server,
        &format!("{FLOODS}/feedback"),
        &serde_json::json!({"helpful": false, "comment": "y".repeat(1001)}),
        None,
    );
    assert_eq!(bad.status, 413);
    assert!(
        json(&bad)["error"]
            .as_str()
            .unwrap()
            .contains("limit is 1000")
    );
    assert_eq!(
        counts(&server),
        serde_json::json!({"helpful": 1, "not_helpful": 1})
    );
}

#[test]
fn honeypot_and_rate_limit_keep_bots_out() {
    let data = tempfile::tempdir().unwrap();
    ingest(data.path());
    let server = Server::start_with(
        data.path(),
        site::SiteConfig {
            votes_per_minute: 3,
            ..site::SiteConfig::default()
        },
    );
    publish_floods(&server);
    let bot = post_form(
        &server,
        &format!("{FLOODS}/feedback"),
        "helpful=yes&website=http%3A%2F%2Fspam.example",
        None,
    );
    assert_eq!(bot.status, 303, "the bot is told nothing");
    assert!(bot.cookie.is_none());
    assert_eq!(
        counts(&server),
        serde_json::json!({"helpful": 0, "not_helpful": 0})
    );

    // The honeypot vote counted against the limit (3 a minute): two more pass, then 429.
    for _ in 0..2 {
        let ok = post_form(&server, &format!("{FLOODS}/feedback"), "helpful=no", None);
        assert_eq!(ok.status, 303);
    }
    let refused = post_form(&server, &format!("{FLOODS}/feedback"), "helpful=no", None);
    assert_eq!(refused.status, 429);
    assert!(refused.body.contains("Too many votes"));
    assert_eq!(
        counts(&server),
        serde_json::json!({"helpful": 0, "not_helpful": 2})
    );
}

#[test]
fn dashboard_needs_its_token_and_shows_votes_comments_and_csv() {
    let data = tempfile::tempdir().unwrap();
    ingest(data.path());
    {
        let closed = Server::start(data.path());
        let page = get(&closed, "/admin", None);
        assert_eq!(page.status, 401);
        assert!(page.body.contains("The dashboard is closed"));
        let guess = post_form(&closed, "/admin/login", "token=", None);
        assert_eq!(guess.status, 401, "no default token");
    }
    let server = Server::start_with(data.path(), config_with_token());
    publish_floods(&server);
    let hostile =
        "=HYPERLINK(\"http://x\") <script>alert(1)</script> \u{202e}'; DROP TABLE votes; --\u{7}";
    let voted = post_form(
        &server,
        &format!("{FLOODS}/feedback"),
        &format!("helpful=no&reason=inaccurate&comment={}", encode(hostile)),
        None,
    );
    assert_eq!(voted.status, 303);

    assert_eq!(get(&server, "/admin", None).status, 401);
    assert_eq!(get(&server, "/admin/export.csv", None).status, 401);
    let wrong = post_form(&server, "/admin/login", "token=wrong", None);
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("That token is not right."));
    let forged = agent()
        .post(server.url("/admin/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "https://evil.example")
        .send("token=correct+horse");
    assert_eq!(reply(forged).status, 403, "cross-site login refused");

    let session = login(&server);
    assert!(
        !session.contains("correct"),
        "the cookie never holds the token"
    );
    let dashboard = get(&server, "/admin", Some(&session));
    assert_eq!(dashboard.status, 200);
    for expected in [
        "Why do river floods happen?",
        "inaccurate 1",
        "&lt;script&gt;alert(1)&lt;&#x2f;script&gt;",
        "<svg class=\"chart\"",
        // Stored as given; a right-to-left override cannot turn the text around it.
        "<q><bdi>",
        "\u{202e}",
        "1 not helpful votes over 30 days",
    ] {
        assert!(dashboard.body.contains(expected), "missing {expected:?}");
    }
    assert!(!dashboard.body.contains("<script>alert(1)"));

    let detail = get(&server, &format!("/admin{FLOODS}"), Some(&session));
    assert_eq!(detail.status, 200);
    assert!(detail.body.contains("Regenerate this article"));

    let csv = agent()
        .get(server.url("/admin/export.csv"))
        .header("authorization", "Bearer correct horse")
        .call();
    let csv = reply(csv);
    assert_eq!(csv.status, 200);
    let mut reader = csv::Reader::from_reader(csv.body.as_bytes());
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(&row[0], "why-do-river-floods-happen");
    assert_eq!(&row[3], "no");
    assert_eq!(&row[4], "inaccurate");
    assert_eq!(
        row[5].to_owned(),
        format!("'{hostile}"),
        "stored as given, made inert"
    );
}

#[test]
fn regeneration_starts_a_clean_version_and_keeps_the_history() {
    let data = tempfile::tempdir().unwrap();
    ingest(data.path());
    let server = Server::start_with(data.path(), config_with_token());
    publish_floods(&server);
    let voted = post_form(&server, &format!("{FLOODS}/feedback"), "helpful=no", None);
    let visitor = voted.cookie.unwrap();
    assert_eq!(counts(&server)["not_helpful"], 1);

    let session = login(&server);
    // A regeneration is a POST from this site with a login: a cross-site one is refused.
    let forged = agent()
        .post(server.url(&format!("/admin{FLOODS}/regenerate")))
        .header("cookie", &session)
        .header("origin", "https://evil.example")
        .send("");
    assert_eq!(reply(forged).status, 403);
    let regenerated = post_form(
        &server,
        &format!("/admin{FLOODS}/regenerate"),
        "",
        Some(&session),
    );
    assert_eq!(regenerated.status, 303);
    // The new version is composed by a background job; the dashboard names it.
    assert!(
        regenerated.location.contains("queued-extractive-job-"),
        "{}",
        regenerated.location
    );
    let job: i64 = regenerated
        .location
        .rsplit('-')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let status = wait_for_job(&server, job);
    assert_eq!(status["state"], "done", "{status}");
    assert_eq!(status["version"], 2);
    // Without an LLM server the dashboard cannot queue an LLM version.
    let refused = post_form(
        &server,
        &format!("/admin{FLOODS}/regenerate"),
        "writer=llm",
        Some(&session),
    );
    assert_eq!(refused.status, 400);

    let article = json(&get(
        &server,
        &format!("/api/v1/articles{}", &FLOODS[2..]),
        None,
    ));
    assert_eq!(article["version"], 2);
    assert!(article["updated_at"].is_string());
    assert_eq!(
        article["feedback"],
        serde_json::json!({"helpful": 0, "not_helpful": 0})
    );
    let page = get(&server, FLOODS, Some(&visitor));
    assert!(page.body.contains("Updated on"));
    assert!(page.body.contains("Posted on"));
    assert!(
        !page.body.contains("aria-pressed=\"true\""),
        "a new version, a clean slate"
    );

    let detail = get(&server, &format!("/admin{FLOODS}"), Some(&session));
    assert!(
        detail.body.contains("<th scope=\"row\">1</th><td>"),
        "version 1 is kept"
    );
    assert!(detail.body.contains("<th scope=\"row\">2</th><td>"));
    assert!(
        detail.body.contains("composed from the current index"),
        "the job's record"
    );
    assert_eq!(get(&server, "/admin/a/nope", Some(&session)).status, 404);
    assert_eq!(
        get(&server, "/admin/a/nope/regenerate", Some(&session)).status,
        405
    );
    assert_eq!(
        post_form(&server, "/admin/a/nope/regenerate", "", Some(&session)).status,
        404
    );
}

#[test]
fn search_finds_published_articles_and_escapes_the_query() {
    let data = tempfile::tempdir().unwrap();
    ingest(data.path());
    let server = Server::start(data.path());
    publish_floods(&server);
    let corals = ask(&server, "Why+does+coral+bleaching+happen%3F").location;
    let found = get(&server, "/search?q=flood", None);
    assert_eq!(found.status, 200);
    assert!(found.body.contains(FLOODS));
    assert!(
        !found.body.contains(&corals),
        "only the articles that match"
    );
    let found = get(&server, "/search?q=coral+bleaching", None);
    assert!(found.body.contains(&corals) && !found.body.contains(FLOODS));
    let none = get(
        &server,
        &format!("/search?q={}", encode("<b>zzz</b> NEAR(\"")),
        None,
    );
    assert_eq!(none.status, 200);
    assert!(none.body.contains("No published article matches"));
    assert!(!none.body.contains("<b>zzz"));
}

#[test]
fn votes_move_the_sources_an_article_cited_within_bounds() {
    let data = tempfile::tempdir().unwrap();
    ingest(data.path());
    let engine = explain::Engine::open(&data.path().join("index")).unwrap();
    let store = common::open_store(data.path());
    let question = explain::Question::parse("Why does coral bleaching happen?").unwrap();
    let mut article = engine.ask(&question).unwrap();
    // The article cites both fixture documents on corals; keep it to the first, so that the
    // other is a reference the votes do not touch.
    assert!(article.sources.len() >= 2);
    article.sources.truncate(1);
    let published = store.publish(&question.normalized, &article).unwrap();
    let cited = published.article.sources[0].id.clone();

    // The cited source's strength relative to the best other retrieved document.
    let standing = |priors: &explain::SourcePriors| {
        let evidence = explain::evidence::retrieve_with(
            engine.index(),
            &question.text,
            &Default::default(),
            priors,
        )
        .unwrap();
        let own = evidence
            .documents
            .iter()
            .find(|d| d.stored.key == cited)
            .expect("the cited source is retrieved")
            .score;
        let best_other = evidence
            .documents
            .iter()
            .filter(|d| d.stored.key != cited)
            .map(|d| d.score)
            .fold(0.0f32, f32::max);
        own / best_other
    };
    let before = standing(&store.source_priors().unwrap());

    let no = site::feedback::Vote {
        helpful: false,
        reason: Some(site::feedback::Reason::Inaccurate),
        comment: None,
        keeps_details: false,
    };
    for visitor in 0..3 {
        store
            .record_vote(
                published.version_id,
                &format!("v{visitor}"),
                &no,
                "2026-11-25T00:00:00Z",
            )
            .unwrap();
    }
    let priors = store.source_priors().unwrap();
    let after_three = priors[&cited];
    assert!(
        after_three < 1.0 && after_three > 0.7,
        "a small step per vote: {after_three}"
    );
    let after = standing(&priors);
    assert!(
        (after / before - after_three).abs() < 1e-3,
        "the source ranks lower by its multiplier: {before} -> {after}"
    );

    for visitor in 3..200 {
        store
            .record_vote(
                published.version_id,
                &format!("v{visitor}"),
                &no,
                "2026-11-25T00:00:00Z",
            )
            .unwrap();
    }
    assert_eq!(
        store.source_priors().unwrap()[&cited],
        0.5,
        "never below 0.5×"
    );
    let floor = standing(&store.source_priors().unwrap());
    assert!((floor / before - 0.5).abs() < 1e-3, "{before} -> {floor}");

    // Changing the votes to helpful undoes them and then lifts the source, up to 2×.
    let yes = site::feedback::Vote {
        helpful: true,
        reason: None,
        comment: None,
        keeps_details: true,
    };
    for visitor in 0..200 {
        store
            .record_vote(
                published.version_id,
                &format!("v{visitor}"),
                &yes,
                "2026-11-25T00:01:00Z",
            )
            .unwrap();
    }
    assert_eq!(
        store.source_priors().unwrap()[&cited],
        2.0,
        "never above 2×"
    );
    let top = store.source_adjustments(5).unwrap();
    assert_eq!(top[0].helpful, 200);
    assert_eq!(top[0].blamed, 0, "the changed votes no longer blame it");
    assert!(store.reset_source(&cited).unwrap());
    assert!(!store.source_priors().unwrap().contains_key(&cited));
}

#[test]
fn a_first_release_database_is_migrated_with_every_vote() {
    let data = tempfile::tempdir().unwrap();
    ingest(data.path());
    let engine = explain::Engine::open(&data.path().join("index")).unwrap();
    let question = explain::Question::parse("Why do river floods happen?").unwrap();
    let article = engine.ask(&question).unwrap();
    let path = data.path().join("site.sqlite");
    {
        // The schema of the first release, written as it wrote it.
        let db = rusqlite::Connection::open(&path).unwrap();
        db.execute_batch(
            "CREATE TABLE articles (id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE,
                 normalized TEXT NOT NULL UNIQUE, question TEXT NOT NULL, posted_at TEXT NOT NULL,
                 body TEXT NOT NULL);
             CREATE TABLE votes (article INTEGER NOT NULL REFERENCES articles(id),
                 visitor TEXT NOT NULL, helpful INTEGER NOT NULL, reason TEXT, comment TEXT,
                 created_at TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (article, visitor));",
        )
        .unwrap();
        db.execute(
            "INSERT INTO articles VALUES (1, ?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![
                article.slug,
                question.normalized,
                article.question,
                article.posted_at,
                serde_json::to_string(&article).unwrap()
            ],
        )
        .unwrap();
        for (visitor, helpful, reason, comment) in [
            ("a", 1, None, None),
            ("b", 0, Some("off_topic"), Some("<i>old</i>")),
            ("c", 1, None, None),
        ] {
            db.execute(
                "INSERT INTO votes VALUES (1, ?1, ?2, ?3, ?4, '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z')",
                rusqlite::params![visitor, helpful, reason, comment],
            )
            .unwrap();
        }
    }
    let store = site::Store::open(&path).unwrap();
    let stored = store.find_by_slug(&article.slug).unwrap().unwrap();
    assert_eq!(stored.article.version, 1);
    assert_eq!(
        store.feedback(stored.version_id).unwrap(),
        site::store::Feedback {
            helpful: 2,
            not_helpful: 1
        }
    );
    let vote = store.vote_of(stored.version_id, "b").unwrap().unwrap();
    assert_eq!(vote.reason, Some(site::feedback::Reason::OffTopic));
    assert_eq!(vote.comment.as_deref(), Some("<i>old</i>"));
    assert_eq!(store.source_adjustments(10).unwrap()[0].blamed, 1);
    drop(store);
    // Opening again finds the new schema and changes nothing.
    let store = site::Store::open(&path).unwrap();
    assert_eq!(store.counted_votes().unwrap(), (2, 1));
}

#[test]
fn votes_past_retention_lose_comment_and_visitor_but_stay_counted() {
    let data = tempfile::tempdir().unwrap();
    ingest(data.path());
    let engine = explain::Engine::open(&data.path().join("index")).unwrap();
    let store = common::open_store(data.path());
    let question = explain::Question::parse("Why do river floods happen?").unwrap();
    let published = store
        .publish(&question.normalized, &engine.ask(&question).unwrap())
        .unwrap();
    let vote = site::feedback::Vote {
        helpful: false,
        reason: Some(site::feedback::Reason::Other),
        comment: Some("my e-mail is someone@example.org".into()),
        keeps_details: false,
    };
    store
        .record_vote(published.version_id, "old", &vote, "2020-01-01T00:00:00Z")
        .unwrap();
    let now = explain::rfc3339(time::OffsetDateTime::now_utc());
    store
        .record_vote(published.version_id, "new", &vote, &now)
        .unwrap();
    assert_eq!(site::expire(&store, 365).unwrap(), 1);
    assert_eq!(site::expire(&store, 365).unwrap(), 0, "once is enough");
    assert!(
        store
            .vote_of(published.version_id, "old")
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .vote_of(published.version_id, "new")
            .unwrap()
            .is_some()
    );
    assert_eq!(store.comments(None, 10).unwrap().len(), 1);
    assert_eq!(store.feedback(published.version_id).unwrap().not_helpful, 2);
}

#[test]
fn articles_whose_sources_changed_are_marked_and_regenerated_in_one_action() {
    let data = tempfile::tempdir().unwrap();
    ingest(data.path());
    let server = Server::start_with(data.path(), config_with_token());
    publish_floods(&server);
    let session = login(&server);
    let before = get(&server, "/admin", Some(&session));
    assert!(
        !before.body.contains("Sources changed"),
        "nothing changed yet"
    );

    // The floods article's source is edited: its quoted sentence is no longer in it.
    let article = json(&get(
        &server,
        "/api/v1/articles/why-do-river-floods-happen",
        None,
    ));
    let source = article["sources"][0]["id"].as_str().unwrap().to_owned();
    let index = index::Index::open(&data.path().join("index")).unwrap();
    let old = index.document_by_key(&source).unwrap().unwrap();
    index
        .ingest(
            [corpus::Document {
                id: old.key.clone(),
                title: old.title.clone(),
                text: "River floods were rewritten entirely. Nothing quoted before remains here."
                    .into(),
                url: old.url.clone(),
                license: old.license.clone(),
                date: None,
                language: None,
            }],
            &mut |_| {},
        )
        .unwrap();
    drop(index);

    let after = get(&server, "/admin", Some(&session));
    assert!(after.body.contains("Sources changed"), "{}", after.body);
    assert!(
        after.body.contains("quoted text changed in 1"),
        "{}",
        after.body
    );
    let detail = get(&server, &format!("/admin{FLOODS}"), Some(&session));
    assert!(detail.body.contains("Sources changed:"), "{}", detail.body);

    let queued = post_form(&server, "/admin/regenerate-changed", "", Some(&session));
    assert_eq!(queued.status, 303, "{}", queued.body);
    assert!(
        queued.location.contains("queued-1-jobs"),
        "{}",
        queued.location
    );
    let store = common::open_store(data.path());
    let job = store.recent_jobs(1).unwrap().remove(0);
    let finished = wait_for_job(&server, job.id);
    assert_eq!(finished["state"], "done", "{finished}");
    let regenerated = get(&server, "/admin", Some(&session));
    assert!(
        !regenerated.body.contains("Sources changed"),
        "the new version quotes the source as it is now"
    );
}

/// A vote posted as if through a reverse proxy that names the client `forwarded`.
fn vote_via(server: &Server, forwarded: &str) -> u16 {
    let request = agent()
        .post(server.url(&format!("{FLOODS}/feedback")))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", format!("http://{}", server.addr))
        .header("x-forwarded-for", forwarded);
    reply(request.send("helpful=yes")).status
}

#[test]
fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_vote_budget() {
    for trusted in [true, false] {
        let data = tempfile::tempdir().unwrap();
        ingest(data.path());
        let server = Server::start_with(
            data.path(),
            site::SiteConfig {
                votes_per_minute: 1,
                trusted_proxies: if trusted {
                    vec![site::limit::TrustedProxy::parse("127.0.0.0/8").unwrap()]
                } else {
                    Vec::new()
                },
                ..site::SiteConfig::default()
            },
        );
        publish_floods(&server);
        assert_eq!(vote_via(&server, "203.0.113.1"), 303);
        if trusted {
            // Another client behind the same proxy has its own budget; the first has none left.
            assert_eq!(vote_via(&server, "203.0.113.2"), 303);
            assert_eq!(vote_via(&server, "198.51.100.1, 203.0.113.1"), 429);
        } else {
            // Without a trusted proxy the header is anybody's word: all share the peer's budget.
            assert_eq!(vote_via(&server, "203.0.113.2"), 429);
        }
    }
}
