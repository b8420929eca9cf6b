"""Reading an uploaded article from a multipart/form-data body, never more than the limit."""

from __future__ import annotations

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from bot.http.errors import ApiError

UPLOAD_FIELD = "file"
_CHUNK = 64 * 1024
_HINT = "Send the article as a multipart/form-data field named 'file' (curl -F file=@article.md)."


async def read_upload(request: web.Request, max_bytes: int) -> tuple[str, bytes]:
    """The first ``file`` part's name and bytes; 413 as soon as it grows past ``max_bytes``.

    ``client_max_size`` does not apply to a streamed multipart body, so the cap is enforced
    here while reading, and a huge upload is refused without being held in memory.
    """
    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or part.name != UPLOAD_FIELD:
                name = getattr(part, "name", None)
                raise ApiError(400, f"Unexpected form field '{name}'. {_HINT}")
            filename = (part.filename or "").strip()
            if not filename:
                raise ApiError(400, f"The '{UPLOAD_FIELD}' field has no file name. {_HINT}")
            data = bytearray()
            while chunk := await part.read_chunk(_CHUNK):
                data += chunk
                if len(data) > max_bytes:
                    raise ApiError(
                        413,
                        f"'{filename}' is larger than the upload limit of {max_bytes:,} bytes "
                        "(NEWSBOT_MAX_UPLOAD_BYTES).",
                    )
            return filename, bytes(data)
    except (ValueError, HttpProcessingError):  # how aiohttp's parser reports broken framing
        raise ApiError(400, f"The upload is not valid multipart/form-data. {_HINT}") from None
    raise ApiError(400, f"The form has no '{UPLOAD_FIELD}' field. {_HINT}")
