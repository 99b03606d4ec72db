//! Embeds every 18th sentence of the default corpus (2,000 sentences) and prints the rate;
//! a small target for `perf record` (make bench reports the same figure).
fn main() {
    let corpus = std::path::Path::new("assets/corpus/summaries_en-us.json");
    let embedder = embed::Embedder::load(std::path::Path::new("assets/model"))
        .expect("run scripts/install-assets.sh");
    let mut sentences = Vec::new();
    for document in corpus::load_default_corpus(corpus).expect("the default corpus") {
        for range in corpus::split_sentences(&document.text) {
            sentences.push(document.text[range].to_owned());
        }
    }
    let sample: Vec<&str> = sentences
        .iter()
        .step_by(18)
        .take(2000)
        .map(String::as_str)
        .collect();
    let started = std::time::Instant::now();
    embedder.embed(&sample).expect("embedding");
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{} sentences in {seconds:.2} s: {:.0} sentences/s",
        sample.len(),
        sample.len() as f64 / seconds
    );
}
