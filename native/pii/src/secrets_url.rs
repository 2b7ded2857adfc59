//! `_carries_credentials` of _secrets.py and what it calls: `_url_parts` (with the checks
//! Python 3.11's `urlsplit` makes of a host with brackets or letters outside ASCII: the
//! bracketed IPv6 or IPvFuture host, and NFKC normalisation that would add a delimiter),
//! `_credential_in_query` (with `urllib.parse.unquote`) and the path check.

use super::{in_table, looks_like_token, tables};

const SENSITIVE_PARAMS: &[&str] = &[
    "token", "access_token", "refresh_token", "id_token", "auth", "auth_token", "key",
    "api_key", "apikey", "api-key", "secret", "client_secret", "password", "passwd", "pwd",
    "sig", "signature", "x-amz-signature", "x-amz-credential", "x-amz-security-token",
    "x-goog-signature", "sas", "private_token", "session", "sessionid", "jwt", "reset_token",
    "magic_token", "login_token", "invite_token", "confirmation_token", "verification_token",
    "activation_token", "otp_token", "sessiontoken", "security_token"];
const RANDOM_PARAMS: &[&str] = &[
    "code", "state", "otp", "magic", "reset", "nonce", "verifier", "code_verifier", "invite",
    "confirm", "verify", "activation", "hash", "t", "k", "s"];
const PATH_WORDS: &[&str] = &[
    "token", "magic", "login", "signin", "sign-in", "reset", "verify", "confirm", "invite",
    "invitation", "activate", "activation", "unsubscribe", "auth", "password", "onboard",
    "share", "access"];

pub fn carries_credentials(url: &str) -> bool {
    let (netloc, path, query, fragment) = match url_parts(url) {
        Some(parts) => parts,
        None => return false,
    };
    if let Some(at) = netloc.rfind('@') {
        let userinfo = &netloc[..at];
        if let Some(colon) = userinfo.find(':') {
            if !userinfo[colon + 1..].is_empty() {
                return true;
            }
        }
    }
    for part in [query, fragment] {
        if part.contains('=') && credential_in_query(part) {
            return true;
        }
    }
    let lowered_path = path.to_lowercase();
    if PATH_WORDS.iter().any(|w| lowered_path.contains(w)) {
        let segments: Vec<&str> = path.split('/').collect();
        for pair in segments.windows(2) {
            let (before, segment) = (pair[0], pair[1]);
            let chars: Vec<char> = segment.chars().collect();
            if looks_like_token(&chars) {
                let before = before.to_lowercase();
                if PATH_WORDS.iter().any(|w| before.contains(w)) {
                    return true;
                }
            }
        }
    }
    false
}

/// `_url_parts`: (netloc, path, query, fragment), None where urlsplit raises ValueError.
fn url_parts(url: &str) -> Option<(&str, &str, &str, &str)> {
    let rest = &url[url.find(':').unwrap() + 3..];
    let cut = rest.find(|c| c == '/' || c == '?' || c == '#').unwrap_or(rest.len());
    let netloc = &rest[..cut];
    if (netloc.contains('[') || netloc.contains(']') || !netloc.is_ascii())
        && !urlsplit_accepts(netloc) {
        return None;
    }
    let rest = &rest[cut..];
    let (path, fragment) = match rest.find('#') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, ""),
    };
    let (path, query) = match path.find('?') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => (path, ""),
    };
    Some((netloc, path, query, fragment))
}

/// Whether Python 3.11's urlsplit accepts the netloc (it raises ValueError otherwise).
fn urlsplit_accepts(netloc: &str) -> bool {
    let (open, close) = (netloc.contains('['), netloc.contains(']'));
    if open != close {
        return false; // "Invalid IPv6 URL"
    }
    if open {
        let after = &netloc[netloc.find('[').unwrap() + 1..];
        let host = match after.find(']') {
            Some(i) => &after[..i],
            None => after,
        };
        if !bracketed_host_valid(host) {
            return false;
        }
    }
    // _checknetloc: a character that NFKC turns into '/', '?', '#', '@' or ':'
    netloc.is_ascii() || !netloc.chars().any(|c| in_table(tables::NFKC_URL_DELIM, c))
}

/// `_check_bracketed_host`: an IPvFuture address, or an IPv6 address (an IPv4 one raises).
fn bracketed_host_valid(host: &str) -> bool {
    if let Some(rest) = host.strip_prefix('v') {
        // \Av[a-fA-F0-9]+\..+\Z
        let hex = rest.bytes().take_while(|b| b.is_ascii_hexdigit()).count();
        return hex > 0 && rest[hex..].starts_with('.') && rest.len() > hex + 1
            && !rest[hex + 1..].contains('\n');
    }
    ipv6_valid(host)
}

/// `ipaddress.IPv6Address(s)` succeeds.
fn ipv6_valid(s: &str) -> bool {
    if s.contains('/') {
        return false;
    }
    let addr = match s.find('%') {
        Some(i) => {
            let scope = &s[i + 1..];
            if scope.is_empty() || scope.contains('%') {
                return false;
            }
            &s[..i]
        }
        None => s,
    };
    if addr.is_empty() {
        return false;
    }
    let mut parts: Vec<String> = addr.split(':').map(|p| p.to_string()).collect();
    if parts.len() < 3 {
        return false;
    }
    if parts.last().unwrap().contains('.') {
        let v4 = parts.pop().unwrap();
        let ip = match ipv4_int(&v4) {
            Some(ip) => ip,
            None => return false,
        };
        parts.push(format!("{:x}", (ip >> 16) & 0xFFFF));
        parts.push(format!("{:x}", ip & 0xFFFF));
    }
    const HEXTETS: usize = 8;
    if parts.len() > HEXTETS + 1 {
        return false;
    }
    let mut skip_index = None;
    for i in 1..parts.len() - 1 {
        if parts[i].is_empty() {
            if skip_index.is_some() {
                return false;
            }
            skip_index = Some(i);
        }
    }
    let (parts_hi, parts_lo) = match skip_index {
        Some(skip) => {
            let mut hi = skip;
            let mut lo = parts.len() - skip - 1;
            if parts[0].is_empty() {
                hi -= 1;
                if hi != 0 {
                    return false;
                }
            }
            if parts.last().unwrap().is_empty() {
                lo -= 1;
                if lo != 0 {
                    return false;
                }
            }
            if (HEXTETS as isize) - ((hi + lo) as isize) < 1 {
                return false;
            }
            (hi, lo)
        }
        None => {
            if parts.len() != HEXTETS || parts[0].is_empty() || parts.last().unwrap().is_empty() {
                return false;
            }
            (parts.len(), 0)
        }
    };
    let hextet = |p: &str| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_hexdigit());
    parts[..parts_hi].iter().all(|p| hextet(p))
        && parts[parts.len() - parts_lo..].iter().all(|p| hextet(p))
}

/// `IPv4Address(s)._ip`
fn ipv4_int(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    let octets: Vec<&str> = s.split('.').collect();
    if octets.len() != 4 {
        return None;
    }
    let mut ip = 0u32;
    for octet in octets {
        if octet.is_empty() || !octet.bytes().all(|b| b.is_ascii_digit()) || octet.len() > 3
            || (octet != "0" && octet.starts_with('0')) {
            return None;
        }
        let value: u32 = octet.parse().ok()?;
        if value > 255 {
            return None;
        }
        ip = (ip << 8) | value;
    }
    Some(ip)
}

/// `_credential_in_query`
fn credential_in_query(query: &str) -> bool {
    for field in query.split('&') {
        let (name, value) = match field.find('=') {
            Some(i) => (&field[..i], &field[i + 1..]),
            None => continue,
        };
        if value.is_empty() {
            continue;
        }
        let name = if name.contains('+') || name.contains('%') {
            unquote(&name.replace('+', " "))
        } else {
            name.to_string()
        };
        let name = name.to_lowercase();
        if SENSITIVE_PARAMS.contains(&name.as_str()) {
            return true;
        }
        if RANDOM_PARAMS.contains(&name.as_str()) {
            let value = if value.contains('+') || value.contains('%') {
                unquote(&value.replace('+', " "))
            } else {
                value.to_string()
            };
            let chars: Vec<char> = value.chars().collect();
            if looks_like_token(&chars) {
                return true;
            }
        }
    }
    false
}

/// `urllib.parse.unquote`: %XX escapes in each run of ASCII characters become bytes,
/// decoded as UTF-8 with U+FFFD for what is not.
fn unquote(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while !rest.is_empty() {
        let ascii = rest.bytes().take_while(|b| b.is_ascii()).count();
        if ascii == 0 {
            let other = rest.find(|c: char| c.is_ascii()).unwrap_or(rest.len());
            out.push_str(&rest[..other]);
            rest = &rest[other..];
            continue;
        }
        let run = rest[..ascii].as_bytes();
        let mut bytes = Vec::with_capacity(run.len());
        let mut i = 0;
        while i < run.len() {
            if run[i] == b'%' && i + 2 < run.len() {
                let hex = |b: u8| (b as char).to_digit(16);
                if let (Some(h), Some(l)) = (hex(run[i + 1]), hex(run[i + 2])) {
                    bytes.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
            }
            bytes.push(run[i]);
            i += 1;
        }
        out.push_str(&String::from_utf8_lossy(&bytes));
        rest = &rest[ascii..];
    }
    out
}
