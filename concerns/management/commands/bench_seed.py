import importlib
import time

from django.apps import apps
from django.conf import settings
from django.core.management import BaseCommand, CommandError, call_command
from django.db import transaction

from concerns import bench


class Command(BaseCommand):
    help = (
        "Fill an empty database with invented data at regional scale for `manage.py bench`. "
        "Refuses a database holding any concern or account it did not make."
    )

    def add_arguments(self, parser):
        parser.add_argument("--concerns", type=int, default=100_000)
        parser.add_argument("--municipalities", type=int, default=10)
        parser.add_argument("--organisations", type=int, default=300)
        parser.add_argument("--users", type=int, default=2000)
        parser.add_argument("--years", type=int, default=3)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **options):
        if not settings.DEBUG and not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError("bench_seed is for a benchmark database, never production.")
        try:
            bench.ensure_empty_of_real_data()
        except bench.RefusedToSeed as refused:
            raise CommandError(f"{refused} Use an empty database.") from refused
        started = time.perf_counter()
        call_command("load_reference_data", verbosity=0)
        world = bench.make_world(options["seed"])
        with transaction.atomic():
            bench.seed_registry(
                world,
                municipalities=options["municipalities"],
                organisations=options["organisations"],
                users=options["users"],
            )
            self._step("registry", started)
            bench.seed_concerns(world, count=options["concerns"], years=options["years"])
            self._step("concerns", started)
            bench.seed_case_records(world)
            self._step("timelines, history, grants, access log, reminders", started)
            bench.seed_checklists(world)
            self._step("checklists", started)
            for app in apps.get_app_configs():
                if app.name == "concerns":
                    continue
                try:
                    module = importlib.import_module(f"{app.name}.bench")
                except ModuleNotFoundError:
                    continue
                module.seed(world)
                self._step(app.name, started)
        bench.index_for_search()
        bench.vacuum()
        self._step("search vectors, vacuum and statistics", started)
        self.stdout.write(
            self.style.SUCCESS(
                f"{options['concerns']} concerns seeded in {time.perf_counter() - started:.0f} s."
            )
        )

    def _step(self, name: str, started: float) -> None:
        self.stdout.write(f"  {name}: {time.perf_counter() - started:.0f} s")
