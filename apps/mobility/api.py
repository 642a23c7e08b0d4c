"""The public JSON API: ``POST /api/v1/grant-quote`` (see ``quote.grant_quote`` and the README).

Anyone may call it, without a session or a CSRF token: the view has no authentication at all, so
every caller is anonymous to DRF and counted by ``AnonRateThrottle`` per IP address (the ``anon``
rate, setting ``API_ANON_RATE``), in the shared cache. Every answer that is not a quote carries the
same body as a validation error: ``{"errors": [{"field", "code", "message"}, ...]}``, fields as dotted
JSON paths (``origin.city``), ``null`` for the request as a whole (malformed JSON, throttling, ...).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from apps.mobility import quote
from apps.mobility.serializers import ErrorsSerializer, GrantQuoteRequestSerializer, GrantQuoteSerializer

WORKED_EXAMPLE_REQUEST = {
    "call_year": 2024,
    "activity_type": "LM-SHORT-VET",
    "participant_category": "learner",
    "start_date": "2024-09-02",
    "end_date": "2024-09-29",
    "travel_days": 2,
    "green_travel": False,
    "origin": {"city": "Gdańsk", "country": "PL"},
    "destination": {"city": "Lisbon", "country": "PT"},
    "fewer_opportunities": True,
    "course_days": 0,
}
WORKED_EXAMPLE_RESPONSE = {
    "eligible": True,
    "errors": [],
    "distance_km": 2715,
    "distance_band": "2000-2999",
    "duration_days": 28,
    "funded_travel_days": 2,
    "lines": [
        {
            "item": "travel",
            "amount": "395.00",
            "explanation": "2715 km, band 2000–2999 km, standard travel: 395.00 EUR (call 2024)",
        },
        {
            "item": "individual_support",
            "amount": "1690.00",
            "explanation": "30 support days (28 days of activity + 2 travel days), country group 2, learner rates: "
            "14 × 67.00 + 16 × 47.00 = 1690.00 EUR (call 2024)",
        },
        {
            "item": "organisational_support",
            "amount": "350.00",
            "explanation": "Participant no. 1 of the project (up to the 100th): 350.00 EUR (call 2024)",
        },
        {
            "item": "inclusion_support",
            "amount": "125.00",
            "explanation": "Participant with fewer opportunities: 125.00 EUR (call 2024)",
        },
    ],
    "total": "2560.00",
}

# The documentation (schema and Swagger UI) is in English; error messages follow Accept-Language.
DESCRIPTION = (
    "Quote the grant of one mobility from the call year's rate tables (the programme's rules, “Grant per mobility”). "
    "The participant is treated as the project's first participant (organisational support at the rate up to "
    "the 100th) and no project dates are checked. Cities are found by name in the programme's countries; "
    "`distance_km` replaces the distance between them (and the cities are then not looked up). "
    "An accompanying person is paid at staff rates, without organisational or inclusion support.\n\n"
    "A quote that breaks a rule (duration, destination, graduation date, unknown city, ...) answers 200 with "
    "`eligible: false`, every problem in `errors` and the lines that can still be computed. Malformed JSON, a "
    "missing or unknown field, a wrong type, an unknown call year or activity type answer 400 with `errors`. "
    "Anonymous callers are rate-limited per IP address (429)."
)


class GrantQuoteThrottle(AnonRateThrottle):
    """``AnonRateThrottle`` (scope ``anon``) that reads its rate on each request, so a settings change applies.

    DRF's throttles copy ``DEFAULT_THROTTLE_RATES`` when their module is imported.
    """

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


def error_list(detail, path: tuple[str, ...] = ()) -> Iterator[dict]:
    """DRF's nested error detail as a flat list of ``{"field": "origin.city", "code", "message"}``."""
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            yield from error_list(value, path if key == api_settings.NON_FIELD_ERRORS_KEY else (*path, str(key)))
    elif isinstance(detail, list | tuple):
        for item in detail:
            yield from error_list(item, path)
    else:
        yield quote.error(".".join(path) or None, getattr(detail, "code", None) or "invalid", str(detail))


def exception_handler(exc, context):
    """DRF's handler (status, headers such as Retry-After), with the body in this API's ``errors`` shape."""
    response = drf_exception_handler(exc, context)
    if response is not None:
        # Django's Http404 and PermissionDenied reach here unconverted: their detail is in the response.
        detail = exc.detail if isinstance(exc, APIException) else response.data.get("detail", response.data)
        response.data = {"errors": list(error_list(detail))}
    return response


class GrantQuoteView(APIView):
    authentication_classes = []  # no session: anonymous, no CSRF token needed
    permission_classes = [AllowAny]
    throttle_classes = [GrantQuoteThrottle]
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]

    def get_exception_handler(self):
        return exception_handler

    @extend_schema(
        operation_id="grant_quote",
        summary="Quote the grant of one mobility",
        description=DESCRIPTION,
        request=GrantQuoteRequestSerializer,
        responses={
            200: GrantQuoteSerializer,
            400: OpenApiResponse(ErrorsSerializer, description="Malformed request; nothing was quoted."),
            415: OpenApiResponse(ErrorsSerializer, description="The body is not JSON."),
            429: OpenApiResponse(ErrorsSerializer, description="Too many requests; see Retry-After."),
        },
        examples=[
            OpenApiExample("Worked example", value=WORKED_EXAMPLE_REQUEST, request_only=True, status_codes=["200"]),
            OpenApiExample("Worked example", value=WORKED_EXAMPLE_RESPONSE, response_only=True, status_codes=["200"]),
        ],
        tags=["grant"],
    )
    def post(self, request):
        serializer = GrantQuoteRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            result = quote.grant_quote(serializer.validated_data)
        except quote.QuoteInputError as exc:
            return Response({"errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response(result)
