"""gunicorn settings of production serving (`make serve`): gunicorn -c gunicorn.conf.py 'app:server()'.

The master prepares the database once (`tools.serve.prepare_production`: create it when
missing, migrate, check Redis) before forking, so the workers never race on migrations; each
worker then builds its own app and engine.
"""
import os
import sys

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8050')}"
workers = int(os.environ.get("WORKERS", "4"))
timeout = 120
graceful_timeout = 10


def on_starting(server):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from tools.serve import StartupError, prepare_production

    try:
        config = prepare_production()
    except StartupError as error:
        sys.exit(f"cannot start: {error}")
    server.log.info("Partner Quality Monitor: mode %s, database ready, %s workers", config.mode, workers)
