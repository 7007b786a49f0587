# syntax=docker/dockerfile:1.7
# The compose edge nginx: Debian's nginx (the same package as the one-server deployment), the shared
# configuration from deploy/nginx, the compose upstreams and site, and the front end from the app image.
#   docker build -f deploy/docker/nginx.Dockerfile --build-arg APP_IMAGE=mnp-chatbot:<tag> -t mnp-chatbot-nginx:<tag> .
ARG BASE_IMAGE=debian:bookworm-slim
ARG APP_IMAGE=mnp-chatbot:latest

FROM ${APP_IMAGE} AS app

FROM ${BASE_IMAGE}
SHELL ["/bin/sh", "-eu", "-c"]
COPY deploy/docker/with-build-ca.sh /usr/local/bin/with-build-ca
RUN --mount=type=secret,id=extra_ca \
    with-build-ca apt-get update -q \
    && with-build-ca apt-get install -y -q --no-install-recommends nginx ca-certificates \
    && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/default /usr/local/bin/with-build-ca \
    && ln -sf /dev/stdout /var/log/nginx/access.log \
    && ln -sf /dev/stderr /var/log/nginx/error.log \
    && mkdir -p /var/www/letsencrypt
COPY deploy/nginx/conf.d/mnp-chatbot.conf /etc/nginx/conf.d/mnp-chatbot.conf
COPY deploy/nginx/snippets/ /etc/nginx/snippets/
COPY deploy/compose/nginx/mnp-chatbot-upstream.conf /etc/nginx/conf.d/mnp-chatbot-upstream.conf
COPY deploy/compose/nginx/mnp-chatbot-site.conf /etc/nginx/conf.d/mnp-chatbot-site.conf
COPY --from=app /app/frontend/dist /usr/share/mnp-chatbot/dist
EXPOSE 80 443
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
