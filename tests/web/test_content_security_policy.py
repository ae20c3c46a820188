"""The Content-Security-Policy (issue 14, point 4): every answer carries the strict policy, and no page rendered for
the demo's users holds what it would block (an inline script or style, an on…= handler, a javascript: address).

The templates are checked as written by tests/architecture/test_csp_ready_templates.py; here the pages are checked as
served, so that what django-dsfr's components and the form widgets render is caught too. The pages are the wording
test's walk: every named route, opened by the users who may see it.
"""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from support import served
from test_visibility import ROUTES, _url, signed_contract  # noqa: F401 (the fixture is used by name)
from test_wording import pages_of

STRICT_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
# Attributes whose value is an address the browser follows or loads.
ADDRESS_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href"}


def _blocked_attribute(name: str, value: str | None) -> bool:
    if name == "style" or name.startswith("on"):
        return True
    return name in ADDRESS_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:")


class _InlineFinder(HTMLParser):
    """Collects what a strict policy blocks in a page, each named as a developer would look for it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names and dict(attrs).get("type") != "application/json":
            self.found.append("un <script> sans src")
        if tag == "style":
            self.found.append("un bloc <style>")
        self.found += [f'<{tag} {name}="{value}">' for name, value in attrs if _blocked_attribute(name, value)]


def blocked_inline(html: str) -> list[str]:
    finder = _InlineFinder()
    finder.feed(html)
    return finder.found


@pytest.mark.parametrize(
    "snippet, expected",
    [
        ('<p style="color:red">x</p>', ['<p style="color:red">']),
        ('<button onclick="go()">x</button>', ['<button onclick="go()">']),
        ('<a href=" JavaScript:go()">x</a>', ['<a href=" JavaScript:go()">']),
        ("<script>go()</script>", ["un <script> sans src"]),
        ("<style>p{}</style>", ["un bloc <style>"]),
        ('<script src="/static/x.js"></script><script type="application/json">{}</script>', []),
        ('<a href="/contrats/">Mes contrats</a><p>onclick=style=</p>', []),
    ],
)
def test_the_finder_names_what_the_policy_blocks(snippet, expected):
    assert blocked_inline(snippet) == expected


def _offending_pages(client, urls) -> tuple[int, list[str]]:
    """How many HTML pages were read, and what the policy would block in them."""
    read, found = 0, []
    for url in urls:
        response = served(client.get(url))
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        read += 1
        found += [f"{url} : {what}" for what in blocked_inline(response.content.decode())]
    return read, found


@pytest.mark.parametrize(
    "usernames, contract_fixture",
    [
        (("asso", "ars", "cd44"), "association_contract"),
        (("ehpad", "cd49", "admin"), "signed_contract"),
    ],
)
def test_no_page_holds_what_the_policy_blocks(client_for, request, settings, tmp_path, usernames, contract_fixture):
    settings.MEDIA_ROOT = tmp_path
    urls = pages_of(request.getfixturevalue(contract_fixture))
    read, found = 0, []
    for username in usernames:
        pages, offending = _offending_pages(client_for(username), urls)
        read, found = read + pages, found + offending
    assert not found, "\n".join(sorted(set(found)))
    assert read > 150, f"{read} pages lues seulement"


def test_the_pages_seen_without_an_account_hold_nothing_the_policy_blocks(client):
    urls = [reverse("login"), reverse("password_reset"), "/nulle-part/"]
    found = []
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        found += [f"{url} : {what}" for what in blocked_inline(response.content.decode())]
    assert not found, "\n".join(found)


def test_the_api_answers_a_browser_in_json_and_not_with_a_page_the_policy_would_break(client_for):
    client = client_for("ars")
    for url in ("/api/v1/", "/api/v1/contracts/"):
        response = client.get(url, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
        assert response.status_code == 200 and response["Content-Type"] == "application/json", url
        assert "<html" not in response.content.decode()


def directives(policy: str | None) -> dict[str, list[str]]:
    """A Content-Security-Policy header read as its directives and their sources (their order means nothing)."""
    return {name: sources for name, *sources in (part.split() for part in (policy or "").split(";") if part.strip())}


def _every_answer_of(contract) -> list[str]:
    """The pages, and the files and API answers of the contract, which a browser may open as well."""
    files_and_api = {
        _url(name, kwargs, contract)
        for name, kwargs in ROUTES
        if name.startswith(("contract-", "establishment-", "documents:"))
    }
    return sorted(set(pages_of(contract)) | files_and_api | {"/api/v1/contracts/", "/api/v1/establishments/"})


def test_every_answer_carries_the_strict_policy(client_for, client, settings, tmp_path, signed_contract):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    urls = _every_answer_of(signed_contract)
    policies, missing = set(), []
    for viewer in (client_for("ehpad"), client):
        for url in urls:
            response = served(viewer.get(url))
            policy = response.headers.get("Content-Security-Policy")
            policies.add(policy)
            if directives(policy) != STRICT_POLICY:
                missing.append(f"{url} ({response.status_code}) : {policy}")
        viewer.logout()
    assert not missing, "\n".join(missing)
    assert len(urls) > 100
    assert not any("'unsafe-" in policy or "'nonce-" in policy for policy in policies), policies
