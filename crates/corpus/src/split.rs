//! Sentence and passage splitting over byte ranges of the original text.
//!
//! Invariants (checked by property tests):
//! - every range lies on `char` boundaries, ranges are in order and never overlap;
//! - ranges are trimmed: they neither start nor end with whitespace;
//! - every non-whitespace character of the text lies in exactly one sentence, so
//!   splitting and re-joining with the gaps loses nothing.
//!
//! A sentence ends at `.`, `!`, `?` or `…` (with any closing quotes and brackets that
//! follow) when whitespace and a plausible sentence start come next. It does not end
//! inside an open quotation or bracket, after a title abbreviation (`Dr.`, `St.`), after
//! `e.g.`/`i.e.`, inside a decimal (`3.5`), or after an initial (`Arthur C. Clarke`,
//! `the U.S. embassy`) unless a typical sentence opener follows. Paragraph breaks and
//! Markdown headings or list items always end a sentence.

use std::ops::Range;

/// Quotations or brackets longer than this are assumed to be unbalanced (a stray `"` used
/// for inches, say) and stop protecting the text inside them.
const MAX_ENCLOSED_BYTES: usize = 1200;

/// Passages pack whole sentences up to about this many bytes.
const MAX_PASSAGE_BYTES: usize = 800;

/// Abbreviations that are never the end of a sentence: titles before names and Latin forms.
const NEVER_FINAL: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "ft", "gen", "col", "lt", "sgt",
    "capt", "cmdr", "adm", "maj", "rev", "hon", "gov", "sen", "rep", "pres", "supt", "messrs",
    "e.g", "i.e", "cf", "vs", "viz", "approx", "ca", "c", "al", "fl", "b", "d", "lit",
];

/// Abbreviations that are not final when a number follows (`No. 5`, `p. 12`).
const BEFORE_NUMBER: &[&str] = &[
    "no", "nos", "vol", "vols", "p", "pp", "fig", "figs", "art", "ch", "sec", "op", "nr",
];

/// Abbreviations that usually continue a sentence but may end one (`etc.`, `Inc.`, `Jan.`):
/// final only when a typical sentence opener follows.
const SOMETIMES_FINAL: &[&str] = &[
    "etc", "inc", "ltd", "co", "corp", "bros", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "est", "dept", "univ", "assn",
];

/// Words that typically open a sentence; after an ambiguous abbreviation or an initial,
/// one of these makes the full stop final.
const SENTENCE_OPENERS: &[&str] = &[
    "the",
    "a",
    "an",
    "it",
    "its",
    "this",
    "that",
    "these",
    "those",
    "he",
    "she",
    "they",
    "we",
    "i",
    "in",
    "on",
    "at",
    "as",
    "after",
    "before",
    "during",
    "when",
    "while",
    "since",
    "but",
    "however",
    "there",
    "his",
    "her",
    "their",
    "our",
    "many",
    "most",
    "some",
    "one",
    "each",
    "both",
    "following",
    "today",
    "by",
    "for",
    "from",
    "with",
    "although",
    "because",
    "if",
];

const TERMINATORS: &[char] = &['.', '!', '?', '…'];
const CLOSERS: &[char] = &['"', '\'', '”', '’', ')', ']', '»', '}'];

/// Splits `text` into sentences, returned as trimmed byte ranges of `text`.
pub fn split_sentences(text: &str) -> Vec<Range<usize>> {
    Splitter::new(text).run()
}

/// A group of consecutive sentences: the unit of lexical retrieval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    /// Byte range in the original text, from the first sentence's start to the last one's end.
    pub range: Range<usize>,
    /// Indices into the sentence list this passage was built from.
    pub sentences: Range<usize>,
}

/// Packs sentences (as returned by [`split_sentences`]) into passages. A passage never
/// crosses a line break (paragraphs stay apart) and stays under about 800 bytes unless a
/// single sentence is longer.
pub fn split_passages(text: &str, sentences: &[Range<usize>]) -> Vec<Passage> {
    let mut passages = Vec::new();
    let mut first = 0;
    for index in 0..sentences.len() {
        if index > first {
            let gap = &text[sentences[index - 1].end..sentences[index].start];
            let too_long = sentences[index].end - sentences[first].start > MAX_PASSAGE_BYTES;
            if gap.contains('\n') || too_long {
                passages.push(Passage {
                    range: sentences[first].start..sentences[index - 1].end,
                    sentences: first..index,
                });
                first = index;
            }
        }
    }
    if first < sentences.len() {
        passages.push(Passage {
            range: sentences[first].start..sentences[sentences.len() - 1].end,
            sentences: first..sentences.len(),
        });
    }
    passages
}

struct Splitter<'a> {
    text: &'a str,
    sentences: Vec<Range<usize>>,
    /// Start of the sentence being read (may still point at whitespace).
    start: usize,
    /// Byte offsets where the currently open brackets were opened.
    open_brackets: Vec<usize>,
    /// Byte offset of the open double quotation, if any.
    open_quote: Option<usize>,
}

impl<'a> Splitter<'a> {
    fn new(text: &'a str) -> Self {
        Splitter {
            text,
            sentences: Vec::new(),
            start: 0,
            open_brackets: Vec::new(),
            open_quote: None,
        }
    }

    fn run(mut self) -> Vec<Range<usize>> {
        let text = self.text;
        let mut position = 0;
        while let Some(ch) = text[position..].chars().next() {
            let next = position + ch.len_utf8();
            match ch {
                '(' | '[' | '{' => self.open_brackets.push(position),
                ')' | ']' | '}' => {
                    self.open_brackets.pop();
                }
                '“' => self.open_quote = Some(position),
                '”' => self.open_quote = None,
                '"' => self.toggle_quote(position),
                '\n' if self.is_line_boundary(position) => {
                    self.finish(position);
                    position = next;
                    continue;
                }
                _ => {}
            }
            if TERMINATORS.contains(&ch)
                && let Some(end) = self.sentence_end(position)
            {
                self.finish(end);
                position = end;
                continue;
            }
            position = next;
        }
        self.finish(text.len());
        self.sentences
    }

    fn toggle_quote(&mut self, position: usize) {
        self.open_quote = match self.open_quote {
            Some(_) => None,
            None => Some(position),
        };
    }

    /// Records the sentence from `self.start` to `end` (trimmed) and resets the state.
    fn finish(&mut self, end: usize) {
        let raw = &self.text[self.start..end];
        let leading = raw.len() - raw.trim_start().len();
        let trimmed = raw.trim();
        if !trimmed.is_empty() {
            let from = self.start + leading;
            self.sentences.push(from..from + trimmed.len());
        }
        self.start = end;
        self.open_brackets.clear();
        self.open_quote = None;
    }

    /// A newline ends the sentence at a paragraph break (blank line), before a Markdown
    /// heading or list item, or after a Markdown heading line.
    fn is_line_boundary(&self, newline: usize) -> bool {
        let after = &self.text[newline + 1..];
        let next_line = after.trim_start_matches([' ', '\t', '\r']);
        if next_line.starts_with('\n') {
            return true;
        }
        let line_start = self.text[..newline].rfind('\n').map_or(0, |i| i + 1);
        let this_line = self.text[line_start..newline].trim_start();
        this_line.starts_with('#') || starts_block(next_line)
    }

    /// If the terminator at `position` ends a sentence, the byte offset just past the
    /// terminator run and any closing quotes or brackets.
    fn sentence_end(&self, position: usize) -> Option<usize> {
        let text = self.text;
        let mut end = position;
        let mut run = String::new();
        for ch in text[position..].chars() {
            if TERMINATORS.contains(&ch) {
                run.push(ch);
                end += ch.len_utf8();
            } else {
                break;
            }
        }
        // Closers after the terminator may end the enclosure; look at them without changing
        // the state, which the main loop updates as it walks over them.
        let mut closed = false;
        let mut open_quote = self.open_quote;
        let mut open_brackets = self.open_brackets.len();
        for ch in text[end..].chars() {
            if !CLOSERS.contains(&ch) {
                break;
            }
            match ch {
                ')' | ']' | '}' => open_brackets = open_brackets.saturating_sub(1),
                '"' | '”' => open_quote = None,
                _ => {}
            }
            closed = true;
            end += ch.len_utf8();
        }
        let recent = |opened: usize| position - opened <= MAX_ENCLOSED_BYTES;
        let in_brackets = open_brackets > 0 && recent(self.open_brackets[open_brackets - 1]);
        if open_quote.is_some_and(recent) || in_brackets {
            return None;
        }
        let rest = &text[end..];
        let after_space = rest.trim_start();
        if after_space.is_empty() {
            return Some(end);
        }
        if after_space.len() == rest.len() {
            // No whitespace: a decimal, a domain name, an initialism like U.S.A.
            return None;
        }
        let next_word = first_word(after_space);
        if !starts_sentence(after_space) {
            return None;
        }
        if run == "." && !closed {
            let word = word_before(text, position);
            let lower = word.to_lowercase();
            if NEVER_FINAL.contains(&lower.as_str()) {
                return None;
            }
            if BEFORE_NUMBER.contains(&lower.as_str())
                && after_space.starts_with(|c: char| c.is_ascii_digit())
            {
                return None;
            }
            let ambiguous = SOMETIMES_FINAL.contains(&lower.as_str()) || is_initial(word);
            if ambiguous && !SENTENCE_OPENERS.contains(&next_word.to_lowercase().as_str()) {
                return None;
            }
        }
        Some(end)
    }
}

/// Markdown list items and headings start a block of their own.
fn starts_block(line: &str) -> bool {
    if line.starts_with('#') || line.starts_with("> ") {
        return true;
    }
    if let Some(rest) = line.strip_prefix(['-', '*', '+']) {
        return rest.starts_with(' ');
    }
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    digits > 0 && digits < 4 && {
        let rest = &line[digits..];
        (rest.starts_with(". ") || rest.starts_with(") ")) && digits > 0
    }
}

/// Could `rest` (starting at a non-space character) open a new sentence?
fn starts_sentence(rest: &str) -> bool {
    let mut chars = rest.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let opener = matches!(first, '"' | '“' | '\'' | '‘' | '(' | '[' | '«' | '¿' | '¡');
    let first = if opener {
        match chars.next() {
            Some(ch) => ch,
            None => return false,
        }
    } else {
        first
    };
    first.is_uppercase()
        || first.is_ascii_digit()
        || (first.is_alphabetic() && !first.is_lowercase())
        || matches!(first, '#' | '*' | '-' | '•')
}

fn first_word(text: &str) -> &str {
    let text = text.trim_start_matches(|c: char| !c.is_alphanumeric());
    let end = text
        .find(|c: char| !c.is_alphanumeric())
        .unwrap_or(text.len());
    &text[..end]
}

/// The word (letters and inner dots) ending just before byte `position`.
fn word_before(text: &str, position: usize) -> &str {
    let before = &text[..position];
    let start = before
        .rfind(|c: char| !(c.is_alphabetic() || c == '.'))
        .map_or(0, |i| {
            i + before[i..].chars().next().map_or(1, char::len_utf8)
        });
    before[start..].trim_start_matches('.')
}

/// A single capital (`C` in `Arthur C. Clarke`) or a dotted initialism (`U.S`, `J.R.R`).
fn is_initial(word: &str) -> bool {
    let mut chars = word.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => c.is_uppercase(),
        _ => {
            word.contains('.')
                && word
                    .split('.')
                    .all(|part| part.chars().count() == 1 && part.chars().all(char::is_alphabetic))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(text: &str) -> Vec<&str> {
        split_sentences(text)
            .into_iter()
            .map(|range| &text[range])
            .collect()
    }

    #[test]
    fn splits_plain_sentences() {
        assert_eq!(
            sentences("One fish. Two fish! Red fish? Blue fish."),
            ["One fish.", "Two fish!", "Red fish?", "Blue fish."]
        );
    }

    #[test]
    fn keeps_titles_and_latin_abbreviations() {
        assert_eq!(
            sentences(
                "Dr. Jones met Mr. Smith at St. Paul's. They talked, e.g. about rain, i.e. weather. Done."
            ),
            [
                "Dr. Jones met Mr. Smith at St. Paul's.",
                "They talked, e.g. about rain, i.e. weather.",
                "Done."
            ]
        );
    }

    #[test]
    fn keeps_decimals_and_numbers() {
        assert_eq!(
            sentences(
                "Some 16.4 million shares were traded. See No. 5 and p. 12 for more. It ended."
            ),
            [
                "Some 16.4 million shares were traded.",
                "See No. 5 and p. 12 for more.",
                "It ended."
            ]
        );
    }

    #[test]
    fn keeps_initials_and_initialisms() {
        assert_eq!(
            sentences(
                "It was co-written with Arthur C. Clarke in 1968. J. R. R. Tolkien wrote it. The U.S. Army came."
            ),
            [
                "It was co-written with Arthur C. Clarke in 1968.",
                "J. R. R. Tolkien wrote it.",
                "The U.S. Army came."
            ]
        );
    }

    #[test]
    fn initialism_can_end_a_sentence_before_an_opener() {
        assert_eq!(
            sentences("Among them were the U.S. The war ended in 1918 in the U.S. It was over."),
            [
                "Among them were the U.S.",
                "The war ended in 1918 in the U.S.",
                "It was over."
            ]
        );
    }

    #[test]
    fn etc_ends_a_sentence_only_before_an_opener() {
        assert_eq!(
            sentences("Apples, pears, etc. were sold. They sold fruit, nuts, etc. The end."),
            [
                "Apples, pears, etc. were sold.",
                "They sold fruit, nuts, etc.",
                "The end."
            ]
        );
    }

    #[test]
    fn a_quoted_passage_is_never_cut_in_half() {
        let text = "A refugee is a person \"forced to flee their own country. They are unable to return.\" Such a person may be called an asylum seeker.";
        assert_eq!(
            sentences(text),
            [
                "A refugee is a person \"forced to flee their own country. They are unable to return.\"",
                "Such a person may be called an asylum seeker."
            ]
        );
        let curly = "He said “Stop. Now.” Then he left.";
        assert_eq!(sentences(curly), ["He said “Stop. Now.”", "Then he left."]);
    }

    #[test]
    fn question_inside_quotes_followed_by_lowercase_continues() {
        assert_eq!(
            sentences("She asked \"why?\" and walked away. Later she returned."),
            ["She asked \"why?\" and walked away.", "Later she returned."]
        );
    }

    #[test]
    fn brackets_keep_their_sentences_together() {
        assert_eq!(
            sentences(
                "The river (called the Nile. Or so they say.) floods yearly. Farmers rely on it."
            ),
            [
                "The river (called the Nile. Or so they say.) floods yearly.",
                "Farmers rely on it."
            ]
        );
        assert_eq!(
            sentences("He left early. (He was tired.) The rest stayed."),
            ["He left early.", "(He was tired.)", "The rest stayed."]
        );
    }

    #[test]
    fn an_unbalanced_quote_does_not_swallow_the_text() {
        let long = "word ".repeat(300);
        let text = format!("He is 6\" tall. {long}end. Next sentence here.");
        let found = sentences(&text);
        assert_eq!(found.last(), Some(&"Next sentence here."));
    }

    #[test]
    fn ellipsis_and_combined_terminators() {
        assert_eq!(
            sentences("Wait... what?! It is over… The end."),
            ["Wait... what?!", "It is over…", "The end."]
        );
    }

    #[test]
    fn paragraphs_and_markdown_blocks_end_sentences() {
        let text = "# Causes of famine\nFamine has many causes\n\nWar is one of them.\n- drought\n- crop failure";
        assert_eq!(
            sentences(text),
            [
                "# Causes of famine",
                "Famine has many causes",
                "War is one of them.",
                "- drought",
                "- crop failure"
            ]
        );
    }

    #[test]
    fn soft_line_wraps_do_not_end_sentences() {
        assert_eq!(
            sentences("A sentence that wraps\nonto the next line. Another."),
            ["A sentence that wraps\nonto the next line.", "Another."]
        );
    }

    #[test]
    fn non_latin_text_and_empty_input() {
        assert!(sentences("").is_empty());
        assert!(sentences("   \n\n  ").is_empty());
        assert_eq!(sentences("Это кот. Это пёс."), ["Это кот.", "Это пёс."]);
    }

    #[test]
    fn passages_pack_sentences_and_respect_paragraphs() {
        let text = "One. Two.\nThree. Four.";
        let found = split_sentences(text);
        let passages = split_passages(text, &found);
        assert_eq!(passages.len(), 2);
        assert_eq!(&text[passages[0].range.clone()], "One. Two.");
        assert_eq!(passages[1].sentences, 2..4);

        let long: String = (0..60)
            .map(|i| format!("Sentence number {i} is here. "))
            .collect();
        let found = split_sentences(&long);
        let passages = split_passages(&long, &found);
        assert!(passages.len() > 1);
        assert!(passages.iter().all(|p| p.range.len() <= MAX_PASSAGE_BYTES));
        let covered: usize = passages.iter().map(|p| p.sentences.len()).sum();
        assert_eq!(covered, found.len());
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        fn tricky_text() -> impl Strategy<Value = String> {
            let pieces = prop::sample::select(vec![
                "Dr.", "U.S.", "e.g.", "3.5", " ", " ", "\n", "\n\n", "word", "Word", ".", "!",
                "?", "\"", "“", "”", "(", ")", "[", "]", "'", "…", "é", "日本", "#", "- ", "1. ",
                "\t", "etc.", "A.", "The", "\u{202e}", "\u{0}",
            ]);
            prop::collection::vec(pieces, 0..60).prop_map(|parts| parts.concat())
        }

        proptest! {
            #[test]
            fn sentences_cover_all_text_in_order(text in tricky_text()) {
                let ranges = split_sentences(&text);
                let mut last_end = 0;
                for range in &ranges {
                    prop_assert!(range.start >= last_end);
                    prop_assert!(range.start < range.end);
                    prop_assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end));
                    let gap = &text[last_end..range.start];
                    prop_assert!(gap.trim().is_empty(), "lost text {:?}", gap);
                    let sentence = &text[range.clone()];
                    prop_assert_eq!(sentence, sentence.trim());
                    last_end = range.end;
                }
                prop_assert!(text[last_end..].trim().is_empty());
                let passages = split_passages(&text, &ranges);
                let covered: usize = passages.iter().map(|p| p.sentences.len()).sum();
                prop_assert_eq!(covered, ranges.len());
            }
        }
    }
}
