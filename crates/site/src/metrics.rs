//! Prometheus metrics (`GET /metrics`, the text exposition format): requests and their
//! latency per route, how long composing an article takes and how often a published one is
//! reused, votes, the job queue, and the size of the index and the site. Counted in this process: behind
//! several nodes, each node is scraped on its own.

use std::time::Duration;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

/// The content type of [`Metrics::encode`]'s text.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    request_seconds: HistogramVec,
    asks: IntCounterVec,
    compose_seconds: HistogramVec,
    votes: IntCounterVec,
    index_documents: IntGauge,
    index_sentences: IntGauge,
    index_generation: IntGauge,
    articles: IntGauge,
    jobs: prometheus::IntGaugeVec,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

/// 0.5 ms … about 8 s.
fn latency_buckets() -> Vec<f64> {
    prometheus::exponential_buckets(0.0005, 2.0, 15).expect("valid buckets")
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let counter = |name: &str, help: &str, labels: &[&str]| {
            let counter = IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric");
            registry
                .register(Box::new(counter.clone()))
                .expect("registered once");
            counter
        };
        let histogram = |name: &str, help: &str, labels: &[&str]| {
            let histogram = HistogramVec::new(
                HistogramOpts::new(name, help).buckets(latency_buckets()),
                labels,
            )
            .expect("valid metric");
            registry
                .register(Box::new(histogram.clone()))
                .expect("registered once");
            histogram
        };
        let gauge = |name: &str, help: &str| {
            let gauge = IntGauge::new(name, help).expect("valid metric");
            registry
                .register(Box::new(gauge.clone()))
                .expect("registered once");
            gauge
        };
        Metrics {
            // The route is the pattern a request matched, never the path a visitor typed, so
            // that the number of series stays bounded.
            requests: counter(
                "because_http_requests_total",
                "HTTP requests answered, by method, route and status",
                &["method", "route", "status"],
            ),
            request_seconds: histogram(
                "because_http_request_duration_seconds",
                "Time to answer an HTTP request, by method and route",
                &["method", "route"],
            ),
            asks: counter(
                "because_asks_total",
                "Questions asked, by whether the article was composed or a published one reused",
                &["outcome"],
            ),
            compose_seconds: histogram(
                "because_compose_duration_seconds",
                "Time to retrieve evidence and compose a new article",
                &[],
            ),
            votes: counter(
                "because_votes_total",
                "Votes stored (new or changed), by helpful yes or no",
                &["helpful"],
            ),
            index_documents: gauge("because_index_documents", "Documents in the index"),
            index_sentences: gauge("because_index_sentences", "Sentences in the index"),
            index_generation: gauge(
                "because_index_generation",
                "The index generation this process answers from (0: an index without generations)",
            ),
            articles: gauge("because_articles", "Published articles"),
            jobs: {
                let jobs = prometheus::IntGaugeVec::new(
                    Opts::new(
                        "because_jobs",
                        "Background jobs waiting or running, by state",
                    ),
                    &["state"],
                )
                .expect("valid metric");
                registry
                    .register(Box::new(jobs.clone()))
                    .expect("registered once");
                jobs
            },
            registry,
        }
    }

    pub fn request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        self.requests
            .with_label_values(&[method, route, &status.to_string()])
            .inc();
        self.request_seconds
            .with_label_values(&[method, route])
            .observe(elapsed.as_secs_f64());
    }

    /// A question answered with an article published before.
    pub fn reused(&self) {
        self.asks.with_label_values(&["reused"]).inc();
    }

    /// A question answered with a newly composed article, which took `elapsed`.
    pub fn composed(&self, elapsed: Duration) {
        self.asks.with_label_values(&["composed"]).inc();
        self.compose_seconds
            .with_label_values(&[] as &[&str])
            .observe(elapsed.as_secs_f64());
    }

    pub fn vote(&self, helpful: bool) {
        self.votes
            .with_label_values(&[if helpful { "yes" } else { "no" }])
            .inc();
    }

    /// The exposition text, with the sizes of the index and the site and the job queue
    /// (queued, running) as of now.
    pub fn encode(
        &self,
        documents: u64,
        sentences: u64,
        generation: u64,
        articles: u64,
        jobs: (u64, u64),
    ) -> String {
        let gauge = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        self.jobs.with_label_values(&["queued"]).set(gauge(jobs.0));
        self.jobs.with_label_values(&["running"]).set(gauge(jobs.1));
        self.index_documents.set(gauge(documents));
        self.index_sentences.set(gauge(sentences));
        self.index_generation.set(gauge(generation));
        self.articles.set(gauge(articles));
        let mut text = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut text)
            .expect("writing to memory cannot fail");
        String::from_utf8(text).expect("the text format is UTF-8")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_histograms_appear_in_the_exposition() {
        let metrics = Metrics::new();
        metrics.request("GET", "/a/{slug}", 200, Duration::from_millis(3));
        metrics.request("GET", "/a/{slug}", 200, Duration::from_millis(5));
        metrics.composed(Duration::from_millis(12));
        metrics.reused();
        metrics.vote(true);
        let text = metrics.encode(10, 36, 4, 2, (3, 1));
        for line in [
            "because_http_requests_total{method=\"GET\",route=\"/a/{slug}\",status=\"200\"} 2",
            "because_http_request_duration_seconds_count{method=\"GET\",route=\"/a/{slug}\"} 2",
            "because_asks_total{outcome=\"composed\"} 1",
            "because_asks_total{outcome=\"reused\"} 1",
            "because_compose_duration_seconds_count 1",
            "because_votes_total{helpful=\"yes\"} 1",
            "because_index_documents 10",
            "because_index_sentences 36",
            "because_index_generation 4",
            "because_articles 2",
            "because_jobs{state=\"queued\"} 3",
            "because_jobs{state=\"running\"} 1",
        ] {
            assert!(text.contains(line), "missing {line:?} in\n{text}");
        }
    }
}
