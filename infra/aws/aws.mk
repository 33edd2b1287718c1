# The AWS side of the Makefile: the Lambda layer, `cdk synth` + cfn-lint, `cdk deploy`.
# Included by the main Makefile, which defines VENV and the $(VENV)/.synced and frontend targets.
# Every helper variable here starts with AWS_MK_ so it cannot clash with the includer's.

AWS_MK_BIN := $(CURDIR)/$(VENV)/bin
# uv comes with the venv when it was installed there, otherwise from PATH.
AWS_MK_UV := $(firstword $(wildcard $(VENV)/bin/uv) uv)
AWS_MK_LAYER_REQUIREMENTS := build/layer-requirements.txt
AWS_MK_LAYER_DIR := build/layer
# The stamp lives outside the layer directory so it does not end up in the layer's zip.
AWS_MK_LAYER_STAMP := build/.layer-built
# Chalice needs a region to package the app even offline; CDK_DEFAULT_* still wins in the app.
AWS_MK_REGION := $(or $(AWS_DEFAULT_REGION),$(AWS_REGION),us-east-1)
AWS_MK_CDK := PATH="$(AWS_MK_BIN):$$PATH" CDK_DISABLE_CLI_TELEMETRY=true npx cdk
AWS_MK_DEPLOY_ARGS ?=

# Lambda targets x86_64 / CPython 3.11: wheels only, no .pyc (a rebuild gives identical bytes,
# so the layer asset hash and the layer version only change when the lock does).
AWS_MK_PIP_TARGET_FLAGS := --target $(AWS_MK_LAYER_DIR)/python -r $(AWS_MK_LAYER_REQUIREMENTS)
ifneq ($(wildcard $(VENV)/bin/pip),)
AWS_MK_LAYER_INSTALL := $(VENV)/bin/pip install --quiet --disable-pip-version-check \
	--platform manylinux2014_x86_64 --implementation cp --python-version 3.11 \
	--only-binary=:all: --no-compile $(AWS_MK_PIP_TARGET_FLAGS)
else
AWS_MK_LAYER_INSTALL := $(AWS_MK_UV) pip install --quiet --python $(VENV)/bin/python \
	--python-platform x86_64-manylinux2014 --python-version 3.11 \
	--only-binary :all: --no-compile $(AWS_MK_PIP_TARGET_FLAGS)
endif

.PHONY: layer synth deploy

layer: $(AWS_MK_LAYER_STAMP)

# The runtime pins come from uv.lock. A lock change that leaves them as they were (a new dev tool)
# keeps the file, and so the layer, as it is.
$(AWS_MK_LAYER_REQUIREMENTS): uv.lock | $(VENV)/.synced
	@mkdir -p $(@D)
	$(AWS_MK_UV) export --quiet --frozen --no-dev --no-emit-project --no-hashes \
		--format requirements-txt --output-file $@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi

$(AWS_MK_LAYER_STAMP): $(AWS_MK_LAYER_REQUIREMENTS) | $(VENV)/.synced
	rm -rf $(AWS_MK_LAYER_DIR)
	$(AWS_MK_LAYER_INSTALL)
	@touch $@

node_modules/.installed: package.json package-lock.json | $(VENV)/.synced
	PATH="$(AWS_MK_BIN):$$PATH" $(VENV)/bin/npm ci --no-audit --no-fund
	@touch $@

# cfn-lint's exit code is a bit mask (2 errors, 4 warnings, 8 informational); only errors, or a
# crash (1), fail the build. Its settings, W3005 ignored, are in .cfnlintrc.yaml.
# The stack deploys the built frontend (infra/aws/frontend.py): it is built first, without Docker.
synth: layer node_modules/.installed $(MODEL) frontend
	rm -rf cdk.out
	AWS_DEFAULT_REGION=$(AWS_MK_REGION) AWS_EC2_METADATA_DISABLED=true $(AWS_MK_CDK) synth --quiet --no-notices
	@rc=0; $(VENV)/bin/cfn-lint || rc=$$?; \
	if [ $$((rc & 3)) -ne 0 ]; then echo "cfn-lint: errors (exit $$rc)" >&2; exit 1; fi; \
	echo "cfn-lint: no errors (exit $$rc)"

deploy: layer node_modules/.installed frontend
	$(AWS_MK_CDK) deploy --no-notices $(AWS_MK_DEPLOY_ARGS)
