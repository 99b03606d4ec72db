//! What the public and the admin routes share: body limits and their errors, form decoding,
//! the cross-site check, and running blocking work off the async threads.

use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};

use crate::error::AppError;

/// The largest body a form or JSON post may have (a vote, a question, a login).
pub const MAX_BODY_BYTES: usize = 4 * 1024;

/// Decodes `application/x-www-form-urlencoded` (axum's `Form` uses the same rules; we decode
/// by hand only to keep the raw body for our own error handling).
pub fn form_urlencoded(body: &[u8]) -> Option<Vec<(String, String)>> {
    let text = std::str::from_utf8(body).ok()?;
    let decode = |part: &str| -> Option<String> {
        let bytes = part.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' => {
                    let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                    out.push(u8::from_str_radix(hex, 16).ok()?);
                    i += 2;
                }
                byte => out.push(byte),
            }
            i += 1;
        }
        String::from_utf8(out).ok()
    };
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            Some((decode(key)?, decode(value)?))
        })
        .collect()
}

pub fn body_error(rejection: BytesRejection) -> AppError {
    body_error_over(rejection, MAX_BODY_BYTES)
}

/// [`body_error`] for a route with its own body limit.
pub fn body_error_over(rejection: BytesRejection, limit: usize) -> AppError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge(format!("The request is larger than {limit} bytes."))
    } else {
        AppError::BadRequest(rejection.body_text())
    }
}

/// Browsers send `Origin` (or at least `Referer`) on cross-site posts: refuse a post whose
/// origin is not this site. Clients that send neither (curl, scripts) are not browsers.
pub fn refuse_cross_site(headers: &HeaderMap) -> Result<(), AppError> {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok());
    match (origin, host) {
        (Some(origin), Some(host)) => {
            let authority = origin
                .split_once("://")
                .map_or(origin, |(_, rest)| rest)
                .split('/')
                .next()
                .unwrap_or("");
            if authority.eq_ignore_ascii_case(host) {
                Ok(())
            } else {
                Err(AppError::Forbidden(
                    "Posts from another site are refused.".into(),
                ))
            }
        }
        _ => Ok(()),
    }
}

/// The values of the cookies called `name` the request carries (parsed by the `cookie` crate;
/// a malformed pair is skipped, the others still read).
pub fn cookie_values(headers: &HeaderMap, name: &str) -> Vec<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| cookie::Cookie::split_parse(v.to_owned()))
        .flatten()
        .filter(|c| c.name() == name)
        .map(|c| c.value().to_owned())
        .collect()
}

/// Adds `Set-Cookie` for `cookie` to `response`.
pub fn set_cookie(response: &mut axum::response::Response, cookie: &cookie::Cookie<'_>) {
    if let Ok(value) = axum::http::HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// Runs blocking work (SQLite, composing) off the async threads.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(AppError::internal)?
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn form_decoding_handles_escapes() {
        let form = form_urlencoded(b"helpful=no&comment=a+b%3Cscript%3E%26").unwrap();
        assert_eq!(form[1], ("comment".into(), "a b<script>&".into()));
        assert!(form_urlencoded(b"comment=%zz").is_none());
        assert!(form_urlencoded(&[0xff]).is_none());
    }

    #[test]
    fn cross_site_posts_are_refused() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(refuse_cross_site(&headers).is_ok());
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8080"),
        );
        assert!(refuse_cross_site(&headers).is_ok());
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(refuse_cross_site(&headers).is_err());
    }
}
