# The two commands of README.md:
#   make demo   install the pinned assets, build, ingest the default corpus, serve on 127.0.0.1:8080
#   make test   everything CI checks (formatting, lints, the whole test suite)
CARGO ?= cargo
DATA_DIR ?= because-data
ADDR ?= 127.0.0.1:8080
BENCH_ARGS ?=

.PHONY: demo test test-postgres assets browser promtool llm testdocs postgres nginx build bench bench-ann bench-scale fmt clean

demo: assets build
	./target/release/because --data-dir $(DATA_DIR) ingest --default-corpus
	./target/release/because --data-dir $(DATA_DIR) serve --addr $(ADDR)

test: assets browser promtool llm testdocs postgres nginx
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) test --workspace
	scripts/with-postgres.sh $(MAKE) --no-print-directory test-postgres

# The site's whole suite again, storing in PostgreSQL, and the tests of several nodes on one
# database; run by `make test` beside a private server (scripts/with-postgres.sh).
test-postgres:
	$(CARGO) test -p site
	$(CARGO) test -p because --features postgres-tests --test postgres

assets:
	scripts/install-assets.sh

# Headless Chromium and chromedriver for the browser test (Debian packages).
browser:
	scripts/install-browser.sh

# The LLM server the writer's tests run on loopback: llama-cpp-python (built once, cached
# outside the repository) and SmolLM2-135M-Instruct, both pinned and hash-checked.
llm:
	scripts/install-llm.sh

# Debian packages whose manuals the ingest tests read as real HTML documents.
testdocs:
	scripts/install-test-docs.sh

# PostgreSQL's server (Debian's postgresql package); scripts/with-postgres.sh starts a private
# one for the tests.
postgres:
	scripts/install-postgres.sh

# nginx (Debian's package), the reverse proxy in front of two nodes in a test.
nginx:
	scripts/install-nginx.sh

# promtool (Debian's prometheus package) for the /metrics check.
promtool:
	scripts/install-promtool.sh

build:
	$(CARGO) build --release --bin because

bench: assets postgres nginx
	$(CARGO) build --release -p because
	scripts/with-postgres.sh $(CARGO) run --release -p bench -- --out BENCHMARKS.md $(BENCH_ARGS)

# Two HNSW crates against exact search on the default corpus's sentence vectors and perturbed
# copies (crates/bench/src/ann.rs; about 8 minutes on 2 cores at 100,000 vectors). Prints only.
bench-ann: assets
	$(CARGO) build --release -p because -p bench
	test -f bench-data/default/index/CURRENT || ./target/release/because --data-dir bench-data/default ingest --default-corpus
	./target/release/because-bench --ann-only --index bench-data/default/index $(BENCH_ARGS)

# A million documents of real text, ingested text-only: documents/s, size on disk, lexical ask
# latency, the resident memory of `because serve`; wiki dumps of 100 MiB and 1 GiB streamed through
# `because ingest` (peak memory); a million sentence vectors in the same index: the graph's build
# time and recall against exact search, dense and hybrid ask latency, serve's memory
# (crates/bench/src/scale.rs; about 30 minutes on 2 cores, 5 GB of disk in a temporary folder
# here, 4 GB of memory). `BENCH_ARGS="--scale-vectors 0 --dump-bytes 0"` runs the text index alone
# (about 2 minutes). Prints only.
bench-scale: assets
	$(CARGO) build --release -p because -p bench
	./target/release/because-bench --scale-only $(BENCH_ARGS)

fmt:
	$(CARGO) fmt --all

clean:
	$(CARGO) clean
	rm -rf $(DATA_DIR)
