"""Tiny recorder for NocoBase exchanges (standard library only, 127.0.0.1 only).

Writes one JSON file per exchange in the format of fixtures/recordings/2.2.15-api:
  {step, request{method,url,url_decoded,headers,auth,body}, response{status,headers,body_is_json,body},
   elapsed_ms, note?}
Differences from the original recorder:
  * response.headers keeps ALL response headers (lower-cased), in wire order; x-request-id and date vary.
  * a request body that is not JSON-as-sent (raw bytes, gzip, BOM...) is kept as `body_raw`
    (string, or {"base64": ...}) and `body` is null; `body` is what was sent when it was JSON.
  * raw-socket exchanges (framing) use `raw_request` / `raw_response` (escaped strings, see
    recordings README) instead of request/response.
Secrets: every token/key string registered with `secret()` is replaced by <TOKEN> everywhere.
"""
import base64
import http.client
import json
import os
import socket
import time
import urllib.parse

HOST = os.environ.get("NB_HOST", "127.0.0.1")
PORT = int(os.environ.get("NB_PORT", "13000"))
OUT = os.environ.get("NB_OUT", os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../fixtures/recordings/2.2.15-offpath"))
APP_KEY = os.environ.get("NB_APP_KEY", "lab-test-app-key-0123456789abcdef")

_secrets = set()
_counter = [0]
INDEX = []


def secret(s):
    if s:
        _secrets.add(s)
    return s


def scrub(obj):
    if isinstance(obj, str):
        for s in sorted(_secrets, key=len, reverse=True):
            obj = obj.replace(s, "<TOKEN>")
        return obj
    if isinstance(obj, list):
        return [scrub(x) for x in obj]
    if isinstance(obj, dict):
        return {scrub(k): scrub(v) for k, v in obj.items()}
    return obj


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def mint(payload, key=APP_KEY, header=None):
    import hashlib
    import hmac
    header = header or {"alg": "HS256", "typ": "JWT"}
    u = b64url(json.dumps(header, separators=(",", ":")).encode()) + "." + \
        b64url(json.dumps(payload, separators=(",", ":")).encode())
    sig = hmac.new(key.encode(), u.encode(), hashlib.sha256).digest()
    return u + "." + b64url(sig)


def request(method, path, headers=None, body=None, raw_body=None, timeout=60):
    """One HTTP exchange over a fresh connection. Returns (status, headers list, body bytes, ms)."""
    headers = dict(headers or {})
    data = None
    if raw_body is not None:
        data = raw_body
    elif body is not None:
        data = json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    c = http.client.HTTPConnection(HOST, PORT, timeout=timeout)
    t0 = time.time()
    c.putrequest(method, path, skip_accept_encoding=True)
    for k, v in headers.items():
        c.putheader(k, v)
    if data is not None:
        c.putheader("Content-Length", str(len(data)))
    c.endheaders(data)
    r = c.getresponse()
    raw = r.read()
    ms = int((time.time() - t0) * 1000)
    hdrs = r.getheaders()
    c.close()
    return r.status, hdrs, raw, ms


def _body_repr(raw):
    try:
        return True, json.loads(raw.decode("utf-8"))
    except Exception:
        try:
            return False, raw.decode("utf-8")
        except UnicodeDecodeError:
            return False, {"base64": base64.b64encode(raw).decode()}


def _headers_dict(hdrs):
    """Lower-cased names; a repeated header becomes a list (set-cookie) in arrival order."""
    out = {}
    for k, v in hdrs:
        k = k.lower()
        if k in out:
            out[k] = (out[k] if isinstance(out[k], list) else [out[k]]) + [v]
        else:
            out[k] = v
    return out


def _register_issued(parsed, hdrs):
    """Tokens the server hands out (a sign-in's `data.token`, the auth-token cookie) are secrets."""
    import re
    if isinstance(parsed, dict) and isinstance(parsed.get("data"), dict):
        token = parsed["data"].get("token")
        if isinstance(token, str) and token.startswith("eyJ"):
            secret(token)
    for k, v in hdrs:
        if k.lower() == "set-cookie":
            m = re.match(r"nb_auth_token_[^=]*=([^;]+)", v)
            if m:
                secret(m.group(1))


def safe(name):
    import re
    n = re.sub(r"[^A-Za-z0-9._$-]+", "_", name).strip("_")
    return n[:90]


def ex(name, method, path, headers=None, body=None, raw_body=None, auth="none", note=None,
       save=True, expect=None, extra=None):
    """Makes and records an exchange. Returns (status, parsed-or-text body, headers dict)."""
    status, hdrs, raw, ms = request(method, path, headers, body, raw_body)
    is_json, parsed = _body_repr(raw)
    _register_issued(parsed if is_json else None, hdrs)
    if save:
        _counter[0] += 1
        step = f"{_counter[0]:03d}-{safe(name)}"
        sent_headers = dict(headers or {})
        if raw_body is None and body is not None:
            sent_headers.setdefault("Content-Type", "application/json")
        url = f"http://{HOST}:{PORT}{path}"
        req = {
            "method": method,
            "url": url,
            "url_decoded": urllib.parse.unquote(url),
            "headers": sent_headers,
            "auth": auth,
            "body": body if raw_body is None else None,
        }
        if raw_body is not None and len(raw_body) > 65536:
            req["body_parts"] = parts_of(raw_body)
        elif raw_body is not None:
            try:
                req["body_raw"] = raw_body.decode("utf-8")
            except UnicodeDecodeError:
                req["body_raw"] = {"base64": base64.b64encode(raw_body).decode()}
        rec = {
            "step": step,
            "request": req,
            "response": {
                "status": status,
                "headers": _headers_dict(hdrs),
                "body_is_json": is_json,
                "body": parsed,
            },
            "elapsed_ms": ms,
        }
        if note:
            rec["note"] = note
        if extra:
            rec.update(extra)
        rec = scrub(rec)
        _write(os.path.join(OUT, step + ".json"), rec)
        INDEX.append({"step": step, "method": method, "url_decoded": urllib.parse.unquote(path),
                      "auth": auth, "status": status,
                      "body_start": (json.dumps(scrub(parsed), ensure_ascii=False) if is_json else scrub(str(parsed)))[:110]})
    if expect is not None and status != expect:
        print(f"  !! {name}: expected {expect}, got {status}")
    print(f"{status} {method} {urllib.parse.unquote(path)[:90]} -> {str(scrub(parsed))[:160]}")
    return status, parsed, {k.lower(): v for k, v in hdrs}


# ---------------------------------------------------------------------------------------------
# raw sockets
# ---------------------------------------------------------------------------------------------

def raw_exchange(data, read_timeout=3.0, chunks=None, pause=0.0):
    """Sends raw bytes (or a list of chunks with `pause` between them) and reads until the peer
    closes or `read_timeout` passes with no data. Returns (bytes received, closed_by_peer, ms,
    event) where event is 'close' (FIN), 'reset' (RST) or 'timeout'."""
    s = socket.create_connection((HOST, PORT), timeout=10)
    t0 = time.time()
    try:
        for i, part in enumerate(chunks or [data]):
            if i and pause:
                time.sleep(pause)
            s.sendall(part)
    except (BrokenPipeError, ConnectionResetError):
        pass
    s.settimeout(read_timeout)
    got = b""
    event = "timeout"
    try:
        while True:
            b = s.recv(65536)
            if not b:
                event = "close"
                break
            got += b
    except socket.timeout:
        event = "timeout"
    except ConnectionResetError:
        event = "reset"
    ms = int((time.time() - t0) * 1000)
    s.close()
    return got, event, ms


def parts_of(b):
    """bytes -> [[escaped unit, count], ...]: runs of a unit of 1-8 bytes repeated 16 times or more are
    kept once with their count, so a 10 MB body or a 1000-line head is stored exactly in a few bytes."""
    out, lit, i = [], bytearray(), 0
    while i < len(b):
        best = None
        for u in range(1, 9):
            unit = b[i:i + u]
            if len(unit) < u:
                break
            if u == 1:
                n = len(b) - i - len(b[i:].lstrip(unit))
            else:
                n = 1
                while b[i + n * u:i + (n + 1) * u] == unit:
                    n += 1
            if n >= 16 and (best is None or n * u > best[1] * len(best[0])):
                best = (unit, n)
        if best:
            if lit:
                out.append([esc(bytes(lit)), 1])
                lit = bytearray()
            out.append([esc(best[0]), best[1]])
            i += len(best[0]) * best[1]
        else:
            lit.append(b[i])
            i += 1
    if lit:
        out.append([esc(bytes(lit)), 1])
    return out


def esc(b):
    """bytes -> readable escaped string (\\r\\n kept visible); round-trips via latin-1 + unicode_escape."""
    return b.decode("latin-1").encode("unicode_escape").decode("ascii")


def raw_rec(name, data, note=None, auth="none", chunks=None, pause=0.0, read_timeout=3.0, save=True, extra=None):
    got, event, ms = raw_exchange(data, read_timeout=read_timeout, chunks=chunks, pause=pause)
    sent = b"".join(chunks) if chunks else data
    head = got.split(b"\r\n", 1)[0].decode("latin-1") if got else "(nothing)"
    if save:
        _counter[0] += 1
        step = f"{_counter[0]:03d}-{safe(name)}"
        show_sent = sent if len(sent) <= 4096 else sent[:2048] + b"...<" + str(len(sent) - 4096).encode() + b" bytes elided>..." + sent[-2048:]
        rec = {
            "step": step,
            "raw_request": esc(show_sent),
            "raw_request_len": len(sent),
            "raw_response": esc(got),
            "connection_event": event,
            "auth": auth,
            "elapsed_ms": ms,
        }
        if len(sent) > 4096:
            rec["raw_request_parts"] = parts_of(sent)
        if chunks and pause:
            rec["sent_in_parts"] = {"parts": len(chunks), "pause_s": pause}
        if note:
            rec["note"] = note
        if extra:
            rec.update(extra)
        rec = scrub(rec)
        _write(os.path.join(OUT, step + ".json"), rec)
        INDEX.append({"step": step, "raw": True, "status_line": head, "event": event,
                      "bytes": len(got)})
    print(f"RAW {name}: {scrub(esc(got))[:200]} [{event}, {ms} ms]")
    return got, event, ms


def _write(path, obj):
    try:
        text = json.dumps(obj, indent=2, ensure_ascii=False)
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: keep them as \uXXXX escapes
        text = json.dumps(obj, indent=2, ensure_ascii=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + "\n")


def rescrub_dir(out=None):
    """Re-applies scrub() to every recording (a secret registered after its first appearance, e.g. the token in
    the sign-in answer itself, is replaced too)."""
    out = out or OUT
    for f in os.listdir(out):
        if f.endswith(".json"):
            p = os.path.join(out, f)
            with open(p, encoding="utf-8") as fh:
                obj = json.load(fh)
            _write(p, scrub(obj))


def write_index(out=None):
    """INDEX.json, rebuilt from the (scrubbed) files on disk."""
    out = out or OUT
    index = []
    for f in sorted(os.listdir(out)):
        if not f.endswith(".json") or f == "INDEX.json":
            continue
        with open(os.path.join(out, f), encoding="utf-8") as fh:
            r = json.load(fh)
        if "request" in r:
            body = r["response"]["body"]
            start = json.dumps(body, ensure_ascii=False) if r["response"]["body_is_json"] else str(body)
            index.append({"step": r["step"], "method": r["request"]["method"],
                          "url_decoded": r["request"]["url_decoded"].split(":13000", 1)[-1],
                          "auth": r["request"]["auth"], "status": r["response"]["status"], "body_start": start[:110]})
        else:
            raw = r.get("raw_response", "")
            index.append({"step": r["step"], "raw": True, "status_line": raw.split("\\r\\n", 1)[0] if raw else "(nothing)",
                          "event": r.get("connection_event"), "raw_response_len": len(raw)})
    _write(os.path.join(out, "INDEX.json"), index)
