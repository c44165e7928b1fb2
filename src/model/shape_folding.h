#pragma once
// Exporters compute dynamic shapes inside the graph (Shape -> Gather -> Concat -> Equal -> Where
// -> Expand for a class token, say). ONNX's data propagation covers only part of those operators
// and crashes on crafted inputs, so once the input shapes are known, wattcast evaluates these
// small integer computations itself and replaces each by a Constant node that a second shape
// inference reads.

namespace onnx {
class ModelProto;
}

namespace wattcast {

// Returns how many nodes became Constants (0: nothing left to fold). Uses the shapes of the
// previous inference (value_info, inputs, outputs) for Shape and Size.
int fold_shape_computations(onnx::ModelProto& model);

}  // namespace wattcast
