"""The French a reader sees on every page: no « --------- », no « un(e) », no « de ARS », no « Région 52 »…

Every named route is opened as the users who may see it (the routes come from the URL configuration, as in the
visibility test), and the visible text of each page is searched for wordings a reader should never meet.
"""

import re

import pytest
from django.urls import reverse

from support import page_text, served
from test_visibility import ROUTES, _routes, _url, signed_contract  # noqa: F401 (the fixture is used by name)

# (what is searched, what the reader should have read instead)
BANNED = [
    (re.compile(r"-{5,}"), "an empty choice with a French label (« Choisir… ») or none"),
    (re.compile(r"\w\(e\)"), "the word agreed with the actual actor, not « (e) »"),
    (re.compile(r"\b[Dd]e (?:[AEIOUYÉÈÊ]|le |les )"), "« de l'ARS », « du Conseil », « des … »: cpom.core.text.of()"),
    (re.compile(r"\b[Àà] (?:le|les) "), "« au », « aux »: cpom.core.text.to()"),
    # A code of one to three characters; a column « Département » beside a FINESS in the next cell is not one.
    (re.compile(r"\b(?:Région|Département|territoire) \d[\dAB]{0,2}\b"), "the territory's name, not its code"),
    (re.compile(r"\bces 1 "), "a count agreed with its noun"),
    (re.compile(r"\d nombre\b"), "a count written « 8 », without « nombre »"),
    (re.compile(r"(?<![\w/.\-−])-\d"), "the minus sign « − » before a negative number"),
    (re.compile(r"\bchef de file"), "« cheffe de file », the lead authority, as everywhere else"),
]


def _plain_pages() -> list[str]:
    """Every named page without a path parameter (the API, the admin and the log-out aside)."""
    return [
        reverse(name)
        for name, kwargs in _routes()
        if not kwargs and not name.startswith(("admin:", "api-", "api:")) and name not in ("logout", "api-root")
    ]


# What is searched is the text of HTML pages: the documents' routes only ever serve PDF and Word files (or refuse),
# which the search skips, and generating them for nothing took a third of the test.
FILES_ONLY = ("documents:",)


def pages_of(contract) -> list[str]:
    lead = contract.parties.get(is_lead=True).authority
    pages = {
        _url(name, kwargs, contract)
        for name, kwargs in ROUTES
        if not name.startswith(("contract-", "establishment-", *FILES_ONLY))
    }
    return sorted(pages | set(_plain_pages()) | {lead.get_absolute_url()})


def _misworded(client, urls) -> list[str]:
    found = []
    for url in urls:
        response = served(client.get(url))
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        text = page_text(response).replace("\xa0", " ")
        for pattern, instead in BANNED:
            for match in pattern.finditer(text):
                found.append(f"{url}: « {text[max(0, match.start() - 40) : match.end() + 30].strip()} » → {instead}")
    return found


@pytest.mark.parametrize(
    "usernames, contract_fixture",
    [
        (("asso", "ars", "cd44"), "association_contract"),
        (("ehpad", "cd49", "admin"), "signed_contract"),
    ],
)
def test_no_page_reads_badly(client_for, request, settings, tmp_path, usernames, contract_fixture):
    settings.MEDIA_ROOT = tmp_path
    contract = request.getfixturevalue(contract_fixture)
    urls = pages_of(contract)
    found = []
    for username in usernames:
        found += _misworded(client_for(username), urls)
    assert not found, "\n".join(found)
