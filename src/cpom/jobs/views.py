"""A job's page for whoever asked for it (an import confirmed, say): where it stands, polled by htmx while it runs,
then its outcome and the link to what it made. Nobody else sees it: the thing it made keeps its own visibility."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from .models import Job


@login_required
@require_safe
def job_detail(request, job_id):
    job = get_object_or_404(Job.objects.defer("result_file"), pk=job_id, requested_by=request.user)
    template = "jobs/_job.html" if request.htmx else "jobs/job_detail.html"
    return render(request, template, {"job": job})
