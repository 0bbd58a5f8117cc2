# syntax=docker/dockerfile:1

# ---- build ---------------------------------------------------------------
FROM rust:1.95-slim-bookworm AS builder
WORKDIR /app

# Only what the build reads. tests/ is needed too: Cargo.toml declares a
# [[test]] target by path and cargo checks it exists when loading the manifest.
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY migrations ./migrations
COPY data ./data
COPY tests ./tests

# Cache mounts keep the crate registry and target/ between builds, so only
# changed crates recompile. target/ is a cache mount (not in the image), hence
# the binary is copied out within the same RUN.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    --mount=type=cache,target=/app/target \
    cargo build --release --locked --bin ogp-api \
 && cp target/release/ogp-api /usr/local/bin/ogp-api

# ---- runtime -------------------------------------------------------------
# Same Debian release as the builder so the glibc the binary links against matches.
FROM debian:bookworm-slim

# ca-certificates only, for DATABASE_URLs to TLS-terminated hosts; no libpq or
# PostgreSQL is needed (pure-Rust driver, migrations and seed data are compiled in).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin ogp

COPY --from=builder /usr/local/bin/ogp-api /usr/local/bin/ogp-api

USER 10001
# The default 127.0.0.1 would be unreachable from outside the container.
ENV OGP_BIND=0.0.0.0:8080 \
    RUST_LOG=info
EXPOSE 8080

# No HEALTHCHECK: the image has no curl/wget. Probe GET /healthz (liveness)
# and GET /readyz (database reachable) from the orchestrator instead.
ENTRYPOINT ["ogp-api"]
CMD ["serve"]
