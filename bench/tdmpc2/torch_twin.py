"""A PyTorch twin of Worldgate's TD-MPC2 agent, for speed comparisons only (no learning).

Written from the paper (Hansen, Su and Wang, "TD-MPC2", ICLR 2024) to mirror the Java plugin's
networks and update step by step: the same sizes, initialisation, losses, optimisers and MPPI
settings, float32, eager mode (no torch.compile), the same number of intra-op threads. It times
training updates on random batches of `batch_size` sequences of `horizon + 1` steps, and plans
(one act on one environment), and appends a row to a CSV with the columns of TdMpc2SpeedBench:

  impl,label,preset,params,batch,updates,s_per_update,updates_per_s,plans,s_per_plan,plans_per_s,
  peak_rss_mib,threads,cpu_s_per_update,cpu_s_per_plan

Usage: torch_twin.py --preset 1M|5M|debug [--updates N] [--plans N] [--warmup W] [--threads T]
                     [--csv FILE] [--label L]
"""
import argparse
import math
import os
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# model sizes of the plugin's presets; everything else is the paper's (the plugin's defaults)
PRESETS = {
    "1M": dict(latent=128, mlp=384, enc=256, num_q=2),
    "5M": dict(latent=512, mlp=512, enc=256, num_q=5),
    "debug": dict(latent=16, mlp=32, enc=32, num_q=5, batch=16, iterations=2, samples=32, elites=8, pi_trajs=4),
}
STATE, ACTIONS, EPISODE = 24, 6, 500  # a DMC walker's sizes


class Cfg:
    def __init__(self, preset):
        p = PRESETS[preset]
        self.latent, self.mlp, self.enc, self.num_q = p["latent"], p["mlp"], p["enc"], p["num_q"]
        self.batch = p.get("batch", 256)
        self.horizon, self.rho, self.lr, self.enc_lr_scale, self.clip = 3, 0.5, 3e-4, 0.3, 20.0
        self.tau, self.bins, self.vmin, self.vmax, self.simnorm, self.dropout = 0.01, 101, -10.0, 10.0, 8, 0.01
        self.cons_coef, self.rew_coef, self.val_coef, self.ent_coef = 20.0, 0.1, 0.1, 1e-4
        self.log_std_min, self.log_std_max = -10.0, 2.0
        self.iterations, self.samples = p.get("iterations", 6), p.get("samples", 512)
        self.elites, self.pi_trajs = p.get("elites", 64), p.get("pi_trajs", 24)
        self.min_std, self.max_std, self.temperature = 0.05, 2.0, 0.5
        frac = EPISODE / 5
        self.gamma = min(max((frac - 1) / frac, 0.95), 0.995)


class SimNorm(nn.Module):
    def __init__(self, group):
        super().__init__()
        self.group = group

    def forward(self, x):
        shape = x.shape
        return F.softmax(x.view(*shape[:-1], -1, self.group), dim=-1).view(shape)


def mlp(inp, hidden, layers, out, latent_group=0):
    mods = []
    for i in range(layers):
        mods += [nn.Linear(inp if i == 0 else hidden, hidden), nn.LayerNorm(hidden), nn.Mish()]
    mods.append(nn.Linear(hidden, out))
    if latent_group:
        mods += [nn.LayerNorm(out), SimNorm(latent_group)]
    return nn.Sequential(*mods)


class QEnsemble(nn.Module):
    """E Q heads as stacked weights: Linear -> Dropout -> LN -> Mish, Linear -> LN -> Mish, Linear."""

    def __init__(self, e, inp, hidden, out, dropout):
        super().__init__()
        self.e, self.dropout = e, dropout
        dims = [(inp, hidden), (hidden, hidden), (hidden, out)]
        self.w = nn.ParameterList([nn.Parameter(torch.empty(e, o, i)) for i, o in dims])
        self.b = nn.ParameterList([nn.Parameter(torch.zeros(e, o)) for _, o in dims])
        self.g = nn.ParameterList([nn.Parameter(torch.ones(e, hidden)) for _ in range(2)])
        self.beta = nn.ParameterList([nn.Parameter(torch.zeros(e, hidden)) for _ in range(2)])

    def forward(self, x, heads=None):
        lead = x.shape[:-1]
        h = x.reshape(-1, x.shape[-1])
        idx = heads if heads is not None else slice(None)
        k = self.e if heads is None else len(heads)
        for i in range(3):
            w, b = self.w[i][idx], self.b[i][idx]
            if i == 0:
                h = F.linear(h, w.reshape(-1, w.shape[-1]), b.reshape(-1)).view(h.shape[0], k, -1).transpose(0, 1)
            else:
                h = torch.baddbmm(b.unsqueeze(1), h, w.transpose(1, 2))
            if i < 2:
                if i == 0 and self.dropout > 0:
                    h = F.dropout(h, self.dropout, self.training)
                h = F.layer_norm(h, h.shape[-1:]) * self.g[i][idx].unsqueeze(1) + self.beta[i][idx].unsqueeze(1)
                h = F.mish(h)
        return h.reshape(k, *lead, -1)


class Model(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        za = c.latent + ACTIONS
        self.encoder = mlp(STATE, c.enc, 1, c.latent, c.simnorm)
        self.dynamics = mlp(za, c.mlp, 2, c.latent, c.simnorm)
        self.reward = mlp(za, c.mlp, 2, c.bins)
        self.pi = mlp(c.latent, c.mlp, 2, 2 * ACTIONS)
        self.q = QEnsemble(c.num_q, za, c.mlp, c.bins, c.dropout)
        self.target_q = QEnsemble(c.num_q, za, c.mlp, c.bins, c.dropout)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.02)
                nn.init.zeros_(m.bias)
        for w in self.q.w:
            nn.init.normal_(w, 0, 0.02)
        nn.init.zeros_(self.reward[-1].weight)
        nn.init.zeros_(self.q.w[2])
        self.target_q.load_state_dict(self.q.state_dict())
        self.target_q.requires_grad_(False)
        self.target_q.eval()
        support = torch.linspace(c.vmin, c.vmax, c.bins)
        self.register_buffer("support", support)

    def next(self, z, a):
        return self.dynamics(torch.cat([z, a], -1))

    def policy(self, z):
        mu, raw = self.pi(z).chunk(2, -1)
        lo, hi = self.c.log_std_min, self.c.log_std_max
        log_std = lo + 0.5 * (hi - lo) * (torch.tanh(raw) + 1)
        eps = torch.randn_like(mu)
        action = torch.tanh(mu + eps * log_std.exp())
        gauss = (-0.5 * eps.pow(2) - log_std - 0.5 * math.log(2 * math.pi)).sum(-1)
        squash = torch.log(F.relu(1 - action.pow(2)) + 1e-6).sum(-1)
        return action, -(ACTIONS * gauss - squash)

    def decode(self, logits):
        x = (F.softmax(logits, -1) * self.support).sum(-1)
        return torch.sign(x) * (torch.exp(x.abs()) - 1)

    def q_values(self, z, a, heads, target):
        net = self.target_q if target else self.q
        return self.decode(net(torch.cat([z, a], -1), heads))


def two_hot_ce(logits, target, c):
    """Cross-entropy of logits [..., n] against the two-hot code of symlog(target) [...]."""
    target = target.expand(logits.shape[:-1])
    x = torch.sign(target) * torch.log1p(target.abs())
    width = (c.vmax - c.vmin) / (c.bins - 1)
    pos = ((x.clamp(c.vmin, c.vmax) - c.vmin) / width)
    lo = pos.floor().clamp(0, c.bins - 2)
    frac = (pos - lo).unsqueeze(-1)
    logp = F.log_softmax(logits, -1)
    lo = lo.long().unsqueeze(-1)
    pair = torch.gather(logp, -1, torch.cat([lo, lo + 1], -1))
    return -(pair[..., :1] * (1 - frac) + pair[..., 1:] * frac).squeeze(-1)


class Agent:
    def __init__(self, c):
        self.c = c
        self.m = Model(c)
        enc = list(self.m.encoder.parameters())
        rest = list(self.m.dynamics.parameters()) + list(self.m.reward.parameters()) + list(self.m.q.parameters())
        self.model_params = enc + rest
        self.opt = torch.optim.Adam([{"params": enc, "lr": c.lr * c.enc_lr_scale}, {"params": rest}], lr=c.lr)
        self.pi_opt = torch.optim.Adam(self.m.pi.parameters(), lr=c.lr, eps=1e-5)
        self.rho = torch.tensor([c.rho ** t for t in range(c.horizon + 1)])
        self.scale = 1.0
        self.mean = None

    def draw(self):
        perm = torch.randperm(self.c.num_q)[:2]
        return sorted(perm.tolist())

    def update(self, obs, actions, rewards, cont):
        c, m = self.c, self.m
        h = c.horizon
        with torch.no_grad():
            next_z = m.encoder(obs[:, 1:])
            a, _ = m.policy(next_z)
            q = m.q_values(next_z, a, self.draw(), True)
            td = rewards + c.gamma * cont * q.min(0).values
        m.train()
        m.target_q.eval()  # the targets are read without dropout, as in the reference
        z = m.encoder(obs[:, 0])
        zs = [z]
        for t in range(h):
            z = m.next(z, actions[:, t])
            zs.append(z)
        latents = torch.stack(zs, 1)
        now = latents[:, :h]
        w = self.rho[:h]
        cons = ((latents[:, 1:] - next_z).pow(2).mean(2).mean(0) * w).sum() / h
        za = torch.cat([now, actions], -1)
        rew = (two_hot_ce(m.reward(za), rewards, c).mean(0) * w).sum() / h
        val = (two_hot_ce(m.q(za), td.unsqueeze(0), c).mean(1).mean(0) * w).sum() / h
        total = c.cons_coef * cons + c.rew_coef * rew + c.val_coef * val
        self.opt.zero_grad(set_to_none=True)
        total.backward()
        torch.nn.utils.clip_grad_norm_(self.model_params, c.clip)
        self.opt.step()
        # policy on the detached rollout, Q heads held fixed
        lat = latents.detach()
        m.q.requires_grad_(False)
        a, ent = m.policy(lat)
        q = m.q_values(lat, a, self.draw(), False).mean(0)
        spread = torch.quantile(q[:, 0].detach(), torch.tensor([0.05, 0.95]))
        self.scale += c.tau * (max(1.0, (spread[1] - spread[0]).item()) - self.scale)
        pi_loss = (-(c.ent_coef * ent + q / self.scale).mean(0) * self.rho[: h + 1]).sum() / (h + 1)
        self.pi_opt.zero_grad(set_to_none=True)
        pi_loss.backward()
        torch.nn.utils.clip_grad_norm_(m.pi.parameters(), c.clip)
        self.pi_opt.step()
        m.q.requires_grad_(True)
        with torch.no_grad():
            torch._foreach_lerp_(list(m.target_q.parameters()), list(m.q.parameters()), c.tau)
        return total.item(), pi_loss.item()

    @torch.no_grad()
    def act(self, obs, first):
        c, m = self.c, self.m
        m.eval()
        z = m.encoder(obs)
        h, s = c.horizon, c.samples
        zp = z.repeat(c.pi_trajs, 1)
        prior = []
        for t in range(h):
            a, _ = m.policy(zp)
            prior.append(a.clamp(-1, 1))
            if t < h - 1:
                zp = m.next(zp, prior[-1])
        prior = torch.stack(prior, 0)
        mean = torch.zeros(h, ACTIONS)
        if self.mean is not None and not first:
            mean[:-1] = self.mean[1:]
        std = torch.full((h, ACTIONS), c.max_std)
        for _ in range(c.iterations):
            drawn = (mean.unsqueeze(1) + std.unsqueeze(1) * torch.randn(h, s - c.pi_trajs, ACTIONS)).clamp(-1, 1)
            seqs = torch.cat([prior, drawn], 1)
            zt = z.expand(s, -1)
            value, disc = 0, 1.0
            for t in range(h):
                value = value + disc * m.decode(m.reward(torch.cat([zt, seqs[t]], -1)))
                zt = m.next(zt, seqs[t])
                disc *= c.gamma
            a, _ = m.policy(zt)
            value = value + disc * m.q_values(zt, a, self.draw(), False).mean(0)
            value = torch.nan_to_num(value, nan=0.0)
            elite_v, idx = torch.topk(value, c.elites)
            elites = seqs[:, idx]
            score = torch.exp(c.temperature * (elite_v - elite_v.max()))
            weights = score / score.sum()
            mean = (weights.view(1, -1, 1) * elites).sum(1)
            std = ((weights.view(1, -1, 1) * (elites - mean.unsqueeze(1)).pow(2)).sum(1)).sqrt().clamp(c.min_std, c.max_std)
        self.mean = mean
        pick = torch.multinomial(weights, 1)
        return (elites[0, pick[0]] + std[0] * torch.randn(ACTIONS)).clamp(-1, 1)


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def timed(agent, batches, args):
    """Seconds (wall, CPU of this thread) per update and per plan, after warm-up.

    Each update and each plan opens its own autocast region (a no-op in fp32): autocast caches the
    bfloat16 copies of parameters until its outermost region exits, so one region around all updates
    would keep multiplying by the weights cast before the first optimiser step (stale, and cheaper).
    """
    def autocast():
        return torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.precision == "bf16")

    for b in batches[: args.warmup]:
        with autocast():
            agent.update(*b)
    t0, c0 = time.perf_counter(), time.thread_time()
    for b in batches[args.warmup:]:
        with autocast():
            agent.update(*b)
    per_update = (time.perf_counter() - t0) / args.updates
    cpu_update = (time.thread_time() - c0) / args.updates
    first = True
    for _ in range(args.warmup):
        with autocast():
            agent.act(torch.randn(1, STATE), first)
        first = False
    t0, c0 = time.perf_counter(), time.thread_time()
    for _ in range(args.plans):
        with autocast():
            agent.act(torch.randn(1, STATE), False)
    per_plan = (time.perf_counter() - t0) / args.plans
    cpu_plan = (time.thread_time() - c0) / args.plans
    return per_update, cpu_update, per_plan, cpu_plan


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="1M", choices=sorted(PRESETS))
    ap.add_argument("--updates", type=int, default=10)
    ap.add_argument("--plans", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--csv")
    ap.add_argument("--label", default="")
    ap.add_argument("--precision", default="fp32", choices=["fp32", "bf16"],
                    help="bf16: torch.autocast on the CPU (bfloat16 products, float32 parameters), as Worldgate's precision=bf16")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(1)
    c = Cfg(args.preset)
    agent = Agent(c)
    params = sum(p.numel() for n, p in agent.m.named_parameters() if not n.startswith("target_q"))
    batches = []
    for _ in range(args.warmup + args.updates):
        batches.append((torch.randn(c.batch, c.horizon + 1, STATE), torch.rand(c.batch, c.horizon, ACTIONS) * 2 - 1,
                        torch.rand(c.batch, c.horizon), torch.ones(c.batch, c.horizon)))
    per_update, cpu_update, per_plan, cpu_plan = timed(agent, batches, args)
    rss = peak_rss_mib()
    print(f"torch-twin {args.label} {args.preset} {args.precision} ({params:,} parameters): {per_update * 1e3:.1f} ms/update "
          f"({1 / per_update:.2f} updates/s, batch {c.batch}), {per_plan * 1e3:.1f} ms/plan ({1 / per_plan:.2f} plans/s), "
          f"peak RSS {rss:.0f} MiB, {args.threads} threads; CPU time of the calling thread: {cpu_update * 1e3:.1f} "
          f"ms/update, {cpu_plan * 1e3:.1f} ms/plan")
    if args.csv:
        new = not os.path.exists(args.csv)
        with open(args.csv, "a") as f:
            if new:
                f.write("impl,label,preset,params,batch,updates,s_per_update,updates_per_s,plans,s_per_plan,"
                        "plans_per_s,peak_rss_mib,threads,cpu_s_per_update,cpu_s_per_plan\n")
            f.write(f"torch-twin,{args.label},{args.preset},{params},{c.batch},{args.updates},{per_update:.4f},"
                    f"{1 / per_update:.3f},{args.plans},{per_plan:.4f},{1 / per_plan:.3f},{rss:.0f},{args.threads},"
                    f"{cpu_update:.4f},{cpu_plan:.4f}\n")


if __name__ == "__main__":
    main()
