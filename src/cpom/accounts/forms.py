from django.contrib.auth.forms import AuthenticationForm
from dsfr.forms import DsfrBoundField
from dsfr.utils import dsfr_input_class_attr


class LoginForm(AuthenticationForm):
    template_name = "dsfr/form_snippet.html"
    bound_field_class = DsfrBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Identifiant"
        for bound_field in self.visible_fields():
            dsfr_input_class_attr(bound_field)
