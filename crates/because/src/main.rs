//! `because`: ask a why-question, get a cited explainer article.
//!
//! This binary only parses the command line and wires the library crates together; each
//! subcommand lives in its own file under `commands/`.

mod cli;
mod commands;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    init_logging(&cli.command, cli.log_format);
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One line a user can act on: the outermost context, then its causes.
            let reason: Vec<String> = error.chain().map(ToString::to_string).collect();
            eprintln!("error: {}", reason.join(": "));
            ExitCode::FAILURE
        }
    }
}

fn init_logging(command: &cli::Command, format: cli::LogFormat) {
    let default = match command {
        cli::Command::Serve(_) => "info",
        _ => "warn",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("BECAUSE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        cli::LogFormat::Text => logs.init(),
        cli::LogFormat::Json => logs.json().init(),
    }
}
