"""Helpers the tests share: taking a contract through its lifecycle the only way the database accepts."""

import html
import re
from collections import deque

from cpom.contracts.lifecycle import RULES
from cpom.contracts.models import Contract, Transition


def lifecycle_path(from_state: str, to_state: str) -> list[str] | None:
    """The shortest run of states from one to the other along the lifecycle table, None when there is none."""
    previous, queue = {from_state: None}, deque([from_state])
    while queue:
        state = queue.popleft()
        if state == to_state:
            path = []
            while state != from_state:
                path.append(state)
                state = previous[state]
            return path[::-1]
        for a, b in RULES:
            if a == state and b not in previous:
                previous[b] = state
                queue.append(b)
    return None


def walk_to(contract: Contract, state: str) -> Contract:
    """Takes ``contract`` to ``state`` along the lifecycle table, each step recorded as the lifecycle records it
    (the database accepts no other way), without the table's checks: tests of those checks start from here."""
    path = lifecycle_path(contract.state, state)
    if path is None:
        raise ValueError(f"{contract.state} → {state} : aucun chemin dans le cycle de vie.")
    current = contract.state
    for step in path:
        Transition.objects.create(contract=contract, from_state=current, to_state=step, organisation_label="Tests")
        Contract.objects.filter(pk=contract.pk).update(state=step)
        current = step
    contract.refresh_from_db()
    return contract


def programmed_copy(contract: Contract, user, reference: str = "CPOM-TEST-0001") -> Contract:
    """A new contract with the frame, perimeter and parties of ``contract``, as the lead authority programs it."""
    from cpom.contracts import services

    lead = next(p.authority for p in contract.parties.all() if p.is_lead)
    data = {field: getattr(contract, field) for field in services.FRAME_FIELDS}
    return services.program_contract(user, {
        **data, "reference": reference, "managing_body": contract.managing_body,
        "establishments": list(contract.establishments.all()), "lead_authority": lead,
        "other_authorities": [p.authority for p in contract.parties.all() if not p.is_lead],
    })


STALE = (
    "Quelqu'un d'autre a enregistré une modification pendant que vous consultiez cette page : la vôtre n'a pas été "
    "enregistrée. Rechargez la page pour repartir de la version actuelle."
)


def page_text(response) -> str:
    """What a person reads on the page: the HTML without its tags, entities decoded, spaces collapsed."""
    text = re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def assert_stale(response) -> None:
    """A save based on an outdated copy: refused the same way everywhere."""
    assert response.status_code == 409, response.status_code
    assert STALE in page_text(response)
