# tsfpm in its own container ("FPM in its own container"): a web server in another container
# (nginx: fastcgi_pass tsfpm:9000) sends FastCGI to port 9000; the scripts are in /srv/www.
#
#   docker build -t tsfpm .
#   docker run -d --name tsfpm -v "$PWD/www:/srv/www:ro" tsfpm
#
# Build stage: compile and pack, so the runtime image holds only the package and its runtime deps.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm pack --pack-destination /tmp

FROM node:20-bookworm-slim
COPY --from=build /tmp/tsfpm-*.tgz /tmp/
RUN npm install -g --omit=dev --no-audit --no-fund /tmp/tsfpm-*.tgz && rm /tmp/tsfpm-*.tgz
# A minimal configuration: one pool on TCP 9000 for the web server container, ping and status on.
RUN mkdir -p /etc/tsfpm && printf '%s\n' \
    '[global]' \
    '[www]' \
    'user = node' \
    'group = node' \
    'listen = 0.0.0.0:9000' \
    'pm = dynamic' \
    'pm.max_children = 8' \
    'pm.start_servers = 2' \
    'pm.min_spare_servers = 1' \
    'pm.max_spare_servers = 4' \
    'ping.path = /ping' \
    'pm.status_path = /status' \
    'chdir = /srv/www' \
    'security.limit_extensions = .js .mjs' \
    > /etc/tsfpm/tsfpm.conf
WORKDIR /srv/www
EXPOSE 9000
# The health check speaks FastCGI itself (no cgi-fcgi in the image): exit 0 only on a 2xx ping.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["tsfpm", "request", "--connect", "127.0.0.1:9000", "--health", "--timeout", "4000"]
# Foreground, log to stderr (docker logs); SIGQUIT lets running requests finish on `docker stop`.
STOPSIGNAL SIGQUIT
CMD ["tsfpm", "--nodaemonize", "--force-stderr", "--fpm-config", "/etc/tsfpm/tsfpm.conf"]
