//! Benchmark: the reference server next to real NocoBase, in one run, on the tutorial's hot path —
//! `GET /api/todos:list` with only `Authorization: Bearer <API key>`.
//!
//! For the reference server (the release binary, `serve --port 0`, its own process): time from
//! process launch to the first `200` on `__health_check`, throughput and latency percentiles with
//! 1 and 16 keep-alive connections, and resident memory before and after the load. For NocoBase
//! (when one answers at `NOCOBASE_BASE_URL`, default `http://127.0.0.1:13000/api`, signed in as
//! `NOCOBASE_ACCOUNT` / `NOCOBASE_PASSWORD`, default the install's admin): the same load figures;
//! its memory when `NOCOBASE_PID` names its node process. On each target the benchmark creates a
//! collection, a role and an API key named with a tag of its own, gives the role to the signed-in
//! admin, and removes all of it afterwards, also when the set-up fails half way.
//!
//! `cargo bench --bench reference_server [-- --seconds N]`. The load generator shares the machine's
//! cores with the server under test, as wrk would.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use nocobase_conformance::client::{Credential, NocoClient};
use nocobase_conformance::exchange::Exchange;
use nocobase_conformance::secret::Secret;
use serde_json::{Value, json};
use url::Url;

/// Figures of one load run.
struct Load {
    connections: usize,
    requests: usize,
    errors: usize,
    seconds: f64,
    p50_us: u64,
    p90_us: u64,
    p99_us: u64,
    max_us: u64,
}

impl Load {
    fn rate(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
}

/// Drives `connections` keep-alive connections for `duration`, one request in flight on each.
async fn load(url: &Url, key: &str, connections: usize, duration: Duration) -> Load {
    let host = url.host_str().unwrap_or("127.0.0.1").to_owned();
    let port = url.port_or_known_default().unwrap_or(80);
    let path = url.path().to_owned();
    let deadline = Instant::now() + duration;
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (host, path, key) = (host.clone(), path.clone(), key.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut latencies: Vec<u64> = Vec::new();
            let mut errors = 0;
            let Ok(stream) = tokio::net::TcpStream::connect((host.as_str(), port)).await else {
                return (latencies, 1);
            };
            let _ = stream.set_nodelay(true);
            let Ok((mut sender, conn)) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await else {
                return (latencies, 1);
            };
            tokio::spawn(conn);
            while Instant::now() < deadline {
                let request = hyper::Request::get(path.as_str())
                    .header("host", host.as_str())
                    .header("authorization", format!("Bearer {key}"))
                    .body(Empty::<Bytes>::new());
                let Ok(request) = request else { break };
                let started = Instant::now();
                match sender.send_request(request).await {
                    Ok(response) => {
                        let ok = response.status() == 200;
                        let _ = response.into_body().collect().await;
                        if ok {
                            latencies.push(started.elapsed().as_micros() as u64);
                        } else {
                            errors += 1;
                        }
                    }
                    Err(_) => {
                        errors += 1;
                        break;
                    }
                }
            }
            (latencies, errors)
        }));
    }
    let started = Instant::now();
    let mut all = Vec::new();
    let mut errors = 0;
    for task in tasks {
        if let Ok((latencies, e)) = task.await {
            all.extend(latencies);
            errors += e;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    all.sort_unstable();
    let pct =
        |p: f64| all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1))).copied().unwrap_or(0);
    Load {
        connections,
        requests: all.len(),
        errors,
        seconds,
        p50_us: pct(0.50),
        p90_us: pct(0.90),
        p99_us: pct(0.99),
        max_us: all.last().copied().unwrap_or(0),
    }
}

/// What a benchmark run creates on a target, recorded before each creating request is sent
/// (every name carries the run's tag, so removing by it can only touch the run's own things),
/// so that a set-up failing half way still removes what it made.
struct Created {
    client: NocoClient,
    admin: Credential,
    /// The signed-in admin's user id (not assumed to be 1).
    admin_id: i64,
    collection: Option<String>,
    role: Option<String>,
    /// Whether the admin was (perhaps) given the role.
    role_given: bool,
    /// The name of the API key the run asked for.
    key_name: Option<String>,
}

impl Created {
    /// Signs in; nothing is created yet.
    async fn sign_in(base: &Url, account: &str, password: &Secret) -> Result<Self, String> {
        let client = NocoClient::new(base, Duration::from_secs(30)).map_err(|e| e.to_string())?;
        let signed = client.auth_sign_in(account, password).await.map_err(|e| e.to_string())?;
        if signed.status != 200 {
            return Err(format!("signing in as {account} answered {}", signed.status));
        }
        let token = signed.pointer("/data/token").and_then(Value::as_str).ok_or("sign-in gave no token")?.to_owned();
        let admin_id = signed.pointer("/data/user/id").and_then(Value::as_i64).ok_or("sign-in gave no user id")?;
        Ok(Self {
            client,
            admin: Credential::Bearer(Secret::new(token)),
            admin_id,
            collection: None,
            role: None,
            role_given: false,
            key_name: None,
        })
    }

    /// Creates a `todos` collection with three to-dos, a role allowed to view it, gives the role
    /// to the admin and issues a key for it. Returns the list URL and the key.
    async fn set_up(&mut self, tag: &str) -> Result<(Url, String), String> {
        let collection = format!("bench_todos_{tag}");
        let role = format!("bench_role_{tag}");
        let key_name = format!("bench_key_{tag}");
        let fields = json!([
            {"name": "title", "type": "string", "interface": "input"},
            {"name": "completed", "type": "boolean", "interface": "checkbox"}
        ]);
        self.collection = Some(collection.clone());
        ok(self
            .client
            .collections_create(&self.admin, json!({"name": collection, "title": "To Dos", "fields": fields}))
            .await)?;
        for title in ["eat food", "sleep", "play games"] {
            ok(self.client.records_create(&self.admin, &collection, json!({"title": title})).await)?;
        }
        self.role = Some(role.clone());
        ok(self.client.roles_create(&self.admin, json!({"name": role, "title": format!("Bench Role {tag}")})).await)?;
        let grant = json!({"name": collection, "dataSourceKey": "main", "usingActionsConfig": true,
                           "actions": [{"name": "view", "fields": ["id", "title", "completed"]}]});
        ok(self.client.role_resources_create(&self.admin, &role, &collection, grant).await)?;
        self.role_given = true;
        ok(self.client.role_users_add(&self.admin, &role, &[self.admin_id]).await)?;
        self.key_name = Some(key_name.clone());
        let created = ok(self
            .client
            .api_keys_create(&self.admin, json!({"name": key_name, "role": {"name": role}, "expiresIn": "1d"}))
            .await)?;
        let key = created.pointer("/data/token").and_then(Value::as_str).ok_or("no key issued")?.to_owned();
        let url = self.client.url(&format!("{collection}:list")).map_err(|e| e.to_string())?;
        Ok((url, key))
    }

    /// Removes what the run created, newest first, and signs out; answers what could not be
    /// removed.
    async fn remove(self) -> Vec<String> {
        let mut left = Vec::new();
        if let Some(name) = &self.key_name {
            // apiKeys:create answers only the token: the key's id is found by its run-tagged name
            // among the admin's own keys, and the key is destroyed by that id.
            let query = format!("filter={}", json!({"name": name}));
            match ok(self.client.api_keys_list(&self.admin, &query).await) {
                Ok(list) => {
                    let ids: Vec<i64> = list
                        .pointer("/data")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter(|k| k["name"] == json!(name))
                        .filter_map(|k| k["id"].as_i64())
                        .collect();
                    for id in ids {
                        if let Err(e) = ok(self.client.api_keys_destroy(&self.admin, id).await) {
                            left.push(format!("API key {name} (id {id}): {e}"));
                        }
                    }
                }
                Err(e) => left.push(format!("API key {name}: {e}")),
            }
        }
        if let Some(role) = &self.role {
            if self.role_given
                && let Err(e) = ok(self.client.role_users_remove(&self.admin, role, &[self.admin_id]).await)
            {
                left.push(format!("role {role} of user {}: {e}", self.admin_id));
            }
            if let Err(e) = ok(self.client.roles_destroy(&self.admin, role).await) {
                left.push(format!("role {role}: {e}"));
            }
        }
        if let Some(collection) = &self.collection
            && let Err(e) = ok(self.client.collections_destroy(&self.admin, collection).await)
        {
            left.push(format!("collection {collection}: {e}"));
        }
        // The sign-in's session, last: everything above needed it.
        if let Err(e) = ok(self.client.auth_sign_out(&self.admin).await) {
            left.push(format!("the admin's session: {e}"));
        }
        left
    }
}

/// A step's exchange if the target answered it with a 200.
fn ok(step: nocobase_conformance::error::Result<Exchange>) -> Result<Exchange, String> {
    let exchange = step.map_err(|e| e.to_string())?;
    if exchange.status == 200 {
        Ok(exchange)
    } else {
        Err(format!("{} answered {}", exchange.request_line(), exchange.status))
    }
}

/// A tag no other run shares: the names of what a run creates carry it.
fn run_tag(target: &str) -> String {
    let millis = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis());
    format!("{target}_{:x}_{millis:x}", std::process::id())
}

/// Sets the tutorial's state up on `base`, runs `measure` against it, and removes what was
/// created whether the set-up or the measurement succeeded or not.
async fn with_tutorial_state<T>(
    base: &Url,
    target: &str,
    account: &str,
    password: &Secret,
    measure: impl AsyncFnOnce(Url, String) -> T,
) -> Result<T, String> {
    let mut created = Created::sign_in(base, account, password).await?;
    let outcome = match created.set_up(&run_tag(target)).await {
        Ok((url, key)) => Ok(measure(url, key).await),
        Err(e) => Err(format!("set-up failed: {e}")),
    };
    for problem in created.remove().await {
        eprintln!("{target}: could not remove {problem}");
    }
    outcome
}

/// Resident and peak memory of a process, in MB.
fn memory(pid: u32) -> Option<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb = |field: &str| -> Option<f64> {
        status.lines().find(|l| l.starts_with(field))?.split_whitespace().nth(1)?.parse::<f64>().ok()
    };
    Some((kb("VmRSS:")? / 1024.0, kb("VmHWM:")? / 1024.0))
}

fn print_load(target: &str, l: &Load) {
    println!(
        "{target:<18} {:>3} conn  {:>9.0} req/s  p50 {:>6.2} ms  p90 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms  ({} requests, {} errors)",
        l.connections,
        l.rate(),
        l.p50_us as f64 / 1000.0,
        l.p90_us as f64 / 1000.0,
        l.p99_us as f64 / 1000.0,
        l.max_us as f64 / 1000.0,
        l.requests,
        l.errors
    );
}

async fn bench_reference(seconds: u64) -> Result<(), String> {
    let binary = env!("CARGO_BIN_EXE_nocobase-conformance");
    let launched = Instant::now();
    let mut child = Command::new(binary)
        .args(["serve", "--port", "0", "--app-key", "bench-app-key"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot launch {binary}: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut reader = BufReader::new(stdout);
    let mut first_line = String::new();
    reader.read_line(&mut first_line).map_err(|e| e.to_string())?;
    // Keep reading what the server prints, so that its stdout never closes under it.
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    let base = first_line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .ok_or_else(|| format!("unexpected first line: {first_line}"))?;
    let base = Url::parse(base).map_err(|e| e.to_string())?;
    let health = format!("{base}/__health_check");
    let http = nocobase_conformance::client::http().build().map_err(|e| e.to_string())?;
    let mut last: String;
    let ready_after = loop {
        match http.get(&health).send().await {
            Ok(r) if r.status() == 200 => break launched.elapsed(),
            Ok(r) => last = format!("status {}", r.status()),
            Err(e) => last = format!("{e:?}"),
        }
        if launched.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            return Err(format!("the reference server at {health} did not become ready in 10 s (last: {last})"));
        }
        tokio::time::sleep(Duration::from_micros(200)).await;
    };
    let idle = memory(child.id());
    let measured =
        with_tutorial_state(&base, "ref", "admin@nocobase.com", &Secret::new("admin123"), async |url, key| {
            let _warm = load(&url, &key, 4, Duration::from_secs(1)).await;
            let one = load(&url, &key, 1, Duration::from_secs(seconds)).await;
            let sixteen = load(&url, &key, 16, Duration::from_secs(seconds)).await;
            (one, sixteen)
        })
        .await;
    let (one, sixteen) = match measured {
        Ok(loads) => loads,
        Err(e) => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(e);
        }
    };
    let loaded = memory(child.id());
    let _ = child.kill();
    let _ = child.wait();

    println!("reference server   launch → first 200 on __health_check: {:.1} ms", ready_after.as_secs_f64() * 1000.0);
    print_load("reference server", &one);
    print_load("reference server", &sixteen);
    if let (Some((idle_rss, _)), Some((rss, peak))) = (idle, loaded) {
        println!("reference server   memory: {idle_rss:.1} MB idle, {rss:.1} MB after the load, peak {peak:.1} MB");
    }
    Ok(())
}

#[expect(
    clippy::disallowed_methods,
    reason = "a bench binary takes its target from the environment, as the README documents"
)]
async fn bench_nocobase(seconds: u64) -> Result<(), String> {
    let base = std::env::var("NOCOBASE_BASE_URL").unwrap_or_else(|_| "http://127.0.0.1:13000/api".into());
    let base = Url::parse(&base).map_err(|e| e.to_string())?;
    let probe =
        nocobase_conformance::client::http().timeout(Duration::from_secs(2)).build().map_err(|e| e.to_string())?;
    match probe.get(format!("{base}/__health_check")).send().await {
        Ok(r) if r.status() == 200 => {}
        _ => {
            println!(
                "NocoBase           not measured: nothing answers at {base} (start it with scripts/nocobase.sh start)"
            );
            return Ok(());
        }
    }
    let account = std::env::var("NOCOBASE_ACCOUNT").unwrap_or_else(|_| "admin@nocobase.com".into());
    let password = Secret::new(std::env::var("NOCOBASE_PASSWORD").unwrap_or_else(|_| "admin123".into()));
    let (one, sixteen) = with_tutorial_state(&base, "nocobase", &account, &password, async |url, key| {
        let _warm = load(&url, &key, 4, Duration::from_secs(2)).await;
        let one = load(&url, &key, 1, Duration::from_secs(seconds)).await;
        let sixteen = load(&url, &key, 16, Duration::from_secs(seconds)).await;
        (one, sixteen)
    })
    .await?;
    print_load("NocoBase", &one);
    print_load("NocoBase", &sixteen);
    if let Some(pid) = std::env::var("NOCOBASE_PID").ok().and_then(|p| p.parse().ok())
        && let Some((rss, peak)) = memory(pid)
    {
        println!("NocoBase           memory: {rss:.1} MB after the load, peak {peak:.1} MB");
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seconds = args
        .iter()
        .position(|a| a == "--seconds")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    if args.iter().any(|a| a == "--list") {
        return;
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start a runtime: {e}");
            std::process::exit(2);
        }
    };
    runtime.block_on(async {
        if let Err(e) = bench_reference(seconds).await {
            eprintln!("reference server benchmark failed: {e}");
            std::process::exit(1);
        }
        if let Err(e) = bench_nocobase(seconds).await {
            eprintln!("NocoBase benchmark failed: {e}");
        }
    });
}
