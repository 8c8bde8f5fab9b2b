# One image for the worker, the HTTP API and the sandbox (docker-compose.yml picks the command).
# Debian, not Alpine: @temporalio/core-bridge ships glibc binaries only.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY opentrain opentrain
COPY sandbox sandbox
COPY domain domain
COPY workflows workflows
COPY activities activities
COPY worker worker
COPY client client
COPY scripts scripts
# Compiles to lib/ and prebuilds lib/workflow-bundle.js, which the worker loads when NODE_ENV=production.
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/lib lib
# Named volumes (sandbox state) take this folder's owner, so the unprivileged user can write there.
RUN mkdir -p /data && chown node:node /data
USER node
CMD ["node", "lib/worker/main.js"]
