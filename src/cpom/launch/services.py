"""The launch kit's services: creating it, the committee and its referents, the RACI matrix, the check-list, the
steps done, and the schedule compared with what happened. Every change is audited on the contract and refused when
based on an outdated copy (the kit's version for the committee and the matrix, the item's for the check-list).
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from cpom.access import membership_of
from cpom.audit.services import record
from cpom.contracts.deadlines import authority_code
from cpom.contracts.models import Contract, State
from cpom.core.locking import locked
from cpom.core.refusals import Refused
from cpom.core.text import plural
from cpom.registry.models import Contact
from cpom.signing.models import MANAGING_BODY_KEY as SIGNING_MANAGING_BODY
from cpom.signing.models import ConsultationKind, Decision

from . import raci, rules, schedule
from .checklist import ITEMS
from .models import (
    MANAGING_BODY_KEY,
    ChecklistItem,
    CommitteeMember,
    LaunchKit,
    RaciCell,
    StepRecord,
    party_key,
)


class LaunchRefused(Refused):
    """A change to the launch kit its rules refuse, with the reasons in French, field by field."""


def person_name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _organisation(user) -> str:
    membership = membership_of(user)
    return membership.organisation_label if membership else ""


def _refuse_unless_allowed(user, contract: Contract) -> None:
    refusal = rules.edit_refusal(user, contract)
    if refusal:
        raise LaunchRefused(refusal)


def kit_of(contract: Contract) -> LaunchKit | None:
    kit = LaunchKit.objects.filter(contract=contract).first()
    if kit is not None:
        kit.contract = contract  # the page's copy, its parties already read
    return kit


# --- The kit --------------------------------------------------------------------------------------------------------


def create_kit(user, contract: Contract) -> LaunchKit:
    """The contract's kit with the launch meeting's check-list; refused when one exists or the user may not."""
    _refuse_unless_allowed(user, contract)
    with transaction.atomic():
        if LaunchKit.objects.select_for_update().filter(contract=contract).exists():
            raise LaunchRefused("Le kit de lancement de ce contrat existe déjà.")
        # The moments are read when the act is done (the field's default would not see the demo's fixed clock).
        kit = LaunchKit.objects.create(
            contract=contract, created_by=user, organisation_label=_organisation(user), created_at=timezone.now()
        )
        ChecklistItem.objects.bulk_create(
            ChecklistItem(kit=kit, code=code, position=n, label=label) for n, (code, label) in enumerate(ITEMS, 1)
        )
        record(user, contract, "Kit de lancement créé", None, {"check-list": [label for _, label in ITEMS]})
    return kit


def _locked_kit(kit: LaunchKit, expected_version: int | None) -> LaunchKit:
    return locked(LaunchKit.objects.select_related("contract"), expected_version, pk=kit.pk)


def _bump(kit: LaunchKit) -> None:
    kit.bump_version()


# --- The committee and the referents --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    value: str  # « contact:12 », « user:7 »
    label: str
    party_key: str
    authority_id: int | None
    name: str
    role_label: str
    organisation_label: str


def _parties(contract: Contract) -> list:
    return [p for p in contract.parties.all() if p.is_admitted]


def candidates(contract: Contract, today: date | None = None) -> list[Candidate]:
    """Who may sit on the committee: the parties' contacts in office today and the parties' users."""
    today = today or timezone.localdate()
    authorities = {p.authority_id: p.authority for p in _parties(contract)}
    in_office = Q(start_date__lte=today) & (Q(end_date__isnull=True) | Q(end_date__gte=today))
    contacts = Contact.objects.filter(in_office).filter(
        Q(managing_body_id=contract.managing_body_id) | Q(authority_id__in=list(authorities))
    )
    result = []
    for contact in contacts.order_by("authority_id", "last_name", "first_name"):
        organisation = (
            contract.managing_body.name if contact.authority_id is None else authorities[contact.authority_id].name
        )
        name = f"{contact.first_name} {contact.last_name}"
        result.append(
            Candidate(
                f"contact:{contact.pk}",
                f"{name} – {contact.role} ({organisation}, contact)",
                party_key(contact.authority_id),
                contact.authority_id,
                name,
                contact.role,
                organisation,
            )
        )
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(membership__managing_body_id=contract.managing_body_id)
            | Q(membership__authority_id__in=list(authorities))
        )
        .select_related("membership__managing_body", "membership__authority")
        .order_by("membership__authority_id", "last_name", "username")
    )
    for user in users:
        membership = user.membership
        organisation = membership.organisation_label
        result.append(
            Candidate(
                f"user:{user.pk}",
                f"{person_name(user)} ({organisation}, utilisateur de cpom)",
                party_key(membership.authority_id),
                membership.authority_id,
                person_name(user),
                membership.get_role_display(),
                organisation,
            )
        )
    return result


def add_member(user, kit: LaunchKit, expected_version: int | None, choice: str, is_referent: bool = False):
    contract = kit.contract
    _refuse_unless_allowed(user, contract)
    candidate = next((c for c in candidates(contract) if c.value == choice), None)
    if candidate is None:
        raise LaunchRefused(
            "Membre du comité : choisissez un contact en fonction ou un utilisateur de l'une des parties au contrat."
        )
    kind, _, pk = choice.partition(":")
    with transaction.atomic():
        current = _locked_kit(kit, expected_version)
        taken = current.members.filter(**({"contact_id": pk} if kind == "contact" else {"user_id": pk}))
        if taken.exists():
            raise LaunchRefused(f"{candidate.name} est déjà membre du comité de pilotage.")
        if is_referent:
            current.members.filter(party_key=candidate.party_key).update(is_referent=False)
        member = CommitteeMember.objects.create(
            kit=current,
            party_key=candidate.party_key,
            authority_id=candidate.authority_id,
            contact_id=int(pk) if kind == "contact" else None,
            user_id=int(pk) if kind == "user" else None,
            name=candidate.name,
            role_label=candidate.role_label[:150],
            organisation_label=candidate.organisation_label,
            is_referent=is_referent,
            added_at=timezone.now(),
        )
        _bump(current)
        record(
            user,
            contract,
            f"Comité de pilotage : {candidate.name} ({candidate.organisation_label}) ajouté"
            + (", référent de sa partie" if is_referent else ""),
            None,
            {"membre": candidate.name, "organisation": candidate.organisation_label, "référent": is_referent},
        )
    kit.version = current.version
    return member


def _roles_held(kit: LaunchKit, member: CommitteeMember) -> list[str]:
    return [cell.get_activity_display() for cell in kit.raci.filter(member=member, role__in=(raci.A, raci.R))]


def remove_member(user, kit: LaunchKit, expected_version: int | None, member_id: int) -> None:
    contract = kit.contract
    _refuse_unless_allowed(user, contract)
    with transaction.atomic():
        current = _locked_kit(kit, expected_version)
        member = current.members.filter(pk=member_id).first()
        if member is None:
            raise LaunchRefused("Ce membre n'est pas (ou plus) au comité de pilotage.")
        held = _roles_held(current, member)
        if held:
            raise LaunchRefused(
                f"{member.name} est « A » ou « R » dans la matrice RACI ({plural(len(held), 'étape')}, dont "
                f"« {held[0]} ») : confiez d'abord ces rôles à quelqu'un d'autre."
            )
        name, organisation = member.name, member.organisation_label
        member.delete()
        _bump(current)
        record(
            user,
            contract,
            f"Comité de pilotage : {name} ({organisation}) retiré",
            {"membre": name, "organisation": organisation},
            None,
        )
    kit.version = current.version


def set_referent(user, kit: LaunchKit, expected_version: int | None, member_id: int) -> CommitteeMember:
    contract = kit.contract
    _refuse_unless_allowed(user, contract)
    with transaction.atomic():
        current = _locked_kit(kit, expected_version)
        member = current.members.filter(pk=member_id).first()
        if member is None:
            raise LaunchRefused("Ce membre n'est pas (ou plus) au comité de pilotage.")
        before = current.members.filter(party_key=member.party_key, is_referent=True).first()
        current.members.filter(party_key=member.party_key).update(is_referent=False)
        CommitteeMember.objects.filter(pk=member.pk).update(is_referent=True)
        _bump(current)
        record(
            user,
            contract,
            f"Référent de {member.organisation_label} : {member.name}",
            {"référent": before.name if before else None},
            {"référent": member.name},
        )
    kit.version = current.version
    member.is_referent = True
    return member


def referents(kit: LaunchKit) -> list[CommitteeMember]:
    return [m for m in kit.members.all() if m.is_referent]


# --- The schedule ---------------------------------------------------------------------------------------------------


def launch_rule(contract: Contract, name: str):
    """A rule of ``CPOM_LAUNCH``, the lead authority's own value (``CPOM_LAUNCH_BY_AUTHORITY``) first; the step
    durations merge, step by step."""
    lead = next((p.authority for p in contract.parties.all() if p.is_lead), None)
    own = settings.CPOM_LAUNCH_BY_AUTHORITY.get(authority_code(lead), {}) if lead else {}
    if name == "step_days":
        return {**settings.CPOM_LAUNCH["step_days"], **own.get("step_days", {})}
    return own[name] if name in own else settings.CPOM_LAUNCH[name]


def steps_of(contract: Contract) -> list[schedule.Step]:
    co_signatories = any(not p.is_lead and p.is_admitted for p in contract.parties.all())
    return schedule.steps_for(launch_rule(contract, "step_days"), settings.CPOM_SIGNATURE_ORDER, co_signatories)


# The lifecycle's order, to read « this state or beyond » from the transitions.
_ORDER = [
    State.PROGRAMMED,
    State.LAUNCHED,
    State.DIAGNOSTIC,
    State.NEGOTIATION,
    State.READY_FOR_SIGNATURE,
    State.IN_SIGNATURE,
    State.SIGNED,
    State.IN_FORCE,
    State.RENEWAL,
    State.CLOSED,
]
_RANK = {state: n for n, state in enumerate(_ORDER)}


def _reached(transitions) -> dict[str, date]:
    """For each state, the first day the contract reached it or a later one."""
    first: dict[str, date] = {}
    for transition in sorted(transitions, key=lambda t: (t.at, t.pk)):
        rank = _RANK.get(transition.to_state)
        if rank is None:
            continue
        day = timezone.localdate(transition.at)
        for state in _ORDER[: rank + 1]:
            first.setdefault(state, day)
    return first


def proved_dates(contract: Contract, transitions, consultations, signatures) -> dict[str, date]:
    """The steps the contract's own records prove done, and when: its transitions, its consultations (CVS, CSE,
    board) and the signatures of its versions. Read from what is given (prefetched by the caller)."""
    reached = _reached(transitions)
    proved = {step.code: reached[step.proved_by_state] for step in schedule.STEPS if step.proved_by_state in reached}
    by_kind: dict[str, list[date]] = {}
    for consultation in consultations:
        by_kind.setdefault(consultation.kind, []).append(consultation.held_on)
    if ConsultationKind.CVS in by_kind and ConsultationKind.STAFF in by_kind:
        proved["consultations"] = max(by_kind[ConsultationKind.CVS] + by_kind[ConsultationKind.STAFF])
    if ConsultationKind.BOARD in by_kind:
        proved["board"] = max(by_kind[ConsultationKind.BOARD])
    signed = [s for s in signatures if s.decision == Decision.SIGNED]
    body = [s.signed_on for s in signed if s.party_key == SIGNING_MANAGING_BODY]
    if body:
        proved["managing_body_signature"] = min(body)
    lead = contract.lead_authority_id
    co_parties = {p.authority_id for p in contract.parties.all() if not p.is_lead}
    co = {s.authority_id: s.signed_on for s in signed if s.authority_id in co_parties}
    if co_parties and set(co) == co_parties:
        proved["co_signature"] = max(co.values())
    lead_signed = [s.signed_on for s in signed if s.authority_id == lead and lead is not None]
    if lead_signed:
        proved["lead_signature"] = min(lead_signed)
    return proved


def _signatures(contract: Contract) -> list:
    return [s for version in contract.versions.all() for s in version.signatures.all()]


def done_dates(kit: LaunchKit, records=None) -> dict[str, tuple[date, str]]:
    """Each step done: its date and who says so (a person's record first, else the contract's records)."""
    contract = kit.contract
    proved = proved_dates(contract, contract.transitions.all(), contract.consultations.all(), _signatures(contract))
    done = {code: (day, "Constaté par le suivi du contrat") for code, day in proved.items()}
    for step in records if records is not None else kit.steps.select_related("recorded_by"):
        done[step.step] = (step.done_on, f"Déclaré par {person_name(step.recorded_by)} ({step.organisation_label})")
    return done


@dataclass
class Schedule:
    target: date | None
    steps: list[schedule.Step]
    progress: list[schedule.Progress]
    done_by: dict[str, str]
    records: dict[str, StepRecord]

    @property
    def late(self) -> list[schedule.Progress]:
        return schedule.late(self.progress)


def schedule_of(kit: LaunchKit, today: date | None = None) -> Schedule:
    today = today or timezone.localdate()
    contract = kit.contract
    steps = steps_of(contract)
    records = {r.step: r for r in kit.steps.select_related("recorded_by")}
    done = done_dates(kit, records.values())
    target = contract.target_signature_date
    if target is None:
        return Schedule(None, steps, [], {}, records)
    progress = schedule.compare(schedule.plan(target, steps), {k: d for k, (d, _) in done.items()}, today)
    return Schedule(target, steps, progress, {k: who for k, (_, who) in done.items()}, records)


def mark_step_done(user, kit: LaunchKit, step_code: str, done_on: date | None, comment: str = "") -> StepRecord:
    contract = kit.contract
    _refuse_unless_allowed(user, contract)
    step = schedule.STEP_CODES.get(step_code)
    if step is None or step_code not in {s.code for s in steps_of(contract)}:
        raise LaunchRefused("Étape : cette étape n'est pas au rétroplanning de ce contrat.")
    refusal = rules.done_date_refusal(done_on, timezone.localdate())
    if refusal:
        raise LaunchRefused(refusal)
    try:
        with transaction.atomic():
            step_record = StepRecord.objects.create(
                kit=kit,
                step=step_code,
                done_on=done_on,
                comment=comment.strip(),
                recorded_by=user,
                organisation_label=_organisation(user),
                recorded_at=timezone.now(),
            )
            record(
                user,
                contract,
                f"Rétroplanning : étape « {step.title} » réalisée le {done_on.strftime('%d/%m/%Y')}",
                {"étape": step.title, "réalisée le": None},
                {"étape": step.title, "réalisée le": done_on, "commentaire": comment.strip()},
            )
    except IntegrityError:
        raise LaunchRefused(
            f"L'étape « {step.title} » est déjà déclarée réalisée (quelqu'un vient peut-être de le faire) : "
            "rechargez la page."
        ) from None
    return step_record


def undo_step(user, kit: LaunchKit, step_code: str) -> None:
    contract = kit.contract
    _refuse_unless_allowed(user, contract)
    with transaction.atomic():
        step_record = kit.steps.select_for_update().filter(step=step_code).first()
        if step_record is None:
            raise LaunchRefused("Cette étape n'est pas (ou plus) déclarée réalisée.")
        title = step_record.get_step_display()
        before = {"étape": title, "réalisée le": step_record.done_on, "commentaire": step_record.comment}
        step_record.delete()
        record(user, contract, f"Rétroplanning : étape « {title} » de nouveau à faire", before, None)


# --- The RACI matrix ------------------------------------------------------------------------------------------------


def _people(kit: LaunchKit) -> list[raci.Person]:
    lead = kit.contract.lead_authority_id
    people = []
    for member in kit.members.all():
        side = (
            raci.OG if member.party_key == MANAGING_BODY_KEY else raci.LEAD if member.authority_id == lead else raci.CO
        )
        people.append(raci.Person(member.pk, side, member.is_referent))
    return people


def matrix_of(kit: LaunchKit) -> dict[str, dict[int, str]]:
    matrix: dict[str, dict[int, str]] = {}
    for cell in kit.raci.all():
        matrix.setdefault(cell.activity, {})[cell.member_id] = cell.role
    return matrix


def _readable(kit: LaunchKit, matrix) -> dict:
    names = {m.pk: m.name for m in kit.members.all()}
    titles = {s.code: s.title for s in schedule.STEPS}
    return {
        titles[activity]: {names.get(member, str(member)): role for member, role in sorted(row.items()) if role}
        for activity, row in sorted(matrix.items())
    }


def _write_matrix(user, kit: LaunchKit, expected_version: int | None, matrix, action: str) -> None:
    contract = kit.contract
    _refuse_unless_allowed(user, contract)
    with transaction.atomic():
        current = _locked_kit(kit, expected_version)
        steps = steps_of(contract)
        members = set(current.members.values_list("pk", flat=True))
        reasons = raci.problems(steps, matrix, members)
        if reasons:
            raise LaunchRefused(reasons)
        before = _readable(current, matrix_of(current))
        current.raci.all().delete()
        RaciCell.objects.bulk_create(
            RaciCell(kit=current, activity=step.code, member_id=member, role=role)
            for step in steps
            for member, role in matrix.get(step.code, {}).items()
            if role
        )
        _bump(current)
        after = _readable(current, matrix_of(current))
        record(user, contract, action, before, after)
    kit.version = current.version


def save_matrix(user, kit: LaunchKit, expected_version: int | None, matrix) -> None:
    """The whole matrix, as the form sends it; refused with every broken rule (one A, at least one R per step)."""
    _write_matrix(user, kit, expected_version, matrix, "Matrice RACI modifiée")


def default_matrix(kit: LaunchKit) -> dict[str, dict[int, str]]:
    try:
        return raci.default(steps_of(kit.contract), _people(kit))
    except ValueError:
        raise LaunchRefused(
            "Matrice RACI par défaut : désignez d'abord le référent de l'organisme gestionnaire et celui de "
            "l'autorité cheffe de file au comité de pilotage."
        ) from None


def apply_default_matrix(user, kit: LaunchKit, expected_version: int | None) -> None:
    _write_matrix(user, kit, expected_version, default_matrix(kit), "Matrice RACI remise à sa version par défaut")


def accountable(kit: LaunchKit) -> dict[str, CommitteeMember]:
    members = {m.pk: m for m in kit.members.all()}
    return {cell.activity: members[cell.member_id] for cell in kit.raci.all() if cell.role == raci.A}


# --- The check-list -------------------------------------------------------------------------------------------------


def tick(user, item: ChecklistItem, expected_version: int | None, ticked: bool, comment: str) -> ChecklistItem:
    """Ticks (or unticks) a point of the check-list with a comment; who and when are kept."""
    contract = item.kit.contract
    _refuse_unless_allowed(user, contract)
    with transaction.atomic():
        current = locked(ChecklistItem.objects, expected_version, pk=item.pk)
        before = {"coché": current.is_ticked, "commentaire": current.comment}
        current.comment = comment.strip()
        if ticked:
            current.ticked_at, current.ticked_by = timezone.now(), user
            current.ticked_by_organisation = _organisation(user)
        else:
            current.ticked_at, current.ticked_by, current.ticked_by_organisation = None, None, ""
        current.bump_version("comment", "ticked_at", "ticked_by", "ticked_by_organisation")
        verb = "coché" if ticked else "décoché"
        record(
            user,
            contract,
            f"Check-list de lancement : « {current.label} » {verb}",
            before,
            {"coché": ticked, "commentaire": current.comment},
        )
    return current
