//! Votes: what a visitor may send, validated before it reaches the store.

use serde::{Deserialize, Serialize};

/// Comments longer than this (in characters) are refused.
pub const MAX_COMMENT_CHARS: usize = 1000;

/// What a visitor may say about their vote: one set of reasons follows a "Yes", another a
/// "No".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Accurate,
    Clear,
    AnsweredMyQuestion,
    GoodSources,
    Inaccurate,
    HardToUnderstand,
    MissingInformation,
    OffTopic,
    Other,
}

impl Reason {
    pub const ALL: [Reason; 9] = [
        Reason::Accurate,
        Reason::Clear,
        Reason::AnsweredMyQuestion,
        Reason::GoodSources,
        Reason::Inaccurate,
        Reason::HardToUnderstand,
        Reason::MissingInformation,
        Reason::OffTopic,
        Reason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Accurate => "accurate",
            Reason::Clear => "clear",
            Reason::AnsweredMyQuestion => "answered_my_question",
            Reason::GoodSources => "good_sources",
            Reason::Inaccurate => "inaccurate",
            Reason::HardToUnderstand => "hard_to_understand",
            Reason::MissingInformation => "missing_information",
            Reason::OffTopic => "off_topic",
            Reason::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Reason::Accurate => "Accurate",
            Reason::Clear => "Clear",
            Reason::AnsweredMyQuestion => "Answered my question",
            Reason::GoodSources => "Good sources",
            Reason::Inaccurate => "Inaccurate",
            Reason::HardToUnderstand => "Hard to understand",
            Reason::MissingInformation => "Missing information",
            Reason::OffTopic => "Off-topic",
            Reason::Other => "Something else",
        }
    }

    /// Whether this reason explains a "Yes" (else a "No").
    pub fn is_praise(self) -> bool {
        matches!(
            self,
            Reason::Accurate | Reason::Clear | Reason::AnsweredMyQuestion | Reason::GoodSources
        )
    }

    /// The reasons that may follow a vote.
    pub fn for_vote(helpful: bool) -> impl Iterator<Item = Reason> {
        Reason::ALL
            .into_iter()
            .filter(move |r| r.is_praise() == helpful)
    }

    /// Whether the reason blames the sources themselves (their content was wrong or beside
    /// the point), rather than how the article was put together.
    pub fn blames_sources(self) -> bool {
        matches!(self, Reason::Inaccurate | Reason::OffTopic)
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
    /// A bare Yes or No (no reason or comment field was sent): the reason and comment given
    /// earlier are kept (the reason only while the vote keeps its polarity).
    #[serde(skip)]
    pub keeps_details: bool,
}

/// A feedback submission as sent (form or JSON), before validation.
#[derive(Debug, Deserialize)]
pub struct Submission {
    pub helpful: serde_json::Value,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    /// A field people never see: a value means a form-filling bot.
    #[serde(default)]
    pub website: Option<String>,
}

/// Why a submission was refused; the message is shown to the visitor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedbackError {
    #[error("say whether the article was helpful: \"helpful\" must be yes or no")]
    MissingHelpful,
    #[error(
        "unknown reason; after a yes choose accurate, clear, answered_my_question or good_sources; after a no choose inaccurate, hard_to_understand, missing_information, off_topic or other"
    )]
    UnknownReason,
    #[error("\"{reason}\" explains a {expected} vote, not this one")]
    MismatchedReason {
        reason: &'static str,
        expected: &'static str,
    },
    #[error("the comment is {chars} characters long; the limit is {MAX_COMMENT_CHARS}")]
    CommentTooLong { chars: usize },
}

impl Submission {
    /// Checks a submission. The comment is kept exactly as typed (it is escaped wherever
    /// it is shown); an empty comment is no comment.
    pub fn validate(self) -> Result<Vote, FeedbackError> {
        let keeps_details = self.reason.is_none() && self.comment.is_none();
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
        if let Some(reason) = reason.filter(|r| r.is_praise() != helpful) {
            return Err(FeedbackError::MismatchedReason {
                reason: reason.as_str(),
                expected: if reason.is_praise() { "yes" } else { "no" },
            });
        }
        Ok(Vote {
            helpful,
            reason,
            comment,
            keeps_details,
        })
    }

    /// A honeypot value: the form was filled by a bot.
    pub fn is_from_a_bot(&self) -> bool {
        self.website.as_deref().is_some_and(|v| !v.is_empty())
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

/// The Wilson score interval's upper bound at 95% confidence: the best helpful share the
/// votes still allow. Under 50% with enough votes, the article is confidently poor.
pub fn wilson_upper_bound(helpful: u64, total: u64) -> f64 {
    if total == 0 {
        return 1.0;
    }
    1.0 - wilson_lower_bound(total - helpful, total)
}

/// How votes on articles move the sources they cited. Each helpful vote raises a source a
/// little, each vote that blames the sources (inaccurate, off-topic) lowers it more, other
/// "No" votes lower it slightly; the product is bounded by [`explain::PRIOR_RANGE`].
pub const STEP_HELPFUL: f64 = 0.03;
pub const STEP_BLAMED: f64 = -0.08;
pub const STEP_UNHELPFUL: f64 = -0.02;

/// A source's multiplier from the votes on articles that cited it.
pub fn source_multiplier(helpful: i64, blamed: i64, unhelpful: i64) -> f64 {
    let exponent = STEP_HELPFUL * helpful as f64
        + STEP_BLAMED * blamed as f64
        + STEP_UNHELPFUL * unhelpful as f64;
    let (low, high) = explain::PRIOR_RANGE;
    exponent.exp().clamp(f64::from(low), f64::from(high))
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
            website: None,
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
    fn reasons_must_match_the_vote() {
        let vote = submission("yes".into(), Some("good_sources"), None)
            .validate()
            .unwrap();
        assert_eq!(vote.reason, Some(Reason::GoodSources));
        assert!(matches!(
            submission("yes".into(), Some("inaccurate"), None).validate(),
            Err(FeedbackError::MismatchedReason { .. })
        ));
        assert!(matches!(
            submission("no".into(), Some("clear"), None).validate(),
            Err(FeedbackError::MismatchedReason { .. })
        ));
        assert_eq!(Reason::for_vote(true).count(), 4);
        assert_eq!(Reason::for_vote(false).count(), 5);
    }

    #[test]
    fn source_multiplier_moves_in_small_bounded_steps() {
        assert_eq!(source_multiplier(0, 0, 0), 1.0);
        let one_up = source_multiplier(1, 0, 0);
        assert!(one_up > 1.0 && one_up < 1.05, "{one_up}");
        let one_down = source_multiplier(0, 1, 0);
        assert!(one_down < 1.0 && one_down > 0.9, "{one_down}");
        assert_eq!(source_multiplier(0, 1000, 0), 0.5);
        assert_eq!(source_multiplier(1000, 0, 0), 2.0);
    }

    #[test]
    fn wilson_bound_prefers_more_evidence() {
        assert_eq!(wilson_lower_bound(0, 0), 0.0);
        assert!(wilson_lower_bound(95, 100) > wilson_lower_bound(2, 2));
        let bound = wilson_lower_bound(1, 1);
        assert!((bound - 0.2065).abs() < 0.001, "{bound}");
        assert!(wilson_upper_bound(2, 20) < 0.5);
        assert!(wilson_upper_bound(1, 2) > 0.5);
        assert_eq!(wilson_upper_bound(0, 0), 1.0);
    }
}
