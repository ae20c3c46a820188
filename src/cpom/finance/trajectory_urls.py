from django.urls import path  # noqa: F401 (routes come with the screens)

urlpatterns: list = []
