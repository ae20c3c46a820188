"""Shared fixtures of the diagnostic tests: the national frame and the association's diagnostic.

The demo may or may not already hold a diagnostic for the association's contract: tests write their own content
and compare before and after, rather than assuming an empty diagnostic.
"""

import html

import pytest
from django.urls import reverse

from cpom.diagnostic import services
from cpom.diagnostic.frames import load_template


@pytest.fixture(autouse=True)
def frame(db):
    return load_template()


@pytest.fixture
def diagnostic(association_contract, frame):
    return services.diagnostic_for(association_contract)


@pytest.fixture
def ehpad_diagnostic(ehpad_contract, frame):
    return services.diagnostic_for(ehpad_contract)


@pytest.fixture
def section_url():
    def url(contract, code, finess=None):
        path = reverse("diagnostic:section", kwargs={"contract_id": contract.pk, "section_code": code})
        return f"{path}?finess={finess}" if finess else path

    return url


@pytest.fixture
def text_of():
    """The page's markup with its characters decoded (apostrophes and quotes are escaped in the HTML), for the
    tests that read attributes and text together; the visible text alone is ``support.page_text``."""

    def text(response) -> str:
        return html.unescape(response.content.decode())

    return text


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files go to a fresh folder, so a test can tell whether anything was written."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
