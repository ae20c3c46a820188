"""The web layer's middleware."""

from django.conf import settings
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from cpom.core.locking import STALE_STATUS, StaleWrite


class StaleWriteMiddleware:
    """Every stale write answers the same way: status 409, the same French message, a way back to the page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        status = getattr(request, "cpom_status", None)
        if status and response.status_code == 200:
            response.status_code = status
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, StaleWrite):
            return None
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = request.path
        return render(request, "stale_write.html", {"message": str(exception), "back": back}, status=STALE_STATUS)


class PermissionsPolicyMiddleware:
    """Adds the Permissions-Policy header (CPOM_PERMISSIONS_POLICY) to every answer, pages, files and API alike."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.CPOM_PERMISSIONS_POLICY)
        return response
