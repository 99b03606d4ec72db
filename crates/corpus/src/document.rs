use sha2::{Digest, Sha256};

/// The licence of Wikipedia text, shown beside every source taken from it.
pub const WIKIPEDIA_LICENSE: &str = "CC BY-SA 4.0";

/// One ingested text. `text` is kept exactly as read: sentence and passage offsets
/// are byte offsets into it, never into a normalised copy.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Document {
    /// Stable identity across re-ingests (a Wikipedia title, a relative file path, a JSONL id).
    pub id: String,
    pub title: String,
    pub text: String,
    pub url: Option<String>,
    pub license: Option<String>,
    /// When it was published (or last changed, where that is all a source says), as an ISO
    /// 8601 date `YYYY-MM-DD`: from front matter, a page's metadata, `Last-Modified`, a wiki
    /// revision.
    pub date: Option<String>,
    /// Its language as a lowercase BCP 47 tag (`en`, `de-ch`), where the source says.
    pub language: Option<String>,
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
        // Date and language count only when given, so that documents without them keep the
        // hash they had before these fields existed (and are not re-indexed for nothing).
        for (name, field) in [("date", &self.date), ("language", &self.language)] {
            if let Some(value) = field {
                hasher.update(name.as_bytes());
                hasher.update((value.len() as u64).to_le_bytes());
                hasher.update(value.as_bytes());
            }
        }
        hasher
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

/// An ISO 8601 date from the start of `text` (`2024-03-01`, `2024-03-01T09:30:00Z`), or from
/// an HTTP date (`Fri, 01 Mar 2024 09:30:00 GMT`); `None` for anything else.
pub fn normalize_date(text: &str) -> Option<String> {
    let text = text.trim();
    let iso = text.get(..10).filter(|head| {
        head.as_bytes().iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
    });
    let (year, month, day) = match iso {
        Some(head) => (
            head[..4].parse::<i32>().ok()?,
            head[5..7].parse::<u8>().ok()?,
            head[8..10].parse::<u8>().ok()?,
        ),
        None => {
            // "Fri, 01 Mar 2024 09:30:00 GMT"
            let mut parts = text.split_whitespace().skip(1);
            let day = parts.next()?.parse::<u8>().ok()?;
            let month = parts.next()?;
            let year = parts.next()?.parse::<i32>().ok()?;
            const MONTHS: [&str; 12] = [
                "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
            ];
            let month = MONTHS.iter().position(|m| month.eq_ignore_ascii_case(m))? as u8 + 1;
            (year, month, day)
        }
    };
    let valid = (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && (1000..=9999).contains(&year)
        && day <= days_in_month(year, month);
    valid.then(|| format!("{year:04}-{month:02}-{day:02}"))
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A language tag as BCP 47 writes it, lowercased (`en`, `pt-br`, `zh-hant`); `None` when
/// `text` is not one.
pub fn normalize_language(text: &str) -> Option<String> {
    let tag = text.trim().replace('_', "-").to_ascii_lowercase();
    let mut parts = tag.split('-');
    let primary = parts.next()?;
    let primary_ok =
        (2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_lowercase());
    let rest_ok =
        parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    (primary_ok && rest_ok && tag.len() <= 35).then_some(tag)
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
            date: None,
            language: None,
        }
    }

    #[test]
    fn dates_and_languages_are_normalised_or_refused() {
        assert_eq!(normalize_date("2024-03-01").as_deref(), Some("2024-03-01"));
        assert_eq!(
            normalize_date(" 2024-03-01T09:30:00Z").as_deref(),
            Some("2024-03-01")
        );
        assert_eq!(
            normalize_date("Fri, 01 Mar 2024 09:30:00 GMT").as_deref(),
            Some("2024-03-01")
        );
        assert_eq!(normalize_date("2024-02-29").as_deref(), Some("2024-02-29"));
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "yesterday",
            "01/03/2024",
            "",
            "2024-3-1",
        ] {
            assert_eq!(normalize_date(bad), None, "{bad}");
        }
        assert_eq!(normalize_language("en").as_deref(), Some("en"));
        assert_eq!(normalize_language("pt_BR").as_deref(), Some("pt-br"));
        assert_eq!(
            normalize_language("zh-Hant-TW").as_deref(),
            Some("zh-hant-tw")
        );
        for bad in ["english", "e", "<script>", "en--us", ""] {
            assert_eq!(normalize_language(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_document_without_date_or_language_keeps_its_hash() {
        let plain = doc("x");
        let dated = Document {
            date: Some("2024-03-01".into()),
            ..doc("x")
        };
        assert_ne!(plain.content_hash(), dated.content_hash());
        // The hash of a document without them is the one from before they existed (the
        // length-prefixed SHA-256 of id, title, text, url and licence, computed independently).
        assert_eq!(
            plain.content_hash(),
            "f6f6f4e5777b51cf46e7e8001348242a382b8151c101b0f44452e95ad6a574ca"
        );
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
