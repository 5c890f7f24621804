#!/usr/bin/env python3
"""JOSE written by others (PyJWT over cryptography), for jose_interop.rs.

Reads a JSON object on stdin: {"ours": [{"alg", "jwks", "token",
"tampered"}, ...]}: tokens signed by oauth_core::jose with the JWK Set it
publishes. PyJWT verifies each token against that set (by its kid) and must
refuse the tampered one. Then, for each algorithm, PyJWT makes a key of its
own and signs a token with it. Prints {"verified": [claims, ...],
"tampered_refused": [bool, ...], "theirs": [{"alg", "jwks", "token"}, ...]}.

Exits with status 3 and a message when PyJWT or cryptography is missing.
"""

import json
import sys

try:
    import jwt
    from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
except ImportError as e:  # pragma: no cover
    print(f"PyJWT with cryptography is not installed ({e}): "
          "pip install 'oauthlib[signedtoken]'", file=sys.stderr)
    sys.exit(3)

OPTIONS = {"verify_exp": False, "verify_aud": False}


def verify(entry, token):
    header = jwt.get_unverified_header(token)
    key = jwt.PyJWKSet.from_dict(entry["jwks"])[header["kid"]]
    return jwt.decode(token, key.key, algorithms=[entry["alg"]], options=OPTIONS)


def theirs(alg):
    if alg == "RS256":
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
    elif alg == "ES256":
        private = ec.generate_private_key(ec.SECP256R1())
        jwk = ECAlgorithm.to_jwk(private.public_key(), as_dict=True)
    else:
        private = ed25519.Ed25519PrivateKey.generate()
        jwk = OKPAlgorithm.to_jwk(private.public_key(), as_dict=True)
    kid = f"pyjwt-{alg}"
    jwk.update({"kid": kid, "alg": alg, "use": "sig"})
    token = jwt.encode({"sub": "bob", "exp": 1_700_003_600}, private,
                       algorithm=alg, headers={"kid": kid})
    return {"alg": alg, "jwks": {"keys": [jwk]}, "token": token}


def main():
    spec = json.load(sys.stdin)
    verified, refused = [], []
    for entry in spec["ours"]:
        verified.append(verify(entry, entry["token"]))
        try:
            verify(entry, entry["tampered"])
            refused.append(False)
        except jwt.InvalidTokenError:
            refused.append(True)
    out = {
        "verified": verified,
        "tampered_refused": refused,
        "theirs": [theirs(e["alg"]) for e in spec["ours"]],
    }
    json.dump(out, sys.stdout)


main()
