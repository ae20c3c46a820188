from django.urls import path

from cpom.finance.reference import views

urlpatterns = [
    path("finances/couts-moyens/", views.mean_costs, name="reference_costs"),
    path("finances/couts-moyens/<int:year>/", views.mean_costs, name="reference_costs_year"),
    path("finances/regroupement-des-comptes/", views.chart, name="reference_chart"),
]
