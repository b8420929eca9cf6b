# newsbot: the Discord bot and its HTTP API in one process (`newsbot run`).
# Build: docker compose build   (or: docker build -t newsbot .)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src

# 1. Dependencies only, the exact versions and hashes of requirements.lock (pip-compile of
#    pyproject.toml; regenerate with .ci/lock): this layer is rebuilt only when the lock changes,
#    not on every code change, and every build gets the same packages.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

# 2. The project itself (runtime only: no dev extras), over the locked dependencies.
COPY . .
RUN pip install --no-deps .

# 3. A non-root user owning the corpus and the data dir; compose mounts volumes on both.
#    The bundled seed articles seed the corpus volume on first start.
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /srv/newsbot newsbot \
 && mkdir -p /srv/newsbot/corpus /srv/newsbot/data \
 && find corpus -maxdepth 1 -type f ! -name '*.py' -exec cp {} /srv/newsbot/corpus/ \; \
 && chown -R newsbot:newsbot /srv/newsbot

ENV NEWSBOT_CORPUS_DIR=/srv/newsbot/corpus \
    NEWSBOT_DATA_DIR=/srv/newsbot/data \
    NEWSBOT_HTTP_HOST=0.0.0.0 \
    NEWSBOT_HTTP_PORT=8080

USER newsbot
WORKDIR /srv/newsbot
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot.http.healthcheck", "/readyz"]
CMD ["newsbot", "run"]
