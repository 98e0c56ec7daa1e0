# KOL CRM: one image for web (gunicorn), worker and beat (celery). See docker-compose.yml.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so a code change does not reinstall them: the runtime lock, every
# package pinned and hash-checked (`make lock` writes it from pyproject.toml's ranges). The
# project itself is not a package: it runs from /app.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

# The source; .dockerignore keeps .venv/, .git/ and var/ (local SQLite, dev key) out.
COPY . .

# Run as an unprivileged user; it may write only static files and var/ (and /tmp).
RUN useradd --system --create-home --uid 10001 kolcrm \
    && mkdir -p /app/staticfiles /app/var \
    && chown kolcrm:kolcrm /app/staticfiles /app/var
USER kolcrm

EXPOSE 8000

CMD ["gunicorn", "kolcrm.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
