//! Aims: what a made thing was made for, as a sentence about it states it.
//!
//! "Why was the Berlin Wall built?" asks for a purpose, and its document states one without a
//! causal word: "The primary intention for the Wall's construction was to prevent East German
//! citizens from fleeing to the West." An aim is read from a few fixed forms: an aim noun with
//! its infinitive or gerund ("whose principal mission was to maintain world peace", "with the
//! articulated mission of maintaining …"), a making verb with a purpose infinitive ("First
//! drafted … to make peace between …"), protection against something ("built … as protection
//! against various nomadic groups …") and what the thing serves as. Each gives a heading that
//! names the aim ("Preventing East German citizens from fleeing to the West") and a phrase for
//! the summary ("with the aim of preventing …").

use crate::heading::{capitalise, is_well_formed_within, name_reason};
use crate::tagger::Tagger;

/// An aim a sentence states: its heading and its phrase in running text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aim {
    pub heading: String,
    pub phrase: String,
}

/// The longest heading an aim may have: a verb, its object and a complement ("Preventing East
/// German citizens from fleeing to the West") need more words than a noun phrase.
const MAX_AIM_WORDS: usize = 12;

/// Nouns that say what something is for.
const AIM_NOUNS: &[&str] = &[
    "intention",
    "purpose",
    "aim",
    "goal",
    "mission",
    "objective",
];

/// Verbs of making something, whose purpose infinitive says what it was made for; as the
/// verb of a why-question ("Why was the Berlin Wall built?") they ask for a purpose.
pub(crate) const MAKING_VERBS: &[&str] = &[
    "built",
    "constructed",
    "erected",
    "founded",
    "established",
    "created",
    "formed",
    "designed",
    "drafted",
    "developed",
    "introduced",
    "invented",
    "launched",
    "set up",
    "dug",
    "signed",
    "adopted",
    "written",
    "intended",
];

/// What something made "as protection against": the nouns that say so.
const PROTECTION_NOUNS: &[&str] = &[
    "protection",
    "defence",
    "defense",
    "barrier",
    "bulwark",
    "buffer",
    "safeguard",
];

/// Where an aim's words stop: its clause ends, or another aim or a relative clause begins.
const AIM_STOPS: &[&str] = &[
    " when ",
    ",",
    ";",
    ":",
    " (",
    " who ",
    " which ",
    " whom ",
    " whose ",
    " where ",
    " whereby ",
    " while ",
    " but ",
    " and to ",
    " or to ",
    " because ",
    " so that ",
    " as well as ",
    " – ",
    " — ",
];

/// The aim `text` states for its subject, when its subject is the thing made: the sentence
/// opens with a pronoun or a making participle, or `names_subject` finds the subject in the
/// words before the aim.
pub fn aim_of(text: &str, names_subject: impl Fn(&str) -> bool, tagger: &Tagger) -> Option<Aim> {
    // ASCII lower case keeps every byte offset.
    let lower = text.to_ascii_lowercase();
    let opens_on_subject = |at: usize| {
        let first = lower.split_whitespace().next().unwrap_or("");
        // "The organization serves as …": in a sentence about the subject, a definite noun
        // alone before the verb is the subject by another name.
        let the_noun = lower[..at].split_whitespace().count() == 2 && first == "the";
        ["it", "they", "its", "their"].contains(&first)
            || the_noun
            || MAKING_VERBS
                .iter()
                .any(|verb| lower.starts_with(verb) || lower.starts_with(&format!("first {verb}")))
            || names_subject(&text[..at])
    };
    // "whose principal mission was to maintain …", "with the articulated mission of
    // maintaining …", "The primary intention for the Wall's construction was to prevent …".
    for noun in AIM_NOUNS {
        for (at, _) in lower.match_indices(noun) {
            if !word_at(&lower, at, noun.len()) {
                continue;
            }
            let after = at + noun.len();
            let clause_end = lower[after..]
                .find([',', ';'])
                .map_or(lower.len(), |end| after + end);
            let infinitive = [" was to ", " is to ", " were to ", " are to "]
                .iter()
                .filter_map(|copula| {
                    lower[after..clause_end]
                        .find(copula)
                        .map(|i| after + i + copula.len())
                })
                .min();
            if let Some(verb) = infinitive
                && opens_on_subject(verb)
                && let Some(aim) = infinitive_aim(text, verb, tagger)
            {
                return Some(aim);
            }
            if lower[after..].starts_with(" of ")
                && opens_on_subject(at)
                && let Some(aim) = gerund_aim(text, after + " of ".len(), tagger)
            {
                return Some(aim);
            }
        }
    }
    // "… were built … as protection against various nomadic groups from the Eurasian Steppe".
    for noun in PROTECTION_NOUNS {
        for article in ["as ", "as a "] {
            let pattern = format!(" {article}{noun} against ");
            if let Some(at) = lower.find(&pattern)
                && made_before(&lower[..at])
                && opens_on_subject(at)
            {
                let start = at + 1 + article.len();
                let protection = &text[start..aim_end(text, start)];
                let heading = capitalise(protection);
                if fits(&heading, tagger) {
                    return Some(Aim {
                        phrase: format!("as {protection}"),
                        heading,
                    });
                }
            }
        }
    }
    // "First drafted by …, to make peace between …", "… designed to carry …", "… in order to
    // reduce …".
    for (at, _) in lower.match_indices(" to ") {
        let before = &lower[..at];
        let purposive = before.ends_with(" in order") || before.ends_with(" so as");
        if (purposive || made_before(before) && !governs_to(before, tagger))
            && opens_on_subject(at)
            && let Some(aim) = infinitive_aim(text, at + " to ".len(), tagger)
        {
            return Some(aim);
        }
    }
    // "The organization serves as a system of collective security and deterrence".
    if let Some(at) = [" serves as ", " served as ", " serve as "]
        .iter()
        .filter_map(|w| lower.find(w).map(|at| (at, w.len())))
        .min()
        && opens_on_subject(at.0)
        && !text[..at.0].contains(',')
    {
        let start = at.0 + at.1;
        let served = &text[start..aim_end(text, start)];
        if let Some(heading) = name_reason(served, Some(tagger)) {
            return Some(Aim {
                phrase: format!("with the aim of serving as {served}"),
                heading,
            });
        }
    }
    None
}

/// What the subject does, as a sentence that defines it says: what it "enables" or
/// "allows" others to do ("A telephone … is a telecommunications device that enables two or
/// more users to conduct a conversation …") or the purpose infinitive of the definition
/// ("Vaccination is the administration of a vaccine to help the immune system develop
/// immunity from a disease"). The phrase is a clause about the subject ("it enables two or
/// more users to conduct a conversation"), for a summary of why it matters.
pub fn function_of(
    text: &str,
    names_subject: impl Fn(&str) -> bool,
    tagger: &Tagger,
) -> Option<Aim> {
    let lower = text.to_ascii_lowercase();
    // A definition of the subject: a short clause naming it before its copula.
    let (at, copula) = [" is ", " are "]
        .iter()
        .filter_map(|c| lower.find(c).map(|at| (at, c.len())))
        .min()?;
    let subject = &text[..at];
    if subject.split_whitespace().count() > 6 || !names_subject(subject) {
        return None;
    }
    let predicate = at + copula;
    let clause_end = aim_end(text, predicate);
    let verbs = tagger.verbs()?;
    let clause = |verb: usize| {
        let end = aim_end(text, verb);
        let words = &text[verb..end];
        let (form, rest) = words.split_once(' ')?;
        let base = verbs.lemma(form).unwrap_or(form);
        if rest.is_empty() || !base.chars().all(|c| c.is_ascii_lowercase()) {
            return None;
        }
        let gerund = verbs.present_participle(base)?;
        let third = verbs.third_person(base)?;
        let heading = capitalise(&format!("{gerund} {rest}"));
        fits(&heading, tagger).then(|| Aim {
            phrase: format!("it {third} {rest}"),
            heading,
        })
    };
    // "… that enables two or more users to conduct a conversation".
    for enabling in [" enables ", " allows ", " enable ", " allow "] {
        if let Some(found) = lower[predicate..clause_end].find(enabling)
            && lower[predicate + found..clause_end].contains(" to ")
        {
            return clause(predicate + found + 1);
        }
    }
    // "… the administration of a vaccine to help the immune system develop immunity …".
    let to = lower[predicate..clause_end].find(" to ")?;
    let before = &lower[..predicate + to];
    if governs_to(before, tagger) {
        return None;
    }
    clause(predicate + to + " to ".len())
}

/// Does the word `len` bytes long at `at` stand alone (not "aims" or "claim")?
fn word_at(lower: &str, at: usize, len: usize) -> bool {
    let before = lower[..at].chars().next_back();
    let after = lower[at + len..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

/// Does a making verb come before, within the last fifteen words of the clause?
fn made_before(before: &str) -> bool {
    let words: Vec<&str> = before.split_whitespace().collect();
    let recent = words[words.len().saturating_sub(15)..].join(" ");
    MAKING_VERBS.iter().any(|verb| {
        recent
            .match_indices(verb)
            .any(|(at, _)| word_at(&recent, at, verb.len()))
    })
}

/// Does the word before "to" take it as its own complement ("began to", "unable to", "led
/// to", "due to"), so that the infinitive is not the made thing's aim?
fn governs_to(before: &str, tagger: &Tagger) -> bool {
    let Some(last) = before.split_whitespace().next_back() else {
        return true;
    };
    let last = last.trim_matches(|c: char| !c.is_alphanumeric());
    if MAKING_VERBS.contains(&last) || last.is_empty() {
        return false;
    }
    if [
        "led",
        "due",
        "according",
        "used",
        "able",
        "unable",
        "likely",
    ]
    .contains(&last)
    {
        return true;
    }
    tagger
        .lexicon_tag(last)
        .is_some_and(|tag| tag.is_verb() || tag.is_adjective())
}

/// The aim whose base verb starts at `verb`: "prevent East German citizens from fleeing to
/// the West" → "Preventing East German citizens from fleeing to the West".
fn infinitive_aim(text: &str, verb: usize, tagger: &Tagger) -> Option<Aim> {
    let end = aim_end(text, verb);
    let words = &text[verb..end];
    let (base, rest) = words.split_once(' ').unwrap_or((words, ""));
    if !base.chars().all(|c| c.is_ascii_lowercase()) || rest.is_empty() {
        return None;
    }
    let gerund = tagger.verbs()?.present_participle(base)?;
    let heading = capitalise(&format!("{gerund} {rest}"));
    fits(&heading, tagger).then(|| Aim {
        phrase: format!("with the aim of {gerund} {rest}"),
        heading,
    })
}

/// The aim whose gerund starts at `start`: "maintaining international peace and security".
fn gerund_aim(text: &str, start: usize, tagger: &Tagger) -> Option<Aim> {
    let words = &text[start..aim_end(text, start)];
    let first = words.split_whitespace().next()?;
    if !first.ends_with("ing") || !first.chars().all(|c| c.is_ascii_lowercase()) {
        return None;
    }
    let heading = capitalise(words);
    fits(&heading, tagger).then(|| Aim {
        phrase: format!("with the aim of {words}"),
        heading,
    })
}

/// Where the aim that starts at `start` ends.
fn aim_end(text: &str, start: usize) -> usize {
    let rest = &text[start..];
    let end = AIM_STOPS
        .iter()
        .filter_map(|stop| rest.find(stop))
        .min()
        .unwrap_or_else(|| rest.trim_end_matches('.').len());
    start + end
}

/// Is the heading a well-formed name of an aim, within the words an aim may take?
fn fits(heading: &str, tagger: &Tagger) -> bool {
    heading.split_whitespace().count() >= 2
        && is_well_formed_within(heading, Some(tagger), MAX_AIM_WORDS)
}
