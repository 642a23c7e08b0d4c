"""factory-boy factories for every app's models."""

import factory
from factory.django import DjangoModelFactory

from apps.accounts.models import User
from apps.organisations.models import Membership, Organisation, OrganisationType
from apps.participants.models import Participant, ParticipantCategory
from apps.reference.models import Region

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
