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
EXPOSE 50051
# beyond loopback `omo serve` refuses plaintext: mount the certificate and key at /certs (read-only)
CMD ["omo", "serve", "--host", "0.0.0.0", "--tls-cert", "/certs/server.crt", "--tls-key", "/certs/server.key"]
