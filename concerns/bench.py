"""Invented data at regional scale for the benchmark (`manage.py bench_seed`).

Everything is written with bulk inserts, shaped the way the services would
have written it: routed and submitted concerns with their timeline, history,
grants, access log and reminders. Nobody here exists. Other apps add their
own rows through a `bench.py` of their own with a `seed(world)` function
(referrals does), so this module never imports them.
"""

import contextlib
import datetime
import random
import uuid
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.db import connection, models
from django.utils import timezone

from concerns.models import (
    AccessLog,
    CaseEvaluation,
    CaseEvaluationPartner,
    CaseEvent,
    ChecklistTask,
    Concern,
    ConcernUserObjectPermission,
    Notification,
    NotificationKind,
    ReferenceSequence,
    Reminder,
    RoutingDecision,
    Subject,
)
from concerns.models.subject import age_group_for
from concerns.permissions import HANDLE
from concerns.reminders.engine import Due, Recipients, case_link
from concerns.search import reindex_all
from measures.models import ActionCard, Phenomenon
from partners.models import Contact, District, Municipality, Organisation, Role, User

BENCH_PREFIX = "bench-"
BATCH = 5000


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# What observations are about: each concern mentions a few of these.
_TOPICAL_WORDS = _words(
    "elev klasse chat bilder video vold hevn gruppe skole fritid klubb venner familie "
    "nettforum symboler propaganda trusler våpen kniv reise konflikt moske kirke "
    "ungdom sosiale medier isolert endret atferd uttalelser ekstreme meninger "
    "demonstrasjon mistillit myndigheter konspirasjon rekruttering musikk spill "
    "trening utenlands kammerater bekymring lærer foreldre fravær sinne tegninger "
    "flagg tatovering"
)
# The everyday words around them, most of them too common to search for.
_EVERYDAY_WORDS = _words(
    "og i på det som han hun har var med til for en et av seg sier at ikke hadde "
    "etter noen også uken dagen tid andre mye ofte siste helgen nå før mens fordi "
    "samtale møte timen friminuttet hjemme sammen flere gang snakket fortalt virket "
    "sagt merket høst vår morgen kveld"
)
# One word in twenty is topical, so a keyword matches a few per cent of the
# concerns, as in real text, and not most of them.
TOPICAL_SHARE = 0.05


class RefusedToSeed(Exception):
    pass


def ensure_empty_of_real_data() -> None:
    """Refuse a database that holds any concern or account not made by the benchmark."""
    if Concern.objects.exclude(reporter__username__startswith=BENCH_PREFIX).exists():
        raise RefusedToSeed("The database holds concerns the benchmark did not make.")
    if User.objects.exclude(username__startswith=BENCH_PREFIX).exclude(username="system").exists():
        raise RefusedToSeed("The database holds accounts the benchmark did not make.")


@contextlib.contextmanager
def _keeping_given_dates(*models_):
    """Let bulk inserts keep the past dates we give, instead of now() from auto_now(_add)."""
    touched = []
    for model in models_:
        for model_field in model._meta.concrete_fields:
            if getattr(model_field, "auto_now_add", False) or getattr(
                model_field, "auto_now", False
            ):
                touched.append((model_field, model_field.auto_now, model_field.auto_now_add))
                model_field.auto_now = model_field.auto_now_add = False
    try:
        yield
    finally:
        for model_field, auto_now, auto_now_add in touched:
            model_field.auto_now, model_field.auto_now_add = auto_now, auto_now_add


# With parameters bound on the server (config.env), one statement takes at most
# 65,535 of them; a batch of wide rows stays under that.
_MAX_PARAMETERS = 65_000


def _bulk(model, objects) -> list:
    columns = len(model._meta.concrete_fields)
    return model.objects.bulk_create(objects, batch_size=min(BATCH, _MAX_PARAMETERS // columns))


@dataclass
class World:
    """What the seed made, for the apps that add to it and for the benchmark's cases."""

    rng: random.Random
    now: datetime.datetime
    municipalities: list = field(default_factory=list)
    organisations: dict = field(default_factory=dict)  # municipality id → [organisation]
    coordinators: dict = field(default_factory=dict)  # municipality id → (user, contact)
    police: dict = field(default_factory=dict)  # municipality id → (user, contact)
    resource: dict = field(default_factory=dict)  # organisation id → (user, contact)
    frontline: dict = field(default_factory=dict)  # organisation id → [user]
    concerns: list = field(default_factory=list)
    heavy_reporter: User | None = None
    long_case: Concern | None = None
    person: Subject | None = None


def _text(rng: random.Random, words: int) -> str:
    return (
        " ".join(
            rng.choice(_TOPICAL_WORDS if rng.random() < TOPICAL_SHARE else _EVERYDAY_WORDS)
            for _ in range(words)
        ).capitalize()
        + "."
    )


def seed_registry(world: World, *, municipalities: int, organisations: int, users: int) -> None:
    rng = world.rng
    roles = {role.code: role for role in Role.objects.all()}
    for code in Role.Code.values:
        roles.setdefault(code, Role.objects.get_or_create(code=code)[0])
    world.municipalities = _bulk(
        Municipality,
        [
            Municipality(
                code=f"{BENCH_PREFIX}{n}",
                name=f"Benchvik {n}",
                country=Municipality.Country.NORWAY if n % 2 == 0 else Municipality.Country.DENMARK,
            )
            for n in range(municipalities)
        ],
    )
    districts = _bulk(
        District,
        [
            District(municipality=municipality, name=f"Bydel {d}")
            for municipality in world.municipalities
            for d in range(4)
        ],
    )
    world.districts = {}
    for district in districts:
        world.districts.setdefault(district.municipality_id, []).append(district)
    per_municipality = max(3, organisations // municipalities)
    kinds = [kind for kind in Organisation.Kind.values if kind not in ("police", "pst")]
    orgs = []
    for municipality in world.municipalities:
        n = municipality.code.split("-")[-1]
        orgs.append(Organisation(slug=f"{BENCH_PREFIX}slt-{n}", name=f"SLT {n}", kind="municipal"))
        orgs.append(
            Organisation(slug=f"{BENCH_PREFIX}police-{n}", name=f"Politi {n}", kind="police")
        )
        for k in range(per_municipality - 2):
            orgs.append(
                Organisation(
                    slug=f"{BENCH_PREFIX}org-{n}-{k}",
                    name=f"Etat {n}-{k}",
                    kind=rng.choice(kinds),
                )
            )
    orgs = _bulk(Organisation, orgs)
    through = Organisation.municipalities.through
    links = []
    for index, municipality in enumerate(world.municipalities):
        mine = orgs[index * per_municipality : (index + 1) * per_municipality]
        world.organisations[municipality.pk] = mine
        links += [through(organisation=org, municipality=municipality) for org in mine]
    _bulk(through, links)

    password = User().password  # unusable: nobody signs in to the benchmark's accounts
    accounts, plans = [], []
    per_org_frontline = max(1, (users - municipalities * 5 - len(orgs)) // len(orgs))
    for municipality in world.municipalities:
        slt, police, *others = world.organisations[municipality.pk]
        plans.append(("coordinator", municipality, slt, Contact.Role.COORDINATOR))
        plans.append(("police_contact", municipality, police, Contact.Role.POLICE_RADICALISATION))
        for org in others:
            plans.append(("resource_person", municipality, org, Contact.Role.RESOURCE_PERSON))
            plans += [("frontline", municipality, org, None)] * per_org_frontline
    for index, (role, _municipality, org, _contact_role) in enumerate(plans):
        accounts.append(
            User(
                username=f"{BENCH_PREFIX}{role}-{index}",
                first_name="Bench",
                last_name=f"Person {index}",
                organisation=org,
                password=password,
            )
        )
    accounts = _bulk(User, accounts)
    role_links, contacts = [], []
    for user, (role, _municipality, org, contact_role) in zip(accounts, plans, strict=True):
        role_links.append(User.roles.through(user=user, role=roles[role]))
        if contact_role:
            contacts.append(
                Contact(organisation=org, role=contact_role, name=f"Kontakt {user.pk}", user=user)
            )
        else:
            world.frontline.setdefault(org.pk, []).append(user)
    _bulk(User.roles.through, role_links)
    contacts = _bulk(Contact, contacts)
    by_user = {contact.user_id: contact for contact in contacts}
    for user, (role, municipality, org, _contact_role) in zip(accounts, plans, strict=True):
        if role == "coordinator":
            world.coordinators[municipality.pk] = (user, by_user[user.pk])
        elif role == "police_contact":
            world.police[municipality.pk] = (user, by_user[user.pk])
        elif role == "resource_person":
            world.resource[org.pk] = (user, by_user[user.pk])
    # The organisation groups that referrals grant to (a signal keeps them in step normally).
    groups = _bulk(Group, [Group(name=f"organisation:{org.slug}") for org in orgs])
    group_of = {org.pk: group for org, group in zip(orgs, groups, strict=True)}
    _bulk(
        User.groups.through,
        [User.groups.through(user=user, group=group_of[user.organisation_id]) for user in accounts],
    )
    world.group_of = group_of


def seed_concerns(world: World, *, count: int, years: int) -> None:
    rng, now = world.rng, world.now
    phenomena = list(Phenomenon.objects.all()) or [
        Phenomenon.objects.create(code="bench", name_nb="Bench", name_da="Bench", name_en="Bench")
    ]
    start = now - datetime.timedelta(days=365 * years)
    span = (now - start).total_seconds()
    municipalities = world.municipalities
    # A reporter who has filed a great many: "My concerns" must not grow with them.
    first_org = world.organisations[municipalities[0].pk][2]
    world.heavy_reporter = world.frontline[first_org.pk][0]
    heavy_share = min(2000, count // 50)

    subjects, concerns = [], []
    for n in range(count):
        if n < heavy_share:
            municipality, org, reporter = municipalities[0], first_org, world.heavy_reporter
        else:
            municipality = municipalities[n % len(municipalities)]
            org = rng.choice(world.organisations[municipality.pk][2:])
            reporter = rng.choice(world.frontline[org.pk])
        submitted = start + datetime.timedelta(seconds=rng.random() * span)
        age_days = (now - submitted).days
        closed = age_days > 60 and rng.random() < 0.85
        urgency = rng.choices(["acute", "high", "normal"], weights=[3, 17, 80])[0]
        subject = Subject(
            municipality=municipality,
            public_id=uuid.uuid4(),
            name=f"Oppdiktet Person {n}",
            birth_year=rng.randint(1995, 2012),
            district=rng.choice(world.districts[municipality.pk]),
            created_by=reporter,
            created_at=submitted,
            updated_at=submitted,
        )
        subjects.append(subject)
        assignee = (world.resource.get(org.pk) or world.coordinators[municipality.pk])[1]
        if n % 7 == 0:
            assignee = world.police[municipality.pk][1]
        if closed:
            follow_up = None
        elif rng.random() < 0.01:
            follow_up = now.date() - datetime.timedelta(days=rng.randint(0, 2))  # due now
        else:
            follow_up = now.date() + datetime.timedelta(days=rng.randint(1, 60))
        status = (
            Concern.Status.CLOSED
            if closed
            else rng.choice(
                [Concern.Status.SUBMITTED, Concern.Status.ASSIGNED, Concern.Status.IN_FOLLOW_UP]
            )
        )
        status_submitted = status == Concern.Status.SUBMITTED
        concerns.append(
            Concern(
                public_id=uuid.uuid4(),
                status=status,
                reporter=reporter,
                reporter_organisation=org,
                municipality=municipality,
                observations=_text(rng, rng.randint(30, 80)),
                observed_on=submitted.date() - datetime.timedelta(days=rng.randint(0, 5)),
                phenomenon=rng.choice(phenomena),
                urgency=urgency,
                assignee=assignee,
                follow_up_on=follow_up,
                acknowledged_at=submitted if urgency == "acute" and age_days > 1 else None,
                outcome=rng.choice(list(Concern.Outcome.values)) if closed else "",
                age_group=age_group_for(
                    birth_date=None, birth_year=subject.birth_year, on=submitted.date()
                ),
                first_assigned_at=None
                if status_submitted
                else submitted + datetime.timedelta(hours=rng.randint(1, 96)),
                created_at=submitted,
                updated_at=submitted,
                submitted_at=submitted,
                closed_at=submitted + datetime.timedelta(days=rng.randint(5, 60))
                if closed
                else None,
            )
        )
    with _keeping_given_dates(Subject, Concern):
        subjects = _bulk(Subject, subjects)
        for concern, subject in zip(concerns, subjects, strict=True):
            concern.subject = subject
        concerns.sort(key=lambda concern: concern.submitted_at)
        numbers: dict[int, int] = {}
        for concern in concerns:
            year = concern.submitted_at.year
            numbers[year] = numbers.get(year, 0) + 1
            concern.reference = f"BEK-{year}-{numbers[year]:06d}"
        world.concerns = _bulk(Concern, concerns)
    # Closed cases carry the handler's evaluation, as closing asks for it.
    evaluations = _bulk(
        CaseEvaluation,
        [
            CaseEvaluation(
                concern=concern,
                help_timely=rng.choice(CaseEvaluation.Timely.values),
                situation_change=rng.choice(CaseEvaluation.Change.values),
                evaluated_by=concern.reporter,
                evaluated_at=concern.closed_at,
            )
            for concern in world.concerns
            if concern.closed_at
        ],
    )
    _bulk(
        CaseEvaluationPartner,
        [
            CaseEvaluationPartner(
                evaluation=evaluation, partner=rng.choice(CaseEvaluation.Partner.values)
            )
            for evaluation in evaluations
        ],
    )
    # The counters submit() continues from, as the service would have left them.
    ReferenceSequence.objects.bulk_create(
        [ReferenceSequence(year=year, last_number=last) for year, last in numbers.items()]
    )
    # Ten concerns about one person, for the chronology.
    world.person = world.concerns[-1].subject
    same = [c for c in world.concerns[-400:] if c.municipality_id == world.person.municipality_id]
    for concern in same[:10]:
        concern.subject = world.person
    Concern.objects.bulk_update(same[:10], ["subject"])
    world.long_case = world.concerns[-2]


def seed_case_records(world: World) -> None:
    """Timeline, history, routing, grants, access log and reminders, as the services write them."""
    rng = world.rng
    permission = Permission.objects.get(content_type__app_label="concerns", codename=HANDLE)
    events, history, decisions, grants, reads, reminders = [], [], [], [], [], []
    history_model = Concern.history.model
    history_fields = [
        f.attname for f in Concern._meta.concrete_fields if f.attname not in ("search_vector",)
    ]
    seen_grants = set()
    for concern in world.concerns:
        at = concern.submitted_at
        contact = concern.assignee
        handler = contact.user_id
        events += [
            CaseEvent(
                concern=concern,
                kind=CaseEvent.Kind.SUBMITTED,
                actor_id=concern.reporter_id,
                at=at,
                to_status="submitted",
            ),
            CaseEvent(
                concern=concern,
                kind=CaseEvent.Kind.ROUTED,
                actor_id=concern.reporter_id,
                at=at,
                data={
                    "contact": {
                        "id": contact.pk,
                        "name": contact.name,
                        "role": contact.role,
                        "organisation": "",
                    },
                    "rule": "",
                    "primary": True,
                    "consider_pst": False,
                },
            ),
            CaseEvent(
                concern=concern,
                kind=CaseEvent.Kind.ACCESS_GRANTED,
                actor_id=concern.reporter_id,
                at=at,
                data={"user": "Bench", "reason": "routed"},
            ),
            CaseEvent(
                concern=concern,
                kind=CaseEvent.Kind.STATUS_CHANGED,
                actor_id=handler,
                at=at + datetime.timedelta(hours=2),
                from_status="submitted",
                to_status="in_triage",
            ),
            CaseEvent(
                concern=concern,
                kind=CaseEvent.Kind.NOTE,
                actor_id=handler,
                at=at + datetime.timedelta(days=1),
                text=_text(rng, 20),
            ),
        ]
        if concern.closed_at:
            events.append(
                CaseEvent(
                    concern=concern,
                    kind=CaseEvent.Kind.STATUS_CHANGED,
                    actor_id=handler,
                    at=concern.closed_at,
                    from_status="in_triage",
                    to_status="closed",
                    data={"outcome": "advice_given"},
                )
            )
        values = {name: getattr(concern, name) for name in history_fields}
        for offset, status in ((0, "submitted"), (2, "in_triage"), (30, concern.status)):
            history.append(
                history_model(
                    **{**values, "status": status},
                    history_date=at + datetime.timedelta(hours=offset),
                    history_type="~" if offset else "+",
                    history_user_id=handler,
                )
            )
        decisions.append(
            RoutingDecision(
                concern=concern, rule_name="Bench-regel", contact=contact, inputs={}, decided_at=at
            )
        )
        if (handler, concern.pk) not in seen_grants:
            seen_grants.add((handler, concern.pk))
            grants.append(
                ConcernUserObjectPermission(
                    user_id=handler,
                    permission=permission,
                    content_object=concern,
                    submitted_at=concern.submitted_at,
                    concern_status=concern.status,
                )
            )
        reads += [
            AccessLog(
                concern=concern,
                user_id=handler,
                organisation_id=contact.organisation_id,
                at=at + datetime.timedelta(hours=1),
                view="detail",
                purpose="handler",
            ),
            AccessLog(
                concern=concern,
                user_id=concern.reporter_id,
                organisation_id=concern.reporter_organisation_id,
                at=at + datetime.timedelta(hours=3),
                view="detail",
                purpose="reporter",
            ),
        ]
        if concern.closed_at:  # a follow-up that was reminded long ago: history for the sweep
            reminders.append(
                Reminder(
                    kind=NotificationKind.FOLLOW_UP_DUE,
                    object_id=concern.pk,
                    occurrence=(at.date() + datetime.timedelta(days=14)).isoformat(),
                    concern=concern,
                    due_at=at + datetime.timedelta(days=14),
                    reference=concern.reference,
                    created_at=at,
                    sent_at=at,
                )
            )
    # The long case: a 60-entry timeline.
    case = world.long_case
    for k in range(55):
        events.append(
            CaseEvent(
                concern=case,
                kind=CaseEvent.Kind.NOTE,
                actor_id=case.assignee.user_id,
                at=case.submitted_at + datetime.timedelta(hours=3 + k),
                text=_text(rng, 15),
            )
        )
    with _keeping_given_dates(CaseEvent, AccessLog, Reminder):
        _bulk(CaseEvent, events)
        _bulk(history_model, history)
        _bulk(RoutingDecision, decisions)
        _bulk(ConcernUserObjectPermission, grants)
        _bulk(AccessLog, reads)
        reminders = _bulk(Reminder, reminders)
    _bulk(
        Notification,
        [
            Notification(
                user_id=r.concern.assignee.user_id,
                reminder=r,
                read_at=r.sent_at,
                email_sent_at=r.sent_at,
            )
            for r in reminders
        ],
    )


def seed_checklists(world: World) -> None:
    """An action card applied to every open case: four open tasks each, as apply_card makes them.

    With the follow-ups and referral answers, the open deadlines the sweeper
    watches number about as many as the concerns; 1 % of the tasks fall due now.
    """
    rng = world.rng
    card = ActionCard.objects.order_by("pk").first()
    steps = list(card.steps.order_by("order")[:4])
    tasks = []
    for concern in world.concerns:
        if concern.closed_at is not None:
            continue
        for step in steps:
            if rng.random() < 0.01:
                due = world.now - datetime.timedelta(hours=rng.randint(1, 48))
            else:
                due = world.now + datetime.timedelta(days=rng.randint(1, 60))
            task = ChecklistTask(
                concern=concern,
                card=card,
                step=step,
                order=step.order,
                text_nb=step.text_nb,
                text_da=step.text_da,
                text_en=step.text_en,
                responsible=step.responsible,
                due_at=due,
            )
            # Applied by the handler the day the case came in.
            task._history_user = User(pk=concern.assignee.user_id)
            task._history_date = concern.submitted_at + datetime.timedelta(days=1)
            tasks.append(task)
    _bulk(ChecklistTask, tasks)
    columns = len(ChecklistTask.history.model._meta.concrete_fields)
    ChecklistTask.history.bulk_history_create(
        tasks, batch_size=min(BATCH, _MAX_PARAMETERS // columns)
    )


def open_deadlines() -> int:
    """What the sweeper watches: open follow-ups, open checklist tasks, referral answers due."""
    from referrals.models import Referral  # referrals builds on concerns, not the other way

    return (
        Concern.objects.filter(status__in=Concern.OPEN_STATUSES, follow_up_on__isnull=False).count()
        + ChecklistTask.objects.filter(done_at__isnull=True).count()
        + Referral.objects.filter(status=Referral.Status.SENT).count()
    )


BACKLOG = 40_000


def backlog_dues(count: int) -> list:
    """`count` follow-up reminders on open cases, as a sweep after a long beat outage makes them."""
    recipients = Recipients()
    open_cases = list(
        Concern.objects.filter(status__in=Concern.OPEN_STATUSES)
        .select_related("assignee__user")
        .order_by("pk")
    )
    today = timezone.localdate()
    dues = []
    for n in range(count):
        concern = open_cases[n % len(open_cases)]
        day = today - datetime.timedelta(days=1 + n // len(open_cases))
        dues.append(
            Due(
                kind=NotificationKind.FOLLOW_UP_DUE,
                object_id=concern.pk,
                occurrence=f"backlog-{day.isoformat()}",
                due_at=timezone.now(),
                recipients=recipients.handlers(concern),
                concern_id=concern.pk,
                reference=concern.reference,
                link=case_link(concern),
            )
        )
    return dues


def index_for_search() -> None:
    """The stored search vectors, set-based, as concern_submit writes them one by one."""
    reindex_all()


def vacuum() -> None:
    """What autovacuum does for a live database: statistics, and the visibility map that
    lets counts be answered from an index alone. Outside any transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def make_world(seed: int) -> World:
    return World(rng=random.Random(seed), now=timezone.now())


def model_count(model: type[models.Model]) -> int:
    return model.objects.count()
