"""The review's pack: its PDF read back holds the grid, the decisions and the indicators as stored; its zip holds each
part, each openable; the relevé's PDF carries the signed hash."""

import io
import re
import time
import zipfile
from datetime import date

import openpyxl
import pytest
from django.utils import timezone
from pypdf import PdfReader

import followup.conftest as follow_up
from cpom.followup.grid import grid_for
from cpom.followup.snapshot import grid_snapshot
from cpom.reviews import pack
from cpom.reviews.models import Decision, Review

pytestmark = pytest.mark.django_db
# The follow-up's campaign fixture (tests/ is on the path; a fixture bound to a module's name is that module's).
followed = follow_up.followed


def _text(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pages).replace("\u00a0", " "))


def _review(contract, user, year: int, day: date, state: str = "held") -> Review:
    return Review.objects.create(
        contract=contract,
        year=year,
        kind="annual",
        purposes=["annual"],
        day=day,
        place="Délégation territoriale",
        state=state,
        created_by=user,
        organisation_label="ARS",
        created_at=timezone.now(),
    )


def _decide(review, number, text, status="open", kind="corrective_measure"):
    return Decision.objects.create(
        review=review,
        number=number,
        kind=kind,
        text=text,
        owner_side="managing_body",
        due_date=date(review.day.year + 1, 3, 31),
        status=status,
        created_at=timezone.now(),
    )


@pytest.fixture
def reviewed(followed, users):
    """The follow-up's contract (from 2022) with a year-3 review and its decisions, and the year-4 one to prepare."""
    contract = followed.contract
    previous = _review(contract, users["ars"], 3, date(2024, 10, 14))
    _decide(previous, 1, "Réduire le délai d'admission", status="done")
    _decide(previous, 2, "Transmettre le plan de formation des équipes")
    current = _review(contract, users["ars"], 4, date(2025, 10, 13))
    _decide(current, 1, "Préparer l'avenant de la mutualisation des achats", kind="prepare_amendment")
    return current


def test_the_pack_pdf_holds_the_grid_the_indicators_and_the_decisions_as_stored(reviewed):
    found = pack.parts(reviewed)
    text = _text(pack.pack_pdf(reviewed, found)[1])
    snapshot = grid_snapshot(grid_for(found.agenda.campaign))
    lines = [line for s in snapshot["objectives"] for row in s["operational"] for line in row["lines"]]
    assert lines, "the campaign's grid has lines"
    assert "Grille de suivi" in text and "Campagne 2025, exercice examiné 2024." in text
    for line in lines:
        assert line["indicator"] in text
        for value in line["values"]:
            if value["text"]:
                assert value["text"].replace("\u00a0", " ") in text
    assert "Chaque indicateur au regard des établissements comparables" in text
    assert len(found.peers) == len(lines)
    assert "Comptes 2024 au regard de la trajectoire" in text
    # The previous review's decisions with their status, and this review's.
    assert "Réduire le délai d'admission" in text and "Réalisée" in text
    assert "Transmettre le plan de formation des équipes" in text and "À faire" in text
    assert "Préparer l'avenant de la mutualisation des achats" in text
    # The open one is on the agenda too.
    agenda = text.split("Ordre du jour", 1)[1].split("Grille de suivi", 1)[0]
    assert "Décision n° 2 (année 3) : Transmettre le plan de formation des équipes" in agenda
    assert "Réduire le délai d'admission" not in agenda


def test_the_zip_holds_each_part_openable(reviewed):
    name, content = pack.pack_zip(reviewed)
    assert name.endswith("-dialogue-annee-4-dossier.zip")
    archive = zipfile.ZipFile(io.BytesIO(content))
    names = archive.namelist()
    assert names[0].endswith("-dossier.pdf")
    assert "grille-de-suivi-2025.xlsx" in names
    assert any(n.endswith("rapport-annuel-2025.pdf") for n in names)
    assert {"indicateurs-et-comparaison.xlsx", "comptes-2024-et-trajectoire.xlsx", "decisions-precedentes.xlsx"} <= set(
        names
    )
    for part in names:
        data = archive.read(part)
        if part.endswith(".pdf"):
            assert PdfReader(io.BytesIO(data)).pages
        else:
            book = openpyxl.load_workbook(io.BytesIO(data))
            assert book.active.max_row >= 1
    decisions = openpyxl.load_workbook(io.BytesIO(archive.read("decisions-precedentes.xlsx"))).active
    rows = [[c.value for c in row] for row in decisions.iter_rows()]
    assert rows[0] == pack.DECISIONS_HEADER
    assert [r[3] for r in rows[1:]] == ["Réduire le délai d'admission", "Transmettre le plan de formation des équipes"]
    peers = openpyxl.load_workbook(io.BytesIO(archive.read("indicateurs-et-comparaison.xlsx"))).active
    assert [c.value for c in next(peers.iter_rows())] == pack.PEERS_HEADER


def test_a_review_without_a_campaign_says_so_and_its_zip_holds_what_there_is(ehpad_contract, users):
    review = _review(ehpad_contract, users["ars"], 1, date(2024, 10, 15))
    text = _text(pack.pack_pdf(review)[1])
    assert pack.NO_CAMPAIGN.replace("\u00a0", " ")[:60] in text
    names = zipfile.ZipFile(io.BytesIO(pack.pack_zip(review)[1])).namelist()
    assert [n.split("-dossier")[0] != n for n in names][:1] == [True]
    assert "decisions-precedentes.xlsx" in names and not any(n.startswith("grille") for n in names)


def test_the_pack_is_built_in_reasonable_time(reviewed):
    started = time.perf_counter()
    pack.pack_zip(reviewed)
    assert time.perf_counter() - started < 20


def test_the_relevé_pdf_is_a_draft_until_sent_then_carries_its_hash_and_its_signatures(ehpad_contract, users):
    from cpom.reviews import services

    review = services.plan_review(
        ehpad_contract, users["ars"], {"year": 3, "day": date(2026, 10, 12), "place": "Angers"}
    )
    review = services.hold(review, users["ars"], review.version, today=date(2026, 10, 12))
    data = {
        "kind": "next_meeting",
        "text": "Point d'étape en mars 2027",
        "owner": "managing_body",
        "due_date": date(2027, 3, 15),
    }
    services.add_decision(review, users["ars"], data, review.version)
    draft = _text(pack.minutes_pdf(review)[1])
    assert "PROJET" in draft and "Point d'étape en mars 2027" in draft
    review.refresh_from_db()
    review = services.send_for_signature(review, users["ars"], review.version)
    services.sign(
        review, users["ehpad"], {"signatory_name": "Paul Lefèvre", "signatory_title": "Directeur"}, review.version
    )
    sent = _text(pack.minutes_pdf(review)[1])
    assert "PROJET" not in sent
    assert review.content_sha256 in sent.replace(" ", "")
    assert "Point d'étape en mars 2027" in sent and "Paul Lefèvre, Directeur" in sent
