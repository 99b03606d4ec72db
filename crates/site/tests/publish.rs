//! What search engines, feed readers and link previews read, over real HTTP: the sitemap and
//! robots.txt, the Atom feed (parsed by a real feed parser), and each article's canonical
//! link, description, OpenGraph and Twitter tags and JSON-LD, all under the base URL.

mod common;

use common::*;

const BASE: &str = "https://example.org/explain";

fn start(data: &std::path::Path) -> Server {
    Server::start_with(
        data,
        site::SiteConfig {
            base_url: BASE.to_owned(),
            ..site::SiteConfig::default()
        },
    )
}

/// The `content` of the first `<meta>` or `href` of the first `<link>` whose attributes
/// include `marker`, unescaped.
fn attribute(html: &str, marker: &str, name: &str) -> Option<String> {
    let tag_start = html[..html.find(marker)?].rfind('<')?;
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>')?];
    let value_start = tag.find(&format!("{name}=\""))? + name.len() + 2;
    let value = &tag[value_start..value_start + tag[value_start..].find('"')?];
    Some(
        value
            .replace("&quot;", "\"")
            .replace("&#x27;", "'")
            .replace("&#39;", "'")
            .replace("&#x2f;", "/")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// The overview's sentences as one text, as a description starts.
fn overview_text(article: &serde_json::Value) -> String {
    article["overview"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["text"].as_str().unwrap())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn sitemap_robots_and_feed_list_every_published_article_under_the_base_url() {
    let data = tempfile::tempdir().unwrap();
    ingest(data.path());
    let server = start(data.path());

    // Nothing published yet: a valid sitemap with only the home page, an empty feed.
    let empty = get(&server, "/sitemap.xml", None);
    assert_eq!(empty.status, 200);
    let document = roxmltree::Document::parse(&empty.body).unwrap();
    assert_eq!(document.root_element().tag_name().name(), "urlset");
    let feed = get(&server, "/feed.xml", None);
    let parsed = feed_rs::parser::parse(feed.body.as_bytes()).unwrap();
    assert!(parsed.entries.is_empty());

    let floods = ask(&server, "Why+do+river+floods+happen%3F").location;
    let coral = ask(&server, "Why+does+coral+bleaching+happen%3F").location;
    assert!(floods.starts_with("/a/") && coral.starts_with("/a/"));
    let floods_slug = floods.trim_start_matches("/a/").to_owned();

    // A new version of one article: its lastmod and the feed follow the current version.
    {
        let engine = explain::Engine::open(&data.path().join("index")).unwrap();
        let store = common::open_store(data.path());
        std::thread::sleep(std::time::Duration::from_millis(1100));
        site::regenerate(&engine, &store, &floods_slug)
            .unwrap()
            .expect("the article exists");
    }
    let article = |path: &str| json(&get(&server, &format!("/api/v1/articles/{path}"), None));
    let floods_json = article(&floods_slug);
    let coral_json = article(coral.trim_start_matches("/a/"));
    let updated = floods_json["updated_at"]
        .as_str()
        .expect("regenerated")
        .to_owned();

    let sitemap = get(&server, "/sitemap.xml", None);
    assert_eq!(sitemap.status, 200);
    assert!(
        sitemap.body.starts_with("<?xml"),
        "{}",
        &sitemap.body[..80.min(sitemap.body.len())]
    );
    let document = roxmltree::Document::parse(&sitemap.body).unwrap();
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "urlset");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.sitemaps.org/schemas/sitemap/0.9")
    );
    let entries: Vec<(String, Option<String>)> = root
        .children()
        .filter(|n| n.has_tag_name("url"))
        .map(|url| {
            let child = |name: &str| {
                url.children()
                    .find(|n| n.has_tag_name(name))
                    .and_then(|n| n.text())
                    .map(str::to_owned)
            };
            (child("loc").unwrap(), child("lastmod"))
        })
        .collect();
    assert_eq!(entries.len(), 3, "{entries:?}");
    assert!(entries.contains(&(format!("{BASE}/"), None)));
    assert!(entries.contains(&(format!("{BASE}{floods}"), Some(updated.clone()))));
    assert!(entries.contains(&(
        format!("{BASE}{coral}"),
        Some(coral_json["posted_at"].as_str().unwrap().to_owned())
    )));

    let robots = get(&server, "/robots.txt", None);
    assert_eq!(robots.status, 200);
    assert!(
        robots
            .body
            .contains(&format!("Sitemap: {BASE}/sitemap.xml"))
    );
    assert!(robots.body.contains("Disallow: /admin"));

    // The feed: valid Atom, newest change first, each entry linking to the article.
    let feed = get(&server, "/feed.xml", None);
    assert_eq!(feed.status, 200);
    let parsed = feed_rs::parser::parse(feed.body.as_bytes()).unwrap();
    assert_eq!(parsed.feed_type, feed_rs::model::FeedType::Atom);
    assert_eq!(parsed.entries.len(), 2);
    let first = &parsed.entries[0];
    assert_eq!(
        first.title.as_ref().unwrap().content,
        "Why do river floods happen?"
    );
    assert_eq!(first.links[0].href, format!("{BASE}{floods}"));
    assert_eq!(
        first
            .updated
            .unwrap()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        updated
    );
    let overview = overview_text(&floods_json);
    let summary = &first.summary.as_ref().unwrap().content;
    assert!(
        overview.starts_with(summary.trim_end_matches('…')),
        "{summary:?} vs {overview:?}"
    );
    assert!(
        parsed
            .links
            .iter()
            .any(|l| l.href == format!("{BASE}/feed.xml"))
    );

    // No such part of a sitemap.
    assert_eq!(get(&server, "/sitemaps/1.xml", None).status, 404);
}

#[test]
fn article_pages_carry_canonical_link_cards_and_json_ld() {
    let data = tempfile::tempdir().unwrap();
    ingest(data.path());
    let server = start(data.path());
    let path = ask(&server, "Why+do+river+floods+happen%3F").location;
    let page = get(&server, &path, None);
    assert_eq!(page.status, 200);
    let html = &page.body;
    let article = json(&get(
        &server,
        &format!("/api/v1/articles/{}", path.trim_start_matches("/a/")),
        None,
    ));
    let canonical = format!("{BASE}{path}");

    assert_eq!(
        attribute(html, "rel=\"canonical\"", "href").as_deref(),
        Some(canonical.as_str())
    );
    let description = attribute(html, "name=\"description\"", "content").unwrap();
    assert!(!description.is_empty() && description.chars().count() <= 160);
    let overview = overview_text(&article);
    assert!(overview.starts_with(description.trim_end_matches('…')));
    for (marker, expected) in [
        ("property=\"og:type\"", "article"),
        ("property=\"og:title\"", "Why do river floods happen?"),
        ("property=\"og:url\"", canonical.as_str()),
        ("property=\"og:description\"", description.as_str()),
        ("name=\"twitter:card\"", "summary"),
        ("name=\"twitter:title\"", "Why do river floods happen?"),
        (
            "property=\"article:published_time\"",
            article["posted_at"].as_str().unwrap(),
        ),
    ] {
        assert_eq!(
            attribute(html, marker, "content").as_deref(),
            Some(expected),
            "{marker}"
        );
    }
    assert_eq!(
        attribute(html, "type=\"application/atom+xml\"", "href").as_deref(),
        Some("/feed.xml")
    );

    // JSON-LD parsed back: a schema.org Article with headline, dates and one citation per
    // numbered source, every property one the vocabulary defines for its type.
    let open = "<script type=\"application/ld+json\">";
    let start = html.find(open).expect("JSON-LD") + open.len();
    let end = start + html[start..].find("</script>").unwrap();
    let ld: serde_json::Value = serde_json::from_str(&html[start..end]).unwrap();
    assert_eq!(ld["@context"], "https://schema.org");
    assert_eq!(ld["@type"], "Article");
    assert_eq!(ld["headline"], "Why do river floods happen?");
    assert_eq!(ld["datePublished"], article["posted_at"]);
    assert_eq!(ld["dateModified"], article["posted_at"]);
    assert_eq!(ld["url"], canonical.as_str());
    assert_eq!(ld["mainEntityOfPage"]["@id"], canonical.as_str());
    assert_eq!(ld["author"]["@type"], "Organization");
    assert_eq!(ld["description"], description.as_str());
    let sources = article["sources"].as_array().unwrap();
    let citations = ld["citation"].as_array().unwrap();
    assert_eq!(citations.len(), sources.len());
    for (citation, source) in citations.iter().zip(sources) {
        assert_eq!(citation["@type"], "CreativeWork");
        assert_eq!(citation["name"], source["title"]);
    }
    match Vocabulary::load() {
        Some(vocabulary) => vocabulary.check(&ld, "Article"),
        None => {
            assert!(
                std::env::var("CI").is_err(),
                "CI must check JSON-LD against the schema.org vocabulary: \
                 scripts/install-assets.sh installs it"
            );
            eprintln!("skipped the vocabulary check: run scripts/install-assets.sh");
        }
    }
    // Still no script the page runs but its own file.
    assert_eq!(html.matches("<script").count(), 2);
    assert!(html.contains("<script src=\"/static/feedback.js\" defer></script>"));
}

/// The schema.org vocabulary (types with their supertypes; properties with the types they
/// apply to and the types of their values), from the release `install-assets.sh` installs.
struct Vocabulary {
    supertypes: std::collections::HashMap<String, Vec<String>>,
    properties: std::collections::HashMap<String, (Vec<String>, Vec<String>)>,
}

impl Vocabulary {
    fn load() -> Option<Vocabulary> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/schemaorg");
        let read = |file: &str| -> Option<Vec<std::collections::HashMap<String, String>>> {
            let mut reader = csv::Reader::from_path(dir.join(file)).ok()?;
            Some(reader.deserialize().map(|row| row.unwrap()).collect())
        };
        let names = |list: &str| -> Vec<String> {
            list.split(", ")
                .filter(|s| !s.is_empty())
                .map(|s| s.trim_start_matches("https://schema.org/").to_owned())
                .collect()
        };
        let types = read("schemaorg-current-https-types.csv")?;
        let properties = read("schemaorg-current-https-properties.csv")?;
        Some(Vocabulary {
            supertypes: types
                .iter()
                .map(|row| (row["label"].clone(), names(&row["subTypeOf"])))
                .collect(),
            properties: properties
                .iter()
                .map(|row| {
                    (
                        row["label"].clone(),
                        (names(&row["domainIncludes"]), names(&row["rangeIncludes"])),
                    )
                })
                .collect(),
        })
    }

    /// `kind` and every type it descends from.
    fn lineage(&self, kind: &str) -> Vec<String> {
        let mut all = vec![kind.to_owned()];
        let mut at = 0;
        while at < all.len() {
            for parent in self.supertypes.get(&all[at]).into_iter().flatten() {
                if !all.contains(parent) {
                    all.push(parent.clone());
                }
            }
            at += 1;
        }
        all
    }

    /// Checks that `node` is a `kind` whose every property the vocabulary defines for that
    /// type, with values of a type the property takes; nested nodes likewise.
    fn check(&self, node: &serde_json::Value, kind: &str) {
        let declared = node["@type"].as_str().expect("every node names its @type");
        assert!(
            self.supertypes.contains_key(declared),
            "unknown type {declared}"
        );
        let lineage = self.lineage(declared);
        assert!(lineage.iter().any(|t| t == kind), "{declared} is no {kind}");
        for (property, value) in node.as_object().unwrap() {
            if property.starts_with('@') {
                continue;
            }
            let (domains, ranges) = self
                .properties
                .get(property)
                .unwrap_or_else(|| panic!("schema.org has no property {property}"));
            assert!(
                domains.iter().any(|d| lineage.contains(d)),
                "{property} does not apply to {declared} (only to {domains:?})"
            );
            let values = match value {
                serde_json::Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            for value in values {
                match value {
                    serde_json::Value::String(_) => assert!(
                        ranges
                            .iter()
                            .any(|r| ["Text", "URL", "Date", "DateTime"].contains(&r.as_str())),
                        "{property} takes no text (only {ranges:?})"
                    ),
                    serde_json::Value::Object(_) => {
                        let nested = value["@type"].as_str().unwrap();
                        let range = ranges
                            .iter()
                            .find(|r| self.lineage(nested).contains(r))
                            .unwrap_or_else(|| {
                                panic!("{property} takes no {nested} (only {ranges:?})")
                            });
                        self.check(value, range);
                    }
                    other => panic!("{property}: unexpected value {other}"),
                }
            }
        }
    }
}

#[test]
fn the_vocabulary_check_refuses_what_schema_org_does_not_define() {
    let Some(vocabulary) = Vocabulary::load() else {
        eprintln!("skipped: run scripts/install-assets.sh");
        return;
    };
    let refused = |node: serde_json::Value| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            vocabulary.check(&node, "Article")
        }))
        .is_err()
    };
    let good = serde_json::json!({ "@type": "Article", "headline": "Why?" });
    assert!(!refused(good));
    // A misspelt property, a property of another type, a value of the wrong type.
    assert!(refused(
        serde_json::json!({ "@type": "Article", "headlines": "Why?" })
    ));
    assert!(refused(
        serde_json::json!({ "@type": "Article", "author": { "@type": "Organization", "headline": "x" } })
    ));
    assert!(refused(
        serde_json::json!({ "@type": "Article", "author": { "@type": "Place", "name": "x" } })
    ));
}
