"""Test data. Every person here is invented."""

import datetime

import factory
from django.utils import timezone

from concerns.models import Concern, Subject
from concerns.search import concern_index_for_search
from measures.models import Phenomenon, Sign, SignCategory
from partners.models import Contact, District, Municipality, Organisation, Role, User

TEST_PASSWORD = "test-passord-123"


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("code",)

    code = "trondheim"
    name = "Trondheim kommune"
    country = Municipality.Country.NORWAY


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("municipality", "name")

    municipality = factory.SubFactory(MunicipalityFactory)
    name = "Midtbyen"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"Testetat {n}")
    kind = Organisation.Kind.MUNICIPAL

    @factory.post_generation
    def municipalities(self, create, extracted, **kwargs):
        if create:
            self.municipalities.set(extracted or [MunicipalityFactory()])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Bruker {n}")
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create:
            # get_or_create: a transactional test's flush removes the migration's rows.
            codes = extracted or [Role.Code.FRONTLINE]
            self.roles.set([Role.objects.get_or_create(code=code)[0] for code in codes])


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    organisation = factory.SubFactory(OrganisationFactory)
    role = Contact.Role.RESOURCE_PERSON
    name = factory.Sequence(lambda n: f"Kontakt {n}")
    phone = "952 63 621"


class PhenomenonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phenomenon
        django_get_or_create = ("code",)

    code = "unclear"
    name_nb = "Uklart / sammensatt"
    name_da = "Uklart / blandet"
    name_en = "Unclear / mixed"


class SignCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignCategory
        django_get_or_create = ("code",)

    code = "behaviour"
    name_nb = "Atferd"
    name_da = "Adfærd"
    name_en = "Behaviour"


class SignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sign
        django_get_or_create = ("code",)

    category = factory.SubFactory(SignCategoryFactory)
    code = factory.Sequence(lambda n: f"sign-{n}")
    text_nb = factory.Sequence(lambda n: f"Tegn {n}")
    text_da = factory.Sequence(lambda n: f"Tegn {n}")
    text_en = factory.Sequence(lambda n: f"Sign {n}")


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subject

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Oppdiktet Person {n}")
    birth_year = 2010
    created_by = factory.SubFactory(UserFactory)


class ConcernFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Concern
        skip_postgeneration_save = True

    reporter = factory.SubFactory(UserFactory)
    reporter_organisation = factory.SelfAttribute("reporter.organisation")
    municipality = factory.SubFactory(MunicipalityFactory)
    subject = factory.SubFactory(
        SubjectFactory,
        municipality=factory.SelfAttribute("..municipality"),
        created_by=factory.SelfAttribute("..reporter"),
    )
    observations = "Eleven har delt propaganda i klassens chat."
    observed_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=1))
    phenomenon = factory.SubFactory(PhenomenonFactory)
    urgency = Concern.Urgency.NORMAL
    prevention_level = Concern.PreventionLevel.SELECTIVE
    guardians_informed = Concern.GuardiansInformed.NO

    @factory.post_generation
    def search_index(self, create, extracted, **kwargs):
        # As concern_submit does: a submitted concern can be found by search.
        if create and self.status != Concern.Status.DRAFT:
            concern_index_for_search(concern=self)
