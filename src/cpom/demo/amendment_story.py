"""The demo's signed amendment: avenant n° 1 to the EHPAD's tripartite contract, the capacity extension of its SSIAD
(40 → 45 authorised places, 38 → 43 installed) with its envelope effect (the SSIAD's care income from the ARS raised
in proportion), played through the real services at its dates: the managing body's registered letter, the meeting,
the parties' agreement, the ARS sending it for signature, the three signatures in the circuit's order, and its
application when the last one seals it.

It needs the signature circuit (cpom.signing.services.sign) and runs after the EHPAD's contract is in force.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from cpom.amendments import services
from cpom.amendments.models import Amendment, ChangeKind, Trigger
from cpom.contracts.models import Contract
from cpom.demo.clock import fixed_clock, moment
from cpom.finance.models import BudgetLine, FunderKind, Side

SSIAD_FINESS_PREFIX = "49000802"
AUTHORISED, INSTALLED = 45, 43
PROCEDURE = {
    "trigger": Trigger.CAPACITY_EXTENSION,
    "summary": (
        "Extension de 5 places du SSIAD du Baugeois, autorisée par l'ARS le 8 janvier 2026 pour répondre aux "
        "sorties d'hospitalisation du territoire ; la dotation de soins du SSIAD suit le nombre de places."
    ),
    "letter_sent_on": date(2026, 1, 12),
    "letter_presented_on": date(2026, 1, 14),
    "note_sent_on": date(2026, 1, 30),
    "meeting_on": date(2026, 2, 10),
    "effective_date": date(2026, 9, 1),
}
DRAFTED_ON = date(2026, 1, 15)
AGREED = (("ehpad", date(2026, 2, 10)), ("cd49", date(2026, 2, 11)), ("ars", date(2026, 2, 11)))
SENT_ON = date(2026, 2, 12)
SIGNATURES = {
    "ehpad": ("Paul Lefèvre", "Directeur de l'EHPAD public Les Tilleuls", date(2026, 2, 16)),
    "cd49": ("Sophie Garnier", "Vice-présidente du Conseil départemental", date(2026, 2, 19)),
    "ars": ("Nadia Benali", "Directrice générale adjointe de l'ARS", date(2026, 2, 23)),
}


def _care_line(contract: Contract, ssiad) -> BudgetLine:
    return BudgetLine.objects.get(
        budget__contract=contract,
        establishment=ssiad,
        funder=FunderKind.ARS_HEALTH_INSURANCE,
        side=Side.INCOME,
        group=1,
    )


def load_demo_amendment(contract: Contract, users: dict) -> Amendment:
    """``users``: the demo users by name (« ehpad », « cd49 », « ars »)."""
    from cpom.signing import services as signing

    ssiad = contract.establishments.get(finess__startswith=SSIAD_FINESS_PREFIX)
    line = _care_line(contract, ssiad)
    care = (line.amount * AUTHORISED / ssiad.authorised_places).quantize(Decimal("0.01"), ROUND_HALF_UP)
    with fixed_clock(moment(DRAFTED_ON)):
        amendment = services.create_amendment(contract, users["ehpad"], PROCEDURE)
        for kind, data in (
            (
                ChangeKind.PLACES,
                {"establishment": ssiad.pk, "field": "authorised_places", "new_value": str(AUTHORISED)},
            ),
            (ChangeKind.PLACES, {"establishment": ssiad.pk, "field": "installed_places", "new_value": str(INSTALLED)}),
            (ChangeKind.BUDGET_LINE, {"budget_line": line.pk, "new_value": str(care)}),
        ):
            amendment.refresh_from_db()
            services.save_change(amendment, users["ehpad"], kind, data, amendment.version)
    for name, day in AGREED:
        with fixed_clock(moment(day)):
            amendment.refresh_from_db()
            services.agree(amendment, users[name], amendment.version)
    with fixed_clock(moment(SENT_ON)):
        amendment.refresh_from_db()
        version = services.send_for_signature(amendment, users["ars"], amendment.version)
    for name, (signatory, title, day) in SIGNATURES.items():
        with fixed_clock(moment(day)):
            version.refresh_from_db()
            signing.sign(
                version,
                users[name],
                {
                    "signatory_name": signatory,
                    "signatory_title": title,
                    "signed_on": day,
                    "signed_hash": version.content_sha256,
                },
            )
    amendment.refresh_from_db()
    return amendment
