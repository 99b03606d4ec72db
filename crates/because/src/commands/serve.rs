use anyhow::Context;

use crate::cli::ServeArgs;

pub fn run(paths: &super::Paths, args: ServeArgs) -> anyhow::Result<()> {
    let engine = super::open_engine(paths)?;
    let store = site::Store::open(&super::site_db(&paths.data_dir)).with_context(|| {
        format!(
            "cannot open the site database in {}",
            paths.data_dir.display()
        )
    })?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(serve(args, site::AppState::new(engine, store)))
}

async fn serve(args: ServeArgs, state: site::AppState) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    eprintln!("because: serving on http://{}/", listener.local_addr()?);
    site::serve(listener, state, site::shutdown_signal())
        .await
        .with_context(|| format!("serving on {}", args.addr))
}
