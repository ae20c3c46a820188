"""The metrics a supervisor reads (``/metriques/``, Prometheus' text format), counted by a middleware.

Each server process keeps its own (in memory, as a Prometheus client does without a multiprocess collector): with
four gunicorn workers, a scrape reads the one worker that answered it; ``cpom_process_start_time_seconds`` says which.
The health and metrics endpoints themselves are not counted (a proxy asking every few seconds would drown the pages).
Only the addresses of ``CPOM_METRICS_ALLOWED`` (loopback by default), or a platform administrator, may read them;
anyone else gets the platform's 404, and the refusal is logged.
"""

import ipaddress
import logging
import time
from functools import cache

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from cpom.access import Role, Side, membership_of
from cpom.accounts.client_address import client_address
from cpom.jobs.services import metric_lines as job_lines

from .prometheus import RequestMetrics, Source

logger = logging.getLogger("cpom.operations")
METRICS = RequestMetrics()
NOT_COUNTED = frozenset({"health", "metrics"})
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def register(source: Source) -> None:
    """Adds figures to the page: ``source()`` gives exposition lines (the job queue's, say), read at each scrape."""
    METRICS.add_source(source)


register(job_lines)


class MetricsMiddleware:
    """Counts every request with its method, status class and duration; first in the chain, so it sees them all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if not (match and match.view_name in NOT_COUNTED):
            METRICS.observe(request.method, response.status_code, time.perf_counter() - started)
        return response


@cache
def _networks(allowed: str) -> tuple:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in allowed.split(",") if item.strip())


def allowed_networks() -> tuple:
    return _networks(settings.CPOM_METRICS_ALLOWED)


def from_allowed_address(request) -> bool:
    address = client_address(request)
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in allowed_networks())


def is_platform_admin(user) -> bool:
    membership = membership_of(user)
    return membership is not None and membership.side == Side.PLATFORM and membership.has_role(Role.ADMINISTER)


@never_cache
@require_safe
def metrics(request):
    if not (from_allowed_address(request) or is_platform_admin(request.user)):
        logger.warning("Accès aux métriques refusé depuis %s.", client_address(request))
        raise Http404("Page introuvable.")
    return HttpResponse(METRICS.render(), content_type=CONTENT_TYPE)
