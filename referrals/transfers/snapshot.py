"""What a transfer or a handover sends, frozen when it is sent.

The snapshot is plain JSON: codes (a status, a phenomenon, a sign, a role)
rather than words, so each reader sees it in her own language, and names
only where a name is the point (the person, the staff who acted). It holds
the person and the case's facts always, and each chosen part
(`TransferPart`) under its own key: a part not chosen is not there at all.

The receiving side reads only this, never the sending case; `read()` turns
it into what a page or the PDF shows.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from concerns.models import CaseEvent, Concern, RoutingDecision
from concerns.selectors import chronology_for
from concerns.timeline import contact_ref, texts
from config.dates import date_formatter
from measures.models import Phenomenon, Sign
from partners.models import Role, User
from referrals.models import TransferPart

SNAPSHOT_VERSION = 1

# Which of a person's roles names her in a handover with staff names hidden:
# the first she holds, in this order.
ROLE_ORDER = [
    Role.Code.COORDINATOR,
    Role.Code.POLICE_CONTACT,
    Role.Code.RESOURCE_PERSON,
    Role.Code.MENTOR,
    Role.Code.FRONTLINE,
    Role.Code.REGISTRY_ADMIN,
    Role.Code.PLATFORM_ADMIN,
]


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def staff_ref(user: User | None, organisation_name: str | None = None) -> dict | None:
    """A member of staff as a snapshot keeps her: name, role code and organisation."""
    if user is None:
        return None
    codes = {role.code for role in user.roles.all()}
    role = next((code.value for code in ROLE_ORDER if code in codes), "")
    if organisation_name is None:
        organisation_name = user.organisation.name if user.organisation_id else ""
    return {
        "name": user.get_full_name() or user.username,
        "role": role,
        "organisation": organisation_name,
    }


def _staff(user_ids: Iterable[int]) -> dict[int, User]:
    """The accounts named in a snapshot, with roles and organisation, in two queries."""
    ids = {pk for pk in user_ids if pk is not None}
    if not ids:
        return {}
    users = User.objects.filter(pk__in=ids).select_related("organisation").prefetch_related("roles")
    return {user.pk: user for user in users}


def build_snapshot(*, concern: Concern, actor: User, parts: Iterable[str]) -> dict:
    """The person, the case's facts and exactly the chosen parts, as JSON-ready data."""
    chosen = [part for part in TransferPart.values if part in set(parts)]
    subject = concern.subject
    municipality = concern.municipality
    snapshot: dict = {
        "version": SNAPSHOT_VERSION,
        "made_at": timezone.now().isoformat(),
        "parts": chosen,
        "from": {
            "municipality": municipality.code,
            "name": municipality.name,
            "country": municipality.country,
        },
        "case": {
            "reference": concern.reference,
            "submitted_at": _iso(concern.submitted_at),
            "phenomenon": concern.phenomenon.code if concern.phenomenon_id else "",
            "urgency": concern.urgency,
            "prevention_level": concern.prevention_level,
            "involves_conflict_travel": concern.involves_conflict_travel,
            "guardians_informed": concern.guardians_informed,
            "age_band": concern.age_band(),
        },
        "person": {
            "name": subject.name,
            "birth_date": _iso(subject.birth_date),
            "birth_year": subject.birth_year,
            "school_or_workplace": subject.school_or_workplace,
        },
    }
    builders = {
        TransferPart.CONCERN: _concern_part,
        TransferPart.OUTCOME: _outcome_part,
        TransferPart.TASKS: _tasks_part,
        TransferPart.TIMELINE: _timeline_part,
        TransferPart.ATTACHMENTS: _attachments_part,
        TransferPart.CHRONOLOGY: lambda concern: _chronology_part(concern, actor),
    }
    for part in chosen:
        snapshot[part] = builders[part](concern)
    return snapshot


def _concern_part(concern: Concern) -> dict:
    reporter = _staff([concern.reporter_id]).get(concern.reporter_id)
    return {
        "observations": concern.observations,
        "observed_on": _iso(concern.observed_on),
        "signs": sorted(concern.signs.values_list("code", flat=True)),
        "reporter": staff_ref(reporter, concern.reporter_organisation.name),
        "reporter_organisation_kind": concern.reporter_organisation.kind,
    }


def _outcome_part(concern: Concern) -> dict:
    decisions = (
        RoutingDecision.objects.filter(
            concern=concern, contact__isnull=False, withdrawn_at__isnull=True
        )
        .select_related("contact__organisation")
        .order_by("-is_primary", "pk")
    )
    assignee = concern.assignee
    return {
        "status": concern.status,
        "outcome": concern.outcome,
        "closed_at": _iso(concern.closed_at),
        "follow_up_on": _iso(concern.follow_up_on),
        "assignee": contact_ref(assignee) if assignee is not None else None,
        "routed_to": [contact_ref(decision.contact) for decision in decisions],
    }


def _tasks_part(concern: Concern) -> list[dict]:
    tasks = concern.checklist.filter(done_at__isnull=True).select_related("card")
    return [
        {
            "card": texts(task.card, "title"),
            "order": task.order,
            "text": texts(task, "text"),
            "responsible": task.responsible,
            "due_at": _iso(task.due_at),
        }
        for task in tasks.order_by("card_id", "order")
    ]


def _timeline_part(concern: Concern) -> list[dict]:
    events = list(concern.events.order_by("at", "pk"))
    staff = _staff(event.actor_id for event in events)
    return [
        {
            "at": _iso(event.at),
            "kind": event.kind,
            "from_status": event.from_status,
            "to_status": event.to_status,
            "text": event.text,
            "data": event.data,
            "actor": staff_ref(staff.get(event.actor_id)),
        }
        for event in events
    ]


def _attachments_part(concern: Concern) -> list[dict]:
    return [
        {
            "name": attachment.name,
            "kind": attachment.kind,
            "size": attachment.size,
            "added_at": _iso(attachment.uploaded_at),
        }
        for attachment in concern.attachments.order_by("uploaded_at", "pk")
    ]


def _chronology_part(concern: Concern, actor: User) -> list[dict]:
    """The person's other concerns the sender handles; the ones she does not are not counted."""
    others = (
        chronology_for(concern.subject, actor).exclude(pk=concern.pk).select_related("municipality")
    )
    return [
        {
            "reference": other.reference,
            "municipality": other.municipality.name,
            "submitted_at": _iso(other.submitted_at),
            "status": other.status,
            "outcome": other.outcome,
            "phenomenon": other.phenomenon.code if other.phenomenon_id else "",
            "urgency": other.urgency,
            "observations": other.observations,
        }
        for other in others
    ]


# --- reading it ---------------------------------------------------------------------


def _moment(value: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if value else None


def _day(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


@dataclass
class Sent:
    """A snapshot as a page shows it, in the reader's language (activate it first)."""

    snapshot: dict
    phenomena: dict[str, str] = field(default_factory=dict)
    signs: list[str] = field(default_factory=list)
    timeline: list[dict] = field(default_factory=list)

    def __getattr__(self, name: str):
        # A part or a base key, as the template asks for it: sent.person, sent.tasks …
        try:
            return self.__dict__["snapshot"][name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def parts(self) -> list[str]:
        return self.snapshot.get("parts", [])

    @property
    def phenomenon(self) -> str:
        code = self.snapshot["case"].get("phenomenon", "")
        return self.phenomena.get(code, code)

    @property
    def submitted_at(self) -> datetime.datetime | None:
        return _moment(self.snapshot["case"].get("submitted_at"))

    @property
    def birth_date(self) -> datetime.date | None:
        return _day(self.snapshot["person"].get("birth_date"))

    @property
    def observed_on(self) -> datetime.date | None:
        return _day(self.snapshot.get("concern", {}).get("observed_on"))

    @property
    def follow_up_on(self) -> datetime.date | None:
        return _day(self.snapshot.get("outcome", {}).get("follow_up_on"))

    @property
    def task_list(self) -> list[dict]:
        return [{**task, "due": _moment(task["due_at"])} for task in self.snapshot.get("tasks", [])]

    @property
    def attachment_list(self) -> list[dict]:
        return [
            {**attachment, "added": _moment(attachment["added_at"])}
            for attachment in self.snapshot.get("attachments", [])
        ]

    @property
    def chronology_list(self) -> list[dict]:
        return [
            {
                **other,
                "submitted": _moment(other["submitted_at"]),
                "phenomenon_label": self.phenomena.get(other["phenomenon"], other["phenomenon"]),
            }
            for other in self.snapshot.get("chronology", [])
        ]


def read(snapshot: dict) -> Sent:
    """The snapshot with its codes looked up: two small queries at most, whatever its length."""
    codes = {snapshot["case"].get("phenomenon", "")}
    codes |= {other["phenomenon"] for other in snapshot.get("chronology", [])}
    codes.discard("")
    phenomena = (
        {
            phenomenon.code: str(phenomenon)
            for phenomenon in Phenomenon.objects.filter(code__in=codes)
        }
        if codes
        else {}
    )
    sign_codes = snapshot.get("concern", {}).get("signs", [])
    signs = (
        [str(sign) for sign in Sign.objects.filter(code__in=sign_codes).order_by("order", "code")]
        if sign_codes
        else []
    )
    when = date_formatter("DATETIME_FORMAT")
    # Shaped as concerns.selectors.TimelineEntry, so concerns/partials/timeline.html
    # writes each entry in the reader's language exactly as on a case page.
    timeline = [
        {
            "when": when(_moment(entry["at"])),
            "who": (entry.get("actor") or {}).get("name", ""),
            "actor": entry.get("actor"),
            "kind": entry["kind"],
            "event": {
                "kind": entry["kind"],
                "from_status": entry["from_status"],
                "to_status": entry["to_status"],
                "text": entry["text"],
                "data": entry["data"],
            },
        }
        for entry in snapshot.get("timeline", [])
    ]
    return Sent(snapshot=snapshot, phenomena=phenomena, signs=signs, timeline=timeline)


def staff_names(snapshot: dict) -> dict[str, dict]:
    """Every member of staff the snapshot names, name → her reference (role, organisation).

    A handover with staff names hidden writes each of them as her role and
    organisation instead, in the structured parts and in free text alike.
    """
    found: dict[str, dict] = {}

    def add(ref) -> None:
        if isinstance(ref, dict) and ref.get("name"):
            found.setdefault(ref["name"], ref)

    add(snapshot.get("concern", {}).get("reporter"))
    outcome = snapshot.get("outcome", {})
    add(outcome.get("assignee"))
    for ref in outcome.get("routed_to", []):
        add(ref)
    for entry in snapshot.get("timeline", []):
        add(entry.get("actor"))
        data = entry.get("data") or {}
        for key in ("contact", "to", "from"):
            add(data.get(key))
        # A grant's holder and a mentor are kept as plain names on the timeline.
        for key in ("user", "mentor", "by"):
            if isinstance(data.get(key), str) and data[key]:
                found.setdefault(data[key], {"name": data[key], "role": "", "organisation": ""})
    # A grant to a whole organisation names the organisation, which is not a person.
    organisations = {ref.get("organisation") for ref in found.values()} | {snapshot["from"]["name"]}
    for entry in snapshot.get("timeline", []):
        data = entry.get("data") or {}
        if entry["kind"] in (CaseEvent.Kind.ACCESS_GRANTED, CaseEvent.Kind.ACCESS_REVOKED):
            continue
        if isinstance(data.get("to"), str):
            organisations.add(data["to"])
    return {name: ref for name, ref in found.items() if name not in organisations}
