"""Steps of an amendment the tests share: the EHPAD's contract of the test world (signed, in force, two
establishments: the EHPAD and its SSIAD of 40 authorised and 38 installed places) drafted, agreed and sealed."""

from datetime import date

from django.utils import timezone

from cpom.amendments import services
from cpom.amendments.models import ChangeKind, Trigger
from cpom.signing.models import MANAGING_BODY_KEY, Decision, Signature, VersionStatus

TODAY = date(2026, 3, 2)


def draft(contract, user, **fields):
    data = {
        "trigger": Trigger.CAPACITY_EXTENSION,
        "summary": "Extension de 5 places du SSIAD du Baugeois, autorisée par arrêté du 12 janvier 2026.",
        "effective_date": date(2026, 10, 1),
        **fields,
    }
    return services.create_amendment(contract, user, data, today=TODAY)


def capacity_extension(contract, users, ssiad, authorised=45, installed=43):
    """Avenant n° 1: 5 more places for the SSIAD, and its ARS care envelope line raised accordingly."""
    amendment = draft(contract, users["ehpad"])
    services.save_change(
        amendment,
        users["ehpad"],
        ChangeKind.PLACES,
        {"establishment": ssiad.pk, "field": "authorised_places", "new_value": str(authorised)},
        amendment.version,
    )
    amendment.refresh_from_db()
    services.save_change(
        amendment,
        users["ehpad"],
        ChangeKind.PLACES,
        {"establishment": ssiad.pk, "field": "installed_places", "new_value": str(installed)},
        amendment.version,
    )
    amendment.refresh_from_db()
    return amendment


def tariff_line(contract, establishment):
    from cpom.finance.models import BudgetLine

    return (
        BudgetLine.objects.filter(budget__contract=contract, establishment=establishment, side="income", group=1)
        .order_by("funder")
        .first()
    )


def agree_all(amendment, users, names=("ehpad", "ars", "cd49")):
    for name in names:
        amendment.refresh_from_db()
        services.agree(amendment, users[name], amendment.version)
    amendment.refresh_from_db()
    return amendment


def seal(version, users, signed_on=date(2026, 3, 20)):
    """The version as the circuit leaves it once every party has signed its hash, written directly so that the hook
    (services.apply_signed) is tested on its own; tests/amendments/test_amendments.py signs through the circuit too."""
    names = {MANAGING_BODY_KEY: "ehpad"}
    contract = version.contract
    for party in contract.parties.select_related("authority"):
        names[f"authority:{party.authority_id}"] = "ars" if party.is_lead else "cd49"
    for key in version.signature_order:
        user = users[names[key]]
        Signature.objects.create(
            version=version,
            authority_id=None if key == MANAGING_BODY_KEY else int(key.split(":")[1]),
            party_key=key,
            decision=Decision.SIGNED,
            signatory_name=user.get_full_name(),
            signatory_title="Directeur",
            signed_on=signed_on,
            signed_hash=version.content_sha256,
            recorded_by=user,
            organisation_label=str(key),
            recorded_at=timezone.now(),
        )
    version.status, version.sealed_at, version.effective_date = VersionStatus.SEALED, timezone.now(), signed_on
    version.save(update_fields=["status", "sealed_at", "effective_date"])
    return version
