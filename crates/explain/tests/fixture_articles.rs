//! Articles over the small fixture corpus in `tests/fixtures/corpus` (written for these tests):
//! the whole pipeline with a real index, checked against what the fixture texts say.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use explain::{Article, CoverageLevel, Engine, Question, SentenceKind};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/corpus")
}

fn engine(dir: &Path) -> Engine {
    let report = corpus::load_path(&fixture_dir());
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let index = index::Index::create_or_open(dir).unwrap();
    index.ingest(report.documents, &mut |_| {}).unwrap();
    Engine::new(index)
}

fn ask(engine: &Engine, question: &str) -> Article {
    engine.ask(&Question::parse(question).unwrap()).unwrap()
}

fn visible_text(article: &Article) -> String {
    let mut text: Vec<String> = article.overview.iter().map(|s| s.text.clone()).collect();
    for factor in &article.factors {
        text.push(factor.heading.clone());
        text.extend(factor.sentences.iter().map(|s| s.text.clone()));
    }
    text.join("\n").to_lowercase()
}

/// The contract every article keeps (see `explain::eval::contract_violations`).
fn assert_contract(engine: &Engine, article: &Article) {
    let violations = explain::eval::contract_violations(engine, article).unwrap();
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn causes_from_an_enumeration_and_from_another_source_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(dir.path());
    let article = ask(&engine, "Why does coral bleaching happen?");
    assert_contract(&engine, &article);
    let text = visible_text(&article);
    for cause in [
        "rising water temperatures",
        "pollution",
        "sunlight",
        "marine heatwave",
    ] {
        assert!(text.contains(cause), "missing {cause} in:\n{text}");
    }
    let titles: Vec<&str> = article.sources.iter().map(|s| s.title.as_str()).collect();
    assert!(titles.contains(&"Coral bleaching"), "{titles:?}");
    assert!(titles.contains(&"Marine heatwave"), "{titles:?}");
    assert_ne!(article.coverage.level, CoverageLevel::Thin);
}

#[test]
fn each_enumerated_item_becomes_its_own_factor() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(dir.path());
    let question = Question::parse("Why do river floods happen?").unwrap();
    let mut evidence =
        explain::evidence::retrieve(engine.index(), &question.text, &Default::default()).unwrap();
    let factors = explain::factors::discover_factors(
        engine.index(),
        &mut evidence,
        &Default::default(),
        None,
    )
    .unwrap();
    let headings: Vec<String> = factors.iter().map(|f| f.heading.to_lowercase()).collect();
    for item in [
        "heavy rainfall",
        "rapid snowmelt",
        "failure of dams or levees",
    ] {
        assert!(
            headings.iter().any(|h| h == item),
            "no factor {item:?} in {headings:?}"
        );
    }
}

#[test]
fn sections_do_not_repeat_each_other_or_the_overview() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(dir.path());
    for question in [
        "Why do river floods happen?",
        "Why does soil erosion happen?",
        "What causes tides?",
    ] {
        let article = ask(&engine, question);
        assert_contract(&engine, &article);
        let headings: HashSet<String> = article
            .factors
            .iter()
            .map(|f| f.heading.to_lowercase())
            .collect();
        assert_eq!(
            headings.len(),
            article.factors.len(),
            "repeated heading in {question}"
        );
        assert!(article.factors.len() <= 7);
        assert_eq!(article.summary.len(), 1);
        assert_eq!(article.summary[0].kind, SentenceKind::Template);
    }
}

#[test]
fn thin_evidence_article_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(dir.path());
    let article = ask(
        &engine,
        "Why did the lighthouse keepers of Mars go on strike?",
    );
    assert_contract(&engine, &article);
    assert_eq!(article.coverage.level, CoverageLevel::Thin);
    let note = article.coverage.note.as_deref().unwrap_or_default();
    assert!(note.contains("little direct evidence"), "{note}");
    assert!(
        note.contains("Mars"),
        "the note names what is not covered: {note}"
    );
    assert!(article.to_markdown().contains("Evidence coverage: thin"));
}

#[test]
fn an_article_without_reasons_never_points_to_sections() {
    // Whatever the question, the note of an article with no section speaks of no "reasons
    // below" or "sections below" that are not there.
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(dir.path());
    let mut checked = 0;
    for question in [
        "Why did the lighthouse keepers of Mars go on strike?",
        "Why is zyxxq blorf?",
    ] {
        let article = ask(&engine, question);
        if !article.factors.is_empty() {
            continue;
        }
        checked += 1;
        let note = article.coverage.note.as_deref().unwrap_or_default();
        assert!(!note.is_empty(), "{question}: no coverage note");
        assert!(!note.contains("below"), "{question}: {note}");
    }
    assert!(checked >= 1, "no article without sections was checked");
}

#[test]
fn question_without_any_match_gives_an_empty_honest_article() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(dir.path());
    let article = ask(&engine, "Why is zyxxq blorf?");
    assert!(article.sources.is_empty());
    assert!(article.factors.is_empty());
    assert_eq!(article.coverage.level, CoverageLevel::Thin);
}

#[test]
fn json_matches_the_design_contract() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(dir.path());
    let at = time::macros::datetime!(2026-11-24 21:30:00 UTC);
    let article = engine
        .ask_at(&Question::parse("Why do river floods happen?").unwrap(), at)
        .unwrap();
    let json = serde_json::to_value(&article).unwrap();
    assert_eq!(json["question"], "Why do river floods happen?");
    assert_eq!(json["slug"], "why-do-river-floods-happen");
    assert_eq!(json["posted_at"], "2026-11-24T21:30:00Z");
    assert!(["strong", "partial", "thin"].contains(&json["coverage"]["level"].as_str().unwrap()));
    assert!(json["coverage"]["score"].is_number());
    assert_eq!(json["overview"][0]["kind"], "quote");
    assert!(json["factors"][0]["heading"].is_string());
    assert!(json["factors"][0]["support"].is_number());
    assert!(json["sources"][0]["n"] == 1);
    assert_eq!(json["generator"]["mode"], "extractive");
    for key in ["retrieve", "compose", "total"] {
        assert!(json["timings_ms"][key].is_number());
    }
    let back: Article = serde_json::from_value(json).unwrap();
    assert_eq!(back, article);
}

#[test]
fn meaning_finds_a_source_that_shares_no_word_with_the_question() {
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/model");
    if !model.join("model.safetensors").is_file() {
        eprintln!(
            "skipped: needs {} (scripts/install-assets.sh)",
            model.display()
        );
        return;
    }
    let question = "Why are beacon towers unmanned nowadays?";
    let cited = |engine: &Engine| -> Vec<String> {
        ask(engine, question)
            .sources
            .iter()
            .map(|s| s.title.clone())
            .collect()
    };

    let lexical_dir = tempfile::tempdir().unwrap();
    let lexical = engine(lexical_dir.path());
    assert!(
        !cited(&lexical).contains(&"Lighthouse keeping".to_owned()),
        "words alone cannot find it"
    );

    let dir = tempfile::tempdir().unwrap();
    {
        let embedder = std::sync::Arc::new(embed::Embedder::load(&model).unwrap());
        let index = index::Index::create_or_open(dir.path())
            .unwrap()
            .with_embedder(embedder);
        index
            .ingest(corpus::load_path(&fixture_dir()).documents, &mut |_| {})
            .unwrap();
    }
    let hybrid = Engine::open_with_model(dir.path(), &model).unwrap();
    let article = ask(&hybrid, question);
    assert_contract(&hybrid, &article);
    let titles: Vec<&str> = article.sources.iter().map(|s| s.title.as_str()).collect();
    assert!(titles.contains(&"Lighthouse keeping"), "{titles:?}");
}

#[test]
fn a_reason_in_a_sentence_leaning_on_a_section_joins_that_section() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(dir.path());
    let article = ask(&engine, "What causes bank runs?");
    assert_contract(&engine, &article);
    // "This was exacerbated by …" reads only right after the sentence it refers to, so its
    // reasons join that sentence's section instead of being lost.
    let section = article
        .factors
        .iter()
        .find(|f| {
            f.sentences
                .iter()
                .any(|s| s.text.starts_with("This was exacerbated"))
        })
        .unwrap_or_else(|| panic!("no section quotes the leaning sentence: {article:#?}"));
    let texts: Vec<&str> = section.sentences.iter().map(|s| s.text.as_str()).collect();
    let at = texts
        .iter()
        .position(|t| t.starts_with("This was"))
        .unwrap();
    assert!(
        at > 0 && texts[at - 1].starts_with("The causes included"),
        "{texts:?}"
    );
    let heading = section.heading.to_lowercase();
    assert!(heading.contains("rumours"), "{heading}");
    assert!(heading.contains("deposits without insurance"), "{heading}");
}

#[test]
fn a_wreck_told_as_a_collision_has_the_collision_as_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(dir.path());
    let article = ask(&engine, "Why did the Aurora sink?");
    assert_contract(&engine, &article);
    let headings: Vec<&str> = article.factors.iter().map(|f| f.heading.as_str()).collect();
    assert_eq!(headings, ["Collision with a mine"], "{article:#?}");
    assert!(
        article.factors[0]
            .sentences
            .iter()
            .any(|s| s.text.contains("when she struck a mine")),
        "{article:#?}"
    );
    // One reason is no full answer: the article says there may be others.
    assert_eq!(article.coverage.level, CoverageLevel::Partial);
    assert!(
        article
            .coverage
            .note
            .as_deref()
            .is_some_and(|note| note.contains("the reason below is the one"))
    );
}

/// A sentence that explains a name ("were known as the Lanterns, owing to …") states no reason
/// the subject came about: the article says its evidence is thin, and never claims a reason
/// quoted. A stated cause in the same corpus still counts.
#[test]
fn an_explained_name_is_no_reason_the_subject_happened() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_of(
        dir.path(),
        &[
            (
                "lantern",
                "Lantern Uprising",
                "The Lantern Uprising was an armed uprising in the Vell Valley between 1799 and 1801. \
                 Its members were known as the \"Lanterns\" in the valley, owing to the lamps they carried at night.",
            ),
            (
                "salt",
                "Salt Revolt",
                "The Salt Revolt was an armed revolt in the Orn Hills in 1802. \
                 The Salt Revolt was caused by a new tax on salt.",
            ),
        ],
    );
    let article = ask(&engine, "Why did the Lantern Uprising happen?");
    assert_contract(&engine, &article);
    assert!(article.factors.is_empty(), "{:?}", article.factors);
    assert_eq!(
        article.coverage.level,
        CoverageLevel::Thin,
        "{:?}",
        article.coverage
    );
    // Nor is it summed up as one.
    assert!(article.summary.is_empty(), "{:?}", article.summary);
    let salt = ask(&engine, "Why did the Salt Revolt happen?");
    assert_ne!(
        salt.coverage.level,
        CoverageLevel::Thin,
        "{:?}",
        salt.coverage
    );
}

/// An index of the given documents (id, title, text), for one test's own small corpus.
fn engine_of(dir: &Path, documents: &[(&str, &str, &str)]) -> Engine {
    let index = index::Index::create_or_open(dir).unwrap();
    let documents: Vec<corpus::Document> = documents
        .iter()
        .map(|(id, title, text)| corpus::Document {
            id: (*id).into(),
            title: (*title).into(),
            text: (*text).into(),
            url: None,
            license: None,
            date: None,
            language: None,
        })
        .collect();
    index.ingest(documents, &mut |_| {}).unwrap();
    Engine::new(index)
}

#[test]
fn a_cause_in_the_defining_sentence_is_a_section_and_the_summary_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_of(
        dir.path(),
        &[
            (
                "greyfever",
                "Greyfever",
                "Greyfever, also known colloquially as the \"ash sickness\", is a contagious disease usually caused by Greyfever bacilli. \
                 For some patients, greyfever recovery is slow, resulting in long-term effects.",
            ),
            (
                "lung",
                "Lung",
                "The lungs are the organs of breathing. Greyfever and other diseases can infect them.",
            ),
        ],
    );
    let article = ask(&engine, "What causes greyfever?");
    assert_contract(&engine, &article);
    // The name before the comma is the subject; the bacilli named after it are its cause.
    let headings: Vec<&str> = article.factors.iter().map(|f| f.heading.as_str()).collect();
    assert!(
        headings.iter().any(|h| h.contains("bacilli")),
        "{headings:?}"
    );
    let summary: String = article.summary.iter().map(|s| s.text.as_str()).collect();
    assert!(summary.contains("Greyfever bacilli"), "{summary}");
    // What the disease leads to is no overview for what causes it.
    let overview: String = article.overview.iter().map(|s| s.text.as_str()).collect();
    assert!(!overview.contains("long-term effects"), "{overview}");
}

#[test]
fn what_made_the_subject_is_no_reason_it_became_popular() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_of(
        dir.path(),
        &[
            (
                "gizmophone",
                "Gizmophone",
                "A gizmophone is a handheld device for sending pictures. \
                 Gizmophones are sold in many countries.",
            ),
            (
                "tinkering",
                "Tinkering",
                "Tinkering is the craft of making small machines at home. \
                 It is typically motivated by curiosity, resulting in popular creations such as clocks, gizmophones and kites.",
            ),
        ],
    );
    let article = ask(&engine, "Why did gizmophones become so popular?");
    assert_contract(&engine, &article);
    assert!(
        article.factors.iter().all(|f| f.heading != "Tinkering"),
        "{:?}",
        article.factors
    );
}

#[test]
fn what_another_documents_subject_led_to_is_no_consequence_of_the_subject() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_of(
        dir.path(),
        &[
            (
                "gizmophone",
                "Gizmophone",
                "A gizmophone is a device that carries pictures over long distances. \
                 Gizmophones are sold in many countries.",
            ),
            (
                "tuber",
                "Ampliformer",
                "An ampliformer is an electronic amplifier tube invented in 1911. \
                 These important tubes made long-distance gizmophone lines possible, and led to the development of talking pictures.",
            ),
        ],
    );
    let article = ask(&engine, "Why was the gizmophone important?");
    assert_contract(&engine, &article);
    assert!(
        article
            .factors
            .iter()
            .all(|f| !f.heading.to_lowercase().contains("talking pictures")),
        "{:?}",
        article.factors
    );
}
