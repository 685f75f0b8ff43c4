#!/usr/bin/env python
"""Screenshots of the main pages, at desktop and phone width, for docs/screenshots/.

    .venv/bin/python tools/screenshots.py [--contacts 3000] [--out docs/screenshots]

Loads the demo data set into a temporary data folder, serves it with `accord serve` on a free port, signs
in as the user who owns the most deals, made an administrator (so "my day" is full and settings open), and
saves the first screen of each page with headless
Chromium (Debian's package, driven by Playwright, as in the browser tests). Run it after a visible change
and commit the pictures: they are how a newcomer sees the product before installing it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import accord_server, run_accord, sqlite_environment  # noqa: E402

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

DESKTOP: ViewportSize = {"width": 1280, "height": 860}
PHONE: ViewportSize = {"width": 375, "height": 812}
PASSWORD = "screenshots only, thrown away"


def _prepare(env: dict[str, str], contacts: int) -> dict[str, str]:
    """Demo data, plus the URLs of a well-connected contact, company, pipeline and lead; and a user."""
    run_accord(["migrate"], env)
    run_accord(["demo", "--contacts", str(contacts), "--seed", "7"], env)
    script = f"""
import json
from django.db.models import Count
from accord.access.models import Role
from accord.activities.models import InteractionContact
from accord.customers.models import Company
from accord.sales.models import Deal, Lead, Pipeline
from accord.users.models import User
busiest = InteractionContact.objects.values("contact_id").annotate(n=Count("id")).order_by("-n").first()
company = Company.objects.annotate(n=Count("employments")).order_by("-n").first()
pipeline = Pipeline.objects.filter(is_default=True).first() or Pipeline.objects.first()
lead = Lead.objects.filter(status="new").order_by("id").first()
owner = Deal.objects.exclude(owner=None).values("owner_id").annotate(n=Count("id")).order_by("-n").first()
user = User.objects.get(pk=owner["owner_id"])
user.role = Role.objects.get(key="administrator")
user.set_password({PASSWORD!r})
user.save()
print(json.dumps({{
    "username": user.username,
    "contact": busiest["contact_id"], "company": company.pk, "pipeline": pipeline.pk, "lead": lead.pk,
}}))
"""
    output = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env={**os.environ, **env, "DJANGO_SETTINGS_MODULE": "config.settings.dev"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def _pages(ids: dict[str, str]) -> dict[str, str]:
    return {
        "home": "/",
        "contacts-list": "/contacts/",
        "contact-360": f"/contacts/{ids['contact']}/",
        "company-360": f"/companies/{ids['company']}/",
        "deal-board": f"/deals/board/{ids['pipeline']}/",
        "lead-conversion": f"/leads/{ids['lead']}/convert/",
        "settings-roles": "/settings/roles/",
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contacts", type=int, default=3000)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import chromium_path

    args.out.mkdir(parents=True, exist_ok=True)
    with sqlite_environment() as env:
        ids = _prepare(env, args.contacts)
        with accord_server(env, workers=1, threads=4) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True)
            for width_name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                context = browser.new_context(
                    base_url=base, viewport=viewport, is_mobile=width_name == "phone"
                )
                page = context.new_page()
                page.goto("/login/")
                page.get_by_label("Username").fill(ids["username"])
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url(lambda url: "/login/" not in url)
                for name, path in _pages(ids).items():
                    response = page.goto(path)
                    if response is None or not response.ok:
                        raise SystemExit(f"{path} answered {response and response.status}")
                    page.wait_for_load_state("networkidle")
                    target = args.out / f"{name}-{width_name}.png"
                    page.screenshot(path=str(target))
                    print(target.relative_to(ROOT))
                context.close()
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
