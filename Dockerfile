# Auria in a container: the package with its shipped models, run as a non-root user,
# its store and images in the /var/lib/auria volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /opt/auria
COPY pyproject.toml README.md ./
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
ENTRYPOINT ["auria"]
CMD ["preview", "--out", "/var/lib/auria/preview"]
