//! Documents and how they are read and cut into pieces.
//!
//! A [`Document`] is the unit `because` ingests: an id, a title, the original text, and
//! optionally a URL and a licence. Loaders turn files into documents:
//!
//! - [`load_default_corpus`] reads the packaged Wikipedia summaries
//!   (a JSON object mapping title → `{title, extract, …}`);
//! - [`load_path`] reads a file or walks a directory of `.txt`, `.md` and `.html` files
//!   (web pages read as their main content, [`read_html`]) and `.jsonl` files with one
//!   `{"id"?, "title", "text", "url"?}` object per line.
//!
//! Loaders never stop at the first bad file: every problem is reported in a
//! [`LoadReport`] with the file (and line) it came from, and the rest goes on.
//!
//! [`split_sentences`] and [`split_passages`] cut a text into byte ranges of the
//! *original* text, so that every quote `because` prints can be traced back to the
//! exact bytes of its source.
//!
//! ```
//! let text = "Dr. Smith arrived at 3.30 p.m. on Monday. He left (quickly) the U.S. embassy.";
//! let sentences: Vec<&str> = corpus::split_sentences(text).iter().map(|r| &text[r.clone()]).collect();
//! assert_eq!(sentences, ["Dr. Smith arrived at 3.30 p.m. on Monday.", "He left (quickly) the U.S. embassy."]);
//! ```

mod document;
mod error;
mod html;
mod load;
mod markdown;
mod pdf;
mod split;
mod web;
mod wiki;

pub use document::{
    Document, WIKIPEDIA_LICENSE, normalize_date, normalize_language, wikipedia_url,
};
pub use error::CorpusError;
pub use html::read_html;
pub use load::{LoadProblem, LoadReport, load_default_corpus, load_path, stream_path};
pub use markdown::{Rendered, read_markdown};
pub use pdf::{PdfError, PdfText, read_pdf};
pub use split::{Passage, split_passages, split_sentences};
pub use web::{
    FetchOptions, FetchStats, Fetcher, ROBOTS_TOKEN, USER_AGENT, WebReport, read_url_list,
};
pub use wiki::{
    DumpStats, WikiArticle, WikiSection, read_dump, wikitext_to_prose, wikitext_to_sections,
};
