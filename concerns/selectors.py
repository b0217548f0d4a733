"""Reads of concerns for pages. Access always starts from concerns.permissions."""

import datetime
from dataclasses import dataclass, field, replace

from django.db.models import (
    Case,
    Count,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from concerns.links import url_for_each
from concerns.models import (
    AccessLog,
    AgeBand,
    Attachment,
    CaseEvent,
    Concern,
    RoutingDecision,
    Subject,
)
from concerns.permissions import (
    granted_newest_first,
    granted_per_status,
    grants_only,
    handler_concerns_for,
    reported_by,
)
from concerns.search import search, uses_full_text
from config.dates import date_formatter
from measures.models import reader_language
from partners.models import Contact, User

INBOX_PAGE_SIZE = 50
LIST_PAGE_SIZE = 50

_URGENCY_RANK = Case(
    When(urgency=Concern.Urgency.ACUTE, then=Value(0)),
    When(urgency=Concern.Urgency.HIGH, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)

# The columns a user may sort the inbox by, and what each means in SQL.
INBOX_SORTS = {
    "submitted": ("submitted_at", "id"),
    "-submitted": ("-submitted_at", "-id"),
    "urgency": ("urgency_rank", "-submitted_at"),
    "-urgency": ("-urgency_rank", "-submitted_at"),
    "follow_up": ("follow_up_on", "-submitted_at"),
    "-follow_up": ("-follow_up_on", "-submitted_at"),
    "status": ("status", "-submitted_at"),
    "-status": ("-status", "-submitted_at"),
    "person": ("subject__name", "-submitted_at"),
    "-person": ("-subject__name", "-submitted_at"),
}
DEFAULT_SORT = "-submitted"


def my_concerns(user: User) -> QuerySet[Concern]:
    """The reporter's own concerns, drafts included, newest first (index reporter, created_at)."""
    if not user.is_authenticated:
        return Concern.objects.none()
    return (
        Concern.objects.filter(reported_by(user))
        .select_related("subject")
        .only(
            "public_id",
            "reference",
            "status",
            "urgency",
            "submitted_at",
            "created_at",
            "subject__name",
        )
        .order_by("-created_at", "-id")
    )


def subjects_known_to_reporter(user: User) -> QuerySet[Subject]:
    """The people this reporter described before: the only ones they may pick again."""
    return Subject.objects.filter(created_by=user).order_by("name")


RECENT_SUBJECTS_OFFERED = 50


def recent_subjects_of_reporter(user: User, keep: int | None = None) -> list[Subject]:
    """The people offered again on the filing form: the reporter's latest, by name.

    Bounded, so the form does not grow with the reporter's history; `keep`
    (the person a draft already names) is always among them.
    """
    latest = list(
        subjects_known_to_reporter(user).order_by("-created_at", "-pk")[:RECENT_SUBJECTS_OFFERED]
    )
    if keep is not None and all(subject.pk != keep for subject in latest):
        latest += list(subjects_known_to_reporter(user).filter(pk=keep))
    return sorted(latest, key=lambda subject: (subject.name, subject.pk))


def age_band_q(band: str, today: datetime.date) -> Q:
    """The age band as a query, matching AgeBand rules in concerns.models.subject."""
    try:
        cutoff = today.replace(year=today.year - 18)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - 18, day=28)
    under = (
        Q(subject__birth_date__gt=cutoff)
        | Q(subject__birth_date__isnull=True, subject__birth_year__gte=today.year - 18)
        | Q(subject__birth_date__isnull=True, subject__birth_year__isnull=True)
    )
    return under if band == AgeBand.UNDER_18 else ~under


@dataclass
class InboxFilters:
    text: str = ""
    statuses: list[str] = field(default_factory=list)
    urgency: str = ""
    phenomenon_id: int | None = None
    age_band: str = ""
    district_id: int | None = None
    reporter_organisation_id: int | None = None
    assignee_id: int | None = None
    overdue: bool = False
    unassigned: bool = False
    sort: str = DEFAULT_SORT

    def by_status_alone(self) -> bool:
        """Whether nothing but statuses narrows the list: its total is then in the counts."""
        narrowing = {
            name: value
            for name, value in self.__dict__.items()
            if name not in ("statuses", "sort") and value
        }
        return not narrowing


def _pinned_q() -> Q:
    # In this order (Q sorts keyword arguments): PostgreSQL tests the parts as
    # written, and urgency rules out nearly every row at the first test, which
    # takes a quarter off counting a municipality's cases.
    return (
        Q(urgency=Concern.Urgency.ACUTE)
        & Q(acknowledged_at__isnull=True)
        & Q(status__in=Concern.OPEN_STATUSES)
    )


def _overdue_q(today: datetime.date) -> Q:
    return Q(status__in=Concern.OPEN_STATUSES, follow_up_on__lt=today)


# The same two rules for a row already read (inbox_rows): asked of the
# database as annotations, they took longer to compile than the query ran.
# tests/concerns/test_inbox.py holds each to its Q above.
def _row_is_pinned(row: dict) -> bool:
    return (
        row["urgency"] == Concern.Urgency.ACUTE
        and row["acknowledged_at"] is None
        and row["status"] in Concern.OPEN_STATUSES
    )


def _row_is_overdue(row: dict, today: datetime.date) -> bool:
    return (
        row["status"] in Concern.OPEN_STATUSES
        and row["follow_up_on"] is not None
        and row["follow_up_on"] < today
    )


@dataclass(frozen=True, slots=True)
class InboxRow:
    """One inbox row, in the reader's words, worked out once instead of in the template."""

    url: str
    reference: str
    consider_pst: bool
    person: str
    district: str
    urgency: str
    urgency_label: str
    pinned: bool
    phenomenon: str
    reporter_organisation: str
    assignee: str
    status: str
    status_label: str
    submitted_at: datetime.datetime | None
    submitted_on: str  # the day, as the reader writes a short date
    follow_up_on: datetime.date | None
    follow_up: str  # likewise, or "" when no follow-up is set
    overdue: bool

    def __getitem__(self, name: str):
        # The template engine tries row[name] before row.name; answering it
        # spares a raised and caught TypeError on each of a row's ~15 lookups.
        return getattr(self, name)


# What an inbox row shows: read as plain values, no model objects, for 50 rows
# at a time (building 300 related model instances cost more than the query).
_ROW_VALUES = (
    "pk",
    "public_id",
    "reference",
    "consider_pst",
    "subject__name",
    "subject__district__name",
    "urgency",
    "status",
    "phenomenon__name_nb",
    "phenomenon__name_da",
    "phenomenon__name_en",
    "reporter_organisation__name",
    "assignee__name",
    "submitted_at",
    "follow_up_on",
    "acknowledged_at",
)


def inbox_rows(keys: list[int], today: datetime.date | None = None) -> dict[int, InboxRow]:
    """The rows of these concerns, by key. The keys come from inbox_for() or pinned_for(),
    which applied the visibility rule in this same request."""
    today = today or timezone.localdate()
    short_date = date_formatter("SHORT_DATE_FORMAT")
    detail_url = url_for_each("concerns:detail")
    statuses = {code: str(label) for code, label in Concern.Status.choices}
    urgencies = {code: str(label) for code, label in Concern.Urgency.choices}
    phenomenon = f"phenomenon__name_{reader_language()}"
    # Not ordered: the page's order is the keys'.
    values = Concern.objects.filter(pk__in=keys).values(*_ROW_VALUES).order_by()
    return {
        row["pk"]: InboxRow(
            url=detail_url(row["public_id"]),
            reference=row["reference"],
            consider_pst=row["consider_pst"],
            person=row["subject__name"],
            district=row["subject__district__name"] or "",
            urgency=row["urgency"],
            urgency_label=urgencies.get(row["urgency"], row["urgency"]),
            pinned=_row_is_pinned(row),
            phenomenon=row.get(phenomenon) or row["phenomenon__name_nb"] or "",
            reporter_organisation=row["reporter_organisation__name"] or "",
            assignee=row["assignee__name"] or "",
            status=row["status"],
            status_label=statuses.get(row["status"], row["status"]),
            submitted_at=row["submitted_at"],
            submitted_on=short_date(row["submitted_at"]),
            follow_up_on=row["follow_up_on"],
            follow_up=short_date(row["follow_up_on"]),
            overdue=_row_is_overdue(row, today),
        )
        for row in values
    }


def pinned_for(user: User, limit: int = 20) -> list[int]:
    """Acute concerns nobody has acknowledged, newest first: shown above the inbox, whatever
    the filters. Their keys, for inbox_rows()."""
    return list(
        handler_concerns_for(user)
        .filter(_pinned_q())
        .order_by("-submitted_at", "-pk")
        .values_list("pk", flat=True)[:limit]
    )


def inbox_for(
    user: User, filters: InboxFilters, today: datetime.date | None = None
) -> QuerySet[Concern]:
    """The inbox list under the filters, sorted, pinned ones left out (they are shown above).

    Read its keys a page at a time, and the rows with inbox_rows().
    """
    today = today or timezone.localdate()
    # Newest first for someone given each case by a grant: in order from the grants' index.
    in_grant_order = filters.sort == DEFAULT_SORT and not filters.text and grants_only(user)
    concerns = granted_newest_first(user) if in_grant_order else handler_concerns_for(user)
    concerns = concerns.exclude(_pinned_q())
    if filters.text:
        concerns = search(concerns, filters.text, search_countries_for(user))
    if filters.statuses:
        concerns = concerns.filter(status__in=filters.statuses)
    if filters.urgency:
        concerns = concerns.filter(urgency=filters.urgency)
    if filters.phenomenon_id:
        concerns = concerns.filter(phenomenon_id=filters.phenomenon_id)
    if filters.age_band:
        concerns = concerns.filter(age_band_q(filters.age_band, today))
    if filters.district_id:
        concerns = concerns.filter(subject__district_id=filters.district_id)
    if filters.reporter_organisation_id:
        concerns = concerns.filter(reporter_organisation_id=filters.reporter_organisation_id)
    if filters.assignee_id:
        concerns = concerns.filter(assignee_id=filters.assignee_id)
    if filters.overdue:
        concerns = concerns.filter(_overdue_q(today))
    if filters.unassigned:
        concerns = concerns.filter(assignee__isnull=True)
    if in_grant_order:
        return concerns
    ordering = INBOX_SORTS.get(filters.sort, INBOX_SORTS[DEFAULT_SORT])
    if filters.text and uses_full_text() and filters.sort == DEFAULT_SORT:
        ordering = ("-rank", *ordering)  # best match first
    if "urgency_rank" in ordering[0]:
        concerns = concerns.annotate(urgency_rank=_URGENCY_RANK)
    return concerns.order_by(*ordering)


def search_countries_for(user: User) -> set[str]:
    """The countries whose language a search is stemmed in: those the user works in."""
    if user.organisation_id is None:
        return set()
    return set(user.organisation.municipalities.values_list("country", flat=True))


@dataclass(frozen=True)
class InboxCounts:
    """Per status, every case the user handles, and those of them pinned on top."""

    by_status: dict[str, int]
    pinned_by_status: dict[str, int]

    @property
    def pinned(self) -> int:
        return sum(self.pinned_by_status.values())

    def listed(self, statuses: list[str]) -> int:
        """How many rows the list holds under a status filter alone (pinned rows are above it)."""
        chosen = statuses or list(self.by_status)
        return sum(self.by_status.get(s, 0) - self.pinned_by_status.get(s, 0) for s in chosen)


def inbox_counts_for(user: User) -> InboxCounts:
    """The counts above the inbox, the pinned count and, unfiltered, the list's total: one query.

    Only indexed columns are counted, so PostgreSQL answers from a covering
    index alone (status is never null).
    """
    by_status = {status: 0 for status in Concern.Status.values if status != Concern.Status.DRAFT}
    pinned = {}
    if grants_only(user):
        # Counted from the grants' index alone; the pinned few from their partial index.
        by_status.update(granted_per_status(user))
        rows = (
            handler_concerns_for(user)
            .filter(_pinned_q())
            .order_by()
            .values("status")
            .annotate(pinned=Count("*"))
        )
        return InboxCounts(by_status, {row["status"]: row["pinned"] for row in rows})
    rows = (
        handler_concerns_for(user)
        .order_by()
        .values("status")
        .annotate(count=Count("*"), pinned=Count("status", filter=_pinned_q()))
    )
    for row in rows:
        by_status[row["status"]] = row["count"]
        pinned[row["status"]] = row["pinned"]
    return InboxCounts(by_status, pinned)


def contacts_for_assignment(concern: Concern) -> QuerySet[Contact]:
    return (
        Contact.objects.filter(is_active=True, organisation__municipalities=concern.municipality_id)
        .select_related("organisation", "user")
        .order_by("role", "name")
    )


SAME_PERSON_CANDIDATES_MAX = 50


def same_person_candidates(concern: Concern, user: User) -> QuerySet[Subject]:
    """People who may be the same: same birth year, or a similar name.

    Only people of submitted concerns the user may handle, or of the user's
    own drafts: another reporter's draft is theirs alone. At most 50: a
    handler narrows by name, the list never grows with the register.
    """
    subject = concern.subject
    year = subject.birth_date.year if subject.birth_date else subject.birth_year
    first_name = subject.name.split()[0] if subject.name.split() else subject.name
    seen = Q(concerns__in=handler_concerns_for(user).values("pk")) | Q(
        concerns__reporter=user,
        concerns__reporter_organisation=user.organisation_id,
        concerns__status=Concern.Status.DRAFT,
    )
    similar = Q(birth_year=year) | Q(name__icontains=first_name)
    if subject.national_id_digest:
        # The same number is the surest sign; the digest matches without decrypting.
        similar |= Q(national_id_digest=subject.national_id_digest)
    candidates = (
        Subject.objects.filter(municipality=concern.municipality_id)
        .filter(similar)
        .exclude(pk=subject.pk)
    )
    ids = list(
        candidates.filter(seen)
        .order_by("name", "pk")
        .values_list("pk", flat=True)
        .distinct()[:SAME_PERSON_CANDIDATES_MAX]
    )
    return Subject.objects.filter(pk__in=ids).order_by("name")


# A case's own few rows (its routing decisions, history, checklist and
# referrals) are put in order here, not by ORDER BY: Django compiles an
# ORDER BY against every column it selects, and for these joined rows that
# took longer (0.2 to 0.5 ms a query) than the query itself.


def routing_decisions_for(concern: Concern) -> list[RoutingDecision]:
    # Not the rule: a decision keeps the rule's name, which is what is shown.
    decisions = concern.routing_decisions.select_related("contact__organisation", "action_card")
    return sorted(decisions.order_by(), key=lambda decision: (decision.decided_at, decision.pk))


def access_log_for(concern: Concern) -> QuerySet[AccessLog]:
    return concern.access_logs.select_related("user", "organisation")


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """What the timeline shows of a case event, read as plain values."""

    pk: int
    kind: str
    from_status: str
    to_status: str
    text: str
    data: dict

    def __getitem__(self, name: str):
        return getattr(self, name)  # as InboxRow's


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    actor: User | None  # the account behind a field change; an event's is named in `who`
    kind: str
    event: TimelineEvent | None = None
    changes: tuple[tuple[str, str, str], ...] = ()  # (field, old, new)
    when: str = ""  # `at` as the reader writes a date and time, from timeline_for()
    who: str = ""  # the actor as the timeline names them, "" for nobody

    def __getitem__(self, name: str):
        # The template engine tries entry[name] before entry.name; answering it
        # spares a raised and caught TypeError on each of an entry's ~20 lookups.
        return getattr(self, name)


# Noise a reader of the timeline does not need; the status events say it better.
_DIFF_SKIP = {"updated_at", "status", "submitted_at", "public_id", "version"}


def _related_names(changed: list[tuple]) -> dict[tuple[str, object], str]:
    """The related objects the changes point at, named, in one query per changed relation.

    `changed` holds (older, newer, field name) for every change shown.
    """
    wanted: dict[str, set] = {}
    for older, newer, field_name in changed:
        model_field = Concern._meta.get_field(field_name)
        if model_field.is_relation:
            values = {getattr(older, model_field.attname), getattr(newer, model_field.attname)}
            wanted.setdefault(field_name, set()).update(values - {None})
    names: dict[tuple[str, object], str] = {}
    for field_name, ids in wanted.items():
        related_model = Concern._meta.get_field(field_name).related_model
        related = related_model._default_manager.all()
        if related_model is Contact:
            related = related.select_related("organisation")  # named in str(contact)
        found = related.in_bulk(ids)
        names.update({(field_name, pk): str(obj) for pk, obj in found.items()})
    return names


def _display(record, field_name: str, related: dict[tuple[str, object], str]) -> str:
    model_field = Concern._meta.get_field(field_name)
    value = getattr(record, model_field.attname)
    if value in (None, ""):
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation:
        return related.get((field_name, value), "—")
    return str(value)


def history_changes(concern: Concern, latest: int | None = None) -> list[TimelineEntry]:
    """Field-level changes from simple-history: "field: old → new, by whom, when".

    Starts at submission: what the reporter wrote and removed in a draft is
    theirs alone, and never reaches the case's handlers. With `latest`, only
    the last that many changes (read from the last that many and one records).
    """
    if concern.submitted_at is None:
        return []
    records = concern.history.filter(history_date__gte=concern.submitted_at).select_related(
        "history_user"
    )
    if latest is None:
        records = records.order_by()  # put in order here: see routing_decisions_for()
    else:
        records = records.order_by("-history_date", "-history_id")[: latest + 1]
    records = sorted(records, key=lambda record: (record.history_date, record.history_id))
    excluded = sorted(_DIFF_SKIP | {"signs"})
    deltas = [
        (older, newer, newer.diff_against(older, excluded_fields=excluded).changes)
        for older, newer in zip(records, records[1:], strict=False)
    ]
    related = _related_names(
        [(older, newer, change.field) for older, newer, changes in deltas for change in changes]
    )
    entries = []
    for older, newer, delta in deltas:
        changes = tuple(
            (
                str(concern._meta.get_field(change.field).verbose_name),
                _display(older, change.field, related),
                _display(newer, change.field, related),
            )
            for change in delta
        )
        if changes:
            entries.append(
                TimelineEntry(newer.history_date, newer.history_user, "changed", changes=changes)
            )
    return entries


def timeline_for(
    concern: Concern, *, internal: bool, latest: int | None = None
) -> list[TimelineEntry]:
    """The case's story in time order. Reporters (internal=False) see only what is theirs to see.

    With `latest`, only the last that many entries: each source gives at most
    that many, so the newest of them together are the newest of all.
    """
    events = concern.events.all()
    if not internal:
        events = events.filter(kind__in=CaseEvent.REPORTER_VISIBLE)
    rows = events.values(
        "pk",
        "at",
        "kind",
        "from_status",
        "to_status",
        "text",
        "data",
        "actor__first_name",
        "actor__last_name",
        "actor__username",
    )
    if latest is not None:
        rows = reversed(rows.order_by("-at", "-pk")[:latest])
    when = date_formatter("DATETIME_FORMAT")
    # Plain values, the actor's name among them: a long timeline's events and
    # their actors as model instances cost more than the query.
    entries = [
        TimelineEntry(
            row["at"],
            None,
            row["kind"],
            event=TimelineEvent(
                row["pk"],
                row["kind"],
                row["from_status"],
                row["to_status"],
                row["text"],
                row["data"],
            ),
            when=when(row["at"]),
            who=_full_name(
                row["actor__first_name"], row["actor__last_name"], row["actor__username"]
            ),
        )
        for row in rows
    ]
    if internal:
        entries += [
            replace(entry, when=when(entry.at), who=_timeline_name(entry.actor))
            for entry in history_changes(concern, latest)
        ]
    entries.sort(key=lambda entry: entry.at)
    return entries if latest is None else entries[-latest:]


def _timeline_name(user: User | None) -> str:
    return _full_name(user.first_name, user.last_name, user.username) if user else ""


def _full_name(first_name: str | None, last_name: str | None, username: str | None) -> str:
    """As User.get_full_name(), else the username; "" when there is no account."""
    if username is None:
        return ""
    return f"{first_name} {last_name}".strip() or username


def checklist_for(concern: Concern) -> list[dict]:
    """The case's checklists, one per applied card, with progress."""
    tasks = sorted(
        # The step says whether it suggests notifying (the "decided not to" form).
        concern.checklist.select_related("card", "done_by", "step").order_by(),
        key=lambda task: (task.card_id, task.order),  # see routing_decisions_for()
    )
    cards: dict[int, dict] = {}
    for task in tasks:
        entry = cards.setdefault(task.card_id, {"card": task.card, "tasks": [], "done": 0})
        entry["tasks"].append(task)
        entry["done"] += task.is_done
    for entry in cards.values():
        entry["percent"] = round(100 * entry["done"] / len(entry["tasks"]))
    return list(cards.values())


def activities_for(concern: Concern):
    return concern.activities.select_related("created_by").prefetch_related(
        "organisations", "measures"
    )


def referrals_for(concern: Concern) -> list:
    """The case's referrals, newest first (put in order here: see routing_decisions_for())."""
    referrals = concern.referrals.select_related("receiving_organisation").order_by()
    return sorted(referrals, key=lambda referral: referral.created_at, reverse=True)


def same_person_group(subject: Subject) -> set[int]:
    """The subject and every subject linked to it as "the same person", either way."""
    group = {subject.pk}
    frontier = {subject.pk}
    while frontier:
        linked = Subject.objects.filter(
            Q(pk__in=frontier, same_person_as__isnull=False) | Q(same_person_as__in=frontier)
        ).values_list("pk", "same_person_as_id")
        found = {pk for pair in linked for pk in pair if pk is not None} - group
        group |= found
        frontier = found
    return group


def chronology_for(subject: Subject, user: User) -> QuerySet[Concern]:
    """Every submitted concern about this person that the user may handle, oldest first.

    Concerns the user may not see are left out entirely, without a count:
    even their number could tell that someone else is worried too.
    """
    return (
        handler_concerns_for(user)
        .filter(subject__in=same_person_group(subject))
        .select_related("phenomenon", "reporter_organisation", "assignee", "subject")
        .order_by("submitted_at", "pk")
    )


def attachments_for(concern: Concern, *, added_by: User | None = None) -> list[Attachment]:
    """The case's files; a reporter (added_by) sees only the ones she added."""
    files = concern.attachments.select_related("uploaded_by", "activity")
    if added_by is not None:
        files = files.filter(uploaded_by=added_by)
    return list(files)
