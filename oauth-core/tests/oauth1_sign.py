#!/usr/bin/env python3
"""Signs OAuth 1.0a requests with oauthlib, an implementation independent of
the engine, for the rfc5849 interoperability tests.

Reads a JSON list of requests on stdin; each has the arguments of
oauthlib.oauth1.Client (client_key, client_secret, resource_owner_key,
resource_owner_secret, callback_uri, verifier, signature_method,
signature_type, realm, timestamp, nonce, and rsa_key_file for RSA-SHA1) and
of Client.sign (uri, http_method, body, headers). Prints a JSON list of the
signed requests: {"uri", "headers", "body"}.

Exits with status 3 and a message when oauthlib (or, for RSA-SHA1, PyJWT and
cryptography) is not installed.
"""

import json
import sys

try:
    from oauthlib import oauth1
except ImportError as e:  # pragma: no cover
    print(f"oauthlib is not installed ({e}): pip install 'oauthlib[signedtoken]'", file=sys.stderr)
    sys.exit(3)

CLIENT_ARGS = (
    "client_key", "client_secret", "resource_owner_key", "resource_owner_secret",
    "callback_uri", "verifier", "signature_method", "signature_type", "realm",
    "timestamp", "nonce",
)


def sign(spec):
    args = {k: spec[k] for k in CLIENT_ARGS if spec.get(k) is not None}
    if spec.get("rsa_key_file"):
        try:
            import jwt  # noqa: F401  (oauthlib's RSA-SHA1 needs PyJWT and cryptography)
            import cryptography  # noqa: F401
        except ImportError as e:
            print(f"RSA-SHA1 needs PyJWT and cryptography ({e}): pip install 'oauthlib[signedtoken]'",
                  file=sys.stderr)
            sys.exit(3)
        with open(spec["rsa_key_file"]) as f:
            args["rsa_key"] = f.read()
    client = oauth1.Client(**args)
    uri, headers, body = client.sign(
        spec["uri"],
        http_method=spec.get("http_method", "GET"),
        body=spec.get("body"),
        headers=spec.get("headers"),
        realm=spec.get("sign_realm"),
    )
    return {"uri": uri, "headers": headers, "body": body}


def main():
    specs = json.load(sys.stdin)
    json.dump([sign(s) for s in specs], sys.stdout)


if __name__ == "__main__":
    main()
