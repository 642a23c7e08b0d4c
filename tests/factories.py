"""factory-boy factories for every app's models."""

import datetime
import decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from apps.accounts.models import User
from apps.organisations.models import Membership, Organisation, OrganisationType
from apps.participants.models import Participant, ParticipantCategory
from apps.reference.models import ActivityType, Region

PASSWORD = "Test-Password-2026"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@test.example")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.get_or_create(user=obj, email=obj.email, defaults={"verified": True, "primary": True})


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    oid = factory.Sequence(lambda n: f"E{50000000 + n:08d}")
    legal_name = factory.Sequence(lambda n: f"Technikum nr {n}")
    kind = OrganisationType.VET_SCHOOL
    country = "PL"
    region = factory.LazyFunction(lambda: Region.objects.get(country_id="PL", code="30"))
    city = "Poznań"


class HostOrganisationFactory(OrganisationFactory):
    country = "PT"
    region = None
    city = "Lisbon"
    legal_name = factory.Sequence(lambda n: f"Escola Profissional {n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "manager"


class ParticipantFactory(DjangoModelFactory):
    class Meta:
        model = Participant

    organisation = factory.SubFactory(OrganisationFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"participant{n}@test.example")
    category = ParticipantCategory.LEARNER
    user = None


# --- Reserve list -------------------------------------------------------------------


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = "reserve_list.Programme"

    name = factory.Sequence(lambda n: f"FERS reserve-list programme {n}")
    sending_country = "PL"
    target_learners = 14175
    target_staff = 675
    starts_on = datetime.date(2023, 6, 1)
    ends_on = datetime.date(2027, 5, 31)


class CallFactory(DjangoModelFactory):
    class Meta:
        model = "reserve_list.Call"

    programme = factory.SubFactory(ProgrammeFactory)
    year = 2023
    envelope = decimal.Decimal("1000000.00")


class ApplicationFactory(DjangoModelFactory):
    """A reserve-list application above the threshold (25 + 30 + 25 = 80 points), submitted a minute apart."""

    class Meta:
        model = "reserve_list.Application"

    number = factory.Sequence(lambda n: f"2023-1-PL01-KA122-VET-{n:09d}")
    call = factory.SubFactory(CallFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    score_relevance = 25
    score_quality_design = 30
    score_quality_follow_up = 25
    score_total = factory.LazyAttribute(
        lambda a: a.score_relevance + a.score_quality_design + a.score_quality_follow_up
    )
    requested_grant = decimal.Decimal("50000.00")
    planned_learners = 20
    planned_staff = 2
    submitted_at = factory.Sequence(
        lambda n: datetime.datetime(2023, 2, 20, 9, 0, tzinfo=datetime.UTC) + datetime.timedelta(minutes=n)
    )
    status = "reserve"


class FundingRoundFactory(DjangoModelFactory):
    class Meta:
        model = "reserve_list.FundingRound"

    call = factory.SubFactory(CallFactory)
    amount = decimal.Decimal("100000.00")
    policy = "stop"
    response_days = 14


class OfferFactory(DjangoModelFactory):
    """An open offer of the full request. It does not move the application's status: pass the status you need."""

    class Meta:
        model = "reserve_list.Offer"

    application = factory.SubFactory(ApplicationFactory, status="offered")
    funding_round = factory.SubFactory(FundingRoundFactory, call=factory.SelfAttribute("..application.call"))
    amount = factory.LazyAttribute(lambda o: o.application.requested_grant)
    deadline = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))
    status = "open"


# --- Participants: special-category data --------------------------------------------------------------


class SpecialCategoryDataFactory(DjangoModelFactory):
    """A participant flagged with fewer opportunities (economic obstacles). Created directly, so unlogged:
    tests of the log go through ``participant_set_special_category``."""

    class Meta:
        model = "participants.SpecialCategoryData"

    participant = factory.SubFactory(ParticipantFactory)
    fewer_opportunities = True
    reasons = factory.LazyFunction(lambda: ["economic"])


# --- Projects and mobilities ------------------------------------------------------------------


class ProjectFactory(DjangoModelFactory):
    """A contracted project of a call-2024 application, from 1 June 2024 to 30 November 2025."""

    class Meta:
        model = "mobility.Project"

    application = factory.SubFactory(ApplicationFactory, status="contracted", call__year=2024)
    agreement_number = factory.Sequence(lambda n: f"2024-1-PL01-KA122-VET-{n:09d}-GA")
    signed_on = datetime.date(2024, 5, 20)
    start_date = datetime.date(2024, 6, 1)
    end_date = datetime.date(2025, 11, 30)
    awarded_grant = decimal.Decimal("60000.00")


class MobilityFactory(DjangoModelFactory):
    """A 28-day short-term learner mobility in Lisbon, in draft, as stored: no distance, no grant lines.

    Tests of the rules and the grant go through ``apps.mobility.mobilities``; this factory fills projects
    with other mobilities (the participant cap, the participants' numbers, budgets, lists).
    """

    class Meta:
        model = "mobility.Mobility"

    project = factory.SubFactory(ProjectFactory)
    participant = factory.SubFactory(
        ParticipantFactory, organisation=factory.SelfAttribute("..project.application.organisation")
    )
    activity_type = factory.LazyFunction(lambda: ActivityType.objects.get(code="LM-SHORT-VET"))
    host = factory.SubFactory(HostOrganisationFactory)
    destination_country = factory.LazyAttribute(lambda m: m.host.country.code)
    start_date = datetime.date(2024, 9, 2)
    end_date = datetime.date(2024, 9, 29)
    travel_days = 2
    status = "draft"


class PreparatoryVisitFactory(DjangoModelFactory):
    class Meta:
        model = "mobility.PreparatoryVisit"

    project = factory.SubFactory(ProjectFactory)
    activity_type = factory.LazyFunction(lambda: ActivityType.objects.get(code="LM-SHORT-VET"))
    destination_country = "PT"
    persons = 2
    start_date = datetime.date(2024, 7, 1)
    end_date = datetime.date(2024, 7, 3)
    amount = decimal.Decimal("1150.00")


# --- Certificates ---------------------------------------------------------------------------------


class CertificateFactory(DjangoModelFactory):
    """A current, rendered version 1 of a completed mobility's certificate, whose "PDF" is a few stub bytes
    (tests of the real PDF go through ``apps.certificates.rendering``). Needs MEDIA_ROOT pointed at a
    temporary folder."""

    class Meta:
        model = "certificates.Certificate"

    mobility = factory.SubFactory(MobilityFactory, status="completed")
    version = 1
    code = factory.Sequence(lambda n: f"TEST{n:08d}")
    status = "current"
    language = "en"
    render_state = "done"
    rendered_at = factory.LazyFunction(timezone.now)
    issued_at = factory.LazyFunction(timezone.now)
    file = factory.django.FileField(filename="certificate.pdf", data=b"%PDF-1.4 stub certificate")


# --- passport ---


class TemplateItemFactory(DjangoModelFactory):
    class Meta:
        model = "passport.TemplateItem"

    name = factory.Sequence(lambda n: f"Template item {n}")
    name_pl = factory.Sequence(lambda n: f"Pozycja szablonu {n}")
    section = "preparation"
    phase = "before"
    ticker = "both"
    position = factory.Sequence(lambda n: 1000 + n * 10)


class ExtraSupportFactory(DjangoModelFactory):
    class Meta:
        model = "passport.ExtraSupport"

    mobility = factory.SubFactory(MobilityFactory, status="planned")
    description = "A teacher accompanies the learner for the first week."
    phase = "during"
    provided_by = "Class teacher"


# --- participant_reports ---


class ParticipantReportFactory(DjangoModelFactory):
    """A requested participant report of a completed learner mobility (as stored: no notification sent).

    Tests of the pipeline go through ``apps.participant_reports.services``; this factory fills lists."""

    class Meta:
        model = "participant_reports.ParticipantReport"

    mobility = factory.SubFactory(MobilityFactory, status="completed")
    audience = "learner"
    status = "requested"
    requested_at = factory.LazyFunction(timezone.now)
    due_date = factory.LazyAttribute(lambda report: report.requested_at.date() + datetime.timedelta(days=30))


class SubmittedParticipantReportFactory(ParticipantReportFactory):
    """A submitted report that agrees (4) with every statement of its audience."""

    class Meta:
        skip_postgeneration_save = True

    status = "submitted"
    satisfaction = 5
    recognition = "yes"
    submitted_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def answers(self, create, extracted, **kwargs):
        from apps.participant_reports.models import ParticipantReportAnswer
        from apps.reference.models import ReportOutcomeStatement

        if create:
            ParticipantReportAnswer.objects.bulk_create(
                ParticipantReportAnswer(report=self, statement=statement, agreement=extracted or 4)
                for statement in ReportOutcomeStatement.objects.filter(audience=self.audience)
            )


# --- outcomes ---


def _key_competence(number: int):
    from apps.reference.models import KeyCompetence

    return KeyCompetence.objects.get(number=number)


class CompetenceAssessmentFactory(DjangoModelFactory):
    """One key competence's self-assessed level (competence 1 unless given). Tests of the windows and the
    "all eight" rule go through ``apps.outcomes.services``; ``rate_all`` fills aggregates."""

    class Meta:
        model = "outcomes.CompetenceAssessment"
        django_get_or_create = ("mobility", "competence", "phase")

    mobility = factory.SubFactory(MobilityFactory, status="completed")
    competence = factory.LazyFunction(lambda: _key_competence(1))
    phase = "before"
    level = 3

    @classmethod
    def rate_all(cls, *, mobility, phase: str, levels) -> list:
        """All eight competences of ``mobility`` in ``phase``: ``levels`` is one level or eight, in order."""
        from apps.reference.models import KeyCompetence

        competences = list(KeyCompetence.objects.order_by("number"))
        levels = [levels] * len(competences) if isinstance(levels, int) else list(levels)
        return [
            cls(mobility=mobility, competence=competence, phase=phase, level=level)
            for competence, level in zip(competences, levels, strict=True)
        ]


class LearningOutcomesFactory(DjangoModelFactory):
    class Meta:
        model = "outcomes.LearningOutcomes"

    mobility = factory.SubFactory(MobilityFactory, status="completed")
    vocational_outcomes = "Prepares and serves dishes of the host country's cuisine to a restaurant standard."
    mentor_name = "Ana Costa"
    mentor_overall = 4
