"""Who sees and manages an organisation's accounts. Each ``*_refusal`` answers with the French reason, or None."""

from cpom.access import can_administer_members, membership_of

NO_ORGANISATION = "Votre compte n'est rattaché à aucune organisation."
NOT_ADMINISTRATOR = "Seuls les administrateurs de l'organisation gèrent ses comptes."


def members_refusal(user) -> str | None:
    """The members' page is that of the user's organisation: none without one."""
    return NO_ORGANISATION if membership_of(user) is None else None


def administer_refusal(user) -> str | None:
    """Adding accounts and changing roles is the organisation's administrators' act."""
    return None if can_administer_members(user) else NOT_ADMINISTRATOR
