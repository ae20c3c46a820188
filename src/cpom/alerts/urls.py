from django.urls import path

from . import views

app_name = "alerts"

urlpatterns = [
    path("alertes/", views.alert_list, name="list"),
    path("contrats/<int:contract_id>/alertes/", views.contract_alerts, name="contract"),
    path("contrats/<int:contract_id>/alertes/<int:alert_id>/prise-en-compte/", views.acknowledge, name="acknowledge"),
]
