//! Real web pages that Debian packages install: libffi's manual (texinfo HTML, a navigation
//! header on every page; `libffi-dev`, installed by `scripts/install-test-docs.sh`) read as
//! documents through the loader. In CI a missing manual fails the test; elsewhere it skips.

use std::path::Path;

#[test]
fn a_manual_of_web_pages_is_ingested_as_its_prose() {
    let dir = Path::new("/usr/share/doc/libffi8/html");
    if !dir.is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{} is missing: run scripts/install-test-docs.sh",
            dir.display()
        );
        eprintln!("skipped: {} is not installed", dir.display());
        return;
    }
    let report = corpus::load_path(dir);
    let pages = std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "html")
        })
        .count();
    // A page of nothing but navigation (an index) is reported, by name, and the rest read;
    // a page whose headings have anchors is one document per section (`page.html#Anchor`).
    let read: std::collections::HashSet<&str> = report
        .documents
        .iter()
        .map(|d| d.id.split('#').next().unwrap_or(&d.id))
        .collect();
    assert_eq!(
        read.len() + report.problems.len(),
        pages,
        "{:?}",
        report.problems
    );
    assert!(read.len() >= pages - 2, "{:?}", report.problems);
    for document in &report.documents {
        assert!(
            document
                .title
                .contains("(libffi: the portable foreign function interface library)"),
            "{}",
            document.title
        );
        assert_eq!(
            document.id.contains('#'),
            document.title.contains(" — "),
            "{}: {}",
            document.id,
            document.title
        );
        assert!(
            !document.text.contains("Next: "),
            "{}: {}",
            document.id,
            document.text
        );
        assert!(!document.text.contains("</"), "{}", document.id);
    }
    // Texinfo puts a section's anchor on the element its heading opens.
    let arrays = report
        .documents
        .iter()
        .find(|d| d.id == "Arrays-Unions-Enums.html#Arrays")
        .expect("the section on arrays");
    assert!(
        arrays.title.ends_with(" — 2.3.4.1 Arrays"),
        "{}",
        arrays.title
    );
    assert!(arrays.text.contains("array"), "{}", arrays.text);
    let unions = report
        .documents
        .iter()
        .find(|d| d.id == "Arrays-Unions-Enums.html#Unions")
        .expect("the section on unions");
    assert!(
        !unions.text.contains(&arrays.text),
        "sections do not overlap"
    );
    let basics = report
        .documents
        .iter()
        .find(|d| d.id == "The-Basics.html")
        .expect("The Basics");
    assert!(basics.text.contains(
        "This is a separate step because it is common to make multiple calls using a single ffi_cif."
    ), "{}", basics.text);
}
