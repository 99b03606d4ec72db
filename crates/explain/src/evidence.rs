//! Retrieval: from a question to scored evidence sentences and their documents.

use std::collections::{HashMap, HashSet};

use index::{Index, Ranking, StoredDocument, WeightedTerm};

use crate::ExplainError;
use crate::causal::{CausalStatement, find_causal_statements};
use crate::intent::{AnswerKind, Intent};

/// Function words and the frame words of why-questions: they say what kind of answer is
/// wanted, not what it is about.
const STOPWORDS: &[&str] = &[
    "a", "an", "the", "of", "to", "in", "on", "at", "for", "by", "with", "from", "and", "or",
    "but", "as", "into", "about", "so", "such", "that", "this", "these", "those", "it", "its",
    "why", "what", "how", "when", "where", "who", "whom", "which", "whose", "do", "does", "did",
    "done", "doing", "is", "are", "was", "were", "be", "been", "being", "am", "has", "have", "had",
    "having", "can", "could", "should", "would", "will", "shall", "may", "might", "must", "didn",
    "doesn", "don", "isn", "aren", "wasn", "weren", "hasn", "haven", "hadn", "won", "wouldn",
    "couldn", "shouldn", "cannot", "t", "s", "not", "no", "there", "their", "they", "them", "he",
    "she", "his", "her", "we", "our", "you", "your", "my", "me", "cause", "causes", "caused",
    "causing", "happen", "happens", "happened", "reason", "reasons", "explain", "many", "much",
    "very", "some", "any", "all", "ever", "often", "still", "really", "just", "also", "then",
    "than", "if", "because", "start", "starts", "started", "begin", "begins", "began", "occur",
    "occurs", "occurred", "arise", "arises", "arose", "become", "becomes", "became", "exist",
    "exists",
];

/// Words that mark a causal statement; a second search requires one of them.
const CAUSAL_WORDS: &str = "cause caused causes causing due because result resulted resulting led lead leads leading triggered driven factor factors contributed attributed owing spread stems arises";

/// Words that ask about consequences ("Why is hypertension dangerous?"): weighed little.
use crate::intent::SIGNIFICANCE_WORDS as EFFECT_WORDS;

/// Whether the question asks for causes or for consequences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Causes,
    Effects,
}

/// A content term of the question.
#[derive(Debug, Clone)]
pub struct QueryTerm {
    pub stem: String,
    /// The word as the question spelled it.
    pub word: String,
    pub weight: f32,
}

/// A retrieved document.
#[derive(Debug, Clone)]
pub struct EvidenceDocument {
    pub stored: StoredDocument,
    /// Retrieval strength relative to the best document (0..=1).
    pub score: f32,
    /// Every content word of the title is in the question and one names the question's
    /// topic: the document is about the subject ("Sinking of the Titanic", not "Sink").
    pub about_subject: bool,
    /// The title is made only of question words that do not name the topic ("Sink" for
    /// "Why did the Titanic sink?"): the document shares a word with the question and is
    /// about something else.
    pub off_topic_title: bool,
    pub title_stems: HashSet<String>,
    /// How many of the question's topic words the title names, by word form.
    pub topic_words_named: usize,
    /// The subject's own document defines it as a kind of this document's subject ("Rain …
    /// is a form of atmospheric precipitation" makes "Precipitation" the kind of rain): what
    /// causes the kind causes the subject.
    pub kind_of_subject: bool,
}

/// A candidate sentence with its features.
#[derive(Debug, Clone)]
pub struct EvidenceSentence {
    pub document: usize,
    pub ordinal: usize,
    /// Share of the question's term weight present in the sentence (its document's title
    /// counting for part), 0..=1.
    pub relevance: f32,
    pub score: f32,
    pub causal: Vec<CausalStatement>,
    pub stems: Vec<String>,
    /// The sentence's vector and its cosine similarity to the question, when the index has
    /// vectors.
    pub vector: Option<Vec<f32>>,
    pub similarity: Option<f32>,
}

/// What retrieval found for one question.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub terms: Vec<QueryTerm>,
    /// What the question asks (subject, event, kind of answer).
    pub intent: Intent,
    /// The content words that name the question's topic ("Titanic"), lowercase.
    pub topic_words: Vec<String>,
    /// Other names of two words or more that the subject's own document gives it in its
    /// first sentence ("Second World War").
    pub subject_aliases: Vec<String>,
    /// The question's embedding, when the index has vectors.
    pub query_vector: Option<Vec<f32>>,
    pub focus: Focus,
    pub documents: Vec<EvidenceDocument>,
    /// Best first.
    pub sentences: Vec<EvidenceSentence>,
}

/// Retrieval settings.
#[derive(Debug, Clone)]
pub struct RetrievalConfig {
    /// Passages asked of each search.
    pub passages: usize,
    /// Documents kept from the plain search.
    pub documents: usize,
    /// Further documents kept from the search among causal passages.
    pub causal_documents: usize,
    /// Further documents kept from the dense (embedding) search over sentences.
    pub dense_documents: usize,
    /// Further documents kept from the search among causal passages for each other name of
    /// the subject.
    pub alias_documents: usize,
    /// How the lexical searches score passages.
    pub ranking: Ranking,
}

impl Default for RetrievalConfig {
    fn default() -> Self {
        RetrievalConfig {
            passages: 60,
            documents: 12,
            causal_documents: 10,
            dense_documents: 6,
            alias_documents: 3,
            ranking: Ranking::WHY_QUESTION,
        }
    }
}

impl Evidence {
    pub fn text(&self, sentence: &EvidenceSentence) -> &str {
        self.documents[sentence.document]
            .stored
            .sentence_text(sentence.ordinal)
    }

    pub fn total_weight(&self) -> f32 {
        self.terms
            .iter()
            .map(|t| t.weight)
            .sum::<f32>()
            .max(f32::EPSILON)
    }

    /// The words that name the subject: the title of the best document about it, when there
    /// is one ("World War I" for "Why did World War I start?").
    pub fn subject_stems(&self) -> Option<&HashSet<String>> {
        self.documents
            .iter()
            .find(|d| d.about_subject)
            .map(|d| &d.title_stems)
    }

    /// Does `text` name the question's topic (a topic word in one of its forms)? True when
    /// the topic is unknown.
    pub fn names_topic(&self, text: &str) -> bool {
        self.topic_words.is_empty() || self.topic_words_named_in(text) > 0
    }

    /// Does `text` name every topic word, of two or more ("the Indigenous population of the
    /// Americas" in "a reduction in the Indigenous population of the Americas")? By word form,
    /// so that "World War II" does not name "World War I".
    pub fn names_whole_topic(&self, text: &str) -> bool {
        self.topic_words.len() >= 2 && self.topic_words_named_in(text) == self.topic_words.len()
    }

    /// Does `text` name the subject by one of its other names, every content word of it
    /// ("the outbreak of the Second World War" for World War II)?
    pub fn names_an_alias(&self, text: &str) -> bool {
        let forms = word_forms(text);
        self.subject_aliases.iter().any(|alias| {
            let mut words = alias
                .split(|c: char| !c.is_alphanumeric() && c != '-')
                .filter(|w| !w.is_empty() && !STOPWORDS.contains(&w.to_lowercase().as_str()))
                .peekable();
            words.peek().is_some() && words.all(|w| forms.contains(&w.to_lowercase()))
        })
    }

    /// How many of the topic words `text` names, in one of their forms.
    fn topic_words_named_in(&self, text: &str) -> usize {
        let mut forms = word_forms(text);
        // In running text a gerund names what its verb does: "Flooding can be caused by …"
        // speaks of floods. (Not in titles: "Fishing" is no document about fish.)
        let gerunds: Vec<String> = forms
            .iter()
            .filter(|f| f.len() > 6)
            .filter_map(|f| f.strip_suffix("ing").map(str::to_owned))
            .collect();
        forms.extend(gerunds);
        self.topic_words
            .iter()
            .filter(|word| word_variants(word).iter().any(|f| forms.contains(f)))
            .count()
    }

    pub fn is_question_stem(&self, stem: &str) -> bool {
        self.terms.iter().any(|t| t.stem == stem)
    }

    /// Do these stems say nothing the question did not: none at all, or only its own words
    /// ("Skin" for "What causes skin cancer?")?
    pub fn only_question_stems(&self, stems: &HashSet<String>) -> bool {
        stems.iter().all(|s| self.is_question_stem(s))
    }

    /// Index of the sentence `(document, ordinal)` in `sentences`, if it is a candidate.
    pub fn find(&self, document: usize, ordinal: usize) -> Option<usize> {
        self.sentences
            .iter()
            .position(|s| s.document == document && s.ordinal == ordinal)
    }

    /// Adds a document found by a follow-up search (or returns the one already there)
    /// and scores its sentences.
    pub fn add_document(&mut self, index: &Index, stored: StoredDocument, score: f32) -> usize {
        if let Some(existing) = self.documents.iter().position(|d| d.stored.id == stored.id) {
            return existing;
        }
        let position = self.documents.len();
        let document = evidence_document(index, &self.terms, &self.topic_words, stored, score);
        let mut sentences = score_sentences(
            index,
            &self.terms,
            self.query_vector.as_deref(),
            &document,
            position,
        );
        self.documents.push(document);
        self.sentences.append(&mut sentences);
        self.sentences.sort_by(|a, b| b.score.total_cmp(&a.score));
        position
    }
}

/// Content terms of a question, weighted by inverse document frequency.
pub fn query_terms(index: &Index, question: &str) -> (Vec<QueryTerm>, Focus) {
    let tokens = index.analyze(question);
    let mut focus = Focus::Causes;
    let mut terms: Vec<QueryTerm> = Vec::new();
    for token in &tokens {
        let word = question[token.range.clone()].to_lowercase();
        let is_effect_word = EFFECT_WORDS.contains(&word.as_str());
        if is_effect_word {
            focus = Focus::Effects;
        }
        if STOPWORDS.contains(&word.as_str()) || terms.iter().any(|t| t.stem == token.stem) {
            continue;
        }
        // A lone letter ("World War I") says little on its own.
        let damp = if is_effect_word || word.chars().count() == 1 {
            0.3
        } else {
            1.0
        };
        let weight = relevance_weight(index, &token.stem) * damp;
        terms.push(QueryTerm {
            stem: token.stem.clone(),
            word: question[token.range.clone()].to_owned(),
            weight,
        });
    }
    if terms.is_empty() {
        // Nothing but frame words ("Why?"): search with what there is.
        for token in tokens {
            if !terms.iter().any(|t| t.stem == token.stem) {
                terms.push(QueryTerm {
                    weight: relevance_weight(index, &token.stem),
                    word: question[token.range.clone()].to_owned(),
                    stem: token.stem,
                });
            }
        }
    }
    (terms, focus)
}

/// Squared IDF: rare words (the subject) dominate common ones ("people", "become") when
/// judging whether a sentence is about the question.
fn relevance_weight(index: &Index, stem: &str) -> f32 {
    let idf = index.idf(stem);
    idf * idf
}

/// BM25 over passages, grouped into documents, then every sentence of the best documents
/// scored for relevance, causal content and position.
pub fn retrieve(
    index: &Index,
    question: &str,
    config: &RetrievalConfig,
) -> Result<Evidence, ExplainError> {
    retrieve_with(index, question, config, &SourcePriors::new())
}

/// The question's topic words (see [`Intent::topic`]), lowercase, function words left out;
/// empty when the question's form was not recognised.
pub fn topic_words(intent: &Intent) -> Vec<String> {
    intent
        .topic()
        .split(|c: char| !c.is_alphanumeric() && c != '-' && c != '\'')
        .map(str::to_lowercase)
        .filter(|w| !w.is_empty() && !STOPWORDS.contains(&w.as_str()))
        .collect()
}

/// A word's forms for comparing titles with the question: lowercase, and without a plural
/// "s", "es" or "ies" → "y" ("Earthquakes" and "earthquake", "refugees" and "Refugee" agree;
/// "Titans" and "Titanic" do not).
fn word_variants(word: &str) -> Vec<String> {
    let lower = word.to_lowercase();
    let mut variants = vec![lower.clone()];
    if lower.len() > 4 && !lower.ends_with("ss") {
        if let Some(stem) = lower.strip_suffix("ies") {
            variants.push(format!("{stem}y"));
        }
        if let Some(stem) = lower.strip_suffix("es") {
            variants.push(stem.to_owned());
        }
        if let Some(stem) = lower.strip_suffix('s') {
            variants.push(stem.to_owned());
        }
    }
    variants
}

/// The nouns a verb or adjective of the question may be named by in a title: "conform" →
/// "conformity", "migrate" → "migration", "aggressive" → "aggression". Only for words of five
/// letters or more, where such a noun is the same word.
fn nominal_variants(word: &str) -> Vec<String> {
    let lower = word.to_lowercase();
    if lower.len() < 5 || !lower.chars().all(|c| c.is_ascii_lowercase()) {
        return Vec::new();
    }
    let mut variants: Vec<String> = ["ity", "ation", "ion", "ment", "ance", "ence"]
        .iter()
        .map(|suffix| format!("{lower}{suffix}"))
        .collect();
    if let Some(stem) = lower.strip_suffix("ive") {
        variants.push(format!("{stem}ion"));
    } else if let Some(stem) = lower.strip_suffix('e') {
        variants.push(format!("{stem}ion"));
        variants.push(format!("{stem}ation"));
    }
    variants
}

fn word_forms(text: &str) -> HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty() && !STOPWORDS.contains(&w.to_lowercase().as_str()))
        .flat_map(word_variants)
        .collect()
}

/// Multipliers on a document's retrieval strength, by document key ([`StoredDocument::key`]),
/// learnt from readers' votes on the articles that cited it. A document without an entry
/// counts 1.0; entries are clamped to [`PRIOR_RANGE`].
pub type SourcePriors = HashMap<String, f32>;

/// No handful of votes can bury or crown a source: priors stay within this range.
pub const PRIOR_RANGE: (f32, f32) = (0.5, 2.0);

/// [`retrieve`], with each document's strength multiplied by its prior.
pub fn retrieve_with(
    index: &Index,
    question: &str,
    config: &RetrievalConfig,
    priors: &SourcePriors,
) -> Result<Evidence, ExplainError> {
    retrieve_for(index, question, Intent::parse(question), config, priors)
}

/// [`retrieve_with`] for a question whose intent the caller parsed (with verb
/// conjugations, see [`Intent::parse_with`]).
pub fn retrieve_for(
    index: &Index,
    question: &str,
    intent: Intent,
    config: &RetrievalConfig,
    priors: &SourcePriors,
) -> Result<Evidence, ExplainError> {
    let (terms, _) = query_terms(index, question);
    // The parsed question decides: "serious" in "Why are serious crimes rising?" is part of
    // the subject, "dangerous" in "Why is hypertension dangerous?" asks for consequences.
    let focus = if intent.kind == AnswerKind::Significance {
        Focus::Effects
    } else {
        Focus::Causes
    };
    let topic_words = topic_words(&intent);
    let weighted: Vec<WeightedTerm> = terms
        .iter()
        .map(|t| WeightedTerm {
            stem: t.stem.clone(),
            // BM25 weighs by IDF itself; only the effect words are damped.
            weight: if EFFECT_WORDS.contains(&t.word.to_lowercase().as_str()) {
                0.3
            } else {
                1.0
            },
        })
        .collect();
    // Two searches: the question as asked, and the same among passages that state a cause
    // or effect, which a why-question is after. Each is normalised to its best hit.
    let causal_stems: Vec<String> = index
        .analyze(CAUSAL_WORDS)
        .into_iter()
        .map(|t| t.stem)
        .collect();
    // The question's vector is computed on a second thread while the two word searches run:
    // each takes a few milliseconds, and an ask uses one core otherwise.
    let wants_vector = index.vector_count()? > 0;
    let (plain, causal, query_vector) = std::thread::scope(|scope| {
        let vector = wants_vector.then(|| scope.spawn(|| index.embed_query(question)));
        let plain = index.search_with(&weighted, &[], config.passages, config.ranking);
        let causal = index.search_with(&weighted, &causal_stems, config.passages, config.ranking);
        let vector = match vector {
            Some(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            None => Ok(None),
        };
        (plain, causal, vector)
    });
    let (plain, causal, query_vector) = (plain?, causal?, query_vector?);
    // The best documents of each search are kept in their own right, so that a short
    // causal statement is not crowded out by many long documents that merely share words.
    // The dense search ranks sentences by meaning; its documents, in order of their best
    // sentence, are a third list (which finds sources that share no word with the question).
    let mut dense: Vec<index::PassageHit> = Vec::new();
    if let Some(vector) = &query_vector {
        for hit in index.dense_search(vector, config.passages)? {
            if !dense.iter().any(|d| d.document == hit.document) {
                dense.push(index::PassageHit {
                    document: hit.document,
                    passage: 0,
                    score: hit.similarity.max(0.0),
                });
            }
        }
    }
    let mut chosen: Vec<(u64, f32)> = Vec::new();
    for (hits, keep, factor) in [
        (&plain, config.documents, 1.0),
        (&causal, config.causal_documents, 0.9),
        (&dense, config.dense_documents, 0.9),
    ] {
        let top = hits.first().map_or(1.0, |h| h.score).max(f32::EPSILON);
        let mut kept = 0;
        for hit in hits.iter() {
            let score = factor * hit.score / top;
            match chosen.iter_mut().find(|(id, _)| *id == hit.document) {
                Some((_, best)) => *best = best.max(score),
                None if kept < keep => {
                    chosen.push((hit.document, score));
                    kept += 1;
                }
                None => {}
            }
        }
    }
    let document_of = |stored, score| evidence_document(index, &terms, &topic_words, stored, score);
    let mut documents = Vec::new();
    for (id, score) in chosen {
        if let Some(stored) = index.document(id)? {
            documents.push(document_of(stored, score));
        }
    }
    // The subject by another name ("World War II, or the Second World War, was …"): other
    // documents often use that name when they say what caused it ("Germany's invasion of
    // Poland … marked the outbreak of the Second World War"), so passages that name it so
    // and state a cause are searched for too.
    let subject_aliases: Vec<String> = documents
        .iter()
        .filter(|d| d.about_subject)
        .max_by_key(|d| d.topic_words_named)
        .map(|d| aliases_in_lead(d.stored.sentence_text(0), &d.stored.title))
        .unwrap_or_default();
    let alias_cues: Vec<String> = index
        .analyze(&format!("{CAUSAL_WORDS} {ALIAS_CAUSAL_WORDS}"))
        .into_iter()
        .map(|t| t.stem)
        .collect();
    // The words that say what opened an event weigh in the search as well: a passage that
    // names the subject in passing ranks below one that says what set it off.
    let opening_words: Vec<WeightedTerm> = index
        .analyze(ALIAS_CAUSAL_WORDS)
        .into_iter()
        .map(|t| WeightedTerm {
            stem: t.stem,
            weight: 0.5,
        })
        .collect();
    for alias in subject_aliases.iter().take(2) {
        let mut alias_terms: Vec<WeightedTerm> = index
            .analyze(alias)
            .into_iter()
            .filter(|t| !STOPWORDS.contains(&alias[t.range.clone()].to_lowercase().as_str()))
            .map(|t| WeightedTerm {
                stem: t.stem,
                weight: 1.0,
            })
            .collect();
        alias_terms.extend(opening_words.iter().cloned());
        let hits = index.search_with(&alias_terms, &alias_cues, config.passages, config.ranking)?;
        let top = hits.first().map_or(1.0, |h| h.score).max(f32::EPSILON);
        let mut kept = 0;
        for hit in &hits {
            if kept == config.alias_documents {
                break;
            }
            if documents.iter().any(|d| d.stored.id == hit.document) {
                continue;
            }
            // Only a document that names the subject so in a sentence that states a cause or
            // an effect: many name "the Second World War" in passing.
            let Some(stored) = index.document(hit.document)? else {
                continue;
            };
            let lower_alias = alias.to_lowercase();
            let states_it = (0..stored.sentences.len()).any(|i| {
                let sentence = stored.sentence_text(i);
                sentence.to_lowercase().contains(&lower_alias)
                    && !crate::causal::find_causal_statements(sentence).is_empty()
            });
            if states_it {
                documents.push(document_of(stored, 0.8 * hit.score / top));
                kept += 1;
            }
        }
    }
    // A document about the general kind is not about the subject when one that names more of
    // it was found: "Famine" beside "Great Famine (Ireland)" for the Great Famine in Ireland
    // (its causes of famines in general are no answer). "Titanic" and "Sinking of the
    // Titanic" name the same topic words and both stay.
    let most = documents
        .iter()
        .filter(|d| d.about_subject)
        .map(|d| d.topic_words_named)
        .max()
        .unwrap_or(0);
    for document in &mut documents {
        if document.about_subject && document.topic_words_named < most {
            document.about_subject = false;
        }
    }
    mark_kind_of_subject(&mut documents);
    // Documents about the subject itself rank first among near-equals; readers' votes move
    // a source up or down within bounds.
    for document in &mut documents {
        if document.about_subject {
            document.score *= 1.5;
        }
        if document.off_topic_title {
            document.score *= 0.3;
        }
        if let Some(prior) = priors.get(&document.stored.key) {
            document.score *= prior.clamp(PRIOR_RANGE.0, PRIOR_RANGE.1);
        }
    }
    documents.sort_by(|a, b| b.score.total_cmp(&a.score));
    let top = documents.first().map_or(1.0, |d| d.score).max(f32::EPSILON);
    for document in &mut documents {
        document.score /= top;
    }
    let mut sentences = Vec::new();
    for (position, document) in documents.iter().enumerate() {
        sentences.extend(score_sentences(
            index,
            &terms,
            query_vector.as_deref(),
            document,
            position,
        ));
    }
    sentences.sort_by(|a, b| b.score.total_cmp(&a.score));
    Ok(Evidence {
        terms,
        intent,
        topic_words,
        subject_aliases,
        query_vector,
        focus,
        documents,
        sentences,
    })
}

fn evidence_document(
    index: &Index,
    terms: &[QueryTerm],
    topic_words: &[String],
    stored: StoredDocument,
    score: f32,
) -> EvidenceDocument {
    let title_stems: HashSet<String> = index
        .analyze(&stored.title)
        .into_iter()
        .filter(|t| !STOPWORDS.contains(&stored.title[t.range.clone()].to_lowercase().as_str()))
        .map(|t| t.stem)
        .collect();
    // About the subject: every title word is in the question, and the title is more than
    // one common word of it ("Black Death", not "Death", for "Why did the Black Death kill …?").
    let total: f32 = terms
        .iter()
        .map(|t| t.weight)
        .sum::<f32>()
        .max(f32::EPSILON);
    let title_weight: f32 = terms
        .iter()
        .filter(|t| title_stems.contains(&t.stem))
        .map(|t| t.weight)
        .sum();
    let in_question = !title_stems.is_empty()
        && title_stems
            .iter()
            .all(|stem| terms.iter().any(|t| &t.stem == stem));
    // A title of question words none of which names the topic is another thing that shares
    // a word with the question (the event's verb, a predicate): "Sink", "Cold".
    // Compared by word form, not stem: "Titans" does not name "the Titanic", nor "Silicone"
    // "silicon", though the stemmer makes each pair one stem.
    let title_forms = word_forms(&stored.title);
    let topic_forms: Vec<Vec<String>> = topic_words
        .iter()
        .map(|w| {
            let mut forms = word_variants(w);
            forms.extend(nominal_variants(w));
            forms
        })
        .collect();
    let names = |forms: &Vec<String>| forms.iter().any(|f| title_forms.contains(f));
    let topic_words_named = topic_forms.iter().filter(|forms| names(forms)).count();
    let names_topic = topic_forms.is_empty() || topic_words_named > 0;
    // The title names the whole topic ("Silicon" for "Why does silicon dominate
    // semiconductor electronics?") or enough of the question.
    let is_topic = !topic_forms.is_empty() && topic_words_named == topic_forms.len();
    // "A myocardial infarction (MI), commonly known as a heart attack, …": the first sentence
    // gives the question's whole topic as another name of the document's subject.
    let alias = !is_topic
        && !topic_forms.is_empty()
        && !stored.sentences.is_empty()
        && (names_topic_as_alias(stored.sentence_text(0), &topic_forms)
            || names_topic_with_its_place(&stored.title, topic_words));
    let topic_words_named = if alias {
        topic_forms.len()
    } else {
        topic_words_named
    };
    let about_subject = alias
        || (in_question
            && names_topic
            && (title_stems.len() >= 2 || title_weight / total >= 0.35 || is_topic));
    EvidenceDocument {
        stored,
        score,
        about_subject,
        off_topic_title: in_question && !names_topic,
        title_stems,
        topic_words_named,
        kind_of_subject: false,
    }
}

/// Marks the document whose title names the kind the subject's first sentence assigns it:
/// "Rain … is a form of atmospheric precipitation" → "Precipitation", "Hail is a form of solid
/// precipitation" → "Precipitation". Only an explicit "form / type / kind … of", a few words
/// from the name, counts; "is a disease" is too wide a kind to explain anything.
fn mark_kind_of_subject(documents: &mut [EvidenceDocument]) {
    let mut kinds: Vec<Vec<String>> = Vec::new();
    for document in documents.iter().filter(|d| d.about_subject) {
        if document.stored.sentences.is_empty() {
            continue;
        }
        let first = document.stored.sentence_text(0);
        let words: Vec<String> = first
            .split_whitespace()
            .map(|w| {
                w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-')
                    .to_lowercase()
            })
            .collect();
        for at in 0..words.len().saturating_sub(2) {
            let [verb, article] = [&words[at], &words[at + 1]];
            if !["is", "are", "was", "were"].contains(&verb.as_str())
                || !["a", "an", "the", "any"].contains(&article.as_str())
            {
                continue;
            }
            // "a form of", "a classical form of", "the dominant form of".
            let kind_at = (at + 2..(at + 4).min(words.len()))
                .find(|&k| KIND_WORDS.contains(&words[k].as_str()));
            if let Some(k) = kind_at
                && words.get(k + 1).is_some_and(|w| w == "of")
            {
                kinds.push(words[k + 2..(k + 6).min(words.len())].to_vec());
            }
            break;
        }
    }
    if kinds.is_empty() {
        return;
    }
    for document in documents.iter_mut().filter(|d| !d.about_subject) {
        let title: Vec<String> = document
            .stored
            .title
            .split_whitespace()
            .map(|w| w.to_lowercase())
            .collect();
        document.kind_of_subject = !title.is_empty()
            && kinds.iter().any(|kind| {
                kind.windows(title.len())
                    .any(|window| window == title.as_slice())
            });
    }
}

const KIND_WORDS: &[&str] = &["form", "type", "kind", "variety", "class", "subtype"];

/// Does the sentence give another name that holds every topic word ("commonly known as a
/// heart attack", "also called the Great War")? Only a name of a few words counts.
/// The country or region a demonym names: "irish" → "ireland", "syrian" → "syria".
fn place_of(demonym: &str) -> Option<String> {
    const IRREGULAR: &[(&str, &str)] = &[
        ("irish", "ireland"),
        ("english", "england"),
        ("scottish", "scotland"),
        ("welsh", "wales"),
        ("british", "britain"),
        ("french", "france"),
        ("dutch", "netherlands"),
        ("spanish", "spain"),
        ("polish", "poland"),
        ("finnish", "finland"),
        ("danish", "denmark"),
        ("swedish", "sweden"),
        ("turkish", "turkey"),
        ("greek", "greece"),
        ("swiss", "switzerland"),
        ("chinese", "china"),
        ("japanese", "japan"),
        ("vietnamese", "vietnam"),
        ("portuguese", "portugal"),
        ("bengali", "bengal"),
        ("iraqi", "iraq"),
        ("pakistani", "pakistan"),
    ];
    if let Some((_, place)) = IRREGULAR.iter().find(|(d, _)| *d == demonym) {
        return Some((*place).to_owned());
    }
    // "russian" → "russia", "american" → "america", "cuban" → "cuba".
    if demonym.len() > 5
        && let Some(stem) = demonym.strip_suffix('n')
        && (stem.ends_with("ia") || stem.ends_with('a'))
    {
        return Some(stem.to_owned());
    }
    None
}

/// Does a title with a disambiguating place ("Great Famine (Ireland)") name a topic given
/// with that place's demonym ("the Irish famine")? The place must be the parenthesis, every
/// other topic word in the name before it, and at most one more word there ("Great").
fn names_topic_with_its_place(title: &str, topic_words: &[String]) -> bool {
    let Some((name, rest)) = title.split_once(" (") else {
        return false;
    };
    let place = rest.trim_end_matches(')').to_lowercase();
    let Some(demonym) = topic_words
        .iter()
        .position(|w| place_of(w).is_some_and(|p| p == place))
    else {
        return false;
    };
    let name_forms = word_forms(name);
    let others: Vec<&String> = topic_words
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != demonym)
        .map(|(_, w)| w)
        .collect();
    let named = others
        .iter()
        .all(|w| word_variants(w).iter().any(|f| name_forms.contains(f)));
    let name_words = name
        .split_whitespace()
        .filter(|w| !STOPWORDS.contains(&w.to_lowercase().as_str()))
        .count();
    !others.is_empty() && named && name_words <= others.len() + 1
}

/// A title without its bracketed qualifier: "Fault" of "Fault (geology)", the name its text
/// calls it by.
pub(crate) fn name_of_title(title: &str) -> &str {
    title.split(" (").next().unwrap_or(title)
}

/// Words that say what opened an event, searched for with the subject's other names only.
const ALIAS_CAUSAL_WORDS: &str = "outbreak sparked prompted precipitated";

/// The other names, of two content words or more, that a document's first sentence gives
/// its subject right after its title: "Second World War" of "World War II, or the Second
/// World War, was …"; "Protestant Reformation" and "European Reformation" of "The
/// Reformation, also known as the Protestant Reformation or the European Reformation, was
/// …".
pub fn aliases_in_lead(sentence: &str, title: &str) -> Vec<String> {
    const MARKERS: &[&str] = &[
        ", or ",
        ", also known as ",
        ", also called ",
        ", officially ",
        " (",
    ];
    // "Fault (geology)" is named "fault" in its text. (ASCII lower case keeps every byte
    // offset of the sentence.)
    let title = name_of_title(title).to_ascii_lowercase();
    let lower = sentence.to_ascii_lowercase();
    let opening = if lower.starts_with("the ") && !title.starts_with("the ") {
        4
    } else {
        0
    };
    if !lower[opening..].starts_with(&title) {
        return Vec::new();
    }
    let after = opening + title.len();
    let Some(marker) = MARKERS.iter().find(|m| lower[after..].starts_with(*m)) else {
        return Vec::new();
    };
    let start = after + marker.len();
    let rest = &sentence[start..];
    let end = [",", "(", ")", ";", " is ", " was ", " were ", " are "]
        .iter()
        .filter_map(|stop| rest.find(stop))
        .min()
        .unwrap_or(rest.len());
    rest[..end]
        .split(" or ")
        .map(|name| {
            let name = name.trim();
            name.strip_prefix("the ")
                .or_else(|| name.strip_prefix("The "))
                .unwrap_or(name)
        })
        .filter(|name| {
            name.split_whitespace()
                .filter(|w| !STOPWORDS.contains(&w.to_lowercase().as_str()))
                .count()
                >= 2
                && !name.eq_ignore_ascii_case(&title)
        })
        .map(str::to_owned)
        .collect()
}

fn names_topic_as_alias(sentence: &str, topic_forms: &[Vec<String>]) -> bool {
    const MARKERS: &[&str] = &["known as ", "called ", "referred to as ", "nicknamed "];
    let lower = sentence.to_lowercase();
    MARKERS.iter().any(|marker| {
        lower.match_indices(marker).any(|(at, _)| {
            let after = &lower[at + marker.len()..];
            let end = after
                .find([',', ';', '(', ')', '.', ':'])
                .unwrap_or(after.len());
            // Each of "X or Y" is a name; only the same name counts, not a qualified one
            // ("German measles" is another disease than measles).
            after[..end].split(" or ").any(|name| {
                let name: Vec<&str> = name.split_whitespace().take(6).collect();
                let forms = word_forms(&name.join(" "));
                let content_words = name
                    .iter()
                    .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
                    .filter(|w| !w.is_empty() && !STOPWORDS.contains(w))
                    .count();
                content_words == topic_forms.len()
                    && topic_forms
                        .iter()
                        .all(|variants| variants.iter().any(|v| forms.contains(v)))
            })
        })
    })
}

fn score_sentences(
    index: &Index,
    terms: &[QueryTerm],
    query_vector: Option<&[f32]>,
    document: &EvidenceDocument,
    position: usize,
) -> Vec<EvidenceSentence> {
    let total: f32 = terms
        .iter()
        .map(|t| t.weight)
        .sum::<f32>()
        .max(f32::EPSILON);
    let mut sentences = Vec::new();
    for ordinal in 0..document.stored.sentences.len() {
        let text = document.stored.sentence_text(ordinal);
        if !is_quotable(text) {
            continue;
        }
        let stems: Vec<String> = index.analyze(text).into_iter().map(|t| t.stem).collect();
        let mut matched = 0.0;
        for term in terms {
            if stems.contains(&term.stem) {
                matched += term.weight;
            } else if document.title_stems.contains(&term.stem) && !document.off_topic_title {
                matched += 0.7 * term.weight;
            }
        }
        let lexical = (matched / total).min(1.0);
        let vector = query_vector.and_then(|_| {
            index
                .sentence_vector(document.stored.id, ordinal)
                .ok()
                .flatten()
        });
        let similarity = query_vector
            .zip(vector.as_deref())
            .map(|(q, v)| q.iter().zip(v).map(|(a, b)| a * b).sum::<f32>());
        // Meaning can raise relevance (a sentence that answers in other words), never lower
        // what the words already show. Cosine 0.15 or less means unrelated for this model,
        // 0.65 or more a close paraphrase.
        let relevance = match similarity {
            Some(cosine) => {
                let semantic = ((cosine - 0.15) / 0.5).clamp(0.0, 1.0);
                lexical.max(0.5 * lexical + 0.5 * semantic)
            }
            None => lexical,
        };
        let causal: Vec<CausalStatement> = find_causal_statements(text);
        let causal_bonus = if causal.is_empty() { 0.0 } else { 0.25 };
        let lead_bonus = if ordinal == 0 { 0.08 } else { 0.0 };
        let score =
            relevance * (0.5 + 0.5 * document.score) + (causal_bonus + lead_bonus) * relevance;
        sentences.push(EvidenceSentence {
            document: position,
            ordinal,
            relevance,
            score,
            causal,
            stems,
            vector,
            similarity,
        });
    }
    sentences
}

/// Headings, list fragments and very short lines are not quoted as evidence.
fn is_quotable(text: &str) -> bool {
    let words = text.split_whitespace().count();
    let ends_well = text.ends_with(['.', '!', '?', '"', '”', ')', '…']);
    !text.starts_with('#') && words >= 4 && (ends_well || words >= 8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forms(topic: &[&str]) -> Vec<Vec<String>> {
        topic.iter().map(|w| word_variants(w)).collect()
    }

    #[test]
    fn a_title_names_a_topic_by_the_place_its_demonym_names() {
        let topic = |words: &[&str]| words.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>();
        assert!(names_topic_with_its_place(
            "Great Famine (Ireland)",
            &topic(&["irish", "famine"])
        ));
        assert_eq!(place_of("syrian").as_deref(), Some("syria"));
        assert_eq!(place_of("american").as_deref(), Some("america"));
        // Another place, another thing, or a longer name is not the topic.
        assert!(!names_topic_with_its_place(
            "Great Famine (Ireland)",
            &topic(&["chinese", "famine"])
        ));
        assert!(!names_topic_with_its_place(
            "Great Famine (Ireland)",
            &topic(&["irish", "rebellion"])
        ));
        assert!(!names_topic_with_its_place(
            "Great Potato Blight Famine (Ireland)",
            &topic(&["irish", "famine"])
        ));
        assert!(!names_topic_with_its_place(
            "Famine",
            &topic(&["irish", "famine"])
        ));
    }

    #[test]
    fn other_names_after_the_title_are_aliases() {
        assert_eq!(
            aliases_in_lead(
                "World War II, or the Second World War, was a global conflict between two coalitions: the Allies and the Axis powers.",
                "World War II"
            ),
            ["Second World War"]
        );
        assert_eq!(
            aliases_in_lead(
                "The Reformation, also known as the Protestant Reformation or the European Reformation, was a major theological movement.",
                "Reformation"
            ),
            ["Protestant Reformation", "European Reformation"]
        );
        assert_eq!(
            aliases_in_lead(
                "The Soviet Union, officially the Union of Soviet Socialist Republics (USSR), was a transcontinental country.",
                "Soviet Union"
            ),
            ["Union of Soviet Socialist Republics"]
        );
        // One word is no alias worth a search ("quake"), nor is a sentence about another
        // thing.
        assert!(
            aliases_in_lead(
                "An earthquake, also called a quake, tremor, or temblor, is the shaking of the Earth's surface.",
                "Earthquake"
            )
            .is_empty()
        );
        assert!(
            aliases_in_lead(
                "In geology, a fault is a planar fracture.",
                "Fault (geology)"
            )
            .is_empty()
        );
        // A letter whose lower case is longer keeps the offsets right.
        assert_eq!(
            aliases_in_lead(
                "İstanbul, or the City of Constantinople, is a city.",
                "İstanbul"
            ),
            ["City of Constantinople"]
        );
    }

    #[test]
    fn another_name_that_holds_the_whole_topic_is_an_alias() {
        let lead = "A myocardial infarction (MI), commonly known as a heart attack, occurs when \
                    blood flow decreases or stops in one of the coronary arteries of the heart.";
        assert!(names_topic_as_alias(lead, &forms(&["heart", "attacks"])));
        // Half the topic, or the topic outside the name, is no alias.
        assert!(!names_topic_as_alias(lead, &forms(&["heart", "failure"])));
        // A qualified name is another thing.
        assert!(!names_topic_as_alias(
            "Rubella, also known as German measles or three-day measles, is an infection.",
            &forms(&["measles"])
        ));
        assert!(!names_topic_as_alias(
            "The heart is a muscular organ, known as the cardiac muscle, that can attack.",
            &forms(&["heart", "attacks"])
        ));
    }
}
