"""Measure the pages and the sweep on the database `bench_seed` filled.

In-process, with Django's test client, DEBUG off: a warm-up, then at least
30 requests per case; p50, p95, max and the number of SQL queries of one
request. A floor is measured in the same run (an indexed 50-row page with its
count, and a 50-row render), so every figure is also a ratio to the floor,
which survives a noisy machine. See docs/performance.md.
"""

import json
import statistics
import time
import uuid
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.management import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.template import Context, Template, engines
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from concerns import reminders
from concerns.bench import BACKLOG, BENCH_PREFIX, backlog_dues, open_deadlines
from concerns.models import Concern, Subject
from measures.models import Phenomenon
from partners.models import Contact, Municipality, Role, User

# Case name → (target p95 in ms, the kind of page): docs/performance.md.
TARGETS = {
    "list": 60.0,
    "search": 150.0,
    "filing": 150.0,
    "statistics": 500.0,
}


@dataclass
class Result:
    case: str
    kind: str
    p50_ms: float
    p95_ms: float
    max_ms: float
    queries: int
    ratio_to_floor: float = 0.0
    target_ms: float | None = None
    floor_p95_ms: float | None = None  # the floor measured alongside this case

    @property
    def met(self) -> bool:
        within_target = self.target_ms is None or self.p95_ms <= self.target_ms
        within_floor = self.kind != "list" or self.ratio_to_floor <= 5.0
        return within_target and within_floor


class _QueryCounter:
    """Counts every query the connection runs, whatever the request signals do to its log."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self._wrapping = connection.execute_wrapper(self)
        self._wrapping.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapping.__exit__(*exc)

    def __len__(self):
        return self.count


def _python_loop_ms() -> float:
    """How fast this machine is now, in a figure comparable across runs and machines."""
    started = time.perf_counter()
    total = 0
    for step in range(10_000_000):
        total += step
    return round((time.perf_counter() - started) * 1000)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


class Command(BaseCommand):
    help = "Benchmark the pages and the reminder sweep on a database filled by bench_seed."
    # The system checks build the template engines, and with the local
    # settings' DEBUG they would be built as in development: templates parsed
    # again on every render. Production caches them; so must the benchmark.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=30)
        parser.add_argument("--warmup", type=int, default=3)
        parser.add_argument("--json", dest="json_path")
        parser.add_argument(
            "--backlog", type=int, default=BACKLOG, help="reminders waiting after an outage"
        )
        parser.add_argument(
            "--only",
            action="append",
            default=[],
            help="a case name (repeatable); 'sweep' for sweeps",
        )

    def handle(self, *args, **options):
        if not User.objects.filter(username__startswith=BENCH_PREFIX).exists():
            raise CommandError("Run `manage.py bench_seed` first.")
        # What production runs: no debug machinery, no second factor for the
        # in-process client (signing in is not what is measured).
        settings.DEBUG = False
        settings.TWO_FACTOR_REQUIRED = False
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        if engines["django"].engine.debug:
            raise CommandError(
                "The template engine was built with DEBUG on: not what production runs."
            )
        self.repeat, self.warmup = max(30, options["repeat"]), options["warmup"]
        self.backlog = options["backlog"]
        only = set(options["only"])

        self.floor_page = self._floor_page()
        floor = self._floor()
        results = []
        for name, kind, user, method, url, data in self._cases():
            if only and name not in only:
                continue
            results.append(self._measure(name, kind, user, method, url, data))
        if not only or "sweep" in only:
            results += self._sweeps()
        for result in results:
            result.ratio_to_floor = round(result.p95_ms / (result.floor_p95_ms or floor.p95_ms), 1)
        self._report(floor, results, options["json_path"])

    # --- the cases ----------------------------------------------------------------------

    def _cases(self):
        municipality = Municipality.objects.filter(code__startswith=BENCH_PREFIX).order_by("pk")[0]
        coordinator = Contact.objects.get(
            organisation__slug=f"{BENCH_PREFIX}slt-{municipality.code.split('-')[-1]}"
        ).user
        police = Contact.objects.get(
            organisation__slug=f"{BENCH_PREFIX}police-{municipality.code.split('-')[-1]}"
        ).user
        busiest_org = (
            Concern.objects.filter(municipality=municipality)
            .values("reporter_organisation")
            .order_by()
            .annotate(n=Count("pk"))
            .order_by("-n")[0]["reporter_organisation"]
        )
        resource = User.objects.get(organisation=busiest_org, roles__code=Role.Code.RESOURCE_PERSON)
        heavy = (
            User.objects.filter(username__startswith=BENCH_PREFIX)
            .annotate(n=Count("concerns_reported"))
            .order_by("-n")[0]
        )
        long_case = Concern.objects.annotate(n=Count("events")).order_by("-n")[0]
        receiver = (
            User.objects.filter(
                organisation__incoming_referrals__status__in=["sent", "accepted"],
                username__startswith=BENCH_PREFIX,
            )
            .annotate(n=Count("organisation__incoming_referrals"))
            .order_by("-n")[0]
        )
        person = (
            Concern.objects.values("subject")
            .order_by()
            .annotate(n=Count("pk"))
            .order_by("-n")[0]["subject"]
        )
        subject = Subject.objects.get(pk=person)
        district = municipality.districts.first()
        inbox = reverse("concerns:inbox")
        last_page = (
            Concern.objects.filter(municipality=municipality).exclude(status="draft").count() // 50
        )
        filer = User.objects.filter(
            username__startswith=f"{BENCH_PREFIX}frontline",
            organisation__municipalities=municipality,
        ).first()
        return [
            ("inbox", "list", coordinator, "get", inbox, None),
            (
                "inbox, status and district",
                "list",
                coordinator,
                "get",
                f"{inbox}?status=in_follow_up&district={district.pk}",
                None,
            ),
            ("inbox, keyword search", "search", coordinator, "get", f"{inbox}?q=kniv", None),
            ("inbox, last page", "list", coordinator, "get", f"{inbox}?page={last_page}", None),
            ("resource person's list", "list", resource, "get", inbox, None),
            ("police contact's list", "list", police, "get", inbox, None),
            ("my concerns", "list", heavy, "get", reverse("concerns:mine"), None),
            ("incoming referrals", "list", receiver, "get", reverse("referrals:incoming"), None),
            (
                "case page, long timeline",
                "list",
                long_case.assignee.user,
                "get",
                reverse("concerns:detail", args=[long_case.public_id]),
                None,
            ),
            (
                "subject chronology",
                "list",
                User.objects.get(
                    organisation__slug=f"{BENCH_PREFIX}slt-{subject.municipality.code.split('-')[-1]}"
                ),
                "get",
                reverse("concerns:chronology", args=[subject.public_id]),
                None,
            ),
            ("filing (POST)", "filing", filer, "post", reverse("concerns:new"), "filing"),
            (
                "statistics for a year",
                "statistics",
                coordinator,
                "get",
                f"{reverse('statistics:page')}?municipality={municipality.code}"
                f"&year={timezone.localdate().year - 1}&period=year",
                None,
            ),
        ]

    def _filing_data(self, user):
        municipality = user.organisation.municipalities.get()
        return {
            "municipality": municipality.pk,
            "subject_name": f"Oppdiktet Målt {uuid.uuid4().hex[:8]}",
            "subject_birth_year": "2008",
            "observations": "Har delt voldelige bilder i klassens chat.",
            "observed_on": timezone.localdate().isoformat(),
            "phenomenon": Phenomenon.objects.order_by("pk").first().pk,
            "urgency": "normal",
            "prevention_level": "selective",
            "guardians_informed": "yes",  # born 2008: under 18 by birth year alone
            "action": "submit",
        }

    # --- measuring ----------------------------------------------------------------------

    def _measure(self, name, kind, user, method, url, data) -> Result:
        client = Client()
        client.force_login(user)

        def request():
            payload = self._filing_data(user) if data == "filing" else data
            response = getattr(client, method)(url, payload)
            # A form that comes back is a failed filing, not a measurement.
            expected = 302 if method == "post" else 200
            if response.status_code != expected:
                raise CommandError(f"{name}: {url} answered {response.status_code}")

        for _ in range(self.warmup):
            request()
        with _QueryCounter() as queries:
            request()
        # The floor is measured between the requests, so both see the same
        # machine: a virtual machine's speed drifts over minutes.
        timings, floor_timings = [], []
        for _ in range(self.repeat):
            started = time.perf_counter()
            self.floor_page()
            floor_timings.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            request()
            timings.append((time.perf_counter() - started) * 1000)
        return Result(
            case=name,
            kind=kind,
            p50_ms=round(statistics.median(timings), 1),
            p95_ms=round(_percentile(timings, 0.95), 1),
            max_ms=round(max(timings), 1),
            queries=len(queries),
            target_ms=TARGETS.get(kind),
            floor_p95_ms=round(_percentile(floor_timings, 0.95), 1),
        )

    def _floor_page(self):
        """An indexed 50-row page with its count, and a 50-row render: what any page costs."""
        template = Template(
            "{% for c in rows %}<tr><td>{{ c.reference }}</td><td>{{ c.status }}</td>"
            "<td>{{ c.submitted_at|date:'SHORT_DATE_FORMAT' }}</td></tr>{% endfor %}{{ total }}"
        )
        municipality = Municipality.objects.filter(code__startswith=BENCH_PREFIX).order_by("pk")[0]

        def page():
            rows = list(
                Concern.objects.filter(municipality=municipality).order_by("-submitted_at", "-id")[
                    :50
                ]
            )
            total = Concern.objects.filter(municipality=municipality).count()
            template.render(Context({"rows": rows, "total": total}))

        return page

    def _floor(self) -> Result:
        """The floor on its own, for the sweeps and the report's headline."""
        for _ in range(self.warmup):
            self.floor_page()
        timings = []
        for _ in range(self.repeat):
            started = time.perf_counter()
            self.floor_page()
            timings.append((time.perf_counter() - started) * 1000)
        return Result(
            "floor",
            "floor",
            round(statistics.median(timings), 1),
            round(_percentile(timings, 0.95), 1),
            round(max(timings), 1),
            2,
        )

    def _sweeps(self) -> list[Result]:
        """The reminder sweep with 1 % of open deadlines due, then with nothing due.

        Both in a transaction that is rolled back: the next run finds the
        same deadlines due, as bench_seed left them.
        """
        results = []
        with transaction.atomic():
            for name, target in (
                ("reminder sweep, 1 % due", 5000.0),
                ("reminder sweep, nothing due", 50.0),
            ):
                with _QueryCounter() as queries:
                    started = time.perf_counter()
                    made = reminders.sweep(deliver=False)
                    elapsed = (time.perf_counter() - started) * 1000
                self.stdout.write(f"  {name}: {made} reminders made")
                results.append(
                    Result(
                        name,
                        "sweep",
                        round(elapsed, 1),
                        round(elapsed, 1),
                        round(elapsed, 1),
                        len(queries),
                        target_ms=target,
                    )
                )
            transaction.set_rollback(True)
        results.append(self._backlog())
        return results

    def _backlog(self) -> Result:
        """40,000 due reminders waiting (as after a beat outage), delivered by one worker.

        Made and delivered in a transaction that is rolled back, so the
        database stays as bench_seed left it. E-mails go to memory.
        """
        in_memory = override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
        with transaction.atomic(), in_memory:
            waiting = reminders.create_reminders(backlog_dues(self.backlog))
            with _QueryCounter() as queries:
                started = time.perf_counter()
                delivered = reminders.deliver_pending()
                elapsed = (time.perf_counter() - started) * 1000
            transaction.set_rollback(True)
        self.stdout.write(f"  backlog: {waiting} waiting, {delivered} delivered")
        return Result(
            f"delivering a backlog of {waiting}",
            "sweep",
            round(elapsed, 1),
            round(elapsed, 1),
            round(elapsed, 1),
            len(queries),
            target_ms=60000.0 * waiting / BACKLOG,  # 40,000 in a minute
        )

    # --- the report ---------------------------------------------------------------------

    def _report(self, floor: Result, results: list[Result], json_path: str | None) -> None:
        counts = {
            "concerns": Concern.objects.count(),
            "open_deadlines": open_deadlines(),
            "vendor": connection.vendor,
            "python_loop_ms": _python_loop_ms(),
        }
        self.stdout.write(
            f"\n{counts['concerns']} concerns, {counts['open_deadlines']} open deadlines, "
            f"on {counts['vendor']}; floor p95 {floor.p95_ms} ms; "
            f"this machine runs a 10-million-step Python loop in {counts['python_loop_ms']} ms\n"
        )
        header = (
            f"{'case':38} {'p50':>8} {'p95':>8} {'max':>8} {'queries':>8} "
            f"{'floor':>7} {'× floor':>8}  target"
        )
        self.stdout.write(header)
        for r in results:
            target = f"{r.target_ms:.0f} ms" if r.target_ms else ""
            mark = "ok" if r.met else "MISSED"
            floor_p95 = f"{r.floor_p95_ms:7.1f}" if r.floor_p95_ms else f"{'':7}"
            self.stdout.write(
                f"{r.case:38} {r.p50_ms:8.1f} {r.p95_ms:8.1f} {r.max_ms:8.1f} "
                f"{r.queries:8d} {floor_p95} {r.ratio_to_floor:8.1f}  {target} {mark}"
            )
        if json_path:
            with open(json_path, "w", encoding="utf-8") as out:
                json.dump(
                    {
                        **counts,
                        "floor": asdict(floor),
                        "results": [{**asdict(r), "met": r.met} for r in results],
                    },
                    out,
                    indent=2,
                )
