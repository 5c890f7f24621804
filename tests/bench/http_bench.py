#!/usr/bin/env python3
"""HTTP load benchmark of the example app, with a baseline in the same run.

    python3 tests/bench/http_bench.py [--duration 10] [--connections 16]
        [--prefill 0,10000,1000000] [--postgres URL] [--soak 60] [--warmup 2]
        [--scaling-rounds 3] [--write]

Builds example-app in release mode, starts it on a free port with a fresh
database, makes a user, a client and a token over HTTP, fills the token
table with N extra tokens, and drives it with wrk:

  1. GET /ping                 an unprotected handler (the baseline)
  2. GET /api/me               bearer token, scope `profile`
  3. POST /oauth/token         client credentials, HTTP Basic
  4. POST /oauth/introspect    the bearer token

Each is driven untimed for --warmup seconds first (the pool opens its
connections), then measured. For each: requests/s, p50 and p99 latency,
errors, and the ratio of requests/s to the baseline; then the server's
peak RSS. Then, to tell the cost of a large table from the drift of the
machine between runs, /api/me on the smallest and the largest table, both
apps up at once, measured in alternation (--scaling-rounds). With --soak S it
also runs /api/me for S seconds and reports RSS before and after.
--write appends the tables to BENCHMARKS.md.
"""

import argparse
import base64
import datetime
import hashlib
import http.cookiejar
import json
import os
import platform
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def ensure_wrk():
    if shutil.which("wrk"):
        return
    print("== installing wrk", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    sh(sudo + ["apt-get", "install", "-y", "-qq", "wrk"])


def build():
    print("== cargo build --release -p example-app", flush=True)
    sh(["cargo", "build", "--release", "-q", "-p", "example-app"], cwd=ROOT)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return os.path.join(target, "release", "example-app")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(base, what):
    """Waits up to 30 s for GET base/ to answer."""
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/", timeout=1)
            return
        except Exception:
            time.sleep(0.1)
    raise SystemExit(f"{what} did not start")


class App:
    def __init__(self, binary, database_url, workdir):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        env.update(
            DATABASE_URL=database_url,
            ROCKET_PORT=str(self.port),
            ROCKET_ADDRESS="127.0.0.1",
            ROCKET_LOG_LEVEL="off",
            ROCKET_SECRET_KEY=base64.b64encode(os.urandom(64)).decode(),
        )
        self.proc = subprocess.Popen([binary], cwd=workdir, env=env)
        wait_until_up(self.base, "the example app")

    def rss_kib(self, field="VmRSS"):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def setup(app):
    """A user, a confidential client and a bearer token, over HTTP."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(jar), NoRedirect
    )

    def call(path, data=None, headers=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(app.base + path, data=body, headers=headers or {})
        try:
            with opener.open(req) as r:
                return r.read().decode()
        except urllib.error.HTTPError as e:
            if e.code in (302, 303):
                return ""
            raise

    call("/", {"username": "bench"})
    form = call("/create_client")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    call(
        "/create_client",
        {
            "csrf_token": csrf,
            "client_name": "bench",
            "scope": "profile",
            "redirect_uri": "http://127.0.0.1/cb",
            "grant_type": "client_credentials\npassword",
            "response_type": "",
            "token_endpoint_auth_method": "client_secret_basic",
        },
    )
    home = call("/")
    client_id = re.search(r"client_id: <code>([^<]+)", home).group(1)
    secret = re.search(r"client_secret: <code>([^<]+)", home).group(1)
    basic = "Basic " + base64.b64encode(
        f"{urllib.parse.quote_plus(client_id)}:{urllib.parse.quote_plus(secret)}".encode()
    ).decode()
    token = json.loads(
        call(
            "/oauth/token",
            {"grant_type": "password", "username": "bench", "password": "valid", "scope": "profile"},
            {"Authorization": basic},
        )
    )["access_token"]
    return client_id, basic, token


def prefill(database_url, client_id, n, pg_schema=None):
    """N extra valid tokens for the client, inserted directly."""
    if n == 0:
        return
    now = int(time.time())
    if database_url.startswith("sqlite://"):
        db = sqlite3.connect(database_url[len("sqlite://"):])
        rows = (
            (1, client_id, "Bearer", hashlib.sha256(os.urandom(32)).hexdigest(), None,
             "profile", "profile", now, 864000, f"prefill-{i}")
            for i in range(n)
        )
        db.executemany(
            "INSERT INTO oauth2_token (user_id, client_id, token_type, access_token, refresh_token,"
            " scope, refresh_token_scope, issued_at, expires_in, grant_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        db.commit()
        db.close()
    else:
        sql = (
            f"SET search_path TO {pg_schema};"
            "INSERT INTO oauth2_token (user_id, client_id, token_type, access_token, scope,"
            " refresh_token_scope, issued_at, expires_in, grant_id)"
            f" SELECT 1, '{client_id}', 'Bearer', md5(random()::text || g) || md5(g::text),"
            f" 'profile', 'profile', {now}, 864000, 'prefill-' || g FROM generate_series(1, {n}) g;"
        )
        sh(["psql", "-q", database_url.split("?")[0], "-c", sql], stdout=subprocess.DEVNULL)


LUA_POST = """
wrk.method = "POST"
wrk.body   = "{body}"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "{auth}"
"""


def wrk(url, seconds, connections, headers=(), lua=None):
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for h in headers:
        cmd += ["-H", h]
    script = None
    if lua:
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        script.write(lua)
        script.close()
        cmd += ["-s", script.name]
    out = subprocess.run(cmd + [url], check=True, capture_output=True, text=True).stdout
    if script:
        os.unlink(script.name)

    def latency(p):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (
        sum(int(x) for x in sock.groups()) if sock else 0
    )
    return {"rps": rps, "p50": latency(50), "p99": latency(99), "errors": errors}


def run_backend(binary, name, database_url, args, pg_schema=None):
    results = []
    for n in args.prefill:
        app, workdir, bearer, basic, token = start_prefilled(binary, database_url, n, pg_schema, "run")
        try:
            d, c = args.duration, args.connections

            def measure(path, **kw):
                # Untimed first: the pool opens its connections, caches fill.
                if args.warmup:
                    wrk(app.base + path, args.warmup, c, **kw)
                return wrk(app.base + path, d, c, **kw)

            rows = [
                ("GET /ping (baseline)", measure("/ping")),
                ("GET /api/me", measure("/api/me", headers=[bearer])),
                ("POST /oauth/token (client credentials)", measure(
                    "/oauth/token",
                    lua=LUA_POST.format(body="grant_type=client_credentials&scope=profile", auth=basic))),
                ("POST /oauth/introspect", measure(
                    "/oauth/introspect",
                    lua=LUA_POST.format(body=f"token={token}", auth=basic))),
            ]
            soak = None
            if args.soak:
                before = app.rss_kib()
                r = wrk(app.base + "/api/me", args.soak, c, headers=[bearer])
                soak = (before, app.rss_kib(), r)
            peak = app.rss_kib("VmHWM")
        finally:
            app.stop()
            shutil.rmtree(workdir, ignore_errors=True)
        results.append((name, n, rows, peak, soak))
    return results


def start_prefilled(binary, database_url, n, pg_schema, tag):
    """An app on a fresh database holding N extra tokens, and its bearer header."""
    workdir = tempfile.mkdtemp(prefix="oauth-bench-")
    url = database_url
    schema = None
    if url is None:
        url = f"sqlite://{workdir}/bench.sqlite"
    elif pg_schema:
        schema = f"{pg_schema}_{tag}_{n}"
        sh(["psql", "-q", url, "-c", f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};"],
           stdout=subprocess.DEVNULL)
        url = f"{database_url}?options=-csearch_path%3D{schema}"
    app = App(binary, url, workdir)
    try:
        client_id, basic, token = setup(app)
        prefill(url, client_id, n, schema)
    except BaseException:
        app.stop()
        raise
    return app, workdir, f"Authorization: Bearer {token}", basic, token


def scaling(binary, name, database_url, args, pg_schema=None):
    """/api/me on the smallest and the largest table, both apps up at once and
    measured in alternation, so that drift of the machine hits both alike."""
    small, large = args.prefill[0], args.prefill[-1]
    apps = []
    try:
        for n in (small, large):
            apps.append(start_prefilled(binary, database_url, n, pg_schema, "scaling"))
        rates = ([], [])
        for _ in range(args.scaling_rounds):
            for i, (app, _, bearer, _, _) in enumerate(apps):
                if args.warmup:
                    wrk(app.base + "/api/me", args.warmup, args.connections, headers=[bearer])
                r = wrk(app.base + "/api/me", args.duration, args.connections, headers=[bearer])
                rates[i].append(r["rps"])
    finally:
        for app, workdir, *_ in apps:
            app.stop()
            shutil.rmtree(workdir, ignore_errors=True)
    return name, small, large, rates


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def report(results, args, scalings=()):
    lines = []
    for name, n, rows, peak, soak in results:
        base = rows[0][1]["rps"]
        lines.append(f"\n#### {name}, {n:,} extra tokens in the table\n")
        lines.append("| endpoint | req/s | × baseline | p50 ms | p99 ms | errors |")
        lines.append("|---|---:|---:|---:|---:|---:|")
        for label, r in rows:
            lines.append(
                f"| {label} | {r['rps']:.0f} | {r['rps'] / base:.2f} | {r['p50']:.2f} | {r['p99']:.2f} | {r['errors']} |"
            )
        lines.append(f"\nPeak RSS of the server: {peak / 1024:.1f} MiB.")
        if soak:
            before, after, r = soak
            lines.append(
                f"Soak: GET /api/me for {args.soak} s at {r['rps']:.0f} req/s, {r['errors']} errors;"
                f" RSS {before / 1024:.1f} MiB before, {after / 1024:.1f} MiB after."
            )
    me = {}
    for name, n, rows, _, _ in results:
        me.setdefault(name, []).append((n, rows[1][1]["rps"]))
    for name, points in me.items():
        if len(points) > 1:
            lo, hi = points[0], points[-1]
            lines.append(
                f"\n{name}: /api/me at {hi[0]:,} tokens is {hi[1] / lo[1]:.2f}× its rate at {lo[0]:,} tokens."
            )
    for name, small, large, (a, b) in scalings:
        lines.append(
            f"\n{name}, interleaved: /api/me with {large:,} extra tokens ran at"
            f" {median(b) / median(a):.2f}× its rate with {small:,} (medians of"
            f" {len(a)} alternating runs: {', '.join(f'{x:.0f}' for x in a)} vs"
            f" {', '.join(f'{x:.0f}' for x in b)} req/s)."
        )
    text = "\n".join(lines)
    print(text)
    if args.write:
        header = (
            f"\n### Run of {datetime.date.today()} on {platform.node()} "
            f"({os.cpu_count()} cores, {platform.machine()})\n\n"
            f"`python3 tests/bench/http_bench.py --duration {args.duration} --warmup {args.warmup}"
            f" --connections {args.connections}"
            f" --prefill {','.join(map(str, args.prefill))}"
            + (" --postgres URL" if args.postgres else "")
            + (f" --soak {args.soak}" if args.soak else "")
            + f" --scaling-rounds {args.scaling_rounds}"
            + "`\n"
        )
        with open(os.path.join(ROOT, "BENCHMARKS.md"), "a") as f:
            f.write(header + text + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--duration", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2, help="untimed seconds before each measurement")
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--prefill", default="10000,1000000")
    p.add_argument("--postgres", default=None, help="PostgreSQL URL; runs there too")
    p.add_argument("--soak", type=int, default=0)
    p.add_argument("--scaling-rounds", type=int, default=3,
                   help="alternating /api/me runs on the smallest and largest table (0: none)")
    p.add_argument("--write", action="store_true")
    args = p.parse_args()
    args.prefill = [int(x) for x in args.prefill.split(",") if x]
    ensure_wrk()
    binary = build()
    pg_schema = "bench_" + secrets.token_hex(4)
    results = run_backend(binary, "SQLite", None, args)
    if args.postgres:
        results += run_backend(binary, "PostgreSQL", args.postgres, args, pg_schema=pg_schema)
    scalings = []
    if args.scaling_rounds and len(args.prefill) > 1:
        scalings.append(scaling(binary, "SQLite", None, args))
        if args.postgres:
            scalings.append(scaling(binary, "PostgreSQL", args.postgres, args, pg_schema=pg_schema))
    report(results, args, scalings)


if __name__ == "__main__":
    sys.exit(main())
