//! The site over real HTTP on a loopback port, with a real index of the fixture corpus and a
//! real SQLite database: ask, publish, vote (form and JSON), restart, bad and hostile input.

mod common;

use common::*;

#[test]
fn ask_publish_vote_and_find_the_vote_after_a_restart() {
    let data = tempfile::tempdir().unwrap();
    ingest(data.path());
    let server = Server::start(data.path());

    let asked = ask(&server, "Why+do+river+floods+happen%3F");
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
    assert!(
        changed["message"]
            .as_str()
            .unwrap()
            .starts_with("Thanks for your feedback!")
    );
    assert_eq!(changed["thanks"], "Thanks for your feedback!");
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
    let empty = ask(&server, "+++");
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

    let slug = ask(&server, "What+causes+tides%3F").location;
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
    let asked = ask(&server, &encode(question));
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

#[test]
fn cookies_are_set_with_their_protections() {
    let data = tempfile::tempdir().unwrap();
    ingest(data.path());
    let server = Server::start_with(
        data.path(),
        site::SiteConfig {
            admin_token: Some("s3cret".into()),
            ..site::SiteConfig::default()
        },
    );
    let slug = ask(&server, "Why+do+river+floods+happen%3F").location;
    let set_cookie = |response: ureq::http::Response<ureq::Body>| -> String {
        response
            .headers()
            .get("set-cookie")
            .expect("a cookie is set")
            .to_str()
            .unwrap()
            .to_owned()
    };
    let voted = agent()
        .post(server.url(&format!("{slug}/feedback")))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", format!("http://{}", server.addr))
        .send("helpful=yes")
        .unwrap();
    let visitor = set_cookie(voted);
    for part in [
        "because_visitor=",
        "HttpOnly",
        "SameSite=Lax",
        "Path=/",
        "Max-Age=31536000",
    ] {
        assert!(visitor.contains(part), "{visitor}");
    }
    let login = agent()
        .post(server.url("/admin/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", format!("http://{}", server.addr))
        .send("token=s3cret")
        .unwrap();
    let session = set_cookie(login);
    for part in [
        "because_admin=",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/admin",
        "Max-Age=43200",
    ] {
        assert!(session.contains(part), "{session}");
    }
    let logout = agent()
        .post(server.url("/admin/logout"))
        .header("origin", format!("http://{}", server.addr))
        .send_empty()
        .unwrap();
    let removed = set_cookie(logout);
    assert!(removed.starts_with("because_admin=;"), "{removed}");
    assert!(
        removed.contains("Max-Age=0") && removed.contains("Path=/admin"),
        "{removed}"
    );
}
