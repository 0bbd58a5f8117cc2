//! HEAD: every GET route answers HEAD (RFC 9110 §9.3.2) with the status and headers a GET
//! would get, and no body.
//!
//! actix-web routes by method and registers GET routes only, so a HEAD request is routed as a
//! GET; the HTTP/1 dispatcher remembers that the request line said HEAD and sends no body (its
//! `Content-Length` is still the GET body's). The original method stays in the request's
//! extensions for the answers that name it (a 405's detail).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};

/// The method of the request line, when a middleware changed the one the app routes by.
#[derive(Debug, Clone)]
pub struct RequestLineMethod(pub Method);

/// Middleware: routes HEAD as GET.
pub async fn route_head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if req.method() == Method::HEAD {
        req.extensions_mut().insert(RequestLineMethod(Method::HEAD));
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}
