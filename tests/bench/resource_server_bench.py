#!/usr/bin/env python3
"""HTTP load benchmark of `--bin resource-server`, with a baseline in the
same run.

    python3 tests/bench/resource_server_bench.py [--duration 10]
        [--connections 16] [--warmup 2] [--write]

Builds example-app in release mode (both binaries), starts the site (the
authorization server) on a fresh SQLite database and two resource servers
that take its tokens, makes over HTTP a user, the resource server's
introspection client and two clients (one with JWT access tokens, one
with opaque ones), obtains tokens for the resource (RFC 8707), and drives
with wrk:

  1. GET /                      an unprotected handler (the baseline)
  2. GET /api/hello, JWT        verified once, then from the cache
  3. GET /api/hello, opaque     introspected once, then from the cache
  4. GET /api/hello, opaque,    a resource server whose cache holds one
     cache cold                 token, called with two in turn: each
                                request is an introspection at the site
  5. GET /api/hello, JWT,       the same with two JWTs: each request
     cache cold                 verifies a signature (RS256)

For each: requests/s, p50 and p99 latency, errors, and the ratio to the
baseline; then each resource server's peak RSS. --write appends the table
to BENCHMARKS.md.
"""

import argparse
import base64
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from http_bench import ROOT, NoRedirect, ensure_wrk, free_port, sh, wait_until_up, wrk  # noqa: E402

LUA_ALTERNATE = """
local tokens = {{"{a}", "{b}"}}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/hello", {{["Authorization"] = "Bearer " .. tokens[i % 2 + 1]}})
end
"""


def build():
    print("== cargo build --release -p example-app (both binaries)", flush=True)
    sh(["cargo", "build", "--release", "-q", "-p", "example-app", "--bins"], cwd=ROOT)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return (os.path.join(target, "release", "example-app"),
            os.path.join(target, "release", "resource-server"))


class Process:
    def __init__(self, binary, workdir, port, env):
        self.base = f"http://127.0.0.1:{port}"
        full = dict(os.environ)
        full.pop("DATABASE_URL", None)
        full.update(ROCKET_PORT=str(port), ROCKET_ADDRESS="127.0.0.1", ROCKET_LOG_LEVEL="off",
                    ROCKET_SECRET_KEY=base64.b64encode(os.urandom(64)).decode(), **env)
        self.proc = subprocess.Popen([binary], cwd=workdir, env=full)
        wait_until_up(self.base, binary)

    def peak_rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def session(base):
    import http.cookiejar
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)

    def call(path, form=None, data=None, headers=None):
        body = None
        headers = dict(headers or {})
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
        if data is not None:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(base + path, data=body, headers=headers)
        try:
            with opener.open(req) as r:
                return r.read().decode()
        except urllib.error.HTTPError as e:
            if e.code in (302, 303):
                return ""
            raise
    return call


def basic(client):
    pair = f"{urllib.parse.quote_plus(client['client_id'])}:{urllib.parse.quote_plus(client['client_secret'])}"
    return "Basic " + base64.b64encode(pair.encode()).decode()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--duration", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--write", action="store_true")
    args = p.parse_args()
    ensure_wrk()
    site_bin, rs_bin = build()
    workdir = tempfile.mkdtemp(prefix="oauth-rs-bench-")
    site_port, warm_port, cold_port = free_port(), free_port(), free_port()
    warm_url = f"http://127.0.0.1:{warm_port}"
    cold_url = f"http://127.0.0.1:{cold_port}"
    procs = []
    try:
        site = Process(site_bin, workdir, site_port, {"RESOURCE_SERVER_URL": warm_url})
        procs.append(site)
        call = session(site.base)
        call("/", form={"username": "bench"})
        register = lambda meta: json.loads(call("/oauth/register", data=meta))
        rs_client = register({"grant_types": ["client_credentials"], "response_types": [],
                              "resource_server": warm_url})
        apps = {s: register({"grant_types": ["password"], "response_types": [], "scope": "profile",
                             "access_token_strategy": s}) for s in ("jwt", "opaque")}

        def token(strategy):
            return json.loads(call("/oauth/token", form={
                "grant_type": "password", "username": "bench", "password": "valid",
                "scope": "profile", "resource": warm_url,
            }, headers={"Authorization": basic(apps[strategy])}))["access_token"]

        jwt, other_jwt = token("jwt"), token("jwt")
        opaque, other = token("opaque"), token("opaque")
        common = {"AUTHORIZATION_SERVER": site.base,
                  "RESOURCE_CLIENT_ID": rs_client["client_id"],
                  "RESOURCE_CLIENT_SECRET": rs_client["client_secret"]}
        warm = Process(rs_bin, workdir, warm_port, common)
        procs.append(warm)
        # The cold one is the same resource (its identifier is the warm
        # one's), with room for one cached answer.
        cold = Process(rs_bin, workdir, cold_port, {"ROCKET_RESOURCE_SERVER": (
            "{" + f'issuer="{site.base}",resource="{warm_url}",'
            f'client_id="{rs_client["client_id"]}",client_secret="{rs_client["client_secret"]}",'
            'token_cache_size=1,insecure_transport=true' + "}")})
        procs.append(cold)
        for t in (jwt, opaque):
            r = urllib.request.urlopen(urllib.request.Request(
                warm.base + "/api/hello", headers={"Authorization": f"Bearer {t}"}))
            assert r.status == 200, r.status

        def measure(base, path="/", **kw):
            if args.warmup:
                wrk(base + path, args.warmup, args.connections, **kw)
            return wrk(base + path, args.duration, args.connections, **kw)

        rows = [
            ("GET / (unprotected baseline)", measure(warm.base)),
            ("GET /api/hello, JWT access token", measure(
                warm.base, "/api/hello", headers=[f"Authorization: Bearer {jwt}"])),
            ("GET /api/hello, opaque, cache warm", measure(
                warm.base, "/api/hello", headers=[f"Authorization: Bearer {opaque}"])),
            ("GET /api/hello, opaque, cache cold (introspection each time)", measure(
                cold.base, "/api/hello", lua=LUA_ALTERNATE.format(a=opaque, b=other))),
            ("GET /api/hello, JWT, cache cold (signature checked each time)", measure(
                cold.base, "/api/hello", lua=LUA_ALTERNATE.format(a=jwt, b=other_jwt))),
        ]
        peaks = (warm.peak_rss_kib(), cold.peak_rss_kib(), site.peak_rss_kib())
    finally:
        for proc in procs:
            proc.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    base = rows[0][1]["rps"]
    lines = ["| request | req/s | × baseline | p50 ms | p99 ms | errors |", "|---|---:|---:|---:|---:|---:|"]
    for label, r in rows:
        lines.append(f"| {label} | {r['rps']:.0f} | {r['rps'] / base:.2f} | {r['p50']:.2f} | {r['p99']:.2f} | {r['errors']} |")
    lines.append(f"\nPeak RSS: resource server {peaks[0] / 1024:.1f} MiB (cold one {peaks[1] / 1024:.1f} MiB),"
                 f" the site {peaks[2] / 1024:.1f} MiB.")
    text = "\n".join(lines)
    print(text)
    if args.write:
        header = (
            f"\n### Resource server, run of {datetime.date.today()} on {platform.node()} "
            f"({os.cpu_count()} cores, {platform.machine()})\n\n"
            f"`python3 tests/bench/resource_server_bench.py --duration {args.duration}"
            f" --warmup {args.warmup} --connections {args.connections}`\n\n"
        )
        with open(os.path.join(ROOT, "BENCHMARKS.md"), "a") as f:
            f.write(header + text + "\n")


if __name__ == "__main__":
    sys.exit(main())
