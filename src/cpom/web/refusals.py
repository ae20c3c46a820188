"""How a refused action is said: above the form, or as a message on the page the user goes back to."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied

from cpom.core.locking import STALE_STATUS, StaleWrite


def _reasons(refusal: Exception) -> list[str]:
    return list(getattr(refusal, "reasons", None) or [str(refusal)])


def show_refusal(request, form, refusal: Exception) -> None:
    """A refused save, said above the form the user filled (their input stays there), each reason of a
    :class:`cpom.core.refusals.Refused` on its own line; a stale one answers 409."""
    for reason in _reasons(refusal):
        form.add_error(None, reason)
    if isinstance(refusal, StaleWrite):
        request.cpom_status = STALE_STATUS


def flash_refusal(request, refusal: Exception) -> None:
    """A refused button action, said on the page the user goes back to, one message per reason; a stale one stops
    here with 409."""
    if isinstance(refusal, StaleWrite):
        raise refusal
    for reason in _reasons(refusal):
        messages.error(request, reason)


def forbid(reason: str | None) -> None:
    """A page refused by a rule (an app's ``rules``): 403 with the rule's French reason; nothing when it is None."""
    if reason:
        raise PermissionDenied(reason)
