"""The flat-array path: recorders -> arrays -> results file and metrics, without neo in between.

Checked against PyNN's own ``get_data`` on real NEST runs of every model, chunk by chunk.
"""

from __future__ import annotations

import numpy as np
import pytest

from opsnn_opt.analysis import SpikeData, compute_metrics, metric_names
from opsnn_opt.backends import get_backend
from opsnn_opt.io import read_recording, recording_from_block
from opsnn_opt.models import get_model
from opsnn_opt.pipeline import RunSpec, record_network, run
from tests.models.small import SMALL

CHECKED = [f"{b}.{p}" for b in ("rate_hz", "silent_fraction", "rate_p90_hz", "cv_isi") for p in ("exc", "all")]


@pytest.fixture(scope="module")
def backend():
    return get_backend("nest")


def _built(backend, model_name, simtime_ms=0.0):
    spec = RunSpec.create(model_name, SMALL[model_name], simtime_ms=simtime_ms or 100.0)
    model = get_model(model_name)
    sim = backend.setup(timestep_ms=spec.timestep_ms, seed=spec.seed, delays_ms=model.delays_ms(spec.params))
    network = model.build(sim, spec.params)
    record_network(network, 2)
    return sim, network, backend.recorders(network)


@pytest.mark.parametrize("model_name", ["balanced", "brunel", "v1_sheet"])
def test_flat_arrays_equal_pynn_get_data(backend, model_name):
    sim, network, recorders = _built(backend, model_name)
    sim.run(60.0)
    flat = recorders.collect(60.0)
    try:
        for name, pop in network.populations.items():
            segment = pop.get_data().segments[0]
            ours = flat.populations[name]
            assert ours.size == pop.size == len(segment.spiketrains)
            for i, train in enumerate(segment.spiketrains):
                times = ours.times_ms[ours.index == i]
                np.testing.assert_array_equal(times, np.asarray(train.rescale("ms").magnitude))
                assert ours.cell_ids[i] == train.annotations["channel_id"]
            (signal,) = segment.analogsignals
            np.testing.assert_array_equal(ours.v_index, signal.array_annotations["channel_index"])
            assert ours.v_mv.shape == signal.shape
            # From the second sample on, NEST's own records; the first is the initial value, which
            # PyNN knows only when it set it (see opsnn_opt.backends._nest_recording).
            np.testing.assert_array_equal(ours.v_mv[1:], np.asarray(signal.magnitude)[1:])
            assert ours.v_dt_ms == pytest.approx(float(signal.sampling_period.rescale("ms")))
    finally:
        backend.end()


def test_flat_metrics_equal_metrics_from_the_neo_block(backend):
    sim, _, recorders = _built(backend, "v1_sheet")
    sim.run(80.0)
    flat = recorders.collect(80.0)
    backend.end()
    via_neo = recording_from_block(flat.to_block()).spike_data()
    assert compute_metrics(flat.spike_data()) == pytest.approx(compute_metrics(via_neo), nan_ok=True)


@pytest.mark.parametrize("model_name", ["balanced", "brunel"])
def test_incremental_checks_equal_a_full_recomputation_after_every_chunk(tmp_path, backend, model_name):
    compared = []

    def on_chunk(t_ms, so_far):
        names = [n for n in metric_names(["exc", "inh"]) if not n.startswith(("wave", "spread", "pgd", "phase"))]
        names = [n for n in names if "radial" not in n and "direction" not in n and "chi_vm" not in n]
        incremental = so_far.metrics(names)
        full = SpikeData(
            so_far.spike_data().times_ms.copy(),
            so_far.spike_data().senders.copy(),
            so_far.populations,
            0.0,
            t_ms,
            refractory_ms=so_far.refractory_ms,  # the model's, as the state metrics use them
        )
        assert so_far.refractory_ms == get_model(model_name).refractory_ms(spec.params)
        assert incremental == pytest.approx(compute_metrics(full, names), nan_ok=True)
        compared.append((t_ms, so_far.n_spikes))

    spec = RunSpec.create(model_name, SMALL[model_name], simtime_ms=100.0, chunk_ms=20.0)
    result = run(spec, tmp_path, backend=backend, on_chunk=on_chunk)
    assert [t for t, _ in compared] == [20.0, 40.0, 60.0, 80.0, 100.0]
    # Spikes read chunk by chunk (the recorders are emptied each time) all reach the file.
    whole = read_recording(result.results_path).spike_data()
    assert whole.times_ms.size == compared[-1][1] > 0


def test_timings_add_up_to_the_total(tmp_path, backend):
    spec = RunSpec.create("balanced", SMALL["balanced"], simtime_ms=100.0, chunk_ms=25.0)
    t = run(spec, tmp_path, backend=backend, on_chunk=lambda t_ms, so_far: so_far.metrics(["rate_hz.all"])).timings
    parts = sum(v for k, v in t.items() if k != "total_s")
    assert parts == pytest.approx(t["total_s"], rel=0.02)
    assert t["checks_s"] > 0 and t["sim_s"] > 0


def test_a_file_written_from_arrays_reads_back_as_pynn_would_give_it(tmp_path, backend):
    spec = RunSpec.create("balanced", SMALL["balanced"], simtime_ms=50.0)
    result = run(spec, tmp_path, backend=backend)
    from opsnn_opt.io import read_block

    block = read_block(result.results_path)
    train = block.segments[0].spiketrains[0]
    assert set(train.annotations) >= {"source_population", "source_index", "channel_id"}
    sig = block.segments[0].analogsignals[0]
    assert sig.name == "v" and str(sig.units.dimensionality) == "mV"
    assert set(sig.annotations) >= {"source_population", "channel_ids"}
    assert "channel_index" in sig.array_annotations


def test_a_check_that_asks_for_nothing_reads_nothing(tmp_path, backend):
    seen = []

    def on_chunk(t_ms, so_far):
        if t_ms >= 60.0:  # like a prune rule due from 60 ms on
            seen.append((t_ms, so_far.n_spikes, so_far.spike_data().times_ms.max(initial=0.0)))

    spec = RunSpec.create("balanced", SMALL["balanced"], simtime_ms=100.0, chunk_ms=20.0)
    result = run(spec, tmp_path, backend=backend, on_chunk=on_chunk)
    assert [t for t, _, _ in seen] == [60.0, 80.0, 100.0]
    assert seen[0][1] > 0 and seen[0][2] <= 60.0
    assert read_recording(result.results_path).n_spikes == seen[-1][1]
