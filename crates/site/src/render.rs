//! Server-rendered HTML. Templates are compiled into the binary; minijinja escapes every
//! value in `.html` templates, so nothing a visitor typed reaches a page unescaped.

use std::sync::LazyLock;

use explain::Article;
use minijinja::value::Serde;
use minijinja::{Environment, context};
use serde::Serialize;

use crate::feedback::{MAX_COMMENT_CHARS, Reason, Vote};
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
    /// Show the reason form (after a "No").
    pub show_reason: bool,
    /// A message for the status line ("Thanks for your feedback!", or what went wrong).
    pub message: Option<String>,
    /// What the visitor typed, kept when a submission was refused.
    pub comment_draft: Option<String>,
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
        ] {
            environment
                .add_template(name, source)
                .expect("the built-in templates are valid");
        }
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

    pub fn article(
        &self,
        article: &Article,
        feedback: &FeedbackView,
    ) -> Result<String, minijinja::Error> {
        let reasons: Vec<ReasonChoice> = Reason::ALL
            .iter()
            .map(|r| ReasonChoice {
                value: r.as_str(),
                label: r.label(),
            })
            .collect();
        self.render(
            "article.html",
            context! {
                article => Serde(article),
                posted => human_date(&article.posted_at),
                interactive => true,
                feedback => Serde(feedback.counts),
                vote => Serde(&feedback.vote),
                show_reason => feedback.show_reason,
                message => feedback.message.clone(),
                comment_draft => feedback.comment_draft.clone(),
                reasons => Serde(reasons),
                max_comment => MAX_COMMENT_CHARS,
            },
        )
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

/// A whole article page without the feedback widget and with the styles inline, for
/// `because ask --format html`.
pub fn render_standalone(article: &Article) -> Result<String, minijinja::Error> {
    templates().render(
        "article.html",
        context! {
            article => Serde(article),
            posted => human_date(&article.posted_at),
            interactive => false,
            inline_css => STYLE_CSS,
        },
    )
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
}
