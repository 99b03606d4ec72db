//! Explicit causal statements: "X is caused by A, B and C", "due to", "led to", "risk
//! factor for" … Each statement yields its cue, its direction and the enumerated items,
//! as byte ranges of the sentence so that headings are drawn from the evidence itself.

use std::ops::Range;
use std::sync::OnceLock;

/// Which side of the cue the items are on, relative to what the sentence is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// The items are causes: "famine is caused by *war, drought*".
    Cause,
    /// The items are consequences: "hypertension is a risk factor for *stroke, dementia*".
    Effect,
}

/// One explicit causal statement found in a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CausalStatement {
    pub cue: &'static str,
    pub direction: Direction,
    /// Byte range of the cue within the sentence.
    pub cue_range: Range<usize>,
    /// The clause before the cue (what causes or is caused).
    pub antecedent: Range<usize>,
    /// The enumerated items after the cue, one per cause or consequence.
    pub items: Vec<Range<usize>>,
}

/// Cues, longest first where one is a prefix of another. A cue's words may be separated in
/// the sentence by up to two adverbs ("contributed *greatly* to", "led *directly* to"); "…"
/// stands for up to six words without punctuation ("causes of *the war in 1966* included",
/// "attributed by *most experts* to"), "*" for exactly one word ("played a *major* role in").
const CUES: &[(&str, Direction)] = &[
    ("risk factors include", Direction::Cause),
    ("risk factors including", Direction::Cause),
    ("risk factors are", Direction::Cause),
    ("risk factor is", Direction::Cause),
    ("factors that … include", Direction::Cause),
    ("factors include", Direction::Cause),
    ("factors including", Direction::Cause),
    ("causes of … include", Direction::Cause),
    ("causes of … included", Direction::Cause),
    ("causes of … were", Direction::Cause),
    ("causes of … are", Direction::Cause),
    ("causes include", Direction::Cause),
    ("causes included", Direction::Cause),
    ("causes including", Direction::Cause),
    ("causes are", Direction::Cause),
    ("causes were", Direction::Cause),
    ("reasons for … include", Direction::Cause),
    ("reasons for … included", Direction::Cause),
    ("reasons include", Direction::Cause),
    ("reasons included", Direction::Cause),
    ("reasons are", Direction::Cause),
    ("reasons were", Direction::Cause),
    ("exacerbated by", Direction::Cause),
    ("fueled by", Direction::Cause),
    ("fuelled by", Direction::Cause),
    ("prompted by", Direction::Cause),
    ("sparked by", Direction::Cause),
    ("as a result of", Direction::Cause),
    ("as a consequence of", Direction::Cause),
    ("the result of", Direction::Cause),
    ("a result of", Direction::Cause),
    ("caused primarily by", Direction::Cause),
    ("caused mainly by", Direction::Cause),
    ("caused mostly by", Direction::Cause),
    ("caused by", Direction::Cause),
    ("due to", Direction::Cause),
    ("because of", Direction::Cause),
    ("owing to", Direction::Cause),
    ("resulting from", Direction::Cause),
    ("results from", Direction::Cause),
    ("resulted from", Direction::Cause),
    ("result from", Direction::Cause),
    ("driven by", Direction::Cause),
    ("powered by", Direction::Cause),
    ("blamed on", Direction::Cause),
    ("triggered by", Direction::Cause),
    ("brought about by", Direction::Cause),
    ("attributed by … to", Direction::Cause),
    ("attributed to", Direction::Cause),
    ("stems from", Direction::Cause),
    ("stemmed from", Direction::Cause),
    ("arises from", Direction::Cause),
    ("arose from", Direction::Cause),
    ("arising from", Direction::Cause),
    ("arise from", Direction::Cause),
    ("stemming from", Direction::Cause),
    ("stem from", Direction::Cause),
    ("emerged from", Direction::Cause),
    ("emerges from", Direction::Cause),
    ("succumbed to", Direction::Cause),
    ("spread by", Direction::Cause),
    ("spread through", Direction::Cause),
    ("spreads through", Direction::Cause),
    ("transmitted by", Direction::Cause),
    // "Leprosy … is a long-term infection by the bacterium Mycobacterium leprae".
    // ("infection with" is left out: "the risk of secondary infection with Streptococcus"
    // is what measles leads to.)
    ("infection by", Direction::Cause),
    ("infections by", Direction::Cause),
    ("shaped by", Direction::Cause),
    ("influenced by", Direction::Cause),
    ("transmitted through", Direction::Cause),
    ("occurs when", Direction::Cause),
    ("occur when", Direction::Cause),
    ("happens when", Direction::Cause),
    ("because", Direction::Cause),
    ("since", Direction::Cause),
    ("named after", Direction::Cause),
    ("named for", Direction::Cause),
    ("for", Direction::Cause),
    ("risk factor for", Direction::Effect),
    // "Complications may occasionally include pneumonia": what the document's subject leads
    // to.
    ("complications include", Direction::Effect),
    ("complications included", Direction::Effect),
    ("complications may include", Direction::Effect),
    ("complications can include", Direction::Effect),
    ("may progress to", Direction::Effect),
    ("can progress to", Direction::Effect),
    ("progresses to", Direction::Effect),
    ("progressed to", Direction::Effect),
    ("leading cause of", Direction::Effect),
    ("major cause of", Direction::Effect),
    ("main cause of", Direction::Effect),
    ("cause of", Direction::Effect),
    ("played a * role in", Direction::Effect),
    ("plays a * role in", Direction::Effect),
    ("play a * role in", Direction::Effect),
    ("key factor in", Direction::Effect),
    ("major factor in", Direction::Effect),
    ("was fundamental to", Direction::Effect),
    ("is fundamental to", Direction::Effect),
    ("were fundamental to", Direction::Effect),
    ("responsible for", Direction::Effect),
    // "sodium ions have been leached … over eons, and thus sodium and chlorine are the most
    // common dissolved elements … in the oceans".
    ("and thus", Direction::Effect),
    ("and therefore", Direction::Effect),
    ("and hence", Direction::Effect),
    ("laid the groundwork for", Direction::Effect),
    ("paved the way for", Direction::Effect),
    ("led to", Direction::Effect),
    ("leads to", Direction::Effect),
    ("lead to", Direction::Effect),
    ("leading to", Direction::Effect),
    ("resulted in", Direction::Effect),
    ("results in", Direction::Effect),
    ("resulting in", Direction::Effect),
    ("result in", Direction::Effect),
    ("contributed to", Direction::Effect),
    ("contributes to", Direction::Effect),
    ("contributing to", Direction::Effect),
    ("underlie", Direction::Effect),
    ("underlies", Direction::Effect),
    ("gave rise to", Direction::Effect),
    ("gives rise to", Direction::Effect),
    ("precipitated", Direction::Effect),
    ("triggered", Direction::Effect),
    ("causing", Direction::Effect),
    ("causes", Direction::Effect),
    ("caused", Direction::Effect),
    ("have the potential to generate", Direction::Effect),
    ("has the potential to generate", Direction::Effect),
    ("have the potential to cause", Direction::Effect),
    ("has the potential to cause", Direction::Effect),
    ("can trigger", Direction::Effect),
    ("may trigger", Direction::Effect),
    ("can cause", Direction::Effect),
    ("may cause", Direction::Effect),
    ("could cause", Direction::Effect),
    ("might cause", Direction::Effect),
];

/// The cues (indices into [`CUES`], in its order) by their first byte: at each word of a
/// sentence only the few cues that can start there are tried.
fn cues_starting_with(byte: u8) -> &'static [usize] {
    static TABLE: OnceLock<Vec<Vec<usize>>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut table = vec![Vec::new(); 256];
        for (index, (cue, _)) in CUES.iter().enumerate() {
            table[usize::from(cue.as_bytes()[0])].push(index);
        }
        table
    });
    &table[usize::from(byte)]
}

/// Words that may stand between the words of a cue: "contributed *greatly* to".
fn is_cue_gap_word(word: &str) -> bool {
    (word.len() > 4 && word.ends_with("ly") && word != "only")
        || matches!(word, "also" | "often" | "ultimately" | "in" | "part")
}

/// The length of the cue matched at the start of `text` (lowercase), if it is there.
fn match_cue(text: &str, cue: &str) -> Option<usize> {
    // Most positions fail on the first letter; this runs for every cue at every word.
    if text.as_bytes().first() != cue.as_bytes().first() {
        return None;
    }
    let mut cue_words = cue.split(' ').enumerate().peekable();
    let mut at = 0;
    while let Some((n, cue_word)) = cue_words.next() {
        if n > 0 {
            // One space, then up to two gap words (or up to six for "…").
            at = skip_spaces(text, at)?;
        }
        match cue_word {
            "*" => at = word_end(text, at)?,
            "…" => {
                // The next cue word must follow within six words.
                let &(_, next_word) = cue_words.peek()?;
                for words in 1.. {
                    if words > 6 {
                        return None;
                    }
                    at = word_end(text, at)?;
                    if starts_with_word(&text[skip_spaces(text, at)?..], next_word) {
                        break;
                    }
                    at = skip_spaces(text, at)?;
                }
            }
            _ => {
                let mut gaps = 0;
                while !starts_with_word(&text[at..], cue_word) {
                    if n == 0 || gaps == 2 {
                        return None;
                    }
                    let mut end = word_end(text, at)?;
                    if !is_cue_gap_word(&text[at..end]) {
                        return None;
                    }
                    // An adverb set off by a comma: "triggered spontaneously, by …".
                    if text[end..].starts_with(", ") {
                        end += 1;
                    }
                    gaps += 1;
                    at = skip_spaces(text, end)?;
                }
                at += cue_word.len();
            }
        }
    }
    (!text[at..].chars().next().is_some_and(is_word_char)).then_some(at)
}

/// Does `text` start with the whole word `word`?
fn starts_with_word(text: &str, word: &str) -> bool {
    text.starts_with(word) && !text[word.len()..].chars().next().is_some_and(is_word_char)
}

/// The end of the word that starts at `at`, when one does.
fn word_end(text: &str, at: usize) -> Option<usize> {
    let len = text[at..]
        .find(|c: char| !is_word_char(c) && c != '\'')
        .unwrap_or(text.len() - at);
    (len > 0).then_some(at + len)
}

/// Past the single space at `at`, when there is one.
fn skip_spaces(text: &str, at: usize) -> Option<usize> {
    text[at..].starts_with(' ').then_some(at + 1)
}

/// Does "for" (the text before it, and after) give the reason for a name: a naming verb
/// shortly before, and "its", "their", "the" … after ("called the Red Planet for its …")?
fn follows_a_name(before: &str, after: &str) -> bool {
    let recent: String = before
        .chars()
        .rev()
        .take(60)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let naming = [
        "known as",
        "called",
        "nicknamed",
        "referred to as",
        "dubbed",
    ]
    .iter()
    .any(|verb| recent.contains(verb));
    let opener = after.split_whitespace().next().unwrap_or("");
    naming && ["its", "their", "his", "her", "the", "a", "an"].contains(&opener)
}

/// "since" gives a reason only when it does not start a time ("since 1990", "since the
/// 19th century", "since then").
fn is_temporal_since(rest: &str) -> bool {
    let words: Vec<&str> = rest
        .split_whitespace()
        .take(3)
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .collect();
    words
        .first()
        .is_none_or(|w| ["then", "ancient", "antiquity", "its", "their", "his", "her"].contains(w))
        || words
            .iter()
            .any(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()) || w.ends_with("century"))
        || !rest.contains(' ')
}

/// After a comma, these words open a new clause rather than another list item.
const CLAUSE_OPENERS: &[&str] = &[
    "which",
    "who",
    "whom",
    "whose",
    "where",
    "while",
    "though",
    "although",
    "but",
    "whereas",
    "resulting",
    "leading",
    "causing",
    "making",
    "with",
    "as",
    "when",
    "thus",
    "so",
    "since",
    "after",
    "before",
    "in",
    "on",
    "at",
    "from",
    "by",
    "this",
    "it",
    "they",
    "raising",
    "reducing",
    "creating",
    "killing",
    "allowing",
];

/// Words dropped from the front of an item.
const LEADING_FILLERS: &[&str] = &[
    "a",
    "an",
    "the",
    "either",
    "both",
    "its",
    "their",
    "his",
    "her",
    "also",
    "mainly",
    "primarily",
    "mostly",
    "largely",
    "partly",
    "usually",
    "often",
    "such",
    "as",
    "by",
    "through",
    "to",
    "of",
    "from",
    "being",
    "various",
    "several",
    "other",
];

/// Finds every explicit causal statement in `sentence`.
pub fn find_causal_statements(sentence: &str) -> Vec<CausalStatement> {
    let lower = sentence.to_ascii_lowercase();
    let mut found: Vec<(Range<usize>, &'static str, Direction)> = Vec::new();
    let mut position = 0;
    while position < lower.len() {
        let at_word_start = position == 0
            || !lower[..position]
                .chars()
                .next_back()
                .is_some_and(is_word_char);
        if at_word_start {
            let first = lower.as_bytes()[position];
            let matched = cues_starting_with(first).iter().find_map(|&index| {
                let (cue, direction) = &CUES[index];
                let len = match_cue(&lower[position..], cue)?;
                // "since" gives a reason after a comma ("…, since it has a lower density"),
                // and never when it starts a time.
                if *cue == "since"
                    && (!lower[..position].trim_end().ends_with(',')
                        || is_temporal_since(&lower[position + len..]))
                {
                    return None;
                }
                // "for" gives a reason only after a name: "also known as the Red Planet, for
                // its orange-red appearance".
                if *cue == "for" && !follows_a_name(&lower[..position], &lower[position + len..]) {
                    return None;
                }
                // "diverse environmental, legal, social … causes and effects": a noun, not
                // the verb.
                if *cue == "causes" && is_noun_causes(&lower[..position]) {
                    return None;
                }
                Some((len, *cue, *direction))
            });
            if let Some((len, cue, direction)) = matched {
                // "tsunamis are not caused by wind": a denied cause is no cause.
                let before = lower[..position].trim_end();
                let denied = ["not", "never", "n't", "nor", "unlike"]
                    .iter()
                    .any(|w| before.ends_with(w));
                if !denied {
                    found.push((position..position + len, cue, direction));
                }
                position += len;
                continue;
            }
        }
        position += lower[position..].chars().next().map_or(1, char::len_utf8);
    }

    let mut statements = Vec::new();
    for (index, (cue_range, cue, direction)) in found.iter().enumerate() {
        let limit = found
            .get(index + 1)
            .map_or(sentence.len(), |(next, _, _)| next.start);
        let mut phrase = phrase_after(sentence, cue_range.end, limit);
        // "Due to A, B and C, water is called …": a cue that opens the sentence lists the
        // causes first; the main clause after them is what they explain.
        let mut main_clause = None;
        if *direction == Direction::Cause
            && sentence[..cue_range.start].trim().is_empty()
            && let Some(split) = lead_list_end(&sentence[phrase.clone()])
        {
            main_clause = Some(trim_range(sentence, phrase.start + split..limit));
            phrase = trim_range(sentence, phrase.start..phrase.start + split);
        }
        let mut items = split_items(sentence, phrase);
        // "can cause a person to lose consciousness": what is caused is the verb phrase, not
        // the person; such an item names no consequence a heading can stand for.
        if cue.ends_with("cause")
            || cue.ends_with("causes")
            || cue.ends_with("caused")
            || *cue == "causing"
        {
            items.retain(|item| !is_causative_object(&sentence[item.clone()]));
        }
        // The clause before the cue, and never reaching back past an earlier cue: in "prone
        // to earthquakes due to its location …, and can experience cyclones due to …" the
        // second cause explains the cyclones only.
        let clause_start = sentence[..cue_range.start]
            .rfind(['.', ';', ':'])
            .map_or(0, |i| i + 1)
            .max(
                index
                    .checked_sub(1)
                    .map_or(0, |previous| found[previous].0.end),
            );
        let antecedent =
            main_clause.unwrap_or_else(|| trim_range(sentence, clause_start..cue_range.start));
        if items.is_empty() {
            continue;
        }
        statements.push(CausalStatement {
            cue,
            direction: *direction,
            cue_range: cue_range.clone(),
            antecedent,
            items,
        });
    }
    statements
}

/// The causes listed before an effect cue: "…, combined with properties *such as low weight,
/// durability and flexibility*, has led to …". Empty when the clause lists none.
pub fn listed_causes(sentence: &str, antecedent: Range<usize>) -> Vec<Range<usize>> {
    let clause = &sentence[antecedent.clone()];
    let lower = clause.to_ascii_lowercase();
    let Some(at) = ["such as ", "including "]
        .iter()
        .filter_map(|marker| lower.find(marker).map(|i| i + marker.len()))
        .min()
    else {
        // "Geneva is a global city, an international financial centre, and a worldwide
        // centre for diplomacy, which has led to it being called …": what the subject is,
        // listed before "which", led there.
        let Some(list_end) = [", which", ", which has", ", which have", ", which had"]
            .iter()
            .find_map(|tail| lower.strip_suffix(tail))
            .map(str::len)
        else {
            // "Earthquakes, volcanic eruptions, underwater explosions, landslides … all"
            // (have the potential to generate a tsunami): the clause is the list.
            let end = [" all", " both", " can", " may", " could"]
                .iter()
                .find_map(|tail| lower.strip_suffix(tail))
                .map_or(lower.len(), str::len);
            let items = split_items(sentence, antecedent.start..antecedent.start + end);
            let short = items
                .iter()
                .all(|item| word_count(&sentence[item.clone()]) <= 5);
            return if items.len() >= 3 && short && lower[..end].matches(", ").count() >= 2 {
                items
            } else {
                Vec::new()
            };
        };
        let Some(start) = [" is ", " are ", " was ", " were "]
            .iter()
            .filter_map(|copula| lower[..list_end].find(copula).map(|i| i + copula.len()))
            .min()
        else {
            return Vec::new();
        };
        let items = split_items(
            sentence,
            antecedent.start + start..antecedent.start + list_end,
        );
        return if items.len() >= 2 { items } else { Vec::new() };
    };
    // The list ends where the clause resumes: ", has led to", ", which".
    let mut end = clause.len();
    for tail in [", has", ", have", ", had", ", which", ", is", ", was"] {
        if let Some(i) = lower[at..].rfind(tail) {
            end = end.min(at + i);
        }
    }
    let items = split_items(sentence, antecedent.start + at..antecedent.start + end);
    if items.len() >= 2 { items } else { Vec::new() }
}

/// Where the list of a sentence-opening cue ends: at the first comma after its final
/// conjunction ("A, B, and C, water …"), or at the first comma when there is none ("Due to
/// heavy rain, the river …").
fn lead_list_end(phrase: &str) -> Option<usize> {
    let conjunction = [" and ", " or "]
        .iter()
        .filter_map(|c| phrase.find(c))
        .min()
        .unwrap_or(0);
    phrase[conjunction..]
        .find(", ")
        .map(|at| conjunction + at)
        .filter(|&at| phrase[at + 2..].split_whitespace().count() >= 2)
}

/// Is "causes" after `before` a noun: after a determiner or an adjective ("the causes",
/// "its political causes", "diverse … causes")?
fn is_noun_causes(before: &str) -> bool {
    const DETERMINERS: &[&str] = &[
        "the",
        "its",
        "their",
        "his",
        "her",
        "main",
        "other",
        "many",
        "diverse",
        "various",
        "possible",
        "several",
        "multiple",
        "these",
        "those",
        "both",
        "known",
        "underlying",
        "root",
        "primary",
        "common",
        "different",
        "two",
        "three",
        "four",
    ];
    // Endings of adjectives, not of nouns that can cause ("signal", "metal").
    const ADJECTIVE_ENDINGS: &[&str] = &[
        "ical", "ial", "ural", "onal", "ental", "etic", "omic", "ous", "ive", "ary",
    ];
    let last = before
        .trim_end()
        .rsplit(|c: char| !c.is_alphanumeric() && c != '-')
        .next()
        .unwrap_or("");
    DETERMINERS.contains(&last)
        || (last.len() > 4 && ADJECTIVE_ENDINGS.iter().any(|e| last.ends_with(e)))
}

/// "a person to lose consciousness", "the ship to sink": a short object, then "to" and a verb.
fn is_causative_object(item: &str) -> bool {
    let words: Vec<String> = item
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    words
        .iter()
        .position(|w| w == "to")
        .is_some_and(|at| (1..=3).contains(&at) && at + 1 < words.len())
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-'
}

/// The phrase that follows a cue: up to the end of its clause.
fn phrase_after(sentence: &str, start: usize, limit: usize) -> Range<usize> {
    let mut phrase = start..limit;
    // "several factors, including, but not limited to: war, …" → "war, …".
    let head_len = floor_char_boundary(&sentence[phrase.clone()], 90);
    let head = sentence[phrase.start..phrase.start + head_len].to_ascii_lowercase();
    // Only a lead-in within the first few words ("several possible factors, including");
    // later, "including" starts a detail of an item, not the list.
    // A colon after a summary of the list ("a combination of natural and human-made
    // factors: …") may come a little later.
    let lead_in = ["including", "such as", ":"]
        .iter()
        .filter_map(|marker| head.find(marker).map(|i| (i + marker.len(), *marker)))
        .filter(|&(end, marker)| {
            let words = head[..end].split_whitespace().count();
            words <= 6
                || (marker == ":"
                    && words <= 12
                    && ["factor", "combination", "cause", "reason"]
                        .iter()
                        .any(|w| head[..end].contains(w)))
        })
        .map(|(end, _)| end)
        .max();
    if let Some(cut) = lead_in {
        phrase.start += cut;
    }
    let skip_separators = |phrase: &mut Range<usize>| {
        let text = &sentence[phrase.clone()];
        phrase.start += text.len() - text.trim_start_matches([' ', ',', ':']).len();
    };
    skip_separators(&mut phrase);
    if sentence[phrase.clone()]
        .to_ascii_lowercase()
        .starts_with("but not limited to")
    {
        phrase.start += "but not limited to".len();
        skip_separators(&mut phrase);
    }

    let text = &sentence[phrase.clone()];
    let mut end = text.len();
    for stop in [";", " (", "[", " – ", " — ", " - ", "?", "!"] {
        if let Some(i) = text.find(stop) {
            end = end.min(i);
        }
    }
    // A comma followed by a clause opener ends the phrase.
    let mut search = 0;
    while let Some(i) = text[search..end].find(", ") {
        let at = search + i;
        let next_word = text[at + 2..]
            .split(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        // ", such that they fall", ", so that …": what follows is the result, not an item.
        let result_clause = ["such that ", "so that "]
            .iter()
            .any(|opener| text[at + 2..].to_ascii_lowercase().starts_with(opener));
        if CLAUSE_OPENERS.contains(&next_word.as_str()) || result_clause {
            end = at;
            break;
        }
        search = at + 2;
    }
    // "caused the fall of the Aztec Empire and brought large portions of …": an "and" that
    // opens a second predicate ends the phrase.
    if let Some(at) = second_predicate(&text[..end]) {
        end = at;
    }
    trim_range(sentence, phrase.start..phrase.start + end)
}

/// Where " and " opens a second verb phrase of the clause with an irregular past form ("…
/// and brought …", "… and became …"), if it does. (A regular "-ed" form is left to the
/// item splitting: "… and marked the start of the Great Depression" is an item of its own.)
fn second_predicate(text: &str) -> Option<usize> {
    const PAST_FORMS: &[&str] = &[
        "brought", "made", "became", "gave", "took", "won", "built", "began", "saw", "drove",
        "kept", "held", "sent", "fought", "went", "came", "grew", "rose", "fell",
    ];
    text.match_indices(" and ").find_map(|(at, joiner)| {
        let verb = text[at + joiner.len()..].split_whitespace().next()?;
        PAST_FORMS
            .contains(&verb.to_ascii_lowercase().as_str())
            .then_some(at)
    })
}

fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Splits an enumeration ("war, natural disasters, crop failure or government policies")
/// into one range per item.
fn split_items(sentence: &str, phrase: Range<usize>) -> Vec<Range<usize>> {
    let text = &sentence[phrase.clone()];
    // A ", and" with no comma before it joins clauses, not list items: the list ends there.
    let list_end = text
        .find(", and ")
        .filter(|&at| !text[..at].contains(", "))
        .unwrap_or(text.len());
    let has_comma = text[..list_end].contains(", ");
    let mut pieces: Vec<Range<usize>> = Vec::new();
    let mut start = 0;
    let mut i = 0;
    // A list has one final conjunction ("A, B and C"); an "or" after it belongs to the item
    // ("the failure of dams or levees").
    let mut conjunction_seen = false;
    while i < text.len() {
        let rest = &text[i..];
        if i >= list_end {
            break;
        }
        let separator = if conjunction_seen {
            None
        } else if rest.starts_with(", and ") || rest.starts_with(", or ") {
            conjunction_seen = true;
            Some(if rest.starts_with(", and ") { 6 } else { 5 })
        } else if rest.starts_with(", ") {
            Some(2)
        } else if [" and by ", " or by ", " and from ", " or from "]
            .iter()
            .any(|parallel| rest.starts_with(parallel))
        {
            // "by predatory lending … and by deficiencies in regulation": a repeated
            // preposition joins two agents.
            conjunction_seen = true;
            Some(if rest.starts_with(" and ") { 5 } else { 4 })
        } else if has_comma
            && (rest.starts_with(" and ") || rest.starts_with(" or "))
            // "the effectiveness and numbers of the army, the health …": an "and" with more
            // items after it joins words inside one item.
            && !text[i..list_end]
                .match_indices(", ")
                // "December 8, 1941" is no list separator.
                .any(|(at, _)| !text[i + at + 2..].starts_with(|c: char| c.is_ascii_digit()))
        {
            conjunction_seen = true;
            Some(if rest.starts_with(" and ") { 5 } else { 4 })
        } else {
            None
        };
        match separator {
            Some(len) => {
                pieces.push(start..i);
                i += len;
                start = i;
            }
            None => i += 1,
        }
        while i < text.len() && !text.is_char_boundary(i) {
            i += 1;
        }
    }
    if start < list_end {
        pieces.push(start..list_end);
    }
    if pieces.len() == 1 {
        // "A and B" with short sides is a pair of items.
        let only = &text[pieces[0].clone()];
        for joiner in [" and ", " or "] {
            if let Some(at) = only.find(joiner) {
                let (left, right) = (&only[..at], &only[at + joiner.len()..]);
                if word_count(left) <= 3
                    && word_count(right) <= 3
                    && !right.contains(joiner)
                    && is_usable_item(left)
                {
                    pieces = vec![0..at, at + joiner.len()..only.len()];
                }
                break;
            }
        }
    }
    let several = pieces.len() > 1;
    pieces
        .into_iter()
        .flat_map(|piece| {
            let item = strip_fillers(
                sentence,
                phrase.start + piece.start..phrase.start + piece.end,
            );
            let text = &sentence[item.clone()];
            // "external means such as humans, other animals, and earthquakes": a general
            // head's examples are the items.
            if let Some(at) = text.find(" such as ")
                && word_count(&text[..at]) <= 3
            {
                let examples = item.start + at + " such as ".len()..item.end;
                return split_items(sentence, examples);
            }
            // "increased precipitation or snowpack weakening, or …": a short pair inside a
            // list is two items.
            if several
                && let Some(at) = text.find(" or ")
                && word_count(&text[..at]) <= 3
                && word_count(&text[at + 4..]) <= 3
                && !text[at + 4..].contains(" or ")
                // "failure of dams or levees": the "or" joins the nouns of a prepositional
                // phrase.
                && !text[..at]
                    .split(' ')
                    .any(|w| ["of", "in", "to", "for", "from", "on", "with", "by"].contains(&w))
                // "disturbances above or below water": the "or" joins two prepositions.
                && !text[..at].rsplit(' ').next().is_some_and(|w| {
                    ["above", "below", "inside", "outside", "before", "after", "within", "under", "over"]
                        .contains(&w)
                })
            {
                return vec![
                    item.start..item.start + at,
                    item.start + at + 4..item.end,
                ];
            }
            vec![item]
        })
        .filter(|item| is_usable_item(&sentence[item.clone()]))
        .collect()
}

fn strip_fillers(sentence: &str, mut range: Range<usize>) -> Range<usize> {
    range = trim_range(sentence, range);
    for existential in ["there was ", "there were ", "there is ", "there are "] {
        if sentence[range.clone()]
            .to_ascii_lowercase()
            .starts_with(existential)
        {
            range.start += existential.len();
        }
    }
    // "a combination of social, political, and economic factors": the combination's parts
    // are the reason.
    for collective in [
        "combination of ",
        "mix of ",
        "mixture of ",
        "variety of ",
        "number of ",
        "series of ",
        "set of ",
    ] {
        let text = sentence[range.clone()].to_ascii_lowercase();
        let text = ["a ", "the "]
            .iter()
            .find_map(|article| {
                text.strip_prefix(article)
                    .map(|rest| (article.len(), rest.to_owned()))
            })
            .unwrap_or((0, text));
        if text.1.starts_with(collective) {
            range.start += text.0 + collective.len();
        }
    }
    // "since it has a lower density": what the subject has is the reason.
    let lower = sentence[range.clone()].to_ascii_lowercase();
    let mut words = lower.split(' ');
    if let (Some(pronoun), Some(verb)) = (words.next(), words.next())
        && ["it", "they", "he", "she"].contains(&pronoun)
        && ["has", "have", "had"].contains(&verb)
        && words.next().is_some()
    {
        range.start += pronoun.len() + verb.len() + 2;
    }
    loop {
        let text = &sentence[range.clone()];
        let first = text.split(' ').next().unwrap_or("");
        if first.len() < text.len()
            && LEADING_FILLERS.contains(&first.to_ascii_lowercase().as_str())
        {
            range.start += first.len() + 1;
            range = trim_range(sentence, range);
        } else {
            return range;
        }
    }
}

/// Common verbs that, alone, are never a cause ("what they believe in or say").
const BARE_VERBS: &[&str] = &[
    "say", "do", "make", "go", "get", "see", "know", "think", "take", "come", "want", "use",
    "find", "give", "tell", "work", "try", "ask", "need", "feel", "leave", "put", "mean", "keep",
    "let", "seem", "help", "show", "hear", "believe", "hold", "bring", "happen", "write", "stay",
];

fn is_usable_item(item: &str) -> bool {
    if BARE_VERBS.contains(&item.trim().to_ascii_lowercase().as_str()) {
        return false;
    }
    // "it being called the Peace Capital": a name given is what the cue led to.
    let lower = item.to_ascii_lowercase();
    if ["it being ", "them being ", "its being ", "their being "]
        .iter()
        .any(|opener| lower.starts_with(opener))
    {
        return true;
    }
    let first = item.split(' ').next().unwrap_or("").to_ascii_lowercase();
    let pronoun_or_question = [
        "who", "what", "which", "how", "it", "this", "that", "these", "those", "they", "there",
        "he", "she", "we", "you", "one", "others",
    ];
    // "3,000 kilometres (1,900 mi) deep": a measurement describes, it causes nothing.
    const UNITS: &[&str] = &[
        "kilometres",
        "kilometers",
        "km",
        "metres",
        "meters",
        "m",
        "miles",
        "mi",
        "feet",
        "ft",
        "years",
        "percent",
        "per",
        "%",
        "degrees",
        "°c",
        "°f",
        "kg",
        "tonnes",
        "tons",
        "people",
        "million",
        "billion",
        "times",
    ];
    let mut words = item.split_whitespace().map(str::to_ascii_lowercase);
    let measurement = words
        .next()
        .is_some_and(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
        && words.next().is_some_and(|w| UNITS.contains(&w.as_str()));
    item.chars().any(char::is_alphabetic)
        && !measurement
        && !pronoun_or_question.contains(&first.as_str())
        && word_count(item) <= 25
}

fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

/// Shrinks a range so that it neither starts nor ends with spaces, commas, quotes or full stops.
pub(crate) fn trim_range(text: &str, range: Range<usize>) -> Range<usize> {
    let slice = &text[range.clone()];
    let junk =
        |c: char| c.is_whitespace() || matches!(c, ',' | '.' | ':' | ';' | '"' | '“' | '”' | '\'');
    let start = range.start + (slice.len() - slice.trim_start_matches(junk).len());
    let end = range.end - (slice.len() - slice.trim_end_matches(junk).len());
    if start >= end {
        start..start
    } else {
        start..end
    }
}

/// The cause named by the clause before an effect cue, when it is an appositive:
/// "… after the assassination of Archduke Franz Ferdinand, the proximate cause of the war"
/// gives "the assassination of Archduke Franz Ferdinand".
pub fn appositive_cause(antecedent: &str) -> Option<&str> {
    let (before, tail) = antecedent.rsplit_once(", ")?;
    let tail_words: Vec<&str> = tail.split_whitespace().collect();
    let determiner = tail_words
        .first()
        .is_some_and(|w| matches!(w.to_ascii_lowercase().as_str(), "the" | "a" | "an" | "its"));
    if !determiner || tail_words.len() > 3 {
        return None;
    }
    let segment = before.rsplit_once(", ").map_or(before, |(_, s)| s);
    let lower = segment.to_ascii_lowercase();
    // The named cause is a noun phrase: it starts at a determiner ("after the assassination
    // of …"); a segment without one ("however") names nothing.
    let start = [" the ", " a ", " an "]
        .iter()
        .filter_map(|d| lower.find(d).map(|i| i + 1))
        .chain(
            ["the ", "a ", "an "]
                .iter()
                .filter(|d| lower.starts_with(**d))
                .map(|_| 0),
        )
        .min()?;
    let cause = segment[start..].trim();
    (cause.split_whitespace().count() >= 2).then_some(cause)
}

/// What follows the last relative word of the clause before an effect cue, when something
/// does: "was a period during which *technology transfer initiatives*" (resulted in …).
pub fn relative_tail(antecedent: &str) -> Option<&str> {
    const RELATIVES: &[&str] = &[" during which ", " in which ", " by which ", " whereby "];
    let lower = antecedent.to_ascii_lowercase();
    let (at, relative) = RELATIVES
        .iter()
        .filter_map(|r| lower.rfind(r).map(|at| (at, r.len())))
        .max()?;
    let tail = antecedent[at + relative..].trim();
    (!tail.is_empty()).then_some(tail)
}

/// What a moving thing struck, when the sentence tells of a collision: "when she struck an
/// iceberg at 23:40 on 14 April" → "an iceberg"; "the plane crashed into a mountain" → "a
/// mountain". Only a noun phrase with an article whose noun is something a ship, plane or
/// vehicle collides with: "struck a deal" and "hit the top of the charts" are no collisions.
pub fn collision_object(sentence: &str) -> Option<Range<usize>> {
    const VERBS: &[&str] = &[
        " struck ",
        " hit ",
        " collided with ",
        " crashed into ",
        " ran into ",
        " ran aground on ",
        " ran aground off ",
        " rammed ",
    ];
    let lower = sentence.to_ascii_lowercase();
    VERBS.iter().find_map(|verb| {
        let at = lower.find(verb)? + verb.len();
        let rest = &lower[at..];
        let article = ["an ", "a ", "the "]
            .iter()
            .find(|a| rest.starts_with(*a))?;
        let noun_start = at + article.len();
        let end = lower[noun_start..]
            .find([',', ';', '.', '('])
            .map_or(lower.len(), |i| noun_start + i);
        // The noun phrase ends before a time, place or manner: "an iceberg at 23:40".
        let end = [
            " at ", " on ", " in ", " off ", " near ", " during ", " and ", " while ",
        ]
        .iter()
        .filter_map(|stop| lower[noun_start..end].find(stop).map(|i| noun_start + i))
        .min()
        .unwrap_or(end);
        let object = at..end;
        (end > noun_start && is_collision_object(&lower[noun_start..end])).then_some(object)
    })
}

/// Things a ship, plane, train or car collides with, as opposed to "a deal", "a record" or
/// "the headlines".
fn is_collision_object(noun_phrase: &str) -> bool {
    const OBJECTS: &[&str] = &[
        "iceberg",
        "reef",
        "rock",
        "rocks",
        "mine",
        "mountain",
        "mountainside",
        "tree",
        "wall",
        "bridge",
        "pier",
        "ship",
        "vessel",
        "train",
        "truck",
        "car",
        "tower",
        "building",
        "shoal",
        "sandbar",
        "torpedo",
        "asteroid",
        "comet",
        "meteorite",
        "ground",
    ];
    noun_phrase
        .split_whitespace()
        .last()
        .is_some_and(|head| OBJECTS.contains(&head))
}

/// The cause itself in the clause before an effect cue, without the discourse marker before
/// it or the hedge after it: "For example, the chlorofluorocarbons have been shown to" (lead
/// to ozone depletion) → "the chlorofluorocarbons".
pub fn bare_cause(antecedent: &str) -> &str {
    const MARKERS: &[&str] = &[
        "for example, ",
        "for instance, ",
        "in particular, ",
        "in addition, ",
        "moreover, ",
        "furthermore, ",
        "notably, ",
        "above all, ",
    ];
    const HEDGES: &[&str] = &[
        " have been shown to",
        " has been shown to",
        " have been found to",
        " has been found to",
        " are known to",
        " is known to",
        " are thought to",
        " is thought to",
        " are believed to",
        " is believed to",
        " are likely to",
        " is likely to",
        " tend to",
        " tends to",
    ];
    let mut clause = antecedent.trim();
    let lower = clause.to_ascii_lowercase();
    if let Some(marker) = MARKERS.iter().find(|m| lower.starts_with(*m)) {
        clause = clause[marker.len()..].trim_start();
    }
    let lower = clause.to_ascii_lowercase();
    if let Some(hedge) = HEDGES.iter().find(|h| lower.ends_with(*h)) {
        clause = clause[..clause.len() - hedge.len()].trim_end();
    }
    clause
}

/// Can the clause before an effect cue name a cause? Not when it is passive ("can be
/// triggered by") or a long clause rather than a noun phrase.
pub fn names_a_cause(antecedent: &str) -> bool {
    let words: Vec<String> = antecedent
        .split_whitespace()
        .map(|w| w.to_ascii_lowercase())
        .collect();
    let passive = words
        .last()
        .is_some_and(|w| ["be", "been", "being", "is", "are", "was", "were"].contains(&w.as_str()));
    let connective = words.first().is_some_and(|w| {
        [
            "however,", "but", "and", "thereby", "while", "although", "so",
        ]
        .contains(&w.as_str())
    });
    !words.is_empty() && !passive && !connective && words.len() <= 10
}

/// Does the clause refer back to something named earlier ("The incident was …", "It …")?
pub fn is_anaphoric(clause: &str) -> bool {
    // Case is kept: "The event" refers back, "The Titanic" names something.
    let words: Vec<&str> = clause.split_whitespace().take(3).collect();
    let is_the = |word: &str| word.eq_ignore_ascii_case("the");
    let common_noun = |word: &str| word.chars().all(char::is_lowercase);
    match words.as_slice() {
        [first, ..]
            if [
                "it", "this", "these", "they", "he", "she", "such", "that", "those",
            ]
            .contains(&first.to_ascii_lowercase().as_str()) =>
        {
            true
        }
        // "The event" alone refers back as surely as "The event was …".
        [the, noun] => is_the(the) && common_noun(noun),
        [the, noun, verb, ..] => {
            is_the(the)
                && common_noun(noun)
                && ["was", "is", "were", "are", "had", "has", "became", "also"]
                    .contains(&verb.to_ascii_lowercase().as_str())
        }
        _ => false,
    }
}

/// A short heading drawn from an evidence phrase: at most six words, cut before a
/// preposition or relative clause when longer, first letter capitalised.
pub fn heading_from_phrase(phrase: &str) -> String {
    const BREAKS: &[&str] = &[
        "in", "on", "at", "to", "from", "with", "by", "for", "that", "which", "who", "whose",
        "where", "when", "while", "is", "are", "was", "were", "has", "have", "had", "can", "could",
        "may", "might", "will", "would", "as", "into", "prevent", "prevents",
    ];
    let words: Vec<&str> = phrase.split_whitespace().collect();
    let mut keep = words.len();
    if keep > 6 {
        keep = words
            .iter()
            .enumerate()
            .skip(2)
            .find(|(_, w)| BREAKS.contains(&w.to_ascii_lowercase().as_str()))
            .map_or(6, |(i, _)| i)
            .min(6);
    }
    // Never end on a word that needs a continuation ("boundary between").
    const DANGLING: &[&str] = &[
        "a", "an", "the", "of", "and", "or", "to", "in", "on", "at", "for", "by", "with", "from",
        "between", "into", "its", "their", "his", "her", "as", "than", "that", "which", "be", "is",
        "are", "was", "were", "can", "could", "may",
    ];
    while keep > 1
        && DANGLING.contains(
            &words[keep - 1]
                .trim_end_matches([',', ';', ':'])
                .to_ascii_lowercase()
                .as_str(),
        )
    {
        keep -= 1;
    }
    let mut heading = words[..keep].join(" ");
    while heading.ends_with([',', '.', ';', ':', '"', '\'', '”']) {
        heading.pop();
    }
    let mut chars = heading.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => heading,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The causes listed before the first statement's cue.
    fn listed(sentence: &str) -> Vec<&str> {
        let statement = &find_causal_statements(sentence)[0];
        listed_causes(sentence, statement.antecedent.clone())
            .into_iter()
            .map(|r| &sentence[r])
            .collect()
    }

    fn items(sentence: &str) -> Vec<Vec<&str>> {
        find_causal_statements(sentence)
            .into_iter()
            .map(|s| s.items.into_iter().map(|r| &sentence[r]).collect())
            .collect()
    }

    #[test]
    fn causes_as_a_noun_is_no_cue() {
        let s = "It can have diverse environmental, legal, social, economic, and political causes and effects.";
        assert!(items(s).is_empty());
        assert_eq!(items("The bacterium causes cholera."), [vec!["cholera"]]);
    }

    #[test]
    fn a_second_predicate_ends_the_phrase() {
        let s = "Cortés led an expedition that caused the fall of the Aztec Empire and brought large portions of what is now mainland Mexico under the rule of the King of Castile.";
        assert_eq!(items(s), [vec!["fall of the Aztec Empire"]]);
    }

    #[test]
    fn new_cues_connect_cause_and_effect() {
        assert_eq!(
            items("Active stellar cores are powered by fusion."),
            [vec!["fusion"]]
        );
        let s = "The engine was fundamental to the changes brought by the Industrial Revolution.";
        assert_eq!(
            items(s),
            [vec!["changes brought by the Industrial Revolution"]]
        );
    }

    #[test]
    fn enumeration_after_caused_by_gives_one_item_each() {
        let s = "A famine is a widespread scarcity of food caused by several possible factors, including, but not limited to: war, natural disasters, crop failure, widespread poverty, an economic catastrophe or government policies.";
        assert_eq!(
            items(s),
            [vec![
                "war",
                "natural disasters",
                "crop failure",
                "widespread poverty",
                "economic catastrophe",
                "government policies"
            ]]
        );
        let statement = &find_causal_statements(s)[0];
        assert_eq!(statement.direction, Direction::Cause);
        assert_eq!(
            &s[statement.antecedent.clone()],
            "A famine is a widespread scarcity of food"
        );
    }

    #[test]
    fn two_due_to_clauses_stay_apart() {
        let s = "There are two main types of stroke: ischemic, due to lack of blood flow, and hemorrhagic, due to bleeding.";
        assert_eq!(items(s), [vec!["lack of blood flow"], vec!["bleeding"]]);
    }

    #[test]
    fn relative_clause_ends_the_item() {
        let s = "The disease was caused by the bacterium Yersinia pestis, which is primarily spread by flea bites, though it may also spread through contact with infected tissues or fluids.";
        let found = items(s);
        assert_eq!(found[0], ["bacterium Yersinia pestis"]);
        assert_eq!(found[1], ["flea bites"]);
        assert_eq!(found[2], ["contact with infected tissues or fluids"]);
    }

    #[test]
    fn complications_and_progression_name_effects() {
        let s = "Complications may occasionally include pneumonia, inflammation of the brain, and bacterial skin infections.";
        let found = find_causal_statements(s);
        assert_eq!(found[0].direction, Direction::Effect);
        assert_eq!(found[0].antecedent, 0..0);
        assert_eq!(
            items(s)[0],
            [
                "pneumonia",
                "inflammation of the brain",
                "bacterial skin infections"
            ]
        );
        let s = "Influenza may progress to pneumonia from the virus or a subsequent bacterial infection.";
        let found = find_causal_statements(s);
        assert_eq!(found[0].direction, Direction::Effect);
        assert_eq!(&s[found[0].antecedent.clone()], "Influenza");
    }

    #[test]
    fn and_thus_joins_a_cause_to_its_consequence() {
        let s = "Many salts of sodium are highly water-soluble: sodium ions have been leached by the action of water from the Earth's minerals over eons, and thus sodium and chlorine are the most common dissolved elements by weight in the oceans.";
        let found = find_causal_statements(s);
        assert_eq!(found[0].direction, Direction::Effect);
        assert_eq!(
            &s[found[0].antecedent.clone()],
            "sodium ions have been leached by the action of water from the Earth's minerals over eons"
        );
    }

    #[test]
    fn a_result_clause_ends_the_item() {
        let s = "Precipitation occurs when cloud particles become heavy enough that atmospheric motions are insufficient to keep them aloft, such that they \"precipitate\" or fall.";
        assert_eq!(
            items(s)[0],
            [
                "cloud particles become heavy enough that atmospheric motions are insufficient to keep them aloft"
            ]
        );
    }

    #[test]
    fn effects_after_risk_factor_for() {
        let s = "It is, however, a major risk factor for stroke, coronary artery disease, heart failure, and dementia.";
        let statements = find_causal_statements(s);
        assert_eq!(statements[0].direction, Direction::Effect);
        assert_eq!(
            items(s),
            [vec![
                "stroke",
                "coronary artery disease",
                "heart failure",
                "dementia"
            ]]
        );
    }

    #[test]
    fn because_clause_and_led_to() {
        let s = "The term cold war is used because there was no direct fighting between the two superpowers, though each supported proxy wars.";
        assert_eq!(
            items(s),
            [vec!["no direct fighting between the two superpowers"]]
        );
        let s = "The incident was one of the key events that led to World War I.";
        let statement = &find_causal_statements(s)[0];
        assert_eq!(statement.direction, Direction::Effect);
        assert_eq!(&s[statement.items[0].clone()], "World War I");
        assert_eq!(
            &s[statement.antecedent.clone()],
            "The incident was one of the key events that"
        );
    }

    #[test]
    fn an_and_inside_an_item_is_no_final_conjunction() {
        let s = "Historians posit factors including the effectiveness and numbers of the army, the strength of the economy, and the efficiency of the civil administration.";
        assert_eq!(
            items(s),
            [vec![
                "effectiveness and numbers of the army",
                "strength of the economy",
                "efficiency of the civil administration"
            ]]
        );
    }

    #[test]
    fn what_the_subject_is_before_which_led_to_a_name_is_listed() {
        let s = "Geneva is a global city, an international financial centre, and a worldwide centre for diplomacy, which has led to it being called the \"Peace Capital\".";
        let statements = find_causal_statements(s);
        assert_eq!(statements.len(), 1);
        let statement = &statements[0];
        assert!(s[statement.items[0].clone()].starts_with("it being called the \"Peace Capital"));
        assert_eq!(
            listed(s),
            [
                "global city",
                "international financial centre",
                "worldwide centre for diplomacy"
            ]
        );
        // Without "which", a clause lists nothing.
        let s = "Geneva is a global city and a financial centre that led to growth.";
        assert!(listed(s).is_empty());
    }

    #[test]
    fn a_collision_names_what_was_struck() {
        let object = |s: &'static str| collision_object(s).map(|r| &s[r]);
        assert_eq!(
            object(
                "The largest ocean liner in service at the time, Titanic was four days into her maiden voyage with over 2,200 people on board when she struck an iceberg at 23:40 on 14 April."
            ),
            Some("an iceberg")
        );
        assert_eq!(
            object("The aircraft crashed into a mountain near the border."),
            Some("a mountain")
        );
        assert_eq!(
            object("The ship ran aground on a reef, and sank."),
            Some("a reef")
        );
        // No collision: a deal, a record, a time.
        assert_eq!(object("The two sides struck a deal in 1990."), None);
        assert_eq!(object("The song hit the top of the charts."), None);
        assert_eq!(object("The earthquake struck at 3 am."), None);
    }

    #[test]
    fn a_clause_that_is_a_list_lists_its_causes() {
        let s = "Earthquakes, volcanic eruptions, underwater explosions, landslides, glacier calvings, meteorite impacts and other disturbances above or below water all have the potential to generate a tsunami.";
        let statement = &find_causal_statements(s)[0];
        assert_eq!(statement.direction, Direction::Effect);
        assert_eq!(
            listed(s),
            [
                "Earthquakes",
                "volcanic eruptions",
                "underwater explosions",
                "landslides",
                "glacier calvings",
                "meteorite impacts",
                "disturbances above or below water"
            ]
        );
        // A clause with one comma is no list.
        let s = "In dry years, heavy winds can cause dust storms.";
        assert!(listed(s).is_empty());
    }

    #[test]
    fn a_repeated_preposition_joins_two_agents() {
        let s = "This was exacerbated by predatory lending for subprime mortgages and by deficiencies in regulation.";
        assert_eq!(
            items(s),
            [vec![
                "predatory lending for subprime mortgages",
                "deficiencies in regulation"
            ]]
        );
    }

    #[test]
    fn a_cause_is_named_without_its_marker_or_hedge() {
        assert_eq!(
            bare_cause("For example, the chlorofluorocarbons have been shown to"),
            "the chlorofluorocarbons"
        );
        assert_eq!(bare_cause("Smoking is known to"), "Smoking");
        assert_eq!(bare_cause("Heavy rainfall"), "Heavy rainfall");
    }

    #[test]
    fn an_adverb_set_off_by_a_comma_stays_inside_the_cue() {
        let s = "Avalanches can be triggered spontaneously, by factors such as increased precipitation or snowpack weakening, or by external means such as humans, other animals, and earthquakes.";
        assert_eq!(
            items(s),
            [vec![
                "increased precipitation",
                "snowpack weakening",
                "humans",
                "animals",
                "earthquakes"
            ]]
        );
    }

    #[test]
    fn a_date_comma_after_an_and_is_no_list_separator() {
        let s = "It triggered a rapid erosion of confidence and marked the start of the Great Depression that lasted until December 8, 1941.";
        assert_eq!(items(s)[0].len(), 2);
    }

    #[test]
    fn a_clause_level_and_ends_the_list() {
        let s = "It was caused by a rupture along the fault between the Burma plate and the Indian plate, and reached intensity IX.";
        assert_eq!(
            items(s),
            [vec![
                "rupture along the fault between the Burma plate and the Indian plate"
            ]]
        );
    }

    #[test]
    fn passive_or_long_clauses_name_no_cause() {
        assert!(!names_a_cause("Avalanches can be"));
        assert!(!names_a_cause(
            "However, she must empty the bowl when it is full and the venom that drips"
        ));
        assert!(names_a_cause("The Great Leap Forward"));
    }

    #[test]
    fn an_earlier_cue_bounds_the_next_antecedent() {
        let s = "The sea is prone to earthquakes due to its location on the Ring of Fire and can experience cyclones due to the proximity from the Equator.";
        let statements = find_causal_statements(s);
        assert_eq!(statements.len(), 2);
        assert_eq!(
            &s[statements[0].antecedent.clone()],
            "The sea is prone to earthquakes"
        );
        assert!(!s[statements[1].antecedent.clone()].contains("earthquakes"));
    }

    #[test]
    fn denied_causes_are_no_causes() {
        assert!(find_causal_statements("Tsunamis are not caused by wind or tides.").is_empty());
        assert!(find_causal_statements("It was never caused by the war.").is_empty());
        assert_eq!(items("Floods are caused by rain."), [vec!["rain"]]);
    }

    #[test]
    fn cues_with_adverbs_and_gaps() {
        let s =
            "Increasing pressure from invading peoples also contributed greatly to the collapse.";
        let statement = &find_causal_statements(s)[0];
        assert_eq!(statement.direction, Direction::Effect);
        assert_eq!(&s[statement.items[0].clone()], "collapse");
        assert_eq!(
            &s[statement.antecedent.clone()],
            "Increasing pressure from invading peoples also"
        );
        assert_eq!(
            items(
                "Immediate causes of the war in 1966 included a military coup, a counter-coup, and anti-Igbo pogroms."
            ),
            [vec!["military coup", "counter-coup", "anti-Igbo pogroms"]]
        );
        assert_eq!(
            items("An event attributed by most experts to the impact of a large asteroid."),
            [vec!["impact of a large asteroid"]]
        );
        assert_eq!(
            items(
                "On Earth, seasons are the result of the axial parallelism of Earth's tilted orbit."
            ),
            [vec!["axial parallelism of Earth's tilted orbit"]]
        );
        assert_eq!(
            items("The Goths played a major role in the fall of the Western Roman Empire."),
            [vec!["fall of the Western Roman Empire"]]
        );
        assert_eq!(
            items("Another risk factor is inflammatory bowel disease."),
            [vec!["inflammatory bowel disease"]]
        );
        // A gap word must be an adverb, and "…" never crosses punctuation.
        assert!(find_causal_statements("They contributed money to the fund.").is_empty());
        assert!(
            find_causal_statements("The causes of the war, which included many, are unclear.")
                .len()
                <= 1
        );
    }

    #[test]
    fn what_a_causative_verb_makes_someone_do_is_no_item() {
        let s = "This can cause a person to lose consciousness.";
        assert!(find_causal_statements(s).is_empty());
        assert_eq!(
            items("Smoking can cause lung cancer."),
            [vec!["lung cancer"]]
        );
    }

    #[test]
    fn a_cue_that_opens_the_sentence_lists_causes_before_the_main_clause() {
        let s = "Due to its presence in all organisms, its chemical stability, and its strong polarity, water is often referred to as the \"universal solvent\".";
        let statement = &find_causal_statements(s)[0];
        assert_eq!(
            items(s),
            [vec![
                "presence in all organisms",
                "chemical stability",
                "strong polarity"
            ]]
        );
        assert_eq!(
            &s[statement.antecedent.clone()],
            "water is often referred to as the \"universal solvent"
        );
        let s = "Because of heavy rain, the river flooded the town.";
        assert_eq!(items(s), [vec!["heavy rain"]]);
        assert_eq!(
            &s[find_causal_statements(s)[0].antecedent.clone()],
            "the river flooded the town"
        );
    }

    #[test]
    fn causes_listed_before_an_effect_cue() {
        let s = "This adaptability, combined with a wide range of other properties such as low weight, durability, flexibility, and low-cost production, has led to their widespread use.";
        assert_eq!(
            listed(s),
            [
                "low weight",
                "durability",
                "flexibility",
                "low-cost production"
            ]
        );
        let s = "The war led to famine.";
        assert!(listed_causes(s, find_causal_statements(s)[0].antecedent.clone()).is_empty());
    }

    #[test]
    fn reasons_for_a_name() {
        assert_eq!(
            items("It is also known as the \"Red Planet\", for its orange-red appearance."),
            [vec!["orange-red appearance"]]
        );
        assert_eq!(
            items("The city was named after a local river."),
            [vec!["local river"]]
        );
        assert!(find_causal_statements("They fought for their freedom.").is_empty());
        assert!(
            find_causal_statements("It is called a planet for the time being, unlike").len() <= 1
        );
    }

    #[test]
    fn a_combinations_parts_are_the_reason() {
        assert_eq!(
            items("It was caused by a combination of social, political, and economic factors."),
            [vec!["social", "political", "economic factors"]]
        );
    }

    #[test]
    fn a_measurement_is_no_item() {
        let s = "Volcanism arises from upwelling diapirs called mantle plumes, 3,000 kilometres (1,900 mi) deep within Earth.";
        assert_eq!(items(s), [vec!["upwelling diapirs called mantle plumes"]]);
        assert_eq!(
            items("It was caused by the 1918 flu pandemic."),
            [vec!["1918 flu pandemic"]]
        );
    }

    #[test]
    fn since_gives_a_reason_only_after_a_comma_and_not_as_a_time() {
        assert_eq!(
            items(
                "The heated air makes it buoyant, since it has a lower density than the air outside."
            ),
            [vec!["lower density than the air outside"]]
        );
        assert!(find_causal_statements("The city has grown, since 1990 at least.").is_empty());
        assert!(
            find_causal_statements("It has been ruled since the 12th century by kings.").is_empty()
        );
        assert!(find_causal_statements("It has grown, since then, into a city.").is_empty());
    }

    #[test]
    fn words_containing_cues_do_not_match() {
        assert!(find_causal_statements("The because-less becausefully leads.").is_empty());
        assert!(find_causal_statements("Nothing here at all.").is_empty());
    }

    #[test]
    fn pronoun_items_are_dropped() {
        let s = "They flee because of who they are, or because of armed conflict, violence or serious public disorder.\"";
        let found = items(s);
        assert_eq!(
            found.last().unwrap(),
            &["armed conflict", "violence", "serious public disorder"]
        );
    }

    #[test]
    fn appositive_and_anaphoric_antecedents() {
        assert_eq!(
            appositive_cause(
                "It was signed exactly five years after the assassination of Archduke Franz Ferdinand, the proximate"
            ),
            Some("the assassination of Archduke Franz Ferdinand")
        );
        assert_eq!(appositive_cause("The war began"), None);
        assert_eq!(appositive_cause("It is, however, a major"), None);
        assert!(is_anaphoric("The incident was one of the key events that"));
        assert!(is_anaphoric("It"));
        assert!(is_anaphoric("The event"));
        assert!(!is_anaphoric("The Titanic"));
        assert!(!is_anaphoric("The assassination of the archduke"));
    }

    #[test]
    fn headings_are_short_and_capitalised() {
        assert_eq!(heading_from_phrase("crop failure"), "Crop failure");
        assert_eq!(
            heading_from_phrase(
                "heat-trapping gases in a planet's atmosphere prevent the planet from losing heat"
            ),
            "Heat-trapping gases"
        );
        assert_eq!(heading_from_phrase("a b c d e f g h i"), "A b c d e f");
        assert_eq!(
            heading_from_phrase("rupture along the fault boundary between the Burma plate"),
            "Rupture along the fault boundary"
        );
    }
}
