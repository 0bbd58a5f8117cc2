//! Response compression: `zstd` or `gzip`, as the client's `Accept-Encoding` prefers, for
//! bodies of at least [`MIN_COMPRESSED_BYTES`] and for streams (exports) of any length.
//!
//! The encoding itself is actix-http's (`Encoder`, the one `actix_web::middleware::Compress`
//! uses, at its fixed levels: gzip 1, zstd 3). Brotli is not offered: measured on a list of 50
//! commitments (bench/README.md), its level 3 compressed no better than zstd (7.1x) for four
//! times the CPU (1725 us per response against 444) and a 4 MiB window per response. This
//! middleware replaces `Compress` for three reasons: small bodies are sent as they are
//! (compressing 300 bytes costs CPU and saves nothing on the wire), a client that accepts none of
//! the codings gets the body unencoded instead of a bare-text 406 (RFC 9110 §12.5.3 prefers
//! that), and `Vary: Accept-Encoding` is on every response whose coding depended on the
//! header, compressed or not, so a shared cache never hands a gzip body to a client that did
//! not ask for one.

use actix_http::encoding::Encoder;
use actix_web::body::{BodySize, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    AcceptEncoding, ContentEncoding, Encoding, Header, HeaderMap, HeaderValue, CONTENT_TYPE, VARY,
};
use actix_web::middleware::Next;
use actix_web::Error;

/// Bodies shorter than this are sent unencoded: below one network packet, compression saves
/// no round trip and costs CPU.
pub const MIN_COMPRESSED_BYTES: u64 = 1024;

/// The codings offered. Among codings a client weighs equally, actix ranks zstd before gzip
/// (the smaller bodies).
const OFFERED: [Encoding; 3] = [Encoding::identity(), Encoding::zstd(), Encoding::gzip()];

/// The coding to use for this request's response: `Identity` when the client sent no
/// `Accept-Encoding`, accepts none of ours, or prefers none.
pub fn negotiate(req: &ServiceRequest) -> ContentEncoding {
    let Ok(accepted) = AcceptEncoding::parse(req) else {
        return ContentEncoding::Identity;
    };
    match accepted.negotiate(OFFERED.iter()) {
        Some(Encoding::Known(coding)) => coding,
        _ => ContentEncoding::Identity,
    }
}

/// Whether a body of this type gains from compression (images but SVG, video and archives are
/// compressed already).
fn compressible(headers: &HeaderMap) -> bool {
    let Some(content_type) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    !(essence.starts_with("video/")
        || (essence.starts_with("image/") && essence != "image/svg+xml")
        || matches!(
            essence.as_str(),
            "application/gzip" | "application/zip" | "application/zstd"
        ))
}

/// Middleware: compresses the response as negotiated. Registered outermost, so it sees the
/// final headers and body of every response.
pub async fn compress(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let wanted = negotiate(&req);
    let response = next.call(req).await?;
    Ok(response.map_body(move |head, body| {
        let large = match body.size() {
            BodySize::Sized(length) => length >= MIN_COMPRESSED_BYTES,
            BodySize::Stream => true,
            BodySize::None => false,
        };
        let eligible = large && compressible(&head.headers) && head.status.as_u16() != 206;
        let coding = if eligible {
            wanted
        } else {
            ContentEncoding::Identity
        };
        if eligible && coding == ContentEncoding::Identity {
            // Not compressed this time, but another `Accept-Encoding` would have been: the
            // encoder adds the same `Vary` when it compresses.
            head.headers
                .append(VARY, HeaderValue::from_static("accept-encoding"));
        }
        Encoder::response(coding, head, body)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderName;
    use actix_web::test::TestRequest;

    fn coding_for(accept: &str) -> ContentEncoding {
        negotiate(
            &TestRequest::default()
                .insert_header((HeaderName::from_static("accept-encoding"), accept))
                .to_srv_request(),
        )
    }

    #[test]
    fn the_clients_preference_wins_and_unknown_codings_fall_back_to_none() {
        assert_eq!(coding_for("gzip"), ContentEncoding::Gzip);
        assert_eq!(coding_for("gzip;q=0.5, zstd"), ContentEncoding::Zstd);
        assert_eq!(coding_for("gzip, deflate, br, zstd"), ContentEncoding::Zstd);
        assert_eq!(coding_for("br"), ContentEncoding::Identity, "not offered");
        assert_eq!(coding_for("compress"), ContentEncoding::Identity);
        assert_eq!(coding_for("identity;q=0, foo"), ContentEncoding::Identity);
        assert_eq!(
            negotiate(&TestRequest::default().to_srv_request()),
            ContentEncoding::Identity
        );
    }

    #[test]
    fn archives_images_and_video_are_not_compressed_again() {
        let with = |content_type: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
            compressible(&headers)
        };
        assert!(with("application/json"));
        assert!(with("text/csv; charset=utf-8"));
        assert!(with("image/svg+xml"));
        assert!(!with("image/png"));
        assert!(!with("video/mp4"));
        assert!(!with("application/gzip"));
    }
}
