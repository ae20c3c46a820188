from django.urls import path, re_path

from . import views

app_name = "notifications"

urlpatterns = [
    path("echeances/", views.mine, name="mine"),
    path("echeances/preferences/", views.preferences, name="preferences"),
    path("echeances/nouvelle-adresse/", views.regenerate, name="regenerate"),
    # The calendar's address: its secret is the only key (a calendar application signs in nowhere).
    re_path(r"^echeances/(?P<token>[A-Za-z0-9_-]{1,64})\.ics$", views.feed, name="feed"),
]
