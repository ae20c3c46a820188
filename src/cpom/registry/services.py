"""Keeping the registry's records: every save locked against lost updates and written to the journal."""

from django.db import transaction
from django.db.models import Model

from cpom.audit.services import record, snapshot
from cpom.core.locking import locked


@transaction.atomic
def save_record(user, form, **owner) -> Model:
    """Creates or updates the record of a validated model form; ``owner`` sets the organisation of a new record.

    An update is refused when the record moved on since the page showed it (the form's ``version``). What a signed
    contract binds is left alone by the form (cpom.registry.bindings), and refused by the database anyway.
    """
    instance = form.instance
    verbose_name = instance._meta.verbose_name
    if instance.pk is None:
        before, action = None, f"Création de la fiche {verbose_name}"
        for name, value in owner.items():
            setattr(instance, name, value)
    else:
        current = locked(type(instance).objects, form.cleaned_data.get("version"), pk=instance.pk)
        before, action = snapshot(current), f"Modification de la fiche {verbose_name}"
        instance.version = current.version + 1
    saved = form.save()
    record(user, saved, f"{action} {saved}", before, snapshot(saved))
    return saved
