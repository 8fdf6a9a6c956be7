# Partner Quality Monitor — `make run` serves the demo, `make test` runs every test. Nothing else is needed.
PY        ?= python3
VENV      := .venv
BIN       := $(VENV)/bin
HOST      ?= 127.0.0.1
PORT      ?= 8050
export TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: run test venv dev-deps loadtest-deps browser postgres redis serve worker beat loadtest bench screenshots lint mutation upgrade-check clean

$(BIN)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(BIN)/.dev: requirements-dev.txt $(BIN)/.runtime
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

.venv-locust/.installed: requirements-loadtest.txt
	test -x .venv-locust/bin/python || $(PY) -m venv .venv-locust
	.venv-locust/bin/pip install -q -r requirements-loadtest.txt
	touch $@

venv: $(BIN)/.runtime
dev-deps: $(BIN)/.dev
loadtest-deps: .venv-locust/.installed

## run: set up, create the SQLite demo database on first start, serve on http://$(HOST):$(PORT)
run: venv
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python app.py

## test: set up (venv, dev deps, Locust venv, Chromium + chromedriver, PostgreSQL, Redis), then the whole pytest suite;
##       QUALITY_TEST_REQUIRE_SERVICES=1 turns a missing PostgreSQL/Redis/Chromium into failures (never skips);
##       TEST_WORKERS pytest-xdist workers (default auto: one per core; 0 runs in this process), grouped as
##       tests/conftest.py says
test: dev-deps loadtest-deps browser postgres redis
	QUALITY_TEST_REQUIRE_SERVICES=1 $(BIN)/python -m pytest -q -p no:cacheprovider -n $${TEST_WORKERS:-auto} --dist loadgroup

## browser: Chromium + chromedriver for dash_duo, DejaVu fonts for Cyrillic PDF briefs (Debian packages)
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null && [ -d /usr/share/fonts/truetype/dejavu ] || { \
	  echo "installing Chromium, chromedriver and DejaVu fonts from Debian packages"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-dejavu-core >/dev/null; }

postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || { \
	  echo "starting PostgreSQL"; \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -n1) main start && sleep 2; } || true
	@pg_isready -h 127.0.0.1 -p 5432 || { echo "PostgreSQL unreachable at 127.0.0.1:5432: make test needs it"; exit 1; }

redis:
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || { \
	  command -v redis-server >/dev/null && redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null \
	  && sleep 1; } || true
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || { echo "Redis unreachable at 127.0.0.1:6379: make test needs it"; exit 1; }

## serve: production mode — gunicorn (WORKERS, default 4; gunicorn.conf.py migrates once before the workers
##        fork), PostgreSQL (DATABASE_URL, default database `quality` created if missing), Redis (REDIS_URL).
##        No demo logins in production: add users with `echo PASSWORD | python cli.py users add LOGIN --role admin`
serve: venv postgres redis
	QUALITY_MODE=production DATABASE_URL=$${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/quality} \
	  HOST=$(HOST) PORT=$(PORT) WORKERS=$${WORKERS:-4} $(BIN)/gunicorn -c gunicorn.conf.py 'app:server()'

## worker: production Celery worker (jobs and Dash background callbacks) over Redis; WORKER_CONCURRENCY (2)
worker: venv postgres redis
	QUALITY_MODE=production DATABASE_URL=$${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/quality} \
	  $(BIN)/celery -A jobs.worker worker --loglevel=INFO --concurrency=$${WORKER_CONCURRENCY:-2}

## beat: production Celery beat, the job schedule (exactly ONE per deployment)
beat: venv redis
	QUALITY_MODE=production DATABASE_URL=$${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/quality} \
	  $(BIN)/celery -A jobs.celery_app beat --loglevel=INFO --schedule=instance/celerybeat-schedule

## loadtest: Locust (headless, own venv .venv-locust) against gunicorn in production mode on a free 127.0.0.1 port
##           over PostgreSQL (database `quality_loadtest`, demo SCALE small|medium loaded once): DURATION s (30) per
##           step of USERS logged-in users (20, or steps such as 10,20,40); CSV statistics in instance/loadtest/;
##           exit 1 on any error
loadtest: venv loadtest-deps postgres redis
	DATABASE_URL=$${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/quality_loadtest} \
	  $(BIN)/python -m tools.loadtest --serve --scale $${SCALE:-small} --workers $${WORKERS:-3} \
	  --duration $${DURATION:-30} --users $${USERS:-20} --csv-dir instance/loadtest \
	  --server-log instance/loadtest-server.log

## bench: python cli.py bench (medium and large, PostgreSQL)
bench: dev-deps postgres
	$(BIN)/python cli.py bench --scale $${SCALE:-medium}

## screenshots: headless Chromium screenshots of every page per role into screenshots/
screenshots: dev-deps browser
	$(BIN)/python -m tools.screenshots

## mutation: mutmut over metrics/survey.py, sla.py, privacy.py, significance.py, kkv.py, deposit.py,
##           quality_program.py, saas.py with their unit tests (setup.cfg [mutmut]), then the score per module
##           (tools/mutation_score.py); slow: hours on 2 cores, most of it privacy.py (2297 mutants, each
##           surviving one runs its ~40 tests). One module: make mutation MUTANTS='metrics.saas.*'
##           (mutmut's own filter on mutant names; the other modules keep their last results).
##           The test-to-function map is collected afresh each run: mutmut only records calls into the modules
##           mutated at the time, so a cached map goes blind to a module added to source_paths later.
mutation: dev-deps
	rm -f mutants/mutmut-stats.json
	set -f; $(BIN)/mutmut run --max-children $${JOBS:-2} $(MUTANTS) || true
	$(BIN)/python -m tools.mutation_score

lint: dev-deps
	$(BIN)/ruff check .

## upgrade-check: list pins older than the package index's current release (exit 1 when one is outdated)
upgrade-check: venv
	$(BIN)/python -m tools.upgrade_check

clean:
	rm -rf $(VENV) .venv-locust instance .pytest_cache mutants
