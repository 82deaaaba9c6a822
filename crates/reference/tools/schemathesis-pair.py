#!/usr/bin/env python3
"""Pairs two servers (real NocoBase and the reference server) on the same schemathesis-generated requests.

    python3 schemathesis-pair.py --a http://127.0.0.1:13000 --b http://127.0.0.1:13100
    python3 schemathesis-pair.py --a ... --b ... --requests out/requests.jsonl     # replay a fixed request list
    python3 schemathesis-pair.py --a ... --generate-only                           # only write requests.jsonl

How it stays deterministic
  1. Both servers are brought to the same state first (--fresh, default): sign in as the admin, drop and re-create
     the `todos` collection exactly as fixtures/recordings/2.2.15-api/13 does, insert the same 3 rows, make sure
     role `todos_api_role` exists with the UI's per-collection grant and belongs to user 1, and issue an API key.
  2. The OpenAPI document is fetched from both (`GET /api/swagger:get?ns=collections/todos`, admin token); the one
     of server A drives generation (they are compared and the difference, if any, is reported).
  3. Requests are generated ONCE, offline, by schemathesis' strategies under hypothesis with `derandomize=True`
     (same schemathesis/hypothesis versions + same document -> same requests), positive and negative modes, and
     written to requests.jsonl as exact request bytes (method, request-target, headers, body). Given
     --requests FILE, generation is skipped and that file is replayed: the strongest form of "same requests".
  4. Replay: request i is sent to A, then to B, over a fresh raw TCP connection each (Connection: close), so both
     servers see identical bytes except Host and Authorization (each server's own API key, or --auth none).
     The two servers' states evolve in lockstep because they get the same sequence of writes.
  5. Report: "same status %" and "same status and body %" (bodies compared as parsed JSON when both are JSON, key
     order ignored, ISO timestamps masked; else byte-exact), per operation, plus the mismatches in pairs.jsonl.
Needs: pip install schemathesis (4.x; tested with 4.32.5). Standard library otherwise.
"""
import argparse
import base64
import collections
import json
import os
import re
import socket
import sys
import time
import urllib.parse

TODOS = {
    "name": "todos", "title": "To Dos", "autoGenId": False, "createdAt": False, "updatedAt": False, "sortable": False,
    "fields": [
        {"name": "id", "type": "bigInt", "interface": "integer", "autoIncrement": True, "primaryKey": True, "allowNull": False,
         "uiSchema": {"type": "number", "title": "ID", "x-component": "InputNumber", "x-read-pretty": True}},
        {"name": "title", "type": "string", "interface": "input", "uiSchema": {"type": "string", "title": "Title", "x-component": "Input"}},
        {"name": "completed", "type": "boolean", "interface": "checkbox", "uiSchema": {"type": "boolean", "title": "Completed", "x-component": "Checkbox"}},
    ],
}
ROWS = [{"title": "Buy milk", "completed": False}, {"title": "Write API docs", "completed": True}, {"title": "Walk the dog", "completed": False}]
ROLE = "todos_api_role"
FIELDS = ["id", "title", "completed"]
GRANT = {"usingActionsConfig": True, "actions": [
    {"name": "create", "fields": FIELDS}, {"name": "view", "fields": FIELDS}, {"name": "update", "fields": FIELDS},
    {"name": "destroy"}, {"name": "export", "fields": FIELDS}, {"name": "importXlsx", "fields": FIELDS}],
    "name": "todos", "dataSourceKey": "main"}

# ------------------------------------------------------------------------------------------------ raw HTTP


def split_base(base):
    u = urllib.parse.urlsplit(base)
    return u.hostname, u.port or 80


def raw_http(base, method, target, headers, body=b"", timeout=60):
    """Sends exactly these bytes (plus Host, Content-Length, Connection: close). Returns (status, headers, body)
    or (None, {}, error-text) when the server closed without an answer."""
    host, port = split_base(base)
    lines = [f"{method} {target} HTTP/1.1".encode("latin-1"), f"Host: {host}:{port}".encode()]
    for k, v in headers:
        lines.append(k.encode("latin-1") + b": " + (v if isinstance(v, bytes) else v.encode("latin-1")))
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(b"Content-Length: %d" % len(body))
    lines.append(b"Connection: close")
    data = b"\r\n".join(lines) + b"\r\n\r\n" + (body or b"")
    s = socket.create_connection((host, port), timeout=timeout)
    try:
        s.sendall(data)
        chunks = []
        while True:
            try:
                b = s.recv(65536)
            except ConnectionResetError:
                break
            if not b:
                break
            chunks.append(b)
    finally:
        s.close()
    raw = b"".join(chunks)
    if not raw:
        return None, {}, b"(connection closed without an answer)"
    head, _, rest = raw.partition(b"\r\n\r\n")
    hl = head.split(b"\r\n")
    try:
        status = int(hl[0].split(b" ")[1])
    except Exception:
        return None, {}, raw
    hdrs = {}
    for line in hl[1:]:
        k, _, v = line.partition(b":")
        hdrs[k.strip().lower().decode("latin-1")] = v.strip().decode("latin-1")
    if hdrs.get("transfer-encoding", "").lower() == "chunked":
        out = b""
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            try:
                n = int(size_line.split(b";")[0], 16)
            except ValueError:
                break
            if n == 0:
                break
            out += rest[:n]
            rest = rest[n + 2:]
        rest = out
    return status, hdrs, rest


def api(base, method, path, token=None, body=None, headers=None):
    h = list((headers or {}).items())
    if token:
        h.append(("Authorization", "Bearer " + token))
    data = b""
    if body is not None:
        data = json.dumps(body).encode()
        h.append(("Content-Type", "application/json"))
    st, hd, b = raw_http(base, method, path, h, data)
    try:
        return st, json.loads(b)
    except Exception:
        return st, b.decode("utf-8", "replace")

# ------------------------------------------------------------------------------------------------ setup


def setup(base, account, password, fresh=True, log=print):
    st, b = api(base, "POST", "/api/auth:signIn", body={"account": account, "password": password},
                headers={"X-Authenticator": "basic"})
    if st != 200:
        raise SystemExit(f"{base}: sign-in failed: {st} {b}")
    admin = b["data"]["token"]
    if fresh:
        st, b = api(base, "GET", "/api/collections:get?filterByTk=todos", admin)
        if st == 200 and isinstance(b, dict) and b.get("data"):
            api(base, "POST", "/api/collections:destroy?filterByTk=todos", admin)
        st, b = api(base, "POST", "/api/collections:create", admin, TODOS)
        if st != 200:
            raise SystemExit(f"{base}: collections:create todos: {st} {b}")
        for r in ROWS:
            api(base, "POST", "/api/todos:create", admin, r)
    api(base, "POST", "/api/roles:create", admin, {"name": ROLE, "title": "To Dos API Role"})  # may already exist
    q = "filter%5BdataSourceKey%5D=main&filter%5Bname%5D=todos"
    st, b = api(base, "GET", f"/api/roles/{ROLE}/dataSourceResources:get?{q}", admin)
    if st == 200 and isinstance(b, dict) and b.get("data"):
        api(base, "POST", f"/api/roles/{ROLE}/dataSourceResources:update?filterByTk=todos&{q}", admin, GRANT)
    else:
        api(base, "POST", f"/api/roles/{ROLE}/dataSourceResources:create", admin, GRANT)
    api(base, "POST", f"/api/roles/{ROLE}/users:add", admin, [1])
    time.sleep(1.1)  # a key is {userId, roleName, iat, exp}: keep keys of two runs distinct
    st, b = api(base, "POST", "/api/apiKeys:create", admin, {"name": "schemathesis-pair", "role": {"name": ROLE}, "expiresIn": "1d"})
    if st != 200 or not isinstance(b, dict) or "token" not in b.get("data", {}):
        raise SystemExit(f"{base}: apiKeys:create: {st} {b}")
    key = b["data"]["token"]
    st, doc = api(base, "GET", "/api/swagger:get?ns=collections%2Ftodos", admin)
    if st != 200 or not isinstance(doc, dict):
        raise SystemExit(f"{base}: swagger:get: {st} {str(doc)[:200]}")
    log(f"{base}: ready (fresh={fresh}); OpenAPI paths: {sorted(doc.get('paths', {}))}")
    return admin, key, doc

# ------------------------------------------------------------------------------------------------ generation


def generate(doc, max_examples, modes, log=print):
    import schemathesis
    import requests
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis import GenerationMode

    schema = schemathesis.openapi.from_dict(doc)
    out = []
    for result in schema.get_all_operations():
        op = result.ok()
        for mode_name in modes:
            mode = GenerationMode(mode_name)
            strategy = op.as_strategy(generation_mode=mode)

            @settings(max_examples=max_examples, derandomize=True, database=None, deadline=None,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            @given(strategy)
            def collect(case):
                kw = case.as_transport_kwargs(base_url="http://placeholder/api/")
                headers = {k: v for k, v in (kw.get("headers") or {}).items()
                           if k.lower() not in ("host", "content-length", "connection", "x-schemathesis-testcaseid")}
                generated_auth = headers.pop("Authorization", None)
                try:
                    req = requests.Request(kw["method"], kw["url"], params=kw.get("params"), headers=headers,
                                           json=kw.get("json"), data=kw.get("data"), cookies=kw.get("cookies")).prepare()
                except Exception as e:  # unsendable (e.g. a header value outside latin-1)
                    out.append({"operation": op.label, "mode": mode_name, "unsendable": repr(e)})
                    return
                u = urllib.parse.urlsplit(req.url)
                target = u.path + ("?" + u.query if u.query else "")
                body = req.body or b""
                if isinstance(body, str):
                    body = body.encode("utf-8")
                hdrs = []
                for k, v in req.headers.items():
                    if k.lower() in ("content-length", "host", "connection"):
                        continue
                    hdrs.append([k, v if isinstance(v, str) else v.decode("latin-1")])
                out.append({"operation": op.label, "mode": mode_name, "method": req.method, "target": target,
                            "headers": hdrs, "generated_authorization": generated_auth,
                            "body_b64": base64.b64encode(body).decode()})

            collect()
            log(f"generated {op.label} [{mode_name}]: {sum(1 for r in out if r['operation'] == op.label and r['mode'] == mode_name)}")
    for i, r in enumerate(out):
        r["i"] = i
    return out

# ------------------------------------------------------------------------------------------------ comparison


ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def norm(v):
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items()}
    if isinstance(v, list):
        return [norm(x) for x in v]
    if isinstance(v, str) and ISO.match(v):
        return "<timestamp>"
    return v


def body_key(b):
    try:
        return ("json", norm(json.loads(b)))
    except Exception:
        return ("raw", b)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--a", default="http://127.0.0.1:13000", help="server A (drives generation; normally real NocoBase)")
    ap.add_argument("--b", default="http://127.0.0.1:13100", help="server B (normally the reference server)")
    ap.add_argument("--account", default="admin@nocobase.com")
    ap.add_argument("--password", default="admin123")
    ap.add_argument("--no-fresh", action="store_true", help="do not drop/re-create todos (states may then differ)")
    ap.add_argument("--auth", choices=["key", "admin", "none", "generated"], default="key",
                    help="Authorization sent: each server's API key (default), its admin session, none, or schemathesis' own value")
    ap.add_argument("--max-examples", type=int, default=25, help="per operation and mode")
    ap.add_argument("--modes", default="positive,negative")
    ap.add_argument("--requests", help="replay this requests.jsonl instead of generating")
    ap.add_argument("--generate-only", action="store_true", help="set up A, generate requests.jsonl, stop")
    ap.add_argument("--out", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "schemathesis-pair"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    logf = open(os.path.join(args.out, "log.txt"), "w")

    def log(*a):
        msg = " ".join(str(x) for x in a)
        print(msg)
        logf.write(msg + "\n")
        logf.flush()

    servers = {"A": args.a} if args.generate_only else {"A": args.a, "B": args.b}
    state = {}
    for name, base in servers.items():
        state[name] = setup(base, args.account, args.password, fresh=not args.no_fresh, log=log)
        json.dump(state[name][2], open(os.path.join(args.out, f"openapi-{name}.json"), "w"), indent=1)
    if "B" in state:
        same_doc = json.dumps(state["A"][2], sort_keys=True) == json.dumps(state["B"][2], sort_keys=True)
        log(f"OpenAPI documents identical: {same_doc}")

    if args.requests:
        reqs = [json.loads(l) for l in open(args.requests)]
        log(f"replaying {len(reqs)} requests from {args.requests}")
    else:
        reqs = generate(state["A"][2], args.max_examples, args.modes.split(","), log=log)
        path = os.path.join(args.out, "requests.jsonl")
        with open(path, "w") as f:
            for r in reqs:
                f.write(json.dumps(r) + "\n")
        log(f"wrote {len(reqs)} requests to {path}")
    if args.generate_only:
        return

    def auth_header(name, r):
        admin, key, _ = state[name]
        if args.auth == "key":
            return [("Authorization", "Bearer " + key)]
        if args.auth == "admin":
            return [("Authorization", "Bearer " + admin)]
        if args.auth == "generated" and r.get("generated_authorization") is not None:
            return [("Authorization", r["generated_authorization"])]
        return []

    stats = collections.defaultdict(lambda: collections.Counter())
    pairs = open(os.path.join(args.out, "pairs.jsonl"), "w")
    for r in reqs:
        if "unsendable" in r:
            stats[r["operation"]]["unsendable"] += 1
            continue
        body = base64.b64decode(r["body_b64"])
        res = {}
        for name in ("A", "B"):
            hdrs = [(k, v) for k, v in r["headers"]] + auth_header(name, r)
            try:
                res[name] = raw_http(servers[name], r["method"], r["target"], hdrs, body)
            except Exception as e:
                res[name] = (None, {}, repr(e).encode())
        (sa, ha, ba), (sb, hb, bb) = res["A"], res["B"]
        same_status = sa == sb
        same_body = same_status and body_key(ba) == body_key(bb)
        c = stats[r["operation"]]
        c["total"] += 1
        c["same_status"] += same_status
        c["same_status_and_body"] += same_body
        stats["ALL"]["total"] += 1
        stats["ALL"]["same_status"] += same_status
        stats["ALL"]["same_status_and_body"] += same_body
        pairs.write(json.dumps({
            "i": r["i"], "operation": r["operation"], "mode": r["mode"], "method": r["method"], "target": r["target"],
            "same_status": same_status, "same_status_and_body": same_body,
            "A": {"status": sa, "content_type": ha.get("content-type"), "body": ba.decode("utf-8", "replace")[:2000]},
            "B": {"status": sb, "content_type": hb.get("content-type"), "body": bb.decode("utf-8", "replace")[:2000]},
        }, ensure_ascii=False) + "\n")
    pairs.close()

    log("")
    log(f"{'operation':28} {'pairs':>6} {'same status %':>14} {'same status+body %':>19}")
    for op in sorted(stats, key=lambda k: (k == "ALL", k)):
        c = stats[op]
        t = c["total"] or 1
        log(f"{op:28} {c['total']:6d} {100 * c['same_status'] / t:13.1f}% {100 * c['same_status_and_body'] / t:18.1f}%"
            + (f"  ({c['unsendable']} unsendable)" if c["unsendable"] else ""))
    c = stats["ALL"]
    t = c["total"] or 1
    summary = {"pairs": c["total"], "same_status_pct": round(100 * c["same_status"] / t, 2),
               "same_status_and_body_pct": round(100 * c["same_status_and_body"] / t, 2),
               "a": args.a, "b": args.b, "auth": args.auth, "requests": args.requests or os.path.join(args.out, "requests.jsonl")}
    json.dump(summary, open(os.path.join(args.out, "summary.json"), "w"), indent=2)
    log(f"same status: {summary['same_status_pct']}%   same status and body: {summary['same_status_and_body_pct']}%")
    log(f"details: {os.path.join(args.out, 'pairs.jsonl')}")


if __name__ == "__main__":
    main()
