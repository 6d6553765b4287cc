"""Reference weights and logits from the peer frameworks, for test/integration/weights.

Run by hand (scripts/weights-fixtures/run.sh makes the venv); never in CI. For each peer it builds
a structurally identical, reduced-size network with seeded random weights, gives every BN layer
non-trivial moving statistics (a few training-mode passes on seeded data, then random gamma/beta),
and writes, under OUT:

  <name>.safetensors     timm: the state dict, as timm's weights are shared (safetensors)
  <name>.h5              Keras: model.save (legacy H5, which keeps layer names)
  <name>.io.safetensors  `input` (NHWC float32, seeded) and `logits` (the peer in eval mode), with
                         the model, width, classes, input size and peer versions in the metadata

`--full` writes the full-size models instead (timm mnasnet_100, Keras NASNetMobile; 1000 classes,
224 input) for a one-off check that the same mapping holds at full size; too large to commit.
"""

import argparse
import json
import os

import numpy as np
import torch
import timm
from safetensors.numpy import save_file as save_numpy
from safetensors.torch import save_file as save_torch


def settle_bn(model, size, seed):
    """Cumulative BN statistics from three training-mode passes, then random affine BN parameters."""
    g = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(4, 3, size, size, generator=g))
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
    model.eval()


def scaled_logits(model, classifier, x):
    """Eval-mode logits after scaling the classifier to logits of standard deviation ~3.

    Random weights give logits in the hundreds; float32 rounding alone would then approach the
    1e-4 tolerance, so the classifier is scaled to realistic logits before the reference is taken.
    """
    with torch.no_grad():
        std = model(x).std().item()
        classifier.weight.mul_(3.0 / std)
        classifier.bias.mul_(3.0 / std)
        return model(x)


def timm_mnasnet(out, name, width, classes, size, seed):
    torch.manual_seed(seed)
    # timm's own generator for mnasnet_100 (width 1) / mnasnet_050 (0.5), at any channel multiplier.
    from timm.models.efficientnet import _gen_mnasnet_b1

    model = _gen_mnasnet_b1('mnasnet_100', width, num_classes=classes)
    settle_bn(model, size, seed + 1)
    x = torch.randn(2, 3, size, size, generator=torch.Generator().manual_seed(seed + 2))
    logits = scaled_logits(model, model.classifier, x)
    save_torch(model.state_dict(), os.path.join(out, f'{name}.safetensors'), metadata={'format': 'pt'})
    meta = {
        'model': 'mnasnet-b1',
        'peer': f'timm {timm.__version__} _gen_mnasnet_b1(channel_multiplier={width}); torch {torch.__version__}',
        'width': json.dumps(width),
        'classes': json.dumps(classes),
        'inputSize': json.dumps(size),
        'seed': json.dumps(seed),
    }
    io = {'input': x.permute(0, 2, 3, 1).contiguous().numpy(), 'logits': logits.numpy()}
    save_numpy(io, os.path.join(out, f'{name}.io.safetensors'), metadata=meta)
    print(f'{name}: {sum(p.numel() for p in model.parameters())} parameters, logits |max| {logits.abs().max():.3f}')


def keras_nasnet(out, name, cells, filters, classes, size, seed):
    import keras
    import tensorflow as tf

    # The generator behind keras.applications.NASNetMobile (num_blocks=4, penultimate_filters=1056,
    # stem 32) and NASNetLarge; Keras exports only those two, so the sized one is imported from src.
    from keras.src.applications.nasnet import NASNet

    keras.utils.set_random_seed(seed)
    model = NASNet(
        input_shape=(size, size, 3),
        penultimate_filters=24 * filters,
        num_blocks=cells,
        stem_block_filters=32,
        skip_reduction=False,
        filter_multiplier=2,
        include_top=True,
        weights=None,
        classes=classes,
        classifier_activation=None,
    )
    bns = [l for l in model.layers if isinstance(l, keras.layers.BatchNormalization)]
    rng = np.random.default_rng(seed + 1)
    # One training-mode pass with momentum 0 sets every moving mean/variance to real batch statistics.
    for l in bns:
        l.momentum = 0.0
    model(rng.standard_normal((4, size, size, 3)).astype('float32'), training=True)
    for l in bns:
        l.momentum = 0.9997
        l.gamma.assign((rng.random(l.gamma.shape) + 0.5).astype('float32'))
        l.beta.assign((rng.standard_normal(l.beta.shape) * 0.1).astype('float32'))
    x = np.random.default_rng(seed + 2).standard_normal((2, size, size, 3)).astype('float32')
    dense = model.get_layer('predictions')
    scale = 3.0 / float(np.std(model(x, training=False)))
    dense.kernel.assign(dense.kernel * scale)
    dense.bias.assign(dense.bias * scale)
    logits = np.asarray(model(x, training=False))
    # The legacy H5 format keeps layer names (model_weights/<layer>/...); Keras 3's .weights.h5
    # keys layers by class-derived names in model order (layers/batch_normalization_12/vars/0).
    model.save(os.path.join(out, f'{name}.h5'))
    meta = {
        'model': 'nasnet-a-mobile',
        'peer': f'keras {keras.__version__} nasnet.NASNet(num_blocks={cells}, penultimate_filters={24 * filters}); tensorflow {tf.__version__}',
        'cells': json.dumps(cells),
        'filters': json.dumps(filters),
        'classes': json.dumps(classes),
        'inputSize': json.dumps(size),
        'seed': json.dumps(seed),
    }
    save_numpy({'input': x, 'logits': logits}, os.path.join(out, f'{name}.io.safetensors'), metadata=meta)
    print(f'{name}: {model.count_params()} parameters (incl. BN moving statistics), logits |max| {np.abs(logits).max():.3f}')


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--out', required=True, help='directory to write the fixtures into')
    p.add_argument('--full', action='store_true', help='full-size models (not for committing)')
    p.add_argument('--only', choices=['timm', 'keras', 'all'], default='all', help='which peer (default both)')
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    torch.set_num_threads(2)
    if a.only in ('timm', 'all'):
        if a.full:
            timm_mnasnet(a.out, 'timm-mnasnet_100', 1.0, 1000, 224, 7)
        else:
            timm_mnasnet(a.out, 'timm-mnasnet-w025', 0.25, 10, 64, 7)
    if a.only in ('keras', 'all'):
        if a.full:
            keras_nasnet(a.out, 'keras-nasnet-mobile', 4, 44, 1000, 224, 11)
        else:
            keras_nasnet(a.out, 'keras-nasnet-n2f12', 2, 12, 10, 64, 11)


if __name__ == '__main__':
    main()
