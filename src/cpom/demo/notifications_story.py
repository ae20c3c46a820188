"""The demo users' deadline preferences and calendar links, and the establishments' last quality evaluations (synthetic
dates, so that « Mes échéances » and ``cpom notify`` have evaluations to tell: the SESSAD's and the EHPAD's fall due
within a few months of the demo's days, the SAVS has none recorded).

Every person starts from the kinds' defaults (told of every kind, each its own days before) with a secret calendar
address; the evaluations are recorded by each managing body on its establishments' records, through the registry's
form and service, as a person would."""

from datetime import date

from django.forms.models import model_to_dict

from cpom.demo.clock import fixed_clock, moment
from cpom.notifications import services
from cpom.registry.forms import EstablishmentForm
from cpom.registry.models import Establishment, ManagingBody
from cpom.registry.services import save_record

# First eight FINESS characters → the date of the last evaluation's report (none for the SAVS: not recorded yet).
LAST_EVALUATIONS = {
    "44000501": date(2022, 3, 15),
    "44000502": date(2021, 12, 20),
    "44000503": date(2023, 5, 4),
    "44000504": date(2022, 9, 30),
    "44000505": date(2024, 1, 18),
    "44000506": date(2022, 6, 30),
    "49000801": date(2022, 2, 10),
    "49000802": date(2023, 11, 20),
}
RECORDED_ON = date(2026, 9, 1)


def _record_evaluations(context) -> None:
    users = context["users"]
    by_body = {context["bodies"]["association"].pk: users["asso"], context["bodies"]["ehpad"].pk: users["ehpad"]}
    establishments = Establishment.objects.filter(finess__regex=r"^(" + "|".join(LAST_EVALUATIONS) + r")")
    for establishment in establishments.prefetch_related("funders").order_by("finess"):
        day = LAST_EVALUATIONS[establishment.finess[:8]]
        data = {
            **model_to_dict(establishment, exclude=["id", "version"]),
            "funders": [funder.pk for funder in establishment.funders.all()],
            "last_evaluation_date": day.isoformat(),
            "version": establishment.version,
        }
        form = EstablishmentForm(
            data=data,
            instance=establishment,
            managing_bodies=ManagingBody.objects.filter(pk=establishment.managing_body_id),
        )
        if not form.is_valid():
            raise ValueError(f"Évaluation de {establishment} : {form.errors.as_text()}")
        with fixed_clock(moment(RECORDED_ON)):
            save_record(by_body[establishment.managing_body_id], form)


def load_demo_notifications(context) -> None:
    _record_evaluations(context)
    defaults = {code: (choice.enabled, choice.days_before) for code, choice in services.defaults().items()}
    for user in context["users"].values():
        preference = services.preference_for(user)
        services.save_choices(user, preference.version, defaults)
