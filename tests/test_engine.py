"""The DeepSpeed engine in one process (gloo): it learns, it stops on NaN, it consolidates ZeRO-3 weights."""
import pytest
import torch

from trainer.config import load_config
from trainer.engine import Engine, TrialFailure, ds_config, init_single_process, warmup_cosine


@pytest.fixture(scope="module", autouse=True)
def single_process_group():
    import torch.distributed as dist

    init_single_process("gloo")
    yield
    dist.destroy_process_group()


def tiny_model(seed=0):
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    return LlamaForCausalLM(LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                        num_attention_heads=4, num_key_value_heads=4, max_position_embeddings=64))


def batches(data):
    while True:
        yield {"input_ids": data, "labels": data.clone(), "attention_mask": torch.ones_like(data)}


@pytest.mark.parametrize("zero", [0, 2, 3])
def test_loss_falls_on_a_memorisable_corpus(zero):
    cfg = load_config(None, [f"engine.zero_stage={zero}", "pretrain.lr=1e-2", "pretrain.micro_batch=4",
                             "pretrain.warmup_ratio=0.1", "pretrain.log_every=10"])
    data = torch.randint(0, 64, (4, 24), generator=torch.Generator().manual_seed(0))
    logged = []
    eng = Engine(tiny_model(), cfg.engine, cfg.pretrain, total_steps=60)
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


def test_nan_loss_stops_with_the_step_number():
    cfg = load_config(None, ["pretrain.lr=1e12", "engine.grad_clip=0", "pretrain.warmup_ratio=0", "engine.zero_stage=0"])
    data = torch.randint(0, 64, (4, 24), generator=torch.Generator().manual_seed(0))
    eng = Engine(tiny_model(), cfg.engine, cfg.pretrain, total_steps=50)
    with pytest.raises(TrialFailure, match=r"pretrain: loss is nan at step \d+ of 50"):
        eng.train(batches(data), "pretrain")


def test_ds_config_merges_user_json(tmp_path):
    f = tmp_path / "ds.json"
    f.write_text('{"zero_optimization": {"reduce_bucket_size": 1000}, "gradient_clipping": 0.5}')
    cfg = load_config(None, ["engine.zero_stage=3", f"engine.deepspeed_json={f}", "engine.precision=bf16"])
    ds = ds_config(cfg.engine, cfg.pretrain)
    assert ds["zero_optimization"] == {"stage": 3, "stage3_gather_16bit_weights_on_model_save": True,
                                       "reduce_bucket_size": 1000}
    assert ds["gradient_clipping"] == 0.5 and ds["bf16"]["enabled"] is True
    bad = load_config(None, [f"engine.deepspeed_json={tmp_path / 'nope.json'}"])
    with pytest.raises(TrialFailure, match="engine.deepspeed_json"):
        ds_config(bad.engine, bad.pretrain)


def test_warmup_cosine_schedule():
    f = warmup_cosine(100, 0.1, 0.1)
    assert f(0) == pytest.approx(0.1) and f(9) == pytest.approx(1.0)
    assert f(55) == pytest.approx(0.55, abs=0.02) and f(100) == pytest.approx(0.1)
