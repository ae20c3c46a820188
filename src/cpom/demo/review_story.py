"""The EHPAD's year-3 management review, held, with its signed relevé of four decisions (one opening an amendment).

Played through the real services at its dates: the ARS plans the mid-term review in June 2026, the EHPAD sends its
question in September, the review is held on 12 October 2026 at the délégation territoriale, the ARS drafts the relevé
(four decisions), the EHPAD proposes an adjustment the ARS accepts, the ARS sends it for signature, both sides sign,
and the decision « préparer un avenant » opens the draft of avenant n° 2 (avenant n° 1, the SSIAD's extension, is
already signed: demo/amendment_story.py).
"""

from datetime import date

from cpom.demo.clock import fixed_clock, moment
from cpom.reviews import services
from cpom.reviews.models import DecisionKind

PLANNED_ON = date(2026, 6, 1)
HELD_ON = date(2026, 10, 12)
PLACE = "Délégation territoriale de Maine-et-Loire, Angers"
QUESTION = (
    "L'activité du SSIAD reste en deçà de sa trajectoire malgré l'extension de places : pouvons-nous revoir "
    "ensemble la cible d'occupation de 2027 et le calendrier de montée en charge ?"
)
SUMMARY = (
    "Dialogue à mi-parcours : l'occupation de l'EHPAD se maintient, la prévention des chutes progresse ; l'activité "
    "du SSIAD reste en retard sur sa trajectoire. Les parties conviennent d'ajuster la cible du SSIAD, de préparer "
    "un avenant pour l'accueil de jour et de faire un point d'étape au printemps."
)
# kind, text, owner (« managing_body » or the authority's key), the owner person's username or None, due date
DECISIONS = [
    (
        DecisionKind.ADJUST_TARGET,
        "Ajuster la cible 2027 du taux d'occupation du SSIAD à 92 %, au vu de la montée en charge des 5 places créées.",
        "ars",
        None,
        date(2027, 1, 31),
    ),
    (
        DecisionKind.PREPARE_AMENDMENT,
        "Préparer l'avenant n° 2 : création de 6 places d'accueil de jour à l'EHPAD Les Tilleuls et son financement.",
        "managing_body",
        "ehpad",
        date(2027, 3, 31),
    ),
    (
        DecisionKind.DOCUMENT_TO_SEND,
        "Transmettre le plan de prévention des chutes actualisé.",
        "managing_body",
        "ehpad",
        date(2026, 12, 15),
    ),
    (
        DecisionKind.NEXT_MEETING,
        "Point d'étape sur l'activité du SSIAD en mars 2027, en délégation territoriale.",
        "ars",
        "ars",
        date(2027, 3, 15),
    ),
]
ADJUSTED = (
    3,
    "Transmettre le plan de prévention des chutes actualisé, après l'avis du conseil de la vie sociale du 8 décembre.",
    "Le conseil de la vie sociale se réunit le 8 décembre : le plan lui est présenté avant sa transmission.",
)
SIGNATURES = (
    ("ehpad", "Paul Lefèvre", "Directeur de l'EHPAD public Les Tilleuls", date(2026, 10, 22)),
    ("ars", "Nadia Benali", "Directrice générale adjointe de l'ARS", date(2026, 10, 26)),
)
AMENDMENT_OPENED_ON = date(2026, 11, 3)


def _owner(context, key: str) -> str:
    return key if key == "managing_body" else f"authority:{context['authorities'][key].pk}"


def load_demo_review(contract, context) -> None:
    """Written by the work on this part (issue 13); the loader already calls it in the story's order."""
    users = context["users"]
    ars, ehpad = users["ars"], users["ehpad"]
    with fixed_clock(moment(PLANNED_ON)):
        review = services.plan_review(contract, ars, {"year": 3, "day": HELD_ON, "place": PLACE})
    with fixed_clock(moment(date(2026, 9, 28))):
        services.ask_question(review, ehpad, QUESTION)
    with fixed_clock(moment(HELD_ON, 16)):
        review.refresh_from_db()
        review = services.hold(review, ars, review.version, today=HELD_ON)
    with fixed_clock(moment(date(2026, 10, 14))):
        review = services.save_summary(review, ars, SUMMARY, review.version)
        decisions = []
        for kind, text, owner, person, due in DECISIONS:
            review.refresh_from_db()
            data = {
                "kind": kind,
                "text": text,
                "owner": _owner(context, owner),
                "owner_person": users[person] if person else None,
                "due_date": due,
            }
            decisions.append(services.add_decision(review, ars, data, review.version))
    number, text, reason = ADJUSTED
    with fixed_clock(moment(date(2026, 10, 16))):
        adjustment = services.propose_adjustment(decisions[number - 1], ehpad, text, reason)
    with fixed_clock(moment(date(2026, 10, 19))):
        services.answer_adjustment(adjustment, ars, True, "Accepté : le plan est transmis après l'avis du CVS.")
    with fixed_clock(moment(date(2026, 10, 20))):
        review.refresh_from_db()
        review = services.send_for_signature(review, ars, review.version)
    for username, name, title, day in SIGNATURES:
        with fixed_clock(moment(day)):
            review.refresh_from_db()
            services.sign(
                review, users[username], {"signatory_name": name, "signatory_title": title}, review.version, today=day
            )
    with fixed_clock(moment(AMENDMENT_OPENED_ON)):
        prepare = review.decisions.get(kind=DecisionKind.PREPARE_AMENDMENT)
        services.open_amendment(prepare, ehpad, prepare.version)
