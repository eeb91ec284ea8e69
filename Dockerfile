# syntax=docker/dockerfile:1
# Multi-stage build on the official Bun image. The final stage runs as the image's non-root `bun`
# user with /app/data (SQLite file, embedded queue, generated secret) as a volume.

FROM oven/bun:1.4.5 AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Lifecycle scripts are npm's way in (they run the asset build with Node); here Bun runs it directly.
RUN bun install --ignore-scripts
COPY . .
RUN bun scripts/build-assets.ts

FROM oven/bun:1.4.5 AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN bun install --production --ignore-scripts

FROM oven/bun:1.4.5-slim
WORKDIR /app
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/app/data
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json tsconfig.json bunfig.toml ./
COPY src ./src
COPY views ./views
COPY drizzle ./drizzle
COPY public ./public
COPY --from=build /app/public/build ./public/build
RUN mkdir -p /app/data && chown -R bun:bun /app/data
USER bun
VOLUME ["/app/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD ["bun", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["bun", "src/main.ts"]
