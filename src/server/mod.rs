//! The HTTP server: actix-web's `HttpServer`, assembled from the same parts (actix-server's
//! listeners and workers, actix-http's HTTP/1 service), with a front before the HTTP/1
//! dispatcher of every connection (`front`) so the request heads actix-http would refuse with an
//! empty body get a problem+json answer instead.
//!
//! Plain HTTP/1.x only, as before (TLS and HTTP/2 are a reverse proxy's business).

pub mod front;
pub mod head;
pub mod prefixed;
pub mod stop_signals;

use actix_http::body::MessageBody;
use actix_http::{HttpService, Request, Response};
use actix_server::Server;
use actix_service::{map_config, IntoServiceFactory, ServiceFactory, ServiceFactoryExt};
use actix_web::dev::AppConfig;
use front::{FrontFactory, FrontSettings};
use prefixed::Prefixed;
use std::time::Duration;
use tokio::net::TcpStream;

/// Where a server listens.
pub enum Listen {
    /// An address to bind (every address it resolves to), e.g. `127.0.0.1:8080`.
    Address(String),
    /// A socket already bound (tests bind `127.0.0.1:0` and read the port back).
    Listener(std::net::TcpListener),
}

/// The settings of a server; [`Settings::default`] is what `ogp-api serve` uses.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Worker threads; `None`: one per CPU core.
    pub workers: Option<usize>,
    /// On shutdown, in-flight requests get this long to finish (`OGP_SHUTDOWN_GRACE_SECS`).
    pub shutdown_timeout_secs: u64,
    /// The first request head of a connection must arrive whole within this, else 408 (the
    /// front's deadline; actix's `client_request_timeout` is set to the same).
    pub client_request_timeout: Duration,
    /// A closing connection gets this long to shut down (actix's `client_disconnect_timeout`).
    pub client_disconnect_timeout: Duration,
    /// Stop on SIGINT / SIGTERM / SIGQUIT (off in tests, which stop servers through a handle).
    pub handle_signals: bool,
}

impl Default for Settings {
    /// actix-web's defaults, stated because the bounds on slow clients rely on them: the first
    /// request head within 5 s, 1 s to close a connection, 30 s for in-flight requests.
    fn default() -> Self {
        Self {
            workers: None,
            shutdown_timeout_secs: 30,
            client_request_timeout: Duration::from_secs(5),
            client_disconnect_timeout: Duration::from_secs(1),
            handle_signals: true,
        }
    }
}

/// A server of the app that `app` makes (once per worker), named `name` in actix's logs.
///
/// What `HttpServer::new(app).bind(..).run()` does, with [`front`] in front of the HTTP/1
/// dispatcher: keep-alive stays actix's default (5 s), the request and disconnect timeouts and
/// the shutdown grace are [`Settings`]. Not started until the returned server is awaited.
pub fn build<F, I, S, B>(
    name: &str,
    listen: Listen,
    settings: &Settings,
    app: F,
) -> std::io::Result<Server>
where
    F: Fn() -> I + Send + Clone + 'static,
    I: IntoServiceFactory<S, Request>,
    S: ServiceFactory<Request, Config = AppConfig> + 'static,
    S::Error: Into<actix_web::Error> + 'static,
    S::InitError: std::fmt::Debug,
    S::Response: Into<Response<B>> + 'static,
    S::Service: 'static,
    <S::Service as actix_service::Service<Request>>::Future: 'static,
    B: MessageBody + 'static,
{
    let mut builder = Server::build().shutdown_timeout(settings.shutdown_timeout_secs);
    if let Some(workers) = settings.workers {
        builder = builder.workers(workers);
    }
    if !settings.handle_signals {
        builder = builder.disable_signals();
    }
    let shutdown = builder.graceful_shutdown_signal();
    let settings = settings.clone();
    let factory = move || {
        let signal = shutdown.clone();
        let h1 = HttpService::<Prefixed<TcpStream>, _, _>::build()
            // Idle keep-alive connections close as soon as a graceful shutdown starts (what
            // actix-web wires too; the method is `doc(hidden)` in actix-http 3.20).
            .graceful_shutdown_signal(move || {
                let signal = signal.clone();
                async move { signal.notified().await }
            })
            .client_request_timeout(settings.client_request_timeout)
            .client_disconnect_timeout(settings.client_disconnect_timeout)
            .h1(map_config(
                app()
                    .into_factory()
                    .map_err(|err| err.into().error_response()),
                // `AppConfig::new` is private to actix-web; the default only names the host
                // `localhost:8080` for URL generation and `ConnectionInfo` of a request without
                // a Host header, neither of which this API uses.
                |()| AppConfig::default(),
            ));
        FrontFactory {
            h1,
            settings: FrontSettings {
                head_timeout: settings.client_request_timeout,
                disconnect_timeout: settings.client_disconnect_timeout,
                shutdown: shutdown.clone(),
            },
        }
    };
    let builder = match listen {
        Listen::Address(address) => builder.bind(name, address, factory)?,
        Listen::Listener(listener) => builder.listen(name, listener, factory)?,
    };
    Ok(builder.run())
}
