"""Amendments: drafting the changes, the parties' agreement, sending for signature and, once sealed, applying them.

An amendment is a list of structured changes against the contract's current content. Its version's snapshot is the
contract's content AFTER the changes: :func:`preview` applies them in a savepoint, reads the snapshot and rolls back.
When the version is sealed, :func:`apply_signed` applies the same changes for good in one transaction (the contract
goes to « Modification en cours d'application » and back, each step in its history) and refuses unless the content
it arrives at has the hash every party signed.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from cpom.access import membership_of
from cpom.audit.services import record
from cpom.contracts import lifecycle
from cpom.contracts.deadlines import add_months
from cpom.contracts.models import Contract, State, Transition
from cpom.contracts.rules import contract_side
from cpom.core.locking import StaleWrite
from cpom.core.numbers import read_decimal
from cpom.core.refusals import Refused
from cpom.core.text import of
from cpom.finance.budget import services as budget_services
from cpom.finance.models import BudgetLine, ReferenceBudget
from cpom.objectives.models import DUE_YEAR_LABELS, FollowUpIndicator, Objective, ObjectiveSheet, Target
from cpom.objectives.negotiation import parties
from cpom.objectives.values import ValueRefused, normalise
from cpom.registry.models import Establishment
from cpom.signing.models import ContractVersion, VersionStatus

from . import circuit, rules
from .models import Amendment, AmendmentAgreement, AmendmentStatus, Change, ChangeKind, Trigger

# The fiche's text fields an amendment may rewrite (its amounts are means: a budget change says them).
SHEET_TEXT_FIELDS = (
    "context",
    "problem_state",
    "stakes_text",
    "implementation",
    "pilot",
    "partners",
    "expected_results",
)
PLACE_FIELDS = ("authorised_places", "installed_places")
AMENDMENT_FIELDS = (
    "trigger",
    "summary",
    "letter_sent_on",
    "letter_presented_on",
    "meeting_on",
    "note_sent_on",
    "effective_date",
)


class AmendmentRefused(Refused):
    pass


class StaleAmendment(StaleWrite, AmendmentRefused):
    def __init__(self):
        StaleWrite.__init__(self)
        self.reasons = [str(self)]


def _fmt(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


# --- Entering and leaving « amending » ---------------------------------------------------------------------------

_APPLYING: ContextVar[bool] = ContextVar("cpom_amendment_applying", default=False)


@contextmanager
def _applying():
    token = _APPLYING.set(True)
    try:
        yield
    finally:
        _APPLYING.reset(token)


def only_while_applying(contract: Contract, today: date) -> list[str]:
    """Registered on every step into « amending »: nobody takes it by hand, only the application of a signed
    amendment or of a prorogation does."""
    if _APPLYING.get():
        return []
    return ["Une modification ne s'applique au contrat qu'à la signature d'un avenant ou par une prorogation."]


def back_where_it_was(to_state: str):
    def check(contract: Contract, today: date) -> list[str]:
        last = contract.transitions.order_by("-pk").first()
        if last is not None and last.to_state == State.AMENDING and last.from_state != to_state:
            return [f"Le contrat revient à l'état « {State(last.from_state).label} » après la modification."]
        return []

    return check


def _step(contract: Contract, to_state: str, user, comment: str) -> None:
    contract.refresh_from_db()
    with _applying():
        lifecycle.transition(contract, to_state, user, comment)


@contextmanager
def amending(contract: Contract, user, what: str):
    """Inside: the contract is « Modification en cours d'application », its rows may change; then back."""
    back_to = contract.state
    _step(contract, State.AMENDING, user, f"Application : {what}")
    yield
    _step(contract, back_to, user, f"Application terminée : {what}")


# --- Drafting -------------------------------------------------------------------------------------------------


def _locked(amendment: Amendment, expected_version: int | None) -> Amendment:
    """The draft, locked, if it is still the version the user saw (no version sent back is a stale copy too)."""
    current = Amendment.objects.select_for_update().select_related("contract").get(pk=amendment.pk)
    if expected_version is None or current.version != expected_version:
        raise StaleAmendment
    return current


def _require(refusal: str | None) -> None:
    if refusal:
        raise AmendmentRefused(refusal)


def _require_draft(amendment: Amendment) -> None:
    if not amendment.is_draft:
        raise AmendmentRefused(
            f"L'avenant n° {amendment.number} est « {amendment.get_status_display()} » : il ne se modifie plus."
        )


def _check_dates(data: dict, today: date) -> None:
    reasons = []
    sent, presented = data.get("letter_sent_on"), data.get("letter_presented_on")
    if sent and presented and presented < sent:
        reasons.append(
            "Date de première présentation de la lettre : elle ne peut pas précéder l'envoi de la lettre "
            f"({_fmt(sent)})."
        )
    if data.get("effective_date") and data["effective_date"] < today:
        reasons.append(
            f"Date d'effet : un avenant ne prend pas effet avant sa signature ; le {_fmt(data['effective_date'])} "
            "est déjà passé."
        )
    if not (data.get("summary") or "").strip():
        reasons.append("Objet de l'avenant : indiquez ce qui motive l'avenant.")
    if data.get("trigger") not in Trigger.values:
        reasons.append("Motif : choisissez le motif de l'avenant.")
    if reasons:
        raise AmendmentRefused(reasons)


def amendment_snapshot(amendment: Amendment) -> dict:
    data = {
        str(Amendment._meta.get_field(name).verbose_name): str(getattr(amendment, name) or "")
        for name in AMENDMENT_FIELDS
    }
    data["modifications"] = [
        f"{c.label} : {c.old_value or '—'} → {c.new_value or '—'}" for c in amendment.changes.all()
    ]
    return data


@transaction.atomic
def create_amendment(contract: Contract, user, data: dict, today: date | None = None) -> Amendment:
    today = today or timezone.localdate()
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    _require(rules.draft_refusal(user, contract))
    _check_dates(data, today)
    number = (contract.amendments.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    amendment = Amendment.objects.create(
        contract=contract,
        number=number,
        created_by=user,
        organisation_label=membership_of(user).organisation_label,
        created_at=timezone.now(),
        **{name: data.get(name) for name in AMENDMENT_FIELDS},
    )
    record(user, contract, f"Avenant n° {number} : préparation", None, amendment_snapshot(amendment))
    return amendment


def _edited(amendment: Amendment, user, before: dict, what: str) -> Amendment:
    """Every edit is a new version of the draft: the agreements given to the previous one lapse."""
    amendment.bump_version()
    record(user, amendment.contract, f"Avenant n° {amendment.number} : {what}", before, amendment_snapshot(amendment))
    return amendment


@transaction.atomic
def update_amendment(amendment: Amendment, user, data: dict, expected_version: int, today=None) -> Amendment:
    today = today or timezone.localdate()
    current = _locked(amendment, expected_version)
    _require(rules.draft_refusal(user, current.contract))
    _require_draft(current)
    _check_dates(data, today)
    before = amendment_snapshot(current)
    for name in AMENDMENT_FIELDS:
        setattr(current, name, data.get(name))
    current.save()
    return _edited(current, user, before, "modification de la procédure")


# --- The changes ----------------------------------------------------------------------------------------------


def _places_after(amendment: Amendment, establishment: Establishment, field: str, value: int) -> dict[str, int]:
    """The establishment's places once this amendment applies, ``field`` set to ``value``."""
    places = {name: getattr(establishment, name) for name in PLACE_FIELDS}
    for change in amendment.changes.filter(kind=ChangeKind.PLACES, establishment=establishment):
        places[change.field] = int(change.new_value)
    places[field] = value
    return places


def _whole_number(raw: str, what: str) -> int:
    text = (raw or "").strip()
    if not text.isdigit():
        raise AmendmentRefused(f"{what} : indiquez un nombre entier de places (par exemple 45), pas « {text} ».")
    return int(text)


def _amount(raw: str) -> Decimal:
    try:
        amount = read_decimal(raw or "")
    except (ValueError, InvalidOperation):
        amount = None
    if amount is None or amount < 0:
        raise AmendmentRefused(
            f"Nouveau montant : « {(raw or '').strip()} » n'est pas un montant positif (par exemple 12 500,50)."
        )
    return amount.quantize(Decimal("0.01"))


def _describe(amendment: Amendment, kind: str, data: dict) -> dict:
    """The change's target, label and old and new values, checked against the contract; or AmendmentRefused."""
    contract = amendment.contract
    new = (data.get("new_value") or "").strip()
    if kind == ChangeKind.TARGET:
        indicator = (
            FollowUpIndicator.objects.filter(objective__contract=contract, pk=data.get("indicator"))
            .select_related("objective")
            .first()
        )
        year = data.get("due_year")
        if indicator is None or year not in range(len(DUE_YEAR_LABELS)):
            raise AmendmentRefused("Indicateur : choisissez un indicateur du contrat et une échéance de N à N+4.")
        try:
            new = normalise(indicator.value_type, new)
        except ValueRefused as refused:
            raise AmendmentRefused(f"Nouvelle cible : {refused}") from None
        target = Target.objects.filter(indicator=indicator, due_year=year).first()
        return {
            "indicator": indicator,
            "due_year": year,
            "objective": indicator.objective,
            "label": f"Objectif {indicator.objective.number}, indicateur « {indicator.label} », cible {DUE_YEAR_LABELS[year]}",
            "old_value": target.value if target else "",
            "new_value": new,
        }
    if kind in (ChangeKind.OBJECTIVE_TITLE, ChangeKind.SHEET_FIELD):
        objective = Objective.objects.filter(contract=contract, pk=data.get("objective")).first()
        if objective is None:
            raise AmendmentRefused("Objectif : choisissez un objectif du contrat.")
        if kind == ChangeKind.OBJECTIVE_TITLE:
            if not new or len(new) > 300:
                raise AmendmentRefused("Nouvel intitulé : indiquez l'intitulé de l'objectif (300 caractères au plus).")
            return {
                "objective": objective,
                "label": f"Objectif {objective.number} : intitulé",
                "old_value": objective.title,
                "new_value": new,
            }
        field = data.get("field")
        if field not in SHEET_TEXT_FIELDS:
            raise AmendmentRefused("Rubrique : choisissez une rubrique de la fiche objectif.")
        sheet = ObjectiveSheet.objects.filter(objective=objective).first()
        name = str(ObjectiveSheet._meta.get_field(field).verbose_name)
        return {
            "objective": objective,
            "field": field,
            "label": f"Objectif {objective.number}, fiche : {name}",
            "old_value": getattr(sheet, field) if sheet else "",
            "new_value": new,
        }
    if kind in (ChangeKind.PLACES, ChangeKind.PERIMETER_ADD, ChangeKind.PERIMETER_REMOVE):
        establishment = Establishment.objects.filter(pk=data.get("establishment")).prefetch_related("funders").first()
        if establishment is None:
            raise AmendmentRefused("Établissement : choisissez un établissement.")
        in_perimeter = contract.establishments.filter(pk=establishment.pk).exists()
        if kind == ChangeKind.PLACES:
            field = data.get("field")
            if field not in PLACE_FIELDS or not in_perimeter:
                raise AmendmentRefused(
                    "Places : choisissez un établissement du périmètre et ses places autorisées ou installées."
                )
            what = str(Establishment._meta.get_field(field).verbose_name).capitalize()
            value = _whole_number(new, what)
            after = _places_after(amendment, establishment, field, value)
            if after["installed_places"] > after["authorised_places"]:
                raise AmendmentRefused(
                    f"Places installées : {establishment.name} aurait {after['installed_places']} places installées "
                    f"pour {after['authorised_places']} places autorisées ; une extension de capacité ne peut pas "
                    "dépasser les places autorisées (l'autorisation d'abord, puis l'avenant)."
                )
            return {
                "establishment": establishment,
                "field": field,
                "label": f"{establishment.name} ({establishment.finess}) : {what.lower()}",
                "old_value": str(getattr(establishment, field)),
                "new_value": str(value),
            }
        if kind == ChangeKind.PERIMETER_ADD:
            if in_perimeter:
                raise AmendmentRefused(f"{establishment.name} est déjà dans le périmètre du contrat.")
            if establishment.managing_body_id != contract.managing_body_id:
                raise AmendmentRefused(
                    f"{establishment.name} n'est pas géré par l'organisme gestionnaire du contrat : une reprise "
                    "s'enregistre d'abord au répertoire."
                )
            parties_ids = {p.authority_id for p in contract.parties.all()}
            missing = [str(f) for f in establishment.funders.all() if f.pk not in parties_ids]
            if missing:
                raise AmendmentRefused(
                    f"{establishment.name} relève de {', '.join(missing)}, qui n'est pas partie au contrat."
                )
            return {
                "establishment": establishment,
                "label": f"Périmètre : entrée de {establishment.name} ({establishment.finess})",
                "old_value": "hors du périmètre",
                "new_value": "dans le périmètre",
            }
        if not in_perimeter:
            raise AmendmentRefused(f"{establishment.name} n'est pas dans le périmètre du contrat.")
        return {
            "establishment": establishment,
            "label": f"Périmètre : sortie de {establishment.name} ({establishment.finess})",
            "old_value": "dans le périmètre",
            "new_value": "hors du périmètre",
        }
    if kind == ChangeKind.BUDGET_LINE:
        line = (
            BudgetLine.objects.filter(budget__contract=contract, pk=data.get("budget_line"))
            .select_related("establishment")
            .first()
        )
        if line is None:
            raise AmendmentRefused("Ligne budgétaire : choisissez une ligne du budget de référence du contrat.")
        amount = _amount(new)
        return {
            "budget_line": line,
            "establishment": line.establishment,
            "label": f"Budget de référence : {budget_line_label(line)}",
            "old_value": str(line.amount),
            "new_value": str(amount),
        }
    if kind == ChangeKind.END_DATE:
        end = data.get("end_date")
        if not isinstance(end, date) or end <= contract.end_date:
            raise AmendmentRefused(
                f"Nouvelle date de fin : elle prolonge le contrat, au-delà du {_fmt(contract.end_date)}."
            )
        return {
            "label": "Date de fin du contrat",
            "old_value": contract.end_date.isoformat(),
            "new_value": end.isoformat(),
        }
    raise AmendmentRefused("Nature de la modification : choisissez-en une de la liste.")


def budget_line_label(line: BudgetLine) -> str:
    return (
        f"{line.establishment.name}, {line.get_funder_display()}, {line.get_side_display().lower()} "
        f"du groupe {line.group}"
    )


def _same_target(kind: str, described: dict) -> dict:
    keys = {"kind": kind}
    for name in ("indicator", "due_year", "objective", "establishment", "budget_line", "field"):
        if name in described:
            keys[name] = described[name]
    if kind in (ChangeKind.PERIMETER_ADD, ChangeKind.PERIMETER_REMOVE):
        keys.pop("kind")
        keys["kind__in"] = [ChangeKind.PERIMETER_ADD, ChangeKind.PERIMETER_REMOVE]
    return keys


@transaction.atomic
def save_change(amendment: Amendment, user, kind: str, data: dict, expected_version: int) -> Change:
    """Adds a change, or replaces the amendment's change of the same thing; the draft's agreements lapse."""
    current = _locked(amendment, expected_version)
    _require(rules.draft_refusal(user, current.contract))
    _require_draft(current)
    before = amendment_snapshot(current)
    described = _describe(current, kind, data)
    if described["old_value"] == described["new_value"]:
        raise AmendmentRefused(f"{described['label']} : la nouvelle valeur est celle du contrat.")
    current.changes.filter(**_same_target(kind, described)).delete()
    change = Change.objects.create(amendment=current, kind=kind, **described)
    _edited(current, user, before, f"modification « {change.label} »")
    return change


@transaction.atomic
def remove_change(amendment: Amendment, user, change_id: int, expected_version: int) -> None:
    current = _locked(amendment, expected_version)
    _require(rules.draft_refusal(user, current.contract))
    _require_draft(current)
    change = current.changes.filter(pk=change_id).first()
    if change is None:
        raise AmendmentRefused("Cette modification ne fait pas partie de l'avenant.")
    before = amendment_snapshot(current)
    change.delete()
    _edited(current, user, before, f"retrait de « {change.label} »")


# --- Agreement ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyAgreement:
    label: str
    agreement: AmendmentAgreement | None


def agreement_state(amendment: Amendment) -> list[PartyAgreement]:
    current = {
        (a.managing_body_id, a.authority_id): a for a in amendment.agreements.all() if a.version == amendment.version
    }
    return [
        PartyAgreement(p.label, current.get((p.managing_body_id, p.authority_id))) for p in parties(amendment.contract)
    ]


def is_agreed(amendment: Amendment) -> bool:
    return all(p.agreement is not None for p in agreement_state(amendment))


@transaction.atomic
def agree(amendment: Amendment, user, expected_version: int) -> AmendmentAgreement:
    current = _locked(amendment, expected_version)
    _require(rules.agree_refusal(user, current.contract))
    _require_draft(current)
    if not current.changes.exists():
        raise AmendmentRefused("L'avenant ne comporte encore aucune modification : il n'y a rien à accepter.")
    side = contract_side(user, current.contract)
    if current.agreements.filter(
        version=current.version, managing_body_id=side.managing_body_id, authority_id=side.authority_id
    ).exists():
        raise AmendmentRefused("Votre organisation a déjà donné son accord à cette version de l'avenant.")
    agreement = AmendmentAgreement.objects.create(
        amendment=current,
        managing_body_id=side.managing_body_id,
        authority_id=side.authority_id,
        version=current.version,
        user=user,
        at=timezone.now(),
    )
    record(
        user,
        current.contract,
        f"Avenant n° {current.number} : accord {of(side.label)} (version {current.version})",
        None,
        amendment_snapshot(current),
    )
    return agreement


# --- Applying the changes -------------------------------------------------------------------------------------


def _apply_changes(amendment: Amendment, contract: Contract) -> None:
    """Writes every change on the contract's rows (the contract is « amending »): refused if one's old value is no
    longer the contract's."""
    changes = list(amendment.changes.select_related("indicator", "objective", "establishment", "budget_line"))
    stale = []
    places: dict[int, dict[str, int]] = {}
    for change in changes:
        kind = change.kind
        if kind == ChangeKind.TARGET:
            target = Target.objects.filter(indicator=change.indicator, due_year=change.due_year).first()
            if (target.value if target else "") != change.old_value:
                stale.append(change)
                continue
            Target.objects.update_or_create(
                indicator=change.indicator, due_year=change.due_year, defaults={"value": change.new_value}
            )
        elif kind == ChangeKind.OBJECTIVE_TITLE:
            objective = Objective.objects.get(pk=change.objective_id)
            if objective.title != change.old_value:
                stale.append(change)
                continue
            objective.title = change.new_value
            objective.bump_version("title")
        elif kind == ChangeKind.SHEET_FIELD:
            sheet, _ = ObjectiveSheet.objects.get_or_create(objective_id=change.objective_id)
            if getattr(sheet, change.field) != change.old_value:
                stale.append(change)
                continue
            setattr(sheet, change.field, change.new_value)
            sheet.save(update_fields=[change.field])
        elif kind == ChangeKind.PLACES:
            establishment = Establishment.objects.get(pk=change.establishment_id)
            if str(getattr(establishment, change.field)) != change.old_value:
                stale.append(change)
                continue
            places.setdefault(establishment.pk, {})[change.field] = int(change.new_value)
        elif kind == ChangeKind.PERIMETER_ADD:
            contract.establishments.add(change.establishment_id)
        elif kind == ChangeKind.PERIMETER_REMOVE:
            contract.establishments.remove(change.establishment_id)
        elif kind == ChangeKind.BUDGET_LINE:
            line = BudgetLine.objects.get(pk=change.budget_line_id)
            if str(line.amount) != change.old_value:
                stale.append(change)
                continue
            BudgetLine.objects.filter(pk=line.pk).update(amount=Decimal(change.new_value))
        elif kind == ChangeKind.END_DATE:
            current = Contract.objects.get(pk=contract.pk)
            if current.end_date.isoformat() != change.old_value:
                stale.append(change)
                continue
            Contract.objects.filter(pk=contract.pk).update(end_date=date.fromisoformat(change.new_value))
    # The places of one establishment change together: the database holds installed ≤ authorised at every write.
    for establishment_id, values in places.items():
        Establishment.objects.filter(pk=establishment_id).update(**values)
    if stale:
        raise AmendmentRefused(
            [
                f"« {c.label} » : la valeur du contrat n'est plus « {c.old_value or '—'} » (elle a changé depuis "
                "la préparation de l'avenant) ; préparez un nouvel avenant."
                for c in stale
            ]
        )


@dataclass(frozen=True)
class EnvelopeFigures:
    """A funder's common envelope, as plain figures: its total and each establishment's share."""

    funder: str
    label: str
    amount: Decimal
    shares: dict[str, Decimal]  # establishment's name → its share


def envelope_figures(contract: Contract) -> list[EnvelopeFigures]:
    budget = ReferenceBudget.objects.filter(contract_id=contract.pk).select_related("contract").first()
    if budget is None:
        return []
    perimeter = list(Establishment.objects.filter(contracts__pk=contract.pk).order_by("name"))
    return [
        EnvelopeFigures(e.funder, e.label, e.amount, {s.establishment.name: s.amount for s in e.shares})
        for e in budget_services.common_envelopes(budget, perimeter)
    ]


@dataclass(frozen=True)
class Preview:
    snapshot: dict
    content_hash: str
    envelopes_before: list[EnvelopeFigures]
    envelopes_after: list[EnvelopeFigures]

    def envelope_rows(self) -> list[dict]:
        """Per funder: old and new totals, and each establishment's old and new share."""
        after = {e.funder: e for e in self.envelopes_after}
        before = {e.funder: e for e in self.envelopes_before}
        rows = []
        for funder in list(before) + [f for f in after if f not in before]:
            old, new = before.get(funder), after.get(funder)
            names = sorted(set(old.shares if old else {}) | set(new.shares if new else {}))
            rows.append(
                {
                    "label": (old or new).label,
                    "old": old.amount if old else None,
                    "new": new.amount if new else None,
                    "shares": [
                        (name, old.shares.get(name) if old else None, new.shares.get(name) if new else None)
                        for name in names
                    ],
                }
            )
        return rows

    @property
    def envelope_changes(self) -> bool:
        return any(row["old"] != row["new"] for row in self.envelope_rows()) or any(
            o != n for row in self.envelope_rows() for _, o, n in row["shares"]
        )


def preview(amendment: Amendment) -> Preview:
    """The contract's content after the amendment's changes, computed in a savepoint that is rolled back.

    The contract is put in « amending » there by a bare history row (any reader may look: nobody's right to apply is
    at stake, and nothing of it survives the rollback); the snapshot is read while « amending », as at application."""
    contract = amendment.contract
    before = envelope_figures(contract)
    with transaction.atomic():
        current = Contract.objects.select_for_update().get(pk=contract.pk)
        Transition.objects.create(
            contract=current, from_state=current.state, to_state=State.AMENDING, organisation_label="Aperçu"
        )
        Contract.objects.filter(pk=current.pk).update(state=State.AMENDING)
        _apply_changes(amendment, current)
        snapshot = circuit.contract_snapshot(current)
        after = envelope_figures(current)
        transaction.set_rollback(True)
    return Preview(snapshot, circuit.content_hash(snapshot), before, after)


# --- Signature ------------------------------------------------------------------------------------------------


@transaction.atomic
def send_for_signature(amendment: Amendment, user, expected_version: int, today: date | None = None) -> ContractVersion:
    """The agreed amendment becomes the contract's version n, sent for signature with its document."""
    from .document import amendment_docx, amendment_pdf

    today = today or timezone.localdate()
    current = _locked(amendment, expected_version)
    contract = Contract.objects.select_for_update().get(pk=current.contract_id)
    _require(rules.send_refusal(user, contract))
    _require_draft(current)
    reasons = []
    if not current.changes.exists():
        reasons.append("L'avenant ne comporte aucune modification.")
    waiting = [p.label for p in agreement_state(current) if p.agreement is None]
    if waiting:
        reasons.append(f"Accord attendu de : {', '.join(waiting)}.")
    if current.effective_date is None:
        reasons.append("Date d'effet : indiquez la date à laquelle l'avenant prend effet.")
    elif current.effective_date < today:
        reasons.append(
            f"Date d'effet : l'avenant ne peut pas prendre effet le {_fmt(current.effective_date)}, avant sa signature."
        )
    if ContractVersion.objects.filter(contract=contract, status=VersionStatus.SENT).exists():
        reasons.append("Une autre version du contrat est déjà en cours de signature.")
    if reasons:
        raise AmendmentRefused(reasons)
    seen = preview(current)
    label = f"Avenant n° {current.number} – {current.get_trigger_display()}"
    docx = amendment_docx(current, seen, content_hash=seen.content_hash)
    pdf = amendment_pdf(current, seen, content_hash=seen.content_hash)
    version = circuit.send_version(
        contract, current.number, label, seen.snapshot, docx, pdf, user, effective_date=current.effective_date
    )
    before = amendment_snapshot(current)
    current.status, current.version_sent = AmendmentStatus.IN_SIGNATURE, version
    current.save(update_fields=["status", "version_sent"])
    record(user, contract, f"Avenant n° {current.number} : envoi pour signature", before, amendment_snapshot(current))
    return version


def return_to_draft(version: ContractVersion, user) -> Amendment | None:
    """The circuit's ``on_voided`` hook: a party refused to sign, the amendment is a draft again, to be agreed anew
    (its version moves on, so the agreements given lapse). None for a version that is no amendment."""
    amendment = Amendment.objects.select_for_update().filter(version_sent=version).first()
    if amendment is None or amendment.status != AmendmentStatus.IN_SIGNATURE:
        return None
    before = amendment_snapshot(amendment)
    amendment.status = AmendmentStatus.DRAFT
    amendment.save(update_fields=["status"])
    return _edited(amendment, user, before, "signature refusée, retour en préparation")


@transaction.atomic
def apply_signed(version: ContractVersion, user) -> Amendment | None:
    """The circuit's ``on_sealed`` hook: a sealed amendment's changes become the contract's content, in this
    transaction, provided they arrive at the content every party signed. None for a version that is no amendment."""
    amendment = Amendment.objects.select_for_update().filter(version_sent=version).first()
    if amendment is None:
        return None
    if version.status != VersionStatus.SEALED:
        raise AmendmentRefused(f"L'avenant n° {amendment.number} n'est pas signé par toutes les parties.")
    if amendment.status == AmendmentStatus.APPLIED:
        raise AmendmentRefused(f"L'avenant n° {amendment.number} est déjà appliqué au contrat.")
    signed_on = circuit.signature_day(version)
    if amendment.effective_date and signed_on and amendment.effective_date < signed_on:
        raise AmendmentRefused(
            f"L'avenant n° {amendment.number} prendrait effet le {_fmt(amendment.effective_date)}, avant sa "
            f"signature le {_fmt(signed_on)} : un avenant ne prend pas effet avant d'être signé."
        )
    contract = Contract.objects.get(pk=version.contract_id)
    what = f"avenant n° {amendment.number}"
    try:
        with amending(contract, user, what):
            _apply_changes(amendment, contract)
            applied = circuit.content_hash(circuit.contract_snapshot(contract))
            if applied != version.content_sha256:
                raise AmendmentRefused(
                    f"L'avenant n° {amendment.number} n'est pas appliqué : le contenu obtenu (empreinte {applied}) "
                    f"n'est pas celui que les parties ont signé ({version.content_sha256}). Le contrat a changé "
                    "depuis l'envoi pour signature."
                )
    except DatabaseError as refused:
        raise AmendmentRefused(f"L'avenant n° {amendment.number} n'est pas appliqué : {refused}") from None
    before = amendment_snapshot(amendment)
    amendment.status, amendment.applied_at = AmendmentStatus.APPLIED, timezone.now()
    amendment.save(update_fields=["status", "applied_at"])
    record(
        user, contract, f"Avenant n° {amendment.number} : appliqué au contrat", before, amendment_snapshot(amendment)
    )
    return amendment


# --- Deadlines of the procedure -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProcedureDeadline:
    label: str
    due: date
    done: date | None
    kept: bool | None  # None while the step has not happened


def procedure_deadlines(amendment: Amendment) -> list[ProcedureDeadline]:
    """The model contract's deadlines (seed 000 L715-718), computed from the dates recorded."""
    items = []
    if amendment.letter_presented_on:
        due = add_months(amendment.letter_presented_on, 2)
        done = amendment.meeting_on
        items.append(
            ProcedureDeadline(
                "Réunion des parties (au plus tard deux mois après la première présentation de la lettre)",
                due,
                done,
                None if done is None else done <= due,
            )
        )
    if amendment.meeting_on:
        due = date.fromordinal(amendment.meeting_on.toordinal() - 8)
        done = amendment.note_sent_on
        items.append(
            ProcedureDeadline(
                "Note de l'organisme gestionnaire (au moins huit jours avant la réunion)",
                due,
                done,
                None if done is None else done <= due,
            )
        )
    if amendment.trigger == Trigger.CAPACITY_EXTENSION and amendment.effective_date:
        due = add_months(amendment.effective_date, -6)
        signed = circuit.signature_day(amendment.version_sent) if amendment.status == AmendmentStatus.APPLIED else None
        items.append(
            ProcedureDeadline(
                "Signature de l'avenant (au plus tard six mois avant la mise en œuvre de l'extension)",
                due,
                signed,
                None if signed is None else signed <= due,
            )
        )
    return items
