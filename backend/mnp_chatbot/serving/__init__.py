"""Running the app under gunicorn (the seed's PM2): the configuration, hooks and worker class that
`deploy/gunicorn.conf.py` uses."""
