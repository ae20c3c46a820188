"""Who may acknowledge an alert, said in French.

An alert is acknowledged by a party to its contract (the managing body or an admitted authority) with at least the
contribution role, with a comment saying what is done about it; the platform team (which speaks for no party),
read-only members and outsiders are refused.
"""

from cpom.access import Role, membership_of
from cpom.contracts.models import Contract
from cpom.contracts.rules import contract_side

COMMENT_REQUIRED = (
    "Dites en commentaire pourquoi l'alerte est prise en compte (ce qui est fait, ou pourquoi ce n'est pas grave)."
)


def acknowledge_refusal(user, contract: Contract, alert=None, comment: str | None = None) -> str | None:
    """With ``alert`` and ``comment`` None: may the user acknowledge the contract's alerts at all (its buttons)."""
    if contract_side(user, contract) is None:
        return "Seules les parties au contrat (l'organisme gestionnaire et les autorités signataires) prennent en compte une alerte."
    if not membership_of(user).has_role(Role.CONTRIBUTE):
        return f"Prendre en compte une alerte demande le rôle « {Role.CONTRIBUTE.label} »."
    if alert is not None and not alert.is_open:
        return "Cette alerte est levée : sa cause a disparu, il n'y a plus rien à prendre en compte."
    if alert is not None and alert.acknowledged_at is not None:
        return "Cette alerte est déjà prise en compte."
    if comment is not None and not comment.strip():
        return COMMENT_REQUIRED
    return None
