# autoheal's image: restarts containers whose HEALTHCHECK turns unhealthy.
#
#   docker build -t autoheal:local .
#
# Build arguments:
#   BASE_IMAGE       the Node 20 image of both stages (default the official LTS image);
#                    any image with node and npm on the PATH and a /bin/sh will do, so the
#                    image can be built where no registry is reachable.
#   VERSION, SOURCE_URL  the OCI labels' version and source (default `dev` and none).
#   NPM_CA_CERT_B64  base64 of one or more PEM certificates that `npm ci` must trust, for a
#                    registry reached through a TLS-intercepting proxy:
#                      --build-arg NPM_CA_CERT_B64="$(base64 -w0 corp-ca.pem)"
#                    Used in the build stage only; it never reaches the final image.
#   HTTP_PROXY / HTTPS_PROXY / NO_PROXY are Docker's predefined build arguments and reach
#   npm without being declared here.
#
# No BuildKit features are used: the classic builder (DOCKER_BUILDKIT=0) builds it too.

ARG BASE_IMAGE=node:20-bookworm-slim

# ---- build: compile the TypeScript, then keep only the production dependencies ----------
FROM ${BASE_IMAGE} AS build
WORKDIR /build

# The lockfile first, so the dependency layer is reused until it changes. Install scripts
# are skipped: nothing autoheal needs builds native code (ssh2's optional native crypto and
# cpu-features fall back to plain JavaScript), and no compiler is needed.
COPY package.json package-lock.json ./
ARG NPM_CA_CERT_B64=""
RUN set -eu; \
    if [ -n "$NPM_CA_CERT_B64" ]; then \
      node -e "require('fs').writeFileSync('/tmp/npm-extra-ca.pem', Buffer.from(process.env.NPM_CA_CERT_B64, 'base64'))"; \
      export NODE_EXTRA_CA_CERTS=/tmp/npm-extra-ca.pem; \
    fi; \
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=warn || { \
      echo 'npm ci failed. Behind a TLS-intercepting proxy? Pass its CA: --build-arg NPM_CA_CERT_B64="$(base64 -w0 ca.pem)"' >&2; \
      exit 1; }; \
    rm -rf /tmp/npm-extra-ca.pem /root/.npm

COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
    && npm prune --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=warn \
    && rm -rf /root/.npm

# config/ is read at run time; web/ is the UI the API serves.
COPY config ./config
COPY web ./web

# ---- final: compiled code, production dependencies, config and the web UI only ---------
FROM ${BASE_IMAGE}
# Release builds pass --build-arg VERSION=<package.json version> (GET /api/health reports
# the version from package.json whatever this says) and the repository's address.
ARG VERSION=dev
ARG SOURCE_URL=""
LABEL org.opencontainers.image.title="autoheal" \
      org.opencontainers.image.description="Restarts Docker containers whose HEALTHCHECK turns unhealthy, and writes down every decision." \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}"

ENV NODE_ENV=production \
    AUTOHEAL_API_HOST=0.0.0.0 \
    AUTOHEAL_DATA_DIR=/data

WORKDIR /app
COPY --from=build /build/package.json ./package.json
COPY --from=build /build/node_modules ./node_modules
COPY --from=build /build/dist ./dist
COPY --from=build /build/config ./config
COPY --from=build /build/web ./web

# Runs as root by default: the mounted Docker socket is usually root:docker 0660. To run
# without root, give the container uid 1000 and the socket's group (compose:
# `user: "1000:<gid of the socket>"`); /data belongs to uid 1000 so a fresh named volume
# is writable by that user too.
RUN mkdir -p /data && chown 1000:1000 /data
VOLUME /data
EXPOSE 8080

# node is PID 1 (exec form, and no entrypoint script such as the official image's
# docker-entrypoint.sh): main.ts handles SIGTERM/SIGINT and flushes the store.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.AUTOHEAL_API_PORT||8080)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT []
CMD ["node", "dist/main.js"]
