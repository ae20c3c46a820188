"""A real OpenID Connect provider on the loopback, for the single sign-on tests: the authorization code flow with
PKCE, an ID token signed RS256 with a key of its own, its keys (JWKS) and the user information.

Whom it vouches for is set by the test (``provider.identity``); what it was asked is kept (``provider.asked``)."""

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "cpom-tests"
CLIENT_SECRET = "secret-du-client-de-test"
KEY_ID = "cle-de-test"


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class Provider:
    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.identity = {"sub": "agent-1", "email": "agent@example.invalid", "email_verified": True}
        self.audience = CLIENT_ID
        self.codes: dict[str, dict] = {}
        self.asked: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def settings(self) -> dict:
        return {
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.url}/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.url}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.url}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.url}/jwks",
        }

    def authorize(self, query: dict) -> str:
        """Where the provider sends the browser back, once the person has signed in there."""
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"nonce": query["nonce"][0], "challenge": query["code_challenge"][0]}
        return f"{query['redirect_uri'][0]}?{urlencode({'code': code, 'state': query['state'][0]})}"

    def token(self, form: dict) -> tuple[int, dict]:
        asked = self.codes.pop(form.get("code", [""])[0], None)
        if asked is None or form.get("client_secret", [""])[0] != CLIENT_SECRET:
            return 400, {"error": "invalid_grant"}
        if _challenge(form.get("code_verifier", [""])[0]) != asked["challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        now = int(time.time())
        claims = {"iss": self.url, "aud": self.audience, "iat": now, "exp": now + 300, "nonce": asked["nonce"]}
        id_token = jwt.encode(
            {**claims, "sub": self.identity["sub"]}, self.key, algorithm="RS256", headers={"kid": KEY_ID}
        )
        return 200, {"id_token": id_token, "access_token": "acces-" + secrets.token_urlsafe(8), "token_type": "Bearer"}

    def jwks(self) -> dict:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": KEY_ID, "alg": "RS256", "use": "sig"}]}

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                return

            def _json(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                parts = urlsplit(self.path)
                provider.asked.append(parts.path)
                if parts.path == "/authorize":
                    self.send_response(302)
                    self.send_header("Location", provider.authorize(parse_qs(parts.query)))
                    self.end_headers()
                elif parts.path == "/jwks":
                    self._json(200, provider.jwks())
                elif parts.path == "/userinfo":
                    self._json(200, provider.identity)
                else:
                    self._json(404, {"error": "not_found"})

            def do_POST(self):
                provider.asked.append(self.path)
                length = int(self.headers.get("Content-Length", "0"))
                form = parse_qs(self.rfile.read(length).decode())
                self._json(*provider.token(form))

        return Handler

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
