"""The address a request came from, for the login throttle: behind reverse proxies, the one they saw.

Behind N proxies (``CPOM_PROXY_COUNT=N``), each appends to X-Forwarded-For the address it received the request from,
so the N-th address from the right is the client as the outermost proxy saw it; what a client writes in the header
itself stays on the left and is never read. Without this, every login would come from the proxy's address, and a
lockout would hold a username for everyone.
"""

from django.conf import settings


def client_address(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.CPOM_PROXY_COUNT
    if not proxies:
        return remote
    forwarded = [
        address.strip() for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if address.strip()
    ]
    return forwarded[-proxies] if len(forwarded) >= proxies else remote
