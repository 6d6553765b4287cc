"""PyTorch twin of a nasflow network, for bench/pytorch-side-by-side.bench.ts (run by hand, never in CI).

The network is not written here: it is rebuilt op for op from the graph that bench/net-graph.ts
records from nasflow's own network description (same cells, same wiring, same channel counts,
TensorFlow SAME paddings resolved to explicit pixels). Initialisation follows tfjs's defaults
(Glorot-uniform conv and dense kernels, zero biases, BN gamma 1 and beta 0); BN momentum and
epsilon come with the graph.

Usage: python torch_net.py REQUEST.json  -> prints one JSON line of results.
REQUEST: {"graph": {...}, "bn": {"momentum", "epsilon"}, "train": [{"batch", "steps"}] | null,
          "infer": [{"batch", "runs"}] | null, "recipe": {...}, "threads": 2,
          "formats": ["nchw", "channels_last"]}
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class GraphNet(nn.Module):
    def __init__(self, graph, bn):
        super().__init__()
        self.nodes = graph["nodes"]
        self.outputs = graph["outputs"]
        self.layers = nn.ModuleDict()
        self.pool_divisors = {}
        for i, n in enumerate(self.nodes):
            op = n["op"]
            cin = self.nodes[n["inputs"][0]]["shape"][2] if n["inputs"] else 0
            if op == "conv":
                m = nn.Conv2d(cin, n["filters"], tuple(n["kernel"]), stride=tuple(n["stride"]), dilation=n["dilation"], bias=n["bias"])
            elif op == "depthwise":
                m = nn.Conv2d(cin, cin, n["kernel"], stride=n["stride"], dilation=n["dilation"], groups=cin, bias=False)
            elif op == "bn":
                # tfjs moving = m * moving + (1 - m) * batch; PyTorch's momentum is the batch's weight.
                m = nn.BatchNorm2d(n["shape"][2], eps=bn["epsilon"], momentum=1 - bn["momentum"])
            elif op == "dense":
                m = nn.Linear(cin, n["units"])
            else:
                continue
            self.layers[str(i)] = m
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.xavier_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    @staticmethod
    def _pad(x, p, value=0.0):
        top, bottom, left, right = p
        if top == bottom == left == right == 0:
            return x
        return F.pad(x, (left, right, top, bottom), value=value)

    def _pool(self, i, n, x):
        k, s, p = n["size"], n["stride"], n["pads"]
        if n["type"] == "max":
            return F.max_pool2d(self._pad(x, p, float("-inf")), k, s)
        y = F.avg_pool2d(self._pad(x, p), k, s)
        if n["countPad"] or not any(p):
            return y
        # TF SAME average pooling leaves the padding out of the mean.
        key = (i, x.shape[2], x.shape[3], x.dtype)
        if key not in self.pool_divisors:
            ones = torch.ones(1, 1, x.shape[2], x.shape[3], dtype=x.dtype)
            self.pool_divisors[key] = F.avg_pool2d(self._pad(ones, p), k, s)
        return y / self.pool_divisors[key]

    def forward(self, x):
        vals = []
        for i, n in enumerate(self.nodes):
            op = n["op"]
            a = [vals[j] for j in n["inputs"]]
            if op == "input":
                y = x
            elif op in ("conv", "depthwise"):
                y = self.layers[str(i)](self._pad(a[0], n["pads"]))
            elif op == "bn":
                y = self.layers[str(i)](a[0])
            elif op == "act":
                y = {"relu": F.relu, "relu6": F.relu6, "sigmoid": torch.sigmoid}[n["kind"]](a[0])
            elif op == "pool":
                y = self._pool(i, n, a[0])
            elif op == "shift":
                y = F.pad(a[0][:, :, 1:, 1:], (0, 1, 0, 1))
            elif op == "add":
                y = a[0] + a[1]
            elif op == "mul":
                y = a[0] * a[1]
            elif op == "concat":
                y = torch.cat(a, dim=1)
            elif op == "globalPool":
                y = a[0].mean(dim=(2, 3))
            elif op == "flatten":
                y = torch.flatten(a[0].permute(0, 2, 3, 1), 1) if a[0].dim() == 4 else a[0]
            elif op == "dense":
                y = self.layers[str(i)](a[0].flatten(1))
            elif op in ("dropout", "identity"):
                y = a[0] if op == "identity" or not self.training else F.dropout(a[0], n["rate"])
            else:
                raise ValueError(f"node {i}: unknown op {op!r}")
            vals.append(y)
        return [vals[o] for o in self.outputs]


def clock(fn, n):
    t0 = time.perf_counter()
    c0 = time.process_time()
    for _ in range(n):
        fn()
    return time.perf_counter() - t0, time.process_time() - c0


def main():
    req = json.load(open(sys.argv[1]))
    torch.set_num_threads(req["threads"])
    torch.manual_seed(0)
    params = sum(p.numel() for p in GraphNet(req["graph"], req["bn"]).parameters())
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "params": params, "train": [], "infer": []}
    for fmt in req["formats"]:
        mf = torch.channels_last if fmt == "channels_last" else torch.contiguous_format
        for t in req.get("train") or []:
            model = GraphNet(req["graph"], req["bn"]).to(memory_format=mf).train()
            r = req["recipe"]
            opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=r["momentum"], nesterov=r["nesterov"])
            x = torch.randn(t["batch"], 3, *req["graph"]["nodes"][0]["shape"][:2]).to(memory_format=mf)
            y = torch.randint(0, req["graph"]["nodes"][req["graph"]["outputs"][0]]["shape"][2], (t["batch"],))

            def step():
                opt.zero_grad(set_to_none=True)
                outs = model(x)
                loss = F.cross_entropy(outs[0], y, label_smoothing=r["labelSmoothing"])
                for aux in outs[1:]:
                    loss = loss + r["auxWeight"] * F.cross_entropy(aux, y, label_smoothing=r["labelSmoothing"])
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), r["gradClipNorm"])
                opt.step()
                return loss.item()

            step()
            wall, cpu = clock(step, t["steps"])
            out["train"].append({"format": fmt, "batch": t["batch"], "steps": t["steps"], "imagesPerSecond": t["batch"] * t["steps"] / wall, "imagesPerCpuSecond": t["batch"] * t["steps"] / cpu})
        for t in req.get("infer") or []:
            model = GraphNet(req["graph"], req["bn"]).to(memory_format=mf).eval()
            x = torch.randn(t["batch"], 3, *req["graph"]["nodes"][0]["shape"][:2]).to(memory_format=mf)
            with torch.inference_mode():
                model(x)
                wall, cpu = clock(lambda: model(x)[0].sum().item(), t["runs"])
            out["infer"].append({"format": fmt, "batch": t["batch"], "runs": t["runs"], "msPerBatch": 1000 * wall / t["runs"], "cpuMsPerBatch": 1000 * cpu / t["runs"]})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
