//! The writer measured over a question set (`because eval-writer`): how many of the model's
//! sentences reach the page, that every one that does passes the checker when checked again
//! from the published article alone, that no published citation points to evidence that was
//! not given, and how long writing takes.

use std::time::Instant;

use explain::{Engine, Question, SentenceKind};
use serde::Serialize;

use crate::{WriteError, Writer};

/// One question's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct WriterCase {
    pub question: String,
    /// The model's sentences and what became of them.
    pub generated: usize,
    pub kept: usize,
    pub replaced: usize,
    pub dropped: usize,
    pub unknown_citations: usize,
    /// Generated sentences on the published article.
    pub published: usize,
    /// Contract violations of the published article (generated sentences checked again).
    pub violations: Vec<String>,
    pub tokens: u32,
    /// The server's answer: reading the prompt and writing.
    pub llm_seconds: f64,
    /// Writing and checking (the extractive article is composed before).
    pub seconds: f64,
    /// Why no LLM article was published; the extractive one stands.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WriterReport {
    pub model: String,
    pub cases: Vec<WriterCase>,
    pub questions: usize,
    /// Questions whose article the model wrote in part (at least one sentence kept).
    pub written: usize,
    pub generated: usize,
    pub kept: usize,
    pub replaced: usize,
    pub dropped: usize,
    /// kept / generated.
    pub kept_share: f64,
    /// Published generated sentences that pass the checker again: must be all of them.
    pub published: usize,
    pub published_passing: usize,
    /// Citations of published sentences to evidence not given: must be 0.
    pub published_unknown_citations: usize,
    pub violations: usize,
    pub seconds_mean: f64,
    pub seconds_p50: f64,
    pub seconds_max: f64,
    /// Tokens written per second of the server's answers (prompt reading included).
    pub tokens_per_second: f64,
    pub tokens: u64,
}

/// Composes each question's extractive article with `engine` and has `writer` write it.
pub fn run(
    engine: &Engine,
    writer: &Writer,
    questions: &[String],
) -> Result<WriterReport, explain::ExplainError> {
    let mut cases = Vec::new();
    let mut model = writer.client().config().model.clone();
    for text in questions {
        let question = Question::parse(text)?;
        let article = engine.ask(&question)?;
        let started = Instant::now();
        let outcome = writer.write(&article, engine.index());
        let seconds = started.elapsed().as_secs_f64();
        let case = match outcome {
            Ok(written) => {
                model = written.model.clone();
                let violations = explain::eval::contract_violations(engine, &written.article)?;
                let published = written
                    .article
                    .sentences()
                    .filter(|s| s.kind == SentenceKind::Generated)
                    .count();
                WriterCase {
                    question: text.clone(),
                    generated: written.tally.generated,
                    kept: written.tally.kept,
                    replaced: written.tally.replaced,
                    dropped: written.tally.dropped,
                    unknown_citations: written.tally.unknown_citations,
                    published,
                    violations,
                    tokens: written.tokens,
                    llm_seconds: written.llm_seconds,
                    seconds,
                    error: None,
                }
            }
            Err(error) => {
                let (tally, tokens, llm_seconds) = match &error {
                    WriteError::NothingKept {
                        tally,
                        tokens,
                        llm_seconds,
                    } => (tally.clone(), *tokens, *llm_seconds),
                    _ => (crate::Tally::default(), 0, 0.0),
                };
                WriterCase {
                    question: text.clone(),
                    generated: tally.generated,
                    kept: 0,
                    replaced: tally.replaced,
                    dropped: tally.dropped,
                    unknown_citations: tally.unknown_citations,
                    published: 0,
                    violations: Vec::new(),
                    tokens,
                    llm_seconds,
                    seconds,
                    error: Some(error.to_string()),
                }
            }
        };
        cases.push(case);
    }
    Ok(summarise(model, cases))
}

fn summarise(model: String, cases: Vec<WriterCase>) -> WriterReport {
    let sum = |f: fn(&WriterCase) -> usize| cases.iter().map(f).sum::<usize>();
    let generated = sum(|c| c.generated);
    let kept = sum(|c| c.kept);
    let published = sum(|c| c.published);
    // A violation about a generated sentence makes that sentence fail the re-check.
    let failing = cases
        .iter()
        .flat_map(|c| &c.violations)
        .filter(|v| v.starts_with("generated sentence") || v.starts_with("evidence of a generated"))
        .count();
    let unknown = cases
        .iter()
        .flat_map(|c| &c.violations)
        .filter(|v| v.contains("has no source"))
        .count();
    let mut seconds: Vec<f64> = cases.iter().map(|c| c.seconds).collect();
    seconds.sort_by(f64::total_cmp);
    let total_seconds: f64 = seconds.iter().sum();
    let tokens: u64 = cases.iter().map(|c| u64::from(c.tokens)).sum();
    let llm_seconds: f64 = cases.iter().map(|c| c.llm_seconds).sum();
    WriterReport {
        model,
        questions: cases.len(),
        written: cases.iter().filter(|c| c.error.is_none()).count(),
        generated,
        kept,
        replaced: sum(|c| c.replaced),
        dropped: sum(|c| c.dropped),
        kept_share: if generated == 0 {
            0.0
        } else {
            kept as f64 / generated as f64
        },
        published,
        published_passing: published.saturating_sub(failing),
        published_unknown_citations: unknown,
        violations: sum(|c| c.violations.len()),
        seconds_mean: if seconds.is_empty() {
            0.0
        } else {
            total_seconds / seconds.len() as f64
        },
        seconds_p50: explain::eval::percentile(&seconds, 0.5),
        seconds_max: seconds.last().copied().unwrap_or(0.0),
        tokens_per_second: if llm_seconds > 0.0 {
            tokens as f64 / llm_seconds
        } else {
            0.0
        },
        tokens,
        cases,
    }
}

impl WriterReport {
    pub fn to_text(&self) -> String {
        let mut out = format!("LLM writer, model {}\n\n", self.model);
        out.push_str("written  kept  replaced  dropped  unknown  published  seconds  question\n");
        for c in &self.cases {
            out.push_str(&format!(
                "{:>7}  {:>4}  {:>8}  {:>7}  {:>7}  {:>9}  {:>7.1}  {}{}\n",
                c.generated,
                c.kept,
                c.replaced,
                c.dropped,
                c.unknown_citations,
                c.published,
                c.seconds,
                c.question,
                c.error
                    .as_ref()
                    .map(|e| format!("  [extractive stands: {e}]"))
                    .unwrap_or_default()
            ));
            for v in &c.violations {
                out.push_str(&format!("    violation: {v}\n"));
            }
        }
        out.push_str(&format!(
            "\nquestions {}; written in part {}\n\
             sentences written {}, kept {} ({:.2}), replaced by their evidence {}, dropped {}\n\
             published generated sentences {}, passing the checker again {}, citing evidence not given {}\n\
             contract violations {}\n\
             seconds per article: mean {:.1}, p50 {:.1}, max {:.1}; {} tokens, {:.1} per second of the server's answers\n",
            self.questions,
            self.written,
            self.generated,
            self.kept,
            self.kept_share,
            self.replaced,
            self.dropped,
            self.published,
            self.published_passing,
            self.published_unknown_citations,
            self.violations,
            self.seconds_mean,
            self.seconds_p50,
            self.seconds_max,
            self.tokens,
            self.tokens_per_second,
        ));
        out
    }
}
