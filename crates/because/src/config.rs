//! The configuration file: a third way to set what flags and environment variables set.
//! Precedence, highest first: a flag on the command line, its environment variable, the
//! file (`--config FILE` or `BECAUSE_CONFIG`), the built-in default. The file's values
//! become the defaults clap falls back to, so the other three keep their usual order.
//!
//! ```toml
//! data_dir = "/var/lib/because"
//! log_format = "json"
//!
//! [serve]
//! addr = "0.0.0.0:8080"
//! base_url = "https://example.org"
//! allow_vote_origin = ["https://static.example.org"]
//! ```

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// Keys of the top level: the global options.
const GLOBAL: &[&str] = &[
    "data_dir",
    "model_dir",
    "tagger_dir",
    "log_format",
    "database_url",
];

/// The commands that also take the writer's keys.
const TAKES_WRITER: &[&str] = &["ask", "serve", "regenerate"];

/// The writer's keys (the API key is never read from the file: environment only).
const WRITER: &[&str] = &[
    "writer",
    "llm_url",
    "llm_model",
    "llm_timeout",
    "llm_max_tokens",
    "llm_retries",
];

/// Keys of each subcommand's table, as the flags are named (with `_` for `-`).
const SUBCOMMANDS: &[(&str, &[&str])] = &[
    (
        "ingest",
        &[
            "assets_dir",
            "fetch_delay",
            "fetch_timeout",
            "max_page_bytes",
        ],
    ),
    ("ask", &[]),
    (
        "serve",
        &[
            "addr",
            "base_url",
            "admin_token",
            "allow_vote_origin",
            "votes_per_minute",
            "retention_days",
            "flag_min_votes",
            "flag_below",
            "job_workers",
            "trust_forwarded_for",
            "index_check",
            "publish",
            "articles_per_hour",
            "max_new_articles_per_day",
        ],
    ),
    ("regenerate", &["flag_min_votes", "flag_below"]),
    ("export", &["base_url", "api_origin"]),
];

/// Where the file is: `--config FILE` (or `--config=FILE`) among the arguments, else
/// `BECAUSE_CONFIG`; `None` when neither is given.
pub fn location(args: &[OsString]) -> Option<PathBuf> {
    let mut args = args.iter().skip(1);
    while let Some(arg) = args.next() {
        let text = arg.to_string_lossy();
        if text == "--" {
            break;
        }
        if text == "--config" {
            return args.next().map(PathBuf::from);
        }
        if let Some(path) = text.strip_prefix("--config=") {
            return Some(PathBuf::from(path));
        }
    }
    std::env::var_os("BECAUSE_CONFIG").map(PathBuf::from)
}

/// The file's settings as defaults of `command`'s arguments. Unknown keys, tables and values
/// that are not text, numbers or (for repeatable options) lists are refused by name.
pub fn apply(command: clap::Command, path: &Path) -> anyhow::Result<clap::Command> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
    let table: toml::Table =
        toml::from_str(&text).with_context(|| format!("{} is not valid TOML", path.display()))?;
    let mut command = command;
    for (key, value) in &table {
        if let toml::Value::Table(section) = value {
            let Some((name, keys)) = SUBCOMMANDS.iter().find(|(name, _)| name == key) else {
                bail!(
                    "{}: no command [{key}] takes settings (known: {})",
                    path.display(),
                    SUBCOMMANDS
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            };
            let keys: Vec<&str> = keys
                .iter()
                .chain(if TAKES_WRITER.contains(name) {
                    WRITER
                } else {
                    &[]
                })
                .copied()
                .collect();
            for (setting, value) in section {
                if !keys.contains(&setting.as_str()) {
                    bail!(
                        "{}: [{name}] has no setting {setting:?} (known: {})",
                        path.display(),
                        keys.join(", ")
                    );
                }
                let values = values(path, &format!("[{name}] {setting}"), value)?;
                let id = argument_id(setting);
                command = command.mut_subcommand(*name, |sub| {
                    sub.mut_arg(id, |arg| arg.default_values(values).required(false))
                });
            }
        } else {
            if !GLOBAL.contains(&key.as_str()) {
                bail!(
                    "{}: no setting {key:?} at the top level (known: {}; the others go in a \
                     table named after their command, such as [serve])",
                    path.display(),
                    GLOBAL.join(", ")
                );
            }
            let values = values(path, key, value)?;
            command = command.mut_arg(argument_id(key), |arg| {
                arg.default_values(values).required(false)
            });
        }
    }
    Ok(command)
}

/// The argument's id in clap: the field's name ("allow_vote_origin" is `vote_origins`).
fn argument_id(setting: &str) -> String {
    match setting {
        "allow_vote_origin" => "vote_origins".to_owned(),
        "trust_forwarded_for" => "trusted_proxies".to_owned(),
        other => other.to_owned(),
    }
}

fn values(path: &Path, name: &str, value: &toml::Value) -> anyhow::Result<Vec<String>> {
    let one = |value: &toml::Value| -> anyhow::Result<String> {
        Ok(match value {
            toml::Value::String(text) => text.clone(),
            toml::Value::Integer(n) => n.to_string(),
            toml::Value::Float(x) => x.to_string(),
            other => bail!(
                "{}: {name} must be text or a number, not {}",
                path.display(),
                other.type_str()
            ),
        })
    };
    match value {
        toml::Value::Array(items) if name.ends_with("allow_vote_origin") => {
            items.iter().map(one).collect()
        }
        other => Ok(vec![one(other)?]),
    }
}
