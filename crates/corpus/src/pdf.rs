//! PDF read page by page with pdf-extract (pure Rust, over lopdf): each page with text becomes
//! its own document, so that a citation leads to the page ("Manual, page 12"). The title is
//! the document's own (its Info dictionary), else its first line. A PDF whose pages hold no
//! text (a scan without a text layer) is an error that says so, never an empty document.

use std::panic::{AssertUnwindSafe, catch_unwind};

/// A PDF's title and the text of each page that has some (1-based page numbers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfText {
    pub title: Option<String>,
    pub pages: Vec<(usize, String)>,
    /// Pages in the file, with text or without.
    pub page_count: usize,
}

/// Why a PDF gave no text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    #[error("not a readable PDF: {0}")]
    Unreadable(String),
    #[error("none of its {0} pages holds text (a scan without a text layer?)")]
    NoText(usize),
}

/// Reads `bytes` as a PDF. Never panics: the parser's panics on malformed files become
/// [`PdfError::Unreadable`].
pub fn read_pdf(bytes: &[u8]) -> Result<PdfText, PdfError> {
    let pages = catch_unwind(AssertUnwindSafe(|| {
        pdf_extract::extract_text_from_mem_by_pages(bytes)
    }))
    .map_err(|_| PdfError::Unreadable("the parser gave up on it".into()))?
    .map_err(|e| PdfError::Unreadable(e.to_string()))?;
    let page_count = pages.len();
    let pages: Vec<(usize, String)> = pages
        .iter()
        .enumerate()
        .map(|(i, text)| (i + 1, paragraphs(text)))
        .filter(|(_, text)| text.chars().filter(|c| c.is_alphabetic()).count() >= 20)
        .collect();
    if pages.is_empty() {
        return Err(PdfError::NoText(page_count));
    }
    let title = catch_unwind(AssertUnwindSafe(|| info_title(bytes)))
        .ok()
        .flatten()
        .or_else(|| {
            pages[0]
                .1
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .map(|l| l.chars().take(120).collect())
        });
    Ok(PdfText {
        title,
        pages,
        page_count,
    })
}

/// The Info dictionary's `/Title`, when it has a readable one.
fn info_title(bytes: &[u8]) -> Option<String> {
    let document = pdf_extract::Document::load_mem(bytes).ok()?;
    let info = document.trailer.get(b"Info").ok()?;
    let info = match info {
        pdf_extract::Object::Reference(id) => document.get_object(*id).ok()?,
        other => other,
    };
    let title = info.as_dict().ok()?.get(b"Title").ok()?;
    let text = pdf_extract::decode_text_string(title).ok()?;
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

/// A page's lines joined into paragraphs: a line break inside a paragraph becomes a space, a
/// word hyphenated across lines is joined ("exam-" "ple" → "example"), blank lines separate
/// paragraphs.
fn paragraphs(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        if current.is_empty() {
            current = line;
        } else if current.ends_with('-')
            && current[..current.len() - 1].ends_with(|c: char| c.is_alphabetic())
            && line.starts_with(|c: char| c.is_lowercase())
        {
            current.pop();
            current.push_str(&line);
        } else {
            current.push(' ');
            current.push_str(&line);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_join_into_paragraphs() {
        assert_eq!(
            paragraphs("The exam-\nple shows\nhow lines join.\n\n\nA second   one.\n"),
            "The example shows how lines join.\n\nA second one."
        );
        // A hyphen before a capital or a digit stays.
        assert_eq!(paragraphs("Austria-\nHungary"), "Austria- Hungary");
    }

    /// A real PDF (written by lopdf) whose single page draws nothing: what a scan without a
    /// text layer looks like to a text extractor.
    fn pdf_without_text() -> Vec<u8> {
        use pdf_extract::{Dictionary, Object, Stream, dictionary};
        let mut document = pdf_extract::Document::with_version("1.5");
        let pages_id = document.new_object_id();
        let content = document.add_object(Stream::new(
            Dictionary::new(),
            b"0 0 m 100 100 l S".to_vec(),
        ));
        let page = document.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        });
        document.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Kids" => vec![page.into()],
                "Count" => 1,
            }),
        );
        let catalog = document.add_object(dictionary! {"Type" => "Catalog", "Pages" => pages_id});
        document.trailer.set("Root", catalog);
        let mut bytes = Vec::new();
        document.save_to(&mut bytes).unwrap();
        bytes
    }

    #[test]
    fn a_pdf_without_text_is_reported() {
        assert_eq!(read_pdf(&pdf_without_text()), Err(PdfError::NoText(1)));
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_give_text_or_an_error(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..3000)) {
            let _ = read_pdf(&bytes);
            let mut pdf = b"%PDF-1.4\n".to_vec();
            pdf.extend_from_slice(&bytes);
            let _ = read_pdf(&pdf);
        }
    }
}
