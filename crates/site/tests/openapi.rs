//! The OpenAPI 3.1 document at `/api/v1/openapi.json`: it parses as OpenAPI 3.1 (the oas3
//! crate), names every route of the JSON API, and what the server really answers validates
//! against the schemas it gives (JSON Schema 2020-12, the jsonschema crate) — with no field
//! the document does not describe.

mod common;

use common::*;
use serde_json::{Value, json};

/// Validates `instance` against `#/components/schemas/{name}` of `document`.
fn check(document: &Value, name: &str, instance: &Value) {
    let mut schema = document.clone();
    schema["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
    schema["$ref"] = json!(format!("#/components/schemas/{name}"));
    let validator = jsonschema::draft202012::new(&schema)
        .unwrap_or_else(|e| panic!("the {name} schema compiles: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:?}\n{instance:#}");
}

/// The property names a schema (or the schemas it combines) describes.
fn described(document: &Value, schema: &Value) -> Vec<String> {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        return described(document, &document["components"]["schemas"][name]);
    }
    let mut names: Vec<String> = schema["properties"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    for combined in ["allOf", "oneOf", "anyOf"] {
        for part in schema[combined].as_array().into_iter().flatten() {
            names.extend(described(document, part));
        }
    }
    names
}

fn no_undescribed_fields(document: &Value, name: &str, instance: &Value) {
    let names = described(
        document,
        &json!({ "$ref": format!("#/components/schemas/{name}") }),
    );
    for key in instance.as_object().unwrap().keys() {
        assert!(
            names.contains(key),
            "{name}: the server sends {key:?}, which the document does not describe"
        );
    }
}

#[test]
fn the_openapi_document_describes_what_the_server_answers() {
    let data = tempfile::tempdir().unwrap();
    ingest(data.path());
    let server = Server::start(data.path());

    let reply = get(&server, "/api/v1/openapi.json", None);
    assert_eq!(reply.status, 200);
    let spec = oas3::from_json(&reply.body).expect("an OpenAPI 3.1 document");
    assert_eq!(spec.openapi, "3.1.0");
    let document: Value = serde_json::from_str(&reply.body).unwrap();
    for (path, method) in [
        ("/api/v1/ask", "post"),
        ("/api/v1/articles/{slug}", "get"),
        ("/api/v1/audit", "post"),
        ("/a/{slug}/feedback", "post"),
        ("/healthz", "get"),
        ("/readyz", "get"),
    ] {
        assert!(
            document["paths"][path][method].is_object(),
            "{method} {path} is not described"
        );
    }

    // Ask: the article with its votes.
    let asked = post_json(
        &server,
        "/api/v1/ask",
        &json!({ "question": "Why do river floods happen?" }),
        None,
    );
    assert_eq!(asked.status, 200, "{}", asked.body);
    let article = json(&asked);
    check(&document, "ArticleWithFeedback", &article);
    no_undescribed_fields(&document, "ArticleWithFeedback", &article);
    let slug = article["slug"].as_str().unwrap().to_owned();

    // A vote and its answer.
    let voted = post_json(
        &server,
        &format!("/a/{slug}/feedback"),
        &json!({ "helpful": true, "reason": "clear", "comment": "Short and sourced." }),
        None,
    );
    assert_eq!(voted.status, 200, "{}", voted.body);
    let answer = json(&voted);
    check(&document, "VoteReply", &answer);
    no_undescribed_fields(&document, "VoteReply", &answer);
    check(
        &document,
        "VoteBody",
        &json!({ "helpful": true, "reason": "clear", "comment": "x" }),
    );

    // The article again, with the vote counted; and the errors' shape.
    let again = json(&get(&server, &format!("/api/v1/articles/{slug}"), None));
    check(&document, "ArticleWithFeedback", &again);
    assert_eq!(again["feedback"]["helpful"], 1);
    let missing = get(&server, "/api/v1/articles/no-such-article", None);
    assert_eq!(missing.status, 404);
    check(&document, "ErrorBody", &json(&missing));
    let refused = post_json(&server, "/api/v1/ask", &json!({ "question": "" }), None);
    assert_eq!(refused.status, 400);
    check(&document, "ErrorBody", &json(&refused));

    // An audit of a page written elsewhere, and its refusals.
    let page = "Why do rivers flood?\n\nPosted on\n\nRivers flood after heavy rainfall.\n\n\
                Heavy Rainfall: A river overflows its banks after heavy rainfall or rapid snowmelt.\n\n\
                Too Much Rain: Rivers overflow their banks when it rains heavily for days.\n";
    let audited = post_json(&server, "/api/v1/audit", &json!({ "text": page }), None);
    assert_eq!(audited.status, 200, "{}", audited.body);
    let audit = json(&audited);
    check(&document, "Audit", &audit);
    no_undescribed_fields(&document, "Audit", &audit);
    assert_eq!(audit["sentences"].as_array().unwrap().len(), 3);
    assert!(
        audit["problems"][0]
            .as_str()
            .unwrap()
            .starts_with("empty date")
    );
    let empty = post_json(&server, "/api/v1/audit", &json!({ "text": "  " }), None);
    assert_eq!(empty.status, 400);
    check(&document, "ErrorBody", &json(&empty));
    let huge = post_json(
        &server,
        "/api/v1/audit",
        &json!({ "text": "A sentence of words. ".repeat(20_000) }),
        None,
    );
    assert_eq!(huge.status, 413, "{}", huge.body);
    check(&document, "ErrorBody", &json(&huge));

    // The schemas are strict enough to refuse a wrong answer.
    let mut broken = article.clone();
    broken["coverage"]["level"] = json!("excellent");
    let mut schema = document.clone();
    schema["$ref"] = json!("#/components/schemas/ArticleWithFeedback");
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    assert!(!validator.is_valid(&broken));
    broken = article.clone();
    broken.as_object_mut().unwrap().remove("sources");
    assert!(!validator.is_valid(&broken));
}
