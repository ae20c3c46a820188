"""The finance screens, one module per capability, under one namespace.

Contract pages live under contrats/<contract_id>/moyens/…, accounting imports and reference costs under finances/….
"""

from . import budget_urls, import_urls, reference_urls, trajectory_urls

app_name = "finance"

urlpatterns = [*import_urls.urlpatterns, *reference_urls.urlpatterns, *budget_urls.urlpatterns, *trajectory_urls.urlpatterns]
