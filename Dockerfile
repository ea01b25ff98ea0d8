FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain domain
COPY aggregates aggregates
COPY projections projections
COPY protos protos
COPY routing routing
COPY services services
RUN pip install --no-cache-dir .
# a user of its own; /certs belongs to it, so a volume mounted there starts writable by it
RUN useradd --create-home --uid 10001 omo && mkdir /certs && chown omo /certs
USER omo
# the gRPC port; metrics, when --metrics-port asks, on 9100 (serve) and 9101 (project), as the compose file runs them
EXPOSE 50051 9100 9101
# beyond loopback `omo serve` refuses plaintext: mount the certificate and key at /certs (read-only)
CMD ["omo", "serve", "--host", "0.0.0.0", "--tls-cert", "/certs/server.crt", "--tls-key", "/certs/server.key"]
