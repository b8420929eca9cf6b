"""The HTTP API (aiohttp server) beside the Discord bot. See docs/http.md."""

from bot.http.app import HttpServer, HttpStartError, build_app, run_http

__all__ = ["HttpServer", "HttpStartError", "build_app", "run_http"]
