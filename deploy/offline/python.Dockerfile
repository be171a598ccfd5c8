# Stand-in for python:3.11-slim built from Debian packages, for hosts that reach Debian's apt
# mirror and PyPI but no container registry. See deploy/offline/build-base-images.
ARG DEBIAN_IMAGE=local/debian:bookworm
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        python3 python3-pip python3-venv python-is-python3 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    # The image is the application's own Python, as python:3.11-slim's is: pip may install into it.
    && rm -f /usr/lib/python3.*/EXTERNALLY-MANAGED
# CA certificates the build host trusts locally (a TLS-inspecting proxy in front of PyPI);
# the folder is empty when there are none.
COPY extra-ca/ /usr/local/share/ca-certificates/
RUN update-ca-certificates
# uv uses its own root store unless told otherwise; pip and requests read this too.
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
CMD ["python3"]
