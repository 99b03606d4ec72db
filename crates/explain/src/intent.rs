//! What a question asks: its subject, the event asked about, and the kind of answer wanted.
//!
//! "Why did the Titanic sink?" is about *the Titanic* (subject) and *sink* (event) and wants
//! causes; "Why is hypertension dangerous?" wants the consequences that make hypertension
//! dangerous; "Why was the Cold War called cold?" wants the reason for a name. Retrieval uses
//! the split to tell a document about the subject ("Sinking of the Titanic") from one that
//! only shares a word with the question ("Sink"), and composition uses it to keep only
//! statements that connect to the event and to restate the question in the summary.
//!
//! The parser reads the question's words with a few patterns of English question syntax
//! ("why" + auxiliary + clause, "what causes X", "how come" + clause, "why is X called Y");
//! it needs no lexicon, so it never fails: an unrecognised question keeps all its content
//! words as the subject.

use serde::Serialize;

/// The kind of answer a question wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AnswerKind {
    /// Why something happens or is so: its causes.
    Causes,
    /// Why something matters, is dangerous or important: its consequences.
    Significance,
    /// Why something is called what it is.
    Naming,
    /// What something is for.
    Purpose,
    /// How something works.
    Mechanism,
}

/// Tense of the question's auxiliary: the summary restates the question in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tense {
    Present,
    Past,
}

/// What the question asks, as parsed from its words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Intent {
    pub kind: AnswerKind,
    /// What the question is about, as written ("the Titanic", "World War I", "people").
    pub subject: String,
    /// What the question asks about the subject, as written: the verb phrase after a "do"
    /// auxiliary ("sink", "become refugees"), the predicate after "is" ("dangerous",
    /// "called cold"); empty when the subject is itself the event ("What causes diabetes?").
    pub event: String,
    /// The auxiliary as written ("did", "is", "didn't"); empty when there is none.
    pub auxiliary: String,
    pub tense: Tense,
    /// "Why didn't …", "Why isn't …".
    pub negated: bool,
}

/// Auxiliaries after "why": (word, is a form of "be", past tense, negated).
const AUXILIARIES: &[(&str, bool, bool, bool)] = &[
    ("do", false, false, false),
    ("does", false, false, false),
    ("did", false, true, false),
    ("don't", false, false, true),
    ("doesn't", false, false, true),
    ("didn't", false, true, true),
    ("dont", false, false, true),
    ("doesnt", false, false, true),
    ("didnt", false, true, true),
    ("is", true, false, false),
    ("are", true, false, false),
    ("was", true, true, false),
    ("were", true, true, false),
    ("isn't", true, false, true),
    ("aren't", true, false, true),
    ("wasn't", true, true, true),
    ("weren't", true, true, true),
    ("has", false, false, false),
    ("have", false, false, false),
    ("had", false, true, false),
    ("hasn't", false, false, true),
    ("haven't", false, false, true),
    ("hadn't", false, true, true),
    ("can", false, false, false),
    ("can't", false, false, true),
    ("cannot", false, false, true),
    ("could", false, true, false),
    ("couldn't", false, true, true),
    ("would", false, true, false),
    ("wouldn't", false, true, true),
    ("will", false, false, false),
    ("won't", false, false, true),
    ("should", false, false, false),
    ("shouldn't", false, false, true),
    ("must", false, false, false),
];

/// "What causes X?" and its kin: the rest of the question is the subject, and causes are wanted.
const CAUSE_OPENERS: &[&str] = &[
    "what causes",
    "what caused",
    "what cause",
    "what leads to",
    "what led to",
    "what triggers",
    "what triggered",
    "what drives",
    "what drove",
    "what brought about",
    "what brings about",
    "what is the cause of",
    "what was the cause of",
    "what are the causes of",
    "what were the causes of",
    "what is the reason for",
    "what was the reason for",
    "what are the reasons for",
    "what were the reasons for",
    "what is the reason behind",
    "what are the reasons behind",
    "what is behind",
    "what was behind",
    "what are the origins of",
    "what were the origins of",
    "what is the origin of",
    "what was the origin of",
];

const PURPOSE_OPENERS: &[&str] = &[
    "what is the purpose of",
    "what was the purpose of",
    "what are the purposes of",
    "what is the point of",
    "what is the function of",
    "what are the functions of",
    "what is the role of",
];

const SIGNIFICANCE_OPENERS: &[&str] = &[
    "what are the effects of",
    "what were the effects of",
    "what are the consequences of",
    "what were the consequences of",
    "what is the significance of",
    "what was the significance of",
    "what is the impact of",
    "what was the impact of",
    "what are the dangers of",
];

/// Predicates that ask why something matters rather than why it happened.
pub(crate) const SIGNIFICANCE_WORDS: &[&str] = &[
    "dangerous",
    "harmful",
    "matter",
    "matters",
    "mattered",
    "important",
    "significant",
    "bad",
    "deadly",
    "serious",
    "consequences",
    "effects",
    "impact",
    "risky",
    "fatal",
    "unhealthy",
    "toxic",
];

/// Words that ask for the reason of a name.
const NAMING_WORDS: &[&str] = &["called", "named", "known", "nicknamed", "termed", "dubbed"];

/// Subjects that say nothing about the topic ("Why do *people* become refugees?"): the
/// topic is then in the event.
const GENERIC_SUBJECTS: &[&str] = &[
    "people",
    "persons",
    "humans",
    "we",
    "you",
    "they",
    "someone",
    "somebody",
    "anyone",
    "person",
    "one",
    "men",
    "women",
    "children",
    "kids",
    "adults",
    "individuals",
    "countries",
    "nations",
    "governments",
    "it",
    "things",
    "some",
    "many",
];

const IRREGULAR_PLURALS: &[&str] = &[
    "people", "children", "men", "women", "mice", "teeth", "feet", "geese", "cattle", "lice",
    "data", "media", "bacteria", "fungi", "cacti", "police",
];

const DETERMINERS: &[&str] = &[
    "the", "a", "an", "some", "many", "most", "all", "so", "our", "my", "your", "their", "his",
    "her", "its", "this", "these", "those", "that",
];

/// Verbs that only say that something took place: a question's subject is every word before
/// them.
const EVENT_ONLY_VERBS: &[&str] = &["happen", "occur"];

impl Intent {
    /// [`Intent::parse`], then, with verb conjugations at hand, the subject of a "do"
    /// question takes the nouns that the word-shape rules left in the event: "Why did the
    /// Spanish flu kill …" is about *the Spanish flu*, "Why did the steam engine matter?"
    /// about *the steam engine* ("flu" and "engine" are no verbs; "kill" and "matter" are).
    pub fn parse_with(text: &str, verbs: Option<&crate::tagger::Verbs>) -> Intent {
        let mut intent = Intent::parse(text);
        let Some(verbs) = verbs else {
            return intent;
        };
        // "What made the Titanic sink?": the verb after the subject asks with "did".
        let lower_text = text.to_lowercase();
        if ["what makes ", "what make ", "what made "]
            .iter()
            .any(|opener| lower_text.starts_with(opener))
            && let Some(verb) = intent.event.split(' ').next().map(str::to_lowercase)
            && verbs.lemma(&verb) == Some(verb.as_str())
        {
            let plural = intent.auxiliary == "are";
            intent.auxiliary = match intent.tense {
                Tense::Past => "did",
                Tense::Present if plural => "do",
                Tense::Present => "does",
            }
            .to_owned();
        }
        let auxiliary = normalise_apostrophe(&intent.auxiliary);
        let do_question = AUXILIARIES
            .iter()
            .any(|(word, is_be, _, _)| !is_be && auxiliary == *word);
        if !do_question {
            return intent;
        }
        // "Why did the 1973 oil crisis happen?": before "happen" or "occur", which take no
        // object, every word is the subject's, whatever else it could be ("oil", "collapse").
        let words: Vec<&str> = intent.event.split_whitespace().collect();
        // ("Why did the UN let the genocide happen?" has a verb and its object before it:
        // a determiner or "to" among those words tells.)
        if let [before @ .., last] = words.as_slice()
            && !before.is_empty()
            && EVENT_ONLY_VERBS.contains(&last.to_lowercase().as_str())
            && !before.iter().any(|w| {
                let w = w.to_lowercase();
                w == "to" || DETERMINERS.contains(&w.as_str())
            })
        {
            intent.subject = format!("{} {}", intent.subject, before.join(" "));
            intent.event = (*last).to_owned();
            return intent;
        }
        let is_verb = |word: &str| verbs.lemma(&word.to_lowercase()).is_some();
        loop {
            let mut words = intent.event.split_whitespace();
            let Some(first) = words.next() else {
                break;
            };
            // Every noun before the verb is the subject's: "Why did the Syrian civil war
            // begin?" is about *the Syrian civil war*, not "the Syrian".
            let mut later = words.take_while(|w| !DETERMINERS.contains(&w.to_lowercase().as_str()));
            if is_verb(first) || !later.any(is_verb) {
                break;
            }
            intent.subject = format!("{} {first}", intent.subject);
            intent.event = intent.event[first.len()..].trim_start().to_owned();
        }
        intent
    }

    /// Parses a question (as cleaned by [`crate::Question::parse`]).
    pub fn parse(text: &str) -> Intent {
        let words: Vec<&str> = text
            .split_whitespace()
            .map(|w| {
                w.trim_matches(|c: char| {
                    matches!(c, '?' | '!' | '.' | ',' | ';' | ':' | '"' | '“' | '”')
                })
            })
            .filter(|w| !w.is_empty())
            .collect();
        let lower: Vec<String> = words.iter().map(|w| normalise_apostrophe(w)).collect();
        let joined = lower.join(" ");
        let mut intent = Intent {
            kind: AnswerKind::Causes,
            subject: String::new(),
            event: String::new(),
            auxiliary: String::new(),
            tense: Tense::Present,
            negated: false,
        };
        let rest_after = |prefix: &str| -> Option<String> {
            let n = prefix.split(' ').count();
            (joined == prefix || joined.starts_with(&format!("{prefix} ")))
                .then(|| words[n.min(words.len())..].join(" "))
        };
        // "What makes people aggressive?", "What made the Titanic sink?": a clause without
        // its auxiliary, asking for causes like "Why are people aggressive?".
        if let Some(made) = ["what makes", "what make", "what made"]
            .iter()
            .find(|opener| joined.starts_with(&format!("{opener} ")))
            && words.len() >= 4
        {
            intent.tense = if made.ends_with("made") {
                Tense::Past
            } else {
                Tense::Present
            };
            let (subject, event) = split_clause(&words[2..], &lower[2..], true);
            if !subject.is_empty() && !event.is_empty() {
                // The auxiliary of "Why are people aggressive?"; a verb after the subject
                // takes "do" instead (see [`Intent::parse_with`]).
                let head = subject.rsplit(' ').next().unwrap_or("").to_lowercase();
                let plural = IRREGULAR_PLURALS.contains(&head.as_str())
                    || (head.ends_with('s') && !head.ends_with("ss"));
                intent.auxiliary = match (intent.tense, plural) {
                    (Tense::Past, false) => "was",
                    (Tense::Past, true) => "were",
                    (Tense::Present, false) => "is",
                    (Tense::Present, true) => "are",
                }
                .to_owned();
                intent.subject = subject;
                intent.event = event;
                intent.kind = kind_of_event(&intent.event, AnswerKind::Causes);
                return intent;
            }
        }
        for (openers, kind) in [
            (CAUSE_OPENERS, AnswerKind::Causes),
            (PURPOSE_OPENERS, AnswerKind::Purpose),
            (SIGNIFICANCE_OPENERS, AnswerKind::Significance),
        ] {
            // Longest opener first: "what is the cause of" before "what is behind".
            let mut sorted: Vec<&&str> = openers.iter().collect();
            sorted.sort_by_key(|o| std::cmp::Reverse(o.len()));
            for opener in sorted {
                if let Some(rest) = rest_after(opener) {
                    intent.kind = kind;
                    intent.tense = if opener.contains(" was ")
                        || opener.contains(" were ")
                        || opener.ends_with("caused")
                        || opener.contains(" led ")
                        || opener.contains("triggered")
                        || opener.contains("drove")
                        || opener.contains("brought")
                    {
                        Tense::Past
                    } else {
                        Tense::Present
                    };
                    intent.subject = rest;
                    return intent;
                }
            }
        }
        // "How does X work?", "How do X form?"
        if lower.first().is_some_and(|w| w == "how")
            && lower.get(1).is_some_and(|w| w != "come")
            && let Some(&(aux, is_be, past, negated)) = AUXILIARIES
                .iter()
                .find(|a| Some(&a.0.to_owned()) == lower.get(1))
        {
            intent.auxiliary = words[1].to_owned();
            intent.tense = if past { Tense::Past } else { Tense::Present };
            intent.negated = negated;
            let _ = aux;
            let (subject, event) = split_clause(&words[2..], &lower[2..], is_be);
            intent.subject = subject;
            intent.event = event;
            intent.kind = if lower.last().is_some_and(|w| w == "work" || w == "works") {
                AnswerKind::Mechanism
            } else {
                AnswerKind::Causes
            };
            return intent;
        }
        // "Why …" or "How come …" followed by a clause.
        let clause_start = if lower.first().is_some_and(|w| w == "why") {
            Some(1)
        } else if lower.len() >= 2 && lower[0] == "how" && lower[1] == "come" {
            Some(2)
        } else {
            None
        };
        let Some(start) = clause_start else {
            // Not a recognised question form: every content word is the subject.
            intent.subject = words.join(" ");
            return intent;
        };
        let (words, lower) = (&words[start..], &lower[start..]);
        let auxiliary = lower
            .first()
            .and_then(|w| AUXILIARIES.iter().find(|a| a.0 == w.as_str()));
        let (subject, event) = match auxiliary {
            Some(&(_, is_be, past, negated)) => {
                intent.auxiliary = words[0].to_owned();
                intent.tense = if past { Tense::Past } else { Tense::Present };
                intent.negated = negated;
                let mut rest_words = &words[1..];
                let mut rest_lower = &lower[1..];
                // "Why did NATO not send …", "Why do people not …": the negation is the
                // auxiliary's.
                if let Some(at) = rest_lower.iter().position(|w| w == "not" || w == "never")
                    && !is_be
                {
                    intent.negated = true;
                    let (before, after) =
                        (rest_words[..at].to_vec(), rest_words[at + 1..].to_vec());
                    let joined: Vec<&str> = before.into_iter().chain(after).collect();
                    let lowered: Vec<String> =
                        joined.iter().map(|w| normalise_apostrophe(w)).collect();
                    return intent.with_clause(split_clause(&joined, &lowered, false), is_be);
                }
                if is_be && rest_lower.first().is_some_and(|w| w == "not") {
                    intent.negated = true;
                    rest_words = &rest_words[1..];
                    rest_lower = &rest_lower[1..];
                }
                let split = split_clause(rest_words, rest_lower, is_be);
                return intent.with_clause(split, is_be);
            }
            // "How come the dinosaurs died out?": a declarative clause, its verb in the past
            // when it ends in -ed.
            None => {
                let (subject, event) = split_clause(words, lower, false);
                let verb = event.split(' ').next().unwrap_or("").to_lowercase();
                if verb.ends_with("ed") || IRREGULAR_PASTS.contains(&verb.as_str()) {
                    intent.tense = Tense::Past;
                }
                (subject, event)
            }
        };
        intent.subject = subject;
        intent.event = event;
        intent.kind = kind_of_event(&intent.event, AnswerKind::Causes);
        intent
    }

    fn with_clause(mut self, (subject, event): (String, String), is_be: bool) -> Intent {
        self.subject = subject;
        self.event = event;
        let first = self.event.split(' ').next().unwrap_or("").to_lowercase();
        self.kind = if is_be && NAMING_WORDS.contains(&first.as_str()) {
            AnswerKind::Naming
        } else if is_be
            && crate::aim::MAKING_VERBS.contains(&first.as_str())
            && self.event.split(' ').count() <= 3
        {
            // "Why was the Berlin Wall built?" asks what it was built for.
            AnswerKind::Purpose
        } else {
            kind_of_event(&self.event, AnswerKind::Causes)
        };
        self
    }

    /// The words that say what the question is about: the subject, or the event's words
    /// after its verb when the subject is generic ("people" in "Why do people become
    /// refugees?" → "refugees").
    pub fn topic(&self) -> String {
        if self.subject_is_generic() {
            let mut words = self.event.split_whitespace();
            // The verb is the topic too when it names an activity of its own ("conform" in
            // "Why do people conform to group norms?", whose document is "Conformity"); a
            // light verb ("become", "have") names nothing.
            let verb = words.next().filter(|verb| {
                verb.len() >= 4 && !LIGHT_VERBS.contains(&verb.to_lowercase().as_str())
            });
            return verb.into_iter().chain(words).collect::<Vec<_>>().join(" ");
        }
        self.subject.clone()
    }

    /// The event's verb ("sink" in "Why did the Titanic sink?"): a word that names what
    /// happened, never what the question is about.
    pub fn event_verb(&self) -> Option<&str> {
        if self.auxiliary.is_empty() && self.event.is_empty() {
            return None;
        }
        self.event.split_whitespace().next()
    }

    pub fn subject_is_generic(&self) -> bool {
        let words: Vec<String> = self
            .subject
            .split_whitespace()
            .map(str::to_lowercase)
            .filter(|w| !DETERMINERS.contains(&w.as_str()))
            .collect();
        !words.is_empty() && words.iter().all(|w| GENERIC_SUBJECTS.contains(&w.as_str()))
    }
}

/// Verbs that name no activity of their own: the topic of "Why do people become refugees?"
/// is refugees.
const LIGHT_VERBS: &[&str] = &[
    "become",
    "have",
    "make",
    "take",
    "give",
    "keep",
    "want",
    "need",
    "like",
    "love",
    "hate",
    "seem",
    "feel",
    "look",
    "come",
    "live",
    "tend",
    "choose",
    "prefer",
    "find",
    "still",
    "often",
    "always",
    "never",
    "usually",
    "sometimes",
    "really",
    "actually",
    "even",
];

const IRREGULAR_PASTS: &[&str] = &[
    "sank", "fell", "began", "went", "became", "came", "grew", "rose", "broke", "froze", "ran",
    "won", "lost", "left", "died", "made", "took", "got", "saw", "knew", "spread", "struck",
];

fn kind_of_event(event: &str, default: AnswerKind) -> AnswerKind {
    let words: Vec<String> = event.split_whitespace().map(str::to_lowercase).collect();
    let first = words.first().map(String::as_str).unwrap_or("");
    if words
        .iter()
        .any(|w| SIGNIFICANCE_WORDS.contains(&w.as_str()))
        && (words.len() <= 3 || SIGNIFICANCE_WORDS.contains(&first) || first == "so")
    {
        AnswerKind::Significance
    } else {
        default
    }
}

fn normalise_apostrophe(word: &str) -> String {
    word.replace('’', "'").to_lowercase()
}

/// Splits a clause after the auxiliary into subject and the rest.
fn split_clause(words: &[&str], lower: &[String], after_be: bool) -> (String, String) {
    if words.is_empty() {
        return (String::new(), String::new());
    }
    let end = if after_be {
        subject_end_before_predicate(words, lower)
    } else {
        subject_end_before_verb(words, lower)
    };
    (words[..end].join(" "), words[end..].join(" "))
}

fn is_capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
        || word.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// A run of names: "World War I", "the Black Death", "the Wall Street crash of 1929", "the
/// Scramble for Africa", "the War in Afghanistan".
fn name_run_end(words: &[&str], lower: &[String], start: usize) -> usize {
    let mut end = start;
    while end < words.len() {
        let word = words[end];
        let joins = matches!(
            lower[end].as_str(),
            "of" | "the" | "and" | "de" | "von" | "on" | "for" | "in" | "to"
        ) && end + 1 < words.len()
            && is_capitalised(words[end + 1])
            && end > start;
        if is_capitalised(word) || joins {
            end += 1;
        } else {
            break;
        }
    }
    end
}

/// After "do"/"did": the subject ends before the main verb.
fn subject_end_before_verb(words: &[&str], lower: &[String]) -> usize {
    let mut start = 0;
    while start < words.len() && DETERMINERS.contains(&lower[start].as_str()) {
        start += 1;
    }
    if start >= words.len() {
        return words.len();
    }
    if is_capitalised(words[start]) {
        let mut end = name_run_end(words, lower, start);
        // "the Wall Street crash of 1929 …" is rare after "do"; a lowercase common noun right
        // after a name run with a determiner before it continues the noun phrase only when
        // the word after it is not the clause's end ("the Titanic sink" ends there).
        // "the Wall Street crash of 1929": a common noun with an "of" phrase of names or
        // numbers after it continues the subject.
        // So does one with "of the" and a name: "the Indigenous population of the Americas".
        let name_at = if end + 3 < words.len() && lower[end + 2] == "the" {
            end + 3
        } else {
            end + 2
        };
        if name_at < words.len() && lower[end + 1] == "of" && is_capitalised(words[name_at]) {
            end = name_run_end(words, lower, name_at);
        }
        // "the Wars of the Roses": a name run with an "of" phrase of names is one name.
        let name_at = if end + 2 < words.len() && lower[end + 1] == "the" {
            end + 2
        } else {
            end + 1
        };
        if name_at + 1 < words.len() && lower[end] == "of" && is_capitalised(words[name_at]) {
            end = name_run_end(words, lower, name_at);
        }
        return end.max(start + 1).min(words.len());
    }
    // Lowercase subject: up to its plural head ("hot air balloons"), else one word, with
    // the words after it while it is an adjective or the next word a gerund, which cannot be
    // the verb after "do" ("commercial whaling" come to an end).
    for (i, word) in lower.iter().enumerate().skip(start).take(4) {
        if i + 1 < words.len() && looks_plural(word) {
            return i + 1;
        }
    }
    let mut end = start + 1;
    let ends_in = |word: &str, endings: &[&str]| {
        endings
            .iter()
            .any(|ending| word.ends_with(ending) && word.len() > ending.len() + 2)
    };
    while end + 1 < words.len()
        && end < start + 3
        && (ends_in(&lower[end - 1], ADJECTIVE_ENDINGS) || ends_in(&lower[end], &["ing"]))
    {
        end += 1;
    }
    end.min(words.len())
}

/// Endings of adjectives, never of a verb's base form.
const ADJECTIVE_ENDINGS: &[&str] = &["al", "ic", "ous", "ive", "ary", "ful", "less", "ern"];

fn looks_plural(word: &str) -> bool {
    IRREGULAR_PLURALS.contains(&word)
        || (word.len() > 3
            && word.ends_with('s')
            && !word.ends_with("ss")
            && !word.ends_with("us")
            && !word.ends_with("is"))
}

/// Participles too short or irregular for the suffix rule ("Why are plastics *used* so
/// widely?").
const SHORT_PARTICIPLES: &[&str] = &[
    "used", "made", "done", "seen", "held", "kept", "sold", "told", "paid", "laid", "built",
    "sent", "known", "shown", "grown", "drawn", "worn", "born", "found", "given", "taken",
];

/// After "is"/"was": the subject ends before its predicate (an adjective, a participle,
/// "called", "not", an article), else before the last word.
fn subject_end_before_predicate(words: &[&str], lower: &[String]) -> usize {
    let mut start = 0;
    while start < words.len() && DETERMINERS.contains(&lower[start].as_str()) {
        start += 1;
    }
    if start >= words.len() {
        return words.len();
    }
    let first_past_names = if is_capitalised(words[start]) {
        name_run_end(words, lower, start)
    } else {
        start + 1
    };
    for i in first_past_names.max(start + 1)..words.len() {
        let word = lower[i].as_str();
        let predicate_start = NAMING_WORDS.contains(&word)
            || SIGNIFICANCE_WORDS.contains(&word)
            || matches!(
                word,
                "not"
                    | "so"
                    | "a"
                    | "an"
                    | "the"
                    | "considered"
                    | "still"
                    | "more"
                    | "less"
                    | "no"
                    | "such"
            )
            || ((word.ends_with("ing") || word.ends_with("ed")) && word.len() > 4)
            || SHORT_PARTICIPLES.contains(&word)
            || [
                "ous", "ful", "ive", "ic", "able", "ible", "ent", "ant", "al",
            ]
            .iter()
            .any(|suffix| word.len() > 5 && word.ends_with(suffix))
            || (word.ends_with("er") && lower.get(i + 1).is_some_and(|w| w == "than"));
        if predicate_start && !is_capitalised(words[i]) {
            return i;
        }
    }
    // "Why is the sky blue?": the last word is the predicate.
    if words.len() - start >= 2 && first_past_names < words.len() {
        return first_past_names.max(words.len() - 1);
    }
    words.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &str) -> (AnswerKind, String, String) {
        let i = Intent::parse(q);
        (i.kind, i.subject, i.event)
    }

    fn check(q: &str, kind: AnswerKind, subject: &str, event: &str) {
        assert_eq!(
            parse(q),
            (kind, subject.to_owned(), event.to_owned()),
            "parsing {q:?}"
        );
    }

    use AnswerKind::*;

    #[test]
    fn why_do_questions_split_subject_and_event() {
        check("Why did the Titanic sink?", Causes, "the Titanic", "sink");
        check("Why did World War I start?", Causes, "World War I", "start");
        check(
            "Why did commercial whaling come to an end?",
            Causes,
            "commercial whaling",
            "come to an end",
        );
        check("Why does ice float?", Causes, "ice", "float");
        check(
            "Why did the Indigenous population of the Americas decline after 1492?",
            Causes,
            "the Indigenous population of the Americas",
            "decline after 1492",
        );
        check(
            "Why did the Black Death kill so many people?",
            Causes,
            "the Black Death",
            "kill so many people",
        );
        check(
            "Why do people become refugees?",
            Causes,
            "people",
            "become refugees",
        );
        check(
            "Why do earthquakes happen?",
            Causes,
            "earthquakes",
            "happen",
        );
        check("Why do strokes happen?", Causes, "strokes", "happen");
        check(
            "Why do hot air balloons float?",
            Causes,
            "hot air balloons",
            "float",
        );
        check(
            "Why did the Roman Empire fall?",
            Causes,
            "the Roman Empire",
            "fall",
        );
        check(
            "Why does ice float on water?",
            Causes,
            "ice",
            "float on water",
        );
        check(
            "Why do leaves change colour in autumn?",
            Causes,
            "leaves",
            "change colour in autumn",
        );
        check(
            "Why did the Soviet Union collapse?",
            Causes,
            "the Soviet Union",
            "collapse",
        );
        check("Why do famines happen?", Causes, "famines", "happen");
        check(
            "why did the dinosaurs go extinct",
            Causes,
            "the dinosaurs",
            "go extinct",
        );
    }

    #[test]
    fn negated_questions_keep_their_subject() {
        let intent = Intent::parse("Why didn't NATO send troops to Ukraine?");
        assert_eq!(intent.subject, "NATO");
        assert_eq!(intent.event, "send troops to Ukraine");
        assert!(intent.negated);
        assert_eq!(intent.tense, Tense::Past);
        let intent = Intent::parse("Why did the United States not join the League of Nations?");
        assert_eq!(intent.subject, "the United States");
        assert_eq!(intent.event, "join the League of Nations");
        assert!(intent.negated);
        let intent = Intent::parse("Why doesn’t the Moon fall to Earth?");
        assert_eq!(intent.subject, "the Moon");
        assert_eq!(intent.event, "fall to Earth");
        assert!(intent.negated);
        assert_eq!(intent.tense, Tense::Present);
        let intent = Intent::parse("Why isn't Pluto a planet?");
        assert_eq!(
            (intent.subject.as_str(), intent.event.as_str()),
            ("Pluto", "a planet")
        );
        assert!(intent.negated);
    }

    #[test]
    fn what_causes_questions_make_the_rest_the_subject() {
        check("What causes diabetes?", Causes, "diabetes", "");
        check(
            "What caused the Great Depression?",
            Causes,
            "the Great Depression",
            "",
        );
        check("What leads to inflation?", Causes, "inflation", "");
        check(
            "What were the causes of the French Revolution?",
            Causes,
            "the French Revolution",
            "",
        );
        check(
            "What is the reason for the seasons?",
            Causes,
            "the seasons",
            "",
        );
        check(
            "What triggered the Arab Spring?",
            Causes,
            "the Arab Spring",
            "",
        );
        assert_eq!(
            Intent::parse("What caused the Great Depression?").tense,
            Tense::Past
        );
        assert_eq!(Intent::parse("What causes diabetes?").tense, Tense::Present);
    }

    #[test]
    fn what_makes_questions_are_clauses_without_their_auxiliary() {
        check(
            "What makes people aggressive?",
            Causes,
            "people",
            "aggressive",
        );
        check("What makes the sky blue?", Causes, "the sky", "blue");
        check("What made the Titanic sink?", Causes, "the Titanic", "sink");
        assert_eq!(
            Intent::parse("What made the Titanic sink?").tense,
            Tense::Past
        );
        // Too short to hold a subject and a predicate: every word is the subject.
        check("What makes sense?", Causes, "What makes sense", "");
    }

    #[test]
    fn significance_questions_ask_for_consequences() {
        check(
            "Why is hypertension dangerous?",
            Significance,
            "hypertension",
            "dangerous",
        );
        check(
            "Why did the Wall Street crash of 1929 matter?",
            Significance,
            "the Wall Street crash of 1929",
            "matter",
        );
        check(
            "Why is the Amazon rainforest important?",
            Significance,
            "the Amazon rainforest",
            "important",
        );
        check(
            "What were the effects of the Industrial Revolution?",
            Significance,
            "the Industrial Revolution",
            "",
        );
        check(
            "Why is smoking so harmful?",
            Significance,
            "smoking",
            "so harmful",
        );
    }

    #[test]
    fn naming_questions() {
        check(
            "Why was the Cold War called cold?",
            Naming,
            "the Cold War",
            "called cold",
        );
        check(
            "Why is the Black Death called the Black Death?",
            Naming,
            "the Black Death",
            "called the Black Death",
        );
        check(
            "Why is Greenland named Greenland?",
            Naming,
            "Greenland",
            "named Greenland",
        );
    }

    #[test]
    fn be_questions_split_before_the_predicate() {
        check("Why is the sky blue?", Causes, "the sky", "blue");
        check(
            "Why is the greenhouse effect warming the Earth?",
            Causes,
            "the greenhouse effect",
            "warming the Earth",
        );
        check(
            "Why is Venus hotter than Mercury?",
            Causes,
            "Venus",
            "hotter than Mercury",
        );
        check("Why are flamingos pink?", Causes, "flamingos", "pink");
        check(
            "Why are plastics used so widely?",
            Causes,
            "plastics",
            "used so widely",
        );
        check(
            "Why was the Great Wall of China built?",
            Purpose,
            "the Great Wall of China",
            "built",
        );
        check("Why was NATO founded?", Purpose, "NATO", "founded");
        check(
            "Why were the pyramids built?",
            Purpose,
            "the pyramids",
            "built",
        );
        check(
            "Why was the euro introduced?",
            Purpose,
            "the euro",
            "introduced",
        );
        // Forming by itself is no making: "Why do hurricanes form?" asks for causes.
        check("Why do hurricanes form?", Causes, "hurricanes", "form");
    }

    #[test]
    fn a_name_with_an_of_phrase_of_names_is_one_subject() {
        check(
            "Why did the Wars of the Roses happen?",
            Causes,
            "the Wars of the Roses",
            "happen",
        );
        check(
            "Why did the Bank of England raise rates?",
            Causes,
            "the Bank of England",
            "raise rates",
        );
    }

    #[test]
    fn how_questions() {
        check(
            "How come the dinosaurs died out?",
            Causes,
            "the dinosaurs",
            "died out",
        );
        assert_eq!(
            Intent::parse("How come the dinosaurs died out?").tense,
            Tense::Past
        );
        check("How does a vaccine work?", Mechanism, "a vaccine", "work");
        check("How do hurricanes form?", Causes, "hurricanes", "form");
        check(
            "What is the purpose of the United Nations?",
            Purpose,
            "the United Nations",
            "",
        );
    }

    #[test]
    fn topic_of_a_generic_subject_is_in_the_event() {
        let intent = Intent::parse("Why do people become refugees?");
        assert!(intent.subject_is_generic());
        assert_eq!(intent.topic(), "refugees");
        // A verb that names an activity is part of the topic.
        assert_eq!(
            Intent::parse("Why do people conform to group norms?").topic(),
            "conform to group norms"
        );
        assert_eq!(Intent::parse("Why do we sleep?").topic(), "sleep");
        assert_eq!(intent.event_verb(), Some("become"));
        let intent = Intent::parse("Why did the Titanic sink?");
        assert_eq!(intent.topic(), "the Titanic");
        assert_eq!(intent.event_verb(), Some("sink"));
        assert_eq!(Intent::parse("What causes diabetes?").event_verb(), None);
    }

    #[test]
    fn unrecognised_forms_keep_every_word() {
        check(
            "Titanic sinking reasons",
            Causes,
            "Titanic sinking reasons",
            "",
        );
        check("Why?", Causes, "", "");
    }
}
