//! A real PDF that a Debian package installs (libtasn1's manual from `libtasn1-doc`,
//! installed by `scripts/install-test-docs.sh`), read page by page through the loader. In CI a
//! missing manual fails the test; elsewhere it skips.

use std::path::Path;

#[test]
fn a_pdf_manual_becomes_one_document_per_page() {
    let pdf = Path::new("/usr/share/doc/libtasn1-doc/libtasn1.pdf");
    if !pdf.is_file() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{} is missing: run scripts/install-test-docs.sh",
            pdf.display()
        );
        eprintln!("skipped: {} is not installed", pdf.display());
        return;
    }
    let report = corpus::load_path(pdf);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert!(
        report.documents.len() >= 10,
        "{} pages",
        report.documents.len()
    );
    for document in &report.documents {
        let (file, page) = document.id.split_once("#page=").expect("a page id");
        assert_eq!(file, "libtasn1.pdf");
        let page: usize = page.parse().unwrap();
        assert!(
            document.title.ends_with(&format!(", page {page}")),
            "{}",
            document.title
        );
        assert!(!document.text.trim().is_empty());
        assert!(!document.text.contains("\n\n\n"));
    }
    let text: String = report
        .documents
        .iter()
        .map(|d| d.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(text.contains("ASN.1"), "the manual speaks of ASN.1");
    eprintln!(
        "{} pages; first title {:?}; page 5 begins {:?}",
        report.documents.len(),
        report.documents[0].title,
        report
            .documents
            .get(4)
            .map(|d| d.text.chars().take(300).collect::<String>())
    );
}
