//! A real Markdown file that a Debian package installs (git's README: a setext title, a
//! badge image inside a link, reference links, autolinks, inline code), ingested as prose.
//! Skips, saying so, where the package's documentation is not installed.

use std::path::Path;

#[test]
fn a_real_readme_is_ingested_as_prose() {
    let readme = Path::new("/usr/share/doc/git/README.md");
    if !readme.is_file() {
        eprintln!("skipped: {} is not installed", readme.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(readme, dir.path().join("README.md")).unwrap();
    let report = corpus::load_path(dir.path());
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let document = &report.documents[0];
    assert_eq!(
        document.title,
        "Git - fast, scalable, distributed revision control system"
    );
    for syntax in ["](", "[!", "`", "===", "<https", "**"] {
        assert!(
            !document.text.contains(syntax),
            "{syntax:?} in the prose:\n{}",
            document.text
        );
    }
    // Links read as their text, code as its words.
    assert!(
        document
            .text
            .contains("Please read the file INSTALL for installation instructions.")
    );
    assert!(
        document
            .text
            .contains("read with man gittutorial or git help tutorial")
    );
    // Every sentence the index would quote is free of Markdown too.
    for range in corpus::split_sentences(&document.text) {
        let sentence = &document.text[range];
        assert!(!sentence.starts_with('#'), "{sentence}");
    }
}
