from django import forms

from cpom.web.forms import DsfrForm


class AcknowledgeForm(DsfrForm):
    # Required by the rule (cpom.alerts.rules), which says why in French; an empty one reaches it.
    comment = forms.CharField(
        label="Commentaire de prise en compte", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
