//! Text analysis shared by indexing and querying, so that both see the same terms.

use std::ops::Range;

use tantivy::tokenizer::{LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer};

/// Name under which the analyzer is registered with tantivy.
pub(crate) const ANALYZER: &str = "because_en";

pub(crate) fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(Stemmer::default())
        .build()
}

/// A term of analysed text: its stem and where the word it came from lies in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub stem: String,
    /// Byte range of the original word.
    pub range: Range<usize>,
}

/// A query term with its weight (an IDF-like importance chosen by the caller).
#[derive(Debug, Clone, PartialEq)]
pub struct WeightedTerm {
    pub stem: String,
    pub weight: f32,
}

pub(crate) fn tokenize(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Token> {
    let mut stream = analyzer.token_stream(text);
    let mut tokens = Vec::new();
    while stream.advance() {
        let token = stream.token();
        tokens.push(Token {
            stem: token.text.clone(),
            range: token.offset_from..token.offset_to,
        });
    }
    tokens
}
