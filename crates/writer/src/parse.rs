//! Reading what the model wrote, tolerantly: JSON in the shape of the plan's schema (alone,
//! fenced, or inside other text), or else plain text with `[n]` citations, placed under
//! "Overview", "Reason n" and "Summary" lines where the model wrote them and otherwise by the
//! evidence each sentence cites. Nothing is judged here; the checker does that.

use serde_json::Value;

use crate::plan::Plan;

/// A sentence as the model wrote it, with the evidence numbers it cites (1-based, as in the
/// prompt; possibly numbers that were never given).
#[derive(Debug, Clone, PartialEq)]
pub struct DraftSentence {
    pub text: String,
    pub evidence: Vec<i64>,
}

/// The model's article before checking.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Draft {
    pub overview: Vec<DraftSentence>,
    /// One paragraph per reason of the plan, by position (missing ones empty).
    pub reasons: Vec<Vec<DraftSentence>>,
    pub summary: Vec<DraftSentence>,
    /// Whether the answer was JSON.
    pub json: bool,
}

impl Draft {
    pub fn sentences(&self) -> impl Iterator<Item = &DraftSentence> {
        self.overview
            .iter()
            .chain(self.reasons.iter().flatten())
            .chain(self.summary.iter())
    }
}

/// Parses the model's answer for `plan`.
pub fn parse(answer: &str, plan: &Plan) -> Draft {
    let mut draft = match json_value(answer) {
        Some(value) => from_json(&value),
        None => from_text(answer, plan),
    };
    draft.reasons.resize(plan.reasons.len(), Vec::new());
    draft
}

/// The answer's JSON object: the whole answer, a fenced block, or the span from the first
/// `{` to the last `}`.
fn json_value(answer: &str) -> Option<Value> {
    let trimmed = answer.trim();
    let unfenced = trimmed
        .strip_prefix("```json")
        .or_else(|| trimmed.strip_prefix("```"))
        .and_then(|rest| rest.trim_end().strip_suffix("```"))
        .unwrap_or(trimmed);
    if let Ok(value @ Value::Object(_)) = serde_json::from_str(unfenced) {
        return Some(value);
    }
    let start = answer.find('{')?;
    let end = answer.rfind('}')?;
    match serde_json::from_str(answer.get(start..=end)?) {
        Ok(value @ Value::Object(_)) => Some(value),
        _ => None,
    }
}

fn from_json(value: &Value) -> Draft {
    let list = |v: Option<&Value>| -> Vec<DraftSentence> {
        match v {
            Some(Value::Array(items)) => items.iter().flat_map(json_sentences).collect(),
            Some(item @ (Value::String(_) | Value::Object(_))) => json_sentences(item),
            _ => Vec::new(),
        }
    };
    let reasons = match value.get("reasons") {
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::Array(_) => list(Some(item)),
                // A paragraph given as one sentence or one string.
                other => json_sentences(other),
            })
            .collect(),
        _ => Vec::new(),
    };
    Draft {
        overview: list(value.get("overview")),
        reasons,
        summary: list(value.get("summary")),
        json: true,
    }
}

/// `{"text": …, "evidence": […]}`, or a string with `[n]` citations in it.
fn json_sentences(value: &Value) -> Vec<DraftSentence> {
    match value {
        Value::Object(object) => {
            let Some(text) = object.get("text").and_then(Value::as_str) else {
                return Vec::new();
            };
            let mut cited: Vec<i64> = match object.get("evidence") {
                Some(Value::Array(numbers)) => numbers.iter().filter_map(as_number).collect(),
                Some(single) => as_number(single).into_iter().collect(),
                None => Vec::new(),
            };
            let (clean, inline) = strip_citations(text);
            for n in inline {
                if !cited.contains(&n) {
                    cited.push(n);
                }
            }
            // A "text" of several sentences is several claims, each resting on the evidence
            // given for all: each is checked on its own.
            corpus::split_sentences(&clean)
                .into_iter()
                .map(|range| clean[range].trim().to_owned())
                .filter(|text| !text.is_empty())
                .map(|text| DraftSentence {
                    text,
                    evidence: cited.clone(),
                })
                .collect()
        }
        Value::String(text) => split_cited(text),
        _ => Vec::new(),
    }
}

fn as_number(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().trim_matches(['[', ']']).parse().ok(),
        _ => None,
    }
}

/// Where a plain-text line puts what follows it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Part {
    Overview,
    Reason(usize),
    Summary,
}

fn from_text(answer: &str, plan: &Plan) -> Draft {
    let mut draft = Draft::default();
    draft.reasons.resize(plan.reasons.len(), Vec::new());
    let mut part: Option<Part> = None;
    for line in answer.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(marked) = part_marker(line, plan) {
            part = Some(marked);
            continue;
        }
        let line = line.trim_start_matches(['-', '*', '•']).trim_start();
        for sentence in split_cited(line) {
            let place = part.unwrap_or_else(|| place_by_citation(&sentence, plan));
            match place {
                Part::Overview => draft.overview.push(sentence),
                Part::Reason(i) => draft.reasons[i].push(sentence),
                Part::Summary => draft.summary.push(sentence),
            }
        }
    }
    draft
}

/// "Overview:", "## Reason 2", "2. Collision with an iceberg", "In summary" …
fn part_marker(line: &str, plan: &Plan) -> Option<Part> {
    let bare = line
        .trim_start_matches('#')
        .trim()
        .trim_end_matches(':')
        .trim()
        .trim_matches('*')
        .trim();
    let lower = bare.to_lowercase();
    if lower == "overview" || lower == "answer" {
        return Some(Part::Overview);
    }
    if lower == "summary" || lower == "in summary" {
        return Some(Part::Summary);
    }
    if let Some(rest) = lower.strip_prefix("reason") {
        let n: usize = rest.trim().trim_end_matches(['.', ':']).parse().ok()?;
        return (1..=plan.reasons.len())
            .contains(&n)
            .then(|| Part::Reason(n - 1));
    }
    // A line that is a reason's heading, numbered or not.
    let unnumbered = lower
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .trim_start_matches(['.', ')'])
        .trim();
    plan.reasons
        .iter()
        .position(|r| r.heading.to_lowercase() == unnumbered)
        .map(Part::Reason)
}

/// A sentence with no marker above it goes where the evidence it cites belongs: to the
/// reason whose evidence it cites most, else to the overview.
fn place_by_citation(sentence: &DraftSentence, plan: &Plan) -> Part {
    let cites = |evidence: &[usize]| {
        sentence
            .evidence
            .iter()
            .filter(|&&n| n >= 1 && evidence.contains(&((n - 1) as usize)))
            .count()
    };
    plan.reasons
        .iter()
        .enumerate()
        .map(|(i, reason)| (i, cites(&reason.evidence)))
        .filter(|&(_, n)| n > 0)
        .max_by_key(|&(i, n)| (n, std::cmp::Reverse(i)))
        .map_or(Part::Overview, |(i, _)| Part::Reason(i))
}

/// Splits text into sentences, each ending after its run of `[n]` / `[n, m]` citations
/// (or at the end); text with no citation becomes a sentence with none.
pub fn split_cited(text: &str) -> Vec<DraftSentence> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.trim().is_empty() {
        // The end of the first citation run, if any.
        let Some((start, end, numbers)) = first_citation_run(rest) else {
            push_uncited(&mut out, rest);
            break;
        };
        let before = &rest[..start];
        // Text before the run that holds a finished sentence and more is two sentences: the
        // earlier ones had no citation.
        let (uncited, cited) = match last_sentence_break(before) {
            Some(at) => before.split_at(at),
            None => ("", before),
        };
        push_uncited(&mut out, uncited);
        // Punctuation after the citations ("… iceberg [2].") belongs to the sentence.
        let mut end = end;
        let after = &rest[end..];
        let punct = after.len() - after.trim_start_matches(['.', '!', '?', ';']).len();
        end += punct;
        let mut sentence = cited.trim().to_owned();
        if punct > 0 && !sentence.ends_with(['.', '!', '?']) {
            sentence.push_str(after[..punct].trim_end_matches(';'));
        }
        if !sentence.is_empty() {
            out.push(DraftSentence {
                text: sentence,
                evidence: numbers,
            });
        }
        rest = &rest[end..];
    }
    out
}

fn push_uncited(out: &mut Vec<DraftSentence>, text: &str) {
    let text = text.trim();
    if !text.is_empty() {
        out.push(DraftSentence {
            text: text.to_owned(),
            evidence: Vec::new(),
        });
    }
}

/// The byte offset after the last ". " (or "! ", "? ") in `text` that ends a sentence before
/// its final one.
fn last_sentence_break(text: &str) -> Option<usize> {
    let trimmed = text.trim_end();
    let bytes = trimmed.as_bytes();
    (1..bytes.len())
        .rev()
        .find(|&i| bytes[i] == b' ' && matches!(bytes[i - 1], b'.' | b'!' | b'?'))
}

/// The first run of citations in `text`: its start, end and numbers. `[1][2]`, `[1, 2]`,
/// `[E1]` and `(1)`-free forms only: bare parentheses are too often prose.
fn first_citation_run(text: &str) -> Option<(usize, usize, Vec<i64>)> {
    let mut search = 0;
    while let Some(offset) = text[search..].find('[') {
        let start = search + offset;
        let mut end = start;
        let mut numbers = Vec::new();
        while let Some((n, len)) = citation_at(&text[end..]) {
            numbers.extend(n);
            end += len;
            // Allow a space between groups: "[1] [2]".
            let spaces = text[end..].len() - text[end..].trim_start_matches(' ').len();
            if text[end + spaces..].starts_with('[') && citation_at(&text[end + spaces..]).is_some()
            {
                end += spaces;
            }
        }
        if end > start {
            return Some((start, end, numbers));
        }
        search = start + 1;
    }
    None
}

/// One `[…]` group of numbers at the start of `text`: the numbers and the group's length.
fn citation_at(text: &str) -> Option<(Vec<i64>, usize)> {
    let inner_end = text.strip_prefix('[')?.find(']')?;
    let inner = &text[1..=inner_end];
    let numbers: Option<Vec<i64>> = inner
        .split([',', ';'])
        .map(|part| {
            let part = part.trim();
            let part = part
                .strip_prefix("evidence")
                .or_else(|| part.strip_prefix('E'))
                .or_else(|| part.strip_prefix('e'))
                .unwrap_or(part)
                .trim();
            part.parse::<i64>().ok()
        })
        .collect();
    let numbers = numbers.filter(|n| !n.is_empty())?;
    Some((numbers, inner_end + 2))
}

/// Removes `[n]` groups from a sentence: its text and the numbers found.
fn strip_citations(text: &str) -> (String, Vec<i64>) {
    let mut clean = String::new();
    let mut numbers = Vec::new();
    let mut rest = text;
    while let Some((start, end, found)) = first_citation_run(rest) {
        clean.push_str(&rest[..start]);
        numbers.extend(found);
        rest = &rest[end..];
    }
    clean.push_str(rest);
    let clean = clean.split_whitespace().collect::<Vec<_>>().join(" ");
    let clean = clean.replace(" .", ".").replace(" ,", ",");
    (clean, numbers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Evidence, Reason};

    fn plan() -> Plan {
        let e = |t: &str| Evidence {
            text: t.into(),
            source: 1,
        };
        Plan {
            question: "Why did the Titanic sink?".into(),
            evidence: vec![e("a"), e("b"), e("c")],
            overview: vec![0],
            reasons: vec![
                Reason {
                    heading: "Collision with an iceberg".into(),
                    evidence: vec![1],
                },
                Reason {
                    heading: "Too few lifeboats".into(),
                    evidence: vec![2],
                },
            ],
        }
    }

    #[test]
    fn a_text_of_several_sentences_is_several_claims() {
        let answer = r#"{"overview": [{"text": "It sank in 1912. It hit an iceberg.", "evidence": [1, 2]}]}"#;
        let draft = parse(answer, &plan());
        let texts: Vec<&str> = draft.overview.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, ["It sank in 1912.", "It hit an iceberg."]);
        assert!(draft.overview.iter().all(|s| s.evidence == [1, 2]));
    }

    #[test]
    fn json_is_read_alone_fenced_or_inside_text() {
        let answer = r#"{"overview": [{"text": "It hit ice.", "evidence": [1]}],
            "reasons": [[{"text": "An iceberg.", "evidence": [2, 9]}]],
            "summary": ["It struck an iceberg [2]."],
            "extra": 1}"#;
        for wrapped in [
            answer.to_owned(),
            format!("```json\n{answer}\n```"),
            format!("Sure! Here it is: {answer} Hope it helps."),
        ] {
            let draft = parse(&wrapped, &plan());
            assert!(draft.json);
            assert_eq!(draft.overview[0].evidence, [1]);
            assert_eq!(draft.overview.len(), 1);
            assert_eq!(
                draft.reasons.len(),
                2,
                "one paragraph per reason, missing ones empty"
            );
            assert_eq!(
                draft.reasons[0][0].evidence,
                [2, 9],
                "unknown numbers are kept for the checker"
            );
            assert_eq!(draft.summary[0].text, "It struck an iceberg.");
            assert_eq!(draft.summary[0].evidence, [2]);
        }
    }

    #[test]
    fn plain_text_is_placed_by_markers_or_by_citations() {
        let answer = "Overview:\nThe ship hit an iceberg [1]. It sank fast [1][2].\n\
                      Reason 2:\n- Boats were few [3]\n\n\
                      The hull was cut open [E2].\nIn summary: nothing cited here.\n";
        let draft = parse(answer, &plan());
        assert!(!draft.json);
        let texts: Vec<&str> = draft.overview.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, ["The ship hit an iceberg.", "It sank fast."]);
        assert_eq!(draft.overview[1].evidence, [1, 2]);
        assert_eq!(draft.reasons[1][0].text, "Boats were few");
        // After a marker, sentences stay in that part.
        assert_eq!(draft.reasons[1][1].text, "The hull was cut open.");
        assert_eq!(draft.reasons[1][1].evidence, [2]);
        assert_eq!(draft.summary.len(), 0);
        // "In summary: …" on one line is text, not a marker; it stays in Reason 2, uncited.
        assert!(draft.reasons[1][2].evidence.is_empty());

        let unmarked = parse("Lifeboats were too few [3]. A hull broke [2].", &plan());
        assert_eq!(unmarked.reasons[1][0].text, "Lifeboats were too few.");
        assert_eq!(unmarked.reasons[0][0].text, "A hull broke.");
    }

    #[test]
    fn sentences_split_at_citation_runs() {
        let split = split_cited("Plain claim. Cited one [1, 2]. Another [3] [4]; tail");
        let got: Vec<(&str, &[i64])> = split
            .iter()
            .map(|s| (s.text.as_str(), s.evidence.as_slice()))
            .collect();
        assert_eq!(
            got,
            [
                ("Plain claim.", &[][..]),
                ("Cited one.", &[1, 2][..]),
                ("Another", &[3, 4][..]),
                ("tail", &[][..]),
            ]
        );
        // Brackets that are not citations stay in the text.
        assert_eq!(split_cited("A [sic] note [1].")[0].text, "A [sic] note.");
    }
}
