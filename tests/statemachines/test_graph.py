"""Graph lint of every ASL file: moto and cfn-lint both accept a dangling Next, this does not."""

import json
import re
from pathlib import Path

import pytest
from chalicelib import names

STATEMACHINES = Path(__file__).resolve().parents[2] / "statemachines"
FILES = sorted(STATEMACHINES.glob("*.asl.json"))
# Each ASL file's placeholders, from the machine spec that deploys it.
SPECS = (*names.MACHINES, *names.ANALYTICS_MACHINES)
KNOWN_PLACEHOLDERS = {spec.asl: spec.all_placeholders for spec in SPECS}


def targets(state: dict) -> set[str]:
    found = {state[k] for k in ("Next", "Default") if k in state}
    found |= {c["Next"] for c in state.get("Choices", [])}
    found |= {c["Next"] for c in state.get("Catch", [])}
    return found


@pytest.fixture(params=FILES, ids=[f.name for f in FILES])
def asl(request):
    return request.param.name, json.loads(request.param.read_text(encoding="utf-8"))


def test_there_is_a_machine_to_lint():
    assert names.WORK_ORDER_ASL in [f.name for f in FILES]


def test_every_asl_file_is_a_machine_and_every_machine_has_its_file():
    """The lint below runs on every file: the work-order and whistle machines at least."""
    assert {f.name for f in FILES} == set(KNOWN_PLACEHOLDERS)
    assert len(KNOWN_PLACEHOLDERS) == len(SPECS)
    assert {"work_order.asl.json", "whistle.asl.json", "analytics_monthly.asl.json"} <= set(
        KNOWN_PLACEHOLDERS
    )


def test_every_transition_lands_on_a_state_and_every_state_is_reachable(asl):
    _, machine = asl
    states = machine["States"]
    assert machine["StartAt"] in states
    for name, state in states.items():
        assert targets(state) <= set(states), f"{name} points at a missing state"
        ends = state["Type"] in ("Succeed", "Fail") or state.get("End") is True
        assert ends or targets(state), f"{name} neither ends nor moves on"
    seen, todo = set(), [machine["StartAt"]]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(targets(states[current]))
    assert seen == set(states), f"unreachable: {set(states) - seen}"


def test_placeholders_are_exactly_the_known_ones(asl):
    file, machine = asl
    used = set(re.findall(r"\$\{(\w+)\}", json.dumps(machine)))
    assert used == KNOWN_PLACEHOLDERS[file]


def test_callbacks_have_a_timeout_and_catch_it(asl):
    _, machine = asl
    for name, state in machine["States"].items():
        if str(state.get("Resource", "")).endswith(".waitForTaskToken"):
            assert "TimeoutSecondsPath" in state or "TimeoutSeconds" in state, name
            caught = {e for c in state.get("Catch", []) for e in c["ErrorEquals"]}
            # moto names heartbeat timeouts States.Timeout too, and AWS documents that it covers them.
            assert "States.Timeout" in caught, name


def test_every_work_order_task_retries_any_failure_and_never_a_checkpoint_or_a_changed_order():
    """A task that keeps failing for any reason is tried again before its run fails (then the
    failed-executions alarm fires and the reconciler redrives it); a checkpoint (States.Timeout) is
    never retried, and an error the state catches (OrderChanged) goes straight to its catch."""
    machine = json.loads((STATEMACHINES / names.WORK_ORDER_ASL).read_text(encoding="utf-8"))
    tasks = {name: state for name, state in machine["States"].items() if state["Type"] == "Task"}
    assert set(tasks) == {"Dispatch", "Await unit", "Advance"}
    for name, state in tasks.items():
        retriers = state["Retry"]
        matched = [e for r in retriers for e in r["ErrorEquals"]]
        assert "States.TaskFailed" in matched, name
        assert "States.ALL" not in matched and "States.Timeout" not in matched, name
        catch_all = next(r for r in retriers if r["ErrorEquals"] == ["States.TaskFailed"])
        assert retriers[-1] is catch_all and catch_all["MaxAttempts"] >= 3, name
        # Every error a Catch of the state names (other than the checkpoint) is never retried.
        for caught in {e for c in state.get("Catch", []) for e in c["ErrorEquals"]} - {"States.Timeout"}:
            first = next(
                r for r in retriers if caught in r["ErrorEquals"] or r["ErrorEquals"] == ["States.TaskFailed"]
            )
            assert first["ErrorEquals"] != ["States.TaskFailed"] and first["MaxAttempts"] == 0, (name, caught)
