//! Quality measures over a question set (the format of `shared/eval/*.jsonl`):
//! key-point recall, source recall, citation validity, duplicate sentences, factor
//! novelty, coverage and latency, per question and overall.

use std::collections::HashSet;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::article::{Article, SentenceKind};
use crate::question::Question;
use crate::{Engine, ExplainError, IndexError};

/// One line of an eval file.
#[derive(Debug, Clone, Deserialize)]
pub struct EvalCase {
    pub q: String,
    #[serde(default)]
    pub sources: Vec<String>,
    /// Each key point is a list of alternatives; one appearing is enough.
    #[serde(default)]
    pub key_points: Vec<Vec<String>>,
    /// Every reason the corpus states for the question (sets with complete reason lists);
    /// `None` when the set does not list them.
    #[serde(default)]
    pub reasons: Option<Vec<GoldReason>>,
    /// Documents that share a word with the question but are about something else.
    #[serde(default)]
    pub off_topic_titles: Vec<String>,
}

/// One reason of a complete reason list.
#[derive(Debug, Clone, Deserialize)]
pub struct GoldReason {
    pub name: String,
    /// Lowercase substrings, one of which a section stating this reason contains.
    #[serde(rename = "match")]
    pub matches: Vec<String>,
    #[serde(default)]
    pub source: String,
}

/// Parses an eval file; errors name the line.
pub fn parse_cases(text: &str) -> Result<Vec<EvalCase>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1)))
        .collect()
}

/// The measures for one question.
#[derive(Debug, Clone, Serialize)]
pub struct CaseReport {
    pub question: String,
    pub key_point_recall: f64,
    pub source_recall: f64,
    pub citation_validity: f64,
    pub duplicate_sentences: usize,
    pub factor_novelty: f64,
    /// Largest and mean cosine similarity between two factor sections (each section's
    /// heading and sentences embedded); `None` without an embedding model or with fewer than
    /// two sections.
    pub redundancy_max: Option<f64>,
    pub redundancy_mean: Option<f64>,
    pub factors: usize,
    pub coverage: String,
    pub latency_ms: f64,
    pub missed_key_points: Vec<String>,
    pub missed_sources: Vec<String>,
    /// With a complete reason list: sections that state a gold reason, of all sections.
    pub reason_sections: Option<(usize, usize)>,
    /// With a complete reason list: gold reasons stated in some section, of all reasons.
    pub reasons_found: Option<(usize, usize)>,
    pub missed_reasons: Vec<String>,
    /// Cited sources listed as off-topic for the question.
    pub off_topic_sources: Vec<String>,
}

/// Measures over the whole set.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    pub cases: Vec<CaseReport>,
    pub key_point_recall: f64,
    pub source_recall: f64,
    pub citation_validity: f64,
    pub duplicate_sentences: usize,
    pub factor_novelty: f64,
    /// The largest section-to-section similarity over all articles, and the mean of the
    /// articles' means.
    pub redundancy_max: Option<f64>,
    pub redundancy_mean: Option<f64>,
    pub latency_p50_ms: f64,
    pub latency_p95_ms: f64,
    /// Over the questions with complete reason lists: sections stating a gold reason / all
    /// sections, and gold reasons stated in some section / all reasons (both pooled).
    pub section_precision: Option<f64>,
    pub reason_recall: Option<f64>,
    pub off_topic_sources: usize,
}

/// Runs every case (after one warm-up question) and measures the articles.
pub fn run(engine: &Engine, cases: &[EvalCase]) -> Result<EvalReport, ExplainError> {
    if let Some(first) = cases.first() {
        engine.ask(&Question::parse(&first.q)?)?;
    }
    let mut reports = Vec::new();
    for case in cases {
        let question = Question::parse(&case.q)?;
        let started = Instant::now();
        let article = engine.ask(&question)?;
        let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        reports.push(measure(engine, case, &article, latency_ms)?);
    }
    let mean = |f: &dyn Fn(&CaseReport) -> f64| {
        if reports.is_empty() {
            0.0
        } else {
            reports.iter().map(f).sum::<f64>() / reports.len() as f64
        }
    };
    let mut latencies: Vec<f64> = reports.iter().map(|r| r.latency_ms).collect();
    latencies.sort_by(f64::total_cmp);
    Ok(EvalReport {
        key_point_recall: mean(&|r| r.key_point_recall),
        source_recall: mean(&|r| r.source_recall),
        citation_validity: mean(&|r| r.citation_validity),
        duplicate_sentences: reports.iter().map(|r| r.duplicate_sentences).sum(),
        factor_novelty: mean(&|r| r.factor_novelty),
        redundancy_max: reports
            .iter()
            .filter_map(|r| r.redundancy_max)
            .reduce(f64::max),
        redundancy_mean: {
            let means: Vec<f64> = reports.iter().filter_map(|r| r.redundancy_mean).collect();
            (!means.is_empty()).then(|| means.iter().sum::<f64>() / means.len() as f64)
        },
        section_precision: pooled(&reports, |r| r.reason_sections),
        reason_recall: pooled(&reports, |r| r.reasons_found),
        off_topic_sources: reports.iter().map(|r| r.off_topic_sources.len()).sum(),
        latency_p50_ms: percentile(&latencies, 0.50),
        latency_p95_ms: percentile(&latencies, 0.95),
        cases: reports,
    })
}

/// Sum of parts over sum of wholes, over the reports that have the measure.
fn pooled(
    reports: &[CaseReport],
    f: impl Fn(&CaseReport) -> Option<(usize, usize)>,
) -> Option<f64> {
    let pairs: Vec<(usize, usize)> = reports.iter().filter_map(f).collect();
    if pairs.is_empty() {
        return None;
    }
    let (part, whole) = pairs.iter().fold((0, 0), |(p, w), (a, b)| (p + a, w + b));
    Some(ratio(part, whole))
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[f64], quantile: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (quantile * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn contains_any(haystack: &str, alternatives: &[String]) -> bool {
    alternatives
        .iter()
        .any(|a| haystack.contains(&a.to_lowercase()))
}

/// Measures one article against its case.
pub fn measure(
    engine: &Engine,
    case: &EvalCase,
    article: &Article,
    latency_ms: f64,
) -> Result<CaseReport, ExplainError> {
    let mut visible = String::new();
    for sentence in &article.overview {
        visible.push_str(&sentence.text.to_lowercase());
        visible.push('\n');
    }
    let mut section_texts = Vec::new();
    for factor in &article.factors {
        let mut text = factor.heading.to_lowercase();
        for sentence in &factor.sentences {
            text.push('\n');
            text.push_str(&sentence.text.to_lowercase());
        }
        visible.push_str(&text);
        visible.push('\n');
        section_texts.push(text);
    }
    let missed_key_points: Vec<String> = case
        .key_points
        .iter()
        .filter(|alternatives| !contains_any(&visible, alternatives))
        .map(|alternatives| alternatives.join(" | "))
        .collect();
    let key_point_recall = ratio(
        case.key_points.len() - missed_key_points.len(),
        case.key_points.len(),
    );

    let cited: HashSet<&str> = article.sources.iter().map(|s| s.title.as_str()).collect();
    let missed_sources: Vec<String> = case
        .sources
        .iter()
        .filter(|title| !cited.contains(title.as_str()))
        .cloned()
        .collect();
    let source_recall = ratio(
        case.sources.len() - missed_sources.len(),
        case.sources.len(),
    );

    let mut quotes = 0;
    let mut valid = 0;
    for sentence in article
        .sentences()
        .filter(|s| s.kind == SentenceKind::Quote)
    {
        quotes += 1;
        if is_verbatim(engine, article, sentence)? {
            valid += 1;
        }
    }
    let citation_validity = ratio(valid, quotes);

    let mut seen = HashSet::new();
    let duplicate_sentences = article
        .sentences()
        .filter(|s| s.kind == SentenceKind::Quote)
        .filter(|s| !seen.insert(s.text.as_str()))
        .count();

    let mut covered: HashSet<usize> = HashSet::new();
    let mut novel = 0;
    for text in &section_texts {
        let mut new = false;
        for (i, alternatives) in case.key_points.iter().enumerate() {
            if contains_any(text, alternatives) && covered.insert(i) {
                new = true;
            }
        }
        if new {
            novel += 1;
        }
    }
    let (redundancy_max, redundancy_mean) = redundancy(engine, article)?;
    let mut missed_reasons = Vec::new();
    let (reason_sections, reasons_found) = match &case.reasons {
        Some(reasons) => {
            let states = |text: &str, reason: &GoldReason| contains_any(text, &reason.matches);
            let stating = section_texts
                .iter()
                .filter(|text| reasons.iter().any(|r| states(text, r)))
                .count();
            let mut found = 0;
            for reason in reasons {
                if section_texts.iter().any(|text| states(text, reason)) {
                    found += 1;
                } else {
                    missed_reasons.push(reason.name.clone());
                }
            }
            (
                Some((stating, section_texts.len())),
                Some((found, reasons.len())),
            )
        }
        None => (None, None),
    };
    let off_topic_sources: Vec<String> = case
        .off_topic_titles
        .iter()
        .filter(|title| cited.contains(title.as_str()))
        .cloned()
        .collect();
    Ok(CaseReport {
        question: case.q.clone(),
        redundancy_max,
        redundancy_mean,
        key_point_recall,
        source_recall,
        citation_validity,
        duplicate_sentences,
        factor_novelty: ratio(novel, section_texts.len()),
        factors: article.factors.len(),
        coverage: article.coverage.level.as_str().to_owned(),
        latency_ms,
        missed_key_points,
        missed_sources,
        reason_sections,
        reasons_found,
        missed_reasons,
        off_topic_sources,
    })
}

/// Largest and mean cosine similarity between the factor sections of an article, each
/// embedded as its heading and sentences.
pub fn redundancy(
    engine: &Engine,
    article: &Article,
) -> Result<(Option<f64>, Option<f64>), ExplainError> {
    let Some(embedder) = engine.index().embedder() else {
        return Ok((None, None));
    };
    if article.factors.len() < 2 {
        return Ok((None, None));
    }
    let texts: Vec<String> = article
        .factors
        .iter()
        .map(|f| {
            let sentences: Vec<&str> = f.sentences.iter().map(|s| s.text.as_str()).collect();
            format!("{}. {}", f.heading, sentences.join(" "))
        })
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let vectors = embedder.embed(&refs).map_err(index::IndexError::from)?;
    let mut similarities = Vec::new();
    for i in 0..vectors.len() {
        for j in i + 1..vectors.len() {
            let cosine: f32 = vectors[i].iter().zip(&vectors[j]).map(|(a, b)| a * b).sum();
            similarities.push(f64::from(cosine));
        }
    }
    let max = similarities.iter().copied().reduce(f64::max);
    let mean = similarities.iter().sum::<f64>() / similarities.len() as f64;
    Ok((max, Some(mean)))
}

/// Every way an article breaks its contract: a citation without a source, sources not
/// numbered 1..n, a sentence without citation, a quote that is not verbatim in the first
/// source it cites, a sentence that appears twice. Empty when the article is sound.
pub fn contract_violations(
    engine: &Engine,
    article: &Article,
) -> Result<Vec<String>, ExplainError> {
    let mut violations = Vec::new();
    let mut numbers: Vec<u32> = article.sources.iter().map(|s| s.n).collect();
    numbers.sort_unstable();
    if numbers != (1..=article.sources.len() as u32).collect::<Vec<_>>() {
        violations.push(format!("sources are not numbered 1..n: {numbers:?}"));
    }
    let mut seen = HashSet::new();
    for sentence in article.sentences() {
        if sentence.cites.is_empty() {
            violations.push(format!("uncited sentence: {}", sentence.text));
        }
        for n in &sentence.cites {
            if !numbers.contains(n) {
                violations.push(format!("citation [{n}] has no source: {}", sentence.text));
            }
        }
        if sentence.kind == SentenceKind::Generated {
            violations.extend(generated_violations(engine, article, sentence)?);
            continue;
        }
        if sentence.kind != SentenceKind::Quote {
            continue;
        }
        if !seen.insert(sentence.text.as_str()) {
            violations.push(format!("sentence appears twice: {}", sentence.text));
        }
        if !is_verbatim(engine, article, sentence)? {
            violations.push(format!(
                "quote not verbatim in its first source: {}",
                sentence.text
            ));
        }
    }
    Ok(violations)
}

/// A generated sentence must rest on evidence quoted verbatim from the sources it cites, and
/// pass the checker against that evidence (checked again here, not taken from the article).
fn generated_violations(
    engine: &Engine,
    article: &Article,
    sentence: &crate::article::Sentence,
) -> Result<Vec<String>, ExplainError> {
    let mut violations = Vec::new();
    if sentence.evidence.is_empty() {
        violations.push(format!(
            "generated sentence without evidence: {}",
            sentence.text
        ));
        return Ok(violations);
    }
    for evidence in &sentence.evidence {
        let source = article.sources.iter().find(|s| s.n == evidence.source);
        let verbatim = match source {
            Some(source) if sentence.cites.contains(&evidence.source) => engine
                .index()
                .document_by_key(&source.id)?
                .is_some_and(|d| d.text.contains(evidence.text.as_str())),
            _ => false,
        };
        if !verbatim {
            violations.push(format!(
                "evidence of a generated sentence is not verbatim in a source it cites: {}",
                evidence.text
            ));
        }
    }
    let evidence: Vec<&str> = sentence.evidence.iter().map(|e| e.text.as_str()).collect();
    let support = crate::check::support(
        engine.index(),
        engine.index().embedder(),
        &sentence.text,
        &evidence,
    )
    .map_err(IndexError::from)?;
    if !support.supported {
        violations.push(format!(
            "generated sentence fails the checker (support {:.2}{}): {}",
            support.score,
            if support.unmatched.is_empty() {
                String::new()
            } else {
                format!(", unmatched {}", support.unmatched.join(", "))
            },
            sentence.text
        ));
    }
    Ok(violations)
}

/// Is the sentence found word for word in the text of the first source it cites?
fn is_verbatim(
    engine: &Engine,
    article: &Article,
    sentence: &crate::article::Sentence,
) -> Result<bool, ExplainError> {
    let source = sentence
        .cites
        .first()
        .and_then(|n| article.sources.iter().find(|s| s.n == *n));
    Ok(match source {
        Some(source) => engine
            .index()
            .document_by_key(&source.id)?
            .is_some_and(|document| document.text.contains(&sentence.text)),
        None => false,
    })
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

impl EvalReport {
    /// A plain-text table, one line per question, then the overall measures.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "key-pts  sources  cites  dups  novelty  redund  factors  coverage  ms      question\n",
        );
        for case in &self.cases {
            out.push_str(&format!(
                "{:>7.2}  {:>7.2}  {:>5.2}  {:>4}  {:>7.2}  {:>6}  {:>7}  {:<8}  {:>6.1}  {}\n",
                case.key_point_recall,
                case.source_recall,
                case.citation_validity,
                case.duplicate_sentences,
                case.factor_novelty,
                case.redundancy_max
                    .map_or("-".to_owned(), |r| format!("{r:.2}")),
                case.factors,
                case.coverage,
                case.latency_ms,
                case.question
            ));
            if !case.missed_key_points.is_empty() {
                out.push_str(&format!(
                    "         missed key points: {}\n",
                    case.missed_key_points.join("; ")
                ));
            }
            if let (Some((stating, sections)), Some((found, reasons))) =
                (case.reason_sections, case.reasons_found)
            {
                out.push_str(&format!(
                    "         reason sections {stating}/{sections}, reasons found {found}/{reasons}\n"
                ));
            }
            if !case.missed_reasons.is_empty() {
                out.push_str(&format!(
                    "         missed reasons: {}\n",
                    case.missed_reasons.join("; ")
                ));
            }
            if !case.off_topic_sources.is_empty() {
                out.push_str(&format!(
                    "         off-topic sources: {}\n",
                    case.off_topic_sources.join("; ")
                ));
            }
            if !case.missed_sources.is_empty() {
                out.push_str(&format!(
                    "         missed sources: {}\n",
                    case.missed_sources.join("; ")
                ));
            }
        }
        out.push_str(&format!(
            "\noverall: key-point recall {:.3}, source recall {:.3}, citation validity {:.3}, duplicate sentences {}, factor novelty {:.3}\n",
            self.key_point_recall, self.source_recall, self.citation_validity, self.duplicate_sentences, self.factor_novelty
        ));
        if let (Some(precision), Some(recall)) = (self.section_precision, self.reason_recall) {
            out.push_str(&format!(
                "reasons: section precision {precision:.3}, reason recall in sections {recall:.3}, off-topic sources cited {}\n",
                self.off_topic_sources
            ));
        }
        if let (Some(max), Some(mean)) = (self.redundancy_max, self.redundancy_mean) {
            out.push_str(&format!(
                "redundancy between sections: largest {max:.3}, mean {mean:.3}\n"
            ));
        }
        out.push_str(&format!(
            "latency: p50 {:.1} ms, p95 {:.1} ms over {} questions\n",
            self.latency_p50_ms,
            self.latency_p95_ms,
            self.cases.len()
        ));
        out
    }
}
