//! The client's address, as far as this server can trust it.
//!
//! Normally it is the TCP peer. Behind a reverse proxy every client would then be the proxy, so
//! when the peer is one of the trusted proxies (`OGP_TRUSTED_PROXIES`), the address is taken from
//! the ONE forwarding header those proxies write (`OGP_FORWARDED_HEADER`: `X-Forwarded-For` by
//! default, or `Forwarded: for=` of RFC 7239): the right-most address that is not itself a
//! trusted proxy. Entries to the left of it were written by the client and could be anything.
//! The other header is never read: most proxies append to `X-Forwarded-For` but pass a
//! client's own `Forwarded` through untouched, so reading whichever is present would let a
//! client choose its address. From any other peer both are ignored.

use actix_web::dev::ServiceRequest;
use actix_web::http::header::{HeaderMap, FORWARDED};
use actix_web::web;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

pub use crate::policy::ForwardedHeader;

/// The client address of a request, in its extensions (set by the request-context middleware).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

const X_FORWARDED_FOR: &str = "x-forwarded-for";

/// `addr` with IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) written as IPv4, so one client has
/// one address whichever socket family it came in on.
pub fn canonical(addr: IpAddr) -> IpAddr {
    addr.to_canonical()
}

/// Parses one `OGP_TRUSTED_PROXIES` entry: a CIDR (`10.0.0.0/8`, `::1/128`) or a single address.
pub fn parse_trusted(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| {
            format!("`{text}` is not a CIDR range (like `10.0.0.0/8` or `::1/128`) or an address")
        })
}

/// The client address of `req` under the app's policy.
pub fn of(req: &ServiceRequest) -> Option<ClientAddr> {
    let peer = req.peer_addr()?.ip();
    let policy = req.app_data::<web::Data<crate::policy::Policy>>();
    let trusted = policy
        .map(|p| p.trusted_proxies.as_slice())
        .unwrap_or_default();
    let header = policy.map(|p| p.forwarded_header).unwrap_or_default();
    Some(ClientAddr(client_addr(
        peer,
        req.headers(),
        trusted,
        header,
    )))
}

/// The client address of a request from `peer` with `headers`, trusting the proxies in
/// `trusted` to write `header`.
pub fn client_addr(
    peer: IpAddr,
    headers: &HeaderMap,
    trusted: &[IpNet],
    header: ForwardedHeader,
) -> IpAddr {
    let peer = canonical(peer);
    let is_trusted = |addr: &IpAddr| trusted.iter().any(|net| net.contains(addr));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops = match header {
        ForwardedHeader::Forwarded if headers.contains_key(FORWARDED) => forwarded_for(headers),
        ForwardedHeader::XForwardedFor if headers.contains_key(X_FORWARDED_FOR) => {
            x_forwarded_for(headers)
        }
        _ => return peer,
    };
    // Right to left: skip our own proxies; the first other hop is the client. A hop that is not
    // an address (`unknown`, an obfuscated name, garbage) ends the walk at the proxy that wrote
    // it: those clients then share the proxy's budget rather than pick their own.
    let mut leftmost = None;
    for hop in hops.iter().rev() {
        match hop {
            Some(addr) if is_trusted(addr) => leftmost = Some(*addr),
            Some(addr) => return *addr,
            None => return leftmost.unwrap_or(peer),
        }
    }
    // Every hop is a trusted proxy: the farthest one is the closest thing to a client.
    leftmost.unwrap_or(peer)
}

/// All values of header `name`, in order, as one comma list (RFC 9110 §5.3).
fn joined(headers: &HeaderMap, name: impl actix_web::http::header::AsHeaderName) -> String {
    headers
        .get_all(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect::<Vec<_>>()
        .join(",")
}

/// The `for=` of each element of the `Forwarded` headers, left to right (`None`: not an address).
fn forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    split_outside_quotes(&joined(headers, FORWARDED), ',')
        .iter()
        .map(|element| {
            split_outside_quotes(element, ';')
                .iter()
                .filter_map(|pair| pair.split_once('='))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("for"))
                .and_then(|(_, value)| node(value))
        })
        .collect()
}

/// Each address of the `X-Forwarded-For` headers, left to right (`None`: not an address).
fn x_forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    joined(headers, X_FORWARDED_FOR)
        .split(',')
        .map(node)
        .collect()
}

/// Splits on `separator` where it is not inside a quoted string.
fn split_outside_quotes(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c == separator && !quoted => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// A node (RFC 7239 §6): `192.0.2.1`, `"192.0.2.1:80"`, `"[2001:db8::1]"`, `"[2001:db8::1]:80"`;
/// also a bare IPv6 address as some proxies write in `X-Forwarded-For`.
fn node(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    let text = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    let addr = if let Some(rest) = text.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        if !(after.is_empty() || after.strip_prefix(':').is_some_and(is_port)) {
            return None;
        }
        IpAddr::V6(inside.parse().ok()?)
    } else {
        match text.parse::<IpAddr>() {
            Ok(addr) => addr,
            Err(_) => text.parse::<SocketAddr>().ok()?.ip(),
        }
    };
    Some(canonical(addr))
}

/// A port as RFC 7239 allows it: digits, or an obfuscated `_name`.
fn is_port(text: &str) -> bool {
    !text.is_empty()
        && (text.bytes().all(|b| b.is_ascii_digit())
            || (text.starts_with('_')
                && text[1..]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))))
}

/// Who a client is, for its rate-limit budget and its read-your-writes routing: the API key's
/// name, else its address ([`address_key`]).
pub fn client_key(
    extensions: &actix_web::dev::Extensions,
    peer: Option<std::net::SocketAddr>,
) -> String {
    match extensions.get::<crate::actor::Actor>() {
        Some(actor) => format!("key:{}", actor.name),
        None => address_key(extensions, peer),
    }
}

/// A client by its address alone (what a trusted proxy forwarded, else the peer): `ip:…`.
pub fn address_key(
    extensions: &actix_web::dev::Extensions,
    peer: Option<std::net::SocketAddr>,
) -> String {
    let addr = extensions
        .get::<ClientAddr>()
        .map(|c| c.0)
        .or_else(|| peer.map(|a| canonical(a.ip())));
    addr.map_or_else(|| "ip:-".to_string(), |addr| format!("ip:{addr}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        map
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| parse_trusted(n).unwrap()).collect()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn nodes_with_quotes_ports_and_brackets() {
        assert_eq!(node("192.0.2.60"), Some(ip("192.0.2.60")));
        assert_eq!(node("\"192.0.2.60:4711\""), Some(ip("192.0.2.60")));
        assert_eq!(
            node("\"[2001:db8:cafe::17]\""),
            Some(ip("2001:db8:cafe::17"))
        );
        assert_eq!(
            node("\"[2001:db8:cafe::17]:4711\""),
            Some(ip("2001:db8:cafe::17"))
        );
        assert_eq!(node(" 2001:db8::1 "), Some(ip("2001:db8::1")));
        assert_eq!(node("::ffff:192.0.2.9"), Some(ip("192.0.2.9")), "mapped");
        for garbage in [
            "unknown",
            "_hidden",
            "",
            "\"[2001:db8::1\"",
            "[2001:db8::1]x",
            "300.1.1.1",
            "\"",
            "192.0.2.1:port",
        ] {
            assert_eq!(node(garbage), None, "{garbage:?}");
        }
    }

    #[test]
    fn forwarded_elements_and_parameters() {
        let map = headers(&[
            (
                "forwarded",
                "for=192.0.2.60;proto=http;by=203.0.113.43, For=\"[2001:db8:cafe::17]:4711\"",
            ),
            ("forwarded", "proto=https;for=10.0.0.5"),
            ("forwarded", "by=10.0.0.1"),
        ]);
        assert_eq!(
            forwarded_for(&map),
            vec![
                Some(ip("192.0.2.60")),
                Some(ip("2001:db8:cafe::17")),
                Some(ip("10.0.0.5")),
                None
            ]
        );
        // A quoted comma or semicolon does not split.
        let map = headers(&[(
            "forwarded",
            "for=\"198.51.100.7\";x=\"a,b;c\", for=10.0.0.2",
        )]);
        assert_eq!(
            forwarded_for(&map),
            vec![Some(ip("198.51.100.7")), Some(ip("10.0.0.2"))]
        );
    }

    const XFF: ForwardedHeader = ForwardedHeader::XForwardedFor;
    const FWD: ForwardedHeader = ForwardedHeader::Forwarded;

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client() {
        let trusted = nets(&["10.0.0.0/8", "::1/128"]);
        let proxy = ip("10.1.2.3");
        let xff = headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.0.0.9")]);
        assert_eq!(client_addr(proxy, &xff, &trusted, XFF), ip("198.51.100.7"));
        // Over IPv6 loopback, and split over two header lines.
        let xff = headers(&[
            ("x-forwarded-for", "6.6.6.6"),
            ("x-forwarded-for", "203.0.113.5"),
        ]);
        assert_eq!(
            client_addr(ip("::1"), &xff, &trusted, XFF),
            ip("203.0.113.5")
        );
        // Only the configured header counts: a client's own `Forwarded`, passed through by a
        // proxy that appends to X-Forwarded-For, is not read (and the other way round).
        let both = headers(&[
            ("forwarded", "for=192.0.2.60"),
            ("x-forwarded-for", "203.0.113.5"),
        ]);
        assert_eq!(client_addr(proxy, &both, &trusted, XFF), ip("203.0.113.5"));
        assert_eq!(client_addr(proxy, &both, &trusted, FWD), ip("192.0.2.60"));
        let forwarded_only = headers(&[("forwarded", "for=192.0.2.60")]);
        assert_eq!(client_addr(proxy, &forwarded_only, &trusted, XFF), proxy);
        // Only proxies: the farthest one.
        let inner = headers(&[("x-forwarded-for", "10.0.0.7, 10.0.0.8")]);
        assert_eq!(client_addr(proxy, &inner, &trusted, XFF), ip("10.0.0.7"));
        // Garbage at the right end: the clients share the proxy's address.
        let garbage = headers(&[("x-forwarded-for", "198.51.100.7, not-an-ip")]);
        assert_eq!(client_addr(proxy, &garbage, &trusted, XFF), proxy);
        let unknown = headers(&[("forwarded", "for=198.51.100.7, for=unknown, for=10.0.0.4")]);
        assert_eq!(client_addr(proxy, &unknown, &trusted, FWD), ip("10.0.0.4"));
        // No header: the peer.
        assert_eq!(client_addr(proxy, &HeaderMap::new(), &trusted, XFF), proxy);
    }

    #[test]
    fn untrusted_peers_cannot_forward() {
        let xff = headers(&[("x-forwarded-for", "198.51.100.7")]);
        let fwd = headers(&[("forwarded", "for=198.51.100.7")]);
        let peer = ip("203.0.113.9");
        assert_eq!(client_addr(peer, &xff, &nets(&["10.0.0.0/8"]), XFF), peer);
        assert_eq!(client_addr(peer, &fwd, &nets(&["10.0.0.0/8"]), FWD), peer);
        assert_eq!(client_addr(peer, &xff, &[], XFF), peer, "nobody trusted");
    }

    #[test]
    fn trusted_proxy_entries_parse_or_explain() {
        assert_eq!(
            parse_trusted(" 10.0.0.0/8").unwrap(),
            "10.0.0.0/8".parse().unwrap()
        );
        assert_eq!(
            parse_trusted("192.0.2.1").unwrap(),
            "192.0.2.1/32".parse().unwrap()
        );
        assert_eq!(parse_trusted("::1").unwrap(), "::1/128".parse().unwrap());
        for bad in ["10.0.0.0/33", "localhost", "", "10.0.0/8"] {
            let error = parse_trusted(bad).unwrap_err();
            assert!(error.contains("CIDR"), "{error}");
        }
    }
}
