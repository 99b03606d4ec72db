//! The real default corpus (about 10,000 Wikipedia lead summaries) and the development
//! question set of `../shared/eval/why-dev.jsonl`: every article keeps its contract, and the
//! quality floors hold for the lexical engine (no model, so that it runs in seconds). Skips,
//! saying so, when the installed assets or `../shared` are absent.

use std::path::{Path, PathBuf};

/// Floors of the reason measures on eval/why-reasons.jsonl, just under what the lexical
/// engine with the tagger measures (0.887, 0.578 at this commit; hybrid 0.893, 0.621). They
/// are still short of the targets of issue 8 (0.85 is met, recall 0.8 is not): raise them as
/// the engine improves.
const SECTION_PRECISION_FLOOR: f64 = 0.86;
const REASON_RECALL_FLOOR: f64 = 0.56;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn every_dev_question_gives_a_sound_article_over_the_default_corpus() {
    let corpus_file = repo().join("assets/corpus/summaries_en-us.json");
    let questions_file = repo().join("../shared/eval/why-dev.jsonl");
    if !corpus_file.is_file() || !questions_file.is_file() {
        eprintln!(
            "skipped: needs {} (scripts/install-assets.sh) and {}",
            corpus_file.display(),
            questions_file.display()
        );
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let documents = corpus::load_default_corpus(&corpus_file).unwrap();
    assert!(documents.len() > 9_000, "{} documents", documents.len());
    let index = index::Index::create_or_open(data.path()).unwrap();
    index.ingest(documents, &mut |_| {}).unwrap();
    // The tagger as the product loads it (installed with the corpus by install-assets.sh).
    let engine = explain::Engine::new(index)
        .with_tagger_from(&repo().join("assets/tagger"))
        .unwrap();
    assert!(
        engine.tagger().is_some(),
        "no tagger in assets/tagger: run scripts/install-assets.sh"
    );

    let cases =
        explain::eval::parse_cases(&std::fs::read_to_string(&questions_file).unwrap()).unwrap();
    for case in &cases {
        let article = engine
            .ask(&explain::Question::parse(&case.q).unwrap())
            .unwrap();
        let violations = explain::eval::contract_violations(&engine, &article).unwrap();
        assert!(violations.is_empty(), "{}: {violations:#?}", case.q);
        assert!(!article.overview.is_empty(), "{}: no overview", case.q);
    }

    let report = explain::eval::run(&engine, &cases).unwrap();
    eprintln!("{}", report.to_text());
    assert_eq!(report.citation_validity, 1.0);
    assert_eq!(report.duplicate_sentences, 0);
    // The lexical engine alone stays near the semantic engine's floors (issue 3: key-point
    // recall 0.85, source recall 0.95). Since sections are reasons only (issue 8) it measures
    // 0.931 and 0.917 (hybrid 0.931, 0.958: one fewer source on one question), so source
    // recall is held at 0.9. Losing the adjacent-term boost of its searches once dropped it to
    // 0.847 and 0.875 unnoticed; this catches that.
    assert!(
        report.key_point_recall >= 0.85,
        "key-point recall {}",
        report.key_point_recall
    );
    assert!(
        report.source_recall >= 0.9,
        "source recall {}",
        report.source_recall
    );

    // The set with complete reason lists (eval/why-reasons.jsonl, issue 8): sections must be
    // reasons, and the reasons the corpus states must reach sections. Floors sit just under
    // what the lexical engine measures, so that a regression fails here.
    let reasons_file = repo().join("eval/why-reasons.jsonl");
    let cases =
        explain::eval::parse_cases(&std::fs::read_to_string(&reasons_file).unwrap()).unwrap();
    assert!(cases.len() >= 40, "{} questions", cases.len());
    let report = explain::eval::run(&engine, &cases).unwrap();
    eprintln!("{}", report.to_text());
    assert_eq!(report.citation_validity, 1.0);
    assert_eq!(report.duplicate_sentences, 0);
    let precision = report.section_precision.unwrap();
    let recall = report.reason_recall.unwrap();
    assert!(
        precision >= SECTION_PRECISION_FLOOR,
        "section precision {precision}"
    );
    assert!(
        recall >= REASON_RECALL_FLOOR,
        "reason recall in sections {recall}"
    );
    assert_eq!(report.off_topic_sources, 0, "off-topic sources cited");

    // Reasons whose headings were once refused: a past form modifying a noun ("Earth's
    // tilted orbit"), a description's name ("an optical effect known as Rayleigh
    // scattering"), a long noun phrase as the cause ("The death of Charles II of Spain in
    // November 1700 without children led to …") and the cause after a relative word ("a
    // period during which technology transfer initiatives resulted in …").
    let headings_of = |question: &str| -> Vec<String> {
        let article = engine
            .ask(&explain::Question::parse(question).unwrap())
            .unwrap();
        article.factors.into_iter().map(|f| f.heading).collect()
    };
    for (question, heading) in [
        (
            "What causes the seasons on Earth?",
            "Axial parallelism of Earth's tilted orbit",
        ),
        ("Why is the sky blue?", "Rayleigh scattering"),
        (
            "Why did the War of the Spanish Succession break out?",
            "Death of Charles II of Spain",
        ),
        (
            "Why did the Green Revolution increase crop yields so much?",
            "Technology transfer initiatives",
        ),
        // A cause that shares the subject's name, after a clause that defines the subject
        // ("Measles is a … disease caused by measles virus").
        ("What causes measles?", "Measles virus"),
        // A reason stated as a clause, in the document another name points to ("A myocardial
        // infarction, commonly known as a heart attack, occurs when blood flow decreases or
        // stops …").
        (
            "What causes heart attacks?",
            "Blood flow decreasing or stopping",
        ),
        // What another disease may progress to ("Influenza may progress to pneumonia …").
        ("What causes pneumonia?", "Influenza"),
        // A document whose subject "is the most common cause of" the question's ("Alzheimer's
        // disease (AD) is a neurodegenerative disease and is the most common cause of
        // dementia").
        ("What causes dementia?", "Alzheimer's disease"),
        // What a subject is "generated by", its examples after ", including" (a named
        // effect kept with its capital); a gerund that names the subject ("Flooding can be
        // caused by …"), and examples that stand for a listed general head ("natural
        // processes, such as extreme weather upstream, and …").
        (
            "What causes ocean currents?",
            "Wind, Coriolis effect, breaking waves, cabbeling and temperature and salinity differences",
        ),
        (
            "Why do floods happen?",
            "Extreme weather and human changes to waterbodies and runoff",
        ),
        // The role the subject played is why it matters; "the environmental, …" opens with
        // an adjective, no noun that refers back to the subject.
        (
            "Why is the Nile important?",
            "Central role in environmental, economic, and cultural history",
        ),
        // The reason given for a judgement of the subject's worth ("Because transistors are
        // the key active components …, they are considered one of the 20th century's
        // greatest inventions"), named by what the subject is.
        (
            "Why was the transistor important?",
            "Key active components in practically all modern electronics",
        ),
        // "infection of the small intestine by …" after a clause that defines the subject
        // ("Cholera is an"); "The primary cause of skin cancer is prolonged exposure …"; a
        // clause of any action after "occurs when", without what it "thereby" brings about.
        (
            "What causes cholera?",
            "Strains of the bacterium Vibrio cholerae",
        ),
        (
            "What causes skin cancer?",
            "Prolonged exposure to ultraviolet radiation",
        ),
        // What "can significantly worsen drought conditions" (a modal is no part of the
        // cause, and "conditions" of a drought are the drought), besides what "increase the
        // chances of a drought developing".
        ("Why do droughts happen?", "Heat waves"),
        (
            "Why do droughts happen?",
            "Annual dry seasons in the tropics",
        ),
        // A cause without its alias ("…, also called Salmonella Typhi"); a list of
        // adjectives after the gerund that governs it is one reason; an occurrence with its
        // object; what a canyon is "carved by", without the place set off after it.
        (
            "What causes typhoid fever?",
            "Salmonella enterica serotype Typhi bacteria",
        ),
        (
            "Why was the Silk Road important?",
            "Central role in economic, cultural, political, and religious interactions",
        ),
        (
            "What causes malnutrition?",
            "Organism getting too few or too many nutrients",
        ),
        (
            "How was the Grand Canyon formed?",
            "Colorado River in Arizona",
        ),
        // What the subject "has been widely used as" is why it matters.
        ("Why was gunpowder important?", "Propellant in firearms"),
        // What a war "was fought … over" (or "for") is why it began; a name in it keeps its
        // capital.
        (
            "Why did the Peloponnesian War start?",
            "Rivalry for hegemony over Ancient Greece",
        ),
        (
            "Why did the Second Boer War break out?",
            "Rivalry over Britain's influence in Southern Africa",
        ),
        // What "culminated in the end of China's last imperial dynasty, the Qing dynasty",
        // named by its own name, not its alias ("also known as the Xinhai Revolution").
        ("Why did the Qing dynasty fall?", "1911 Revolution"),
        // What the subject is ranked as, with no causal word: "The … canal is a key trade
        // route between Europe and Asia."
        (
            "Why is the Suez Canal important?",
            "Key trade route between Europe and Asia",
        ),
        (
            "Why is the Great Barrier Reef important?",
            "World's largest coral reef system",
        ),
        (
            "Why do solar eclipses happen?",
            "Moon passing between Earth and the Sun",
        ),
        // What a made thing was made for, with no causal word: "The primary intention for
        // the Wall's construction was to prevent …", "… as protection against …".
        (
            "Why was the Berlin Wall built?",
            "Preventing East German citizens from fleeing to the West",
        ),
        (
            "Why was the Great Wall of China built?",
            "Protection against various nomadic groups from the Eurasian Steppe",
        ),
        (
            "Why was the League of Nations founded?",
            "Maintaining world peace",
        ),
        // "X were a key factor in the dissolution of the Soviet Union—one of the two
        // superpowers—": the copula is no part of the cause, a dash ends the subject's name.
        ("Why did the Soviet Union collapse?", "Revolutions of 1989"),
        // Another name of the subject, from its own lead ("World War II, or the Second World
        // War"), finds the document that says what opened it.
        (
            "Why did World War II start?",
            "Germany's invasion of Poland",
        ),
        // What a definition says the subject does is why it matters: "… the administration
        // of a vaccine to help the immune system develop immunity from a disease".
        (
            "Why is vaccination important?",
            "Helping the immune system develop immunity from a disease",
        ),
        // What destroyed the subject; what its document names as the issue; what a war was
        // fought for, with no parties named (and a name with an "of" phrase parsed whole).
        (
            "Why was Pompeii destroyed?",
            "Eruption of Mount Vesuvius in 79 AD",
        ),
        (
            "Why did the First Opium War start?",
            "Chinese enforcement of their ban",
        ),
        (
            "Why did the Wars of the Roses happen?",
            "Rivalry for control of the English throne",
        ),
        (
            "Why did the War of the Spanish Succession break out?",
            "Death of Charles II of Spain",
        ),
    ] {
        let headings = headings_of(question);
        assert!(
            headings.iter().any(|h| h == heading),
            "{question}: {headings:?}"
        );
    }

    // A subject defined as a form of something is explained by that thing's causes ("Rain …
    // is a form of atmospheric precipitation"; "precipitation … falls from clouds due to
    // gravitational pull"), and a qualified namesake is another thing: "Acid rain is caused
    // by emissions of sulfur dioxide …" names no cause of rain.
    let headings = headings_of("What causes rain?");
    assert!(
        headings.iter().any(|h| h == "Gravitational pull"),
        "{headings:?}"
    );
    // Headings that must not appear: a qualified namesake's cause (acid rain); who died in
    // the subject and of what ("Millions died as a result of … genocides including the
    // Holocaust"), and what lasted "until" the subject; the subject as a cause of its own
    // coming about ("The successes of the First Crusade led to …"); what happened during
    // the subject (Nelson's leadership "led to … naval victories during the … Napoleonic
    // Wars"); a thing the subject's name only modifies.
    for (question, refused) in [
        ("What causes rain?", &["sulfur dioxide"][..]),
        // "the war" in the document on a treaty is no treaty; "colony" is no colonialism.
        (
            "Why was the Treaty of Versailles controversial?",
            &["Franz Ferdinand"][..],
        ),
        ("Why did colonialism happen?", &["Kenyatta"][..]),
        (
            "Why did World War II start?",
            &["Holocaust", "Wall Street"][..],
        ),
        ("Why did the Crusades happen?", &["Crusade"][..]),
        // How the subject came about says nothing of why it matters: "The baronial revolt
        // … led to the sealing of Magna Carta".
        ("Why was the Magna Carta important?", &["revolt"][..]),
        // Another sense of the subject's name: the crash "triggered a rapid erosion of
        // confidence", which the document on erosion, of soil and rock, never speaks of.
        ("What causes erosion?", &["Wall Street"][..]),
        // Why a name is used is no reason the thing began: "The term cold war is used
        // because there was no direct fighting …".
        ("Why did the Cold War begin?", &["fighting"][..]),
        (
            "Why did the Napoleonic Wars happen?",
            &["Horatio Nelson"][..],
        ),
        // The subject's name only as a modifier of another noun names something else:
        // "obstructive sleep apnea" is no sleep.
        ("Why do we sleep?", &["Obesity"][..]),
    ] {
        let headings = headings_of(question);
        assert!(
            headings
                .iter()
                .all(|h| refused.iter().all(|r| !h.contains(r))),
            "{question}: {headings:?}"
        );
    }

    // Only the question's own words say nothing: "cancers that arise from the skin".
    let headings = headings_of("What causes skin cancer?");
    assert!(headings.iter().all(|h| h != "Skin"), "{headings:?}");

    // What the subject caused, quoted in the overview, is no reason: with no section the
    // article says its evidence is thin, not that it quotes a reason.
    let article = engine
        .ask(&explain::Question::parse("What causes obesity?").unwrap())
        .unwrap();
    if article.factors.is_empty() {
        assert_eq!(
            article.coverage.level,
            explain::CoverageLevel::Thin,
            "{:?}",
            article.coverage
        );
    }

    // How the subject ended is no overview for why it happened: "Conflict was largely
    // brought to an end upon the union of the two houses …".
    let article = engine
        .ask(&explain::Question::parse("Why did the Wars of the Roses happen?").unwrap())
        .unwrap();
    assert!(
        article
            .overview
            .iter()
            .all(|s| !s.text.contains("brought to an end")),
        "{:?}",
        article.overview
    );

    // A myth's cause is no reason: Loki's writhing is not why the earth quakes.
    let article = engine
        .ask(&explain::Question::parse("Why do earthquakes happen?").unwrap())
        .unwrap();
    assert!(
        article.factors.iter().all(|f| !f.heading.contains("Loki")),
        "{:?}",
        article
            .factors
            .iter()
            .map(|f| &f.heading)
            .collect::<Vec<_>>()
    );

    // A thin article names its subject and what was asked of it as the question did.
    let article = engine
        .ask(&explain::Question::parse("Why did the Mongol Empire break up?").unwrap())
        .unwrap();
    if let Some(note) = article.coverage.note.as_deref()
        && note.contains("Its sources discuss")
    {
        assert!(
            note.contains("discuss the Mongol Empire but") && note.contains("“break up”"),
            "{note}"
        );
    }
}

/// The audit of `../shared/examples/nato-explainer.txt` over the default corpus: the empty
/// date, the sections that say the same thing, and claims the corpus does not support; and
/// an article of the engine's own, whose quotations the checker must all find supported.
#[test]
fn the_audit_flags_the_example_page_and_passes_quotations() {
    let corpus_file = repo().join("assets/corpus/summaries_en-us.json");
    let model_dir = repo().join("assets/model");
    let page_file = repo().join("../shared/examples/nato-explainer.txt");
    if !corpus_file.is_file()
        || !model_dir.join("model.safetensors").is_file()
        || !page_file.is_file()
    {
        eprintln!(
            "skipped: needs {}, {} (scripts/install-assets.sh) and {}",
            corpus_file.display(),
            model_dir.display(),
            page_file.display()
        );
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let index = index::Index::create_or_open(data.path()).unwrap();
    index
        .ingest(
            corpus::load_default_corpus(&corpus_file).unwrap(),
            &mut |_| {},
        )
        .unwrap();
    let embedder = embed::Embedder::load(&model_dir).unwrap();

    let draft = explain::audit::parse(&std::fs::read_to_string(&page_file).unwrap());
    assert_eq!(draft.title, "Why nato didn’t send troops to ukraine");
    let audit = explain::audit::audit(&index, Some(&embedder), &draft).unwrap();
    assert!(
        audit.problems.iter().any(|p| p.starts_with("empty date")),
        "{:?}",
        audit.problems
    );
    assert_eq!(audit.sections.len(), 8, "{:?}", audit.sections);
    // The page gives one reason, escalation with Russia, under three headings.
    let escalation = audit
        .repeated_groups
        .iter()
        .find(|g| g.iter().any(|h| h.starts_with("Risk of Escalation")))
        .unwrap_or_else(|| panic!("no repeated group: {:?}", audit.similar_pairs));
    assert!(
        escalation
            .iter()
            .any(|h| h.starts_with("Geopolitical Considerations"))
            && escalation
                .iter()
                .any(|h| h.starts_with("Concerns about Provocation")),
        "{escalation:?}"
    );
    // The default corpus says nothing of NATO's choices over Ukraine.
    assert_eq!(audit.sentences.len(), 30);
    assert!(audit.sentences.iter().all(|s| s.evidence.is_some()));
    assert_eq!(
        audit.supported,
        0,
        "{:#?}",
        audit
            .sentences
            .iter()
            .filter(|s| s.support.supported)
            .collect::<Vec<_>>()
    );
    let json = serde_json::to_value(&audit).unwrap();
    assert_eq!(json["sentences"].as_array().unwrap().len(), 30);

    // The engine's own article: every quotation is found, word for word, in the corpus.
    let engine = explain::Engine::new(index)
        .with_tagger_from(&repo().join("assets/tagger"))
        .unwrap();
    let article = engine
        .ask(&explain::Question::parse("Why do earthquakes happen?").unwrap())
        .unwrap();
    let draft = explain::audit::parse(&article.to_markdown());
    let audit = explain::audit::audit(engine.index(), Some(&embedder), &draft).unwrap();
    assert!(audit.problems.is_empty(), "{:?}", audit.problems);
    for sentence in article
        .overview
        .iter()
        .chain(article.factors.iter().flat_map(|f| &f.sentences))
        .filter(|s| s.kind == explain::SentenceKind::Quote)
    {
        let checked = audit
            .sentences
            .iter()
            .find(|c| c.text == sentence.text)
            .unwrap_or_else(|| panic!("not audited: {}", sentence.text));
        assert!(checked.support.supported, "{checked:#?}");
    }
}
