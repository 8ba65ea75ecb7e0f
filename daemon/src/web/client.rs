//! The client behind a request: its own address, or, behind the trusted proxies
//! (`web.trusted_proxies`), the rightmost `X-Forwarded-For` hop that is not one of them.
//! The login rate limit counts per client.

use crate::config::{parse_net, WebConfig};

/// The client behind a request from `peer`: the rightmost `X-Forwarded-For` entry not
/// a trusted proxy, when `peer` is one; else `peer`. A hop that is no address (a
/// proxy may write "unknown") stands for itself, as an address made from its text,
/// so that such clients do not share the proxy's allowance.
pub fn client_addr(
    web: &WebConfig,
    peer: std::net::IpAddr,
    forwarded_for: Option<&str>,
) -> std::net::IpAddr {
    let nets: Vec<ipnet::IpNet> = web
        .trusted_proxies
        .iter()
        .filter_map(|s| parse_net(s))
        .collect();
    let trusted = |a: &std::net::IpAddr| nets.iter().any(|n| n.contains(a));
    let peer = peer.to_canonical();
    if !trusted(&peer) {
        return peer;
    }
    let mut client = peer;
    for hop in forwarded_for.unwrap_or("").rsplit(',') {
        let hop = hop.trim();
        if hop.is_empty() {
            continue;
        }
        client = parse_hop(hop).unwrap_or_else(|| opaque_addr(hop));
        if !trusted(&client) {
            break;
        }
    }
    client
}

/// An `X-Forwarded-For` hop: an address, with or without a port.
fn parse_hop(hop: &str) -> Option<std::net::IpAddr> {
    hop.parse::<std::net::IpAddr>()
        .or_else(|_| hop.parse::<std::net::SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|a| a.to_canonical())
}

/// A stand-in address for a hop that is none: a /64 of the discard-only 100::/16 made
/// from a hash of its text.
fn opaque_addr(hop: &str) -> std::net::IpAddr {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    hop.hash(&mut h);
    let v = h.finish();
    std::net::IpAddr::V6(std::net::Ipv6Addr::new(
        0x0100,
        (v >> 48) as u16,
        (v >> 32) as u16,
        (v >> 16) as u16,
        0,
        0,
        0,
        0,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    #[test]
    fn the_client_is_read_from_trusted_proxies_only() {
        let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
        let mut web = crate::config::WebConfig::default();
        let xff = Some("203.0.113.9, 198.51.100.7, 10.0.0.5");
        assert_eq!(
            client_addr(&web, ip("10.0.0.1"), xff),
            ip("10.0.0.1"),
            "no proxy trusted"
        );
        web.trusted_proxies = vec!["10.0.0.0/8".into(), "127.0.0.1".into()];
        assert_eq!(
            client_addr(&web, ip("10.0.0.1"), xff),
            ip("198.51.100.7"),
            "the rightmost untrusted hop; what the client wrote before it does not count"
        );
        assert_eq!(
            client_addr(&web, ip("192.0.2.1"), xff),
            ip("192.0.2.1"),
            "an untrusted peer's header is ignored"
        );
        assert_eq!(client_addr(&web, ip("127.0.0.1"), None), ip("127.0.0.1"));
        assert_ne!(
            client_addr(&web, ip("127.0.0.1"), Some("unknown")),
            ip("127.0.0.1"),
            "a hop that is no address is not the proxy"
        );
        assert_ne!(
            client_addr(&web, ip("127.0.0.1"), Some("unknown")),
            client_addr(&web, ip("127.0.0.1"), Some("other")),
        );
        assert_eq!(
            client_addr(&web, ip("::ffff:127.0.0.1"), Some("198.51.100.7:4711")),
            ip("198.51.100.7"),
            "an IPv4 peer seen through an IPv6 socket, a hop with a port"
        );
    }
}
