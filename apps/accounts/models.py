from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyRole(models.TextChoices):
    NONE = "", _("none")
    ADMINISTRATOR = "administrator", _("agency administrator")
    OFFICER = "officer", _("agency officer")
    FINANCE = "finance", _("agency finance")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True, agency_role=AgencyRole.ADMINISTRATOR)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in with their e-mail address.

    What a user may do follows from ``agency_role`` (agency staff), their
    organisation memberships and their participant record; see ``roles.py``.
    """

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    agency_role = models.CharField(
        _("agency role"), max_length=20, choices=AgencyRole.choices, blank=True, default=AgencyRole.NONE
    )
    language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self):
        return self.get_full_name() or self.email

    @property
    def is_agency(self) -> bool:
        return bool(self.agency_role)
