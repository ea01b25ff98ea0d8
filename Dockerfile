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
EXPOSE 50051
# beyond loopback `omo serve` refuses plaintext: mount the certificate and key at /certs (read-only)
CMD ["omo", "serve", "--host", "0.0.0.0", "--tls-cert", "/certs/server.crt", "--tls-key", "/certs/server.key"]
