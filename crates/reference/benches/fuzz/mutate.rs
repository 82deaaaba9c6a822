//! Mutations of a recorded request: its target (bytes, query parameters, the resource and the
//! action), its filter and JSON body as trees (unknown fields and operators, odd values, deep
//! nesting, `__proto__`), its bytes, its headers (tokens, roles, content types and encodings)
//! and its method. Each request gets one to three of them.

use std::io::Write;

use serde_json::{Map, Value, json};

use super::dictionary::*;
use super::seeds::Seed;

/// xorshift64*: a fixed seed gives the same run.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// One of `items`, by value.
    fn word<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// A request ready to send.
#[derive(Debug, Clone)]
pub(crate) struct Mutated {
    pub(crate) method: String,
    pub(crate) target: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

/// One to three mutations of `seed`; `tokens` fill `<TOKEN>` and replace credentials.
pub(crate) fn mutate(seed: &Seed, rng: &mut Rng, tokens: &[String]) -> Mutated {
    let token = rng.pick(tokens).clone();
    let mut m = Mutated {
        method: seed.method.clone(),
        target: seed.target.replace("<TOKEN>", &token),
        headers: seed.headers.iter().map(|(k, v)| (k.clone(), v.replace("<TOKEN>", &token))).collect(),
        body: seed.body.clone(),
    };
    for _ in 0..1 + rng.below(3) {
        match rng.below(10) {
            0 => target_bytes(&mut m, rng),
            1 | 2 => query_parameter(&mut m, rng),
            3 => filter_tree(&mut m, rng),
            4 => body_tree(&mut m, rng),
            5 => body_bytes(&mut m, rng),
            6 | 7 => headers(&mut m, rng, tokens),
            8 => route(&mut m, rng),
            _ => m.method = rng.pick(&["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]).to_string(),
        }
    }
    m
}

fn target_bytes(m: &mut Mutated, rng: &mut Rng) {
    let mut bytes = m.target.clone().into_bytes();
    let at = rng.below(bytes.len() + 1);
    match rng.below(3) {
        0 => bytes.insert(at, *rng.pick(b"%&=[]{}.:/?#$\"'\\ ,;~-_0123456789aZ")),
        1 if !bytes.is_empty() => {
            bytes.remove(at.min(bytes.len() - 1));
        }
        _ => bytes.truncate(at.max(5)),
    }
    m.target = String::from_utf8_lossy(&bytes).replace([' ', '#'], "%20");
}

fn query_parameter(m: &mut Mutated, rng: &mut Rng) {
    let key = rng.pick(KEYS);
    let value = rng.pick(ODD);
    let value: String = value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.%$".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let separator = if m.target.contains('?') { '&' } else { '?' };
    m.target = format!("{}{separator}{key}={value}", m.target);
}

/// A random JSON value, `depth` levels deep at most.
fn value(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth == 0 { 6 } else { 9 }) {
        0 => Value::Null,
        1 => json!(rng.chance(50)),
        2 => json!(rng.pick(&[0.0, 1.0, -1.0, 1.5, 1e300, 9_007_199_254_740_993.0])),
        3 => json!(rng.pick(FIELDS)),
        4 => json!("x".repeat(rng.below(3) * 1000)),
        5 => json!(rng.pick(ODD)),
        6 => Value::Array((0..rng.below(4)).map(|_| value(rng, depth - 1)).collect()),
        _ => {
            let mut map = Map::new();
            for _ in 0..rng.below(4) {
                let key = if rng.chance(50) { rng.pick(OPERATORS) } else { rng.pick(FIELDS) };
                map.insert(key.to_string(), value(rng, depth - 1));
            }
            Value::Object(map)
        }
    }
}

/// Replaces a random node of `tree` (or wraps it, or nests it deeply).
fn mutate_tree(tree: &mut Value, rng: &mut Rng) {
    match rng.below(4) {
        0 => *tree = value(rng, 3),
        1 => {
            let mut wrapper = Map::new();
            wrapper.insert(rng.pick(&["$and", "$or", "$not"]).to_string(), json!([tree.take(), value(rng, 2)]));
            *tree = Value::Object(wrapper);
        }
        2 => {
            let depth = 1 + rng.below(400);
            let mut deep = tree.take();
            for _ in 0..depth {
                deep = json!({ "$and": [deep] });
            }
            *tree = deep;
        }
        _ => match tree {
            Value::Object(map) if !map.is_empty() => {
                let keys: Vec<String> = map.keys().cloned().collect();
                let key = rng.pick(&keys).clone();
                if rng.chance(50) {
                    let old = map.remove(&key).unwrap_or_default();
                    let renamed = if rng.chance(50) { rng.pick(OPERATORS) } else { rng.pick(FIELDS) };
                    map.insert(renamed.to_string(), old);
                } else if let Some(child) = map.get_mut(&key) {
                    mutate_tree(child, rng);
                }
            }
            Value::Array(items) if !items.is_empty() => {
                let i = rng.below(items.len());
                mutate_tree(&mut items[i], rng);
            }
            other => *other = value(rng, 2),
        },
    }
}

fn filter_tree(m: &mut Mutated, rng: &mut Rng) {
    let (path, query) = m.target.split_once('?').unwrap_or((&m.target, ""));
    let decoded = percent_encoding::percent_decode_str(query).decode_utf8_lossy().into_owned();
    let mut filter = decoded
        .split('&')
        .find_map(|p| p.strip_prefix("filter="))
        .and_then(|f| serde_json::from_str::<Value>(f).ok())
        .unwrap_or_else(|| json!({"title": "x"}));
    mutate_tree(&mut filter, rng);
    let encoded =
        percent_encoding::utf8_percent_encode(&filter.to_string(), percent_encoding::NON_ALPHANUMERIC).to_string();
    let rest: Vec<&str> = query.split('&').filter(|p| !p.is_empty() && !p.starts_with("filter=")).collect();
    let mut target = format!("{path}?filter={encoded}");
    for p in rest {
        target.push('&');
        target.push_str(p);
    }
    // Node's head budget: a filter past it is the 431 the wire layer gives, not the router's.
    if target.len() < 16_000 {
        m.target = target;
    }
}

fn body_tree(m: &mut Mutated, rng: &mut Rng) {
    let mut body = serde_json::from_slice::<Value>(&m.body).unwrap_or_else(|_| json!({"title": "x"}));
    mutate_tree(&mut body, rng);
    m.body = body.to_string().into_bytes();
    if rng.chance(10) {
        // A lone surrogate, which serde cannot write but JSON texts may hold.
        m.body = String::from_utf8_lossy(&m.body).replacen("\"x", "\"\\ud800x", 1).into_bytes();
    }
    set_header(m, "Content-Type", "application/json");
}

fn body_bytes(m: &mut Mutated, rng: &mut Rng) {
    let at = rng.below(m.body.len() + 1);
    match rng.below(4) {
        0 => m.body.insert(at, rng.next() as u8),
        1 if !m.body.is_empty() => {
            m.body.remove(at.min(m.body.len() - 1));
        }
        2 => m.body.truncate(at),
        _ => {
            const INSERTS: &[&[u8]] = &[b"\xEF\xBB\xBF", b"[[[[", b"}}", b"\\u0000", b"\"__proto__\":1,", b"\xff\xfe"];
            let insert = rng.word(INSERTS);
            m.body.splice(at..at, insert.iter().copied()).for_each(drop);
        }
    }
}

fn set_header(m: &mut Mutated, name: &str, value: &str) {
    m.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    m.headers.push((name.to_owned(), value.to_owned()));
}

fn headers(m: &mut Mutated, rng: &mut Rng, tokens: &[String]) {
    match rng.below(8) {
        0 => m.headers.retain(|(k, _)| !k.eq_ignore_ascii_case("authorization")),
        1 => {
            let token = rng.pick(tokens).clone();
            let value = rng.pick(&["Bearer ", "bearer  ", "", "Basic ", "Bearer x"]).to_string() + &token;
            set_header(m, "Authorization", &value);
        }
        2 => set_header(m, "X-Role", rng.word(ROLES)),
        3 => set_header(m, "X-Authenticator", rng.word(&["basic", "api-keys", "nosuch", ""])),
        4 => set_header(m, "Content-Type", rng.word(CONTENT_TYPES)),
        5 => {
            let encoding = *rng.pick(ENCODINGS);
            if rng.chance(50) {
                m.body = compress(encoding, &m.body);
            }
            set_header(m, "Content-Encoding", encoding);
        }
        6 => {
            let name = *rng.pick(&["Origin", "Referer"]);
            set_header(m, name, rng.word(&["http://127.0.0.1:13000", "http://evil.example", "null", "about:blank"]));
        }
        _ => {
            let name = *rng.pick(&["X-Forwarded-Proto", "X-Forwarded-Host", "Host", "X-Locale", "Cookie"]);
            set_header(m, name, rng.word(&["https", "a b", "", "zh-CN", "nb_role_main=admin", "example.com:99999"]));
        }
    }
}

fn compress(encoding: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let written = match encoding {
        "gzip" => {
            let mut e = flate2::write::GzEncoder::new(&mut out, flate2::Compression::fast());
            e.write_all(body).and_then(|_| e.finish().map(drop))
        }
        "deflate" => {
            let mut e = flate2::write::ZlibEncoder::new(&mut out, flate2::Compression::fast());
            e.write_all(body).and_then(|_| e.finish().map(drop))
        }
        _ => return body.to_vec(),
    };
    if written.is_ok() { out } else { body.to_vec() }
}

fn route(m: &mut Mutated, rng: &mut Rng) {
    let query = m.target.split_once('?').map(|(_, q)| format!("?{q}")).unwrap_or_default();
    let resource = rng.pick(RESOURCES);
    let action = rng.pick(ACTIONS);
    m.target = match rng.below(3) {
        0 => format!("/api/{resource}:{action}{query}"),
        1 => format!("/api/{resource}/{}{query}", rng.pick(&["1", "0", "-1", "abc", "1,2", ""])),
        _ => format!("/api/{resource}:{action}/{}{query}", rng.pick(&["1", "x", "%00"])),
    };
}
