//! The checker applied to a draft: what may reach the page.
//!
//! Each generated sentence must
//! 1. cite evidence, and only evidence the plan gave (otherwise it is dropped: a citation to
//!    anything else is impossible on the page by construction);
//! 2. hold no number, date or name that its cited evidence lacks, and reach the support
//!    threshold of [`explain::check`] against that evidence.
//!
//! A sentence that fails 2 is replaced by the cited evidence sentence it comes closest to,
//! quoted verbatim, unless the article quotes it already; then it is dropped. A part left
//! empty keeps the extractive article's sentences. The article never shows an unchecked
//! generated sentence.

use embed::Embedder;
use explain::{Article, Sentence, SentenceKind, check};
use index::Index;

use crate::parse::{Draft, DraftSentence};
use crate::plan::Plan;

/// What happened to the model's sentences.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Tally {
    /// Sentences the model wrote.
    pub generated: usize,
    /// Passed the checker and were published as written.
    pub kept: usize,
    /// Failed it and were replaced by the evidence they rest on.
    pub replaced: usize,
    /// Failed it and were left out.
    pub dropped: usize,
    /// Of the dropped: cited evidence that was never given.
    pub unknown_citations: usize,
    /// Of the dropped: cited nothing.
    pub uncited: usize,
    /// Why sentences failed, in the model's words (for the job record and the bench).
    pub failures: Vec<Failure>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Failure {
    pub text: String,
    pub reason: String,
}

/// Builds the published article from `original` (the extractive article the plan came from)
/// and the model's draft.
pub fn apply(
    original: &Article,
    plan: &Plan,
    draft: &Draft,
    index: &Index,
    embedder: Option<&Embedder>,
) -> Result<(Article, Tally), embed::EmbedError> {
    let mut checker = Checker {
        plan,
        index,
        embedder,
        tally: Tally::default(),
        used_evidence: Vec::new(),
    };
    let overview = checker.part(&draft.overview)?;
    let mut sections = original.factors.clone();
    let mut paragraphs = Vec::with_capacity(sections.len());
    for paragraph in &draft.reasons {
        paragraphs.push(checker.part(paragraph)?);
    }
    let summary = checker.part(&draft.summary)?;

    let generated = |part: &[Sentence]| part.iter().any(|s| s.kind == SentenceKind::Generated);
    let mut article = original.clone();
    if generated(&overview) {
        article.overview = overview;
    }
    for (i, section) in sections.iter_mut().enumerate() {
        if let Some(written) = paragraphs.get(i).filter(|p| generated(p)) {
            section.sentences = written.clone();
        }
    }
    article.factors = sections;
    if generated(&summary) {
        article.summary = summary;
    }
    drop_repeated_quotations(&mut article, original);
    renumber_sources(&mut article);
    Ok((article, checker.tally))
}

struct Checker<'a> {
    plan: &'a Plan,
    index: &'a Index,
    embedder: Option<&'a Embedder>,
    tally: Tally,
    /// Evidence quoted as a replacement so far (indices into the plan's evidence).
    used_evidence: Vec<usize>,
}

impl Checker<'_> {
    fn part(&mut self, draft: &[DraftSentence]) -> Result<Vec<Sentence>, embed::EmbedError> {
        let mut out = Vec::new();
        for sentence in draft {
            if let Some(checked) = self.sentence(sentence)? {
                // Never the same sentence twice in a part.
                if !out.iter().any(|s: &Sentence| s.text == checked.text) {
                    out.push(checked);
                }
            }
        }
        Ok(out)
    }

    fn fail(&mut self, text: &str, reason: String) {
        self.tally.failures.push(Failure {
            text: text.to_owned(),
            reason,
        });
    }

    fn sentence(&mut self, draft: &DraftSentence) -> Result<Option<Sentence>, embed::EmbedError> {
        self.tally.generated += 1;
        let given = self.plan.evidence.len() as i64;
        if draft.evidence.is_empty() {
            self.tally.dropped += 1;
            self.tally.uncited += 1;
            self.fail(&draft.text, "cites no evidence".into());
            return Ok(None);
        }
        if let Some(bad) = draft.evidence.iter().find(|&&n| n < 1 || n > given) {
            self.tally.dropped += 1;
            self.tally.unknown_citations += 1;
            self.fail(
                &draft.text,
                format!("cites evidence [{bad}], which was not given (1–{given})"),
            );
            return Ok(None);
        }
        let mut cited: Vec<usize> = Vec::new();
        for &n in &draft.evidence {
            let i = (n - 1) as usize;
            if !cited.contains(&i) {
                cited.push(i);
            }
        }
        let texts: Vec<String> = cited
            .iter()
            .map(|&i| self.plan.evidence[i].text.clone())
            .collect();
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        let support = check::support(self.index, self.embedder, &draft.text, &texts)?;
        if support.supported && draft.text.split_whitespace().count() >= 3 {
            self.tally.kept += 1;
            let best = cited[support.best.unwrap_or(0)];
            // Word for word an evidence sentence: published as the quotation it is.
            if key(&draft.text) == key(&self.plan.evidence[best].text) {
                let evidence = &self.plan.evidence[best];
                return Ok(Some(Sentence::new(
                    evidence.text.clone(),
                    vec![evidence.source],
                    SentenceKind::Quote,
                )));
            }
            // The evidence it comes closest to first.
            cited.sort_by_key(|&i| i != best);
            let mut sources: Vec<u32> = cited
                .iter()
                .map(|&i| self.plan.evidence[i].source)
                .collect();
            sources.sort_unstable();
            sources.dedup();
            let mut sentence = Sentence::new(draft.text.clone(), sources, SentenceKind::Generated);
            sentence.evidence = cited
                .iter()
                .map(|&i| explain::Evidence {
                    source: self.plan.evidence[i].source,
                    text: self.plan.evidence[i].text.clone(),
                })
                .collect();
            sentence.support = Some((f64::from(support.score) * 1000.0).round() / 1000.0);
            return Ok(Some(sentence));
        }
        let reason = if support.unmatched.is_empty() {
            format!(
                "support {:.2} is below the threshold {:.2}",
                support.score,
                if support.semantic.is_some() {
                    check::SUPPORT_THRESHOLD
                } else {
                    check::LEXICAL_SUPPORT_THRESHOLD
                }
            )
        } else {
            format!(
                "names what its evidence does not: {}",
                support.unmatched.join(", ")
            )
        };
        self.fail(&draft.text, reason);
        // Replaced by the evidence it rests on, when that is not quoted yet.
        let best = cited[support.best.unwrap_or(0)];
        if self.used_evidence.contains(&best) {
            self.tally.dropped += 1;
            return Ok(None);
        }
        self.used_evidence.push(best);
        self.tally.replaced += 1;
        let evidence = &self.plan.evidence[best];
        Ok(Some(Sentence::new(
            evidence.text.clone(),
            vec![evidence.source],
            SentenceKind::Quote,
        )))
    }
}

/// A generated sentence with at least this support says what its closest evidence says,
/// nearly word for word: it counts as that evidence when repeats are looked for.
const NEAR_COPY: f64 = 0.95;

/// What a sentence says, for finding repeats: its words in lower case, or for a near copy
/// of its evidence, that evidence's.
fn repeat_key(sentence: &Sentence) -> String {
    match (&sentence.kind, sentence.support, sentence.evidence.first()) {
        (SentenceKind::Generated, Some(support), Some(evidence)) if support >= NEAR_COPY => {
            key(&evidence.text)
        }
        _ => key(&sentence.text),
    }
}

fn key(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Each thing said once. A section needs its sentences most (its reason rests on them), so
/// the overview and the summary lose a sentence that a section also says (a replacement of
/// the model's overview sentence may be one); then, in reading order, a later section loses
/// what an earlier one says, unless that would empty it. Template sentences are never
/// repeats (the summary restates the reasons on purpose).
fn drop_repeated_quotations(article: &mut Article, original: &Article) {
    let keys = |sentences: &[Sentence]| -> Vec<String> {
        sentences
            .iter()
            .filter(|s| s.kind != SentenceKind::Template)
            .map(repeat_key)
            .collect()
    };
    let in_sections: Vec<String> = article
        .factors
        .iter()
        .flat_map(|f| keys(&f.sentences))
        .collect();
    let without = |sentences: &[Sentence], taken: &[String]| -> Vec<Sentence> {
        // Within a part, the model's own sentence wins over a quotation it restates.
        let generated: Vec<String> = sentences
            .iter()
            .filter(|s| s.kind == SentenceKind::Generated)
            .map(repeat_key)
            .collect();
        let mut kept: Vec<Sentence> = Vec::new();
        let mut own: Vec<String> = Vec::new();
        for sentence in sentences {
            if sentence.kind == SentenceKind::Template {
                kept.push(sentence.clone());
                continue;
            }
            let k = repeat_key(sentence);
            if sentence.kind == SentenceKind::Quote && generated.contains(&k) {
                continue;
            }
            if !taken.contains(&k) && !own.contains(&k) {
                own.push(k);
                kept.push(sentence.clone());
            }
        }
        kept
    };
    // An overview left empty takes the extractive one's sentences that no section says.
    let mut overview = without(&article.overview, &in_sections);
    if overview.is_empty() {
        overview = without(&original.overview, &in_sections);
    }
    if !overview.is_empty() {
        article.overview = overview;
    }
    let mut seen = keys(&article.overview);
    for section in &mut article.factors {
        let kept = without(&section.sentences, &seen);
        if !kept.is_empty() {
            section.sentences = kept;
        }
        seen.extend(keys(&section.sentences));
    }
    let summary = without(&article.summary, &seen);
    article.summary = if summary.is_empty() {
        original.summary.clone()
    } else {
        summary
    };
}

/// Drops sources no sentence cites any more and numbers the rest from 1 in order.
fn renumber_sources(article: &mut Article) {
    let mut used: Vec<u32> = article.sentences().flat_map(|s| s.cites.clone()).collect();
    used.sort_unstable();
    used.dedup();
    let new_number = |old: u32| used.iter().position(|&u| u == old).map(|i| i as u32 + 1);
    let renumber = |sentences: &mut Vec<Sentence>| {
        for sentence in sentences {
            sentence.cites = sentence
                .cites
                .iter()
                .filter_map(|&c| new_number(c))
                .collect();
            for evidence in &mut sentence.evidence {
                evidence.source = new_number(evidence.source).unwrap_or(evidence.source);
            }
        }
    };
    renumber(&mut article.overview);
    for section in &mut article.factors {
        renumber(&mut section.sentences);
    }
    renumber(&mut article.summary);
    article.sources.retain(|s| used.contains(&s.n));
    for source in &mut article.sources {
        source.n = new_number(source.n).unwrap_or(source.n);
    }
}
