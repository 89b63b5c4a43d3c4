"""``manage.py notices_reminders``: send the booking reminders that are due now (what the
five-minute job does), e.g. from cron where no Huey worker runs."""

from django.core.management.base import BaseCommand

from huike.notices.tasks import reminders_send_all


class Command(BaseCommand):
    help = "Send the booking reminders that are due, in every brand group."

    def handle(self, *args, **options):
        sent = reminders_send_all()
        self.stdout.write(f"{sent} reminder(s) sent")
