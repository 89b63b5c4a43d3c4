from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from huike.core.api_auth import api_key_create


class Command(BaseCommand):
    help = "Issue an API key that acts as the given user (with that user's role). Shown once."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--name", default="", help="what the key is for (e.g. POS Changsha)")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        if user.tenant_id is None:
            raise CommandError(f"{username!r} belongs to no brand group")
        _, key = api_key_create(user=user, name=name or f"key for {username}")
        self.stdout.write(key)
