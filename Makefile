# Partner Quality Monitor — `make run` serves the demo, `make test` runs every test. Nothing else is needed.
PY        ?= python3
VENV      := .venv
BIN       := $(VENV)/bin
HOST      ?= 127.0.0.1
PORT      ?= 8050
export TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: run test venv dev-deps browser postgres redis serve bench screenshots lint clean

$(BIN)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(BIN)/.dev: requirements-dev.txt $(BIN)/.runtime
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

venv: $(BIN)/.runtime
dev-deps: $(BIN)/.dev

## run: set up, create the SQLite demo database on first start, serve on http://$(HOST):$(PORT)
run: venv
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python app.py

## test: set up (venv, dev deps, Chromium + chromedriver, PostgreSQL), then the whole pytest suite
test: dev-deps browser postgres redis
	$(BIN)/python -m pytest -q -p no:cacheprovider

browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  echo "installing Chromium + chromedriver from Debian packages"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }

postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || { \
	  echo "starting PostgreSQL"; \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -n1) main start && sleep 2; } || true
	@pg_isready -h 127.0.0.1 -p 5432 || echo "PostgreSQL unreachable: PostgreSQL tests will be skipped (outside CI)"

redis:
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || { \
	  command -v redis-server >/dev/null && redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null; } || true

## serve: production mode — gunicorn, several workers, PostgreSQL (DATABASE_URL) and Redis cache
serve: venv postgres redis
	QUALITY_MODE=production DATABASE_URL=$${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/quality} \
	  $(BIN)/gunicorn --workers $${WORKERS:-4} --bind $(HOST):$(PORT) --timeout 120 'app:server()'

## bench: python cli.py bench (medium and large, PostgreSQL)
bench: dev-deps postgres
	$(BIN)/python cli.py bench --scale $${SCALE:-medium}

## screenshots: headless Chromium screenshots of every page per role into screenshots/
screenshots: dev-deps browser
	$(BIN)/python -m tools.screenshots

lint: dev-deps
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) instance .pytest_cache
