"""The Tencent SMS adapter against the stand-in gateway, over HTTP, through the official SDK."""

import json
import time
import urllib.request

import pytest

from huike.messaging.providers import ProviderError, provider_for
from huike.messaging.tencent_sms import TencentSmsProvider

from .conftest import APP_ID, SECRET_ID


class _Msg:
    def __init__(self, ref="huike:1:1", purpose="test.hello", phone="+8613800138000"):
        self.purpose = purpose
        self.params = ["王先生", "8折"]
        self.recipient = phone
        self.client_reference = ref


def test_send_reaches_the_gateway_with_template_and_reference(gateway):
    receipt = provider_for("sms").send(_Msg())
    [sent] = gateway.sent_to("+8613800138000")
    assert sent.serial_no == receipt.provider_message_id
    assert (sent.template_id, sent.params, sent.sign_name) == (
        "100001",
        ["王先生", "8折"],
        "回客测试",
    )
    assert sent.session_context == "huike:1:1"


def test_gateway_deduplicates_on_the_client_reference(gateway):
    provider = provider_for("sms")
    first = provider.send(_Msg(ref="huike:1:7"))
    again = provider.send(_Msg(ref="huike:1:7"))
    assert first == again
    assert len(gateway.messages) == 1


def test_bad_signature_is_refused_and_nothing_sent(gateway, settings):
    provider = TencentSmsProvider(
        endpoint=settings.HUIKE_SMS_ENDPOINT,
        region="ap-guangzhou",
        secret_id=SECRET_ID,
        secret_key="not-the-secret",
        app_id=APP_ID,
        sign_name="回客测试",
        templates={"test.hello": "100001"},
    )
    with pytest.raises(ProviderError) as refused:
        provider.send(_Msg())
    assert refused.value.code == "AuthFailure.SignatureFailure"
    assert gateway.messages == [] and gateway.refused_signatures == 1


def test_unsigned_raw_request_gets_the_documented_error_body(gateway, settings):
    body = json.dumps({"SmsSdkAppId": APP_ID, "PhoneNumberSet": ["+8613800138000"]}).encode()
    request = urllib.request.Request(
        settings.HUIKE_SMS_ENDPOINT + "/",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-TC-Action": "SendSms",
            "X-TC-Version": "2021-01-11",
            "X-TC-Timestamp": str(int(time.time())),
            "Authorization": f"TC3-HMAC-SHA256 Credential={SECRET_ID}/2020-01-01/sms/tc3_request, "
            f"SignedHeaders=content-type;host, Signature={'0' * 64}",
        },
    )
    with urllib.request.urlopen(request, timeout=5) as answer:
        data = json.loads(answer.read())
    assert data["Response"]["Error"]["Code"].startswith("AuthFailure.")
    assert gateway.messages == []


def test_unknown_purpose_is_a_permanent_error(gateway):
    with pytest.raises(ProviderError) as refused:
        provider_for("sms").send(_Msg(purpose="nobody.configured.this"))
    assert refused.value.permanent
    assert gateway.messages == []


def test_delivery_reports_are_handed_out_once(gateway):
    gateway.undeliverable.add("+8613900139000")
    provider = provider_for("sms")
    ok = provider.send(_Msg(ref="huike:1:1"))
    bad = provider.send(_Msg(ref="huike:1:2", phone="+8613900139000"))
    reports = {r.provider_message_id: r for r in provider.delivery_reports()}
    assert reports[ok.provider_message_id].delivered
    assert not reports[bad.provider_message_id].delivered
    assert reports[bad.provider_message_id].client_reference == "huike:1:2"
    assert provider.delivery_reports() == []


def test_no_provider_when_sms_is_not_configured(no_sms):
    assert provider_for("sms") is None
