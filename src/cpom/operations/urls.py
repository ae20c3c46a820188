from django.urls import path

from .health import health
from .metrics import metrics

# Mounted at the root, without a namespace: the reverse proxy and the supervisor know them as /sante/, /metriques/.
urlpatterns = [
    path("sante/", health, name="health"),
    path("metriques/", metrics, name="metrics"),
]
