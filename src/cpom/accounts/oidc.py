"""Single sign-on by OpenID Connect (mozilla-django-oidc), for the organisations whose identity provider is trusted.

Only those who already hold a cpom account get in: the account is made by their organisation's administrator, who
chooses the role; the provider only vouches that the person is who owns the e-mail address. The provider is trusted
for the organisations named in ``CPOM_OIDC_ORGANISATIONS`` (« ARS-52,CD-44 », or « * » for a federation such as
ProConnect that vouches for everyone): an ARS's provider does not open a managing body's account."""

import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.db.models import Q
from django.http import Http404
from django.shortcuts import resolve_url
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

SECURITY_LOGGER = logging.getLogger("cpom.security")
EVERYONE = "*"


def _trusted(organisations: list[str]) -> Q:
    """The memberships the provider may open: by authority code (« ARS-52 »), or all."""
    if EVERYONE in organisations:
        return Q(membership__isnull=False)
    trusted = Q(pk__in=[])
    for code in organisations:
        kind, _, territory = code.partition("-")
        trusted |= Q(membership__authority__kind=kind, membership__authority__territory=territory)
    return trusted


class CpomOidcBackend(OIDCAuthenticationBackend):
    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        # mozilla-django-oidc leaves the audience unchecked: an ID token made for another program is refused here.
        audience = payload.get("aud")
        if self.OIDC_RP_CLIENT_ID not in (audience if isinstance(audience, list) else [audience]):
            raise SuspiciousOperation("Jeton d'identité émis pour un autre client.")
        return payload

    def verify_claims(self, claims):
        # A provider that says it has not verified the address vouches for nothing.
        return bool(claims.get("email")) and claims.get("email_verified", True) is not False

    def filter_users_by_claims(self, claims):
        users = self.UserModel.objects.filter(email__iexact=claims["email"], is_active=True)
        found = users.filter(_trusted(settings.CPOM_OIDC["organisations"]))
        if not found.exists():
            SECURITY_LOGGER.warning(
                "Connexion par le fournisseur d'identité refusée : aucun compte actif d'une organisation reconnue "
                "pour le courriel %r",
                claims["email"][:254],
            )
        return found

    def create_user(self, claims):  # never called: OIDC_CREATE_USER is off; said here in case it is turned on
        raise PermissionError("cpom ne crée pas de compte à la connexion : l'administrateur de l'organisation le fait.")


def _configured() -> None:
    if not settings.CPOM_OIDC["enabled"]:
        raise Http404("Connexion par fournisseur d'identité non configurée.")


def oidc_start(request):
    """The way to the provider; 404 when none is configured (the view reads the provider's settings when made)."""
    _configured()
    return OIDCAuthenticationRequestView.as_view()(request)


def oidc_callback(request):
    _configured()
    return OidcCallbackView.as_view()(request)


class OidcCallbackView(OIDCAuthenticationCallbackView):
    @property
    def failure_url(self):
        return resolve_url("login")

    def login_failure(self):
        messages.error(
            self.request,
            f"La connexion par « {settings.CPOM_OIDC['label']} » n'a pas abouti : aucun compte cpom actif ne porte "
            "ce courriel dans une organisation qui utilise ce fournisseur. Demandez un compte à l'administrateur "
            "de votre organisation, ou connectez-vous avec votre identifiant et votre mot de passe.",
        )
        return super().login_failure()
