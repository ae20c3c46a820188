"""The API's door: the ``Authorization: Token <jeton>`` header, checked against the stored digests.

Each refusal says why and what to do, in French: the integrator reading it is not the person who made the token."""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from cpom.accounts.models import ApiToken
from cpom.core.api_tokens import digest_of, looks_like_a_token

KEYWORD = "Token"
# Writing the last use on every call would make every read a write: once a minute says enough.
LAST_USE_PRECISION = timedelta(minutes=1)
MAKE_ANOTHER = "créez-en un nouveau depuis « Mon compte »."


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None  # another scheme (or none): the session may authenticate
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "En-tête « Authorization » mal formé : attendu « Token <jeton> », sans espace dans le jeton."
            )
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(f"Jeton d'API inconnu : {MAKE_ANOTHER}") from None
        return self.authenticate_credentials(secret)

    def authenticate_credentials(self, secret: str):
        token = None
        if looks_like_a_token(secret):
            token = ApiToken.objects.select_related("user").filter(digest=digest_of(secret)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(f"Jeton d'API inconnu : {MAKE_ANOTHER}")
        now = timezone.now()
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(f"Ce jeton d'API a été révoqué : {MAKE_ANOTHER}")
        if now >= token.expires_at:
            expired = timezone.localtime(token.expires_at).strftime("%d/%m/%Y")
            raise exceptions.AuthenticationFailed(f"Ce jeton d'API a expiré le {expired} : {MAKE_ANOTHER}")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("Le compte de ce jeton d'API est désactivé.")
        if token.last_used_at is None or now - token.last_used_at >= LAST_USE_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return KEYWORD


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the schema names the door, so that a generated client sends the header (and check --deploy stays quiet)."""

    target_class = ApiTokenAuthentication
    name = "jetonApi"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "« Token <jeton> », le jeton créé dans « Mon compte » (affiché une seule fois).",
        }
