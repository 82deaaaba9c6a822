"""Records NocoBase 2.2.15's answers off the tutorial path (issue 17, and filters of issue 11):
fixtures/recordings/2.2.15-offpath.

Run against a FRESHLY RESET NocoBase on 127.0.0.1:13000 (scripts/nocobase.sh reset && start):
    python3 record_offpath.py            # writes fixtures/recordings/2.2.15-offpath/NNN-*.json + INDEX.json
                                         # (NB_OUT=<dir> to write elsewhere)
Standard library only. Secrets (session tokens, API keys, JWTs minted with APP_KEY) are replaced by <TOKEN>.
The connection timeouts (60-330 s) are measured by timeouts.py, not here.
"""
import base64
import gzip
import json
import os
import sys
import time
import urllib.parse as U
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nbrec as R  # noqa: E402
import setup_state as S  # noqa: E402

q = U.quote
ADMIN = "admin session token (from auth:signIn)"
KEY = "API key 'todos' (role todos_api_role), no other auth headers"
NONE = "none"


def fjson(obj):
    return q(json.dumps(obj, separators=(",", ":")), safe="")


def main():
    os.makedirs(R.OUT, exist_ok=True)
    for f in os.listdir(R.OUT):
        if f.endswith(".json") and "-timeout-" not in f:
            os.remove(os.path.join(R.OUT, f))

    # ------------------------------------------------------------------ setup (tutorial state)
    admin, key = S.setup(record=True)
    A = {"Authorization": "Bearer " + admin}
    K = {"Authorization": "Bearer " + key}
    sc = dict(S.TODOS, name="scratch", title="Scratch")
    R.ex("collections-create-scratch", "POST", "/api/collections:create", A, sc, auth=ADMIN,
         note="a third collection like todos, for destructive cases (destroy/update with odd filters)")
    R.ex("roles-dataSourceResources-create-scratch", "POST", "/api/roles/todos_api_role/dataSourceResources:create",
         A, S.grant("scratch", S.FIELDS), auth=ADMIN)

    def refill_scratch():
        """scratch := exactly 3 rows (recorded, so that a replay refills it too)."""
        R.ex("refill-scratch-destroy-all", "POST", "/api/scratch:destroy?filter=" + fjson({"id": {"$gt": -1e15}}), A, auth=ADMIN)
        for t in ("s1", "s2", "s3"):
            R.ex(f"refill-scratch-create-{t}", "POST", "/api/scratch:create", A, {"title": t}, auth=ADMIN)

    # ================================================================== RULE 1: authentication pipeline
    for xa in ["api-keys", "nosuch", "", "basic"]:
        label = xa or "empty"
        R.ex(f"r1-key-X-Authenticator-{label}", "GET", "/api/todos:list?pageSize=1", dict(K, **{"X-Authenticator": xa}),
             auth=KEY + f" + X-Authenticator: {xa!r}",
             note="authenticator name: header || nb_authenticator_main cookie || 'basic'; an unknown name falls back to the first enabled authenticator (storer.get), so the key still works")
    for xa in ["api-keys", "nosuch", "", "basic"]:
        label = xa or "empty"
        R.ex(f"r1-no-token-X-Authenticator-{label}", "GET", "/api/todos:list?pageSize=1", {"X-Authenticator": xa},
             auth=f"none + X-Authenticator: {xa!r}")
    # Authorization header shapes
    shapes = [
        ("bearer-lowercase", {"Authorization": "bearer " + key}),
        ("BEARER-uppercase", {"Authorization": "BEARER " + key}),
        ("bearer-two-spaces", {"Authorization": "Bearer  " + key}),
        ("bearer-tab", {"Authorization": "Bearer\t" + key}),
        ("no-scheme-raw-key", {"Authorization": key}),
        ("bearer-only", {"Authorization": "Bearer"}),
        ("bearer-space-only", {"Authorization": "Bearer "}),
        ("basic-scheme", {"Authorization": "Basic YWRtaW46YWRtaW4xMjM="}),
        ("bearer-bearer", {"Authorization": "Bearer Bearer " + key}),
        ("trailing-space", {"Authorization": "Bearer " + key + " "}),
    ]
    for name, h in shapes:
        R.ex(f"r1-authorization-{name}", "GET", "/api/todos:list?pageSize=1", h, auth="API key 'todos' in an odd Authorization header (see request.headers)")
    R.ex("r1-token-query-param", "GET", "/api/todos:list?pageSize=1&token=" + key, {}, auth="API key 'todos' as ?token= (no Authorization header)")
    R.ex("r1-token-query-param-and-garbage-header", "GET", "/api/todos:list?pageSize=1&token=" + key,
         {"Authorization": "Bearer garbage"}, auth="API key 'todos' as ?token= plus Authorization: Bearer garbage",
         note="2.x: an Authorization header, when present, wins over ?token=")
    R.ex("r1-token-query-param-empty-header", "GET", "/api/todos:list?pageSize=1&token=" + key,
         {"Authorization": ""}, auth="API key 'todos' as ?token= plus an empty Authorization header")
    R.ex("r1-cookie-token-only", "GET", "/api/todos:list?pageSize=1", {"Cookie": "nb_auth_token_main=" + key},
         auth="API key 'todos' only in the nb_auth_token_main cookie",
         note="the auth cookie is only accepted for file GET/HEAD; API calls need the header")

    # JWT claims of odd types, signed with APP_KEY
    now = int(time.time())
    claims = [
        ("userId-1.0", '{"userId":1.0,"roleName":"todos_api_role","iat":@now}'),
        ("userId-string-1", {"userId": "1", "roleName": "todos_api_role", "iat": "@now"}),
        ("userId-string-space-1", {"userId": " 1", "roleName": "todos_api_role", "iat": "@now"}),
        ("userId-string-1abc", {"userId": "1abc", "roleName": "todos_api_role", "iat": "@now"}),
        ("userId-true", {"userId": True, "roleName": "todos_api_role", "iat": "@now"}),
        ("userId-false", {"userId": False, "roleName": "todos_api_role", "iat": "@now"}),
        ("userId-array-1", {"userId": [1], "roleName": "todos_api_role", "iat": "@now"}),
        ("userId-array-2-1", {"userId": [2, 1], "roleName": "todos_api_role", "iat": "@now"}),
        ("userId-object-gt-0", {"userId": {"$gt": 0}, "roleName": "todos_api_role", "iat": "@now"}),
        ("userId-1.5", {"userId": 1.5, "roleName": "todos_api_role", "iat": "@now"}),
        ("userId-0", {"userId": 0, "roleName": "todos_api_role", "iat": "@now"}),
        ("userId-null", {"userId": None, "roleName": "todos_api_role", "iat": "@now"}),
        ("userId-missing", {"roleName": "todos_api_role", "iat": "@now"}),
        ("userId-999", {"userId": 999, "roleName": "todos_api_role", "iat": "@now"}),
        ("roleName-number-1", {"userId": 1, "roleName": 1, "iat": "@now"}),
        ("roleName-true", {"userId": 1, "roleName": True, "iat": "@now"}),
        ("roleName-empty-array", {"userId": 1, "roleName": [], "iat": "@now"}),
        ("roleName-array", {"userId": 1, "roleName": ["todos_api_role"], "iat": "@now"}),
        ("roleName-object", {"userId": 1, "roleName": {}, "iat": "@now"}),
        ("roleName-empty-string", {"userId": 1, "roleName": "", "iat": "@now"}),
        ("roleName-null", {"userId": 1, "roleName": None, "iat": "@now"}),
        ("roleName-0", {"userId": 1, "roleName": 0, "iat": "@now"}),
        ("roleName-missing", {"userId": 1, "iat": "@now"}),
        ("roleName-anonymous", {"userId": 1, "roleName": "anonymous", "iat": "@now"}),
        ("roleName-union", {"userId": 1, "roleName": "__union__", "iat": "@now"}),
        ("roleName-root", {"userId": 1, "roleName": "root", "iat": "@now"}),
        ("roleName-nosuch", {"userId": 1, "roleName": "nosuch", "iat": "@now"}),
        ("no-iat-no-exp", {"userId": 1, "roleName": "todos_api_role"}),
        ("iat-string", {"userId": 1, "roleName": "todos_api_role", "iat": "x"}),
        ("iat-future", {"userId": 1, "roleName": "todos_api_role", "iat": "@now+100000"}),
        ("exp-string", {"userId": 1, "roleName": "todos_api_role", "exp": "x"}),
        ("exp-past", {"userId": 1, "roleName": "todos_api_role", "iat": "@now-100", "exp": "@now-10"}),
        ("exp-float-future", {"userId": 1, "roleName": "todos_api_role", "exp": "@now+100.5"}),
        ("nbf-future", {"userId": 1, "roleName": "todos_api_role", "nbf": "@now+1000"}),
        ("nbf-string", {"userId": 1, "roleName": "todos_api_role", "nbf": "x"}),
        ("temp-true-no-iat-no-jti", {"userId": 1, "roleName": "todos_api_role", "temp": True}),
        ("temp-true-iat-2-days-old", {"userId": 1, "roleName": "todos_api_role", "temp": True, "iat": "@now-200000"}),
        ("temp-string", {"userId": 1, "roleName": "todos_api_role", "temp": "yes", "iat": "@now"}),
        ("payload-array", [1, 2]),
        ("payload-string", "hello"),
    ]

    def resolve(v):
        if isinstance(v, str) and v.startswith("@now"):
            rest = v[4:]
            return now + (float(rest) if "." in rest else int(rest)) if rest else now
        if isinstance(v, dict):
            return {k: resolve(x) for k, x in v.items()}
        return v

    for name, spec in claims:
        if isinstance(spec, str) and spec.startswith("{"):
            payload_json = spec.replace("@now", str(now))
            hdr = R.b64url(b'{"alg":"HS256","typ":"JWT"}')
            import hashlib
            import hmac
            u = hdr + "." + R.b64url(payload_json.encode())
            tok = u + "." + R.b64url(hmac.new(R.APP_KEY.encode(), u.encode(), hashlib.sha256).digest())
            concrete = payload_json
        else:
            concrete = resolve(spec)
            if isinstance(concrete, (list, str)):
                import hashlib
                import hmac
                u = R.b64url(b'{"alg":"HS256","typ":"JWT"}') + "." + R.b64url(json.dumps(concrete, separators=(",", ":")).encode())
                tok = u + "." + R.b64url(hmac.new(R.APP_KEY.encode(), u.encode(), hashlib.sha256).digest())
            else:
                tok = R.mint(concrete)
        R.secret(tok)
        R.ex(f"r1-jwt-{name}", "GET", "/api/todos:list?pageSize=1", {"Authorization": "Bearer " + tok},
             auth=f"JWT signed offline with the server's APP_KEY (HS256), payload in minted_claims",
             extra={"minted_claims": spec if not isinstance(spec, str) or not spec.startswith("{") else {"raw_json": spec},
                    "minted_claims_concrete": concrete, "minted_at_unix": now,
                    "decoded_jwt": {"header": {"alg": "HS256", "typ": "JWT"}, "payload": concrete}})
    # other algorithms / shapes
    for alg in ["HS384", "HS512"]:
        import hashlib
        import hmac
        h = {"alg": alg, "typ": "JWT"}
        u = R.b64url(json.dumps(h, separators=(",", ":")).encode()) + "." + R.b64url(json.dumps({"userId": 1, "roleName": "todos_api_role", "iat": now}, separators=(",", ":")).encode())
        dig = {"HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
        tok = R.secret(u + "." + R.b64url(hmac.new(R.APP_KEY.encode(), u.encode(), dig).digest()))
        R.ex(f"r1-jwt-alg-{alg}", "GET", "/api/todos:list?pageSize=1", {"Authorization": "Bearer " + tok},
             auth=f"JWT {{userId:1, roleName:'todos_api_role'}} signed with APP_KEY using {alg}",
             extra={"decoded_jwt": {"header": h, "payload": {"userId": 1, "roleName": "todos_api_role", "iat": now}}})
    none_tok = R.b64url(b'{"alg":"none","typ":"JWT"}') + "." + R.b64url(json.dumps({"userId": 1, "roleName": "todos_api_role"}).encode()) + "."
    R.ex("r1-jwt-alg-none", "GET", "/api/todos:list?pageSize=1", {"Authorization": "Bearer " + none_tok},
         auth="unsigned JWT (alg none), not a secret")
    R.ex("r1-jwt-wrong-key-HS256", "GET", "/api/todos:list?pageSize=1",
         {"Authorization": "Bearer " + R.mint({"userId": 1, "roleName": "todos_api_role", "iat": now}, key="wrong-key")},
         auth="JWT signed with a wrong key (not a secret)")

    # Order of query parsing / body parsing / validation vs authentication
    order = [
        ("filter-1e400", "/api/todos:list?filter=1e400"),
        ("filter-minus-1e400", "/api/todos:list?filter=-1e400"),
        ("filter-malformed-json", "/api/todos:list?filter=" + q('{"title":')),
        ("filter-not-json-word", "/api/todos:list?filter=abc"),
        ("filter-empty-string", "/api/todos:list?filter="),
        ("filter-no-equals", "/api/todos:list?filter"),
        ("filter-nested-200-arrays", "/api/todos:list?filter=" + q("[" * 200 + "]" * 200)),
        ("filter-nested-200-objects", "/api/todos:list?filter=" + q('{"a":' * 200 + "1" + "}" * 200)),
        ("filter-nested-130-and", "/api/todos:list?filter=" + q('{"$and":[' * 130 + '{"id":1}' + "]}" * 130)),
        ("filterByTk-malformed-json", "/api/todos:get?filterByTk=" + q("{x")),
        ("unknown-resource", "/api/nosuch:list"),
        ("unknown-action", "/api/todos:frobnicate"),
    ]
    for name, path in order:
        R.ex(f"r1-order-{name}-no-token", "GET", path, {}, auth=NONE)
        R.ex(f"r1-order-{name}-key", "GET", path, K, auth=KEY)
    R.ex("r1-order-unknown-resource-garbage-token", "GET", "/api/nosuch:list", {"Authorization": "Bearer this-is-not-a-jwt"}, auth="garbage token")
    R.ex("r1-order-invalid-json-body-no-token", "POST", "/api/todos:create", {"Content-Type": "application/json"}, raw_body=b'{"title":', auth=NONE,
         note="koa-bodyparser runs before the resourcer (and so before auth): 400 even without a token")
    R.ex("r1-order-invalid-json-body-unknown-resource", "POST", "/api/nosuch:create", {"Content-Type": "application/json"}, raw_body=b'{"title":', auth=NONE)
    R.ex("r1-order-destroy-without-filter-no-token", "POST", "/api/todos:destroy", {}, auth=NONE,
         note="validate-filter-params runs before auth")
    R.ex("r1-order-update-without-filter-no-token", "POST", "/api/todos:update", {}, {"title": "x"}, auth=NONE)
    R.ex("r1-order-destroy-empty-filter-no-token", "POST", "/api/todos:destroy?filter=" + q("{}"), {}, auth=NONE)
    R.ex("r1-order-destroy-without-filter-garbage-token", "POST", "/api/todos:destroy", {"Authorization": "Bearer this-is-not-a-jwt"}, auth="garbage token")
    R.ex("r1-order-413-no-token", "POST", "/api/todos:create", {"Content-Type": "application/json"},
         raw_body=b'{"title":"x"}' + b" " * (10 * 1024 * 1024), auth=NONE,
         note="body of 10485773 bytes (JSON + spaces); the request body is not stored here",
         extra={"body_elided": "{\"title\":\"x\"} followed by 10485760 spaces (10485773 bytes)"})

    # ================================================================== RULE 2: limits
    for n in (63, 64):
        R.ex(f"r2-collections-create-name-{n}-chars", "POST", "/api/collections:create", A,
             {"name": "c" * n, "title": f"C{n}", "fields": [{"name": "title", "type": "string", "interface": "input"}]}, auth=ADMIN)
    R.ex("r2-collections-destroy-63", "POST", "/api/collections:destroy?filterByTk=" + "c" * 63, A, auth=ADMIN)
    R.ex("r2-collections-create-name-bad-chars", "POST", "/api/collections:create", A,
         {"name": "to dos", "title": "bad", "fields": []}, auth=ADMIN)
    R.ex("r2-collections-create-name-unicode", "POST", "/api/collections:create", A,
         {"name": "tödös", "title": "bad", "fields": []}, auth=ADMIN)
    for n in (63, 64):
        R.ex(f"r2-fields-create-name-{n}-chars", "POST", "/api/collections/todos_ts/fields:create", A,
             {"name": "f" * n, "type": "string", "interface": "input"}, auth=ADMIN)
    R.ex("r2-fields-destroy-63", "POST", "/api/collections/todos_ts/fields:destroy?filterByTk=" + "f" * 63, A, auth=ADMIN)
    R.ex("r2-fields-create-name-bad-chars", "POST", "/api/collections/todos_ts/fields:create", A,
         {"name": "a b", "type": "string", "interface": "input"}, auth=ADMIN)
    for n in (64, 300):
        R.ex(f"r2-roles-create-name-{n}-chars", "POST", "/api/roles:create", A, {"name": "r" * n, "title": f"R{n}"}, auth=ADMIN)
        R.ex(f"r2-roles-destroy-{n}", "POST", "/api/roles:destroy?filterByTk=" + "r" * n, A, auth=ADMIN)
    R.ex("r2-roles-create-name-bad-chars", "POST", "/api/roles:create", A, {"name": "a b", "title": "Rbad"}, auth=ADMIN)
    j = b'{"title":"big"}'
    for n in (10485760, 10485761):
        R.ex(f"r2-json-body-{n}-bytes", "POST", "/api/scratch:create?whitelist=title", dict(K, **{"Content-Type": "application/json"}),
             raw_body=j + b" " * (n - len(j)), auth=KEY,
             extra={"body_elided": f'{{"title":"big"}} followed by spaces, {n} bytes in all (limit: REQUEST_BODY_LIMIT default 10mb = 10485760)'})
    R.ex("r2-form-body-10485761-bytes", "POST", "/api/scratch:create?whitelist=title",
         dict(K, **{"Content-Type": "application/x-www-form-urlencoded"}), raw_body=b"title=big&x=" + b"a" * (10485761 - 12), auth=KEY,
         extra={"body_elided": "title=big&x=aaaa..., 10485761 bytes"})
    R.ex("r2-text-body-10485761-bytes", "POST", "/api/scratch:create?whitelist=title",
         dict(K, **{"Content-Type": "text/plain"}), raw_body=b"a" * 10485761, auth=KEY,
         extra={"body_elided": "10485761 bytes of 'a'"})
    R.ex("r2-octet-body-20MB", "POST", "/api/scratch:create?whitelist=title",
         dict(K, **{"Content-Type": "application/octet-stream"}), raw_body=b"a" * 20000000, auth=KEY,
         extra={"body_elided": "20000000 bytes of 'a'"}, note="a content type the body parser ignores: never read, no limit applies")
    # header limits (raw)
    def head_with_counted(counted, path=b"/api/todos:list?pageSize=1"):
        fixed = len(path) + len("Host") + len("127.0.0.1:13000") + len("Connection") + len("close") + len("X-Pad")
        return (b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1:13000\r\nConnection: close\r\nX-Pad: "
                + b"a" * (counted - fixed) + b"\r\n\r\n")
    for c in (16383, 16384):
        R.raw_rec(f"r2-raw-head-counted-{c}", head_with_counted(c),
                  note=f"Node counts URL + header names + header values (no method/version/separators); here that sum is {c}. HPE_HEADER_OVERFLOW when it reaches 16384 (--max-http-header-size default 16384)")
    for c in (16383, 16384):
        url = b"/api/__health_check?" + b"a" * (c - len("/api/__health_check?") - len("Host") - len("127.0.0.1:13000") - len("Connection") - len("close"))
        R.raw_rec(f"r2-raw-url-counted-{c}", b"GET " + url + b" HTTP/1.1\r\nHost: 127.0.0.1:13000\r\nConnection: close\r\n\r\n",
                  note=f"URL length counts towards the same 16 KiB: url+names+values = {c}")
    big = b"GET /api/todos:list HTTP/1.1\r\nHost: 127.0.0.1:13000\r\nX-Pad: " + b"a" * 80000 + b"\r\n\r\n"
    R.raw_rec("r2-raw-head-80KB", big, note="431 then close; the client was still sending, so the kernel may turn the close into a RST")
    def pairs(k):
        return (b"GET /api/todos:list?pageSize=1 HTTP/1.1\r\nHost: 127.0.0.1:13000\r\n" + b"a: \r\n" * k +
                b"Authorization: Bearer " + key.encode() + b"\r\nConnection: close\r\n\r\n")
    R.raw_rec("r2-raw-authorization-is-header-1000", pairs(998), auth=KEY,
              note="Host + 998 'a:' lines + Authorization (header line #1000) + Connection: Node keeps the first 1000 header lines (MAX_HEADER_PAIRS = 2000 array entries), the key is seen")
    R.raw_rec("r2-raw-authorization-is-header-1001", pairs(999), auth=KEY,
              note="Authorization is header line #1001: silently dropped by Node (so is the Connection: close after it) -> 401 EMPTY_TOKEN")
    R.raw_rec("r2-raw-2500-headers", b"GET /api/__health_check HTTP/1.1\r\nHost: 127.0.0.1:13000\r\n" +
              b"".join(b"X-H%d: \r\n" % i for i in range(2500)) + b"Connection: close\r\n\r\n",
              note="no header-count error: 2500 headers only fail because their names add up past 16 KiB")
    R.raw_rec("r2-raw-1500-tiny-headers", b"GET /api/__health_check HTTP/1.1\r\nHost: 127.0.0.1:13000\r\n" +
              b"a: \r\n" * 1500 + b"Connection: close\r\n\r\n",
              note="1500 headers, 1500 counted bytes: accepted (the Connection: close beyond #1000 is ignored, so the answer says keep-alive)")

    # ================================================================== RULE 3: framing (raw sockets)
    H = b"Host: 127.0.0.1:13000\r\n"
    AU = b"Authorization: Bearer " + key.encode() + b"\r\n"
    CT = b"Content-Type: application/json\r\n"
    CC = b"Connection: close\r\n"
    frames = [
        ("cl-and-te-chunked", b"POST /api/scratch:create HTTP/1.1\r\n" + H + AU + CT + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", None),
        ("te-chunked-create", b"POST /api/scratch:create HTTP/1.1\r\n" + H + AU + CT + b"Transfer-Encoding: chunked\r\n" + CC + b"\r\n5\r\n{\"tit\r\n9\r\nle\":\"ch\"}\r\n0\r\n\r\n", None),
        ("two-content-length-differ", b"POST /api/scratch:create HTTP/1.1\r\n" + H + AU + CT + b"Content-Length: 1\r\nContent-Length: 2\r\n\r\n{}", None),
        ("two-content-length-same", b"POST /api/scratch:create HTTP/1.1\r\n" + H + AU + CT + b"Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}", None),
        ("content-length-list", b"POST /api/scratch:create HTTP/1.1\r\n" + H + AU + CT + b"Content-Length: 2, 2\r\n\r\n{}", None),
        ("content-length-non-digit", b"POST /api/scratch:create HTTP/1.1\r\n" + H + AU + CT + b"Content-Length: abc\r\n\r\n", None),
        ("content-length-negative", b"POST /api/scratch:create HTTP/1.1\r\n" + H + AU + CT + b"Content-Length: -1\r\n\r\n", None),
        ("content-length-huge", b"POST /api/scratch:create HTTP/1.1\r\n" + H + AU + CT + b"Content-Length: 99999999999999999999\r\n\r\n", None),
        ("content-length-plus-sign", b"POST /api/scratch:create HTTP/1.1\r\n" + H + AU + CT + b"Content-Length: +2\r\n\r\n{}", None),
        ("te-gzip-only", b"POST /api/scratch:create HTTP/1.1\r\n" + H + AU + CT + b"Transfer-Encoding: gzip\r\n\r\n{}", None),
        ("te-chunked-then-gzip", b"POST /api/scratch:create HTTP/1.1\r\n" + H + AU + CT + b"Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", None),
        ("te-gzip-then-chunked", b"POST /api/scratch:create HTTP/1.1\r\n" + H + AU + CT + b"Transfer-Encoding: gzip, chunked\r\n" + CC + b"\r\n2\r\n{}\r\n0\r\n\r\n", None),
        ("te-CHUNKED-uppercase", b"POST /api/scratch:create HTTP/1.1\r\n" + H + AU + CT + b"Transfer-Encoding: CHUNKED\r\n" + CC + b"\r\n2\r\n{}\r\n0\r\n\r\n", None),
        ("chunk-size-not-hex", b"POST /api/scratch:create HTTP/1.1\r\n" + H + AU + CT + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", None),
        ("chunk-size-overflow", b"POST /api/scratch:create HTTP/1.1\r\n" + H + AU + CT + b"Transfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n", None),
        ("chunk-size-negative", b"POST /api/scratch:create HTTP/1.1\r\n" + H + AU + CT + b"Transfer-Encoding: chunked\r\n\r\n-2\r\n{}\r\n0\r\n\r\n", None),
        ("chunk-extension", b"POST /api/scratch:create HTTP/1.1\r\n" + H + AU + CT + b"Transfer-Encoding: chunked\r\n" + CC + b"\r\n2;a=b\r\n{}\r\n0\r\n\r\n", None),
        ("chunk-data-without-crlf", b"POST /api/scratch:create HTTP/1.1\r\n" + H + AU + CT + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}X\r\n0\r\n\r\n", None),
        ("chunk-trailer", b"POST /api/scratch:create HTTP/1.1\r\n" + H + AU + CT + b"Transfer-Encoding: chunked\r\n" + CC + b"\r\n2\r\n{}\r\n0\r\nX-Trailer: 1\r\n\r\n", None),
        ("method-FOO", b"FOO /api/todos:list HTTP/1.1\r\n" + H + AU + b"\r\n", None),
        ("method-lowercase-get", b"get /api/todos:list HTTP/1.1\r\n" + H + AU + b"\r\n", None),
        ("method-PROPFIND", b"PROPFIND /api/todos:list?pageSize=1 HTTP/1.1\r\n" + H + AU + CC + b"\r\n", None),
        ("method-QUERY", b"QUERY /api/todos:list?pageSize=1 HTTP/1.1\r\n" + H + AU + CC + b"\r\n", None),
        ("method-TRACE", b"TRACE /api/todos:list?pageSize=1 HTTP/1.1\r\n" + H + AU + CC + b"\r\n", None),
        ("method-PURGE", b"PURGE /api/todos:list?pageSize=1 HTTP/1.1\r\n" + H + AU + CC + b"\r\n", None),
        ("method-CONNECT", b"CONNECT 127.0.0.1:13000 HTTP/1.1\r\n" + H + b"\r\n", None),
        ("method-HEAD-list", b"HEAD /api/todos:list?pageSize=1 HTTP/1.1\r\n" + H + AU + CC + b"\r\n", None),
        ("http10-no-host", b"GET /api/todos:list?pageSize=1 HTTP/1.0\r\n" + AU + b"\r\n", None),
        ("http10-keep-alive", b"GET /api/todos:list?pageSize=1 HTTP/1.0\r\n" + AU + b"Connection: keep-alive\r\n\r\n", None),
        ("http11-no-host", b"GET /api/todos:list?pageSize=1 HTTP/1.1\r\n" + AU + b"\r\n", None),
        ("http11-empty-host", b"GET /api/todos:list?pageSize=1 HTTP/1.1\r\nHost:\r\n" + AU + CC + b"\r\n", None),
        ("http11-two-hosts", b"GET /api/todos:list?pageSize=1 HTTP/1.1\r\nHost: a\r\nHost: b\r\n" + AU + CC + b"\r\n", None),
        ("http09-no-version", b"GET /api/todos:list?pageSize=1\r\n\r\n", None),
        ("http-2.0-version", b"GET /api/todos:list?pageSize=1 HTTP/2.0\r\n" + H + AU + b"\r\n", None),
        ("http-1.2-version", b"GET /api/todos:list?pageSize=1 HTTP/1.2\r\n" + H + AU + b"\r\n", None),
        ("http-lowercase-version", b"GET /api/todos:list?pageSize=1 http/1.1\r\n" + H + AU + b"\r\n", None),
        ("garbage-line", b"HELLO\r\n\r\n", None),
        ("lf-only-line-endings", b"GET /api/todos:list?pageSize=1 HTTP/1.1\n" + b"Host: h\n" + b"\n", None),
        ("bare-cr", b"GET /api/todos:list?pageSize=1 HTTP/1.1\rHost: h\r\n\r\n", None),
        ("space-before-colon", b"GET /api/todos:list?pageSize=1 HTTP/1.1\r\nHost : h\r\n\r\n", None),
        ("obs-fold", b"GET /api/todos:list?pageSize=1 HTTP/1.1\r\n" + H + b"X-A: a\r\n b\r\n" + CC + b"\r\n", None),
        ("bad-header-name", b"GET /api/todos:list?pageSize=1 HTTP/1.1\r\n" + H + b"X(A): a\r\n\r\n", None),
        ("nul-in-header-value", b"GET /api/todos:list?pageSize=1 HTTP/1.1\r\n" + H + b"X-A: a\x00b\r\n\r\n", None),
        ("ctl-in-header-value", b"GET /api/todos:list?pageSize=1 HTTP/1.1\r\n" + H + b"X-A: a\x01b\r\n\r\n", None),
        ("obs-text-in-header-value", b"GET /api/todos:list?pageSize=1 HTTP/1.1\r\n" + H + AU + b"X-A: a\xffb\r\n" + CC + b"\r\n", None),
        ("space-in-url", b"GET /api/todos:list?a=b c HTTP/1.1\r\n" + H + b"\r\n", None),
        ("url-without-path", b"GET ?pageSize=1 HTTP/1.1\r\n" + H + b"\r\n", None),
        ("absolute-form-url", b"GET http://127.0.0.1:13000/api/todos:list?pageSize=1 HTTP/1.1\r\n" + H + AU + CC + b"\r\n", None),
        ("double-space-request-line", b"GET  /api/todos:list?pageSize=1 HTTP/1.1\r\n" + H + AU + CC + b"\r\n", None),
        ("leading-empty-lines", b"\r\n\r\nGET /api/todos:list?pageSize=1 HTTP/1.1\r\n" + H + AU + CC + b"\r\n", None),
        ("pipelined-two-requests", b"GET /api/todos:list?pageSize=1 HTTP/1.1\r\n" + H + AU + b"\r\nGET /api/todos:get?filterByTk=1 HTTP/1.1\r\n" + H + AU + CC + b"\r\n", None),
        ("expect-100-continue", b"POST /api/scratch:create HTTP/1.1\r\n" + H + AU + CT + b"Content-Length: 16\r\nExpect: 100-continue\r\n" + CC + b"\r\n", None),
        ("expect-unknown", b"POST /api/scratch:create HTTP/1.1\r\n" + H + AU + CT + b"Content-Length: 2\r\nExpect: bogus\r\n" + CC + b"\r\n{}", None),
        ("upgrade-websocket-api-path", b"GET /api/todos:list HTTP/1.1\r\n" + H + b"Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", None),
        ("empty-authorization-value", b"GET /api/todos:list?pageSize=1 HTTP/1.1\r\n" + H + b"Authorization:\r\n" + CC + b"\r\n", None),
        ("body-on-get", b"GET /api/todos:list?pageSize=1 HTTP/1.1\r\n" + H + AU + CT + b"Content-Length: 9\r\n" + CC + b"\r\n{\"a\":1}\r\n", None),
        ("body-on-get-invalid-json", b"GET /api/todos:list?pageSize=1 HTTP/1.1\r\n" + H + AU + CT + b"Content-Length: 1\r\n" + CC + b"\r\n{", None),
        ("options-asterisk", b"OPTIONS * HTTP/1.1\r\n" + H + CC + b"\r\n", None),
        ("http10-no-host-no-token", b"GET /api/todos:list?pageSize=1 HTTP/1.0\r\n\r\n", None),
        ("http10-no-host-garbage-token", b"GET /api/todos:list?pageSize=1 HTTP/1.0\r\nAuthorization: Bearer garbage\r\n\r\n", None),
        ("http10-no-host-unknown-resource", b"GET /api/nosuch:list HTTP/1.0\r\n" + AU + b"\r\n", None),
        ("http10-no-host-health", b"GET /api/__health_check HTTP/1.0\r\n\r\n", None),
        ("x-forwarded-proto-invalid", b"GET /api/todos:list?pageSize=1 HTTP/1.1\r\n" + H + AU + b"X-Forwarded-Proto: a b\r\n" + CC + b"\r\n", None),
        ("x-forwarded-host-invalid", b"GET /api/todos:list?pageSize=1 HTTP/1.1\r\n" + H + AU + b"X-Forwarded-Host: a b\r\n" + CC + b"\r\n", None),
        ("x-forwarded-host-valid", b"GET /api/todos:list?pageSize=1 HTTP/1.1\r\n" + H + AU + b"X-Forwarded-Host: example.com\r\n" + CC + b"\r\n", None),
        ("host-invalid-chars", b"GET /api/todos:list?pageSize=1 HTTP/1.1\r\nHost: a b\r\n" + AU + CC + b"\r\n", None),
        ("host-invalid-no-token", b"GET /api/todos:list?pageSize=1 HTTP/1.1\r\nHost: a b\r\n" + CC + b"\r\n", None),
    ]
    for name, data, _ in frames:
        if "scratch:create" in data.decode("latin-1"):
            refill_scratch()
        R.raw_rec(f"r3-raw-{name}", data, auth=KEY if b"Authorization: Bearer" in data else NONE, read_timeout=2.0)
    # body encodings and odd JSON (HTTP level)
    jb = b'{"title":"enc","completed":true}'
    enc = [
        ("bom", b"\xef\xbb\xbf" + jb, {}),
        ("gzip", gzip.compress(jb, mtime=0), {"Content-Encoding": "gzip"}),
        ("deflate-zlib", zlib.compress(jb), {"Content-Encoding": "deflate"}),
        ("deflate-raw", zlib.compress(jb)[2:-4], {"Content-Encoding": "deflate"}),
        ("br-invalid", jb, {"Content-Encoding": "br"}),
        ("br-valid", None, {"Content-Encoding": "br"}),
        ("gzip-uppercase", gzip.compress(jb, mtime=0), {"Content-Encoding": "GZIP"}),
        ("identity", jb, {"Content-Encoding": "identity"}),
        ("bogus-encoding", jb, {"Content-Encoding": "bogus"}),
        ("gzip-garbage", b"notgzip", {"Content-Encoding": "gzip"}),
        ("gzip-then-gzip", gzip.compress(gzip.compress(jb, mtime=0), mtime=0), {"Content-Encoding": "gzip, gzip"}),
        ("gzip-bomb-11MB", gzip.compress(b'{"title":"bomb"}' + b" " * (11 * 1024 * 1024), mtime=0), {"Content-Encoding": "gzip"}),
    ]
    try:
        import brotli  # noqa
        br_ok = brotli.compress(jb)
    except Exception:
        br_ok = None
    for name, raw, h in enc:
        if name == "br-valid":
            if br_ok is None:
                continue
            raw = br_ok
        R.ex(f"r3-body-{name}", "POST", "/api/scratch:create", dict(K, **{"Content-Type": "application/json"}, **h), raw_body=raw, auth=KEY)
    odd = [
        ("lone-high-surrogate", b'{"title":"\\ud800x"}'),
        ("lone-low-surrogate", b'{"title":"\\udc00"}'),
        ("surrogate-pair-escaped", b'{"title":"\\ud83d\\ude00"}'),
        ("invalid-utf8-bytes", b'{"title":"\xff\xfe"}'),
        ("nul-escape", b'{"title":"a\\u0000b"}'),
        ("json-number-body", b"42"),
        ("json-string-body", b'"x"'),
        ("json-null-body", b"null"),
        ("json-true-body", b"true"),
        ("empty-body", b""),
        ("whitespace-body", b"   "),
        ("array-body", b'[{"title":"a1"},{"title":"a2"}]'),
        ("empty-array-body", b"[]"),
        ("array-of-non-objects", b"[1,2]"),
        ("trailing-garbage", b'{"title":"tg"} x'),
        ("trailing-comma", b'{"title":"tc",}'),
        ("duplicate-keys", b'{"title":"a","title":"b"}'),
        ("big-number", b'{"title":"n","id":1e400}'),
        ("deep-nesting-10000", b'{"title":' + b"[" * 10000 + b"]" * 10000 + b"}"),
        ("nan-literal", b'{"title":NaN}'),
        ("single-quotes", b"{'title':'x'}"),
    ]
    refill_scratch()
    for name, raw in odd:
        R.ex(f"r3-json-{name}", "POST", "/api/scratch:create", dict(K, **{"Content-Type": "application/json"}), raw_body=raw, auth=KEY)
    R.ex("r3-json-lone-surrogate-read-back", "GET", "/api/scratch:list?sort=id&pageSize=30&fields=id,title", K, auth=KEY,
         note="what the rows created above read back as (lone surrogates and invalid bytes are stored as U+FFFD)")
    cts = [
        ("no-content-type", None, b'{"title":"noct"}'),
        ("text-plain", "text/plain", b'{"title":"tp"}'),
        ("form-urlencoded", "application/x-www-form-urlencoded", b"title=form&completed=true"),
        ("form-nested", "application/x-www-form-urlencoded", b"title[a]=1&completed=1"),
        ("form-proto", "application/x-www-form-urlencoded", b"title=fp&__proto__[x]=1"),
        ("json-trailing-semicolon", "application/json;", b'{"title":"js"}'),
        ("json-charset-latin1", "application/json; charset=latin1", b'{"title":"l\xe9"}'),
        ("vnd-api-json", "application/vnd.api+json", b'{"title":"vnd"}'),
        ("other-plus-json", "application/foo+json", b'{"title":"foo"}'),
        ("xml", "application/xml", b"<a/>"),
        ("multipart", "multipart/form-data; boundary=x", b'--x\r\nContent-Disposition: form-data; name="title"\r\n\r\nmp\r\n--x--\r\n'),
        ("json-uppercase", "APPLICATION/JSON", b'{"title":"up"}'),
    ]
    for name, ct, raw in cts:
        h = dict(K)
        if ct:
            h["Content-Type"] = ct
        R.ex(f"r3-content-type-{name}", "POST", "/api/scratch:create", h, raw_body=raw, auth=KEY)
    R.ex("r3-proto-key-in-body", "POST", "/api/scratch:create", dict(K, **{"Content-Type": "application/json"}),
         raw_body=b'{"title":"p","__proto__":{"x":1}}', auth=KEY)
    R.ex("r3-proto-key-nested-in-body", "POST", "/api/scratch:create", dict(K, **{"Content-Type": "application/json"}),
         raw_body=b'{"title":"p","a":{"b":{"__proto__":{"x":1}}}}', auth=KEY)
    R.ex("r3-constructor-prototype-in-body", "POST", "/api/scratch:create", dict(K, **{"Content-Type": "application/json"}),
         raw_body=b'{"title":"cp","constructor":{"prototype":{"polluted":1}}}', auth=KEY)
    R.ex("r3-proto-escaped-key-in-body", "POST", "/api/scratch:create", dict(K, **{"Content-Type": "application/json"}),
         raw_body=b'{"title":"pe","\\u005f_proto__":{"x":1}}', auth=KEY)

    # ================================================================== RULE 4: records off the tutorial path
    R.ex("r4-create-whitelist-title", "POST", "/api/todos:create?whitelist=title", K, {"title": "wl", "completed": True}, auth=KEY)
    R.ex("r4-create-whitelist-array", "POST", "/api/todos:create?whitelist[]=title&whitelist[]=completed", K, {"title": "wl2", "completed": True}, auth=KEY)
    R.ex("r4-create-whitelist-comma", "POST", "/api/todos:create?whitelist=title,completed", K, {"title": "wl3", "completed": True}, auth=KEY)
    R.ex("r4-create-whitelist-nosuch", "POST", "/api/todos:create?whitelist=nosuch", K, {"title": "wl4", "completed": True}, auth=KEY)
    R.ex("r4-create-whitelist-empty", "POST", "/api/todos:create?whitelist=", K, {"title": "wl5", "completed": True}, auth=KEY)
    R.ex("r4-create-blacklist-title", "POST", "/api/todos:create?blacklist=title", K, {"title": "bl", "completed": True}, auth=KEY)
    R.ex("r4-create-blacklist-id", "POST", "/api/todos:create?blacklist=id", K, {"id": 3000, "title": "bl id"}, auth=KEY)
    R.ex("r4-create-whitelist-admin", "POST", "/api/todos:create?whitelist=title", A, {"title": "wla", "completed": True}, auth=ADMIN)
    R.ex("r4-create-blacklist-admin", "POST", "/api/todos:create?blacklist=title", A, {"title": "bla", "completed": True}, auth=ADMIN)
    R.ex("r4-update-whitelist-completed", "POST", "/api/todos:update?filterByTk=1&whitelist=completed", K, {"title": "nope", "completed": True}, auth=KEY)
    R.ex("r4-update-blacklist-completed", "POST", "/api/todos:update?filterByTk=1&blacklist=completed", K, {"title": "Buy milk!", "completed": False}, auth=KEY)
    R.ex("r4-get-after-whitelist-blacklist", "GET", "/api/todos:get?filterByTk=1", K, auth=KEY)
    R.ex("r4-create-client-id", "POST", "/api/todos:create", K, {"id": 1000, "title": "with id"}, auth=KEY)
    R.ex("r4-create-client-id-duplicate", "POST", "/api/todos:create", K, {"id": 1000, "title": "dup id"}, auth=KEY)
    R.ex("r4-create-client-id-string", "POST", "/api/todos:create", K, {"id": "abc", "title": "id str"}, auth=KEY)
    R.ex("r4-create-client-id-numeric-string", "POST", "/api/todos:create", K, {"id": "2000", "title": "id numstr"}, auth=KEY)
    R.ex("r4-create-client-id-null", "POST", "/api/todos:create", K, {"id": None, "title": "id null"}, auth=KEY)
    R.ex("r4-create-client-id-negative", "POST", "/api/todos:create", K, {"id": -5, "title": "id neg"}, auth=KEY)
    R.ex("r4-create-client-id-float", "POST", "/api/todos:create", K, {"id": 1.5, "title": "id float"}, auth=KEY)
    R.ex("r4-create-client-id-after", "POST", "/api/todos:create", K, {"title": "next auto id"}, auth=KEY,
         note="the autoincrement continues after the largest id given by a client")
    R.ex("r4-update-client-id", "POST", "/api/todos:update?filterByTk=1000", K, {"id": 5000, "title": "upd id"}, auth=KEY)
    R.ex("r4-get-after-update-client-id-1000", "GET", "/api/todos:get?filterByTk=1000", K, auth=KEY)
    R.ex("r4-get-after-update-client-id-5000", "GET", "/api/todos:get?filterByTk=5000", K, auth=KEY)
    audit = {"id": 100, "title": "ts", "createdAt": "2001-01-01T00:00:00.000Z", "updatedAt": "2001-01-01T00:00:00.000Z",
             "createdById": 5, "updatedById": 7}
    R.ex("r4-todos_ts-create-client-audit-fields-key", "POST", "/api/todos_ts:create", K, audit, auth=KEY)
    R.ex("r4-todos_ts-get-after-create-key", "GET", "/api/todos_ts:get?filterByTk=100", K, auth=KEY)
    R.ex("r4-todos_ts-create-client-audit-fields-admin", "POST", "/api/todos_ts:create", A, dict(audit, id=101), auth=ADMIN)
    R.ex("r4-todos_ts-get-after-create-admin", "GET", "/api/todos_ts:get?filterByTk=101", A, auth=ADMIN)
    R.ex("r4-todos_ts-update-client-audit-fields-key", "POST", "/api/todos_ts:update?filterByTk=1", K,
         {"id": 200, "title": "ts-upd", "createdAt": "2001-01-01T00:00:00.000Z", "updatedAt": "2001-01-01T00:00:00.000Z",
          "createdById": 5, "updatedById": 7}, auth=KEY)
    R.ex("r4-todos_ts-get-after-update-key", "GET", "/api/todos_ts:get?filterByTk=1", A, auth=ADMIN)
    R.ex("r4-todos_ts-create-createdAt-garbage", "POST", "/api/todos_ts:create", K, {"title": "bad date", "createdAt": "not a date"}, auth=KEY)
    R.ex("r4-todos_ts-create-createdBy-object", "POST", "/api/todos_ts:create", K, {"title": "cb obj", "createdBy": {"id": 5}}, auth=KEY)
    R.ex("r4-todos_ts-create-createdBy-object-admin", "POST", "/api/todos_ts:create", A, {"title": "cb obj", "createdBy": {"id": 1, "nickname": "changed?"}}, auth=ADMIN)
    # non-object filter values on list / update / destroy
    for f in ["1", "[]", '"x"', "{}", "[1]", "null", "true", '{"$and":[]}', '[{"id":1}]']:
        R.ex(f"r4-list-filter-{f}", "GET", "/api/scratch:list?filter=" + q(f), K, auth=KEY)
    for act in ("update", "destroy"):
        for f in ["1", "[]", '"x"', "{}", "[1]", "null", "true", '{"$and":[]}', '[{"id":1}]', '{"id":{"$gt":0}}']:
            refill_scratch()
            R.ex(f"r4-{act}-filter-{f}", "POST", f"/api/scratch:{act}?filter=" + q(f), K,
                 {"title": "upd"} if act == "update" else None, auth=KEY)
            R.ex(f"r4-{act}-filter-{f}-count-after", "GET", "/api/scratch:list?pageSize=1", K, auth=KEY,
                 note="meta.count after the call above (3 before it)")
    refill_scratch()
    R.ex("r4-destroy-filterByTk-empty", "POST", "/api/scratch:destroy?filterByTk=", K, auth=KEY)
    R.ex("r4-destroy-filterByTk-array", "POST", "/api/scratch:destroy?filterByTk[]=999999&filterByTk[]=999998", K, auth=KEY)
    R.ex("r4-destroy-filterByTk-json-array", "POST", "/api/scratch:destroy?filterByTk=" + q("[999999,999998]"), K, auth=KEY)
    R.ex("r4-destroy-filterByTk-json-object", "POST", "/api/scratch:destroy?filterByTk=" + q('{"id":1}'), K, auth=KEY)
    R.ex("r4-destroy-truncate-no-filter", "POST", "/api/scratch:destroy?truncate=true", K, auth=KEY)
    R.ex("r4-destroy-truncate-count-after", "GET", "/api/scratch:list?pageSize=1", K, auth=KEY)
    refill_scratch()
    R.ex("r4-update-forceUpdate-no-filter", "POST", "/api/scratch:update?forceUpdate=true", K, {"title": "forced"}, auth=KEY)
    R.ex("r4-update-forceUpdate-list-after", "GET", "/api/scratch:list", K, auth=KEY)
    refill_scratch()
    R.ex("r4-get-no-filterByTk", "GET", "/api/scratch:get", K, auth=KEY)
    R.ex("r4-get-filterByTk-abc", "GET", "/api/scratch:get?filterByTk=abc", K, auth=KEY)
    R.ex("r4-get-filterByTk-array", "GET", "/api/todos:get?filterByTk[]=1&filterByTk[]=2", K, auth=KEY)
    R.ex("r4-get-filterByTk-and-filter", "GET", "/api/todos:get?filterByTk=1&filter=" + q('{"id":2}'), K, auth=KEY)
    R.ex("r4-get-filter-only", "GET", "/api/todos:get?filter=" + q('{"id":2}'), K, auth=KEY)
    # __proto__ / constructor in filters
    for name, path in [
        ("json-proto", "/api/todos:list?pageSize=1&filter=" + q('{"__proto__":{"x":1}}')),
        ("json-constructor", "/api/todos:list?pageSize=1&filter=" + q('{"constructor":1}')),
        ("json-field-constructor", "/api/todos:list?pageSize=1&filter=" + q('{"title":{"constructor":1}}')),
        ("json-field-proto", "/api/todos:list?pageSize=1&filter=" + q('{"title":{"__proto__":{"$eq":"x"}}}')),
        ("qs-proto", "/api/todos:list?pageSize=1&filter[__proto__][x]=1"),
        ("qs-constructor-prototype", "/api/todos:list?pageSize=1&filter[constructor][prototype][x]=1"),
        ("qs-top-proto", "/api/todos:list?pageSize=1&__proto__[x]=1"),
        ("qs-hasOwnProperty", "/api/todos:list?pageSize=1&hasOwnProperty=1"),
        ("qs-toString-filter", "/api/todos:list?pageSize=1&filter[toString]=1"),
    ]:
        R.ex(f"r4-filter-{name}", "GET", path, K, auth=KEY)
    # sort
    for name, s in [("empty", "sort="), ("dash", "sort=-"), ("nosuchfield", "sort=nosuchfield"), ("minus-nosuchfield", "sort=-nosuchfield"),
                    ("array", "sort[]=title&sort[]=-id"), ("double-comma", "sort=title,,id"), ("assoc-path", "sort=createdBy.id"),
                    ("no-equals", "sort"), ("double-dash", "sort=--id"), ("leading-space", "sort=%20id"), ("plus", "sort=%2Bid"),
                    ("sql-injection", "sort=" + q("id; DROP TABLE todos")), ("quoted", "sort=" + q('"id"')), ("json-array", "sort=" + q('["-id"]'))]:
        R.ex(f"r4-sort-{name}", "GET", f"/api/todos:list?pageSize=3&{s}", K, auth=KEY)
    R.ex("r4-sort-assoc-path-todos_ts-key", "GET", "/api/todos_ts:list?pageSize=3&sort=-createdBy.id", K, auth=KEY)
    R.ex("r4-sort-assoc-path-todos_ts-admin", "GET", "/api/todos_ts:list?pageSize=3&sort=-createdBy.id", A, auth=ADMIN)
    # fields / appends / except
    for who, h, a in (("key", K, KEY), ("admin", A, ADMIN)):
        for name, s in [("fields-nosuch", "fields=nosuch"), ("fields-empty", "fields="), ("fields-no-equals", "fields"),
                        ("fields-title-nosuch", "fields=title,nosuch"), ("fields-array", "fields[]=title"),
                        ("appends-non-association", "appends=title"), ("appends-nosuch", "appends=nosuch"),
                        ("except-title", "except=title"), ("except-nosuch", "except=nosuch")]:
            R.ex(f"r4-{name}-{who}", "GET", f"/api/todos:list?pageSize=2&{s}", h, auth=a)
        for name, s in [("appends-createdBy", "appends=createdBy"), ("appends-createdBy-nosuch", "appends=createdBy.nosuch"),
                        ("appends-title", "appends=title"), ("fields-createdBy-nickname", "fields=createdBy.nickname"),
                        ("fields-id-createdBy-nickname", "fields=id,createdBy.nickname")]:
            R.ex(f"r4-todos_ts-{name}-{who}", "GET", f"/api/todos_ts:list?pageSize=1&{s}", h, auth=a)
    # page / pageSize
    for name, s in [("page-0", "page=0&pageSize=2"), ("page-minus-1", "page=-1&pageSize=2"), ("page-x", "page=x&pageSize=2"),
                    ("page-1e9", "page=1e9&pageSize=2"), ("page-1000000000", "page=1000000000&pageSize=2"),
                    ("page-2.7", "page=2.7&pageSize=2"), ("page-array", "page[]=2&pageSize=2"), ("page-empty", "page=&pageSize=2"),
                    ("page-no-equals", "page&pageSize=2"), ("page-huge", "page=99999999999999999999&pageSize=1"),
                    ("pageSize-0", "pageSize=0"), ("pageSize-minus-1", "pageSize=-1"), ("pageSize-x", "pageSize=x"),
                    ("pageSize-1e9", "pageSize=1e9"), ("pageSize-1000000000", "pageSize=1000000000"), ("pageSize-2.7", "pageSize=2.7"),
                    ("pageSize-empty", "pageSize="), ("pageSize-no-equals", "pageSize"), ("pageSize-12abc", "pageSize=2abc"),
                    ("paginate-0", "paginate=0&pageSize=1"), ("paginate-no-equals", "paginate&pageSize=1"),
                    ("paginate-FALSE", "paginate=FALSE&pageSize=1"), ("paginate-false-array", "paginate[]=false&pageSize=1")]:
        R.ex(f"r4-list-{name}", "GET", f"/api/todos:list?{s}", K, auth=KEY)
    # dataSourceResources:get locator rules
    for name, s in [("none", ""), ("filterByTk-name", "?filterByTk=todos"), ("filter-name-only", "?filter[name]=todos"),
                    ("filter-dataSourceKey-only", "?filter[dataSourceKey]=main"),
                    ("query-dataSourceKey-and-name", "?dataSourceKey=main&name=todos"),
                    ("filterByTk-prefixed", "?filterByTk=main_todos&filter[dataSourceKey]=main"),
                    ("filterByTk-numeric-unknown", "?filterByTk=123"),
                    ("both", "?filter[dataSourceKey]=main&filter[name]=todos")]:
        R.ex(f"r4-dataSourceResources-get-{name}", "GET", f"/api/roles/todos_api_role/dataSourceResources:get{s}", A, auth=ADMIN)
    R.ex("r4-dataSourceResources-get-unknown-role", "GET", "/api/roles/nosuchrole/dataSourceResources:get?filter[dataSourceKey]=main&filter[name]=todos", A, auth=ADMIN)
    R.ex("r4-dataSourceResources-get-key", "GET", "/api/roles/todos_api_role/dataSourceResources:get", K, auth=KEY)
    R.ex("r4-dataSourceResources-create-no-dataSourceKey", "POST", "/api/roles/todos_api_role/dataSourceResources:create", A,
         {"name": "todos", "usingActionsConfig": True, "actions": []}, auth=ADMIN)
    R.ex("r4-dataSourcesCollections-list-no-dataSourceKey", "GET", "/api/roles/todos_api_role/dataSourcesCollections:list", A, auth=ADMIN)
    # headers of ordinary answers (raw, so order and every header are visible)
    hdrs = [
        ("list-key", b"GET /api/todos:list?pageSize=1 HTTP/1.1\r\n" + H + AU + b"\r\n"),
        ("401", b"GET /api/todos:list HTTP/1.1\r\n" + H + b"\r\n"),
        ("404", b"GET /api/nosuch:list HTTP/1.1\r\n" + H + b"\r\n"),
        ("400-invalid-json", b"POST /api/todos:create HTTP/1.1\r\n" + H + CT + b"Content-Length: 1\r\n\r\n{"),
        ("413-declared-length", b"POST /api/todos:create HTTP/1.1\r\n" + H + CT + b"Content-Length: 10485761\r\n\r\n"),
        ("500-validate", b"POST /api/todos:destroy HTTP/1.1\r\n" + H + b"\r\n"),
        ("204-destroy-string-filter", b"POST /api/scratch:destroy?filter=%22x%22 HTTP/1.1\r\n" + H + AU + b"\r\n"),
        ("200-empty-malformed-filter", b"GET /api/todos:list?filter=abc HTTP/1.1\r\n" + H + b"\r\n"),
        ("options-preflight", b"OPTIONS /api/todos:list HTTP/1.1\r\n" + H + b"Origin: http://example.com\r\nAccess-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: authorization\r\n\r\n"),
        ("options-no-origin", b"OPTIONS /api/todos:list HTTP/1.1\r\n" + H + b"\r\n"),
        ("get-with-origin", b"GET /api/todos:list?pageSize=1 HTTP/1.1\r\n" + H + b"Origin: http://example.com\r\n" + AU + b"\r\n"),
        ("401-with-origin", b"GET /api/todos:list HTTP/1.1\r\n" + H + b"Origin: http://example.com\r\n\r\n"),
        ("connection-close", b"GET /api/todos:list?pageSize=1 HTTP/1.1\r\n" + H + AU + CC + b"\r\n"),
        ("if-none-match", b"GET /api/todos:list?pageSize=1 HTTP/1.1\r\n" + H + b"If-None-Match: *\r\n" + AU + b"\r\n"),
        ("accept-encoding-gzip", b"GET /api/todos:list?pageSize=1 HTTP/1.1\r\n" + H + b"Accept-Encoding: gzip\r\n" + AU + b"\r\n"),
        ("health-check", b"GET /api/__health_check HTTP/1.1\r\n" + H + b"\r\n"),
        ("api-root", b"GET /api HTTP/1.1\r\n" + H + b"\r\n"),
        ("api-slash", b"GET /api/ HTTP/1.1\r\n" + H + b"\r\n"),
        ("x-request-id-sent", b"GET /api/todos:list?pageSize=1 HTTP/1.1\r\n" + H + b"X-Request-Id: mine\r\n" + AU + b"\r\n"),
    ]
    for name, data in hdrs:
        R.raw_rec(f"r4-headers-{name}", data, auth=KEY if b"Bearer" in data else NONE, read_timeout=1.0,
                  note="read for 1 s; 'timeout' as connection_event means the server kept the connection open (keep-alive)")

    # ================================================================== RULE 5: filters
    tf = [
        {"nosuch": 1}, {"nosuch": {"$eq": 1}}, {"nosuch.$eq": 1}, {"nosuch": {"$foo": 1}},
        {"title": {"$foo": 1}}, {"title.$foo": 1}, {"$foo": 1}, {"$foo": {"title": 1}},
        {"$and": [{"nosuch": 1}]}, {"$or": [{"nosuch": 1}]}, {"$and": [{"title": {"$foo": 1}}]}, {"$or": [{"title.$foo": 1}]},
        {"$and": [{"$foo": 1}]}, {"$and": [{"$or": [{"nosuch": {"$foo": 1}}]}]},
        {"title": {"nosuch": 1}}, {"nosuch": {"x": 1}}, {"a.b": 1}, {"a": {"b": 1}},
        {"createdBy.nosuch": 1}, {"createdBy": {"nosuch": 1}}, {"title.nosuch": 1},
        {"title": {"$eq": {"x": 1}}}, {"title": [1, 2]}, {"title": None}, {"title": {"$in": "x"}}, {"title": {"$in": []}},
        {"title": {"$includes": 5}}, {"title": {"$includes": ["a", "b"]}}, {"title": {"$exists": True}}, {"title": {"$empty": True}},
        {"title": {"$notEmpty": True}}, {"id": {"$gt": "abc"}}, {"id": {"$between": [1]}}, {"id": {"$dateOn": "x"}},
        {"$and": {"title": "x"}}, {"$and": [1]}, {"$and": "x"}, {"$or": []}, {"$or": [{}]}, {"$not": {"title": "x"}},
        {"0": 1}, {"1abc": 1}, {"": 1}, {"id": {"": 1}}, {"title": {"$like": "%dog%"}}, {"title": {"$regexp": "dog"}},
        {"title": {"$eq": "it's"}}, {"title": {"$foo": "it's"}}, {"title": {"$foo": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}},
        {"title": {"$foo": list(range(120))}}, {"title": {"$foo": {"a": {"b": {"c": 1}}}}}, {"title": {"$foo": "x" * 100}},
        {"title": {"$foo": {"k1": "v" * 30, "k2": "w" * 30, "k3": "z" * 30}}}, {"title": {"$foo": None}}, {"title": {"$foo": True}},
        {"title": {"$foo": 1.5}}, {"title": {"$foo": [{"a": 1}]}},
    ]
    for f in tf:
        name = json.dumps(f, separators=(",", ":"))
        if len(name) > 60:
            name = name[:60] + "..."
        R.ex(f"r5-todos-filter-{name}", "GET", "/api/todos:list?pageSize=1&filter=" + fjson(f), K, auth=KEY)
    tsf = [
        {"createdBy.id": 1}, {"createdBy.nosuch": 1}, {"createdBy": {"id": 1}}, {"createdBy": {"nosuch": 1}},
        {"createdBy.id.$foo": 1}, {"createdBy.id": {"$foo": 1}}, {"createdBy.$foo": 1}, {"createdBy": 1},
        {"createdBy.roles.name": "root"}, {"createdBy.roles.nosuch": 1}, {"$and": [{"createdBy.nosuch": 1}]},
        {"$or": [{"createdBy": {"nosuch": {"$eq": 1}}}]}, {"nosuch.id": 1}, {"createdById": {"$foo": 1}},
        {"createdBy.id.$exists": True}, {"createdBy.$exists": True}, {"createdBy.$notExists": True}, {"createdBy.nickname.$includes": "Super"},
    ]
    for f in tsf:
        name = json.dumps(f, separators=(",", ":"))
        for who, h, a in (("key", K, KEY), ("admin", A, ADMIN)):
            R.ex(f"r5-todos_ts-filter-{name}-{who}", "GET", "/api/todos_ts:list?pageSize=1&filter=" + fjson(f), h, auth=a)
    # qs bracket forms of the same mistakes
    for name, s in [("nosuch", "filter[nosuch]=1"), ("title-foo", "filter[title][$foo]=1"), ("and-nosuch", "filter[$and][0][nosuch]=1"),
                    ("createdBy-nosuch", "filter[createdBy.nosuch]=1"), ("title-eq-array", "filter[title][$eq][]=a"),
                    ("title-in-array", "filter[title][$in][]=Buy%20milk&filter[title][$in][]=x"),
                    ("and-over-arrayLimit", "&".join(f"filter[$or][{i}][id]={i}" for i in range(102)))]:
        coll = "todos_ts" if "createdBy" in name else "todos"
        R.ex(f"r5-qs-{name}", "GET", f"/api/{coll}:list?pageSize=1&{s}", K, auth=KEY)
    # filters on update/destroy (scratch) with the same mistakes
    for act in ("update", "destroy"):
        for f in [{"nosuch": 1}, {"title": {"$foo": 1}}, {"$and": [{"nosuch": 1}]}]:
            refill_scratch()
            R.ex(f"r5-{act}-filter-{json.dumps(f, separators=(',', ':'))}", "POST", f"/api/scratch:{act}?filter=" + fjson(f), K,
                 {"title": "u"} if act == "update" else None, auth=KEY)

    # addenda found by schemathesis-pair (appended so the numbers above stay)
    for act, q_ in [("update", "filterByTk=1&filter=" + q("{}")), ("destroy", "filterByTk=1&filter=" + q("{}")),
                    ("destroy", "filterByTk=1&filter=" + q('"x"')), ("update", "filter=false"),
                    ("destroy", "filterByTk=1&filter=" + q("[true]"))]:
        refill_scratch()
        R.ex(f"r6-{act}-{q_}", "POST", f"/api/scratch:{act}?{q_}", K, {"title": "u"} if act == "update" else None, auth=KEY)
    for f in ['{"":{}}', '{"":null}', '{"\u0001":1}', '{"title":{"\u0001x":1}}', '{"a":{"b":{"c":{"d":1}}}}']:
        R.ex(f"r6-list-filter-{f}", "GET", "/api/todos:list?pageSize=1&filter=" + q(f), K, auth=KEY)
    # ================================================================== RULE 7: auth cookies (issue 11)
    SI = {"account": "admin@nocobase.com", "password": "admin123"}
    B = {"X-Authenticator": "basic"}
    R.ex("r7-cookies-signIn-plain", "POST", "/api/auth:signIn", B, SI, auth=NONE,
         note="4 Set-Cookie: auth token and authenticator (httponly), csrf token and role; expires = now + sessionExpirationTime (7 d)")
    R.ex("r7-cookies-signIn-X-Role-admin", "POST", "/api/auth:signIn", dict(B, **{"X-Role": "admin"}), SI, auth=NONE)
    R.ex("r7-cookies-signIn-X-Role-not-held", "POST", "/api/auth:signIn", dict(B, **{"X-Role": "no_such_role"}), SI, auth=NONE)
    R.ex("r7-cookies-signIn-X-Forwarded-Proto-https", "POST", "/api/auth:signIn", dict(B, **{"X-Forwarded-Proto": "https"}), SI, auth=NONE)
    R.ex("r7-cookies-signIn-same-origin", "POST", "/api/auth:signIn", dict(B, Origin="http://127.0.0.1:13000"), SI, auth=NONE)
    R.ex("r7-cookies-signIn-foreign-origin", "POST", "/api/auth:signIn", dict(B, Origin="http://evil.example"), SI, auth=NONE)
    R.ex("r7-cookies-signIn-wrong-password", "POST", "/api/auth:signIn", B, {"account": "admin@nocobase.com", "password": "nope"}, auth=NONE)
    st, b, _ = R.ex("r7-cookies-signIn-to-sign-out", "POST", "/api/auth:signIn", B, SI, auth=NONE)
    session = R.secret(b["data"]["token"])
    R.ex("r7-cookies-key-list-no-cookies", "GET", "/api/todos:list?pageSize=1", K, auth=KEY)
    R.ex("r7-cookies-signOut-session", "POST", "/api/auth:signOut", {"Authorization": "Bearer " + session},
         auth="admin session token (from the sign-in just above)",
         note="5 Set-Cookie clearing them (role before csrf), _session from plugin-idp-oauth")
    R.ex("r7-cookies-signOut-without-token", "POST", "/api/auth:signOut", {}, auth=NONE)
    R.ex("final-health", "GET", "/api/__health_check", {}, auth=NONE, note="NocoBase still healthy after everything above")
    R.rescrub_dir()
    R.write_index()


if __name__ == "__main__":
    main()
