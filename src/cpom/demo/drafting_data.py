"""The demo contracts' drafting: both on the ARS Pays de la Loire model of 2011, every parameter filled by the ARS
(lead authority) as it would before sending the contract for signature. The names are the demo's own people."""

from datetime import date

from cpom.contracts.models import Contract
from cpom.demo.clock import fixed_clock, moment
from cpom.documents import drafting
from cpom.documents.contract import authority_code
from cpom.documents.models import ContractModel

MODEL_CODE = "pdl-2011"
# The managing bodies' and the authorities' representatives (who sign): civility, name, title.
REPRESENTATIVES = {
    "association": ("Mme", "Hélène Guérin", "Présidente"),
    "ehpad": ("M.", "Bernard Chauvin", "Président du conseil d'administration"),
}
AUTHORITIES = {
    "ARS-52": ("Mme", "Élise Marchand", "Directrice Générale", "CS 56 233 – 44262 Nantes CEDEX 2"),
    "CD-44": ("M.", "Yann Le Goff", "Président", "3 quai Ceineray, CS 94109 – 44041 Nantes CEDEX 1"),
    "CD-49": ("Mme", "Catherine Roussel", "Présidente", "Place Michel Debré, CS 94104 – 49941 Angers CEDEX 9"),
}
# When the ARS drafted each contract (the journal carries the story's dates): the EHPAD's before it was declared
# ready for signature, the association's during its negotiation.
DRAFTED_ON = {"association": date(2026, 10, 5), "ehpad": date(2023, 10, 16)}
OPTIONS = {"budget-principes": True, "copil": True, "evaluation": True, "denonciation": True, "modification": True}


def load_demo_draftings(contracts: dict[str, Contract], users: dict) -> None:
    model = ContractModel.objects.get(authority=None, code=MODEL_CODE)
    for key, contract in contracts.items():
        civility, name, title = REPRESENTATIVES[key]
        codes = [authority_code(p.authority) for p in contract.parties.admitted().select_related("authority")]
        parameters = {
            "og_rep_civility": civility,
            "og_rep_name": name,
            "og_rep_title": title,
            "rep_civility": {code: AUTHORITIES[code][0] for code in codes},
            "rep_name": {code: AUTHORITIES[code][1] for code in codes},
            "rep_title": {code: AUTHORITIES[code][2] for code in codes},
            "authority_address": {code: AUTHORITIES[code][3] for code in codes},
        }
        with fixed_clock(moment(DRAFTED_ON[key])):
            drafting.save_drafting(
                contract,
                users["ars"],
                model=model,
                choices={"procedure-contradictoire": "oui", "affectation": "libre", "budget-objet": "reconduction"},
                options=OPTIONS,
                parameters=parameters,
                expected_version=None,
            )
