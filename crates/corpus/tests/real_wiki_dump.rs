//! A real MediaWiki dump: a shortened English Wikipedia export (bzip2-compressed XML) that
//! gensim ships as test data, installed into `assets/wikidump/` by `scripts/install-assets.sh`.
//! In CI a missing dump fails the test; elsewhere it skips.

use std::path::Path;

const DUMP: &str = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2";

#[test]
fn a_wikipedia_dump_is_streamed_into_articles() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/wikidump")
        .join(DUMP);
    if !path.is_file() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{} is missing: run scripts/install-assets.sh",
            path.display()
        );
        eprintln!("skipped: {} is missing", path.display());
        return;
    }
    let report = corpus::load_path(&path);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    for document in &report.documents {
        assert!(document.id.starts_with("wiki:"), "{}", document.id);
        let article = document.title.split(" — ").next().unwrap_or_default();
        assert!(!article.contains(':'), "only articles: {}", document.title);
        let url = document
            .url
            .as_deref()
            .expect("an article URL from the dump's base");
        assert!(url.starts_with("https://en.wikipedia.org/wiki/"), "{url}");
        // A section's document leads to its heading's anchor; the lead to the article.
        match document.id.split_once('#') {
            Some((_, anchor)) => {
                assert!(
                    url.ends_with(&format!("#{anchor}")),
                    "{url} for {}",
                    document.id
                );
                assert!(document.title.contains(" — "), "{}", document.title);
                assert!(!anchor.contains(' ') && !anchor.is_empty(), "{anchor:?}");
            }
            None => assert!(
                !url.contains('#') && !document.title.contains(" — "),
                "{url}"
            ),
        }
        assert_eq!(document.license.as_deref(), Some(corpus::WIKIPEDIA_LICENSE));
        // The revision's date and the wiki's language come along.
        assert_eq!(document.language.as_deref(), Some("en"));
        let date = document.date.as_deref().expect("a revision date");
        assert!(date.len() == 10 && date.as_bytes()[4] == b'-', "{date}");
        // No markup leaks into the prose.
        for markup in ["{{", "}}", "[[", "]]", "<ref", "{|", "'''", "&lt;", "&amp;"] {
            assert!(
                !document.text.contains(markup),
                "{markup:?} in {}:\n{}",
                document.title,
                &document.text[..document.text.len().min(2000)]
            );
        }
        // No heading line reaches the prose.
        assert!(
            !document
                .text
                .split("\n\n")
                .any(|p| p.starts_with("==") && p.ends_with("==")),
            "a heading in {}",
            document.title
        );
    }
    let leads = report
        .documents
        .iter()
        .filter(|d| !d.id.contains('#'))
        .count();
    let sections = report.documents.len() - leads;
    assert!(
        leads >= 5 && sections >= 5,
        "{leads} leads, {sections} sections"
    );
    let achilles = report
        .documents
        .iter()
        .find(|d| d.title.starts_with("Achilles — "))
        .expect("a section of Achilles");
    eprintln!("{}: {:?}", achilles.title, achilles.url);
    let titles: Vec<&str> = report.documents.iter().map(|d| d.title.as_str()).collect();
    eprintln!(
        "{} articles: {:?}",
        titles.len(),
        &titles[..titles.len().min(12)]
    );
    let first = &report.documents[0];
    eprintln!(
        "{}: {}",
        first.title,
        &first.text[..first.text.len().min(600)]
    );
    // Streamed, the same documents in the same order reach the sink one by one, and the
    // report holds none of them.
    let mut streamed = Vec::new();
    let streaming = corpus::stream_path(&path, &mut |document| streamed.push(document));
    assert!(streaming.documents.is_empty() && streaming.problems.is_empty());
    assert_eq!(streamed, report.documents);
}
