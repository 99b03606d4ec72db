use anyhow::Context;

/// `because sources`: documents and sentences per origin.
pub fn run(paths: &super::Paths) -> anyhow::Result<()> {
    let dir = super::index_dir(&paths.data_dir);
    let index = index::Index::open(&dir)
        .with_context(|| format!("cannot open the index in {}", dir.display()))?;
    let origins = index.origins()?;
    println!("{:>9}  {:>9}  origin", "documents", "sentences");
    for (origin, documents, sentences) in &origins {
        println!(
            "{documents:>9}  {sentences:>9}  {}",
            origin
                .as_deref()
                .unwrap_or("(not recorded: ingested before origins were kept)")
        );
    }
    let (documents, sentences) = origins
        .iter()
        .fold((0, 0), |(d, s), (_, dd, ss)| (d + dd, s + ss));
    println!("{documents:>9}  {sentences:>9}  in all");
    let vectors = index.vector_count()?;
    match index::ann::saved_points(index.dir()) {
        Some(points) => println!(
            "{vectors} sentence vectors, searched through a nearest-neighbour graph of {points} points"
        ),
        None if vectors > 0 => println!(
            "{vectors} sentence vectors, searched exactly (`ingest --ann-threshold` builds a nearest-neighbour graph)"
        ),
        None => println!("no sentence vectors: search is lexical only"),
    }
    Ok(())
}
