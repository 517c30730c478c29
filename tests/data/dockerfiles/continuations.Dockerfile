FROM python:3.12-slim
# leading comment
RUN set -eux; \
    # a comment inside the continuation
    apt-get update; \

    apt-get install -y --no-install-recommends gcc; \
      rm -rf /var/lib/apt/lists/*
run echo lower
Copy --from=ghcr.io/astral-sh/uv:0.8 /uv /uvx /bin/
ENV PATH="/opt/venv/bin:$PATH" \
    UV_CACHE_DIR=/tmp/uv-cache
ARG UID=1001
USER ${UID}:0
ENTRYPOINT ["python", "-m", "app"]
CMD ["--port", "8080"]
