"""`make chat`: text the running assistant from the terminal, as a phone would.

Each line is sent as a signed Twilio webhook to the gateway; replies are read back from
the console transport's outbox.
"""

from __future__ import annotations

import argparse
import os
import secrets
import time

import httpx
from dotenv import dotenv_values

from api.gateway.signature import sign
from scripts.stack import ROOT


def send(client: httpx.Client, base: str, public: str, token: str, sender: str, body: str) -> int:
    form = {
        "MessageSid": "SM" + secrets.token_hex(16),
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "To": "+447000000000",
        "Body": body,
        "NumMedia": "0",
    }
    signature = sign(token, public.rstrip("/") + "/twilio/messages", form)
    response = client.post(f"{base}/twilio/messages", data=form, headers={"X-Twilio-Signature": signature})
    return response.status_code


def main() -> None:
    values = {**{k: v for k, v in dotenv_values(ROOT / ".env").items() if v}, **os.environ}
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--from", dest="sender", default=values.get("CHAT_FROM", "+447911123456"))
    parser.add_argument("--whatsapp", action="store_true", help="send as WhatsApp")
    parser.add_argument("--gateway", default=f"http://127.0.0.1:{values.get('GATEWAY_PORT', '8000')}")
    args = parser.parse_args()
    public = values.get("PUBLIC_BASE_URL", args.gateway)
    token = values["TWILIO_AUTH_TOKEN"]
    sender = f"whatsapp:{args.sender}" if args.whatsapp else args.sender
    seen: set[int] = set()
    with httpx.Client(timeout=10) as client:
        print(f"Texting the assistant as {sender}. Type a message; Ctrl-D to stop.")
        while True:
            try:
                line = input("you> ")
            except EOFError:
                print()
                return
            status = send(client, args.gateway, public, token, sender, line)
            if status != 200:
                print(f"(the gateway answered {status})")
                continue
            replies = _new_replies(client, args.gateway, args.sender, seen)
            for body in replies:
                print(f"bot> {body}")
            if not replies:
                print(
                    "(no reply. After asking for a person the bot stays silent until a practitioner "
                    "answers; see var/log/ if something else is wrong.)"
                )


def _new_replies(client: httpx.Client, gateway: str, number: str, seen: set[int]) -> list[str]:
    """Wait up to 8 s for a first reply, then until no more arrive for a second."""
    bodies: list[str] = []
    deadline, quiet_until = time.monotonic() + 8, None
    while time.monotonic() < (quiet_until or deadline):
        for message in client.get(f"{gateway}/dev/outbox", params={"to": number}).json():
            if message["id"] not in seen:
                seen.add(message["id"])
                bodies.append(message["body"])
                quiet_until = time.monotonic() + 1.0
        time.sleep(0.2)
    return bodies


if __name__ == "__main__":
    main()
