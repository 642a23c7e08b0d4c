"""Mobility activities: recording and changing them, their status pipeline, their distance and their grant.

Every write of a ``Mobility`` goes through this package (RULES.md; DESIGN.md §3, §4), whose public names
are all importable from ``apps.mobility.mobilities``. By role:

- ``base``: the status pipeline's tables, the errors, locking the project and reading its rate tables;
- ``parsing``: the input fields, parsed field by field (types and existence);
- ``checking``: the relations between the fields (places, distance) and the rules they break;
- ``pricing``: the stored distance, band and grant lines, and their recomputation;
- ``recording``: ``mobility_create``, ``mobility_update``, ``mobility_violations``, ``mobility_set_status``.

Recording and changing (``mobility_create``, ``mobility_update``)
    Fields are given as keyword arguments with the Beneficiary Module's names (``INPUT_FIELDS``), as a
    form's ``cleaned_data`` holds them: model instances or primary keys for relations (the activity type
    also by its code, the destination city also by its name), ``date`` objects (or ISO ``YYYY-MM-DD``
    strings), ``bool`` and ``int``. Input that cannot be recorded at all raises ``ValidationError`` keyed
    by field and saves nothing: a wrong type, an unknown or foreign record, a host outside the programme's
    countries or the sending organisation itself, an accompanied mobility of another project or of a
    non-learner, an unknown destination city (``UnknownCity``'s message), an end before the start, green
    travel by a means that is not green, a virtual component without its description and dates.

    A mobility that can be recorded but breaks a rule of RULES.md is saved in draft and the broken rules
    are returned, keyed by field (``Violations``), for the form to show next to each field. The rules are
    ``eligibility.check_mobility``'s, plus: the activity type is funded by the programme
    (``ActivityType.in_fers_scope``), and the distance is known (the sending organisation's city resolves,
    or the agency set the distance by hand). A host in the sending country is such a rule, not an input
    error: it is shown on ``destination_country`` and the mobility stays in draft.

The participant cap and the participant's number
    Participants are counted per project, once each, over the mobilities that are neither cancelled nor
    accompanying (and whose activity type counts toward the cap), in the order of their first such
    mobility (its primary key: the order of creation). A participant's number (``_participant_ordinal``)
    prices organisational support (up to the 100th, from the 101st). The cap check of a participant
    counts the participants ahead of them: for a new participant that is every counted participant of
    the project's other mobilities; a 31st draft therefore breaks the cap while the first 30 keep
    passing it, and cancelling one of the first 30 lets the 31st through at its next check.

Distance, band and grant
    The distance is the great-circle distance between the sending organisation's city
    (``resolve_city(organisation.city, organisation.country)``) and the destination city, unless agency
    staff set it by hand (``mobility_set_manual_distance``), which then stays until they clear it. The
    band, the grant lines (``GrantLine`` rows, with their explanation and their ``basis``), the total and
    the call year of the rates are stored with the mobility. They are computed by ``grant.compute_grant``
    from the tables of the project's call year (``project.application.call.year``) when the mobility is
    recorded, when an update changes what the grant depends on, when the distance is set by hand and by
    ``mobility_recompute_grant``: never otherwise, so a corrected rate changes no stored grant silently.

Status pipeline (``MOBILITY_TRANSITIONS``)
    draft → planned (only when no rule is broken) or cancelled;
    planned → confirmed, back to draft, or cancelled;
    confirmed → ongoing, back to draft, cancelled, or force majeure;
    ongoing → completed or force majeure;
    completed → reported; force majeure → reported (its costs are reported too);
    reported and cancelled are final (a cancelled mobility is recorded anew, so that it is checked anew).
    Every move into planned, confirmed, ongoing, completed or reported (reported after force majeure
    aside: force majeure may cut a mobility short) re-checks the rules and is refused while one is
    broken. Force majeure needs a reason. Each move writes a ``MobilityStatusChange`` (who, when, from,
    to, why); so does the recording (from nothing to draft).

    Only draft, planned, confirmed, ongoing and completed mobilities can be changed. A change that
    breaks a rule keeps a draft in draft and sends a planned or confirmed mobility back to draft (with a
    history row); an ongoing or completed mobility cannot go back to draft, so such a change is refused
    with ``ValidationError`` and nothing is saved.

Concurrency
    Every write locks the project's row first (``select_for_update``): the participant count and the
    participants' numbers of one project are computed by one writer at a time.

Distance changes by hand, and recomputations that change a grant, are kept as a ``MobilityStatusChange``
row whose status does not change and whose reason says what changed (the model has no other history).
"""

from apps.mobility.mobilities.base import (
    ACCOMPANIED_CATEGORIES,
    ACTIVE_PROJECT,
    BACK_TO_DRAFT_ON_VIOLATION,
    EDITABLE,
    GREEN_MEANS,
    MAX_DAYS,
    MAX_DISTANCE_KM,
    MOBILITY_TRANSITIONS,
    REASON_REQUIRED,
    REQUIRES_ELIGIBILITY,
    MobilityError,
    NotEligible,
    Violations,
    as_validation_error,
    check_project_active,
)
from apps.mobility.mobilities.checking import (
    _first_mobilities,
    _participant_ordinal,
    check_relations,
    rule_violations,
    set_distance,
)
from apps.mobility.mobilities.parsing import INPUT_FIELDS, REQUIRED_ON_CREATE
from apps.mobility.mobilities.pricing import (
    grant_input,
    mobility_recompute_grant,
    mobility_set_manual_distance,
    price,
    project_recompute_grants,
)
from apps.mobility.mobilities.recording import (
    mobility_create,
    mobility_set_status,
    mobility_update,
    mobility_violations,
)

__all__ = [
    "ACCOMPANIED_CATEGORIES",
    "ACTIVE_PROJECT",
    "BACK_TO_DRAFT_ON_VIOLATION",
    "EDITABLE",
    "GREEN_MEANS",
    "INPUT_FIELDS",
    "MAX_DAYS",
    "MAX_DISTANCE_KM",
    "MOBILITY_TRANSITIONS",
    "REASON_REQUIRED",
    "REQUIRED_ON_CREATE",
    "REQUIRES_ELIGIBILITY",
    "MobilityError",
    "NotEligible",
    "Violations",
    "_first_mobilities",
    "_participant_ordinal",
    "as_validation_error",
    "check_project_active",
    "check_relations",
    "grant_input",
    "mobility_create",
    "mobility_recompute_grant",
    "mobility_set_manual_distance",
    "mobility_set_status",
    "mobility_update",
    "mobility_violations",
    "price",
    "project_recompute_grants",
    "rule_violations",
    "set_distance",
]
