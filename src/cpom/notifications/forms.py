"""The preferences' form: for every registered kind of deadline, told or not and how many days before."""

from django import forms

from cpom import deadline_sources
from cpom.web.forms import DsfrForm, FrenchIntegerField

from .models import MAX_DAYS_BEFORE
from .schedule import Choice


def _on(code: str) -> str:
    return f"on_{code}"


def _days(code: str) -> str:
    return f"days_{code}"


class PreferencesForm(DsfrForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, chosen: dict | None = None, **kwargs):
        """``chosen``: kind code → :class:`cpom.notifications.schedule.Choice`, the person's; the kinds' defaults
        where it says nothing."""
        super().__init__(*args, **kwargs)
        self.kinds = deadline_sources.kinds()
        chosen = chosen or {}
        for kind in self.kinds:
            choice = chosen.get(kind.code) or Choice(True, kind.days_before)
            self.fields[_on(kind.code)] = forms.BooleanField(
                label=f"Me prévenir : {kind.label}", required=False, initial=choice.enabled
            )
            self.fields[_days(kind.code)] = FrenchIntegerField(
                label=f"{kind.label} — jours avant",
                min_value=0,
                max_value=MAX_DAYS_BEFORE,
                initial=choice.days_before,
                error_messages={"required": f"{kind.label} — jours avant : indiquez un nombre de jours."},
            )

    def rows(self):
        """Per kind: its label, its default, and its two fields, for the table of the page."""
        return [{"kind": kind, "on": self[_on(kind.code)], "days": self[_days(kind.code)]} for kind in self.kinds]

    def wanted(self) -> dict[str, tuple]:
        return {
            kind.code: (self.cleaned_data[_on(kind.code)], self.cleaned_data[_days(kind.code)]) for kind in self.kinds
        }
