#!/usr/bin/env python3
"""An OpenID Connect relying party written by others (Authlib), for
e2e_oidc_authlib.rs, in two steps, each reading a JSON object on stdin:

{"step": "url", "issuer", "client_id", "client_secret", "redirect_uri"}:
discovers the provider and builds the authentication request (state,
nonce, PKCE S256). Prints {"url", "state", "nonce", "code_verifier"}.

{"step": "token", ... the above ..., "callback"}: exchanges the code of the
callback URL (Authlib checks its state), validates the ID token with
Authlib's OpenID Connect claims (CodeIDToken: iss, aud, exp, iat, nonce,
at_hash) against the provider's JWK Set, checks that a wrong nonce is
refused, and reads UserInfo. Prints {"claims", "userinfo",
"wrong_nonce_refused"}.

Exits with status 3 and a message when Authlib or requests is missing.
"""

import json
import os
import sys
import warnings

# Authlib 1.x announces the move of its JOSE to joserfc; the API used here
# stays until 2.0.
warnings.simplefilter("ignore")

try:
    import requests
    from authlib.common.security import generate_token
    from authlib.integrations.requests_client import OAuth2Session
    from authlib.jose import JsonWebKey, jwt
    from authlib.oidc.core import CodeIDToken
except ImportError as e:  # pragma: no cover
    print(f"Authlib is not installed ({e}): pip install authlib requests",
          file=sys.stderr)
    sys.exit(3)

# The example app answers on plain http on 127.0.0.1 in the tests.
os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"


def discover(issuer):
    meta = requests.get(issuer + "/.well-known/openid-configuration",
                        timeout=10).json()
    assert meta["issuer"] == issuer, meta
    return meta


def session(spec, **extra):
    return OAuth2Session(
        spec["client_id"], spec["client_secret"],
        scope="openid profile email", redirect_uri=spec["redirect_uri"],
        code_challenge_method="S256", **extra)


def step_url(spec):
    meta = discover(spec["issuer"])
    nonce = generate_token(20)
    verifier = generate_token(48)
    url, state = session(spec).create_authorization_url(
        meta["authorization_endpoint"], nonce=nonce, code_verifier=verifier)
    return {"url": url, "state": state, "nonce": nonce,
            "code_verifier": verifier}


def decode(meta, keys, id_token, client_id, nonce, access_token):
    claims = jwt.decode(
        id_token, keys, claims_cls=CodeIDToken,
        claims_options={"iss": {"essential": True, "value": meta["issuer"]}},
        claims_params={"nonce": nonce, "client_id": client_id,
                       "access_token": access_token})
    claims.validate(leeway=5)
    return claims


def step_token(spec):
    meta = discover(spec["issuer"])
    client = session(spec, state=spec["state"])
    token = client.fetch_token(
        meta["token_endpoint"], authorization_response=spec["callback"],
        code_verifier=spec["code_verifier"])
    keys = JsonWebKey.import_key_set(
        requests.get(meta["jwks_uri"], timeout=10).json())
    claims = decode(meta, keys, token["id_token"], spec["client_id"],
                    spec["nonce"], token["access_token"])
    try:
        decode(meta, keys, token["id_token"], spec["client_id"], "another",
               token["access_token"])
        wrong_nonce_refused = False
    except Exception as e:  # joserfc's or authlib.jose's InvalidClaimError
        wrong_nonce_refused = "nonce" in str(e)
    userinfo = client.get(meta["userinfo_endpoint"], timeout=10).json()
    return {"claims": dict(claims), "userinfo": userinfo,
            "wrong_nonce_refused": wrong_nonce_refused}


def main():
    spec = json.load(sys.stdin)
    step = {"url": step_url, "token": step_token}[spec["step"]]
    print(json.dumps(step(spec)))


if __name__ == "__main__":
    main()
