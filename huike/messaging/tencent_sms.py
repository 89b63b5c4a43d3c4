"""Tencent Cloud SMS (腾讯云短信) through its official SDK, ``tencentcloud-sdk-python-sms``,
API version 2021-01-11: ``SendSms`` to send, ``PullSmsSendStatus`` for delivery reports.

The endpoint is configurable (``HUIKE_SMS_ENDPOINT``, e.g. ``http://127.0.0.1:9000`` for the
local stand-in in ``standin.py``). The message's own reference goes out as ``SessionContext``
on every attempt. Tencent sends a template with parameters, not free text: the purpose of a
message maps to a template id by ``HUIKE_SMS_TEMPLATES``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
    TencentCloudSDKException,
)
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models, sms_client

from .providers import DeliveryReport, ProviderError, SendReceipt

# Error codes after which another attempt cannot succeed (the number, text or template is wrong).
PERMANENT_PREFIXES = (
    "InvalidParameter",
    "InvalidParameterValue",
    "MissingParameter",
    "UnsupportedOperation",
    "FailedOperation.PhoneNumber",
    "FailedOperation.ContainSensitiveWord",
    "FailedOperation.Template",
    "FailedOperation.SignatureIncorrectOrUnapproved",
    "LimitExceeded.PhoneNumberDailyLimit",
    "LimitExceeded.PhoneNumberSameContentDailyLimit",
    "UnauthorizedOperation.SmsSdkAppIdVerifyFail",
)

# The request may have reached the gateway, but no answer came back.
AMBIGUOUS = {"ClientNetworkError", "ServerNetworkError", "InternalError.Timeout"}


def is_permanent(code: str) -> bool:
    return code.startswith(PERMANENT_PREFIXES)


class TencentSmsProvider:
    name = "tencent"

    def __init__(
        self,
        *,
        endpoint: str,
        region: str,
        secret_id: str,
        secret_key: str,
        app_id: str,
        sign_name: str,
        templates: dict[str, str],
        timeout: int = 10,
    ):
        parts = urlsplit(endpoint if "//" in endpoint else f"https://{endpoint}")
        http = HttpProfile(
            protocol=parts.scheme or "https",
            endpoint=parts.netloc,
            reqMethod="POST",
            reqTimeout=timeout,
        )
        self.client = sms_client.SmsClient(
            credential.Credential(secret_id, secret_key), region, ClientProfile(httpProfile=http)
        )
        self.app_id = app_id
        self.sign_name = sign_name
        self.templates = templates

    @classmethod
    def from_settings(cls) -> TencentSmsProvider:
        return cls(
            endpoint=settings.HUIKE_SMS_ENDPOINT,
            region=settings.HUIKE_SMS_REGION,
            secret_id=settings.HUIKE_SMS_SECRET_ID,
            secret_key=settings.HUIKE_SMS_SECRET_KEY,
            app_id=settings.HUIKE_SMS_APP_ID,
            sign_name=settings.HUIKE_SMS_SIGN_NAME,
            templates=settings.HUIKE_SMS_TEMPLATES,
            timeout=settings.HUIKE_SMS_TIMEOUT_SECONDS,
        )

    def _call(self, method, request):
        try:
            return method(request)
        except TencentCloudSDKException as exc:
            code = exc.get_code() or "ClientError"
            raise ProviderError(
                code,
                str(exc.get_message()),
                permanent=is_permanent(code),
                ambiguous=code in AMBIGUOUS,
            ) from exc
        except OSError as exc:  # the SDK lets some connection errors through
            raise ProviderError("ClientNetworkError", str(exc), ambiguous=True) from exc

    def send(self, message) -> SendReceipt:
        template_id = self.templates.get(message.purpose)
        if not template_id:
            raise ProviderError(
                "TemplateNotConfigured",
                f"no Tencent SMS template id for purpose {message.purpose!r} in "
                "HUIKE_SMS_TEMPLATES",
                permanent=True,
            )
        request = models.SendSmsRequest()
        request.SmsSdkAppId = self.app_id
        request.SignName = self.sign_name
        request.TemplateId = template_id
        request.TemplateParamSet = [str(p) for p in (message.params or [])]
        request.PhoneNumberSet = [message.recipient]
        request.SessionContext = message.client_reference
        response = self._call(self.client.SendSms, request)
        statuses = response.SendStatusSet or []
        if not statuses:
            raise ProviderError("EmptyResponse", "SendSms answered without a send status")
        status = statuses[0]
        if status.Code != "Ok":
            raise ProviderError(
                status.Code, status.Message or "", permanent=is_permanent(status.Code)
            )
        return SendReceipt(provider_message_id=status.SerialNo)

    def delivery_reports(self, limit: int = 100) -> list[DeliveryReport]:
        """Reports not fetched before (Tencent hands each one out once)."""
        request = models.PullSmsSendStatusRequest()
        request.SmsSdkAppId = self.app_id
        request.Limit = limit
        response = self._call(self.client.PullSmsSendStatus, request)
        reports = []
        for item in response.PullSmsSendStatusSet or []:
            at = (
                datetime.fromtimestamp(int(item.UserReceiveTime), tz=UTC)
                if item.UserReceiveTime
                else None
            )
            reports.append(
                DeliveryReport(
                    provider_message_id=item.SerialNo or "",
                    client_reference=item.SessionContext or "",
                    delivered=item.ReportStatus == "SUCCESS",
                    at=at,
                    description=item.Description or "",
                )
            )
        return reports
