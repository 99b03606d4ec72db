//! A question as asked: validated, cleaned, normalised for reuse, and turned into a slug.

/// Questions longer than this (in characters) are refused.
pub const MAX_QUESTION_CHARS: usize = 300;

/// Why a question was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuestionError {
    #[error("the question is empty")]
    Empty,
    #[error("the question is {chars} characters long; the limit is {MAX_QUESTION_CHARS}")]
    TooLong { chars: usize },
    #[error(
        "this is not a question: ask why something happens or what causes it, for example \"Why do famines happen?\""
    )]
    NotAQuestion,
}

/// Words a question in English opens with.
const INTERROGATIVES: &[&str] = &[
    "why", "how", "what", "whats", "what's", "when", "where", "who", "whom", "whose", "which",
    "is", "are", "was", "were", "do", "does", "did", "can", "could", "should", "would", "will",
    "has", "have", "had",
];

/// A validated question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// The question as it will be shown: control and bidirectional-override characters
    /// removed, whitespace collapsed.
    pub text: String,
    /// Lowercase words only: two questions that differ in case, punctuation or spacing
    /// have the same normalised form and share one article.
    pub normalized: String,
}

impl Question {
    pub fn parse(raw: &str) -> Result<Question, QuestionError> {
        let cleaned: String = raw
            .chars()
            .map(|c| if is_invisible_hazard(c) { ' ' } else { c })
            .collect();
        let text = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.is_empty() {
            return Err(QuestionError::Empty);
        }
        let chars = text.chars().count();
        if chars > MAX_QUESTION_CHARS {
            return Err(QuestionError::TooLong { chars });
        }
        let normalized = normalize(&text);
        if normalized.is_empty() {
            return Err(QuestionError::Empty);
        }
        Ok(Question { text, normalized })
    }

    /// Whether this reads as a question someone could want explained: at least two words,
    /// and a question mark at the end or a question word first. A site publishes nothing
    /// else ("hello" is no article).
    pub fn require_question(&self) -> Result<(), QuestionError> {
        let mut words = self.normalized.split(' ');
        let first = words.next().unwrap_or("");
        let enough = words.next().is_some();
        let asks = self.text.ends_with('?')
            || self.text.ends_with('\u{ff1f}')
            || INTERROGATIVES.contains(&first);
        if enough && asks {
            Ok(())
        } else {
            Err(QuestionError::NotAQuestion)
        }
    }

    /// A URL-safe identifier: ASCII words of the normalised question joined by `-`,
    /// at most 80 bytes; questions without ASCII words get a hash-based slug.
    pub fn slug(&self) -> String {
        let mut slug = String::new();
        for word in self.normalized.split(' ') {
            let ascii: String = word.chars().filter(char::is_ascii_alphanumeric).collect();
            if ascii.is_empty() {
                continue;
            }
            if slug.len() + ascii.len() + 1 > 80 {
                break;
            }
            if !slug.is_empty() {
                slug.push('-');
            }
            slug.push_str(&ascii);
        }
        if slug.len() < 3 {
            slug = format!("q-{:016x}", fnv1a(self.normalized.as_bytes()));
        }
        slug
    }
}

/// Control characters and bidirectional overrides can hide or reorder text; they never
/// belong in a question.
fn is_invisible_hazard(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

fn normalize(text: &str) -> String {
    let mut words = Vec::new();
    for raw in text.split(|c: char| c.is_whitespace() || (c.is_ascii_punctuation() && c != '\'')) {
        let word: String = raw
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        if !word.is_empty() {
            words.push(word);
        }
    }
    words.join(" ")
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf29ce484222325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x100000001b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_questions_are_questions() {
        let asks = |text: &str| Question::parse(text).unwrap().require_question().is_ok();
        for question in [
            "Why do famines happen?",
            "why is the sky blue",
            "What causes diabetes",
            "How come cats purr?",
            "The Titanic sank because?",
            "Did Rome fall because of lead?",
            "famines in ireland?",
        ] {
            assert!(asks(question), "{question}");
        }
        for not in [
            "hello",
            "hello?",
            "Why?",
            "buy cheap watches",
            "Titanic",
            "<b>x</b>",
        ] {
            assert!(!asks(not), "{not}");
        }
    }

    #[test]
    fn same_question_in_other_case_and_punctuation_normalises_alike() {
        let a = Question::parse("Why do famines happen?").unwrap();
        let b = Question::parse("  why DO famines   happen!!").unwrap();
        assert_eq!(a.normalized, b.normalized);
        assert_eq!(a.slug(), "why-do-famines-happen");
        assert_eq!(
            Question::parse("Why didn't NATO act?").unwrap().slug(),
            "why-didnt-nato-act"
        );
    }

    #[test]
    fn empty_and_overlong_questions_are_refused() {
        assert_eq!(Question::parse("  \t\n "), Err(QuestionError::Empty));
        assert_eq!(Question::parse("?!"), Err(QuestionError::Empty));
        let long = "why ".repeat(100);
        assert!(matches!(
            Question::parse(&long),
            Err(QuestionError::TooLong { .. })
        ));
        assert!(Question::parse(&"é".repeat(300)).is_ok());
    }

    #[test]
    fn control_and_bidi_characters_are_removed() {
        let q = Question::parse("Why\u{0}do\u{202e}famines\u{7}happen?").unwrap();
        assert_eq!(q.text, "Why do famines happen?");
    }

    #[test]
    fn html_stays_text_and_slug_stays_safe() {
        let q = Question::parse("<script>alert(1)</script> why?").unwrap();
        assert_eq!(q.text, "<script>alert(1)</script> why?");
        assert!(
            q.slug()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        );
        let cyrillic = Question::parse("Почему бывает голод?").unwrap();
        assert!(cyrillic.slug().starts_with("q-"));
    }
}
