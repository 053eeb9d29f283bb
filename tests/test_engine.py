"""The DeepSpeed engine in one process (gloo): it learns, it consolidates ZeRO-3 weights, and it fails a stage
whose training is not healthy (NaN loss, steps skipped for non-finite gradients, a flat loss) under every ZeRO
stage and precision. The GPU speed options are decided by pure functions, tested here on CPU (unit tier); the
options that also run on CPU (bf16 under autocast, fused AdamW forced on, torch.compile) train for real (e2e)."""

import importlib.util

import pytest
import torch
from helpers import tiny_model

from trainer.config import load_config
from trainer.engine import Engine, TrialFailure, adamw_kwargs, ds_config, use_fused_adamw, warmup_cosine
from trainer.model import ModelError, build_model


def e2e(test):
    """Real deepspeed.initialize and training steps in this process (``conftest.single_process_group``)."""
    return pytest.mark.e2e(pytest.mark.usefixtures("single_process_group")(test))


def batches(data):
    while True:
        yield {"input_ids": data, "labels": data.clone(), "attention_mask": torch.ones_like(data)}


def rotating_batches(n=4):
    """A few distinct memorisable batches in turn: the loss varies from step to step, as on real data."""
    g = torch.Generator().manual_seed(0)
    data = [torch.randint(0, 64, (4, 24), generator=g) for _ in range(n)]
    for i in range(10**9):
        d = data[i % n]
        yield {"input_ids": d, "labels": d.clone(), "attention_mask": torch.ones_like(d)}


@pytest.fixture
def fp16_on_cpu(monkeypatch):
    """DeepSpeed's CPU accelerator refuses fp16 unless oneDNN has fp16 kernels (AVX512-FP16/AMX-FP16), although
    torch computes fp16 on any CPU. The loss scaling under test is DeepSpeed's own code, the same as on a GPU, so
    only the capability probe is overridden (and only where it says no)."""
    from deepspeed.accelerator import get_accelerator

    acc = get_accelerator()
    if not acc.is_fp16_supported():
        monkeypatch.setattr(acc, "is_fp16_supported", lambda: True)


AUTOCAST = ["engine.precision=bf16", "engine.bf16_mode=autocast"]


@e2e
@pytest.mark.parametrize(
    "zero,options",
    [
        pytest.param(0, [], id="zero0"),
        pytest.param(2, [], id="zero2"),
        pytest.param(3, [], id="zero3"),
        pytest.param(0, AUTOCAST, id="zero0-bf16-autocast"),
        pytest.param(2, AUTOCAST, id="zero2-bf16-autocast"),
        pytest.param(0, ["engine.fused_adamw=always"], id="zero0-fused-adamw"),
        pytest.param(2, ["engine.precision=bf16", "engine.fused_adamw=always"], id="zero2-bf16-fused-adamw"),
    ],
)
def test_loss_falls_on_a_memorisable_corpus(zero, options):
    cfg = load_config(
        None,
        [
            f"engine.zero_stage={zero}",
            "pretrain.lr=1e-2",
            "pretrain.micro_batch=4",
            "pretrain.warmup_ratio=0.1",
            "pretrain.log_every=10",
            *options,
        ],
    )
    data = torch.randint(0, 64, (4, 24), generator=torch.Generator().manual_seed(0))
    logged = []
    eng = Engine(tiny_model(), cfg.engine, cfg.pretrain, total_steps=60)
    if "engine.bf16_mode=autocast" in options:  # fp32 weights, no DeepSpeed bf16 wrapper
        assert next(eng.engine.module.parameters()).dtype == torch.float32 and not eng.engine.bfloat16_enabled()
        assert eng.engine.torch_autocast_enabled()
    assert eng.engine.basic_optimizer.defaults["fused"] is ("engine.fused_adamw=always" in options or None)
    out = eng.train(batches(data), "pretrain", lambda step, m: logged.append((step, m)))
    assert out["pretrain/first_loss"] > 3.5  # ~ln(64) at random init
    assert out["pretrain/final_loss"] < 0.5 * out["pretrain/first_loss"]
    assert [s for s, _ in logged] == [10, 20, 30, 40, 50, 60]
    assert logged[-1][1]["pretrain/lr"] < logged[0][1]["pretrain/lr"]  # cosine decay
    state = eng.state_dict()
    fresh = tiny_model(seed=1)
    fresh.load_state_dict(state, strict=True)  # consolidated weights load into a plain model
    with torch.no_grad():
        loss = fresh(input_ids=data, labels=data).loss.item()
    assert loss == pytest.approx(out["pretrain/final_loss"], rel=0.5)
    eng.close()


@e2e
def test_nan_loss_stops_with_the_step_number():
    cfg = load_config(
        None, ["pretrain.lr=1e12", "engine.grad_clip=0", "pretrain.warmup_ratio=0", "engine.zero_stage=0"]
    )
    data = torch.randint(0, 64, (4, 24), generator=torch.Generator().manual_seed(0))
    eng = Engine(tiny_model(), cfg.engine, cfg.pretrain, total_steps=50)
    with pytest.raises(TrialFailure, match=r"pretrain: loss is nan at step \d+ of 50"):
        eng.train(batches(data), "pretrain")


# How many steps diverge, and from which step, depends on the CPU's float kernels (measured: the loss is NaN
# from step 3 on one Xeon, from step 5 on another; 9 or 7 of 10 steps skipped): the failure and its advice do not.
SKIPPED = r"pretrain: \d+ of 10 optimizer steps skipped for non-finite gradients by step 10 of 40 \(lower pretrain.lr"


@pytest.mark.parametrize(
    "zero,precision,log_every,message",
    [
        pytest.param(
            0,
            "fp32",
            10,
            r"pretrain: loss is nan at step \d+ of 40 \(lower pretrain.lr or keep engine.grad_clip "
            r"on\)$",
            id="zero0-fp32-nan",
        ),
        pytest.param(1, "fp32", 10, SKIPPED + r" or keep engine.grad_clip on\)$", id="zero1-fp32"),
        pytest.param(2, "fp32", 10, SKIPPED + r" or keep engine.grad_clip on\)$", id="zero2-fp32"),
        pytest.param(3, "fp32", 10, SKIPPED + r" or keep engine.grad_clip on\)$", id="zero3-fp32"),
        pytest.param(0, "bf16", 10, SKIPPED + r", keep engine.grad_clip on, or use fp32\)$", id="zero0-bf16"),
        pytest.param(2, "bf16", 10, SKIPPED + r", keep engine.grad_clip on, or use fp32\)$", id="zero2-bf16"),
        # bf16 under autocast has fp32 weights: it fails as fp32 does (torch's AdamW at ZeRO-0, DeepSpeed's
        # ZeRO optimizer skipping steps at ZeRO-2)
        pytest.param(
            0,
            "bf16-autocast",
            10,
            r"pretrain: loss is nan at step \d+ of 40 \(lower pretrain.lr, keep engine.grad_clip on, or use fp32\)$",
            id="zero0-bf16-autocast-nan",
        ),
        pytest.param(
            2, "bf16-autocast", 10, SKIPPED + r", keep engine.grad_clip on, or use fp32\)$", id="zero2-bf16-autocast"
        ),
        pytest.param(
            0, "fp16", 10, r"pretrain: loss is nan at step 2 of 40 \(.*use bf16 \(or fp32\)\)$", id="zero0-fp16-nan"
        ),
        # DeepSpeed's own fp16 scaler gives up (at step 19) before the first log point
        pytest.param(
            2,
            "fp16",
            40,
            r"pretrain: fp16 loss scale at its minimum and gradients still non-finite at step 19 "
            r"of 40 \(lower pretrain.lr, keep engine.grad_clip on, or use bf16 \(or fp32\)\)$",
            id="zero2-fp16-min-scale",
        ),
    ],
)
@e2e
def test_divergence_fails_the_stage_under_every_engine(zero, precision, log_every, message, fp16_on_cpu):
    """lr=1e5: the loss diverges at step 2. ZeRO-1/2/3 and bf16 then skip every step (the loss frozen at
    ln(vocab)), which used to end as a success; ZeRO-0 fp32 and fp16 produce a NaN loss."""
    cfg = load_config(
        None,
        [
            "pretrain.lr=1e5",
            f"engine.zero_stage={zero}",
            f"engine.precision={precision.removesuffix('-autocast')}",
            f"engine.bf16_mode={'autocast' if precision.endswith('-autocast') else 'deepspeed'}",
            "pretrain.micro_batch=4",
            f"pretrain.log_every={log_every}",
        ],
    )
    data = torch.randint(0, 64, (4, 24), generator=torch.Generator().manual_seed(0))
    eng = Engine(tiny_model(), cfg.engine, cfg.pretrain, total_steps=40)
    with pytest.raises(TrialFailure, match=message) as err:
        eng.train(batches(data), "pretrain")
    assert "\n" not in str(err.value)
    eng.close()


@e2e
def test_fp16_loss_scale_search_is_not_divergence(tmp_path, fp16_on_cpu):
    """A loss scale started far too high (2^32) overflows for the first ~13 steps while DeepSpeed halves it:
    healthy, the run must go on and learn."""
    ds = tmp_path / "ds.json"
    ds.write_text('{"fp16": {"initial_scale_power": 32}}')
    cfg = load_config(
        None,
        [
            "engine.precision=fp16",
            "engine.zero_stage=2",
            f"engine.deepspeed_json={ds}",
            "pretrain.lr=1e-2",
            "pretrain.micro_batch=4",
            "pretrain.log_every=5",
        ],
    )
    logged = []
    eng = Engine(tiny_model(), cfg.engine, cfg.pretrain, total_steps=40)
    out = eng.train(rotating_batches(), "pretrain", lambda step, m: logged.append(m))
    eng.close()
    assert out["pretrain/skipped_steps"] >= 10  # the search really skipped steps...
    assert logged[0]["pretrain/skipped_steps"] == 5 and logged[-1]["pretrain/loss_scale"] < 2.0**32
    assert out["pretrain/final_loss"] < 0.8 * out["pretrain/first_loss"]  # ...and the run then learnt
    assert "pretrain/grad_norm" in logged[-1]


@e2e
def test_flat_loss_fails_the_stage_unless_the_check_is_off():
    cfg = load_config(None, ["pretrain.lr=0", "pretrain.micro_batch=4"])
    data = torch.randint(0, 64, (4, 24), generator=torch.Generator().manual_seed(0))
    eng = Engine(tiny_model(), cfg.engine, cfg.pretrain, total_steps=20)
    with pytest.raises(
        TrialFailure,
        match=r"^pretrain: loss stuck at 4\.1\d+ over steps 1-10 of 20, the model is "
        r"not learning \(check that pretrain.lr is neither 0 nor far too high; "
        r"engine.loss_stall_tol=0 turns this check off\)$",
    ):
        eng.train(batches(data), "pretrain")
    eng.close()
    off = load_config(None, ["pretrain.lr=0", "pretrain.micro_batch=4", "engine.loss_stall_tol=0"])
    eng = Engine(tiny_model(), off.engine, off.pretrain, total_steps=10)
    out = eng.train(batches(data), "pretrain")
    assert out["pretrain/final_loss"] == out["pretrain/first_loss"]
    eng.close()


def test_ds_config_merges_user_json(tmp_path):
    f = tmp_path / "ds.json"
    f.write_text('{"zero_optimization": {"reduce_bucket_size": 1000}, "gradient_clipping": 0.5}')
    cfg = load_config(None, ["engine.zero_stage=3", f"engine.deepspeed_json={f}", "engine.precision=bf16"])
    ds = ds_config(cfg.engine, cfg.pretrain)
    assert ds["zero_optimization"] == {
        "stage": 3,
        "stage3_gather_16bit_weights_on_model_save": True,
        "reduce_bucket_size": 1000,
    }
    assert ds["gradient_clipping"] == 0.5 and ds["bf16"]["enabled"] is True
    bad = load_config(None, [f"engine.deepspeed_json={f}"])
    f.unlink()  # gone after the config was checked at load (a worker on another machine, a cleaned-up file)
    with pytest.raises(TrialFailure, match="engine.deepspeed_json"):
        ds_config(bad.engine, bad.pretrain)


def test_warmup_cosine_schedule():
    f = warmup_cosine(100, 0.1, 0.1)
    assert f(0) == pytest.approx(0.1) and f(9) == pytest.approx(1.0)
    assert f(55) == pytest.approx(0.55, abs=0.02) and f(100) == pytest.approx(0.1)


def test_bf16_autocast_is_deepspeeds_torch_autocast_section():
    """bf16_mode=autocast turns DeepSpeed's bf16 weights off and its torch_autocast on, with gradients reduced in
    fp32 (no lower-precision modules); the default keeps today's config; under fp32 the mode does nothing."""
    default = ds_config(*_sections(["engine.precision=bf16"]))
    assert default["bf16"] == {"enabled": True} and "torch_autocast" not in default
    autocast = ds_config(*_sections(AUTOCAST))
    assert autocast["bf16"] == {"enabled": False} and autocast["fp16"]["enabled"] is False
    assert autocast["torch_autocast"] == {"enabled": True, "dtype": "bfloat16", "lower_precision_safe_modules": []}
    fp32 = ds_config(*_sections(["engine.bf16_mode=autocast"]))
    assert fp32["bf16"] == {"enabled": False} and "torch_autocast" not in fp32


def _sections(overrides):
    cfg = load_config(None, overrides)
    return cfg.engine, cfg.pretrain


@pytest.mark.parametrize(
    "choice,device,fused",
    [("auto", "cuda", True), ("auto", "cpu", False), ("always", "cpu", True), ("never", "cuda", False)],
)
def test_adamw_is_fused_on_cuda_unless_told(choice, device, fused):
    """On CPU by default torch's AdamW is built exactly as before (no ``fused`` argument at all)."""
    eng_cfg, _ = _sections([f"engine.fused_adamw={choice}"])
    assert use_fused_adamw(eng_cfg, device) is fused
    kwargs = adamw_kwargs(eng_cfg, device)
    assert kwargs == ({"betas": (0.9, 0.95), "fused": True} if fused else {"betas": (0.9, 0.95)})


class _Vocab:
    """What ``build_model`` reads of a tokenizer: its size and two special ids."""

    pad_token_id, eos_token_id = 1, 0

    def __len__(self) -> int:
        return 64


@pytest.mark.parametrize("attention", [None, "sdpa", "eager"])
def test_attention_choice_reaches_the_model(attention):
    """engine.attention sets transformers' attn_implementation; its default, auto, leaves the pick to
    transformers, sdpa for a Llama (so CPU numerics are those of before the option)."""
    cfg = load_config(None, ["model.size=tiny"] + ([f"engine.attention={attention}"] if attention else []))
    model = build_model(cfg, _Vocab(), seed=0)
    assert model.config._attn_implementation == (attention or "sdpa")
    assert tiny_model().config._attn_implementation == "sdpa"  # transformers' own pick, without the option


@pytest.mark.skipif(importlib.util.find_spec("flash_attn") is not None, reason="flash-attn is installed here")
def test_an_unusable_attention_kernel_is_one_line():
    cfg = load_config(None, ["model.size=tiny", "engine.attention=flash_attention_2"])
    with pytest.raises(ModelError, match=r"^engine.attention: cannot use 'flash_attention_2' for model.size=tiny \("):
        build_model(cfg, _Vocab(), seed=0)


def _compiled_run(backend):
    cfg = load_config(
        None, ["engine.compile=true", "pretrain.lr=1e-2", "pretrain.micro_batch=4", "pretrain.log_every=10"]
    )
    data = torch.randint(0, 64, (4, 24), generator=torch.Generator().manual_seed(0))
    eng = Engine(tiny_model(), cfg.engine, cfg.pretrain, total_steps=30, compile_backend=backend)
    assert eng.engine.is_compiled
    out = eng.train(batches(data), "pretrain")
    state = eng.state_dict()
    eng.close()
    assert out["pretrain/final_loss"] < 0.7 * out["pretrain/first_loss"]
    assert set(state) == set(tiny_model().state_dict())  # compiled in place: the plain model's names


@e2e
def test_compiled_model_trains_and_keeps_its_parameter_names():
    """engine.compile through torch.compile's graph capture; the cheap aot_eager backend keeps the unit tier fast."""
    _compiled_run("aot_eager")


@pytest.mark.slow
@e2e
def test_compiled_model_trains_with_inductor():
    """The backend a GPU run uses (inductor: C++/Triton code generation, ~35 s for a tiny model on 2 CPU cores)."""
    _compiled_run(None)
