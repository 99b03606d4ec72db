use anyhow::Context;

use crate::cli::ServeArgs;

pub fn run(paths: &super::Paths, args: ServeArgs) -> anyhow::Result<()> {
    let engine = super::open_engine(paths)?;
    super::warn_without_tagger(&engine, paths);
    let store = super::open_store(paths)?;
    let raw_base = args
        .base_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", args.addr));
    let Some(base_url) = site::publish::normalize_base_url(&raw_base) else {
        anyhow::bail!(
            "--base-url {raw_base:?} is not an absolute http(s) URL without query or fragment \
             (for example https://example.org or https://example.org/explain)"
        );
    };
    let mut vote_origins = Vec::new();
    for raw in &args.vote_origins {
        match site::publish::normalize_origin(raw) {
            Some(origin) => vote_origins.push(origin),
            None => anyhow::bail!(
                "--allow-vote-origin {raw:?} is not an http(s) origin such as https://example.org"
            ),
        }
    }
    let mut trusted_proxies = Vec::new();
    for raw in &args.trusted_proxies {
        match site::limit::TrustedProxy::parse(raw) {
            Some(proxy) => trusted_proxies.push(proxy),
            None => anyhow::bail!(
                "--trust-forwarded-for {raw:?} is not an IP address or network such as 127.0.0.1 or 10.0.0.0/8"
            ),
        }
    }
    let config = site::SiteConfig {
        trusted_proxies,
        base_url,
        vote_origins,
        admin_token: args.admin_token.clone().filter(|t| !t.trim().is_empty()),
        votes_per_minute: args.votes_per_minute,
        retention_days: args.retention_days,
        flag_min_votes: args.flags.flag_min_votes,
        flag_upper_bound: args.flags.flag_below,
        writer: match args.writer.writer {
            crate::cli::WriterKind::Extractive => site::jobs::WriterKind::Extractive,
            crate::cli::WriterKind::Llm => site::jobs::WriterKind::Llm,
        },
        job_workers: args.job_workers.max(1),
        publish: match args.publish {
            crate::cli::PublishMode::Open => site::Publish::Open,
            crate::cli::PublishMode::Review => site::Publish::Review,
        },
        articles_per_hour: args.articles_per_hour,
        max_new_articles_per_day: args.max_new_articles_per_day,
        index_check: match args.index_check {
            s if s.is_finite() && s > 0.0 => Some(std::time::Duration::from_secs_f64(s)),
            0.0 => None,
            s => anyhow::bail!("--index-check must be a number of seconds (0: never), not {s}"),
        },
    };
    let llm = args.writer.llm_config()?;
    if config.retention_days > 0 {
        let expired = site::expire(&store, config.retention_days)
            .context("expiring votes past the retention period")?;
        if expired > 0 {
            tracing::info!("expired the comments and visitor ids of {expired} votes");
        }
    }
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let mut state = site::AppState::with_config(engine, store, config);
    if let Some(llm) = llm {
        super::say(format_args!(
            "because: new articles are also written by the LLM at {}",
            llm.url
        ));
        state = state.with_writer(writer::Writer::new(llm));
    }
    runtime.block_on(serve(args, state))
}

async fn serve(args: ServeArgs, state: site::AppState) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let address = listener.local_addr()?;
    tracing::info!(%address, "serving");
    super::say(format_args!("because: serving on http://{address}/"));
    if state.config.admin_token.is_some() {
        super::say(format_args!(
            "because: dashboard on http://{}/admin",
            listener.local_addr()?
        ));
    }
    site::serve(listener, state, site::shutdown_signal())
        .await
        .with_context(|| format!("serving on {}", args.addr))
}
