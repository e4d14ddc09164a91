"""Exports for analysts: journeys, alerts, hits or freight decisions as a file download (CSV,
Parquet or JSON Lines; the columns of docs/exports.md). Every export is audited."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path as FilePath
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import FileResponse, StreamingResponse
from starlette.background import BackgroundTask

from transitguard.domain.accounts import Principal
from transitguard.entrypoints.api.auth import application, require
from transitguard.services.exports import KINDS, export, rows_of

router = APIRouter(tags=["exports"])

ExportKind = Literal["journeys", "alerts", "hits", "freight"]
MEDIA = {"csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet"}

_DOWNLOAD: dict[str, object] = {
    "responses": {
        200: {
            "description": "the export file",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}},
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
        }
    }
}


@router.get(
    "/exports/{kind}",
    response_model=None,
    response_class=StreamingResponse,
    openapi_extra=_DOWNLOAD,
    summary="Export rows",
)
def export_rows(
    request: Request,
    kind: Annotated[ExportKind, Path(description="journeys, alerts, hits or freight")],
    format: Annotated[Literal["csv", "parquet", "jsonl"], Query()] = "csv",
    who: Principal = require("exports.run"),
) -> StreamingResponse | FileResponse:
    """Every row of `kind`, as a file to download."""
    app = application(request)
    filename = f"{kind}.{format}"
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if format == "jsonl":
        columns = KINDS[kind]
        records = list(rows_of(app.store, kind))
        app.audit.record(who, "export", subject=kind, detail={"format": format, "rows": len(records)})

        def lines() -> Iterator[bytes]:
            for record in records:
                yield orjson.dumps({c.name: get(record) for c, get in columns}) + b"\n"

        return StreamingResponse(lines(), media_type="application/x-ndjson", headers=disposition)
    folder = tempfile.mkdtemp(prefix="tg-export-")
    output = FilePath(folder) / filename
    try:
        count = export(app.store, kind, format, output)
    except BaseException:
        _remove(FilePath(folder))
        raise
    app.audit.record(who, "export", subject=kind, detail={"format": format, "rows": count})
    return FileResponse(
        output,
        media_type=MEDIA[format],
        filename=filename,
        background=BackgroundTask(_remove, FilePath(folder)),
    )


def _remove(folder: FilePath) -> None:
    for path in folder.iterdir():
        path.unlink(missing_ok=True)
    folder.rmdir()
