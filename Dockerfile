# Folio's production images: one Dockerfile for every app, chosen with the APP build argument
# (docs/adr/0015-container-images.md explains why one file and not five).
#
#   pnpm images                                            # all five, tagged from the commit (scripts/images.ts)
#   docker build --build-arg APP=api -t folio/api:dev .    # one, by hand
#
# APP is api, web, worker, cleanup or agent. The migrations Job runs the api image with `node dist/migrate.js`.
# It uses no BuildKit-only syntax (no cache mounts, no COPY --link, no heredocs), so Docker's classic builder
# builds it too.

# The base of the build and of the final image. A build argument, so that a mirror or a digest can be used:
#   --build-arg NODE_IMAGE=registry.example.com/library/node:24-bookworm-slim@sha256:...
ARG NODE_IMAGE=node:24-bookworm-slim

# ---------------------------------------------------------------------------------------------------------------
# workspace: every dependency installed and every app built, once. Nothing in this stage depends on APP, so the
# five builds of `pnpm images` share its layers through the layer cache and only the first one does the work.
FROM ${NODE_IMAGE} AS workspace
# The layer cache of this stage and the next stays behind as untagged images; this label finds them:
#   docker image prune --force --filter label=folio.stage=build
LABEL folio.stage=build
WORKDIR /repo
# CI=true: pnpm never prompts and keeps the lockfile frozen. Corepack installs the pnpm version that
# package.json pins ("packageManager"), without asking first.
ENV CI=true \
    COREPACK_ENABLE_DOWNLOAD_PROMPT=0 \
    TURBO_TELEMETRY_DISABLED=1
RUN corepack enable pnpm

# Download every package the lockfile names into pnpm's store. This layer depends only on these files, so it
# stays cached until the lockfile changes, whatever happens to the sources.
# https://pnpm.io/cli/fetch
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
RUN pnpm fetch

# The sources (.dockerignore leaves out tests, docs, charts and build output), linked from the store without
# the network. pnpm installs the native packages built for this platform here (sharp's libvips, for one), so an
# image built on arm64 gets arm64 binaries.
COPY . .
RUN pnpm install --frozen-lockfile --offline
RUN pnpm turbo run build --filter='./apps/*' --output-logs=errors-only

# ---------------------------------------------------------------------------------------------------------------
# deploy: one app with its production dependencies only, as a self-contained folder in /out.
FROM workspace AS deploy
ARG APP
RUN test -n "$APP" || { echo "set --build-arg APP=<api|web|worker|cleanup|agent>" >&2; exit 1; }
# --legacy: pnpm 10's default deploy needs inject-workspace-packages=true for the whole workspace, which would
# make every app see copies of the workspace packages instead of links in development. The legacy deploy
# copies the workspace packages (their "files") and resolves again, preferring the lockfile's versions; the
# image tests check that every package is at its lockfile version (ADR 0015).
# Then remove what Node never loads at run time: TypeScript sources and declarations (*.ts covers *.d.ts),
# source maps and Markdown, about a third of node_modules. Licence and notice files stay, whatever their suffix.
# The API's and the worker's incremental build info (for `tsc --watch` in development) goes too.
RUN pnpm --filter="@folio/${APP}" --prod deploy --legacy /out \
 && find /out/node_modules -type f \( -name '*.ts' -o -name '*.mts' -o -name '*.cts' -o -name '*.map' -o -name '*.md' \) \
      ! -iname 'licen[cs]e*' ! -iname 'notice*' -delete \
 && rm -f /out/dist/.tsbuildinfo

# ---------------------------------------------------------------------------------------------------------------
# runtime: the base image, the compiled app, its production node_modules; no sources, no package manager.
FROM ${NODE_IMAGE} AS runtime
# npm, npx, corepack and yarn come with the base image but are not needed to run a built app. Removing them
# keeps them out of vulnerability reports and out of reach of whoever gets a shell (it saves no space: the base
# layers still hold them).
RUN rm -rf /usr/local/lib/node_modules /opt/yarn-* \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and not writable by the app's user; the app writes only to /tmp (an emptyDir in Kubernetes).
COPY --from=deploy /out/package.json ./
COPY --from=deploy /out/node_modules ./node_modules
COPY --from=deploy /out/dist ./dist
# The base image's "node" user, by number: the kubelet can only check runAsNonRoot against a numeric user.
USER 1000:1000
# Node is PID 1 and receives SIGTERM itself: no shell, no npm, and not the base image's docker-entrypoint.sh.
# Every app handles SIGTERM and starts no child processes, so no init process is needed to forward signals or
# reap zombies. "node ." runs the file named by "main" in the app's package.json (dist/server/main.js for web).
# Other entry points replace the command, as the chart's migrations Job does: node dist/migrate.js
ENTRYPOINT []
CMD ["node", "."]

# Last, so that a new commit changes only the image's metadata and no layer.
# https://github.com/opencontainers/image-spec/blob/main/annotations.md
ARG NODE_IMAGE
ARG APP
ARG DESCRIPTION=""
ARG VERSION=""
ARG REVISION=""
ARG CREATED=""
ARG SOURCE=""
ARG LICENSES="NOASSERTION"
LABEL org.opencontainers.image.title="folio-${APP}" \
      org.opencontainers.image.description="${DESCRIPTION}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="${LICENSES}" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"
