"""The reviews' pages as the parties use them: the contract's reviews called for, planning one, a review's page with its
agenda and participants, the pack's downloads, bad input said in French with nothing written, the frame's tab."""

import io
import re
import zipfile
from datetime import date

import pytest
from django.urls import reverse
from pypdf import PdfReader

from cpom.jobs.models import Job
from cpom.jobs.services import Progress
from cpom.reviews import services
from cpom.reviews.models import Review
from jobs_support import run_queued_jobs
from support import page_text

pytestmark = pytest.mark.django_db


def _plan(contract, users, year=3):
    return services.plan_review(contract, users["ars"], {"year": year, "day": date(2026, 10, 12), "place": "Angers"})


def test_the_list_shows_the_reviews_the_rules_call_for_and_the_lead_plans_one(client_for, ehpad_contract, users):
    client = client_for("ars")
    url = reverse("reviews:list", kwargs={"contract_id": ehpad_contract.pk})
    text = page_text(client.get(url))
    assert "Dialogue de gestion de l'année 3 (mi-parcours, annuel)" in text
    assert "proposé le 15/10/2026" in text
    assert "Dialogue de gestion de l'année 5 (fin de contrat, annuel)" in text
    assert "Dialogues de gestion" in text  # the frame's tab
    response = client.post(
        reverse("reviews:plan", kwargs={"contract_id": ehpad_contract.pk}),
        {"year": "3", "day": "12/10/2026", "place": "Délégation d'Angers"},
    )
    review = Review.objects.get(contract=ehpad_contract, year=3)
    assert response.status_code == 302 and response["Location"].endswith(f"/dialogues/{review.pk}/")
    text = page_text(client.get(response["Location"]))
    assert "Le 12/10/2026, Délégation d'Angers." in text
    assert "Paul Lefèvre" in text and "Cheffe du service autonomie" in text


def test_a_date_outside_the_contract_is_said_and_nothing_is_planned(client_for, ehpad_contract):
    response = client_for("ars").post(
        reverse("reviews:plan", kwargs={"contract_id": ehpad_contract.pk}),
        {"year": "3", "day": "01/01/2031", "place": "Angers"},
    )
    assert response.status_code == 400
    assert "Date : le dialogue se tient pendant le contrat, du 01/01/2024 au 31/12/2028." in page_text(response)
    assert not Review.objects.filter(contract=ehpad_contract).exists()


def test_the_managing_body_may_not_plan_and_sees_no_planning_button(client_for, ehpad_contract):
    client = client_for("ehpad")
    assert client.get(reverse("reviews:plan", kwargs={"contract_id": ehpad_contract.pk})).status_code == 403
    text = page_text(client.get(reverse("reviews:list", kwargs={"contract_id": ehpad_contract.pk})))
    assert "À planifier" in text and "Planifier un autre dialogue" not in text


def test_the_managing_body_sends_a_question_from_the_review_s_page(client_for, ehpad_contract, users):
    review = _plan(ehpad_contract, users)
    client = client_for("ehpad")
    client.post(
        reverse("reviews:question", kwargs={"contract_id": ehpad_contract.pk, "review_id": review.pk}),
        {"text": "Quelle cible pour le SSIAD en 2027 ?"},
    )
    text = page_text(
        client.get(reverse("reviews:detail", kwargs={"contract_id": ehpad_contract.pk, "review_id": review.pk}))
    )
    assert "Quelle cible pour le SSIAD en 2027 ? (EHPAD public Les Tilleuls" in text


def test_a_decision_without_its_fields_is_said_by_field_and_nothing_is_inscribed(client_for, ehpad_contract, users):
    review = _plan(ehpad_contract, users)
    review = services.hold(review, users["ars"], review.version, today=date(2026, 10, 12))
    client = client_for("ars")
    kwargs = {"contract_id": ehpad_contract.pk, "review_id": review.pk}
    response = client.post(reverse("reviews:decision_add", kwargs=kwargs), {"version": review.version}, follow=True)
    text = page_text(response)
    assert "Type : Ce champ est obligatoire." in text
    assert "Échéance : Ce champ est obligatoire." in text
    assert not review.decisions.exists()


def _pack(client, kwargs, extension):
    """Asks for the pack as the page does (htmx), lets the worker build it, follows the fragment to the download."""
    asked = client.post(reverse("reviews:pack", kwargs={**kwargs, "extension": extension}), HTTP_HX_REQUEST="true")
    assert "En attente" in page_text(asked)
    job = Job.objects.get(pk=re.search(r"/dossiers/([0-9]+)/", asked.content.decode()).group(1))
    assert run_queued_jobs() == 1
    ready = client.get(reverse("reviews:pack_job", kwargs={**kwargs, "job_id": job.pk}), HTTP_HX_REQUEST="true")
    assert "Prêt le" in page_text(ready) and "hx-trigger" not in ready.content.decode()
    return client.get(reverse("reviews:pack_download", kwargs={**kwargs, "job_id": job.pk}))


def test_the_pack_is_built_by_the_worker_then_downloads_as_a_pdf_and_a_zip(client_for, ehpad_contract, users):
    review = _plan(ehpad_contract, users)
    client = client_for("cd49")
    kwargs = {"contract_id": ehpad_contract.pk, "review_id": review.pk}
    pdf = _pack(client, kwargs, "pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert "attachment" in pdf["Content-Disposition"] and "dialogue-annee-3-dossier.pdf" in pdf["Content-Disposition"]
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Dossier du dialogue de gestion de l'année 3" in text
    archive = _pack(client, kwargs, "zip")
    assert archive["Content-Type"] == "application/zip"
    assert any(n.endswith("-dossier.pdf") for n in zipfile.ZipFile(io.BytesIO(archive.content)).namelist())
    # The review's page shows both, ready, the next time it is opened.
    page = page_text(client.get(reverse("reviews:detail", kwargs=kwargs)))
    assert "Télécharger le dossier (PDF)" in page and "Télécharger ses pièces (zip)" in page


def test_while_the_pack_is_built_the_page_polls_and_shows_the_step(client_for, ehpad_contract, users):
    review = _plan(ehpad_contract, users)
    client = client_for("ehpad")
    kwargs = {"contract_id": ehpad_contract.pk, "review_id": review.pk}
    response = client.post(reverse("reviews:pack", kwargs={**kwargs, "extension": "pdf"}), follow=True)
    assert "Dossier du dialogue (PDF) : en préparation." in page_text(response)
    job = Job.objects.get(kind="reviews.pack")
    Progress(job)("Mise en page du dossier", 1, 2)
    fragment = client.get(reverse("reviews:pack_job", kwargs={**kwargs, "job_id": job.pk}), HTTP_HX_REQUEST="true")
    assert "Mise en page du dossier (50 %)" in page_text(fragment)
    assert 'hx-trigger="every 1s"' in fragment.content.decode()
    # Not built yet: nothing to download.
    assert client.get(reverse("reviews:pack_download", kwargs={**kwargs, "job_id": job.pk})).status_code == 404


def test_a_failed_pack_says_so_in_french_and_may_be_asked_again(client_for, ehpad_contract, users, monkeypatch):
    review = _plan(ehpad_contract, users)
    client = client_for("ars")
    kwargs = {"contract_id": ehpad_contract.pk, "review_id": review.pk}

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("cpom.reviews.pack.parts", broken)
    client.post(reverse("reviews:pack", kwargs={**kwargs, "extension": "pdf"}))
    job = Job.objects.get(kind="reviews.pack")
    # A pack may be built again: the worker tries it up to three times, then says it failed.
    assert run_queued_jobs() == 3
    job.refresh_from_db()
    assert job.state == "failed" and job.attempts == 3
    text = page_text(client.get(reverse("reviews:detail", kwargs=kwargs)))
    assert "La préparation a échoué : Le travail a échoué sur une erreur inattendue" in text
    assert "disk full" not in text
    assert "Préparer le dossier (PDF)" in text


def test_a_pack_is_seen_only_through_its_own_review(client_for, ehpad_contract, users):
    review = _plan(ehpad_contract, users)
    other = _plan(ehpad_contract, users, year=4)
    client = client_for("ars")
    client.post(
        reverse("reviews:pack", kwargs={"contract_id": ehpad_contract.pk, "review_id": review.pk, "extension": "pdf"})
    )
    run_queued_jobs()
    job = Job.objects.get(kind="reviews.pack")
    elsewhere = {"contract_id": ehpad_contract.pk, "review_id": other.pk, "job_id": job.pk}
    assert client.get(reverse("reviews:pack_download", kwargs=elsewhere)).status_code == 404
