"""The training workloads of wattcast's reference data that torchvision does not ship, written
from their papers so `wattcast flops` can count them like the torchvision fixtures:

- Xception (Chollet 2017; the Keras application the study trained): entry flow, 8 middle
  blocks, exit flow, separable convolutions without bias.
- ShuffleNetV2 1x for CIFAR as Zeus trained it: torchvision's network with a 3x3 stride-1 stem
  and no max-pool.
- BERT-base (Devlin et al. 2019) for question answering: 12 encoder layers, width 768, 12
  heads, feed-forward 3072, GELU, a span head; token ids in, as Hugging Face's model takes them.
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
