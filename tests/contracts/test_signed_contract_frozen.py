"""The database itself holds what a signature freezes, whatever path the write takes (ORM or raw SQL).

Run on SQLite and on PostgreSQL: every statement below is refused by a trigger, not by Python.
"""

import re

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction

import factories
from cpom.audit.models import AuditEntry
from cpom.contracts import freeze
from cpom.contracts.models import FROZEN_STATES, Contract, ContractParty, State, Transition
from cpom.registry.models import Authority, Establishment
from support import walk_to


def _refused(action, message):
    with pytest.raises(DatabaseError) as error, transaction.atomic():
        action()
    assert message in str(error.value)


def _sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _quoted(column):
    return connection.ops.quote_name(column)


def _model_of(spec):
    model = apps.get_model(spec.model)
    return model._meta.get_field(spec.m2m).remote_field.through if spec.m2m else model


def _rows_of(spec, contract):
    return _model_of(spec).objects.filter(**{spec.path: contract})


@pytest.fixture
def full_contract(association_contract, users, settings, tmp_path):
    """The association's contract with a row in every frozen table, written through the services."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return factories.full_contract(association_contract, users)


@pytest.fixture
def signed_contract(full_contract):
    return walk_to(full_contract, State.SIGNED)


SPECS = [pytest.param(spec, id=f"{spec.model}.{spec.m2m}" if spec.m2m else spec.model) for spec in freeze.FROZEN]


@pytest.mark.parametrize("spec", SPECS)
def test_every_row_the_signature_covers_refuses_update_delete_and_insert(signed_contract, spec):
    model = _model_of(spec)
    table, pk = model._meta.db_table, model._meta.pk.column
    row = _rows_of(spec, signed_contract).first()
    assert row is not None, f"the fixture has no row in {table}: the test would prove nothing"
    message = freeze.FRAME_MESSAGE if table in freeze._FRAME_TABLES else freeze.CONTENT_MESSAGE
    column = _quoted(next(f.column for f in model._meta.concrete_fields if not f.primary_key))
    _refused(lambda: _sql(f"UPDATE {table} SET {column} = {column} WHERE {pk} = %s", [row.pk]), message)
    _refused(lambda: _sql(f"DELETE FROM {table} WHERE {pk} = %s", [row.pk]), message)
    _refused(lambda: model.objects.filter(pk=row.pk).delete(), message)
    columns = ", ".join(_quoted(f.column) for f in model._meta.concrete_fields if not f.primary_key)
    _refused(
        lambda: _sql(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {table} WHERE {pk} = %s", [row.pk]),
        message,
    )
    assert model.objects.filter(pk=row.pk).exists()


def test_a_contract_sent_for_signature_is_frozen_like_a_signed_one(full_contract):
    in_signature = walk_to(full_contract, State.IN_SIGNATURE)
    target = _rows_of(freeze.Frozen("objectives.Target", "indicator__objective__contract"), in_signature).first()
    _refused(
        lambda: _sql("UPDATE objectives_target SET value = value WHERE id = %s", [target.pk]), freeze.CONTENT_MESSAGE
    )
    _refused(
        lambda: Contract.objects.filter(pk=in_signature.pk).update(title="Réécrit pendant la signature"),
        freeze.FRAME_MESSAGE,
    )


@pytest.mark.parametrize("spec", SPECS)
def test_the_same_rows_stay_editable_before_signature(full_contract, spec):
    model = _model_of(spec)
    table, pk = model._meta.db_table, model._meta.pk.column
    row = _rows_of(spec, full_contract).first()
    column = _quoted(next(f.column for f in model._meta.concrete_fields if not f.primary_key))
    _sql(f"UPDATE {table} SET {column} = {column} WHERE {pk} = %s", [row.pk])
    model.objects.filter(pk=row.pk).delete()
    assert not model.objects.filter(pk=row.pk).exists()


def test_every_model_hanging_off_a_contract_is_frozen_or_exempt_with_a_reason():
    covered = {(spec.model, spec.m2m) for spec in freeze.FROZEN}
    covered_tables = {_model_of(spec)._meta.db_table for spec in freeze.FROZEN}
    hanging = {Contract}
    for _ in range(5):  # foreign keys chain at most this deep (target → indicator → objective → contract)
        for model in apps.get_models(include_auto_created=True):
            if any(f.many_to_one and f.related_model in hanging for f in model._meta.concrete_fields):
                hanging.add(model)
    missing = {
        m._meta.label for m in hanging if m._meta.db_table not in covered_tables and m._meta.label not in freeze.EXEMPT
    }
    assert missing == set()
    for model in hanging - {Contract}:
        for field in model._meta.many_to_many:
            if model._meta.label not in freeze.EXEMPT:
                assert (model._meta.label, field.name) in covered, f"{model._meta.label}.{field.name}"


FRAME_COLUMNS = [f.column for f in Contract._meta.concrete_fields if f.column not in freeze.CONTRACT_MOVING_COLUMNS]


@pytest.mark.parametrize("column", FRAME_COLUMNS)
def test_no_column_of_a_signed_contract_frame_changes(ehpad_contract, column):
    value = {
        "id": 9999,
        "managing_body_id": Contract.objects.get(reference="CPOM-PDL-2027-044-01").managing_body_id,
        "predecessor_id": Contract.objects.get(reference="CPOM-PDL-2027-044-01").pk,
        "duration_years": 4,
        "start_date": "2024-02-01",
        "end_date": "2029-12-31",
        "target_signature_date": "2023-01-01",
        "created_at": "2020-01-01 00:00:00+00:00",
    }.get(column, "Réécrit")
    _refused(
        lambda: _sql(f"UPDATE contracts_contract SET {column} = %s WHERE id = %s", [value, ehpad_contract.pk]),
        freeze.FRAME_MESSAGE,
    )
    assert Contract.objects.get(pk=ehpad_contract.pk).title == "CPOM tripartite de l'EHPAD Les Tilleuls"


def test_a_signed_contract_cannot_go_back_to_negotiation_even_with_a_forged_transition(ehpad_contract):
    def forged():
        Transition.objects.create(
            contract=ehpad_contract,
            from_state=State.IN_FORCE,
            to_state=State.NEGOTIATION,
            organisation_label="Quelqu'un",
        )
        Contract.objects.filter(pk=ehpad_contract.pk).update(state=State.NEGOTIATION)

    _refused(forged, freeze.STATE_MESSAGE)
    _refused(
        lambda: _sql("UPDATE contracts_contract SET state = 'negotiation' WHERE id = %s", [ehpad_contract.pk]),
        freeze.STATE_MESSAGE,
    )
    assert Contract.objects.get(pk=ehpad_contract.pk).state == State.IN_FORCE


def test_a_state_change_needs_its_transition_recorded_first(ehpad_contract):
    _refused(lambda: Contract.objects.filter(pk=ehpad_contract.pk).update(state=State.RENEWAL), freeze.STATE_MESSAGE)
    Transition.objects.create(
        contract=ehpad_contract,
        from_state=State.IN_FORCE,
        to_state=State.RENEWAL,
        organisation_label="ARS Pays de la Loire",
    )
    Contract.objects.filter(pk=ehpad_contract.pk).update(state=State.RENEWAL)
    assert Contract.objects.get(pk=ehpad_contract.pk).state == State.RENEWAL


def test_an_unsigned_contract_cannot_skip_to_signed(association_contract):
    def skipped():
        Transition.objects.create(
            contract=association_contract,
            from_state=State.NEGOTIATION,
            to_state=State.SIGNED,
            organisation_label="Quelqu'un",
        )
        Contract.objects.filter(pk=association_contract.pk).update(state=State.SIGNED)

    _refused(skipped, freeze.STATE_MESSAGE)


def test_a_transition_starts_from_the_contract_state(association_contract):
    _refused(
        lambda: Transition.objects.create(
            contract=association_contract, from_state=State.PROGRAMMED, to_state=State.LAUNCHED, organisation_label="x"
        ),
        freeze.HISTORY_CHAIN_MESSAGE,
    )


def test_a_contract_is_not_created_signed(association_contract):
    _refused(
        lambda: Contract.objects.create(
            reference="CPOM-FAUX",
            title="Faux",
            managing_body=association_contract.managing_body,
            legal_basis=association_contract.legal_basis,
            start_date=association_contract.start_date,
            end_date=association_contract.end_date,
            state=State.IN_FORCE,
        ),
        freeze.CREATED_SIGNED_MESSAGE,
    )


def test_a_signed_contract_cannot_be_deleted(ehpad_contract):
    _refused(lambda: _sql("DELETE FROM contracts_contract WHERE id = %s", [ehpad_contract.pk]), freeze.FRAME_MESSAGE)
    with pytest.raises(DatabaseError), transaction.atomic():
        ehpad_contract.delete()
    assert Contract.objects.filter(pk=ehpad_contract.pk).exists()


def test_perimeter_and_parties_of_a_signed_contract_cannot_change(ehpad_contract):
    mas = Establishment.objects.get(name="MAS Les Hauts de Sèvre")
    _refused(lambda: ehpad_contract.establishments.add(mas), freeze.FRAME_MESSAGE)
    _refused(lambda: ehpad_contract.establishments.clear(), freeze.FRAME_MESSAGE)
    _refused(lambda: ehpad_contract.parties.filter(is_lead=False).delete(), freeze.FRAME_MESSAGE)
    cd44 = Authority.objects.get(kind="CD", territory="44")
    _refused(lambda: ContractParty.objects.create(contract=ehpad_contract, authority=cd44), freeze.FRAME_MESSAGE)
    assert ehpad_contract.establishments.count() == 2 and ehpad_contract.parties.count() == 2


@pytest.mark.parametrize("contract_fixture", ["association_contract", "ehpad_contract"])
def test_history_and_journal_are_append_only_for_every_contract(request, contract_fixture):
    contract = request.getfixturevalue(contract_fixture)
    transition = contract.transitions.first()
    _refused(lambda: Transition.objects.filter(pk=transition.pk).update(comment="Réécrit"), freeze.HISTORY_MESSAGE)
    _refused(lambda: _sql("DELETE FROM contracts_transition WHERE id = %s", [transition.pk]), freeze.HISTORY_MESSAGE)
    entry = AuditEntry.objects.first()
    _refused(lambda: AuditEntry.objects.filter(pk=entry.pk).update(action="Réécrit"), freeze.AUDIT_MESSAGE)
    _refused(lambda: _sql("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk]), freeze.AUDIT_MESSAGE)
    _refused(lambda: AuditEntry.objects.all().delete(), freeze.AUDIT_MESSAGE)
    assert AuditEntry.objects.filter(pk=entry.pk, action=entry.action).exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's; SQLite's DELETE fires the row triggers"
)
@pytest.mark.parametrize(
    "table,message",
    [
        ("audit_auditentry", freeze.AUDIT_MESSAGE),
        ("contracts_transition", freeze.HISTORY_MESSAGE),
        ("objectives_target", freeze.CONTENT_MESSAGE),
    ],
)
def test_truncate_is_refused(db, table, message):
    _refused(lambda: _sql(f"TRUNCATE {table} CASCADE"), message)


def test_the_state_lists_in_the_database_are_the_python_ones(db):
    signed = "(" + ", ".join(f"'{s}'" for s in sorted(FROZEN_STATES)) + ")"
    generated = freeze.statements(connection.vendor)
    for spec in freeze.FROZEN:
        table = _model_of(spec)._meta.db_table
        assert any(signed in statement and table in statement for statement in generated), table
    assert _installed(connection.vendor) == _normalised(generated)


def _normalised(statements):
    """What to compare of each statement: SQLite keeps a trigger's text as written, PostgreSQL a function's body."""
    if connection.vendor == "sqlite":
        return sorted(re.sub(r"\s+", " ", s).strip() for s in statements)
    bodies = [re.search(r"AS \$\$(.*)\$\$", s, re.S).group(1) for s in statements if s.startswith("CREATE FUNCTION")]
    names = [s.split()[2] for s in statements if s.startswith("CREATE TRIGGER")]
    return sorted(bodies), sorted(names)


def _installed(vendor):
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'cpom_%'")
            return sorted(re.sub(r"\s+", " ", sql).strip() for (sql,) in cursor.fetchall())
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname LIKE 'cpom_%'")
        bodies = sorted(source for (source,) in cursor.fetchall())
        cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE 'cpom_%'")
        return bodies, sorted(name for (name,) in cursor.fetchall())


# The establishments a signed contract covers (issue: a user rewrote the EHPAD's places and category).

FROZEN_ESTABLISHMENT_CHANGES = {
    "finess": "490008999",
    "category": "MAS",
    "sector": "PH",
    "audience": "children",
    "authorised_places": 999,
    "installed_places": 10,
    "department": "44",
}


@pytest.mark.parametrize("column,value", FROZEN_ESTABLISHMENT_CHANGES.items())
def test_what_a_signed_perimeter_depends_on_is_frozen(ehpad_contract, column, value):
    ehpad = ehpad_contract.establishments.get(category="EHPAD")
    _refused(lambda: Establishment.objects.filter(pk=ehpad.pk).update(**{column: value}), freeze.ESTABLISHMENT_MESSAGE)
    assert getattr(Establishment.objects.get(pk=ehpad.pk), column) == getattr(ehpad, column)


def test_a_covered_establishment_keeps_its_managing_body_and_funders(ehpad_contract, association_contract):
    ehpad = ehpad_contract.establishments.get(category="EHPAD")
    _refused(
        lambda: Establishment.objects.filter(pk=ehpad.pk).update(managing_body=association_contract.managing_body),
        freeze.ESTABLISHMENT_MESSAGE,
    )
    _refused(lambda: ehpad.funders.clear(), freeze.ESTABLISHMENT_MESSAGE)
    _refused(lambda: ehpad.funders.add(Authority.objects.get(kind="CD", territory="44")), freeze.ESTABLISHMENT_MESSAGE)
    _refused(lambda: _sql("DELETE FROM registry_establishment WHERE id = %s", [ehpad.pk]), freeze.ESTABLISHMENT_MESSAGE)
    assert ehpad.funders.count() == 2


def test_a_covered_establishment_may_still_be_renamed(ehpad_contract):
    ehpad = ehpad_contract.establishments.get(category="EHPAD")
    Establishment.objects.filter(pk=ehpad.pk).update(name="EHPAD Les Tilleuls (Baugé)", opening_days=365)
    assert Establishment.objects.get(pk=ehpad.pk).name == "EHPAD Les Tilleuls (Baugé)"


def test_establishments_outside_a_signed_contract_stay_editable(association_contract):
    ime = association_contract.establishments.get(category="IME")
    Establishment.objects.filter(pk=ime.pk).update(authorised_places=62, installed_places=60)
    ime.funders.add(Authority.objects.get(kind="CD", territory="44"))
    assert Establishment.objects.get(pk=ime.pk).authorised_places == 62
