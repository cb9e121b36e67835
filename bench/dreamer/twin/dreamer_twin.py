"""A PyTorch twin of one Worldgate Dreamer training update, for a fair speed comparison.

Written from Worldgate's Java Dreamer (plugins/dreamer, runtime.nn): the same architecture and
sizes (channel-LayerNorm CNN encoder, RSSM with a LayerNorm GRU, decoder of transposed
convolutions, symexp two-hot reward and critic heads, Bernoulli continue head, actor, critic and
slow critic), the same losses and phases, the same batch, fp32, eager (no compile). The phases are
timed as Worldgate's agent times them:

  model    world-model loss, backward, clip, Adam step
  imagine  15-step imagination from every posterior state, values, lambda-returns, return scale
  actor    policy loss, backward, clip, Adam step
  critic   slow-critic targets, critic loss, backward, clip, Adam step, slow-critic average

Data is synthetic and random, shaped like walker-walk pixels (dmc_vision: 64x64x3 uint8 images,
6 actions in [-1, 1]), CartPole state (debug: 4 floats, 2 discrete actions) or the debug model on
64x64x3 pixels with one action in [-1, 1] and sequences of 32 (debug_image: the pixel learning runs).

Usage: python dreamer_twin.py --preset dmc_vision --updates 3 --warmup 1 --threads 1
       [--expect-params FILE] [--params-out FILE] [--profile FILE] [--json-out FILE]
"""
import argparse
import json
import math
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# the presets' values (plugins/dreamer/src/main/resources/presets and DreamerConfig's defaults)
DEFAULTS = dict(unimix=0.01, free_nats=1.0, dyn_scale=0.5, rep_scale=0.1, model_lr=1e-4, model_eps=1e-8,
                model_clip=1000.0, actor_lr=3e-5, actor_eps=1e-5, actor_clip=100.0, critic_lr=3e-5,
                critic_eps=1e-5, critic_clip=100.0, discount=0.997, lam=0.95, actor_entropy=3e-4,
                slow_fraction=0.02, slow_reg=1.0, return_decay=0.99, imag_horizon=15, layers=2, eps=1e-3)
PRESETS = {
    "dmc_vision": dict(DEFAULTS, deter=512, hidden=512, stoch=32, classes=32, units=512, cnn_depth=32,
                       batch=16, length=64, bins=255, image=(64, 64, 3), state=0, actions=6, discrete=False),
    "debug": dict(DEFAULTS, deter=64, hidden=64, stoch=8, classes=8, units=64, cnn_depth=8, batch=16,
                  length=16, bins=63, model_lr=1e-3, actor_lr=1e-4, critic_lr=3e-4, image=None, state=4,
                  actions=2, discrete=True),
}
# the debug model on 64x64 pixels at batch 16x32 (dmc:cartpole-swingup from pixels: one continuous action)
PRESETS["debug_image"] = dict(PRESETS["debug"], length=32, image=(64, 64, 3), state=0, actions=1, discrete=False)
MIN_STD, MAX_STD = 0.1, 1.0


def mlp(inputs, units, layers, outputs=0, zero=False, eps=1e-3):
    """Hidden layers Linear(no bias) -> LayerNorm -> SiLU, then an optional Linear head."""
    mods, d = [], inputs
    for _ in range(layers):
        mods += [nn.Linear(d, units, bias=False), nn.LayerNorm(units, eps=eps), nn.SiLU()]
        d = units
    if outputs:
        head = nn.Linear(d, outputs)
        if zero:
            nn.init.zeros_(head.weight)
            nn.init.zeros_(head.bias)
        mods.append(head)
    return nn.Sequential(*mods)


def channel_norm(norm, x):
    """LayerNorm over the channels of NCHW."""
    return norm(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


class Encoder(nn.Module):
    def __init__(self, depth, channels, stages=4, eps=1e-3):
        super().__init__()
        self.convs = nn.ModuleList()
        self.norms = nn.ModuleList()
        c = channels
        for i in range(stages):
            self.convs.append(nn.Conv2d(c, depth << i, 4, 2, 1, bias=False))
            self.norms.append(nn.LayerNorm(depth << i, eps=eps))
            c = depth << i

    def forward(self, x):  # [..., H, W, C] floats
        lead = x.shape[:-3]
        h = x.reshape(-1, *x.shape[-3:]).permute(0, 3, 1, 2)
        for conv, norm in zip(self.convs, self.norms):
            h = F.silu(channel_norm(norm, conv(h)))
        return h.reshape(*lead, -1)


class Decoder(nn.Module):
    def __init__(self, features, depth, height, width, channels, stages=4, eps=1e-3):
        super().__init__()
        f = 1 << stages
        self.top = depth << (stages - 1)
        self.grid = (height // f, width // f)
        self.out = (height, width, channels)
        self.inp = nn.Linear(features, self.top * self.grid[0] * self.grid[1])
        self.deconvs = nn.ModuleList()
        self.norms = nn.ModuleList()
        c = self.top
        for i in range(stages):
            last = i == stages - 1
            o = channels if last else depth << (stages - 2 - i)
            self.deconvs.append(nn.ConvTranspose2d(c, o, 4, 2, 1, bias=last))
            if not last:
                self.norms.append(nn.LayerNorm(o, eps=eps))
            c = o

    def forward(self, x):  # [..., F] -> [..., H, W, C]
        lead = x.shape[:-1]
        h = self.inp(x).reshape(-1, self.top, *self.grid)
        for i, deconv in enumerate(self.deconvs):
            h = deconv(h)
            if i < len(self.norms):
                h = F.silu(channel_norm(self.norms[i], h))
        return h.permute(0, 2, 3, 1).reshape(*lead, *self.out)


class Gru(nn.Module):
    """Dreamer's GRU: one normalised linear layer for all gates; reset scales the candidate; update bias -1."""

    def __init__(self, inputs, hidden, eps=1e-3):
        super().__init__()
        self.gates = nn.Linear(inputs + hidden, 3 * hidden, bias=False)
        self.norm = nn.LayerNorm(3 * hidden, eps=eps)

    def forward(self, x, h):
        r, c, u = self.norm(self.gates(torch.cat([x, h], -1))).chunk(3, -1)
        c = torch.tanh(torch.sigmoid(r) * c)
        u = torch.sigmoid(u - 1.0)
        return u * (c - h) + h


def mixed_probs(logits, unimix):
    p = torch.softmax(logits, -1)
    return p * (1 - unimix) + unimix / logits.shape[-1] if unimix > 0 else p


def one_hot(logits, unimix, sample, straight_through):
    """A one-hot sample (inverse CDF, as Worldgate's OneHotCategorical) or mode, straight-through if asked."""
    p = mixed_probs(logits, unimix)
    k = logits.shape[-1]
    pd = p.detach()
    if sample:
        u = torch.rand(*pd.shape[:-1], 1)
        index = (pd.cumsum(-1) <= u).sum(-1).clamp(0, k - 1)
    else:
        index = pd.argmax(-1)
    oh = F.one_hot(index, k).to(p.dtype)
    return oh + p - pd if straight_through else oh


class Rssm(nn.Module):
    def __init__(self, c, embed, actions):
        super().__init__()
        self.c = c
        latent = c["stoch"] * c["classes"]
        self.img_in = mlp(latent + actions, c["hidden"], 1)
        self.gru = Gru(c["hidden"], c["deter"])
        self.img_out = mlp(c["deter"], c["hidden"], 1, latent)
        self.obs_out = mlp(c["deter"] + embed, c["hidden"], 1, latent)
        self.initial = nn.Parameter(torch.zeros(c["deter"]))

    def logits(self, flat):
        return flat.reshape(*flat.shape[:-1], self.c["stoch"], self.c["classes"])

    def flat(self, onehot):
        return onehot.reshape(*onehot.shape[:-2], -1)

    def initial_state(self):
        h = torch.tanh(self.initial)[None]
        z = self.flat(one_hot(self.logits(self.img_out(h)), self.c["unimix"], False, True))
        return h, z

    def img_step(self, h, z, a, straight_through):
        h = self.gru(self.img_in(torch.cat([z, a], -1)), h)
        logits = self.logits(self.img_out(h))
        return h, self.flat(one_hot(logits, self.c["unimix"], True, straight_through))

    def observe(self, embed, prev_actions, is_first):
        b, t = embed.shape[:2]
        h0, z0 = self.initial_state()
        first = is_first[..., None]
        keep = 1 - first
        a = prev_actions * keep
        hs0, zs0 = first * h0, first * z0
        h = torch.zeros(b, self.c["deter"])
        z = torch.zeros(b, self.c["stoch"] * self.c["classes"])
        hs, zs, ls = [], [], []
        for i in range(t):
            h = h * keep[:, i] + hs0[:, i]
            z = z * keep[:, i] + zs0[:, i]
            h = self.gru(self.img_in(torch.cat([z, a[:, i]], -1)), h)
            logits = self.logits(self.obs_out(torch.cat([h, embed[:, i]], -1)))
            z = self.flat(one_hot(logits, self.c["unimix"], True, True))
            hs.append(h)
            zs.append(z)
            ls.append(logits)
        h = torch.stack(hs, 1)
        return h, torch.stack(zs, 1), torch.stack(ls, 1), self.logits(self.img_out(h))


def symlog(x):
    return torch.sign(x) * torch.log1p(x.abs())


def symexp(x):
    return torch.sign(x) * torch.expm1(x.abs())


class TwoHot:
    def __init__(self, n, low=-20.0, high=20.0):
        self.n, self.low, self.high = n, low, high
        self.width = (high - low) / (n - 1)
        self.centers = torch.linspace(low, high, n)

    def mean(self, logits):
        return symexp(torch.softmax(logits, -1) @ self.centers)

    def log_prob_from(self, logp, x):
        y = symlog(x.detach()).clamp(self.low, self.high)
        pos = (y - self.low) / self.width
        k = pos.floor().clamp(0, self.n - 2)
        w = (pos - k).clamp(0, 1)
        k = k.long()[..., None]
        below = logp.gather(-1, k).squeeze(-1)
        above = logp.gather(-1, k + 1).squeeze(-1)
        return below + (above - below) * w

    def log_prob(self, logits, x):
        return self.log_prob_from(torch.log_softmax(logits, -1), x)


def bernoulli_log_prob(logits, x):
    return -(x * F.softplus(-logits) + (1 - x) * F.softplus(logits))


def categorical_kl(q_logits, p_logits, unimix):
    """Sum over latents of KL(q || p) of unimix categoricals: Worldgate's Independent(OneHotCategorical)."""
    q = mixed_probs(q_logits, unimix)
    p = mixed_probs(p_logits, unimix)
    return (q * (q.log() - p.log())).sum(-1).sum(-1)


class WorldModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        embed = 0
        self.state_encoder = self.state_decoder = self.image_encoder = self.image_decoder = None
        if c["state"]:
            self.state_encoder = mlp(c["state"], c["units"], c["layers"])
            embed += c["units"]
        if c["image"]:
            hgt, wid, ch = c["image"]
            self.image_encoder = Encoder(c["cnn_depth"], ch)
            embed += (c["cnn_depth"] << 3) * (hgt >> 4) * (wid >> 4)
        self.rssm = Rssm(c, embed, c["actions"])
        feat = c["deter"] + c["stoch"] * c["classes"]
        if c["state"]:
            self.state_decoder = mlp(feat, c["units"], c["layers"], c["state"])
        if c["image"]:
            self.image_decoder = Decoder(feat, c["cnn_depth"], *c["image"])
        self.reward = mlp(feat, c["units"], c["layers"], c["bins"], zero=True)
        self.cont = mlp(feat, c["units"], c["layers"], 1)
        self.bins = TwoHot(c["bins"])

    def encode(self, obs):
        parts = []
        if self.state_encoder is not None:
            parts.append(self.state_encoder(symlog(obs["state"])))
        if self.image_encoder is not None:
            parts.append(self.image_encoder(obs["image"].float() / 255 - 0.5))
        return parts[0] if len(parts) == 1 else torch.cat(parts, -1)

    def loss(self, obs, actions, rewards, is_first, is_terminal, mask):
        c = self.c
        embed = self.encode(obs)
        prev = torch.cat([torch.zeros_like(actions[:, :1]), actions[:, :-1]], 1)
        h, z, post_logits, prior_logits = self.rssm.observe(embed, prev, is_first)
        feat = torch.cat([h, z], -1)
        count = mask.sum().clamp(min=1)

        def masked(x):
            return (x * mask).sum() / count

        total = 0
        if self.image_decoder is not None:
            target = obs["image"].float() / 255 - 0.5
            total = total + masked((self.image_decoder(feat) - target).square().sum((2, 3, 4)))
        if self.state_decoder is not None:
            total = total + masked((self.state_decoder(feat) - symlog(obs["state"])).square().sum(-1))
        total = total + masked(-self.bins.log_prob(self.reward(feat), rewards))
        total = total + masked(-bernoulli_log_prob(self.cont(feat).squeeze(-1), 1 - is_terminal))
        dyn = categorical_kl(post_logits.detach(), prior_logits, c["unimix"]).clamp(min=c["free_nats"])
        rep = categorical_kl(post_logits, prior_logits.detach(), c["unimix"]).clamp(min=c["free_nats"])
        total = total + c["dyn_scale"] * masked(dyn) + c["rep_scale"] * masked(rep)
        return total, h, z


class ActorCritic(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        feat = c["deter"] + c["stoch"] * c["classes"]
        out = c["actions"] if c["discrete"] else 2 * c["actions"]
        self.actor = mlp(feat, c["units"], c["layers"], out)
        with torch.no_grad():
            for p in self.actor[-1].parameters():
                p.mul_(0.01)  # actor_outscale
        self.critic = mlp(feat, c["units"], c["layers"], c["bins"], zero=True)
        self.slow_critic = mlp(feat, c["units"], c["layers"], c["bins"], zero=True)
        self.slow_critic.load_state_dict(self.critic.state_dict())
        for p in self.slow_critic.parameters():
            p.requires_grad_(False)
        self.backprop = not c["discrete"]
        self.low = self.high = 0.0

    def policy_parts(self, out):
        mean, pre = out.chunk(2, -1)
        return torch.tanh(mean), (MAX_STD - MIN_STD) * torch.sigmoid(pre + 2) + MIN_STD

    def action(self, feat):
        out = self.actor(feat)
        if self.c["discrete"]:
            return one_hot(out, self.c["unimix"], True, self.backprop)
        mean, std = self.policy_parts(out)
        a = mean + std * torch.randn_like(mean)
        return a / a.abs().clamp(min=1).detach()

    def imagine(self, wm, h, z, start_cont, bins):
        c = self.c
        feats, acts = [], []
        for t in range(c["imag_horizon"] + 1):
            f = torch.cat([h, z], -1)
            feats.append(f)
            a = self.action(f.detach())
            acts.append(a)
            if t < c["imag_horizon"]:
                h, z = wm.rssm.img_step(h, z, a, self.backprop)
        feats = torch.stack(feats, 1)
        acts = torch.stack(acts, 1)
        rewards = bins.mean(wm.reward(feats[:, 1:]))
        cont = torch.sigmoid(wm.cont(feats[:, 1:]).squeeze(-1))
        continues = torch.cat([start_cont[:, None], cont], 1).detach()
        weights = (continues * c["discount"]).cumprod(1) / c["discount"]
        return feats, acts, rewards, continues, weights

    def lambda_returns(self, rewards, continues, values):
        c = self.c
        out = [None] * rewards.shape[1]
        nxt = values[:, -1]
        for t in reversed(range(rewards.shape[1])):
            nxt = rewards[:, t] + continues[:, t] * c["discount"] * ((1 - c["lam"]) * values[:, t + 1] + c["lam"] * nxt)
            out[t] = nxt
        return torch.stack(out, 1)

    def update_scale(self, returns, valid):
        rows = returns.detach()[valid > 0].flatten()
        lo, hi = torch.quantile(rows, torch.tensor([0.05, 0.95])).tolist()
        d = self.c["return_decay"]
        self.low = d * self.low + (1 - d) * lo
        self.high = d * self.high + (1 - d) * hi
        return max(1.0, self.high - self.low)


def make_optimizers(wm, ac, c):
    return (torch.optim.Adam(wm.parameters(), lr=c["model_lr"], eps=c["model_eps"]),
            torch.optim.Adam(ac.actor.parameters(), lr=c["actor_lr"], eps=c["actor_eps"]),
            torch.optim.Adam(ac.critic.parameters(), lr=c["critic_lr"], eps=c["critic_eps"]))


def step(opt, params, clip):
    torch.nn.utils.clip_grad_norm_(params, clip)
    opt.step()
    opt.zero_grad(set_to_none=True)


class Timer:
    """Milliseconds per phase; with memory=True also the resident memory at the phase boundaries and
    each phase's own peak (VmHWM, reset at each boundary through /proc/self/clear_refs)."""

    def __init__(self, memory=False):
        self.ms = {}
        self.cpu_ms = {}
        self.cpu = time.thread_time()
        self.memory = [] if memory else None
        self.rss = 0.0

    def begin(self):
        self.cpu = time.thread_time()
        if self.memory is not None:
            self.rss = status("VmRSS:")
            reset_peak()

    def add(self, name, t0):
        self.ms.setdefault(name, []).append((time.perf_counter() - t0) * 1e3)
        cpu = time.thread_time()
        self.cpu_ms.setdefault(name, []).append((cpu - self.cpu) * 1e3)
        self.cpu = cpu
        if self.memory is not None:
            rss = status("VmRSS:")
            self.memory.append((name, self.rss, rss, status("VmHWM:")))
            self.rss = rss
            reset_peak()
        return time.perf_counter()


def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def synthetic_batch(c, gen):
    b, t = c["batch"], c["length"]
    obs = {}
    if c["image"]:
        obs["image"] = torch.randint(0, 256, (b, t, *c["image"]), dtype=torch.uint8, generator=gen)
    if c["state"]:
        obs["state"] = torch.randn(b, t, c["state"], generator=gen)
    if c["discrete"]:
        actions = F.one_hot(torch.randint(0, c["actions"], (b, t), generator=gen), c["actions"]).float()
    else:
        actions = torch.rand(b, t, c["actions"], generator=gen) * 2 - 1
    rewards = torch.rand(b, t, generator=gen)
    start = torch.randint(0, 2000 - t, (b, 1), generator=gen)
    is_first = ((start + torch.arange(t)) % 1000 == 0).float()
    return obs, actions, rewards, is_first, torch.zeros(b, t), torch.ones(b, t)


def update(wm, ac, opts, c, batch, timer):
    from torch.profiler import record_function
    model_opt, actor_opt, critic_opt = opts
    obs, actions, rewards, is_first, is_terminal, mask = batch
    timer.begin()
    t0 = time.perf_counter()
    with record_function("phase:model"):
        loss, h, z = wm.loss(obs, actions, rewards, is_first, is_terminal, mask)
        loss.backward()
        step(model_opt, list(wm.parameters()), c["model_clip"])
    t0 = timer.add("model", t0)
    h = h.detach().reshape(-1, h.shape[-1])
    z = z.detach().reshape(-1, z.shape[-1])
    start_cont = (1 - is_terminal).reshape(-1)
    start_mask = mask.reshape(-1)
    count = (start_mask.sum() * c["imag_horizon"]).clamp(min=1)
    if ac.backprop:
        frozen = list(wm.parameters()) + list(ac.critic.parameters())
        for p in frozen:
            p.requires_grad_(False)
        with record_function("phase:imagine"):
            feats, acts, rewards_i, continues, weights = ac.imagine(wm, h, z, start_cont, wm.bins)
            values = wm.bins.mean(ac.critic(feats))
            returns = ac.lambda_returns(rewards_i, continues[:, 1:], values)
            scale = ac.update_scale(returns, start_mask)
            advantage = (returns - values[:, :-1]) / scale
            w = weights[:, :-1] * start_mask[:, None]
        t0 = timer.add("imagine", t0)
        with record_function("phase:actor"):
            mean, std = ac.policy_parts(ac.actor(feats[:, :-1].detach()))
            entropy = (std.log() + 0.5 + 0.5 * math.log(2 * math.pi)).sum(-1)
            actor_loss = ((-(advantage + c["actor_entropy"] * entropy)) * w).sum() / count
            actor_loss.backward()
            for p in frozen:
                p.requires_grad_(True)
            step(actor_opt, list(ac.actor.parameters()), c["actor_clip"])
        t0 = timer.add("actor", t0)
    else:
        with record_function("phase:imagine"), torch.no_grad():
            feats, acts, rewards_i, continues, weights = ac.imagine(wm, h, z, start_cont, wm.bins)
            values = wm.bins.mean(ac.critic(feats))
            returns = ac.lambda_returns(rewards_i, continues[:, 1:], values)
        t0 = timer.add("imagine", t0)
        with record_function("phase:actor"):
            scale = ac.update_scale(returns, start_mask)
            advantage = (returns - values[:, :-1]) / scale
            w = weights[:, :-1] * start_mask[:, None]
            logp_all = mixed_probs(ac.actor(feats[:, :-1]), c["unimix"]).log()
            probs = logp_all.exp()
            logp = (acts[:, :-1] * logp_all).sum(-1)
            entropy = -(probs * logp_all).sum(-1)
            actor_loss = ((-(logp * advantage + c["actor_entropy"] * entropy)) * w).sum() / count
            actor_loss.backward()
            step(actor_opt, list(ac.actor.parameters()), c["actor_clip"])
        t0 = timer.add("actor", t0)
    with record_function("phase:critic"):
        f = feats[:, :-1].detach()
        target = returns.detach()
        with torch.no_grad():
            slow_target = wm.bins.mean(ac.slow_critic(f))
        logp = torch.log_softmax(ac.critic(f), -1)
        per_step = -(wm.bins.log_prob_from(logp, target) + c["slow_reg"] * wm.bins.log_prob_from(logp, slow_target))
        critic_loss = (per_step * w.detach()).sum() / count
        critic_loss.backward()
        step(critic_opt, list(ac.critic.parameters()), c["critic_clip"])
        with torch.no_grad():
            for s, p in zip(ac.slow_critic.parameters(), ac.critic.parameters()):
                s.mul_(1 - c["slow_fraction"]).add_(p, alpha=c["slow_fraction"])
    timer.add("critic", t0)
    return float(loss), float(actor_loss), float(critic_loss)


def param_counts(wm, ac):
    """Parameters per module, named as Worldgate's blocks (world_model/<part>, actor_critic/<part>)."""
    counts = {}
    for group, module in (("world_model", wm), ("actor_critic", ac)):
        for name, child in module.named_children():
            counts[f"{group}/{name}"] = sum(p.numel() for p in child.parameters())
    for name, child in wm.rssm.named_children():
        counts[f"world_model/rssm/{name}"] = sum(p.numel() for p in child.parameters())
    counts["world_model/rssm/initial"] = wm.rssm.initial.numel()
    return {k: v for k, v in counts.items() if v}


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="dmc_vision", choices=sorted(PRESETS))
    ap.add_argument("--updates", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--expect-params", help="JSON of Worldgate's parameter counts per module; must match")
    ap.add_argument("--params-out", help="write the twin's parameter counts per module (JSON)")
    ap.add_argument("--profile", help="profile one more update with torch.profiler: its op table to this file, "
                    "its Chrome trace (phases marked 'phase:<name>') to the same name with .json")
    ap.add_argument("--json-out", help="write the result as JSON")
    ap.add_argument("--precision", default="fp32", choices=["fp32", "bf16"],
                    help="bf16: the timed updates under torch.autocast on the CPU (bfloat16 products), as Worldgate's precision=bf16")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(args.seed)
    c = PRESETS[args.preset]
    wm, ac = WorldModel(c), ActorCritic(c)
    counts = param_counts(wm, ac)
    if args.params_out:
        with open(args.params_out, "w") as f:
            json.dump(counts, f, indent=1, sort_keys=True)
    if args.expect_params:
        with open(args.expect_params) as f:
            expected = json.load(f)
        print(f"{'module':34s} {'worldgate':>12s} {'twin':>12s}")
        for k in sorted(set(expected) | set(counts)):
            print(f"{k:34s} {expected.get(k, 0):12d} {counts.get(k, 0):12d}")
        if expected != counts:
            sys.exit("twin's parameter counts differ from Worldgate's: the comparison would not be fair")
        print(f"parameter counts match: {sum(v for k, v in counts.items() if k.count('/') == 1)} in all")
    opts = make_optimizers(wm, ac, c)
    gen = torch.Generator().manual_seed(args.seed)
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.precision == "bf16"):
        for _ in range(args.warmup):
            update(wm, ac, opts, c, synthetic_batch(c, gen), Timer())
        timer = Timer()
        t0 = time.perf_counter()
        c0 = time.thread_time()
        for _ in range(args.updates):
            ts = time.perf_counter()
            timer.cpu = time.thread_time()
            batch = synthetic_batch(c, gen)
            timer.add("sample", ts)
            update(wm, ac, opts, c, batch, timer)
    seconds = (time.perf_counter() - t0) / args.updates
    cpu_seconds = (time.thread_time() - c0) / args.updates
    phases = {k: sum(v) / len(v) for k, v in timer.ms.items()}
    cpu_phases = {k: sum(v) / len(v) for k, v in timer.cpu_ms.items()}
    result = dict(system="torch-twin", preset=args.preset, batch=c["batch"], length=c["length"],
                  updates=args.updates, s_per_update=seconds, cpu_s_per_update=cpu_seconds, phases_ms=phases,
                  cpu_phases_ms=cpu_phases, peak_rss_mib=peak_rss_mib(), threads=args.threads, precision=args.precision,
                  torch=torch.__version__)
    print(f"torch twin {args.preset} B={c['batch']} T={c['length']}: {seconds:.3f} s/update "
          f"({1 / seconds:.2f} updates/s), peak RSS {result['peak_rss_mib']:.0f} MiB")
    for k, v in phases.items():
        print(f"  {k:10s} {v:9.1f} ms")
    print(f"  CPU time of the training thread: {cpu_seconds:.3f} s/update")
    for k, v in cpu_phases.items():
        print(f"  {k:10s} {v:9.1f} ms CPU")
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(result, f, indent=1)
    if args.profile:
        from torch.profiler import ProfilerActivity, profile
        mem = Timer(memory=True)
        update(wm, ac, opts, c, synthetic_batch(c, gen), mem)
        with open(args.profile.rsplit(".", 1)[0] + "-memory.csv", "w") as f:
            f.write("phase,rss_start_mib,rss_end_mib,peak_mib\n")
            f.writelines(f"{n},{a:.0f},{b:.0f},{p:.0f}\n" for n, a, b, p in mem.memory)
        with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
            update(wm, ac, opts, c, synthetic_batch(c, gen), Timer())
        with open(args.profile, "w") as f:
            f.write(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=40))
        prof.export_chrome_trace(args.profile.rsplit(".", 1)[0] + ".json")


if __name__ == "__main__":
    main()
