//! Prints what the engine saw for a question: the intent, the retrieved documents and every
//! causal statement among the evidence sentences. A tool for reading why a reason was found
//! or missed: `cargo run --release -p explain --example trace -- DATA_DIR "Why …?"`.

use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(question)) = (args.next(), args.next()) else {
        eprintln!("usage: trace DATA_DIR QUESTION");
        std::process::exit(2);
    };
    if dir == "--sentence" {
        for c in explain::causal::find_causal_statements(&question) {
            let items: Vec<&str> = c.items.iter().map(|r| &question[r.clone()]).collect();
            println!(
                "{:?} cue={:?} antecedent={:?} items={:?}",
                c.direction,
                c.cue,
                &question[c.antecedent.clone()],
                items
            );
        }
        return Ok(());
    }
    if dir == "--tags" {
        let tagger = explain::tagger::Tagger::load(Path::new("assets/tagger"))?;
        let tagged: Vec<String> = tagger
            .tag_text(&question)
            .into_iter()
            .map(|(range, tag)| format!("{}/{tag:?}", &question[range]))
            .collect();
        println!("{}", tagged.join(" "));
        return Ok(());
    }
    if dir == "--heading" {
        let tagger = explain::tagger::Tagger::load(Path::new("assets/tagger"))?;
        println!(
            "well-formed: {} name_reason: {:?}",
            explain::heading::is_well_formed(&question, Some(&tagger)),
            explain::heading::name_reason(&question, Some(&tagger))
        );
        return Ok(());
    }
    let engine = explain::Engine::open_with_model(Path::new(&dir), Path::new("assets/model"))?
        .with_tagger_from(Path::new("assets/tagger"))?;
    // The intent as the engine parses it, with the tagger's verb conjugations.
    let verbs = explain::tagger::Verbs::load(Path::new("assets/tagger")).ok();
    let intent = explain::intent::Intent::parse_with(&question, verbs.as_ref());
    println!("intent: {intent:?}");
    let mut evidence = explain::evidence::retrieve_for(
        engine.index(),
        &question,
        intent,
        &explain::evidence::RetrievalConfig::default(),
        &explain::SourcePriors::new(),
    )?;
    println!("topic words: {:?}", evidence.topic_words);
    for (i, d) in evidence.documents.iter().enumerate() {
        println!(
            "doc {i:2} {:.2} about={} off={} {}",
            d.score, d.about_subject, d.off_topic_title, d.stored.title
        );
    }
    for s in &evidence.sentences {
        if s.causal.is_empty() {
            continue;
        }
        let text = evidence.text(s);
        println!(
            "\n[{}:{}] rel {:.2} score {:.2} {}",
            evidence.documents[s.document].stored.title, s.ordinal, s.relevance, s.score, text
        );
        for c in &s.causal {
            let items: Vec<&str> = c.items.iter().map(|r| &text[r.clone()]).collect();
            println!(
                "   {:?} cue={:?} antecedent={:?} items={:?}",
                c.direction,
                c.cue,
                &text[c.antecedent.clone()],
                items
            );
        }
    }
    let factors = explain::factors::discover_factors(
        engine.index(),
        &mut evidence,
        &Default::default(),
        engine.tagger(),
    )?;
    println!();
    for f in &factors {
        println!(
            "factor {:?} ({:?}, support {:.2}) sentences {:?}",
            f.heading,
            f.direction,
            f.support,
            f.sentences
                .iter()
                .map(|k| format!(
                    "{}:{}",
                    evidence.documents[k.document].stored.title, k.ordinal
                ))
                .collect::<Vec<_>>()
        );
    }
    Ok(())
}
