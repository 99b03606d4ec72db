//! Headings that name a reason: a clear noun phrase an editor would accept ("Lack of blood
//! flow", "Striking an iceberg", "Assassination of Archduke Franz Ferdinand"), cut from the
//! cause span of a causal statement at real phrase boundaries, never a clause fragment, a
//! lone adjective or words cut out of a sentence ("Gases absorb", "Lower", "Persisted until").
//!
//! With the part-of-speech tagger ([`crate::tagger`]) the heading is the first noun phrase
//! of the span (optionally opened by a gerund: "striking an iceberg"), with its
//! prepositional attachments while they keep it short; every heading, from the span or from a
//! document title, must then pass [`is_well_formed`]. Without the tagger, a span is cut by
//! closed-class words ([`crate::causal::heading_from_phrase`]) and checked by the same rules
//! as far as they can be told without word classes.

use std::ops::Range;

use crate::tagger::{Tag, Tagger, noun_phrases, past_form_modifies};

/// Longest heading, in words. Reference headings written by hand run two to six words.
const MAX_WORDS: usize = 7;

/// Head nouns that name no reason on their own ("Broader sense", "Other factors").
const VAGUE_HEADS: &[&str] = &[
    "sense", "way", "ways", "part", "parts", "kind", "kinds", "type", "types", "form", "forms",
    "term", "terms", "number", "lot", "fact", "case", "cases", "result", "results", "thing",
    "things", "aspect", "aspects", "example", "examples", "factor", "factors", "reason", "reasons",
    "cause", "causes", "one", "ones", "means", "matter", "issue", "issues", "time", "times",
    "point", "extent", "degree", "manner", "instance", "variety", "range", "series", "use", "role",
    "effect", "effects", "area", "areas",
];

/// Words that never end a heading: it would need a continuation ("boundary between").
const DANGLING: &[&str] = &[
    "a", "an", "the", "of", "and", "or", "to", "in", "on", "at", "for", "by", "with", "from",
    "between", "into", "its", "their", "his", "her", "as", "than", "that", "which", "be", "is",
    "are", "was", "were", "can", "could", "may", "until", "after", "before", "because", "but",
    "not", "very", "more", "most", "such", "both", "either", "also",
];

/// Words that never open a heading: pronouns, conjunctions, relative and question words.
const BAD_OPENERS: &[&str] = &[
    "it", "its", "this", "these", "those", "they", "them", "their", "he", "she", "his", "her",
    "we", "our", "you", "who", "which", "what", "where", "when", "how", "whose", "that", "and",
    "or", "but", "because", "if", "although", "though", "while", "so", "than", "until", "after",
    "before", "is", "are", "was", "were", "be", "been", "has", "have", "had", "can", "could",
    "may", "might", "will", "would", "not",
];

/// Prepositions whose phrase may stay attached to a heading's noun ("lack *of blood flow*",
/// "collision *with an iceberg*").
const ATTACHING: &[&str] = &[
    "of", "with", "between", "against", "among", "within", "from", "for", "to", "in", "on", "by",
    "over", "into", "across",
];

/// A heading for the reason stated by `span` (the cause side of a causal statement), or
/// `None` when no well-formed heading can be cut from it.
pub fn name_reason(span: &str, tagger: Option<&Tagger>) -> Option<String> {
    // An acronym set off in the span is no part of its name: "exposure to ultraviolet (UV)
    // radiation".
    if let Some(at) = span.find(" (")
        && let Some(len) = crate::causal::acronym_aside(&span[at + 1..])
    {
        return name_reason(&format!("{}{}", &span[..at], &span[at + 1 + len..]), tagger);
    }
    // "the air inside the envelope is at about the same pressure": the subject of a clause
    // is not the reason the clause states, unless the clause names a change of state
    // ("cloud particles become heavy enough …").
    if let Some(tagger) = tagger
        && is_clause(span, tagger)
    {
        return name_clause(span, tagger, true);
    }
    // "blood flow decreases or stops in one of the arteries of the heart": a reason stated
    // as a clause the tagger reads as a noun phrase is named by its subject and its verb as
    // a gerund.
    if let Some(heading) = tagger.and_then(|tagger| name_clause(span, tagger, false)) {
        return Some(heading);
    }
    // "an optical effect known as Rayleigh scattering": the name is the heading.
    if let Some(name) = named_as(span)
        && let Some(heading) = name_reason(name, tagger)
    {
        return Some(heading);
    }
    // "snowpack weakening": a noun and the gerund of what happens to it name the reason
    // whole (the tagger's noun phrase would stop at "snowpack").
    if let Some(tagger) = tagger
        && let Some((noun, gerund)) = span.trim().rsplit_once(' ')
        && gerund.len() > 5
        && gerund.ends_with("ing")
        && gerund.chars().all(|c| c.is_ascii_lowercase())
        && noun.split(' ').count() <= 2
        && is_noun_phrase(noun, tagger)
        && is_well_formed(noun, Some(tagger))
    {
        return Some(capitalise(span.trim()));
    }
    // The tagger's noun phrase first; else the span cut at closed-class words, which the
    // tagger must then accept as a noun phrase ("Predatory lending for subprime mortgages",
    // where "lending" opens no base noun phrase).
    let from_phrase = tagger.and_then(|tagger| phrase_heading(span, tagger));
    // A lone noun cut from the "of" phrase it needs names nothing: "Impact" of "impact of a
    // large asteroid or other celestial body".
    let cut_from_its_of = |heading: &str| {
        let lower = span.to_lowercase();
        let opening = lower.trim_start_matches(|c: char| !c.is_alphanumeric());
        let opening = ["the ", "a ", "an "]
            .iter()
            .find_map(|article| opening.strip_prefix(article))
            .unwrap_or(opening);
        !heading.contains(' ')
            && opening
                .strip_prefix(heading.to_lowercase().as_str())
                .is_some_and(|rest| rest.starts_with(" of "))
    };
    // Nor a noun cut from the infinitive it needs: "France's determination" of "France's
    // determination to reassert its dominant position".
    // (A heading with an infinitive of its own may stop before a purpose: "Failure to apply
    // dryland farming methods" of "… to prevent wind erosion".)
    let cut_from_its_infinitive = |heading: &str| {
        !heading.to_lowercase().contains(" to ")
            && heading
                .split_whitespace()
                .next_back()
                .is_some_and(takes_an_infinitive)
            && tagger.is_some_and(|tagger| {
                let lower = span.to_lowercase();
                let Some(at) = lower.find(&heading.to_lowercase()) else {
                    return false;
                };
                let after = at + heading.len();
                let tagged = tagger.tag_text(span);
                let next = tagged.iter().position(|(range, _)| range.start >= after);
                next.is_some_and(|i| {
                    tagged[i].1 == Tag::TO && tagged.get(i + 1).is_some_and(|(_, t)| *t == Tag::VB)
                })
            })
    };
    // The article of a common noun is no part of its heading ("The revolutions of 1989");
    // a name keeps its own ("The Hague").
    let bare = ["the ", "a ", "an "]
        .iter()
        .find_map(|article| {
            let opening = span.trim_start().get(..article.len())?;
            let rest = &span.trim_start()[article.len()..];
            (opening.eq_ignore_ascii_case(article) && rest.starts_with(char::is_lowercase))
                .then_some(rest)
        })
        .unwrap_or(span);
    [
        from_phrase,
        Some(crate::causal::heading_from_phrase(bare)),
        Some(crate::causal::heading_from_phrase(span)),
    ]
    .into_iter()
    .flatten()
    .find(|heading| {
        is_well_formed(heading, tagger)
            && !cut_from_its_of(heading)
            && !cut_from_its_infinitive(heading)
    })
    // "the presence of all or part of a third copy of chromosome 21" is too long for a
    // heading; what is present names the reason.
    .or_else(|| without_light_head(span).and_then(|rest| name_reason(rest, tagger)))
    // "bite of Anopheles mosquitoes", its article cut off by the cue ("transmitted by the
    // bite …"), opens with what the tagger reads as a verb: with "the" it is a noun
    // ("The bite of Anopheles mosquitoes").
    .or_else(|| {
        let tagger = tagger?;
        let span = span.trim_start();
        let first = span.split_whitespace().next()?;
        let base_verb = first.chars().all(|c| c.is_ascii_lowercase())
            && tagger
                .tag_text(span)
                .first()
                .is_some_and(|(_, tag)| matches!(*tag, Tag::VB | Tag::VBP));
        if !base_verb {
            return None;
        }
        // Only a noun that a preposition follows ("the bite of …", "the cut in …"), not
        // a verb with its object ("prevent infection", "reduce the risk").
        let determined = format!("the {span}");
        let tagged = tagger.tag_text(&determined);
        let a_noun = tagged.get(1).is_some_and(|(_, tag)| tag.is_noun())
            && tagged.get(2).is_some_and(|(_, tag)| *tag == Tag::IN);
        if !a_noun {
            return None;
        }
        name_reason(&determined, Some(tagger))
    })
}

/// Does the noun take an infinitive that completes it ("determination to reassert …",
/// "failure to apply …")?
fn takes_an_infinitive(noun: &str) -> bool {
    const NOUNS: &[&str] = &[
        "determination",
        "desire",
        "decision",
        "attempt",
        "attempts",
        "failure",
        "refusal",
        "need",
        "effort",
        "efforts",
        "plan",
        "plans",
        "ambition",
        "ambitions",
        "wish",
        "inability",
        "unwillingness",
        "willingness",
        "bid",
        "drive",
        "push",
        "struggle",
        "intention",
        "resolve",
        "reluctance",
        "pressure",
        "demand",
        "demands",
        "promise",
        "urge",
    ];
    NOUNS.contains(&noun.to_lowercase().as_str())
}

/// The span without an opening noun that adds nothing a heading needs ("the presence of",
/// "all or part of"); `None` when it has none.
fn without_light_head(span: &str) -> Option<&str> {
    const LIGHT: &[&str] = &[
        "the presence of ",
        "presence of ",
        "the existence of ",
        "existence of ",
        "all or part of ",
        "part or all of ",
        "all or some of ",
        "some or all of ",
    ];
    let mut rest = span.trim_start();
    let mut stripped = false;
    while let Some(light) = LIGHT.iter().find(|light| {
        rest.len() > light.len()
            && rest
                .get(..light.len())
                .is_some_and(|opening| opening.eq_ignore_ascii_case(light))
    }) {
        rest = &rest[light.len()..];
        stripped = true;
    }
    stripped.then_some(rest)
}

/// Auxiliaries and copulas: a clause built on them ("the air inside is at about the same
/// pressure") names no action a gerund heading could carry.
const NO_ACTION: &[&str] = &[
    "be", "have", "do", "can", "may", "might", "must", "shall", "will", "would", "could", "should",
    "become", "seem", "remain",
];

/// Is `span` a clause that names a change or what was done to its subject ("cloud particles
/// become heavy enough", "sodium ions have been leached by …"), which a heading can carry?
pub fn names_a_change(span: &str, tagger: &Tagger) -> bool {
    is_clause(span, tagger) && name_clause(span, tagger, true).is_some()
}

/// Auxiliaries of a passive verb ("have been leached", "were driven").
const PASSIVE_AUXILIARIES: &[&str] = &["have", "has", "had", "been", "was", "were"];

/// Verbs that link their subject to a new state: named with the adjective after them.
const LINKING: &[&str] = &["become", "grow", "get", "turn"];

/// A heading for a reason stated as a clause: its subject's noun phrase and its verb as a
/// gerund, with a short prepositional phrase when one fits ("signals travel along the fibre"
/// → "Signals travelling along the fibre"; "blood flow decreases or stops in one of the
/// arteries of the heart" → "Blood flow decreasing or stopping"). `None` when the span is no
/// clause of a noun phrase and a full verb, or without verb conjugations; with `change_only`,
/// `None` unless a linking verb names a new state ("cloud particles become heavy enough").
///
/// The tagger often reads a third-person verb after a singular noun as a plural noun ("flow
/// *decreases*"); a word the conjugations know as that verb form ends the subject there.
fn name_clause(span: &str, tagger: &Tagger, change_only: bool) -> Option<String> {
    let verbs = tagger.verbs()?;
    let tagged = tagger.tag_text(span);
    let tags: Vec<Tag> = tagged.iter().map(|(_, t)| *t).collect();
    let words: Vec<&str> = tagged.iter().map(|(r, _)| &span[r.clone()]).collect();
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let mut start = 0;
    while start < tags.len() && matches!(tags[start], Tag::DT | Tag::PDT | Tag::PRP_POSS) {
        start += 1;
    }
    let phrase = noun_phrases(&tags[start..], &words[start..])
        .into_iter()
        .next()?;
    if phrase.start != 0 {
        return None;
    }
    let mut subject_end = start + phrase.end;
    // "blood flow decreases in …": the last "noun" is the verb. Only with words after it
    // and no participle before it: "rising sea levels (in the Pacific)" is a noun phrase.
    let third_person = |i: usize| {
        verbs
            .lemma(&lower[i])
            .is_some_and(|lemma| verbs.third_person(lemma) == Some(lower[i].as_str()))
    };
    if subject_end - start >= 2
        && tags[subject_end - 1] == Tag::NNS
        // "the Moon passes between …": a name is the subject too.
        && matches!(tags[subject_end - 2], Tag::NN | Tag::NNP)
        && subject_end < tags.len()
        && !tags[start..subject_end].contains(&Tag::VBG)
        && third_person(subject_end - 1)
    {
        subject_end -= 1;
    }
    let verb = subject_end;
    let finite = tags
        .get(verb)
        .is_some_and(|t| matches!(*t, Tag::VBZ | Tag::VBP | Tag::VBD | Tag::NNS));
    if !finite || (tags[verb] == Tag::NNS && !third_person(verb)) {
        return None;
    }
    let gerund_of = |i: usize| -> Option<String> {
        let lemma = verbs.lemma(&lower[i])?;
        if NO_ACTION.contains(&lemma) {
            return None;
        }
        verbs.present_participle(lemma).map(str::to_owned)
    };
    let mut heading: Vec<String> = words[start..subject_end]
        .iter()
        .map(|w| (*w).to_owned())
        .collect();
    let mut next = verb + 1;
    // "sodium ions have been leached by the action of water": a passive clause is named by
    // its subject and participle ("Sodium ions leached by the action of water").
    let mut participle = verb;
    while participle < lower.len() && PASSIVE_AUXILIARIES.contains(&lower[participle].as_str()) {
        participle += 1;
    }
    let passive = participle > verb && lower[participle - 1] == "been"
        || lower[verb] == "were"
        || lower[verb] == "was";
    let passive = passive && tags.get(participle) == Some(&Tag::VBN);
    // "cloud particles become heavy enough": a linking verb names a change by the adjective
    // after it ("Cloud particles becoming heavy enough").
    let linking = verbs
        .lemma(&lower[verb])
        .filter(|lemma| LINKING.contains(lemma))
        .and_then(|lemma| verbs.present_participle(lemma));
    match linking {
        _ if passive => {
            heading.push(lower[participle].clone());
            next = participle + 1;
        }
        Some(participle) if tags.get(next).is_some_and(|t| t.is_adjective()) => {
            heading.push(participle.to_owned());
            heading.push(lower[next].clone());
            next += 1;
            if lower.get(next).is_some_and(|w| w == "enough") {
                heading.push(lower[next].clone());
                next += 1;
            }
        }
        _ if change_only => return None,
        _ => heading.push(gerund_of(verb)?),
    }
    // "decreases or stops": both verbs.
    if next + 1 < words.len()
        && matches!(lower[next].as_str(), "or" | "and")
        && let Some(second) = gerund_of(next + 1)
    {
        heading.push(lower[next].clone());
        heading.push(second);
        next += 2;
    }
    // A short object after an active verb comes whole: "an organism gets too few or too many
    // nutrients" is "Organism getting too few or too many nutrients".
    if !passive
        && next < words.len()
        && !matches!(tags[next], Tag::IN | Tag::TO | Tag::CC)
        && heading.len() + (words.len() - next) <= MAX_WORDS + 1
        && tags.last().is_some_and(|t| t.is_noun())
        && !has_finite_verb(&tags[next..])
        && words[next..].iter().all(|w| {
            w.chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '\'')
        })
    {
        heading.extend(words[next..].iter().map(|w| (*w).to_owned()));
        next = words.len();
    }
    // A short prepositional phrase that ends in a noun: "along the fibre".
    if next < words.len()
        && tags[next] == Tag::IN
        && ATTACHING.contains(&lower[next].as_str())
        && let Some(object) = noun_phrases(&tags[next + 1..], &words[next + 1..]).first()
        && object.start == 0
    {
        let mut end = next + 1 + object.end;
        // "between Earth and the Sun": a coordinated object comes whole.
        if lower.get(end).is_some_and(|w| w == "and" || w == "or")
            && let Some(second) = noun_phrases(&tags[end + 1..], &words[end + 1..]).first()
            && second.start == 0
        {
            end += 1 + second.end;
        }
        // "by the action of water": the "of" phrase the noun needs comes with it.
        if lower.get(end).is_some_and(|w| w == "of")
            && let Some(of_object) = noun_phrases(&tags[end + 1..], &words[end + 1..]).first()
            && of_object.start == 0
        {
            end += 1 + of_object.end;
        }
        let ends_in_of = lower.get(end).is_some_and(|w| w == "of");
        if heading.len() + (end - next) <= MAX_WORDS + 1 && !ends_in_of {
            heading.extend(words[next..end].iter().map(|w| (*w).to_owned()));
        }
    }
    if heading.len() > MAX_WORDS + 1 {
        return None;
    }
    Some(capitalise(&heading.join(" ")))
}

/// A clause that tells what happens when something occurs, named by its subject and its
/// verb as a gerund, whatever the verb: "the Moon passes between Earth and the Sun" (after
/// "A solar eclipse occurs when") is "Moon passing between Earth and the Sun".
pub fn name_occurrence(span: &str, tagger: &Tagger) -> Option<String> {
    name_clause(span, tagger, false).filter(|heading| is_well_formed(heading, Some(tagger)))
}

/// Is `span` a noun phrase however long, without a finite verb, modal or relative word
/// anywhere: "the death of Charles II of Spain in November 1700 without children"?
pub fn is_noun_phrase(span: &str, tagger: &Tagger) -> bool {
    let tags: Vec<Tag> = tagger.tag_text(span).into_iter().map(|(_, t)| t).collect();
    tags.first()
        .is_some_and(|t| t.is_noun() || t.is_adjective() || matches!(*t, Tag::DT | Tag::PRP_POSS))
        && !has_finite_verb(&tags)
        && !tags.iter().any(|t| matches!(*t, Tag::WDT | Tag::WP))
}

/// A finite verb or modal anywhere ("Gases absorb", "RMS Titanic sank"); a past form that
/// modifies a noun ("Earth's tilted orbit") is none.
/// Verbs of dying and loss: a clause built on one ("Millions died") tells a consequence.
const LOSS: &[&str] = &["die", "perish", "starve", "suffer"];

/// Does `span` tell of deaths or suffering ("Millions died"), with a finite verb of loss?
pub fn tells_of_loss(span: &str, tagger: &Tagger) -> bool {
    let Some(verbs) = tagger.verbs() else {
        return false;
    };
    let tagged = tagger.tag_text(span);
    let tags: Vec<Tag> = tagged.iter().map(|(_, t)| *t).collect();
    tagged.iter().enumerate().any(|(i, (range, tag))| {
        matches!(*tag, Tag::VBD | Tag::VBZ | Tag::VBP)
            && !past_form_modifies(&tags, i)
            && verbs
                .lemma(&span[range.clone()].to_lowercase())
                .is_some_and(|lemma| LOSS.contains(&lemma))
    })
}

fn has_finite_verb(tags: &[Tag]) -> bool {
    (0..tags.len()).any(|i| {
        matches!(tags[i], Tag::VBD | Tag::VBZ | Tag::VBP | Tag::MD) && !past_form_modifies(tags, i)
    })
}

/// The name a short description is given: "an optical effect *known as Rayleigh
/// scattering*", "a bacterium called *Yersinia pestis*". `None` when the span names nothing
/// that way, or the description is long enough to be the reason itself.
fn named_as(span: &str) -> Option<&str> {
    const NAMING: &[&str] = &[" known as ", " called ", " termed ", " referred to as "];
    let lower = span.to_ascii_lowercase();
    NAMING.iter().find_map(|naming| {
        let at = lower.find(naming)?;
        let description = span[..at].split_whitespace().count();
        let name = span[at + naming.len()..].trim();
        (description <= 4 && !name.is_empty()).then_some(name)
    })
}

/// Is `span` a clause rather than a noun phrase: its opening noun phrase (with prepositional
/// attachments) followed by a finite verb ("signals travel along them", "the air inside the
/// envelope is …")? A participle before "by" is no finite verb ("bacteria spread by fleas"),
/// and a verb after a conjunction or a subordinate word belongs to another clause ("its
/// location … and can experience", "spasms … when they swallow").
fn is_clause(span: &str, tagger: &Tagger) -> bool {
    const SUBORDINATORS: &[&str] = &[
        "because", "if", "although", "though", "while", "as", "since", "until", "after", "before",
        "unless", "whereas", "that", "than",
    ];
    let tagged = tagger.tag_text(span);
    let tags: Vec<Tag> = tagged.iter().map(|(_, t)| *t).collect();
    let words: Vec<String> = tagged
        .iter()
        .map(|(r, _)| span[r.clone()].to_lowercase())
        .collect();
    for (i, &(_, tag)) in tagged.iter().enumerate() {
        let noun_phrase_word = tag.is_noun()
            || tag.is_adjective()
            || tag.is_adverb()
            || matches!(
                tag,
                Tag::DT | Tag::PDT | Tag::CD | Tag::PRP_POSS | Tag::POS | Tag::VBG | Tag::VBN
            )
            || (tag == Tag::PRP && i == 0)
            || (tag == Tag::IN && !SUBORDINATORS.contains(&words[i].as_str()));
        if noun_phrase_word || past_form_modifies(&tags, i) {
            continue;
        }
        return i > 0
            && matches!(tag, Tag::VBD | Tag::VBZ | Tag::VBP | Tag::MD)
            && words.get(i + 1).map(String::as_str) != Some("by");
    }
    false
}

/// The first noun phrase of `span` with its attachments, as a capitalised heading.
fn phrase_heading(span: &str, tagger: &Tagger) -> Option<String> {
    let tagged = tagger.tag_text(span);
    let ranges: Vec<Range<usize>> = tagged.iter().map(|(r, _)| r.clone()).collect();
    let mut tags: Vec<Tag> = tagged.iter().map(|(_, t)| *t).collect();
    let words: Vec<&str> = ranges.iter().map(|r| &span[r.clone()]).collect();
    let lower = |i: usize| words[i].to_lowercase();
    // After a noun that takes no infinitive, "to" is a preposition: in "exposure to
    // ultraviolet radiation" the tagger's rule reads "ultraviolet" as a verb, which the
    // lexicon knows only as an adjective.
    for i in 2..tags.len() {
        if tags[i] == Tag::VB
            && tags[i - 1] == Tag::TO
            && tags[i - 2].is_noun()
            && !takes_an_infinitive(&lower(i - 2))
            && tags.get(i + 1).is_some_and(|t| t.is_noun())
            && let Some(known) = tagger.lexicon_tag(&lower(i))
            && (known.is_adjective() || known.is_noun())
        {
            tags[i] = known;
        }
    }
    // Leading fillers: determiners, possessives, adverbs ("mainly"), "either", "both".
    let mut start = 0;
    // A negation is never dropped: "no direct fighting" is not "direct fighting".
    let negation = |i: usize| matches!(lower(i).as_str(), "no" | "neither" | "nor" | "without");
    while start < tags.len()
        && !negation(start)
        && (matches!(tags[start], Tag::DT | Tag::PDT | Tag::PRP_POSS | Tag::CC)
            || tags[start].is_adverb()
            || matches!(lower(start).as_str(), "either" | "both" | "by" | "through"))
    {
        start += 1;
    }
    if start >= tags.len() {
        return None;
    }
    // A gerund may open the heading: "striking an iceberg", "burning fossil fuels".
    // (The lexicon often calls such a word an adjective: "striking".)
    let gerund = words[start].chars().next().is_some_and(char::is_lowercase)
        && (tags[start] == Tag::VBG
            || (words[start].ends_with("ing") && tags[start].is_adjective()));
    let phrases = noun_phrases(&tags[start..], &words[start..]);
    let first = phrases.first()?;
    let (np_start, np_end) = (start + first.start, start + first.end);
    if !(np_start == start || (gerund && np_start == start + 1)) {
        return None;
    }
    let opens_at = start;
    let mut end = np_end;
    // Attach "of NP", "with NP" … while the heading stays short; "of" binds tightest.
    let mut rest = phrases
        .iter()
        .skip(1)
        .map(|p| (start + p.start, start + p.end));
    let mut coordinated = false;
    for (next_start, next_end) in rest.by_ref() {
        // "the effectiveness and numbers of the army": one coordinated noun, then its
        // attachments.
        if next_start == end + 1
            && !coordinated
            && tags[end] == Tag::CC
            && matches!(lower(end).as_str(), "and" | "or")
            && next_end - opens_at <= MAX_WORDS
        {
            coordinated = true;
            end = next_end;
            continue;
        }
        // A participle with its agent: "changes *brought by* the Industrial Revolution",
        // "bacteria *spread by* fleas".
        if next_start == end + 2
            && matches!(tags[end], Tag::VBN | Tag::VBD)
            && lower(end + 1) == "by"
            && next_end - opens_at <= MAX_WORDS
        {
            end = next_end;
            continue;
        }
        // A participle may open the attached phrase: "pressure from *invading* peoples".
        let participle = usize::from(
            tags.get(end + 1)
                .is_some_and(|t| matches!(*t, Tag::VBG | Tag::VBN)),
        );
        if next_start != end + 1 + participle || tags[end] != Tag::IN && tags[end] != Tag::TO {
            break;
        }
        let preposition = lower(end);
        if !ATTACHING.contains(&preposition.as_str()) {
            break;
        }
        let limit = if preposition == "of" {
            MAX_WORDS + 1
        } else {
            MAX_WORDS
        };
        if next_end - opens_at > limit {
            break;
        }
        // "between the Eastern and Western worlds" is attached whole or not at all.
        if preposition == "between"
            && tags.get(next_end) == Some(&Tag::CC)
            && phrases
                .iter()
                .any(|p| start + p.start == next_end + 1 && start + p.end - opens_at > MAX_WORDS)
        {
            break;
        }
        end = next_end;
    }
    // A noun that needs its infinitive ("France's determination to reassert its dominant
    // position"): the heading takes it with its object, or names nothing. (Other nouns may
    // stop before a purpose: "Burning of coal", not "… to heat homes".)
    if tags.get(end) == Some(&Tag::TO)
        && tags.get(end + 1) == Some(&Tag::VB)
        && takes_an_infinitive(words[end - 1])
    {
        let object_end = phrases
            .iter()
            .map(|p| (start + p.start, start + p.end))
            .find(|(object_start, _)| *object_start == end + 2)
            .map_or(end + 2, |(_, object_end)| object_end);
        let words = span[ranges[opens_at].start..ranges[object_end - 1].end]
            .split_whitespace()
            .count();
        if words > MAX_WORDS {
            return None;
        }
        end = object_end;
    }
    let text = &span[ranges[opens_at].start..ranges[end - 1].end];
    Some(capitalise(text))
}

/// Does a heading name something as an editor would accept: a noun phrase (or a gerund
/// phrase) of one to seven words that ends in a noun, opens with no pronoun, conjunction or
/// finite verb, and whose head is not a vague word? Without a tagger only the closed-class
/// checks apply.
pub fn is_well_formed(heading: &str, tagger: Option<&Tagger>) -> bool {
    is_well_formed_within(heading, tagger, MAX_WORDS + 1)
}

/// [`is_well_formed`], for a heading of at most `max_words` words.
pub fn is_well_formed_within(heading: &str, tagger: Option<&Tagger>, max_words: usize) -> bool {
    let words: Vec<&str> = heading.split_whitespace().collect();
    if words.is_empty() || words.len() > max_words {
        return false;
    }
    let balanced = heading.matches('(').count() == heading.matches(')').count()
        && heading.matches('"').count().is_multiple_of(2)
        && heading.matches('“').count() == heading.matches('”').count();
    // A word of three letters or more, or an acronym: "O" or "Lower" alone name nothing.
    let has_word = words
        .iter()
        .any(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 3)
        || words
            .iter()
            .any(|w| w.len() >= 2 && w.chars().all(|c| c.is_ascii_uppercase()));
    if !balanced || !has_word {
        return false;
    }
    let clean = |w: &str| {
        w.trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase()
    };
    let first = clean(words[0]);
    let last = clean(words[words.len() - 1]);
    // "Social, political and economic factors" says what kind of factors; "Other factors"
    // says nothing.
    const UNINFORMATIVE: &[&str] = &[
        "other",
        "several",
        "many",
        "various",
        "possible",
        "main",
        "major",
        "key",
        "different",
        "certain",
        "some",
        "multiple",
        "underlying",
        "contributing",
        "these",
        "those",
        "two",
        "three",
        "such",
        "important",
        "number",
    ];
    let qualified_kind = ["factors", "reasons", "causes"].contains(&last.as_str())
        && words.len() >= 2
        && !UNINFORMATIVE.contains(&clean(words[words.len() - 2]).as_str())
        && !UNINFORMATIVE.contains(&first.as_str());
    // Adverbs that modify a verb never sit inside a noun phrase: "Global environmental
    // issues also influence" is a clause.
    let clause_adverb = words.iter().any(|w| {
        matches!(
            clean(w).as_str(),
            "also"
                | "often"
                | "usually"
                | "then"
                | "still"
                | "already"
                | "always"
                | "never"
                | "sometimes"
        )
    });
    // A lone general plural says nothing: "Changes", "Developments".
    const LONE_VAGUE: &[&str] = &[
        "changes",
        "developments",
        "events",
        "problems",
        "conditions",
        "activities",
        "circumstances",
        "things",
        "measures",
        "triggers",
        "factors",
        "reasons",
        "causes",
        "means",
    ];
    // "Various triggers", "Other factors": a vague plural with a vague quantifier.
    const VAGUE_QUANTIFIERS: &[&str] = &[
        "various",
        "several",
        "many",
        "other",
        "different",
        "certain",
        "some",
        "multiple",
    ];
    // An effect named after a person or place is a phenomenon: "the Coriolis effect" (a name
    // the lexicon does not know in lower case), not "Side effects".
    let named_effect = ["effect", "effects"].contains(&last.as_str())
        && words.len() >= 2
        && words[words.len() - 2]
            .chars()
            .next()
            .is_some_and(char::is_uppercase)
        && tagger
            .is_some_and(|tagger| tagger.lexicon_tag(&clean(words[words.len() - 2])).is_none());
    if clause_adverb
        || (words.len() == 1 && LONE_VAGUE.contains(&first.as_str()))
        || (words.len() == 2
            && VAGUE_QUANTIFIERS.contains(&first.as_str())
            && LONE_VAGUE.contains(&last.as_str()))
        || BAD_OPENERS.contains(&first.as_str())
        || DANGLING.contains(&last.as_str())
        || (VAGUE_HEADS.contains(&last.as_str()) && !qualified_kind && !named_effect)
    {
        return false;
    }
    let Some(tagger) = tagger else {
        return true;
    };
    // A heading's capital is not a name's: "Wreak destruction" is tagged as "wreak
    // destruction" when the lexicon knows the lowercase word.
    let lowered = lower_first_letter(heading);
    let text = if lowered != heading && tagger.lexicon_tag(&first).is_some() {
        lowered.as_str()
    } else {
        heading
    };
    let tagged = tagger.tag_text(text);
    let tags: Vec<Tag> = tagged.iter().map(|(_, t)| *t).collect();
    let Some(&last_tag) = tags.iter().rev().find(|t| !t.is_punctuation()) else {
        return false;
    };
    // Ends in a noun (or a number or letter of a name: "World War I", "Apollo 11").
    let ends_in_name = last_tag == Tag::CD
        || (last_tag == Tag::PRP && words.len() > 1 && words[words.len() - 1] == "I");
    // A short gerund phrase names an activity: "Bleeding", "Overfishing".
    let gerund = last_tag == Tag::VBG && words.len() <= 3;
    if !(last_tag.is_noun() || ends_in_name || gerund) {
        return false;
    }
    // No finite verb or modal anywhere: "Gases absorb", "RMS Titanic sank", "Tyndall
    // effect explains".
    if has_finite_verb(&tags) {
        return false;
    }
    // Opens with a noun-phrase word or a gerund, never a base verb ("Wreak destruction").
    let opener = tags[0];
    opener.is_noun()
        || opener.is_adjective()
        || matches!(opener, Tag::CD | Tag::VBG | Tag::VBN | Tag::DT)
}

/// Is the text a proper name ("La Malinche", "Hernán Cortés", "Battle of the Somme"): every
/// word capitalised but for a few joining words, one of three letters or more? A document's
/// title of that shape can head the section it causes, whatever the tagger makes of
/// foreign words in it.
pub fn is_name(text: &str) -> bool {
    const JOINING: &[&str] = &[
        "of", "the", "and", "de", "del", "la", "von", "van", "da", "in",
    ];
    let words: Vec<&str> = text.split_whitespace().collect();
    !words.is_empty()
        && words.len() <= MAX_WORDS
        && words[0].chars().next().is_some_and(char::is_uppercase)
        && words
            .iter()
            .any(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 3)
        && words.iter().all(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
                || JOINING.contains(w)
        })
}

fn lower_first_letter(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The text with its first letter upper-cased.
pub(crate) fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_class_checks_hold_without_a_tagger() {
        for bad in [
            "Persisted until",
            "It exacerbated",
            "Broader sense",
            "The boundary between",
            "Other factors",
            "And more",
            "(unbalanced",
        ] {
            assert!(!is_well_formed(bad, None), "{bad} accepted");
        }
        for good in [
            "Collision with an iceberg",
            "Persecution and armed conflict",
            "Plague bacteria spread by fleas",
            "Lack of blood flow",
        ] {
            assert!(is_well_formed(good, None), "{good} refused");
        }
    }

    #[test]
    fn without_a_tagger_spans_are_cut_at_closed_class_words() {
        assert_eq!(
            name_reason("lack of blood flow", None).as_deref(),
            Some("Lack of blood flow")
        );
        assert_eq!(name_reason("who they are", None), None);
        assert_eq!(
            name_reason("no direct fighting", None).as_deref(),
            Some("No direct fighting")
        );
    }
}
