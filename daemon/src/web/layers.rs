//! What every HTTP request passes through, as tower-http and tower layers: body limits
//! per route group, a timeout, a limit on requests served at once, a trace of each
//! request, and the security headers of every response.
//!
//! What comes in: any request from anybody. A body past its route's limit is answered
//! 413 before a handler parses it (at once when `Content-Length` says so, else when the
//! limit is reached while reading); a request not answered within
//! `web.request_timeout_secs` is answered 503; past `web.max_concurrent_requests`
//! requests at once, another is answered 503 at once. What goes out: the trace logs the
//! method, the route's pattern (never the path a client sent: tokens travel in paths),
//! the status and the latency; no query, header or body.

use axum::error_handling::HandleErrorLayer;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{header, HeaderValue, Response, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use std::time::Duration;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::load_shed::LoadShedLayer;
use tower::ServiceBuilder;
use tower_http::classify::ServerErrorsFailureClass;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_http::LatencyUnit;
use tracing::Level;

/// A citizen's form, the logout and unsubscribe buttons, the admin API, and every route
/// that takes no body.
pub const FORM_BYTES: usize = 16 * 1024;
/// A SAML message posted through the browser (a signed and encrypted Response is tens
/// of kilobytes; the XML parser takes at most 512 KiB).
pub const SAML_BYTES: usize = 2 * 1024 * 1024;
/// A push from a municipality's system to `/ingest/…`.
pub const PUSH_BYTES: usize = 16 * 1024 * 1024;

/// The page policy: the pages need their stylesheet and images (the payment QR code is
/// a `data:` image), nothing else, and no script.
const HTML_CSP: &str =
    "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'";
/// Everything else (JSON, text, XML, CSS) is no document: it loads nothing.
const OTHER_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// `routes` with a body limit of `max` bytes: 413 past it. axum's own default limit is
/// turned off for these routes only, so a route outside every group keeps axum's 2 MB.
pub fn body_limit<S: Clone + Send + Sync + 'static>(routes: Router<S>, max: usize) -> Router<S> {
    routes
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(max))
}

/// `routes` whose handlers read their bodies themselves, each within its own limit (the
/// ACS answers a body past it with a page in the tenant's language).
pub fn limit_in_handler<S: Clone + Send + Sync + 'static>(routes: Router<S>) -> Router<S> {
    routes.layer(DefaultBodyLimit::disable())
}

/// `routes` served at most `max` at once (shared by every route of the group): one more
/// is answered 503 at once rather than queued.
pub fn concurrency_limit<S: Clone + Send + Sync + 'static>(
    routes: Router<S>,
    max: usize,
) -> Router<S> {
    routes.layer(
        ServiceBuilder::new()
            .layer(HandleErrorLayer::new(|_: tower::BoxError| async {
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(header::RETRY_AFTER, "1")],
                    "busy: try again in a moment\n",
                )
                    .into_response()
            }))
            .layer(LoadShedLayer::new())
            .layer(GlobalConcurrencyLimitLayer::new(max)),
    )
}

/// The layers around every route: the security headers (outermost, so that the answers
/// of the layers inside have them too), the trace, the timeout.
pub fn outer<S: Clone + Send + Sync + 'static>(routes: Router<S>, timeout: Duration) -> Router<S> {
    let trace = TraceLayer::new_for_http()
        .make_span_with(|req: &Request| {
            let route = req
                .extensions()
                .get::<MatchedPath>()
                .map_or("-", |m| m.as_str());
            tracing::debug_span!("http", method = %req.method(), route)
        })
        .on_request(())
        .on_response(
            DefaultOnResponse::new()
                .level(Level::DEBUG)
                .latency_unit(LatencyUnit::Millis),
        )
        .on_failure(
            |class: ServerErrorsFailureClass, latency: Duration, _: &tracing::Span| {
                tracing::warn!(
                    failure = %class,
                    latency_ms = latency.as_millis() as u64,
                    "request failed"
                );
            },
        );
    routes
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ))
        .layer(trace)
        .layer(
            ServiceBuilder::new()
                .layer(always(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                .layer(always(header::REFERRER_POLICY, "no-referrer"))
                .layer(always(header::X_FRAME_OPTIONS, "DENY"))
                // Personal pages must not be kept by a browser or proxy; a response that
                // may be (the stylesheet) says so itself.
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("no-store"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CONTENT_SECURITY_POLICY,
                    content_security_policy,
                )),
        )
}

/// Every response carries this header with this value, whatever the handler set.
fn always(name: header::HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
}

/// The page policy for HTML, the load-nothing policy for anything else.
fn content_security_policy<B>(res: &Response<B>) -> Option<HeaderValue> {
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/html"));
    Some(HeaderValue::from_static(if html {
        HTML_CSP
    } else {
        OTHER_CSP
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_gets_the_page_policy_and_anything_else_loads_nothing() {
        let with = |ct: &str| {
            let r = Response::builder()
                .header(header::CONTENT_TYPE, ct)
                .body(())
                .expect("response");
            content_security_policy(&r).expect("a policy")
        };
        assert_eq!(with("text/html; charset=utf-8"), HTML_CSP);
        assert_eq!(with("Text/HTML"), HTML_CSP);
        assert_eq!(with("application/json"), OTHER_CSP);
        assert_eq!(with("text/plain; charset=utf-8"), OTHER_CSP);
        let bare = Response::builder().body(()).expect("response");
        assert_eq!(content_security_policy(&bare).expect("a policy"), OTHER_CSP);
        assert!(OTHER_CSP.contains("frame-ancestors 'none'"));
    }
}
