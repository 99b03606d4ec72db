//! One error type for every handler: the status code is decided here, internal details go
//! to the log, and the visitor gets a page (or, on the API, JSON) that says what to do.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::render::templates;

#[derive(Debug)]
pub enum AppError {
    /// The request was malformed; the message says how.
    BadRequest(String),
    /// A question that could not be asked, with the question to offer again.
    BadQuestion {
        message: String,
        question: String,
    },
    NotFound,
    PayloadTooLarge(String),
    Forbidden(String),
    /// Over a rate limit; the message says when to try again.
    TooManyRequests(String),
    /// Not ready to answer (nothing ingested); the message says what to run.
    Unavailable(String),
    /// Anything else: logged in full, shown as a generic message.
    Internal(String),
}

impl AppError {
    pub fn internal(error: impl std::fmt::Display) -> AppError {
        AppError::Internal(error.to_string())
    }

    fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) | AppError::BadQuestion { .. } => StatusCode::BAD_REQUEST,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the visitor is told.
    pub fn public_message(&self) -> String {
        match self {
            AppError::BadRequest(message)
            | AppError::PayloadTooLarge(message)
            | AppError::Forbidden(message)
            | AppError::TooManyRequests(message)
            | AppError::Unavailable(message) => message.clone(),
            AppError::BadQuestion { message, .. } => message.clone(),
            AppError::NotFound => "There is no page at this address.".into(),
            AppError::Internal(_) => "Something went wrong on our side; please try again.".into(),
        }
    }

    /// The whole story, for logs and the command line (internal details included).
    pub fn detail(&self) -> String {
        match self {
            AppError::Internal(detail) => detail.clone(),
            other => other.public_message(),
        }
    }

    fn title(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) | AppError::BadQuestion { .. } => "That did not work",
            AppError::NotFound => "Not found",
            AppError::PayloadTooLarge(_) => "Too large",
            AppError::Forbidden(_) => "Refused",
            AppError::TooManyRequests(_) => "Too many requests",
            AppError::Unavailable(_) => "Not ready yet",
            AppError::Internal(_) => "Server error",
        }
    }

    fn log(&self) {
        match self {
            AppError::Internal(detail) => tracing::error!(%detail, "request failed"),
            AppError::Unavailable(detail) => tracing::warn!(%detail, "not ready"),
            _ => {}
        }
    }

    /// The JSON form, for API routes and `fetch` callers.
    pub fn into_json(self) -> Response {
        self.log();
        let body = serde_json::json!({ "error": self.public_message() });
        (self.status(), axum::Json(body)).into_response()
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let question = match &self {
            AppError::BadQuestion { question, .. } => Some(question.as_str()),
            _ => None,
        };
        match templates().error(self.title(), &self.public_message(), question) {
            Ok(html) => (
                self.status(),
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                html,
            )
                .into_response(),
            Err(error) => {
                tracing::error!(%error, "error page failed to render");
                (self.status(), self.public_message()).into_response()
            }
        }
    }
}

/// Errors of API routes answer in JSON.
pub struct ApiError(pub AppError);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.into_json()
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        ApiError(error)
    }
}

impl From<crate::store::StoreError> for AppError {
    fn from(error: crate::store::StoreError) -> Self {
        AppError::internal(error)
    }
}

impl From<minijinja::Error> for AppError {
    fn from(error: minijinja::Error) -> Self {
        AppError::internal(format!("template: {error:#}"))
    }
}

impl From<explain::ExplainError> for AppError {
    fn from(error: explain::ExplainError) -> Self {
        match error {
            explain::ExplainError::Question(reason) => AppError::BadRequest(reason.to_string()),
            explain::ExplainError::EmptyIndex { .. }
            | explain::ExplainError::Index(explain::IndexError::NotFound { .. }) => {
                AppError::Unavailable(error.to_string())
            }
            other => AppError::internal(other),
        }
    }
}
