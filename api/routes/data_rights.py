"""Residents' data rights for admins: erasure requests, carried out; export of everything held.

The same bearer token as the other JSON routes; in the inbox, export is for admins only.
The resident's number goes in the body of a POST, never in the address, where proxies and
access logs keep it (ASVS 14.2.1); the old `GET ?phone=` is deprecated and goes next release.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from api.db.models import Contact, ErasureRequest
from api.deps import RowId, SessionDep, StateDep, require_practitioner
from api.erasure import carry_out, export
from api.gateway.parsing import parse_address
from api.openapi import UNREADABLE, Responses, UtcDatetime, invalid, problem

router = APIRouter(
    prefix="/api",
    tags=["data rights"],
    dependencies=[Depends(require_practitioner)],
    responses={401: problem("No or wrong practitioner token")},
)


class ErasureOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    status: str
    requested_at: UtcDatetime
    done_at: UtcDatetime | None
    done_by: str | None
    removed: dict[str, int] | None


class CarryOutBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    by: Annotated[str, Field(min_length=1, max_length=128)]


@router.get("/erasure-requests", response_model=list[ErasureOut])
async def list_requests(
    session: SessionDep,
    status_: Annotated[str | None, Query(alias="status", pattern="^(pending|done)$")] = None,
) -> list[ErasureOut]:
    query = select(ErasureRequest).order_by(ErasureRequest.id)
    if status_ is not None:
        query = query.where(ErasureRequest.status == status_)
    return [ErasureOut.model_validate(r) for r in await session.scalars(query)]


@router.post(
    "/erasure-requests/{request_id}/carry-out",
    response_model=ErasureOut,
    responses={
        **UNREADABLE,
        404: problem("No erasure request has this id"),
        409: problem("This erasure was already carried out"),
    },
)
async def carry_out_request(
    session: SessionDep, state: StateDep, request_id: RowId, body: CarryOutBody
) -> ErasureOut:
    request = await session.get(ErasureRequest, request_id)
    if request is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No erasure request has this id.")
    if request.status == "done":
        raise HTTPException(status.HTTP_409_CONFLICT, "This erasure was already carried out.")
    await carry_out(session, state.queue, request, body.by)
    return ErasureOut.model_validate(request)


class ExportBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: Annotated[
        str,
        Field(min_length=1, max_length=64, description="The resident's number: E.164, or a UK number"),
    ]


NOT_A_NUMBER = "This is not a phone number: give it as +447911123456 (or a UK number, 07911 123456)."
EXPORTED: Responses = {
    200: {
        "description": "Everything held about the resident, as a file (JSON); never cached",
        "content": {"application/json": {"schema": {"type": "object"}}},
    },
    404: problem("No resident has this number"),
    422: invalid("The phone is not a phone number"),
}


@router.post("/residents/export", response_class=Response, responses={**UNREADABLE, **EXPORTED})
async def export_resident(session: SessionDep, body: ExportBody) -> Response:
    """Everything held about one resident (a subject access request). The number is in the
    body: an address with a phone number in it would stay in proxies' and servers' logs."""
    return await _export(session, body.phone)


@router.get("/residents/export", response_class=Response, responses=EXPORTED, deprecated=True)
async def export_resident_by_query(
    session: SessionDep, phone: Annotated[str, Query(min_length=1, max_length=64)]
) -> Response:
    """Deprecated: puts the number in the address. Use `POST /api/residents/export`, which
    answers the same; this goes in the next release."""
    return await _export(session, phone)


async def _export(session: SessionDep, phone: str) -> Response:
    address = parse_address(phone)
    if not address.valid:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, NOT_A_NUMBER)
    contact = await session.scalar(select(Contact).where(Contact.phone == address.phone))
    if contact is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No resident has this number.")
    body = json.dumps(await export(session, contact), default=str, ensure_ascii=False, indent=2)
    return Response(
        body,
        media_type="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="resident-data.json"',
            "Cache-Control": "no-store",
        },
    )
