# Auria in a container: the package with its shipped models, run as a non-root user,
# its store and images in the /var/lib/auria volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /opt/auria
COPY pyproject.toml README.md ./
COPY core ./core
COPY bot ./bot
COPY generator ./generator
COPY publishers ./publishers
COPY state ./state
COPY config ./config
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
    && pip install . \
    && useradd --system --home-dir /var/lib/auria --create-home auria

USER auria
ENV XDG_DATA_HOME=/var/lib
VOLUME ["/var/lib/auria"]

# Healthy while the latest slot of schedule.times is posted on every platform within
# schedule.grace_hours and no post needs a human (auria status --check reads the store only:
# no network, well under a second). Checked every 5 minutes; a restart's catch-up slot gets
# 10 minutes to post before failures count, and three failures in a row mark it unhealthy.
# It also runs beside one-off commands such as the preview, which exit long before it matters.
HEALTHCHECK --interval=5m --timeout=30s --start-period=10m --retries=3 \
    CMD ["auria", "status", "--check"]

# `docker run IMAGE` makes a preview into the volume; `docker run ... IMAGE run` starts the
# daemon (secrets as -e AURIA_X_API_KEY=... etc., a config via -e AURIA_CONFIG=PATH), and any
# other auria command works the same way (`docker run ... IMAGE status`). docker stop sends
# SIGTERM to auria itself (PID 1): give it --stop-timeout 120 to finish the current step.
# The gallery: `docker run -p 8080:8080 -v auria-data:/var/lib/auria IMAGE serve --host 0.0.0.0`
# (it opens the store read-only, so it can run beside the daemon on the same volume).
EXPOSE 8080
ENTRYPOINT ["auria"]
CMD ["preview", "--out", "/var/lib/auria/preview"]
