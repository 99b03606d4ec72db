//! The HTTP surface (the routes of README.md and docs/CONTRACTS.md). Handlers parse and validate, then call the
//! engine (on a blocking thread: composing is CPU work) and the store.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, DefaultBodyLimit, MatchedPath, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiError, AppError};
use crate::feedback::{FeedbackError, Submission};
use crate::http::{
    MAX_BODY_BYTES, blocking, body_error, body_error_over, cookie_values, form_urlencoded,
    refuse_cross_site, set_cookie,
};
use crate::jobs::{self, WriterKind};
use crate::publish;
use crate::render::{FEEDBACK_JS, FeedbackView, STYLE_CSS, templates};
use crate::store::StoredArticle;

/// Feedback and API bodies larger than this are refused with 413.
/// Name of the cookie holding the anonymous visitor id.
pub const VISITOR_COOKIE: &str = "because_visitor";
pub const THANKS: &str = "Thanks for your feedback!";
/// The invitation after a bare Yes or No.
pub const TELL_US_MORE: &str = "If you like, tell us more below.";

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(home))
        .route(
            "/ask",
            get(ask_page)
                .post(ask_form)
                .layer(DefaultBodyLimit::max(MAX_BODY_BYTES)),
        )
        .route("/a/{slug}", get(article_page))
        .route(
            "/a/{slug}/feedback",
            post(feedback).layer(DefaultBodyLimit::max(MAX_BODY_BYTES)),
        )
        .route("/api/v1/articles/{slug}", get(article_json))
        .route("/api/v1/jobs/{id}", get(job_json))
        .route(
            "/api/v1/ask",
            post(ask_json).layer(DefaultBodyLimit::max(MAX_BODY_BYTES)),
        )
        .route(
            "/api/v1/audit",
            post(audit_json).layer(DefaultBodyLimit::max(MAX_AUDIT_BYTES)),
        )
        .route("/search", get(search_page))
        .route("/sitemap.xml", get(sitemap_index))
        .route("/sitemaps/{file}", get(sitemap_file))
        .route("/feed.xml", get(feed))
        .route("/robots.txt", get(robots))
        .route("/healthz", get(healthz))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route(
            "/static/style.css",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
                    STYLE_CSS,
                )
            }),
        )
        .route(
            "/static/feedback.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                    FEEDBACK_JS,
                )
            }),
        )
        .merge(crate::admin::router())
        .fallback(|| async { AppError::NotFound })
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            count_requests,
        ))
        .with_state(state)
}

/// Counts every request and its latency under the route it matched.
async fn count_requests(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |path| path.as_str())
        .to_owned();
    let response = next.run(request).await;
    let (status, elapsed) = (response.status().as_u16(), started.elapsed());
    state.metrics.request(&method, &route, status, elapsed);
    tracing::debug!(
        method,
        route,
        status,
        ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    response
}

/// `GET /metrics`: Prometheus metrics in the text exposition format.
async fn metrics(State(state): State<AppState>) -> Result<Response, AppError> {
    let (engine, store) = (state.engine(), state.store.clone());
    let (documents, sentences, generation, articles, jobs) = blocking(move || {
        let index = engine.index();
        Ok((
            index.document_count().map_err(AppError::internal)?,
            index.sentence_count().map_err(AppError::internal)?,
            index.generation().and_then(|g| g.parse().ok()).unwrap_or(0),
            store.article_count()?,
            store.queue_depth()?,
        ))
    })
    .await?;
    Ok((
        [(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)],
        state
            .metrics
            .encode(documents, sentences, generation, articles, jobs),
    )
        .into_response())
}

/// The OpenAPI 3.1 description of the JSON API, generated from the handlers and the types
/// they send and receive.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "because",
        description = "Cited answers to why-questions: ask, read articles, vote on them."
    ),
    paths(
        ask_json,
        article_json,
        job_json,
        audit_json,
        feedback,
        healthz,
        readyz
    ),
    components(schemas(
        JobStatus,
        WriterKind,
        ArticleWithFeedback,
        AuditBody,
        ErrorBody,
        VoteBody,
        VoteReply,
        AskBody,
        crate::store::Feedback,
        crate::feedback::Reason,
    ))
)]
pub struct ApiDoc;

/// An article as the API returns it: the article JSON of docs/CONTRACTS.md and the votes of its
/// current version.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ArticleWithFeedback {
    #[serde(flatten)]
    article: explain::Article,
    feedback: crate::store::Feedback,
}

/// What went wrong, in words a person can act on.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ErrorBody {
    error: String,
}

/// A vote on an article's current version.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct VoteBody {
    /// Whether the article was helpful (also "yes" or "no").
    helpful: bool,
    /// Why, from the choices for a Yes (accurate, clear, answered_my_question,
    /// good_sources) or a No (inaccurate, hard_to_understand, missing_information,
    /// off_topic, other).
    reason: Option<crate::feedback::Reason>,
    /// Up to 1,000 characters.
    comment: Option<String>,
}

/// The answer to a stored vote.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct VoteReply {
    ok: bool,
    /// What to show the visitor.
    message: String,
    thanks: String,
    vote: VoteBody,
    /// The counts of the article's current version after the vote.
    feedback: crate::store::Feedback,
}

/// `GET /api/v1/openapi.json`.
async fn openapi() -> Response {
    use utoipa::OpenApi;
    Json(ApiDoc::openapi()).into_response()
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "ok", body = String)))]
async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: 200 when the database and the index answer, 503 otherwise.
#[utoipa::path(
    get,
    path = "/readyz",
    responses(
        (status = 200, description = "ready", body = String),
        (status = 503, description = "The database or the index does not answer", body = String),
    ),
)]
async fn readyz(State(state): State<AppState>) -> Response {
    let (engine, store) = (state.engine(), state.store.clone());
    let checked = tokio::task::spawn_blocking(move || {
        let database = store.article_count().map_err(|e| format!("database: {e}"));
        let index = engine
            .index()
            .document_count()
            .map_err(|e| format!("index: {e}"));
        database.and(index)
    })
    .await;
    match checked {
        Ok(Ok(_)) => (StatusCode::OK, "ready").into_response(),
        Ok(Err(problem)) => (StatusCode::SERVICE_UNAVAILABLE, problem).into_response(),
        Err(error) => (StatusCode::SERVICE_UNAVAILABLE, error.to_string()).into_response(),
    }
}

/// Every response: no inline or foreign scripts, no framing, no MIME sniffing.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}

async fn home(State(state): State<AppState>) -> Result<Html<String>, AppError> {
    let store = state.store.clone();
    let (recent, helpful) =
        blocking(move || Ok((store.recent(10)?, store.most_helpful(10)?))).await?;
    Ok(Html(templates().home(&recent, &helpful)?))
}

const XML: &str = "application/xml; charset=utf-8";

/// `GET /sitemap.xml`: every published article with the date of its current version (a
/// sitemap index past the protocol's 50,000 URLs).
async fn sitemap_index(State(state): State<AppState>) -> Result<Response, AppError> {
    sitemap_part(state, "sitemap.xml".to_owned()).await
}

/// `GET /sitemaps/N.xml`: a part of a sitemap too large for one file.
async fn sitemap_file(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    sitemap_part(state, format!("sitemaps/{file}")).await
}

async fn sitemap_part(state: AppState, path: String) -> Result<Response, AppError> {
    let store = state.store.clone();
    let articles = blocking(move || Ok(store.listed_articles()?)).await?;
    let body = publish::sitemaps(&state.config.base_url, &articles)
        .into_iter()
        .find(|(name, _)| *name == path)
        .map(|(_, body)| body)
        .ok_or(AppError::NotFound)?;
    Ok(([(header::CONTENT_TYPE, XML)], body).into_response())
}

/// `GET /feed.xml`: the Atom feed of new and updated articles.
async fn feed(State(state): State<AppState>) -> Result<Response, AppError> {
    let store = state.store.clone();
    let articles = blocking(move || Ok(store.feed_articles(publish::FEED_ENTRIES)?)).await?;
    let body = publish::atom_feed(&state.config.base_url, &articles);
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        body,
    )
        .into_response())
}

/// `GET /robots.txt`: what crawlers may read, and where the sitemap is.
async fn robots(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        publish::robots(&state.config.base_url),
    )
        .into_response()
}

#[derive(Deserialize)]
struct SearchQuery {
    q: Option<String>,
}

/// `GET /search?q=`: published articles by relevance and helpfulness.
async fn search_page(
    State(state): State<AppState>,
    Query(query): Query<SearchQuery>,
) -> Result<Html<String>, AppError> {
    let raw: String = query
        .q
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(explain::MAX_QUESTION_CHARS)
        .collect();
    let store = state.store.clone();
    let text = raw.clone();
    let results = blocking(move || Ok(store.search(&text, 20)?)).await?;
    Ok(Html(templates().search(&raw, &results)?))
}

#[derive(Deserialize)]
struct AskQuery {
    q: Option<String>,
}

/// `GET /ask?q=…`: the article when the question has one, else the question with a button
/// that posts it. A GET never publishes (a crawler following a link creates nothing).
async fn ask_page(
    State(state): State<AppState>,
    Query(query): Query<AskQuery>,
) -> Result<Response, AppError> {
    let question = asked_question(&query.q.unwrap_or_default())?;
    let store = state.store.clone();
    let normalized = question.normalized.clone();
    if let Some(existing) = blocking(move || Ok(store.find_by_question(&normalized)?)).await? {
        return Ok(Redirect::to(&format!("/a/{}", existing.article.slug)).into_response());
    }
    let review = state.config.publish == crate::Publish::Review;
    let page = templates().ask_confirm(&question.text, review)?;
    Ok((
        [(header::HeaderName::from_static("x-robots-tag"), "noindex")],
        Html(page),
    )
        .into_response())
}

/// `POST /ask` (the ask form): publishes the article for a new question, within the limits on
/// new articles, and shows it.
async fn ask_form(
    State(state): State<AppState>,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    refuse_cross_site_unless_export(&state, &headers)?;
    let body = body.map_err(body_error)?;
    let raw = form_urlencoded(&body)
        .and_then(|form| {
            form.into_iter()
                .rev()
                .find(|(k, _)| k == "q")
                .map(|(_, v)| v)
        })
        .unwrap_or_default();
    let question = asked_question(&raw)?;
    let client = client_of(&state, client, &headers);
    let (stored, new) = compose_or_reuse(&state, question, client).await?;
    if new && state.config.writer == WriterKind::Llm && state.writer.is_some() {
        jobs::enqueue(&state, &stored.article.slug, WriterKind::Llm).await?;
    }
    Ok(Redirect::to(&format!("/a/{}", stored.article.slug)).into_response())
}

/// A question as a visitor typed it, or the page that says why it cannot be asked.
fn asked_question(raw: &str) -> Result<explain::Question, AppError> {
    let refused = |reason: explain::QuestionError| AppError::BadQuestion {
        message: format!("Your question could not be asked: {reason}."),
        question: raw.chars().take(explain::MAX_QUESTION_CHARS).collect(),
    };
    let question = explain::Question::parse(raw).map_err(refused)?;
    question.require_question().map_err(refused)?;
    Ok(question)
}

/// The client a request speaks for (behind trusted proxies, from `X-Forwarded-For`).
fn client_of(
    state: &AppState,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: &HeaderMap,
) -> Option<IpAddr> {
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    client.map(|Extension(ConnectInfo(address))| {
        crate::limit::client_address(address.ip(), &forwarded, &state.config.trusted_proxies)
    })
}

/// Posts must come from this site, or from a static export allowed to post votes and
/// questions (`--allow-vote-origin`).
fn refuse_cross_site_unless_export(state: &AppState, headers: &HeaderMap) -> Result<(), AppError> {
    let from_an_export = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|origin| {
            state
                .config
                .vote_origins
                .iter()
                .any(|allowed| allowed.eq_ignore_ascii_case(origin))
        });
    if from_an_export {
        Ok(())
    } else {
        refuse_cross_site(headers)
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
struct AskBody {
    /// A why-question of at most 300 characters.
    question: String,
    /// Who writes the article: `extractive` (quotations, at once) or `llm` (the extractive
    /// article is returned at once and an LLM version is queued; it becomes the next version
    /// when every generated sentence passes the checker). Default: the site's writer.
    #[serde(default)]
    writer: Option<WriterKind>,
}

/// A background job as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
struct JobStatus {
    id: i64,
    slug: String,
    writer: WriterKind,
    /// `queued`, `running`, `done` or `failed`.
    state: String,
    /// The version it published, once `done`.
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<u32>,
}

impl From<&jobs::Job> for JobStatus {
    fn from(job: &jobs::Job) -> JobStatus {
        JobStatus {
            id: job.id,
            slug: job.slug.clone(),
            writer: job.writer,
            state: job.state.clone(),
            version: job.version,
        }
    }
}

/// A background job's state (what it did in detail is on the dashboard).
#[utoipa::path(
    get,
    path = "/api/v1/jobs/{id}",
    params(("id" = i64, Path, description = "The job's number, as `POST /api/v1/ask` gave it")),
    responses(
        (status = 200, description = "The job", body = JobStatus),
        (status = 404, description = "No such job", body = ErrorBody),
    ),
)]
async fn job_json(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let store = state.store.clone();
    let job = blocking(move || Ok(store.job(id)?))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(JobStatus::from(&job)).into_response())
}

/// Compose an article for a question, or return the one published for the same question.
#[utoipa::path(
    post,
    path = "/api/v1/ask",
    request_body = AskBody,
    responses(
        (status = 200, description = "The article with the votes of its current version", body = ArticleWithFeedback),
        (status = 400, description = "Not a question: empty, over 300 characters, or not asking anything (\"hello\")", body = ErrorBody),
        (status = 413, description = "A body over 4 KiB", body = ErrorBody),
        (status = 429, description = "A new article over this client's hourly limit or the site's daily cap (asking an existing question is never limited)", body = ErrorBody),
    ),
)]
async fn ask_json(
    State(state): State<AppState>,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body.map_err(body_error)?;
    let request: AskBody = serde_json::from_slice(&body).map_err(|error| {
        AppError::BadRequest(format!("expected {{\"question\": \"…\"}}: {error}"))
    })?;
    let question = explain::Question::parse(&request.question)
        .and_then(|question| question.require_question().map(|()| question))
        .map_err(|reason| AppError::BadRequest(reason.to_string()))?;
    let writer = request.writer.unwrap_or(state.config.writer);
    if writer == WriterKind::Llm && state.writer.is_none() {
        return Err(AppError::BadRequest(
            "this site has no LLM server: ask with \"writer\": \"extractive\"".to_owned(),
        )
        .into());
    }
    let client = client_of(&state, client, &headers);
    let (stored, new) = compose_or_reuse(&state, question, client).await?;
    // An LLM version is queued for a new article, or for one no LLM has written yet when the
    // request asks for it.
    let job = if writer == WriterKind::Llm
        && (new || (request.writer.is_some() && stored.article.generator.mode != "llm"))
    {
        Some(jobs::enqueue(&state, &stored.article.slug, WriterKind::Llm).await?)
    } else {
        None
    };
    let store = state.store.clone();
    let version = stored.version_id;
    let feedback = blocking(move || Ok(store.feedback(version)?)).await?;
    let mut value = with_feedback(&stored.article, feedback);
    if let Some(job) = &job {
        value["job"] = serde_json::json!(JobStatus::from(job));
    }
    Ok(Json(value).into_response())
}

/// The largest page `POST /api/v1/audit` reads, and the most sentences it checks (an audit
/// weighs every sentence against the sentences of five documents).
pub const MAX_AUDIT_BYTES: usize = 256 * 1024;
pub const MAX_AUDIT_SENTENCES: usize = 300;

#[derive(Deserialize, utoipa::ToSchema)]
struct AuditBody {
    /// The page to audit: HTML, Markdown or plain text.
    text: String,
}

/// Audit a page written elsewhere against the corpus: its date, sections that repeat each
/// other, and each sentence's best evidence with the checker's verdict.
#[utoipa::path(
    post,
    path = "/api/v1/audit",
    request_body = AuditBody,
    responses(
        (status = 200, description = "What the audit found", body = explain::audit::Audit),
        (status = 400, description = "Not a page the audit can read", body = ErrorBody),
        (status = 413, description = "A body over 256 KiB", body = ErrorBody),
    ),
)]
async fn audit_json(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body.map_err(|rejection| body_error_over(rejection, MAX_AUDIT_BYTES))?;
    let request: AuditBody = serde_json::from_slice(&body)
        .map_err(|error| AppError::BadRequest(format!("expected {{\"text\": \"…\"}}: {error}")))?;
    let draft = explain::audit::parse_any(&request.text);
    let sentences = draft.sentences().count();
    if draft.title.trim().is_empty() || sentences == 0 {
        return Err(
            AppError::BadRequest("The page holds no sentences to check.".to_owned()).into(),
        );
    }
    if sentences > MAX_AUDIT_SENTENCES {
        return Err(AppError::BadRequest(format!(
            "The page holds {sentences} sentences; an audit checks at most {MAX_AUDIT_SENTENCES}."
        ))
        .into());
    }
    let engine = state.engine();
    let audit = blocking(move || {
        let index = engine.index();
        Ok(explain::audit::audit(index, index.embedder(), &draft)?)
    })
    .await?;
    Ok(Json(audit).into_response())
}

/// The article already published for this question, or a new one (then `true`).
async fn compose_or_reuse(
    state: &AppState,
    question: explain::Question,
    client: Option<IpAddr>,
) -> Result<(StoredArticle, bool), AppError> {
    let store = state.store.clone();
    let normalized = question.normalized.clone();
    if let Some(existing) = blocking(move || Ok(store.find_by_question(&normalized)?)).await? {
        state.metrics.reused();
        return Ok((existing, false));
    }
    let now = time::OffsetDateTime::now_utc();
    if let Some(client) = client
        && !state.article_limiter.allow(client, now.unix_timestamp())
    {
        return Err(AppError::TooManyRequests(format!(
            "Too many new questions from your network in the last hour (the limit is {}); existing articles can still be read, and you can ask again later.",
            state.config.articles_per_hour
        )));
    }
    let cap = state.config.max_new_articles_per_day;
    if cap > 0 {
        let store = state.store.clone();
        let midnight = explain::rfc3339(now.replace_time(time::Time::MIDNIGHT));
        let today = blocking(move || Ok(store.articles_since(&midnight)?)).await?;
        if today >= cap {
            return Err(AppError::TooManyRequests(format!(
                "This site has published its {cap} new articles for today; please ask again tomorrow."
            )));
        }
    }
    let engine = state.engine();
    let store = state.store.clone();
    let listed = state.config.publish == crate::Publish::Open;
    let started = std::time::Instant::now();
    let published = blocking(move || {
        let priors = store.source_priors()?;
        let article = engine.ask_with(&question, now, &priors)?;
        Ok(store.publish_listed(&question.normalized, &article, listed)?)
    })
    .await?;
    state.metrics.composed(started.elapsed());
    Ok((published, true))
}

#[derive(Deserialize)]
struct ArticleQuery {
    feedback: Option<String>,
}

async fn article_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<ArticleQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let visitor = visitor_id(&headers);
    let store = state.store.clone();
    let (stored, counts, vote) = blocking(move || {
        let stored = store.find_by_slug(&slug)?.ok_or(AppError::NotFound)?;
        let counts = store.feedback(stored.version_id)?;
        let vote = match &visitor {
            Some(visitor) => store.vote_of(stored.version_id, visitor)?,
            None => None,
        };
        Ok((stored, counts, vote))
    })
    .await?;
    // After a form POST (no JavaScript) the redirect says what to show: the thanks, and
    // after a bare Yes or No the optional details for that vote.
    let step = query.feedback.as_deref().filter(|_| vote.is_some());
    let (message, details_for) = match (step, &vote) {
        (Some("yes"), _) => (Some(format!("{THANKS} {TELL_US_MORE}")), Some(true)),
        (Some("no"), _) => (Some(format!("{THANKS} {TELL_US_MORE}")), Some(false)),
        (Some(_), _) => (Some(THANKS.to_owned()), None),
        (None, Some(vote)) => (
            Some(if vote.helpful {
                "You found this helpful. You can change your vote at any time.".to_owned()
            } else {
                "You found this not helpful. You can change your vote at any time.".to_owned()
            }),
            None,
        ),
        (None, None) => (None, None),
    };
    let view = FeedbackView {
        counts,
        details_for,
        message,
        vote,
        ..FeedbackView::default()
    };
    let mut meta = publish::page_meta(&state.config.base_url, &stored.article);
    meta.unlisted = !stored.listed;
    let page = Html(templates().article(&stored.article, &view, Some(&meta))?);
    Ok(if stored.listed {
        page.into_response()
    } else {
        (
            [(header::HeaderName::from_static("x-robots-tag"), "noindex")],
            page,
        )
            .into_response()
    })
}

/// A published article, by its slug.
#[utoipa::path(
    get,
    path = "/api/v1/articles/{slug}",
    params(("slug" = String, Path, description = "The article's slug, as in /a/{slug}")),
    responses(
        (status = 200, description = "The article with the votes of its current version", body = ArticleWithFeedback),
        (status = 404, description = "No article has this slug", body = ErrorBody),
    ),
)]
async fn article_json(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, ApiError> {
    let store = state.store.clone();
    let (stored, feedback) = blocking(move || {
        let stored = store.find_by_slug(&slug)?.ok_or(AppError::NotFound)?;
        let feedback = store.feedback(stored.version_id)?;
        Ok((stored, feedback))
    })
    .await?;
    Ok(Json(with_feedback(&stored.article, feedback)).into_response())
}

fn with_feedback(
    article: &explain::Article,
    feedback: crate::store::Feedback,
) -> serde_json::Value {
    let mut value = serde_json::to_value(article).expect("an article always serialises");
    value["feedback"] = serde_json::json!(feedback);
    value
}

/// `POST /a/{slug}/feedback`: a form post (answered with a redirect back to the article) or
/// JSON (answered with JSON).
#[utoipa::path(
    post,
    path = "/a/{slug}/feedback",
    params(("slug" = String, Path, description = "The article's slug")),
    request_body(content = VoteBody, content_type = "application/json", description = "A vote; forms post the same fields urlencoded and are answered with a redirect"),
    responses(
        (status = 200, description = "The vote is stored", body = VoteReply),
        (status = 400, description = "Not a vote: helpful missing, an unknown reason, a comment over 1,000 characters", body = ErrorBody),
        (status = 403, description = "Posted from another site", body = ErrorBody),
        (status = 404, description = "No article has this slug", body = ErrorBody),
        (status = 429, description = "Too many votes from this client", body = ErrorBody),
    ),
)]
async fn feedback(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let wants_json = is_json(&headers);
    let client = client_of(&state, client, &headers);
    match record_feedback(&state, &slug, client, &headers, body, wants_json).await {
        Ok(response) => response,
        Err(FeedbackFailure::Plain(error)) if wants_json => error.into_json(),
        Err(FeedbackFailure::Plain(error)) => error.into_response(),
        Err(FeedbackFailure::Form { status, page }) => (status, Html(page)).into_response(),
    }
}

enum FeedbackFailure {
    Plain(AppError),
    /// A refused form submission: the article page again, with the message and what the
    /// visitor typed.
    Form {
        status: StatusCode,
        page: String,
    },
}

impl From<AppError> for FeedbackFailure {
    fn from(error: AppError) -> Self {
        FeedbackFailure::Plain(error)
    }
}

async fn record_feedback(
    state: &AppState,
    slug: &str,
    client: Option<IpAddr>,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    wants_json: bool,
) -> Result<Response, FeedbackFailure> {
    // Votes from a static export of the site come from the origin it is hosted on.
    refuse_cross_site_unless_export(state, headers)?;
    let body = body.map_err(body_error)?;
    let submission: Submission = if wants_json {
        serde_json::from_slice(&body).map_err(|error| {
            AppError::BadRequest(format!(
                "expected {{\"helpful\": true|false, \"reason\"?, \"comment\"?}}: {error}"
            ))
        })?
    } else {
        serde_urlencoded_form(&body)?
    };
    let now = time::OffsetDateTime::now_utc();
    if let Some(client) = client
        && !state.limiter.allow(client, now.unix_timestamp())
    {
        return Err(AppError::TooManyRequests(
            "Too many votes from your network in the last minute; please try again shortly.".into(),
        )
        .into());
    }
    let helpful_hint = submission_polarity(&submission);
    if submission.is_from_a_bot() {
        // Answer as if it counted, so the bot learns nothing; store nothing.
        tracing::debug!(slug, "honeypot filled: vote dropped");
        return Ok(if wants_json {
            Json(serde_json::json!({ "ok": true, "message": THANKS })).into_response()
        } else {
            Redirect::to(&format!("/a/{slug}?feedback=thanks#feedback")).into_response()
        });
    }
    let draft = submission.comment.clone();
    let reason_draft = submission.reason.clone();
    let vote = match submission.validate() {
        Ok(vote) => vote,
        Err(reason) => {
            let status = match reason {
                FeedbackError::CommentTooLong { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::BAD_REQUEST,
            };
            if wants_json {
                let error = if status == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::PayloadTooLarge(reason.to_string())
                } else {
                    AppError::BadRequest(reason.to_string())
                };
                return Err(FeedbackFailure::Plain(error));
            }
            let store = state.store.clone();
            let slug_owned = slug.to_owned();
            let (stored, counts) = blocking(move || {
                let stored = store.find_by_slug(&slug_owned)?.ok_or(AppError::NotFound)?;
                let counts = store.feedback(stored.version_id)?;
                Ok((stored, counts))
            })
            .await?;
            let view = FeedbackView {
                counts,
                vote: None,
                details_for: Some(helpful_hint.unwrap_or(false)),
                message: Some(format!("Your feedback was not saved: {reason}.")),
                is_error: true,
                comment_draft: draft,
                reason_draft,
            };
            let meta = publish::page_meta(&state.config.base_url, &stored.article);
            let page = templates()
                .article(&stored.article, &view, Some(&meta))
                .map_err(AppError::from)?;
            return Err(FeedbackFailure::Form { status, page });
        }
    };
    let (visitor, new_visitor) = match visitor_id(headers) {
        Some(visitor) => (visitor, false),
        None => (new_visitor_id().map_err(AppError::internal)?, true),
    };
    let at = explain::rfc3339(now);
    let counts = state
        .store
        .vote(slug, &visitor, &vote, &at)
        .await
        .map_err(AppError::from)?
        .ok_or(AppError::NotFound)?;
    state.metrics.vote(vote.helpful);

    let bare = vote.keeps_details;
    let mut response = if wants_json {
        let message = if bare {
            format!("{THANKS} {TELL_US_MORE}")
        } else {
            THANKS.to_owned()
        };
        Json(serde_json::json!({
            "ok": true, "message": message, "thanks": THANKS, "vote": vote, "feedback": counts
        }))
        .into_response()
    } else {
        let next = match (bare, vote.helpful) {
            (true, true) => "yes",
            (true, false) => "no",
            (false, _) => "thanks",
        };
        Redirect::to(&format!("/a/{slug}?feedback={next}#feedback")).into_response()
    };
    if new_visitor {
        let cookie = cookie::Cookie::build((VISITOR_COOKIE, visitor))
            .path("/")
            .max_age(cookie::time::Duration::days(365))
            .http_only(true)
            .same_site(cookie::SameSite::Lax)
            .build();
        set_cookie(&mut response, &cookie);
    }
    Ok(response)
}

/// Which vote a (possibly invalid) submission meant, to reopen the right form.
fn submission_polarity(submission: &Submission) -> Option<bool> {
    match &submission.helpful {
        serde_json::Value::Bool(value) => Some(*value),
        serde_json::Value::String(value) => match value.as_str() {
            "yes" | "true" | "1" => Some(true),
            "no" | "false" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn serde_urlencoded_form(body: &[u8]) -> Result<Submission, AppError> {
    let form: Vec<(String, String)> = form_urlencoded(body)
        .ok_or_else(|| AppError::BadRequest("the form could not be read".into()))?;
    let field = |name: &str| {
        form.iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let helpful = field("helpful")
        .ok_or_else(|| AppError::BadRequest(FeedbackError::MissingHelpful.to_string()))?;
    Ok(Submission {
        helpful: serde_json::Value::String(helpful),
        reason: field("reason"),
        comment: field("comment"),
        website: field("website"),
    })
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/json")
        })
}

/// The visitor id from the cookie, if it is one we could have issued (32 hex digits).
pub(crate) fn visitor_id(headers: &HeaderMap) -> Option<String> {
    cookie_values(headers, VISITOR_COOKIE)
        .into_iter()
        .find(|value| value.len() == 32 && value.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn new_visitor_id() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_well_formed_visitor_ids_are_read() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=b; because_visitor=0123456789abcdef0123456789abcdef"),
        );
        assert_eq!(
            visitor_id(&headers).as_deref(),
            Some("0123456789abcdef0123456789abcdef")
        );
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("because_visitor=' OR 1=1"),
        );
        assert_eq!(visitor_id(&headers), None);
    }
}
