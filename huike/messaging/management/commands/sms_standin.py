"""Serve the local stand-in Tencent SMS gateway (see huike/messaging/standin.py).

manage.py sms_standin --port 9000
HUIKE_SMS_PROVIDER=tencent HUIKE_SMS_ENDPOINT=http://127.0.0.1:9000 manage.py run_huey
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from huike.messaging.standin import SmsStandin


class Command(BaseCommand):
    help = "Serve a local stand-in for the Tencent Cloud SMS API (for development and tests)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=9000)
        parser.add_argument("--secret-id", default=settings.HUIKE_SMS_SECRET_ID or "AKIDstandin")
        parser.add_argument("--secret-key", default=settings.HUIKE_SMS_SECRET_KEY or "standin")
        parser.add_argument("--app-id", default=settings.HUIKE_SMS_APP_ID or "1400000000")

    def handle(self, *args, host, port, secret_id, secret_key, app_id, **options):
        standin = SmsStandin(
            secret_id=secret_id, secret_key=secret_key, app_id=app_id, host=host, port=port
        )
        self.stdout.write(
            f"SMS stand-in (Tencent Cloud SMS 2021-01-11) on {standin.endpoint}, "
            f"SecretId {secret_id}, SmsSdkAppId {app_id}"
        )
        try:
            standin.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            standin.server.server_close()
