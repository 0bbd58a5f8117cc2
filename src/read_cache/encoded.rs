//! A cached answer's compressed forms, made once per entry instead of once per request: a hit
//! would otherwise spend most of its time in the response encoder (a 35 KB list page: ~20 µs
//! from memory, ~120 µs more for gzip, ~200 µs for zstd; bench/README.md).
//!
//! The codings and levels are `crate::compression`'s (actix-http's encoders: gzip at level 1,
//! zstd at level 3), and so is the rule of which bodies are compressed at all; a response that
//! already carries `Content-Encoding` is passed through by that middleware's encoder.

use actix_web::http::header::ContentEncoding;
use actix_web::web::Bytes;
use std::io::Write;
use std::sync::OnceLock;

/// The compressed forms of one body, each made when first asked for.
#[derive(Debug, Default)]
pub struct Encoded {
    zstd: OnceLock<Option<Bytes>>,
    gzip: OnceLock<Option<Bytes>>,
}

impl Encoded {
    /// `body` in `coding`, if it is one the API offers (else `None`: send it unencoded).
    pub fn get(&self, coding: ContentEncoding, body: &[u8]) -> Option<Bytes> {
        match coding {
            ContentEncoding::Zstd => self.zstd.get_or_init(|| zstd(body)).clone(),
            ContentEncoding::Gzip => self.gzip.get_or_init(|| gzip(body)).clone(),
            _ => None,
        }
    }
}

fn zstd(body: &[u8]) -> Option<Bytes> {
    zstd::bulk::compress(body, 3).ok().map(Bytes::from)
}

fn gzip(body: &[u8]) -> Option<Bytes> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(body).ok()?;
    encoder.finish().ok().map(Bytes::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn each_form_decodes_to_the_body_and_is_made_once() {
        let body = b"{\"items\":[1,2,3]}".repeat(100);
        let encoded = Encoded::default();
        let zstd_form = encoded.get(ContentEncoding::Zstd, &body).unwrap();
        assert_eq!(zstd::decode_all(&zstd_form[..]).unwrap(), body);
        let gzip_form = encoded.get(ContentEncoding::Gzip, &body).unwrap();
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&gzip_form[..])
            .read_to_end(&mut plain)
            .unwrap();
        assert_eq!(plain, body);
        // The same bytes (not encoded again) on the next request.
        let again = encoded.get(ContentEncoding::Zstd, &body).unwrap();
        assert_eq!(again.as_ptr(), zstd_form.as_ptr());
        assert!(encoded.get(ContentEncoding::Brotli, &body).is_none());
    }
}
