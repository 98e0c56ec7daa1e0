import datetime
import zoneinfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a time zone; pick one such as Europe/Berlin.")


def zone_of(name: str) -> datetime.tzinfo:
    """The time zone called `name`; UTC for an empty or unknown name (never an error)."""
    try:
        return zoneinfo.ZoneInfo(name) if name else datetime.UTC
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.UTC


def local_dates(now: datetime.datetime) -> dict[str, datetime.date]:
    """Each time zone active people use, with its date at `now`: User.today for a whole
    table at once (one query; a handful of zones, whatever the number of people)."""
    zones = (
        User.objects.filter(is_active=True)
        .order_by()
        .values_list("time_zone", flat=True)
        .distinct()
    )
    return {name: now.astimezone(zone_of(name)).date() for name in zones}


def today_of(zone_field: str, now: datetime.datetime) -> models.Case:
    """The date at `now` in the time zone named by `zone_field` (e.g. "owner__time_zone"),
    as an SQL expression: what User.today answers for each row's person."""
    return models.Case(
        *[
            models.When(**{zone_field: name}, then=models.Value(day))
            for name, day in local_dates(now).items()
        ],
        default=models.Value(now.astimezone(datetime.UTC).date()),
        output_field=models.DateField(),
    )


def teammates_of(user: "User"):
    """Active people who share a team with `user` (whoever the role): the only people a
    KOL's owner may share it with."""
    return User.objects.filter(is_active=True, memberships__team__memberships__user=user).distinct()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields):
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


def default_digest_time() -> datetime.time:
    """7:30 in the user's time zone. A callable: a fixed time default makes Django's check
    warn (fields.W161) during the ten seconds around 7:30 UTC each day."""
    return datetime.time(7, 30)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: an MSL, a manager, or both. Signs in with their email."""

    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(max_length=150)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can sign in to the Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)
    digest_enabled = models.BooleanField(
        "send me a daily digest",
        default=True,
        help_text="One email a day, only when something is due.",
    )
    digest_time = models.TimeField(
        "digest time", default=default_digest_time, help_text="In your own time zone."
    )
    immediate_follow_ups = models.BooleanField(
        "also email me each follow-up the day it is due", default=False
    )
    manager_summary_enabled = models.BooleanField(
        "send me the weekly team summary (managers)", default=True
    )
    # The private calendar feed: a new token revokes the old link.
    calendar_token = models.CharField(max_length=64, blank=True, db_index=True)
    # Signed links in emails (unsubscribe) carry it: a new number makes the old links stop.
    email_links_version = models.PositiveIntegerField(default=1, editable=False)
    thank_you_after_days = models.PositiveSmallIntegerField(
        "send the thank-you recap after (days)",
        default=2,
        help_text="After a conversation, the thank-you follow-up is due this many days later.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        ordering = ["display_name", "email"]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name.split(" ")[0] if self.display_name else self.email

    # A person's "today": the one answer every page, email and job uses (what day it is
    # for them decides what is due for them, whatever the server's time zone).
    @property
    def zone(self) -> datetime.tzinfo:
        return zone_of(self.time_zone)

    def local_now(self, now: datetime.datetime | None = None) -> datetime.datetime:
        return (now or timezone.now()).astimezone(self.zone)

    def today(self, now: datetime.datetime | None = None) -> datetime.date:
        return self.local_now(now).date()

    def managed_team_ids(self) -> list[int]:
        """Ids of the teams this user manages (cached on the instance for one request)."""
        if not hasattr(self, "_managed_team_ids"):
            self._managed_team_ids = list(
                Membership.objects.filter(user=self, role=Membership.Role.MANAGER).values_list(
                    "team_id", flat=True
                )
            )
        return self._managed_team_ids

    @property
    def is_manager(self) -> bool:
        return bool(self.managed_team_ids())


class Team(models.Model):
    name = models.CharField(max_length=150, unique=True)
    members = models.ManyToManyField(User, through="Membership", related_name="teams")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's role in a team. A person can be an MSL and a manager (two rows)."""

    class Role(models.TextChoices):
        MSL = "msl", "MSL"
        MANAGER = "manager", "Manager"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MSL)

    class Meta:
        ordering = ["team", "role", "user"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user", "role"], name="membership_unique_role")
        ]
        # kols_for_user: "members of the teams this user manages" filters on (team, role).
        indexes = [models.Index(fields=["user", "role"], name="membership_user_role")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.team}"


class PasswordResetRequest(models.Model):
    """One "email me a reset link" request, kept an hour: the limits per address and per
    client count these rows (a database count, so every web process agrees)."""

    email = models.CharField(max_length=254)
    client = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # The two counts of accounts.views.PasswordResetView, over the last hour.
            models.Index(fields=["email", "at"], name="reset_request_email_at"),
            models.Index(fields=["client", "at"], name="reset_request_client_at"),
        ]

    def __str__(self) -> str:
        return f"Reset for {self.email} from {self.client} at {self.at}"
