//! A client for any server that speaks OpenAI's chat-completions protocol
//! (`POST /v1/chat/completions`): llama.cpp's server, llama-cpp-python, vLLM, Ollama, or a
//! hosted API.
//!
//! Answers are streamed (`"stream": true`) and read as server-sent events as they arrive, so
//! that a server that stalls mid-answer is noticed by the per-read timeout rather than only
//! at the end. A server that ignores `stream` and sends one JSON body is read too. Failures
//! worth another try (unreachable, timed out, cut off mid-answer, HTTP 429 or 5xx) are tried
//! again a bounded number of times with doubling waits; a refusal (any other 4xx) is not.
//! Structured output is asked for as OpenAI's `json_schema` response format (vLLM, Ollama,
//! llama.cpp's server, hosted APIs); a server that refuses it is asked with the older
//! `json_object` format carrying the schema (llama-cpp-python's server), and one that refuses
//! both in plain text. The client remembers what a server refused.

use std::io::{BufRead, BufReader, Read};
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How to reach the server and how long to wait for it.
#[derive(Debug, Clone)]
pub struct LlmConfig {
    /// The server's base URL (`http://127.0.0.1:8081` or `…/v1`); a URL that already ends in
    /// `/chat/completions` is used as it is.
    pub url: String,
    /// The model name sent with each request.
    pub model: String,
    /// Sent as a bearer token. Read from the environment by the CLI, never from flags.
    pub api_key: Option<String>,
    pub connect_timeout: Duration,
    /// Until the response's headers arrive (a server that prompt-processes slowly).
    pub response_timeout: Duration,
    /// Between two reads of a streamed answer: a server that stalls mid-answer.
    pub idle_timeout: Duration,
    /// For one whole attempt.
    pub total_timeout: Duration,
    /// The cap on generated tokens (`max_tokens`).
    pub max_tokens: u32,
    /// Further attempts after the first, for failures worth another try.
    pub retries: u32,
    /// The wait before the first retry; it doubles each time.
    pub backoff: Duration,
    pub temperature: f32,
}

impl LlmConfig {
    pub fn new(url: impl Into<String>, model: impl Into<String>) -> LlmConfig {
        LlmConfig {
            url: url.into(),
            model: model.into(),
            api_key: None,
            connect_timeout: Duration::from_secs(5),
            response_timeout: Duration::from_secs(120),
            idle_timeout: Duration::from_secs(30),
            total_timeout: Duration::from_secs(300),
            max_tokens: 1024,
            retries: 2,
            backoff: Duration::from_millis(500),
            temperature: 0.0,
        }
    }

    /// The chat-completions endpoint of [`LlmConfig::url`].
    pub fn endpoint(&self) -> String {
        let base = self.url.trim_end_matches('/');
        if base.ends_with("/chat/completions") {
            base.to_owned()
        } else if base.ends_with("/v1") {
            format!("{base}/chat/completions")
        } else {
            format!("{base}/v1/chat/completions")
        }
    }
}

/// Why a completion could not be had.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("cannot reach the LLM server at {url}: {message}")]
    Unreachable { url: String, message: String },
    #[error("the LLM server at {url} did not answer in time ({message})")]
    Timeout { url: String, message: String },
    #[error("the LLM server at {url} answered HTTP {status}: {body}")]
    Status {
        url: String,
        status: u16,
        body: String,
    },
    #[error("the LLM server at {url} stopped mid-answer: {message}")]
    Interrupted { url: String, message: String },
    #[error("the LLM server at {url} sent something that is not a chat completion: {message}")]
    Malformed { url: String, message: String },
}

impl LlmError {
    /// Whether another attempt may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            LlmError::Unreachable { .. }
            | LlmError::Timeout { .. }
            | LlmError::Interrupted { .. } => true,
            LlmError::Status { status, .. } => *status == 429 || *status >= 500,
            LlmError::Malformed { .. } => false,
        }
    }
}

/// One message of the conversation.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Message {
    pub role: &'static str,
    pub content: String,
}

impl Message {
    pub fn system(content: impl Into<String>) -> Message {
        Message {
            role: "system",
            content: content.into(),
        }
    }

    pub fn user(content: impl Into<String>) -> Message {
        Message {
            role: "user",
            content: content.into(),
        }
    }

    pub fn assistant(content: impl Into<String>) -> Message {
        Message {
            role: "assistant",
            content: content.into(),
        }
    }
}

/// A finished answer.
#[derive(Debug, Clone)]
pub struct Completion {
    pub text: String,
    /// Generated tokens: the server's count when it gives one, else the streamed pieces.
    pub tokens: u32,
    /// From the request to the last piece, of the attempt that succeeded.
    pub seconds: f64,
    /// The model as the server names it (or as asked, when it does not say).
    pub model: String,
    /// Whether the answer was asked for under the JSON schema.
    pub structured: bool,
    /// Attempts made, the successful one included.
    pub attempts: u32,
    /// Why the answer ended (`stop`, `length`), when the server says.
    pub finish_reason: Option<String>,
}

/// Answers longer than this many bytes per allowed token are cut off: a server that never
/// stops sending is not read forever. A streamed token costs about 150 bytes of event.
const BYTES_PER_TOKEN_CAP: usize = 1024;

/// A reusable client for one server.
pub struct LlmClient {
    config: LlmConfig,
    agent: ureq::Agent,
    /// The first response format the server has not refused (see [`Format`]).
    format: AtomicU8,
}

/// How a schema travels in the request, in the order they are tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// `{"type": "json_schema", "json_schema": {"schema": …}}` (OpenAI).
    JsonSchema = 0,
    /// `{"type": "json_object", "schema": …}`.
    JsonObject = 1,
    /// No `response_format`: the prompt asks for the layout.
    Plain = 2,
}

impl Format {
    fn from_u8(value: u8) -> Format {
        match value {
            0 => Format::JsonSchema,
            1 => Format::JsonObject,
            _ => Format::Plain,
        }
    }
}

impl LlmClient {
    pub fn new(config: LlmConfig) -> LlmClient {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(config.connect_timeout))
            .timeout_recv_response(Some(config.response_timeout))
            .timeout_per_read(Some(config.idle_timeout))
            .timeout_global(Some(config.total_timeout))
            .build()
            .into();
        LlmClient {
            config,
            agent,
            format: AtomicU8::new(Format::JsonSchema as u8),
        }
    }

    pub fn config(&self) -> &LlmConfig {
        &self.config
    }

    /// Asks for a completion of `messages`, under `schema` when given and the server takes
    /// it, with the configured retries.
    pub fn complete(
        &self,
        messages: &[Message],
        schema: Option<&Value>,
    ) -> Result<Completion, LlmError> {
        let mut attempts = 0;
        let mut wait = self.config.backoff;
        loop {
            attempts += 1;
            let format = match schema {
                Some(_) => Format::from_u8(self.format.load(Ordering::Relaxed)),
                None => Format::Plain,
            };
            match self.attempt(messages, schema, format) {
                Ok(mut completion) => {
                    completion.attempts = attempts;
                    return Ok(completion);
                }
                Err(LlmError::Status { status, body, .. })
                    if format != Format::Plain && refuses_format(status, &body) =>
                {
                    // This server takes no schema this way: ask the same the next way (not
                    // a retry).
                    tracing::info!(
                        "the LLM server refused response format {format:?} (HTTP {status})"
                    );
                    self.format.store(format as u8 + 1, Ordering::Relaxed);
                }
                Err(error) if error.is_transient() && attempts <= self.config.retries => {
                    tracing::warn!("LLM attempt {attempts} failed, retrying in {wait:?}: {error}");
                    std::thread::sleep(wait);
                    wait *= 2;
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// Whether answers are still asked for under the schema (the server took it, or has not
    /// been asked yet).
    pub fn structured(&self) -> bool {
        Format::from_u8(self.format.load(Ordering::Relaxed)) != Format::Plain
    }

    fn attempt(
        &self,
        messages: &[Message],
        schema: Option<&Value>,
        format: Format,
    ) -> Result<Completion, LlmError> {
        let url = self.config.endpoint();
        let mut body = json!({
            "model": self.config.model,
            "messages": messages,
            "max_tokens": self.config.max_tokens,
            "temperature": self.config.temperature,
            "stream": true,
        });
        match (schema, format) {
            (Some(schema), Format::JsonSchema) => {
                body["response_format"] = json!({
                    "type": "json_schema",
                    "json_schema": {"name": "article", "strict": true, "schema": schema},
                });
            }
            (Some(schema), Format::JsonObject) => {
                body["response_format"] = json!({"type": "json_object", "schema": schema});
            }
            _ => {}
        }
        let started = Instant::now();
        let mut request = self.agent.post(&url).header("Accept", "text/event-stream");
        if let Some(key) = &self.config.api_key {
            request = request.header("Authorization", format!("Bearer {key}"));
        }
        let response = request
            .send_json(&body)
            .map_err(|error| transport_error(&url, error))?;
        let status = response.status().as_u16();
        let streamed = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        let limit = self.config.max_tokens as usize * BYTES_PER_TOKEN_CAP + 64 * 1024;
        let reader = response
            .into_body()
            .into_with_config()
            .limit(limit as u64)
            .reader();
        if status >= 400 {
            let mut text = String::new();
            let _ = reader.take(4096).read_to_string(&mut text);
            return Err(LlmError::Status {
                url,
                status,
                body: text.chars().take(300).collect(),
            });
        }
        let mut answer = if streamed {
            read_stream(reader, &url)?
        } else {
            read_whole(reader, &url)?
        };
        answer.seconds = started.elapsed().as_secs_f64();
        answer.structured = schema.is_some() && format != Format::Plain;
        if answer.model.is_empty() {
            answer.model = self.config.model.clone();
        }
        Ok(answer)
    }
}

/// Whether an error answer refuses the response format: a client error, or any error that
/// names `response_format` (llama-cpp-python answers its validation error with HTTP 500).
fn refuses_format(status: u16, body: &str) -> bool {
    matches!(status, 400 | 422 | 501) || body.contains("response_format")
}

fn transport_error(url: &str, error: ureq::Error) -> LlmError {
    let url = url.to_owned();
    let message = error.to_string();
    match error {
        ureq::Error::Timeout(_) => LlmError::Timeout { url, message },
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
            LlmError::Timeout { url, message }
        }
        _ => LlmError::Unreachable { url, message },
    }
}

fn read_error(url: &str, error: std::io::Error) -> LlmError {
    let url = url.to_owned();
    let message = error.to_string();
    // ureq reports its own timeouts as I/O errors of kind TimedOut while a body is read.
    if error.kind() == std::io::ErrorKind::TimedOut || message.contains("timeout") {
        LlmError::Timeout { url, message }
    } else if message.contains("larger than request limit") {
        // Sent far more than the token cap allows: trying again would do the same.
        LlmError::Malformed { url, message }
    } else {
        LlmError::Interrupted { url, message }
    }
}

/// Reads a streamed answer: server-sent events, each `data:` a JSON chunk, `[DONE]` last.
fn read_stream(reader: impl Read, url: &str) -> Result<Completion, LlmError> {
    let mut answer = Completion {
        text: String::new(),
        tokens: 0,
        seconds: 0.0,
        model: String::new(),
        structured: false,
        attempts: 0,
        finish_reason: None,
    };
    let mut counted_by_server = None;
    let mut events = SseEvents::default();
    let mut done = false;
    let mut lines = BufReader::new(reader);
    let mut line = String::new();
    loop {
        line.clear();
        let read = lines
            .read_line(&mut line)
            .map_err(|error| read_error(url, error))?;
        let event = if read == 0 {
            events.finish()
        } else {
            events.line(line.trim_end_matches(['\r', '\n']))
        };
        if let Some(data) = event {
            if data.trim() == "[DONE]" {
                done = true;
                break;
            }
            let chunk: Value = serde_json::from_str(&data).map_err(|e| LlmError::Malformed {
                url: url.to_owned(),
                message: format!("a streamed piece is not JSON ({e}): {}", excerpt(&data)),
            })?;
            if let Some(error) = chunk.get("error") {
                return Err(LlmError::Malformed {
                    url: url.to_owned(),
                    message: format!(
                        "the server reported an error: {}",
                        excerpt(&error.to_string())
                    ),
                });
            }
            if let Some(model) = chunk.get("model").and_then(Value::as_str) {
                answer.model = model.to_owned();
            }
            if let Some(n) = chunk
                .pointer("/usage/completion_tokens")
                .and_then(Value::as_u64)
            {
                counted_by_server = Some(n as u32);
            }
            if let Some(choice) = chunk.pointer("/choices/0") {
                if let Some(piece) = choice.pointer("/delta/content").and_then(Value::as_str)
                    && !piece.is_empty()
                {
                    answer.text.push_str(piece);
                    answer.tokens += 1;
                }
                if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
                    answer.finish_reason = Some(reason.to_owned());
                }
            }
        }
        if read == 0 {
            break;
        }
    }
    // A stream that ends without `[DONE]` or a finish reason was cut off.
    if !done && answer.finish_reason.is_none() {
        return Err(LlmError::Interrupted {
            url: url.to_owned(),
            message: format!(
                "the stream ended after {} pieces without finishing",
                answer.tokens
            ),
        });
    }
    if let Some(n) = counted_by_server {
        answer.tokens = n;
    }
    Ok(answer)
}

/// Reads an answer sent as one JSON body (a server that does not stream).
fn read_whole(mut reader: impl Read, url: &str) -> Result<Completion, LlmError> {
    let mut body = String::new();
    reader
        .read_to_string(&mut body)
        .map_err(|error| read_error(url, error))?;
    let value: Value = serde_json::from_str(&body).map_err(|e| LlmError::Malformed {
        url: url.to_owned(),
        message: format!("the answer is not JSON ({e}): {}", excerpt(&body)),
    })?;
    let text = value
        .pointer("/choices/0/message/content")
        .and_then(Value::as_str)
        .ok_or_else(|| LlmError::Malformed {
            url: url.to_owned(),
            message: format!("no choices[0].message.content in {}", excerpt(&body)),
        })?;
    Ok(Completion {
        text: text.to_owned(),
        tokens: value
            .pointer("/usage/completion_tokens")
            .and_then(Value::as_u64)
            .map_or_else(|| text.split_whitespace().count() as u32, |n| n as u32),
        seconds: 0.0,
        model: value
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        structured: false,
        attempts: 0,
        finish_reason: value
            .pointer("/choices/0/finish_reason")
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(200).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

/// Server-sent events, line by line: `data:` lines gather until a blank line dispatches
/// them (joined by newlines); comments (`:`) and other fields are skipped.
#[derive(Debug, Default)]
pub struct SseEvents {
    data: Option<String>,
}

impl SseEvents {
    /// Feeds one line (without its line ending); returns an event's data when it completes.
    pub fn line(&mut self, line: &str) -> Option<String> {
        if line.is_empty() {
            return self.data.take();
        }
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        if field == "data" {
            match &mut self.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => self.data = Some(value.to_owned()),
            }
        }
        None
    }

    /// The pending event at the end of the stream, if any.
    pub fn finish(&mut self) -> Option<String> {
        self.data.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_completed_from_a_base_url() {
        let endpoint = |url: &str| LlmConfig::new(url, "m").endpoint();
        assert_eq!(
            endpoint("http://127.0.0.1:8081"),
            "http://127.0.0.1:8081/v1/chat/completions"
        );
        assert_eq!(endpoint("http://h/v1/"), "http://h/v1/chat/completions");
        assert_eq!(
            endpoint("http://h/api/chat/completions"),
            "http://h/api/chat/completions"
        );
    }

    #[test]
    fn server_sent_events_gather_data_lines_until_a_blank_line() {
        let mut events = SseEvents::default();
        assert_eq!(events.line(": keep-alive"), None);
        assert_eq!(events.line("event: message"), None);
        assert_eq!(events.line("data: {\"a\":"), None);
        assert_eq!(events.line("data:1}"), None);
        assert_eq!(events.line(""), Some("{\"a\":\n1}".to_owned()));
        assert_eq!(events.line(""), None);
        assert_eq!(events.line("data: [DONE]"), None);
        assert_eq!(events.finish(), Some("[DONE]".to_owned()));
    }

    #[test]
    fn a_stream_is_read_piece_by_piece_and_must_finish() {
        let stream = "data: {\"model\":\"m1\",\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n\
                      data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n\
                      data: {\"choices\":[{\"delta\":{\"content\":\"lo.\"},\"finish_reason\":\"stop\"}]}\n\n\
                      data: [DONE]\n\n";
        let answer = read_stream(stream.as_bytes(), "u").unwrap();
        assert_eq!(answer.text, "Hello.");
        assert_eq!(answer.tokens, 2);
        assert_eq!(answer.model, "m1");
        assert_eq!(answer.finish_reason.as_deref(), Some("stop"));

        let cut = "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n";
        assert!(matches!(
            read_stream(cut.as_bytes(), "u"),
            Err(LlmError::Interrupted { .. })
        ));
        let garbage = "data: <html>oops</html>\n\n";
        assert!(matches!(
            read_stream(garbage.as_bytes(), "u"),
            Err(LlmError::Malformed { .. })
        ));
        let error = "data: {\"error\":{\"message\":\"context too long\"}}\n\n";
        assert!(matches!(
            read_stream(error.as_bytes(), "u"),
            Err(LlmError::Malformed { .. })
        ));
    }

    #[test]
    fn a_whole_body_answer_is_read_too() {
        let body = r#"{"model":"m","choices":[{"message":{"content":"Hi."},"finish_reason":"stop"}],"usage":{"completion_tokens":3}}"#;
        let answer = read_whole(body.as_bytes(), "u").unwrap();
        assert_eq!((answer.text.as_str(), answer.tokens), ("Hi.", 3));
        assert!(read_whole("{}".as_bytes(), "u").is_err());
    }
}
