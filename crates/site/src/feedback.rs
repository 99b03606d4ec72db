//! Votes: what a visitor may send, validated before it reaches the store.

use serde::{Deserialize, Serialize};

/// Comments longer than this (in characters) are refused.
pub const MAX_COMMENT_CHARS: usize = 1000;

/// Why a "No" vote was cast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Inaccurate,
    HardToUnderstand,
    MissingInformation,
    OffTopic,
}

impl Reason {
    pub const ALL: [Reason; 4] = [
        Reason::Inaccurate,
        Reason::HardToUnderstand,
        Reason::MissingInformation,
        Reason::OffTopic,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Inaccurate => "inaccurate",
            Reason::HardToUnderstand => "hard_to_understand",
            Reason::MissingInformation => "missing_information",
            Reason::OffTopic => "off_topic",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Reason::Inaccurate => "Inaccurate",
            Reason::HardToUnderstand => "Hard to understand",
            Reason::MissingInformation => "Missing information",
            Reason::OffTopic => "Off-topic",
        }
    }

    pub fn parse(value: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == value)
    }
}

/// A visitor's vote on an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    pub helpful: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A feedback submission as sent (form or JSON), before validation.
#[derive(Debug, Deserialize)]
pub struct Submission {
    pub helpful: serde_json::Value,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// Why a submission was refused; the message is shown to the visitor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedbackError {
    #[error("say whether the article was helpful: \"helpful\" must be yes or no")]
    MissingHelpful,
    #[error(
        "unknown reason; choose one of: inaccurate, hard_to_understand, missing_information, off_topic"
    )]
    UnknownReason,
    #[error("the comment is {chars} characters long; the limit is {MAX_COMMENT_CHARS}")]
    CommentTooLong { chars: usize },
}

impl Submission {
    /// Checks a submission. The comment is kept exactly as typed (it is escaped wherever
    /// it is shown); an empty comment is no comment.
    pub fn validate(self) -> Result<Vote, FeedbackError> {
        let helpful = match &self.helpful {
            serde_json::Value::Bool(value) => *value,
            serde_json::Value::String(value) => match value.as_str() {
                "yes" | "true" | "1" => true,
                "no" | "false" | "0" => false,
                _ => return Err(FeedbackError::MissingHelpful),
            },
            _ => return Err(FeedbackError::MissingHelpful),
        };
        let reason = match self.reason.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(value) => Some(Reason::parse(value).ok_or(FeedbackError::UnknownReason)?),
        };
        let comment = self.comment.filter(|c| !c.trim().is_empty());
        if let Some(comment) = &comment {
            let chars = comment.chars().count();
            if chars > MAX_COMMENT_CHARS {
                return Err(FeedbackError::CommentTooLong { chars });
            }
        }
        Ok(Vote {
            helpful,
            // A reason explains a "No"; it means nothing beside a "Yes".
            reason: if helpful { None } else { reason },
            comment,
        })
    }
}

/// The Wilson score interval's lower bound at 95% confidence: the helpful share we can be
/// fairly sure of, so that 2 of 2 does not outrank 95 of 100.
pub fn wilson_lower_bound(helpful: u64, total: u64) -> f64 {
    if total == 0 {
        return 0.0;
    }
    let z = 1.959_964_f64;
    let n = total as f64;
    let p = helpful as f64 / n;
    let centre = p + z * z / (2.0 * n);
    let margin = z * ((p * (1.0 - p) + z * z / (4.0 * n)) / n).sqrt();
    (centre - margin) / (1.0 + z * z / n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn submission(
        helpful: serde_json::Value,
        reason: Option<&str>,
        comment: Option<&str>,
    ) -> Submission {
        Submission {
            helpful,
            reason: reason.map(String::from),
            comment: comment.map(String::from),
        }
    }

    #[test]
    fn form_and_json_values_are_accepted() {
        let yes = submission("yes".into(), None, None).validate().unwrap();
        assert!(yes.helpful);
        let no = submission(false.into(), Some("off_topic"), Some("<b>x</b>"))
            .validate()
            .unwrap();
        assert_eq!(no.reason, Some(Reason::OffTopic));
        assert_eq!(no.comment.as_deref(), Some("<b>x</b>"));
    }

    #[test]
    fn malformed_submissions_are_refused() {
        assert_eq!(
            submission("maybe".into(), None, None).validate(),
            Err(FeedbackError::MissingHelpful)
        );
        assert_eq!(
            submission(1.into(), None, None).validate(),
            Err(FeedbackError::MissingHelpful)
        );
        assert_eq!(
            submission("no".into(), Some("' OR 1=1 --"), None).validate(),
            Err(FeedbackError::UnknownReason)
        );
        let long = "x".repeat(MAX_COMMENT_CHARS + 1);
        assert!(matches!(
            submission("no".into(), None, Some(&long)).validate(),
            Err(FeedbackError::CommentTooLong { .. })
        ));
    }

    #[test]
    fn reason_is_dropped_from_a_yes_vote() {
        let vote = submission("yes".into(), Some("inaccurate"), None)
            .validate()
            .unwrap();
        assert_eq!(vote.reason, None);
    }

    #[test]
    fn wilson_bound_prefers_more_evidence() {
        assert_eq!(wilson_lower_bound(0, 0), 0.0);
        assert!(wilson_lower_bound(95, 100) > wilson_lower_bound(2, 2));
        let bound = wilson_lower_bound(1, 1);
        assert!((bound - 0.2065).abs() < 0.001, "{bound}");
    }
}
