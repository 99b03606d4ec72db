//! Loaders: the packaged default corpus, plain-text and Markdown files, JSONL files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::document::{Document, WIKIPEDIA_LICENSE, wikipedia_url};
use crate::error::CorpusError;

/// Files larger than this are refused rather than read into memory.
const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// What a load produced: the documents that could be read, and a problem for each file
/// (or line) that could not.
#[derive(Debug, Default)]
pub struct LoadReport {
    pub documents: Vec<Document>,
    pub problems: Vec<LoadProblem>,
    /// Files skipped because their extension is not one we read (only inside directories).
    pub skipped_files: usize,
}

/// A file or line that could not be read, and why. The rest of the load went on.
#[derive(Debug)]
pub struct LoadProblem(pub CorpusError);

impl std::fmt::Display for LoadProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Deserialize)]
struct Summary {
    title: Option<String>,
    extract: Option<String>,
}

/// Reads the packaged default corpus: a JSON object mapping title → `{title, extract, …}`.
/// Entries without text are skipped; every document gets its Wikipedia URL and licence.
pub fn load_default_corpus(path: &Path) -> Result<Vec<Document>, CorpusError> {
    let bytes = read_bounded(path)?;
    let entries: BTreeMap<String, Summary> =
        serde_json::from_slice(&bytes).map_err(|source| CorpusError::Json {
            path: path.to_owned(),
            source,
        })?;
    let documents = entries
        .into_iter()
        .filter_map(|(key, summary)| {
            let text = summary.extract.filter(|t| !t.trim().is_empty())?;
            let title = summary
                .title
                .filter(|t| !t.trim().is_empty())
                .unwrap_or(key);
            Some(Document {
                id: title.clone(),
                url: Some(wikipedia_url(&title)),
                license: Some(WIKIPEDIA_LICENSE.to_owned()),
                date: None,
                language: None,
                title,
                text,
            })
        })
        .collect();
    Ok(documents)
}

/// Reads a file or, recursively, a directory (hidden entries skipped, files in name order).
/// `.txt`, `.md`, `.markdown`, `.html`, `.htm` and `.xhtml` files become one document each
/// (id: the path relative to `path`; title: the front matter's or page's title, the first
/// Markdown heading, or the file name); a `.pdf` gives one document per page with text; a
/// MediaWiki dump (`.xml`, `.bz2`) one per article; `.jsonl` files give one document per line.
pub fn load_path(path: &Path) -> LoadReport {
    let mut documents = Vec::new();
    let mut report = stream_path(path, &mut |document| documents.push(document));
    report.documents = documents;
    report
}

/// [`load_path`], handing each document to `sink` as soon as it is read instead of
/// collecting them: a MediaWiki dump of any size then passes through in bounded memory. The
/// report returned has the problems and skipped files, and no documents.
pub fn stream_path(path: &Path, sink: &mut dyn FnMut(Document)) -> LoadReport {
    let mut report = LoadReport::default();
    match std::fs::metadata(path) {
        Err(source) => report.problems.push(LoadProblem(CorpusError::Io {
            path: path.to_owned(),
            source,
        })),
        Ok(meta) if meta.is_dir() => {
            let mut files = Vec::new();
            collect_files(path, &mut files, &mut report);
            files.sort();
            for file in files {
                let relative = file.strip_prefix(path).unwrap_or(&file).to_owned();
                if kind_of(&file).is_some() {
                    load_file(&file, &relative, &mut report, sink);
                } else {
                    report.skipped_files += 1;
                }
            }
        }
        Ok(_) => {
            if kind_of(path).is_some() {
                let name = path
                    .file_name()
                    .map_or_else(|| path.to_owned(), PathBuf::from);
                load_file(path, &name, &mut report, sink);
            } else {
                report.problems.push(LoadProblem(CorpusError::Invalid {
                    path: path.to_owned(),
                    message: "unsupported file type (expected .txt, .md, .markdown, .html, .htm, .pdf, .xml or .bz2 MediaWiki dumps, or .jsonl)"
                        .into(),
                }));
            }
        }
    }
    report
}

#[derive(Clone, Copy)]
enum FileKind {
    Text,
    Html,
    Pdf,
    /// A MediaWiki XML dump, plain or bzip2-compressed.
    WikiDump {
        compressed: bool,
    },
    JsonLines,
}

fn kind_of(path: &Path) -> Option<FileKind> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    match extension.as_str() {
        "txt" | "md" | "markdown" => Some(FileKind::Text),
        "html" | "htm" | "xhtml" => Some(FileKind::Html),
        "pdf" => Some(FileKind::Pdf),
        "xml" => Some(FileKind::WikiDump { compressed: false }),
        "bz2" => Some(FileKind::WikiDump { compressed: true }),
        "jsonl" => Some(FileKind::JsonLines),
        _ => None,
    }
}

fn collect_files(dir: &Path, files: &mut Vec<PathBuf>, report: &mut LoadReport) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(source) => {
            report.problems.push(LoadProblem(CorpusError::Io {
                path: dir.to_owned(),
                source,
            }));
            return;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(source) => {
                report.problems.push(LoadProblem(CorpusError::Io {
                    path: dir.to_owned(),
                    source,
                }));
                continue;
            }
        };
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => collect_files(&path, files, report),
            Ok(_) => files.push(path),
            Err(source) => report
                .problems
                .push(LoadProblem(CorpusError::Io { path, source })),
        }
    }
}

fn load_file(
    path: &Path,
    relative: &Path,
    report: &mut LoadReport,
    sink: &mut dyn FnMut(Document),
) {
    let Some(kind) = kind_of(path) else { return };
    if let FileKind::WikiDump { compressed } = kind {
        load_wiki_dump(path, compressed, report, sink);
        return;
    }
    if matches!(kind, FileKind::Pdf) {
        match read_bounded(path).and_then(|bytes| pdf_documents(path, relative, &bytes)) {
            Ok(pages) => pages.into_iter().for_each(sink),
            Err(error) => report.problems.push(LoadProblem(error)),
        }
        return;
    }
    let text = match read_text(path) {
        Ok(text) => text,
        Err(error) => {
            report.problems.push(LoadProblem(error));
            return;
        }
    };
    match kind {
        FileKind::Text | FileKind::Html => match text_document(path, relative, text, kind) {
            Ok(documents) => documents.into_iter().for_each(sink),
            Err(error) => report.problems.push(LoadProblem(error)),
        },
        FileKind::JsonLines => load_json_lines(path, &text, report, sink),
        FileKind::Pdf | FileKind::WikiDump { .. } => {}
    }
}

/// A MediaWiki dump, streamed (any size: it is never read whole): one document per section
/// of an article with prose, so that a citation leads to the section it quotes: the lead is
/// `wiki:Title` titled "Title" at the article's address, a section `wiki:Title#Anchor`
/// titled "Title — Heading" at `address#Anchor`. Wikipedia's articles carry its licence.
fn load_wiki_dump(
    path: &Path,
    compressed: bool,
    report: &mut LoadReport,
    sink: &mut dyn FnMut(Document),
) {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(source) => {
            report.problems.push(LoadProblem(CorpusError::Io {
                path: path.to_owned(),
                source,
            }));
            return;
        }
    };
    let input: Box<dyn std::io::BufRead> = if compressed {
        Box::new(std::io::BufReader::new(bzip2::read::MultiBzDecoder::new(
            std::io::BufReader::new(file),
        )))
    } else {
        Box::new(std::io::BufReader::new(file))
    };
    let outcome = crate::wiki::read_dump(input, |article| {
        let license = article
            .url
            .as_deref()
            .filter(|u| u.contains(".wikipedia.org/"))
            .map(|_| WIKIPEDIA_LICENSE.to_owned());
        for section in article.sections {
            let anchor = section.anchor;
            let (id, title) = match (&section.heading, &anchor) {
                (Some(heading), Some(anchor)) => (
                    format!("wiki:{}#{anchor}", article.title),
                    format!("{} — {heading}", article.title),
                ),
                _ => (format!("wiki:{}", article.title), article.title.clone()),
            };
            let url = match (&article.url, &anchor) {
                (Some(url), Some(anchor)) => Some(format!("{url}#{anchor}")),
                (url, _) => url.clone(),
            };
            sink(Document {
                id,
                title,
                text: section.text,
                url,
                license: license.clone(),
                date: article.date.clone(),
                language: article.language.clone(),
            });
        }
    });
    // Articles read before a fault are kept; the fault is reported by name.
    if let Err(message) = outcome {
        report.problems.push(LoadProblem(CorpusError::Invalid {
            path: path.to_owned(),
            message,
        }));
    }
}

/// One document per PDF page with text: id `file.pdf#page=N`, title "Title, page N", so that
/// a citation names the page.
fn pdf_documents(path: &Path, relative: &Path, bytes: &[u8]) -> Result<Vec<Document>, CorpusError> {
    let pdf = crate::pdf::read_pdf(bytes).map_err(|error| CorpusError::Invalid {
        path: path.to_owned(),
        message: error.to_string(),
    })?;
    let id = relative.to_string_lossy().replace('\\', "/");
    let title = pdf.title.unwrap_or_else(|| {
        relative
            .file_stem()
            .map(|stem| stem.to_string_lossy().replace(['_', '-'], " "))
            .unwrap_or_else(|| id.clone())
    });
    Ok(pdf
        .pages
        .into_iter()
        .map(|(page, text)| Document {
            id: format!("{id}#page={page}"),
            title: format!("{title}, page {page}"),
            text,
            url: None,
            license: None,
            date: None,
            language: None,
        })
        .collect())
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, CorpusError> {
    let io = |source| CorpusError::Io {
        path: path.to_owned(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_FILE_BYTES {
        return Err(CorpusError::Invalid {
            path: path.to_owned(),
            message: format!("file is {size} bytes, over the limit of {MAX_FILE_BYTES}"),
        });
    }
    std::fs::read(path).map_err(io)
}

fn read_text(path: &Path) -> Result<String, CorpusError> {
    let bytes = read_bounded(path)?;
    let mut text = String::from_utf8(bytes).map_err(|_| CorpusError::NotUtf8 {
        path: path.to_owned(),
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// A text, Markdown or HTML file as a document, or for a page whose headings have anchors,
/// one document per anchored section (see [`section_documents`]).
fn text_document(
    path: &Path,
    relative: &Path,
    text: String,
    kind: FileKind,
) -> Result<Vec<Document>, CorpusError> {
    let markdown = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"));
    // Markdown is read as the prose it renders to, with its front matter's title and URL; a
    // web page as its main content, with its title and canonical URL.
    let page = if matches!(kind, FileKind::Html) {
        let page = crate::html::read_html(&text);
        if page.text.trim().is_empty() {
            return Err(CorpusError::Invalid {
                path: path.to_owned(),
                message: "the page holds no text".into(),
            });
        }
        page
    } else if markdown {
        crate::markdown::read_markdown(&text)
    } else {
        crate::markdown::Rendered {
            title: first_line_title(&text),
            text,
            ..Default::default()
        }
    };
    let crate::markdown::Rendered {
        title: heading,
        url,
        text,
        date,
        language,
        sections,
    } = page;
    if text.trim().is_empty() {
        return Err(CorpusError::Invalid {
            path: path.to_owned(),
            message: "file is empty".into(),
        });
    }
    let title = heading.unwrap_or_else(|| {
        relative
            .file_stem()
            .map(|stem| stem.to_string_lossy().replace(['_', '-'], " "))
            .unwrap_or_else(|| relative.display().to_string())
    });
    let document = Document {
        id: relative.to_string_lossy().replace('\\', "/"),
        title,
        text,
        url,
        license: None,
        date,
        language,
    };
    Ok(section_documents(document, sections))
}

/// A page as one document per section whose heading has an anchor, so that a citation leads
/// to the section it quotes: the first stretch of text (before the second anchored heading
/// when nothing stands before the first: a page's own title heading splits nothing) keeps the
/// page's id, title and URL; a later section is `id#anchor`, titled "Title — Heading", at
/// `URL#anchor`. A heading without an anchor stays inside the section before it. A page
/// without anchored headings is the one document given.
pub(crate) fn section_documents(
    page: Document,
    sections: Vec<crate::markdown::PageSection>,
) -> Vec<Document> {
    if !sections.iter().any(|section| section.anchor.is_some()) {
        return vec![page];
    }
    let mut documents: Vec<Document> = Vec::new();
    for section in sections {
        match (&section.heading, &section.anchor) {
            (Some(heading), Some(anchor)) if !documents.is_empty() => documents.push(Document {
                id: format!("{}#{anchor}", page.id),
                title: format!("{} — {heading}", page.title),
                text: section.text,
                url: page.url.as_ref().map(|url| {
                    let base = url.split('#').next().unwrap_or(url);
                    format!("{base}#{anchor}")
                }),
                ..page.clone()
            }),
            _ => match documents.last_mut() {
                Some(last) => {
                    last.text.push_str("\n\n");
                    last.text.push_str(&section.text);
                }
                None => documents.push(Document {
                    text: section.text,
                    ..page.clone()
                }),
            },
        }
    }
    // Two headings with one anchor: their sections are one document.
    let mut seen = std::collections::HashMap::<String, usize>::new();
    let mut unique: Vec<Document> = Vec::new();
    for document in documents {
        match seen.get(&document.id) {
            Some(&at) => {
                unique[at].text.push_str("\n\n");
                unique[at].text.push_str(&document.text);
            }
            None => {
                seen.insert(document.id.clone(), unique.len());
                unique.push(document);
            }
        }
    }
    unique
}

/// A Markdown heading on the first line, or a short first line without a full stop that is
/// followed by a blank line (a plain-text title).
fn first_line_title(text: &str) -> Option<String> {
    let mut lines = text.lines().skip_while(|line| line.trim().is_empty());
    let first = lines.next()?.trim();
    if let Some(heading) = first.strip_prefix('#') {
        let title = heading.trim_start_matches('#').trim();
        return (!title.is_empty()).then(|| title.to_owned());
    }
    let blank_after = lines.next().is_none_or(|line| line.trim().is_empty());
    let short = first.split_whitespace().count() <= 12 && first.len() <= 120;
    let sentence = first.ends_with(['.', '!', '?', ',', ';', ':']);
    (blank_after && short && !sentence).then(|| first.to_owned())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonLine {
    id: Option<serde_json::Value>,
    title: String,
    text: String,
    url: Option<String>,
    license: Option<String>,
    date: Option<String>,
    language: Option<String>,
}

fn load_json_lines(
    path: &Path,
    text: &str,
    report: &mut LoadReport,
    sink: &mut dyn FnMut(Document),
) {
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let problem = |message: String| {
            LoadProblem(CorpusError::Line {
                path: path.to_owned(),
                line: index + 1,
                message,
            })
        };
        let record: JsonLine = match serde_json::from_str(line) {
            Ok(record) => record,
            Err(error) => {
                report.problems.push(problem(format!(
                    "expected {{\"id\"?, \"title\", \"text\", \"url\"?, \"license\"?, \"date\"?, \"language\"?}}: {error}"
                )));
                continue;
            }
        };
        if record.title.trim().is_empty() || record.text.trim().is_empty() {
            report
                .problems
                .push(problem("\"title\" and \"text\" must not be empty".into()));
            continue;
        }
        let id = match record.id {
            None | Some(serde_json::Value::Null) => record.title.clone(),
            Some(serde_json::Value::String(id)) if !id.trim().is_empty() => id,
            Some(serde_json::Value::Number(id)) => id.to_string(),
            Some(_) => {
                report.problems.push(problem(
                    "\"id\" must be a non-empty string or a number".into(),
                ));
                continue;
            }
        };
        sink(Document {
            id,
            title: record.title,
            text: record.text,
            url: record.url.filter(|url| !url.trim().is_empty()),
            license: record.license.filter(|l| !l.trim().is_empty()),
            date: record.date.as_deref().and_then(crate::normalize_date),
            language: record
                .language
                .as_deref()
                .and_then(crate::normalize_language),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, contents: &[u8]) -> PathBuf {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, contents).unwrap();
        path
    }

    #[test]
    fn default_corpus_gets_urls_and_licence() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "summaries.json",
            br#"{"Famine": {"title": "Famine", "extract": "A famine is a scarcity of food.", "topic": "x"},
                 "Empty": {"title": "Empty", "extract": ""}}"#,
        );
        let documents = load_default_corpus(&path).unwrap();
        assert_eq!(documents.len(), 1);
        assert_eq!(documents[0].id, "Famine");
        assert_eq!(
            documents[0].url.as_deref(),
            Some("https://en.wikipedia.org/wiki/Famine")
        );
        assert_eq!(documents[0].license.as_deref(), Some(WIKIPEDIA_LICENSE));
    }

    #[test]
    fn malformed_default_corpus_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "broken.json", b"{\"a\": ");
        let error = load_default_corpus(&path).unwrap_err().to_string();
        assert!(error.contains("broken.json"), "{error}");
    }

    #[test]
    fn directory_load_reports_bad_files_and_keeps_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "good.md",
            b"# Why rivers flood\n\nRain falls. Rivers rise.",
        );
        write(
            dir.path(),
            "notes/plain_text.txt",
            b"Plain text without heading.",
        );
        write(dir.path(), "titled.txt", b"River floods\n\nA river floods.");
        write(dir.path(), "bad.txt", &[0xff, 0xfe, 0x00, 0x41]);
        write(dir.path(), "empty.txt", b"  \n");
        write(dir.path(), "image.png", b"\x89PNG");
        write(dir.path(), ".hidden.txt", b"Hidden.");
        write(
            dir.path(),
            "more.jsonl",
            b"{\"title\": \"T1\", \"text\": \"First.\", \"url\": \"https://example.org/1\"}\nnot json\n\n{\"id\": 7, \"title\": \"T2\", \"text\": \"Second.\"}\n{\"title\": \"\", \"text\": \"x\"}\n",
        );
        let report = load_path(dir.path());
        let ids: Vec<&str> = report.documents.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(
            ids,
            ["good.md", "T1", "7", "notes/plain_text.txt", "titled.txt"]
        );
        assert_eq!(report.documents[0].title, "Why rivers flood");
        assert_eq!(report.documents[3].title, "plain text");
        assert_eq!(report.documents[4].title, "River floods");
        assert_eq!(
            report.documents[1].url.as_deref(),
            Some("https://example.org/1")
        );
        assert_eq!(report.skipped_files, 1);
        let problems: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(
            problems
                .iter()
                .any(|p| p.contains("bad.txt") && p.contains("UTF-8"))
        );
        assert!(problems.iter().any(|p| p.contains("empty.txt")));
        assert!(problems.iter().any(|p| p.contains("more.jsonl:2")));
        assert!(problems.iter().any(|p| p.contains("more.jsonl:5")));
    }

    #[test]
    fn missing_path_and_unsupported_file_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let report = load_path(&dir.path().join("nope"));
        assert!(report.problems[0].to_string().contains("nope"));
        let png = write(dir.path(), "x.png", b"");
        let report = load_path(&png);
        assert!(report.problems[0].to_string().contains("unsupported"));
    }
}
