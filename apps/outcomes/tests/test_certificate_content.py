import pytest
from django.utils import translation

from apps.outcomes.models import CompetenceAssessment, CompetenceOutcome, LearningOutcomes
from apps.outcomes.selectors import CertificateContent, MentorRating, certificate_content
from apps.reference.models import KeyCompetence
from tests.factories import MobilityFactory

pytestmark = pytest.mark.django_db


def _competence(number: int) -> KeyCompetence:
    return KeyCompetence.objects.get(number=number)


def test_nothing_recorded_gives_empty_content():
    content = certificate_content(mobility=MobilityFactory(status="completed"))
    assert content == CertificateContent(
        learning_outcomes=[], vocational_outcomes="", competences_developed=[], mentor_rating=None
    )


def test_content_in_competence_order_and_in_the_active_language(django_assert_max_num_queries):
    mobility = MobilityFactory(status="completed")
    for number, before, after in ((2, 2, 4), (4, 3, 3)):
        CompetenceAssessment.objects.create(
            mobility=mobility, competence=_competence(number), phase="before", level=before
        )
        CompetenceAssessment.objects.create(
            mobility=mobility, competence=_competence(number), phase="after", level=after
        )
    CompetenceAssessment.objects.create(mobility=mobility, competence=_competence(7), phase="before", level=1)
    CompetenceOutcome.objects.create(
        mobility=mobility, competence=_competence(4), text="Configures a CNC lathe.", mentor_level=4
    )
    CompetenceOutcome.objects.create(mobility=mobility, competence=_competence(2), text="Orders parts in Portuguese.")
    CompetenceOutcome.objects.create(mobility=mobility, competence=_competence(5), text="", mentor_level=5)
    LearningOutcomes.objects.create(
        mobility=mobility, vocational_outcomes="Machining to tolerance.", mentor_name="Ana Costa", mentor_overall=4
    )

    with django_assert_max_num_queries(4):
        content = certificate_content(mobility=mobility)

    assert content.learning_outcomes == [
        ("Multilingual competence", "Orders parts in Portuguese."),
        ("Digital competence", "Configures a CNC lathe."),
    ]
    assert content.vocational_outcomes == "Machining to tolerance."
    assert content.competences_developed == [
        ("Multilingual competence", 2, 4),
        ("Digital competence", 3, 3),
        ("Entrepreneurship competence", 1, None),
    ]
    assert content.mentor_rating == MentorRating(
        name="Ana Costa",
        overall=4,
        per_competence=[("Digital competence", 4), ("Personal, social and learning to learn competence", 5)],
    )
    with translation.override("pl"):
        assert certificate_content(mobility=mobility).learning_outcomes[1] == (
            "Kompetencje cyfrowe",
            "Configures a CNC lathe.",
        )


def test_mentor_rating_without_overall_is_per_competence_only():
    mobility = MobilityFactory(status="completed")
    LearningOutcomes.objects.create(mobility=mobility, mentor_name="Rui")
    assert certificate_content(mobility=mobility).mentor_rating is None
    CompetenceOutcome.objects.create(mobility=mobility, competence=_competence(1), mentor_level=3)
    assert certificate_content(mobility=mobility).mentor_rating == MentorRating(
        name="Rui", overall=None, per_competence=[("Literacy competence", 3)]
    )
