# syntax=docker/dockerfile:1
# One image for every role of Story Pipeline, chosen by the command (see docker-compose.yml):
#   api      node --import tsx server/main.ts --role=api        (the default)
#   worker   node --import tsx server/main.ts --role=worker
#   migrate  node --import tsx server/db/migrate.ts
# The TypeScript runs through tsx's loader, a runtime dependency (Node 20 cannot strip types);
# tini is PID 1, so node is its child: SIGTERM and SIGINT reach it and zombies are reaped.
ARG NODE_IMAGE=node:20-bookworm-slim

# Every dependency, dev ones included (the client build needs Vite and GraphQL Code Generator),
# exactly as the lockfile says.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# The web client: codegen from the checked-in schema, then Vite, into client/dist.
FROM deps AS client
COPY schema.graphql codegen.ts tsconfig.json ./
COPY client ./client
RUN npm run build:client

# What runs: production dependencies only.
FROM ${NODE_IMAGE} AS runtime-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The client is built into the image (never at start); Redis is always given (REDIS_URL).
ENV NODE_ENV=production \
    CLIENT_BUILD=0 \
    START_LOCAL_REDIS=0 \
    PORT=4000 \
    MEDIA_DIR=/app/data/media
COPY --from=runtime-deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY server ./server
COPY --from=client /app/client/dist ./client/dist
# Media live on a volume mounted here; a named volume starts with this owner.
RUN mkdir -p /app/data/media && chown -R node:node /app/data
USER node
EXPOSE 4000 9464
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--import", "tsx", "server/main.ts", "--role=api"]
