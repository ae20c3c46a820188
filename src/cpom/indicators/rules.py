"""Who may push indicator data (the data elements the formulas read), each refusal said in French (None when
allowed).

Who keeps an establishment's record keeps its data, as for its accounts (cpom.finance.rules.may_import): its managing
body (contribution role) or the platform team; a managing body's head-office data, the same body. The command line
(``cpom indicateurs importer``) is the operator's and asks no one.
"""

from cpom.access import Role, Side, membership_of
from cpom.registry.models import Establishment, ManagingBody

IMPORT_REFUSAL = (
    "L'envoi des données d'indicateurs est réservé à l'organisme gestionnaire des établissements (rôle "
    "contribution) et à l'équipe de la plateforme."
)


def data_import_refusal(user) -> str | None:
    """Why ``user`` may send no indicator data at all, or None."""
    membership = membership_of(user)
    if membership is None or not membership.has_role(Role.CONTRIBUTE) or membership.side == Side.AUTHORITY:
        return IMPORT_REFUSAL
    return None


def holders_refusal(user, level: str, holders: set[str]) -> str | None:
    """Why ``user`` may not send data for these establishments (FINESS) or head offices (SIREN), naming those that
    are another managing body's, or None."""
    refusal = data_import_refusal(user)
    if refusal:
        return refusal
    membership = membership_of(user)
    if membership.side == Side.PLATFORM:
        return None
    if level == "establishment":
        own = Establishment.objects.filter(managing_body_id=membership.managing_body_id, finess__in=holders)
        others = sorted(holders - set(own.values_list("finess", flat=True)))
        what = "établissement"
    else:
        own = ManagingBody.objects.filter(pk=membership.managing_body_id, siren__in=holders)
        others = sorted(holders - set(own.values_list("siren", flat=True)))
        what = "organisme gestionnaire"
    if not others:
        return None
    listed = ", ".join(others[:10]) + (" …" if len(others) > 10 else "")
    return f"{IMPORT_REFUSAL} Hors de votre organisation ({what}) : {listed} ; rien n'a été enregistré."
