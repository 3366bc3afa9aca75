//! `-v`: one line on stderr per HTTP request, from the library's `uploadcare.request`
//! tracing spans (which never hold a secret: no keys, signatures, `Authorization`, or
//! query strings), and one per retry.
//!
//! ```text
//! > GET https://api.uploadcare.com/files/ → 200 (84 ms)
//! > POST https://upload.uploadcare.com/base/: attempt 1 answered 503 (server error), retrying in 400 ms
//! ```

use std::fmt::Write as _;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

/// The fields of one request span seen so far.
#[derive(Default)]
struct Request {
    method: String,
    url: String,
    status: Option<u64>,
    duration_ms: Option<u64>,
    attempts: Option<u64>,
}

impl Visit for Request {
    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "status" => self.status = Some(value),
            "duration_ms" => self.duration_ms = Some(value),
            "attempts" => self.attempts = Some(value),
            _ => {}
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        if let Ok(value) = u64::try_from(value) {
            self.record_u64(field, value);
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "method" => self.method = value.to_owned(),
            "url" => self.url = value.to_owned(),
            _ => {}
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.record_str(field, format!("{value:?}").trim_matches('"'));
    }
}

/// The fields of a `retrying` event.
#[derive(Default)]
struct Retry {
    message: String,
    attempt: Option<u64>,
    status: Option<u64>,
    delay_ms: Option<u64>,
    reason: String,
}

impl Visit for Retry {
    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "attempt" => self.attempt = Some(value),
            "status" => self.status = Some(value),
            "delay_ms" => self.delay_ms = Some(value),
            _ => {}
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        if let Ok(value) = u64::try_from(value) {
            self.record_u64(field, value);
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "reason" {
            self.reason = value.to_owned();
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            "reason" => self.reason = format!("{value:?}").trim_matches('"').to_owned(),
            _ => {}
        }
    }
}

/// Prints request lines on stderr.
pub struct Verbose;

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Verbose {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() != "uploadcare.request" {
            return;
        }
        if let Some(span) = ctx.span(id) {
            let mut request = Request::default();
            attrs.record(&mut request);
            span.extensions_mut().insert(request);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            if let Some(request) = span.extensions_mut().get_mut::<Request>() {
                values.record(request);
            }
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut retry = Retry::default();
        event.record(&mut retry);
        if retry.message != "retrying" {
            return;
        }
        let Some(span) = ctx.event_span(event) else {
            return;
        };
        let extensions = span.extensions();
        let Some(request) = extensions.get::<Request>() else {
            return;
        };
        let mut line = format!(
            "> {} {}: attempt {}",
            request.method,
            request.url,
            retry.attempt.unwrap_or(1)
        );
        match retry.status {
            Some(status) => {
                let _ = write!(line, " answered {status} ({})", retry.reason);
            }
            None => {
                let _ = write!(line, " failed ({})", retry.reason);
            }
        }
        let _ = write!(line, ", retrying in {} ms", retry.delay_ms.unwrap_or(0));
        eprintln!("{line}");
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else {
            return;
        };
        let extensions = span.extensions();
        let Some(request) = extensions.get::<Request>() else {
            return;
        };
        let outcome = request
            .status
            .map_or_else(|| "failed".to_owned(), |status| status.to_string());
        let mut line = format!("> {} {} → {outcome}", request.method, request.url);
        let mut details = Vec::new();
        if let Some(ms) = request.duration_ms {
            details.push(format!("{ms} ms"));
        }
        if let Some(attempts) = request.attempts.filter(|a| *a > 1) {
            details.push(format!("{attempts} attempts"));
        }
        if !details.is_empty() {
            let _ = write!(line, " ({})", details.join(", "));
        }
        eprintln!("{line}");
    }
}

/// Installs the request logger (only `uploadcare` spans and events at debug level or
/// more important are looked at).
pub fn install() {
    use tracing_subscriber::layer::SubscriberExt;
    let filter = tracing_subscriber::filter::Targets::new().with_target("uploadcare", tracing::Level::DEBUG);
    let subscriber = tracing_subscriber::registry().with(Verbose.with_filter(filter));
    let _ = tracing::subscriber::set_global_default(subscriber);
}
