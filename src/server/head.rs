//! Judging the first request head of a connection as it arrives: wait for more, hand it to
//! actix-http, or refuse it with a problem the front writes itself (`super::front`).
//!
//! Whether a complete head is acceptable is decided by actix-http's own HTTP/1 decoder
//! (`h1::Codec`, the one its dispatcher runs), so the front accepts exactly what the dispatcher
//! accepts and the dispatcher never has to refuse a first head. httparse (the parser inside that
//! decoder) is run again only to say *what* is wrong with a refused head.

use crate::error::ApiError;
use crate::request_target::MAX_TARGET_BYTES;
use actix_codec::Decoder;
use actix_http::error::ParseError;
use actix_http::h1::Codec;
use actix_http::ServiceConfig;
use actix_web::http::StatusCode;
use actix_web::web::BytesMut;

/// The largest first request head read (request line and headers), in bytes; more is a 431.
/// Half of actix-http's own buffer limit (128 KiB), so the dispatcher never meets a first head it
/// would refuse as too large. Nothing this API serves needs a head near this: targets are capped
/// at 16 KiB (`MAX_TARGET_BYTES`) and no header of the API is long.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// The most header fields a request may have: actix-http's own limit (`MAX_HEADERS`).
pub const MAX_HEADERS: usize = 96;

/// While the head is this small, it is parsed after every read, so garbage (a TLS handshake, a
/// binary probe) is refused at once; beyond it, only when an end of the head has arrived, which
/// keeps a client trickling a large head from costing a parse per byte.
const EAGER_PARSE_BYTES: usize = 8 * 1024;

/// What to do with the bytes of a connection read so far.
#[derive(Debug)]
pub enum Verdict {
    /// The head is not complete yet: read on.
    More,
    /// The head is complete and actix-http accepts it: hand the connection over.
    Ready,
    /// Answer with this problem and close the connection.
    Refuse(Refusal),
}

/// A refused head: the problem to answer with, and what the head said about itself.
#[derive(Debug)]
pub struct Refusal {
    /// The problem (status, type, title, detail).
    pub error: ApiError,
    /// The path of the request target, when the request line could be read; else empty.
    pub instance: String,
    /// The method, when the request line could be read (for the access log).
    pub method: Option<String>,
    /// The client's `X-Request-Id`, when the head could be parsed and it is a sane token.
    pub request_id: Option<String>,
}

/// Where the request line is, found by one pass over the bytes as they arrive.
#[derive(Debug, Default)]
pub struct HeadScan {
    /// Bytes already looked at.
    scanned: usize,
    /// Start of the request line (after the empty lines httparse skips).
    line_start: usize,
    /// A byte other than CR was seen on the current (first) line.
    line_has_content: bool,
    /// The request line's first space was seen without a method before it.
    no_method: bool,
    /// Start and (once seen) end of the request target.
    target: Option<(usize, Option<usize>)>,
    /// End of the request line (its LF).
    line_end: Option<usize>,
}

impl HeadScan {
    /// Looks at the new bytes at the end of `buf` (which only grows) and says what to do.
    /// `config` is the dispatcher's; only its decoder settings matter.
    pub fn judge(&mut self, buf: &[u8], config: &ServiceConfig) -> Verdict {
        let candidate_end = self.scan(buf);
        if let Some((length, whole)) = self.target_length(buf) {
            if length > MAX_TARGET_BYTES {
                return Verdict::Refuse(self.refusal(buf, too_long(length, whole), false));
            }
        }
        if candidate_end || buf.len() <= EAGER_PARSE_BYTES {
            match actix_decodes(buf, config) {
                Ok(true) => return Verdict::Ready,
                Ok(false) => {}
                Err(error) => {
                    let error = explain(buf, &error);
                    return Verdict::Refuse(self.refusal(buf, error, true));
                }
            }
        }
        if buf.len() > MAX_HEAD_BYTES {
            let error = ApiError::new(
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "header-fields-too-large",
                "Request header fields too large",
                format!(
                    "the request head (request line and headers) is over {MAX_HEAD_BYTES} bytes"
                ),
            );
            return Verdict::Refuse(self.refusal(buf, error, false));
        }
        Verdict::More
    }

    /// The refusal for a head that did not arrive whole: not within `deadline` (408), else
    /// (`None`) the client closed its side first (400).
    pub fn incomplete(&self, buf: &[u8], deadline: Option<std::time::Duration>) -> Refusal {
        let error = if let Some(deadline) = deadline {
            ApiError::request_timeout(format!(
                "the request head did not arrive whole within {} ms of connecting",
                deadline.as_millis()
            ))
        } else {
            ApiError::bad_request("the connection was closed before the request head was complete")
        };
        self.refusal(buf, error, false)
    }

    /// Scans the new bytes; true when they hold an end of the head (an empty line).
    fn scan(&mut self, buf: &[u8]) -> bool {
        let start = self.scanned;
        self.scanned = buf.len();
        for (i, &byte) in buf.iter().enumerate().skip(start) {
            if self.line_end.is_none() {
                match byte {
                    b'\n' if !self.line_has_content => self.line_start = i + 1,
                    b'\n' => {
                        self.line_end = Some(i);
                        if let Some((_, end @ None)) = &mut self.target {
                            *end = Some(if i > 0 && buf[i - 1] == b'\r' {
                                i - 1
                            } else {
                                i
                            });
                        }
                    }
                    b'\r' => {}
                    b' ' => {
                        self.line_has_content = true;
                        match &mut self.target {
                            None if self.no_method => {}
                            None if is_token(&buf[self.line_start..i]) => {
                                self.target = Some((i + 1, None));
                            }
                            None => self.no_method = true,
                            Some((_, end @ None)) => *end = Some(i),
                            Some(_) => {}
                        }
                    }
                    _ => self.line_has_content = true,
                }
            } else if byte == b'\n'
                && (buf[i - 1] == b'\n' || (buf[i - 1] == b'\r' && buf[i - 2] == b'\n'))
            {
                return true;
            }
        }
        false
    }

    /// Bytes of the request target so far, and whether that is all of it.
    fn target_length(&self, buf: &[u8]) -> Option<(usize, bool)> {
        self.target.map(|(start, end)| {
            (
                end.unwrap_or(buf.len()).saturating_sub(start),
                end.is_some(),
            )
        })
    }

    fn refusal(&self, buf: &[u8], error: ApiError, parsed: bool) -> Refusal {
        let method = self
            .target
            .map(|(start, _)| String::from_utf8_lossy(&buf[self.line_start..start - 1]).into());
        let instance = match self.target {
            Some((start, Some(end))) if end - start <= MAX_TARGET_BYTES => {
                let target = &buf[start..end];
                let path = target.split(|&b| b == b'?').next().unwrap_or_default();
                if path.iter().all(|b| (0x21..=0x7e).contains(b)) {
                    String::from_utf8_lossy(path).into_owned()
                } else {
                    String::new()
                }
            }
            _ => String::new(),
        };
        Refusal {
            error,
            instance,
            method,
            request_id: if parsed { client_request_id(buf) } else { None },
        }
    }
}

/// `tchar`s only (RFC 9110 §5.6.2), and at least one: a method.
fn is_token(bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Runs actix-http's HTTP/1 decoder over a copy of `buf`: `Ok(true)` for a complete head it
/// accepts, `Ok(false)` when it needs more bytes, else its error. The copy is of the first head
/// only, once per connection (or per read while the head is under `EAGER_PARSE_BYTES`).
fn actix_decodes(buf: &[u8], config: &ServiceConfig) -> Result<bool, ParseError> {
    let mut codec = Codec::new(config.clone());
    let mut copy = BytesMut::from(buf);
    codec.decode(&mut copy).map(|message| message.is_some())
}

/// The 414 of `crate::request_target`, given before the rest of the head is read. `whole`:
/// the end of the target was seen, so `length` is all of it, not a lower bound.
fn too_long(length: usize, whole: bool) -> ApiError {
    let at_least = if whole { "" } else { "at least " };
    ApiError::new(
        StatusCode::URI_TOO_LONG,
        "uri-too-long",
        "URI too long",
        format!(
            "the path and query string are {at_least}{length} bytes; at most {MAX_TARGET_BYTES} \
             are served"
        ),
    )
}

/// The problem for a head actix-http's decoder refused with `error`.
fn explain(buf: &[u8], error: &ParseError) -> ApiError {
    let malformed = |detail: &str| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed-request",
            "Malformed request",
            detail,
        )
    };
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    let parsed = request.parse(buf);
    match (error, parsed) {
        (ParseError::TooLarge, _) | (_, Err(httparse::Error::TooManyHeaders)) => ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "header-fields-too-large",
            "Request header fields too large",
            format!("the request has more than {MAX_HEADERS} header fields"),
        ),
        (_, Err(httparse::Error::Token)) => malformed(
            "the request line is not `METHOD target HTTP/1.1` (method, target and version \
             separated by single spaces, with characters HTTP allows)",
        ),
        (_, Err(httparse::Error::Version)) => {
            malformed("the HTTP version is not HTTP/1.0 or HTTP/1.1, the versions served here")
        }
        (_, Err(httparse::Error::HeaderName)) => {
            malformed("a header name holds a character HTTP does not allow in a name")
        }
        (_, Err(httparse::Error::HeaderValue)) => {
            malformed("a header value holds a control character")
        }
        (_, Err(httparse::Error::NewLine)) => {
            malformed("a line of the request head does not end with CRLF")
        }
        (ParseError::Method, _) => malformed("the method is not a valid HTTP method"),
        (ParseError::Uri(why), _) => {
            malformed(&format!("the request target is not a valid URI ({why})"))
        }
        (ParseError::Header, Ok(_)) => malformed(&header_problem(&request)),
        (other, _) => malformed(&format!("the request head is malformed ({other})")),
    }
}

/// Why actix-http refused the headers of a head httparse parsed: its framing rules (RFC 9112).
fn header_problem(request: &httparse::Request<'_, '_>) -> String {
    let named = |name: &str| {
        request
            .headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value)
            .collect::<Vec<_>>()
    };
    let hosts = named("host");
    let lengths = named("content-length");
    let encodings = named("transfer-encoding");
    if hosts.len() > 1 {
        "the request has more than one Host header".into()
    } else if hosts.is_empty() && request.version == Some(1) {
        "an HTTP/1.1 request needs a Host header".into()
    } else if lengths.len() > 1 {
        "the request has more than one Content-Length header".into()
    } else if lengths.iter().any(|v| {
        let v = String::from_utf8_lossy(v);
        let v = v.trim();
        v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) || v.parse::<u64>().is_err()
    }) {
        "Content-Length is not a decimal number of bytes".into()
    } else if !encodings.is_empty() {
        "Transfer-Encoding must be `chunked` alone, once, with HTTP/1.1, and without \
         Content-Length"
            .into()
    } else {
        "a header of the request is malformed".into()
    }
}

/// The client's `X-Request-Id`, if the head parses and it is a sane token.
fn client_request_id(buf: &[u8]) -> Option<String> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    request.parse(buf).ok()?;
    let id = request
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("x-request-id"))?;
    let id = std::str::from_utf8(id.value).ok()?;
    crate::middleware::is_valid_request_id(id).then(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge_all(bytes: &[u8]) -> Verdict {
        HeadScan::default().judge(bytes, &ServiceConfig::default())
    }

    fn refused(bytes: &[u8]) -> Refusal {
        match judge_all(bytes) {
            Verdict::Refuse(refusal) => refusal,
            other => panic!("{other:?} for {:?}", String::from_utf8_lossy(bytes)),
        }
    }

    #[actix_web::test]
    async fn a_good_head_is_ready_and_a_partial_one_wants_more() {
        assert!(matches!(
            judge_all(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n"),
            Verdict::Ready
        ));
        assert!(matches!(
            judge_all(b"\r\nPOST /a HTTP/1.1\nHost: x\nContent-Length: 2\n\nhi"),
            Verdict::Ready
        ));
        assert!(matches!(
            judge_all(b"GET /a HTTP/1.1\r\nHost: x\r\n"),
            Verdict::More
        ));
    }

    #[actix_web::test]
    async fn bytes_arriving_one_by_one_are_judged_the_same() {
        let head = b"GET /api/v1/countries?q=a HTTP/1.1\r\nHost: x\r\n\r\n";
        let mut scan = HeadScan::default();
        let config = ServiceConfig::default();
        for end in 1..head.len() {
            assert!(matches!(scan.judge(&head[..end], &config), Verdict::More));
        }
        assert!(matches!(scan.judge(head, &config), Verdict::Ready));
    }

    #[actix_web::test]
    async fn refusals_say_what_is_wrong() {
        let garbage = refused(b"GARBAGE\r\n\r\n");
        assert_eq!(garbage.error.status, StatusCode::BAD_REQUEST);
        assert!(garbage.error.detail.contains("request line"));

        let no_host = refused(b"GET /x HTTP/1.1\r\nX-Request-Id: abc-1\r\n\r\n");
        assert!(no_host.error.detail.contains("Host"), "{no_host:?}");
        assert_eq!(no_host.instance, "/x");
        assert_eq!(no_host.request_id.as_deref(), Some("abc-1"));
        assert_eq!(no_host.method.as_deref(), Some("GET"));

        let length = refused(b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\n");
        assert!(length.error.detail.contains("Content-Length"), "{length:?}");

        let mut many = b"GET /x?y=1 HTTP/1.1\r\nHost: x\r\n".to_vec();
        for i in 0..100 {
            many.extend_from_slice(format!("X-H{i}: v\r\n").as_bytes());
        }
        many.extend_from_slice(b"\r\n");
        let many = refused(&many);
        assert_eq!(
            many.error.status,
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
        );
        assert_eq!(many.instance, "/x");

        let tls = refused(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03]);
        assert_eq!(tls.error.status, StatusCode::BAD_REQUEST);
        assert_eq!(tls.instance, "");
    }

    #[actix_web::test]
    async fn a_long_target_is_a_414_before_the_head_is_complete() {
        let mut head = b"GET /".to_vec();
        head.resize(MAX_TARGET_BYTES + 10, b'a');
        let refusal = refused(&head);
        assert_eq!(refusal.error.status, StatusCode::URI_TOO_LONG);
        assert_eq!(refusal.instance, "", "a target that long is not echoed");
    }

    #[actix_web::test]
    async fn a_head_over_the_limit_is_a_431() {
        let mut head = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: ".to_vec();
        head.resize(MAX_HEAD_BYTES + 1, b'a');
        let mut scan = HeadScan::default();
        let config = ServiceConfig::default();
        assert!(matches!(
            scan.judge(&head[..MAX_HEAD_BYTES], &config),
            Verdict::More
        ));
        match scan.judge(&head, &config) {
            Verdict::Refuse(refusal) => {
                assert_eq!(refusal.error.status.as_u16(), 431);
                assert_eq!(refusal.instance, "/");
            }
            other => panic!("{other:?}"),
        }
    }
}
