"""Set up the single sign-on demo (`make run-sso`): the test provider's users, and our side.

Writes var/sso-demo/provider.json for tests/oidc_provider/server.js, switches
the demo provider "Trondheim kommune (demo)" on, and links the Trondheim demo
accounts to their provider accounts, so that `trd-coordinator` signs in at the
provider without a password here. Every person is invented. Demo data only.
"""

import json
import secrets
from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, CommandError

from config.env import VAR_DIR
from partners.demo import DEMO_PASSWORD
from partners.models import ExternalIdentity, IdentityProvider, User

SLUG = "trondheim-demo"
CLIENT_ID = "bekymring-demo"
DEMO_DIR = VAR_DIR / "sso-demo"
GROUP_COORDINATOR = "bekymring-trondheim-coordinator"
GROUP_FRONTLINE = "bekymring-trondheim-frontline"

# The provider's side of the Trondheim demo accounts: the same usernames, the
# demo password, groups that the demo mappings turn into their roles, and MFA
# claimed by the provider for all but one (who then steps up with TOTP when
# TWO_FACTOR_REQUIRED=1).
PROVIDER_USERS = [
    ("trd-coordinator", "Siri", "Koordinator (demo)", [GROUP_COORDINATOR], ["pwd", "mfa"]),
    ("trd-frontline", "Frida", "Frontlinje (demo)", [GROUP_FRONTLINE], ["pwd", "mfa"]),
    # Not yet given a role: signs in to the page that says whom to ask.
    ("trd-ny-ansatt", "Nora", "Nyansatt (demo)", ["ikke-tilordnet"], ["pwd"]),
]


def _secret(path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


class Command(BaseCommand):
    help = "Prepare the single sign-on demo with the loopback test provider (make run-sso)."

    def add_arguments(self, parser):
        parser.add_argument("--site", default="http://127.0.0.1:8000")
        parser.add_argument("--issuer", default="http://127.0.0.1:9001")
        parser.add_argument("--out", default=str(DEMO_DIR), help="where the files are written")

    def handle(self, *args, site, issuer, out, **options):
        out = Path(out)
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError("Demo data is not allowed here (DEMO_DATA_ALLOWED is off).")
        provider = IdentityProvider.objects.filter(slug=SLUG).first()
        if provider is None:
            raise CommandError("Run `manage.py seed_demo` first: it makes the demo provider.")
        provider.issuer = issuer
        provider.is_active = True
        provider._change_reason = "make run-sso"
        provider.save()
        users = []
        for username, given, family, groups, amr in PROVIDER_USERS:
            sub = f"demo-{username}"
            users.append(
                {
                    "sub": sub,
                    "username": username,
                    "password": DEMO_PASSWORD,
                    "email": f"{username}@trondheim-demo.invalid",
                    "name": f"{given} {family}",
                    "given_name": given,
                    "family_name": family,
                    "groups": groups,
                    "amr": amr,
                }
            )
            account = User.objects.filter(username=username).first()
            if account is not None:
                ExternalIdentity.objects.get_or_create(
                    provider=provider, subject=sub, defaults={"user": account}
                )
        config = {
            "port": int(issuer.rsplit(":", 1)[1].split("/")[0]),
            "issuer": issuer,
            "admin_token": _secret(out / "admin-token"),
            "keys_file": str(out / "keys.json"),
            "clients": [
                {
                    "client_id": CLIENT_ID,
                    "client_secret": _secret(out / "client-secret"),
                    "client_name": "Bekymring (demo)",
                    "redirect_uris": [f"{site}/accounts/sso/{SLUG}/callback/"],
                    "post_logout_redirect_uris": [f"{site}/accounts/login/"],
                    "backchannel_logout_uri": f"{site}/accounts/sso/{SLUG}/backchannel-logout/",
                    "grant_types": ["authorization_code", "refresh_token"],
                }
            ],
            "users": users,
        }
        config_file = out / "provider.json"
        config_file.write_text(json.dumps(config, indent=2, ensure_ascii=False))
        config_file.chmod(0o600)
        self.stdout.write(f"Demo provider {issuer} for {provider.name}; config {config_file}.")
        self.stdout.write(
            "Change a group at the provider, e.g. make trd-coordinator a school's frontline:\n"
            f"  curl -s -X POST {issuer}/_admin/users/trd-coordinator "
            f'-H "Authorization: Bearer $(cat {out / "admin-token"})" '
            "-H 'Content-Type: application/json' "
            f'-d \'{{"groups": ["{GROUP_FRONTLINE}"]}}\''
        )
