from django.urls import path

from cpom.finance.reference import views as reference_views

urlpatterns = [
    path("finances/couts-moyens/", reference_views.mean_costs, name="reference_costs"),
    path("finances/couts-moyens/<int:year>/", reference_views.mean_costs, name="reference_costs_year"),
    path("finances/regroupement-des-comptes/", reference_views.chart, name="reference_chart"),
]
