"""The database holds the signature circuit's rules whatever path the write takes (ORM or raw SQL): run on SQLite and
on PostgreSQL, each statement below is refused by a trigger, not by Python."""

import hashlib

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

import factories
from cpom.contracts import freeze
from cpom.signing import services
from cpom.signing.models import ContractVersion, Decision, Signature, VersionStatus


def _refused(action, message):
    with pytest.raises(DatabaseError) as error, transaction.atomic():
        action()
    assert message in str(error.value)


def _sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def sealed(ehpad_contract):
    """The world's EHPAD contract: signed by its three parties, its version sealed."""
    return services.current_version(ehpad_contract)


@pytest.mark.parametrize(
    "column,value",
    [
        ("status", "sent"),
        ("snapshot", "{}"),
        ("content_sha256", "0" * 64),
        ("pdf_sha256", "0" * 64),
        ("effective_date", "2025-01-01"),
        ("label", "Autre intitulé"),
    ],
)
def test_a_sealed_version_refuses_any_update_by_the_orm_and_by_sql(sealed, column, value):
    _refused(lambda: ContractVersion.objects.filter(pk=sealed.pk).update(**{column: value}), freeze.VERSION_MESSAGE)
    _refused(
        lambda: _sql(f"UPDATE signing_contractversion SET {column} = %s WHERE id = %s", [value, sealed.pk]),
        freeze.VERSION_MESSAGE,
    )
    sealed.refresh_from_db()
    assert sealed.status == VersionStatus.SEALED


def test_a_sealed_version_and_its_documents_refuse_deletion(sealed):
    stored = bytes(sealed.pdf)
    # The ORM's delete without its collector (whose PROTECT of the signatures would answer first): the trigger refuses.
    _refused(lambda: ContractVersion.objects.filter(pk=sealed.pk)._raw_delete(connection.alias), freeze.VERSION_MESSAGE)
    _refused(lambda: _sql("DELETE FROM signing_contractversion WHERE id = %s", [sealed.pk]), freeze.VERSION_MESSAGE)
    _refused(
        lambda: _sql("UPDATE signing_contractversion SET pdf = %s WHERE id = %s", [b"%PDF-", sealed.pk]),
        freeze.VERSION_MESSAGE,
    )
    sealed.refresh_from_db()
    assert bytes(sealed.pdf) == stored
    assert hashlib.sha256(stored).hexdigest() == sealed.pdf_sha256


def test_the_content_of_a_version_sent_refuses_update_its_outcome_does_not(sent_version):
    for column, value in (("snapshot", '{"autre":1}'), ("content_sha256", "1" * 64), ("signature_order", "[]")):
        _refused(
            lambda c=column, v=value: _sql(
                f"UPDATE signing_contractversion SET {c} = %s WHERE id = %s", [v, sent_version.pk]
            ),
            freeze.VERSION_MESSAGE,
        )
    _refused(lambda: ContractVersion.objects.filter(pk=sent_version.pk).update(docx=b"PK"), freeze.VERSION_MESSAGE)
    # Only the outcome moves (the service's refusal voids it): the triggers let that through.
    with transaction.atomic():
        ContractVersion.objects.filter(pk=sent_version.pk).update(void_reason="essai")
        transaction.set_rollback(True)


def test_a_version_is_inserted_as_sent(sent_version):
    fields = {
        f.column: getattr(sent_version, f.attname) for f in ContractVersion._meta.concrete_fields if not f.primary_key
    }
    fields.update(status="sealed", number=1, sealed_at=timezone.now(), effective_date=sent_version.sent_at.date())
    _refused(
        lambda: ContractVersion.objects.create(
            **{k: v for k, v in fields.items() if k != "contract_id"}, contract_id=sent_version.contract_id
        ),
        freeze.VERSION_MESSAGE,
    )


def _signature(version, **fields):
    data = {
        "version": version,
        "authority": None,
        "party_key": "managing_body",
        "decision": Decision.SIGNED,
        "signatory_name": "Claire Martin",
        "signatory_title": "Directrice générale",
        "signed_on": timezone.localdate(),
        "signed_hash": version.content_sha256,
        "recorded_by": version.sent_by,
        "organisation_label": "Tests",
        "recorded_at": timezone.now(),
        **fields,
    }
    return Signature.objects.create(**data)


def test_a_signature_naming_another_hash_is_refused_by_the_database(sent_version):
    other = hashlib.sha256(b"un autre document").hexdigest()
    _refused(lambda: _signature(sent_version, signed_hash=other), freeze.SIGNATURE_TARGET_MESSAGE)
    _refused(
        lambda: _sql(
            "INSERT INTO signing_signature (version_id, party_key, decision, signatory_name, signatory_title, "
            "signed_on, signed_hash, scan, scan_name, scan_sha256, reason, recorded_by_id, organisation_label, "
            "recorded_at) VALUES (%s, 'managing_body', 'signed', 'X', 'Y', %s, %s, '', '', '', '', %s, 'SQL', %s)",
            [sent_version.pk, timezone.localdate(), other, sent_version.sent_by_id, timezone.now()],
        ),
        freeze.SIGNATURE_TARGET_MESSAGE,
    )
    assert not sent_version.signatures.exists()


def test_no_signature_goes_on_a_sealed_version(sealed):
    key = "authority:999999"
    _refused(
        lambda: _signature(sealed, party_key=key, authority_id=sealed.signatures.last().authority_id),
        freeze.SIGNATURE_TARGET_MESSAGE,
    )


def test_signatures_refuse_update_and_delete(sealed, sent_version, users):
    services.sign(sent_version, users["asso"], factories.signature_data(sent_version, timezone.localdate()))
    for signature in (sealed.signatures.first(), sent_version.signatures.get()):
        _refused(
            lambda s=signature: Signature.objects.filter(pk=s.pk).update(signatory_name="Autre"),
            freeze.SIGNATURE_MESSAGE,
        )
        _refused(
            lambda s=signature: _sql("UPDATE signing_signature SET signed_on = %s WHERE id = %s", ["2020-01-01", s.pk]),
            freeze.SIGNATURE_MESSAGE,
        )
        _refused(
            lambda s=signature: _sql("DELETE FROM signing_signature WHERE id = %s", [s.pk]), freeze.SIGNATURE_MESSAGE
        )
    assert sealed.signatures.count() == 3
