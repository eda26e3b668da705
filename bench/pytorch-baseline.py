#!/usr/bin/env python3
"""PyTorch CPU baseline for `npm run bench` comparisons (optional: needs Debian's python3-torch).

One ascent step = forward to the objective layer + input gradient (weights frozen), as dreamflow's engines do.
Usage: /usr/bin/python3 bench/pytorch-baseline.py [--network vgg16|vgg19] [--layer block3_conv3] [--size 224]
Prints one JSON line like `npm run bench` does.
"""
import argparse, json, resource, statistics, time
import torch
import torch.nn as nn

CFG = {
    'vgg16': [2, 2, 3, 3, 3],
    'vgg19': [2, 2, 4, 4, 4],
}
WIDTHS = [64, 128, 256, 512, 512]


def build(network, layer):
    layers, c_in = [], 3
    for b, (n, c) in enumerate(zip(CFG[network], WIDTHS), start=1):
        for i in range(1, n + 1):
            layers += [nn.Conv2d(c_in, c, 3, padding=1), nn.ReLU(inplace=False)]
            c_in = c
            if layer == f'block{b}_conv{i}':
                return nn.Sequential(*layers)
        layers.append(nn.MaxPool2d(2))
        if layer == f'block{b}_pool':
            return nn.Sequential(*layers)
    raise SystemExit(f'unknown layer {layer}')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--network', default='vgg16')
    ap.add_argument('--layer', default='block3_conv3')
    ap.add_argument('--size', type=int, default=224)
    ap.add_argument('--steps', type=int, default=10)
    ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    net = build(a.network, a.layer).eval()
    for p in net.parameters():
        p.requires_grad_(False)
    x = torch.rand(1, 3, a.size, a.size) * 2 - 1

    def step():
        xi = x.clone().requires_grad_(True)
        loss = net(xi).pow(2).mean()
        (g,) = torch.autograd.grad(loss, xi)
        g = g / g.abs().mean().clamp_min(1e-7)
        x.add_(0.01 * g)

    t0 = time.perf_counter(); step(); first = (time.perf_counter() - t0) * 1000
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter(); step(); times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({
        'engine': 'pytorch', 'backend': f'torch {torch.__version__} cpu x{a.threads}', 'network': a.network,
        'layers': [a.layer], 'size': [a.size, a.size], 'ms_per_step': round(statistics.median(times), 1),
        'ms_min': round(min(times), 1), 'first_step_ms': round(first, 1),
        'peak_rss_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), 'weights': 'random',
    }))


if __name__ == '__main__':
    main()
