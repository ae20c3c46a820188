"""An amendment from its draft to its application: changes, agreement, signature, the hash check, and the refusals."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

import factories
from amendment_steps import TODAY, agree_all, capacity_extension, draft, seal, tariff_line
from cpom.access import Role
from cpom.amendments import life, services
from cpom.amendments.models import Amendment, AmendmentStatus, Change, ChangeKind
from cpom.audit.services import entries_for
from cpom.contracts import lifecycle
from cpom.contracts.models import State
from cpom.demo.clock import fixed_clock, moment
from cpom.registry.models import Establishment
from cpom.signing.models import ContractVersion

pytestmark = pytest.mark.django_db


def _sent(contract, users, ssiad, amount="450000"):
    amendment = capacity_extension(contract, users, ssiad)
    line = tariff_line(contract, ssiad)
    services.save_change(
        amendment,
        users["ehpad"],
        ChangeKind.BUDGET_LINE,
        {"budget_line": line.pk, "new_value": amount},
        amendment.version,
    )
    amendment = agree_all(amendment, users)
    version = services.send_for_signature(amendment, users["ars"], amendment.version, today=TODAY)
    amendment.refresh_from_db()
    return amendment, version, line


def test_amendments_are_numbered_per_contract(ehpad_contract, users):
    first = draft(ehpad_contract, users["ehpad"])
    second = draft(ehpad_contract, users["ars"], summary="Actualisation de l'enveloppe 2026.")
    assert (first.number, second.number) == (1, 2)
    assert str(second) == "Avenant n° 2"


def test_capacity_above_the_authorised_places_is_refused_and_nothing_saved(ehpad_contract, users, ssiad):
    amendment = draft(ehpad_contract, users["ehpad"])
    with pytest.raises(services.AmendmentRefused) as refused:
        services.save_change(
            amendment,
            users["ehpad"],
            ChangeKind.PLACES,
            {"establishment": ssiad.pk, "field": "installed_places", "new_value": "42"},
            amendment.version,
        )
    assert "Places installées : SSIAD du Baugeois aurait 42 places installées pour 40 places autorisées" in str(
        refused.value
    )
    assert not Change.objects.filter(amendment=amendment).exists()
    amendment.refresh_from_db()
    assert amendment.version == 1


def test_installed_places_may_follow_the_authorised_ones_raised_by_the_same_amendment(ehpad_contract, users, ssiad):
    amendment = capacity_extension(ehpad_contract, users, ssiad, authorised=45, installed=45)
    assert [(c.label, c.old_value, c.new_value) for c in amendment.changes.all()] == [
        ("SSIAD du Baugeois (49000802" + ssiad.finess[8:] + ") : places autorisées", "40", "45"),
        ("SSIAD du Baugeois (49000802" + ssiad.finess[8:] + ") : places installées", "38", "45"),
    ]


def test_an_edit_makes_the_agreements_lapse(ehpad_contract, users, ssiad):
    amendment = agree_all(capacity_extension(ehpad_contract, users, ssiad), users, names=("ehpad", "ars"))
    assert [p.agreement is not None for p in services.agreement_state(amendment)] == [True, True, False]
    services.save_change(
        amendment,
        users["cd49"],
        ChangeKind.PLACES,
        {"establishment": ssiad.pk, "field": "installed_places", "new_value": "44"},
        amendment.version,
    )
    amendment.refresh_from_db()
    assert [p.agreement for p in services.agreement_state(amendment)] == [None, None, None]
    assert amendment.changes.get(field="installed_places").new_value == "44"  # replaced, not added twice


def test_a_stale_draft_is_refused(ehpad_contract, users, ssiad):
    amendment = capacity_extension(ehpad_contract, users, ssiad)
    with pytest.raises(services.StaleAmendment):
        services.agree(amendment, users["ars"], amendment.version - 1)


def test_sending_needs_every_party_agreement(ehpad_contract, users, ssiad):
    amendment = agree_all(capacity_extension(ehpad_contract, users, ssiad), users, names=("ehpad",))
    with pytest.raises(services.AmendmentRefused) as refused:
        services.send_for_signature(amendment, users["ars"], amendment.version, today=TODAY)
    waiting = [p.label for p in services.agreement_state(amendment) if p.agreement is None]
    assert len(waiting) == 2
    assert refused.value.reasons == [f"Accord attendu de : {', '.join(waiting)}."]
    assert not ContractVersion.objects.filter(contract=ehpad_contract, number=1).exists()


def test_the_version_sent_holds_the_content_after_the_changes_and_the_contract_is_untouched(
    ehpad_contract, users, ssiad
):
    amendment, version, line = _sent(ehpad_contract, users, ssiad)
    assert (version.number, version.status, amendment.status) == (1, "sent", AmendmentStatus.IN_SIGNATURE)
    snapshot = json.loads(version.snapshot)
    ssiad_after = next(e for e in snapshot["perimeter"] if e["finess"] == ssiad.finess)
    assert (ssiad_after["authorised_places"], ssiad_after["installed_places"]) == (45, 43)
    ssiad.refresh_from_db()
    assert (ssiad.authorised_places, ssiad.installed_places) == (40, 38)
    line.refresh_from_db()
    assert line.amount != Decimal("450000")
    assert version.signature_order[0] == "managing_body"
    assert version.pdf.startswith(b"%PDF") if isinstance(version.pdf, bytes) else bytes(version.pdf).startswith(b"%PDF")
    ehpad_contract.refresh_from_db()
    assert ehpad_contract.state == State.IN_FORCE
    assert ehpad_contract.transitions.filter(to_state=State.AMENDING).count() == 0


def test_a_sealed_amendment_is_applied_through_amending_and_back(ehpad_contract, users, ssiad):
    amendment, version, line = _sent(ehpad_contract, users, ssiad)
    seal(version, users)
    services.apply_signed(version, users["ars"])
    amendment.refresh_from_db()
    ssiad.refresh_from_db()
    line.refresh_from_db()
    assert amendment.status == AmendmentStatus.APPLIED
    assert (ssiad.authorised_places, ssiad.installed_places, line.amount) == (45, 43, Decimal("450000.00"))
    steps = list(ehpad_contract.transitions.order_by("-pk").values_list("from_state", "to_state")[:2])
    assert steps == [(State.AMENDING, State.IN_FORCE), (State.IN_FORCE, State.AMENDING)]
    ehpad_contract.refresh_from_db()
    assert ehpad_contract.state == State.IN_FORCE
    journal = [
        action
        for action in entries_for(ehpad_contract).order_by("pk").values_list("action", flat=True)
        if action.startswith("Avenant n° 1 : ")
    ]
    assert journal == [
        "Avenant n° 1 : préparation",
        f"Avenant n° 1 : modification « SSIAD du Baugeois ({ssiad.finess}) : places autorisées »",
        f"Avenant n° 1 : modification « SSIAD du Baugeois ({ssiad.finess}) : places installées »",
        "Avenant n° 1 : modification « Budget de référence : SSIAD du Baugeois, ARS – assurance maladie, recettes du "
        "groupe 1 »",
        "Avenant n° 1 : accord de l'EHPAD public Les Tilleuls (version 4)",
        "Avenant n° 1 : accord de l'ARS Pays de la Loire (version 4)",
        "Avenant n° 1 : accord du Conseil départemental de Maine-et-Loire (version 4)",
        "Avenant n° 1 : envoi pour signature",
        "Avenant n° 1 : appliqué au contrat",
    ]


def test_the_applied_content_must_be_the_one_signed(ehpad_contract, users, ssiad):
    amendment, version, line = _sent(ehpad_contract, users, ssiad)
    # Between the sending and the last signature, a prorogation moves the end date: the signed content is no more.
    life.prorogate(
        ehpad_contract,
        users["ars"],
        {
            "decided_on": TODAY,
            "decision": "Décision conjointe du 2 mars 2026",
            "agreed": [p.label for p in services.parties(ehpad_contract)],
        },
        today=TODAY,
    )
    seal(version, users)
    with pytest.raises(services.AmendmentRefused) as refused:
        services.apply_signed(version, users["ars"])
    assert "n'est pas celui que les parties ont signé" in str(refused.value)
    ssiad.refresh_from_db()
    assert ssiad.authorised_places == 40
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.IN_SIGNATURE


def test_an_amendment_effective_before_its_signature_is_refused(ehpad_contract, users, ssiad):
    amendment, version, _ = _sent(ehpad_contract, users, ssiad)
    seal(version, users, signed_on=date(2026, 11, 5))  # signed after the effective date of 1 October 2026
    with pytest.raises(services.AmendmentRefused) as refused:
        services.apply_signed(version, users["ars"])
    assert str(refused.value) == (
        "L'avenant n° 1 prendrait effet le 01/10/2026, avant sa signature le 05/11/2026 : un avenant ne prend pas "
        "effet avant d'être signé."
    )
    ssiad.refresh_from_db()
    assert ssiad.authorised_places == 40


def test_an_effective_date_already_past_is_refused_at_drafting(ehpad_contract, users):
    with pytest.raises(services.AmendmentRefused) as refused:
        draft(ehpad_contract, users["ehpad"], effective_date=date(2026, 1, 1))
    assert refused.value.reasons == [
        "Date d'effet : un avenant ne prend pas effet avant sa signature ; le 01/01/2026 est déjà passé."
    ]
    assert not Amendment.objects.filter(contract=ehpad_contract).exists()


def test_nobody_takes_the_contract_to_amending_by_hand(ehpad_contract, users):
    with pytest.raises(lifecycle.TransitionRefused) as refused:
        lifecycle.transition(ehpad_contract, State.AMENDING, users["ars"])
    assert "ne s'applique au contrat qu'à la signature d'un avenant ou par une prorogation" in str(refused.value)


@pytest.mark.parametrize("who", ["reader", "outsider", "platform"])
def test_a_read_only_member_a_non_party_and_the_platform_cannot_draft_or_agree(ehpad_contract, users, ssiad, who):
    body = ehpad_contract.managing_body
    user = {
        "reader": lambda: factories.member(body, Role.READ),
        "outsider": lambda: users["cd44"],
        "platform": lambda: factories.platform_administrator("plateforme-avenant"),
    }[who]()
    with pytest.raises(services.AmendmentRefused):
        draft(ehpad_contract, user)
    amendment = capacity_extension(ehpad_contract, users, ssiad)
    with pytest.raises(services.AmendmentRefused):
        services.agree(amendment, user, amendment.version)
    with pytest.raises(services.AmendmentRefused):
        services.send_for_signature(amendment, user, amendment.version, today=TODAY)


def test_only_the_lead_sends_for_signature(ehpad_contract, users, ssiad):
    amendment = agree_all(capacity_extension(ehpad_contract, users, ssiad), users)
    with pytest.raises(services.AmendmentRefused) as refused:
        services.send_for_signature(amendment, users["ehpad"], amendment.version, today=TODAY)
    assert str(refused.value) == "Seule l'autorité cheffe de file envoie un avenant pour signature."


def test_the_envelope_effect_is_computed(ehpad_contract, users, ssiad):
    amendment = capacity_extension(ehpad_contract, users, ssiad)
    line = tariff_line(ehpad_contract, ssiad)
    services.save_change(
        amendment,
        users["ehpad"],
        ChangeKind.BUDGET_LINE,
        {"budget_line": line.pk, "new_value": "450 000"},
        amendment.version,
    )
    amendment.refresh_from_db()
    seen = services.preview(amendment)
    row = next(r for r in seen.envelope_rows() if any(name == ssiad.name for name, _, _ in r["shares"]))
    old_share = next(old for name, old, _ in row["shares"] if name == ssiad.name)
    new_share = next(new for name, _, new in row["shares"] if name == ssiad.name)
    assert (old_share, new_share) == (line.amount, Decimal("450000.00"))
    assert row["new"] - row["old"] == Decimal("450000.00") - line.amount
    assert Establishment.objects.get(pk=ssiad.pk).authorised_places == 40  # the preview was rolled back


def test_a_refused_signature_sends_the_amendment_back_to_its_draft(ehpad_contract, users, ssiad):
    amendment, version, _ = _sent(ehpad_contract, users, ssiad)
    # What the circuit does when a party refuses (cpom.signing): the version is voided, then the hook runs.
    ContractVersion.objects.filter(pk=version.pk).update(
        status="voided", voided_at=timezone.now(), void_reason="Montant à revoir"
    )
    services.return_to_draft(version, users["cd49"])
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.DRAFT
    assert [p.agreement for p in services.agreement_state(amendment)] == [None, None, None]


def test_the_database_refuses_the_changes_outside_their_application(ehpad_contract, users, ssiad):
    """The signed contract stays frozen: the same writes are refused unless the contract is « amending »."""
    amendment = capacity_extension(ehpad_contract, users, ssiad)
    with pytest.raises(DatabaseError), transaction.atomic():
        services._apply_changes(amendment, ehpad_contract)
    ssiad.refresh_from_db()
    assert ssiad.authorised_places == 40


def test_the_procedure_deadlines_are_computed_from_the_dates_recorded(ehpad_contract, users):
    amendment = draft(
        ehpad_contract,
        users["ehpad"],
        letter_sent_on=date(2026, 1, 12),
        letter_presented_on=date(2026, 1, 14),
        meeting_on=date(2026, 3, 20),
        note_sent_on=date(2026, 3, 16),
        effective_date=date(2026, 9, 1),
    )
    assert [(d.label, d.due, d.kept) for d in services.procedure_deadlines(amendment)] == [
        (
            "Réunion des parties (au plus tard deux mois après la première présentation de la lettre)",
            date(2026, 3, 14),
            False,  # met on 20 March: six days late
        ),
        ("Note de l'organisme gestionnaire (au moins huit jours avant la réunion)", date(2026, 3, 12), False),
        (
            "Signature de l'avenant (au plus tard six mois avant la mise en œuvre de l'extension)",
            date(2026, 3, 1),
            None,  # not signed yet
        ),
    ]


def _sign(version, user, day):
    from cpom.signing import services as signing

    version.refresh_from_db()
    return signing.sign(
        version,
        user,
        {
            "signatory_name": user.get_full_name(),
            "signatory_title": "Signataire",
            "signed_on": day,
            "signed_hash": version.content_sha256,
        },
        today=day,
    )


def test_signed_through_the_circuit_the_amendment_is_applied_when_the_last_party_signs(ehpad_contract, users, ssiad):
    with fixed_clock(moment(TODAY)):
        amendment, version, _ = _sent(ehpad_contract, users, ssiad)
    for name in ("ehpad", "cd49"):
        _sign(version, users[name], date(2026, 3, 10))
    ssiad.refresh_from_db()
    assert ssiad.authorised_places == 40  # not before every party has signed
    _sign(version, users["ars"], date(2026, 3, 12))
    amendment.refresh_from_db()
    ssiad.refresh_from_db()
    assert (amendment.status, ssiad.authorised_places, ssiad.installed_places) == (AmendmentStatus.APPLIED, 45, 43)


def test_the_last_signature_after_the_effective_date_is_refused_by_the_circuit(ehpad_contract, users, ssiad):
    from cpom.signing.services import SigningRefused

    with fixed_clock(moment(TODAY)):
        amendment, version, _ = _sent(ehpad_contract, users, ssiad)
    for name in ("ehpad", "cd49"):
        _sign(version, users[name], date(2026, 10, 2))
    with pytest.raises(SigningRefused) as refused:
        _sign(version, users["ars"], date(2026, 10, 2))
    assert refused.value.reasons == [
        "L'avenant n° 1 prendrait effet le 01/10/2026, avant sa signature le 02/10/2026 : un avenant ne prend pas "
        "effet avant d'être signé."
    ]
    version.refresh_from_db()
    assert (version.status, version.signatures.count()) == ("sent", 2)


def test_after_an_amendment_the_contract_served_is_the_consolidated_text_not_the_amendment(
    ehpad_contract, users, ssiad, client_for, tmp_path
):
    import io

    import docx
    from django.core.management import call_command
    from django.urls import reverse
    from pypdf import PdfReader

    with fixed_clock(moment(TODAY)):
        amendment, version, _ = _sent(ehpad_contract, users, ssiad)
    for name, day in (("ehpad", 10), ("cd49", 10), ("ars", 12)):
        _sign(version, users[name], date(2026, 3, day))
    version.refresh_from_db()
    url = reverse("documents:contract_file", kwargs={"contract_id": ehpad_contract.pk, "extension": "docx"})
    served = client_for("cd49").get(url).content
    assert served != bytes(version.docx)  # the amendment alone is on the versions page, not here
    word = docx.Document(io.BytesIO(served))
    text = "\n".join(p.text for p in word.paragraphs) + "\n".join(
        c.text for t in word.tables for row in t.rows for c in row.cells
    )
    assert "Version consolidée : contrat signé le" in text
    assert "modifié par l'avenant n° 1 (en vigueur le 01/10/2026)" in text
    assert "SSIAD du Baugeois" in text and "45" in text  # the places after the change
    footer = " ".join(p.text for p in word.sections[0].footer.paragraphs)
    assert version.content_sha256 in footer and "version consolidée" in footer
    out = tmp_path / "contrat.pdf"
    call_command(
        "contrats", "document", ehpad_contract.reference, "--format", "pdf", "--sortie", str(out), stdout=io.StringIO()
    )
    first_page = PdfReader(out).pages[0].extract_text().replace("\u00a0", " ")
    assert "Version consolidée" in first_page and "avenant n° 1" in first_page
    page = client_for("ehpad").get(f"/contrats/{ehpad_contract.pk}/document/")
    assert "Version consolidée : contrat signé le" in page.content.decode()
