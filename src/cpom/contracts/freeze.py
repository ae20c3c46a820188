"""What a signature freezes, said once, and the database triggers (SQLite and PostgreSQL) that hold it.

The services already refuse to change a signed contract; the triggers make the rule hold for every path to the
database (admin, shell, raw SQL, a future bug):

- a contract is created before signature, and its state changes only along the lifecycle table, each change
  recorded beforehand in its history (the last transition says from where to where);
- once signed, its frame cannot change and it cannot be deleted;
- every row of what the signature covers (perimeter, parties, diagnostic, objectives and their fiches, indicators,
  targets, milestones, negotiation, reference budget, growth of each funder, activity, scenarios) is frozen while its contract is signed;
- the establishments of a contract in force keep their FINESS, category, places, managing body and funders;
- the history of transitions and the audit journal are append-only;
- a version sent for signature never changes its content, a sealed version does not change at all, no version is
  deleted; a signature is append-only and names the content hash of the version sent, while it is still sent.

:func:`statements` writes the SQL from these definitions; a migration installs it, and a test compares what the
database holds with what this module writes today, so the two cannot drift apart.
"""

from dataclasses import dataclass

from .lifecycle import RULES
from .models import COVERING_STATES, FROZEN_STATES

PREFIX = "cpom_"

FRAME_MESSAGE = "Contrat signé : son cadre, son périmètre et ses parties sont figés (passer par un avenant)."
CONTENT_MESSAGE = (
    "Contrat signé : son contenu (diagnostic, objectifs, indicateurs, budget) est figé ; "
    "une modification passe par un avenant."
)
STATE_MESSAGE = "Changement d'état refusé : il doit suivre le cycle de vie du contrat et être d'abord enregistré dans son historique."
CREATED_SIGNED_MESSAGE = "Un contrat se crée avant sa signature, puis suit son cycle de vie."
HISTORY_MESSAGE = "L'historique des changements d'état d'un contrat ne se modifie pas et ne s'efface pas."
HISTORY_CHAIN_MESSAGE = "Un changement d'état part de l'état actuel du contrat."
AUDIT_MESSAGE = "Le journal des modifications ne se modifie pas et ne s'efface pas."
VERSION_MESSAGE = (
    "Version du contrat : son contenu et ses documents ne changent pas une fois envoyés pour signature ; "
    "signée ou annulée, elle ne change plus du tout ; aucune version ne s'efface."
)
SIGNATURE_MESSAGE = "Une signature enregistrée ne se modifie pas et ne s'efface pas."
SIGNATURE_TARGET_MESSAGE = (
    "Signature refusée : elle porte sur une version en cours de signature, et sur l'empreinte de cette version."
)
ESTABLISHMENT_MESSAGE = (
    "Établissement couvert par un contrat signé : son FINESS, sa catégorie, ses places, son organisme gestionnaire "
    "et ses financeurs sont figés (passer par un avenant)."
)

# Once signed, only the state (along the lifecycle) and the optimistic-locking version of a contract move.
CONTRACT_MOVING_COLUMNS = ("state", "version")
# What a signed perimeter depends on; the name, the city and the opening days stay editable (and audited).
ESTABLISHMENT_FROZEN_COLUMNS = (
    "id",
    "finess",
    "category",
    "sector",
    "audience",
    "authorised_places",
    "installed_places",
    "managing_body_id",
    "department",
)


@dataclass(frozen=True)
class Frozen:
    """Rows of ``model`` (or of the through table of its many-to-many ``m2m``) reach their contract by ``path``."""

    model: str
    path: str
    m2m: str = ""


# Every model that hangs off a contract is here, or in EXEMPT with the reason (a test walks the models).
FROZEN = (
    Frozen("contracts.Contract", "contract", m2m="establishments"),
    Frozen("contracts.ContractParty", "contract"),
    Frozen("diagnostic.Diagnostic", "contract"),
    Frozen("diagnostic.SectionEntry", "diagnostic__contract"),
    Frozen("diagnostic.Remark", "entry__diagnostic__contract"),
    Frozen("diagnostic.Attachment", "entry__diagnostic__contract"),
    Frozen("diagnostic.Finding", "diagnostic__contract"),
    Frozen("diagnostic.Finding", "finding__diagnostic__contract", m2m="evidence_indicators"),
    Frozen("diagnostic.Finding", "finding__diagnostic__contract", m2m="evidence_attachments"),
    Frozen("diagnostic.AxisPerspective", "diagnostic__contract"),
    Frozen("objectives.Objective", "contract"),
    Frozen("objectives.Objective", "objective__contract", m2m="establishments"),
    Frozen("objectives.Objective", "objective__contract", m2m="findings"),
    Frozen("objectives.Objective", "objective__contract", m2m="priorities"),
    Frozen("objectives.ObjectiveSheet", "objective__contract"),
    Frozen("objectives.Milestone", "objective__contract"),
    Frozen("objectives.FollowUpIndicator", "objective__contract"),
    Frozen("objectives.Target", "indicator__objective__contract"),
    Frozen("objectives.Agreement", "objective__contract"),
    Frozen("objectives.Message", "objective__contract"),
    Frozen("finance.ReferenceBudget", "contract"),
    Frozen("finance.FunderGrowth", "budget__contract"),
    Frozen("finance.BudgetLine", "budget__contract"),
    Frozen("finance.ActivityForecast", "budget__contract"),
    Frozen("finance.Scenario", "budget__contract"),
    Frozen("finance.NewMeasure", "scenario__budget__contract"),
    Frozen("documents.Drafting", "contract"),
    Frozen("signing.Consultation", "contract"),
)
EXEMPT = {
    "contracts.Contract": "its own triggers: frame frozen, state along the lifecycle",
    "contracts.Transition": "append-only for every contract, signed or not",
    "signing.ContractVersion": "its own triggers: content fixed once sent, nothing once sealed, never deleted",
    "signing.Signature": "append-only, on the version sent and its hash",
    # The life of a signed contract is drafted beside it, after signature: it changes the contract only through the
    # sealed version an amendment is signed as, applied while the contract is « amending ».
    "amendments.Amendment": "drafted after signature; applied only through its sealed version",
    "amendments.Change": "an amendment's draft content, fixed once its version is sent (the service refuses)",
    "amendments.AmendmentAgreement": "the parties' agreement to an amendment's draft",
    "amendments.Prorogation": "a decision taken after signature, applied while the contract is « amending »",
    "amendments.Termination": "a decision taken after signature; the contract stays in force until its notice ends",
    # The yearly follow-up happens after signature; a closed campaign is sealed by its own triggers (followup.seal).
    "followup.Campaign": "the yearly follow-up of a signed contract; sealed once its conclusions are signed",
    "followup.GridEntry": "written during a campaign; frozen with its campaign once closed",
    "followup.MilestoneProgress": "written during a campaign; frozen with its campaign once closed",
    "followup.ConclusionSignature": "append-only, on the campaign's signed hash",
    "followup.SealedDocument": "written once at closing, never changed",
    "alerts.Alert": "computed from a signed contract's data after signature; its acknowledgement kept by alerts' triggers",
    # The management reviews happen after signature; a relevé sent for signature is sealed by its own triggers.
    "reviews.Review": "a review of a signed contract; its relevé sealed by reviews' triggers once signed",
    "reviews.Participant": "drawn for a review; frozen with its relevé by reviews' triggers",
    "reviews.Question": "the managing body's questions before a review",
    "reviews.Decision": "a relevé's decision; its text frozen with the relevé, its status moves afterwards (audited)",
    "reviews.Adjustment": "the managing body's proposals on a draft relevé and the answers, kept",
    "reviews.MinutesSignature": "append-only, on the relevé's hash",
    # The launch kit prepares the signature and is not what the parties sign: sealed by its own triggers once the
    # contract is signed (cpom.launch.seal).
    "launch.LaunchKit": "the way to signature; sealed by launch's triggers once the contract is signed",
    "launch.CommitteeMember": "the kit's committee; sealed with the kit",
    "launch.RaciCell": "the kit's RACI matrix; sealed with the kit",
    "launch.ChecklistItem": "the kit's launch check-list; sealed with the kit",
    "launch.StepRecord": "the kit's steps done; sealed with the kit",
    "launch.LetterIssue": "append-only record of a letter generated from the kit",
}
# What may still move on a version sent for signature: its outcome. Everything else is what the parties sign.
VERSION_MOVING_COLUMNS = ("status", "sealed_at", "effective_date", "voided_at", "void_reason")


def _sql_list(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in sorted(values)) + ")"


def _quoted(message: str) -> str:
    return message.replace("'", "''")


def _allowed_pairs() -> list[str]:
    return sorted(f"{a}>{b}" for a, b in RULES)


@dataclass(frozen=True)
class _Table:
    name: str
    fk_chain: tuple[tuple[str, str, str], ...]  # (column on this row or parent, parent table, parent pk column)


def _resolve(apps, spec: Frozen) -> _Table | None:
    """The table of ``spec`` and the chain of foreign keys up to the contract, from the given model registry."""
    try:
        model = apps.get_model(spec.model)
    except LookupError:
        return None  # a model a later migration adds: that migration installs its trigger
    if spec.m2m:
        model = model._meta.get_field(spec.m2m).remote_field.through
    table, chain = model._meta.db_table, []
    for name in spec.path.split("__"):
        field = model._meta.get_field(name)
        model = field.related_model
        chain.append((field.column, model._meta.db_table, model._meta.pk.column))
    return _Table(table, tuple(chain))


def _contract_id(row: str, chain) -> str:
    """The SQL giving the contract id of ``row`` (NEW or OLD) by walking its foreign keys."""
    expression = f"{row}.{chain[0][0]}"
    for (_, table, pk), (column, _, _) in zip(chain, chain[1:], strict=False):
        expression = f"(SELECT {column} FROM {table} WHERE {pk} = {expression})"
    return expression


def _signed(row: str, chain, false: str) -> str:
    return (
        f"COALESCE((SELECT state FROM contracts_contract WHERE id = {_contract_id(row, chain)}) "
        f"IN {_sql_list(FROZEN_STATES)}, {false})"
    )


def _last_transition_matches() -> str:
    return (
        "EXISTS (SELECT 1 FROM contracts_transition t WHERE t.id = "
        "(SELECT MAX(id) FROM contracts_transition WHERE contract_id = NEW.id) "
        "AND t.from_state = OLD.state AND t.to_state = NEW.state)"
    )


def _frame_changed(apps, distinct: str) -> str:
    # Sorted: the migration's historical model and the project's list their fields in different orders.
    columns = sorted(f.column for f in apps.get_model("contracts.Contract")._meta.concrete_fields)
    frozen = [c for c in columns if c not in CONTRACT_MOVING_COLUMNS]
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in frozen)


def _version_content_changed(apps, distinct: str) -> str | None:
    """The SQL telling that a version's signed content changed, or None before the versions exist."""
    try:
        model = apps.get_model("signing.ContractVersion")
    except LookupError:
        return None
    columns = sorted(f.column for f in model._meta.concrete_fields if f.column not in VERSION_MOVING_COLUMNS)
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in columns)


# A signature goes on a version still sent for signature, and a signature (not a refusal) names that version's hash.
_SIGNATURE_OFF_TARGET = (
    "NOT EXISTS (SELECT 1 FROM signing_contractversion v WHERE v.id = NEW.version_id AND v.status = 'sent' "
    "AND (NEW.decision <> 'signed' OR v.content_sha256 = NEW.signed_hash))"
)


def _covered(row: str) -> str:
    return (
        "EXISTS (SELECT 1 FROM contracts_contract_establishments ce JOIN contracts_contract c ON c.id = ce.contract_id "
        f"WHERE ce.establishment_id = {row} AND c.state IN {_sql_list(COVERING_STATES)})"
    )


# SQLite -------------------------------------------------------------------------------------------------------------


def _sqlite_trigger(name: str, when: str, table: str, condition: str, message: str) -> str:
    return (
        f"CREATE TRIGGER {PREFIX}{name} BEFORE {when} ON {table} FOR EACH ROW WHEN {condition} "
        f"BEGIN SELECT RAISE(ABORT, '{_quoted(message)}'); END"
    )


def _sqlite(apps) -> list[str]:
    signed = _sql_list(FROZEN_STATES)
    pairs = _sql_list(_allowed_pairs())
    statements = [
        _sqlite_trigger(
            "contract_created_unsigned",
            "INSERT",
            "contracts_contract",
            f"NEW.state IN {signed}",
            CREATED_SIGNED_MESSAGE,
        ),
        _sqlite_trigger(
            "contract_frame_frozen",
            "UPDATE",
            "contracts_contract",
            f"OLD.state IN {signed} AND ({_frame_changed(apps, 'IS NOT')})",
            FRAME_MESSAGE,
        ),
        _sqlite_trigger(
            "contract_state_follows_lifecycle",
            "UPDATE",
            "contracts_contract",
            f"NEW.state IS NOT OLD.state AND ((OLD.state || '>' || NEW.state) NOT IN {pairs} "
            f"OR NOT {_last_transition_matches()})",
            STATE_MESSAGE,
        ),
        _sqlite_trigger(
            "contract_signed_not_deleted", "DELETE", "contracts_contract", f"OLD.state IN {signed}", FRAME_MESSAGE
        ),
        _sqlite_trigger(
            "transition_chained",
            "INSERT",
            "contracts_transition",
            "NEW.from_state IS NOT COALESCE((SELECT state FROM contracts_contract WHERE id = NEW.contract_id "
            "AND EXISTS (SELECT 1 FROM contracts_transition WHERE contract_id = NEW.contract_id)), '')",
            HISTORY_CHAIN_MESSAGE,
        ),
        _sqlite_trigger("transition_not_updated", "UPDATE", "contracts_transition", "1", HISTORY_MESSAGE),
        _sqlite_trigger("transition_not_deleted", "DELETE", "contracts_transition", "1", HISTORY_MESSAGE),
        _sqlite_trigger("audit_not_updated", "UPDATE", "audit_auditentry", "1", AUDIT_MESSAGE),
        _sqlite_trigger("audit_not_deleted", "DELETE", "audit_auditentry", "1", AUDIT_MESSAGE),
        _sqlite_trigger(
            "establishment_frozen",
            "UPDATE",
            "registry_establishment",
            f"({' OR '.join(f'OLD.{c} IS NOT NEW.{c}' for c in ESTABLISHMENT_FROZEN_COLUMNS)}) "
            f"AND {_covered('OLD.id')}",
            ESTABLISHMENT_MESSAGE,
        ),
        _sqlite_trigger(
            "establishment_not_deleted", "DELETE", "registry_establishment", _covered("OLD.id"), ESTABLISHMENT_MESSAGE
        ),
    ]
    for event, row in (("INSERT", "NEW"), ("DELETE", "OLD")):
        statements.append(
            _sqlite_trigger(
                f"establishment_funders_{event.lower()}",
                event,
                "registry_establishment_funders",
                _covered(f"{row}.establishment_id"),
                ESTABLISHMENT_MESSAGE,
            )
        )
    statements.append(
        _sqlite_trigger(
            "establishment_funders_update",
            "UPDATE",
            "registry_establishment_funders",
            f"{_covered('OLD.establishment_id')} OR {_covered('NEW.establishment_id')}",
            ESTABLISHMENT_MESSAGE,
        )
    )
    if (changed := _version_content_changed(apps, "IS NOT")) is not None:
        statements += [
            _sqlite_trigger(
                "version_sent_first", "INSERT", "signing_contractversion", "NEW.status IS NOT 'sent'", VERSION_MESSAGE
            ),
            _sqlite_trigger(
                "version_content_fixed",
                "UPDATE",
                "signing_contractversion",
                f"OLD.status IS NOT 'sent' OR {changed}",
                VERSION_MESSAGE,
            ),
            _sqlite_trigger("version_not_deleted", "DELETE", "signing_contractversion", "1", VERSION_MESSAGE),
            _sqlite_trigger(
                "signature_on_target", "INSERT", "signing_signature", _SIGNATURE_OFF_TARGET, SIGNATURE_TARGET_MESSAGE
            ),
            _sqlite_trigger("signature_not_updated", "UPDATE", "signing_signature", "1", SIGNATURE_MESSAGE),
            _sqlite_trigger("signature_not_deleted", "DELETE", "signing_signature", "1", SIGNATURE_MESSAGE),
        ]
    for table in _frozen_tables(apps):
        message = FRAME_MESSAGE if table.name in _FRAME_TABLES else CONTENT_MESSAGE
        old, new = _signed("OLD", table.fk_chain, "0"), _signed("NEW", table.fk_chain, "0")
        statements += [
            _sqlite_trigger(f"{table.name}_insert", "INSERT", table.name, new, message),
            _sqlite_trigger(f"{table.name}_update", "UPDATE", table.name, f"{old} OR {new}", message),
            _sqlite_trigger(f"{table.name}_delete", "DELETE", table.name, old, message),
        ]
    return statements


_FRAME_TABLES = ("contracts_contract_establishments", "contracts_contractparty")


def _frozen_tables(apps) -> list[_Table]:
    return [table for spec in FROZEN if (table := _resolve(apps, spec)) is not None]


def _sqlite_drop(connection) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [f"{PREFIX}%"])
        return [f"DROP TRIGGER {name}" for (name,) in cursor.fetchall()]


# PostgreSQL ---------------------------------------------------------------------------------------------------------


def _raise(message: str) -> str:
    return f"RAISE EXCEPTION '{_quoted(message)}' USING ERRCODE = 'restrict_violation';"


def _pg_function(name: str, body: str) -> str:
    return f"CREATE FUNCTION {PREFIX}{name}() RETURNS trigger AS $$\nBEGIN\n{body}\nEND $$ LANGUAGE plpgsql"


def _pg_trigger(name: str, events: str, table: str, function: str, level: str = "ROW") -> str:
    return f"CREATE TRIGGER {PREFIX}{name} BEFORE {events} ON {table} FOR EACH {level} EXECUTE FUNCTION {PREFIX}{function}()"


def _postgresql(apps) -> list[str]:
    signed = _sql_list(FROZEN_STATES)
    pairs = _sql_list(_allowed_pairs())
    contract_body = f"""
  IF TG_OP = 'INSERT' THEN
    IF NEW.state IN {signed} THEN {_raise(CREATED_SIGNED_MESSAGE)} END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' THEN
    IF OLD.state IN {signed} THEN {_raise(FRAME_MESSAGE)} END IF;
    RETURN OLD;
  END IF;
  IF OLD.state IN {signed} AND ({_frame_changed(apps, "IS DISTINCT FROM")}) THEN {_raise(FRAME_MESSAGE)} END IF;
  IF NEW.state IS DISTINCT FROM OLD.state THEN
    IF (OLD.state || '>' || NEW.state) NOT IN {pairs} OR NOT {_last_transition_matches()} THEN
      {_raise(STATE_MESSAGE)}
    END IF;
  END IF;
  RETURN NEW;"""
    transition_body = f"""
  IF TG_OP = 'INSERT' THEN
    IF NEW.from_state IS DISTINCT FROM COALESCE((SELECT state FROM contracts_contract WHERE id = NEW.contract_id
        AND EXISTS (SELECT 1 FROM contracts_transition WHERE contract_id = NEW.contract_id)), '') THEN
      {_raise(HISTORY_CHAIN_MESSAGE)}
    END IF;
    RETURN NEW;
  END IF;
  {_raise(HISTORY_MESSAGE)}"""
    frozen_columns = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in ESTABLISHMENT_FROZEN_COLUMNS)
    establishment_body = f"""
  IF TG_OP = 'DELETE' THEN
    IF {_covered("OLD.id")} THEN {_raise(ESTABLISHMENT_MESSAGE)} END IF;
    RETURN OLD;
  END IF;
  IF ({frozen_columns}) AND {_covered("OLD.id")} THEN {_raise(ESTABLISHMENT_MESSAGE)} END IF;
  RETURN NEW;"""
    funders_body = f"""
  IF TG_OP <> 'INSERT' THEN
    IF {_covered("OLD.establishment_id")} THEN {_raise(ESTABLISHMENT_MESSAGE)} END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    IF {_covered("NEW.establishment_id")} THEN {_raise(ESTABLISHMENT_MESSAGE)} END IF;
  END IF;
  RETURN COALESCE(NEW, OLD);"""
    statements = [
        _pg_function("contract_lifecycle", contract_body),
        _pg_trigger("contract_lifecycle", "INSERT OR UPDATE OR DELETE", "contracts_contract", "contract_lifecycle"),
        _pg_function("transition_append_only", transition_body),
        _pg_trigger(
            "transition_append_only", "INSERT OR UPDATE OR DELETE", "contracts_transition", "transition_append_only"
        ),
        _pg_function("audit_append_only", f"  {_raise(AUDIT_MESSAGE)}"),
        _pg_trigger("audit_append_only", "UPDATE OR DELETE", "audit_auditentry", "audit_append_only"),
        _pg_function("establishment_frozen", establishment_body),
        _pg_trigger("establishment_frozen", "UPDATE OR DELETE", "registry_establishment", "establishment_frozen"),
        _pg_function("establishment_funders_frozen", funders_body),
        _pg_trigger(
            "establishment_funders_frozen",
            "INSERT OR UPDATE OR DELETE",
            "registry_establishment_funders",
            "establishment_funders_frozen",
        ),
        # TRUNCATE fires no row trigger: the journal and the history refuse it outright, contract content while a
        # signed contract exists.
        _pg_function("history_not_truncated", f"  {_raise(HISTORY_MESSAGE)}"),
        _pg_function("audit_not_truncated", f"  {_raise(AUDIT_MESSAGE)}"),
        _pg_function(
            "content_not_truncated",
            f"""
  IF EXISTS (SELECT 1 FROM contracts_contract WHERE state IN {signed}) THEN {_raise(CONTENT_MESSAGE)} END IF;
  RETURN NULL;""",
        ),
        _pg_trigger(
            "transition_not_truncated", "TRUNCATE", "contracts_transition", "history_not_truncated", "STATEMENT"
        ),
        _pg_trigger("audit_not_truncated", "TRUNCATE", "audit_auditentry", "audit_not_truncated", "STATEMENT"),
    ]
    statements += _postgresql_versions(apps)
    content_tables = ["contracts_contract", "registry_establishment", "registry_establishment_funders"]
    for table in _frozen_tables(apps):
        message = FRAME_MESSAGE if table.name in _FRAME_TABLES else CONTENT_MESSAGE
        body = f"""
  IF TG_OP <> 'INSERT' THEN
    IF {_signed("OLD", table.fk_chain, "FALSE")} THEN {_raise(message)} END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    IF {_signed("NEW", table.fk_chain, "FALSE")} THEN {_raise(message)} END IF;
  END IF;
  RETURN COALESCE(NEW, OLD);"""
        statements += [
            _pg_function(f"{table.name}_frozen", body),
            _pg_trigger(f"{table.name}_frozen", "INSERT OR UPDATE OR DELETE", table.name, f"{table.name}_frozen"),
        ]
        content_tables.append(table.name)
    statements += [
        _pg_trigger(f"{table}_not_truncated", "TRUNCATE", table, "content_not_truncated", "STATEMENT")
        for table in content_tables
    ]
    return statements


def _postgresql_versions(apps) -> list[str]:
    changed = _version_content_changed(apps, "IS DISTINCT FROM")
    if changed is None:
        return []
    version_body = f"""
  IF TG_OP = 'INSERT' THEN
    IF NEW.status IS DISTINCT FROM 'sent' THEN {_raise(VERSION_MESSAGE)} END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' OR OLD.status IS DISTINCT FROM 'sent' OR {changed} THEN {_raise(VERSION_MESSAGE)} END IF;
  RETURN NEW;"""
    signature_body = f"""
  IF TG_OP = 'INSERT' THEN
    IF {_SIGNATURE_OFF_TARGET} THEN {_raise(SIGNATURE_TARGET_MESSAGE)} END IF;
    RETURN NEW;
  END IF;
  {_raise(SIGNATURE_MESSAGE)}"""
    return [
        _pg_function("version_sealed", version_body),
        _pg_trigger("version_sealed", "INSERT OR UPDATE OR DELETE", "signing_contractversion", "version_sealed"),
        _pg_function("signature_append_only", signature_body),
        _pg_trigger(
            "signature_append_only", "INSERT OR UPDATE OR DELETE", "signing_signature", "signature_append_only"
        ),
        _pg_function("versions_not_truncated", f"  {_raise(VERSION_MESSAGE)}"),
        _pg_trigger(
            "version_not_truncated", "TRUNCATE", "signing_contractversion", "versions_not_truncated", "STATEMENT"
        ),
        _pg_trigger("signature_not_truncated", "TRUNCATE", "signing_signature", "versions_not_truncated", "STATEMENT"),
    ]


def _postgresql_drop(connection) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND t.tgname LIKE %s",
            [f"{PREFIX}%"],
        )
        triggers = [f"DROP TRIGGER {name} ON {table}" for name, table in cursor.fetchall()]
        cursor.execute("SELECT proname FROM pg_proc WHERE proname LIKE %s", [f"{PREFIX}%"])
        functions = [f"DROP FUNCTION {name}()" for (name,) in cursor.fetchall()]
    return triggers + functions


_VENDORS = {"sqlite": (_sqlite, _sqlite_drop), "postgresql": (_postgresql, _postgresql_drop)}


def statements(vendor: str, apps=None) -> list[str]:
    """The SQL creating every trigger for ``vendor``, from the models of ``apps`` (the project's by default)."""
    if vendor not in _VENDORS:
        raise NotImplementedError(f"cpom fonctionne sur SQLite et PostgreSQL, pas sur {vendor}.")
    if apps is None:
        from django.apps import apps
    return _VENDORS[vendor][0](apps)


def install(connection, apps=None) -> None:
    """Replaces every cpom trigger of the database by the ones this module writes today."""
    uninstall(connection)
    with connection.cursor() as cursor:
        for statement in statements(connection.vendor, apps):
            cursor.execute(statement)


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        for statement in _VENDORS[connection.vendor][1](connection):
            cursor.execute(statement)
