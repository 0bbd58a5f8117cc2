//! The operator's access rules and abuse limits, read by the middleware, the client-address
//! logic and the rate limiter alike (so it sits below all of them).

/// Access rules and abuse limits. The default: public reads, no limits, no CORS origins.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Reads need a key too (`OGP_READ_REQUIRES_KEY`).
    pub read_requires_key: bool,
    /// PATCH and DELETE without `If-Match`, and PUT without `If-Match` or `If-None-Match`, are
    /// a 428 (`OGP_REQUIRE_IF_MATCH`).
    pub require_if_match: bool,
    /// Reads per client and minute; 0 = unlimited (`OGP_RATE_LIMIT_READS`).
    pub reads_per_minute: u32,
    /// Writes per client and minute; 0 = unlimited (`OGP_RATE_LIMIT_WRITES`).
    pub writes_per_minute: u32,
    /// Origins browser apps may call from; `*` = any (`OGP_CORS_ORIGINS`).
    pub cors_origins: Vec<String>,
    /// Reverse proxies whose `Forwarded` / `X-Forwarded-For` name the client
    /// (`OGP_TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The one header those proxies write the client into (`OGP_FORWARDED_HEADER`).
    pub forwarded_header: ForwardedHeader,
    /// `/metrics` is served on its own address (`OGP_METRICS_BIND`), not by this app.
    pub metrics_elsewhere: bool,
}

/// Which header the trusted proxies write the client's address into (`OGP_FORWARDED_HEADER`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For` (nginx, HAProxy, cloud load balancers, most ingresses).
    #[default]
    #[value(name = "x-forwarded-for")]
    XForwardedFor,
    /// `Forwarded: for=` (RFC 7239; e.g. Envoy with `use_remote_address`, some CDNs).
    #[value(name = "forwarded")]
    Forwarded,
}
