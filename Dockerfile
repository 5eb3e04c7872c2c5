# pageviews: production image.
#
# Two stages on the SAME base image: the builder resolves the locked
# dependencies into /app/.venv with uv, the final stage copies only that
# virtualenv. Because the venv's `python` is a symlink to the base image's
# interpreter, both stages must share the base so the link resolves.
#
# PYTHON_BASE defaults to the official slim image. Any Debian-like image with
# a `python3` (3.11) and the `venv` module works too, e.g. the debootstrap-made
# local/python-base:3.11 that scripts/image-smoke.sh builds where no registry
# is reachable:
#   DOCKER_BUILDKIT=0 docker build --build-arg PYTHON_BASE=local/python-base:3.11 .
ARG PYTHON_BASE=python:3.11-slim-bookworm

FROM ${PYTHON_BASE} AS builder

# uv itself comes from PyPI, pinned, into its own throwaway venv (works whether
# the base calls its interpreter `python` or only `python3`, and never touches
# the system site-packages, which Debian marks externally managed).
ARG UV_VERSION=0.13.9

# UV_PYTHON_DOWNLOADS=never + UV_PYTHON=python3: build the venv on the base
# image's interpreter, never on a downloaded one (it would be missing from the
# final stage). Bytecode is compiled now because the runtime filesystem is
# read-only; copy mode because /root/.cache and /app are different layers.
ENV UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=python3 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python3 -m venv /opt/uv \
 && /opt/uv/bin/pip install "uv==${UV_VERSION}" \
 && /opt/uv/bin/uv --version

WORKDIR /app

# Dependencies first: this layer is reused until pyproject.toml/uv.lock change.
COPY pyproject.toml uv.lock ./
RUN /opt/uv/bin/uv sync --frozen --no-dev --no-editable --no-install-project

# Then the project itself (README.md is the package's readme metadata).
COPY README.md ./
COPY src ./src
RUN /opt/uv/bin/uv sync --frozen --no-dev --no-editable \
 && /app/.venv/bin/pageviews --help > /dev/null


FROM ${PYTHON_BASE}

ARG VERSION=1.0.0
ARG REVISION=unknown
# Set by CI (docker/metadata-action also writes these labels).
ARG SOURCE=""

LABEL org.opencontainers.image.title="pageviews" \
      org.opencontainers.image.description="Monthly Wikimedia article view counts: a cached, polite wrapper around Wikimedia's pageviews API." \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"

# A fixed, unprivileged uid/gid (10001) that the Helm chart and compose file
# rely on. No home directory: the app writes nothing to disk.
RUN groupadd --system --gid 10001 pageviews \
 && useradd --system --uid 10001 --gid 10001 --no-create-home \
            --home-dir /nonexistent --shell /usr/sbin/nologin pageviews

# Only the virtualenv: no uv, no pip cache, no sources, no build tools.
COPY --from=builder /app/.venv /app/.venv

ENV PATH="/app/.venv/bin:${PATH}" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

WORKDIR /app
USER 10001:10001
EXPOSE 8000

# No curl in slim images: probe /health (liveness; never calls Wikimedia) with
# the standard library. urlopen raises on any non-2xx answer -> exit 1.
# HEALTHCHECK_URL only exists for runs that serve on another port.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(os.environ.get('HEALTHCHECK_URL', 'http://127.0.0.1:8000/health'), timeout=4)"]

# granian handles SIGTERM: stops accepting, drains in-flight requests, exits.
STOPSIGNAL SIGTERM
ENTRYPOINT ["pageviews"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
