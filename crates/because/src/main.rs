//! `because`: ask a why-question, get a cited explainer article.
//!
//! This binary only parses the command line and wires the library crates together; each
//! subcommand lives in its own file under `commands/`.

mod cli;
mod commands;
mod config;

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match parse() {
        Ok(cli) => cli,
        Err(error) => {
            let reason: Vec<String> = error.chain().map(ToString::to_string).collect();
            eprintln!("error: {}", reason.join(": "));
            return ExitCode::from(2);
        }
    };
    init_logging(&cli.command, cli.log_format);
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One line a user can act on: the outermost context, then its causes.
            let reason: Vec<String> = error.chain().map(ToString::to_string).collect();
            commands::say(format_args!("error: {}", reason.join(": ")));
            ExitCode::FAILURE
        }
    }
}

/// The command line, with the configuration file's settings (if there is one) as defaults.
fn parse() -> anyhow::Result<cli::Cli> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let mut command = <cli::Cli as clap::CommandFactory>::command();
    if let Some(path) = config::location(&args) {
        command = config::apply(command, &path)?;
    }
    let matches = command.get_matches_from(args);
    Ok(
        <cli::Cli as clap::FromArgMatches>::from_arg_matches(&matches)
            .unwrap_or_else(|error| error.exit()),
    )
}

/// Standard error for logs, where a failed write is dropped: a server whose stderr nobody
/// reads any more (a closed pipe, a supervisor gone) keeps serving instead of failing on its
/// next log line.
struct Unread(std::io::Stderr);

impl std::io::Write for Unread {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        Ok(self.0.write(bytes).unwrap_or(bytes.len()))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let _ = self.0.flush();
        Ok(())
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
        .with_writer(|| Unread(std::io::stderr()));
    match format {
        cli::LogFormat::Text => logs.init(),
        cli::LogFormat::Json => logs.json().init(),
    }
}
