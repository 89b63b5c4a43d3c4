import pytest

from huike.messaging.standin import SmsStandin

SECRET_ID = "AKIDstandin0001"
SECRET_KEY = "standin-secret-key"
APP_ID = "1400000001"


@pytest.fixture
def gateway(settings):
    """The stand-in Tencent SMS gateway on a free port, with the adapter configured for it."""
    standin = SmsStandin(secret_id=SECRET_ID, secret_key=SECRET_KEY, app_id=APP_ID).start()
    settings.HUIKE_SMS_PROVIDER = "tencent"
    settings.HUIKE_SMS_ENDPOINT = standin.endpoint
    settings.HUIKE_SMS_SECRET_ID = SECRET_ID
    settings.HUIKE_SMS_SECRET_KEY = SECRET_KEY
    settings.HUIKE_SMS_APP_ID = APP_ID
    settings.HUIKE_SMS_SIGN_NAME = "回客测试"
    settings.HUIKE_SMS_TEMPLATES = {"test.hello": "100001", "loyalty.coupon_issued": "100002"}
    settings.HUIKE_SMS_TIMEOUT_SECONDS = 5
    settings.HUIKE_MESSAGE_MAX_ATTEMPTS = 3
    yield standin.state
    standin.stop()


@pytest.fixture
def no_sms(settings):
    settings.HUIKE_SMS_PROVIDER = ""


@pytest.fixture
def smtp_server(settings):
    """A local SMTP server (aiosmtpd) on a free port, with the email provider pointed at it.
    ``.received`` holds the envelopes; ``.refuse`` is a set of addresses answered with 550."""
    import socket

    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self):
            self.received = []
            self.refuse = set()

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address in self.refuse:
                return "550 5.1.1 mailbox unavailable"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            self.received.append(envelope)
            return "250 Message accepted for delivery"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.HUIKE_EMAIL_HOST = "127.0.0.1"
    settings.HUIKE_EMAIL_PORT = port
    settings.HUIKE_EMAIL_FROM = "hello@huike.example"
    settings.HUIKE_EMAIL_TIMEOUT_SECONDS = 5
    yield handler
    controller.stop()
