# gunicorn configuration for MNP Chatbot (the seed's PM2 ecosystem.config.js):
#   gunicorn -c deploy/gunicorn.conf.py
# Settings come from the environment / ENV_FILE like the app's (backend/mnp_chatbot/core/config.py):
# HOST/PORT (or HTTPS_PORT with SSL_CERT_PATH+SSL_KEY_PATH), WEB_CONCURRENCY (0: one worker per core),
# WORKER_PORT_BASE (each worker's own port for socket.io stickiness behind nginx; 0: none),
# GRACEFUL_TIMEOUT_SECONDS, LOG_LEVEL, LOG_DIR, PROMETHEUS_MULTIPROC_DIR.
from mnp_chatbot.core.config import get_settings
from mnp_chatbot.serving import gunicorn_config as _config

_settings = get_settings()  # ENV_FILE (default .env) and the environment
_hooks = _config.Hooks(_settings, _config.metrics_dir(_settings))

wsgi_app = _config.APP
worker_class = _config.WORKER_CLASS
workers = _config.worker_count(_settings)
bind = _config.bind(_settings)
certfile, keyfile = _config.tls_files(_settings)
graceful_timeout = _settings.GRACEFUL_TIMEOUT_SECONDS
timeout = 60  # a worker that stops answering its master's heartbeat this long is killed and replaced
keepalive = 75  # longer than nginx's upstream keepalive_timeout (60 s), so nginx closes first
backlog = 2048
forwarded_allow_ips = ",".join(_settings.TRUSTED_PROXIES)  # X-Forwarded-* believed only from these
logconfig_dict = _config.logconfig()
accesslog = None  # the app logs every request as JSON (mnp_chatbot.access)
proc_name = "mnp-chatbot:{}:{}".format(*_config.address(_settings))

on_starting = _hooks.on_starting
pre_fork = _hooks.pre_fork
child_exit = _hooks.child_exit
