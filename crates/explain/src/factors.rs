//! Factor discovery: the distinct reasons behind an answer.
//!
//! A factor is a reason of the kind the question asks for, stated by a sentence: an explicit
//! causal statement that connects to the question's subject ("the disease was caused by
//! *Yersinia pestis*", "*X* led to World War I"), one candidate per enumerated item, each
//! then looked up again in the index so that other documents that state the same reason
//! support it. Evidence without such a statement (definitions, effects, examples,
//! background) never becomes a factor: fewer real reasons beat more sections, and when the
//! corpus states none the article says its evidence is thin.
//!
//! Every factor is named by a heading that passes [`crate::heading::is_well_formed`]; a
//! cause span from which no acceptable heading can be cut gives no factor. Near-duplicates
//! are merged; factors are ranked by support (relevance × distinct sources) and the few that
//! matter are kept.

use std::collections::HashSet;

use index::{Index, WeightedTerm};

use crate::ExplainError;
use crate::causal::{Direction, is_anaphoric};
use crate::evidence::{Evidence, Focus};
use crate::heading::{is_well_formed, name_reason};
use crate::intent::AnswerKind;
use crate::tagger::Tagger;

/// A sentence of the evidence, by document position and sentence ordinal (stable while the
/// evidence grows, unlike positions in the sorted sentence list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SentenceKey {
    pub document: usize,
    pub ordinal: usize,
}

/// One reason behind the answer.
#[derive(Debug, Clone)]
pub struct Factor {
    pub heading: String,
    /// The heading as it reads inside a sentence, with the determiner the evidence gave it
    /// ("the assassination of Archduke Franz Ferdinand", "a reduced production of …").
    pub phrase: String,
    pub support: f32,
    /// `Some` for factors from explicit causal statements.
    pub direction: Option<Direction>,
    /// Backing sentences, strongest first.
    pub sentences: Vec<SentenceKey>,
    /// Stems of the heading, used to recognise the same factor stated twice.
    pub key_stems: HashSet<String>,
}

/// Settings of factor discovery.
#[derive(Debug, Clone)]
pub struct FactorConfig {
    pub max_factors: usize,
    /// Sentences below this relevance are not about the question.
    pub min_relevance: f32,
    /// Factors looked up again in the index for support from other documents.
    pub follow_up_searches: usize,
}

impl Default for FactorConfig {
    fn default() -> Self {
        FactorConfig {
            max_factors: 7,
            min_relevance: 0.3,
            follow_up_searches: 8,
        }
    }
}

/// Finds the factors of an answer: the reasons its evidence states.
pub fn discover_factors(
    index: &Index,
    evidence: &mut Evidence,
    config: &FactorConfig,
    tagger: Option<&Tagger>,
) -> Result<Vec<Factor>, ExplainError> {
    let mut candidates = causal_candidates(index, evidence, config, tagger);
    candidates = merge_duplicates(candidates);
    candidates.sort_by(|a, b| b.support.total_cmp(&a.support));
    for factor in candidates.iter_mut().take(config.follow_up_searches) {
        add_support_from_other_documents(index, evidence, factor)?;
    }

    for factor in &mut candidates {
        let sources: HashSet<usize> = factor.sentences.iter().map(|k| k.document).collect();
        let breadth = 1.0 + 0.25 * (sources.len().saturating_sub(1)).min(3) as f32;
        let explicit = if factor.direction.is_some() { 1.2 } else { 1.0 };
        factor.support = (factor.support * breadth * explicit).min(1.0);
    }
    candidates.sort_by(|a, b| b.support.total_cmp(&a.support));
    Ok(select(candidates, config))
}

fn causal_candidates(
    index: &Index,
    evidence: &Evidence,
    config: &FactorConfig,
    tagger: Option<&Tagger>,
) -> Vec<Factor> {
    let mut candidates = Vec::new();
    // What the question asks, once for every statement.
    let event_stems = content_stems(index, &evidence.intent.event);
    let question = format!("{} {}", evidence.intent.subject, evidence.intent.event);
    let asks_about_an_ending = speaks_of_an_ending(&evidence.intent.event);
    // What the question asks of its subject, when it is more than its coming about: "A nova
    // … causes the sudden appearance of a bright … star" names stars, not their shining.
    let asks_more_than_existence = event_stems
        .iter()
        .any(|e| !GENERIC_EVENT_STEMS.contains(&e.as_str()) && !COMING_ABOUT.contains(&e.as_str()));
    let names_the_event = |item: &str| {
        !asks_more_than_existence
            || speaks_of_an_ending(item) && asks_about_an_ending
            || content_stems(index, item).iter().any(|s| {
                event_stems
                    .iter()
                    .any(|e| s == e || (e.len() >= 4 && s.starts_with(e.as_str())))
            })
    };
    // The last word of the subject's name: the question's topic, else the title of the
    // document about the subject ("sleep" for "Why do we sleep?").
    let subject_head: Option<String> = evidence.topic_words.last().cloned().or_else(|| {
        evidence
            .documents
            .iter()
            .find(|d| d.about_subject)
            .and_then(|d| lower_words(&d.stored.title).pop())
    });
    // What the subject's own document speaks of: "erosion of confidence in the … banking
    // system" is another erosion than that of soil and rock.
    let subject_text_stems: Option<HashSet<String>> = evidence
        .documents
        .iter()
        .find(|d| d.about_subject)
        .map(|d| content_stems(index, &d.stored.text));
    let another_sense = |item: &str| {
        let (Some(head), Some(known)) = (subject_head.as_deref(), subject_text_stems.as_ref())
        else {
            return false;
        };
        of_what(item, head).is_some_and(|object| {
            let stems = content_stems(index, object);
            !stems.is_empty() && stems.is_disjoint(known)
        })
    };
    // A wreck's cause is often told as a collision, not with a causal word: "… when she
    // struck an iceberg" in the document on the sinking of the Titanic.
    let asks_about_a_wreck = evidence.focus == Focus::Causes
        && lower_words(&evidence.intent.event)
            .iter()
            .any(|w| WRECK_WORDS.contains(&w.as_str()));
    // A myth's causes are no reason in the world ("the venom … causes Loki to writhe in pain,
    // thereby causing earthquakes"), unless the question asks about beliefs.
    let asks_about_beliefs = lower_words(&format!(
        "{} {}",
        evidence.intent.subject, evidence.intent.event
    ))
    .iter()
    .any(|w| BELIEF_WORDS.contains(&w.as_str()));
    for sentence in &evidence.sentences {
        let document = &evidence.documents[sentence.document];
        if !asks_about_beliefs && tells_a_myth(&document.stored) {
            continue;
        }
        if asks_about_a_wreck
            && document.about_subject
            && let text = evidence.text(sentence)
            && let Some(object) = crate::causal::collision_object(text)
        {
            let heading = format!("Collision with {}", &text[object.clone()]);
            let phrase = crate::compose::lower_first(&format!("A {}", heading.to_lowercase()));
            candidates.push(one_sentence_factor(
                index,
                sentence,
                heading,
                phrase,
                1.5,
                Direction::Cause,
            ));
        }
        // "The … canal is a key trade route between Europe and Asia", "Gunpowder has been
        // widely used as a propellant in firearms, artillery, …": in the subject's own
        // document, what it is ranked as or used as says why it matters, with no causal word.
        if evidence.focus == Focus::Effects
            && document.about_subject
            && !evidence.topic_words.is_empty()
        {
            let text = evidence.text(sentence);
            let names_topic = |clause: &str| evidence.names_topic(clause);
            let ranked = worth_predicate(text, names_topic).and_then(|predicate| {
                let heading =
                    crate::heading::capitalise(strip_determiner(&text[predicate.clone()]));
                (heading.split_whitespace().count() <= 8 && is_well_formed(&heading, tagger))
                    .then(|| (heading, format!("its role as {}", &text[predicate])))
            });
            let used = || {
                let used_as = use_predicate(text, names_topic)?;
                let heading = name_reason(&text[used_as.clone()], tagger)?;
                Some((heading, format!("its use as {}", &text[used_as])))
            };
            // "… a telecommunications device that enables two or more users to conduct a
            // conversation": what it does for others.
            let function = || {
                let aim = crate::aim::function_of(text, names_topic, tagger?)?;
                Some((aim.heading, aim.phrase))
            };
            if let Some((heading, phrase)) = ranked.or_else(used).or_else(function) {
                let factor =
                    one_sentence_factor(index, sentence, heading, phrase, 1.0, Direction::Effect);
                if !evidence.only_question_stems(&factor.key_stems) {
                    candidates.push(factor);
                }
            }
        }
        // "The primary intention for the Wall's construction was to prevent East German
        // citizens from fleeing to the West": in the subject's own document, what it was made
        // for is why it was made.
        if evidence.intent.kind == AnswerKind::Purpose
            && document.about_subject
            && let Some(tagger) = tagger
            && let Some(aim) = crate::aim::aim_of(
                evidence.text(sentence),
                |clause| evidence.names_topic(clause),
                tagger,
            )
        {
            let factor = one_sentence_factor(
                index,
                sentence,
                aim.heading,
                aim.phrase,
                1.5,
                Direction::Cause,
            );
            if !evidence.only_question_stems(&factor.key_stems) {
                candidates.push(factor);
            }
        }
        // "The Second Boer War was a conflict fought between the British Empire and the Boer
        // republics over Britain's influence in Southern Africa": what a war was fought over
        // is why it began.
        if evidence.focus == Focus::Causes
            && !asks_more_than_existence
            && document.about_subject
            && let text = evidence.text(sentence)
            // (Its copula may come late: "The Wars of the Roses, known at the time … as the
            // Civil Wars, were …".)
            && opens_with_its_name(text, &document.stored.title)
            && let Some((stake, preposition)) = fought_over(text)
            && let Some(named) = name_reason(&text[stake.clone()], tagger)
        {
            // "Rivalry over Britain's influence …", "Rivalry for hegemony over Ancient
            // Greece"; a stake that is a rivalry already says so.
            let heading = if named.to_lowercase().contains("rival") {
                named
            } else if text[stake.clone()].starts_with(char::is_uppercase) {
                // "Britain's influence …" keeps its capital.
                format!("Rivalry {preposition} {named}")
            } else {
                format!(
                    "Rivalry {preposition} {}",
                    crate::compose::lower_first(&named)
                )
            };
            let phrase = running_case(crate::compose::lower_first(&heading), tagger);
            let well_formed = is_well_formed(&heading, tagger);
            let factor =
                one_sentence_factor(index, sentence, heading, phrase, 1.5, Direction::Cause);
            if well_formed && !evidence.only_question_stems(&factor.key_stems) {
                candidates.push(factor);
            }
        }
        // "… it was buried under 4 to 6 m of volcanic ash and pumice in the eruption of Mount
        // Vesuvius in 79 AD": for a question about an ending, what destroyed the subject.
        if evidence.focus == Focus::Causes
            && asks_about_an_ending
            && document.about_subject
            && let text = evidence.text(sentence)
            && let Some(agent) = destroyed_by(text, &document.stored.title)
            && let Some(heading) = name_reason(&text[agent.clone()], tagger)
        {
            let phrase = running_case(
                in_running_text(&heading, &text[agent.clone()], &text[..agent.start]),
                tagger,
            );
            let factor =
                one_sentence_factor(index, sentence, heading, phrase, 1.5, Direction::Cause);
            if !evidence.only_question_stems(&factor.key_stems) {
                candidates.push(factor);
            }
        }
        // "The immediate issue was the Chinese enforcement of their ban on the opium trade
        // …": in the subject's own document, what it names as its issue or cause is one.
        if evidence.focus == Focus::Causes
            && document.about_subject
            && let text = evidence.text(sentence)
            && let Some(issue) = named_issue(text)
            && let Some(heading) = name_reason(&text[issue.clone()], tagger)
        {
            let phrase = running_case(in_running_text(&heading, &text[issue], ""), tagger);
            let factor =
                one_sentence_factor(index, sentence, heading, phrase, 1.5, Direction::Cause);
            if !evidence.only_question_stems(&factor.key_stems) {
                candidates.push(factor);
            }
        }
        // The subject's kind speaks of the subject by another name ("precipitation" for
        // rain), which the question's words do not find.
        let of_its_kind = evidence.documents[sentence.document].kind_of_subject;
        if (sentence.relevance < config.min_relevance && !of_its_kind) || sentence.causal.is_empty()
        {
            continue;
        }
        let key = SentenceKey {
            document: sentence.document,
            ordinal: sentence.ordinal,
        };
        let text = evidence.text(sentence);
        let document = &evidence.documents[sentence.document];
        for statement in &sentence.causal {
            if crate::compose::explains_a_name(statement, text, evidence) {
                continue;
            }
            // An item names the subject when it carries most of the question's weight
            // ("World War I", "the Great Chinese Famine"), not merely a common word of it
            // ("the deaths of two million people" for the Black Death).
            // ("World War II" does not name "World War I": the subject's own title words
            // must all be there when a document about the subject was found.)
            let names_subject = |range: &std::ops::Range<usize>| {
                let stems = content_stems(index, &text[range.clone()]);
                // Or the question's own words for it, all of them: "a reduction in the
                // Indigenous population of the Americas" beside a document titled
                // "Indigenous peoples of the Americas".
                // Only as the head of its phrase: "obstructive sleep apnea" names apnea, not
                // sleep.
                (evidence.names_whole_topic(&text[range.clone()])
                    || evidence.names_an_alias(&text[range.clone()])
                    || match evidence.subject_stems() {
                        Some(subject) => subject.is_subset(&stems),
                        None => subject_weight(evidence, &stems) >= 0.5,
                    }
                    // By a form of a topic word, not a stem alone: "colony" shares its stem
                    // with colonialism and names another thing.
                    && evidence.names_topic(&text[range.clone()]))
                    && !subject_head
                        .as_deref()
                        .is_some_and(|head| only_as_a_modifier(&text[range.clone()], head))
                    // "her being hailed as La Divina" shares a stem with hail, as a verb.
                    && !subject_head
                        .as_deref()
                        .is_some_and(|head| as_a_past_verb(&text[range.clone()], head))
            };
            // In a document about the subject, an effect that refers back to it ("also
            // contributed greatly to *the collapse*") or names what the question asks
            // ("has led to their *widespread use*") is the subject too.
            let refers_back = |range: &std::ops::Range<usize>| {
                let item = &text[range.clone()];
                // A noun: "the environmental, economic, and cultural history" opens with an
                // adjective of the item that follows.
                let bare_noun = !item.contains(' ')
                    && item.chars().all(|c| c.is_lowercase() || c == '-')
                    && !tagger.is_some_and(|tagger| {
                        tagger
                            .lexicon_tag(item)
                            .is_some_and(|tag| tag.is_adjective())
                    })
                    && text[..range.start]
                        .to_lowercase()
                        .trim_end()
                        .ends_with(" the")
                    // What happens to the subject, or a noun its title or first sentence
                    // calls it by ("the treaty"): "the war" in the document on a treaty is
                    // another thing.
                    && (END_WORDS.contains(&item)
                        || BEGINNING_WORDS.contains(&item)
                        || OCCURRENCE_WORDS.contains(&item)
                        || lower_words(&document.stored.title)
                            .iter()
                            .chain(&lower_words(document.stored.sentence_text(0)))
                            .any(|w| w == item));
                // By stem or a stem's extension: "widely" and "widespread".
                let names_event = content_stems(index, item).iter().any(|s| {
                    event_stems.iter().any(|e| {
                        !GENERIC_EVENT_STEMS.contains(&e.as_str())
                            && (s == e || (e.len() >= 4 && s.starts_with(e.as_str())))
                    })
                });
                // "a succession crisis" in the document on the War of the Spanish Succession:
                // a crisis over what the war is named for is the war in the making.
                let crisis_of_its_name = {
                    let words = lower_words(item);
                    let title = lower_words(&document.stored.title);
                    words
                        .last()
                        .is_some_and(|w| CRISIS_WORDS.contains(&w.as_str()))
                        && words.iter().any(|w| {
                            w.len() > 3
                                && !CRISIS_WORDS.contains(&w.as_str())
                                && title.iter().skip(1).any(|t| t == w)
                        })
                };
                statement.direction == Direction::Effect
                    && document.about_subject
                    && (bare_noun || names_event || crisis_of_its_name)
            };
            let antecedent = &text[statement.antecedent.clone()];
            let antecedent_is_subject = subject_share(index, evidence, antecedent) >= 0.5;
            // "It resulted in the formation of … the Soviet Union" names the subject, but its
            // beginning, not the collapse the question asks about.
            let other_phase =
                |range: &std::ops::Range<usize>| other_phase_of(&question, &text[range.clone()]);
            // "Moctezuma I contributed to the famed Aztec Empire that thrived" names the
            // subject but not its fall: a question about an ending needs an ending.
            // Or an item the subject's name follows in apposition: "culminated in the end of
            // China's last imperial dynasty, the Qing dynasty".
            let restates_an_ending = |range: &std::ops::Range<usize>| {
                statement.items.iter().any(|before| {
                    before.end < range.start
                        && text[before.end..range.start]
                            .trim_start_matches(", ")
                            .trim()
                            .eq_ignore_ascii_case("the")
                        && speaks_of_an_ending(&text[before.clone()])
                        && subject_head.as_deref().is_some_and(|head| {
                            lower_words(&text[before.clone()])
                                .last()
                                .map(String::as_str)
                                == Some(head)
                        })
                })
            };
            let names_the_ending = |range: &std::ops::Range<usize>| {
                !asks_about_an_ending
                    || speaks_of_an_ending(&text[range.clone()])
                    || restates_an_ending(range)
            };
            // When the clause before a cause defines the subject ("Measles is a … disease
            // caused by measles virus"), an item that shares its name is its cause, not the
            // subject again. Only a definition: in "deforestation as a result of biofuel
            // production" the item is the subject.
            let defines = |clause: &str| {
                // "Cholera is an" ends where the cue's words begin.
                let clause = format!("{} ", clause.to_lowercase());
                [" is a ", " is an ", " are a ", " are an "]
                    .iter()
                    .any(|verb| clause.contains(verb))
            };
            let subject_caused = statement.direction == Direction::Cause
                && names_subject(&statement.antecedent)
                && defines(antecedent);
            // "Because transistors are the key active components in practically all modern
            // electronics, they are considered one of the 20th century's greatest
            // inventions": the reason given for a judgement of the subject's worth is why it
            // matters. The judgement is the clause before the cue, or after a leading one.
            let judges_worth = evidence.focus == Focus::Effects
                && statement.direction == Direction::Cause
                && document.about_subject
                && {
                    let judgement = if antecedent.trim().is_empty() {
                        statement.items.last().map_or("", |last| &text[last.end..])
                    } else {
                        antecedent
                    };
                    judges_worth(judgement) || names_the_event(judgement)
                };
            // Judged by the part of an item that names the subject: "the final destruction of
            // the Byzantine Empire and the rise of the Ottoman Empire" gives the Ottomans'
            // rise, not their decline.
            let subject_item = statement
                .items
                .iter()
                .take_while(|_| !subject_caused && !judges_worth)
                // "naval victories during the French Revolutionary and Napoleonic Wars"
                // happened in the subject; they are not the subject.
                // Nor is what lasted "until the United States entered into World War II".
                .filter(|item| {
                    let span = &text[(*item).clone()];
                    [" during ", " until "]
                        .iter()
                        .filter_map(|word| span.find(word))
                        .min()
                        .is_none_or(|at| names_subject(&(item.start..item.start + at)))
                })
                .flat_map(|item| conjoined_parts(text, item.clone()))
                .find(|part| {
                    (names_subject(part) || refers_back(part))
                        && (document.about_subject || !another_sense(&text[part.clone()]))
                        && !other_phase(part)
                        && names_the_ending(part)
                });
            // "The Syrian civil war was an armed conflict that began with the Syrian
            // revolution in March 2011, when popular discontent with the … regime …
            // triggered large-scale protests": what set off the subject's beginning is a
            // reason it began.
            if subject_item.is_none()
                && statement.direction == Direction::Effect
                && evidence.focus == Focus::Causes
                && document.about_subject
                && opens_with_its_title(antecedent, &document.stored.title)
                && let Some(cause) = trigger_of_a_beginning(antecedent)
                && let Some(heading) = name_reason(cause, tagger)
            {
                let key_stems = content_stems(index, &heading);
                if !evidence.only_question_stems(&key_stems) {
                    candidates.push(Factor {
                        phrase: running_case(in_running_text(&heading, cause, ""), tagger),
                        heading,
                        support: sentence.score * 1.5,
                        direction: Some(Direction::Cause),
                        sentences: vec![key],
                        key_stems,
                    });
                }
                continue;
            }
            if let Some(subject_item) = subject_item {
                // The subject sits among the items: "X led to <the subject>" names a cause;
                // "<effect> caused by <the subject>" names only what the subject caused,
                // which answers a question about why the subject matters.
                if statement.direction != Direction::Effect
                    && evidence.focus == Focus::Effects
                    && !antecedent_is_subject
                    && !is_anaphoric(antecedent)
                    && crate::causal::names_a_cause(antecedent)
                    && let Some(heading) = name_reason(antecedent, tagger)
                {
                    let key_stems = content_stems(index, &heading);
                    if !evidence.only_question_stems(&key_stems) {
                        candidates.push(Factor {
                            phrase: running_case(in_running_text(&heading, antecedent, ""), tagger),
                            heading,
                            support: sentence.score,
                            direction: Some(Direction::Effect),
                            sentences: vec![key],
                            key_stems,
                        });
                    }
                    continue;
                }
                if statement.direction != Direction::Effect || antecedent_is_subject {
                    continue;
                }
                // "The baronial revolt … led to the sealing of Magna Carta" tells how the
                // subject came about, not why it matters.
                if evidence.focus == Focus::Effects {
                    continue;
                }
                // Elsewhere than in its own document, what that document's subject led to
                // answers only when the item names what the question asks of it: "His reign
                // led to the Timurid Renaissance" says nothing of why the Renaissance began
                // in Italy, nor "It …, resulting in creations such as … smartphones" of why
                // they became popular.
                let agent_refers_back = is_anaphoric(antecedent)
                    || antecedent.split_whitespace().next().is_some_and(|w| {
                        ["his", "her", "its", "their"].contains(&w.to_lowercase().as_str())
                    });
                if !document.about_subject
                    && agent_refers_back
                    && !names_the_event(&text[subject_item.clone()])
                {
                    continue;
                }
                // "This adaptability, combined with properties such as low weight,
                // durability and flexibility, has led to …": each listed property is a cause.
                let listed = crate::causal::listed_causes(text, statement.antecedent.clone());
                if !listed.is_empty() {
                    for item in &listed {
                        let Some(heading) = name_reason(&text[item.clone()], tagger) else {
                            continue;
                        };
                        let key_stems = content_stems(index, &heading);
                        if key_stems.is_empty() {
                            continue;
                        }
                        candidates.push(Factor {
                            // "Earthquakes, volcanic eruptions, …" opens its sentence.
                            phrase: running_case(
                                in_running_text(&heading, &text[item.clone()], &text[..item.start]),
                                tagger,
                            ),
                            heading,
                            support: sentence.score * 1.2,
                            direction: Some(Direction::Cause),
                            sentences: vec![key],
                            key_stems,
                        });
                    }
                    continue;
                }
                // "X led to <the subject>": X is the cause, the most direct answer there is.
                // In "a period during which technology transfer initiatives resulted in …"
                // X is what follows the relative word.
                let antecedent = crate::causal::relative_tail(antecedent).unwrap_or(antecedent);
                let antecedent = crate::causal::bare_cause(antecedent);
                // A longer noun phrase names a cause too, when the tagger can tell.
                let names_a_cause = || {
                    crate::causal::names_a_cause(antecedent)
                        || tagger.is_some_and(|tagger| {
                            crate::heading::is_noun_phrase(antecedent, tagger)
                                || crate::heading::names_a_change(antecedent, tagger)
                        })
                };
                let heading = if let Some(cause) = crate::causal::appositive_cause(antecedent) {
                    name_reason(strip_determiner(cause), tagger)
                } else if !document.about_subject
                    && (is_anaphoric(antecedent)
                        // "Complications may occasionally include pneumonia" in the
                        // document on chickenpox.
                        || (antecedent.trim().is_empty()
                            && statement.cue.starts_with("complications"))
                        || (describes_its_document(antecedent, &document.stored.title)
                            && names_the_event(&text[subject_item]))
                        // "Alzheimer's disease (AD) is a neurodegenerative disease and is the
                        // most common cause of dementia": the document's subject is a cause.
                        || (statement.cue.ends_with("cause of")
                            && opens_with_its_title(antecedent, &document.stored.title)))
                {
                    // "The incident … led to World War I": the document names the cause. So
                    // does "Hernán Cortés … was a … conquistador … who led an expedition
                    // that caused the fall of the Aztec Empire".
                    Some(document.stored.title.clone()).filter(|title| {
                        is_well_formed(title, tagger) || crate::heading::is_name(title)
                    })
                } else if !is_anaphoric(antecedent) && names_a_cause() {
                    name_reason(antecedent, tagger)
                } else {
                    None
                };
                let Some(heading) = heading else {
                    continue;
                };
                let key_stems = content_stems(index, &heading);
                if evidence.only_question_stems(&key_stems) {
                    continue;
                }
                // The subject is no cause of its own coming about: "The successes of the
                // First Crusade led to the establishment of four Crusader states …" is no
                // reason the Crusades happened (commercial whaling may well be why it was
                // banned).
                if evidence.focus == Focus::Causes
                    && !asks_more_than_existence
                    && evidence
                        .subject_stems()
                        .is_some_and(|subject| subject.is_subset(&key_stems))
                {
                    continue;
                }
                let phrase = match crate::causal::appositive_cause(antecedent) {
                    Some(cause) => in_running_text(&heading, cause, ""),
                    // A title such as "Assassination of Archduke Franz Ferdinand" reads with
                    // "the" in a sentence when it is an "X of Y" phrase, and so does the name
                    // of an event or institution ("the Russian Civil War").
                    None if heading == document.stored.title && heading.contains(" of ") => {
                        format!("the {}", crate::compose::lower_first(&heading))
                    }
                    None if heading == document.stored.title && names_an_event(&heading) => {
                        format!("the {heading}")
                    }
                    None => running_case(in_running_text(&heading, antecedent, ""), tagger),
                };
                candidates.push(Factor {
                    key_stems,
                    phrase,
                    heading,
                    support: sentence.score * 1.5,
                    direction: Some(Direction::Cause),
                    sentences: vec![key],
                });
                continue;
            }
            // Items explain the subject only when the statement is about it: in a document
            // about the subject, or with the subject named before the cue.
            // Elsewhere the clause must name the topic itself, not merely share question
            // words ("Respiration is driven by …" is no reason for lung cancer).
            // Even there, a cause that explains only a noun ("an open flame caused by burning
            // propane") or an aside ("The envelope does not have to be sealed, since …")
            // answers the question only when its clause shares a word of the question or
            // refers back to its subject.
            let antecedent_stems = content_stems(index, antecedent);
            let narrow = statement.cue == "since" || modifies_a_noun(statement.cue, antecedent);
            let shares_a_question_word = antecedent_stems
                .iter()
                .any(|s| evidence.is_question_stem(s));
            // A clause that tells of deaths or suffering gives the cause of that loss, a
            // consequence of the subject, not why the subject happened: "Millions died as a
            // result of massacres, … genocides including the Holocaust" in the document on
            // World War II.
            let tells_a_consequence = statement.direction == Direction::Cause
                && !shares_a_question_word
                && !evidence.names_topic(antecedent)
                && tagger.is_some_and(|tagger| crate::heading::tells_of_loss(antecedent, tagger));
            let clause_about_subject =
                (!narrow || is_anaphoric(antecedent) || shares_a_question_word)
                    && !tells_a_consequence;
            // "Acid rain is caused by …" speaks of another thing than rain: a retrieved
            // document's title names it, with the subject's name and more.
            let names_a_namesake = evidence.subject_stems().is_some_and(|subject| {
                evidence.documents.iter().any(|d| {
                    !d.about_subject
                        && d.title_stems.len() > subject.len()
                        && subject.is_subset(&d.title_stems)
                        && d.title_stems.is_subset(&antecedent_stems)
                })
            });
            // The subject's kind speaks for it ("Precipitation occurs when cloud particles
            // become heavy enough …" for rain, a form of precipitation) when the clause
            // names the kind; its own causes come first.
            let about_its_kind = document.kind_of_subject
                && !narrow
                && !document.title_stems.is_empty()
                && document.title_stems.is_subset(&antecedent_stems);
            // Elsewhere, a clause whose agent refers back within its own document only
            // mentions the subject: in "These made … long-distance telephone lines possible,
            // and led to the development of talking motion pictures" (Lee de Forest's
            // amplifiers), the telephone led to nothing.
            let about = (document.about_subject && clause_about_subject)
                || (subject_weight(evidence, &antecedent_stems) >= 0.75
                    && evidence.names_topic(antecedent)
                    && !names_a_namesake
                    && !is_anaphoric(antecedent))
                || about_its_kind;
            if !about {
                continue;
            }
            let weight = match (evidence.focus, statement.direction) {
                (Focus::Effects, Direction::Cause) if judges_worth => 1.0,
                // Consequences of the subject do not explain why it happened, and its causes
                // do not say why it matters.
                (Focus::Causes, Direction::Effect) | (Focus::Effects, Direction::Cause) => continue,
                _ if about_its_kind && !document.about_subject => 0.8,
                _ => 1.0,
            };
            // "The Nile has played a central role in the … history of Africa": the subject's
            // role is why it matters, and is named as one ("Central role in …").
            let role = (evidence.focus == Focus::Effects
                && statement.direction == Direction::Effect
                && statement.cue.contains("role in"))
            .then(|| {
                text[statement.cue_range.clone()]
                    .split_whitespace()
                    .rev()
                    .nth(2)
            })
            .flatten()
            .map(str::to_lowercase);
            for (n, item) in coordinated_modifiers(text, &statement.items, tagger)
                .iter()
                .enumerate()
            {
                // "It occurs when skin cells grow uncontrollably, forming malignant tumors":
                // a participle after the clause tells what it brings about.
                if n > 0
                    && statement.cue.ends_with(" when")
                    && text[item.clone()]
                        .split(' ')
                        .next()
                        .is_some_and(|w| w.len() > 4 && w.ends_with("ing"))
                {
                    continue;
                }
                // What the subject is, in a clause about it, names the reason: "transistors
                // are the key active components …".
                let predicate = judges_worth
                    .then(|| predicate_of(text, item.clone(), evidence))
                    .flatten();
                let item = &predicate.clone().unwrap_or(item.clone());
                // Whole, when it is short enough for a heading: "Key active components in
                // practically all modern electronics".
                let whole = predicate
                    .as_ref()
                    .map(|p| crate::heading::capitalise(strip_determiner(&text[p.clone()])))
                    .filter(|h| h.split_whitespace().count() <= 8 && is_well_formed(h, tagger));
                // After "occurs when", "forms when": a clause of any action.
                let occurrence = || {
                    statement
                        .cue
                        .ends_with(" when")
                        .then(|| {
                            tagger.and_then(|tagger| {
                                crate::heading::name_occurrence(&text[item.clone()], tagger)
                            })
                        })
                        .flatten()
                };
                let Some(mut heading) = whole
                    .or_else(|| name_reason(&text[item.clone()], tagger))
                    .or_else(occurrence)
                else {
                    continue;
                };
                let key_stems = content_stems(index, &heading);
                // Only the question's own words say nothing: "Skin cancers are cancers that
                // arise from the skin".
                if evidence.only_question_stems(&key_stems) {
                    continue;
                }
                let mut phrase =
                    in_running_text(&heading, &text[item.clone()], &text[..item.start]);
                // "The transistor was important because of its role as the key active
                // components …".
                if let Some(predicate) = &predicate {
                    phrase = format!("its role as {}", &text[predicate.clone()]);
                }
                if let Some(role) = &role {
                    heading = crate::heading::capitalise(&format!(
                        "{role} role in {}",
                        crate::compose::lower_first(&heading)
                    ));
                    phrase = format!("its {role} role in {phrase}");
                }
                candidates.push(Factor {
                    phrase,
                    heading,
                    support: sentence.score * weight,
                    direction: Some(statement.direction),
                    sentences: vec![key],
                    key_stems,
                });
            }
        }
    }
    candidates
}

/// A factor that one sentence states, its support the sentence's score times `weight`.
fn one_sentence_factor(
    index: &Index,
    sentence: &crate::evidence::EvidenceSentence,
    heading: String,
    phrase: String,
    weight: f32,
    direction: Direction,
) -> Factor {
    Factor {
        key_stems: content_stems(index, &heading),
        phrase,
        heading,
        support: sentence.score * weight,
        direction: Some(direction),
        sentences: vec![SentenceKey {
            document: sentence.document,
            ordinal: sentence.ordinal,
        }],
    }
}

/// Words that judge a thing's worth: "considered one of the 20th century's greatest
/// inventions".
const WORTH_WORDS: &[&str] = &[
    "important",
    "importance",
    "greatest",
    "significant",
    "significance",
    "crucial",
    "essential",
    "vital",
    "milestone",
    "landmark",
    "influential",
    "revolutionary",
];

fn judges_worth(clause: &str) -> bool {
    lower_words(clause)
        .iter()
        .any(|w| WORTH_WORDS.contains(&w.as_str()))
}

/// The predicate noun phrase of a clause whose subject is the question's topic, with its
/// article: "the key active components in …" of "transistors are the key active components
/// in …".
fn predicate_of(
    text: &str,
    item: std::ops::Range<usize>,
    evidence: &Evidence,
) -> Option<std::ops::Range<usize>> {
    let (_, predicate) =
        copular_clause(&text[item.clone()], |subject| evidence.names_topic(subject))?;
    let start = item.start + predicate;
    (start < item.end).then_some(start..item.end)
}

/// Where the subject of a copular clause ends and its predicate begins, when its subject is a
/// short phrase (at most four words) that names the question's topic: "transistors are the
/// key active components …".
fn copular_clause(span: &str, names_topic: impl Fn(&str) -> bool) -> Option<(usize, usize)> {
    let (at, copula) = [" is ", " are ", " was ", " were "]
        .iter()
        .filter_map(|copula| span.find(copula).map(|at| (at, copula.len())))
        .min()?;
    let subject = &span[..at];
    (subject.split_whitespace().count() <= 4 && names_topic(subject)).then_some((at, at + copula))
}

/// What a short subject naming the question's topic "is used as" (or "has been widely used
/// as"), to the end of its clause: "a propellant in firearms, artillery, rocketry, and
/// pyrotechnics" of "Gunpowder has been widely used as a propellant in firearms, artillery,
/// rocketry, and pyrotechnics, including use as a blasting agent …".
fn use_predicate(text: &str, names_topic: impl Fn(&str) -> bool) -> Option<std::ops::Range<usize>> {
    let at = text.find(" used as ")?;
    let mut clause: Vec<&str> = text[..at].split_whitespace().collect();
    while clause
        .last()
        .is_some_and(|w| w.len() > 3 && w.ends_with("ly"))
    {
        clause.pop();
    }
    let verb = ["is", "are", "was", "were", "has been", "have been"]
        .iter()
        .find(|verb| clause.join(" ").ends_with(&format!(" {verb}")))?;
    let subject = &clause[..clause.len() - verb.split(' ').count()];
    if subject.is_empty()
        || subject.len() > 4
        || !subject[0].starts_with(char::is_uppercase)
        || !names_topic(&subject.join(" "))
    {
        return None;
    }
    let start = at + " used as ".len();
    let rest = &text[start..];
    let end = [", including ", ";", " (", ", which "]
        .iter()
        .filter_map(|stop| rest.find(stop))
        .min()
        .unwrap_or_else(|| rest.trim_end_matches('.').len());
    (end > 0).then_some(start..start + end)
}

/// What a war was fought over, with the preposition that says so, in a sentence that tells
/// who fought it: "over Britain's influence in Southern Africa" of "… was a conflict fought
/// between the British Empire and the Boer republics over Britain's influence in Southern
/// Africa", "for hegemony over Ancient Greece" of "… was fought … between the Athenian-led
/// Delian League and the Spartan-led Peloponnesian League from 431 to 404 BC for hegemony
/// over Ancient Greece". The stake ends with its clause.
fn fought_over(text: &str) -> Option<(std::ops::Range<usize>, &'static str)> {
    // ASCII lower case keeps every byte offset of the text.
    let lower = text.to_ascii_lowercase();
    // "… campaigns fought for control of the English throne from 1455 to 1487": the stake
    // right after "fought", with no parties named.
    let right_after = [(" fought for ", "for"), (" fought over ", "over")]
        .iter()
        .find_map(|(word, preposition)| lower.find(word).map(|at| (at + word.len(), *preposition)));
    let (start, preposition) = match right_after {
        Some(found) => found,
        None => {
            let between = lower.find(" between ")?;
            let told = &lower[..between];
            if !["fought", "a conflict", "a war"]
                .iter()
                .any(|w| told.contains(w))
            {
                return None;
            }
            let after = between + " between ".len();
            let (at, preposition) = [(" over ", "over"), (" for ", "for")]
                .iter()
                .filter_map(|(word, name)| lower[after..].find(word).map(|at| (after + at, *name)))
                .min()?;
            (at + preposition.len() + 2, preposition)
        }
    };
    let end = clause_end(text, start);
    (end > start).then_some((start..end, preposition))
}

/// Where the clause that goes on at `start` ends: at a comma, semicolon, bracket or colon,
/// else before the sentence's full stop.
fn clause_end(text: &str, start: usize) -> usize {
    text[start..]
        .find([',', ';', '(', ':'])
        .map_or_else(|| text.trim_end_matches('.').len(), |end| start + end)
}

/// Nouns of a conflict in the making: "a succession crisis".
const CRISIS_WORDS: &[&str] = &[
    "crisis", "dispute", "conflict", "struggle", "war", "rivalry",
];

/// Passive verbs of destruction: "it was buried …", "the city was destroyed …".
const DESTROYING: &[&str] = &[
    "buried",
    "destroyed",
    "devastated",
    "razed",
    "flattened",
    "levelled",
    "leveled",
    "sacked",
    "burned",
    "burnt",
    "wiped out",
    "obliterated",
    "engulfed",
    "submerged",
    "overrun",
    "demolished",
    "ruined",
];

/// Events that destroy, which "in the" introduces as the agent: "in the eruption of …".
const DESTROYING_EVENTS: &[&str] = &[
    "eruption",
    "earthquake",
    "fire",
    "flood",
    "attack",
    "bombing",
    "raid",
    "storm",
    "explosion",
    "tsunami",
    "siege",
    "invasion",
    "blast",
    "sack",
    "hurricane",
    "war",
    "battle",
];

/// What destroyed the subject of a sentence that says it was destroyed (or buried, sacked,
/// …), when the subject is "it", "they" or the document's title: the agent after "by", or an
/// event after "in the" ("eruption of Mount Vesuvius in 79 AD" of "… it was buried under 4 to
/// 6 m of volcanic ash and pumice in the eruption of Mount Vesuvius in 79 AD"), to the end of
/// its clause.
fn destroyed_by(text: &str, title: &str) -> Option<std::ops::Range<usize>> {
    let lower = text.to_ascii_lowercase();
    let title = crate::evidence::name_of_title(title).to_ascii_lowercase();
    let lower_text = lower.as_str();
    let (at, verb) = DESTROYING
        .iter()
        .flat_map(|verb| {
            [" was ", " were "].iter().filter_map(move |be| {
                lower_text
                    .find(&format!("{be}{verb}"))
                    .map(|at| (at, be.len() + verb.len()))
            })
        })
        .min()?;
    let before = lower[..at].trim_end();
    let subject = before
        .rsplit([' ', ','])
        .next()
        .is_some_and(|w| ["it", "they"].contains(&w))
        || before.ends_with(&title);
    if !subject {
        return None;
    }
    let after = at + verb;
    let clause_end = lower[after..]
        .find([';', '(', ':'])
        .map_or(lower.len(), |end| after + end);
    let clause = &lower[after..clause_end];
    let start = if let Some(by) = clause.find(" by ") {
        after + by + " by ".len()
    } else {
        let (found, _) = clause.match_indices(" in the ").find(|(i, _)| {
            let next = &clause[i + " in the ".len()..];
            DESTROYING_EVENTS.iter().any(|event| {
                next.starts_with(event) && next[event.len()..].starts_with([' ', ',', '.'])
            })
        })?;
        after + found + " in the ".len()
    };
    let end = text[start..clause_end]
        .find(',')
        .map_or(clause_end, |end| start + end);
    let end = start + text[start..end].trim_end_matches('.').len();
    (end > start).then_some(start..end)
}

/// What a sentence that opens by naming an issue or cause says it was, to the end of its
/// clause: "the Chinese enforcement of their ban on the opium trade by seizing …" of "The
/// immediate issue was the Chinese enforcement of …".
fn named_issue(text: &str) -> Option<std::ops::Range<usize>> {
    const QUALIFIERS: &[&str] = &[
        "immediate",
        "main",
        "principal",
        "central",
        "chief",
        "primary",
        "underlying",
        "key",
        "proximate",
        "direct",
        "root",
    ];
    const ISSUES: &[&str] = &[
        "issue", "cause", "causes", "trigger", "catalyst", "spark", "pretext",
    ];
    let words: Vec<&str> = text.split_whitespace().take(4).collect();
    let mut i = 0;
    if !words
        .first()
        .is_some_and(|w| ["the", "its", "their"].contains(&w.to_lowercase().as_str()))
    {
        return None;
    }
    i += 1;
    if words.get(i).is_some_and(|w| QUALIFIERS.contains(w)) {
        i += 1;
    }
    if !words.get(i).is_some_and(|w| ISSUES.contains(w)) {
        return None;
    }
    if !words
        .get(i + 1)
        .is_some_and(|w| ["was", "were", "is", "are"].contains(w))
    {
        return None;
    }
    let start = words[..=i + 1].iter().map(|w| w.len() + 1).sum::<usize>();
    text.get(start..)?;
    let end = clause_end(text, start);
    (end > start).then_some(start..end)
}

/// The common noun that follows the subject's head in "<head> of <noun>": "confidence" in "a
/// rapid erosion of confidence in the … banking system". None for a name ("the erosion of
/// Rome"), a number or no "of".
fn of_what<'a>(item: &'a str, head: &str) -> Option<&'a str> {
    let mut words = item.split_whitespace();
    words.find(|w| w.eq_ignore_ascii_case(head))?;
    if words.next() != Some("of") {
        return None;
    }
    let object = words.find(|w| !["the", "a", "an"].contains(w))?;
    let object = object.trim_end_matches(|c: char| !c.is_alphanumeric());
    object
        .chars()
        .all(|c| c.is_lowercase() || c == '-')
        .then_some(object)
        .filter(|o| !o.is_empty())
}

/// Words that rank a thing among others of its kind: "a key trade route", "the principal
/// source of …".
const RANK_WORDS: &[&str] = &[
    "key",
    "major",
    "leading",
    "principal",
    "chief",
    "main",
    "primary",
    "foundational",
    "pivotal",
    "strategic",
    "central",
    // Superlatives of extent: "the world's largest coral reef system".
    "largest",
    "biggest",
    "longest",
    "highest",
    "tallest",
    "deepest",
    "oldest",
];

/// The predicate of a sentence that ranks the question's topic among things of its kind:
/// "a key trade route between Europe and Asia" of "The … canal is a key trade route between
/// Europe and Asia." The subject is a short phrase naming the topic; the predicate opens with
/// an article and a word of rank or worth, and ends at the clause's end.
fn worth_predicate(
    text: &str,
    names_topic: impl Fn(&str) -> bool,
) -> Option<std::ops::Range<usize>> {
    let (_, start) = copular_clause(text, names_topic)?;
    if !text.starts_with(char::is_uppercase) {
        return None;
    }
    let rest = &text[start..];
    let end = rest
        .find([',', ';', ':', '('])
        .or_else(|| rest.rfind('.'))
        .unwrap_or(rest.len());
    let predicate = rest[..end].trim_end();
    let words = lower_words(predicate);
    let opening = match words.first().map(String::as_str) {
        // "the world's largest …".
        Some("the") if words.get(1..3) == Some(&["world".to_owned(), "s".to_owned()]) => {
            &words[3..]
        }
        Some("a" | "an" | "the") => &words[1..],
        Some("one") if words.get(1..3) == Some(&["of".to_owned(), "the".to_owned()]) => &words[3..],
        _ => return None,
    };
    // "a key trade route", "the most important city".
    let ranks = opening
        .iter()
        .take(2)
        .any(|w| RANK_WORDS.contains(&w.as_str()) || WORTH_WORDS.contains(&w.as_str()));
    (ranks && opening.len() >= 2).then_some(start..start + predicate.len())
}

/// Words of a question about myths and beliefs, whose answers may come from myths.
const BELIEF_WORDS: &[&str] = &[
    "myth",
    "myths",
    "mythology",
    "legend",
    "legends",
    "believe",
    "believed",
    "belief",
    "beliefs",
    "religion",
    "religious",
    "worship",
    "worshipped",
    "god",
    "gods",
    "goddess",
    "folklore",
    "sacred",
    "holy",
];

/// Does the document's first sentence present its subject as a figure of myth, legend or
/// folklore ("Loki is a god in Norse mythology")?
fn tells_a_myth(document: &index::StoredDocument) -> bool {
    if document.sentences.is_empty() {
        return false;
    }
    let lead = lower_words(document.sentence_text(0));
    lead.iter().any(|w| {
        [
            "mythology",
            "mythological",
            "mythical",
            "myth",
            "legendary",
            "folklore",
            "deity",
            "goddess",
        ]
        .contains(&w.as_str())
    })
}

/// Events a collision explains: a ship sinking, a plane crashing.
const WRECK_WORDS: &[&str] = &[
    "sink",
    "sank",
    "sunk",
    "crash",
    "crashed",
    "wreck",
    "wrecked",
    "capsize",
    "capsized",
    "derail",
    "derailed",
    "founder",
    "foundered",
];

/// Words of a thing's beginning and of its end, as verbs or nouns.
const BEGINNING_WORDS: &[&str] = &[
    "formation",
    "form",
    "formed",
    "creation",
    "create",
    "created",
    "establishment",
    "establish",
    "established",
    "founding",
    "found",
    "founded",
    "foundation",
    "rise",
    "rose",
    "birth",
    "emergence",
    "emerge",
    "emerged",
    "start",
    "started",
    "beginning",
    "begin",
    "began",
    "origin",
    "origins",
    "outbreak",
];
const END_WORDS: &[&str] = &[
    "collapse",
    "collapsed",
    "fall",
    "fell",
    "dissolution",
    "dissolve",
    "dissolved",
    "decline",
    "declined",
    "end",
    "ended",
    "breakup",
    "demise",
    "extinction",
    "disintegration",
    "disintegrate",
    "disappearance",
    "disappear",
    "disappeared",
    "conquest",
    "conquered",
    "destruction",
    "destroyed",
    "overthrow",
    "overthrown",
    "overthrew",
    "defeat",
    "defeated",
    "downfall",
    "sack",
    "sacked",
    "capture",
    "captured",
    "extinct",
    // "Why did the dinosaurs die out?"
    "die",
    "died",
    "abolition",
    "abolished",
    "cessation",
    // A decline in numbers: "an 80 to 95 percent reduction in the Indigenous population".
    "reduction",
    "decrease",
    "depopulation",
];

/// Does `item` speak of the other end of a thing's life than `question` asks about: its
/// formation when the question asks why it collapsed, or its fall when it asks why it began?
fn other_phase_of(question: &str, item: &str) -> bool {
    let later_part = names_a_later_part(item);
    let (question, item) = (lower_words(question), lower_words(item));
    let has = |words: &[String], list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
    (has(&question, END_WORDS) && has(&item, BEGINNING_WORDS) && !has(&item, END_WORDS))
        || (has(&question, BEGINNING_WORDS)
            && (has(&item, END_WORDS) || later_part)
            && !has(&item, BEGINNING_WORDS))
}

/// Words that name a later part of a thing's life.
const LATER_PART_WORDS: &[&str] = &["half", "latter", "later", "final", "closing", "last"];

/// Does a later part of a named thing open the item ("the second half of the Peloponnesian
/// War", "the final years of the Empire"), not merely a date ("in the latter half of the
/// fifth century")? The word before "of the" names the part; a capital after it, the thing.
fn names_a_later_part(item: &str) -> bool {
    let words: Vec<&str> = item
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .collect();
    (0..words.len()).any(|i| {
        LATER_PART_WORDS.contains(&words[i].to_lowercase().as_str())
            && (i + 1..(i + 3).min(words.len()))
                .find(|&j| words[j] == "of")
                .is_some_and(|j| {
                    words.get(j + 1) == Some(&"the")
                        && words
                            .get(j + 2)
                            .is_some_and(|w| w.chars().next().is_some_and(char::is_uppercase))
                })
    })
}

/// Does the text speak of a thing's end ("fall", "conquest", "decline")?
pub(crate) fn speaks_of_an_ending(text: &str) -> bool {
    lower_words(text)
        .iter()
        .any(|w| END_WORDS.contains(&w.as_str()))
}

/// The words of `text`, lowercased.
fn lower_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Words after a noun that do not make it a modifier of another noun.
const AFTER_A_HEAD: &[&str] = &[
    "and", "or", "of", "in", "on", "at", "by", "for", "with", "to", "from", "during", "after",
    "before", "which", "that", "who", "was", "is", "were", "are", "has", "had", "have", "as",
    "into", "between", "against", "among", "itself", "s",
];

/// Nouns of how often or how much a thing happens or is made and used ("malaria cases",
/// "flood risk", "biofuel production"), or of its state ("drought conditions").
const OCCURRENCE_WORDS: &[&str] = &[
    "conditions",
    "cases",
    "case",
    "risk",
    "rates",
    "rate",
    "incidence",
    "occurrence",
    "activity",
    "events",
    "event",
    "growth",
    "spread",
    "development",
    "onset",
    "strikes",
    "strike",
    "epidemic",
    "epidemics",
    "outbreaks",
    "season",
    "seasons",
    "deaths",
    "production",
    "use",
    "usage",
    "consumption",
];

/// Does `item` name the subject's `head` word only where it modifies another noun
/// ("obstructive *sleep* apnea", "World War I *veterans*"), never as the head of its phrase?
fn only_as_a_modifier(item: &str, head: &str) -> bool {
    // Each word with where it ends.
    let mut spans: Vec<(String, usize)> = Vec::new();
    let mut start = None;
    for (at, c) in item
        .char_indices()
        .chain(std::iter::once((item.len(), ' ')))
    {
        if c.is_alphanumeric() {
            start.get_or_insert(at);
        } else if let Some(from) = start.take() {
            spans.push((item[from..at].to_lowercase(), at));
        }
    }
    let words: Vec<String> = spans.iter().map(|(w, _)| w.clone()).collect();
    let mut found = false;
    for (i, word) in words.iter().enumerate() {
        if word != head {
            continue;
        }
        found = true;
        // A comma after it ends its phrase where it opens the clause: "Tuberculosis, also
        // known as …" (not "… is explained through cosmic inflation: a phase …").
        // A dash sets off an apposition after it anywhere: "the dissolution of the Soviet
        // Union—one of the two superpowers—".
        let ends_its_phrase = (i == 0 && item[spans[i].1..].starts_with(','))
            || item[spans[i].1..].starts_with(['—', '–']);
        // "lightning formation", "Soviet Union collapse": a noun of the thing's life or
        // frequency after it still names the thing.
        let modifies = !ends_its_phrase
            && words.get(i + 1).is_some_and(|next| {
                next.chars().all(|c| c.is_alphabetic())
                    && !AFTER_A_HEAD.contains(&next.as_str())
                    && !BEGINNING_WORDS.contains(&next.as_str())
                    && !END_WORDS.contains(&next.as_str())
                    && !OCCURRENCE_WORDS.contains(&next.as_str())
            });
        if !modifies {
            return false;
        }
    }
    found
}

/// Does `item` name the subject's `head` word only as a past form, a verb ("hailed" for
/// hail)?
fn as_a_past_verb(item: &str, head: &str) -> bool {
    let words = lower_words(item);
    let plural = format!("{head}s");
    !words.iter().any(|w| *w == head || *w == plural)
        && words.iter().any(|w| {
            w.strip_suffix("ed")
                .is_some_and(|base| base == head || format!("{base}e") == head)
        })
}

/// Does the clause open with its document's title and say what it is ("Alzheimer's disease
/// (AD) is a neurodegenerative disease and is the most common")?
/// The words of `text` after its document's title, when it opens with that title (after
/// "The": "The Syrian civil war was …" opens with "Syrian civil war").
fn after_its_title(text: &str, title: &str) -> Option<Vec<String>> {
    let mut words = lower_words(text);
    let title = lower_words(title);
    if words.first().is_some_and(|w| w == "the") && title.first().is_some_and(|w| w != "the") {
        words.remove(0);
    }
    (!title.is_empty() && words.starts_with(&title)).then(|| words.split_off(title.len()))
}

/// Does the sentence open with its document's title (its copula may come late: "The Wars of
/// the Roses, known at the time … as the Civil Wars, were …")?
fn opens_with_its_name(text: &str, title: &str) -> bool {
    after_its_title(text, title).is_some()
}

/// Does the clause open with its document's title, with a copula within eight words after it?
fn opens_with_its_title(antecedent: &str, title: &str) -> bool {
    after_its_title(antecedent, title).is_some_and(|rest| {
        rest.iter()
            .take(8)
            .any(|w| ["is", "was", "are", "were"].contains(&w.as_str()))
    })
}

/// The cause in a clause that tells how its subject began, when that beginning came when
/// something set it off: "… was an armed conflict that began with the Syrian revolution in
/// March 2011, when popular discontent with the Ba'athist regime" → "popular discontent with
/// the Ba'athist regime".
fn trigger_of_a_beginning(antecedent: &str) -> Option<&str> {
    let lower = antecedent.to_lowercase();
    let began = [
        " began with ",
        " started with ",
        " began in ",
        " started in ",
        " began as ",
        " started as ",
        " broke out ",
        " erupted ",
    ]
    .iter()
    .filter_map(|verb| lower.find(verb).map(|at| at + verb.len()))
    .min()?;
    let when = lower[began..]
        .find(" when ")
        .or_else(|| lower[began..].starts_with("when ").then_some(0))?;
    let start = began
        + when
        + if lower[began + when..].starts_with(' ') {
            6
        } else {
            5
        };
    let cause = antecedent.get(start..)?.trim();
    (crate::causal::names_a_cause(cause) && !is_anaphoric(cause)).then_some(cause)
}

/// Does the clause before a cue describe its document's own subject and end in a relative
/// clause, as a lead sentence does ("Marina …, known as La Malinche, was a Nahua woman …,
/// who became known for", "Hernán Cortés … was a Spanish conquistador … who led an
/// expedition that")? Then the document's subject is what the cue connects.
fn describes_its_document(antecedent: &str, title: &str) -> bool {
    let clause = lower_words(antecedent);
    let title_words: Vec<String> = lower_words(title)
        .into_iter()
        .filter(|w| !["the", "a", "an", "of"].contains(&w.as_str()))
        .collect();
    // The title is named near the start of the clause ("Marina or Malintzin, more popularly
    // known as La Malinche" names it within its first dozen words).
    let opening = &clause[..clause.len().min(12)];
    let names_title = !title_words.is_empty()
        && title_words
            .iter()
            .all(|t| opening.contains(t) || clause[..].contains(t))
        && title_words.iter().any(|t| opening.contains(t));
    let relative = clause
        .iter()
        .skip(2)
        .any(|w| ["who", "which", "that", "whose"].contains(&w.as_str()));
    let describes = clause
        .iter()
        .any(|w| ["is", "was", "are", "were"].contains(&w.as_str()));
    names_title && relative && describes
}

/// The parts of an item joined by "and" when each is a phrase of two words or more ("the
/// final destruction of the Byzantine Empire" and "the rise of the Ottoman Empire"), else
/// the item itself.
fn conjoined_parts(text: &str, item: std::ops::Range<usize>) -> Vec<std::ops::Range<usize>> {
    let span = &text[item.clone()];
    if let Some(at) = span.find(" and ") {
        let (left, right) = (&span[..at], &span[at + 5..]);
        if left.split_whitespace().count() >= 2 && right.split_whitespace().count() >= 2 {
            return vec![item.start..item.start + at, item.start + at + 5..item.end];
        }
    }
    vec![item]
}

/// Stems of events that are a thing's coming about: any cause of the thing answers them.
const COMING_ABOUT: &[&str] = &[
    "happen", "start", "begin", "occur", "aris", "break", "out", "form", "develop", "emerg",
    "exist", "becom",
];

/// Stems of question words that say nothing of the event on their own.
const GENERIC_EVENT_STEMS: &[&str] = &["so", "much", "mani", "often", "such", "be", "have", "do"];

/// "political, ethnic, cultural, and religious tensions" is one reason, not four: when every
/// item but the last is a lone adjective, they all modify the last item's noun.
fn coordinated_modifiers(
    text: &str,
    items: &[std::ops::Range<usize>],
    tagger: Option<&Tagger>,
) -> Vec<std::ops::Range<usize>> {
    let (Some(tagger), [first, .., last]) = (tagger, items) else {
        return items.to_vec();
    };
    let lone_adjective = |range: &std::ops::Range<usize>| {
        let word = &text[range.clone()];
        !word.contains(' ')
            && tagger
                .lexicon_tag(&word.to_lowercase())
                .is_some_and(|tag| tag.is_adjective())
    };
    // "facilitating economic, cultural, political, and religious interactions …": the first
    // adjective may follow the gerund that governs the whole list, which the reason leaves
    // out.
    let start = match text[first.clone()].split_once(' ') {
        Some((gerund, rest))
            if gerund.len() > 4
                && gerund.ends_with("ing")
                && gerund.chars().all(|c| c.is_ascii_lowercase())
                && lone_adjective(&(first.end - rest.len()..first.end)) =>
        {
            first.end - rest.len()
        }
        _ => first.start,
    };
    if lone_adjective(&(start..first.end))
        && items[1..items.len() - 1].iter().all(lone_adjective)
        && text[last.clone()].contains(' ')
    {
        std::iter::once(start..last.end).collect()
    } else {
        items.to_vec()
    }
}

/// Is the cue a participle that modifies the noun before it ("a flame *caused by*", "bacteria
/// *spread by*") rather than the predicate of the clause ("the famine was caused by")?
fn modifies_a_noun(cue: &str, antecedent: &str) -> bool {
    const PREDICATE: &[&str] = &[
        "is", "are", "was", "were", "be", "been", "being", "also", "often", "usually", "not",
    ];
    let last = antecedent
        .split_whitespace()
        .next_back()
        .unwrap_or("")
        .to_lowercase();
    cue.ends_with(" by")
        && !last.is_empty()
        && !last.ends_with(',')
        && !last.ends_with("ly")
        && !PREDICATE.contains(&last.as_str())
}

/// Is a title the name of an event or institution, read with "the" ("Russian Civil War",
/// "Great Depression", "Soviet Union")?
fn names_an_event(title: &str) -> bool {
    const HEADS: &[&str] = &[
        "War",
        "Revolution",
        "Crisis",
        "Depression",
        "Recession",
        "Famine",
        "Rebellion",
        "Empire",
        "Union",
        "Republic",
        "Movement",
        "Treaty",
        "Conference",
        "Plan",
        "Pandemic",
        "Disaster",
        "Uprising",
        "Reformation",
        "Renaissance",
        "Crusade",
        "Blockade",
        "Embargo",
        "Act",
    ];
    let words: Vec<&str> = title.split_whitespace().collect();
    words.len() >= 2 && words.last().is_some_and(|last| HEADS.contains(last))
}

/// A phrase that opened its sentence, as it reads inside one: "Coma and persistent
/// vegetative state" → "coma and …", when the lexicon knows the first word as a common word
/// ("Titanic" or "Lehman Brothers" keep their capital).
fn running_case(phrase: String, tagger: Option<&Tagger>) -> String {
    let Some(tagger) = tagger else {
        return phrase;
    };
    let first = phrase.split(' ').next().unwrap_or("");
    let lower = first.to_lowercase();
    let common = first.chars().skip(1).all(|c| !c.is_uppercase())
        && tagger
            .lexicon_tag(&lower)
            .is_some_and(|tag| !tag.is_proper_noun());
    if common {
        crate::compose::lower_first(&phrase)
    } else {
        phrase
    }
}

/// The heading as it reads in a sentence: its first letter lowered unless it opens a name,
/// with the article the evidence put before it ("the", "a", "an", "its", "their"), found
/// right before the heading inside `span` or at the end of the text `before` it.
fn in_running_text(heading: &str, span: &str, before: &str) -> String {
    let span_lower = span.to_lowercase();
    let heading_lower = heading.to_lowercase();
    // The evidence's own casing: "bacterium Yersinia pestis", not "Bacterium Yersinia pestis".
    let found = span_lower.find(&heading_lower);
    // A heading that renames the span from its first word on ("Moon passing between …" for
    // "Moon passes between …") keeps that word as the evidence wrote it.
    let first_word = |text: &str| text.split(' ').next().unwrap_or("").to_owned();
    let same_opening = found.is_none() && first_word(&span_lower) == first_word(&heading_lower);
    let lowered = match found {
        Some(at) if span.is_char_boundary(at) && span.is_char_boundary(at + heading.len()) => {
            span[at..at + heading.len()].to_owned()
        }
        _ if same_opening => {
            let opening = first_word(span);
            match heading.split_once(' ') {
                Some((_, rest)) => format!("{opening} {rest}"),
                None => opening,
            }
        }
        _ => crate::compose::lower_first(heading),
    };
    // "its presence in all organisms" reads as the evidence wrote it, and so does "a third
    // copy of chromosome 21" inside "the presence of all or part of a third copy …".
    let before_heading = found.map(|at| span_lower[..at].trim_end());
    for article in ["the", "a", "an", "its", "their"] {
        let opens_span = before_heading
            .is_some_and(|prefix| prefix == article || prefix.ends_with(&format!(" {article}")));
        let ends_before = before
            .to_lowercase()
            .trim_end()
            .ends_with(&format!(" {article}"))
            && (span_lower.starts_with(&heading_lower) || same_opening);
        if opens_span || ends_before {
            return format!("{article} {lowered}");
        }
    }
    lowered
}

fn strip_determiner(phrase: &str) -> &str {
    for determiner in ["the ", "a ", "an ", "The ", "A ", "An "] {
        if let Some(rest) = phrase.strip_prefix(determiner) {
            return rest;
        }
    }
    phrase
}

/// Share of the question's term weight found among `stems`.
fn subject_weight(evidence: &Evidence, stems: &HashSet<String>) -> f32 {
    let found: f32 = evidence
        .terms
        .iter()
        .filter(|t| stems.contains(&t.stem))
        .map(|t| t.weight)
        .sum();
    found / evidence.total_weight()
}

/// Share of a phrase's content stems that are question terms.
fn subject_share(index: &Index, evidence: &Evidence, phrase: &str) -> f32 {
    let stems = content_stems(index, phrase);
    if stems.is_empty() {
        return 0.0;
    }
    let shared = stems
        .iter()
        .filter(|s| evidence.is_question_stem(s))
        .count();
    shared as f32 / stems.len() as f32
}

/// Stems of the words of `text` that are not function words.
pub(crate) fn content_stems(index: &Index, text: &str) -> HashSet<String> {
    const FUNCTION_WORDS: &[&str] = &[
        "a", "an", "the", "of", "to", "in", "on", "at", "for", "by", "with", "from", "and", "or",
        "as", "is", "are", "was", "were", "be", "its", "their", "that", "this", "which", "it",
    ];
    index
        .analyze(text)
        .into_iter()
        .filter(|t| !FUNCTION_WORDS.contains(&text[t.range.clone()].to_lowercase().as_str()))
        .map(|t| t.stem)
        .collect()
}

fn merge_duplicates(candidates: Vec<Factor>) -> Vec<Factor> {
    let mut merged: Vec<Factor> = Vec::new();
    for candidate in candidates {
        match merged
            .iter_mut()
            .find(|f| jaccard(&f.key_stems, &candidate.key_stems) >= 0.5)
        {
            Some(existing) => {
                for key in candidate.sentences {
                    if !existing.sentences.contains(&key) {
                        existing.sentences.push(key);
                    }
                }
                existing.support = existing.support.max(candidate.support);
            }
            None => merged.push(candidate),
        }
    }
    merged
}

fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f32 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f32 / union as f32
}

/// Searches the index for the factor together with the question's subject, and adds
/// sentences of other documents that state the factor as a cause (or effect) in their own
/// causal statement, or that come from a document about the factor itself.
fn add_support_from_other_documents(
    index: &Index,
    evidence: &mut Evidence,
    factor: &mut Factor,
) -> Result<(), ExplainError> {
    let Some(direction) = factor.direction else {
        return Ok(());
    };
    let mut terms: Vec<WeightedTerm> = factor
        .key_stems
        .iter()
        .map(|stem| WeightedTerm {
            stem: stem.clone(),
            weight: 1.0,
        })
        .collect();
    for term in &evidence.terms {
        if !factor.key_stems.contains(&term.stem) {
            terms.push(WeightedTerm {
                stem: term.stem.clone(),
                weight: 0.5,
            });
        }
    }
    let hits = index.search(&terms, 12)?;
    let mut seen = HashSet::new();
    let mut added = 0;
    for hit in hits {
        if added >= 2 || seen.len() >= 5 || !seen.insert(hit.document) {
            continue;
        }
        let position = match evidence
            .documents
            .iter()
            .position(|d| d.stored.id == hit.document)
        {
            Some(position) => position,
            None => match index.document(hit.document)? {
                Some(stored) => evidence.add_document(index, stored, 0.5),
                None => continue,
            },
        };
        // A document about the factor itself ("Yersinia pestis" for "Bacterium Yersinia
        // pestis") supports it with a sentence relevant to the question. (Taking its first
        // sentence however little it says about the question gave background sections,
        // "Eye" for "Sunken eyes", and lowered reason recall on why-reasons: 0.360 → 0.317.)
        let title = &evidence.documents[position].title_stems;
        // By word, not only by stem ("Activism" is not about "human activities"), and never a
        // part of a name ("Watt", the unit, is not about "James Watt").
        let stored_title = &evidence.documents[position].stored.title;
        let about_factor = !title.is_empty()
            && title.is_subset(&factor.key_stems)
            && names_by_word(&factor.heading, stored_title)
            && !(crate::heading::is_name(&factor.heading) && factor.heading != *stored_title)
            && !title.iter().all(|s| evidence.is_question_stem(s));
        // The content words of the subject's first sentence, for `states_as_cause`.
        let lead: HashSet<String> = evidence
            .documents
            .iter()
            .find(|d| d.about_subject && !d.stored.sentences.is_empty())
            .map(|d| content_stems(index, d.stored.sentence_text(0)))
            .unwrap_or_default();
        let best = evidence
            .sentences
            .iter()
            .filter(|s| s.document == position)
            .filter(|s| {
                let key = SentenceKey {
                    document: s.document,
                    ordinal: s.ordinal,
                };
                !factor.sentences.contains(&key)
            })
            .find(|s| {
                (about_factor && s.relevance >= 0.3)
                    || states_as_cause(index, evidence, s, &lead, &factor.key_stems, direction)
            })
            .map(|s| SentenceKey {
                document: s.document,
                ordinal: s.ordinal,
            });
        if let Some(key) = best {
            factor.sentences.push(key);
            added += 1;
        }
    }
    Ok(())
}

/// Does every word of `title` (but for a bracketed qualifier and function words) stand in
/// `heading`, in the same form or its plural ("Insulin" in "Reduced production of the hormone
/// insulin", "Fault (geology)" in "Presence of several active geologic faults")?
fn names_by_word(heading: &str, title: &str) -> bool {
    let heading = lower_words(heading);
    lower_words(crate::evidence::name_of_title(title))
        .iter()
        .filter(|w| !["the", "of", "a", "an", "and", "in"].contains(&w.as_str()))
        .all(|w| {
            heading.iter().any(|h| {
                h == w || h.strip_suffix('s') == Some(w) || h.strip_suffix("es") == Some(w)
            })
        })
}

/// Does `sentence` name the factor among the items of a causal statement of the same
/// direction, without naming the question's subject among the same items (which would make
/// them fellow causes rather than cause and effect)? `lead` holds the content stems of the
/// subject's first sentence.
fn states_as_cause(
    index: &Index,
    evidence: &Evidence,
    sentence: &crate::evidence::EvidenceSentence,
    lead: &HashSet<String>,
    factor: &HashSet<String>,
    direction: Direction,
) -> bool {
    let text = evidence.text(sentence);
    sentence
        .causal
        .iter()
        .filter(|statement| statement.direction == direction)
        .any(|statement| {
            let item_stems: Vec<HashSet<String>> = statement
                .items
                .iter()
                .map(|range| content_stems(index, &text[range.clone()]))
                .collect();
            let names_factor = item_stems.iter().any(|stems| factor.is_subset(stems));
            let names_subject = item_stems
                .iter()
                .any(|stems| stems.iter().any(|s| evidence.is_question_stem(s)));
            // What the factor explains there must be the question's matter, in the question's
            // words or those of the subject's first sentence ("Bubonic plague is one of three
            // types of plague caused by …" for the Black Death, "a plague pandemic"): "a
            // volcanic island chain due to the continuous movement of the tectonic plate"
            // supports no reason that mangroves spread.
            let explains_the_question = content_stems(index, &text[statement.antecedent.clone()])
                .iter()
                .any(|s| evidence.is_question_stem(s) || lead.contains(s));
            names_factor && !names_subject && explains_the_question
        })
}

fn select(candidates: Vec<Factor>, config: &FactorConfig) -> Vec<Factor> {
    let best = candidates.first().map_or(0.0, |f| f.support);
    let mut chosen: Vec<Factor> = Vec::new();
    for candidate in candidates {
        if chosen.len() >= config.max_factors || candidate.support < 0.2 * best {
            break;
        }
        let repeats = chosen.iter().any(|f| {
            jaccard(&f.key_stems, &candidate.key_stems) >= 0.5
                || (!candidate.key_stems.is_empty() && candidate.key_stems.is_subset(&f.key_stems))
        });
        if repeats {
            continue;
        }
        chosen.push(candidate);
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_destroyed_the_subject_is_its_agent_or_event() {
        let s = "Along with Herculaneum, Stabiae, and many surrounding villas, it was buried under 4 to 6 m of volcanic ash and pumice in the eruption of Mount Vesuvius in 79 AD.";
        assert_eq!(
            destroyed_by(s, "Pompeii").map(|r| &s[r]),
            Some("eruption of Mount Vesuvius in 79 AD")
        );
        let s = "The city was sacked by the Visigoths in 410.";
        assert_eq!(destroyed_by(s, "Rome"), None);
        let s = "Rome was sacked by the Visigoths in 410.";
        assert_eq!(
            destroyed_by(s, "Rome").map(|r| &s[r]),
            Some("the Visigoths in 410")
        );
        // A place after "in the" is no event.
        let s = "It was destroyed in the north of the country.";
        assert_eq!(destroyed_by(s, "Pompeii"), None);
    }

    #[test]
    fn an_issue_named_as_such_is_a_cause() {
        let s = "The immediate issue was the Chinese enforcement of their ban on the opium trade by seizing private opium stocks, and threats.";
        assert_eq!(
            named_issue(s).map(|r| &s[r]),
            Some(
                "the Chinese enforcement of their ban on the opium trade by seizing private opium stocks"
            )
        );
        assert_eq!(
            named_issue("The cause was unknown.").map(|r| &"The cause was unknown."[r]),
            Some("unknown")
        );
        // Only an opening that names the issue: not "The issue of slavery was …".
        assert_eq!(named_issue("The issue of slavery was divisive."), None);
        assert_eq!(named_issue("Its causes include war."), None);
    }

    #[test]
    fn a_subject_that_only_modifies_another_noun_is_not_named() {
        assert!(only_as_a_modifier("obstructive sleep apnea", "sleep"));
        assert!(!only_as_a_modifier("poor sleep", "sleep"));
        assert!(!only_as_a_modifier("sleep and rest", "sleep"));
        assert!(!only_as_a_modifier("type 2 diabetes", "diabetes"));
        assert!(!only_as_a_modifier(
            "hail and to lightning formation",
            "lightning"
        ));
        // Not named at all is no modifier either.
        assert!(!only_as_a_modifier("disability", "diabetes"));
        assert!(!only_as_a_modifier(
            "dissolution of the Soviet Union—one of the two superpowers—",
            "union"
        ));
        // Nor one that ends its phrase at a comma.
        assert!(!only_as_a_modifier(
            "Tuberculosis, also known colloquially as the \"white death\", is a contagious disease",
            "tuberculosis"
        ));
    }

    #[test]
    fn a_heading_in_running_text_keeps_the_article_the_evidence_gave_it() {
        assert_eq!(
            in_running_text(
                "Third copy of chromosome 21",
                "presence of all or part of a third copy of chromosome 21",
                ""
            ),
            "a third copy of chromosome 21"
        );
        assert_eq!(
            in_running_text(
                "Bacterium Yersinia pestis",
                "the bacterium Yersinia pestis",
                ""
            ),
            "the bacterium Yersinia pestis"
        );
        assert_eq!(
            in_running_text("Flea bites", "flea bites", "spread by"),
            "flea bites"
        );
    }

    #[test]
    fn a_heading_that_renames_a_clause_keeps_its_first_words_casing() {
        assert_eq!(
            in_running_text(
                "Moon passing between Earth and the Sun",
                "Moon passes between Earth and the Sun",
                "A solar eclipse occurs when the ",
            ),
            "the Moon passing between Earth and the Sun"
        );
    }

    #[test]
    fn a_judgement_of_worth_is_told_by_its_words() {
        assert!(judges_worth(
            ", they are considered one of the 20th century's greatest inventions."
        ));
        assert!(!judges_worth(", a transistor can amplify a signal."));
    }

    #[test]
    fn what_a_thing_is_used_as_is_told_to_its_clause_end() {
        fn used_as(text: &str) -> Option<&str> {
            let gunpowder = |clause: &str| clause.to_lowercase().contains("gunpowder");
            use_predicate(text, gunpowder).map(|range| &text[range])
        }
        assert_eq!(
            used_as(
                "Gunpowder has been widely used as a propellant in firearms, artillery, rocketry, and pyrotechnics, including use as a blasting agent."
            ),
            Some("a propellant in firearms, artillery, rocketry, and pyrotechnics")
        );
        assert_eq!(
            used_as("Gunpowder is used as a propellant."),
            Some("a propellant")
        );
        // Another subject, or no verb of use.
        assert_eq!(used_as("Saltpetre is used as a fertiliser."), None);
        assert_eq!(
            used_as("Gunpowder consists of sulfur, charcoal and saltpetre."),
            None
        );
    }

    #[test]
    fn what_a_war_was_fought_over_is_its_stake() {
        fn stake(text: &str) -> Option<(&str, &str)> {
            fought_over(text).map(|(range, preposition)| (&text[range], preposition))
        }
        assert_eq!(
            stake(
                "The Second Boer War was a conflict fought between the British Empire and the Boer republics over Britain's influence in Southern Africa."
            ),
            Some(("Britain's influence in Southern Africa", "over"))
        );
        assert_eq!(
            stake(
                "The Peloponnesian War was fought in the Eastern Mediterranean between the Athenian-led Delian League and the Spartan-led Peloponnesian League from 431 to 404 BC for hegemony over Ancient Greece."
            ),
            Some(("hegemony over Ancient Greece", "for"))
        );
        // The stake right after "fought", with no parties named.
        assert_eq!(
            stake(
                "The Wars of the Roses were a series of armed confrontations, machinations, battles and campaigns fought for control of the English throne from 1455 to 1487."
            ),
            Some(("control of the English throne from 1455 to 1487", "for"))
        );
        // Who fought, with no stake; a border between two states.
        assert_eq!(
            stake(
                "The Korean War was an armed conflict fought on the Korean Peninsula between North Korea and South Korea and their allies."
            ),
            None
        );
        assert_eq!(
            stake("The river forms the border between France and Germany for 180 km."),
            None
        );
    }

    #[test]
    fn what_follows_the_subject_and_of_names_its_sense() {
        assert_eq!(
            of_what(
                "rapid erosion of confidence in the U.S. banking system",
                "erosion"
            ),
            Some("confidence")
        );
        assert_eq!(of_what("erosion of the soil.", "erosion"), Some("soil"));
        assert_eq!(of_what("the erosion of Rome", "erosion"), None);
        assert_eq!(of_what("coastal erosion", "erosion"), None);
        assert_eq!(of_what("erosion by waves", "erosion"), None);
    }

    #[test]
    fn a_rank_among_its_kind_is_why_a_thing_matters() {
        fn predicate(text: &str) -> Option<&str> {
            let canal = |clause: &str| clause.to_lowercase().contains("canal");
            worth_predicate(text, canal).map(|range| &text[range])
        }
        assert_eq!(
            predicate(
                "The 193.3-kilometre-long (120.1-mile) canal is a key trade route between Europe and Asia."
            ),
            Some("a key trade route between Europe and Asia")
        );
        assert_eq!(
            predicate("The canal is one of the most important waterways, linking two seas."),
            Some("one of the most important waterways")
        );
        assert_eq!(
            predicate("The canal is the world's longest shipping canal, built in 1869."),
            Some("the world's longest shipping canal")
        );
        // No word of rank, another subject, or a long subject clause: no judgement.
        assert_eq!(
            predicate("The canal is an artificial sea-level waterway in Egypt."),
            None
        );
        assert_eq!(predicate("The Nile is a major river in Africa."), None);
        assert_eq!(
            predicate("Ships that pass through the canal each year are a major source of revenue."),
            None
        );
    }

    #[test]
    fn a_later_part_of_the_subject_is_another_phase_than_its_start() {
        let question = "Why did the Peloponnesian War start?";
        assert!(other_phase_of(
            question,
            "second half of the Peloponnesian War"
        ));
        assert!(!other_phase_of(question, "the Peloponnesian War"));
        // A date is no part of the subject.
        assert!(!other_phase_of(
            question,
            "Peloponnesian War in the latter half of the fifth century BC"
        ));
    }

    #[test]
    fn a_past_form_of_the_subject_is_a_verb() {
        assert!(as_a_past_verb("her being hailed as La Divina", "hail"));
        assert!(as_a_past_verb("the areas flooded", "flood"));
        assert!(as_a_past_verb("it was fired", "fire"));
        assert!(!as_a_past_verb("hail and to lightning formation", "hail"));
        assert!(!as_a_past_verb("the hail hailed down", "hail"));
        assert!(!as_a_past_verb("floods flooded the valley", "flood"));
    }

    #[test]
    fn a_title_names_a_factor_by_its_words() {
        assert!(names_by_word(
            "Reduced production of the hormone insulin",
            "Insulin"
        ));
        assert!(names_by_word(
            "Presence of several active geologic faults",
            "Fault (geology)"
        ));
        // A stem is not a word: activism is no human activity.
        assert!(!names_by_word("Human activities", "Activism"));
        assert!(!names_by_word("James Watt", "Watt Tyler"));
    }

    #[test]
    fn a_lead_sentence_with_a_relative_clause_describes_its_document() {
        assert!(describes_its_document(
            "Hernán Cortés, 1st Marquis of the Valley of Oaxaca was a Spanish conquistador, military commander, explorer, captain general, and writer who led an expedition that",
            "Hernán Cortés"
        ));
        assert!(describes_its_document(
            "Marina or Malintzin, more popularly known as La Malinche, was a Nahua woman from the Mexican Gulf Coast, who became known for",
            "La Malinche"
        ));
        // No relative clause: the clause itself is the cause, not the document.
        assert!(!describes_its_document(
            "Hernán Cortés greatly",
            "Hernán Cortés"
        ));
        // Another document's subject.
        assert!(!describes_its_document(
            "The famine, which was a period of mass starvation that",
            "Hernán Cortés"
        ));
    }

    #[test]
    fn what_set_off_a_beginning_is_its_trigger() {
        assert_eq!(
            trigger_of_a_beginning(
                "The Syrian civil war was an armed conflict that began with the Syrian revolution in March 2011, when popular discontent with the Ba'athist regime ruled by Bashar al-Assad"
            ),
            Some("popular discontent with the Ba'athist regime ruled by Bashar al-Assad")
        );
        // A "when" that does not follow the beginning dates something else.
        assert_eq!(
            trigger_of_a_beginning("When the war ended, the country that began with"),
            None
        );
        assert_eq!(
            trigger_of_a_beginning("The war began in 1939 when it"),
            None
        );
    }

    #[test]
    fn conjoined_phrases_are_judged_apart() {
        let text = "final destruction of the Byzantine Empire and the rise of the Ottoman Empire";
        let parts: Vec<&str> = conjoined_parts(text, 0..text.len())
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(
            parts,
            [
                "final destruction of the Byzantine Empire",
                "the rise of the Ottoman Empire"
            ]
        );
        let text = "war and famine";
        assert_eq!(conjoined_parts(text, 0..text.len()).len(), 1);
    }

    #[test]
    fn endings_are_named_by_many_words() {
        assert!(speaks_of_an_ending(
            "the Spanish conquest of the Aztec Empire"
        ));
        assert!(speaks_of_an_ending("fall"));
        assert!(!speaks_of_an_ending("the famed Aztec Empire that thrived"));
    }

    #[test]
    fn names_of_events_read_with_the() {
        assert!(names_an_event("Russian Civil War"));
        assert!(names_an_event("Great Depression"));
        assert!(!names_an_event("Climate change"));
        assert!(!names_an_event("War"));
    }

    #[test]
    fn a_reduction_in_numbers_is_a_decline() {
        assert!(speaks_of_an_ending(
            "80 to 95 percent reduction in the Indigenous population of the Americas"
        ));
        assert!(!speaks_of_an_ending("growth of the Indigenous population"));
    }

    #[test]
    fn the_other_end_of_a_things_life_is_no_cause() {
        assert!(other_phase_of(
            "the Soviet Union collapse",
            "formation of the Russian Socialist Federative Soviet Republic and later the Soviet Union"
        ));
        assert!(!other_phase_of(
            "the Soviet Union collapse",
            "dissolution of the Soviet Union"
        ));
        assert!(other_phase_of("World War I start", "end of World War I"));
        assert!(!other_phase_of("World War I start", "World War I"));
        assert!(!other_phase_of("the Titanic sink", "formation of the crew"));
    }
}
