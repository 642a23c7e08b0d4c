from django.http import Http404


def self_assessment(request, pk: int, phase: str):
    raise Http404


def mobility_outcomes(request, pk: int):
    raise Http404


def project_summary(request, pk: int):
    raise Http404


def agency_summary(request):
    raise Http404
