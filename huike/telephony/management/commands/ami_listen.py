"""Listen to an Asterisk AMI and pop every ringing inbound call on one telephone line."""

from __future__ import annotations

import asyncio

from django.core.management.base import BaseCommand, CommandError

from huike.telephony.ami import AmiListener, AmiLoginFailed, AmiSettings, line_receiver
from huike.telephony.models import TelephonyLine


class Command(BaseCommand):
    help = "Listen to an Asterisk AMI and pop ringing inbound calls at the line's desk."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=5038)
        parser.add_argument("--username", required=True)
        parser.add_argument("--secret", required=True)
        parser.add_argument("--line", required=True, help="the telephone line's code")
        parser.add_argument("--tenant", default="", help="the brand group's code, if ambiguous")
        parser.add_argument(
            "--context",
            action="append",
            default=[],
            help="an inbound dialplan context (repeatable); default: every context",
        )

    def handle(self, *args, **options):
        lines = TelephonyLine.all_tenants.filter(code=options["line"], active=True)
        if options["tenant"]:
            lines = lines.filter(tenant__code=options["tenant"])
        found = list(lines[:2])
        if len(found) != 1:
            raise CommandError(
                f"{len(found) or 'no'} active lines with code {options['line']!r}; "
                "give --tenant when the code exists in several brand groups"
            )
        settings = AmiSettings(
            host=options["host"],
            port=options["port"],
            username=options["username"],
            secret=options["secret"],
            contexts=frozenset(options["context"]),
        )
        listener = AmiListener(settings, line_receiver(found[0].pk))
        try:
            asyncio.run(listener.run())
        except AmiLoginFailed as exc:
            raise CommandError(f"AMI login refused: {exc}") from exc
        except KeyboardInterrupt:
            self.stdout.write("stopped")
