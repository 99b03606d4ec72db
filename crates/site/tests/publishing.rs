//! Publishing that cannot be abused: a GET never creates an article, input that is not a
//! question is refused, new articles are limited per client and per day, and under
//! `--publish review` a visitor's article stays unlisted and unindexed until an admin
//! approves it. Real server on loopback, real index and SQLite.

mod common;

use common::*;

fn article_count(server: &Server) -> f64 {
    let metrics = get(server, "/metrics", None).body;
    metrics
        .lines()
        .find_map(|line| line.strip_prefix("because_articles "))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("no because_articles in\n{metrics}"))
}

#[test]
fn a_get_never_publishes_and_a_post_does() {
    let data = tempfile::tempdir().unwrap();
    ingest(data.path());
    let server = Server::start(data.path());

    // What a crawler following links does: many GETs, nothing stored.
    for n in 0..40 {
        let page = get(&server, &format!("/ask?q=why+is+spam+{n}%3F"), None);
        assert_eq!(page.status, 200);
        assert!(
            page.body
                .contains(r#"<form class="ask-confirm" method="post" action="/ask">"#)
        );
        assert!(
            page.body
                .contains(r#"<meta name="robots" content="noindex">"#)
        );
    }
    assert_eq!(article_count(&server), 0.0);
    assert!(!get(&server, "/", None).body.contains("spam"));

    // The button posts it; afterwards a GET of the same question leads to the article.
    let posted = ask(&server, "Why+do+river+floods+happen%3F");
    assert_eq!(posted.status, 303);
    assert_eq!(article_count(&server), 1.0);
    let again = get(&server, "/ask?q=why+do+river+floods+happen", None);
    assert_eq!(
        (again.status, again.location.as_str()),
        (303, posted.location.as_str())
    );

    // The home page's form posts.
    let home = get(&server, "/", None).body;
    assert!(
        home.contains(r#"<form class="ask" method="post" action="&#x2f;ask">"#),
        "{home}"
    );

    // Posted from another site: refused, nothing stored.
    let forged = reply(
        agent()
            .post(server.url("/ask"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", "https://evil.example")
            .send("q=Why+is+the+sky+blue%3F"),
    );
    assert_eq!(forged.status, 403);
    assert_eq!(article_count(&server), 1.0);
}

#[test]
fn what_is_not_a_question_is_refused_and_nothing_stored() {
    let data = tempfile::tempdir().unwrap();
    ingest(data.path());
    let server = Server::start(data.path());
    for not_a_question in ["hello", "buy+cheap+watches", "Why%3F"] {
        let posted = ask(&server, not_a_question);
        assert_eq!(posted.status, 400, "{not_a_question}");
        assert!(posted.body.contains("not a question"), "{}", posted.body);
        let shown = get(&server, &format!("/ask?q={not_a_question}"), None);
        assert_eq!(shown.status, 400);
    }
    let api = post_json(
        &server,
        "/api/v1/ask",
        &serde_json::json!({ "question": "hello" }),
        None,
    );
    assert_eq!(api.status, 400);
    assert!(
        json(&api)["error"]
            .as_str()
            .unwrap()
            .contains("not a question")
    );
    assert_eq!(article_count(&server), 0.0);
}

#[test]
fn new_articles_are_limited_per_client_and_per_day() {
    let data = tempfile::tempdir().unwrap();
    ingest(data.path());
    let server = Server::start_with(
        data.path(),
        site::SiteConfig {
            articles_per_hour: 2,
            ..site::SiteConfig::default()
        },
    );
    assert_eq!(ask(&server, "Why+do+river+floods+happen%3F").status, 303);
    assert_eq!(ask(&server, "What+causes+tides%3F").status, 303);
    let third = ask(&server, "Why+does+coral+bleaching+happen%3F");
    assert_eq!(third.status, 429);
    assert!(third.body.contains("new questions"), "{}", third.body);
    let api = post_json(
        &server,
        "/api/v1/ask",
        &serde_json::json!({ "question": "Why does coral bleaching happen?" }),
        None,
    );
    assert_eq!(api.status, 429);
    // Asking what was asked before creates nothing, so it is never limited.
    assert_eq!(ask(&server, "What+causes+tides%3F").status, 303);
    assert_eq!(article_count(&server), 2.0);
    drop(server);

    // The site's daily cap holds whoever asks.
    let server = Server::start_with(
        data.path(),
        site::SiteConfig {
            articles_per_hour: 0,
            max_new_articles_per_day: 3,
            ..site::SiteConfig::default()
        },
    );
    assert_eq!(
        ask(&server, "Why+does+coral+bleaching+happen%3F").status,
        303
    );
    let over = ask(&server, "Why+do+marine+heatwaves+happen%3F");
    assert_eq!(over.status, 429);
    assert!(
        over.body.contains("its 3 new articles for today"),
        "{}",
        over.body
    );
    assert_eq!(article_count(&server), 3.0);
}

#[test]
fn under_review_an_article_is_unlisted_until_approved() {
    let data = tempfile::tempdir().unwrap();
    ingest(data.path());
    let server = Server::start_with(
        data.path(),
        site::SiteConfig {
            publish: site::Publish::Review,
            admin_token: Some("s3cret".into()),
            ..site::SiteConfig::default()
        },
    );
    let confirm = get(&server, "/ask?q=Why+do+river+floods+happen%3F", None);
    assert!(
        confirm.body.contains("read by an editor"),
        "{}",
        confirm.body
    );
    let asked = ask(&server, "Why+do+river+floods+happen%3F");
    assert_eq!(asked.status, 303);
    let slug = asked.location.trim_start_matches("/a/").to_owned();

    // The asker sees it, marked, and search engines are told to keep out.
    let response = agent().get(server.url(&asked.location)).call().unwrap();
    assert_eq!(
        response
            .headers()
            .get("x-robots-tag")
            .unwrap()
            .to_str()
            .unwrap(),
        "noindex"
    );
    let page = get(&server, &asked.location, None).body;
    assert!(page.contains(r#"<meta name="robots" content="noindex">"#));
    assert!(page.contains("awaits an editor"));
    // Nowhere listed.
    let places = ["/", "/search?q=floods", "/sitemap.xml", "/feed.xml"];
    let listed_in = |server: &Server| -> Vec<&str> {
        places
            .iter()
            .copied()
            .filter(|place| get(server, place, None).body.contains(&slug))
            .collect()
    };
    assert!(listed_in(&server).is_empty(), "{:?}", listed_in(&server));

    // The dashboard shows it awaiting review; approving lists it everywhere.
    let admin = |path: &str| {
        reply(
            agent()
                .get(server.url(path))
                .header("authorization", "Bearer s3cret")
                .call(),
        )
    };
    let dashboard = admin("/admin").body;
    assert!(dashboard.contains("Awaiting review"), "{dashboard}");
    let approved = reply(
        agent()
            .post(server.url(&format!("/admin/a/{slug}/approve")))
            .header("authorization", "Bearer s3cret")
            .header("origin", format!("http://{}", server.addr))
            .send_empty(),
    );
    assert_eq!(approved.status, 303);
    assert_eq!(listed_in(&server), places);
    let page = get(&server, &asked.location, None).body;
    assert!(!page.contains("noindex") && !page.contains("awaits an editor"));
    assert!(!admin("/admin").body.contains("Awaiting review"));
    let unknown = reply(
        agent()
            .post(server.url("/admin/a/no-such-article/approve"))
            .header("authorization", "Bearer s3cret")
            .send_empty(),
    );
    assert_eq!(unknown.status, 404);
}
