"""A local fake of Twilio's Messages REST API: the only stand-in in the test suite.

The real twilio SDK is pointed at it (TWILIO_API_BASE_URL). It checks HTTP basic auth,
records every message it accepts, lists them as the real API does, and can be told to
fail the next calls, so tests can check what we send and how we retry.

Run: python -m tests.fakes.twilio_api --port N --account-sid AC... --auth-token ...
"""

from __future__ import annotations

import argparse
import base64
import secrets
import time
from datetime import UTC, datetime
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


def create_app(account_sid: str, auth_token: str) -> FastAPI:
    app = FastAPI()
    sent: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []  # scripted answers for the next create calls
    lookups = {"count": 0}  # list calls: how often the worker looked for a message it sent

    def authorised(request: Request) -> bool:
        expected = base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
        return request.headers.get("authorization", "") == f"Basic {expected}"

    def resource(record: dict[str, Any]) -> dict[str, Any]:
        return {
            "sid": record["sid"],
            "account_sid": account_sid,
            "to": record["To"],
            "from": record["From"],
            "body": record.get("Body", ""),
            "status": "queued",
            "num_segments": "1",
            "date_created": record["date_created"],
            "date_sent": record["date_created"],
            "date_updated": record["date_created"],
            "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{record['sid']}.json",
        }

    @app.post("/2010-04-01/Accounts/{sid}/Messages.json")
    async def create(sid: str, request: Request) -> JSONResponse:
        if sid != account_sid or not authorised(request):
            return JSONResponse({"code": 20003, "message": "Authenticate", "status": 401}, status_code=401)
        form = dict(await request.form())
        if not form.get("Body") and not form.get("ContentSid"):
            return JSONResponse(
                {"code": 21619, "message": "A text message body or media is required", "status": 400},
                status_code=400,
            )
        if failures:
            failure = failures.pop(0)
            return JSONResponse(
                {"code": failure["code"], "message": "scripted failure", "status": failure["status"]},
                status_code=failure["status"],
            )
        now = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
        record = {
            "sid": "SM" + secrets.token_hex(16),
            "date_created": now,
            # When it arrived, to the microsecond (benchmarks measure time to reply with it).
            "received_at": time.time(),
            **{k: str(v) for k, v in form.items()},
        }
        sent.append(record)
        return JSONResponse(resource(record), status_code=201)

    @app.get("/2010-04-01/Accounts/{sid}/Messages.json")
    async def listing(sid: str, request: Request) -> JSONResponse:
        if sid != account_sid or not authorised(request):
            return JSONResponse({"code": 20003, "message": "Authenticate", "status": 401}, status_code=401)
        lookups["count"] += 1
        to, from_ = request.query_params.get("To"), request.query_params.get("From")
        found = [r for r in sent if (not to or r["To"] == to) and (not from_ or r["From"] == from_)]
        return JSONResponse(
            {
                "messages": [resource(r) for r in reversed(found)],
                "next_page_uri": None,
                "page": 0,
                "page_size": 50,
                "uri": request.url.path,
            }
        )

    @app.get("/_fake/sent")
    async def recorded() -> list[dict[str, Any]]:
        return sent

    @app.post("/_fake/forget/{sid}")
    async def forget(sid: str) -> dict[str, int]:
        """As if a message never reached Twilio (an interrupted send that did not get there)."""
        sent[:] = [r for r in sent if r["sid"] != sid]
        return {"sent": len(sent)}

    @app.get("/_fake/lookups")
    async def looked_up() -> dict[str, int]:
        return lookups

    @app.post("/_fake/fail")
    async def fail_next(request: Request) -> dict[str, int]:
        body = await request.json()
        failures.extend(
            {"status": int(body["status"]), "code": int(body.get("code", 20500))}
            for _ in range(int(body.get("times", 1)))
        )
        return {"queued_failures": len(failures)}

    @app.post("/_fake/reset")
    async def reset() -> dict[str, bool]:
        sent.clear()
        failures.clear()
        return {"ok": True}

    @app.get("/_fake/health")
    async def health() -> dict[str, bool]:
        return {"ok": True}

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--account-sid", required=True)
    parser.add_argument("--auth-token", required=True)
    args = parser.parse_args()
    uvicorn.run(
        create_app(args.account_sid, args.auth_token), host="127.0.0.1", port=args.port, log_level="warning"
    )


if __name__ == "__main__":
    main()
