//! The dashboard: how articles are rated, what readers said, what votes taught retrieval,
//! and the buttons that act on it (regenerate an article, reset a source). Behind a token
//! set by flag or environment; there is no default token, and without one the dashboard is
//! closed. A browser logs in once with the token and then holds an HttpOnly, SameSite=Strict
//! cookie derived from it (never the token itself); scripts may send
//! `Authorization: Bearer TOKEN` instead.

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minijinja::context;
use minijinja::value::Serde;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::chart::{iso_date, votes_per_day_svg};
use crate::error::AppError;
use crate::http::{
    MAX_BODY_BYTES, blocking, body_error, cookie_values, form_urlencoded, refuse_cross_site,
    set_cookie,
};
use crate::jobs::{self, WriterKind};
use crate::render::{human_date, templates};
use crate::store::{ArticleSummary, VoteRow};
use crate::{AppState, SiteConfig};

pub const ADMIN_COOKIE: &str = "because_admin";
/// Days shown in the votes-over-time charts.
const CHART_DAYS: u16 = 30;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(dashboard))
        .route(
            "/admin/login",
            post(login).layer(DefaultBodyLimit::max(MAX_BODY_BYTES)),
        )
        .route("/admin/logout", post(logout))
        .route("/admin/export.csv", get(export_csv))
        .route("/admin/a/{slug}", get(article_detail))
        .route("/admin/a/{slug}/regenerate", post(regenerate))
        .route("/admin/a/{slug}/approve", post(approve))
        .route("/admin/regenerate-changed", post(regenerate_changed))
        .route(
            "/admin/sources/reset",
            post(reset_source).layer(DefaultBodyLimit::max(MAX_BODY_BYTES)),
        )
}

/// The cookie value that proves a login: a hash of the token, so the cookie never holds it.
fn session_value(token: &str) -> String {
    let digest = Sha256::digest(format!("because admin session v1\n{token}"));
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares through hashes, so the time taken says nothing about the token.
fn same_secret(given: &str, expected: &str) -> bool {
    let a = Sha256::digest(given.as_bytes());
    let b = Sha256::digest(expected.as_bytes());
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

fn is_admin(config: &SiteConfig, headers: &HeaderMap) -> bool {
    let Some(token) = config.admin_token.as_deref().filter(|t| !t.is_empty()) else {
        return false;
    };
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if bearer.is_some_and(|given| same_secret(given.trim(), token)) {
        return true;
    }
    let expected = session_value(token);
    cookie_values(headers, ADMIN_COOKIE)
        .iter()
        .any(|value| same_secret(value, &expected))
}

/// The login page with a 401, for every dashboard request without a valid login.
fn unauthorized(config: &SiteConfig, message: Option<&str>) -> Response {
    let enabled = config.admin_token.as_deref().is_some_and(|t| !t.is_empty());
    match templates().admin("admin_login.html", context! { enabled, message }) {
        Ok(page) => {
            let mut response = (StatusCode::UNAUTHORIZED, Html(page)).into_response();
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"because admin\""),
            );
            response
        }
        Err(error) => AppError::from(error).into_response(),
    }
}

/// A request from the logged-in admin (the token as a bearer, or the session cookie). A
/// handler that takes it runs only for the admin; anyone else gets the 401 login page.
pub struct Admin;

impl axum::extract::FromRequestParts<AppState> for Admin {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Admin, Response> {
        if is_admin(&state.config, &parts.headers) {
            Ok(Admin)
        } else {
            Err(unauthorized(&state.config, None))
        }
    }
}

async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if let Err(error) = refuse_cross_site(&headers) {
        return error.into_response();
    }
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return body_error(rejection).into_response(),
    };
    let given = form_urlencoded(&body)
        .and_then(|form| form.into_iter().find(|(k, _)| k == "token").map(|(_, v)| v))
        .unwrap_or_default();
    match state
        .config
        .admin_token
        .as_deref()
        .filter(|t| !t.is_empty())
    {
        Some(token) if same_secret(&given, token) => {
            let mut response = Redirect::to("/admin").into_response();
            set_cookie(
                &mut response,
                &admin_cookie(session_value(token))
                    .max_age(cookie::time::Duration::hours(12))
                    .build(),
            );
            response
        }
        Some(_) => unauthorized(&state.config, Some("That token is not right.")),
        None => unauthorized(&state.config, None),
    }
}

async fn logout(headers: HeaderMap) -> Response {
    if let Err(error) = refuse_cross_site(&headers) {
        return error.into_response();
    }
    let mut response = Redirect::to("/").into_response();
    set_cookie(
        &mut response,
        &admin_cookie(String::new()).removal().build(),
    );
    response
}

/// The admin session cookie: only for the dashboard's paths, never to scripts or other sites.
fn admin_cookie(value: String) -> cookie::CookieBuilder<'static> {
    cookie::Cookie::build((ADMIN_COOKIE, value))
        .path("/admin")
        .http_only(true)
        .same_site(cookie::SameSite::Strict)
}

/// An article line of the dashboard.
#[derive(Serialize)]
struct ArticleRow {
    #[serde(flatten)]
    summary: ArticleSummary,
    total: u64,
    share: f64,
    lower: f64,
    upper: f64,
    flagged: bool,
    reasons: Vec<(String, u64)>,
    /// What changed in the sources since this version was composed, if anything.
    sources_changed: Option<String>,
}

fn article_row(
    config: &SiteConfig,
    summary: ArticleSummary,
    reasons: Vec<(String, u64)>,
) -> ArticleRow {
    ArticleRow {
        total: summary.feedback.total(),
        share: summary.feedback.helpful_share(),
        lower: summary.feedback.wilson_lower_bound(),
        upper: summary.feedback.wilson_upper_bound(),
        flagged: config.is_flagged(&summary.feedback),
        reasons,
        summary,
        sources_changed: None,
    }
}

fn chart_start(today: time::Date) -> time::Date {
    today
        .checked_sub(time::Duration::days(i64::from(CHART_DAYS) - 1))
        .unwrap_or(today)
}

#[derive(Deserialize)]
struct Notice {
    done: Option<String>,
}

async fn dashboard(
    State(state): State<AppState>,
    _admin: Admin,
    Query(notice): Query<Notice>,
) -> Response {
    let store = state.store.clone();
    let config = state.config.clone();
    let engine = state.engine();
    let result = blocking(move || {
        let first = chart_start(time::OffsetDateTime::now_utc().date());
        let mut reasons = store.reasons_by_article()?;
        let mut rows: Vec<ArticleRow> = Vec::new();
        for summary in store.all_articles()? {
            let reasons = reasons.remove(&summary.slug).unwrap_or_default();
            let mut row = article_row(&config, summary, reasons);
            if let Some(stored) = store.find_by_slug(&row.summary.slug)? {
                row.sources_changed =
                    crate::sources_changed(&engine, &stored.article).map_err(AppError::internal)?;
            }
            rows.push(row);
        }
        let changed = rows.iter().filter(|r| r.sources_changed.is_some()).count();
        let awaiting = rows.iter().filter(|r| !r.summary.listed).count();
        rows.sort_by(|a, b| {
            a.summary
                .listed
                .cmp(&b.summary.listed)
                .then(b.flagged.cmp(&a.flagged))
                .then(b.total.cmp(&a.total))
                .then_with(|| a.summary.slug.cmp(&b.summary.slug))
        });
        let days = store.votes_per_day(None, &iso_date(first))?;
        let chart = votes_per_day_svg("All articles", first, CHART_DAYS, &days);
        let comments = store.comments(None, 20)?;
        let sources = store.source_adjustments(20)?;
        let (helpful, not_helpful) = store.counted_votes()?;
        let recent_jobs = store.recent_jobs(20)?;
        let (queued, running) = store.queue_depth()?;
        let page = templates().admin(
            "admin_home.html",
            context! {
                jobs => Serde(&recent_jobs),
                queued, running,
                articles => Serde(&rows),
                flagged => rows.iter().filter(|r| r.flagged).count(),
                changed,
                awaiting,
                chart => minijinja::Value::from_safe_string(chart),
                comments => Serde(&comments),
                sources => Serde(&sources),
                helpful, not_helpful,
                flag_min_votes => config.flag_min_votes,
                flag_upper_bound => config.flag_upper_bound,
                notice => notice.done,
                interactive => false,
            },
        )?;
        Ok(page)
    })
    .await;
    match result {
        Ok(page) => Html(page).into_response(),
        Err(error) => error.into_response(),
    }
}

async fn article_detail(
    State(state): State<AppState>,
    _admin: Admin,
    Path(slug): Path<String>,
    Query(notice): Query<Notice>,
) -> Response {
    let store = state.store.clone();
    let config = state.config.clone();
    let has_llm = state.writer.is_some();
    let engine = state.engine();
    let result = blocking(move || {
        let stored = store.find_by_slug(&slug)?.ok_or(AppError::NotFound)?;
        let summary = store.summary(&slug)?.ok_or(AppError::NotFound)?;
        let reasons = store.reasons(stored.version_id)?;
        let mut row = article_row(&config, summary, reasons);
        row.sources_changed =
            crate::sources_changed(&engine, &stored.article).map_err(AppError::internal)?;
        let versions = store.versions(stored.id)?;
        let first = chart_start(time::OffsetDateTime::now_utc().date());
        let days = store.votes_per_day(Some(stored.id), &iso_date(first))?;
        let chart = votes_per_day_svg(&stored.article.question, first, CHART_DAYS, &days);
        let comments = store.comments(Some(stored.id), 50)?;
        let article_jobs = store.jobs_of(&stored.article.slug, 10)?;
        let page = templates().admin(
            "admin_article.html",
            context! {
                jobs => Serde(&article_jobs),
                llm => has_llm,
                writer => &stored.article.generator.mode,
                article => Serde(&row),
                posted => human_date(&stored.article.posted_at),
                versions => Serde(&versions),
                chart => minijinja::Value::from_safe_string(chart),
                comments => Serde(&comments),
                notice => notice.done,
                interactive => false,
            },
        )?;
        Ok(page)
    })
    .await;
    match result {
        Ok(page) => Html(page).into_response(),
        Err(error) => error.into_response(),
    }
}

/// Queues a new version of the article by the writer the form names (`extractive` unless
/// it says `llm`); the job runs in the background and the dashboard shows how it went.
async fn regenerate(
    State(state): State<AppState>,
    _admin: Admin,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if let Err(error) = refuse_cross_site(&headers) {
        return error.into_response();
    }
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return body_error(rejection).into_response(),
    };
    let requested = form_urlencoded(&body).and_then(|form| {
        form.into_iter()
            .find(|(k, _)| k == "writer")
            .map(|(_, v)| v)
    });
    let writer = match requested.as_deref() {
        None | Some("") => WriterKind::Extractive,
        Some(name) => match WriterKind::parse(name) {
            Some(writer) => writer,
            None => {
                return AppError::BadRequest(format!("no writer called {name:?}")).into_response();
            }
        },
    };
    if writer == WriterKind::Llm && state.writer.is_none() {
        return AppError::BadRequest(
            "this site has no LLM server (serve --writer llm --llm-url …)".into(),
        )
        .into_response();
    }
    let store = state.store.clone();
    let target = slug.clone();
    match blocking(move || Ok(store.find_by_slug(&target)?.is_some())).await {
        Ok(true) => {}
        Ok(false) => return AppError::NotFound.into_response(),
        Err(error) => return error.into_response(),
    }
    match jobs::enqueue(&state, &slug, writer).await {
        Ok(job) => Redirect::to(&format!(
            "/admin/a/{slug}?done=queued-{}-job-{}",
            writer.as_str(),
            job.id
        ))
        .into_response(),
        Err(error) => error.into_response(),
    }
}

/// Lists an article that awaited review (`serve --publish review`): home page, search,
/// sitemap, feed and search engines.
async fn approve(
    State(state): State<AppState>,
    _admin: Admin,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(error) = refuse_cross_site(&headers) {
        return error.into_response();
    }
    let store = state.store.clone();
    let target = slug.clone();
    match blocking(move || Ok(store.approve(&target)?)).await {
        Ok(true) => Redirect::to("/admin?done=approved").into_response(),
        Ok(false) => AppError::NotFound.into_response(),
        Err(error) => error.into_response(),
    }
}

/// Queues a new version (extractive) of every article whose sources changed: one action
/// after `because ingest --sync`.
async fn regenerate_changed(
    State(state): State<AppState>,
    _admin: Admin,
    headers: HeaderMap,
) -> Response {
    if let Err(error) = refuse_cross_site(&headers) {
        return error.into_response();
    }
    let (store, engine) = (state.store.clone(), state.engine());
    let changed = blocking(move || {
        let mut slugs = Vec::new();
        for summary in store.all_articles()? {
            if let Some(stored) = store.find_by_slug(&summary.slug)?
                && crate::sources_changed(&engine, &stored.article)
                    .map_err(AppError::internal)?
                    .is_some()
            {
                slugs.push(summary.slug);
            }
        }
        Ok(slugs)
    })
    .await;
    let slugs = match changed {
        Ok(slugs) => slugs,
        Err(error) => return error.into_response(),
    };
    for slug in &slugs {
        if let Err(error) = jobs::enqueue(&state, slug, WriterKind::Extractive).await {
            return error.into_response();
        }
    }
    Redirect::to(&format!("/admin?done=queued-{}-jobs#jobs", slugs.len())).into_response()
}

async fn reset_source(
    State(state): State<AppState>,
    _admin: Admin,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if let Err(error) = refuse_cross_site(&headers) {
        return error.into_response();
    }
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return body_error(rejection).into_response(),
    };
    let Some(key) = form_urlencoded(&body).and_then(|form| {
        form.into_iter()
            .find(|(k, _)| k == "source")
            .map(|(_, v)| v)
    }) else {
        return AppError::BadRequest("say which source to reset".into()).into_response();
    };
    let store = state.store.clone();
    match blocking(move || Ok(store.reset_source(&key)?)).await {
        Ok(true) => Redirect::to("/admin?done=source-reset#sources").into_response(),
        Ok(false) => AppError::NotFound.into_response(),
        Err(error) => error.into_response(),
    }
}

async fn export_csv(State(state): State<AppState>, _admin: Admin) -> Response {
    let store = state.store.clone();
    match blocking(move || {
        let rows = store.export_votes()?;
        votes_csv(&rows).map_err(AppError::internal)
    })
    .await
    {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"because-votes.csv\"",
                ),
            ],
            csv,
        )
            .into_response(),
        Err(error) => error.into_response(),
    }
}

/// Votes and comments as CSV. Every text cell that a spreadsheet would read as a formula
/// (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with `'`.
pub fn votes_csv(rows: &[VoteRow]) -> Result<String, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "article",
        "question",
        "version",
        "helpful",
        "reason",
        "comment",
        "created_at",
        "updated_at",
    ])?;
    for row in rows {
        let version = row.version.to_string();
        writer.write_record([
            inert(&row.slug).as_str(),
            inert(&row.question).as_str(),
            version.as_str(),
            if row.helpful { "yes" } else { "no" },
            inert(row.reason.as_deref().unwrap_or("")).as_str(),
            inert(row.comment.as_deref().unwrap_or("")).as_str(),
            row.created_at.as_str(),
            row.updated_at.as_str(),
        ])?;
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8(bytes).expect("CSV of strings is UTF-8"))
}

/// A cell a spreadsheet shows as text, never evaluates.
fn inert(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_made_inert() {
        let row = VoteRow {
            slug: "s".into(),
            question: "=HYPERLINK(\"x\")".into(),
            version: 2,
            helpful: false,
            reason: Some("other".into()),
            comment: Some("@SUM(A1)\n+1, \"quoted\"".into()),
            created_at: "2026-11-25T00:00:00Z".into(),
            updated_at: "2026-11-25T00:00:00Z".into(),
        };
        let csv = votes_csv(&[row]).unwrap();
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let record = reader.records().next().unwrap().unwrap();
        assert_eq!(&record[1], "'=HYPERLINK(\"x\")");
        assert_eq!(&record[5], "'@SUM(A1)\n+1, \"quoted\"");
        assert_eq!(inert("-2"), "'-2");
        assert_eq!(inert("fine"), "fine");
    }

    #[test]
    fn only_the_configured_token_opens_the_dashboard() {
        let mut config = SiteConfig::default();
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer "));
        assert!(!is_admin(&config, &headers), "no token configured: closed");
        config.admin_token = Some("s3cret".into());
        assert!(!is_admin(&config, &headers));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer s3cret"),
        );
        assert!(is_admin(&config, &headers));
        let mut cookie = HeaderMap::new();
        let value = format!("{ADMIN_COOKIE}={}", session_value("s3cret"));
        cookie.insert(header::COOKIE, HeaderValue::from_str(&value).unwrap());
        assert!(is_admin(&config, &cookie));
        cookie.insert(
            header::COOKIE,
            HeaderValue::from_static("because_admin=s3cret"),
        );
        assert!(
            !is_admin(&config, &cookie),
            "the raw token is not a session"
        );
    }
}
