"""Residents' data rights for admins: erasure requests, carried out; export of everything held.

The same bearer token as the other JSON routes; in the inbox, export is for admins only.
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
from api.openapi import UNREADABLE, UtcDatetime, problem

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


@router.get(
    "/residents/export",
    responses={
        200: {"description": "Everything held about the resident, as a file (JSON)"},
        404: problem("No resident has this number"),
    },
)
async def export_resident(session: SessionDep, phone: Annotated[str, Query(max_length=64)]) -> Response:
    address = parse_address(phone)
    contact = (
        await session.scalar(select(Contact).where(Contact.phone == address.phone)) if address.valid else None
    )
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
