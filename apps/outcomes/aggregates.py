"""Key competence aggregates for a project or the programme, computed in the database.

Per competence, over the mobilities whose participant rated it both before and after: how many improved
(after > before), their share, and the average change (after − before). A participant is counted once per
mobility (someone with two mobilities counts twice, once for each stay).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, F, FloatField, OuterRef, Q, Subquery
from django.db.models.functions import Cast

from apps.outcomes.models import CompetenceAssessment, Phase
from apps.reference.models import KeyCompetence


@dataclass(frozen=True)
class CompetenceChange:
    competence: KeyCompetence
    pairs: int  # mobilities with both a before and an after rating of this competence
    improved: int
    average_change: Decimal | None  # two decimal places; None without pairs

    @property
    def improved_share(self) -> Decimal | None:
        """Percentage of ``pairs`` that improved, one decimal place; None without pairs."""
        if not self.pairs:
            return None
        return (Decimal(100 * self.improved) / self.pairs).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class CompetenceSummary:
    rows: list[CompetenceChange]
    assessed: int  # mobilities with a before and an after assessment (of any competence)

    @property
    def chart(self) -> dict:
        """Labels and values for a bar chart of the improved shares (the page shows the table too)."""
        return {
            "labels": [row.competence.display_name for row in self.rows],
            "improved": [float(row.improved_share) if row.improved_share is not None else None for row in self.rows],
            "change": [float(row.average_change) if row.average_change is not None else None for row in self.rows],
        }


def competence_summary(*, mobilities) -> CompetenceSummary:
    """The aggregates over ``mobilities`` (a queryset, already scoped to the user and filtered). Three
    queries, however many mobilities there are."""
    before = CompetenceAssessment.objects.filter(
        mobility=OuterRef("mobility"), competence=OuterRef("competence"), phase=Phase.BEFORE
    ).values("level")[:1]
    pairs = (
        CompetenceAssessment.objects.filter(phase=Phase.AFTER, mobility__in=mobilities.order_by().values("pk"))
        .annotate(before=Subquery(before))
        .filter(before__isnull=False)
    )
    by_competence = {
        row["competence_id"]: row
        for row in pairs.order_by()
        .values("competence_id")
        .annotate(
            pairs=Count("pk"),
            improved=Count("pk", filter=Q(level__gt=F("before"))),
            change=Avg(Cast(F("level") - F("before"), FloatField())),
        )
    }
    assessed = pairs.order_by().values("mobility_id").distinct().count()
    rows = []
    for competence in KeyCompetence.objects.order_by("number"):
        row = by_competence.get(competence.pk, {"pairs": 0, "improved": 0, "change": None})
        change = row["change"]
        rows.append(
            CompetenceChange(
                competence=competence,
                pairs=row["pairs"],
                improved=row["improved"],
                average_change=None
                if change is None
                else Decimal(str(change)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
            )
        )
    return CompetenceSummary(rows=rows, assessed=assessed)
