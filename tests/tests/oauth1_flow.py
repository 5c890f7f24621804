#!/usr/bin/env python3
"""An OAuth 1.0a client written by others (requests-oauthlib over oauthlib)
doing the whole RFC 5849 flow against the example app, for e2e_oauth1.rs.

Reads a JSON object on stdin: {"base", "username", "client_key",
"client_secret", "rsa_key_file", "callback", "legs": [[method, type], ...]}
where method is HMAC-SHA1, RSA-SHA1 or PLAINTEXT and type is AUTH_HEADER,
BODY or QUERY. For each leg: temporary credentials (POST /oauth1/initiate),
the user's consent through the site's pages (log in, read the consent form,
post confirm=yes with its csrf_token), the verifier from the callback,
token credentials (POST /oauth1/token), then /api/oauth1/me (a GET, or a
form POST for body signatures). Prints a JSON list of
{"leg", "status", "me"}; any protocol failure raises (exit status 1).

Exits with status 3 and a message when requests-oauthlib (or, for RSA-SHA1,
PyJWT and cryptography) is not installed.
"""

import html
import json
import re
import sys

try:
    import requests
    from oauthlib import oauth1
    from requests_oauthlib import OAuth1Session
except ImportError as e:  # pragma: no cover
    print(f"requests-oauthlib is not installed ({e}): "
          "pip install 'oauthlib[signedtoken]' requests-oauthlib", file=sys.stderr)
    sys.exit(3)

TIMEOUT = 20


def consent(base, username, authorization_url):
    """The user's part, as a browser: log in, approve; returns the Location."""
    browser = requests.Session()
    r = browser.post(base + "/", data={"username": username}, allow_redirects=False, timeout=TIMEOUT)
    assert r.status_code == 303, (r.status_code, r.text)
    page = browser.get(authorization_url, allow_redirects=False, timeout=TIMEOUT)
    assert page.status_code == 200, (page.status_code, page.text)
    csrf = re.search(r'name="csrf_token" value="([^"]*)"', page.text)
    action = re.search(r'<form method="post" action="([^"]*)"', page.text)
    assert csrf and action, page.text
    r = browser.post(base + html.unescape(action.group(1)),
                     data={"csrf_token": html.unescape(csrf.group(1)), "confirm": "yes"},
                     allow_redirects=False, timeout=TIMEOUT)
    assert r.status_code == 302, (r.status_code, r.text)
    return r.headers["Location"]


def leg(spec, method, signature_type):
    base = spec["base"]
    kwargs = {
        "client_secret": spec["client_secret"],
        "callback_uri": spec["callback"],
        "signature_method": method,
        "signature_type": signature_type,
    }
    if method == oauth1.SIGNATURE_RSA:
        try:
            import jwt  # noqa: F401  (oauthlib's RSA-SHA1 needs PyJWT and cryptography)
            import cryptography  # noqa: F401
        except ImportError as e:
            print(f"RSA-SHA1 needs PyJWT and cryptography ({e}): "
                  "pip install 'oauthlib[signedtoken]'", file=sys.stderr)
            sys.exit(3)
        with open(spec["rsa_key_file"]) as f:
            kwargs["rsa_key"] = f.read()
    client = OAuth1Session(spec["client_key"], **kwargs)

    temporary = client.fetch_request_token(base + "/oauth1/initiate", timeout=TIMEOUT)
    assert temporary.get("oauth_callback_confirmed") == "true", temporary

    location = consent(base, spec["username"], client.authorization_url(base + "/oauth1/authorize"))
    assert location.startswith(spec["callback"]), location
    answer = client.parse_authorization_response(location)
    assert answer["oauth_token"] == temporary["oauth_token"], answer

    token = client.fetch_access_token(base + "/oauth1/token", timeout=TIMEOUT)
    assert token["oauth_token"] != temporary["oauth_token"], token

    if signature_type == oauth1.SIGNATURE_TYPE_BODY:
        # Body signatures need a form body: a POST with one parameter.
        r = client.post(base + "/api/oauth1/me", data={"from": "requests-oauthlib"}, timeout=TIMEOUT)
    else:
        r = client.get(base + "/api/oauth1/me", params={"fields": "id username"}, timeout=TIMEOUT)
    return {"leg": f"{method} {signature_type}", "status": r.status_code, "me": r.json()}


def main():
    spec = json.load(sys.stdin)
    json.dump([leg(spec, m, t) for m, t in spec["legs"]], sys.stdout)


if __name__ == "__main__":
    main()
