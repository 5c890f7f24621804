#!/usr/bin/env python3
"""A client written by others (requests-oauth2client, keys by jwskate)
authenticating with private_key_jwt (RFC 7523 §2.2, OpenID Connect Core §9)
and pushing its authorization requests (RFC 9126), for
e2e_private_key_jwt.rs and e2e_par.rs. Each step reads a JSON object on
stdin:

{"step": "key", "alg"}: generates a key pair. Prints {"public", "private"}
(JWKs; the public one is what the client registers).

{"step": "flow", "issuer", "client_id", "private"}: discovers the server,
then with PrivateKeyJwt (the library signs a fresh assertion per request,
audience the endpoint's URL; ClientSecretJwt instead, an HMAC by "alg",
when the spec has "client_secret" rather than "private", here and in
"assertion"): client credentials, introspection of the
token, revocation of it, introspection again. Also tries an assertion for
another audience. Prints {"token", "active_before", "active_after",
"scope", "wrong_aud_error"}.

{"step": "assertion", "issuer", "client_id", "private", "aud"}: one
assertion, signed by the library, for the caller to send (twice). Prints
{"assertion"}.

{"step": "par", "issuer", "client_id", "private", "redirect_uri"}: pushes
an OpenID Connect code request (state, nonce, PKCE S256) authenticated with
PrivateKeyJwt. Prints {"url", "request_uri", "expires_in", "state",
"nonce", "code_verifier"}: the URL the browser is sent to.

{"step": "jar", ... as "par" ..., "push"}: the same request as a signed
request object (RFC 9101), pushed when "push" is true, else by value in
the URL. Prints what "par" prints but expires_in and request_uri.

{"step": "dpop", "issuer", "client_id", "client_secret", "username",
"resource"}: a DPoP-bound token by the password grant, used twice at the
resource, then introspected. Prints {"token_type", "access_token", "me",
"me_again", "cnf", "jkt"}.

{"step": "exchange", "issuer", "client_id", "client_secret",
"subject_token", "actor_token"?, "resource", "call"}: token exchange (RFC
8693) by the library, the new token used at "call" and introspected.

{"step": "par_token", ... the above ..., "callback"}: checks the callback
(state, and iss by RFC 9207), exchanges the code with the PKCE verifier
and PrivateKeyJwt, and validates the ID token (signature against the JWK
Set, iss, aud, nonce, exp). Prints {"claims", "access_token"}.

Exits with status 3 and a message when the library is missing.
"""

import json
import sys
from datetime import datetime, timezone

try:
    from jwskate import Jwk
    from requests_oauth2client import (
        AuthorizationRequest, ClientSecretBasic, ClientSecretJwt, OAuth2Client,
        PrivateKeyJwt, RequestUriParameterAuthorizationRequest)
    from requests_oauth2client.exceptions import InvalidClient
except ImportError as e:  # pragma: no cover
    print(f"requests-oauth2client is not installed ({e}): "
          "pip install requests-oauth2client", file=sys.stderr)
    sys.exit(3)


def key(spec):
    private = Jwk.generate(alg=spec["alg"]).with_kid_thumbprint()
    return {"public": private.public_jwk().to_dict(),
            "private": private.to_dict()}


def jwt_auth(spec, **auth_args):
    """PrivateKeyJwt with the spec's "private" key, or ClientSecretJwt
    (HMAC with "client_secret", by "alg") when the spec has a secret."""
    if "client_secret" in spec:
        return ClientSecretJwt(spec["client_id"], spec["client_secret"],
                               alg=spec.get("alg", "HS256"), **auth_args)
    return PrivateKeyJwt(spec["client_id"], Jwk(spec["private"]), **auth_args)


def client_for(spec, redirect_uri=None, **auth_args):
    auth = jwt_auth(spec, **auth_args)
    # testing=True: the example app answers on plain http in the tests.
    return OAuth2Client.from_discovery_endpoint(
        issuer=spec["issuer"], auth=auth, redirect_uri=redirect_uri,
        testing=True)


def flow(spec):
    client = client_for(spec)
    token = client.client_credentials(scope="profile")
    before = client.introspect_token(token.access_token)
    client.revoke_access_token(token.access_token)
    after = client.introspect_token(token.access_token)
    wrong_aud = client_for(spec, aud="https://elsewhere.example/token")
    try:
        wrong_aud.client_credentials(scope="profile")
        wrong_aud_error = None
    except InvalidClient as e:
        wrong_aud_error = e.error
    return {
        "token": token.access_token,
        "scope": token.scope,
        "active_before": before["active"],
        "client_id": before.get("client_id"),
        "active_after": after["active"],
        "wrong_aud_error": wrong_aud_error,
    }


def assertion(spec):
    auth = jwt_auth(spec)
    return {"assertion": str(auth.client_assertion(spec["aud"]))}


def par(spec):
    client = client_for(spec, redirect_uri=spec["redirect_uri"])
    request = client.authorization_request(scope="openid profile")
    pushed = client.pushed_authorization_request(request)
    return {
        "url": str(pushed.uri),
        "request_uri": pushed.request_uri,
        # The library keeps the answer's expires_in as a time.
        "expires_in": round((pushed.expires_at
                             - datetime.now(timezone.utc)).total_seconds()),
        "state": request.state,
        "nonce": request.nonce,
        "code_verifier": request.code_verifier,
    }


def jar(spec):
    """A signed request object (RFC 9101), pushed (RFC 9126 §3) when
    spec["push"], else carried by value in the browser's URL. The library
    adds no aud or iss of its own; a request object for this server names
    it (RFC 9101 §4)."""
    client = client_for(spec, redirect_uri=spec["redirect_uri"])
    request = client.authorization_request(
        scope="openid profile", aud=spec["issuer"], iss=spec["client_id"])
    signed = request.sign(Jwk(spec["private"]), lifetime=60)
    out = {"state": request.state, "nonce": request.nonce,
           "code_verifier": request.code_verifier}
    if spec.get("push"):
        # The library pushes only plain requests: the signed one is posted
        # with its session and its PrivateKeyJwt authentication.
        r = client.session.post(
            client.pushed_authorization_request_endpoint,
            data={"request": str(signed.request)}, auth=client.auth)
        r.raise_for_status()
        pushed = RequestUriParameterAuthorizationRequest(
            authorization_endpoint=client.authorization_endpoint,
            client_id=spec["client_id"], request_uri=r.json()["request_uri"])
        out["url"] = str(pushed.uri)
    else:
        out["url"] = str(signed.uri)
    return out


def dpop(spec):
    """DPoP (RFC 9449): the library makes a key, proves it at the token
    endpoint (password grant, confidential client), and calls the
    resource with the bound token and a fresh proof (with ath) each time.
    Prints {"token_type", "access_token", "me", "me_again", "cnf"}."""
    client = OAuth2Client.from_discovery_endpoint(
        issuer=spec["issuer"],
        auth=ClientSecretBasic(spec["client_id"], spec["client_secret"]),
        testing=True)
    token = client.resource_owner_password(
        spec["username"], "valid", scope="profile", dpop=True)
    me = client.session.get(spec["resource"], auth=token)
    again = client.session.get(spec["resource"], auth=token)
    info = client.introspect_token(token.access_token)
    return {
        "token_type": token.token_type,
        "access_token": token.access_token,
        "me": {"status": me.status_code, "body": me.json()},
        "me_again": again.status_code,
        "cnf": info.get("cnf"),
        "jkt": token.dpop_key.private_key.public_jwk().thumbprint(),
    }


def exchange(spec):
    """Token exchange (RFC 8693): the library, as the resource server's
    client (ClientSecretBasic), trades "subject_token" (with
    "actor_token" when given) for a token for "resource", then calls
    "call" with it and introspects it. Prints {"issued_token_type",
    "access_token", "scope", "call", "introspection"}; a refusal prints
    {"error"}."""
    client = OAuth2Client.from_discovery_endpoint(
        issuer=spec["issuer"],
        auth=ClientSecretBasic(spec["client_id"], spec["client_secret"]),
        testing=True)
    kwargs = {}
    if spec.get("actor_token"):
        kwargs["actor_token"] = spec["actor_token"]
        kwargs["actor_token_type"] = ACCESS_TOKEN_TYPE
    try:
        token = client.token_exchange(
            subject_token=spec["subject_token"],
            subject_token_type=ACCESS_TOKEN_TYPE,
            resource=spec["resource"],
            **kwargs)
    except Exception as e:  # the library's error for an error response
        return {"error": getattr(e, "error", None) or str(e)}
    call = client.session.get(spec["call"], auth=token)
    return {
        "issued_token_type": token.kwargs.get("issued_token_type"),
        "access_token": token.access_token,
        "scope": token.scope,
        "call": {"status": call.status_code, "body": call.json() if call.ok else None},
        "introspection": client.introspect_token(token.access_token),
    }


ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"


def par_token(spec):
    client = client_for(spec, redirect_uri=spec["redirect_uri"])
    request = AuthorizationRequest(
        authorization_endpoint=client.authorization_endpoint,
        client_id=spec["client_id"],
        redirect_uri=spec["redirect_uri"],
        scope="openid profile",
        state=spec["state"],
        nonce=spec["nonce"],
        code_verifier=spec["code_verifier"],
        issuer=spec["issuer"],
        authorization_response_iss_parameter_supported=True,
    )
    response = request.validate_callback(spec["callback"])
    token = client.authorization_code(response, validate=True)
    return {"claims": token.id_token.claims, "access_token": token.access_token}


def main():
    spec = json.load(sys.stdin)
    step = {"key": key, "flow": flow, "assertion": assertion, "par": par,
            "jar": jar, "dpop": dpop, "par_token": par_token,
            "exchange": exchange}[spec["step"]]
    print(json.dumps(step(spec)))


if __name__ == "__main__":
    main()
