from django.urls import path

from . import views

app_name = "contracts"

urlpatterns = [
    path("nouveau/", views.contract_create, name="create"),
    path("perimetre/", views.perimeter_choices, name="perimeter_choices"),
    path("<int:contract_id>/", views.contract_detail, name="detail"),
    path("<int:contract_id>/modifier/", views.contract_update, name="update"),
    path("<int:contract_id>/etat/", views.contract_transition, name="transition"),
    path("<int:contract_id>/indicateurs/", views.contract_indicators, name="indicators"),
    path("<int:contract_id>/parties/<int:party_id>/accepter/", views.party_accept, name="party_accept"),
    path("<int:contract_id>/parties/<int:party_id>/refuser/", views.party_decline, name="party_decline"),
]
