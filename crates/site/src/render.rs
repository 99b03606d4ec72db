//! Server-rendered HTML. Templates are compiled into the binary; minijinja escapes every
//! value in `.html` templates, so nothing a visitor typed reaches a page unescaped.

use std::sync::LazyLock;

use explain::Article;
use minijinja::value::Serde;
use minijinja::{Environment, context};
use serde::Serialize;

use crate::feedback::{MAX_COMMENT_CHARS, Reason, Vote};
use crate::publish::PageMeta;
use crate::store::{ArticleSummary, Feedback};

pub const STYLE_CSS: &str = include_str!("../static/style.css");
pub const FEEDBACK_JS: &str = include_str!("../static/feedback.js");

/// The compiled templates.
pub struct Templates {
    environment: Environment<'static>,
}

static TEMPLATES: LazyLock<Templates> = LazyLock::new(Templates::new);

/// The process-wide templates (compiled once).
pub fn templates() -> &'static Templates {
    &TEMPLATES
}

#[derive(Serialize)]
struct ReasonChoice {
    value: &'static str,
    label: &'static str,
}

/// What the article page shows about the visitor's feedback.
#[derive(Debug, Default)]
pub struct FeedbackView {
    pub counts: Feedback,
    pub vote: Option<Vote>,
    /// Open the optional details for a vote: `Some(true)` after Yes, `Some(false)` after No.
    pub details_for: Option<bool>,
    /// A message for the status line ("Thanks for your feedback!", or what went wrong).
    pub message: Option<String>,
    /// The message says the feedback was not saved.
    pub is_error: bool,
    /// What the visitor typed and chose, kept when a submission was refused.
    pub comment_draft: Option<String>,
    pub reason_draft: Option<String>,
}

fn polarity(helpful: bool) -> &'static str {
    if helpful { "yes" } else { "no" }
}

fn choices(helpful: bool) -> Vec<ReasonChoice> {
    Reason::for_vote(helpful)
        .map(|r| ReasonChoice {
            value: r.as_str(),
            label: r.label(),
        })
        .collect()
}

impl Templates {
    #[allow(clippy::new_without_default)]
    pub fn new() -> Templates {
        let mut environment = Environment::new();
        for (name, source) in [
            ("layout.html", include_str!("../templates/layout.html")),
            ("macros.html", include_str!("../templates/macros.html")),
            ("home.html", include_str!("../templates/home.html")),
            ("article.html", include_str!("../templates/article.html")),
            ("error.html", include_str!("../templates/error.html")),
            ("ask.html", include_str!("../templates/ask.html")),
            ("audit.html", include_str!("../templates/audit.html")),
            ("search.html", include_str!("../templates/search.html")),
            (
                "export_search.html",
                include_str!("../templates/export_search.html"),
            ),
            (
                "admin_login.html",
                include_str!("../templates/admin_login.html"),
            ),
            (
                "admin_home.html",
                include_str!("../templates/admin_home.html"),
            ),
            (
                "admin_article.html",
                include_str!("../templates/admin_article.html"),
            ),
        ] {
            environment
                .add_template(name, source)
                .expect("the built-in templates are valid");
        }
        // A source's date (`YYYY-MM-DD`) as readers write it.
        environment.add_filter("day", |date: String| {
            human_date(&format!("{date}T00:00:00Z"))
        });
        Templates { environment }
    }

    fn render(&self, name: &str, values: minijinja::Value) -> Result<String, minijinja::Error> {
        self.environment.get_template(name)?.render(values)
    }

    pub fn home(
        &self,
        recent: &[ArticleSummary],
        helpful: &[ArticleSummary],
    ) -> Result<String, minijinja::Error> {
        self.render(
            "home.html",
            context! { recent => Serde(recent), helpful => Serde(helpful), interactive => false },
        )
    }

    /// The article page with its feedback widget, and with `meta` the head tags for search
    /// engines and link previews.
    pub fn article(
        &self,
        article: &Article,
        feedback: &FeedbackView,
        meta: Option<&PageMeta>,
    ) -> Result<String, minijinja::Error> {
        let chosen = feedback.reason_draft.clone().or_else(|| {
            feedback
                .vote
                .as_ref()?
                .reason
                .map(|r| r.as_str().to_owned())
        });
        let comment = feedback
            .comment_draft
            .clone()
            .or_else(|| feedback.vote.as_ref()?.comment.clone())
            .unwrap_or_default();
        self.render(
            "article.html",
            context! {
                article => Serde(article),
                meta => meta.map(Serde),
                posted => human_date(&article.posted_at),
                updated => article.updated_at.as_deref().map(human_date),
                evidence_by_source => evidence_by_source(article),
                interactive => true,
                feedback => Serde(feedback.counts),
                vote => Serde(&feedback.vote),
                details_for => feedback.details_for.map(polarity),
                // The form that holds the visitor's comment: the one opened, else their vote's.
                filled => feedback
                    .details_for
                    .or(feedback.vote.as_ref().map(|v| v.helpful))
                    .map(polarity),
                message => feedback.message.clone(),
                is_error => feedback.is_error,
                chosen => chosen,
                comment_length => comment.chars().count(),
                comment => comment,
                yes_reasons => Serde(choices(true)),
                no_reasons => Serde(choices(false)),
                max_comment => MAX_COMMENT_CHARS,
            },
        )
    }

    /// The home page of a static export.
    pub fn export_home(
        &self,
        recent: &[ArticleSummary],
        helpful: &[ArticleSummary],
        export: &ExportView,
    ) -> Result<String, minijinja::Error> {
        self.render(
            "home.html",
            context! {
                recent => Serde(recent),
                helpful => Serde(helpful),
                interactive => false,
                export => Serde(export),
            },
        )
    }

    /// An article page of a static export: no script; the vote posts to the API origin, or
    /// a note says feedback is collected on the live site.
    pub fn export_article(
        &self,
        article: &Article,
        meta: &PageMeta,
        export: &ExportView,
    ) -> Result<String, minijinja::Error> {
        self.render(
            "article.html",
            context! {
                article => Serde(article),
                meta => Serde(meta),
                posted => human_date(&article.posted_at),
                updated => article.updated_at.as_deref().map(human_date),
                evidence_by_source => evidence_by_source(article),
                interactive => false,
                export => Serde(export),
            },
        )
    }

    /// The page a static export serves for search: every article, and why search is absent.
    pub fn export_search(
        &self,
        articles: &[ArticleSummary],
        export: &ExportView,
    ) -> Result<String, minijinja::Error> {
        self.render(
            "export_search.html",
            context! { articles => Serde(articles), export => Serde(export), interactive => false },
        )
    }

    pub fn search(
        &self,
        query: &str,
        results: &[ArticleSummary],
    ) -> Result<String, minijinja::Error> {
        self.render("search.html", context! { query, results => Serde(results) })
    }

    /// A page of the dashboard (`admin_*.html`) with its values.
    pub fn admin(&self, name: &str, values: minijinja::Value) -> Result<String, minijinja::Error> {
        self.render(name, values)
    }

    /// The page a GET of `/ask` shows for a question nobody asked yet: the question and a
    /// button that posts it (a GET never publishes anything).
    pub fn ask_confirm(&self, question: &str, review: bool) -> Result<String, minijinja::Error> {
        self.render("ask.html", context! { question, review })
    }

    pub fn error(
        &self,
        title: &str,
        message: &str,
        question: Option<&str>,
    ) -> Result<String, minijinja::Error> {
        self.render(
            "error.html",
            context! { title, message, show_ask => question.is_some(), question => question.unwrap_or("") },
        )
    }
}

/// For each source (by its number, as text), the sentences quoted from it on which generated
/// sentences rest, each once: what the sources list shows without script.
pub fn evidence_by_source(article: &Article) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut by_source: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for sentence in article.sentences() {
        for evidence in &sentence.evidence {
            let texts = by_source.entry(evidence.source.to_string()).or_default();
            if !texts.contains(&evidence.text) {
                texts.push(evidence.text.clone());
            }
        }
    }
    by_source
}

/// A whole article page without the feedback widget and with the styles inline, for
/// `because ask --format html`.
pub fn render_standalone(article: &Article) -> Result<String, minijinja::Error> {
    templates().render(
        "article.html",
        context! {
            article => Serde(article),
            posted => human_date(&article.posted_at),
            updated => article.updated_at.as_deref().map(human_date),
            evidence_by_source => evidence_by_source(article),
            interactive => false,
            inline_css => STYLE_CSS,
        },
    )
}

/// The report of `because audit --format html`: a whole page, styles inline, every value
/// escaped.
pub fn render_audit(audit: &explain::audit::Audit) -> Result<String, minijinja::Error> {
    templates().render(
        "audit.html",
        context! { audit => Serde(audit), interactive => false, inline_css => STYLE_CSS },
    )
}

/// What pages of a static export need to know.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExportView {
    /// Where the live site answers votes and questions (`https://example.org`), if anywhere.
    pub api_origin: Option<String>,
}

/// `2026-11-24T21:30:00Z` → `24 November 2026`.
pub fn human_date(rfc3339: &str) -> String {
    let format = time::format_description::well_known::Rfc3339;
    match time::OffsetDateTime::parse(rfc3339, &format) {
        Ok(at) => format!("{} {} {}", at.day(), at.month(), at.year()),
        Err(_) => rfc3339.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_like_dates() {
        assert_eq!(human_date("2026-11-24T21:30:00Z"), "24 November 2026");
        assert_eq!(human_date("garbage"), "garbage");
    }

    #[test]
    fn error_page_escapes_what_it_is_given() {
        let html = templates()
            .error(
                "Bad question",
                "<script>alert(1)</script>",
                Some("\"><img src=x onerror=alert(1)>"),
            )
            .unwrap();
        assert!(!html.contains("<script>alert(1)"));
        assert!(!html.contains("<img src=x"));
        assert!(html.contains("&lt;script&gt;"));
    }

    #[test]
    fn a_generated_sentence_shows_the_evidence_it_rests_on_escaped() {
        let mut article: Article = serde_json::from_value(serde_json::json!({
            "question": "Why do tides happen?",
            "slug": "why-do-tides-happen",
            "posted_at": "2026-12-07T00:00:00Z",
            "coverage": {"level": "strong", "score": 1.0},
            "overview": [],
            "factors": [],
            "summary": [],
            "sources": [{"n": 1, "title": "Tides", "id": "tides"}],
            "generator": {"mode": "llm", "version": "0.1.0", "model": "small <b>model</b>"},
            "timings_ms": {"retrieve": 0.0, "compose": 0.0, "total": 0.0}
        }))
        .unwrap();
        let mut sentence = explain::Sentence::new(
            "The Moon's gravity pulls the sea.",
            vec![1],
            explain::SentenceKind::Generated,
        );
        sentence.evidence = vec![explain::Evidence {
            source: 1,
            text: "Tides are caused by the Moon <script>x</script>.".into(),
        }];
        sentence.support = Some(0.95);
        article.overview = vec![
            sentence,
            explain::Sentence::new("A quotation.", vec![1], explain::SentenceKind::Quote),
        ];
        let html = render_standalone(&article).unwrap();
        // On hover and focus: the citation is described by the evidence it rests on.
        assert!(html.contains("aria-describedby=\"rests-o-1\""), "{html}");
        assert!(html.contains("<span class=\"rests-on\" id=\"rests-o-1\" role=\"tooltip\">"));
        // Without script: under its source.
        assert!(html.contains("<ul class=\"evidence\""));
        assert!(html.contains("Written as prose by a language model (small &lt;b&gt;model"));
        assert!(!html.contains("<b>model"));
        assert!(!html.contains("<script>x"));
        assert!(html.contains("&lt;script&gt;x"));
        // A quotation's citation has no tooltip.
        assert_eq!(html.matches("aria-describedby").count(), 1);
    }
}
