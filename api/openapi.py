"""Shared pieces of the OpenAPI document: the error shape, the other answers, UTC timestamps.

Every answer a route can give is declared, so a client (and the schema test,
tests/schema/test_openapi.py) knows what to expect: FastAPI declares the success and its own
422; these add the refusals (401, 403, 404, 409, ...), the inbox's redirects and its pages.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import status
from fastapi.responses import RedirectResponse
from pydantic import AfterValidator, BaseModel


class Problem(BaseModel):
    """What was refused and why, in plain words."""

    detail: str


class FieldProblem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class Invalid(BaseModel):
    """A 422: which fields are wrong (FastAPI's list), or which rule the request breaks (a sentence)."""

    detail: list[FieldProblem] | str


def _utc(value: datetime) -> datetime:
    # SQLite keeps no zone: its times are UTC (PostgreSQL's come back with one).
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


#: A time in a JSON answer, always with its zone (RFC 3339), whichever database it came from.
UtcDatetime = Annotated[datetime, AfterValidator(_utc)]


#: What `responses=` takes: status code to its declaration.
Responses = dict[int | str, dict[str, Any]]


def problem(description: str) -> dict[str, Any]:
    """A JSON refusal, {"detail": "..."}."""
    return {"model": Problem, "description": description}


#: A JSON body that cannot be read at all (not UTF-8): FastAPI answers 400 before validating it.
UNREADABLE: Responses = {400: problem("The body cannot be read (JSON in UTF-8 is expected)")}


def invalid(description: str) -> dict[str, Any]:
    """A 422 that is either FastAPI's field list or a rule the request breaks."""
    return {"model": Invalid, "description": description}


_PROBLEM_SCHEMA = Problem.model_json_schema()
_HTML = {"text/html": {"schema": {"type": "string"}}}


def page_or_problem(description: str) -> dict[str, Any]:
    """An inbox refusal: a page for a browser (Accept: text/html), {"detail": ...} otherwise."""
    return {
        "description": description,
        "content": {"application/json": {"schema": _PROBLEM_SCHEMA}, **_HTML},
    }


def page(description: str) -> dict[str, Any]:
    """An inbox page, shown again with what was wrong (and what was typed kept)."""
    return {"description": description, "content": dict(_HTML)}


def page_or_invalid(description: str) -> dict[str, Any]:
    """An inbox 422: the page again with the reason (a browser), or FastAPI's field list."""
    return {"model": Invalid, "description": description, "content": dict(_HTML)}


def redirect(description: str) -> dict[str, Any]:
    return {"description": description, "headers": {"Location": {"schema": {"type": "string"}}}}


#: An inbox page needs a logged-in member of staff: otherwise it sends the browser to log in.
INBOX_PAGE: Responses = {303: redirect("Not logged in: to the login page")}

#: An inbox change (a form post): it needs a logged-in member of staff and the session's CSRF
#: token, and answers with a redirect back to the page, so it works without JavaScript.
INBOX_ACTION: Responses = {
    303: redirect(
        "Done (or refused, with the reason in the address): back to the conversation."
        " A browser that is not logged in is sent to the login page."
    ),
    401: page_or_problem("Not logged in"),
    403: page_or_problem("No or wrong CSRF token, or the rules do not allow it"),
    404: page_or_problem("No such conversation or appointment"),
}


def inbox_action(more: Responses | None = None) -> dict[str, Any]:
    """The route arguments of an inbox change: a redirect, and its refusals (plus `more`)."""
    return {
        "status_code": status.HTTP_303_SEE_OTHER,
        "response_class": RedirectResponse,
        "responses": {**INBOX_ACTION, **(more or {})},
    }
