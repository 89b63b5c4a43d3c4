"""A local stand-in for an Asterisk AMI, for tests and demos: an asyncio TCP server that sends
the banner, answers ``Action: Login`` with Success or Error, and emits the events it is told
to; ``drop()`` hangs up on every client (to exercise reconnecting)."""

from __future__ import annotations

import asyncio

from .ami import encode, read_message

BANNER = b"Asterisk Call Manager/5.0.1\r\n"


class AmiStandIn:
    def __init__(self, username: str = "huike", secret: str = "secret"):
        self.username = username
        self.secret = secret
        self.logins = 0
        self.refused = 0
        self.port = 0
        self._clients: set[asyncio.StreamWriter] = set()
        self._server: asyncio.AbstractServer | None = None
        self._changed = asyncio.Condition()

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        self._server = await asyncio.start_server(self._serve, host, port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def close(self) -> None:
        await self.drop()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def wait_for(self, *, logins: int = 0, refused: int = 0, timeout: float = 5.0) -> None:
        """Until at least that many logins were accepted and refused."""

        async def reached():
            async with self._changed:
                await self._changed.wait_for(
                    lambda: self.logins >= logins and self.refused >= refused
                )

        await asyncio.wait_for(reached(), timeout)

    async def emit(self, event: dict) -> None:
        """Send ``event`` to every logged-in client."""
        for writer in list(self._clients):
            writer.write(encode(event))
            await writer.drain()

    async def drop(self) -> None:
        for writer in list(self._clients):
            writer.close()
        self._clients.clear()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(BANNER)
        await writer.drain()
        try:
            while True:
                action = await read_message(reader)
                reply = {"Response": "Success", "ActionID": action.get("ActionID", "")}
                if action.get("Action") == "Login":
                    if (action.get("Username"), action.get("Secret")) == (
                        self.username,
                        self.secret,
                    ):
                        reply["Message"] = "Authentication accepted"
                        self._clients.add(writer)
                        self.logins += 1
                    else:
                        reply.update(Response="Error", Message="Authentication failed")
                        self.refused += 1
                    writer.write(encode(reply))
                    await writer.drain()
                    await self._notify()
                elif action.get("Action") == "Logoff":
                    writer.write(encode({**reply, "Response": "Goodbye"}))
                    await writer.drain()
                    break
                else:
                    writer.write(encode(reply))
                    await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self._clients.discard(writer)
            writer.close()


def ringing_event(*, caller: str, uniqueid: str, exten: str = "8001", state: str = "Ring") -> dict:
    """A ``Newchannel`` event of an inbound call, as Asterisk sends it."""
    return {
        "Event": "Newchannel",
        "Privilege": "call,all",
        "Channel": f"PJSIP/trunk-{uniqueid}",
        "ChannelState": "4" if state == "Ring" else "5",
        "ChannelStateDesc": state,
        "CallerIDNum": caller,
        "CallerIDName": "<unknown>",
        "ConnectedLineNum": "<unknown>",
        "Exten": exten,
        "Context": "from-trunk",
        "Uniqueid": uniqueid,
        "Linkedid": uniqueid,
    }
