"""A local stand-in for Tencent Cloud SMS (API 3.0, version 2021-01-11), close enough to the
documented protocol for the official SDK: requests are POSTed as JSON to ``/`` with
``X-TC-Action`` and a ``TC3-HMAC-SHA256`` Authorization header, which is checked with the
configured secret (a bad one gets ``AuthFailure.SignatureFailure`` in the documented error body,
HTTP 200, as the real gateway answers). ``SendSms`` records each message and de-duplicates on
``SessionContext``; ``PullSmsSendStatus`` hands out each delivery report once.

It can be told to fail: ``fail_next(n, code)`` refuses the next n sends with an error, and
``lose_answers(n)`` accepts the next n sends but answers 502, as if the connection broke after
the gateway took the message. Run it with ``manage.py sms_standin --port N``; tests start it in
a thread (``SmsStandin(...).start()``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SERVICE = "sms"
MAX_CLOCK_SKEW = 300
AUTH_RE = re.compile(
    r"^TC3-HMAC-SHA256 Credential=(?P<id>[^/]+)/(?P<date>\d{4}-\d{2}-\d{2})/(?P<service>[^/]+)"
    r"/tc3_request, SignedHeaders=(?P<signed>[a-z0-9;-]+), Signature=(?P<sig>[0-9a-f]{64})$"
)


def tc3_signature(
    *,
    secret_key: str,
    method: str,
    uri: str,
    query: str,
    headers: dict,
    signed: str,
    payload: bytes,
    timestamp: str,
    date: str,
    service: str,
) -> str:
    """The TC3-HMAC-SHA256 signature as Tencent Cloud documents it (签名方法 v3)."""
    names = signed.split(";")
    canonical_headers = "".join(f"{n}:{headers.get(n, '').strip()}\n" for n in names)
    canonical_request = "\n".join(
        [method, uri, query, canonical_headers, signed, hashlib.sha256(payload).hexdigest()]
    )
    scope = f"{date}/{service}/tc3_request"
    to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            timestamp,
            scope,
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )

    def _hmac(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


@dataclass
class StandinMessage:
    serial_no: str
    phone: str
    app_id: str
    sign_name: str
    template_id: str
    params: list[str]
    session_context: str
    received_at: float = field(default_factory=time.time)


class GatewayState:
    """What the stand-in has received; shared by the handler threads under one lock."""

    def __init__(self, *, secret_id: str, secret_key: str, app_id: str):
        self.secret_id = secret_id
        self.secret_key = secret_key
        self.app_id = app_id
        self.lock = threading.Lock()
        self.messages: list[StandinMessage] = []
        self.by_context: dict[str, StandinMessage] = {}
        self.pending_reports: list[dict] = []
        self.undeliverable: set[str] = set()
        self.requests = 0
        self.refused_signatures = 0
        self._fail: list[tuple[str, str]] = []
        self._lose = 0

    def fail_next(self, n: int = 1, code: str = "InternalError.Timeout", message: str = "") -> None:
        with self.lock:
            self._fail.extend([(code, message or "stand-in told to fail")] * n)

    def lose_answers(self, n: int = 1) -> None:
        with self.lock:
            self._lose += n

    def sent_to(self, phone: str) -> list[StandinMessage]:
        with self.lock:
            return [m for m in self.messages if m.phone == phone]


class _Handler(BaseHTTPRequestHandler):
    server_version = "sms-standin/1.0"
    state: GatewayState  # set on the subclass made per server

    def log_message(self, format, *args):  # quiet in tests
        pass

    def _answer(self, body: dict, status: int = 200) -> None:
        data = json.dumps({"Response": body}, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, code: str, message: str) -> None:
        self._answer({"Error": {"Code": code, "Message": message}, "RequestId": str(uuid.uuid4())})

    def do_GET(self):
        self._error("UnsupportedOperation", "the stand-in takes POST requests only")

    def do_POST(self):
        state = self.state
        payload = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with state.lock:
            state.requests += 1
        problem = self._check_signature(payload)
        if problem:
            with state.lock:
                state.refused_signatures += 1
            self._error(*problem)
            return
        try:
            params = json.loads(payload or b"{}")
        except ValueError:
            self._error("FailedOperation.JsonParseFail", "the body is no JSON")
            return
        action = self.headers.get("X-TC-Action", "")
        if self.headers.get("X-TC-Version") != "2021-01-11":
            self._error("InvalidParameter", "the stand-in speaks API version 2021-01-11 only")
        elif action == "SendSms":
            self._send_sms(params)
        elif action == "PullSmsSendStatus":
            self._pull_status(params)
        else:
            self._error("InvalidAction", f"action {action!r} is not supported by the stand-in")

    def _check_signature(self, payload: bytes) -> tuple[str, str] | None:
        state = self.state
        match = AUTH_RE.match(self.headers.get("Authorization", ""))
        if not match:
            return "AuthFailure.InvalidAuthorization", "Authorization header is malformed"
        if match["id"] != state.secret_id:
            return "AuthFailure.SecretIdNotFound", "the SecretId is not found"
        timestamp = self.headers.get("X-TC-Timestamp", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_CLOCK_SKEW:
            return "AuthFailure.SignatureExpire", "the signature has expired"
        day = datetime.fromtimestamp(int(timestamp), tz=UTC).strftime("%Y-%m-%d")
        if match["service"] != SERVICE or match["date"] != day or "host" not in match["signed"]:
            return "AuthFailure.SignatureFailure", "the credential scope is wrong"
        headers = {k.lower(): v for k, v in self.headers.items()}
        expected = tc3_signature(
            secret_key=state.secret_key,
            method=self.command,
            uri=self.path.split("?", 1)[0],
            query=self.path.split("?", 1)[1] if "?" in self.path else "",
            headers=headers,
            signed=match["signed"],
            payload=payload,
            timestamp=timestamp,
            date=match["date"],
            service=SERVICE,
        )
        if not hmac.compare_digest(expected, match["sig"]):
            return "AuthFailure.SignatureFailure", "the request signature does not match"
        return None

    def _send_sms(self, params: dict) -> None:
        state = self.state
        request_id = str(uuid.uuid4())
        if str(params.get("SmsSdkAppId", "")) != state.app_id:
            self._error("FailedOperation.SmsSdkAppIdVerifyFail", "unknown SmsSdkAppId")
            return
        if not params.get("SignName") or not params.get("TemplateId"):
            self._error("MissingParameter", "SignName and TemplateId are required")
            return
        phones = params.get("PhoneNumberSet") or []
        if not phones or len(phones) > 200:
            self._error("LimitExceeded.PhoneNumberCountLimit", "1 to 200 numbers per request")
            return
        with state.lock:
            if state._fail:
                code, message = state._fail.pop(0)
                fail = (code, message)
            else:
                fail = None
        if fail:
            self._error(*fail)
            return
        context = params.get("SessionContext") or ""
        statuses = []
        with state.lock:
            for phone in phones:
                key = f"{context}|{phone}" if context else ""
                found = state.by_context.get(key) if key else None
                if found is None:
                    found = StandinMessage(
                        serial_no=f"{uuid.uuid4().hex[:8]}:{len(state.messages) + 1}",
                        phone=phone,
                        app_id=state.app_id,
                        sign_name=params["SignName"],
                        template_id=str(params["TemplateId"]),
                        params=list(params.get("TemplateParamSet") or []),
                        session_context=context,
                    )
                    state.messages.append(found)
                    if key:
                        state.by_context[key] = found
                    state.pending_reports.append(
                        {
                            "UserReceiveTime": int(time.time()),
                            "CountryCode": "86",
                            "SubscriberNumber": phone.removeprefix("+86"),
                            "PhoneNumber": phone,
                            "SerialNo": found.serial_no,
                            "ReportStatus": "FAIL" if phone in state.undeliverable else "SUCCESS",
                            "Description": "DELIVRD"
                            if phone not in state.undeliverable
                            else "MK:0001 the handset is off or out of service",
                            "SessionContext": context,
                        }
                    )
                statuses.append(
                    {
                        "SerialNo": found.serial_no,
                        "PhoneNumber": phone,
                        "Fee": 1,
                        "SessionContext": context,
                        "Code": "Ok",
                        "Message": "send success",
                        "IsoCode": "CN",
                    }
                )
            lose = state._lose > 0
            if lose:
                state._lose -= 1
        if lose:
            self.send_response(502)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._answer({"SendStatusSet": statuses, "RequestId": request_id})

    def _pull_status(self, params: dict) -> None:
        state = self.state
        if str(params.get("SmsSdkAppId", "")) != state.app_id:
            self._error("FailedOperation.SmsSdkAppIdVerifyFail", "unknown SmsSdkAppId")
            return
        limit = min(int(params.get("Limit") or 100), 100)
        with state.lock:
            batch, state.pending_reports = (
                state.pending_reports[:limit],
                state.pending_reports[limit:],
            )
        self._answer({"PullSmsSendStatusSet": batch, "RequestId": str(uuid.uuid4())})


class SmsStandin:
    """The stand-in server; ``start()`` serves it on a thread (port 0 = a free port)."""

    def __init__(
        self,
        *,
        secret_id: str,
        secret_key: str,
        app_id: str,
        host: str = "127.0.0.1",
        port: int = 0,
    ):
        self.state = GatewayState(secret_id=secret_id, secret_key=secret_key, app_id=app_id)
        handler = type("Handler", (_Handler,), {"state": self.state})
        self.server = ThreadingHTTPServer((host, port), handler)
        self.server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> SmsStandin:
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.server.serve_forever()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
