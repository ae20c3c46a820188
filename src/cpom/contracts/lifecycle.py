"""Contract lifecycle: which state may follow which, who may move it, and what must hold.

The table :data:`RULES` is the whole policy. :func:`transition` is the only way
a contract changes state; it records who did it, when, from which state and why.

The later stages that own a step (the signature circuit, the amendments, the termination) add their own checks to
it with :func:`register_check`: the lifecycle cannot import them, and a step they own must not be taken around them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from cpom.access import Role, Side, membership_of
from cpom.core.locking import STALE_MESSAGE, StaleWrite
from cpom.core.refusals import Refused
from cpom.core.text import of, the

from . import guards
from .deadlines import life_rule, renewal_opens
from .models import Contract, State, Transition

MANAGING_BODY = "managing_body"
PARTY = "party"
LEAD = "lead"

Check = Callable[[Contract, date], list[str]]


class TransitionRefused(Refused):
    pass


class StaleContract(StaleWrite, TransitionRefused):
    """Someone else changed the contract since this copy was read."""

    def __init__(self):
        TransitionRefused.__init__(self, [STALE_MESSAGE])


def _fmt(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def perimeter_not_empty(contract: Contract, today: date) -> list[str]:
    if not contract.establishments.exists():
        return ["Le périmètre du contrat ne comprend aucun établissement."]
    return []


def perimeter_belongs_to_managing_body(contract: Contract, today: date) -> list[str]:
    foreign = contract.establishments.exclude(managing_body_id=contract.managing_body_id)
    return [f"L'établissement {e} n'est pas géré par {the(contract.managing_body.name)}." for e in foreign]


def funders_are_parties(contract: Contract, today: date) -> list[str]:
    parties = {p.authority_id for p in contract.parties.all()}
    reasons = []
    for establishment in contract.establishments.prefetch_related("funders"):
        for funder in establishment.funders.all():
            if funder.pk not in parties:
                reasons.append(
                    f"L'établissement {establishment.name} relève {of(funder.name)}, qui n'est pas partie au contrat."
                )
    return reasons


def co_signatories_accepted(contract: Contract, today: date) -> list[str]:
    """A co-signatory outside its competence signs only once the managing body has accepted it."""
    return [
        f"{party.authority} attend l'acceptation de l'organisme gestionnaire : il ne peut pas signer tant que "
        "l'organisme ne l'a pas accepté comme cosignataire (ou que l'autorité cheffe de file ne l'a pas retiré des parties)."
        for party in contract.parties.all()
        if not party.is_admitted
    ]


def start_date_reached(contract: Contract, today: date) -> list[str]:
    if today < contract.start_date:
        return [f"Le contrat n'entre en vigueur qu'à sa date d'effet, le {_fmt(contract.start_date)}."]
    return []


def renewal_window_open(contract: Contract, today: date) -> list[str]:
    opens = renewal_opens(contract)
    if today < opens:
        months = life_rule(contract, "renewal_ideal_months")
        return [f"Le renouvellement se prépare {months} mois avant la fin du contrat, soit à partir du {_fmt(opens)}."]
    return []


def end_date_reached(contract: Contract, today: date) -> list[str]:
    if today < contract.end_date:
        return [f"Le contrat ne peut être clos qu'à son terme, le {_fmt(contract.end_date)}."]
    return []


def ready_for_signature(contract: Contract, today: date) -> list[str]:
    """The later stages' guards (the objectives' readiness check): a contract that cannot be followed is not signed."""
    return [blocker.message for blocker in guards.blockers(contract)]


@dataclass(frozen=True)
class Rule:
    label: str
    actors: frozenset[str]
    role: str
    checks: tuple[Check, ...] = ()
    comment_required: bool = False
    comment_hint: str = ""
    danger: bool = field(default=False)
    # The step ends a procedure led on its own pages (an amendment's application, a termination's notice): the
    # contract page offers it only once nothing blocks it, rather than as a button nobody can press.
    procedure: bool = False


PERIMETER_CHECKS = (perimeter_not_empty, perimeter_belongs_to_managing_body, funders_are_parties)
SIGNATURE_CHECKS = (*PERIMETER_CHECKS, co_signatories_accepted)
BOTH_SIDES = frozenset({MANAGING_BODY, PARTY})
_ABANDON = Rule(
    "Abandonner la démarche",
    frozenset({LEAD}),
    Role.VALIDATE,
    comment_required=True,
    comment_hint="Indiquez pourquoi la démarche est abandonnée.",
    danger=True,
)
_TERMINATE = Rule(
    "Constater la fin du contrat dénoncé",
    BOTH_SIDES,
    Role.VALIDATE,
    comment_required=True,
    comment_hint="Par exemple : préavis de la dénonciation échu, date de la lettre recommandée.",
    danger=True,
    procedure=True,
)
_CLOSE = Rule("Clore le contrat à son terme", frozenset({LEAD}), Role.VALIDATE, (end_date_reached,))
# A signed amendment or a prorogation is applied in one transaction, from the state the contract is in and back to it.
_APPLY = Rule("Appliquer une modification signée", BOTH_SIDES, Role.VALIDATE, procedure=True)
_APPLIED = Rule("Terminer l'application de la modification signée", BOTH_SIDES, Role.VALIDATE, procedure=True)
AMENDABLE_STATES = (State.SIGNED, State.IN_FORCE, State.RENEWAL)

RULES: dict[tuple[str, str], Rule] = {
    (State.PROGRAMMED, State.LAUNCHED): Rule("Lancer la démarche", frozenset({LEAD}), Role.VALIDATE, PERIMETER_CHECKS),
    (State.LAUNCHED, State.DIAGNOSTIC): Rule("Ouvrir le diagnostic partagé", BOTH_SIDES, Role.CONTRIBUTE),
    (State.DIAGNOSTIC, State.NEGOTIATION): Rule("Passer à la négociation des objectifs", BOTH_SIDES, Role.CONTRIBUTE),
    (State.NEGOTIATION, State.READY_FOR_SIGNATURE): Rule(
        "Déclarer le contrat prêt pour signature",
        frozenset({LEAD}),
        Role.VALIDATE,
        (*SIGNATURE_CHECKS, ready_for_signature),
    ),
    (State.READY_FOR_SIGNATURE, State.NEGOTIATION): Rule(
        "Rouvrir la négociation",
        BOTH_SIDES,
        Role.CONTRIBUTE,
        comment_required=True,
        comment_hint="Indiquez ce qui doit être renégocié.",
    ),
    (State.READY_FOR_SIGNATURE, State.IN_SIGNATURE): Rule(
        "Envoyer la version finale pour signature",
        frozenset({LEAD}),
        Role.VALIDATE,
        (*SIGNATURE_CHECKS, ready_for_signature),
    ),
    (State.IN_SIGNATURE, State.NEGOTIATION): Rule(
        "Refuser de signer",
        BOTH_SIDES,
        Role.VALIDATE,
        comment_required=True,
        comment_hint="Indiquez pourquoi la version envoyée ne peut pas être signée.",
        danger=True,
    ),
    (State.IN_SIGNATURE, State.SIGNED): Rule(
        "Constater la signature de toutes les parties", BOTH_SIDES, Role.VALIDATE, SIGNATURE_CHECKS
    ),
    (State.SIGNED, State.IN_FORCE): Rule(
        "Constater l'entrée en vigueur", frozenset({LEAD}), Role.VALIDATE, (start_date_reached,)
    ),
    (State.IN_FORCE, State.RENEWAL): Rule(
        "Engager le renouvellement", BOTH_SIDES, Role.VALIDATE, (renewal_window_open,)
    ),
    (State.IN_FORCE, State.CLOSED): _CLOSE,
    (State.RENEWAL, State.CLOSED): _CLOSE,
    (State.SIGNED, State.TERMINATED): _TERMINATE,
    (State.IN_FORCE, State.TERMINATED): _TERMINATE,
    (State.RENEWAL, State.TERMINATED): _TERMINATE,
    **{(state, State.AMENDING): _APPLY for state in AMENDABLE_STATES},
    **{(State.AMENDING, state): _APPLIED for state in AMENDABLE_STATES},
    **{
        (state, State.CLOSED): _ABANDON
        for state in (State.PROGRAMMED, State.LAUNCHED, State.DIAGNOSTIC, State.NEGOTIATION, State.READY_FOR_SIGNATURE)
    },
}


_EXTRA_CHECKS: dict[tuple[str, str], list[Check]] = {}


def register_check(from_state: str, to_state: str, check: Check) -> None:
    """Adds ``check`` to the step ``from_state`` → ``to_state`` (a later stage's condition, such as « every party
    has signed the version sent »)."""
    if (from_state, to_state) not in RULES:
        raise ValueError(f"{from_state} → {to_state} n'est pas une étape du cycle de vie.")
    checks = _EXTRA_CHECKS.setdefault((from_state, to_state), [])
    if check not in checks:
        checks.append(check)


def _checks(from_state: str, to_state: str) -> tuple[Check, ...]:
    return (*RULES[(from_state, to_state)].checks, *_EXTRA_CHECKS.get((from_state, to_state), ()))


def _actors_of(contract: Contract, user) -> set[str]:
    m = membership_of(user)
    if m is None or m.side == Side.PLATFORM:
        return set()
    if m.side == Side.MANAGING_BODY:
        return {MANAGING_BODY} if m.managing_body_id == contract.managing_body_id else set()
    actors = set()
    for party in contract.parties.all():
        if party.authority_id == m.authority_id and party.is_admitted:
            actors.add(PARTY)
            if party.is_lead:
                actors.add(LEAD)
    return actors


def _only_they_may(rule: Rule, contract: Contract) -> str:
    """Who may take this step, by name: « Seule l'autorité cheffe de file, l'ARS Pays de la Loire, peut… »."""
    parties = list(contract.parties.all())
    if rule.actors == {LEAD}:
        lead = next((the(p.authority.name) for p in parties if p.is_lead), None)
        return f"Seule l'autorité cheffe de file{f', {lead},' if lead else ''} peut effectuer cette action."
    names = [the(contract.managing_body.name)] if MANAGING_BODY in rule.actors else []
    names += [the(p.authority.name) for p in parties] if PARTY in rule.actors else []
    return f"Seules les parties au contrat ({', '.join(names)}) peuvent effectuer cette action."


def refusal_reasons(contract: Contract, to_state: str, user, comment: str = "", today: date | None = None) -> list[str]:
    """Everything that prevents ``user`` from moving ``contract`` to ``to_state`` (empty when allowed)."""
    today = today or timezone.localdate()
    if to_state not in State.values:
        return [f"« {to_state} » n'est pas un état de contrat."]
    rule = RULES.get((contract.state, to_state))
    if rule is None:
        return [
            f"Un contrat à l'état « {State(contract.state).label} » ne peut pas passer à l'état « {State(to_state).label} »."
        ]
    reasons = []
    actors = _actors_of(contract, user)
    if not actors & rule.actors:
        reasons.append(_only_they_may(rule, contract))
    elif not membership_of(user).has_role(rule.role):
        reasons.append(f"Cette action demande le rôle « {Role(rule.role).label} ».")
    if rule.comment_required and not comment.strip():
        reasons.append("Un commentaire est obligatoire pour cette action.")
    for check in _checks(contract.state, to_state):
        reasons.extend(check(contract, today))
    return reasons


@dataclass(frozen=True)
class Option:
    to_state: str
    rule: Rule
    blockers: list[str]


def options_for(contract: Contract, user, today: date | None = None) -> list[Option]:
    """The transitions this user could take part in, each with what still blocks it (comments aside)."""
    actors = _actors_of(contract, user)
    options = []
    for (from_state, to_state), rule in RULES.items():
        if from_state != contract.state or not actors & rule.actors:
            continue
        # The comment is asked for in the action's own form, so it is not a blocker here.
        blockers = refusal_reasons(contract, to_state, user, comment="-", today=today)
        if rule.procedure and blockers:
            continue
        options.append(Option(to_state, rule, blockers))
    return options


def transition(contract: Contract, to_state: str, user, comment: str = "", today: date | None = None) -> Transition:
    """Moves the contract to ``to_state`` or raises :class:`TransitionRefused` with every reason."""
    with transaction.atomic():
        current = Contract.objects.select_for_update().get(pk=contract.pk)
        if current.version != contract.version:
            raise StaleContract
        reasons = refusal_reasons(current, to_state, user, comment, today)
        if reasons:
            raise TransitionRefused(reasons)
        record = Transition.objects.create(
            contract=current,
            from_state=current.state,
            to_state=to_state,
            user=user,
            organisation_label=membership_of(user).organisation_label,
            comment=comment.strip(),
            at=timezone.now(),  # read when the step is taken, like the journal's time (the demo fixes the clock)
        )
        Contract.objects.filter(pk=current.pk).update(state=to_state, version=current.version + 1)
    contract.state, contract.version = to_state, current.version + 1
    return record
