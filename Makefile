# The wellbeing assistant. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3.11
APP := .venv/bin
BOT := .venv-bot/bin
MODEL := models/current.tar.gz
SAFETY_NET := models/safety-semantic.npz
SAFETY_DATA := $(shell find safety/semantic data/nlu -name '*.yml' 2>/dev/null)
BOT_DATA := config.yml domain.yml $(shell find data/nlu data/rules data/stories -name '*.yml' 2>/dev/null)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.DEFAULT_GOAL := help
.PHONY: help setup secrets run chat user test test-postgres lint validate test-bot train eval messages messages-compile text-report migrate bench bench-inbound bench-turns bench-reminders faults faults-reminders bench-languages bench-safety bench-report clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

setup: .venv/.done .venv-bot/.done system tests/browser/node_modules/.done .env secrets migrate messages-compile $(MODEL) $(SAFETY_NET) ## Install everything, migrate, train the model

secrets: .env | .venv/.done ## Random internal secrets into .env where it has none (Redis password, Rasa and action server tokens)
	$(APP)/python -m scripts.env_secrets

run: .env $(MODEL) $(SAFETY_NET) messages-compile ## Run the whole system (Ctrl-C stops it)
	$(APP)/python -m scripts.run

chat: ## Text the running assistant from this terminal, as a phone would
	$(APP)/python -m scripts.chat $(ARGS)

user: .env ## Make an inbox account: make user ARGS="--username sam --name 'Sam Patel' --role admin"
	$(APP)/python -m api.admin create-user $(ARGS)

test: validate test-bot messages-compile $(SAFETY_NET) ## Run all tests: Rasa data and stories, then pytest (starts its own system)
	$(APP)/pytest

test-postgres: messages-compile $(MODEL) $(SAFETY_NET) ## The whole pytest suite again, on a throwaway PostgreSQL server (Debian's postgresql)
	bash scripts/with_postgres.sh $(APP)/pytest

lint: ## ruff and mypy
	$(APP)/ruff check api scripts tests bench actions bot secret_strength embeddings
	$(APP)/mypy

validate: ## Check the Rasa project (rasa data validate, warnings fail)
	bash bot/validate.sh

test-bot: $(MODEL) ## Rasa's conversation tests (--e2e) and NLU accuracy on the held-out sets (bar: 90%)
	bash bot/test.sh --out var/rasa-results
	bash bot/test_nlu.sh var/nlu-results

train: $(MODEL) $(SAFETY_NET) ## Train the Rasa model and the semantic safety net (only when their data changed)

$(MODEL): $(BOT_DATA) bot/embeddings.py | .venv-bot/.done
	bash bot/train.sh

$(SAFETY_NET): $(SAFETY_DATA) api/safety/train_semantic.py | .venv/.done
	$(APP)/python -m api.safety.train_semantic

eval: $(MODEL) $(SAFETY_NET) messages-compile ## The independent evaluation sets: intent accuracy, crises caught and false alarms per language
	$(APP)/pytest tests/eval -s -q

messages: ## Extract resident-facing text and update every catalog (Babel)
	PYTHONPATH=. $(APP)/pybabel extract -F babel.cfg -k N_ --add-comments=directory: --add-comments=Translators: --no-location --sort-output --project wellbeing-assistant -o locales/messages.pot .
	$(APP)/pybabel update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching --ignore-obsolete
	$(MAKE) messages-compile

text-report: messages-compile ## Length, encoding, SMS segments and reading grade of every resident-facing message
	$(APP)/python -m scripts.text_report

messages-compile: ## Compile the catalogs (.po to .mo)
	@$(APP)/pybabel compile -d locales -D messages --statistics 2>&1 | grep -v '^$$' | sed 's/^/  /'

migrate: .env ## Apply database migrations (Alembic)
	$(APP)/alembic upgrade head

bench: bench-inbound bench-turns bench-reminders faults faults-reminders bench-languages bench-safety bench-report ## Every benchmark and fault test, then docs/benchmarks.md (25 min or more: a rate runs again when the VM host takes the cores)

bench-inbound: .venv/.bench ## Our gateway against Rasa's own Twilio channel at rising rates, 40/s for 30 s, then in bursts (locust)
	$(APP)/python -m bench.inbound
	$(APP)/python -m bench.inbound --shape burst --rates 50 200

bench-turns: $(MODEL) ## Bot turn cost: NLU and dialogue time per language, and where a turn's time goes
	$(BOT)/python -m bench.turns
	$(BOT)/python -m bench.nlu_cost

bench-reminders: ## 10,000 reminders due in one minute: time to send all, lateness, duplicates, missing
	$(APP)/python -m bench.reminders

faults: ## kill -9 each process under load, Redis restart, duplicates; then crises during a backlog and with the bot slow or stopped
	$(APP)/python -m bench.faults
	$(APP)/python -m bench.urgent

faults-reminders: ## The reminders run with the worker killed (SIGKILL) again and again and Redis restarted once
	$(APP)/python -m bench.reminders --faults

bench-languages: ## Language detection: memory, speed, accuracy
	$(APP)/python -m bench.languages

bench-safety: ## The safety screen: recall and false alarms per language, time per message
	$(APP)/python -m bench.safety

bench-report: ## Write docs/benchmarks.md from bench/results/*.json
	$(APP)/python -m bench.report

.venv/.bench: requirements/bench.txt .venv/.done
	$(APP)/pip install -q -r requirements/bench.txt
	touch $@

.venv/.done: requirements/app.txt requirements/dev.txt
	$(PYTHON) -m venv .venv
	$(APP)/pip install -q --upgrade pip
	$(APP)/pip install -q -r requirements/dev.txt
	touch $@

.venv-bot/.done: bot/requirements.txt bot/install.sh
	PYTHON=$(PYTHON) bash bot/install.sh .venv-bot
	touch $@

system: ## Install Redis, Chromium and npm if this machine has none (Debian/Ubuntu)
	@missing=""; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q $$missing; fi
	@# The packaged service is not needed: `make run` and the tests start their own Redis.

tests/browser/node_modules/.done: tests/browser/package.json tests/browser/package-lock.json | system
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	touch $@

.env:
	cp .env.example .env

clean: ## Remove local data, logs and the trained model (keeps the environments)
	rm -rf var models .pytest_cache .mypy_cache .ruff_cache
