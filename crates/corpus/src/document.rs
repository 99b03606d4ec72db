use sha2::{Digest, Sha256};

/// The licence of Wikipedia text, shown beside every source taken from it.
pub const WIKIPEDIA_LICENSE: &str = "CC BY-SA 4.0";

/// One ingested text. `text` is kept exactly as read: sentence and passage offsets
/// are byte offsets into it, never into a normalised copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Stable identity across re-ingests (a Wikipedia title, a relative file path, a JSONL id).
    pub id: String,
    pub title: String,
    pub text: String,
    pub url: Option<String>,
    pub license: Option<String>,
}

impl Document {
    /// A hex SHA-256 over every field, so that re-ingesting an unchanged document is a no-op
    /// and any change to its text, title, URL or licence is picked up.
    pub fn content_hash(&self) -> String {
        let mut hasher = Sha256::new();
        for field in [
            self.id.as_str(),
            self.title.as_str(),
            self.text.as_str(),
            self.url.as_deref().unwrap_or(""),
            self.license.as_deref().unwrap_or(""),
        ] {
            hasher.update((field.len() as u64).to_le_bytes());
            hasher.update(field.as_bytes());
        }
        hasher
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

/// The address of a Wikipedia article: the title with spaces as underscores.
pub fn wikipedia_url(title: &str) -> String {
    let mut url = String::from("https://en.wikipedia.org/wiki/");
    for ch in title.chars() {
        match ch {
            ' ' => url.push('_'),
            // Characters that would end or confuse the path part of a URL.
            '?' => url.push_str("%3F"),
            '#' => url.push_str("%23"),
            '%' => url.push_str("%25"),
            '"' => url.push_str("%22"),
            '<' => url.push_str("%3C"),
            '>' => url.push_str("%3E"),
            _ => url.push(ch),
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Document {
        Document {
            id: "a".into(),
            title: "A".into(),
            text: text.into(),
            url: None,
            license: None,
        }
    }

    #[test]
    fn hash_changes_with_text_and_is_stable() {
        assert_eq!(doc("x").content_hash(), doc("x").content_hash());
        assert_ne!(doc("x").content_hash(), doc("y").content_hash());
        assert_eq!(doc("x").content_hash().len(), 64);
    }

    #[test]
    fn hash_does_not_confuse_field_boundaries() {
        let mut a = doc("bc");
        a.title = "A".into();
        let mut b = doc("c");
        b.title = "Ab".into();
        assert_ne!(a.content_hash(), b.content_hash());
    }

    #[test]
    fn wikipedia_urls_use_underscores_and_escape_specials() {
        assert_eq!(
            wikipedia_url("Sinking of the Titanic"),
            "https://en.wikipedia.org/wiki/Sinking_of_the_Titanic"
        );
        assert_eq!(
            wikipedia_url("Who? #1"),
            "https://en.wikipedia.org/wiki/Who%3F_%231"
        );
    }
}
