//! The finished OpenAPI document, made once per process and shared by every worker: the route
//! table and `/` are read from it, and `/openapi.json` answers its bytes, serialized once, with
//! a strong ETag.
//!
//! Each worker registers its routes itself (utoipa-actix-web collects the spec while it does),
//! but finishing that spec (`crate::openapi::finish`: a JSON round trip over the whole
//! document) and serializing it per worker cost each worker thread some 15 MB that its
//! allocator arena kept; serving it with Swagger UI's own handler also serialized the 500 KB
//! document again on every request.

use crate::http::if_none_match_lists;
use actix_web::http::header::ETAG;
use actix_web::web::Bytes;
use actix_web::{get, web, HttpRequest, HttpResponse};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};
use utoipa::openapi::OpenApi;

/// The finished spec and its JSON.
pub struct SpecDocument {
    pub spec: OpenApi,
    json: Bytes,
    etag: String,
}

static FINISHED: OnceLock<Arc<SpecDocument>> = OnceLock::new();

/// The process's finished spec; `collected` (this worker's, as its routes were registered)
/// becomes it when none is finished yet, and is dropped otherwise (every worker collects the
/// same routes).
pub fn finished(collected: OpenApi) -> Arc<SpecDocument> {
    let document = finish_once(collected);
    release_freed_memory();
    document
}

fn finish_once(collected: OpenApi) -> Arc<SpecDocument> {
    FINISHED
        .get_or_init(|| {
            let mut spec = collected;
            crate::openapi::finish(&mut spec);
            let json = Bytes::from(serde_json::to_vec(&spec).expect("the spec serializes"));
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            json.hash(&mut hasher);
            let etag = format!("\"{:016x}\"", hasher.finish());
            Arc::new(SpecDocument { spec, json, etag })
        })
        .clone()
}

/// The OpenAPI document of this server.
#[get("/openapi.json")]
pub async fn openapi_json(req: HttpRequest, document: web::Data<SpecDocument>) -> HttpResponse {
    // Its lifetime in caches is set with the docs' files (`crate::cache_policy::static_files`).
    let etag = (ETAG, document.etag.clone());
    if if_none_match_lists(&req, &document.etag) {
        return HttpResponse::NotModified().insert_header(etag).finish();
    }
    HttpResponse::Ok()
        .insert_header(etag)
        .content_type("application/json")
        .body(document.json.clone())
}

/// Gives the allocator's free memory back to the system: building a worker's routes and spec
/// leaves some megabytes free in that thread's arena, which glibc would otherwise keep.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only returns free heap pages to the kernel; it touches no memory in
    // use and is safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}
