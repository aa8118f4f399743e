"""The API docs at ``/docs``, working offline: Swagger UI's files come from an installed package.

    GET /docs                       the Swagger UI page (no CDN, no inline script)
    GET /docs/assets/{name}         swagger-ui-bundle.js and swagger-ui.css from ``fastapi_offline``

FastAPI's own ``/docs`` loads Swagger UI from a CDN that cannot be reached everywhere (nor reliably
in mainland China), so the app is built with ``docs_url=None`` and this router serves the page.
The start-up code is ``/static/api-docs.js``, so a CSP without inline scripts allows the page.
"""

from __future__ import annotations

from html import escape
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse

__all__ = ["router", "ASSETS", "asset_path"]

router = APIRouter(include_in_schema=False)

#: the files the page needs → their media types
ASSETS: dict[str, str] = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
}


def asset_path(name: str) -> Path:
    """Where the installed package keeps one of ``ASSETS``."""
    return Path(str(files("fastapi_offline") / "static" / name))


_PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title} · 接口文档</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/static/api-docs.js"></script>
</body>
</html>
"""


@router.get("/docs", response_class=HTMLResponse)
def docs_page(request: Request) -> HTMLResponse:
    """Swagger UI for the app's OpenAPI schema."""
    app = request.app
    return HTMLResponse(
        _PAGE.format(title=escape(app.title), openapi_url=escape(app.openapi_url or "/openapi.json"))
    )


@router.get("/docs/assets/{name}")
def docs_asset(name: str) -> FileResponse:
    """One of Swagger UI's files, cached for a day."""
    if name not in ASSETS:
        raise HTTPException(404, "文件不存在")
    return FileResponse(
        asset_path(name), media_type=ASSETS[name], headers={"Cache-Control": "public, max-age=86400"}
    )
