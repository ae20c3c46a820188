"""The finance screens, one module per capability, under one namespace.

Contract pages live under contrats/<contract_id>/moyens/…, accounting imports and reference costs under finances/….
"""

from cpom.finance.budget import urls as budget_urls
from cpom.finance.accounting import urls as import_urls
from cpom.finance.reference import urls as reference_urls
from cpom.finance.trajectory import urls as trajectory_urls

app_name = "finance"

urlpatterns = [*import_urls.urlpatterns, *reference_urls.urlpatterns, *budget_urls.urlpatterns, *trajectory_urls.urlpatterns]
