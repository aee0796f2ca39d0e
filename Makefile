# Pasar UMKM. `make run` serves the marketplace; `make test` runs the whole suite on real services.
PYTHON ?= python3
VENV := .venv
PORT ?= 5000

.PHONY: run test services bench venv venv-dev stop clean lock

$(VENV)/.runtime: requirements.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	touch $@

# Rebuild the lock files from pyproject.toml (after adding or upgrading a dependency there).
lock:
	test -x $(VENV)/bin/pip-compile || $(VENV)/bin/pip install -q pip-tools==7.6.2
	$(VENV)/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
	  --output-file requirements.txt pyproject.toml
	$(VENV)/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
	  --extra dev --constraint requirements.txt --output-file requirements-dev.txt pyproject.toml

venv: $(VENV)/.runtime
venv-dev: $(VENV)/.dev

run: venv
	PORT=$(PORT) scripts/run.sh

test: venv-dev
	scripts/test.sh

services:
	@scripts/services.sh

bench: venv-dev
	scripts/bench.sh

stop:
	-for f in .services/elasticsearch/es-*.pid; do [ -f "$$f" ] || continue; port="$$(basename "$$f" .pid)"; \
	  ES_PORT="$${port#es-}" scripts/elasticsearch/stop.sh; done
	-runuser -u postgres -- /usr/lib/postgresql/*/bin/pg_ctl -D .services/postgres/data stop
	-for f in .services/redis/*.pid; do [ -f "$$f" ] && kill "$$(cat $$f)"; done
	-for f in .services/localstripe/server*.pid; do [ -f "$$f" ] || continue; port="$$(basename "$$f" .pid)"; \
	  port="$${port#server-}"; [ "$$port" = server ] && port=8420; STRIPE_PORT="$$port" scripts/stripe-stop.sh; done

clean:
	rm -rf $(VENV) build
