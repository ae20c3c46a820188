"""Helpers the tests share: taking a contract through its lifecycle the only way the database accepts."""

import html
import os
import re
import zipfile
from collections import deque
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import lxml.html
import psycopg
from django.db import connections
from django.db.utils import load_backend

from cpom.contracts.lifecycle import RULES
from cpom.contracts.models import Contract, Transition


def lifecycle_path(from_state: str, to_state: str) -> list[str] | None:
    """The shortest run of states from one to the other along the lifecycle table, None when there is none."""
    previous, queue = {from_state: None}, deque([from_state])
    while queue:
        state = queue.popleft()
        if state == to_state:
            path = []
            while state != from_state:
                path.append(state)
                state = previous[state]
            return path[::-1]
        for a, b in RULES:
            if a == state and b not in previous:
                previous[b] = state
                queue.append(b)
    return None


def walk_to(contract: Contract, state: str) -> Contract:
    """Takes ``contract`` to ``state`` along the lifecycle table, each step recorded as the lifecycle records it
    (the database accepts no other way), without the table's checks: tests of those checks start from here."""
    path = lifecycle_path(contract.state, state)
    if path is None:
        raise ValueError(f"{contract.state} → {state} : aucun chemin dans le cycle de vie.")
    current = contract.state
    for step in path:
        Transition.objects.create(contract=contract, from_state=current, to_state=step, organisation_label="Tests")
        Contract.objects.filter(pk=contract.pk).update(state=step)
        current = step
    contract.refresh_from_db()
    return contract


def programmed_copy(contract: Contract, user, reference: str = "CPOM-TEST-0001") -> Contract:
    """A new contract with the frame, perimeter and parties of ``contract``, as the lead authority programs it."""
    from cpom.contracts import services

    lead = next(p.authority for p in contract.parties.all() if p.is_lead)
    data = {field: getattr(contract, field) for field in services.FRAME_FIELDS}
    return services.program_contract(
        user,
        {
            **data,
            "reference": reference,
            "managing_body": contract.managing_body,
            "establishments": list(contract.establishments.all()),
            "lead_authority": lead,
            "co_signatories": [p.authority for p in contract.parties.all() if not p.is_lead],
        },
    )


STALE = (
    "Quelqu'un d'autre a enregistré une modification pendant que vous consultiez cette page : la vôtre n'a pas été "
    "enregistrée. Rechargez la page pour repartir de la version actuelle."
)


def page_text(page) -> str:
    """What a person reads on a page (a response, or a piece of its HTML): the HTML without its tags, scripts and
    styles, entities decoded, spaces collapsed. Non-breaking spaces stay what they are (« 12,5\u00a0% »): the French
    typography of numbers is part of what the tests check. The one reader of visible text the tests share."""
    markup = page if isinstance(page, str) else page.content.decode()
    text = re.sub(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", " ", markup, flags=re.S)
    return re.sub(r"[^\S\u00a0\u202f]+", " ", html.unescape(text)).strip(" ")


def elements(page, xpath: str) -> list:
    """The elements of a page (a response, a piece of its HTML, or an element already found) that an XPath selects,
    in document order. Tests read the page's structure this way rather than its markup's layout, which the template
    formatter (djlint) decides: the attributes' order and line breaks, the spaces between tags."""
    if isinstance(page, lxml.html.HtmlElement):
        return page.xpath(xpath)
    return lxml.html.fromstring(page if isinstance(page, str) else page.content.decode()).xpath(xpath)


def element(page, xpath: str):
    """The one element an XPath selects on a page; there being none, or several, fails the test."""
    found = elements(page, xpath)
    assert len(found) == 1, f"{len(found)} éléments pour {xpath}"
    return found[0]


# Elements a browser sets apart from the text around them (a line, a cell): their text never runs into a neighbour's.
_SET_APART = (  # noqa: SIM905 (words read better than a column of 38 strings)
    "address article aside br caption dd div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr "
    "legend li main nav ol option p section table tbody td tfoot th thead tr ul"
).split()


def text_of(node) -> str:
    """What a person reads in an element (found by ``elements``): its text and its descendants', comments left out,
    spaces collapsed as ``page_text`` collapses them (non-breaking spaces kept)."""
    parts = []

    def read(e):
        apart = e.tag in _SET_APART
        if apart:
            parts.append(" ")
        if isinstance(e.tag, str) and e.tag not in ("script", "style") and e.text:
            parts.append(e.text)
        for child in e:
            read(child)
            if child.tail:
                parts.append(child.tail)
        if apart:
            parts.append(" ")

    read(node)
    return re.sub(r"[^\S\u00a0\u202f]+", " ", "".join(parts)).strip(" ")


def rows_of(page, xpath: str) -> list[list[str]]:
    """The rows of the table(s) an XPath selects on a page, in order, each as the texts of its cells (``th`` and
    ``td``): a table read as a person reads it, whatever the layout of its markup."""
    return [
        [text_of(cell) for cell in row.xpath("th|td")]
        for table in elements(page, xpath)
        for row in table.xpath(".//tr")
    ]


def served(response):
    """The response read to its end, as a server sends it: the test client then closes a streamed one (and the file
    it serves). Never ``response.close()`` in a test: it signals the end of a request, which closes the database
    connection, and the test's transaction with it, on PostgreSQL."""
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def assert_stale(response) -> None:
    """A save based on an outdated copy: refused the same way everywhere."""
    assert response.status_code == 409, response.status_code
    assert STALE in page_text(response)


def register_database(alias: str, database_url: str) -> None:
    """A second connection, to a database of the test's own (the browser server's, a restored backup…)."""
    connections.settings[alias] = {**connections.settings["default"], **dj_database_url.parse(database_url), "TEST": {}}


def unregister_database(alias: str) -> None:
    connections[alias].close()
    del connections[alias]
    del connections.settings[alias]


def postgres_admin(sql: str) -> None:
    """CREATE or DROP DATABASE, on the server of DATABASE_URL (they cannot run inside the tests' transaction)."""
    parsed = dj_database_url.parse(os.environ["DATABASE_URL"])
    with psycopg.connect(
        host=parsed["HOST"],
        port=parsed["PORT"] or 5432,
        user=parsed["USER"],
        password=parsed["PASSWORD"],
        dbname="postgres",
        autocommit=True,
    ) as connection:
        connection.execute(sql)


@contextmanager
def empty_database(name: str, folder: Path):
    """A new, empty database of the tests' vendor, as a connection of its own for the duration of the block.

    The connection is not registered with Django: a test transaction forbids any registered alias it was not given.
    """
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        database = f"cpom_{name}_{os.getpid()}"
        postgres_admin(f"DROP DATABASE IF EXISTS {database}")
        postgres_admin(f"CREATE DATABASE {database}")
        url = urlsplit(url)._replace(path=f"/{database}").geturl()
    else:
        database, url = None, f"sqlite:///{folder / f'{name}.sqlite3'}"
    settings = {**connections.settings["default"], **dj_database_url.parse(url), "TEST": {}}
    connection = load_backend(settings["ENGINE"]).DatabaseWrapper(settings, name)
    connection.cpom_url = url  # for a command run in a process of its own
    try:
        yield connection
    finally:
        connection.close()
        if database:
            postgres_admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def with_bytes_replaced(content: bytes, old: bytes, new: bytes) -> bytes:
    """A zip file (an .xlsx) with ``old`` replaced by ``new`` in every part: what a tool other than openpyxl may write,
    such as Excel's « _x0007_ » escape of a control character, which openpyxl refuses to write."""
    source, out = zipfile.ZipFile(BytesIO(content)), BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            target.writestr(member, source.read(member).replace(old, new))
    return out.getvalue()
