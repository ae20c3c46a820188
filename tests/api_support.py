"""How the tests reach the API as a user: with a token « Mon compte » gives, as an integrator would.

The one place that knows how a token is issued and sent, so that the API's tests and the schemathesis run follow it
when the tokens change."""

from rest_framework.test import APIClient

from cpom.accounts.services import create_token


def api_headers(user) -> dict[str, str]:
    """The HTTP headers that authenticate ``user`` on the API (a new token each call)."""
    _, secret = create_token(user, label="Tests", days=30)
    return {"Authorization": f"Token {secret}"}


def api_client(user) -> APIClient:
    """A DRF test client that calls the API as ``user``, through a token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=api_headers(user)["Authorization"])
    return client
