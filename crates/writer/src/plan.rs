//! The plan a language model turns into prose: the question, the reasons with their
//! headings, and the numbered evidence sentences the extractive article quotes — only those.
//! The prompt asks for JSON in the shape of [`Plan::schema`]; the schema also travels as the
//! request's response format where the server takes one, so that a grammar keeps even a
//! small model inside it (evidence numbers included).

use explain::{Article, SentenceKind};
use serde_json::{Value, json};

use crate::llm::Message;

/// One numbered evidence sentence (numbered from 1 in prompts).
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// Verbatim text of the source.
    pub text: String,
    /// The source's number in the article it came from.
    pub source: u32,
}

/// A reason to write one paragraph about.
#[derive(Debug, Clone, PartialEq)]
pub struct Reason {
    pub heading: String,
    /// Indices into [`Plan::evidence`].
    pub evidence: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub question: String,
    pub evidence: Vec<Evidence>,
    /// Indices into [`Plan::evidence`] of the overview's quotations.
    pub overview: Vec<usize>,
    pub reasons: Vec<Reason>,
}

/// At most this many sentences in the overview, in each reason's paragraph, in the summary.
pub const MAX_OVERVIEW: usize = 3;
pub const MAX_PER_REASON: usize = 4;
pub const MAX_SUMMARY: usize = 2;

impl Plan {
    /// The plan of an extractive article: its quotations become the evidence (each once),
    /// its section headings the reasons.
    pub fn from_article(article: &Article) -> Plan {
        let mut evidence: Vec<Evidence> = Vec::new();
        let mut number = |sentence: &explain::Sentence| -> Option<usize> {
            if sentence.kind != SentenceKind::Quote {
                return None;
            }
            let source = *sentence.cites.first()?;
            Some(
                match evidence.iter().position(|e| e.text == sentence.text) {
                    Some(i) => i,
                    None => {
                        evidence.push(Evidence {
                            text: sentence.text.clone(),
                            source,
                        });
                        evidence.len() - 1
                    }
                },
            )
        };
        let overview: Vec<usize> = article.overview.iter().filter_map(&mut number).collect();
        let reasons = article
            .factors
            .iter()
            .map(|section| Reason {
                heading: section.heading.clone(),
                evidence: section.sentences.iter().filter_map(&mut number).collect(),
            })
            .collect();
        Plan {
            question: article.question.clone(),
            evidence,
            overview,
            reasons,
        }
    }

    /// The conversation that asks for the article: the instructions, one worked example
    /// (a question and answer of our own, so that even a small model sees the form filled
    /// in rather than copying placeholders), then the question.
    pub fn prompt(&self) -> Vec<Message> {
        let system = "You are an editor who writes short, plain explainer articles for curious \
            readers. Use only the numbered evidence you are given: add no fact, name, number or \
            date that it does not state. Write in your own words, clearly and calmly, one claim \
            per sentence. After each sentence, list the numbers of the evidence sentences it \
            rests on.";
        vec![
            Message::system(system),
            Message::user(example_plan().request()),
            Message::assistant(EXAMPLE_ANSWER),
            Message::user(self.request()),
        ]
    }

    /// What is asked for this plan: the question, the evidence, the reasons, the form.
    fn request(&self) -> String {
        let mut user = format!("Question: {}\n\nEvidence:\n", self.question);
        for (i, e) in self.evidence.iter().enumerate() {
            user.push_str(&format!("[{}] {}\n", i + 1, e.text));
        }
        user.push_str("\nWrite:\n");
        user.push_str(&format!(
            "- overview: one to {MAX_OVERVIEW} sentences that answer the question directly{}.\n",
            numbers_hint(&self.overview)
        ));
        if self.reasons.is_empty() {
            user.push_str("- reasons: an empty list (the evidence names no reason).\n");
        } else {
            user.push_str(&format!(
                "- reasons: for each of these {} reasons, in this order, one to three sentences that explain it:\n",
                self.reasons.len()
            ));
            for (i, reason) in self.reasons.iter().enumerate() {
                user.push_str(&format!(
                    "  {}. {}{}\n",
                    i + 1,
                    reason.heading,
                    numbers_hint(&reason.evidence)
                ));
            }
        }
        user.push_str(&format!(
            "- summary: one or {} sentences that name the reasons.\n\n",
            number_word(MAX_SUMMARY)
        ));
        user.push_str(
            "Reply with JSON only: {\"overview\": [sentences], \"reasons\": [[sentences of reason 1], …], \
             \"summary\": [sentences]}, each sentence {\"text\": …, \"evidence\": [numbers]}.\n",
        );
        user
    }

    /// The JSON schema of the answer: evidence numbers limited to those given, one paragraph
    /// per reason, bounded lengths.
    pub fn schema(&self) -> Value {
        let numbers: Vec<usize> = (1..=self.evidence.len().max(1)).collect();
        let sentence = json!({
            "type": "object",
            "properties": {
                "text": {"type": "string", "minLength": 1, "maxLength": 400},
                "evidence": {
                    "type": "array",
                    "items": {"type": "integer", "enum": numbers},
                    "minItems": 1,
                    "maxItems": 3,
                },
            },
            "required": ["text", "evidence"],
            "additionalProperties": false,
        });
        let list = |max: usize| json!({"type": "array", "items": sentence, "minItems": 1, "maxItems": max});
        json!({
            "type": "object",
            "properties": {
                "overview": list(MAX_OVERVIEW),
                "reasons": {
                    "type": "array",
                    "items": list(MAX_PER_REASON),
                    "minItems": self.reasons.len(),
                    "maxItems": self.reasons.len(),
                },
                "summary": list(MAX_SUMMARY),
            },
            "required": ["overview", "reasons", "summary"],
            "additionalProperties": false,
        })
    }
}

/// The worked example shown before the question (our own text, not from any corpus).
fn example_plan() -> Plan {
    let evidence = |text: &str| Evidence {
        text: text.to_owned(),
        source: 1,
    };
    Plan {
        question: "Why do leaves change colour in autumn?".into(),
        evidence: vec![
            evidence("Leaves are green because they contain chlorophyll."),
            evidence("In autumn, as the days grow shorter, trees stop making chlorophyll."),
            evidence(
                "When the chlorophyll breaks down, yellow and orange pigments that were in the \
                 leaf all along become visible.",
            ),
        ],
        overview: vec![0],
        reasons: vec![Reason {
            heading: "Loss of chlorophyll".into(),
            evidence: vec![1, 2],
        }],
    }
}

const EXAMPLE_ANSWER: &str = r#"{"overview": [{"text": "Leaves change colour in autumn because trees stop making the green chlorophyll that hides their other pigments.", "evidence": [1, 2]}], "reasons": [[{"text": "As the days grow shorter in autumn, trees stop making chlorophyll.", "evidence": [2]}, {"text": "Once the chlorophyll breaks down, the yellow and orange pigments already in the leaf show.", "evidence": [3]}]], "summary": [{"text": "Autumn colours appear when the green chlorophyll is lost and the other pigments become visible.", "evidence": [2, 3]}]}"#;

fn numbers_hint(evidence: &[usize]) -> String {
    if evidence.is_empty() {
        return String::new();
    }
    let numbers: Vec<String> = evidence.iter().map(|i| (i + 1).to_string()).collect();
    format!(" (evidence {})", numbers.join(", "))
}

fn number_word(n: usize) -> &'static str {
    match n {
        2 => "two",
        3 => "three",
        _ => "more",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use explain::{FactorSection, Sentence};

    pub(crate) fn article() -> Article {
        let quote = |text: &str, n: u32| Sentence::new(text, vec![n], SentenceKind::Quote);
        serde_json::from_value(json!({
            "question": "Why did the Titanic sink?",
            "slug": "why-did-the-titanic-sink",
            "posted_at": "2026-12-07T00:00:00Z",
            "coverage": {"level": "partial", "score": 0.5},
            "overview": [],
            "factors": [],
            "summary": [],
            "sources": [],
            "generator": {"mode": "extractive", "version": "0.1.0"},
            "timings_ms": {"retrieve": 0.0, "compose": 0.0, "total": 0.0}
        }))
        .map(|mut a: Article| {
            a.overview = vec![quote("RMS Titanic sank on 15 April 1912.", 1)];
            a.factors = vec![FactorSection {
                heading: "Collision with an iceberg".into(),
                support: 0.5,
                sentences: vec![
                    quote("She struck an iceberg at 23:40.", 1),
                    quote("RMS Titanic sank on 15 April 1912.", 1),
                ],
            }];
            a.summary = vec![Sentence::new(
                "The Titanic sank because of a collision with an iceberg.",
                vec![1],
                SentenceKind::Template,
            )];
            a
        })
        .unwrap()
    }

    #[test]
    fn quotations_become_numbered_evidence_once() {
        let plan = Plan::from_article(&article());
        assert_eq!(plan.evidence.len(), 2);
        assert_eq!(plan.overview, [0]);
        assert_eq!(plan.reasons[0].evidence, [1, 0]);
        let messages = plan.prompt();
        assert_eq!(messages.len(), 4, "instructions, worked example, question");
        let example: serde_json::Value = serde_json::from_str(&messages[2].content).unwrap();
        assert_eq!(example["reasons"].as_array().unwrap().len(), 1);
        let prompt = &messages[3].content;
        assert!(prompt.contains("[2] She struck an iceberg at 23:40."));
        assert!(prompt.contains("1. Collision with an iceberg (evidence 2, 1)"));
        // Template sentences are no evidence.
        assert!(!prompt.contains("because of a collision"));
        let schema = plan.schema();
        assert_eq!(schema["properties"]["reasons"]["maxItems"], 1);
        assert_eq!(
            schema["properties"]["summary"]["items"]["properties"]["evidence"]["items"]["enum"],
            json!([1, 2])
        );
    }
}
