//! Where a read goes: the replica when it is healthy, current enough and has the client's own
//! last write; else the primary. Every read handler takes a [`ReadPool`] (an extractor) and
//! gets its connection from [`ReadPool::conn`], the one place that decides.

use super::replica::{ReplicaMonitor, ReplicaState};
use super::{DbConn, DbPool};
use crate::error::ApiError;
use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use std::future::{ready, Ready};
use std::sync::Arc;

/// The pools reads may use, shared by every worker (app data).
#[derive(Clone)]
pub struct ReadRouting {
    primary: DbPool,
    replica: Option<Replica>,
}

/// A replica, with its monitor when one watches it.
#[derive(Clone)]
enum Replica {
    /// Used whenever a connection to it can be had (no lag tracking; for tests and tools
    /// that build the app without a monitor).
    Unwatched(DbPool),
    /// Used while its monitor says it is up, within the lag bound, and current for the client.
    Watched(Arc<ReplicaMonitor>),
}

impl ReadRouting {
    /// Reads over `primary`, or over `replica` as its monitor (if any) allows.
    pub fn new(
        primary: DbPool,
        replica: Option<DbPool>,
        monitor: Option<Arc<ReplicaMonitor>>,
    ) -> Self {
        let replica = match (monitor, replica) {
            (Some(monitor), _) => Some(Replica::Watched(monitor)),
            (None, Some(pool)) => Some(Replica::Unwatched(pool)),
            (None, None) => None,
        };
        Self { primary, replica }
    }

    /// The replica's state and lag (ms) for `/readyz`.
    pub fn replica_state(&self) -> (ReplicaState, Option<u64>) {
        match &self.replica {
            None => (ReplicaState::None, None),
            Some(Replica::Unwatched(_)) => (ReplicaState::Up, None),
            Some(Replica::Watched(monitor)) => monitor.state(),
        }
    }

    /// The pool the metrics report as `read`: the replica's when there is one.
    pub fn read_pool(&self) -> &DbPool {
        match &self.replica {
            None => &self.primary,
            Some(Replica::Unwatched(pool)) => pool,
            Some(Replica::Watched(monitor)) => monitor.replica_pool(),
        }
    }

    fn monitor(&self) -> Option<&ReplicaMonitor> {
        match &self.replica {
            Some(Replica::Watched(monitor)) => Some(monitor),
            _ => None,
        }
    }
}

/// The database a read handler uses, chosen for this request (an extractor).
pub struct ReadPool {
    routing: web::Data<ReadRouting>,
    /// The replica's pool when this request may read there.
    replica: Option<DbPool>,
}

impl FromRequest for ReadPool {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(routing) = req.app_data::<web::Data<ReadRouting>>().cloned() else {
            return ready(Err(ApiError::internal("no read routing configured").into()));
        };
        let replica = match &routing.replica {
            None => None,
            Some(Replica::Unwatched(pool)) => Some(pool.clone()),
            Some(Replica::Watched(monitor)) => {
                let client = crate::client_addr::client_key(&req.extensions(), req.peer_addr());
                monitor
                    .serves(&client)
                    .then(|| monitor.replica_pool().clone())
            }
        };
        ready(Ok(Self { routing, replica }))
    }
}

impl ReadPool {
    /// A connection for this read: the replica's when allowed and reachable, else the
    /// primary's (a replica that cannot give a connection is marked down; reads are safe to
    /// send elsewhere). A failure on the primary is a 503 as for any request.
    pub async fn conn(&self) -> Result<DbConn, ApiError> {
        if let Some(replica) = &self.replica {
            match super::timed_checkout(replica, "read").await {
                Ok(conn) => {
                    crate::metrics::read_routed("replica");
                    return Ok(conn);
                }
                Err(e) => {
                    log::warn!("read replica unavailable, reading from the primary: {e}");
                    if let Some(monitor) = self.routing.monitor() {
                        monitor.mark_down();
                    }
                }
            }
        }
        crate::metrics::read_routed("primary");
        super::conn(&self.routing.primary).await
    }
}

/// Middleware: after a successful write (a non-GET 2xx), remembers its client, so that
/// client's next reads go to the primary until the replica has the write. The client is
/// remembered by its key and by its address: a client that writes with its key and reads
/// without one (reads are public) still reads its own write.
pub async fn remember_writes(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let write = crate::http::is_write(req.method());
    let monitor = req
        .app_data::<web::Data<ReadRouting>>()
        .and_then(|routing| routing.monitor().is_some().then(|| routing.clone()));
    let clients = match (&monitor, write) {
        (Some(_), true) => {
            let extensions = req.extensions();
            Some([
                crate::client_addr::client_key(&extensions, req.peer_addr()),
                crate::client_addr::address_key(&extensions, req.peer_addr()),
            ])
        }
        _ => None,
    };
    let response = next.call(req).await?;
    if let (Some(routing), Some(clients)) = (monitor, clients) {
        if response.status().is_success() {
            if let Some(monitor) = routing.monitor() {
                for client in clients {
                    monitor.remember_write(client);
                }
            }
        }
    }
    Ok(response)
}
