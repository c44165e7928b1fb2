"""The training workloads of wattcast's reference data that torchvision does not ship, written
from their papers so `wattcast flops` can count them like the torchvision fixtures:

- Xception (Chollet 2017; the Keras application the study trained): entry flow, 8 middle
  blocks, exit flow, separable convolutions without bias.
- NASNet-A Mobile (Zoph et al. 2018; the Keras application the study trained): 4 normal cells
  per stack between reduction cells, two stem reductions, 5.29 M parameters.
- ShuffleNetV2 1x for CIFAR as Zeus trained it: torchvision's network with a 3x3 stride-1 stem
  and no max-pool.
- BERT-base (Devlin et al. 2019) for question answering: 12 encoder layers, width 768, 12
  heads, feed-forward 3072, GELU, a span head; token ids in, as Hugging Face's model takes them.
- BERT for sequence classification as Hugging Face's BertForSequenceClassification builds it from
  a BertConfig (token, position and token-type embeddings, LayerNorm, post-norm encoder layers,
  a tanh pooler on the first token, a linear classifier), at the size of the H200 `hf` run.
"""

import torch
from torch import nn
import torchvision


class SeparableConv(nn.Sequential):
    def __init__(self, cin, cout):
        super().__init__(nn.Conv2d(cin, cin, 3, padding=1, groups=cin, bias=False), nn.Conv2d(cin, cout, 1, bias=False))


def separable_unit(cin, cout, relu_first=True):
    layers = [nn.ReLU()] if relu_first else []
    return layers + [SeparableConv(cin, cout), nn.BatchNorm2d(cout)]


class XceptionBlock(nn.Module):
    def __init__(self, cin, cout, reps, stride, relu_first=True, grow_first=True):
        super().__init__()
        layers, width = [], cin
        for i in range(reps):
            target = cout if (grow_first and i == 0) or (not grow_first and i == reps - 1) else width
            layers += separable_unit(width, target, relu_first or i > 0)
            width = target
        if stride != 1:
            layers.append(nn.MaxPool2d(3, stride, padding=1))
        self.body = nn.Sequential(*layers)
        self.skip = None
        if stride != 1 or cin != cout:
            self.skip = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        return self.body(x) + (self.skip(x) if self.skip is not None else x)


class Xception(nn.Module):
    def __init__(self, classes=1000):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, 32, 3, stride=2, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 64, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU())
        blocks = [XceptionBlock(64, 128, 2, 2, relu_first=False), XceptionBlock(128, 256, 2, 2), XceptionBlock(256, 728, 2, 2)]
        blocks += [XceptionBlock(728, 728, 3, 1) for _ in range(8)]
        blocks.append(XceptionBlock(728, 1024, 2, 2, grow_first=False))
        self.blocks = nn.Sequential(*blocks)
        self.exit = nn.Sequential(*separable_unit(1024, 1536, False), nn.ReLU(), *separable_unit(1536, 2048, False), nn.ReLU(),
                                  nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2048, classes))

    def forward(self, x):
        return self.exit(self.blocks(self.stem(x)))


def xception():
    return Xception()


def shufflenet_v2_cifar100():
    model = torchvision.models.shufflenet_v2_x1_0(weights=None, num_classes=100)
    model.conv1 = nn.Sequential(nn.Conv2d(3, 24, 3, stride=1, padding=1, bias=False), nn.BatchNorm2d(24), nn.ReLU())
    model.maxpool = nn.Identity()
    return model


class BertQuestionAnswering(nn.Module):
    def __init__(self, vocabulary=30522, width=768, layers=12, heads=12, feed_forward=3072, max_length=512):
        super().__init__()
        self.tokens = nn.Embedding(vocabulary, width)
        self.positions = nn.Embedding(max_length, width)
        self.norm = nn.LayerNorm(width)
        layer = nn.TransformerEncoderLayer(width, heads, feed_forward, activation="gelu", batch_first=True, dropout=0.0)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.span = nn.Linear(width, 2)

    def forward(self, ids):
        positions = torch.arange(ids.shape[1]).unsqueeze(0)
        return self.span(self.encoder(self.norm(self.tokens(ids) + self.positions(positions))))


def bert_base_qa():
    return BertQuestionAnswering()


class BertSequenceClassifier(nn.Module):
    """BertForSequenceClassification's structure and parameters (dropout is inactive in eval mode;
    an attention mask of ones, as the H200 run passed, changes nothing and is left out)."""

    def __init__(self, vocabulary=30522, width=768, layers=12, heads=12, feed_forward=3072, max_length=512, token_types=2, labels=2):
        super().__init__()
        self.tokens = nn.Embedding(vocabulary, width)
        self.positions = nn.Embedding(max_length, width)
        self.token_types = nn.Embedding(token_types, width)
        self.norm = nn.LayerNorm(width, eps=1e-12)
        layer = nn.TransformerEncoderLayer(width, heads, feed_forward, activation="gelu", batch_first=True, dropout=0.0, layer_norm_eps=1e-12)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.pooler = nn.Linear(width, width)
        self.classifier = nn.Linear(width, labels)

    def forward(self, ids):
        positions = torch.arange(ids.shape[1]).unsqueeze(0)
        embedded = self.tokens(ids) + self.positions(positions) + self.token_types(torch.zeros_like(ids))
        first = self.encoder(self.norm(embedded))[:, 0]
        return self.classifier(torch.tanh(self.pooler(first)))


def bert_parameters(vocabulary, width, layers, feed_forward, max_length, token_types, labels):
    """BERT's parameter count in closed form: embeddings and their LayerNorm; per layer the four
    attention projections, two feed-forward matrices and two LayerNorms; pooler; classifier."""
    embeddings = (vocabulary + max_length + token_types) * width + 2 * width
    layer = 4 * (width * width + width) + 2 * width * feed_forward + feed_forward + width + 2 * 2 * width
    return embeddings + layers * layer + width * width + width + width * labels + labels


# The H200 `hf` run's BertConfig(vocab_size=1000, hidden_size=256, num_hidden_layers=4,
# num_attention_heads=4, intermediate_size=1024, num_labels=2); the rest are BertConfig's defaults.
BERT_TINY_HF = dict(vocabulary=1000, width=256, layers=4, heads=4, feed_forward=1024, max_length=512, token_types=2, labels=2)


def bert_tiny_classifier():
    return BertSequenceClassifier(**BERT_TINY_HF)


# NASNet-A Mobile (Zoph et al. 2018; the Keras application the study trained: 4 cells per stack,
# penultimate filters 1056, stem filters 32, filter multiplier 2).
class NasSeparable(nn.Sequential):
    """NASNet's separable block: (ReLU, separable conv, batch norm) twice, the first strided."""

    def __init__(self, channels, filters, kernel, stride=1):
        pad = kernel // 2
        super().__init__(
            nn.ReLU(), nn.Conv2d(channels, channels, kernel, stride, pad, groups=channels, bias=False),
            nn.Conv2d(channels, filters, 1, bias=False), nn.BatchNorm2d(filters),
            nn.ReLU(), nn.Conv2d(filters, filters, kernel, 1, pad, groups=filters, bias=False),
            nn.Conv2d(filters, filters, 1, bias=False), nn.BatchNorm2d(filters))


class Squeeze(nn.Sequential):
    """ReLU, 1x1 convolution, batch norm: brings a cell input to the cell's width."""

    def __init__(self, channels, filters):
        super().__init__(nn.ReLU(), nn.Conv2d(channels, filters, 1, bias=False), nn.BatchNorm2d(filters))


class FactorizedReduce(nn.Module):
    """Halves the previous cell's output spatially (two offset average-pooled 1x1 paths)."""

    def __init__(self, channels, filters):
        super().__init__()
        self.a = nn.Conv2d(channels, filters // 2, 1, bias=False)
        self.b = nn.Conv2d(channels, filters - filters // 2, 1, bias=False)
        self.norm = nn.BatchNorm2d(filters)

    def forward(self, x):
        x = torch.relu(x)
        a = self.a(nn.functional.avg_pool2d(x, 1, 2))
        # The second path starts one pixel in (Keras pads and crops; a roll has the same shapes and
        # exports to static slices, which shape inference resolves).
        b = self.b(nn.functional.avg_pool2d(torch.roll(x, (-1, -1), (2, 3)), 1, 2))
        return self.norm(torch.cat([a, b], 1))


def adjust(previous_channels, previous_reduced, filters):
    return FactorizedReduce(previous_channels, filters) if previous_reduced else Squeeze(previous_channels, filters)


class NormalCell(nn.Module):
    def __init__(self, channels, previous_channels, previous_reduced, filters):
        super().__init__()
        self.p = adjust(previous_channels, previous_reduced, filters)
        self.h = Squeeze(channels, filters)
        self.h5, self.p3a = NasSeparable(filters, filters, 5), NasSeparable(filters, filters, 3)
        self.p5, self.p3b = NasSeparable(filters, filters, 5), NasSeparable(filters, filters, 3)
        self.h3 = NasSeparable(filters, filters, 3)
        self.out_channels = 6 * filters

    def forward(self, x, previous):
        p, h = self.p(previous), self.h(x)
        pool = lambda t: nn.functional.avg_pool2d(t, 3, 1, 1, count_include_pad=False)
        return torch.cat([p, self.h5(h) + self.p3a(p), self.p5(p) + self.p3b(p), pool(h) + p, pool(p) + pool(p),
                          self.h3(h) + h], 1)


class ReductionCell(nn.Module):
    def __init__(self, channels, previous_channels, previous_reduced, filters):
        super().__init__()
        self.p = adjust(previous_channels, previous_reduced, filters)
        self.h = Squeeze(channels, filters)
        self.h5, self.p7a = NasSeparable(filters, filters, 5, 2), NasSeparable(filters, filters, 7, 2)
        self.p7b, self.p5 = NasSeparable(filters, filters, 7, 2), NasSeparable(filters, filters, 5, 2)
        self.x3 = NasSeparable(filters, filters, 3)
        self.out_channels = 4 * filters

    def forward(self, x, previous):
        p, h = self.p(previous), self.h(x)
        max_pool = lambda t: nn.functional.max_pool2d(t, 3, 2, 1)
        avg_pool = lambda t, s: nn.functional.avg_pool2d(t, 3, s, 1, count_include_pad=False)
        x1 = self.h5(h) + self.p7a(p)
        x2 = max_pool(h) + self.p7b(p)
        x3 = avg_pool(h, 2) + self.p5(p)
        x4 = avg_pool(x1, 1) + x2
        x5 = self.x3(x1) + max_pool(h)
        return torch.cat([x2, x3, x4, x5], 1)


class NasNetMobile(nn.Module):
    def __init__(self, classes=1000, cells_per_stack=4, penultimate_filters=1056, stem_filters=32, multiplier=2):
        super().__init__()
        filters = penultimate_filters // 24
        self.stem = nn.Sequential(nn.Conv2d(3, stem_filters, 3, 2, bias=False), nn.BatchNorm2d(stem_filters))
        # (channels, scale) of the cell input and of the one before; a previous output at a finer
        # scale is reduced to the current one on the way in.
        current, previous = (stem_filters, 0), (stem_filters, 0)
        plan = [(ReductionCell, filters // multiplier ** 2), (ReductionCell, filters // multiplier)]
        for stack in range(3):
            if stack > 0:
                plan.append((ReductionCell, filters * multiplier ** stack))
            plan += [(NormalCell, filters * multiplier ** stack)] * cells_per_stack
        cells = []
        for kind, width in plan:
            cell = kind(current[0], previous[0], previous[1] != current[1], width)
            scale = current[1] + (1 if kind is ReductionCell else 0)
            previous, current = current, (cell.out_channels, scale)
            cells.append(cell)
        self.cells = nn.ModuleList(cells)
        self.head = nn.Sequential(nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(current[0], classes))

    def forward(self, x):
        previous = x = self.stem(x)
        for cell in self.cells:
            x, previous = cell(x, previous), x
        return self.head(x)


def nasnet_mobile():
    return NasNetMobile()
